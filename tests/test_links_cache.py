"""Unit tests of the link-check result cache (no network at all)."""

from __future__ import annotations

import json
import os

import pytest

from awesome_prune.links.cache import FORMAT_VERSION, LinkCache


class Clock:
    def __init__(self, t: float = 1_000_000.0):
        self.t = t

    def __call__(self) -> float:
        return self.t


def test_roundtrip_through_the_file(tmp_path):
    path = tmp_path / "sub" / "links.json"
    clock = Clock()
    cache = LinkCache(path, max_age=100, now=clock)
    cache.put("https://a.test/x", 200, "200 OK", "https://a.test/x")
    cache.put("https://a.test/y#frag", 200, "200 OK; #frag found", None)
    assert cache.save() is True
    assert cache.save() is False  # nothing changed since
    data = json.loads(path.read_text())
    assert data["version"] == FORMAT_VERSION
    assert set(data["entries"]) == {"https://a.test/x", "https://a.test/y#frag"}

    again = LinkCache(path, max_age=100, now=clock)
    entry = again.get("https://a.test/x")
    assert entry is not None and entry.code == 200 and entry.final_url == "https://a.test/x"
    assert "https://a.test/y#frag" in again
    assert again.get("https://a.test/other") is None


def test_entries_expire(tmp_path):
    path = tmp_path / "links.json"
    clock = Clock()
    cache = LinkCache(path, max_age=60, now=clock)
    cache.put("https://a.test/", 200, "200 OK", None)
    clock.t += 30
    cache.put("https://b.test/", 200, "200 OK", None)
    cache.save()
    clock.t += 45  # a is 75 s old, b 45 s
    reloaded = LinkCache(path, max_age=60, now=clock)
    assert reloaded.get("https://a.test/") is None
    assert reloaded.get("https://b.test/") is not None
    clock.t += 20
    assert reloaded.get("https://b.test/") is None  # expires while loaded too
    reloaded.save()
    assert json.loads(path.read_text())["entries"] == {}


def test_entries_from_the_future_are_not_trusted(tmp_path):
    path = tmp_path / "links.json"
    entry = {"checked": 2_000_000.0, "code": 200, "detail": "200 OK", "final_url": None}
    path.write_text(json.dumps({"version": FORMAT_VERSION, "entries": {"https://a.test/": entry}}))
    assert LinkCache(path, max_age=10**9, now=Clock()).get("https://a.test/") is None


@pytest.mark.parametrize(
    "content",
    [
        "",
        "not json",
        "[]",
        json.dumps({"version": 999, "entries": {}}),
        json.dumps({"version": FORMAT_VERSION, "entries": []}),
        json.dumps({"version": FORMAT_VERSION, "entries": {"u": {"checked": "yesterday"}}}),
        json.dumps({"version": FORMAT_VERSION, "entries": {"u": {"checked": 1, "code": "200"}}}),
        b"\xff\xfe\x00garbage",
    ],
)
def test_a_bad_file_is_an_empty_cache(tmp_path, content):
    path = tmp_path / "links.json"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    cache = LinkCache(path, now=Clock())
    assert len(cache) == 0
    cache.put("https://a.test/", 200, "200 OK", None)
    assert cache.save()
    assert "https://a.test/" in LinkCache(path, now=Clock())


def test_missing_file_and_no_path(tmp_path):
    assert len(LinkCache(tmp_path / "absent.json")) == 0
    nopath = LinkCache(None)
    nopath.put("https://a.test/", 200, "200 OK", None)
    assert nopath.get("https://a.test/") is not None
    assert nopath.save() is False


def test_save_is_atomic_and_leaves_no_temporary_files(tmp_path):
    path = tmp_path / "links.json"
    path.write_text("old content that is not a cache")
    cache = LinkCache(path, now=Clock())
    for i in range(50):
        cache.put(f"https://a.test/{i}", 200, "200 OK", None)
    inode_before = os.stat(path).st_ino
    cache.save()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["links.json"]
    assert os.stat(path).st_ino != inode_before  # replaced, not rewritten in place
    assert len(json.loads(path.read_text())["entries"]) == 50


def test_failed_write_keeps_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "links.json"
    cache = LinkCache(path, now=Clock())
    cache.put("https://a.test/", 200, "200 OK", None)
    cache.save()
    before = path.read_text()

    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    cache.put("https://b.test/", 200, "200 OK", None)
    with pytest.raises(OSError):
        cache.save()
    assert path.read_text() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["links.json"]


def test_discard(tmp_path):
    cache = LinkCache(tmp_path / "c.json", now=Clock())
    cache.put("https://a.test/", 200, "200 OK", None)
    cache.discard("https://a.test/")
    assert cache.get("https://a.test/") is None
