"""End-to-end tests of the external link checker against real threaded HTTP servers on
127.0.0.2, 127.0.0.3, … (no mocking of requests). Every byte stays on loopback: a loopback
guard (audit hook) fails any test that would connect elsewhere or look up a real name, and
host names used here go through a fake resolver. Each run is bounded by small timeouts and a
thread join; nothing asserts that something was fast."""

from __future__ import annotations

import collections
import email.utils
import ipaddress
import json
import re
import shutil
import socket
import sys
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import httpfarm  # noqa: E402
from httpfarm import (  # noqa: E402
    Farm,
    HostServer,
    drip,
    endless,
    html,
    loopback_guard,
    raw,
    redirect,
    reset,
    sequence,
    slow,
    status,
    text,
)

from awesome_prune.links.remote import RemoteOptions, Result, check_urls  # noqa: E402

FAST = dict(timeout=0.5, retries=2, backoff=0.01, max_retry_after=2.0, workers=8)
HANG_GUARD = 30.0


@pytest.fixture(autouse=True)
def _guard():
    with loopback_guard() as violations:
        before = len(violations)
        yield
        assert violations[before:] == [], "traffic would have left loopback"


@pytest.fixture(autouse=True)
def resolver(monkeypatch):
    """A fake DNS: names in ``table`` resolve as given (a list, or a callable returning one);
    IP literals and localhost go to the real resolver (no DNS traffic); anything else fails."""
    real = socket.getaddrinfo
    table: dict[str, object] = {}
    calls: collections.Counter[str] = collections.Counter()

    def getaddrinfo(host, port, family=0, type=0, proto=0, flags=0):
        name = host.decode() if isinstance(host, bytes) else host
        if name is None or name == "localhost" or _literal(name):
            return real(host, port, family, type, proto, flags)
        calls[name] += 1
        entry = table.get(name)
        if entry is None:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        ips = entry() if callable(entry) else entry
        out = []
        for ip in ips:
            if ":" in ip:
                out.append((socket.AF_INET6, socket.SOCK_STREAM, 6, "", (ip, port or 0, 0, 0)))
            else:
                out.append((socket.AF_INET, socket.SOCK_STREAM, 6, "", (ip, port or 0)))
        return out

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return SimpleNamespace(table=table, calls=calls)


def _literal(name: str) -> bool:
    try:
        ipaddress.ip_address(name.strip("[]"))
        return True
    except ValueError:
        return False


@pytest.fixture
def farm():
    with Farm(5, first=2) as f:  # 127.0.0.2 … 127.0.0.6
        yield f


ALLOW = tuple(f"127.0.0.{i}/32" for i in range(2, 7))


def run(urls, progress=None, **kw) -> dict[str, Result]:
    opts = RemoteOptions(**{**FAST, "allow_networks": ALLOW, **kw})
    box: dict[str, object] = {}

    def target():
        try:
            box["r"] = check_urls(urls, opts, progress)
        except BaseException as exc:  # noqa: BLE001
            box["e"] = exc

    t = threading.Thread(target=target, daemon=True)
    t.start()
    t.join(HANG_GUARD)
    assert not t.is_alive(), "check_urls did not return (hang)"
    if "e" in box:
        raise box["e"]  # type: ignore[misc]
    return box["r"]  # type: ignore[return-value]


def one(url, **kw) -> Result:
    return run([url], **kw)[url]


# --- plain outcomes -------------------------------------------------------------------------


def test_200_is_ok_with_one_request(farm):
    a = farm[0]
    url = a.route("/paper", text("hello"))
    r = one(url)
    assert (r.status, r.code, r.detail, r.final_url) == ("ok", 200, "200 OK", url)
    assert a.hits("/paper") == 1
    seen = a.requests[0]
    assert seen.method == "GET"
    assert seen.headers["host"] == f"127.0.0.2:{a.port}"
    assert "authorization" not in seen.headers


