"""The external link checker: is every http(s) URL in the list still there?

``check_urls(urls, options, progress)`` returns one :class:`Result` per input URL: ``ok``,
``broken`` or ``unverifiable``. The :class:`Checker` decides excluded, malformed and cached
URLs at once (a cached success only once this run's address policy allows its hosts), then runs
one :class:`~.fetch.Fetch` per unique URL without fragment on a pool of worker threads fed by
per-host queues. What each outcome covers and how requests are made: docs/link-checker.md.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from urllib.parse import unquote

from . import netguard
from .config import DEFAULT_USER_AGENT, RemoteOptions
from .cache import LinkCache
from .fetch import Fetch, Status, split_fragment
from .fragments import PageIds
from .schedule import Host, Scheduler
from .transport import Transport, Watchdog, where

__all__ = ["DEFAULT_USER_AGENT", "RemoteOptions", "Result", "Status", "check_urls"]

@dataclass(frozen=True)
class Result:
    url: str
    status: Status
    code: int | None
    detail: str
    final_url: str | None


def check_urls(
    urls: Iterable[str],
    options: RemoteOptions,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Result]:
    """Check every URL; returns ``{input url: Result}`` in first-seen order (duplicates collapse).

    Raises ValueError for a malformed ``allow_networks`` entry or ``exclude`` pattern.
    """
    return Checker(options, progress).run(urls)


class Checker:
    """One run: the inputs, the cache, the workers, and a Result per input URL."""

    def __init__(self, options: RemoteOptions, progress: Callable[[int, int], None] | None):
        self.o = options
        self.allow = netguard.parse_networks(options.allow_networks)
        self.exclude = [re.compile(p) for p in options.exclude]
        self.progress = progress
        self.sched = Scheduler(options.per_host, options.min_gap)
        self.cache = LinkCache(options.cache_path, options.cache_max_age) if options.cache_path else None
        try:
            self.api_origin: tuple[str, str, int] | None = where(options.github_api)
        except ValueError:
            self.api_origin = None
        self.headers = {
            "User-Agent": options.user_agent,
            "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
            "Accept-Language": "en",
            "Accept-Encoding": "gzip, deflate",
        }
        self.results: dict[str, Result] = {}
        self._dns: dict[tuple[str, int], list[netguard.IPAddress] | str] = {}
        self._lock = threading.Lock()
        self.done = self.total = 0
        self._error: BaseException | None = None

    def resolve(self, host: str, port: int) -> list[netguard.IPAddress] | str:
        """The checked addresses of ``host``, or the detail of why it cannot be used.

        Resolved once per run (a DNS failure is never retried); the connection then goes to
        one of these addresses, so a later answer from DNS cannot change where it goes.
        """
        with self._lock:
            hit = self._dns.get((host, port))
        if hit is None:
            try:
                hit = netguard.check_host(host, port, self.allow)
            except netguard.Refused as exc:
                hit = f"refused: {exc.reason}"
            except netguard.ResolveError as exc:
                hit = f"DNS: cannot resolve {host.strip('[]')} ({exc.message})"
            with self._lock:
                self._dns[(host, port)] = hit
        return hit

    def _report(self, n: int) -> None:
        with self._lock:
            self.done += n
            if self.progress is not None:
                self.progress(self.done, self.total)

    # ---- the run

    def run(self, urls: Iterable[str]) -> dict[str, Result]:
        order = list(dict.fromkeys(urls))
        self.total = len(order)
        fetches: dict[str, Fetch] = {}
        for url in self._decide_cached([u for u in order if not self._decided(u)]):
            base, frag = split_fragment(url)
            f = fetches.get(base) or fetches.setdefault(base, Fetch(self, base))
            f.inputs.append(url)
            if frag is not None:
                f.fragments.add(unquote(frag))
        self._report(len(self.results))
        try:
            if fetches:
                self._run_fetches(list(fetches.values()))
        finally:
            if self.cache is not None:
                self.cache.save()  # also after an interrupt: keep what was confirmed
        return {url: self.results[url] for url in order}

    def _decided(self, url: str) -> bool:
        """Excluded and malformed URLs: their Result at once."""
        if any(p.search(url) for p in self.exclude):
            self.results[url] = Result(url, "ok", None, "excluded", None)
            return True
        try:
            where(split_fragment(url)[0])
        except ValueError as exc:
            self.results[url] = Result(url, "broken", None, str(exc), None)
            return True
        return False

    def _decide_cached(self, urls: list[str]) -> list[str]:
        """Serve the cached successes whose hosts this run's policy allows; the rest to fetch."""
        entries = {u: e for u in urls if self.cache is not None and (e := self.cache.get(u))}
        places = {u: {p for x in {u, e.final_url or u} if (p := _place(x))}
                  for u, e in entries.items()}
        hosts = set().union(*places.values())
        if hosts:  # in parallel: a warm run of a long list must not wait for DNS one by one
            with ThreadPoolExecutor(max(1, min(self.o.workers, len(hosts)))) as pool:
                list(pool.map(lambda hp: self.resolve(*hp), hosts))
        for url, e in entries.items():
            if not any(isinstance(self.resolve(*hp), str) for hp in places[url]):
                self.results[url] = Result(url, "ok", e.code, f"{e.detail} (cached)", e.final_url)
        return [u for u in urls if u not in self.results]

    def _run_fetches(self, fetches: list[Fetch]) -> None:
        dog = Watchdog()
        try:
            for f in fetches:
                self.sched.submit(f.host, f)
            threads = [threading.Thread(target=self._worker, args=(dog,), name=f"linkcheck-{i}",
                                        daemon=True)
                       for i in range(max(1, min(self.o.workers, len(fetches))))]
            for t in threads:
                t.start()
            try:
                for t in threads:
                    while t.is_alive():
                        t.join(0.5)
            except BaseException:
                self.sched.close()
                raise
            if self._error is not None:
                raise self._error
        finally:
            dog.stop()

    def _worker(self, dog: Watchdog) -> None:
        transport = Transport(dog, self.o.timeout, self.o.ca_bundle)
        prev: Host | None = None
        then: tuple[str, Fetch, float] | None = None
        try:
            while (item := self.sched.next(prev, then)) is not None:
                prev, f = item
                try:
                    at = f.step(transport)
                except Exception as exc:  # a bug must not hang the run
                    f.finish("unverifiable", None, f"internal error: {exc!r}")
                    at = None
                then = None if at is None else (f.host, f, at)
                if at is None:
                    self._complete(f)  # may raise from the progress callback
        except BaseException as exc:  # stop the run; check_urls re-raises it
            with self._lock:
                self._error = self._error or exc
            self.sched.close()
        finally:
            transport.close()

    def _complete(self, f: Fetch) -> None:
        for url in f.inputs:
            raw = split_fragment(url)[1]
            status, detail = PageIds.verdict(f, unquote(raw) if raw is not None else None, url)
            self.results[url] = Result(url, status, f.code, detail, f.final_url)
            if status == "ok" and self.cache is not None:
                self.cache.put(url, f.code, detail, f.final_url)
        self._report(len(f.inputs))


def _place(url: str) -> tuple[str, int] | None:
    """``(host, port)`` of a URL that can be requested, else None."""
    try:
        return where(url)[1:]
    except ValueError:
        return None
