"""The CI gate holds (issue 25): the same answers from any working folder, no
republished article passes, files already in the index, JSON Lines input,
``--quiet``, annotation levels, two processes checking and adding at once, and
the Python API of docs/ci.md. Every article here is made up, except in the
end-to-end run on BBC, which reads the corpus in place."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import dedup
from dedup.checkfmt import render
from dedup.cli import app

from test_index import REPO, consistent, fake_articles, write_files

REUSED = ("The council voted on Tuesday to rebuild the harbour wall that the winter storms "
          "damaged, at a cost of four million pounds raised from the port levy.")
REUSED_NEXT = ("Engineers expect the work to start in the spring and to take eight months, "
               "during which the fishing fleet will moor at the northern quay instead.")


def invoke(*args):
    return CliRunner().invoke(app, [str(a) for a in args])


def check_json(*args) -> tuple[int, dict]:
    res = invoke("check", *args, "--format", "json")
    assert res.exit_code in (0, 1), res.output
    return res.exit_code, json.loads(res.stdout)


def findings(data: dict) -> list:
    """A check's findings in a form that does not depend on timing."""
    out = [("paragraph", f["path"], f["lines"], f["kind"], f["repeats"]["path"],
            f["repeats"]["lines"]) for f in data["findings"]]
    out += [("article", a["path"], a["relation"], a["repeats"]["path"], a["identical"])
            for a in data["articles"]]
    out += [("indexed", p) for p in data["already_indexed"]]
    return sorted(out, key=repr)


@pytest.fixture
def repo(in_tmp, h) -> Path:
    """archive/ indexed in .dedup/index.db (created at the top), incoming/ with a
    reuse of two archive paragraphs, a republished article and a fresh one."""
    f = h.filler
    republished = "\n\n".join([
        "Storm-hit harbour will get its wall back",
        # the archive article's paragraphs, joined and split differently
        REUSED + " " + REUSED_NEXT,
        f[0] + " " + f[1],
    ]) + "\n"
    write_files(in_tmp, {
        "archive/harbour.txt": h.article("Harbour Wall To Be Rebuilt", REUSED, REUSED_NEXT,
                                         f[0], f[1]),
        "archive/other.txt": h.article("Ferry Timetable Extended", f[2], f[3], f[4]),
        "incoming/reuse.txt": h.article("Port Levy Pays For Repairs", f[5], REUSED,
                                        REUSED_NEXT),
        "incoming/republished.txt": republished,
        "incoming/fresh.txt": h.article("Library Lends Tools", f[6], f[7]),
    })
    res = invoke("index", "add", "archive")
    assert res.exit_code == 0, res.output
    return in_tmp


# -- the same answers from any folder ---------------------------------------------

def test_paths_and_answers_do_not_depend_on_the_working_folder(repo, monkeypatch):
    code_top, top = check_json("incoming")
    monkeypatch.chdir(repo / "incoming")
    code_in, inside = check_json(".", "--index", "../.dedup/index.db")
    monkeypatch.chdir(repo / "archive")
    code_arch, from_archive = check_json("../incoming", "--index", "../.dedup/index.db")
    assert code_top == code_in == code_arch == 1
    assert findings(top) == findings(inside) == findings(from_archive)
    paths = {f[1] for f in findings(top)}
    assert paths == {"incoming/reuse.txt", "incoming/republished.txt"}
    kept = {f[4] if f[0] == "paragraph" else f[3] for f in findings(top)}
    assert kept == {"archive/harbour.txt"}


def test_the_archive_checked_from_inside_is_already_indexed(repo, monkeypatch):
    monkeypatch.chdir(repo / "archive")
    res = invoke("check", ".", "--index", "../.dedup/index.db")
    assert res.exit_code == 0, res.output
    lines = res.stdout.splitlines()
    # Named from the root, whatever the working folder.
    assert "archive/harbour.txt: already indexed (the same path and bytes); not checked" in lines
    assert "repeats" not in res.stdout and "ingested" not in res.stdout
    assert res.stdout.splitlines()[-1].startswith("ok:")