def test_404_and_410_are_broken_and_not_retried(farm):
    a = farm[0]
    gone = a.route("/gone", status(410))
    res = run([a.url("/missing"), gone])
    assert res[a.url("/missing")].status == "broken"
    assert res[a.url("/missing")].detail == "404 Not Found"
    assert (res[gone].status, res[gone].code, res[gone].detail) == ("broken", 410, "410 Gone")
    assert a.hits("/missing") == 1 and a.hits("/gone") == 1


def test_bot_walls_are_unverifiable(farm):
    a = farm[0]
    wall = a.route("/wall", status(403))
    linkedin = a.route("/in", status(999))
    res = run([wall, linkedin])
    assert res[wall].status == "unverifiable" and res[wall].code == 403
    assert res[linkedin].status == "unverifiable" and res[linkedin].code == 999
    assert a.hits() == 2


def test_duplicates_collapse_into_one_request(farm):
    a = farm[0]
    url = a.route("/dup", text("x"))
    res = run([url, url, url])
    assert list(res) == [url]
    assert a.hits("/dup") == 1


def test_unsupported_schemes_and_bad_urls_are_broken_without_traffic():
    bad = ["ftp://127.0.0.2/x", "mailto:someone@example.org", "http:///nohost",
           "http://127.0.0.2:99999/"]
    res = run(bad)
    assert all(r.status == "broken" for r in res.values()), res
    assert "unsupported scheme ftp" in res["ftp://127.0.0.2/x"].detail


def test_connection_refused_is_broken(farm):
    probe = socket.socket()
    probe.bind(("127.0.0.2", 0))
    port = probe.getsockname()[1]
    probe.close()  # nothing listens there now
    r = one(f"http://127.0.0.2:{port}/")
    assert (r.status, r.detail) == ("broken", "connection refused")


def test_excluded_urls_are_ok_and_never_requested(farm):
    a = farm[0]
    url = a.route("/skip", text("x"))
    r = one(url, exclude=(r"/skip$",))
    assert (r.status, r.detail, r.code) == ("ok", "excluded", None)
    assert a.hits() == 0


def test_progress_counts_every_input(farm):
    a = farm[0]
    urls = [a.route(f"/p{i}", text("x")) for i in range(5)] + ["ftp://x/"]
    calls = []
    run(urls, progress=lambda done, total: calls.append((done, total)))
    assert calls[0] == (1, 6)  # the invalid URL is decided at once
    assert calls[-1] == (6, 6)
    assert [c[0] for c in calls] == sorted(c[0] for c in calls)


def test_an_error_in_the_progress_callback_is_raised_not_hung(farm):
    a = farm[0]
    urls = [a.route(f"/p{i}", text("x")) for i in range(6)]

    def progress(done, total):
        if done >= 2:
            raise RuntimeError("callback failed")

    with pytest.raises(RuntimeError, match="callback failed"):
        run(urls, progress=progress, workers=2)


# --- redirects ------------------------------------------------------------------------------


def test_301_302_chain_across_hosts(farm):
    a, b = farm[0], farm[1]
    final = b.route("/final", text("here"))
    b.route("/step", redirect("/final", 302))
    a.route("/start", redirect(b.url("/step"), 301))
    r = one(a.url("/start"))
    assert r.status == "ok" and r.code == 200
    assert r.final_url == final
    assert r.detail == "200 OK after 2 redirects"
    assert (a.hits(), b.hits()) == (1, 2)


def test_redirect_loop_is_broken_with_the_chain(farm):
    a = farm[0]
    a.route("/x", redirect("/y"))
    a.route("/y", redirect("/z"))
    a.route("/z", redirect("/x"))
    r = one(a.url("/x"))
    assert r.status == "broken"
    assert r.detail.startswith("redirect loop after 3 hops: ")
    assert "/x → /y → /z → /x" in r.detail
    assert a.hits() == 3


def test_too_many_redirects(farm):
    a = farm[0]
    for i in range(10):
        a.route(f"/r{i}", redirect(f"/r{i + 1}"))
    r = one(a.url("/r0"), max_redirects=3)
    assert r.status == "broken"
    assert r.detail.startswith("too many redirects (more than 3)")
    assert a.hits() == 4


