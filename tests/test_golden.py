"""The fixture list renders exactly to its golden tree (regenerate with `make golden`)."""

import pytest

from tests.golden import HERE, LISTS, render


@pytest.mark.parametrize("name", LISTS)
def test_outputs_match_golden_tree(name):
    outputs = render(name)
    golden = HERE / "golden" / name
    on_disk = {p.relative_to(golden).as_posix() for p in golden.rglob("*") if p.is_file()}
    assert sorted(outputs) == sorted(on_disk), "outputs differ from the golden file list; run `make golden`"
    for path, content in outputs.items():
        expected = (golden / path).read_bytes()
        actual = content if isinstance(content, bytes) else content.encode("utf-8")
        assert actual == expected, f"{path} differs from tests/golden/{name}/{path}; run `make golden` and review"


def test_two_renders_are_byte_identical():
    assert render("list") == render("list")
