"""The list's order: newest year first, then the `order` setting (documented in docs/architecture.md).

Its own module so that the build's record workers can work out sort keys without importing the
renderer (and Jinja) before they start.
"""

from __future__ import annotations

from typing import Iterable

from .models import Paper


def sort_key(paper: Paper, order: str) -> tuple:
    """Newest year first; within a year by `order` (added date, title or id), ties broken by id."""
    if order == "added":
        return -paper.venue.year, paper.added, paper.id
    if order == "title":
        return -paper.venue.year, paper.title.casefold(), paper.id
    if order == "id":
        return -paper.venue.year, paper.id
    raise KeyError(order)


def shown(papers: Iterable[Paper], order: str) -> list[Paper]:
    """The papers the list shows (drafts left out), in list order (see `sort_key`)."""
    return sorted((paper for paper in papers if not paper.draft), key=lambda paper: sort_key(paper, order))