def test_redirect_to_another_scheme_is_broken(farm):
    a = farm[0]
    url = a.route("/ftp", redirect("ftp://127.0.0.2/file"))
    r = one(url)
    assert r.status == "broken" and "unsupported scheme ftp" in r.detail


# --- retries and rate limits ----------------------------------------------------------------


def test_429_with_retry_after_then_200(farm):
    a = farm[0]
    url = a.route("/busy", sequence(status(429, {"Retry-After": "1"}), text("ok")))
    r = one(url)
    assert (r.status, r.code) == ("ok", 200)
    assert a.hits("/busy") == 2


def test_retry_after_as_http_date(farm):
    a = farm[0]
    when = email.utils.formatdate(time.time() + 1, usegmt=True)
    url = a.route("/busy", sequence(status(429, {"Retry-After": when}), text("ok")))
    assert one(url).status == "ok"
    assert a.hits("/busy") == 2


def test_429_pauses_the_whole_host(farm):
    """After a 429 with Retry-After: 1, no worker sends that host anything for a second."""
    a, b = farm[0], farm[1]
    stamps: list[tuple[str, float]] = []
    lock = threading.Lock()

    def stamped(route):
        def inner(h):
            with lock:
                stamps.append((h.path, time.monotonic()))
            route(h)

        return inner

    first = a.route("/first", stamped(sequence(status(429, {"Retry-After": "1"}), text("ok"))))
    others = [a.route(f"/o{i}", stamped(text("ok"))) for i in range(3)]
    elsewhere = b.route("/b", text("ok"))
    res = run([first, *others, elsewhere], per_host=1, workers=4)
    assert all(r.status == "ok" for r in res.values()), res
    t429 = next(t for p, t in stamps if p == "/first")
    later = [t for p, t in stamps if p != "/first"]
    assert len(later) == 3
    assert min(later) - t429 >= 0.9  # held back by the pause (a lower bound, never flaky)


def test_persistent_429_is_unverifiable_after_retries(farm):
    a = farm[0]
    url = a.route("/busy", status(429, {"Retry-After": "0"}))
    r = one(url)
    assert r.status == "unverifiable" and r.code == 429
    assert "after 2 retries" in r.detail
    assert a.hits("/busy") == 3


def test_a_retry_after_beyond_the_cap_is_unverifiable_at_once(farm):
    """A server asking for a longer pause than the run affords (max_retry_after) is not waited
    for, nor asked again: that URL is unverifiable and says what the server asked."""
    a = farm[0]
    url = a.route("/busy", sequence(status(503, {"Retry-After": "3600"}), text("ok")))
    r = one(url, max_retry_after=0.2)
    assert (r.status, r.code) == ("unverifiable", 503)
    assert r.detail == "503 Service Unavailable (asked to retry after 3600 s)"
    assert a.hits("/busy") == 1


@pytest.mark.parametrize("after", ["100000", "date"])
def test_a_long_retry_after_does_not_pause_the_host(farm, monkeypatch, after):
    """Issue 11 §6: a 429 with Retry-After: 100000 (or a date a day ahead) marks that URL
    unverifiable at once; the host is not paused, so its other URLs are not held back."""
    from awesome_prune.links import schedule

    pauses: list[tuple[str, float]] = []
    pause = schedule.Scheduler.pause

    def recorded(self, host, until):
        pauses.append((host, until))
        pause(self, host, until)

    monkeypatch.setattr(schedule.Scheduler, "pause", recorded)
    if after == "date":
        after = email.utils.formatdate(time.time() + 86400, usegmt=True)
    a = farm[0]
    limited = a.route("/limited", status(429, {"Retry-After": after}))
    others = [a.route(f"/o{i}", text("ok")) for i in range(3)]
    res = run([limited, *others], per_host=1, workers=2)
    r = res[limited]
    assert (r.status, r.code) == ("unverifiable", 429)
    assert re.fullmatch(r"429 Too Many Requests \(asked to retry after \d+ s\)", r.detail), r.detail
    if after == "100000":
        assert r.detail.endswith("after 100000 s)")
    assert a.hits("/limited") == 1
    assert all(res[u].status == "ok" for u in others), res
    assert pauses == []  # no worker was held back from 127.0.0.2


