"""The shipped samples have one known answer; the library and the CLI must give exactly it.

In 002_... lines 11-19 repeat lines 2-10 (one block of nine exact copies); in
004_... line 3 repeats line 1 (a doubled title). Nothing else: no repeat across
articles, and paragraphs 1 and 4 of 000_... (line 1 and line 7) are paraphrases
of each other and stay.
"""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from dedup import Config, cleaned, scan
from dedup.cli import app

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
F002 = "002_26a858c8e60dbca3.txt"
F004 = "004_1012ce00a13dd71a.txt"
F000 = "000_4eef8a1717edfbee.txt"

# (file, removed lines, kind, repeated file, repeated lines)
EXPECTED = {
    (F002, (11, 19), "block", F002, (2, 10)),
    (F004, (3, 3), "exact", F004, (1, 1)),
}


def _library_findings(result) -> set[tuple]:
    docs = result.documents
    out = set()
    for f in result.findings:
        removed = docs[f.doc].paragraphs
        kept = docs[f.kept_doc].paragraphs
        out.add((Path(docs[f.doc].path).name,
                 (removed[f.first].first_line, removed[f.last].last_line), f.kind,
                 Path(docs[f.kept_doc].path).name,
                 (kept[f.kept_first].first_line, kept[f.kept_last].last_line)))
    return out


def test_samples_folder_holds_the_five_known_files():
    assert sorted(p.name for p in SAMPLES.glob("*.txt")) == [
        F000, "001_1b829af8b3b336bb.txt", F002, "003_737bb60475602ee2.txt", F004]


def test_library_finds_exactly_the_known_repeats():
    result = scan([SAMPLES], Config(jobs=1))
    assert _library_findings(result) == EXPECTED
    assert result.skipped == []


def test_library_block_in_002_is_nine_exact_paragraphs_each_repeating_its_twin():
    result = scan([SAMPLES], Config(jobs=1))
    docs = result.documents
    (block,) = [f for f in result.findings if f.kind == "block"]
    assert Path(docs[block.doc].path).name == F002
    assert block.doc == block.kept_doc
    assert [r.kind for r in block.removals] == ["exact"] * 9
    # paragraph per line: line n+9 repeats line n for n = 2..10
    pairs = [(result.paragraph(r.removed).first_line, result.paragraph(r.kept).first_line)
             for r in block.removals]
    assert pairs == [(n + 9, n) for n in range(2, 11)]
    assert block.score == 100.0


def test_library_removes_nothing_else():
    result = scan([SAMPLES], Config(jobs=1))
    docs = result.documents
    removed = {(Path(docs[ref.doc].path).name, result.paragraph(ref).first_line)
               for ref in result.removals}
    assert removed == {(F002, line) for line in range(11, 20)} | {(F004, 3)}
    assert result.boilerplate == []


def test_paraphrased_paragraphs_of_000_both_stay():
    result = scan([SAMPLES], Config(jobs=1))
    (doc_no,) = [i for i, d in enumerate(result.documents) if Path(d.path).name == F000]
    assert result.removed_in(doc_no) == set()
    text = cleaned(result)[result.documents[doc_no].path]
    assert text == (SAMPLES / F000).read_text("utf-8")


def test_cli_json_gives_exactly_the_known_findings():
    res = CliRunner().invoke(app, ["scan", str(SAMPLES), "--format", "json", "--jobs", "1"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["schema"] == "dedup.scan"
    got = set()
    for file in data["files"]:
        for f in file["findings"]:
            got.add((Path(file["path"]).name, tuple(f["lines"]), f["kind"],
                     Path(f["repeats"]["path"]).name, tuple(f["repeats"]["lines"])))
    assert got == EXPECTED
    assert data["summary"]["removed"] == 10
    assert data["summary"]["files"] == 5
    assert data["boilerplate"] == []


def test_cli_json_block_lists_its_nine_paragraphs():
    res = CliRunner().invoke(app, ["scan", str(SAMPLES), "--format", "json", "--jobs", "1"])
    data = json.loads(res.stdout)
    (file,) = [f for f in data["files"] if Path(f["path"]).name == F002]
    (finding,) = file["findings"]
    assert [(p["lines"], p["kind"], p["repeats"]["lines"]) for p in finding["paragraphs"]] == [
        ([n + 9, n + 9], "exact", [n, n]) for n in range(2, 11)]
    assert file["removed"] == 9


def test_cli_text_output_names_the_two_findings():
    res = CliRunner().invoke(app, ["scan", str(SAMPLES), "--jobs", "1"])
    assert res.exit_code == 0
    assert "lines 11-19 repeat lines 2-10" in res.stdout
    assert "line 3 repeats line 1" in res.stdout