def test_an_edited_file_under_a_stored_path_is_a_new_version(repo):
    path = repo / "archive/other.txt"
    path.write_text(path.read_text() + "\nA line added in the new version of the timetable.\n")
    code, data = check_json("archive/other.txt")
    assert code == 0 and data["already_indexed"] == [] and data["findings"] == []


def test_the_same_bytes_under_another_path_fail_and_say_so(in_tmp):
    short = "Fog closes airport\n\nFlights resume tomorrow.\n"
    write_files(in_tmp, {"archive/fog.txt": short, "incoming/fog-copy.txt": short})
    assert invoke("index", "add", "archive").exit_code == 0
    code, data = check_json("incoming")
    assert code == 1 and not data["passed"]
    [article] = data["articles"]
    assert article["identical"] and article["repeats"]["path"] == "archive/fog.txt"
    assert article["message"].startswith("already ingested as archive/fog.txt (the same bytes")


def test_an_empty_file_is_no_copy_of_another(in_tmp):
    write_files(in_tmp, {"archive/empty.txt": "\n", "incoming/blank.txt": "\n"})
    assert invoke("index", "add", "archive").exit_code == 0
    code, data = check_json("incoming")
    assert code == 0 and data["articles"] == []


def test_the_root_is_recorded_and_kept(repo, monkeypatch):
    stats = json.loads(invoke("index", "stats", "-f", "json").stdout)
    assert Path(stats["root"]) == repo.resolve()
    meta = dict(sqlite3.connect(repo / ".dedup/index.db").execute("SELECT key, value FROM meta"))
    assert meta["root"] == ".."              # relative to the index file: the checkout can move
    res = invoke("index", "add", "incoming", "--root", "incoming")
    assert res.exit_code == 2 and "its root is" in res.output
    monkeypatch.chdir(repo / "incoming")
    res = invoke("index", "add", ".", "--index", "../other.db", "--root", "..")
    assert res.exit_code == 0, res.output
    monkeypatch.chdir(repo)
    stored = [r[0] for r in sqlite3.connect("other.db").execute("SELECT path FROM files")]
    assert sorted(stored) == ["incoming/fresh.txt", "incoming/republished.txt",
                              "incoming/reuse.txt"]
    # index remove takes a file's path from any folder, or the name as stored.
    monkeypatch.chdir(repo / "incoming")
    assert invoke("index", "remove", "fresh.txt", "--index", "../other.db").exit_code == 0
    assert invoke("index", "remove", "incoming/reuse.txt", "--index",
                  "../other.db").output.count("removed 1 files") == 1


def test_a_schema_1_index_is_upgraded_in_place(repo):
    db = repo / ".dedup/index.db"
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
        conn.execute("DELETE FROM meta WHERE key = 'root'")
        conn.execute("DROP INDEX files_sha256")
    conn.close()
    res = invoke("check", "incoming")
    assert res.exit_code == 1
    assert "upgraded to index schema version 2" in res.stderr
    meta = dict(sqlite3.connect(db).execute("SELECT key, value FROM meta"))
    assert meta["schema_version"] == "2" and meta["root"] == ".."
    consistent(db)


# -- republished articles fail, in every format; a baseline accepts them ---------

def test_a_republished_reflowed_article_fails_in_every_format(repo):
    code, data = check_json("incoming/republished.txt")
    assert code == 1 and not data["passed"]
    [article] = data["articles"]
    assert article["relation"] == "repeat" and article["repeats"]["path"] == "archive/harbour.txt"
    res = invoke("check", "incoming/republished.txt")
    assert res.exit_code == 1 and res.stdout.splitlines()[-1].startswith("FAIL:")
    assert "already ingested as archive/harbour.txt" in res.stdout
    res = invoke("check", "incoming/republished.txt", "-f", "github")
    assert res.exit_code == 1
    assert res.stdout.startswith("::error file=incoming/republished.txt,line=1,")
    res = invoke("check", "incoming/republished.txt", "-f", "junit")
    assert res.exit_code == 1 and 'type="repeated-article"' in res.stdout
    res = invoke("check", "incoming/republished.txt", "-f", "sarif")
    assert res.exit_code == 1
    levels = [r["level"] for r in json.loads(res.stdout)["runs"][0]["results"]]
    assert levels and set(levels) == {"error"}


