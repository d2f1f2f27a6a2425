"""One fixture per kind of bad input: each asserts the exact one-line message, file and line."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from awesome_prune.records.catalog import load_catalog
from awesome_prune.errors import ProblemsError


GOOD = """\
id: {id}
title: {title}
paper: {paper}
venue: {{status: conference, name: ICML, year: 2024}}
takeaway: Something short.
tags:
  type: [Structured]
added: 2024-01-01
"""


TODAY = dt.date.today().isoformat()


def good(id="omega", title="Omega Paper", paper="https://arxiv.org/abs/2409.99999"):
    return GOOD.format(id=id, title=title, paper=paper)


def problems(root: Path) -> list[str]:
    with pytest.raises(ProblemsError) as info:
        load_catalog(root)
    return [str(p) for p in info.value.problems]


CASES = {
    "yaml syntax": (
        "omega.yaml", good().replace("takeaway: Something short.", "takeaway: [unclosed"),
        ["papers/omega.yaml:6:5: YAML syntax: did not find expected ',' or ']'"]),
    "wrong type": (
        "omega.yaml", good(title="123"),
        ["papers/omega.yaml:2:8: title: expected text, got a number (123)"]),
    "missing field": (
        "omega.yaml", good().replace("takeaway: Something short.\n", ""),
        ["papers/omega.yaml:1:1: takeaway: missing required field 'takeaway'"]),
    "unknown field": (
        "omega.yaml", good() + "titel: x\n",
        ["papers/omega.yaml:9:1: titel: unknown field 'titel' (did you mean 'title'?)"]),
    "unknown nested field": (
        "omega.yaml", good() + "notes: {blgo: https://example.org/b}\n",
        ["papers/omega.yaml:9:9: notes.blgo: unknown field 'blgo' (did you mean 'blog'?)"]),
    "url scheme": (
        "omega.yaml", good(paper="ftp://arxiv.org/abs/2409.99999"),
        ["papers/omega.yaml:3:8: paper: URL scheme 'ftp' is not allowed (use https)"]),
    "not a url": (
        "omega.yaml", good(paper="arxiv 2409.99999"),
        ["papers/omega.yaml:3:8: paper: URL contains whitespace; encode spaces as %20"]),
    "unknown tag value": (
        "omega.yaml", good().replace("[Structured]", "[Unstrucured]"),
        ["papers/omega.yaml:7:10: tags.type[0]: unknown value 'Unstrucured' (did you mean 'Unstructured'?)"]),
    "tag value in wrong case": (
        "omega.yaml", good().replace("[Structured]", "[structured]"),
        ["papers/omega.yaml:7:10: tags.type[0]: unknown value 'structured' (did you mean 'Structured'?)"]),
    "unknown tag category": (
        "omega.yaml", good().replace("  type: [Structured]", "  typ: [Structured]"),
        ["papers/omega.yaml:7:3: tags.typ: unknown tag category 'typ' (did you mean 'type'?)"]),
    "venue status": (
        "omega.yaml", good().replace("status: conference", "status: conferense"),
        ["papers/omega.yaml:4:17: venue.status: 'conferense' is not one of conference, journal, workshop, "
         "submission, preprint (did you mean 'conference'?)"]),
    "bad date": (
        "omega.yaml", good().replace("2024-01-01", "2024-13-01"),
        ["papers/omega.yaml:8:8: added: invalid date '2024-13-01': month must be in 1..12"]),
    "date as text": (
        "omega.yaml", good().replace("2024-01-01", "yesterday"),
        ["papers/omega.yaml:8:8: added: expected a date like 2024-01-15, got 'yesterday'"]),
    "id differs from file name": (
        "omega.yaml", good(id="omega-two"),
        ["papers/omega.yaml:1:5: id: id 'omega-two' differs from the file name; rename the file to "
         "omega-two.yaml or set id: omega"]),
    "id not kebab-case": (
        "omega.yaml", good(id="Omega_1"),
        ["papers/omega.yaml:1:5: id: 'Omega_1' is not kebab-case (lower-case letters, digits and single dashes)"]),
    "same arXiv paper, other version and pdf URL": (
        "omega.yaml", good(paper="https://arxiv.org/pdf/2401.00001v1.pdf"),
        ["papers/omega.yaml:3:8: paper: same paper as papers/alpha.yaml:3:8 (arXiv 2401.00001)"]),
    "same OpenReview forum": (
        "omega.yaml", good(paper="https://openreview.net/pdf?id=Beta456"),
        ["papers/omega.yaml:3:8: paper: same paper as papers/beta.yaml:3:8 (OpenReview Beta456)"]),
    "same DOI": (
        "omega.yaml", good(paper="https://dx.doi.org/10.1000/GAMMA.2023"),
        ["papers/omega.yaml:3:8: paper: same paper as papers/gamma.yaml:3:8 (DOI 10.1000/gamma.2023)"]),
    "same title up to case and punctuation": (
        "omega.yaml", good(title="gamma - an older paper!"),
        ["papers/omega.yaml:2:8: title: same title as papers/gamma.yaml:2:8"]),
    "duplicate key": (
        "omega.yaml", good() + "title: Again\n",
        ["papers/omega.yaml:9:1: title: key 'title' appears twice in this mapping"]),
    "empty file": ("omega.yaml", "# only a comment\n\n",
                   ["papers/omega.yaml:1:1: file is empty; a record is a mapping of fields "
                    "(see papers/README or `awesome-prune new`)"]),
    "list instead of mapping": ("omega.yaml", "- id: omega\n- title: x\n",
                                ["papers/omega.yaml:1:1: expected a mapping of fields (key: value), got a list"]),
    "scalar instead of mapping": ("omega.yaml", "just some words\n",
                                  ["papers/omega.yaml:1:1: expected a mapping of fields (key: value), "
                                   "got a single value"]),
    "tab indentation": ("omega.yaml", good().replace("  type:", "\ttype:"),
                        ["papers/omega.yaml:7:1: tab used for indentation; indent with spaces"]),
    "invalid utf-8": ("omega.yaml", good().encode().replace(b"Something", b"Some\xffthing"),
                      ["papers/omega.yaml:5:15: invalid UTF-8 (byte 0xff); save the file as UTF-8"]),
    "byte-order mark": ("omega.yaml", b"\xef\xbb\xbf" + good().encode(),
                        ["papers/omega.yaml:1:1: file starts with a UTF-8 byte-order mark; save it as UTF-8 without BOM"]),
    "several documents": ("omega.yaml", good() + "---\n" + good(),
                          ["papers/omega.yaml:9:1: several YAML documents in one file ('---'); "
                           "keep one record per file"]),
    "anchor and alias": ("omega.yaml", good().replace("takeaway: Something short.", "takeaway: &t Something short.")
                         + "notes: {challenges: [*t]}\n",
                         ["papers/omega.yaml:5:11: takeaway: YAML anchor 't' is not allowed; write the value out in full"]),
    "file too large": ("omega.yaml", good() + "#" * (256 * 1024) + "\n",
                       ["papers/omega.yaml:1:1: file is 256 KiB; the limit is 256 KiB"]),
    "not a .yaml file": ("omega.yml", good(),
                         ["papers/omega.yml:1:1: not a .yaml file; rename it to omega.yaml"]),
    # -- hostile input (issue 11 §4, §5): each refused, at its own line, in one line ----------
    "draft: yes is not a boolean": ("omega.yaml", good() + "draft: yes\n",
                                    ["papers/omega.yaml:9:8: draft: expected true or false, got 'yes'"]),
    "zero-width space in a title": ("omega.yaml", good(title="Effec\u200btive Pruning"),
                                    ["papers/omega.yaml:2:8: title: contains the invisible character U+200B; "
                                     "remove it"]),
    "bidi override in a title": ("omega.yaml", good(title="\u202eevil\u202c paper"),
                                 ["papers/omega.yaml:2:8: title: contains the invisible character U+202E; remove it"]),
    "byte-order mark inside a title": ("omega.yaml", good(title="Simple\ufeff"),
                                       ["papers/omega.yaml:2:8: title: contains the invisible character U+FEFF; "
                                        "remove it"]),
    "bidi override in a URL": ("omega.yaml", good(paper="https://arxiv.org/abs/2409.99999\u202etxt.exe"),
                               ["papers/omega.yaml:3:8: paper: contains the invisible character U+202E; remove it"]),
    "port out of range": ("omega.yaml", good(paper="https://github.com:99999/x"),
                          ["papers/omega.yaml:3:8: paper: URL port 99999 is not between 1 and 65535"]),
    "port zero": ("omega.yaml", good(paper="https://github.com:0/x"),
                  ["papers/omega.yaml:3:8: paper: URL port 0 is not between 1 and 65535"]),
    "javascript link in a take-away": (
        "omega.yaml", good().replace("takeaway: Something short.",
                                     "takeaway: >-\n  Something\n  [short](javascript:alert(1))."),
        ["papers/omega.yaml:7:11: takeaway: link to 'javascript:alert(1)': only http(s), relative or #anchor links "
         "are allowed"]),
    "data link in a challenge note": (
        "omega.yaml", good() + "notes: {challenges: ['See <data:text/html,x>.']}\n",
        ["papers/omega.yaml:9:28: notes.challenges.0: link to 'data:text/html,x': only http(s), relative or "
         "#anchor links are allowed"]),
    "YAML tag on a mapping": ("omega.yaml", good().replace("venue: {", "venue: !!python/object:os.system {"),
                              ["papers/omega.yaml:4:8: venue: YAML tag 'tag:yaml.org,2002:python/object:os.system' "
                               "is not allowed; write the plain value"]),
    "YAML tag on a list": ("omega.yaml", good().replace("tags:\n", "tags: !whatever\n"),
                           ["papers/omega.yaml:6:7: tags: YAML tag '!whatever' is not allowed; write the plain value"]),
    "added in the future": ("omega.yaml", good().replace("added: 2024-01-01", "added: 2999-01-01"),
                            [f"papers/omega.yaml:8:8: added: 2999-01-01 is in the future (today is {TODAY})"]),
    "added before 2000": ("omega.yaml", good().replace("added: 2024-01-01", "added: 1999-12-31"),
                          ["papers/omega.yaml:8:8: added: 1999-12-31 is before 2000; the list began later"]),
    "venue year before the arXiv year": (
        "omega.yaml", good().replace("year: 2024", "year: 2023"),
        ["papers/omega.yaml:4:47: venue.year: 2023 is before 2024, when the paper first appeared on arXiv "
         "(its id 2409.99999 says so)"]),
    "title too long": ("omega.yaml", good(title="T" * 301),
                       ["papers/omega.yaml:2:8: title: is 301 characters long; the limit is 300 (say less: a README "
                        "row shows it)"]),
    "take-away too long": ("omega.yaml", good().replace("Something short.", "x" * 1201),
                           ["papers/omega.yaml:5:11: takeaway: is 1201 characters long; the limit is 1200 (say less: "
                            "a README row shows it)"]),
    "ESC byte where it is": ("omega.yaml", good().replace("Something short.", "Some\x1bthing short."),
                             ["papers/omega.yaml:5:15: control character U+001B in the file; remove it"]),
    "NUL byte where it is": ("omega.yaml", good().replace("Omega Paper", "Omega\x00 Paper"),
                             ["papers/omega.yaml:2:13: control character U+0000 in the file; remove it"]),
    "nesting too deep": ("omega.yaml", good() + "notes: " + "[" * 990 + "]" * 990 + "\n",
                         ["papers/omega.yaml:9:39: notes.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0: "
                          "nested more than 32 levels deep; a record needs four"]),
    "unclosed quote, at its start": ("omega.yaml", good(paper='"https://arxiv.org/abs/2409.99999'),
                                     ["papers/omega.yaml:3:8: YAML syntax: a quoted scalar is never closed"]),
    "line separator in a title, at the title": ("omega.yaml", good(title='"Omega \u2028Paper"'),
                                                ["papers/omega.yaml:2:8: title: contains the invisible character "
                                                 "U+2028; remove it"]),
    "same arXiv paper with a sentence's dot": (
        "omega.yaml", good(paper="https://arxiv.org/abs/2401.00001."),
        ["papers/omega.yaml:3:8: paper: same paper as papers/alpha.yaml:3:8 (arXiv 2401.00001)"]),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_record_is_reported_at_its_line(lst, case):
    name, content, expected = CASES[case]
    data = content if isinstance(content, bytes) else content.encode()
    (lst / "papers" / name).write_bytes(data)
    assert problems(lst) == expected


def test_one_run_reports_every_problem_of_a_record(lst):
    """A schema problem does not hide the tag problems of the same record (they were reported only
    once the schema was fixed)."""
    text = good().replace("takeaway: Something short.", "takeway: Something short.").replace("[Structured]",
                                                                                            "[Strucured]")
    (lst / "papers" / "omega.yaml").write_text(text.replace("title: Omega Paper", "title: ''"))
    assert problems(lst) == [
        "papers/omega.yaml:1:1: takeaway: missing required field 'takeaway'",
        "papers/omega.yaml:2:8: title: must not be empty",
        "papers/omega.yaml:5:1: takeway: unknown field 'takeway' (did you mean 'takeaway'?)",
        "papers/omega.yaml:7:10: tags.type[0]: unknown value 'Strucured' (did you mean 'Structured'?)",
    ]


def test_crlf_line_ends_are_accepted(lst):
    (lst / "papers" / "omega.yaml").write_bytes(good().replace("\n", "\r\n").encode())
    ids = [p.id for p in load_catalog(lst).records]
    assert "omega" in ids


def test_crlf_file_errors_keep_their_lines(lst):
    text = good(title="123").replace("\n", "\r\n")
    (lst / "papers" / "omega.yaml").write_bytes(text.encode())
    assert problems(lst) == ["papers/omega.yaml:2:8: title: expected text, got a number (123)"]


def test_every_file_is_reported_not_just_the_first(lst):
    (lst / "papers" / "omega.yaml").write_text(good(title="123"))
    (lst / "papers" / "zeta.yaml").write_text(good(id="zeta", title="Zeta", paper="https://arxiv.org/abs/2409.11111")
                                              .replace("[Structured]", "[Nope]"))
    (lst / "papers" / "eta.yaml").write_text("[")
    found = problems(lst)
    assert [f.split(":")[0] for f in found] == ["papers/eta.yaml", "papers/omega.yaml", "papers/zeta.yaml"]


def test_taxonomy_value_listed_twice(lst):
    tax = lst / "concepts" / "taxonomy.yaml"
    tax.write_text(tax.read_text().replace("      - name: Small\n",
                                           "      - name: calibration\n        explanation: Again.\n      - name: Small\n"))
    assert problems(lst) == [
        "concepts/taxonomy.yaml:25:15: categories.1.values.1.name: value 'calibration' is listed twice (first at line 23)"]


def test_taxonomy_alias_clashing_with_a_value(lst):
    tax = lst / "concepts" / "taxonomy.yaml"
    tax.write_text(tax.read_text().replace("aliases: [fine-grained]", "aliases: [fine-grained, structured]"))
    assert problems(lst) == [
        "concepts/taxonomy.yaml:15:15: categories.0.values.2.name: value 'Structured' is listed twice (first at line 11)"]


def test_settings_errors_name_the_key(lst):
    project = lst / "pyproject.toml"
    project.write_text(project.read_text().replace('order = "added"', 'order = "date"\nfoo = 1'))
    with pytest.raises(ProblemsError) as info:
        load_catalog(lst)
    assert [str(p) for p in info.value.problems] == [
        "pyproject.toml:7:1: tool.awesome-prune.order: Input should be 'added', 'title' or 'id'",
        "pyproject.toml:8:1: tool.awesome-prune.foo: unknown setting",
    ]


# -- nothing outside the list is read (issue 11 §2) ------------------------------------------------

def test_a_symlinked_record_is_refused_without_reading_it(lst, tmp_path):
    secret = tmp_path / "creds.env"
    secret.write_text("token: https://bot:ghp_SECRET@github.com\n")
    (lst / "papers" / "creds.yaml").symlink_to(secret)
    found = problems(lst)
    assert found == ["papers/creds.yaml:1:1: a symbolic link; a record is a regular file in the list"]
    assert "SECRET" not in "".join(found)


def test_a_fifo_is_refused_without_hanging(lst):
    import os
    os.mkfifo(lst / "papers" / "fifo.yaml")
    assert problems(lst) == ["papers/fifo.yaml:1:1: not a regular file; a record is a plain .yaml file"]


@pytest.mark.parametrize("key, value", [("papers", "/etc"), ("challenge_intro", "../outside-secret.env"),
                                        ("taxonomy", "../../taxonomy.yaml"), ("templates", "/home")])
def test_path_settings_stay_inside_the_list(lst, tmp_path, key, value):
    (lst.parent / "outside-secret.env").write_text("SECRET=1\n")
    project = lst / "pyproject.toml"
    text = "\n".join(line for line in project.read_text().splitlines() if not line.startswith(f"{key} = "))
    project.write_text(text.replace("[tool.awesome-prune]\n", f"[tool.awesome-prune]\n{key} = \"{value}\"\n") + "\n")
    found = problems(lst)
    assert len(found) == 1 and f"tool.awesome-prune.{key}: {value!r} leads outside the list's folder" in found[0]
    assert "SECRET" not in found[0]


def test_a_symlinked_papers_folder_leading_out_is_refused(lst, tmp_path):
    import shutil
    elsewhere = tmp_path / "elsewhere"
    shutil.move(str(lst / "papers"), elsewhere)
    (lst / "papers").symlink_to(elsewhere, target_is_directory=True)
    found = problems(lst)
    assert len(found) == 1 and "tool.awesome-prune.papers: 'papers' leads outside the list's folder" in found[0]
