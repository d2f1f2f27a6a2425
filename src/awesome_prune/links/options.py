"""What a run of the external checker is given (:class:`RemoteOptions`) and what it returns
(:class:`Result`), with the constants they default to."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

__all__ = [
    "DEFAULT_PORT",
    "DEFAULT_USER_AGENT",
    "FRAGMENT_CAP",
    "GITHUB_API",
    "GITHUB_RESERVED",
    "GITHUB_WEB_HOSTS",
    "READ_CHUNK",
    "RemoteOptions",
    "Result",
    "Status",
]


Status = Literal["ok", "broken", "unverifiable"]

GITHUB_API = "https://api.github.com"
#: Host names whose 429 may be answered through the GitHub API.
GITHUB_WEB_HOSTS = frozenset({"github.com", "www.github.com"})
#: First path segments of github.com that are not user or organisation names.
GITHUB_RESERVED = frozenset(
    "about account apps blog collections contact customer-stories enterprise events explore "
    "features issues login logout marketplace new notifications orgs organizations pricing "
    "pulls search security settings site sponsors topics trending users".split()
)
FRAGMENT_CAP = 2 * 1024 * 1024
DEFAULT_USER_AGENT = "Mozilla/5.0 (compatible; awesome-prune-linkcheck/0.1)"
DEFAULT_PORT = {"http": 80, "https": 443}
READ_CHUNK = 64 * 1024


@dataclass
class RemoteOptions:
    """Settings of one run; the defaults suit a public README of a few thousand links."""

    timeout: float = 10.0  # connect timeout and timeout between bytes; overall 2x per request
    workers: int = 24
    per_host: int = 4  # concurrent requests to one host name
    min_gap: float = 0.0  # seconds between request starts to one host
    max_redirects: int = 10
    retries: int = 3  # retries after the first attempt (408, 429, 5xx, timeouts, resets)
    backoff: float = 0.5  # first retry delay; doubles each time, with jitter
    max_retry_after: float = 30.0  # cap for Retry-After and for the backoff
    accept: frozenset[int] = frozenset(range(200, 300))
    exclude: tuple[str, ...] = ()  # regexes (re.search on the input URL): 'ok', 'excluded'
    user_agent: str = DEFAULT_USER_AGENT
    allow_networks: tuple[str, ...] = ()  # CIDRs exempt from the netguard refusal
    cache_path: Path | None = None  # e.g. Path('.cache/links.json'); None: no cache
    cache_max_age: float = 86400 * 7
    github_token: str | None = None
    github_api: str = GITHUB_API  # test-only override of the GitHub API origin
    ca_bundle: str | None = None  # a CA bundle to trust instead of the default (tests)
    fragment_cap: int = FRAGMENT_CAP  # bytes of HTML read at most to find fragments


@dataclass(frozen=True)
class Result:
    url: str
    status: Status
    code: int | None
    detail: str
    final_url: str | None