@pytest.mark.parametrize("code", [503, 408])
def test_a_passing_503_or_408_is_retried(farm, code):
    a = farm[0]
    url = a.route(f"/flaky{code}", sequence(status(code), text("ok")))
    assert one(url).status == "ok"
    assert a.hits(f"/flaky{code}") == 2


def test_other_5xx_retried_then_unverifiable(farm):
    a = farm[0]
    url = a.route("/err", status(500))
    r = one(url)
    assert (r.status, r.code) == ("unverifiable", 500)
    assert a.hits("/err") == 3


def test_slower_than_the_timeout_is_unverifiable(farm):
    a = farm[0]
    url = a.route("/slow", slow(5.0, text("late")))
    r = one(url, timeout=0.3, retries=1)
    assert r.status == "unverifiable"
    assert "timed out" in r.detail
    assert a.hits("/slow") == 2


def test_connection_reset_is_retried_then_unverifiable(farm):
    a = farm[0]
    url = a.route("/rst", reset())
    r = one(url)
    assert r.status == "unverifiable"
    assert "connection reset" in r.detail
    assert a.hits("/rst") == 3


def test_reset_then_success(farm):
    a = farm[0]
    url = a.route("/rst", sequence(reset(), text("ok")))
    assert one(url).status == "ok"
    assert a.hits("/rst") == 2


def test_an_invalid_http_response_says_so(farm):
    """Issue 11 §6: a server that answers something that is not HTTP is reported as such (not as
    a connection reset), unverifiable at once: asking again would get the same garbage."""
    a = farm[0]
    url = a.route("/garbage", raw(b"garbage\r\n\r\n"))
    r = one(url)
    assert (r.status, r.code) == ("unverifiable", None)
    assert r.detail == "invalid HTTP response: status line 'garbage'"
    assert a.hits("/garbage") == 1


def test_endless_body_is_not_read_for_a_plain_check(farm):
    a = farm[0]
    url = a.route("/stream", endless())
    r = one(url, timeout=2.0)
    assert r.status == "ok" and r.code == 200


def test_endless_body_fragment_search_stops_at_the_cap(farm):
    a = farm[0]
    url = a.route("/stream", endless())
    r = one(url + "#nowhere", timeout=2.0, fragment_cap=256 * 1024)
    assert r.status == "unverifiable"
    assert "not found in the first 256 KiB" in r.detail


def test_endless_body_fragment_found_early(farm):
    a = farm[0]
    url = a.route("/stream", endless(prefix=b'<html><body><h2 id="early">x</h2>'))
    r = one(url + "#early", timeout=2.0)
    assert r.status == "ok" and "#early found" in r.detail


def test_dripping_body_hits_the_overall_deadline(farm):
    a = farm[0]
    url = a.route("/drip", drip(interval=0.05))
    r = one(url + "#x", timeout=0.3, retries=0)
    assert r.status == "unverifiable"
    assert "timed out" in r.detail


# --- fragments ------------------------------------------------------------------------------

PAGE = """<!doctype html><html><body>
<h1 id="intro">Intro</h1>
<a name="old-style"></a>
<h2 id="user-content-results">Results</h2>
<p id="caf%C3%A9-x">enc</p><p id="café">utf8</p>
</body></html>"""


def test_fragments_share_one_request_and_each_is_verified(farm):
    a = farm[0]
    base = a.route("/page", html(PAGE))
    urls = [base + "#intro", base + "#old-style", base + "#results", base + "#missing",
            base + "#caf%C3%A9", base + "#top", base]
    res = run(urls)
    assert a.hits("/page") == 1
    assert res[base + "#intro"].status == "ok"
    assert res[base + "#old-style"].status == "ok"
    assert res[base + "#results"].status == "ok"  # GitHub's user-content- prefix
    assert res[base + "#caf%C3%A9"].status == "ok"  # percent-decoded before matching
    assert res[base + "#top"].status == "ok"
    assert res[base].status == "ok"
    missing = res[base + "#missing"]
    assert missing.status == "broken"
    assert "#missing not found" in missing.detail


