"""Every report format on one small made-up corpus whose repeats are known.

The corpus (all text invented for the tests) holds one repeat of each kind:

- ``a.txt``: a doubled title (exact, beside its twin);
- ``b.txt``: a near repeat of a paragraph of ``a.txt`` (one inserted word);
- ``c.txt``: two consecutive paragraphs of ``a.txt`` (a block across articles);
- ``x.txt``: a paragraph full of markup and script, repeated (exact);
- every file ends with the same footer (boilerplate in 6 files).
"""

from __future__ import annotations

import json
import re

import pytest
from typer.testing import CliRunner

from dedup import Config, scan_texts
from dedup.cli import app
from dedup.report import FORMATS, REPORT_FORMATS, render, write_reports
from dedup.report.interface import summary

P1 = ("Sweden's central bank raised its main interest rate by a quarter point on Tuesday, "
      "citing persistent inflation in services and housing costs.")
P1_NEAR = ("Sweden's central bank raised its main interest rate by a quarter point on Tuesday, "
           "citing persistent inflation in services and in housing costs.")
P2 = ("Analysts had expected the move after a string of strong employment reports and comments "
      "from several policymakers last month.")
P3 = ("Markets reacted calmly, with the currency little changed and government bond yields "
      "edging up in afternoon trading in London.")
FOOTER = "Follow us on social media"
INJECTION = ('A reader wrote <script>window.__pwned = 1; document.title = "pwned"</script> and '
             'then "><img src=x onerror="window.__pwned=2"> in the comment box of the site.')
ENDS = {
    "a": "Economists now expect one more increase before the summer break.",
    "b": "The decision was unanimous, according to minutes published later.",
    "c": "Exporters complained that a stronger currency would hurt their sales abroad.",
    "d": "Farmers in the north reported the worst harvest in a decade.",
    "e": "The museum will reopen its west wing after two years of repairs.",
    "x": "Moderators removed the comment within the hour, the site said.",
}


def _article(*paragraphs: str) -> str:
    return "\n\n".join(paragraphs) + "\n"


def corpus_texts() -> dict[str, str]:
    """The made-up corpus, ``name -> text`` (used by the browser tests too)."""
    return {
        "a.txt": _article("Rates rise again", "Rates rise again", P1, P2, P3, ENDS["a"], FOOTER),
        "b.txt": _article("Bank moves on rates", P1_NEAR, "A unique paragraph about something "
                          "else entirely, with enough words to matter here.", ENDS["b"], FOOTER),
        "c.txt": _article("Opening line of the third story with several words in it for context.",
                          P2, P3, ENDS["c"], FOOTER),
        "d.txt": _article("Story d has its own opening paragraph which is long enough to be "
                          "signed.", ENDS["d"], FOOTER),
        "e.txt": _article("Story e has its own opening paragraph which is long enough to be "
                          "signed too.", "More from e.", ENDS["e"], FOOTER),
        "x.txt": _article('Injection test <b>bold</b> & "quotes"', INJECTION, INJECTION,
                          ENDS["x"], FOOTER),
    }


# b.txt holds a near copy of a.txt's opening in another story: the formats
# show near findings, so the corpus is scanned with near copies across
# stories removed (Config.near_context off; by default they need context).
FORMAT_CONFIG = {"jobs": 1, "near_context": False}


@pytest.fixture(scope="module")
def result():
    return scan_texts(corpus_texts(), Config(**FORMAT_CONFIG))


def test_the_corpus_has_one_repeat_of_each_kind(result):
    docs = result.documents
    got = sorted((docs[f.doc].path, f.kind, docs[f.kept_doc].path) for f in result.findings)
    assert got == [
        ("a.txt", "boilerplate", "a.txt"),
        ("a.txt", "exact", "a.txt"),
        ("b.txt", "boilerplate", "a.txt"),
        ("b.txt", "near", "a.txt"),
        ("c.txt", "block", "a.txt"),
        ("c.txt", "boilerplate", "a.txt"),
        ("d.txt", "boilerplate", "a.txt"),
        ("e.txt", "boilerplate", "a.txt"),
        ("x.txt", "boilerplate", "a.txt"),
        ("x.txt", "exact", "x.txt"),
    ]


def test_every_format_is_registered_and_html_is_written_with_the_report():
    assert set(FORMATS) >= {"text", "json", "markdown", "html"}
    assert "html" in REPORT_FORMATS
    assert FORMATS["html"].filename == "report.html"


