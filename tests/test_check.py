"""``dedup check``: decisions (the same as ``scan``), exit codes, every output
format, ``--add`` and baselines. Every article here is made up."""

from __future__ import annotations

import json
import random
import re
from collections import Counter
from types import SimpleNamespace
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from dedup import Config, scan_texts
from dedup.gate.check import Baseline, _outside, check_texts, shortlist
from dedup.cli import app
from dedup.gate.index import Index

from test_index import consistent, fake_articles, write_files

COPIED = ("Rescue teams in the northern province pulled 14 survivors from the rubble of a "
          "collapsed apartment block on Thursday, while officials said at least 37 people were "
          "still missing after the overnight earthquake.")
COPIED_NEXT = ("Aid agencies warned that freezing temperatures in the mountain valleys would "
               "make the search harder, and appealed for tents, blankets and generators to be "
               "flown in before the weekend.")
NEAR = COPIED.replace("pulled 14 survivors", "rescued 14 survivors").replace(
    "Thursday", "Thursday morning")


def invoke(*args):
    return CliRunner().invoke(app, [str(a) for a in args])


def archive_and_new(h) -> dict[str, str]:
    """archive/: quake.txt holds COPIED then COPIED_NEXT, other.txt neither.
    new/: copy.txt repeats both as a block, clean.txt repeats nothing."""
    f = h.filler
    return {
        "archive/quake.txt": h.article("Quake Toll Rises In The North", COPIED, COPIED_NEXT, f[0]),
        "archive/other.txt": h.article("Ferry Timetable Extended", f[1], f[2], f[3]),
        "new/copy.txt": h.article("Survivors Found After Earthquake", f[4], COPIED, COPIED_NEXT),
        "new/clean.txt": h.article("Library Lends Tools", f[5], f[6]),
    }


@pytest.fixture
def setup(in_tmp, h) -> Path:
    """The files of :func:`archive_and_new`, archive/ indexed in ix.db."""
    write_files(in_tmp, archive_and_new(h))
    res = invoke("index", "add", "archive", "--index", "ix.db")
    assert res.exit_code == 0, res.output
    return in_tmp


# -- exit codes ----------------------------------------------------------------

def test_exit_codes(setup):
    res = invoke("check", "new/clean.txt", "--index", "ix.db")
    assert res.exit_code == 0, res.output
    assert res.stdout.startswith("ok:")
    res = invoke("check", "new", "--index", "ix.db")
    assert res.exit_code == 1, res.output
    assert ("new/copy.txt:lines 5-7: 2 paragraphs repeat archive/quake.txt lines 3-5 "
            "from the index") in res.stdout
    assert res.stdout.splitlines()[-1].startswith("FAIL: 2 repeated paragraphs in 1 of 2 files")
    assert invoke("check", "nowhere", "--index", "ix.db").exit_code == 2
    assert invoke("check", "new", "--index", "missing.db").exit_code == 2
    assert invoke("check", "new", "--index", "ix.db", "--format", "yaml").exit_code == 2


def test_repeats_inside_and_among_new_articles(setup, h):
    f = h.filler
    write_files(setup, {
        "fresh/a.txt": h.article("Harbour Strike Ends", "Harbour Strike Ends", f[7], f[8]),
        "fresh/b.txt": h.article("Dockers Return To Work", f[9], f[7]),
    })
    res = invoke("check", "fresh", "--index", "ix.db", "--format", "json")
    assert res.exit_code == 1
    data = json.loads(res.stdout)
    found = {(p["path"], p["lines"][0], p["repeats"]["path"], p["repeats"]["lines"][0],
              p["repeats"]["in_index"])
             for finding in data["findings"] for p in finding["paragraphs"]}
    assert found == {("fresh/a.txt", 3, "fresh/a.txt", 1, False),     # a doubled title
                     ("fresh/b.txt", 5, "fresh/a.txt", 5, False)}     # across new articles


def test_near_repeat_of_the_index(setup, h):
    (setup / "new/near.txt").write_text(h.article("Earthquake Update", h.filler[8], NEAR))
    res = invoke("check", "new/near.txt", "--index", "ix.db")
    assert res.exit_code == 1, res.output
    assert "new/near.txt:line 5: repeats archive/quake.txt line 3 from the index (near" in res.stdout


def test_a_new_version_of_a_stored_file_is_not_its_own_repeat(setup):
    # Checking an article already ingested (same path) compares it with the rest only.
    res = invoke("check", "archive/quake.txt", "--index", "ix.db")
    assert res.exit_code == 0, res.output