def test_a_baseline_accepts_an_article_repeat_and_notices_it(repo):
    res = invoke("check", "incoming/republished.txt", "--write-baseline", "base.json")
    assert res.exit_code == 0
    entries = json.loads(Path("base.json").read_text())["accepted"]
    assert {"path": "incoming/republished.txt", "paragraph": "article",
            "kept": "archive/harbour.txt"}.items() <= next(
                e for e in entries if e["paragraph"] == "article").items()
    res = invoke("check", "incoming/republished.txt", "--baseline", "base.json", "-f", "github")
    assert res.exit_code == 0, res.output
    annotations = [line for line in res.stdout.splitlines() if line.startswith("::")]
    assert annotations and all(a.startswith("::notice ") for a in annotations)
    # The baseline covers that article only: the reuse elsewhere still fails.
    res = invoke("check", "incoming", "--baseline", "base.json")
    assert res.exit_code == 1 and "incoming/reuse.txt" in res.stdout


# -- --quiet, JSON Lines ---------------------------------------------------------

def test_quiet(repo):
    res = invoke("check", "incoming/fresh.txt", "--quiet")
    assert res.exit_code == 0 and res.stdout == ""
    res = invoke("check", "incoming", "-q")
    assert res.exit_code == 1
    lines = res.stdout.splitlines()
    assert lines[-1].startswith("FAIL:") and all(line.startswith(("incoming/", "FAIL:"))
                                                  for line in lines)
    res = invoke("index", "add", "incoming/fresh.txt", "-q")
    assert res.exit_code == 0 and res.stdout == ""


def _records(path: Path, records: list, extra: str = "") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in records) + extra, encoding="utf-8")


def test_jsonl_records_are_checked_and_added_by_id(in_tmp, h):
    f = h.filler
    stored = [{"id": "wire-1", "body": h.article("Harbour Wall To Be Rebuilt", REUSED,
                                                 REUSED_NEXT, f[0])},
              {"id": "wire-2", "body": h.article("Ferry Timetable Extended", f[1], f[2])}]
    _records(in_tmp / "archive/2024.jsonl", stored)
    res = invoke("index", "add", "archive", "--jsonl", "body", "--jsonl-id", "id")
    assert res.exit_code == 0 and "added 2 files" in res.stdout, res.output
    _records(in_tmp / "incoming/today.jsonl", [
        {"id": "wire-2", "body": stored[1]["body"]},                  # already indexed
        {"id": "site-9", "body": h.article("Repairs Paid By Levy", f[3], REUSED, REUSED_NEXT)},
        {"id": "site-10", "body": h.article("Library Lends Tools", f[4], f[5])},
    ], extra="{not json\n")
    code, data = check_json("incoming", "--jsonl", "body", "--jsonl-id", "id")
    assert code == 1
    assert data["already_indexed"] == ["wire-2"]
    assert {f["path"] for f in data["findings"]} == {"site-9"}
    assert data["findings"][0]["repeats"]["path"] == "wire-1"
    assert data["skipped"] == ["incoming/today.jsonl:4: not a JSON object (Expecting property "
                               "name enclosed in double quotes: line 1 column 2 (char 1))"]
    res = invoke("check", "incoming", "--jsonl", "body", "--jsonl-id", "id", "--strict")
    assert res.exit_code == 2 and "incoming/today.jsonl:4" in res.stderr
    # Without --jsonl-id a record is named FILE:LINE, the file as the index names
    # it; the first record is then the text of wire-2 under another name.
    code, data = check_json("incoming/today.jsonl", "--jsonl", "body")
    assert {f["path"] for f in data["findings"]} >= {"incoming/today.jsonl:2"}
    assert [(a["path"], a["identical"], a["repeats"]["path"]) for a in data["articles"]] == [
        ("incoming/today.jsonl:1", True, "wire-2")]