def test_write_reports_writes_html_json_and_markdown(result, tmp_path):
    written = write_reports(result, tmp_path / "reports")
    assert sorted(p.name for p in written) == ["report.html", "report.json", "report.md"]
    html = (tmp_path / "reports" / "report.html").read_text("utf-8")
    assert html.startswith("<!DOCTYPE html>")


# -- text ---------------------------------------------------------------------------

def test_text_names_each_finding_and_the_totals(result):
    out = render(result, "text")
    assert "a.txt\n  line 3 repeats line 1 (exact, score 100.0)" in out
    assert re.search(r"b\.txt\n  line 3 repeats a\.txt line 5 \(near, score 9\d\.\d\)", out)
    assert "c.txt\n  lines 3-5 repeat a.txt lines 7-9 (block of 2 paragraphs, exact" in out
    assert '"Follow us on social media" in 6 files, 6 removed' in out
    s = summary(result)
    assert out.rstrip().endswith(
        f"{s['files']} files, {s['paragraphs']} paragraphs: {s['removed']} repeated paragraphs "
        f"(exact 4, near 1, boilerplate 6) in {s['findings']} findings across "
        f"{s['files_changed']} files; 0 files skipped")


# -- json ---------------------------------------------------------------------------

def test_json_holds_every_removal_with_what_it_repeats(result):
    data = json.loads(render(result, "json"))
    assert data["schema"] == "dedup.scan"
    assert data["summary"] == json.loads(json.dumps(summary(result)))
    assert data["settings"]["near_threshold"] == 90.0
    by_path = {f["path"]: f for f in data["files"]}
    near = [f for f in by_path["b.txt"]["findings"] if f["kind"] == "near"][0]
    assert near["repeats"] == {"path": "a.txt", "lines": [5, 5]}
    assert 90 <= near["score"] < 100
    block = [f for f in by_path["c.txt"]["findings"] if f["kind"] == "block"][0]
    assert block["lines"] == [3, 5] and block["repeats"] == {"path": "a.txt", "lines": [7, 9]}
    assert [p["repeats"]["lines"] for p in block["paragraphs"]] == [[7, 7], [9, 9]]
    assert data["boilerplate"][0]["text"] == FOOTER and data["boilerplate"][0]["files"] == 6
    assert [o["path"] for o in data["boilerplate"][0]["occurrences"]] == [
        "a.txt", "b.txt", "c.txt", "d.txt", "e.txt", "x.txt"]


# -- markdown -----------------------------------------------------------------------

def test_markdown_has_a_section_and_a_diff_per_changed_file(result):
    out = render(result, "markdown")
    assert out.startswith("# dedup report\n")
    assert "repeated paragraphs removed: 11 (exact 4, near 1, boilerplate 6)" in out
    for name in ("a.txt", "b.txt", "c.txt", "x.txt"):
        assert f"## {name}\n" in out
    assert "```diff\n--- a.txt\n+++ a.txt\n" in out
    assert "-Rates rise again" in out
    assert "**near**, repeats `a.txt` line 5" in out


# -- html (the page in depth: test_report_html.py; in a browser: test_browser.py) ----

def test_html_shows_summary_and_each_removal_with_its_reason(result):
    page = render(result, "html")
    s = summary(result)
    assert f"<title>dedup report: {s['removed']} repeated paragraphs in {s['files_changed']} of " \
           f"{s['files']} files</title>" in page
    # every removed paragraph has a row, with its kind and a link to its kept twin
    for ref, removal in result.removals.items():
        row = re.search(rf'<div class="row del" id="p{ref.doc}-{ref.para}" '
                        rf'data-kind="{removal.kind}">(.*?)</div></div>', page, re.S)
        assert row, (ref, removal)
    near_row = re.search(r'id="p1-1" data-kind="near">.*?</code>', page, re.S).group()
    assert "score 98" in near_row or "score 99" in near_row
    assert 'repeats <a class="ref" href="#p0-2">a.txt, line 5</a>' in near_row
    # the inserted word is marked in the removed text
    assert '<mark class="dw">in</mark> housing' in near_row
    assert "dedup explain b.txt:3 a.txt:5" in near_row
    # boilerplate is listed with its count; the cross-article cluster with its members
    assert re.search(r'<tr id="bp0" class="k-row" data-kind="boilerplate"><td class="bp-text">'
                     r'Follow us on social media</td><td class="num">6</td>', page)
    assert "Cross-article repeats <span class=\"count\">3 clusters</span>" in page
    # article text is escaped, never markup
    assert "<script>window" not in page and "<img" not in page
    assert "&lt;script&gt;window.__pwned = 1; document.title = &quot;pwned&quot;&lt;/script&gt;" \
        in page


