"""HTML input: a page's paragraphs are its text blocks, and cleaning cuts them out.

Every page here is made up for the tests.
"""

from __future__ import annotations

import json
import pickle
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dedup import Config, api
from dedup.cli import app
from dedup.input.documents import InputError, read_document, read_texts
from dedup.input.html_input import Page, cut_spans, read_blocks
from dedup.model import Ref
from dedup.output.plan import violations

from conftest import FILLER

WIRE = ("Rescue teams in the northern province pulled 14 survivors from the rubble of a "
        "collapsed apartment block on Thursday, while officials said at least 37 people were "
        "still missing after the overnight earthquake.")
HEADLINE = "Floods cut off villages in the valley"


def invoke(*args):
    return CliRunner().invoke(app, [str(a) for a in args])


def page(*body: str, title: str = "A page - The Daily Made-Up") -> str:
    """A page with a head (title, style, script) and ``body`` lines inside <body>."""
    lines = ["<!DOCTYPE html>", "<html>", "<head>", f"  <title>{title}</title>",
             "  <style>p { margin: 0 }</style>",
             "  <script>var seen = '<p>not text</p>';</script>", "</head>", "<body>",
             "  <nav><ul><li>Home</li><li>World</li></ul></nav>"]
    return "\n".join(lines + [f"  {line}" for line in body] + ["</body>", "</html>", ""])


def texts(markup: str) -> list[str]:
    return [block.text for block in read_blocks(markup, "page.html")]


def write(folder: Path, pages: dict[str, str]) -> Path:
    for name, markup in pages.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(markup.encode("utf-8"))
    return folder


# -- what a paragraph is ---------------------------------------------------------------

def test_paragraphs_are_the_text_blocks_with_their_source_lines(tmp_path):
    markup = page(f"<h1>{HEADLINE}</h1>", f"<p>{FILLER[0]}</p>",
                  "<ul>", "<li>First point</li>", "<li>Second\n  point</li>", "</ul>")
    (tmp_path / "a.html").write_text(markup, "utf-8")
    doc = read_document(tmp_path / "a.html", "a.html")
    assert isinstance(doc, Page)
    assert [(p.first_line, p.last_line, p.text) for p in doc.paragraphs] == [
        (10, 10, HEADLINE), (11, 11, FILLER[0]), (13, 13, "First point"),
        (14, 15, "Second point")]
    # The document's lines are the page's own.
    assert "".join(doc.lines) == markup


def test_script_style_nav_and_title_are_not_read():
    markup = page("<p>Kept text.</p>", "<script>document.write('<p>Injected</p>')</script>",
                  "<noscript><p>Turn on scripts</p></noscript>",
                  "<template><p>Later</p></template>")
    assert texts(markup) == ["Kept text."]


def test_entities_are_decoded_and_whitespace_collapsed():
    markup = "<p>Caf&eacute; &amp; bar&nbsp;&#8212;\n   open   <b>late</b>ly<br>today</p>"
    assert texts(markup) == ["Café & bar — open lately today"]


def test_nested_blocks():
    markup = ("<ul><li><p>Only a paragraph</p></li><li>Intro <ul><li>a</li><li>b</li></ul></li>"
              "</ul><blockquote><p>One</p><p>Two</p></blockquote>"
              "<table><tr><td>Oil</td><td>12.5</td></tr><tr><td>Gas</td><td>3</td></tr></table>"
              "<div><img src=x.png><p>Beside an image</p></div>")
    found = read_blocks(markup, "page.html")
    assert [(b.text, markup[b.start:b.end]) for b in found] == [
        # A block holding just one paragraph is that paragraph: no empty bullet is left.
        ("Only a paragraph", "<li><p>Only a paragraph</p></li>"),
        # A list item with text of its own and a nested list is one paragraph.
        ("Intro a b", "<li>Intro <ul><li>a</li><li>b</li></ul></li>"),
        ("One", "<p>One</p>"), ("Two", "<p>Two</p>"),
        # A table row is one paragraph (a cell taken out would shift the others).
        ("Oil 12.5", "<tr><td>Oil</td><td>12.5</td></tr>"),
        ("Gas 3", "<tr><td>Gas</td><td>3</td></tr>"),
        # The image stays: the paragraph is the <p> alone.
        ("Beside an image", "<p>Beside an image</p>")]


