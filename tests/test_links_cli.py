"""`awesome-prune links` end to end, in process: which files are checked, every problem placed at
the source line that wrote it (record field, challenge introduction, template, given file), the
three formats, exit codes, --strict, the cache and GITHUB_TOKEN.

External checks go to a threaded test server on 127.0.0.2 only (`--allow-network 127.0.0.2/32`);
every other URL of the fixture list is excluded, and a loopback guard fails any test whose traffic
or name lookups would leave loopback. Runs are bounded by the checker's short timeouts."""

from __future__ import annotations

import json
import shutil
import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from httpfarm import HostServer, loopback_guard, status, text  # noqa: E402

from awesome_prune.cli import main  # noqa: E402
from awesome_prune.links.report import render  # noqa: E402
from awesome_prune.links.run import Finding, LinkReport, Place  # noqa: E402
from awesome_prune.links.sources import Origin  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
ONLY_TEST_SERVER = r"^(?!http://127\.0\.0\.2:)"  # --exclude: everything but the test server
FAST = ["--timeout", "2", "--workers", "4", "--allow-network", "127.0.0.2/32", "--exclude", ONLY_TEST_SERVER]


@pytest.fixture(autouse=True)
def _guard(monkeypatch):
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    with loopback_guard() as violations:
        before = len(violations)
        yield
        assert violations[before:] == [], "traffic would have left loopback"


@pytest.fixture
def server():
    routes = {"/ok": text("fine"), "/gone": status(404), "/blog-404": status(404), "/paper-gone": status(410),
              "/forbidden": status(403)}
    with HostServer("127.0.0.2", routes=routes) as srv:
        yield srv


def links(root: Path, *args: str, capsys) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(["--root", str(root), "links", *args])
    out, err = capsys.readouterr()
    return code, out, err


def build(root: Path, capsys) -> None:
    assert main(["--root", str(root), "build", "--no-site", "--no-links"]) == 0
    capsys.readouterr()


