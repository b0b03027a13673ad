"""The persistent index: schema, idempotent add, replace, remove, stats, errors,
bounded lookups, concurrent readers and a killed add.

Articles are made up here (random words), except the killed-add test, which
reads BBC articles in place when the corpus is present.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from dedup import Config
from dedup.fingerprints.candidates import candidate_pairs, prefix_keys
from dedup.gate.check import check_texts
from dedup.cli import app
from dedup.fingerprints.fingerprint import exact_key, lsh_params, signatures
from dedup.gate.index import (CHECK_QUERIES, SCHEMA_VERSION, Index, IndexFileError, lsh_keys)

REPO = Path(__file__).resolve().parents[1]

_WORDS = ("harbour council ferry winter island storm market cotton export margin blaze "
          "warehouse railway police festival bread cheese concert square scholarship rural "
          "lecturer bridge arches lorries bypass repairs shopkeepers mayor parking levy village "
          "forecast showers valley library tools members hospital theatre nurses shifts museum "
          "painting river flood bank rates inflation budget minister election turnout school "
          "teacher pupils orchestra stadium goal referee league season harvest farmers rain "
          "drought tractor factory workers strike union wages airport runway pilots delay").split()


def fake_articles(n: int, seed: int = 0, prefix: str = "arch", paragraphs: int = 5) -> dict[str, str]:
    """``n`` made-up articles of unrelated random-word paragraphs."""
    rng = random.Random(seed)
    out = {}
    for i in range(n):
        paras = []
        for _ in range(paragraphs):
            words = [rng.choice(_WORDS) for _ in range(rng.randint(18, 40))]
            paras.append(" ".join(words).capitalize() + ".")
        out[f"{prefix}/{i:04d}.txt"] = "\n\n".join(paras) + "\n"
    return out


def write_files(root: Path, texts: dict[str, str]) -> None:
    for name, text in texts.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def invoke(*args):
    return CliRunner().invoke(app, [str(a) for a in args])


def table_counts(path: Path) -> dict[str, int]:
    conn = sqlite3.connect(path)
    try:
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                for t in ("files", "paragraphs", "exact", "lsh")}
    finally:
        conn.close()


def consistent(path: Path) -> dict[str, int]:
    """Check the index's invariants; returns the table counts."""
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
        files = conn.execute("SELECT count(*), coalesce(sum(paragraphs), 0) FROM files").fetchone()
        paragraphs = conn.execute("SELECT count(*) FROM paragraphs").fetchone()[0]
        assert int(meta["files"]) == files[0]
        assert int(meta["paragraphs"]) == files[1] == paragraphs
        # No key row points at a missing paragraph.
        assert conn.execute("SELECT count(*) FROM lsh LEFT JOIN paragraphs p ON p.id = lsh.para "
                            "WHERE p.id IS NULL").fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM exact LEFT JOIN paragraphs p ON p.id = exact.para"
                            " WHERE p.id IS NULL").fetchone()[0] == 0
    finally:
        conn.close()
    return table_counts(path)


# -- add, idempotence, replace, remove, stats ----------------------------------

def test_add_is_idempotent_and_stores_what_check_needs(tmp_path):
    texts = fake_articles(6)
    path = tmp_path / "i.db"
    with Index(path, Config(), create=True) as idx:
        first = idx.add_texts(texts)
        assert len(first.added) == 6 and first.paragraphs == 30
        before = consistent(path)
        again = idx.add_texts(texts)
        assert again.added == [] and again.replaced == [] and len(again.unchanged) == 6
        assert idx.counts() == (6, 30)
    assert consistent(path) == before
    conn = sqlite3.connect(path)
    name, text = next(iter(texts.items()))
    norm, raw, sig, first_line, last_line, idx_, key = conn.execute(
        "SELECT p.norm, p.text, p.sig, p.first_line, p.last_line, p.idx, p.hash FROM paragraphs p"
        " JOIN files f ON f.id = p.file WHERE f.path = ? ORDER BY p.idx LIMIT 1",
        (name,)).fetchone()
    assert raw == text.split("\n\n")[0] and norm == raw.lower()
    assert (first_line, last_line, idx_) == (1, 1, 0)
    assert key == exact_key(norm)
    # The signature is the raw bytes of a uint32 array, nothing executable.
    assert isinstance(sig, bytes) and len(sig) == 4 * 64
    assert np.array_equal(np.frombuffer(sig, dtype=np.uint32), signatures([norm])[0])
    conn.close()