def test_unclosed_tags_close_where_browsers_close_them():
    markup = "<body><p>One\n<p>Two</p></p>\n<ul><li>a<li>b</ul><h2>Head<h3>Sub</h3><p>End"
    found = read_blocks(markup, "page.html")
    assert [(b.text, markup[b.start:b.end]) for b in found] == [
        ("One", "<p>One"), ("Two", "<p>Two</p>"), ("a", "<li>a"), ("b", "<li>b"),
        ("Head", "<h2>Head"), ("Sub", "<h3>Sub</h3>"), ("End", "<p>End")]


def _cut(markup: str, gone: set[int]) -> str:
    """The page with the blocks numbered in ``gone`` taken out, as cleaning takes them."""
    spans = sorted(cut_spans(markup, read_blocks(markup, "page.html"))[i] for i in gone)
    kept = zip([0] + [end for _, end in spans], [start for start, _ in spans] + [len(markup)])
    return "".join(markup[a:b] for a, b in kept)


def test_a_block_whose_opening_closed_another_leaves_its_tags():
    # Taken out whole, "<p>Two</p>" would leave "<p>One" open over "after".
    markup = "<body><p>One\n<p>Two</p>after<ul><li>a<li>b</ul></body>"
    assert _cut(markup, {1}) == "<body><p>One\n<p></p>after<ul><li>a<li>b</ul></body>"
    # An <li> ended by what ends the one before it goes whole.
    assert _cut(markup, {3}) == "<body><p>One\n<p>Two</p>after<ul><li>a</ul></body>"


_TAGS = ("p", "li", "ul", "div", "h1", "h2", "blockquote", "table", "tr", "td", "span", "b",
         "br", "img", "script", "nav", "title", "section", "pre", "dd", "dt", "dl", "body",
         "figure", "figcaption", "template")
_BITS = ("alpha", "beta", "&amp;", "&nbsp;", "x<y", "\n", "  ", "\r\n", "é", "<!-- c -->",
         "<![CDATA[z]]>", ">", "</", "<")


def _random_markup(rng, depth: int = 0) -> str:
    out = []
    for _ in range(rng.randint(0, 6)):
        roll = rng.random()
        if roll < 0.35:
            out.append(rng.choice(_BITS))
        elif roll < 0.55:
            out.append(f"<{rng.choice(_TAGS)}{rng.choice(['', ' class=q', '/'])}>")
        elif roll < 0.7:
            out.append(f"</{rng.choice(_TAGS)}>")
        elif depth < 4:
            tag = rng.choice(_TAGS)
            closing = f"</{tag}>" if rng.random() < 0.8 else ""
            out.append(f"<{tag}>{_random_markup(rng, depth + 1)}{closing}")
    return "".join(out)


def test_taking_blocks_out_never_changes_the_text_of_the_blocks_kept():
    import random
    for seed in range(400):
        rng = random.Random(seed)
        markup = _random_markup(rng)
        try:
            found = read_blocks(markup, "page.html")
        except InputError:
            continue                            # text but no block: skipped, never cut
        gone = {i for i in range(len(found)) if rng.random() < 0.4}
        kept = [b.text for i, b in enumerate(found) if i not in gone]
        try:
            again = iter(b.text for b in read_blocks(_cut(markup, gone), "page.html"))
        except InputError:
            again = iter(())
        # Text that no block held before (beside a section's blocks) may now be one.
        assert all(any(text == other for other in again) for text in kept), (seed, markup)


# -- scan and clean -----------------------------------------------------------------------

def test_doubled_paragraph_is_removed_and_the_rest_is_byte_identical(in_tmp):
    markup = page(f"<h1>{HEADLINE}</h1>", f'<p class="lead">{WIRE}</p>',
                  f"<p>{FILLER[1]}</p>", f'<p class="lead">{WIRE}</p>', "<div>Share</div>")
    write(in_tmp / "news", {"a.html": markup.replace("\n", "\r\n")})
    res = invoke("scan", "news", "--glob", "*.html", "--format", "json")
    assert res.exit_code == 0, res.output
    report = json.loads(res.stdout)
    (finding,) = [f for file in report["files"] for f in file["findings"]]
    assert (finding["lines"], finding["repeats"]["lines"]) == ([13, 13], [11, 11])
    res = invoke("clean", "news", "--glob", "*.html", "--write", "--out", "out")
    assert res.exit_code == 0, res.output
    # The second copy goes with its line (indentation and CRLF); nothing else changes.
    lines = markup.split("\n")
    del lines[12]
    assert (in_tmp / "out/a.html").read_bytes() == "\r\n".join(lines).encode("utf-8")


