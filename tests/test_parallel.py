"""Two cores, same results: `parallel` gives what the sequential code gives, in the same order,
also when its child fails; the catalog and the build are the same with and without it."""

from __future__ import annotations

import os
import random
import threading
import time

import pytest
import yaml

from awesome_prune import catalog as catalog_module
from awesome_prune import records as records_module
from awesome_prune import parallel
from awesome_prune.build import render_catalog
from awesome_prune.catalog import load_catalog
from awesome_prune.digest import digest_list
from awesome_prune.errors import ProblemsError

from .conftest import synth

pytestmark = pytest.mark.skipif(not parallel.can_fork(), reason="needs fork and two CPUs")
PARENT = os.getpid()


def square(n: int) -> int:
    return n * n


def test_ordered_map_gives_every_result_in_order():
    items = list(range(1000))
    for chunk in (1, 7, 64, 5000):
        with parallel.ordered_map(square, items, chunk=chunk, min_items=1) as results:
            assert list(results) == [n * n for n in items]


def test_ordered_map_shares_the_work_with_the_child():
    def where(n: int) -> int:
        time.sleep(0.001)  # long enough for the child to start before this process is through
        return os.getpid()

    with parallel.ordered_map(where, list(range(1000)), chunk=10, min_items=1) as results:
        pids = list(results)
    assert PARENT in pids and len(set(pids)) == 2
    # each side's chunks are contiguous: this process's from the front, the child's to the end
    assert pids == sorted(pids, key=lambda pid: pid != PARENT)


@pytest.mark.parametrize("seed", range(20))
def test_claims_give_every_chunk_to_exactly_one_side(seed):
    rng = random.Random(seed)
    count = rng.randint(0, 50)
    claims = parallel._Claims(count)
    front, back = [], []
    while True:
        from_front = rng.random() < 0.5
        index = claims.take_front() if from_front else claims.take_back()
        if index is None:  # the two sides met
            break
        (front if from_front else back).append(index)
    assert claims.take_front() is None and claims.take_back() is None
    assert sorted(front + back) == list(range(count))
    assert front == list(range(len(front))) and claims.front == len(front)


def test_a_failing_child_is_made_up_for():
    def flaky(n: int) -> int:
        if os.getpid() != PARENT and n > 600:
            raise RuntimeError("child only")
        return n + 1

    with parallel.ordered_map(flaky, list(range(1000)), min_items=1, chunk=10) as results:
        assert list(results) == list(range(1, 1001))


def test_an_error_is_raised_as_the_sequential_code_raises_it():
    def fails_at(n: int) -> int:
        if n == 900:
            raise ValueError(f"item {n}")
        return n

    with pytest.raises(ValueError, match="item 900"):
        with parallel.ordered_map(fails_at, list(range(1000)), min_items=1) as results:
            list(results)


def test_stopping_early_ends_the_child():
    with parallel.ordered_map(square, list(range(5000)), min_items=1) as results:
        assert next(iter(results)) == 0  # the child is killed and reaped on leaving


def test_in_child_result_and_fallback():
    with parallel.in_child(lambda: {"a": "x" * 100_000}) as result:
        assert result() == {"a": "x" * 100_000}

    def child_dies():
        if os.getpid() != PARENT:
            os._exit(3)
        return 42

    with parallel.in_child(child_dies) as result:
        assert result() == 42


def test_no_fork_while_a_thread_runs():
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert not parallel.can_fork()
    finally:
        stop.set()
        thread.join()
    assert parallel.can_fork()


@pytest.fixture(scope="module")
def big_list(tmp_path_factory):
    """A synthetic list large enough for the catalog to read it on two cores."""
    return synth().make_list(tmp_path_factory.mktemp("big") / "list", parallel.MIN_ITEMS + 150, seed=11)


def sequential(monkeypatch):
    monkeypatch.setenv(parallel.ENV, "1")


def test_catalog_and_outputs_are_the_same_on_two_cores(big_list, monkeypatch):
    together = load_catalog(big_list)
    digested = digest_list(big_list, keep_records=True)
    sequential(monkeypatch)
    alone = load_catalog(big_list)
    assert together.records == alone.records
    assert [s.path for _, s in together.papers] == [s.path for _, s in alone.papers]
    reference = render_catalog(alone)
    assert render_catalog(together) == reference
    assert digested.outputs() == reference, "the build's path gives the reference outputs"
    assert digested.catalog().records == alone.records
    assert digest_list(big_list).outputs() == reference


def test_problems_are_the_same_on_two_cores(big_list, monkeypatch, tmp_path):
    import shutil

    root = tmp_path / "broken"
    shutil.copytree(big_list, root)
    files = sorted((root / "papers").iterdir())
    rng = random.Random(5)
    for file in rng.sample(files[len(files) // 3:], 12):  # mostly in the child's share
        text = file.read_text()
        file.write_text(rng.choice([text.replace("title:", "titel:"), text + "\ttab: 1\n", "[", text.replace(
            "venue: {", "venue: {stat: x, "), text.replace("id: paper-", "id: Paper_"),
            text.replace("  retrain: [", "  retrain: [Sometimes, ").replace("  type: [", "  typo: [")]))
    files[-1].write_text(files[-2].read_text())  # the same paper twice, across the split
    odd = files[-5]  # an unknown tag value in the child's share
    odd.write_text(odd.read_text().replace("  retrain: [", "  retrain: [Sometimes, "))
    with pytest.raises(ProblemsError) as together:
        load_catalog(root)
    with pytest.raises(ProblemsError) as digested:
        digest_list(root)
    sequential(monkeypatch)
    with pytest.raises(ProblemsError) as alone:
        load_catalog(root)
    assert together.value.problems == alone.value.problems == digested.value.problems
    assert len(together.value.problems) >= 14
    assert any("unknown value 'Sometimes'" in p.message for p in alone.value.problems)


def test_a_record_as_read_is_plain_data_a_child_can_send(big_list):
    file, path = catalog_module.read_inputs(big_list).entries[0]
    [(data, keys, signature)] = records_module.read_records([(file, path)], signatures=True)
    assert data == yaml.safe_load(file.read_text())
    assert keys[2][0][0] == "arXiv" and signature[2] == file.stat().st_size
    assert records_module.read_records([(file, path)])[0] == (data, keys, None)  # no signature unless asked


def test_the_build_stamp_covers_records_read_by_the_child(big_list, tmp_path, capsys):
    import shutil

    from awesome_prune.cli import main

    root = tmp_path / "list"
    shutil.copytree(big_list, root)
    assert main(["--root", str(root), "build", "--no-site"]) == 0
    assert "files generated" in capsys.readouterr().out
    assert main(["--root", str(root), "build", "--no-site"]) == 0
    assert "up to date" in capsys.readouterr().out
    last = sorted((root / "papers").iterdir())[-1]  # read by the child
    last.write_text(last.read_text().replace("title: \"", "title: \"Retitled "))
    assert main(["--root", str(root), "build", "--no-site"]) == 0
    assert "files generated" in capsys.readouterr().out
    assert "Retitled" in (root / "README.md").read_text()
