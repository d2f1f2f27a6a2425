"""The options of one `awesome-prune links` run: the `[tool.awesome-prune.links]` settings, then the
command-line flags over them, checked and turned into :class:`~.options.RemoteOptions`.

Every mistake is a :class:`SettingsError` (exit code 2) naming the flag or the setting (with its
line in pyproject.toml when it can be found). Networks to allow (``--allow-network``) come from the
command line only: a pull request can change the settings, so they must not open the checker to
private addresses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import Problem, SettingsError
from ..records.catalog import confined
from ..records.models import LinkSettings
from . import netguard

__all__ = ["LinkFlags", "parse_codes", "remote_options"]

DEFAULT_USER_AGENT = "Mozilla/5.0 (compatible; awesome-prune-linkcheck/0.1)"
GITHUB_API = "https://api.github.com"
FRAGMENT_CAP = 2 * 1024 * 1024


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
    max_retry_after: float = 30.0  # the longest pause a 429/503 gets; cap of the backoff
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


SECTION = "tool.awesome-prune.links"


@dataclass
class LinkFlags:
    """What the command line says; None (or empty) means: take the setting."""

    timeout: float | None = None
    workers: int | None = None
    per_host: int | None = None
    exclude: list[str] = field(default_factory=list)  # added to the settings' patterns
    accept: str | None = None
    user_agent: str | None = None
    allow_networks: list[str] = field(default_factory=list)
    cache: Path | None = None
    no_cache: bool = False
    cache_max_age: float | None = None


def parse_codes(text: str) -> frozenset[int]:
    """`"200-299,403"` → the status codes it names; ValueError when it is not such a list."""
    codes: set[int] = set()
    for part in text.split(","):
        low, _, high = part.strip().partition("-")
        try:
            first, last = int(low), int(high or low)
        except ValueError:
            raise ValueError(f"{text!r} is not a list of status codes or ranges like 200-299,403") from None
        if not 100 <= first <= last <= 999:
            raise ValueError(f"{part.strip()!r} is not a range of status codes (100 to 999, low-high)")
        codes.update(range(first, last + 1))
    return frozenset(codes)


def _line(root: Path, key: str) -> int:
    """Best effort: the line of `key =` in the settings (0 when not found)."""
    from ..records.catalog import key_line

    try:
        text = (root / "pyproject.toml").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return 0
    return key_line(text, key) or key_line(text, "links")


def remote_options(root: Path, settings: LinkSettings, flags: LinkFlags,
                   github_token: str | None = None) -> RemoteOptions:
    """The checker's options; raises SettingsError listing every bad flag or setting."""
    problems: list[Problem] = []

    def flag_problem(name: str, message: str) -> None:
        problems.append(Problem(name, 0, 0, "", message))

    def setting_problem(key: str, message: str) -> None:
        problems.append(Problem("pyproject.toml", _line(root, key), 1, f"{SECTION}.{key}", message))

    for name, value in (("--timeout", flags.timeout), ("--cache-max-age", flags.cache_max_age)):
        if value is not None and not (value > 0 if name == "--timeout" else value >= 0):
            flag_problem(name, f"{value:g} is not a {'positive' if name == '--timeout' else 'non-negative'} "
                               "number of seconds")
    for name, value in (("--workers", flags.workers), ("--per-host", flags.per_host)):
        if value is not None and value < 1:
            flag_problem(name, f"{value} is not a positive number")

    patterns: list[str] = []
    for key, sources in (("exclude", settings.exclude), ("--exclude", flags.exclude)):
        for pattern in sources:
            try:
                re.compile(pattern)
                patterns.append(pattern)
            except re.error as exc:
                message = f"{pattern!r} is not a regular expression: {exc}"
                if key.startswith("-"):
                    flag_problem(key, message)
                else:
                    setting_problem(key, message)

    accept = frozenset()
    try:
        accept = parse_codes(settings.accept)
    except ValueError as exc:
        setting_problem("accept", str(exc))
    if flags.accept is not None:
        try:
            accept = parse_codes(flags.accept)
        except ValueError as exc:
            flag_problem("--accept", str(exc))

    networks: tuple = ()
    for cidr in flags.allow_networks:
        try:
            networks += netguard.parse_networks([cidr])
        except ValueError as exc:
            flag_problem("--allow-network", f"{cidr!r}: {exc}")

    user_agent = flags.user_agent if flags.user_agent is not None else settings.user_agent
    if flags.user_agent is not None and (not flags.user_agent.strip()
                                         or re.search(r"[\x00-\x1f\x7f]", flags.user_agent)):
        flag_problem("--user-agent", "must be one line of text")
    if problems:
        raise SettingsError(problems)

    cache_path = None
    if not flags.no_cache:
        # the setting comes with the list (a pull request may change it): it stays inside the list;
        # --cache is the operator's own choice
        cache_path = flags.cache if flags.cache is not None else confined(root, settings.cache, "links.cache")
    return RemoteOptions(
        timeout=flags.timeout if flags.timeout is not None else settings.timeout,
        workers=flags.workers if flags.workers is not None else settings.workers,
        per_host=flags.per_host if flags.per_host is not None else settings.per_host,
        accept=accept,
        exclude=tuple(patterns),
        user_agent=user_agent or DEFAULT_USER_AGENT,
        allow_networks=tuple(str(net) for net in networks),
        cache_path=cache_path,
        cache_max_age=flags.cache_max_age if flags.cache_max_age is not None else settings.cache_max_age,
        github_token=github_token or None,
    )
