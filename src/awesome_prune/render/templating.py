"""Jinja set-up shared by the markdown pages (`render`) and the static site (`site`): compiled
templates kept between builds, and a template's error as one problem at its file and line."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import jinja2

from ..errors import Problem, ProblemsError


def _template_line(exc: BaseException, templates: Path) -> tuple[str, int] | None:
    """(template file relative to `templates`, line) of the innermost template frame of a Jinja
    error raised while rendering (Jinja rewrites those frames to the template's lines)."""
    found = None
    tb = exc.__traceback__
    while tb is not None:
        try:
            found = (Path(tb.tb_frame.f_code.co_filename).resolve().relative_to(templates).as_posix(),
                     tb.tb_lineno)
        except (ValueError, OSError):
            pass
        tb = tb.tb_next
    return found


@contextmanager
def template_problems(templates: Path, shown: str, what: str) -> Iterator[None]:
    """A Jinja error in a template of the folder `templates` (`shown` in messages: the setting) as
    a one-line problem at the template's line: a syntax error, a missing template, an undefined
    variable."""
    try:
        yield
    except jinja2.TemplateNotFound as exc:
        raise ProblemsError([Problem(f"{shown}/{exc.name}", 0, 0, "",
                                     f"{what} not found; check the `templates` setting")]) from None
    except jinja2.TemplateError as exc:
        folder = templates.resolve()
        name, line = getattr(exc, "filename", None), getattr(exc, "lineno", None) or 0
        if name:  # a syntax error: Jinja names the file and line
            try:
                name = Path(name).resolve().relative_to(folder).as_posix()
            except (ValueError, OSError):
                pass
        else:
            name, line = _template_line(exc, folder) or ("", 0)
        where = shown if not name else name if Path(name).is_absolute() else f"{shown}/{name}"
        raise ProblemsError([Problem(where, line, 0, "", f"{what}: {exc}")]) from None