def test_add_files_from_cli_is_idempotent(in_tmp):
    write_files(in_tmp, fake_articles(4))
    res = invoke("index", "add", "arch", "--index", "ix.db")
    assert res.exit_code == 0, res.output
    assert "added 4 files" in res.stdout
    before = consistent(in_tmp / "ix.db")
    res = invoke("index", "add", "arch", "--index", "ix.db")
    assert res.exit_code == 0, res.output
    assert "added 0 files" in res.stdout and "unchanged 4" in res.stdout
    assert consistent(in_tmp / "ix.db") == before
    with Index(in_tmp / "ix.db") as idx:
        assert [p for p, _, _ in idx.files()] == [f"arch/{i:04d}.txt" for i in range(4)]


def test_changed_file_replaces_its_paragraphs(in_tmp):
    texts = fake_articles(3)
    write_files(in_tmp, texts)
    assert invoke("index", "add", "arch", "--index", "ix.db").exit_code == 0
    consistent(in_tmp / "ix.db")
    target = in_tmp / "arch/0001.txt"
    old_first = texts["arch/0001.txt"].split("\n\n")[0]
    target.write_text("A single new paragraph about the harbour ferry timetable.\n")
    res = invoke("index", "add", "arch", "--index", "ix.db")
    assert res.exit_code == 0, res.output
    assert "replaced 1" in res.stdout and "unchanged 2" in res.stdout
    counts = consistent(in_tmp / "ix.db")
    assert counts["files"] == 3 and counts["paragraphs"] == 11
    with Index(in_tmp / "ix.db") as idx:
        # The old text is gone: checking it finds nothing in the index.
        assert check_texts(idx, {"new/x.txt": old_first + "\n"}).passed


def test_remove_files_and_folders(in_tmp):
    write_files(in_tmp, fake_articles(3) | fake_articles(2, seed=5, prefix="other"))
    assert invoke("index", "add", "arch", "other", "--index", "ix.db").exit_code == 0
    res = invoke("index", "remove", "arch/0000.txt", "./other", "missing.txt", "--index", "ix.db")
    assert res.exit_code == 0, res.output
    assert "removed 3 files" in res.stdout
    assert "missing.txt: not in the index" in res.stderr
    counts = consistent(in_tmp / "ix.db")
    assert counts["files"] == 2 and counts["paragraphs"] == 10
    assert invoke("index", "remove", "arch", "--index", "ix.db").exit_code == 0
    assert consistent(in_tmp / "ix.db") == {"files": 0, "paragraphs": 0, "exact": 0, "lsh": 0}


def test_stats(in_tmp):
    write_files(in_tmp, fake_articles(2))
    invoke("index", "add", "arch", "--index", "ix.db")
    res = invoke("index", "stats", "--index", "ix.db", "--format", "json")
    assert res.exit_code == 0, res.output
    stats = json.loads(res.stdout)
    assert stats["files"] == 2 and stats["paragraphs"] == 10
    assert stats["schema_version"] == SCHEMA_VERSION
    assert stats["settings"]["num_perm"] == 64
    assert (stats["settings"]["lsh_bands"], stats["settings"]["lsh_rows"]) == lsh_params(0.5, 64)
    assert stats["bytes"] > 0 and stats["bytes_per_paragraph"] > 0
    res = invoke("index", "stats", "--index", "ix.db")
    assert res.exit_code == 0 and "paragraphs:   10" in res.stdout