def test_the_diff_shows_the_blocks_text(in_tmp):
    write(in_tmp / "news", {"a.html": page(f"<h1>{HEADLINE}</h1>", f"<p>{WIRE}</p>",
                                           f"<p>{FILLER[2]}</p>", f"<p>{WIRE}</p>")})
    res = invoke("clean", "news", "--glob", "*.html")
    assert res.exit_code == 0, res.output
    assert f"\n-{WIRE}\n" in res.stdout and "<p>" not in res.stdout


def test_headings_and_list_items_repeat_like_paragraphs(in_tmp):
    items = ["Schools closed in three districts", "Roads to the coast remain shut",
             "Power cut to 2,000 homes"]
    markup = page(f"<h1>{HEADLINE}</h1>", f"<h2>{HEADLINE}</h2>", f"<p>{FILLER[3]}</p>",
                  "<ul>", *[f"<li>{i}</li>" for i in items], "</ul>",
                  "<ol>", *[f"<li>{i}</li>" for i in items], "</ol>")
    write(in_tmp / "news", {"a.html": markup})
    result = api.scan([in_tmp / "news"], Config(glob="*.html"))
    doc = result.documents[0]
    gone = sorted(doc.paragraphs[r.para].text for r in result.removals)
    assert gone == sorted([HEADLINE] + items)
    cleaned = api.cleaned(result)[doc.path]
    assert cleaned.count(HEADLINE) == 1          # the <h1> stays, the <h2> goes
    assert "<h2>" not in cleaned and "<ol>\n  </ol>" in cleaned


def test_a_near_repeat_across_pages_is_found(in_tmp):
    edited = FILLER[7].replace("with heavy showers", "with very heavy showers")
    write(in_tmp / "news", {
        "a.html": page(f"<h1>{HEADLINE}</h1>", f"<p>{FILLER[4]}</p>", f"<p>{WIRE}</p>",
                       f"<p>{FILLER[7]}</p>"),
        "b.html": page("<h1>Another story entirely here</h1>", f"<p>{FILLER[5]}</p>",
                       f"<div><p>{WIRE}</p>\n<p>{edited}</p></div>")})
    result = api.scan([in_tmp / "news"], Config(glob="*.html"))
    assert {(r.removed, r.kept, r.kind) for r in result.removals.values()} == {
        (Ref(1, 2), Ref(0, 2), "exact"), (Ref(1, 3), Ref(0, 3), "near")}


def test_text_and_pages_given_together_are_each_read_as_what_they_are(in_tmp):
    (in_tmp / "a.txt").write_text(f"{HEADLINE}\n\n{FILLER[5]}\n\n{WIRE}\n", "utf-8")
    (in_tmp / "b.html").write_text(page(f"<p>{FILLER[6]}</p>", f"<p>{WIRE}</p>"), "utf-8")
    result = api.scan([in_tmp / "a.txt", in_tmp / "b.html"])
    assert [type(d).__name__ for d in result.documents] == ["Document", "Page"]
    (finding,) = result.findings
    assert result.documents[finding.doc].path == "b.html"


def test_pages_survive_pickling_as_pages(tmp_path):
    (tmp_path / "a.html").write_text(page(f"<p>{WIRE}</p>"), "utf-8")
    doc, _ = read_texts(tmp_path / "a.html", "a.html")
    again = pickle.loads(pickle.dumps(doc))
    assert type(again) is Page and again.paragraphs[0].text == WIRE
    assert type(read_document(tmp_path / "a.html", "a.html").unloaded()) is Page


# -- the no-loss plan -----------------------------------------------------------------------

def _corpus(folder: Path) -> Path:
    """Pages with repeats inside and across them, a whole-article copy and boilerplate."""
    pages = {}
    for k in range(6):
        body = [f"<h1>Story number {k} of the week</h1>", f"<p>{FILLER[k]}</p>",
                f"<p>{WIRE}</p>" if k % 2 else f"<p>{FILLER[(k + 3) % 10]}</p>",
                "<ul><li><p>Share this story</p></li></ul>",
                "<footer>Copyright The Daily Made-Up</footer>"]
        if k == 2:
            body.insert(2, f"<p>{FILLER[k]}</p>")            # pasted twice
        pages[f"day{k // 3}/p{k}.html"] = page(*body)
    pages["day1/copy.htm"] = page("<h1>Story number 1 of the week</h1>", f"<p>{FILLER[1]}</p>",
                                  f"<p>{WIRE}</p>")
    return write(folder, pages)


