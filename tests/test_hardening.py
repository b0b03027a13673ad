"""Hardening (issue 7): bad input, interrupted writes and hostile text never cost data.

A corpus of every kind of bad input is generated in ``tmp_path`` (nothing
binary is committed) and run through ``scan``, ``clean --write``,
``clean --in-place`` and ``check``: no traceback, one warning line naming each
skipped file and a last one counting them by reason, the right output for the
good files (line endings and encodings byte for byte), ``--strict`` exits 2
and writes nothing.
"""

from __future__ import annotations

import codecs
import json
import os
import random
import stat
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dedup.verification import pairs as pairs_module
from dedup import compiled as switch
from dedup import Config, api
from dedup.cli import app
from dedup.input.documents import OUTPUT_MARKER
from dedup.input.corpus import read_corpus
from dedup.decisions.detect import decide
from dedup.input.documents import (InputError, decode, discover, parse_document, read_document,
                                   skip_reason, skip_summary)

IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0

FRENCH = ("Le caf\u00e9 du port \u00e9tait ferm\u00e9 toute la journ\u00e9e \u00e0 cause de la "
          "gr\u00e8ve g\u00e9n\u00e9rale des employ\u00e9s municipaux, a d\u00e9clar\u00e9 le "
          "maire de la ville.")
QUOTE = ("\u201cWe will rebuild the sea wall before the winter,\u201d the mayor said \u2014 "
         "it\u2019s a promise worth \u20ac5m to the town and its harbour traders.")
TITLE_A = "Harbour Wall Breached In Storm"
TITLE_B = "Council Delays Ferry Decision"


def invoke(*args):
    return CliRunner().invoke(app, [str(a) for a in args])


def art(*paragraphs: str, nl: str = "\n") -> str:
    return (nl * 2).join(paragraphs) + nl


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file() and not p.is_symlink()
            and p.name != OUTPUT_MARKER}


def no_traceback(res) -> None:
    assert "Traceback" not in res.output and "Traceback" not in (res.stderr or "")
    assert res.exception is None or isinstance(res.exception, SystemExit), res.exception


# --- the corpus -------------------------------------------------------------------------

