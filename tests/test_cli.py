"""The ``dedup`` command through typer's CliRunner: exit codes, JSON output, clean."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dedup.cli import app
from dedup.input.documents import OUTPUT_MARKER

TITLE = "Flood Defences Fail In Riverside Town"
QUAKE = ("Rescue teams in the northern province pulled 14 survivors from the rubble of a "
         "collapsed apartment block on Thursday, while officials said at least 37 people were "
         "still missing after the overnight earthquake.")


def invoke(*args: str):
    return CliRunner().invoke(app, [str(a) for a in args])


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file() and p.name != OUTPUT_MARKER}


@pytest.fixture
def news(in_tmp, h) -> Path:
    """news/ with a doubled title (a.txt), a copy across files (world/b.txt repeats a.txt)
    and a file with nothing repeated (world/c.txt); CRLF in one of them."""
    f = h.filler
    folder = in_tmp / "news"
    (folder / "world").mkdir(parents=True)
    (folder / "a.txt").write_bytes(h.article(TITLE, TITLE, f[0], QUAKE).encode())
    (folder / "world" / "b.txt").write_bytes(
        h.article(f[1], QUAKE, f[2], newline="\r\n").encode())
    (folder / "world" / "c.txt").write_bytes(h.article(f[3], f[4]).encode())
    (folder / "notes.md").write_bytes(h.article(f[5], f[5]).encode())
    return Path("news")


@pytest.fixture
def plain(in_tmp, h) -> Path:
    """plain/ with nothing repeated."""
    folder = in_tmp / "plain"
    folder.mkdir()
    for i in range(3):
        (folder / f"{i}.txt").write_text(h.article(h.filler[2 * i], h.filler[2 * i + 1]))
    return Path("plain")


# --- exit codes -------------------------------------------------------------------------

def test_scan_exits_0_when_repeats_are_found(news):
    res = invoke("scan", news)
    assert res.exit_code == 0, res.output
    assert "news/a.txt" in res.stdout
    assert "line 3 repeats line 1" in res.stdout


def test_scan_exits_0_when_nothing_repeats(plain):
    res = invoke("scan", plain, "--format", "json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["files"] == [] and data["summary"]["removed"] == 0
    assert data["summary"]["files"] == 3


def test_scan_of_an_empty_folder_exits_0(in_tmp):
    (in_tmp / "empty").mkdir()
    assert invoke("scan", "empty").exit_code == 0


def test_missing_path_exits_2_and_names_it(news):
    res = invoke("scan", news, "no-such-folder")
    assert res.exit_code == 2
    assert "no-such-folder" in res.stderr


@pytest.mark.parametrize("args", [
    ["scan", "--bogus"],
    ["scan", "--format", "yaml"],
    ["scan", "--keep", "newest"],
    ["scan", "--boilerplate", "sometimes"],
    ["scan", "--threshold", "abc"],
    ["frobnicate"],
])
def test_bad_option_exits_2(news, args):
    res = invoke(*args[:1], news, *args[1:]) if args[0] == "scan" else invoke(*args)
    assert res.exit_code == 2, res.output


@pytest.mark.parametrize("value", ["150", "0", "-5"])
def test_invalid_threshold_exits_2(news, value):
    res = invoke("scan", news, "--threshold", value)
    assert res.exit_code == 2
    assert "threshold" in res.stderr


@pytest.mark.parametrize("command", ["scan", "clean"])
def test_invalid_setting_in_config_file_exits_2(news, in_tmp, command):
    (in_tmp / "dedup.toml").write_text("near_threshold = 500\n")
    res = invoke(command, news)
    assert res.exit_code == 2
    assert "near_threshold" in res.stderr


def test_unknown_setting_in_config_file_exits_2(news, in_tmp):
    (in_tmp / "dedup.toml").write_text("treshold = 80\n")
    res = invoke("scan", news)
    assert res.exit_code == 2
    assert "treshold" in res.stderr


def test_clean_missing_path_exits_2_and_writes_nothing(news, in_tmp):
    before = snapshot(in_tmp)
    res = invoke("clean", "nowhere", "--write", "--out", "out")
    assert res.exit_code == 2
    assert snapshot(in_tmp) == before


# --- JSON -------------------------------------------------------------------------------

def test_json_schema_fields(news):
    res = invoke("scan", news, "--format", "json")
    assert res.exit_code == 0
    data = json.loads(res.stdout)
    assert data["schema"] == "dedup.scan"
    assert data["version"] == 1
    assert {"settings", "summary", "files", "boilerplate", "skipped"} <= set(data)
    files = {f["path"]: f for f in data["files"]}
    assert set(files) == {"news/a.txt", "news/world/b.txt"}
    for file in data["files"]:
        assert isinstance(file["paragraphs"], int) and file["removed"] >= 1
        for finding in file["findings"]:
            assert finding["kind"] in ("exact", "near", "block", "boilerplate")
            assert isinstance(finding["score"], (int, float)) and 0 < finding["score"] <= 100
            first, last = finding["lines"]
            assert 1 <= first <= last
            assert set(finding["repeats"]) >= {"path", "lines"}
            assert len(finding["repeats"]["lines"]) == 2
    (title,) = files["news/a.txt"]["findings"]
    assert (title["kind"], title["lines"], title["repeats"]) == (
        "exact", [3, 3], {"path": "news/a.txt", "lines": [1, 1]})
    (copy,) = files["news/world/b.txt"]["findings"]
    assert (copy["kind"], copy["lines"], copy["repeats"]) == (
        "exact", [3, 3], {"path": "news/a.txt", "lines": [7, 7]})
    assert data["summary"]["removed"] == 2
    assert data["settings"]["near_threshold"] == 90.0


def test_json_settings_follow_options(news):
    res = invoke("scan", news, "--format", "json", "--threshold", "95", "--keep", "longest",
                 "--boilerplate", "keep-first")
    settings = json.loads(res.stdout)["settings"]
    assert (settings["near_threshold"], settings["keep"], settings["boilerplate"]) == (
        95.0, "longest", "keep-first")


def test_glob_selects_other_files(news):
    res = invoke("scan", news, "--glob", "*.md", "--format", "json")
    data = json.loads(res.stdout)
    assert data["summary"]["files"] == 1
    assert [f["path"] for f in data["files"]] == ["news/notes.md"]


def test_file_given_by_name_is_read_whatever_the_glob(news):
    res = invoke("scan", "news/notes.md", "--format", "json")
    assert json.loads(res.stdout)["summary"]["files"] == 1


def test_binary_file_is_skipped_with_a_warning_and_exit_0(news, in_tmp):
    (in_tmp / "news" / "image.txt").write_bytes(b"GIF89a\x00\x01\x02")
    res = invoke("scan", news, "--format", "json")
    assert res.exit_code == 0
    data = json.loads(res.stdout)
    assert len(data["skipped"]) == 1 and "image.txt" in data["skipped"][0]
    assert "image.txt" in res.stderr


# --- clean ------------------------------------------------------------------------------

def test_clean_dry_run_prints_a_diff_and_writes_nothing(news, in_tmp):
    before = snapshot(in_tmp)
    res = invoke("clean", news)
    assert res.exit_code == 0, res.output
    assert snapshot(in_tmp) == before
    assert "--- news/a.txt" in res.stdout and "+++ news/a.txt" in res.stdout
    assert "--- news/world/b.txt" in res.stdout
    assert "world/c.txt" not in res.stdout
    removed = [line for line in res.stdout.splitlines()
               if line.startswith("-") and not line.startswith("---")]
    assert removed.count("-" + TITLE) == 1
    assert "-" + QUAKE.rstrip() in [line.rstrip("\r") for line in removed]


def test_clean_write_writes_cleaned_copies_and_reports(news, in_tmp, h):
    originals = snapshot(in_tmp / "news")
    res = invoke("clean", news, "--write", "--out", "out", "--report-dir", "rep")
    assert res.exit_code == 0, res.output
    assert snapshot(in_tmp / "news") == originals
    out = snapshot(in_tmp / "out")
    # The folder says it is a finished set of dedup's copies (never read as input).
    marker = json.loads((in_tmp / "out" / OUTPUT_MARKER).read_text("utf-8"))
    assert marker["kind"] == "copies" and marker["complete"] and marker["written"] == 3
    # every input file, at its relative path; the .md file was not an input
    assert set(out) == {"a.txt", "world/b.txt", "world/c.txt"}
    f = h.filler
    assert out["a.txt"] == h.article(TITLE, f[0], QUAKE).encode()
    assert out["world/b.txt"] == h.article(f[1], f[2], newline="\r\n").encode()
    assert out["world/c.txt"] == originals["world/c.txt"]
    report = json.loads((in_tmp / "rep" / "report.json").read_text("utf-8"))
    assert report["schema"] == "dedup.scan" and report["summary"]["removed"] == 2
    assert "news/a.txt" in (in_tmp / "rep" / "report.md").read_text("utf-8")


def test_clean_write_default_out_is_cleaned_beside_the_input(news, in_tmp):
    res = invoke("clean", news, "--write", "--report-dir", "rep")
    assert res.exit_code == 0, res.output
    assert set(snapshot(in_tmp / "cleaned")) == {"a.txt", "world/b.txt", "world/c.txt"}


def test_clean_write_never_writes_over_the_originals(news, in_tmp):
    originals = snapshot(in_tmp / "news")
    invoke("clean", news, "--write", "--out", news, "--report-dir", "rep")
    invoke("clean", "news/a.txt", "--write", "--out", news, "--report-dir", "rep")
    assert snapshot(in_tmp / "news") == originals


def test_clean_never_reads_its_own_output_folder(news, in_tmp):
    # --out inside the input folder: a second run must not clean the first run's copies.
    for _ in range(2):
        res = invoke("clean", news, "--write", "--out", "news/cleaned", "--report-dir", "rep")
        assert res.exit_code == 0, res.output
    assert set(snapshot(in_tmp / "news" / "cleaned")) == {"a.txt", "world/b.txt", "world/c.txt"}
    report = json.loads((in_tmp / "rep" / "report.json").read_text("utf-8"))
    assert report["summary"]["files"] == 3


def test_cleaning_the_cleaned_copies_finds_nothing(news, in_tmp):
    invoke("clean", news, "--write", "--out", "out", "--report-dir", "rep")
    res = invoke("scan", "out", "--format", "json")
    data = json.loads(res.stdout)
    assert data["summary"]["files"] == 3 and data["summary"]["removed"] == 0


# --- settings from files and options ----------------------------------------------------

@pytest.fixture
def footers(in_tmp, h) -> Path:
    """Three files sharing a short footer: boilerplate only when 3 files are enough."""
    folder = in_tmp / "footers"
    folder.mkdir()
    for i in range(3):
        (folder / f"{i}.txt").write_text(h.article(h.filler[i], "Follow us for more local news."))
    return Path("footers")


def removed_count(*args: str) -> int:
    res = invoke("scan", *args, "--format", "json")
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)["summary"]["removed"]


def test_dedup_toml_settings_are_picked_up(footers, in_tmp):
    assert removed_count(footers) == 0
    (in_tmp / "dedup.toml").write_text("boilerplate-min-files = 3\n")
    assert removed_count(footers) == 3


def test_pyproject_tool_dedup_settings_are_picked_up(footers, in_tmp):
    (in_tmp / "pyproject.toml").write_text('[project]\nname = "x"\n\n[tool.dedup]\n'
                                           'boilerplate_min_files = 3\nboilerplate = "keep"\n')
    res = invoke("scan", footers, "--format", "json")
    data = json.loads(res.stdout)
    assert data["summary"]["removed"] == 0
    assert data["settings"]["boilerplate"] == "keep"
    assert [b["files"] for b in data["boilerplate"]] == [3]


def test_config_file_in_a_parent_folder_is_picked_up(footers, in_tmp, monkeypatch):
    (in_tmp / "dedup.toml").write_text("boilerplate_min_files = 3\n")
    monkeypatch.chdir(in_tmp / "footers")
    assert removed_count(".") == 3


def test_command_line_wins_over_the_config_file(footers, in_tmp):
    (in_tmp / "dedup.toml").write_text("boilerplate_min_files = 3\n")
    assert removed_count(footers, "--boilerplate-min-files", "4") == 0


def test_config_option_names_the_file(footers, in_tmp):
    (in_tmp / "settings").mkdir()
    (in_tmp / "settings" / "dedup.toml").write_text("boilerplate_min_files = 3\n")
    assert removed_count(footers) == 0
    assert removed_count(footers, "--config", "settings/dedup.toml") == 3


def test_paths_from_the_config_file_are_used_when_none_are_given(footers, in_tmp):
    (in_tmp / "conf").mkdir()
    (in_tmp / "conf" / "dedup.toml").write_text(
        'paths = ["../footers"]\nboilerplate_min_files = 3\n')
    res = invoke("scan", "--config", "conf/dedup.toml", "--format", "json")
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["summary"]["files"] == 3


def test_keep_priority_file(in_tmp, h):
    for folder, i in (("blog", 0), ("wire", 1)):
        (in_tmp / folder).mkdir()
        (in_tmp / folder / "story.txt").write_text(h.article(h.filler[i], QUAKE))
    (in_tmp / "trusted.txt").write_text("# most trusted first\nwire\n")
    res = invoke("scan", "blog", "wire", "--keep-priority", "trusted.txt", "--format", "json")
    assert res.exit_code == 0, res.output
    (file,) = json.loads(res.stdout)["files"]
    assert file["path"] == "blog/story.txt"
    assert file["findings"][0]["repeats"]["path"] == "wire/story.txt"


def test_missing_keep_priority_file_exits_2(news):
    assert invoke("scan", news, "--keep-priority", "nowhere.txt").exit_code == 2
