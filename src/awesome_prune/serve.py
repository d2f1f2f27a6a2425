"""Serving the built static site on the loopback interface only (`awesome-prune serve`).

A plain `http.server` on 127.0.0.1: never reachable from another machine. Requests are not logged
(library code does not print); the command prints the address and blocks until interrupted.

A web page the browser shows can still send requests to 127.0.0.1 (DNS rebinding: a name of the
attacker's resolving to 127.0.0.1), so only requests naming this server in their Host header
(`127.0.0.1`, `localhost` or `[::1]`, with its port) are answered; others get 421. Paths are
decoded strictly (a NUL, bad UTF-8, `..` or a path not starting with `/` answer 400), and only
regular files inside the folder are served, reached without following a symbolic link; a folder
serves its index.html and is never listed; the site's marker and temporary files are not served.
"""

from __future__ import annotations

import email.utils
import functools
import os
import stat
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable
from urllib.parse import quote, unquote_to_bytes

from .errors import Problem, ProblemsError
from .sitefolder import MARKER
from .write import TEMP_NAME

HOST = "127.0.0.1"
HOST_NAMES = ("127.0.0.1", "localhost", "[::1]")  # the Host header names answered (with the port)
_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_FILE_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC


class BadPath(ValueError):
    """A request path that is not a plain, decodable path (400)."""


def path_parts(target: str) -> tuple[list[str], bool, str]:
    """The decoded segments of a request target's path, whether it ends with `/`, and its query
    (with its `?`); BadPath for a target that is not an absolute path, holds a NUL, is not UTF-8
    once decoded, or goes up (`..`)."""
    target = target.split("#", 1)[0]
    path, sep, query = target.partition("?")
    if not path.startswith("/"):
        raise BadPath("not an absolute path")
    try:
        text = unquote_to_bytes(path).decode("utf-8")
    except UnicodeDecodeError:
        raise BadPath("not UTF-8") from None
    if "\0" in text or "\\" in text:
        raise BadPath("a NUL or a backslash")
    parts = [part for part in text.split("/") if part not in ("", ".")]
    if ".." in parts:
        raise BadPath("goes up")
    return parts, text.endswith("/"), sep + query


def host_allowed(value: str, port: int) -> bool:
    """Whether a Host header names this server: one of HOST_NAMES with `port` (without it when the
    port is 80, as browsers send it), any case."""
    value = value.strip().lower()
    names = {f"{name}:{port}" for name in HOST_NAMES}
    if port == 80:
        names.update(HOST_NAMES)
    return value in names


class QuietHandler(SimpleHTTPRequestHandler):
    """Serves regular files under one folder, without request logs and without caching."""

    extensions_map = {**SimpleHTTPRequestHandler.extensions_map, ".js": "text/javascript",
                      ".css": "text/css", ".svg": "image/svg+xml", ".html": "text/html; charset=utf-8"}

    def log_message(self, format, *args):  # noqa: A002 - the base class's signature
        pass

    def end_headers(self):
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        super().end_headers()

    def parse_request(self) -> bool:
        if not super().parse_request():
            return False
        hosts = self.headers.get_all("Host") or []
        if len(hosts) != 1 or not host_allowed(hosts[0], self.server.server_address[1]):
            self.send_error(HTTPStatus.MISDIRECTED_REQUEST, "Only 127.0.0.1, localhost and [::1] are served here")
            return False
        return True

    def list_directory(self, path):  # never: a folder without index.html is not found
        self.send_error(HTTPStatus.NOT_FOUND, "File not found")
        return None

    def send_head(self):
        """Open the file asked for (regular, inside the folder, no link followed) and send the
        headers; the open file, or None when an error was sent."""
        try:
            parts, slash, query = path_parts(self.path)
        except BadPath:
            self.send_error(HTTPStatus.BAD_REQUEST, "Bad request path")
            return None
        if any(part == MARKER or TEMP_NAME.match(part) for part in parts):
            self.send_error(HTTPStatus.NOT_FOUND, "File not found")
            return None
        fd = self._open(parts, slash, query)
        if fd is None:
            return None
        try:
            info = os.fstat(fd)
            name = parts[-1] if parts and not slash else "index.html"
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-type", self.guess_type(name))
            self.send_header("Content-Length", str(info.st_size))
            self.send_header("Last-Modified", email.utils.formatdate(info.st_mtime, usegmt=True))
            self.end_headers()
            return os.fdopen(fd, "rb")
        except BaseException:
            os.close(fd)
            raise

    def _open(self, parts: list[str], slash: bool, query: str) -> int | None:
        """A descriptor of the regular file `parts` names (a folder's index.html), or None with the
        error (or a redirect to the folder's `/` form) sent."""
        try:
            fd = os.open(self.directory, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        except OSError:
            self.send_error(HTTPStatus.NOT_FOUND, "File not found")
            return None
        try:
            for part in parts[:-1]:
                following = os.open(part, _DIR_FLAGS, dir_fd=fd)
                os.close(fd)
                fd = following
            if parts:
                following = os.open(parts[-1], _FILE_FLAGS, dir_fd=fd)
                os.close(fd)
                fd = following
            if stat.S_ISDIR(os.fstat(fd).st_mode):
                if parts and not slash:
                    self.send_response(HTTPStatus.MOVED_PERMANENTLY)
                    self.send_header("Location", "/" + "/".join(quote(p) for p in parts) + "/" + query)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    os.close(fd)
                    return None
                following = os.open("index.html", _FILE_FLAGS, dir_fd=fd)
                os.close(fd)
                fd = following
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise IsADirectoryError(parts)
        except OSError:
            os.close(fd)
            self.send_error(HTTPStatus.NOT_FOUND, "File not found")
            return None
        return fd


def needs_build(site_dir: Path) -> bool:
    return not (site_dir / "index.html").is_file()


def ensure_site(root: Path, site_dir: Path, on_wait: Callable[[str], None] | None = None) -> bool:
    """Build the list (and its site into `site_dir`) when the site has no index.html; True if built.
    The build refuses a site folder it may not write (see `write.site_plan`)."""
    if not needs_build(site_dir):
        return False
    from .build import build

    build(root, site_dir=site_dir, on_wait=on_wait)
    return True


def make_server(site_dir: Path, port: int) -> ThreadingHTTPServer:
    """An HTTP server for `site_dir` bound to 127.0.0.1:`port` (0 picks a free port); not started."""
    if not site_dir.is_dir():
        raise ProblemsError([Problem(str(site_dir), 0, 0, "", "no such folder to serve")])
    handler = functools.partial(QuietHandler, directory=str(site_dir.resolve()))
    try:
        server = ThreadingHTTPServer((HOST, port), handler)
    except OSError as exc:
        raise ProblemsError([Problem(str(site_dir), 0, 0, "", f"cannot listen on {HOST}:{port}: {exc.strerror or exc}")]) from None
    server.daemon_threads = True
    return server


def url(server: ThreadingHTTPServer) -> str:
    host, port = server.server_address[:2]
    return f"http://{host}:{port}/"
