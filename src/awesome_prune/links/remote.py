"""The external link checker: is every http(s) URL in the list still there?

``check_urls(urls, options)`` returns one :class:`Result` per input URL:

``ok``
    an accepted status (2xx by default) and, for a URL with a ``#fragment``, an element with
    that id (or ``user-content-`` + it, as GitHub renders README headings, or ``<a name>``) in
    the HTML. Excluded URLs (``options.exclude``) are ``ok`` with detail ``'excluded'`` and are
    never requested; cached successes are ``ok`` with ``' (cached)'`` after the detail.
``broken``
    404/410 and other client errors, a DNS failure, an address the network policy refuses,
    a missing fragment, a redirect loop or too many redirects, a refused connection, a
    certificate that does not verify, a scheme other than http/https.
``unverifiable``
    the link could not be judged: 401/403 (bot walls, logins), 999 (LinkedIn), 451, a 429 or
    503 or other 5xx that persists after the retries, timeouts after the retries, a fragment
    not found within the first ``fragment_cap`` bytes of a page.

How the requests are made:

* one GET per unique URL with the fragment stripped (URLs differing only by fragment share it,
  each fragment is then looked up in that one body), ``stream=True``. A plain check reads no
  body: the connection is closed unread, except that a rest of at most ``DRAIN_LIMIT`` (16 KiB)
  declared by Content-Length (a redirect, an error page, a tiny page: bytes the server already
  sent) is drained so the keep-alive connection goes back to the pool. To find fragments the
  HTML is read up to ``fragment_cap`` (2 MiB), stopping as soon as all are found;
* redirects are followed by the checker itself, hop by hop, up to ``max_redirects``; each hop
  is scheduled on its own host's queue. Requests go through the worker Session's adapter with
  no redirect handling at all (``Session.send(allow_redirects=False)`` would still read the
  whole body of a 3xx to prepare ``Response.next``); cookies set along one URL's redirect
  chain are kept for that chain only;
* every host name is resolved once per run with ``socket.getaddrinfo`` and every address it
  resolves to is judged by :mod:`.netguard` (also at each redirect hop); the connection then goes
  to the address that was judged (the pool is keyed by that IP, the Host header and, for https,
  SNI and certificate verification use the name), so DNS rebinding cannot redirect it; when
  connecting to one address fails, the next checked address of the name is tried;
* a pool of ``workers`` threads, one ``requests.Session`` each, shares per-host queues: a
  worker takes the next request from any host that is below ``per_host`` concurrent requests
  and past its ``min_gap`` and pause, so a busy host never holds a worker idle;
* a 429 or 503 pauses that host for every worker (``Retry-After`` in seconds or as an HTTP date,
  capped at ``max_retry_after``; exponential backoff with jitter when absent) and is retried;
  408, other 5xx, timeouts and connection resets are retried after a backoff that occupies no
  worker; 404/410 and DNS failures never are;
* every request also has an overall deadline (``2 * timeout``) enforced by a watchdog that
  shuts the socket down, so a server that drips bytes cannot hold a worker for ever;
* when ``github_token`` is set and github.com answers 429 for ``https://github.com/owner/name…``,
  the repository is confirmed with ``GET {github_api}/repos/owner/name``; the token is sent only
  to the ``github_api`` origin (``https://api.github.com``), never to another host, redirects
  included. ``github_api`` exists so tests can point it at a local server.

Proxies from the environment are ignored (``trust_env`` is off): the checker connects directly.
The optional ``progress(done, total)`` callback counts input URLs; it is called from worker
threads, one call at a time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from .checker import Checker
from .options import RemoteOptions, Result

__all__ = ["RemoteOptions", "Result", "check_urls"]


def check_urls(
    urls: Iterable[str],
    options: RemoteOptions,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Result]:
    """Check every URL; returns ``{input url: Result}`` in first-seen order (duplicates collapse).

    Raises ValueError for a malformed ``allow_networks`` entry or ``exclude`` pattern.
    """
    return Checker(options, progress).run(urls)
