"""Serving the built static site on the loopback interface only (`awesome-prune serve`).

A plain `http.server` on 127.0.0.1: never reachable from another machine. Requests are not logged
(library code does not print); the command prints the address and blocks until interrupted.
"""

from __future__ import annotations

import functools
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable

from .errors import Problem, ProblemsError

HOST = "127.0.0.1"


class QuietHandler(SimpleHTTPRequestHandler):
    """Serves files under one folder, without request logs and without caching."""

    extensions_map = {**SimpleHTTPRequestHandler.extensions_map, ".js": "text/javascript",
                      ".css": "text/css", ".svg": "image/svg+xml", ".html": "text/html; charset=utf-8"}

    def log_message(self, format, *args):  # noqa: A002 - the base class's signature
        pass

    def end_headers(self):
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        super().end_headers()


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