def test_every_removal_keeps_its_twin_in_the_written_pages(in_tmp):
    _corpus(in_tmp / "news")
    res = invoke("clean", "news", "--glob", "*.htm*", "--write", "--out", "out")
    assert res.exit_code == 0, res.output
    result = api.scan([in_tmp / "news"], Config(glob="*.htm*"))
    assert result.removals and violations(result, limit=10) == []
    dropped = {result.documents[d].path for d in result.dropped_articles()}
    assert dropped == {"news/day1/copy.htm"} and not (in_tmp / "out/day1/copy.htm").exists()
    written = {}
    for doc in result.documents:
        if doc.path not in dropped:
            out = in_tmp / "out" / Path(doc.path).relative_to("news")
            written[doc.path] = [p.text for p in read_document(out, doc.path).paragraphs]
    for ref, removal in result.removals.items():
        if removal.kind == "boilerplate":
            continue                             # page furniture: no twin to keep
        twin = result.documents[removal.kept.doc]
        assert twin.paragraphs[removal.kept.para].text in written[twin.path]
    # Every kept block is in its written page, in order; the removed ones are not.
    for i, doc in enumerate(result.documents):
        if doc.path not in dropped:
            assert written[doc.path] == [p.text for p in doc.paragraphs
                                         if p.index not in result.removed_in(i)]
    again = api.scan([in_tmp / "out"], Config(glob="*.htm*"))
    assert again.removals == {} and again.findings == [] and again.skipped == []


def test_clean_in_place_rewrites_a_page_and_keeps_its_original(in_tmp):
    markup = page(f"<h1>{HEADLINE}</h1>", f"<p>{WIRE}</p>", f"<p>{FILLER[7]}</p>",
                  f"<p>{WIRE}</p>")
    write(in_tmp / "news", {"a.html": markup})
    res = invoke("clean", "news", "--glob", "*.html", "--in-place")
    assert res.exit_code == 0, res.output
    assert (in_tmp / "news/a.html.orig").read_text("utf-8") == markup
    assert (in_tmp / "news/a.html").read_text("utf-8") == markup.replace(
        f"  <p>{WIRE}</p>\n", "", 2).replace(f"<h1>{HEADLINE}</h1>\n",
                                             f"<h1>{HEADLINE}</h1>\n  <p>{WIRE}</p>\n")


# -- bad input ---------------------------------------------------------------------------

def test_bad_pages_get_one_line_each_and_the_run_goes_on(in_tmp):
    write(in_tmp / "news", {
        "a.html": page(f"<p>{WIRE}</p>", "<p>Unclosed", "</div></p>", f"<p>{WIRE}</p>"),
        "b.html": page(f"<p>{FILLER[8]}</p>")})
    (in_tmp / "news/garbage.html").write_bytes(bytes(range(256)) * 8)
    (in_tmp / "news/undecodable.html").write_bytes(
        b"<html><body><p>" + bytes(range(128, 256)) * 3 + b"</p></body></html>")
    (in_tmp / "news/plain.html").write_bytes(b"Just some words.\n\nNo markup at all.\n")
    res = invoke("clean", "news", "--glob", "*.html", "--write", "--out", "out")
    assert res.exit_code == 0, res.output
    warnings = [line for line in res.stderr.splitlines() if line.startswith("dedup: warning")]
    assert warnings == [
        "dedup: warning: news/garbage.html: binary file (contains NUL bytes; for UTF-16 or "
        "UTF-32 without a byte order mark use --encoding)",
        "dedup: warning: news/plain.html: no text blocks in it (<p>, headings, list items, "
        "<div>, ...); its text is outside every HTML block",
        "dedup: warning: news/undecodable.html: not UTF-8 (invalid byte at 15) and no encoding "
        "fits it with confidence; use --encoding to force one",
        "dedup: warning: 3 files skipped: 1 binary, 1 encoding, 1 other"]
    # The readable pages were scanned and written; the unclosed <p> stays, the repeat goes.
    assert sorted(p.name for p in (in_tmp / "out").glob("*.html")) == ["a.html", "b.html"]
    cleaned = (in_tmp / "out/a.html").read_text("utf-8")
    assert cleaned.count(WIRE) == 1 and "<p>Unclosed\n" in cleaned
    assert invoke("scan", "news", "--glob", "*.html", "--strict").exit_code == 2


