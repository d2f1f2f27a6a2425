"""A requests adapter that connects only to the address netguard checked, and the release of a
response's connection (drained back to the pool when what is left of it is small)."""

from __future__ import annotations

import requests
from requests.adapters import HTTPAdapter

from .options import DEFAULT_PORT
from .watchdog import Deadline, HTTPPool, HTTPSPool

__all__ = ["DRAIN_LIMIT", "PinnedAdapter", "Unpinned", "release_response"]


#: A response body is drained (so its keep-alive connection can be reused) only when its
#: declared length is at most this; otherwise the connection is closed unread. Redirects,
#: errors and small pages are usually this small and already sit in the socket buffer.
DRAIN_LIMIT = 16 * 1024


def release_response(resp: requests.Response, token: Deadline) -> None:
    """Give the connection back to the pool if the rest of the body is small, else close it."""
    raw = resp.raw
    try:
        left = getattr(raw, "length_remaining", None)
        if (
            left is not None
            and left <= DRAIN_LIMIT
            and not token.fired
            and not getattr(raw, "chunked", False)
            and raw.headers.get("Connection", "").lower() != "close"
        ):
            while left > 0:
                data = raw.read(left, decode_content=False)
                if not data:
                    break
                left -= len(data)
            if left == 0 and not token.fired:
                raw.release_conn()
                return
    except Exception:  # noqa: BLE001 - anything odd: just close the connection
        pass
    resp.close()


# --------------------------------------------------------------------------------------------
# A requests adapter that connects only to the address netguard checked.


class Unpinned(requests.exceptions.InvalidURL):
    """A request for a host whose address was not checked: refused before any connection."""


class PinnedAdapter(HTTPAdapter):
    """Connection pools keyed by the checked IP; Host, SNI and certificate use the name."""

    def __init__(self) -> None:
        self.pins: dict[tuple[str, str, int], str] = {}
        super().__init__(pool_connections=128, pool_maxsize=2, max_retries=0)

    def init_poolmanager(self, connections, maxsize, block=False, **pool_kwargs):  # type: ignore[override]
        super().init_poolmanager(connections, maxsize, block=block, **pool_kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": HTTPPool, "https": HTTPSPool}

    def pin(self, scheme: str, host: str, port: int, ip: str) -> None:
        self.pins = {(scheme, host, port): ip}

    def get_connection_with_tls_context(self, request, verify, proxies=None, cert=None):  # type: ignore[override]
        host_params, pool_kwargs = self.build_connection_pool_key_attributes(request, verify, cert)
        scheme = host_params["scheme"]
        host = (host_params["host"] or "").lower()
        port = host_params["port"] or DEFAULT_PORT.get(scheme, 0)
        ip = self.pins.get((scheme, host, port))
        if ip is None:
            raise Unpinned(f"no checked address for {scheme}://{host}:{port}", request=request)
        if scheme == "https":
            pool_kwargs["server_hostname"] = host
            pool_kwargs["assert_hostname"] = host
        return self.poolmanager.connection_from_host(
            scheme=scheme, host=ip, port=port, pool_kwargs=pool_kwargs
        )

    def get_connection(self, url, proxies=None):  # pragma: no cover - deprecated path
        raise Unpinned("unpinned connection path is disabled")