def test_same_decisions_as_scan(tmp_path, h):
    """Over made-up articles with copies, near copies and blocks, the repeats a check
    reports for the new articles are the removals scan makes in them."""
    archive = fake_articles(40, seed=21, paragraphs=6)
    new = fake_articles(12, seed=22, prefix="zz-new", paragraphs=5)
    names = list(archive)
    for i, name in enumerate(list(new)):
        paras = new[name].strip().split("\n\n")
        src = archive[names[(7 * i) % len(names)]].strip().split("\n\n")
        if i % 3 == 0:
            paras[1:1] = src[2:5]                          # a block
        elif i % 3 == 1:
            words = src[1].split()
            words[3] = "lighthouse"
            paras.insert(2, " ".join(words))               # a near copy
        else:
            paras.insert(0, paras[0])                      # a doubled paragraph
        if i == 5:
            paras.append(new["zz-new/0000.txt"].split("\n\n")[3].strip())  # across new ones
        new[name] = "\n\n".join(paras) + "\n"
    cfg = Config()
    full = scan_texts({**archive, **new}, cfg)
    docs = full.documents

    def para(ref):
        return docs[ref.doc].paragraphs[ref.para]

    expected = {(docs[ref.doc].path, para(ref).first_line, r.kind, docs[r.kept.doc].path,
                 para(r.kept).first_line)
                for ref, r in full.removals.items()
                if docs[ref.doc].path.startswith("zz-new/") and r.kind != "boilerplate"}
    with Index(tmp_path / "i.db", cfg, create=True) as idx:
        idx.add_texts(archive)
        report = check_texts(idx, new, cfg)
    got = {(r.path, r.first_line, r.kind, r.kept_path, r.kept_first_line) for r in report.repeats}
    assert len(expected) > 12
    assert got == expected


@pytest.mark.parametrize("seed", range(5))
def test_shortlist_ranks_by_keys_shared_then_ingestion(seed):
    """The shortlist against a plain count: for each signed new paragraph,
    the stored paragraphs sharing the most of its keys, earliest first among
    equals. Keys are drawn from a small pool, so new paragraphs share keys
    with each other and counts tie often."""
    rng = random.Random(seed)
    rows = np.array([-1, 0, 1, -1, 2, 3, 4, -1, 5], dtype=np.int64)
    new = SimpleNamespace(signature_row=rows)
    signed = np.flatnonzero(rows >= 0)
    pool = [rng.randrange(-2**63, 2**63) for _ in range(25)]
    new_keys = np.array([[rng.choice(pool + [0]) for _ in range(5)] for _ in signed],
                        dtype=np.int64)
    pairs = sorted({(rng.choice(pool), rng.randrange(1, 40)) for _ in range(150)})
    expected = {}
    for flat, keys in zip(signed.tolist(), new_keys.tolist()):
        shared = Counter(pid for key in keys if key for k, pid in pairs if k == key)
        if shared:
            expected[flat] = sorted(shared, key=lambda pid: (-shared[pid], pid))[:3]
    assert shortlist(pairs, new, new_keys, per_paragraph=3) == expected
    assert shortlist(np.array(pairs, dtype=np.int64), new, new_keys, 3) == expected
    assert shortlist([], new, new_keys) == {}


def test_ids_outside_the_files_being_replaced():
    ids = np.array([1, 4, 5, 9, 10, 11, 20, 30], dtype=np.int64)
    ranges = [(4, 6), (10, 12), (30, 31)]        # [first, end): files checked again
    assert ids[_outside(ids, ranges)].tolist() == [1, 9, 20]
    assert _outside(ids, []).all()
    assert len(_outside(np.zeros(0, dtype=np.int64), ranges)) == 0

def test_boilerplate_does_not_block(tmp_path, h):
    footer = "Follow us for more news"
    archive = {f"arch/{i}.txt": h.article(h.filler[i % 10][:90] + f" story {i} words here.",
                                          h.filler[(i + 3) % 10].replace("the", f"the{i}"), footer)
               for i in range(8)}
    with Index(tmp_path / "i.db", Config(), create=True) as idx:
        idx.add_texts(archive)
        report = check_texts(idx, {"new/x.txt": h.article(
            "An entirely new headline for a new story",
            "Volunteers repainted the old lighthouse on the north pier over the weekend, "
            "finishing the work just before the autumn gales arrived along the coast.", footer)})
    assert report.passed
    assert [(r.path, r.first_line) for r in report.boilerplate] == [("new/x.txt", 5)]


# -- formats -------------------------------------------------------------------

_ANNOTATION = re.compile(r"^::(warning|notice|error) file=[^,]+,line=\d+,endLine=\d+"
                         r"(,title=[^:]*)?::.+$")