def test_a_declared_charset_decodes_a_page_that_is_not_utf8(tmp_path):
    markup = '<html><head><meta charset="iso-8859-1"></head><body><p>Caf\xe9 \u2014 na\xefve</p>'
    (tmp_path / "a.html").write_bytes(markup.encode("cp1252"))
    doc = read_document(tmp_path / "a.html", "a.html")
    assert doc.encoding == "cp1252" and doc.paragraphs[0].text == "Café — naïve"
    (tmp_path / "b.htm").write_bytes(
        '<meta http-equiv="Content-Type" content="text/html; charset=shift_jis"><p>\u6771\u4eac'
        '</p>'.encode("shift_jis"))
    doc = read_document(tmp_path / "b.htm", "b.htm")
    assert doc.encoding == "shift-jis" and doc.paragraphs[0].text == "\u6771\u4eac"


# -- check and index add ------------------------------------------------------------------

def test_index_add_stores_the_blocks_and_check_finds_repeats_in_pages(in_tmp):
    write(in_tmp / "archive", {"a.html": page(f"<h1>{HEADLINE}</h1>", f"<p>{WIRE}</p>",
                                              f"<p>{FILLER[9]}</p>")})
    res = invoke("index", "add", "archive", "--glob", "*.html", "--index", "i.db")
    assert res.exit_code == 0, res.output
    conn = sqlite3.connect(in_tmp / "i.db")
    stored = conn.execute("SELECT p.text, p.first_line FROM paragraphs p ORDER BY p.idx").fetchall()
    conn.close()
    assert stored == [(HEADLINE, 10), (WIRE, 11), (FILLER[9], 12)]
    write(in_tmp / "incoming", {"b.html": page("<h1>A different headline today</h1>",
                                               f"<p>{FILLER[0]}</p>", f"<p>{WIRE}</p>")})
    res = invoke("check", "incoming", "--glob", "*.html", "--index", "i.db", "--format", "json")
    assert res.exit_code == 1, res.output
    (finding,) = json.loads(res.stdout)["findings"]
    assert (finding["path"], finding["lines"]) == ("incoming/b.html", [12, 12])
    assert (finding["repeats"]["path"], finding["repeats"]["lines"]) == ("archive/a.html",
                                                                         [11, 11])


# -- the Dask engine -----------------------------------------------------------------------

def test_the_dask_engine_reads_and_writes_pages_as_the_local_engine(in_tmp):
    pytest.importorskip("distributed")
    from dedup.engines import engine_dask
    folder = _corpus(in_tmp / "news")
    cfg = Config(glob="*.htm*")
    local = api.scan([folder], cfg)
    api.write_cleaned(local, [folder], in_tmp / "local")
    with engine_dask.connect(workers=2) as client:
        run = engine_dask.scan(client, [folder], cfg)
        engine_dask.write_cleaned(client, run, in_tmp / "dask")
    assert run.result.removals == local.removals and run.result.findings == local.findings
    assert all(type(d) is Page for d in run.result.documents)

    def tree(root: Path) -> dict[str, bytes]:
        return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}
    assert tree(in_tmp / "dask") == tree(in_tmp / "local") != {}


def test_a_page_read_for_a_scan_knows_its_blocks_lines_without_reading_it_again(tmp_path):
    markup = page(f"<h1>{HEADLINE}</h1>", f"<p>{WIRE}</p>", "<p>Caf&eacute;\n  open</p>")
    (tmp_path / "a.html").write_text(markup, "utf-8")
    doc, texts = read_texts(tmp_path / "a.html", "a.html")
    assert texts == [HEADLINE, WIRE, "Café open"]
    assert [doc.line_span(i) for i in range(3)] == [(10, 10), (11, 11), (12, 13)]
    assert [doc.paragraph_bytes(i) for i in range(3)] == [len(t.encode()) for t in texts]
    assert not doc.loaded
    assert [doc.line_span(i) for i in range(3)] == [p.lines for p in doc.paragraphs]
