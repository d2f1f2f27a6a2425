"""A :class:`~.run.LinkReport` as text, JSON or GitHub workflow commands, and the exit code.

Every problem names its source first (the line to edit), then where the generated pages show it:

    papers/wanda.yaml:7: code.url: https://… → 404 Not Found (README.md:42)

* ``text``: one line per problem (warnings and unverifiable links say so), then a summary line;
  working links are only counted.
* ``json``: a list of objects ``{url, status, source, field, generated, also, detail, code,
  final_url}``; ``status`` is ok, broken, unverifiable or warning; ``source`` and ``generated`` are
  ``path:line`` (``generated`` null when the source is the checked file itself; a working link's
  ``source`` has no line: lines are looked up for problems only); ``also`` lists the other places
  the generated pages show it. Working external links are included.
* ``github``: ``::error``/``::warning`` commands at the source file and line, so that pull-request
  annotations land on the YAML line; then the summary line.

Exit code: 1 when a link is broken, or unverifiable under ``strict``; else 0. Warnings never fail.
"""

from __future__ import annotations

import json

from ..errors import annotation
from .run import Finding, LinkReport

__all__ = ["FORMATS", "exit_code", "render", "summary"]

FORMATS = ("text", "json", "github", "markdown")
_SHOWN_PLACES = 3
_ORDER = {"broken": 0, "unverifiable": 1, "warning": 2, "ok": 3}


def _failing(finding: Finding, strict: bool) -> bool:
    return finding.status == "broken" or (strict and finding.status == "unverifiable")


def exit_code(report: LinkReport, strict: bool = False) -> int:
    return 1 if any(_failing(f, strict) for f in report.findings) else 0


def _sorted(findings: list[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: (f.source.path, f.source.line, f.url, f.detail))


def _places(finding: Finding) -> str:
    shown = [str(p) for p in finding.generated[:_SHOWN_PLACES]]
    more = len(finding.generated) - len(shown)
    return ", ".join(shown) + (f" and {more} more" if more else "")


def _message(finding: Finding, strict: bool) -> str:
    """`code.url: https://… → 404 Not Found (README.md:42)`, on one line."""
    field = f"{finding.source.field}: " if finding.source.field else ""
    label = {"warning": "warning: ", "unverifiable": "unverifiable: "}.get(finding.status, "")
    if finding.status == "unverifiable" and strict:
        label = "unverifiable (--strict): "
    url = finding.url.strip() or ("()" if finding.status == "warning" else "")  # () : an empty target
    text = f"{field}{url} → {label}{finding.detail}" if url else f"{label}{finding.detail}"
    if finding.generated:
        text += f" ({_places(finding)})"
    return " ".join(text.split())


def summary(report: LinkReport, strict: bool = False) -> str:
    counts = {status: sum(f.status == status for f in report.findings) for status in _ORDER}
    parts = [f"{counts['broken']} broken link{'s' if counts['broken'] != 1 else ''}"]
    if counts["unverifiable"]:
        parts.append(f"{counts['unverifiable']} unverifiable" + (" (failing: --strict)" if strict else ""))
    if counts["warning"]:
        parts.append(f"{counts['warning']} warning{'s' if counts['warning'] != 1 else ''}")
    checked = f"{report.files} file{'s' if report.files != 1 else ''} checked"
    if report.external:
        checked += f", {report.external} external URL{'s' if report.external != 1 else ''}"
    return f"{', '.join(parts)} ({checked})"


def _text(report: LinkReport, strict: bool) -> str:
    lines = [f"{f.source}: {_message(f, strict)}" for f in _sorted(report.findings) if f.status != "ok"]
    return "\n".join(lines + [summary(report, strict)]) + "\n"


def _json(report: LinkReport, strict: bool, everything: bool) -> str:
    items = []
    for f in sorted(report.findings, key=lambda f: (_ORDER[f.status], f.source.path, f.source.line, f.url)):
        if f.status == "ok" and not everything:
            continue
        items.append({
            "url": f.url, "status": f.status, "source": str(f.source), "field": f.source.field or None,
            "generated": str(f.generated[0]) if f.generated else None,
            "also": [str(p) for p in f.generated[1:]], "detail": f.detail, "code": f.code,
            "final_url": f.final_url,
        })
    counts = {status: sum(f.status == status for f in report.findings) for status in _ORDER}
    summary_ = {**counts, "files": report.files, "external_urls": report.external, "strict": strict,
                "exit_code": exit_code(report, strict), "text": summary(report, strict)}
    return json.dumps({"summary": summary_, "findings": items}, indent=2, ensure_ascii=False) + "\n"


def _github(report: LinkReport, strict: bool) -> str:
    lines = []
    for f in _sorted(report.findings):
        if f.status == "ok":
            continue
        title = {"broken": "broken link", "unverifiable": "unverifiable link"}.get(f.status, "link warning")
        lines.append(annotation("error" if _failing(f, strict) else "warning", f.source.path, f.source.line,
                                _message(f, strict), title))
    return "\n".join(lines + [summary(report, strict)]) + "\n"


MARKDOWN_LIMIT = 60_000  # characters; GitHub refuses an issue body over 65,536


def _markdown(report: LinkReport, strict: bool) -> str:
    """The broken and unverifiable links as a markdown list grouped by the file to edit, each at
    its line, cut (with a count of what was left out) below GitHub's size limit for an issue."""
    groups: dict[str, list[str]] = {}
    for f in _sorted(report.findings):
        if f.status in ("broken", "unverifiable") or (f.status == "warning" and strict):
            line = f"- line {f.source.line}: " if f.source.line else "- "
            field = f"`{f.source.field}` " if f.source.field else ""
            groups.setdefault(f.source.path, []).append(f"{line}{field}<{f.url}> — {f.status}: {f.detail}"
                                                        .replace("\n", " "))
    lines, size, left = [], 0, 0
    for path, items in groups.items():
        for text in [f"\n**{path}**\n", *items]:
            if left or size + len(text) + 1 > MARKDOWN_LIMIT - 200:
                left += text.startswith("- ")
                continue
            lines.append(text)
            size += len(text) + 1
    if left:
        lines.append(f"\n… and {left} more (see the run's log for all of them)")
    return "\n".join([summary(report, strict), *lines]) + "\n"


def render(report: LinkReport, fmt: str = "text", strict: bool = False, everything: bool = False) -> str:
    """The report in format `fmt` (one of FORMATS), ending with a newline; JSON lists the working
    URLs too when `everything`."""
    if fmt == "json":
        return _json(report, strict, everything)
    if fmt == "github":
        return _github(report, strict)
    if fmt == "markdown":
        return _markdown(report, strict)
    return _text(report, strict)