def test_format_json(setup):
    res = invoke("check", "new", "--index", "ix.db", "-f", "json")
    assert res.exit_code == 1
    data = json.loads(res.stdout)
    assert data["schema"] == "dedup.check" and data["passed"] is False
    assert data["summary"]["repeated"] == 2 and data["summary"]["files"] == 2
    finding = data["findings"][0]
    assert finding["kind"] == "block" and finding["lines"] == [5, 7]
    assert finding["repeats"] == {"path": "archive/quake.txt", "lines": [3, 5], "in_index": True}
    assert data["index"]["files"] == 2


def test_format_github(setup):
    res = invoke("check", "new", "--index", "ix.db", "--format", "github")
    assert res.exit_code == 1
    lines = res.stdout.splitlines()
    annotations = [line for line in lines if line.startswith("::")]
    assert annotations and all(_ANNOTATION.match(line) for line in annotations), annotations
    assert annotations[0].startswith("::error file=new/copy.txt,line=5,endLine=7,")
    assert "archive/quake.txt lines 3-5" in annotations[0]


def test_github_escapes_values():
    from dedup.checkfmt.github import annotation
    line = annotation("warning", "a,b:c.txt", 1, 2, "t: x", "50% done\nnext")
    assert line == "::warning file=a%2Cb%3Ac.txt,line=1,endLine=2,title=t%3A x::50%25 done%0Anext"


def test_format_junit(setup):
    res = invoke("check", "new", "--index", "ix.db", "--format", "junit")
    assert res.exit_code == 1
    root = ET.fromstring(res.stdout.encode("utf-8"))
    suite = root.find("testsuite")
    assert suite.get("tests") == "2" and suite.get("failures") == "1"
    cases = {c.get("name"): c for c in suite.iter("testcase")}
    assert set(cases) == {"new/copy.txt", "new/clean.txt"}
    failure = cases["new/copy.txt"].find("failure")
    assert failure is not None and "archive/quake.txt" in failure.text
    assert cases["new/clean.txt"].find("failure") is None


def test_format_sarif(setup):
    res = invoke("check", "new", "--index", "ix.db", "--format", "sarif", "--output", "out.sarif")
    assert res.exit_code == 1
    data = json.loads((setup / "out.sarif").read_text())
    assert data["version"] == "2.1.0" and "sarif" in data["$schema"]
    run = data["runs"][0]
    assert run["tool"]["driver"]["name"] == "dedup"
    rule_ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    (result,) = run["results"]
    assert result["ruleId"] in rule_ids
    assert rule_ids[result["ruleIndex"]] == result["ruleId"]
    region = result["locations"][0]["physicalLocation"]["region"]
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "new/copy.txt"
    assert (region["startLine"], region["endLine"]) == (5, 7)
    related = result["relatedLocations"][0]["physicalLocation"]
    assert related["artifactLocation"]["uri"] == "archive/quake.txt"
    assert result["message"]["text"] and result["partialFingerprints"]


def test_formats_when_nothing_repeats(setup):
    for fmt in ("text", "json", "github", "junit", "sarif"):
        res = invoke("check", "new/clean.txt", "--index", "ix.db", "--format", fmt)
        assert res.exit_code == 0, (fmt, res.output)
    assert json.loads(invoke("check", "new/clean.txt", "--index", "ix.db", "-f", "sarif")
                      .stdout)["runs"][0]["results"] == []


def test_whole_article_repeat_is_one_finding(setup, h):
    (setup / "new/wire.txt").write_text((setup / "archive/quake.txt").read_text())
    res = invoke("check", "new/wire.txt", "--index", "ix.db", "--format", "github")
    assert res.exit_code == 1
    annotations = [line for line in res.stdout.splitlines() if line.startswith("::")]
    assert len(annotations) == 1
    assert annotations[0].startswith("::error file=new/wire.txt,line=1,endLine=7,")
    assert "already ingested as archive/quake.txt (the same bytes, 100%25 of its text" \
        in annotations[0]


# -- --add ---------------------------------------------------------------------

def test_add_only_when_the_check_passes(setup):
    before = consistent(setup / "ix.db")
    res = invoke("check", "new", "--index", "ix.db", "--add")
    assert res.exit_code == 1
    assert consistent(setup / "ix.db") == before
    res = invoke("check", "new/clean.txt", "--index", "ix.db", "--add")
    assert res.exit_code == 0, res.output
    assert "index: added 1 files" in res.stdout
    assert consistent(setup / "ix.db")["files"] == before["files"] + 1
    # Checking it again: it is in the index under its own path, so it passes;
    # and adding it again changes nothing (same path, same bytes).
    assert invoke("check", "new/clean.txt", "--index", "ix.db").exit_code == 0
    assert "unchanged 1" in invoke("index", "add", "new/clean.txt", "--index", "ix.db").stdout
    # And a copy of it under another path is now a repeat.
    (setup / "copy2.txt").write_text((setup / "new/clean.txt").read_text())
    res = invoke("check", "copy2.txt", "--index", "ix.db")
    assert res.exit_code == 1 and "new/clean.txt" in res.stdout


