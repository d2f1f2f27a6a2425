"""The static site in headless Chromium: filters, search, sorting, URL state, no-JS, layout, keyboard.

Needs Playwright for Python and Debian's Chromium (Playwright's own browser download is not used):

    apt-get install -y chromium            # provides /usr/bin/chromium
    .venv/bin/pip install playwright       # or: pip install -e '.[test]'

Without them these tests are skipped, unless AWESOME_PRUNE_REQUIRE_BROWSER=1 (set it in CI), which
turns the skip into a failure. AWESOME_PRUNE_CHROMIUM overrides the browser path.

The site is built from tests/fixtures/site_list (six papers with known tags, one draft), served on
127.0.0.1 by awesome_prune.serve; one test also loads the site of the shipped list. Screenshots go
to artifacts/ (git-ignored).
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest

from awesome_prune.records.catalog import load_catalog
from awesome_prune.serve import make_server, url
from awesome_prune.render.site import render_site
from awesome_prune.write import write_site

REPO = Path(__file__).resolve().parents[1]
FIXTURE = Path(__file__).resolve().parent / "fixtures" / "site_list"
ARTIFACTS = REPO / "artifacts"
CHROMIUM = os.environ.get("AWESOME_PRUNE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
HOW_TO = ("browser tests need Chromium and Playwright for Python: `apt-get install -y chromium` "
          "(gives /usr/bin/chromium) and `pip install playwright` (or `pip install -e '.[test]'`); "
          "no browser download is needed")

try:
    from playwright.sync_api import sync_playwright
except ImportError:  # pragma: no cover - depends on the machine
    sync_playwright = None

_missing = []
if sync_playwright is None:
    _missing.append("the playwright package is not installed")
if not os.access(CHROMIUM, os.X_OK):
    _missing.append(f"{CHROMIUM} not found")
if _missing:
    reason = f"{'; '.join(_missing)}: {HOW_TO}"
    if os.environ.get("AWESOME_PRUNE_REQUIRE_BROWSER") == "1":
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason, allow_module_level=True)

# The fixture list in its default order: newest year first, then by date added.
ALL = ["zeta-mixed", "gamma-heads", "alpha-prune", "beta-sparse", "epsilon", "delta-layers"]
BY_TITLE = ["alpha-prune", "beta-sparse", "delta-layers", "epsilon", "gamma-heads", "zeta-mixed"]
BY_ADDED = ["delta-layers", "alpha-prune", "epsilon", "gamma-heads", "zeta-mixed", "beta-sparse"]


# --- fixtures --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """One server on 127.0.0.1 for two sites: /fixture/ (the small list) and /shipped/ (the real one)."""
    top = tmp_path_factory.mktemp("served")
    write_site(top / "fixture", render_site(load_catalog(FIXTURE)))
    write_site(top / "shipped", render_site(load_catalog(REPO)))
    httpd = make_server(top, 0)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield url(httpd)
    httpd.shutdown()
    httpd.server_close()
    thread.join(timeout=30)


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


class Tab:
    """A page plus the errors it reported (console errors, uncaught exceptions, failed requests)."""

    def __init__(self, page, base: str, javascript: bool = True):
        self.page = page
        self.base = base
        self.javascript = javascript
        self.errors: list[str] = []
        page.on("console", lambda m: self.errors.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(f"page error: {e}"))
        # a request aborted by the navigation itself (a reload while the icon loads) is no error
        page.on("requestfailed", lambda r: None if r.failure == "net::ERR_ABORTED"
                else self.errors.append(f"request failed: {r.url} ({r.failure})"))
        page.on("response", lambda r: self.errors.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None)

    def open(self, path: str = "fixture/index.html", query: str = "") -> None:
        self.page.goto(self.base + path + query, wait_until="load")
        if path.endswith("index.html") and self.javascript:
            self.page.wait_for_selector("#site_filters:not([hidden])", state="visible")

    def visible(self) -> list[str]:
        """Ids of the papers a reader sees, in their order on the page."""
        return self.page.eval_on_selector_all(
            "#site_papers .paper",
            "els => els.filter(e => e.getClientRects().length > 0).map(e => e.getAttribute('data-paper-id'))")

    def box(self, category: str, value: str):
        return self.page.locator(f'input[type="checkbox"][name="{category}"][value="{value}"]')

    def count(self, category: str, value: str) -> int:
        label = self.page.locator(f'label.option:has(input[name="{category}"][value="{value}"])')
        return int(label.locator("[data-count]").inner_text())

    def status(self) -> str:
        return self.page.locator("#site_status").inner_text()

    def query(self) -> list[tuple[str, str]]:
        return parse_qsl(urlsplit(self.page.url).query)

    def screenshot(self, name: str, full_page: bool = True) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        target = ARTIFACTS / name
        self.page.screenshot(path=str(target), full_page=full_page)
        return target


@pytest.fixture
def tab(browser, server):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(20_000)
    yield Tab(context.new_page(), server)
    context.close()


@pytest.fixture
def narrow(browser, server):
    context = browser.new_context(viewport={"width": 360, "height": 740}, device_scale_factor=1, is_mobile=True,
                                  has_touch=True)
    context.set_default_timeout(20_000)
    yield Tab(context.new_page(), server)
    context.close()


@pytest.fixture
def nojs(browser, server):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, java_script_enabled=False)
    context.set_default_timeout(20_000)
    yield Tab(context.new_page(), server, javascript=False)
    context.close()


# --- loading ---------------------------------------------------------------------------------


def test_page_loads_without_errors_and_lists_every_paper(tab: Tab) -> None:
    tab.open()
    assert tab.visible() == ALL
    assert tab.page.locator("#site_filters").is_visible()
    assert tab.status() == "6 papers"
    assert tab.page.locator("#site_nomatch").is_hidden()
    assert tab.page.locator("text=A Draft That Must Not Appear").count() == 0
    for path in ("fixture/concepts/type.html", "fixture/challenge.html"):
        tab.open(path)
    assert tab.errors == []


def test_shipped_list_shows_every_paper(tab: Tab) -> None:
    expected = {p.id for p in load_catalog(REPO).records if not p.draft}
    tab.open("shipped/index.html")
    shown = tab.visible()
    assert sorted(shown) == sorted(expected) and len(shown) == len(expected)
    assert tab.status() == f"{len(expected)} papers"
    tab.screenshot("site-shipped-index.png", full_page=False)
    assert tab.errors == []


# --- filters ---------------------------------------------------------------------------------


def test_filter_by_one_value(tab: Tab) -> None:
    tab.open()
    tab.box("type", "Structured").check()
    assert tab.visible() == ["zeta-mixed", "gamma-heads", "delta-layers"]
    assert tab.status() == "3 of 6 papers shown"
    assert tab.query() == [("type", "Structured")]
    assert tab.errors == []


def test_two_values_of_one_category_are_or(tab: Tab) -> None:
    tab.open()
    tab.box("type", "Structured").check()
    tab.box("type", "Semi-structured").check()
    assert tab.visible() == ["zeta-mixed", "gamma-heads", "beta-sparse", "epsilon", "delta-layers"]
    tab.box("type", "Structured").uncheck()
    assert tab.visible() == ["beta-sparse", "epsilon"]


def test_values_across_categories_are_and(tab: Tab) -> None:
    tab.open()
    tab.box("type", "Structured").check()
    tab.box("retrain", "Without").check()
    assert tab.visible() == ["delta-layers"]
    tab.box("type", "Unstructured").check()
    assert tab.visible() == ["alpha-prune", "delta-layers"]
    tab.box("retrain", "Without").uncheck()
    tab.box("retrain", "Efficient").check()
    assert tab.visible() == ["zeta-mixed", "gamma-heads", "beta-sparse"]
    tab.box("data", "Small").check()
    assert tab.visible() == ["gamma-heads"]


def test_counts_follow_the_other_filters(tab: Tab) -> None:
    tab.open()
    initial = {("type", "Unstructured"): 3, ("type", "Structured"): 3, ("type", "Semi-structured"): 2,
               ("data", "Calibration"): 3, ("data", "Small"): 2, ("data", "Large"): 1,
               ("retrain", "Without"): 3, ("retrain", "Efficient"): 3}
    assert {key: tab.count(*key) for key in initial} == initial
    tab.box("retrain", "Without").check()
    # counts in other categories shrink to the papers without retraining; its own category keeps its counts
    assert {key: tab.count(*key) for key in initial} == {
        ("type", "Unstructured"): 1, ("type", "Structured"): 1, ("type", "Semi-structured"): 1,
        ("data", "Calibration"): 1, ("data", "Small"): 1, ("data", "Large"): 1,
        ("retrain", "Without"): 3, ("retrain", "Efficient"): 3}
    tab.page.fill("#site_q", "blocks")
    assert tab.count("type", "Structured") == 1 and tab.count("type", "Unstructured") == 0
    assert tab.page.locator("#site_active").inner_text() == "(1 selected)"


# --- search ----------------------------------------------------------------------------------


def test_search_matches_titles_and_takeaways(tab: Tab) -> None:
    tab.open()
    search = tab.page.locator('input[type="search"]')
    search.fill("llama")  # alpha by its title, beta by its take-away ("LLaMA")
    assert tab.visible() == ["alpha-prune", "beta-sparse"]
    search.fill("LLAMA   outlier")  # every word must occur, any case
    assert tab.visible() == ["alpha-prune"]
    search.fill("whole")
    assert tab.visible() == ["gamma-heads", "delta-layers"]
    tab.box("retrain", "Without").check()
    assert tab.visible() == ["delta-layers"]
    assert tab.query() == [("retrain", "Without"), ("q", "whole")]
    search.fill("")
    tab.box("retrain", "Without").uncheck()
    assert tab.visible() == ALL and tab.query() == []


# --- sorting ---------------------------------------------------------------------------------


def test_sorting_by_title_year_and_date_added(tab: Tab) -> None:
    tab.open()
    sort = tab.page.locator("#site_sort")
    sort.select_option("title")
    assert tab.visible() == BY_TITLE
    assert tab.page.locator("#site_papers .year:visible").count() == 0
    sort.select_option("added")
    assert tab.visible() == BY_ADDED
    assert tab.query() == [("sort", "added")]
    tab.box("type", "Structured").check()
    assert tab.visible() == ["delta-layers", "gamma-heads", "zeta-mixed"]
    sort.select_option("year")
    assert tab.visible() == ["zeta-mixed", "gamma-heads", "delta-layers"]
    assert tab.page.locator("#site_papers .year:visible").all_inner_texts() == ["2024", "2022"]
    assert tab.query() == [("type", "Structured")]


# --- URL state -------------------------------------------------------------------------------


def test_state_is_kept_in_the_url_and_restored_on_reload(tab: Tab) -> None:
    tab.open()
    tab.box("type", "Structured").check()
    tab.box("type", "Semi-structured").check()
    tab.page.fill("#site_q", "a")
    tab.page.select_option("#site_sort", "title")
    expected = ["beta-sparse", "delta-layers", "epsilon", "gamma-heads", "zeta-mixed"]
    assert tab.visible() == expected
    assert tab.query() == [("type", "Structured"), ("type", "Semi-structured"), ("q", "a"), ("sort", "title")]
    tab.page.reload(wait_until="load")
    assert tab.visible() == expected
    assert tab.box("type", "Structured").is_checked() and tab.box("type", "Semi-structured").is_checked()
    assert not tab.box("type", "Unstructured").is_checked()
    assert tab.page.input_value("#site_q") == "a" and tab.page.input_value("#site_sort") == "title"
    assert tab.errors == []


def test_a_shared_url_opens_with_its_state(tab: Tab) -> None:
    tab.open(query="?data=Small&data=Large&retrain=Without&sort=added&q=")
    assert tab.visible() == ["delta-layers", "epsilon"]
    assert tab.box("data", "Large").is_checked() and tab.box("retrain", "Without").is_checked()
    assert tab.page.input_value("#site_sort") == "added"
    tab.open(query="?type=Nonexistent&sort=bogus")  # unknown values are ignored
    assert tab.visible() == ALL and tab.page.input_value("#site_sort") == "year"


def test_a_concept_page_links_to_the_list_filtered_by_its_value(tab: Tab) -> None:
    tab.open("fixture/concepts/type.html")
    tab.page.locator("#semi-structured").get_by_role("link", name="Show these 2 papers in the list").click()
    tab.page.wait_for_selector("#site_filters:not([hidden])", state="visible")
    assert tab.visible() == ["beta-sparse", "epsilon"]
    assert tab.box("type", "Semi-structured").is_checked()
    assert tab.errors == []


# --- no match --------------------------------------------------------------------------------


def test_no_papers_match_state_and_clearing(tab: Tab) -> None:
    tab.open()
    tab.box("type", "Semi-structured").check()
    tab.box("data", "Large").check()
    assert tab.visible() == []
    message = tab.page.locator("#site_nomatch")
    assert message.is_visible() and "No papers match" in message.inner_text()
    assert tab.status() == "0 of 6 papers shown"
    message.get_by_role("button").click()
    assert tab.visible() == ALL and message.is_hidden() and tab.query() == []
    assert not tab.box("type", "Semi-structured").is_checked()
    assert tab.page.evaluate("document.activeElement.id") == "site_q"


# --- without JavaScript ----------------------------------------------------------------------


def test_without_javascript_every_paper_is_listed(nojs: Tab) -> None:
    nojs.open(query="?type=Structured")  # the query has no effect without the script
    assert nojs.visible() == ALL
    assert nojs.page.locator("#site_filters").is_hidden()  # no controls that cannot work
    assert nojs.page.locator("#site_papers .year:visible").all_inner_texts() == ["2024", "2023", "2022"]
    takeaway = nojs.page.locator("#delta-layers .takeaway").inner_text()
    assert "Removes entire transformer blocks" in takeaway
    assert nojs.errors == []


# --- layout ----------------------------------------------------------------------------------


def _overflow(tab: Tab) -> tuple[int, int]:
    return tab.page.evaluate("[document.scrollingElement.scrollWidth, document.documentElement.clientWidth]")


def test_no_horizontal_scrolling_at_360_pixels(narrow: Tab) -> None:
    narrow.open()
    assert narrow.visible() == ALL
    facets = narrow.page.locator("#site_facets")
    assert facets.evaluate("d => d.open") is False  # folded on a phone, until opened
    assert _overflow(narrow)[0] <= 360
    narrow.page.locator("#site_facets > summary").click()
    assert narrow.box("type", "Structured").is_visible()
    assert _overflow(narrow)[0] <= 360
    narrow.screenshot("site-index-360.png")
    for path in ("fixture/concepts/type.html", "fixture/challenge.html", "shipped/index.html",
                 "shipped/concepts/criteria.html", "shipped/challenge.html"):
        narrow.open(path)
        width, client = _overflow(narrow)
        assert width <= 360, f"{path}: scrollWidth {width} (client width {client})"
    assert narrow.errors == []


CONTRAST = """() => {
  const parse = (c) => { const m = c.match(/rgba?\\(([^)]+)\\)/); if (!m) return null;
    const p = m[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number);
    return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1}; };
  const lin = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
  const lum = (c) => 0.2126 * lin(c.r) + 0.7152 * lin(c.g) + 0.0722 * lin(c.b);
  const background = (el) => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c && c.a > 0) { layers.push(c); if (c.a >= 1) break; }
    }
    let base = {r: 255, g: 255, b: 255};
    for (let i = layers.length - 1; i >= 0; i--) { const c = layers[i];
      base = {r: c.r * c.a + base.r * (1 - c.a), g: c.g * c.a + base.g * (1 - c.a), b: c.b * c.a + base.b * (1 - c.a)}; }
    return base;
  };
  const found = [];
  for (const el of document.body.querySelectorAll('*')) {
    const own = Array.from(el.childNodes).some((n) => n.nodeType === 3 && n.textContent.trim());
    if (!own || !el.getClientRects().length || el.closest('.visually-hidden, .skip')) continue;
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || Number(style.opacity) < 1) continue;
    const fg = parse(style.color), bg = background(el);
    const a = lum(fg) + 0.05, b = lum(bg) + 0.05;
    const ratio = Math.max(a, b) / Math.min(a, b);
    found.push([el.tagName.toLowerCase() + (el.className ? '.' + String(el.className).split(' ').join('.') : ''),
                el.textContent.trim().slice(0, 30), Math.round(ratio * 100) / 100]);
  }
  return found;
}"""


def test_text_contrast_is_at_least_4_5_to_1(tab: Tab) -> None:
    checked = 0
    for path in ("fixture/index.html", "fixture/concepts/retrain.html", "fixture/challenge.html",
                 "shipped/index.html"):
        tab.open(path)
        if path.endswith("index.html"):
            tab.page.fill("#site_q", "zzz-no-such-paper")  # the no-match message is visible too
            results = tab.page.evaluate(CONTRAST)
            tab.page.fill("#site_q", "")
            results += tab.page.evaluate(CONTRAST)
        else:
            results = tab.page.evaluate(CONTRAST)
        low = [r for r in results if r[2] < 4.5]
        assert low == [], f"{path}: text below 4.5:1: {low}"
        checked += len(results)
    assert checked > 100  # the check really looked at the page's text


# --- keyboard --------------------------------------------------------------------------------


def test_keyboard_reaches_search_and_a_checkbox_and_space_toggles_it(tab: Tab) -> None:
    tab.open()
    page = tab.page
    focused = lambda: page.evaluate(  # noqa: E731
        "(() => { const e = document.activeElement; return [e.tagName, e.type || '', e.id, e.name || '', e.value || '']; })()")
    seen = []
    for _ in range(60):
        page.keyboard.press("Tab")
        seen.append(focused())
        if seen[-1][2] == "site_q":
            break
    assert seen[-1][:3] == ["INPUT", "search", "site_q"], seen
    page.keyboard.type("attention")
    assert tab.visible() == ["gamma-heads"]
    page.keyboard.press("Control+A")
    page.keyboard.press("Backspace")
    assert tab.visible() == ALL
    for _ in range(20):
        page.keyboard.press("Tab")
        if focused()[1] == "checkbox":
            break
    tag, kind, _, name, value = focused()
    assert (tag, kind) == ("INPUT", "checkbox")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none", "the focused checkbox shows a focus outline"
    assert not tab.box(name, value).is_checked()
    page.keyboard.press("Space")
    assert tab.box(name, value).is_checked()
    assert tab.query() == [(name, value)]
    assert len(tab.visible()) == tab.count(name, value) < len(ALL)
    page.keyboard.press("Space")
    assert not tab.box(name, value).is_checked() and tab.visible() == ALL


# --- screenshot ------------------------------------------------------------------------------


def test_screenshot_of_the_index(tab: Tab) -> None:
    tab.open()
    tab.box("type", "Structured").check()
    tab.box("type", "Unstructured").check()
    tab.page.fill("#site_q", "")
    target = tab.screenshot("site-index.png")
    assert target.stat().st_size > 10_000
    tab.open("fixture/concepts/type.html")
    tab.screenshot("site-concept.png")
    assert tab.errors == []