def test_fragment_on_a_non_html_resource_is_not_checked(farm):
    a = farm[0]
    url = a.route("/paper.pdf", text(b"%PDF-1.4", headers={"Content-Type": "application/pdf"}))
    r = one(url + "#page=3")
    assert r.status == "ok" and "not checked" in r.detail


def test_fragment_after_redirect_is_checked_on_the_final_page(farm):
    a, b = farm[0], farm[1]
    b.route("/final", html(PAGE))
    a.route("/moved", redirect(b.url("/final"), 301))
    res = run([a.url("/moved#intro"), a.url("/moved#nope")])
    assert res[a.url("/moved#intro")].status == "ok"
    assert res[a.url("/moved#nope")].status == "broken"
    assert a.hits() == 1 and b.hits() == 1


def test_gzip_page_fragments(farm):
    import gzip

    a = farm[0]
    body = gzip.compress(PAGE.encode())
    headers = {"Content-Type": "text/html", "Content-Encoding": "gzip"}
    url = a.route("/gz", text(body, headers=headers))
    res = run([url + "#intro", url + "#absent"])
    assert res[url + "#intro"].status == "ok"
    assert res[url + "#absent"].status == "broken"


# --- scheduling -----------------------------------------------------------------------------


def test_per_host_limit_is_respected(farm):
    a = farm[0]
    active = [0]
    peak = [0]
    lock = threading.Lock()

    def counted(h):
        with lock:
            active[0] += 1
            peak[0] = max(peak[0], active[0])
        try:
            h.stopping.wait(0.1)
            h.send(200, b"ok")
        finally:
            with lock:
                active[0] -= 1

    urls = [a.route(f"/c{i}", counted) for i in range(12)]
    res = run(urls, per_host=3, workers=12)
    assert all(r.status == "ok" for r in res.values())
    assert 1 <= peak[0] <= 3


def test_min_gap_spaces_request_starts(farm, monkeypatch):
    """Each start is stamped where the scheduler lets it go (the server would see it late under
    load): consecutive starts to one host are at least `min_gap` apart, and every request arrives."""
    from awesome_prune.links import schedule

    a = farm[0]
    starts: list[float] = []
    start = schedule.Scheduler._start

    def stamped_start(self, h, now):
        starts.append(now)
        return start(self, h, now)

    monkeypatch.setattr(schedule.Scheduler, "_start", stamped_start)
    seen: list[str] = []

    def ok(h):
        seen.append(h.path)
        h.send(200, b"ok")

    urls = [a.route(f"/g{i}", ok) for i in range(4)]
    results = run(urls, min_gap=0.2, per_host=4, workers=4)
    gaps = [b - a for a, b in zip(starts, starts[1:])]
    assert len(gaps) == 3 and min(gaps) >= 0.2 and sorted(seen) == [f"/g{i}" for i in range(4)]
    assert all(r.code == 200 for r in results.values())


def test_a_busy_host_does_not_hold_workers_idle(farm):
    """Two workers; host A answers slowly with per_host=1. While A's first request is pending,
    the other worker must go on with host B's queue instead of waiting for A's slot."""
    a, b = farm[0], farm[1]
    order: list[str] = []
    lock = threading.Lock()

    def log(name, route):
        def inner(h):
            with lock:
                order.append(name)
            route(h)

        return inner

    slow_urls = [a.route(f"/s{i}", log(f"A{i}", slow(1.5, text("ok")))) for i in range(2)]
    fast_urls = [b.route(f"/f{i}", log(f"B{i}", text("ok"))) for i in range(6)]
    res = run(slow_urls + fast_urls, per_host=1, workers=2, timeout=5.0)
    assert all(r.status == "ok" for r in res.values()), res
    assert order.index("A1") > max(order.index(f"B{i}") for i in range(6)), order


# --- cache ----------------------------------------------------------------------------------


