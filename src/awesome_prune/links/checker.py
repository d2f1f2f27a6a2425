"""The run: URLs → fetches (cache, exclusions, invalid URLs first), a pool of workers sharing the
per-host scheduler, each with its own Session and pinned adapter, then one Result per input URL."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable
from urllib.parse import unquote, urlsplit

import requests

from . import netguard, watchdog
from .cache import LinkCache
from .fetch import Fetch, Outcome, host_key, origin, split_fragment
from .fragments import fragment_found, trivial_fragment
from .options import RemoteOptions, Result, Status
from .pinned import PinnedAdapter
from .request import Requests
from .schedule import Host, Scheduler

__all__ = ["Checker"]


class Checker(Requests):
    def __init__(self, options: RemoteOptions, progress: Callable[[int, int], None] | None):
        self.o = options
        self.allow = netguard.parse_networks(options.allow_networks)
        self.exclude = [re.compile(p) for p in options.exclude]
        self.progress = progress
        self.sched = Scheduler(options.per_host, options.min_gap)
        self._dns: dict[tuple[str, int], list[netguard.IPAddress] | str] = {}
        self._dns_lock = threading.Lock()
        self._progress_lock = threading.Lock()
        self.done = 0
        self.total = 0
        self._error: BaseException | None = None
        self.results: dict[str, Result] = {}
        self.cache = (
            LinkCache(options.cache_path, options.cache_max_age) if options.cache_path else None
        )
        self.api_origin = origin(options.github_api)
        self.verify: bool | str = options.ca_bundle or True
        self.headers = {
            "User-Agent": options.user_agent,
            "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
            "Accept-Language": "en",
            "Accept-Encoding": "gzip, deflate",
        }

    # ---- bookkeeping

    def _report(self, n: int) -> None:
        if n <= 0:
            return
        with self._progress_lock:
            self.done += n
            if self.progress is not None:
                self.progress(self.done, self.total)

    def _resolve(self, host: str, port: int) -> list[netguard.IPAddress] | str:
        """The checked addresses of ``host``, or the detail of why it cannot be used.

        Resolved once per run (a DNS failure is never retried); the connection then goes to
        one of these addresses, so a later answer from DNS cannot change where it goes.
        """
        key = (host, port)
        with self._dns_lock:
            hit = self._dns.get(key)
        if hit is None:
            try:
                hit = netguard.check_host(host, port, self.allow)
            except netguard.Refused as exc:
                hit = f"refused: {exc.reason}"
            except netguard.ResolveError as exc:
                hit = f"DNS: cannot resolve {host} ({exc.message})"
            with self._dns_lock:
                self._dns[key] = hit
        return hit

    # ---- the run

    def run(self, urls: Iterable[str]) -> dict[str, Result]:
        fetches: dict[str, Fetch] = {}
        order = list(dict.fromkeys(urls))
        self.total = len(order)
        pre = 0
        for url in order:
            if any(p.search(url) for p in self.exclude):
                self.results[url] = Result(url, "ok", None, "excluded", None)
                pre += 1
                continue
            base, frag = split_fragment(url)
            problem = self._invalid(base)
            if problem:
                self.results[url] = Result(url, "broken", None, problem, None)
                pre += 1
                continue
            if self.cache is not None:
                entry = self.cache.get(url)
                if entry is not None:
                    self.results[url] = Result(
                        url, "ok", entry.code, f"{entry.detail} (cached)", entry.final_url
                    )
                    pre += 1
                    continue
            f = fetches.get(base)
            if f is None:
                f = fetches[base] = Fetch(key=base, url=base, chain=[base])
            f.inputs.append(url)
            if frag is not None:
                f.fragments.add(unquote(frag))
        with self._progress_lock:
            self.done = pre
            if self.progress is not None:
                self.progress(self.done, self.total)
        try:
            if fetches:
                self._run_fetches(list(fetches.values()))
        finally:
            if self.cache is not None:
                self.cache.save()  # also after an interrupt: keep what was confirmed
        return {url: self.results[url] for url in order}

    def _invalid(self, url: str) -> str | None:
        try:
            p = urlsplit(url)
            scheme = p.scheme.lower()
            if scheme not in ("http", "https"):
                return f"unsupported scheme {scheme + ':' if scheme else '(none)'}"
            if not p.hostname:
                return "no host in URL"
            _ = p.port
        except ValueError as exc:
            return f"invalid URL: {exc}"
        return None

    def _run_fetches(self, fetches: list[Fetch]) -> None:
        self.dog = watchdog.acquire()
        try:
            for f in fetches:
                self.sched.submit(host_key(f.url), f)
            n = max(1, min(self.o.workers, len(fetches)))
            threads = [
                threading.Thread(target=self._worker, name=f"linkcheck-{i}", daemon=True)
                for i in range(n)
            ]
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
            watchdog.release()

    def _worker(self) -> None:
        # One Session per worker: it owns the pinned adapter and so the worker's pooled
        # keep-alive connections. Proxies and .netrc from the environment are ignored.
        session = requests.Session()
        session.trust_env = False
        session.proxies = {}
        session.headers.clear()
        session.verify = self.verify
        adapter = PinnedAdapter()
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        prev: Host | None = None
        then: tuple[str, Fetch, float] | None = None
        finished = False
        try:
            while True:
                item = self.sched.next(prev, then, finished)
                if item is None:
                    return
                prev, f = item
                try:
                    then = self._step(session, adapter, f)
                except Exception as exc:  # a bug must not hang the run
                    f.outcome = Outcome("unverifiable", None, f"internal error: {exc!r}")
                    then = None
                finished = then is None
                if finished:
                    self._complete(f)  # may raise from the progress callback
        except BaseException as exc:  # stop the run; check_urls re-raises it
            with self._progress_lock:
                if self._error is None:
                    self._error = exc
            self.sched.close()
        finally:
            session.close()


    # ---- per-input results

    def _complete(self, f: Fetch) -> None:
        out = f.outcome or Outcome("unverifiable", None, "no outcome")
        for url in f.inputs:
            _, raw_frag = split_fragment(url)
            frag = out.fragment_source if out.fragment_source is not None else (
                unquote(raw_frag) if raw_frag is not None else None
            )
            res = self._input_result(url, frag, out)
            self.results[url] = res
            if res.status == "ok" and self.cache is not None:
                self.cache.put(url, res.code, res.detail, res.final_url)
        self._report(len(f.inputs))

    def _input_result(self, url: str, frag: str | None, out: Outcome) -> Result:
        def result(status: Status, detail: str) -> Result:
            return Result(url, status, out.code, detail, out.final_url)

        if out.status != "ok" or frag is None or trivial_fragment(frag, out.final_url or url):
            return result(out.status, out.detail)
        shown = f"#{frag}"
        if out.note is not None:  # GitHub API path: the page itself was not seen
            return result("unverifiable", f"{out.detail}; {shown} not checked")
        if not out.html:
            return result("ok", f"{out.detail}; {shown} not checked (not HTML)")
        if fragment_found(frag, out.ids or set()):
            return result("ok", f"{out.detail}; {shown} found")
        if out.complete:
            return result("broken", f"{out.detail} but fragment {shown} not found")
        why = out.read_error or "page not fully read"
        return result("unverifiable", f"{out.detail}; fragment {shown}: {why}")