class Bad:
    """What the generated corpus holds and what a run must make of it."""

    def __init__(self, root: Path, f: tuple[str, ...]):
        self.root = root
        d = root / "in"
        (d / "folder.txt").mkdir(parents=True)          # a folder named like a file
        # Good files, each with a repeat to remove.
        self.cleaned: dict[str, bytes] = {}
        self._good(d, "good.txt", art(f[0], f[0], f[1]).encode(), art(f[0], f[1]).encode())
        self._good(d, "latin1.txt", art(FRENCH, FRENCH, f[2]).encode("latin-1"),
                   art(FRENCH, f[2]).encode("latin-1"))
        # The quote in a UTF-8 file and in a cp1252 file: the same paragraph once decoded.
        self._good(d, "a_quote.txt", art(QUOTE, f[3]).encode(), art(QUOTE, f[3]).encode())
        self._good(d, "cp1252.txt", art(f[4], QUOTE).encode("cp1252"), art(f[4]).encode("cp1252"))
        self._good(d, "bom.txt", codecs.BOM_UTF8 + art(f[5], f[5]).encode(),
                   codecs.BOM_UTF8 + art(f[5]).encode())
        self._good(d, "utf16le.txt", codecs.BOM_UTF16_LE + art(f[6], f[6]).encode("utf-16-le"),
                   codecs.BOM_UTF16_LE + art(f[6]).encode("utf-16-le"))
        self._good(d, "utf16be.txt", codecs.BOM_UTF16_BE + art(f[7], f[7]).encode("utf-16-be"),
                   codecs.BOM_UTF16_BE + art(f[7]).encode("utf-16-be"))
        self._good(d, "crlf.txt", art(TITLE_A, TITLE_A, f[8], nl="\r\n").encode(),
                   art(TITLE_A, f[8], nl="\r\n").encode())
        self._good(d, "cr.txt", art(TITLE_B, TITLE_B, f[9], nl="\r").encode(),
                   art(TITLE_B, f[9], nl="\r").encode())
        self._good(d, "empty.txt", b"", b"")
        # Bad files: name -> reason they are skipped for.
        self.skipped: dict[str, str] = {}
        (d / "binary.txt").write_bytes(b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff")
        self.skipped["binary.txt"] = "binary"
        rng = random.Random(7)
        (d / "noise.txt").write_bytes(bytes(rng.randrange(1, 256) for _ in range(4000)))
        self.skipped["noise.txt"] = "encoding"
        os.symlink("nowhere.txt", d / "dangling.txt")
        self.skipped["dangling.txt"] = "unreadable"
        os.symlink("loop2.txt", d / "loop1.txt")
        os.symlink("loop1.txt", d / "loop2.txt")
        self.skipped["loop1.txt"] = self.skipped["loop2.txt"] = "unreadable"
        os.mkfifo(d / "fifo.txt")                      # reading it would block forever
        self.skipped["fifo.txt"] = "not a file"
        if not IS_ROOT:                                 # root reads whatever the mode
            (d / "noperm.txt").write_text("secret\n")
            os.chmod(d / "noperm.txt", 0)
            self.skipped["noperm.txt"] = "unreadable"
        # Never read: links to what is read anyway, a leftover temporary file, a backup.
        os.symlink(".", d / "dirloop")
        os.symlink("good.txt", d / "alias.txt")
        (d / ".good.txt.k3j2.dedup-tmp").write_bytes(b"half a file")
        (d / "good.txt.orig").write_bytes(art(f[0], f[1]).encode())

    def _good(self, d: Path, name: str, data: bytes, cleaned: bytes) -> None:
        (d / name).write_bytes(data)
        self.cleaned[name] = cleaned

    def restore_permissions(self) -> None:
        p = self.root / "in" / "noperm.txt"
        if p.exists():
            os.chmod(p, 0o644)

    def reasons(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for reason in self.skipped.values():
            out[reason] = out.get(reason, 0) + 1
        return out


@pytest.fixture
def bad(in_tmp, h):
    corpus = Bad(in_tmp, h.filler)
    yield corpus
    corpus.restore_permissions()


def check_warnings(res, bad: Bad) -> None:
    """One warning line per skipped file naming it, and one counting them by reason."""
    warnings = [line for line in res.stderr.splitlines() if line.startswith("dedup: warning:")]
    for name, reason in bad.skipped.items():
        lines = [w for w in warnings if w.startswith(f"dedup: warning: in/{name}: ")]
        assert len(lines) == 1, (name, warnings)
        assert skip_reason(lines[0]) == reason, lines[0]
    summary = [w for w in warnings if "files skipped:" in w]
    assert len(summary) == 1, warnings
    for reason, n in bad.reasons().items():
        assert f"{n} {reason}" in summary[0], summary
    assert f"{len(bad.skipped)} files skipped" in summary[0]
    temp = [w for w in warnings if "temporary file" in w]
    assert len(temp) == 1 and ".good.txt.k3j2.dedup-tmp" in temp[0]


# --- scan, clean, check on the whole corpus ----------------------------------------------

def test_a_jsonl_record_with_a_lone_surrogate_is_skipped_and_the_rest_cleaned(in_tmp, h):
    """JSON may escape half a UTF-16 pair ("\\ud800"); such a record is no
    text. It once stopped the run with a traceback where its paragraph was
    signed; now it is skipped with one line naming the file, the line and
    the field, its line is kept as it was, and the other records are cleaned."""
    import json
    bad_text = json.dumps(art("Lone \ud800 half " + h.filler[0], "Lone \ud800 half " + h.filler[0]))
    bad_id = json.dumps(art(h.filler[3]))
    good = art(TITLE_A, h.filler[1], h.filler[1], h.filler[2])
    lines = [f'{{"id": "a", "text": {bad_text}}}',
             f'{{"id": "b\\udc00", "text": {bad_id}}}',
             json.dumps({"id": "c", "text": good})]
    (in_tmp / "d").mkdir()
    (in_tmp / "d" / "x.jsonl").write_text("\n".join(lines) + "\n", "ascii")
    done = invoke("clean", "d", "--jsonl", "text", "--jsonl-id", "id", "--write", "--out", "out")
    assert done.exit_code == 0, done.output
    assert "d/x.jsonl:1: field 'text' holds a lone surrogate (U+D800 at character 5), " \
           "not text" in done.output
    assert "d/x.jsonl:2: field 'id' holds a lone surrogate (U+DC00 at character 1), " \
           "not text" in done.output
    written = (in_tmp / "out" / "x.jsonl").read_text("ascii").splitlines()
    assert written[:2] == lines[:2]                       # skipped records stay as they were
    assert json.loads(written[2])["text"] == art(TITLE_A, h.filler[1], h.filler[2])


def test_a_file_name_that_is_not_utf8_is_cleaned_reported_and_kept_out_of_the_index(in_tmp, h):
    """Old archives hold Latin-1 file names; Python hands them over with
    their stray bytes as lone surrogates. Scanning and cleaning take the
    file as it is and the reports write the name escaped (JSON reads it back
    as the same name); the index cannot store such a name, so `index add`
    and `check` skip that file with one line saying so. Each of these once
    ended with a UnicodeEncodeError traceback."""
    import json
    (in_tmp / "d").mkdir()
    body = art(TITLE_A, h.filler[0], h.filler[0]).encode("utf-8")
    with open(os.path.join(os.fsencode(in_tmp / "d"), b"caf\xe9.txt"), "wb") as f:
        f.write(body)
    (in_tmp / "d" / "plain.txt").write_bytes(art(TITLE_B, h.filler[1]).encode("utf-8"))
    name = os.fsdecode(b"d/caf\xe9.txt")
    shown = "d/caf\\udce9.txt"

    done = invoke("clean", "d", "--write", "--out", "out")
    assert done.exit_code == 0, done.output
    assert (in_tmp / "out" / os.fsdecode(b"caf\xe9.txt")).read_bytes() == \
        art(TITLE_A, h.filler[0]).encode("utf-8")
    report = json.loads((in_tmp / "reports" / "report.json").read_text("utf-8"))
    assert name in json.dumps(report, ensure_ascii=False)
    assert shown in (in_tmp / "reports" / "report.md").read_text("utf-8")

    added = invoke("index", "add", "d", "--index", "i.db")
    assert added.exit_code == 0, added.output
    assert f"{shown}: its name is not UTF-8, which the index cannot store; not indexed " \
           "(rename it)" in added.output
    assert "added 1 files" in added.output
    removed = invoke("index", "remove", name, "d/plain.txt", "--index", "i.db")
    assert removed.exit_code == 0, removed.output
    assert f"{shown}: not in the index" in removed.output and "removed 1 files" in removed.output
    assert invoke("index", "add", "d/plain.txt", "--index", "i.db").exit_code == 0
    checked = invoke("check", "d", "--index", "i.db")
    assert f"{shown}: its name is not UTF-8, which the index cannot store; not checked " \
           "(rename it)" in checked.output
    assert checked.exit_code == 0, checked.output      # plain.txt passes; the other is skipped


def test_scan_skips_each_bad_file_with_one_warning_and_reads_the_rest(bad):
    res = invoke("scan", "in", "--format", "json")
    no_traceback(res)
    assert res.exit_code == 0, res.output
    check_warnings(res, bad)
    data = json.loads(res.stdout)
    assert data["summary"]["files"] == len(bad.cleaned)
    assert sorted(line.split(":")[0] for line in data["skipped"]) == sorted(
        f"in/{name}" for name in bad.skipped)
    changed = {f["path"] for f in data["files"]}
    assert changed == {f"in/{n}" for n, c in bad.cleaned.items()
                       if c != (bad.root / "in" / n).read_bytes()}


def test_clean_write_gives_every_good_file_cleaned_byte_for_byte(bad):
    originals = snapshot(bad.root / "in")
    res = invoke("clean", "in", "--write", "--out", "out", "--report-dir", "rep")
    no_traceback(res)
    assert res.exit_code == 0, res.output
    check_warnings(res, bad)
    assert snapshot(bad.root / "in") == originals
    assert snapshot(bad.root / "out") == bad.cleaned      # only the files that were read
    report = json.loads((bad.root / "rep" / "report.json").read_text("utf-8"))
    assert len(report["skipped"]) == len(bad.skipped)


def test_clean_dry_run_and_quiet_keep_the_warnings(bad):
    res = invoke("clean", "in", "--quiet")
    no_traceback(res)
    assert res.exit_code == 0
    check_warnings(res, bad)
    assert "--- in/good.txt" in res.stdout
    assert all(line.startswith("dedup: warning:") for line in res.stderr.splitlines())


@pytest.mark.parametrize("command", [["scan"], ["scan", "--report"], ["clean"],
                                     ["clean", "--write", "--out", "out"],
                                     ["clean", "--in-place"], ["clean", "--in-place",
                                                               "--no-backup"]])
def test_strict_exits_2_and_writes_nothing(bad, command):
    before = snapshot(bad.root)
    res = invoke(*command, "in", "--strict", "--report-dir", "rep")
    no_traceback(res)
    assert res.exit_code == 2, res.output
    assert "--strict" in res.stderr and f"{len(bad.skipped)} files skipped" in res.stderr
    assert snapshot(bad.root) == before
    assert not (bad.root / "out").exists() and not (bad.root / "rep").exists()


def test_strict_passes_when_nothing_is_skipped(bad):
    res = invoke("clean", "in/good.txt", "in/crlf.txt", "--write", "--out", "out", "--strict")
    assert res.exit_code == 0, res.output
    assert snapshot(bad.root / "out") == {"good.txt": bad.cleaned["good.txt"],
                                         "crlf.txt": bad.cleaned["crlf.txt"]}


def test_in_place_cleans_the_good_files_and_leaves_the_bad_ones_alone(bad):
    d = bad.root / "in"
    originals = snapshot(d)
    res = invoke("clean", "in", "--in-place", "--backup-dir", "bk", "--report-dir", "rep")
    no_traceback(res)
    assert res.exit_code == 0, res.output
    check_warnings(res, bad)
    now = snapshot(d)
    backups = snapshot(bad.root / "bk")
    for name, cleaned in bad.cleaned.items():
        assert now[name] == cleaned, name
        assert backups.get(name) == (originals[name] if cleaned != originals[name] else None)
    assert {name: now[name] for name in now if name not in bad.cleaned} == {
        name: data for name, data in originals.items() if name not in bad.cleaned}


def test_in_place_stops_before_writing_anything_when_a_backup_exists(bad):
    before = snapshot(bad.root)
    res = invoke("clean", "in", "--in-place", "--report-dir", "rep")   # good.txt.orig is there
    no_traceback(res)
    assert res.exit_code == 2
    assert "good.txt.orig already exists" in res.stderr and "nothing written" in res.stderr
    assert snapshot(bad.root) == before


def test_check_runs_on_the_bad_corpus(bad, h):
    from dedup.cli import app as main_app
    names = {c.name or c.callback.__name__ for c in main_app.registered_commands}
    if "check" not in names:
        pytest.skip("dedup check is not there yet")
    (bad.root / "known").mkdir()
    (bad.root / "known" / "old.txt").write_text(art(h.filler[1]))
    assert invoke("index", "add", "known", "--index", "idx.sqlite").exit_code == 0
    res = invoke("check", "in", "--index", "idx.sqlite")
    no_traceback(res)
    assert res.exit_code in (0, 1), res.output
    warnings = [line for line in res.stderr.splitlines() if line.startswith("dedup: warning:")]
    for name in bad.skipped:
        assert sum(f"in/{name}: " in w for w in warnings) == 1, (name, warnings)


# --- one bad input at a time ----------------------------------------------------------------

@pytest.mark.skipif(IS_ROOT, reason="root reads files whatever their mode")
def test_permission_denied_is_one_warning(in_tmp, h):
    (in_tmp / "d").mkdir()
    (in_tmp / "d" / "ok.txt").write_text(art(h.filler[0]))
    (in_tmp / "d" / "locked.txt").write_text(art(h.filler[1]))
    os.chmod(in_tmp / "d" / "locked.txt", 0)
    try:
        res = invoke("scan", "d")
    finally:
        os.chmod(in_tmp / "d" / "locked.txt", 0o644)
    assert res.exit_code == 0
    assert "dedup: warning: d/locked.txt: permission denied" in res.stderr


@pytest.mark.skipif(IS_ROOT, reason="root lists folders whatever their mode")
def test_unlistable_folder_is_one_warning(in_tmp, h):
    (in_tmp / "d" / "locked").mkdir(parents=True)
    (in_tmp / "d" / "ok.txt").write_text(art(h.filler[0]))
    os.chmod(in_tmp / "d" / "locked", 0)
    try:
        res = invoke("scan", "d")
    finally:
        os.chmod(in_tmp / "d" / "locked", 0o755)
    assert res.exit_code == 0
    assert "d/locked: cannot list" in res.stderr


def test_dangling_symlink_counts_as_unreadable_even_for_root(in_tmp):
    (in_tmp / "d").mkdir()
    os.symlink("gone.txt", in_tmp / "d" / "link.txt")
    res = invoke("scan", "d", "--strict")
    assert res.exit_code == 2
    assert "d/link.txt: broken symbolic link" in res.stderr
    assert "1 file skipped: 1 unreadable" in res.stderr


def test_a_symlinked_folder_loop_given_explicitly_ends_and_reads_each_file_once(bad):
    res = invoke("scan", "in/dirloop/dirloop/dirloop", "in", "in/alias.txt", "in/good.txt",
                 "--format", "json")
    assert res.exit_code == 0
    data = json.loads(res.stdout)
    assert data["summary"]["files"] == len(bad.cleaned)
    paths = [f["path"] for f in data["files"]]
    assert len(paths) == len(set(paths))
    # the file is named by its own path, not the link's, whatever the order given
    assert "in/good.txt" in paths and not any("alias" in p or "dirloop" in p for p in paths)


def test_same_file_through_a_link_given_twice_is_read_once(in_tmp, h):
    (in_tmp / "real").mkdir()
    (in_tmp / "real" / "story.txt").write_text(art(h.filler[0], h.filler[1]))
    os.symlink(in_tmp / "real" / "story.txt", in_tmp / "link.txt")
    for args in (["link.txt", "real/story.txt"], ["real/story.txt", "link.txt", "link.txt"]):
        files, warnings = discover([Path(a) for a in args])
        assert [d for _, d in files] == ["real/story.txt"] and not warnings
    res = invoke("scan", "link.txt", "real", "--format", "json")
    assert json.loads(res.stdout)["summary"]["removed"] == 0


def test_file_that_disappears_between_listing_and_reading(in_tmp, h):
    (in_tmp / "d").mkdir()
    for i, own in enumerate((0, 1, 3)):
        (in_tmp / "d" / f"{i}.txt").write_text(art(h.filler[own], h.filler[2]))
    files, warnings = discover([Path("d")])
    assert len(files) == 3 and not warnings
    (in_tmp / "d" / "1.txt").unlink()
    cfg = Config(jobs=1)
    result = decide(read_corpus(files, cfg), cfg)
    assert result.skipped == ["d/1.txt: disappeared before it could be read"]
    assert skip_reason(result.skipped[0]) == "vanished"
    assert [d.path for d in result.documents] == ["d/0.txt", "d/2.txt"]
    assert len(result.removals) == 1


def test_file_that_disappears_during_a_scan_through_the_library(in_tmp, h, monkeypatch):
    import dedup.input.corpus as corpus
    (in_tmp / "d").mkdir()
    for i in range(3):
        (in_tmp / "d" / f"{i}.txt").write_text(art(h.filler[i]))
    real = corpus.read_texts

    def vanishing(path, display=None, encoding=None):
        if os.path.basename(path) == "2.txt":
            os.unlink(path)
        return real(path, display, encoding)

    monkeypatch.setattr(corpus, "read_texts", vanishing)
    result = api.scan(["d"], Config(jobs=1))
    assert result.skipped == ["d/2.txt: disappeared before it could be read"]
    assert len(result.documents) == 2


def test_in_place_never_overwrites_a_file_changed_or_removed_after_the_scan(in_tmp, h):
    f = h.filler
    (in_tmp / "d").mkdir()
    for i, name in enumerate("abc"):
        (in_tmp / "d" / f"{name}.txt").write_text(art(f[2 * i], f[2 * i], f[2 * i + 1]))
    result = api.scan(["d"], Config(jobs=1))
    (in_tmp / "d" / "a.txt").write_text("edited by someone else\n")
    (in_tmp / "d" / "b.txt").unlink()
    summary = api.write_in_place(result, ["d"], backup=False)
    assert summary.not_written == ["d/a.txt: changed since it was read; not rewritten",
                                   "d/b.txt: disappeared since it was read; not rewritten"]
    assert (in_tmp / "d" / "a.txt").read_text() == "edited by someone else\n"
    assert not (in_tmp / "d" / "b.txt").exists()
    assert (in_tmp / "d" / "c.txt").read_text() == art(f[4], f[5])


def test_single_50_mb_line(in_tmp, h):
    """A 50 MB file of one line is one paragraph: read, kept whole, written back unchanged."""
    rng = random.Random(50)
    words = [w.strip(",.") for w in " ".join(h.filler).split()]
    chunk = " ".join(rng.choice(words) for _ in range(20000)) + " "
    line = (chunk * (50_000_000 // len(chunk) + 1))[:50_000_000]
    (in_tmp / "big").mkdir()
    data = line.encode()
    (in_tmp / "big" / "huge.txt").write_bytes(data)
    (in_tmp / "big" / "small.txt").write_text(art(h.filler[0], h.filler[0]))
    result = api.scan(["big"], Config(jobs=1))
    assert not result.skipped
    huge = next(d for d in result.documents if d.path.endswith("huge.txt"))
    assert len(huge.paragraphs) == 1 and len(huge.paragraphs[0].text) == 50_000_000
    summary = api.write_cleaned(result, ["big"], in_tmp / "out")
    assert summary.changed == 1
    assert (in_tmp / "out" / "huge.txt").read_bytes() == data


def test_empty_and_blank_only_files_are_read_and_written_back(in_tmp):
    (in_tmp / "d").mkdir()
    (in_tmp / "d" / "empty.txt").write_bytes(b"")
    (in_tmp / "d" / "blank.txt").write_bytes(b"\n \r\n\t\n")
    res = invoke("clean", "d", "--write", "--out", "out", "--strict")
    assert res.exit_code == 0, res.output
    assert snapshot(in_tmp / "out") == {"empty.txt": b"", "blank.txt": b"\n \r\n\t\n"}


# --- decoding ---------------------------------------------------------------------------

TEXT = "Der B\u00e4r a\u00df M\u00fcsli. \u201cQuoted\u201d \u2014 \u00a35bn.\r\n\r\nSecond line\n"


@pytest.mark.parametrize("data,encoding,bom", [
    (TEXT.encode("utf-8"), "utf-8", False),
    (codecs.BOM_UTF8 + TEXT.encode("utf-8"), "utf-8", True),
    (codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le"), "utf-16-le", True),
    (codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"), "utf-16-be", True),
    (codecs.BOM_UTF32_LE + TEXT.encode("utf-32-le"), "utf-32-le", True),
    (TEXT.encode("cp1252"), "cp1252", False),
    (TEXT.replace("\u201c", '"').replace("\u201d", '"').replace("\u2014", "-")
     .encode("latin-1"), "cp1252", False),
])
def test_encodings_are_detected_and_round_trip(data, encoding, bom):
    doc = parse_document(data, "t")
    assert (doc.encoding, doc.bom) == (encoding, bom)
    assert "B\u00e4r" in doc.paragraphs[0].text
    assert doc.encode("".join(doc.lines)) == data
    assert doc.lines[0].endswith("\r\n") and doc.lines[-1].endswith("\n")


@pytest.mark.parametrize("text,codec", [
    ("\u041f\u0440\u0430\u0432\u0438\u0442\u0435\u043b\u044c\u0441\u0442\u0432\u043e "
     "\u043e\u0431\u044a\u044f\u0432\u0438\u043b\u043e \u043e \u043d\u043e\u0432\u044b\u0445 "
     "\u043c\u0435\u0440\u0430\u0445 \u043f\u043e\u0434\u0434\u0435\u0440\u0436\u043a\u0438 "
     "\u0441\u0435\u043c\u0435\u0439.\n", "cp1251"),
    ("\u6771\u4eac\u3067\u4f1a\u8b70\u304c\u958b\u304b\u308c\u307e\u3057\u305f\u3002"
     "\u7d4c\u6e08\u6210\u9577\u306f\u5b89\u5b9a\u3057\u3066\u3044\u307e\u3059\u3002\n",
     "shift_jis"),
])
def test_other_encodings_are_guessed_and_round_trip_byte_for_byte(text, codec):
    data = text.encode(codec)
    doc = parse_document(data, "t")
    assert doc.encode("".join(doc.lines)) == data
    assert "".join(doc.lines) == text


def test_binary_and_noise_are_refused_with_the_reason():
    with pytest.raises(InputError, match=r"^x\.bin: binary file \(contains NUL bytes"):
        decode(b"PK\x03\x04\x00\x00", "x.bin")
    rng = random.Random(3)
    with pytest.raises(InputError, match=r"^noise: (not UTF-8|not text)"):
        decode(bytes(rng.randrange(1, 256) for _ in range(2000)), "noise")
    # UTF-16 without a byte order mark is refused, and readable with --encoding
    data = "Plain words here\n".encode("utf-16-le")
    with pytest.raises(InputError, match="--encoding"):
        decode(data, "u16")
    text, used, bom = decode(data, "u16", "utf-16")
    assert (text, used, bom) == ("Plain words here\n", "utf-16-le", False)


def test_forced_encoding_that_does_not_fit_is_refused_naming_the_file():
    with pytest.raises(InputError, match=r"^f\.txt: cannot decode as utf-8"):
        decode("caf\u00e9".encode("latin-1"), "f.txt", "utf-8")
    with pytest.raises(InputError, match="unknown encoding"):
        decode(b"abc", "f.txt", "no-such-codec")
    text, used, bom = decode(codecs.BOM_UTF8 + b"abc\n", "f.txt", "utf-8-sig")
    assert (text, used, bom) == ("abc\n", "utf-8", True)


def test_encoding_option_on_the_command_line(in_tmp, h):
    (in_tmp / "d").mkdir()
    data = art(h.filler[0], h.filler[0]).encode("utf-16-le")
    (in_tmp / "d" / "u16.txt").write_bytes(data)
    assert "binary file" in invoke("scan", "d").stderr
    res = invoke("clean", "d", "--encoding", "utf-16", "--write", "--out", "out")
    assert res.exit_code == 0, res.output
    assert (in_tmp / "out" / "u16.txt").read_bytes() == art(h.filler[0]).encode("utf-16-le")


def test_skip_reasons_and_summary():
    messages = ["a: binary file (contains NUL bytes)", "b: symbolic link loop",
                "c: permission denied", "weird: name: not a regular file (a FIFO)",
                "d: not UTF-8 (invalid byte at 3) and no encoding fits it",
                "e: disappeared before it could be read", "f: cannot list: Permission denied"]
    assert [skip_reason(m) for m in messages] == [
        "binary", "unreadable", "unreadable", "not a file", "encoding", "vanished",
        "unreadable"]
    assert skip_summary(messages) == ("7 files skipped: 3 unreadable, 1 binary, 1 encoding, "
                                      "1 not a file, 1 vanished")
    assert skip_summary([]) == "no files skipped"


def test_device_files_are_refused_without_reading(in_tmp):
    if not Path("/dev/zero").exists():
        pytest.skip("no /dev/zero")
    with pytest.raises(InputError, match="not a regular file"):
        read_document(Path("/dev/zero"), "zero")


# --- where output goes ------------------------------------------------------------------

def test_out_inside_the_input_is_never_read(bad):
    for _ in range(2):
        res = invoke("clean", "in", "--write", "--out", "in/cleaned", "--report-dir", "in/rep")
        assert res.exit_code == 0, res.output
    assert snapshot(bad.root / "in" / "cleaned") == bad.cleaned
    report = json.loads((bad.root / "in" / "rep" / "report.json").read_text("utf-8"))
    assert report["summary"]["files"] == len(bad.cleaned)


@pytest.mark.parametrize("out", ["in", ".", "in/../in"])
def test_out_that_is_or_holds_the_input_is_refused(bad, out):
    before = snapshot(bad.root)
    res = invoke("clean", "in", "--write", "--out", out)
    assert res.exit_code == 2
    assert "--out" in res.stderr and "input" in res.stderr
    assert snapshot(bad.root) == before


def test_a_json_lines_copy_led_out_of_out_by_a_link_is_refused_before_writing(in_tmp, h):
    """The JSON Lines writer asks the same check as the file writer
    (dedup.output.clean.check_target) of every target before the first."""
    (in_tmp / "in" / "sub").mkdir(parents=True)
    record = lambda i, text: json.dumps({"id": i, "text": text}) + "\n"  # noqa: E731
    (in_tmp / "in" / "a.jsonl").write_text(record(1, art(h.filler[0], h.filler[0])))
    (in_tmp / "in" / "sub" / "b.jsonl").write_text(record(2, art(h.filler[1])))
    (in_tmp / "elsewhere").mkdir()
    (in_tmp / "out").mkdir()
    os.symlink(in_tmp / "elsewhere", in_tmp / "out" / "sub")      # out/sub -> ../elsewhere
    res = invoke("clean", "in", "--jsonl", "text", "--jsonl-id", "id", "--write", "--out", "out")
    assert res.exit_code == 2
    assert "sub/b.jsonl: output path" in res.stderr and "escapes" in res.stderr
    assert list((in_tmp / "elsewhere").iterdir()) == []
    assert sorted(p.name for p in (in_tmp / "out").iterdir()) == ["sub"]   # a.jsonl not written


def test_output_through_a_symlink_out_of_out_is_refused_before_writing(in_tmp, h):
    (in_tmp / "in" / "sub").mkdir(parents=True)
    (in_tmp / "in" / "a.txt").write_text(art(h.filler[0], h.filler[0]))
    (in_tmp / "in" / "sub" / "b.txt").write_text(art(h.filler[1]))
    (in_tmp / "elsewhere").mkdir()
    (in_tmp / "out").mkdir()
    os.symlink(in_tmp / "elsewhere", in_tmp / "out" / "sub")      # out/sub -> ../elsewhere
    res = invoke("clean", "in", "--write", "--out", "out")
    assert res.exit_code == 2
    assert "escapes" in res.stderr and "nothing written" in res.stderr
    assert list((in_tmp / "elsewhere").iterdir()) == []
    assert sorted(p.name for p in (in_tmp / "out").iterdir()) == ["sub"]   # a.txt not written


def test_output_to_an_input_file_through_a_symlink_is_refused(in_tmp, h):
    (in_tmp / "in").mkdir()
    (in_tmp / "in" / "a.txt").write_text(art(h.filler[0], h.filler[0]))
    (in_tmp / "out").mkdir()
    os.symlink(in_tmp / "in" / "a.txt", in_tmp / "out" / "a.txt")
    res = invoke("clean", "in", "--write", "--out", "out")
    assert res.exit_code == 2
    assert (in_tmp / "in" / "a.txt").read_text() == art(h.filler[0], h.filler[0])


def test_dotdot_in_input_paths_keeps_output_under_out(in_tmp, h):
    (in_tmp / "x" / "in").mkdir(parents=True)
    (in_tmp / "x" / "in" / "a.txt").write_text(art(h.filler[0], h.filler[0]))
    (in_tmp / "y").mkdir()
    (in_tmp / "y" / "b.txt").write_text(art(h.filler[1]))
    res = invoke("clean", "x/../x/in", "y/../y", "--write", "--out", "out")
    assert res.exit_code == 0, res.output
    assert snapshot(in_tmp / "out") == {"x/in/a.txt": art(h.filler[0]).encode(),
                                        "y/b.txt": art(h.filler[1]).encode()}


def test_cleaned_copies_get_ordinary_permissions(in_tmp, h):
    (in_tmp / "in").mkdir()
    (in_tmp / "in" / "a.txt").write_text(art(h.filler[0]))
    assert invoke("clean", "in", "--write", "--out", "out").exit_code == 0
    mask = os.umask(0o022)
    os.umask(mask)
    assert stat.S_IMODE((in_tmp / "out" / "a.txt").stat().st_mode) == 0o666 & ~mask


# --- in place ---------------------------------------------------------------------------

@pytest.fixture
def two(in_tmp, h) -> Path:
    f = h.filler
    d = in_tmp / "d"
    (d / "sub").mkdir(parents=True)
    (d / "a.txt").write_bytes(art(f[0], f[0], f[1], nl="\r\n").encode())
    (d / "sub" / "b.txt").write_bytes(art(f[2], f[1]).encode())
    (d / "c.txt").write_bytes(art(f[3]).encode())
    os.chmod(d / "a.txt", 0o640)
    os.chmod(d / "sub" / "b.txt", 0o604)
    return d


def test_in_place_and_out_are_mutually_exclusive(two):
    before = snapshot(two)
    for args in (["--in-place", "--out", "o"], ["--write", "--no-backup"],
                 ["--backup-dir", "bk"], ["--in-place", "--no-backup", "--backup-dir", "bk"]):
        res = invoke("clean", "d", *args)
        assert res.exit_code == 2, args
        assert "dedup: error:" in res.stderr
    assert snapshot(two) == before


def test_in_place_rewrites_atomically_keeping_mode_and_a_backup(two, h):
    f = h.filler
    originals = snapshot(two)
    res = invoke("clean", "d", "--in-place", "--report-dir", "rep")
    assert res.exit_code == 0, res.output
    assert "rewrote 2 files in place" in res.stderr
    now = snapshot(two)
    assert now == {"a.txt": art(f[0], f[1], nl="\r\n").encode(),
                   "a.txt.orig": originals["a.txt"],
                   "sub/b.txt": art(f[2]).encode(),
                   "sub/b.txt.orig": originals["sub/b.txt"],
                   "c.txt": originals["c.txt"]}
    assert stat.S_IMODE((two / "a.txt").stat().st_mode) == 0o640
    assert stat.S_IMODE((two / "a.txt.orig").stat().st_mode) == 0o640
    assert stat.S_IMODE((two / "sub" / "b.txt").stat().st_mode) == 0o604
    # a second run finds nothing to do, never reads the backups, and writes nothing
    res = invoke("clean", "d", "--in-place", "--glob", "*", "--report-dir", "rep")
    assert res.exit_code == 0, res.output
    assert "rewrote 0 files" in res.stderr and snapshot(two) == now


def test_in_place_refuses_to_overwrite_a_backup(two):
    (two / "sub" / "b.txt.orig").write_bytes(b"an older backup\n")
    before = snapshot(two)
    res = invoke("clean", "d", "--in-place")
    assert res.exit_code == 2
    assert "d/sub/b.txt.orig already exists" in res.stderr.replace(str(two.parent) + "/", "")
    assert snapshot(two) == before
    res = invoke("clean", "d", "--in-place", "--no-backup")
    assert res.exit_code == 0, res.output
    assert (two / "sub" / "b.txt.orig").read_bytes() == b"an older backup\n"


def test_in_place_with_a_backup_dir(two, in_tmp):
    originals = snapshot(two)
    res = invoke("clean", "d", "--in-place", "--backup-dir", "bk")
    assert res.exit_code == 0, res.output
    assert snapshot(in_tmp / "bk") == {"a.txt": originals["a.txt"],
                                       "sub/b.txt": originals["sub/b.txt"]}
    assert not any(name.endswith(".orig") for name in snapshot(two))
    # a backup folder inside the input is never read; the input itself is refused
    (two / "a.txt").write_bytes(originals["a.txt"])
    res = invoke("clean", "d", "--in-place", "--backup-dir", "d/bk", "--glob", "*")
    assert res.exit_code == 0 and "rewrote 1 files" in res.stderr
    assert snapshot(two / "bk") == {"a.txt": originals["a.txt"]}
    res = invoke("clean", "d", "--in-place", "--backup-dir", "d/bk", "--glob", "*")
    assert res.exit_code == 0 and "rewrote 0 files" in res.stderr
    assert invoke("clean", "d", "--in-place", "--backup-dir", "d").exit_code == 2


def test_in_place_through_a_symlink_rewrites_the_target_and_keeps_the_link(in_tmp, h):
    (in_tmp / "real").mkdir()
    (in_tmp / "real" / "a.txt").write_text(art(h.filler[0], h.filler[0]))
    (in_tmp / "d").mkdir()
    os.symlink(in_tmp / "real" / "a.txt", in_tmp / "d" / "link.txt")
    res = invoke("clean", "d", "--in-place", "--no-backup")
    assert res.exit_code == 0, res.output
    assert (in_tmp / "d" / "link.txt").is_symlink()
    assert (in_tmp / "real" / "a.txt").read_text() == art(h.filler[0])


def test_in_place_implies_write_and_quiet_silences_status_lines(two):
    res = invoke("clean", "d", "--in-place", "--no-backup", "--quiet")
    assert res.exit_code == 0
    assert res.stderr == "" and res.stdout == ""
    assert not any(name.endswith(".orig") for name in snapshot(two))


# --- discovery ----------------------------------------------------------------------------

def test_temporary_files_and_backups_are_never_read(in_tmp, h):
    (in_tmp / "d").mkdir()
    (in_tmp / "d" / "a.txt").write_text(art(h.filler[0]))
    (in_tmp / "d" / ".a.txt.x1y2.dedup-tmp").write_text(art(h.filler[0]))
    (in_tmp / "d" / "a.txt.orig").write_text(art(h.filler[0]))
    temps: list[str] = []
    for glob in ("*.txt", "*", "*tmp"):
        files, warnings = discover([Path("d")], glob, temp_files=temps)
        assert [d for _, d in files] == (["d/a.txt"] if glob != "*tmp" else [])
    assert temps == ["d/.a.txt.x1y2.dedup-tmp"] * 3
    files, _ = discover([Path("d/.a.txt.x1y2.dedup-tmp"), Path("d/a.txt.orig")])
    assert [d for _, d in files] == ["d/a.txt.orig"]          # a backup named is read
    assert [d for _, d in discover([Path("d")], "*.orig")[0]] == ["d/a.txt.orig"]
    res = invoke("scan", "d", "--glob", "*", "--format", "json")
    assert json.loads(res.stdout)["summary"]["files"] == 1
    assert "temporary file left by an interrupted write (d/.a.txt.x1y2.dedup-tmp)" in res.stderr


def test_discovery_of_a_big_flat_folder_lists_every_file_in_order(in_tmp):
    n = 10000
    folder = in_tmp / "flat"
    folder.mkdir()
    for i in range(n):
        os.close(os.open(folder / f"{i:05d}.txt", os.O_CREAT | os.O_WRONLY, 0o644))
    files, warnings = discover([Path("flat")], exclude=[Path("out"), Path("reports")])
    assert len(files) == n and not warnings
    assert [d for _, d in files[:2]] == ["flat/00000.txt", "flat/00001.txt"]
    assert [d for _, d in files] == sorted(d for _, d in files)


# --- progress -------------------------------------------------------------------------------

def test_progress_bar_is_off_without_a_terminal_or_with_quiet(monkeypatch):
    from dedup import cli
    with cli._progress(quiet=True, force=True) as progress:
        assert progress is None
    with cli._progress(quiet=False) as progress:      # stderr is not a terminal in tests
        assert progress is None
    monkeypatch.setattr(cli, "PROGRESS_DELAY", 0.0)
    with cli._progress(quiet=False, force=True) as progress:
        for done in range(0, 101, 10):
            progress(done, 100)


def test_scan_reports_progress_through_the_library(in_tmp, h):
    (in_tmp / "d").mkdir()
    for i in range(150):
        (in_tmp / "d" / f"{i:03d}.txt").write_text(art(h.filler[i % 10]))
    calls = []
    api.scan(["d"], Config(jobs=1), progress=lambda done, total: calls.append((done, total)))
    assert calls and calls[-1] == (150, 150)
    assert all(total == 150 for _, total in calls)
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)


# --- line endings -----------------------------------------------------------------------

def test_mixed_line_endings_never_join_paragraphs_when_cleaned():
    """A CR-ended line followed by an LF-only blank line would read back as one CRLF line;
    clean takes the blank lines that followed the kept paragraph instead (found by
    tests/test_fuzz.py)."""
    from dedup.output.clean import cleaned_text
    from dedup.input.documents import document_from_text
    doc = document_from_text("one\n\ntwo\n\nthree\r\x85\ntwo\n\nfour\n", "t")
    assert [p.text for p in doc.paragraphs] == ["one", "two", "three", "two", "four"]
    out = cleaned_text(doc, {1, 3})
    assert out == "one\n\nthree\r\x85\nfour\n"
    assert [p.text for p in document_from_text(out, "t").paragraphs] == ["one", "three", "four"]
    doc = document_from_text("a\r\rb\n\n", "t")       # a lone LF at the end would join too
    assert cleaned_text(doc, {1}) == "a\r"


@pytest.mark.parametrize("newline", ["\r\n", "\r"])
def test_cleaned_output_keeps_crlf_and_cr_byte_for_byte(in_tmp, h, newline):
    f = h.filler
    (in_tmp / "d").mkdir()
    data = art(f[0], f[1], f[0], f[2], nl=newline).encode()
    (in_tmp / "d" / "a.txt").write_bytes(data)
    assert invoke("clean", "d", "--write", "--out", "out").exit_code == 0
    out = (in_tmp / "out" / "a.txt").read_bytes()
    assert out == art(f[0], f[1], f[2], nl=newline).encode()
    assert out.count(newline.encode()) == 5 and (newline == "\r\n" or b"\n" not in out)


def test_in_place_goes_on_when_a_killed_run_left_an_identical_backup(two):
    # A run killed between writing a.txt.orig and replacing a.txt leaves exactly this.
    originals = snapshot(two)
    (two / "a.txt.orig").write_bytes(originals["a.txt"])
    res = invoke("clean", "d", "--in-place")
    assert res.exit_code == 0, res.output
    now = snapshot(two)
    assert now["a.txt.orig"] == originals["a.txt"] and now["a.txt"] != originals["a.txt"]
    assert now["sub/b.txt.orig"] == originals["sub/b.txt"]


def test_documents_are_not_held_in_memory_and_a_file_changed_after_the_scan_is_not_written(
        in_tmp, h):
    """Read files are kept as path, size and digest only; writing reads them again and
    refuses one whose bytes changed since the scan instead of cleaning other text."""
    f = h.filler
    (in_tmp / "d").mkdir()
    for i, name in enumerate("abc"):
        (in_tmp / "d" / f"{name}.txt").write_text(art(f[2 * i], f[2 * i], f[2 * i + 1]))
    result = api.scan(["d"], Config(jobs=1))
    assert [d.loaded for d in result.documents] == [False, False, False]
    assert [len(result.removed_in(i)) for i in range(3)] == [1, 1, 1]
    (in_tmp / "d" / "a.txt").write_text(art(f[0], f[0], f[1]) + "a late line\n")
    summary = api.write_cleaned(result, ["d"], in_tmp / "out")
    assert summary.not_written == ["d/a.txt: changed since it was read; not written"]
    assert not (in_tmp / "out" / "a.txt").exists()
    assert (in_tmp / "out" / "b.txt").read_text() == art(f[2], f[3])
    assert (in_tmp / "out" / "c.txt").read_text() == art(f[4], f[5])


def test_a_file_with_nothing_removed_is_copied_byte_for_byte_after_its_check(in_tmp, h):
    """A copy with nothing removed is the file's own bytes (BOM, encoding, line ends and
    a missing last newline kept), read again and refused when changed since the scan."""
    f = h.filler
    files = {"bom.txt": codecs.BOM_UTF8 + art(f[0], nl="\r\n").encode(),
             "latin.txt": art("Caf\xe9 cr\xe8me. " + f[1]).encode("latin-1"),
             "utf16.txt": codecs.BOM_UTF16_LE + art(f[2]).encode("utf-16-le"),
             "open.txt": art(f[3]).rstrip("\n").encode(),
             "mixed.txt": f"{f[4]}\r\n\n{f[5]}\r\r\n{f[6]}".encode(),
             "late.txt": art(f[7]).encode(),
             "twice.txt": art(f[8], f[8], f[9]).encode()}
    (in_tmp / "d").mkdir()
    for name, data in files.items():
        (in_tmp / "d" / name).write_bytes(data)
    result = api.scan(["d"], Config(jobs=1))
    removed = {Path(d.path).name: len(result.removed_in(i))
               for i, d in enumerate(result.documents)}
    assert removed == {name: int(name == "twice.txt") for name in files}
    (in_tmp / "d" / "late.txt").write_bytes(art(f[7], f[0]).encode())
    summary = api.write_cleaned(result, ["d"], in_tmp / "out")
    assert summary.not_written == ["d/late.txt: changed since it was read; not written"]
    assert not (in_tmp / "out" / "late.txt").exists()
    for name, data in files.items():
        if name not in ("late.txt", "twice.txt"):
            assert (in_tmp / "out" / name).read_bytes() == data, name
    assert (in_tmp / "out" / "twice.txt").read_bytes() == art(f[8], f[9]).encode()


@pytest.mark.parametrize("list_after", [0, 3, api.RealPaths.LIST_AFTER])
def test_real_paths_looked_up_by_folder_agree_with_realpath(in_tmp, monkeypatch, list_after):
    # Folders are listed for their links at once, after a few names, or (for
    # these few paths) never.
    monkeypatch.setattr(api.RealPaths, "LIST_AFTER", list_after)
    (in_tmp / "a" / "b").mkdir(parents=True)
    (in_tmp / "a" / "b" / "f.txt").write_text("x")
    (in_tmp / "elsewhere").mkdir()
    os.symlink(in_tmp / "a" / "b", in_tmp / "link_dir")
    os.symlink(in_tmp / "a" / "b" / "f.txt", in_tmp / "a" / "link_file")
    os.symlink("../elsewhere/nothing", in_tmp / "a" / "dangling")
    os.symlink(in_tmp / "loop", in_tmp / "loop")
    paths = ["a/b/f.txt", "link_dir/f.txt", "link_dir/../b/f.txt", "a/link_file", "a/dangling",
             "a/b/new.txt", "missing/x/y.txt", str(in_tmp / "link_dir" / "f.txt"), "f.txt",
             "a/b/.", "a/b/..", "a/b/", "loop", "link_dir/../link_file", ".", ""]
    realpath = api.RealPaths()
    for _ in range(2):                       # the second time from its folder table
        for p in paths:
            assert realpath(p) == os.path.realpath(p), p


@pytest.mark.parametrize("inputs", [["x/../x/in", "y/../y"], ["./x/in/", "y/b.txt"],
                                    ["ABS/x", "y"], ["x/in/a.txt", "x/in/sub/c.txt"]])
def test_copies_planned_by_folder_go_where_the_general_plan_puts_them(in_tmp, h, monkeypatch,
                                                                      inputs):
    """write_cleaned places a document's copy from its folder's plan; with
    that shortcut turned off every path is made absolute and resolved one by
    one. Both give the same copies, and both refuse the same way an output
    folder where a copy's place is a link to its original, or its folder a
    link out of the output folder."""
    (in_tmp / "x" / "in" / "sub").mkdir(parents=True)
    (in_tmp / "x" / "in" / "a.txt").write_text(art(h.filler[0], h.filler[0]))
    (in_tmp / "x" / "in" / "sub" / "c.txt").write_text(art(h.filler[2], h.filler[0]))
    (in_tmp / "y").mkdir()
    (in_tmp / "y" / "b.txt").write_text(art(h.filler[1]))
    inputs = [p.replace("ABS", str(in_tmp)) for p in inputs]
    result = api.scan(inputs, Config(jobs=1))
    assert len(result.documents) >= 2 and result.removals
    outcomes = []
    for shortcut in (True, False):
        if not shortcut:
            monkeypatch.setattr(api, "_copy_folder", lambda *a: None)
        out = in_tmp / f"out_{shortcut}"
        written = api.write_cleaned(result, inputs, out)
        copies = [p.relative_to(out) for p in written.written]
        refusals = []
        # The last copy's place is a link to its original; then its folder
        # (when it has one) is a link out of the output folder.
        over, escape = in_tmp / f"over_{shortcut}", in_tmp / f"escape_{shortcut}"
        (over / copies[-1]).parent.mkdir(parents=True)
        os.symlink(os.path.realpath(result.documents[-1].path), over / copies[-1])
        (escape / copies[-1]).parent.parent.mkdir(parents=True, exist_ok=True)
        if copies[-1].parent != Path("."):
            os.symlink(in_tmp, escape / copies[-1].parent)
        for trap in (over, escape):
            try:
                api.write_cleaned(result, inputs, trap)
                refusals.append(None)
            except api.WriteError as refused:
                refusals.append(str(refused).replace(str(trap), "TRAP"))
        outcomes.append(([str(p) for p in copies], snapshot(out), refusals))
    assert outcomes[0] == outcomes[1]
    # A link to the original resolves outside the output folder: refused as such.
    assert "escapes TRAP; nothing written" in outcomes[0][2][0]
    assert outcomes[0][2][1] is None or "escapes TRAP" in outcomes[0][2][1]


def test_copies_cleaned_by_pool_processes_equal_those_cleaned_by_one(in_tmp, h):
    """With workers, documents are read again and cleaned in batches by pool processes
    and written in order by this one: the same files, bytes and refusals as one process."""
    f = h.filler
    (in_tmp / "d").mkdir()
    for i in range(700):                       # three batches of 256
        paragraphs = [f"Story {i} opens with its own line."] + [f[(i + k) % 10] for k in range(3)]
        if i % 3 == 0:
            paragraphs.insert(2, paragraphs[1])    # a pasted-twice paragraph
        (in_tmp / "d" / f"{i:04d}.txt").write_text(art(*paragraphs))
    result = api.scan(["d"], Config(jobs=1))
    assert result.removals
    (in_tmp / "d" / "0300.txt").write_text("changed\n")
    (in_tmp / "d" / "0601.txt").unlink()
    one = api.write_cleaned(result, ["d"], in_tmp / "one")
    two = api.write_cleaned(result, ["d"], in_tmp / "two", workers=2)
    assert one.not_written == two.not_written == [
        "d/0300.txt: changed since it was read; not written",
        "d/0601.txt: cannot read it again (No such file or directory); not written"]
    assert (one.changed, len(one.written)) == (two.changed, len(two.written)) == (
        sum(bool(result.removed_in(i)) for i in range(700) if i not in (300, 601)), 698)
    copies = snapshot(in_tmp / "two")
    assert snapshot(in_tmp / "one") == copies and len(copies) == 698
    original = (in_tmp / "d" / "0003.txt").read_bytes()
    assert copies["0003.txt"].startswith(b"Story 3 opens") and copies["0003.txt"] != original


def test_copies_are_all_written_when_a_cleaning_process_dies(in_tmp, h, monkeypatch):
    """A pool process killed mid-write (out of memory, say) costs nothing: this
    process cleans the batches that were not handed over, and every copy is written."""
    f = h.filler
    (in_tmp / "d").mkdir()
    for i in range(600):
        (in_tmp / "d" / f"{i:04d}.txt").write_text(art(f"Story {i} has a line of its own.",
                                                        f[i % 10], f[(i + 1) % 10]))
    result = api.scan(["d"], Config(jobs=1))
    expected = api.write_cleaned(result, ["d"], in_tmp / "one")
    _dying(monkeypatch, api, "_clean_batch")
    summary = api.write_cleaned(result, ["d"], in_tmp / "two", workers=2)
    assert (len(summary.written), summary.changed, summary.not_written) == (
        len(expected.written), expected.changed, [])
    assert snapshot(in_tmp / "two") == snapshot(in_tmp / "one")


def test_a_scan_goes_on_when_a_reading_or_verifying_process_dies(in_tmp, h, monkeypatch):
    """Reading and verification run in pool processes with --jobs 2; when those die,
    this process does their tasks and the decisions are those of --jobs 1."""
    f = h.filler
    (in_tmp / "d").mkdir()
    for i in range(200):                           # four reading tasks of 64 files
        words = f[i % 10].split(" ")
        words[5] += words[5][-1]                   # a typo: a near copy to verify
        (in_tmp / "d" / f"{i:04d}.txt").write_text(
            art(f"Story {i} has a line of its own.", f[i % 10] if i < 100 else " ".join(words)))
    expected = api.scan(["d"], Config(jobs=1))
    assert any(r.kind == "near" for r in expected.removals.values())
    from dedup.input import corpus
    monkeypatch.setattr(pairs_module, "_JUDGED_PER_TASK", 2)    # verification in the pool too
    _dying(monkeypatch, corpus, "_read_batch")
    _dying(monkeypatch, pairs_module, "_judge")
    result = api.scan(["d"], Config(jobs=2))
    assert result.stats["scored"] >= 2 * 2             # enough pairs for two verifying processes
    assert result.removals == expected.removals and result.findings == expected.findings


def _near_copies(folder: Path, filler: list[str]) -> None:
    """200 files (four reading tasks): the first 100 share the filler paragraphs,
    the last 100 hold them with a typo, near copies to verify."""
    folder.mkdir()
    for i in range(200):
        words = filler[i % 10].split(" ")
        words[5] += words[5][-1]
        (folder / f"{i:04d}.txt").write_text(
            art(f"Story {i} has a line of its own.", filler[i % 10] if i < 100 else " ".join(words)))


def test_without_the_compiled_parts_the_decisions_and_copies_are_the_same(in_tmp, h,
                                                                          monkeypatch):
    """A machine without a C compiler runs the Python and numpy forms of
    dedup/_minhash.c and dedup/_text.c: the same decisions and the same
    copies, whatever the input holds (near copies, the samples' doubled
    block, curly quotes and CRLF files)."""
    import shutil

    from conftest import SAMPLES

    if switch.minhash is None or switch.text is None:
        pytest.skip("the compiled parts were not built here: nothing to compare")
    _near_copies(in_tmp / "d", h.filler)
    shutil.copytree(SAMPLES, in_tmp / "d" / "samples")
    (in_tmp / "d" / "crlf.txt").write_bytes(
        art("\u201cQuoted\u201d title \u2014 here", h.filler[2]).replace("\n", "\r\n")
        .encode("utf-8"))
    compiled = api.scan(["d"], Config(jobs=2))
    api.write_cleaned(compiled, ["d"], in_tmp / "one", workers=2)
    monkeypatch.setattr(switch, "text", None)
    monkeypatch.setattr(switch, "minhash", None)
    plain = api.scan(["d"], Config(jobs=2))
    api.write_cleaned(plain, ["d"], in_tmp / "two", workers=2)
    assert len(compiled.removals) > 100 and any(k == "near" for *_, k in h.removed(
        compiled).values())
    assert h.removed(plain) == h.removed(compiled)
    assert plain.findings == compiled.findings and plain.boilerplate == compiled.boilerplate
    assert snapshot(in_tmp / "two") == snapshot(in_tmp / "one")


def test_one_module_switches_between_the_compiled_and_python_forms(tmp_path):
    """Only dedup/compiled.py imports the compiled parts, so it is the one
    switch: DEDUP_PYTHON_ONLY=1 there leaves both out of a run."""
    import re

    from conftest import REPO, python_child
    importers = sorted(p.name for p in (REPO / "dedup").rglob("*.py")
                       if re.search(r"import _(text|minhash)\b", p.read_text("utf-8")))
    assert importers == ["compiled.py"]
    code = ("from dedup import compiled, scan_texts\n"
            "print(compiled.text is None, compiled.minhash is None)\n"
            "print(len(scan_texts({'a.txt': 'One line here.\\n\\nOne line here.\\n'}).removals))")
    assert python_child(code, tmp_path, DEDUP_PYTHON_ONLY="1").stdout.split() == [
        "True", "True", "1"]
    if switch.text is not None and switch.minhash is not None:
        assert python_child(code, tmp_path).stdout.split() == ["False", "False", "1"]


def test_a_process_killed_once_costs_a_retry_and_nothing_else(in_tmp, h, monkeypatch):
    """A reading, verifying or cleaning process killed once (another task's
    memory, a stray signal) is replaced: same decisions, nothing skipped,
    every copy written."""
    _near_copies(in_tmp / "d", h.filler)
    expected = api.scan(["d"], Config(jobs=1, drop_repeated_articles=False))
    one = api.write_cleaned(expected, ["d"], in_tmp / "one")
    from dedup.input import corpus
    monkeypatch.setattr(pairs_module, "_JUDGED_PER_TASK", 2)
    monkeypatch.setattr(api, "_CLEANED_PER_TASK", 64)
    for module, name in ((corpus, "_read_batch"), (pairs_module, "_judge"), (api, "_clean_batch")):
        _dying(monkeypatch, module, name, once=in_tmp / f"{name}.died")
    result = api.scan(["d"], Config(jobs=2, drop_repeated_articles=False))
    two = api.write_cleaned(result, ["d"], in_tmp / "two", workers=2)
    assert all((in_tmp / f"{name}.died").exists()
               for name in ("_read_batch", "_judge", "_clean_batch"))
    assert result.skipped == [] and result.removals == expected.removals
    assert two.not_written == [] and snapshot(in_tmp / "two") == snapshot(in_tmp / "one")
    assert len(two.written) == len(one.written) == 200


def test_a_file_that_kills_every_process_reading_it_is_skipped_alone(in_tmp, h, monkeypatch):
    """A file that kills any process reading it (too large for memory, say)
    would kill this process too: it is found by halving its task, skipped
    with a message naming it, and the other 199 files are scanned as usual."""
    _near_copies(in_tmp / "d", h.filler)
    poison = in_tmp / "d" / "0130.txt"
    poison.rename(in_tmp / "aside")
    expected = api.scan(["d"], Config(jobs=1, drop_repeated_articles=False))
    (in_tmp / "aside").rename(poison)
    from dedup.input import corpus
    _dying(monkeypatch, corpus, "_read_batch",
           when=lambda task: any(path.endswith("0130.txt") for path, _ in task))
    result = api.scan(["d"], Config(jobs=2, drop_repeated_articles=False))
    assert result.skipped == ["d/0130.txt: the process reading it died each time "
                              "(out of memory, or a crash); skipped"]
    assert skip_summary(result.skipped) == "1 file skipped: 1 crashed"
    assert len(result.documents) == 199
    assert h.removed(result) == h.removed(expected) and h.findings(result) == h.findings(expected)


def test_a_pair_that_kills_every_process_comparing_it_is_kept(in_tmp, h, monkeypatch):
    """A pair whose verification kills any process is no repeat: both paragraphs
    stay, a message names the files, and every other pair is verified."""
    _near_copies(in_tmp / "d", h.filler)
    expected = api.scan(["d"], Config(jobs=1, drop_repeated_articles=False))
    monkeypatch.setattr(pairs_module, "_JUDGED_PER_TASK", 2)
    third = h.filler[3]
    _dying(monkeypatch, pairs_module, "_judge",
           when=lambda task: any(third in (pair[2], pair[3]) for pair in task))
    result = api.scan(["d"], Config(jobs=2, drop_repeated_articles=False))
    (message,) = result.skipped
    assert message.startswith("d/0003.txt and d/0103.txt: the process comparing paragraph 2 "
                              "with paragraph 2 died each time; both kept")
    # No file was skipped: the summary counts the pair as a pair.
    assert skip_summary(result.skipped) == (
        "no files skipped; 1 pair of paragraphs not compared (the process comparing them "
        "died; both kept)")
    assert skip_summary(result.skipped + ["x.txt: binary file (contains NUL bytes)"]) == (
        "1 file skipped: 1 binary; 1 pair of paragraphs not compared (the process comparing "
        "them died; both kept)")
    from dedup.report.interface import summary
    assert (summary(result)["skipped"], summary(result)["not_compared"]) == (0, 1)

    def near(scan):
        return {k: v for k, v in h.removed(scan).items() if v[2] == "near"}
    typo_of_third = {(f"d/{i:04d}.txt", 1) for i in range(103, 200, 10)}
    assert typo_of_third <= set(near(expected))
    assert near(result) == {k: v for k, v in near(expected).items() if k not in typo_of_third}
    assert not typo_of_third & set(near(result))


def test_a_file_that_kills_every_process_cleaning_it_is_not_written(in_tmp, h, monkeypatch):
    _near_copies(in_tmp / "d", h.filler)
    result = api.scan(["d"], Config(jobs=1, drop_repeated_articles=False))
    one = api.write_cleaned(result, ["d"], in_tmp / "one")
    monkeypatch.setattr(api, "_CLEANED_PER_TASK", 64)
    _dying(monkeypatch, api, "_clean_batch",
           when=lambda task: any(doc.path.endswith("0042.txt") for doc, *_ in task))
    two = api.write_cleaned(result, ["d"], in_tmp / "two", workers=2)
    assert two.not_written == ["d/0042.txt: the process cleaning it died each time; not written"]
    copies = snapshot(in_tmp / "one")
    del copies["0042.txt"]
    assert snapshot(in_tmp / "two") == copies and len(two.written) == len(one.written) - 1


def _doubled_unless_seven(task: list[int]) -> list[int]:
    if 7 in task and os.getpid() != _Dying.parent:
        os._exit(9)
    return [2 * x for x in task]


def test_ordered_map_sets_aside_only_the_item_that_kills_its_process(monkeypatch):
    from dedup.pool import ordered_map
    monkeypatch.setattr(_Dying, "parent", os.getpid())
    tasks = [[0, 1, 2], [3, 4, 5, 6, 7, 8, 9, 10], [11], [12, 13]]
    got = list(ordered_map(_doubled_unless_seven, tasks, 2, crashed=lambda task: ["dead"]))
    assert got == [[0, 2, 4], [6, 8, 10, 12, "dead", 16, 18, 20], [22], [24, 26]]
    # Without ``crashed`` this process takes over, as before.
    assert list(ordered_map(_doubled_unless_seven, tasks, 2))[1] == [2 * x for x in tasks[1]]


@pytest.mark.parametrize("forked", [True, False], ids=["made-by-forks", "made-here"])
def test_tasks_made_on_demand_run_as_a_list_of_them_would(monkeypatch, forked):
    from dedup import pool
    from dedup.pool import MadeOnDemand, ordered_map
    if forked and not pool.forks():
        pytest.skip("pool processes do not start as forks here")
    monkeypatch.setattr(pool, "forks", lambda: forked)
    monkeypatch.setattr(_Dying, "parent", os.getpid())
    listed = [[0, 1, 2], [3, 4, 5, 6, 7, 8, 9, 10], [11], [12, 13]]
    made = []

    def make(i: int) -> list[int]:
        made.append(i)
        return list(listed[i])

    lazy = MadeOnDemand(make, len(listed))
    assert len(lazy) == 4 and lazy[-1] == [12, 13] and lazy[1:3] == listed[1:3]
    with pytest.raises(IndexError):
        lazy[4]
    made.clear()
    steps = ordered_map(_doubled_unless_seven, lazy, 2, crashed=lambda task: ["dead"], ahead=0)
    assert next(steps) == [0, 2, 4]
    # Forks make their tasks themselves; else this process makes each just
    # before handing it over, and the later ones are not made yet.
    assert made == ([] if forked else [0])
    assert list(steps) == [[6, 8, 10, 12, "dead", 16, 18, 20], [22], [24, 26]]
    # The task whose process died is made here to be run again and halved.
    assert sorted(set(made)) == ([1] if forked else [0, 1, 2, 3])
    assert pool._MAKERS == {}


def test_a_map_of_tasks_made_by_forks_forgets_its_maker_when_closed_early():
    from dedup import pool
    if not pool.forks():
        pytest.skip("pool processes do not start as forks here")
    steps = pool.ordered_map(_doubled_unless_seven, pool.MadeOnDemand(lambda i: [i + 100], 40), 2)
    assert next(steps) == [200] and len(pool._MAKERS) == 1
    steps.close()
    assert pool._MAKERS == {}


class _KilledAtSubmit:
    """A process pool whose processes are all killed just before its third
    task is handed over, and which has noticed by then: the pool refuses
    that task (a process dying between two submissions does that)."""

    submissions = 0
    refused = 0

    def __new__(cls, *args, **kwargs):
        from concurrent.futures import ProcessPoolExecutor
        from concurrent.futures.process import BrokenProcessPool

        class Pool(ProcessPoolExecutor):
            def submit(self, fn, /, *a, **k):
                _KilledAtSubmit.submissions += 1
                if _KilledAtSubmit.submissions == 3:
                    for process in list(self._processes.values()):
                        process.kill()
                    deadline = time.monotonic() + 30
                    while not self._broken and time.monotonic() < deadline:
                        time.sleep(0.01)
                try:
                    return super().submit(fn, *a, **k)
                except BrokenProcessPool:
                    _KilledAtSubmit.refused += 1
                    raise
        return Pool(*args, **kwargs)


@pytest.mark.parametrize("crashed", [None, lambda task: ["dead"]], ids=["takes-over", "retries"])
def test_ordered_map_survives_a_pool_that_breaks_while_tasks_are_handed_over(monkeypatch,
                                                                              crashed):
    """A process dying after one result is taken and before the next task is
    handed over costs a retry, not the run (it once ended a scan with
    BrokenProcessPool)."""
    from dedup import pool
    monkeypatch.setattr(_Dying, "parent", os.getpid())
    monkeypatch.setattr(_KilledAtSubmit, "submissions", 0)
    monkeypatch.setattr(_KilledAtSubmit, "refused", 0)
    monkeypatch.setattr(pool, "ProcessPoolExecutor", _KilledAtSubmit)
    tasks = [[i] for i in range(20, 32)]                   # none kills a process itself
    got = list(pool.ordered_map(_doubled_unless_seven, tasks, 2, crashed=crashed, ahead=0))
    assert _KilledAtSubmit.refused == 1                    # the pool did break
    assert got == [[2 * i] for i in range(20, 32)]


def test_ordered_map_keeps_order_and_shuts_down_when_closed_early():
    from operator import mul

    from dedup.pool import ordered_map
    assert list(ordered_map(mul, list(range(40)), 2, 3)) == [3 * i for i in range(40)]
    assert list(ordered_map(mul, [5], 2, 3)) == [15] and list(ordered_map(mul, [], 2, 3)) == []
    steps = ordered_map(mul, list(range(40)), 2, 3, ahead=1)
    assert next(steps) == 0
    steps.close()                                   # the pool is shut down, nothing hangs


class _Dying:
    parent: int | None = None
    functions: dict = {}
    rules: dict = {}     # name -> (which tasks kill, marker file for a single death or None)


def _dying(monkeypatch, module, name: str, when=None, once: Path | None = None) -> None:
    """``module.name`` made to kill any pool process that runs it (on a task
    ``when(task)`` holds for, when given; only the first time, when ``once``
    names a marker file); this process runs it as before."""
    monkeypatch.setattr(_Dying, "parent", os.getpid())
    monkeypatch.setitem(_Dying.functions, name, getattr(module, name))
    monkeypatch.setitem(_Dying.rules, name, (when, once))
    monkeypatch.setattr(module, name, globals()[f"_dies_{name.lstrip('_')}"])


def _dies(name: str, *args):
    when, once = _Dying.rules[name]
    if os.getpid() != _Dying.parent and (when is None or when(args[0])):
        if once is None or _first_time(once):
            os._exit(9)
    return _Dying.functions[name](*args)


def _first_time(marker: Path) -> bool:
    try:
        os.close(os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
    except FileExistsError:
        return False
    return True


def _dies_clean_batch(*args):
    return _dies("_clean_batch", *args)


def _dies_read_batch(*args):
    return _dies("_read_batch", *args)


def _dies_judge(*args):
    return _dies("_judge", *args)


@pytest.mark.parametrize("workers", [1, 2])
def test_a_copy_that_cannot_be_written_stops_the_writing_and_counts_what_was_written(
        in_tmp, h, monkeypatch, workers):
    """A copy that cannot be written (here a file stands where its folder
    should be) raises a WriteError naming it; no batch is started after it,
    and the count in the message is what the output folder holds."""
    f = h.filler
    (in_tmp / "d" / "0150m").mkdir(parents=True)
    for i in range(300):
        (in_tmp / "d" / f"{i:04d}.txt").write_text(art(f"Story {i} has a line of its own.",
                                                        f[i % 10], f[(i + 1) % 10]))
    (in_tmp / "d" / "0150m" / "late.txt").write_text(art("A story of its own.", f[0]))
    result = api.scan(["d"], Config(jobs=1, drop_repeated_articles=False))
    order = [doc.path for doc in result.documents]
    blocked = order.index("d/0150m/late.txt")
    assert 0 < blocked < len(order) - 100          # copies before it, many after it
    (in_tmp / "out").mkdir()
    (in_tmp / "out" / "0150m").write_text("in the way")
    monkeypatch.setattr(api, "_CLEANED_PER_TASK", 8)
    with pytest.raises(api.WriteError) as caught:
        api.write_cleaned(result, ["d"], in_tmp / "out", workers=workers)
    written = [p for p in (in_tmp / "out").rglob("*.txt")]
    message = str(caught.value)
    assert message.startswith(f"d/0150m/late.txt: cannot write {in_tmp / 'out' / '0150m' / 'late.txt'}: ")
    assert message.endswith(f"; stopped after {len(written)} of {len(order)} files "
                            "(every file holds its old content or its new one)")
    # Every copy before the blocked one is written; after it, at most the
    # batches already handed to the pool (two per process beyond the one waited for).
    assert {p.name for p in written} >= {Path(name).name for name in order[:blocked]}
    assert len(written) - blocked <= (2 * workers + 1) * 8 * (workers > 1)
    assert not list((in_tmp / "out").rglob("*.dedup-tmp"))


def test_temporaries_of_dead_writers_beside_the_copies_are_removed(in_tmp):
    """What a killed writer left beside a copy goes; a live process's
    temporary, one beside another file, and other files stay."""
    import subprocess
    import sys

    from dedup.output.clean import remove_dead_temporaries
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    out = in_tmp / "out"
    out.mkdir()
    for name in ("a.txt", "b.txt", "c.txt"):
        (out / name).write_text("copy\n")
    dead = out / f".a.txt.{gone.pid}-3.dedup-tmp"
    live = out / f".b.txt.{os.getpid()}-4.dedup-tmp"
    other = out / f".c.txt.{gone.pid}-5.dedup-tmp"          # c.txt is not a target here
    plain = out / ".a.txt.notes"
    for path in (dead, live, other, plain):
        path.write_text("")
    removed = remove_dead_temporaries([str(out / "a.txt"), str(out / "b.txt")])
    assert removed == [str(dead)]
    assert sorted(p.name for p in out.iterdir()) == sorted(
        ["a.txt", "b.txt", "c.txt", live.name, other.name, plain.name])


def test_atomic_write_finishes_short_writes_and_names_its_temporary_beside_the_file(
        tmp_path, monkeypatch):
    """A write that stops short is carried on until every byte is written,
    and the temporary file stands in the target's own folder, whether the
    target is given with a folder, as a bare name or as a Path."""
    from dedup.output import clean

    real_write, calls, opened = os.write, [], []
    real_open = os.open

    def short_write(fd, data):
        calls.append(len(data))
        return real_write(fd, bytes(data[:3]))

    def watched_open(path, *args):
        opened.append(str(path))
        return real_open(path, *args)

    monkeypatch.setattr(os, "write", short_write)
    monkeypatch.setattr(os, "open", watched_open)
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path)
    for target in ("sub/a.txt", "b.txt", tmp_path / "sub" / "c.txt"):
        clean.atomic_write(target, b"ten bytes!", durable=False)
        assert Path(target).read_bytes() == b"ten bytes!"
    assert calls[:4] == [10, 7, 4, 1]
    folders = [os.path.dirname(p) for p in opened if p.endswith(clean.TEMP_SUFFIX)]
    assert folders == ["sub", "", str(tmp_path / "sub")]
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["a.txt", "b.txt", "c.txt", "sub"]


@pytest.mark.parametrize("command", [["scan"], ["check", "--index", "INDEX"]])
def test_a_crash_of_dedup_itself_exits_2_not_the_1_that_means_repeats(tmp_path, monkeypatch,
                                                                      capsys, command):
    """``check`` exits 1 when something repeats: a CI gate must tell that from
    a bug in dedup, which exits 2 with one line after its traceback."""
    import sys

    import dedup.decisions.detect
    from dedup import cli
    folder = tmp_path / "news"
    folder.mkdir()
    (folder / "a.txt").write_text("A headline\n\nA paragraph of the story, long enough.\n")
    index = tmp_path / "index.db"
    assert CliRunner().invoke(app, ["index", "add", str(folder), "--index", str(index)]
                              ).exit_code == 0

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")
    monkeypatch.setattr(dedup.decisions.detect, "decide_layout", broken)
    argv = ["dedup", *[str(index) if part == "INDEX" else part for part in command],
            str(folder)]
    monkeypatch.setattr(sys, "argv", argv)
    with pytest.raises(SystemExit) as stop:
        cli.main()
    assert stop.value.code == 2
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert last.startswith("dedup: internal error: RuntimeError: a bug")