def test_warm_cache_makes_no_request(farm, tmp_path):
    a = farm[0]
    ok_urls = [a.route(f"/c{i}", html(PAGE)) for i in range(3)]
    frag = ok_urls[0] + "#intro"
    bad = a.url("/missing")
    cache = tmp_path / "cache" / "links.json"
    first = run(ok_urls + [frag, bad], cache_path=cache)
    assert [first[u].status for u in ok_urls + [frag]] == ["ok"] * 4
    hits_after_first = a.hits()
    stored = json.loads(cache.read_text())["entries"]
    assert set(stored) == set(ok_urls) | {frag}  # successes only

    second = run(ok_urls + [frag, bad], cache_path=cache)
    assert all(second[u].status == "ok" and second[u].detail.endswith("(cached)") for u in ok_urls)
    assert second[bad].status == "broken"
    assert a.hits() == hits_after_first + 1  # only the broken link was asked again
    assert a.hits("/missing") == 2


def test_expired_cache_is_checked_again(farm, tmp_path):
    a = farm[0]
    url = a.route("/x", text("ok"))
    cache = tmp_path / "links.json"
    run([url], cache_path=cache)
    run([url], cache_path=cache, cache_max_age=0.0)
    assert a.hits("/x") == 2


def test_a_cached_success_is_not_served_when_the_policy_now_refuses_its_host(farm, resolver,
                                                                            tmp_path):
    """Issue 11 §6: successes cached under --allow-network are not `ok (cached)` in a run that
    does not allow those networks: the address policy is checked (DNS included, no request)
    before the cache, for the URL's host and the host it ended on."""
    a, b = farm[0], farm[1]
    resolver.table["cached.test"] = ["127.0.0.2"]
    literal = a.route("/lit", text("ok"))
    named = f"http://cached.test:{a.port}/named"
    a.route("/named", text("ok"))
    hop = a.route("/hop", redirect(b.url("/final")))
    b.route("/final", text("ok"))
    cache = tmp_path / "links.json"
    first = run([literal, named, hop], cache_path=cache)
    assert all(r.status == "ok" for r in first.values()), first
    assert set(json.loads(cache.read_text())["entries"]) == {literal, named, hop}
    hits = (a.hits(), b.hits())

    # The same cache, allowed networks as before: served from the cache, names resolved again.
    warm = run([literal, named, hop], cache_path=cache)
    assert all(r.detail.endswith("(cached)") for r in warm.values()), warm
    assert resolver.calls["cached.test"] == 2
    assert (a.hits(), b.hits()) == hits

    # 127.0.0.2 allowed, 127.0.0.3 (where /hop ends) not: checked again, refused at the hop.
    partly = run([literal, named, hop], cache_path=cache, allow_networks=("127.0.0.2/32",))
    assert partly[literal].detail.endswith("(cached)") and partly[named].detail.endswith("(cached)")
    assert partly[hop].status == "broken"
    assert partly[hop].detail.startswith("refused: 127.0.0.3 is a loopback address (redirect from")
    assert (a.hits(), b.hits()) == (hits[0] + 1, hits[1])

    # Nothing allowed: refused as uncached URLs are, and no request is made.
    refused = run([literal, named, hop], cache_path=cache, allow_networks=())
    assert refused[literal].status == refused[named].status == refused[hop].status == "broken"
    assert refused[literal].detail == "refused: 127.0.0.2 is a loopback address"
    assert refused[named].detail == "refused: cached.test resolves to 127.0.0.2, a loopback address"
    assert (a.hits(), b.hits()) == (hits[0] + 1, hits[1])


# --- GitHub token ---------------------------------------------------------------------------


def _auth_headers(server: HostServer) -> list[str]:
    return [s.headers["authorization"] for s in server.requests if "authorization" in s.headers]