def test_strict_fails_on_a_skipped_file_and_adds_nothing(setup):
    """A gate that lets an article it could not read through has not checked
    it: with --strict a skipped file (here binary) makes the check exit 2
    before anything is checked or added; without it, a warning."""
    (setup / "new" / "blob.txt").write_bytes(b"\x00\x01binary\x00")
    before = consistent(setup / "ix.db")
    res = invoke("check", "new/clean.txt", "new/blob.txt", "--index", "ix.db")
    assert res.exit_code == 0, res.output
    assert "dedup: warning: new/blob.txt: binary file" in res.output
    res = invoke("check", "new/clean.txt", "new/blob.txt", "--index", "ix.db", "--strict",
                 "--add")
    assert res.exit_code == 2, res.output
    assert "--strict: 1 file skipped: 1 binary; nothing checked or added" in res.output
    assert consistent(setup / "ix.db") == before
    res = invoke("check", "new/clean.txt", "--index", "ix.db", "--strict", "--add")
    assert res.exit_code == 0, res.output
    assert consistent(setup / "ix.db")["files"] == before["files"] + 1


def test_add_creates_a_missing_index(in_tmp, h):
    write_files(in_tmp, {"a.txt": h.article("Title Of The Piece", h.filler[0])})
    res = invoke("check", "a.txt", "--index", "sub/ix.db", "--add")
    assert res.exit_code == 0, res.output
    assert consistent(in_tmp / "sub/ix.db")["files"] == 1


# -- baselines -----------------------------------------------------------------

def test_baseline_accepts_known_repeats(setup, h):
    res = invoke("check", "new", "--index", "ix.db", "--write-baseline", "accepted.json")
    assert res.exit_code == 0, res.output
    data = json.loads((setup / "accepted.json").read_text())
    assert data["schema"] == "dedup.baseline" and len(data["accepted"]) == 2
    assert {e["path"] for e in data["accepted"]} == {"new/copy.txt"}
    res = invoke("check", "new", "--index", "ix.db", "--baseline", "accepted.json")
    assert res.exit_code == 0, res.output
    assert "2 accepted by the baseline" in res.stdout
    # Lines shift: the entries still match (keyed by text, not lines).
    copy = setup / "new/copy.txt"
    copy.write_text(h.article("An Extra Opening Paragraph Was Added Here", h.filler[9])
                    + copy.read_text())
    res = invoke("check", "new", "--index", "ix.db", "--baseline", "accepted.json")
    assert res.exit_code == 0, res.output
    # A new repeat is not covered.
    (setup / "new/near.txt").write_text(h.article("Earthquake Update", h.filler[8], NEAR))
    res = invoke("check", "new", "--index", "ix.db", "--baseline", "accepted.json")
    assert res.exit_code == 1
    blocking = [line for line in res.stdout.splitlines() if "repeat" in line
                and "accepted" not in line and not line.startswith("FAIL")]
    assert blocking and all(line.startswith("new/near.txt:") for line in blocking), blocking


def test_baseline_is_keyed_by_file(setup):
    invoke("check", "new", "--index", "ix.db", "--write-baseline", "accepted.json")
    (setup / "new/copy2.txt").write_text((setup / "new/copy.txt").read_text())
    res = invoke("check", "new", "--index", "ix.db", "--baseline", "accepted.json")
    assert res.exit_code == 1 and "new/copy2.txt" in res.stdout


def test_bad_baseline_is_an_error(setup):
    (setup / "bad.json").write_text("{not json")
    res = invoke("check", "new", "--index", "ix.db", "--baseline", "bad.json")
    assert res.exit_code == 2 and "not valid JSON" in res.stderr
    (setup / "other.json").write_text('{"schema": "something else"}')
    res = invoke("check", "new", "--index", "ix.db", "--baseline", "other.json")
    assert res.exit_code == 2 and "not a dedup baseline" in res.stderr


def test_baseline_round_trip():
    entries = {("a.txt", "00ff", "11ee"): {"path": "a.txt", "paragraph": "00ff", "kept": "11ee"}}
    text = Baseline(entries).dumps()
    data = json.loads(text)
    assert data["accepted"] == [{"path": "a.txt", "paragraph": "00ff", "kept": "11ee"}]
