"""awesome-prune serve"""

import sys
from pathlib import Path

HELP = "serve the static site on 127.0.0.1 (building it first when it is missing)"
DESCRIPTION = ("Serve the built static site over HTTP on 127.0.0.1 only, for a look before publishing. "
               "When the folder has no index.html the list is built first. Stop with Ctrl+C.")


def add_arguments(parser) -> None:
    parser.add_argument("--port", type=int, default=8000, metavar="N",
                        help="port to listen on (default: 8000; 0 picks a free one)")
    parser.add_argument("--dir", type=Path, default=None, metavar="DIR",
                        help="the site folder (default: _site in the list's folder)")


def run(args) -> int:
    from ..serve import ensure_site, make_server, url
    from .build import say
    from ..sitefolder import SITE_DIR

    if not 0 <= args.port <= 65535:
        print(f"--port {args.port}: not a port number (0 to 65535)", file=sys.stderr)
        return 2
    site_dir = args.dir if args.dir is not None else args.root / SITE_DIR
    if ensure_site(args.root, site_dir, on_wait=say):
        print(f"built the site into {site_dir}")
    server = make_server(site_dir, args.port)
    print(f"serving {site_dir} at {url(server)} (Ctrl+C to stop)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("stopped")
    finally:
        server.server_close()
    return 0
