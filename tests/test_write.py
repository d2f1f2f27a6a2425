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
