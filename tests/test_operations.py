"""Operations (issue 27): reports sized for their reader, runs that say where
they stopped, output folders never read back as input, reports kept from one
run to the next. Every article here is made up."""

from __future__ import annotations

import json
import os
import random
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dedup import Config, scan
from dedup.cli import app
from dedup.input.documents import OUTPUT_MARKER, TEMP_SUFFIX
from dedup.report import HISTORY_RUNS, render
from dedup.report.html import MAX_FILE_SECTIONS
from dedup.report.jsonfmt import JsonFormat, as_dict
from dedup.report.markdown import BUDGET

from test_index import REPO, fake_articles, write_files

SHARED = ("An agency paragraph, long enough to be compared, appears today in every one of "
          "these made-up stories about the harbour and its ferries.")


def invoke(*args):
    return CliRunner().invoke(app, [str(a) for a in args])


def stories(n: int, seed: int = 1) -> dict[str, str]:
    """``n`` made-up stories, each repeating SHARED after its own paragraphs,
    every third with one of its own paragraphs pasted twice."""
    texts = {}
    for i, (name, text) in enumerate(fake_articles(n, seed=seed, prefix="desk",
                                                   paragraphs=3).items()):
        paras = text.rstrip("\n").split("\n\n")
        if i % 3 == 0:
            paras.append(paras[1])
        texts[name] = "\n\n".join(paras + [SHARED]) + "\n"
    return texts


@pytest.fixture(scope="module")
def big(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("big")
    write_files(root, stories(1500))
    return root


# -- reports sized for their reader ----------------------------------------------

def test_reports_stay_small_and_the_json_is_complete_and_streamed(big):
    result = scan([big / "desk"], Config(jobs=1))
    assert len({r.doc for r in result.removals}) > MAX_FILE_SECTIONS
    md = render(result, "markdown")
    assert len(md) < BUDGET < 65_536
    assert "`report.html` shows every file" in md
    html = render(result, "html")
    assert html.count('<details class="file"') == MAX_FILE_SECTIONS
    assert re.search(r"1,\d{3} more changed files, without their diffs here", html)
    # The JSON, written in pieces, is the whole document, one finding a line.
    text = "".join(JsonFormat().chunks(result))
    data = json.loads(text)
    assert data == json.loads(json.dumps(as_dict(result)))
    assert sum(len(f["findings"]) for f in data["files"]) == len(result.findings)
    finding_lines = [line for line in text.splitlines() if line.startswith('      {"kind"')]
    assert len(finding_lines) == len(result.findings)
    assert all(json.loads(line.rstrip(",")) for line in finding_lines)


def test_no_report_and_report_switches(in_tmp, h):
    write_files(in_tmp, {"in/a.txt": h.article("Title Line Here", h.filler[0], h.filler[0])})
    res = invoke("clean", "in", "--write", "--no-report", "--out", "out1")
    assert res.exit_code == 0 and "no report" in res.stderr
    assert not (in_tmp / "reports").exists()
    res = invoke("clean", "in", "--write", "--out", "out2")
    assert res.exit_code == 0 and (in_tmp / "reports/report.html").is_file()
    res = invoke("scan", "in", "--report", "--report-dir", "scanned")
    assert res.exit_code == 0 and (in_tmp / "scanned/report.json").is_file()
    res = invoke("scan", "in", "--no-report", "--report-dir", "none")
    assert res.exit_code == 0 and not (in_tmp / "none").exists()


def test_a_run_keeps_the_reports_of_the_runs_before(in_tmp, h):
    write_files(in_tmp, {"in/a.txt": h.article("Title Line Here", h.filler[0], h.filler[0]),
                         "empty/.keep": ""})
    assert invoke("scan", "in", "--report").exit_code == 0
    first = (in_tmp / "reports/report.json").read_bytes()
    # A run over a folder with nothing in it no longer wipes the report out.
    assert invoke("scan", "empty", "--report").exit_code == 0
    [old] = (in_tmp / "reports/history").iterdir()
    assert (old / "report.json").read_bytes() == first
    assert json.loads((in_tmp / "reports/report.json").read_text())["summary"]["files"] == 0
    for _ in range(HISTORY_RUNS + 2):
        assert invoke("scan", "in", "--report").exit_code == 0
    assert len(list((in_tmp / "reports/history").iterdir())) == HISTORY_RUNS


# -- output folders are never read back as input -----------------------------------

def test_copies_and_reports_inside_the_input_are_never_read_again(in_tmp, h):
    f = h.filler
    write_files(in_tmp, {"a.txt": h.article("Harbour Wall Rebuilt", f[0], f[1]),
                         "b.txt": h.article("Ferry Timetable", f[2], f[0])})
    # No paths: the working folder, its copies in ./cleaned, its report in ./reports.
    assert invoke("clean", "--write").exit_code == 0
    assert invoke("clean", "news", "--write").exit_code == 2     # (no such input)
    assert (in_tmp / "cleaned" / OUTPUT_MARKER).is_file()
    assert (in_tmp / "reports" / OUTPUT_MARKER).is_file()
    res = invoke("scan", ".", "--format", "json")
    data = json.loads(res.stdout)
    assert data["summary"]["files"] == 2              # a.txt, b.txt: not their copies
    # --out inside the input: the same.
    assert invoke("clean", ".", "--write", "--out", "sub/copies").exit_code == 0
    assert json.loads(invoke("scan", ".", "--format", "json").stdout)["summary"]["files"] == 2
    # A marked folder given by name is read: that is asking for it.
    data = json.loads(invoke("scan", "sub/copies", "--format", "json").stdout)
    assert data["summary"]["files"] == 2


# -- runs that say where they stopped ----------------------------------------------

@pytest.fixture(scope="module")
def many(tmp_path_factory) -> tuple[Path, dict[str, bytes]]:
    """3,000 stories and the copies a finished run writes of them."""
    root = tmp_path_factory.mktemp("many")
    write_files(root, stories(3000, seed=2))
    done = subprocess.run([sys.executable, "-m", "dedup", "clean", "desk", "--write", "--out",
                           "expected", "--no-report", "-q", "-j", "2"], cwd=root,
                          capture_output=True, text=True, env=_env())
    assert done.returncode == 0, done.stderr
    expected = {p.relative_to(root / "expected").as_posix(): p.read_bytes()
                for p in (root / "expected").rglob("*.txt")}
    return root, expected


def _env() -> dict:
    return {**os.environ, "PYTHONPATH": str(REPO)}


def _start(root: Path, out: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "dedup", "clean", "desk", "--write", "--out",
                             out, "--report-dir", f"{out}-reports", "-q", "-j", "2"],
                            cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=_env())