# -- errors --------------------------------------------------------------------

def test_schema_version_mismatch_is_a_one_line_error(in_tmp):
    write_files(in_tmp, fake_articles(1))
    invoke("index", "add", "arch", "--index", "ix.db")
    conn = sqlite3.connect(in_tmp / "ix.db")
    conn.execute("UPDATE meta SET value = '999' WHERE key = 'schema_version'")
    conn.commit()
    conn.close()
    with pytest.raises(IndexFileError, match="schema version 999"):
        Index(in_tmp / "ix.db", Config())
    for args in (("index", "stats"), ("index", "add", "arch"), ("check", "arch")):
        res = invoke(*args, "--index", "ix.db")
        assert res.exit_code == 2, (args, res.output)
        lines = res.stderr.strip().splitlines()
        assert len(lines) == 1 and "schema version 999" in lines[0]


def test_other_fingerprint_settings_are_refused(in_tmp):
    write_files(in_tmp, fake_articles(1))
    invoke("index", "add", "arch", "--index", "ix.db")
    res = invoke("check", "arch", "--index", "ix.db", "--num-perm", "128")
    assert res.exit_code == 2
    assert "num_perm=64" in res.stderr and "num_perm=128" in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1
    with pytest.raises(IndexFileError, match="shingle_size"):
        Index(in_tmp / "ix.db", Config(shingle_size=4))
    # Settings that only shape decisions may differ.
    Index(in_tmp / "ix.db", Config(near_threshold=95, short_words=3)).close()


def test_missing_or_foreign_file(in_tmp):
    (in_tmp / "a.txt").write_text("Some text here.\n")
    res = invoke("check", "a.txt", "--index", "nothing.db")
    assert res.exit_code == 2 and "no index here" in res.stderr
    (in_tmp / "junk.db").write_bytes(b"this is not sqlite at all" * 100)
    res = invoke("check", "a.txt", "--index", "junk.db")
    assert res.exit_code == 2 and "not a dedup index" in res.stderr
    sqlite3.connect(in_tmp / "other.db").execute("CREATE TABLE t (x)").connection.close()
    res = invoke("index", "stats", "--index", "other.db")
    assert res.exit_code == 2 and "not a dedup index" in res.stderr


# -- lookups -------------------------------------------------------------------

def test_check_queries_scan_only_their_inputs(tmp_path):
    with Index(tmp_path / "i.db", Config(), create=True) as idx:
        idx.add_texts(fake_articles(20))
        idx.conn.execute("ANALYZE")       # plans must stay indexed with statistics too
        for name, query in CHECK_QUERIES.items():
            sql = query.strip()
            if sql.startswith("INSERT"):
                sql = sql[sql.index("SELECT"):]
            plan = idx.conn.execute("EXPLAIN QUERY PLAN " + sql,
                                    {"skip": 3, "nolimit": 2**62, "keys": "[1, 2]",
                                     "ids": "[1, 2]"}).fetchall()
            details = [row[-1] for row in plan]
            scans = [d for d in details if d.startswith("SCAN")]
            assert all(d.split()[1] in ("w", "t") for d in scans), (name, details)
            for table in ("paragraphs", "files", "exact", "lsh"):
                assert not any(d.startswith(f"SCAN {table}") for d in details), (name, details)


