"""Issue 11 §7: `serve` against the real server on 127.0.0.1: bad paths answer 400, only loopback
Host names are answered, and only regular files inside the folder are served (no symbolic links)."""

from __future__ import annotations

import http.client
import socket
import threading
from pathlib import Path

import pytest

MARKER = ".awesome-prune-site"


@pytest.fixture
def site(tmp_path: Path):
    from awesome_prune.serve import make_server

    folder = tmp_path / "_site"
    (folder / "concepts").mkdir(parents=True)
    (folder / "index.html").write_text("<p>index</p>")
    (folder / "concepts" / "type.html").write_text("<p>type</p>")
    (folder / "empty").mkdir()
    (folder / MARKER).write_text('{"awesome-prune-site": 1, "files": []}')
    secret = tmp_path / "etc"
    secret.mkdir()
    (secret / "hostname").write_text("secret-host\n")
    (folder / "etclink").symlink_to(secret)
    (folder / "hostlink.html").symlink_to(secret / "hostname")
    (folder / "concepts" / "up").symlink_to(folder)  # a link back into the folder: not followed either
    server = make_server(folder, 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=30)


def get(port: int, path: str, host: str | None = "default", method: str = "GET") -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        if host is not None:
            connection.putheader("Host", f"127.0.0.1:{port}" if host == "default" else host)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def raw(port: int, request: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(request)
        chunks = []
        for _ in range(1000):  # bounded: the server closes after one answer
            data = sock.recv(65536)
            if not data:
                break
            chunks.append(data)
        return b"".join(chunks)


def test_files_of_the_folder_are_served(site):
    assert get(site, "/") == (200, b"<p>index</p>")
    assert get(site, "/index.html?x=1#top") == (200, b"<p>index</p>")
    assert get(site, "/concepts/type.html") == (200, b"<p>type</p>")
    assert get(site, "/concepts/%74ype.html") == (200, b"<p>type</p>")
    assert get(site, "/concepts/type.html", method="HEAD") == (200, b"")
    assert get(site, "/concepts")[0] == 301  # a folder without its slash: redirected, as before


@pytest.mark.parametrize("path", ["/%00", "/index.html%00.txt", "/concepts/%00/x", "/%ff.html", "/../etc/passwd",
                                  "/concepts/../../x", "nothing-slash"])
def test_bad_paths_answer_400_and_the_server_lives_on(site, path):
    status, _ = get(site, path)
    assert status == 400
    assert get(site, "/index.html")[0] == 200


@pytest.mark.parametrize("host", ["localhost:{port}", "LocalHost:{port}", "127.0.0.1:{port}", "[::1]:{port}"])
def test_loopback_host_names_are_answered(site, host):
    assert get(site, "/index.html", host=host.format(port=site))[0] == 200


@pytest.mark.parametrize("host", ["evil.example", "evil.example:{port}", "127.0.0.1", "localhost:1",
                                  "127.0.0.1:{port}.evil.example", "localhost.:{port}", "127.0.0.2:{port}",
                                  "", None])
def test_other_host_names_are_refused(site, host):
    status, body = get(site, "/index.html", host=None if host is None else host.format(port=site))
    assert status in (400, 421) and b"index" not in body


def test_two_host_headers_are_refused(site):
    answer = raw(site, f"GET /index.html HTTP/1.1\r\nHost: 127.0.0.1:{site}\r\nHost: evil.example\r\n"
                       "Connection: close\r\n\r\n".encode())
    assert answer.split(b"\r\n", 1)[0].split()[1] in (b"400", b"421")


@pytest.mark.parametrize("path", ["/etclink/hostname", "/hostlink.html", "/concepts/up/index.html", "/etclink/",
                                  "/empty/", "/" + MARKER, "/nothing.html"])
def test_links_folders_without_index_and_the_marker_are_not_served(site, path):
    status, body = get(site, path)
    assert status == 404 and b"secret" not in body and b"index" not in body