def test_github_token_goes_only_to_the_api(farm, resolver):
    gh, api, other = farm[0], farm[1], farm[2]
    resolver.table["github.com"] = ["127.0.0.2"]
    gh.default = lambda h: h.send(429, b"slow down", {"Retry-After": "0"})
    api.route("/repos/owner/repo", text('{"full_name": "owner/repo"}'))
    api.route("/repos/owner/renamed", redirect("/repositories/42", 301))
    api.route("/repositories/42", text("{}"))
    api.route("/repos/owner/moved", redirect(other.url("/repositories/7"), 301))
    other.route("/repositories/7", text("{}"))
    other.route("/plain", text("ok"))
    urls = [
        f"http://github.com:{gh.port}/owner/repo",
        f"http://github.com:{gh.port}/owner/repo/tree/main#readme",
        f"http://github.com:{gh.port}/owner/renamed",
        f"http://github.com:{gh.port}/owner/moved",
        f"http://github.com:{gh.port}/owner/gone",
        other.url("/plain"),
    ]
    res = run(urls, github_token="s3cret", github_api=api.base)
    assert res[urls[0]].status == "ok" and "repository exists" in res[urls[0]].detail
    assert res[urls[1]].status == "unverifiable"  # repo exists, the fragment cannot be seen
    assert res[urls[2]].status == "ok"
    assert res[urls[3]].status == "ok"
    assert res[urls[4]].status == "broken" and "not found" in res[urls[4]].detail
    assert res[urls[5]].status == "ok"

    assert set(_auth_headers(api)) == {"Bearer s3cret"}
    assert len(_auth_headers(api)) == api.hits()  # every API request carried it …
    assert _auth_headers(gh) == []  # … and nobody else ever saw it,
    assert _auth_headers(other) == []  # not even through an API redirect
    assert other.hits("/repositories/7") == 1
    assert all(s.headers["host"] == f"github.com:{gh.port}" for s in gh.requests)


def test_without_a_token_the_api_is_never_used(farm, resolver):
    gh, api = farm[0], farm[1]
    resolver.table["github.com"] = ["127.0.0.2"]
    gh.default = lambda h: h.send(429, b"slow down", {"Retry-After": "0"})
    url = f"http://github.com:{gh.port}/owner/repo"
    r = one(url, github_api=api.base)
    assert r.status == "unverifiable" and r.code == 429
    assert api.hits() == 0
    assert gh.hits() == 3


# --- the address policy, end to end ---------------------------------------------------------


@pytest.fixture
def refused_servers():
    """Listening servers at refused addresses; they must never see a request."""
    with HostServer("127.0.0.3") as three, HostServer("127.0.0.1") as one_:
        yield three, one_


def test_refusals_with_listening_servers(refused_servers):
    three, lo = refused_servers
    with HostServer("127.0.0.2") as two:
        two.route("/ok", text("ok"))
        bounce = two.route("/bounce", redirect(three.url("/landing")))
        three.route("/landing", text("should never be seen"))
        lo.default = text("should never be seen")
        urls = {
            "literal": three.url("/landing"),
            "localhost": f"http://localhost:{lo.port}/",
            "unspecified": f"http://0.0.0.0:{lo.port}/",
            "mapped": f"http://[::ffff:127.0.0.1]:{lo.port}/",
            "v6 loopback": f"http://[::1]:{lo.port}/",
            "redirect": bounce,
            "allowed": two.url("/ok"),
        }
        res = run(list(urls.values()), allow_networks=("127.0.0.2/32",))
        got = {k: res[u] for k, u in urls.items()}
        assert got["allowed"].status == "ok"
        for key in ("literal", "localhost", "unspecified", "mapped", "v6 loopback", "redirect"):
            assert got[key].status == "broken", (key, got[key])
            assert got[key].detail.startswith("refused: "), (key, got[key])
        assert got["literal"].detail == "refused: 127.0.0.3 is a loopback address"
        assert "localhost resolves to 127.0.0.1, a loopback address" in got["localhost"].detail
        assert "0.0.0.0 is the unspecified address" in got["unspecified"].detail
        assert "IPv4-mapped 127.0.0.1" in got["mapped"].detail
        assert "127.0.0.3 is a loopback address (redirect from" in got["redirect"].detail
        assert two.hits("/bounce") == 1
    assert three.hits() == 0
    assert lo.hits() == 0


def test_nothing_is_allowed_by_default(refused_servers):
    three, _ = refused_servers
    r = run([three.url("/")], allow_networks=())[three.url("/")]
    assert r.status == "broken" and r.detail.startswith("refused: ")
    assert three.hits() == 0