def test_a_jsonl_file_read_as_text_is_warned_about(in_tmp):
    _records(in_tmp / "a/x.jsonl", [{"text": "Some words of a record here."}])
    for command in (["check", "a", "--glob", "*.jsonl", "--add"],
                    ["index", "add", "a", "--glob", "*.jsonl"]):
        res = invoke(*command)
        assert res.exit_code == 0
        assert ("a/x.jsonl: a JSON Lines file read as plain text; give --jsonl FIELD"
                in res.stderr)


@pytest.mark.parametrize("command", [["check"], ["index", "add"], ["scan"], ["clean"]])
def test_jsonl_id_needs_jsonl(in_tmp, command):
    (in_tmp / "a.txt").write_text("Text.\n")
    res = invoke(*command, "a.txt", "--jsonl-id", "id")
    assert res.exit_code == 2 and "--jsonl-id only goes with --jsonl" in res.stderr


# -- two processes checking and adding at once ------------------------------------

def test_concurrent_check_add_from_two_processes(tmp_path):
    """Two ``check --add`` runs at once, one of them carrying a copy of an article
    of the other: exactly one passes and ingests, the other fails and adds
    nothing, and the index stays consistent, whichever wins."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    for trial in range(3):
        work = tmp_path / f"t{trial}"
        a = fake_articles(40, seed=10 + trial, prefix="a")
        b = fake_articles(40, seed=50 + trial, prefix="b")
        b["b/copy.txt"] = a["a/0007.txt"]
        write_files(work, {**a, **b})
        procs = [subprocess.Popen([sys.executable, "-m", "dedup", "check", folder, "--add",
                                   "--index", "ix.db", "-j", "1", "-q"],
                                  cwd=work, env=env, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True)
                 for folder in ("a", "b")]
        codes = [p.wait(120) for p in procs]
        assert sorted(codes) == [0, 1], [p.stderr.read() for p in procs]
        winner = "ab"[codes.index(0)]
        counts = consistent(work / "ix.db")
        stored = {r[0] for r in sqlite3.connect(work / "ix.db").execute("SELECT path FROM files")}
        assert stored == set(a if winner == "a" else b)
        assert counts["files"] == 40 + (winner == "b")


# -- the Python API --------------------------------------------------------------

def test_the_python_example_in_the_docs_runs(in_tmp):
    text = (REPO / "docs/ci.md").read_text(encoding="utf-8")
    section = text[text.index("## From Python"):]
    [example] = re.findall(r"```python\n(.*?)```", section, re.S)
    proc = subprocess.run([sys.executable, "-c", example], cwd=in_tmp, capture_output=True,
                          text=True, env={**os.environ, "PYTHONPATH": str(REPO)}, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "site-77 " in proc.stdout and "wire-1041" in proc.stdout


def test_the_api_gives_the_answers_of_the_command(repo):
    code, data = check_json("incoming")
    texts = {f"incoming/{p.name}": p.read_text(encoding="utf-8")
             for p in sorted((repo / "incoming").iterdir())}
    with dedup.Index(".dedup/index.db") as index:
        report = dedup.check_texts(index, texts)
    assert isinstance(report, dedup.CheckReport)
    assert report.passed is (code == 0) is False
    assert findings(json.loads(render(report, "json"))) == findings(data)


# -- end to end ------------------------------------------------------------------

def test_end_to_end_from_two_folders_on_made_up_articles(tmp_path):
    from bench.gate_e2e import run
    pool = list(fake_articles(60, seed=3, prefix="desk", paragraphs=10).items())
    lines: list[str] = []
    assert run(pool, tmp_path, log=lines.append), "\n".join(lines)
    assert any(line.startswith("republished  exit 1") for line in lines)


def test_end_to_end_from_two_folders_on_bbc(tmp_path):
    from bench.corpora import bbc
    from bench.gate_e2e import run
    pool = bbc()
    if not pool:
        pytest.skip("the BBC corpus is not beside the checkout")
    lines: list[str] = []
    assert run(pool, tmp_path, log=lines.append), "\n".join(lines)
