"""A run killed at any moment leaves every file whole (issue 7).

``dedup clean --in-place`` runs on 300 real BBC articles (copied to
``tmp_path``, never into the repository) with injected repeats, and is killed
with SIGKILL at 50 moments drawn with a fixed seed, most of them inside the
write phase. After each kill every article must equal, byte for byte, either
its original or its cleaned version (computed first by a run to ``--out``),
every ``FILE.orig`` backup must equal the original, and every rewritten file
must have its backup. Leftover temporary files (``.NAME.*.dedup-tmp``) are
allowed; the next run ignores them and never reads them as articles.
Skipped when the corpus is absent.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from bench import corpora

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL") or sys.platform == "win32",
                                reason="needs SIGKILL and process groups")

N_FILES = 300
ROUNDS = 50
SEED = 7
REPO = Path(__file__).resolve().parents[1]


def _articles() -> list[tuple[str, bytes]] | None:
    """300 BBC articles, two thirds with an injected repeat, every fifth with CRLF."""
    found = corpora.bbc(N_FILES)
    if not found:
        return None
    rng = random.Random(SEED)
    out = []
    for k, (name, text) in enumerate(found):
        paragraphs = [p for p in text.split("\n\n") if p.strip()]
        if k % 3 and len(paragraphs) > 2:
            i = rng.randrange(1, len(paragraphs))
            copy = paragraphs[i]
            if k % 3 == 2:                                  # a near copy: one slip
                j = rng.randrange(len(copy) // 2, len(copy))
                copy = copy[:j] + copy[j:].replace("e", "a", 1)
            paragraphs.insert(rng.randrange(i + 1, len(paragraphs) + 1), copy)
        newline = "\r\n" if k % 5 == 0 else "\n"
        body = (newline * 2).join(p.replace("\n", newline) for p in paragraphs) + newline
        out.append((name.replace("bbc/", ""), body.encode("utf-8")))
    return out


def _dedup(*args: str, **kwargs) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.Popen([sys.executable, "-m", "dedup", *args], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True, **kwargs)


def _run(*args: str, cwd: Path) -> float:
    started = time.perf_counter()
    proc = _dedup(*args, cwd=cwd)
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err.decode()
    return time.perf_counter() - started


def _restore(work: Path, originals: dict[str, bytes]) -> None:
    if work.exists():
        shutil.rmtree(work)
    for name, data in originals.items():
        target = work / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


def _state(work: Path) -> tuple[dict[str, bytes], dict[str, bytes], list[str]]:
    """Articles, backups and leftover temporary files now in ``work``."""
    articles, backups, temps = {}, {}, []
    for path in sorted(work.rglob("*")):
        if not path.is_file():
            continue
        rel = path.relative_to(work).as_posix()
        if path.name == ".dedup-output":         # the marker of a folder of copies
            continue
        if rel.endswith(".dedup-tmp"):
            temps.append(rel)
        elif rel.endswith(".orig"):
            backups[rel[:-len(".orig")]] = path.read_bytes()
        else:
            articles[rel] = path.read_bytes()
    return articles, backups, temps


@pytest.fixture
def place(tmp_path):
    """Where the articles go: a memory-backed folder when there is one (fsync costs
    nothing there, so 50 runs fit in well under a minute; a kill tests process death,
    which fsync does not change), else ``tmp_path``."""
    shm = Path("/dev/shm")
    if shm.is_dir() and os.access(shm, os.W_OK):
        folder = Path(tempfile.mkdtemp(prefix="dedup-kill-", dir=shm))
        yield folder
        shutil.rmtree(folder, ignore_errors=True)
    else:
        yield tmp_path


@pytest.fixture(scope="module")
def corpus():
    found = _articles()
    if found is None:
        pytest.skip(f"BBC corpus not found under {corpora.ROOT}")
    return dict(found)


def test_kill_at_any_moment_leaves_every_file_old_or_new(corpus, place):
    tmp_path = place
    cmd = ["clean", "work", "--in-place", "--jobs", "1", "--quiet", "--report-dir", "rep"]
    work = tmp_path / "work"
    # The cleaned version of every file, from a run to a separate folder.
    _restore(work, corpus)
    # --in-place never deletes a file: it writes what remains of a repeated article.
    _run("clean", "work", "--write", "--out", "expected", "--jobs", "1", "--quiet",
         "--keep-repeated-articles",
         "--report-dir", "rep", cwd=tmp_path)
    expected, _, _ = _state(tmp_path / "expected")
    assert set(expected) == set(corpus)
    changed = {name for name in corpus if expected[name] != corpus[name]}
    assert len(changed) >= N_FILES // 2, len(changed)

    # Timing: a full run of each kind, checked; the files' modification times say when,
    # from the start, the first and the last file were rewritten.
    windows = {}
    for backup in ([], ["--no-backup"]):
        _restore(work, corpus)
        started = time.time()
        total = _run(*cmd, *backup, cwd=tmp_path)
        articles, backups, temps = _state(work)
        assert articles == expected and not temps
        assert backups == ({} if backup else {name: corpus[name] for name in changed})
        stamps = [(work / name).stat().st_mtime - started for name in changed]
        windows[bool(backup)] = (min(stamps), max(stamps), total)

    first_written = min(changed)                          # files are written in path order
    rng = random.Random(SEED)
    outcomes = {"untouched": 0, "partial": 0, "complete": 0, "resumed": 0}
    leftovers = []
    for round_ in range(ROUNDS):
        backup = [] if round_ % 2 else ["--no-backup"]
        first, last, total = windows[bool(backup)]
        _restore(work, corpus)
        watched = work / first_written
        before = watched.stat().st_ino
        proc = _dedup(*cmd, *backup, cwd=tmp_path)
        if round_ % 5:
            # Four in five inside the write phase: wait until the first file to change has
            # been replaced (a new inode), then a random share of the writes' duration.
            delay = rng.uniform(0, 1.1 * (last - first))
            give_up = time.monotonic() + 60
            while (watched.stat().st_ino == before and proc.poll() is None
                   and time.monotonic() < give_up):
                pass
        else:
            delay = rng.uniform(0, total)                 # the rest anywhere in the run
        time.sleep(delay)
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass                                          # it had finished
        proc.wait(timeout=60)
        proc.stderr.close()

        articles, backups, temps = _state(work)
        assert set(articles) == set(corpus), f"round {round_}: files lost or added"
        new = set()
        for name, data in articles.items():
            if data == expected[name] and name in changed:
                new.add(name)
            else:
                assert data == corpus[name], f"round {round_} (kill at {delay:.3f}s): {name} " \
                                             "is neither its original nor its cleaned version"
        for name, data in backups.items():
            assert data == corpus[name], f"round {round_}: backup of {name} differs"
        if not backup:
            assert new <= set(backups), f"round {round_}: rewritten without a backup"
        outcomes["untouched" if not new else "complete" if new == changed else "partial"] += 1
        if temps:
            leftovers.append((round_, temps))
        if round_ % 10 == 9 and new != changed:
            # Running again after a kill finishes the job: same result, originals backed up.
            _run(*cmd, *backup, cwd=tmp_path)
            articles, backups, _ = _state(work)
            assert articles == expected, f"round {round_}: the run after the kill differs"
            assert backups == {name: corpus[name] for name in changed}
            outcomes["resumed"] += 1

    timing = ", ".join(f"{'no backup' if k else 'backup'}: writes {a:.2f}-{b:.2f}s of {t:.2f}s"
                       for k, (a, b, t) in windows.items())
    print(f"\nkill test: {ROUNDS} kills ({timing}): {outcomes}; "
          f"rounds leaving temporary files: {len(leftovers)}")
    assert outcomes["partial"] >= 10, outcomes      # the kills did land inside the writes

    # A run after a kill ignores leftover temporary files: it never reads them as articles.
    _restore(work, corpus)
    (work / "business" / ".001.txt.abcd1234.dedup-tmp").write_bytes(corpus["business/001.txt"])
    for round_, temps in leftovers[:1]:
        for temp in temps:
            (work / temp).parent.mkdir(parents=True, exist_ok=True)
            (work / temp).write_bytes(b"half")
    proc = _dedup(*cmd, "--no-backup", "--glob", "*", cwd=tmp_path)
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err.decode()
    assert b"temporary file" in err and b"left by an interrupted write" in err
    articles, _, temps = _state(work)
    assert articles == expected
    assert ".001.txt.abcd1234.dedup-tmp" in " ".join(temps)     # ignored, left alone
