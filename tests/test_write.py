"""Writing generated files: atomic, the mode kept, and the SHA-1 of exactly the bytes written."""

from __future__ import annotations

import hashlib
import os

from awesome_prune.write import CHUNK, create_new, write_atomic, write_outputs


def test_text_is_written_in_chunks_as_one_utf8_encoding_and_its_sha1_returned(tmp_path):
    # multi-byte characters on both sides of every chunk boundary
    text = ("é" * (CHUNK - 1) + "日本\n") * 3 + "tail ✓"
    target = tmp_path / "out" / "page.md"
    digest = write_atomic(target, text)
    data = target.read_bytes()
    assert data == text.encode("utf-8")
    assert digest == hashlib.sha1(data).hexdigest()
    assert target.stat().st_mode & 0o777 == 0o644
    assert [p.name for p in target.parent.iterdir()] == ["page.md"]  # no temporary file left


def test_bytes_and_the_existing_mode(tmp_path):
    target = tmp_path / "data.bin"
    target.write_bytes(b"old")
    os.chmod(target, 0o600)
    assert write_atomic(target, b"\x00new") == hashlib.sha1(b"\x00new").hexdigest()
    assert target.read_bytes() == b"\x00new" and target.stat().st_mode & 0o777 == 0o600


def test_write_outputs_writes_what_changed_and_gives_the_digests_of_what_it_wrote(tmp_path):
    (tmp_path / "same.md").write_text("kept\n", encoding="utf-8")
    digests: dict[str, str] = {}
    written = write_outputs(tmp_path, {"same.md": "kept\n", "new/one.md": "fresh ✓\n"}, digests)
    assert written == ["new/one.md"]
    assert digests == {"new/one.md": hashlib.sha1("fresh ✓\n".encode()).hexdigest()}


def test_create_new_never_replaces_a_file(tmp_path):
    target = tmp_path / "papers" / "x.yaml"
    assert create_new(target, "id: x\n") is True
    assert target.read_text(encoding="utf-8") == "id: x\n" and target.stat().st_mode & 0o777 == 0o644
    assert create_new(target, "id: other\n") is False
    assert target.read_text(encoding="utf-8") == "id: x\n"
    assert [p.name for p in target.parent.iterdir()] == ["x.yaml"]


# --- outputs never written through a link (issue 11 §1) ---------------------------------------


def test_outputs_are_never_written_through_a_symbolic_link(tmp_path):
    import pytest

    from awesome_prune.errors import SettingsError

    outside = tmp_path / "outside"
    outside.mkdir()
    root = tmp_path / "list"
    root.mkdir()
    (root / "data").symlink_to(outside)
    with pytest.raises(SettingsError) as caught:
        write_outputs(root, {"README.md": "x\n", "data/papers.json": "[]\n"})
    assert str(caught.value) == "data:1:1: is a symbolic link, where the build writes data/papers.json; remove it"
    assert list(outside.iterdir()) == [] and not (root / "README.md").exists()


# --- temporary files and sweeps (issue 11 §3) ------------------------------------------------


def test_a_sweep_removes_only_abandoned_temporary_files(tmp_path):
    import fcntl

    from awesome_prune.write import sweep_temporaries

    (tmp_path / "sub").mkdir()
    abandoned = [tmp_path / ".README.md.abcd_123.tmp", tmp_path / "sub" / ".x.md.zzzzzzzz.tmp"]
    for file in abandoned:
        file.write_text("half")
    kept = {"README.md": "x", ".README.md.tmp": "x", ".x.abcdefg.tmp": "x", "x.abcdefgh.tmp": "x"}
    for name, text in kept.items():
        (tmp_path / name).write_text(text)
    held = tmp_path / ".data.json.12345678.tmp"
    held.write_text("being written")
    outside = tmp_path.parent / f"{tmp_path.name}-outside"
    outside.mkdir()
    (outside / ".victim.md.abcdefgh.tmp").write_text("not mine")
    (tmp_path / "linked").symlink_to(outside)
    (tmp_path / ".link.md.abcdefgh.tmp").symlink_to(outside / ".victim.md.abcdefgh.tmp")
    with open(held, "rb") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        assert sweep_temporaries(tmp_path, ["", "sub", "linked"]) == 2
    assert not any(file.exists() for file in abandoned)
    assert all((tmp_path / name).read_text() == text for name, text in kept.items()) and held.exists()
    assert (outside / ".victim.md.abcdefgh.tmp").read_text() == "not mine"
    assert (tmp_path / ".link.md.abcdefgh.tmp").is_symlink()


def test_writes_survive_sweeps_running_at_the_same_time(tmp_path):
    """A writer locks its temporary file until it is renamed: a sweep in another thread (or
    process) never takes it away. Without that lock this fails within a few hundred writes."""
    import threading

    from awesome_prune.write import sweep_temporaries

    stop, errors, sweeps = threading.Event(), [], [0]

    def sweep() -> None:
        for _ in range(200_000):  # bounded; stopped when the writes are done
            if stop.is_set():
                return
            sweeps[0] += 1
            sweep_temporaries(tmp_path)

    sweeper = threading.Thread(target=sweep, daemon=True)
    sweeper.start()
    try:
        for round_ in range(1000):
            try:
                write_atomic(tmp_path / "page.md", f"round {round_}\n" * 50)
            except OSError as exc:
                errors.append(exc)
    finally:
        stop.set()
        sweeper.join(timeout=60)
    assert errors == [] and sweeps[0] > 0
    assert (tmp_path / "page.md").read_text() == "round 999\n" * 50
    assert [p.name for p in tmp_path.iterdir()] == ["page.md"]