# -- explain ------------------------------------------------------------------------

@pytest.fixture
def corpus_dir(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name, text in corpus_texts().items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def test_explain_a_near_repeat(corpus_dir):
    out = CliRunner().invoke(app, ["explain", "b.txt:3", "a.txt:5"])
    assert out.exit_code == 0, out.output
    text = out.output
    assert "A: b.txt:3\nB: a.txt:5\n" in text
    assert "normalised A (144 chars, 23 words):\n  sweden's central bank raised its main" in text
    assert re.search(r"shingle Jaccard \(5-char shingles\): exact 0\.\d+, MinHash estimate 0\.\d+ "
                     r"\(64 permutations\)", text)
    assert "these two share a band: yes" in text
    assert re.search(r"fuzzy score \(rapidfuzz fuzz\.ratio\): 9\d\.\d; threshold "
                     r"\(near_threshold\): 90", text)
    assert "verification: near" in text
    assert "  - word 21: 'in' only in A" in text
    assert text.rstrip().splitlines()[-1].startswith("REPEAT (near repeat: similarity")


def test_explain_uses_the_configuration_like_scan(corpus_dir):
    (corpus_dir / "dedup.toml").write_text("near_threshold = 99.5\n")
    out = CliRunner().invoke(app, ["explain", "b.txt:3", "a.txt:5"])
    assert out.exit_code == 0, out.output
    assert "threshold (near_threshold): 99.5" in out.output
    assert "NOT A REPEAT: similarity" in out.output
    # and the command line wins over the file, as for scan
    out = CliRunner().invoke(app, ["explain", "b.txt:3", "a.txt:5", "--threshold", "90"])
    assert out.output.rstrip().splitlines()[-1].startswith("REPEAT")


def test_explain_exact_and_unrelated_pairs(corpus_dir):
    out = CliRunner().invoke(app, ["explain", "a.txt:1", "a.txt:3"])
    assert "REPEAT (exact): the normalised texts are equal" in out.output
    assert "fewer than 10 words (short_words)" in out.output
    out = CliRunner().invoke(app, ["explain", "a.txt:7", "d.txt:1"])
    last = out.output.rstrip().splitlines()[-1]
    assert last.startswith("NOT A REPEAT: similarity") and "< 90" in last


def test_explain_a_fact_change_is_not_a_repeat(corpus_dir):
    (corpus_dir / "f.txt").write_text(P1.replace("Tuesday", "Wednesday").replace(
        "a quarter point", "half a point") + "\n")
    out = CliRunner().invoke(app, ["explain", "f.txt:1", "a.txt:5"])
    assert out.exit_code == 0
    assert "NOT A REPEAT" in out.output
    assert "'quarter' -> 'half'" in out.output or "quarter" in out.output


def test_explain_json(corpus_dir):
    out = CliRunner().invoke(app, ["explain", "b.txt:3", "a.txt:5", "--format", "json"])
    data = json.loads(out.output)
    assert data["repeats"] is True and data["threshold"] == 90.0
    assert data["a"]["lines"] == [3, 3] and data["b"]["path"] == "a.txt"
    assert data["differences"] == [{"tag": "delete", "a": "in", "b": "",
                                    "a_words": [20, 21], "b_words": [20, 20]}]
    assert 0.5 < data["jaccard_exact"] <= 1 and data["lsh"]["candidate"] is True


@pytest.mark.parametrize("args, message", [
    (["a.txt", "a.txt:3"], "expected FILE:LINE"),
    (["a.txt:2", "a.txt:3"], "a blank line, not a paragraph"),
    (["a.txt:99", "a.txt:3"], "the file has 13 lines"),
    (["nope.txt:1", "a.txt:3"], "no such file: nope.txt"),
])
def test_explain_refuses_what_is_not_a_paragraph(corpus_dir, args, message):
    out = CliRunner().invoke(app, ["explain", *args])
    assert out.exit_code == 2
    assert message in out.output
