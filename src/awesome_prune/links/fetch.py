"""The work: one :class:`Fetch` per unique URL without fragment, its :class:`Outcome`, and the
small URL and HTTP helpers the steps use (status phrases, origins, redirect chains, Retry-After)."""

from __future__ import annotations

import email.utils
import http
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import requests

from .options import DEFAULT_PORT, Status

__all__ = ["Fetch", "Outcome", "host_key", "origin", "phrase", "retry_after", "short_chain", "split_fragment"]


@dataclass
class Outcome:
    status: Status
    code: int | None
    detail: str
    final_url: str | None = None
    html: bool = False
    ids: set[str] | None = None  # wanted ids found in the page (when a body was read)
    complete: bool = False  # the whole page was read
    read_error: str | None = None  # why the page could not be read for fragments
    fragment_source: str | None = None  # fragment given by a redirect's Location
    note: str | None = None  # a remark for inputs with fragments (GitHub API path)


@dataclass
class Fetch:
    key: str
    inputs: list[str] = field(default_factory=list)
    fragments: set[str] = field(default_factory=set)  # decoded fragments to verify
    url: str = ""
    chain: list[str] = field(default_factory=list)
    attempt: int = 0
    redirect_fragment: str | None = None
    api: bool = False  # the current request is the GitHub API confirmation
    api_why: str = ""
    outcome: Outcome | None = None
    cookies: requests.cookies.RequestsCookieJar | None = None  # this fetch's own cookies
    last_code: int | None = None


def phrase(code: int) -> str:
    try:
        return f"{code} {http.HTTPStatus(code).phrase}"
    except ValueError:
        return {999: "999 Request Denied"}.get(code, str(code))


def split_fragment(url: str) -> tuple[str, str | None]:
    base, sep, frag = url.partition("#")
    return base, (frag if sep else None)


def origin(url: str) -> tuple[str, str, int] | None:
    try:
        p = urlsplit(url)
        scheme = p.scheme.lower()
        return scheme, (p.hostname or "").lower(), p.port or DEFAULT_PORT.get(scheme, 0)
    except ValueError:
        return None


def host_key(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def short_chain(chain: list[str], limit: int = 6) -> str:
    parts: list[str] = []
    prev: tuple[str, str, int] | None = None
    for url in chain:
        o = origin(url)
        if o is not None and o == prev:
            p = urlsplit(url)
            parts.append(p.path + (f"?{p.query}" if p.query else "") or "/")
        else:
            parts.append(url)
        prev = o
    if len(parts) > limit:
        parts = parts[: limit - 2] + ["…", parts[-1]]
    return " → ".join(parts)


def retry_after(value: str | None, now_wall: float) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, when.timestamp() - now_wall)