def test_dns_failure_is_broken_and_not_retried(resolver):
    urls = ["http://nxdomain.test/a", "http://nxdomain.test/b"]
    res = run(urls)
    assert all(r.status == "broken" and r.detail.startswith("DNS: ") for r in res.values())
    assert resolver.calls["nxdomain.test"] == 1  # once per run, never retried


def test_connection_goes_to_the_checked_address_not_a_rebound_one(farm, resolver):
    """DNS rebinding: the name first resolves to an allowed address, later to a refused one.
    The checker resolves once, checks, and connects to exactly that address."""
    good = farm[0]  # 127.0.0.2, allowed
    with HostServer("127.0.0.9", port=good.port) as evil:  # same port, refused address
        answers = iter([["127.0.0.2"]] + [["127.0.0.9"]] * 50)
        resolver.table["rebind.test"] = lambda: next(answers)
        good.route("/p", text("good"))
        evil.default = text("evil")
        urls = [f"http://rebind.test:{good.port}/p", f"http://rebind.test:{good.port}/p?again"]
        res = run(urls, allow_networks=("127.0.0.2/32",))
        assert all(r.status == "ok" for r in res.values()), res
        assert resolver.calls["rebind.test"] == 1
        assert evil.hits() == 0
        assert good.hits() == 2
        assert {s.headers["host"] for s in good.requests} == {f"rebind.test:{good.port}"}


def test_next_address_is_tried_when_the_first_refuses_connections(farm, resolver):
    a = farm[0]
    a.route("/p", text("ok"))
    resolver.table["two.test"] = ["127.0.0.7", "127.0.0.2"]  # nothing listens on .7
    r = one(f"http://two.test:{a.port}/p", allow_networks=("127.0.0.2/32", "127.0.0.7/32"))
    assert r.status == "ok"
    assert a.hits("/p") == 1


def test_a_name_with_any_refused_address_is_refused(farm, resolver):
    a = farm[0]
    resolver.table["mixed.test"] = ["127.0.0.2", "127.0.0.10"]
    r = one(f"http://mixed.test:{a.port}/", allow_networks=("127.0.0.2/32",))
    assert r.detail == "refused: mixed.test resolves to 127.0.0.10, a loopback address"
    assert a.hits() == 0


# --- https: pinned address, SNI and certificate checked against the name -------------------


@pytest.fixture(scope="module")
def certs(tmp_path_factory):
    if shutil.which("openssl") is None:
        pytest.skip("openssl CLI not available to make test certificates")
    return httpfarm.make_certs(tmp_path_factory.mktemp("certs"), ["pinned.test"])


def test_https_to_a_pinned_address_verifies_the_name(certs, resolver):
    with HostServer("127.0.0.2", tls=certs.server_context()) as srv:
        srv.route("/secure", html('<h1 id="s">s</h1>'))
        resolver.table["pinned.test"] = ["127.0.0.2"]
        resolver.table["wrong.test"] = ["127.0.0.2"]
        good = f"https://pinned.test:{srv.port}/secure#s"
        wrong = f"https://wrong.test:{srv.port}/secure"
        res = run([good, wrong], ca_bundle=certs.ca, allow_networks=("127.0.0.2/32",))
        assert res[good].status == "ok", res[good]
        assert res[wrong].status == "broken", res[wrong]
        assert res[wrong].detail.startswith("TLS: certificate verify failed")
        assert srv.hits() == 1  # the mismatched name never got a request through
        assert srv.requests[0].headers["host"] == f"pinned.test:{srv.port}"


def test_https_with_an_unknown_ca_is_broken(certs, resolver):
    with HostServer("127.0.0.2", tls=certs.server_context()) as srv:
        resolver.table["pinned.test"] = ["127.0.0.2"]
        url = f"https://pinned.test:{srv.port}/"
        r = one(url, allow_networks=("127.0.0.2/32",))  # default trust store: not our CA
        assert r.status == "broken" and r.detail.startswith("TLS: ")
        assert srv.hits() == 0
