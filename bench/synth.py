"""Synthetic lists of N papers for benchmarks: realistic records over the repository's taxonomy."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
WORDS = ("sparse pruning large language model structured calibration outlier layer head channel "
         "retraining free efficient second order magnitude activation token budget mask").split()
VENUES = [("conference", "ICML"), ("conference", "NeurIPS"), ("submission", "ICLR"), ("journal", "TMLR"),
          ("workshop", "ENLSP"), ("preprint", None)]


def record(i: int, rng: random.Random, taxonomy: dict) -> str:
    title = " ".join(rng.choice(WORDS).capitalize() for _ in range(rng.randint(5, 10))) + f" {i}"
    status, name = rng.choice(VENUES)
    year = rng.randint(2019, 2026)
    venue = f"{{status: {status}, name: {name}, year: {year}}}" if name else f"{{status: {status}, year: {year}}}"
    lines = [f"id: paper-{i}", f"title: \"{title}\"", f"paper: https://arxiv.org/abs/{year % 100:02d}{1 + i // 99999 % 12:02d}.{i % 99999:05d}",
             f"venue: {venue}"]
    if rng.random() < 0.7:
        lines.append(f"code: {{url: https://github.com/lab{i % 97}/repo-{i}, framework: PyTorch}}")
    lines += ["takeaway: >-", f"  {' '.join(rng.choice(WORDS) for _ in range(30))}.",
              f"  See [the baseline](https://arxiv.org/abs/2301.{i % 9999:05d}) for *context*.", "tags:"]
    for category in taxonomy["categories"]:
        values = rng.sample([v["name"] for v in category["values"]], k=min(len(category["values"]), rng.randint(1, 2)))
        lines.append(f"  {category['key']}: [{', '.join(values)}]")
    lines += ["notes:", "  challenges:", f"    - {' '.join(rng.choice(WORDS) for _ in range(14))}.",
              f"    - {' '.join(rng.choice(WORDS) for _ in range(10))}."]
    if rng.random() < 0.5:
        lines.append(f"  reviews: https://openreview.net/forum?id=R{i:09d}")
    lines.append(f"added: 20{rng.randint(20, 25)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}")  # the past
    return "\n".join(lines) + "\n"


def make_list(root: Path, n: int, seed: int = 7) -> Path:
    """Write a list of `n` synthetic papers under `root` (replacing it) and return `root`."""
    import yaml

    shutil.rmtree(root, ignore_errors=True)
    (root / "papers").mkdir(parents=True)
    (root / "concepts").mkdir()
    (root / "challenge").mkdir()
    shutil.copy(REPO / "concepts" / "taxonomy.yaml", root / "concepts" / "taxonomy.yaml")
    shutil.copy(REPO / "challenge" / "general.md", root / "challenge" / "general.md")
    project = (REPO / "pyproject.toml").read_text()
    settings = project[project.index("[tool.awesome-prune]"):]
    (root / "pyproject.toml").write_text(settings.replace("[tool.awesome-prune]",
                                                          f"[tool.awesome-prune]\ntemplates = \"{REPO / 'templates'}\"", 1))
    taxonomy = yaml.safe_load((root / "concepts" / "taxonomy.yaml").read_text())
    rng = random.Random(seed)
    for i in range(n):
        (root / "papers" / f"paper-{i}.yaml").write_text(record(i, rng, taxonomy))
    return root
