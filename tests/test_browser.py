"""report.html in a real browser: headless Chromium driven by Playwright.

Uses Debian's chromium (``/usr/bin/chromium``, or ``$DEDUP_CHROMIUM``) and the
Python ``playwright`` package, whose driver is enough: ``playwright install``
is never needed. The tests skip only when one of the two is missing.

Every page is opened with a listener that fails the test on any console error
or uncaught page error, which includes a Content-Security-Policy violation.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dedup.cli import app
from test_report_formats import INJECTION, corpus_texts

sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")
CHROMIUM = Path(os.environ.get("DEDUP_CHROMIUM", "/usr/bin/chromium"))
if not CHROMIUM.exists():
    pytest.skip(f"{CHROMIUM} missing (apt-get install chromium)", allow_module_level=True)

expect = sync_api.expect
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SAMPLES = Path(__file__).resolve().parents[1] / "samples"


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield browser
        browser.close()


class Opened:
    """A page with every console error and page error it raised."""

    def __init__(self, browser, report: Path, hash_: str = "", width: int = 1366) -> None:
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.page = browser.new_page(viewport={"width": width, "height": 800})
        self.page.on("console", lambda m: self.errors.append(f"console {m.type}: {m.text}")
                     if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(f"page error: {e}"))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.url = report.as_uri()
        self.page.goto(self.url + hash_, wait_until="load")

    def in_view(self, element_id: str) -> bool:
        """The element is on screen, below the sticky bar."""
        return self.page.evaluate("""id => {
            const el = document.getElementById(id); if (!el) return false;
            const r = el.getBoundingClientRect();
            const bar = document.querySelector('.bar').getBoundingClientRect().bottom;
            return r.height > 0 && r.top >= bar - 1 && r.top < innerHeight; }""", element_id)


@pytest.fixture
def opened(browser):
    pages: list[Opened] = []

    def open_(report: Path, hash_: str = "", width: int = 1366) -> Opened:
        pages.append(Opened(browser, report, hash_, width))
        return pages[-1]
    yield open_
    for o in pages:
        o.page.close()
        assert o.errors == [], o.errors
        # nothing but the file itself was loaded
        assert all(url.startswith("file://") for url in o.requests), o.requests


@pytest.fixture(scope="module")
def samples_report(tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("samples")
    old = Path.cwd()
    os.chdir(work)          # no configuration file of the repository applies
    try:
        out = CliRunner().invoke(app, ["clean", str(SAMPLES), "--write",
                                       "--out", str(work / "cleaned"),
                                       "--report-dir", str(work / "reports")])
    finally:
        os.chdir(old)
    assert out.exit_code == 0, out.output
    return work / "reports" / "report.html"


def _section(page, name: str):
    return page.locator("details.file", has=page.locator(".path", has_text=name))


def test_samples_show_each_removal_with_its_reason(opened, samples_report):
    o = opened(samples_report)
    page = o.page
    assert page.title().startswith("dedup report: 10 repeated paragraphs in 2 of 5 files")
    s002 = _section(page, "002_26a858c8e60dbca3.txt")
    rows = s002.locator(".row.del")
    expect(rows).to_have_count(9)
    expect(s002.locator(".row.fhead")).to_contain_text(
        "9 consecutive paragraphs (exact, lowest score 100) repeat this file, lines 2-10")
    # a long run of exact copies shows its start; the rest unfolds on a click
    fold = s002.locator("details.rest")
    expect(fold.locator("summary")).to_contain_text(
        "6 more removed paragraphs of this block (lines 14-19), each an exact copy: show them")
    expect(rows.nth(2)).to_be_visible()
    expect(rows.nth(3)).to_be_hidden()
    fold.locator("summary").click()
    for i in range(9):
        expect(rows.nth(i)).to_be_visible()
        expect(rows.nth(i).locator(".why")).to_contain_text("exact")
        expect(rows.nth(i).locator(".why")).to_contain_text(f"score 100 repeats line {2 + i}")
    expect(rows.first.locator(".txt")).to_contain_text("Foreign Minister Sergei Lavrov")
    s004 = _section(page, "004_1012ce00a13dd71a.txt")
    expect(s004.locator(".row.del")).to_have_count(1)
    removed = s004.locator(".row.del")
    expect(removed.locator(".why")).to_contain_text("exact score 100 repeats this file, line 1")
    expect(removed.locator(".txt")).to_have_text("Russia Seeks UN Backing of Syria Peace Plan")
    expect(page.locator("#summary")).to_contain_text("files scanned5")


@pytest.mark.parametrize("width", [1366, 760])   # a laptop; a narrow window (the bar wraps)
def test_a_link_leads_to_the_kept_twin(opened, samples_report, width):
    o = opened(samples_report, width=width)
    page = o.page
    s002 = _section(page, "002_26a858c8e60dbca3.txt")
    last = s002.locator(".row.del").last
    expect(last).to_be_hidden()              # folded at the end of its block...
    kept = s002.locator(".row.kept").last
    kept.locator("a.ref").click()            # ...until a link leads there
    expect(last).to_be_visible()
    assert page.url.endswith(f"#{last.get_attribute('id')}")
    assert o.in_view(last.get_attribute("id"))
    link = last.locator("a.ref")
    target = link.get_attribute("href")
    assert target.startswith("#p")
    link.click()
    assert page.url.endswith(target)
    twin = page.locator(target)
    expect(twin).to_have_count(1)
    expect(twin).to_have_class("row kept flash")
    expect(twin).to_contain_text("compiled from agency reports")
    page.wait_for_timeout(100)
    assert o.in_view(target[1:])
    # and back from the kept paragraph to its copy
    twin.locator("a.ref").click()
    assert page.url.endswith(f"#{last.get_attribute('id')}")
    assert o.in_view(last.get_attribute("id"))


def test_kind_filter_search_and_cleaned_view(opened, samples_report):
    o = opened(samples_report)
    page = o.page
    s002 = _section(page, "002_26a858c8e60dbca3.txt")
    s004 = _section(page, "004_1012ce00a13dd71a.txt")
    block = s002.locator(".finding[data-kind=block]")
    exact = s004.locator(".finding[data-kind=exact]")
    expect(block).to_be_visible()
    page.click(".chip[data-filter=block]")
    expect(page.locator(".chip[data-filter=block]")).to_have_attribute("aria-pressed", "false")
    expect(block).to_be_hidden()
    expect(s002).to_be_hidden()            # its only finding is a block
    expect(exact).to_be_visible()
    page.click(".chip[data-filter=exact]")
    expect(exact).to_be_hidden()
    expect(page.locator("#nomatch")).to_be_visible()
    page.click(".chip[data-filter=block]")
    page.click(".chip[data-filter=exact]")
    expect(block).to_be_visible()
    expect(exact).to_be_visible()
    # search by file name
    page.fill("#q", "004_")
    expect(s002).to_be_hidden()
    expect(s004).to_be_visible()
    expect(page.locator("#pageinfo")).to_contain_text("Files 1\u20131 of 1 matching")
    page.fill("#q", "")
    expect(s002).to_be_visible()
    # cleaned view: the removed paragraphs go, the kept text stays
    page.click("#view-clean")
    expect(s004.locator(".row.del")).to_be_hidden()
    expect(s004.locator(".row.kept")).to_be_visible()
    page.click("#view-diff")
    expect(s004.locator(".row.del")).to_be_visible()


@pytest.fixture(scope="module")
def hostile_report(tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("hostile")
    corpus = work / "corpus"
    corpus.mkdir()
    texts = corpus_texts()
    texts['"><img src=x onerror="window.__pwned=3">.txt'] = texts["x.txt"].replace(
        "Injection test", "Another injection test")
    for name, text in texts.items():
        (corpus / name).write_text(text, encoding="utf-8")
    old = Path.cwd()
    os.chdir(work)
    try:
        out = CliRunner().invoke(app, ["scan", str(corpus), "--report",
                                       "--report-dir", str(work / "reports")])
    finally:
        os.chdir(old)
    assert out.exit_code == 0, out.output
    return work / "reports" / "report.html"


def _nothing_ran(page) -> None:
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.title().startswith("dedup report")
    assert page.evaluate("document.querySelectorAll('img').length") == 0
    assert page.evaluate("document.scripts.length") == 1
    assert page.evaluate("""() => [...document.querySelectorAll('*')].filter(
        el => [...el.attributes].some(a => a.name.startsWith('on'))).length""") == 0


def test_injected_markup_is_shown_as_text_and_runs_nothing(opened, hostile_report):
    o = opened(hostile_report)
    page = o.page
    _nothing_ran(page)
    page.click("#expand")
    shown = page.locator(".row .txt", has_text="window.__pwned = 1")
    assert shown.count() >= 2
    assert INJECTION in shown.first.inner_text()
    hostile_name = '"><img src=x onerror="window.__pwned=3">.txt'
    expect(page.locator(".path", has_text=hostile_name)).to_have_count(1)
    # using the page does not run it either
    page.fill("#q", "onerror")
    expect(page.locator("details.file:visible")).to_have_count(1)
    page.fill("#q", "")
    for kind in ("exact", "near", "block", "boilerplate"):
        page.click(f".chip[data-filter={kind}]")
        page.click(f".chip[data-filter={kind}]")
    page.click("#view-clean")
    page.click("#view-diff")
    for link in page.locator("details.file:visible a.ref").all()[:6]:
        link.click()
    _nothing_ran(page)


@pytest.mark.parametrize("hash_", ['#"><img src=x onerror="window.__pwned=4">',
                                   "#%E0%A4%A", "#p999-999", "#bp0"])
def test_odd_fragments_do_no_harm(opened, hostile_report, hash_):
    o = opened(hostile_report, hash_)
    _nothing_ran(o.page)


def test_paging_and_links_across_pages(opened, tmp_path):
    # 20 words, not opening "The" and a common noun: a shorter or leaning
    # paragraph repeats another story's only in context (dedup.decisions.context).
    shared = ("An agency paragraph, long enough to be compared, appears today in every one of "
              "these made-up stories about the weather.")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for i in range(120):
        (corpus / f"story{i:03d}.txt").write_text(
            f"Story number {i} opens with its own words about topic {i * 7 % 13} here.\n\n"
            f"{shared}\n", encoding="utf-8")
    out = CliRunner().invoke(app, ["scan", str(corpus), "--report",
                                   "--report-dir", str(tmp_path / "reports")])
    assert out.exit_code == 0, out.output
    o = opened(tmp_path / "reports" / "report.html")
    page = o.page
    files = page.locator("details.file")
    expect(files).to_have_count(120)
    expect(page.locator("details.file:visible")).to_have_count(50)
    expect(page.locator("details.file[open]")).to_have_count(0)
    expect(page.locator("#pageinfo")).to_have_text("Files 1\u201350 of 120 \u00b7 page 1 of 3")
    page.click("#next")
    expect(page.locator("#pageinfo")).to_have_text("Files 51\u2013100 of 120 \u00b7 page 2 of 3")
    expect(_section(page, "story051.txt")).to_be_visible()   # story000 holds the kept twin: last
    expect(_section(page, "story001.txt")).to_be_hidden()
    page.click("#prev")
    expect(page.locator("#pageinfo")).to_contain_text("page 1 of 3")
    # a link to the kept twin, in the file on the last page, opens that page and that file
    first = _section(page, "story001.txt")
    first.locator("summary").click()
    link = first.locator(".row.del a.ref")
    target = link.get_attribute("href")
    link.click()
    expect(page.locator("#pageinfo")).to_contain_text("page 3 of 3")
    expect(page.locator(target)).to_be_visible()
    expect(page.locator(target)).to_contain_text("An agency paragraph")
    assert o.in_view(target[1:])
    # a cluster lists its first copies and says how many more there are
    cluster = page.locator("details.cluster").first
    expect(cluster.locator("li.more")).to_have_text("\u2026 and 79 more copies (see report.json)")


def test_the_error_listener_catches_what_the_page_blocks(browser, tmp_path):
    """Control: a script the policy forbids is reported, so the checks above would see one."""
    page = tmp_path / "blocked.html"
    page.write_text("<!DOCTYPE html><meta http-equiv=\"Content-Security-Policy\" "
                    "content=\"default-src 'none'\"><title>t</title>"
                    "<script>window.__ran = 1</script><p onclick=\"x()\">x</p>", encoding="utf-8")
    o = Opened(browser, page)
    try:
        assert o.page.evaluate("typeof window.__ran") == "undefined"
        assert any("Content Security Policy" in e for e in o.errors), o.errors
    finally:
        o.page.close()


def test_a_large_report_opens_with_its_largest_files_and_lists_the_rest(opened, tmp_path):
    """1,200 changed files: the page holds sections for the 400 with the most
    removed (paged as usual) and lists the others by name; it opens without
    an error and a link to a file without a section is plain text."""
    from dedup.report.html import MAX_FILE_SECTIONS
    shared = ("An agency paragraph, long enough to be compared, appears today in every one of "
              "these made-up stories about the weather.")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for i in range(1200):
        own = f"Story number {i} opens with its own words about topic {i * 7 % 13} here."
        paras = [own, shared] + ([own] if i % 4 == 0 else [])   # every fourth: two removed
        (corpus / f"story{i:04d}.txt").write_text("\n\n".join(paras) + "\n", encoding="utf-8")
    out = CliRunner().invoke(app, ["scan", str(corpus), "--report",
                                   "--report-dir", str(tmp_path / "reports")])
    assert out.exit_code == 0, out.output
    report = tmp_path / "reports" / "report.html"
    assert report.stat().st_size < 3 * 2**20
    o = opened(report)
    page = o.page
    expect(page.locator("details.file")).to_have_count(MAX_FILE_SECTIONS)
    expect(page.locator("#pageinfo")).to_contain_text(f"of {MAX_FILE_SECTIONS}")
    # The files with two paragraphs removed come first among the sections.
    expect(_section(page, "story0004.txt")).to_have_count(1)
    unlisted = page.locator("details#unlisted")
    expect(unlisted.locator("summary")).to_contain_text("more changed files")
    unlisted.locator("summary").click()
    expect(unlisted.locator("tbody tr").first).to_be_visible()
    rows = unlisted.locator("tbody tr").count()
    assert rows + MAX_FILE_SECTIONS == 1200