def test_lsh_keys_are_the_candidate_buckets():
    """Two paragraphs share a stored key exactly when candidate_pairs pairs them."""
    base = fake_articles(1, seed=3, paragraphs=12)["arch/0000.txt"].split("\n\n")
    rng = random.Random(1)
    norms = []
    for para in base:
        words = para.lower().split()
        norms.append(" ".join(words))
        for _ in range(3):   # variants at various distances
            w = list(words)
            for _ in range(rng.randint(1, 8)):
                w[rng.randrange(len(w))] = rng.choice(_WORDS)
            norms.append(" ".join(w))
    cfg = Config()
    bands, rows = lsh_params(cfg.lsh_threshold, cfg.num_perm)
    sigs = signatures(norms)
    pairs = {tuple(p) for p in candidate_pairs(sigs, bands, rows, prefix_keys(norms)).tolist()}
    keys = lsh_keys(sigs, norms, bands, rows)
    sets = [set(row[row != 0].tolist()) for row in keys]
    shared = {(i, j) for i in range(len(norms)) for j in range(i + 1, len(norms))
              if sets[i] & sets[j]}
    assert pairs and pairs == shared


def test_lookups_are_bounded_per_key(tmp_path):
    """A paragraph stored in many files loads a bounded number of them."""
    common = ("The harbour council said the ferry timetable would be extended through the "
              "winter months after islanders complained about the storms last year.")
    texts = {name: common + "\n\n" + text for name, text in fake_articles(150, seed=9).items()}
    with Index(tmp_path / "i.db", Config(), create=True) as idx:
        idx.add_texts(texts)
        report = check_texts(idx, {"new/a.txt": "Intro line for the new story here.\n\n"
                                                + common + "\n"})
    assert not report.passed
    assert report.findings[0].kept_path == "arch/0000.txt"
    # exact: boilerplate_min_files files; LSH: the best 8 per new paragraph.
    assert report.stats["stored_loaded"] <= 5 + 8


def test_lookups_return_the_first_rows_of_each_key(tmp_path):
    """Each key gives its first ``cap`` rows in ingestion order, whatever else
    is asked with it: keys with many rows, with a few, with none, duplicated,
    and the extremes of 64 bits."""
    common = ("The harbour council said the ferry timetable would be extended through the "
              "winter months after islanders complained about the storms last year.")
    texts = {name: common + "\n\n" + text for name, text in fake_articles(40, seed=4).items()}
    with Index(tmp_path / "i.db", Config(), create=True) as idx:
        idx.add_texts(texts)
        c = idx.conn
        lsh = [k for (k,) in c.execute("SELECT DISTINCT key FROM lsh ORDER BY random() LIMIT 300")]
        exact = [k for (k,) in c.execute("SELECT DISTINCT key FROM exact ORDER BY random() "
                                         "LIMIT 100")]
        extremes = [-2**63, 2**63 - 1, 1, -1]
        for cap in (1, 3, 64):
            want = sorted((k, p) for k in lsh for (p,) in c.execute(
                "SELECT para FROM lsh WHERE key = ? ORDER BY para LIMIT ?", (k, cap)))
            got = idx.lsh_matches(lsh + lsh[:5] + extremes + [0], cap)
            assert got == want
            want = sorted(p for k in exact for (p,) in c.execute(
                "SELECT para FROM exact WHERE key = ? ORDER BY file LIMIT ?", (k, cap)))
            assert sorted(idx.exact_matches(exact + exact[:5] + extremes, cap)) == want
        assert max(n for (n,) in c.execute("SELECT count(*) FROM lsh GROUP BY key")) > 3
        assert idx.lsh_matches([]) == [] and idx.exact_matches([], 5) == []
        ids = [p for (p,) in c.execute("SELECT id FROM paragraphs ORDER BY random() LIMIT 30")]
        assert [p.id for p in idx.load(ids + ids[:3] + [10**9])] == sorted(ids)


# -- concurrency and crashes ---------------------------------------------------