def line_of(file: Path, needle: str) -> int:
    """1-based line of the first occurrence of `needle` in `file` (the test's own reading)."""
    for number, line in enumerate(file.read_text(encoding="utf-8").splitlines(), 1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in {file}")


def edit(file: Path, old: str, new: str) -> None:
    content = file.read_text(encoding="utf-8")
    assert old in content, (file, old)
    file.write_text(content.replace(old, new), encoding="utf-8")


# -- mapping a broken external link back to its YAML line ---------------------------------------

def test_broken_external_links_are_reported_at_their_yaml_lines(lst, server, capsys):
    gone, blog, paper = server.url("/gone"), server.url("/blog-404"), server.url("/paper-gone")
    alpha, beta = lst / "papers" / "alpha.yaml", lst / "papers" / "beta.yaml"
    # The takeaway's link sits on the second line of a folded block: its own line is reported.
    edit(alpha, "  Has a | pipe", f"  Has a [gone link]({gone}), a | pipe")
    edit(alpha, "blog: https://example.org/blog/alpha", f"blog: {blog}")
    edit(beta, "paper: https://openreview.net/forum?id=Beta456", f"paper: {paper}")
    edit(lst / "papers" / "gamma.yaml", "video: https://example.org/video/gamma", f"video: {server.url('/ok')}")
    build(lst, capsys)

    code, out, err = links(lst, "--external", "--no-cache", "--format", "json", "--all", *FAST, capsys=capsys)
    assert code == 1 and err == ""
    document = json.loads(out)
    assert document["summary"]["broken"] == 3 and document["summary"]["exit_code"] == 1
    found = {item["url"]: item for item in document["findings"]}
    assert found[gone]["source"] == f"papers/alpha.yaml:{line_of(alpha, gone)}" == "papers/alpha.yaml:8"
    assert found[gone]["field"] == "takeaway" and found[gone]["status"] == "broken"
    assert found[gone]["generated"] == f"README.md:{line_of(lst / 'README.md', gone)}"
    assert found[blog]["source"] == f"papers/alpha.yaml:{line_of(alpha, blog)}"
    assert found[blog]["field"] == "notes.blog" and "404" in found[blog]["detail"] and found[blog]["code"] == 404
    assert found[paper]["source"] == f"papers/beta.yaml:{line_of(beta, paper)}" and found[paper]["field"] == "paper"
    # One entry for the paper link, however many pages show it.
    assert [item["url"] for item in document["findings"]].count(paper) == 1
    # Without --all, only the problems.
    code, out, _ = links(lst, "--external", "--no-cache", "--format", "json", *FAST, capsys=capsys)
    assert {item["status"] for item in json.loads(out)["findings"]} == {"broken"}
    assert {p.split(":")[0] for p in [found[paper]["generated"], *found[paper]["also"]]} >= {
        "README.md", "concepts/type.md", "concepts/data.md"}
    # Working URLs are listed too (without a line lookup), excluded ones as ok/excluded.
    assert found[server.url("/ok")]["status"] == "ok"
    assert found[server.url("/ok")]["source"] == "papers/gamma.yaml"
    assert found["https://arxiv.org/abs/2301.00774"]["detail"] == "excluded"

    code, out, _ = links(lst, "--external", "--no-cache", *FAST, capsys=capsys)
    lines = out.splitlines()
    expected = f"papers/alpha.yaml:8: takeaway: {gone} → 404 Not Found (README.md:"
    assert any(line.startswith(expected) for line in lines), out
    assert lines[-1].startswith("3 broken links")


# -- local links: generated pages, templates, the challenge introduction, the site ---------------

def test_a_clean_list_passes_and_missing_pages_fail(lst, capsys):
    build(lst, capsys)
    code, out, _ = links(lst, capsys=capsys)
    assert (code, out) == (0, "0 broken links (4 files checked)\n")
    (lst / "concepts" / "data.md").unlink()
    code, out, _ = links(lst, capsys=capsys)
    assert code == 1
    assert "concepts/data.md: generated file is missing; run `awesome-prune build`" in out


def test_a_link_a_template_wrote_is_reported_at_the_template_line(lst, capsys):
    shutil.copytree(REPO / "templates", lst / "templates")
    edit(lst / "pyproject.toml", f'"{REPO / "templates"}"', '"templates"')
    template = lst / "templates" / "README.md.j2"
    edit(template, 'link("#tags-of-pruning")', 'link("#tags-of-prunin")')
    build_code = main(["--root", str(lst), "build", "--no-site"])
    assert build_code == 1  # the build checks what it wrote
    code, out, _ = links(lst, "--format", "json", capsys=capsys)
    assert code == 1
    [item] = json.loads(out)["findings"]
    assert item["source"] == f"templates/README.md.j2:{line_of(template, '#tags-of-prunin')}"
    assert item["generated"] == f"README.md:{line_of(lst / 'README.md', '(#tags-of-prunin)')}"
    assert "did you mean '#tags-of-pruning'" in item["detail"]


def test_a_generated_page_edited_by_hand_is_reported(lst, capsys):
    build(lst, capsys)
    edit(lst / "README.md", "(#tags-of-pruning)", "(#tags-of-prunin)")
    code, out, _ = links(lst, capsys=capsys)
    assert code == 1
    assert "README.md: generated file differs from what `awesome-prune build` writes" in out


def test_a_link_of_the_challenge_introduction_is_reported_in_its_file(lst, capsys):
    intro = lst / "challenge" / "general.md"
    intro.write_text("\n## Why it is hard\n\nLarge models.\n\nSee [the list](../README.md#no-such-heading).\n")
    build(lst, capsys)
    code, out, _ = links(lst, capsys=capsys)
    assert code == 1
    assert out.startswith(f"challenge/general.md:{line_of(intro, 'no-such-heading')}: ../README.md#no-such-heading → "
                          f"no anchor"), out
    assert f"(challenge/challenge.md:{line_of(lst / 'challenge' / 'challenge.md', 'no-such-heading')})" in out


def test_the_site_pages_are_checked_when_built(lst, capsys):
    alpha = lst / "papers" / "alpha.yaml"
    edit(alpha, "  Has a | pipe", "  See [notes](notes/missing.md), a | pipe")
    assert main(["--root", str(lst), "build"]) == 1  # written, and the broken link reported
    code, out, _ = links(lst, "--format", "json", capsys=capsys)
    assert code == 1
    [item] = json.loads(out)["findings"]  # the same problem in two generated files: one finding
    assert item["source"] == f"papers/alpha.yaml:{line_of(alpha, 'notes/missing.md')}"
    assert {place.split(":")[0] for place in [item["generated"], *item["also"]]} == {"README.md", "_site/index.html"}


# -- given paths --------------------------------------------------------------------------------

GUIDE = """\
# Guide

Read [the intro](#intro) and [the end](#the-end).

## Intro

See [other](other.md/#part), [nothing](), [missing](nowhere.md) and [fine](other.md#part).
"""


def test_given_markdown_files_are_their_own_source(lst, capsys, monkeypatch):
    docs = lst / "docs"
    (docs / "deep").mkdir(parents=True)
    (docs / "guide.md").write_text(GUIDE)
    (docs / "other.md").write_text("# Other\n\n## Part\n")
    (docs / "deep" / "more.md").write_text("[up](../guide.md#Intro)\n")
    monkeypatch.chdir(lst)
    code, out, _ = links(lst, "docs/guide.md", capsys=capsys)
    assert code == 1
    lines = out.splitlines()
    assert lines[0] == "docs/guide.md:3: #the-end → no anchor '#the-end' in 'docs/guide.md'"
    assert ("docs/guide.md:7: other.md/#part → slash after the file name 'docs/other.md' breaks the link; "
            "use 'other.md#part'") in lines
    assert "docs/guide.md:7: () → warning: empty link target" in lines
    assert any(line.startswith("docs/guide.md:7: nowhere.md → 'docs/nowhere.md' does not exist") for line in lines)
    assert lines[-1] == "3 broken links, 1 warning (1 file checked)"
    # A folder: every markdown file below it.
    code, out, _ = links(lst, "docs", capsys=capsys)
    assert "docs/deep/more.md:1: ../guide.md#Intro → no anchor '#Intro'" in out and "(3 files checked)" in out


def test_an_empty_target_alone_is_a_warning_that_does_not_fail(tmp_path, capsys, monkeypatch):
    (tmp_path / "notes.md").write_text("# Notes\n\n[later]()\n")
    monkeypatch.chdir(tmp_path)  # not a list: no settings needed for given paths
    code, out, _ = links(tmp_path, "notes.md", capsys=capsys)
    assert code == 0
    assert out == "notes.md:3: () → warning: empty link target\n0 broken links, 1 warning (1 file checked)\n"


# -- formats -------------------------------------------------------------------------------------

def test_github_annotations_point_at_the_source_and_escape_what_they_must():
    findings = [
        Finding("https://x.test/a", "broken", "404 Not Found\nsecond line 100%",
                Origin("papers/odd,name:x.yaml", 7, "code.url"), (Place("README.md", 42),), 404),
        Finding("https://x.test/b", "unverifiable", "403 Forbidden", Origin("papers/b.yaml", 3, "paper"),
                (Place("README.md", 50), Place("concepts/type.md", 9))),
        Finding("", "warning", "empty link target", Origin("docs/a.md", 2)),
        Finding("https://x.test/c", "ok", "200 OK", Origin("papers/c.yaml", 0, "paper"), (Place("README.md", 60),)),
    ]
    report = LinkReport(findings, files=4, external=3)
    lines = render(report, "github").splitlines()
    assert lines[0] == "::warning file=docs/a.md,line=2,title=link warning::() → warning: empty link target"
    assert lines[1] == ("::warning file=papers/b.yaml,line=3,title=unverifiable link::paper: https://x.test/b → "
                        "unverifiable: 403 Forbidden (README.md:50, concepts/type.md:9)")
    assert lines[2] == ("::error file=papers/odd%2Cname%3Ax.yaml,line=7,title=broken link::code.url: "
                        "https://x.test/a → 404 Not Found second line 100%25 (README.md:42)")
    assert lines[3] == "1 broken link, 1 unverifiable, 1 warning (4 files checked, 3 external URLs)"
    assert len(lines) == 4  # working links are not annotated
    strict = render(report, "github", strict=True).splitlines()
    assert strict[1].startswith("::error file=papers/b.yaml,line=3,")

    items = json.loads(render(report, "json", everything=True))["findings"]
    assert [i["status"] for i in items] == ["broken", "unverifiable", "warning", "ok"]
    assert items[0] == {"url": "https://x.test/a", "status": "broken", "source": "papers/odd,name:x.yaml:7",
                        "field": "code.url", "generated": "README.md:42", "also": [],
                        "detail": "404 Not Found\nsecond line 100%", "code": 404, "final_url": None}
    assert items[1]["also"] == ["concepts/type.md:9"] and items[2]["generated"] is None
    assert items[3]["source"] == "papers/c.yaml"

    text_lines = render(report, "text").splitlines()
    assert text_lines[-1] == lines[3] and len(text_lines) == 4
    assert "papers/odd,name:x.yaml:7: code.url: https://x.test/a → 404 Not Found second line 100% (README.md:42)" \
        in text_lines


# -- exit codes and options ------------------------------------------------------------------------

@pytest.mark.parametrize("args, message", [
    (["--allow-network", "10.0.0.0/4"], "--allow-network: '10.0.0.0/4': allow network"),
    (["--allow-network", "not-a-network"], "--allow-network: 'not-a-network'"),
    (["--exclude", "(unclosed"], "--exclude: '(unclosed' is not a regular expression"),
    (["--accept", "200-1000"], "--accept: '200-1000' is not a range of status codes"),
    (["--timeout", "0"], "--timeout: 0 is not a positive number of seconds"),
    (["--workers", "0"], "--workers: 0 is not a positive number"),
    (["no/such/file.md"], "no/such/file.md: no such file or folder"),
])
def test_usage_errors_exit_2_with_one_line(lst, capsys, monkeypatch, args, message):
    build(lst, capsys)
    monkeypatch.chdir(lst)
    code, out, err = links(lst, *args, capsys=capsys)
    assert code == 2 and out == ""
    assert err.splitlines()[0].startswith(message), err
    assert "Traceback" not in err


def test_argparse_refusals_exit_2(lst, capsys):
    for args in (["--workers", "many"], ["--cache", "x.json", "--no-cache"], ["--format", "xml"]):
        with pytest.raises(SystemExit) as exc:
            main(["--root", str(lst), "links", *args])
        assert exc.value.code == 2


def test_link_settings_come_from_pyproject_and_are_checked(lst, capsys, server):
    build(lst, capsys)
    project = lst / "pyproject.toml"
    original = project.read_text()
    project.write_text(original + "\n[tool.awesome-prune.links]\nexclude = [\"(bad\"]\n")
    code, _, err = links(lst, capsys=capsys)
    assert code == 2
    assert err.startswith(f"pyproject.toml:{line_of(project, 'exclude =')}:1: tool.awesome-prune.links.exclude: ")
    project.write_text(original + "\n[tool.awesome-prune.links]\ntimeout = -1\n")
    assert links(lst, capsys=capsys)[0] == 2
    project.write_text(original + "\n[tool.awesome-prune.links]\nworkerz = 3\n")
    code, _, err = links(lst, capsys=capsys)
    assert code == 2 and "unknown setting" in err
    # Settings are used: a 403 accepted by the settings is ok.
    project.write_text(original)
    edit(lst / "papers" / "gamma.yaml", "video: https://example.org/video/gamma", f"video: {server.url('/forbidden')}")
    build(lst, capsys)
    project.write_text(original + f"\n[tool.awesome-prune.links]\naccept = \"200-299, 403\"\nexclude = "
                                  f"['{ONLY_TEST_SERVER}']\ncache = \"cache.json\"\n")
    code, out, _ = links(lst, "--external", "--strict", "--allow-network", "127.0.0.2/32", capsys=capsys)
    assert code == 0, out
    assert (lst / "cache.json").is_file()


def test_strict_turns_unverifiable_links_into_failures(lst, server, capsys):
    url = server.url("/forbidden")
    gamma = lst / "papers" / "gamma.yaml"
    edit(gamma, "video: https://example.org/video/gamma", f"video: {url}")
    build(lst, capsys)
    code, out, _ = links(lst, "--external", "--no-cache", *FAST, capsys=capsys)
    assert code == 0
    assert f"papers/gamma.yaml:{line_of(gamma, url)}: notes.video: {url} → unverifiable: 403 Forbidden" in out
    assert out.splitlines()[-1].startswith("0 broken links, 1 unverifiable")
    code, out, _ = links(lst, "--external", "--no-cache", "--strict", *FAST, capsys=capsys)
    assert code == 1
    assert "→ unverifiable (--strict): 403 Forbidden" in out


def test_without_allow_network_the_test_server_is_refused_and_never_reached(lst, server, capsys):
    url = server.url("/ok")
    edit(lst / "papers" / "gamma.yaml", "video: https://example.org/video/gamma", f"video: {url}")
    build(lst, capsys)
    code, out, _ = links(lst, "--external", "--no-cache", "--exclude", ONLY_TEST_SERVER, capsys=capsys)
    assert code == 1
    assert f"notes.video: {url} → refused: 127.0.0.2 is a loopback address" in out
    assert server.hits() == 0


def test_a_warm_cache_makes_no_request(lst, server, capsys, tmp_path):
    url = server.url("/ok")
    edit(lst / "papers" / "gamma.yaml", "video: https://example.org/video/gamma", f"video: {url}")
    build(lst, capsys)
    cache = tmp_path / "links-cache.json"
    code, out, _ = links(lst, "--external", "--cache", str(cache), "--format", "json", *FAST, capsys=capsys)
    assert code == 0 and server.hits("/ok") == 1
    code, out, _ = links(lst, "--external", "--cache", str(cache), "--format", "json", "--all", *FAST, capsys=capsys)
    assert code == 0 and server.hits() == 1  # nothing new reached the server
    [item] = [i for i in json.loads(out)["findings"] if i["url"] == url]
    assert item["status"] == "ok" and item["detail"].endswith("(cached)")
    # --no-cache asks again.
    links(lst, "--external", "--no-cache", *FAST, capsys=capsys)
    assert server.hits("/ok") == 2


def test_github_token_goes_only_into_the_checker_options(lst, server, capsys, monkeypatch):
    import awesome_prune.links.remote as remote

    url = server.url("/ok")
    edit(lst / "papers" / "gamma.yaml", "video: https://example.org/video/gamma", f"video: {url}")
    build(lst, capsys)
    monkeypatch.setenv("GITHUB_TOKEN", "s3cret-token")
    seen = []
    real = remote.check_urls

    def spy(urls, options, progress=None):
        seen.append(options)
        return real(urls, options, progress)

    monkeypatch.setattr(remote, "check_urls", spy)
    code, out, err = links(lst, "--external", "--no-cache", *FAST, capsys=capsys)
    assert code == 0
    assert [o.github_token for o in seen] == ["s3cret-token"]
    assert server.hits() == 1
    assert all("authorization" not in r.headers for r in server.requests)  # 127.0.0.2 is not the API
    assert "s3cret" not in out + err


def test_no_progress_bar_when_stderr_is_not_a_terminal(lst, server, capsys):
    edit(lst / "papers" / "gamma.yaml", "video: https://example.org/video/gamma", f"video: {server.url('/ok')}")
    build(lst, capsys)
    code, out, err = links(lst, "--external", "--no-cache", *FAST, capsys=capsys)
    assert (code, err) == (0, "")
    assert re.fullmatch(r"0 broken links \(4 files checked, \d+ external URLs\)\n", out)


def test_a_repository_link_is_left_to_the_local_check_only_where_that_check_knows_the_repository(tmp_path):
    """A blob link into the list's repository is checked locally in the list's own files; in a file
    outside the list the local check has no repository, so the link must be checked as a URL."""
    from awesome_prune.links.local import _Checker
    from awesome_prune.links.run import _external_links

    repo = "https://github.com/example/fixture-list"
    link = f"{repo}/blob/main/missing.md"
    inside, outside = tmp_path / "list.md", tmp_path / "other.md"
    for file in (inside, outside):
        file.write_text(f"[a]({link}) and [b](https://example.org/x)\n", encoding="utf-8")
    found = _external_links([(inside, "list.md", repo), (outside, "other.md", None)], _Checker(tmp_path, None))
    assert found == {link: [Place("other.md", 1)],
                     "https://example.org/x": [Place("list.md", 1), Place("other.md", 1)]}


def test_no_generated_page_is_parsed_to_check_its_links(lst, capsys, parses):
    """The renderer knows every link and anchor of the pages it writes: neither `build` nor `links`
    parses a generated page (only hand-written fragments that hold links: take-aways, notes,
    explanations, the introductions), and the external check takes the same links."""
    from awesome_prune.records.catalog import load_catalog
    from awesome_prune.render.linker import fragment_links

    build(lst, capsys)
    catalog = load_catalog(lst)
    fragment_links.cache_clear()
    parses.clear()
    code, _, _ = links(lst, "--no-cache", capsys=capsys)
    assert code == 0
    pages = len(parses)
    texts = [p.takeaway for p in catalog.records] + [n for p in catalog.records for n in p.notes.challenges]
    assert 0 < pages <= len(texts) + 20  # fragments, not pages
    fragment_links.cache_clear()
    parses.clear()
    code, _, _ = links(lst, "--external", "--no-cache", *FAST, capsys=capsys)  # every URL excluded
    assert code == 0
    assert len(parses) == pages


@pytest.mark.parametrize("setting", ['"../outside/precious.txt"', '"/tmp/elsewhere.json"', '"linkcache.json"'])
def test_a_cache_setting_outside_the_list_is_refused_and_nothing_is_written(lst, capsys, server, setting, tmp_path):
    """The cache path comes with the list (a pull request can change it): outside the list's folder
    it is a settings error, and no file anywhere is written or overwritten."""
    outside = tmp_path / "outside"
    outside.mkdir()
    precious = outside / "precious.txt"
    precious.write_text("keep me")
    if "linkcache" in setting:  # a symlink inside the list that leads out of it
        (lst / "linkcache.json").symlink_to(precious)
    edit(lst / "pyproject.toml", "[tool.awesome-prune]", f"[tool.awesome-prune.links]\ncache = {setting}\n\n[tool.awesome-prune]")
    build(lst, capsys) if "linkcache" not in setting else None
    code, _, err = links(lst, "--external", *FAST, capsys=capsys)
    assert code == 2
    assert "tool.awesome-prune.links.cache" in err and "leads outside the list's folder" in err
    assert precious.read_text() == "keep me" and not Path("/tmp/elsewhere.json").exists()


def test_markdown_report_groups_problems_by_file_and_stays_under_the_issue_limit():
    from awesome_prune.links.report import MARKDOWN_LIMIT
    from awesome_prune.links.run import Finding, LinkReport

    findings = [Finding(f"https://example.org/{i}", "broken", "404 Not Found", Origin(f"papers/p{i % 3}.yaml", i, "paper"))
                for i in range(5000)]
    findings.append(Finding("https://example.org/fine", "ok", "200 OK", Origin("papers/p0.yaml", 1, "paper")))
    text = render(LinkReport(findings, 3, 5001), "markdown")
    assert text.startswith("5000 broken links") and len(text) < MARKDOWN_LIMIT
    assert "**papers/p0.yaml**" in text and "- line 3: `paper` <https://example.org/3> — broken: 404 Not Found" in text
    assert "example.org/fine" not in text
    assert text.rstrip().endswith("more (see the run's log for all of them)")