def _state(out: Path, expected: dict[str, bytes]) -> tuple[dict | None, int]:
    """The out folder's marker and its copies; every copy must be whole."""
    marker = None
    if (out / OUTPUT_MARKER).is_file():
        marker = json.loads((out / OUTPUT_MARKER).read_text("utf-8"))
    copies = 0
    for path in out.rglob("*") if out.exists() else ():
        if path.is_dir() or path.name == OUTPUT_MARKER or path.name.endswith(TEMP_SUFFIX):
            continue
        assert path.read_bytes() == expected[path.relative_to(out).as_posix()], path
        copies += 1
    return marker, copies


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_an_interrupted_run_says_what_it_wrote(many, signum):
    root, expected = many
    out = root / f"out-{signum}"
    proc = _start(root, out.name)
    while not (out / OUTPUT_MARKER).exists() and proc.poll() is None:
        time.sleep(0.005)
    proc.send_signal(signum)
    _, err = proc.communicate(timeout=120)
    lines = [line for line in err.splitlines() if line]
    assert proc.returncode == 128 + signum, err
    assert len(lines) == 1 and lines[0].startswith("dedup: interrupted: "), err
    marker, copies = _state(out, expected)
    said = re.search(r"interrupted: (all )?(\d+)", lines[0])
    assert int(said.group(2)) == copies
    if said.group(1):                  # stopped in the report: the copies are complete
        assert marker["complete"] and copies == len(expected)
    else:
        assert marker["complete"] is False and copies < len(expected)
        assert "marked partial" in lines[0] and "run the same command again" in lines[0]
    assert not (root / f"{out.name}-reports" / "report.json").exists()
    # Running it again finishes the job.
    again = _start(root, out.name)
    assert again.wait(120) == 0
    marker, copies = _state(out, expected)
    assert marker["complete"] and copies == len(expected)


def test_killed_at_any_moment_no_copy_is_half_written_and_partial_shows(many):
    root, expected = many
    rng = random.Random(5)
    t0 = time.monotonic()
    timing = _start(root, "timing")
    assert timing.wait(120) == 0
    duration = time.monotonic() - t0
    seen = set()
    for n in range(20):
        out = root / f"kill{n}"
        proc = _start(root, out.name)
        time.sleep(rng.uniform(0.3, 1.0) * duration)
        proc.send_signal(signal.SIGKILL)
        proc.wait(60)
        marker, copies = _state(out, expected)
        if marker is None:
            assert copies == 0                 # killed before the first copy
            seen.add("none")
        elif marker["complete"]:
            assert copies == len(expected)
            seen.add("complete")
        else:
            seen.add("partial")
    assert "partial" in seen, seen