def test_readers_run_while_a_writer_holds_its_transaction(tmp_path):
    path = tmp_path / "i.db"
    old, new = fake_articles(5, seed=1), fake_articles(40, seed=2, prefix="more")
    with Index(path, Config(), create=True) as idx:
        idx.add_texts(old)
    probe = {"probe/x.txt": next(iter(new.values()))}
    holding, release = threading.Event(), threading.Event()
    errors = []

    def writer():
        try:
            with Index(path, Config()) as w:
                def stall(done, total):
                    holding.set()
                    release.wait(10)
                w.add_texts(new, progress=stall, chunk_files=20)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert holding.wait(10)
        # The writer is inside its transaction with 20 articles written.
        # A reader blocked by the writer would fail after its 2 s busy timeout.
        for _ in range(3):
            with Index(path, Config(), busy_timeout=2) as r:
                assert r.counts() == (5, 25)
                report = check_texts(r, probe)
                assert report.passed          # the uncommitted articles are not visible
        # A second writer waits for the first instead of failing.
        second = []
        t2 = threading.Thread(target=lambda: second.append(
            Index(path, Config()).add_texts(fake_articles(1, seed=7, prefix="late"))))
        t2.start()
        time.sleep(0.3)
        assert not second
    finally:
        release.set()
        thread.join(20)
    t2.join(20)
    assert not errors and second and second[0].added == ["late/0000.txt"]
    with Index(path, Config()) as r:
        assert r.counts() == (46, 230)
        assert not check_texts(r, probe).passed
    consistent(path)


def _kill_corpus(tmp_path: Path) -> Path:
    try:
        from bench.corpora import bbc
        articles = bbc(limit=300)
    except ImportError:  # pragma: no cover - bench/ not importable
        articles = None
    folder = tmp_path / "incoming"
    if articles:
        for name, text in articles:
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            (folder / name).write_text(text, encoding="utf-8")
    else:
        write_files(folder, fake_articles(300, seed=11, paragraphs=8))
    return folder


_ADD_SCRIPT = textwrap.dedent("""
    import sys
    from pathlib import Path
    from dedup import Config
    from dedup.input.documents import discover
    from dedup.gate.index import Index

    files, _ = discover([Path(sys.argv[2])])
    def progress(done, total):
        print(f"chunk {done}/{total}", flush=True)
    with Index(sys.argv[1], Config(jobs=1), create=True) as idx:
        idx.add(files, progress=progress, chunk_files=int(sys.argv[3]))
    print("committed", flush=True)
""")


def test_killed_add_leaves_the_index_before_or_after(tmp_path):
    folder = _kill_corpus(tmp_path)
    incoming = len(list(folder.rglob("*.txt")))
    pristine = tmp_path / "pristine.db"
    with Index(pristine, Config(), create=True) as idx:
        idx.add_texts(fake_articles(10, seed=4, prefix="zz-earlier"))
    before = consistent(pristine)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    chunks = -(-incoming // 50)

    def trial(n: int, after_chunk: int | None, delay: float = 0.0) -> tuple[dict, str]:
        path = tmp_path / f"trial{n}.db"
        path.write_bytes(pristine.read_bytes())
        proc = subprocess.Popen([sys.executable, "-c", _ADD_SCRIPT, str(path), str(folder), "50"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                env=env)
        if after_chunk is not None:
            for _ in range(after_chunk):        # chunks written, the commit not yet
                line = proc.stdout.readline()
                assert line.startswith("chunk"), line + proc.stderr.read()
        else:
            time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        return consistent(path), proc.stdout.read()

    counts, out = trial(0, after_chunk=1)
    assert "committed" not in out and counts == before
    counts, out = trial(1, after_chunk=chunks)   # killed at the commit: either state
    assert counts == before or counts["files"] == before["files"] + incoming
    for n, delay in enumerate((0.5, 0.9), start=2):
        counts, _ = trial(n, after_chunk=None, delay=delay)
        assert counts == before or counts["files"] == before["files"] + incoming
    # An add that is not killed completes.
    path = tmp_path / "trial-full.db"
    path.write_bytes(pristine.read_bytes())
    proc = subprocess.run([sys.executable, "-c", _ADD_SCRIPT, str(path), str(folder), "50"],
                          capture_output=True, text=True, env=env, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert consistent(path)["files"] == before["files"] + incoming
