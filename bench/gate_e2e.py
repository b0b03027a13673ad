"""The CI gate end to end, from two working folders.

    python -m bench.gate_e2e [--workdir DIR] [--keep]

Builds an index of the BBC corpus (read in place, written as files under a
temporary folder outside the repository), leaving a few articles out, then
checks an ``incoming/`` folder holding five kinds of article:

- ``fresh``: held-out articles that share no paragraph with the archive;
- ``edited``: a held-out article carrying two archive paragraphs, each with
  a word added and a comma dropped (a lightly edited reuse);
- ``republished``: an archive article under a new headline, its paragraphs
  re-flowed (pairs joined into one paragraph, one split in two);
- ``copy``: the bytes of an archive article under a new name;
- ``indexed``: an archive file itself, checked in place (same path, same
  bytes as stored: "already indexed", not a repeat of itself).

Every check runs twice, from the work folder (``dedup check incoming/x.txt
--index .dedup/index.db``) and from inside ``incoming/`` (``dedup check x.txt
--index ../.dedup/index.db``), once per article and once for the whole
folder, with ``--format json``. The two runs must give the same exit codes
and the same findings; each kind must get its expected exit code. The script
prints one line per case and exits 1 when anything disagrees.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from .corpora import bbc

#: Expected exit code of a check of each kind alone.
EXPECTED = {"fresh": 0, "edited": 1, "republished": 1, "copy": 1, "indexed": 0}


def _paragraphs(text: str) -> list[str]:
    return [p for p in re.split(r"\n\s*\n|\n", text) if p.strip()]


def _key(paragraph: str) -> str:
    return " ".join(re.findall(r"\w+", paragraph.lower()))


def _sentences(paragraph: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+(?=[A-Z\"'])", paragraph.strip()) if s]


def build_cases(pool: list[tuple[str, str]], seed: int = 7
                ) -> tuple[list[tuple[str, str]], dict[str, tuple[str, str]]]:
    """(archive articles, ``kind -> (incoming name, text)``); the ``indexed`` case
    names an archive article (its text is the archive's)."""
    rng = random.Random(seed)
    counts: dict[str, int] = {}
    for _, text in pool:
        for k in {_key(p) for p in _paragraphs(text)}:
            counts[k] = counts.get(k, 0) + 1
    # Fresh articles: no paragraph of theirs appears anywhere else.
    unique = [i for i, (_, t) in enumerate(pool)
              if all(counts[_key(p)] == 1 for p in _paragraphs(t))]
    rng.shuffle(unique)
    held = set(unique[:3])
    archive = [item for i, item in enumerate(pool) if i not in held]
    fresh = [pool[i] for i in unique[:3]]
    # Archive articles of many long paragraphs, each seen once in the corpus.
    solid = [(n, t) for n, t in archive
             if len(_paragraphs(t)) >= 8
             and all(counts[_key(p)] == 1 for p in _paragraphs(t))
             and sum(len(p.split()) >= 25 for p in _paragraphs(t)) >= 6]
    rng.shuffle(solid)
    src_edit, src_repub, src_copy, src_indexed = solid[:4]

    # edited: two long archive paragraphs, a word added to each and a comma
    # dropped, inside a fresh article (a sub-editor's light touch).
    long_paras = [p for p in _paragraphs(src_edit[1]) if len(p.split()) >= 30][:2]
    edited_paras = []
    for p in long_paras:
        words = p.split(" ")
        words.insert(len(words) // 2, "also")
        edited_paras.append(" ".join(words).replace(",", "", 1))
    base = _paragraphs(fresh[2][1])
    edited = "\n\n".join(base[:2] + edited_paras + base[2:]) + "\n"

    # republished: new headline, consecutive paragraphs joined, one split at a sentence.
    paras = _paragraphs(src_repub[1])
    body = paras[1:]
    reflowed, i = [], 0
    while i < len(body):
        if i % 3 == 0 and i + 1 < len(body):
            reflowed.append(body[i] + " " + body[i + 1])
            i += 2
            continue
        sentences = _sentences(body[i])
        if len(sentences) >= 2:
            half = len(sentences) // 2
            reflowed.extend([" ".join(sentences[:half]), " ".join(sentences[half:])])
        else:
            reflowed.append(body[i])
        i += 1
    republished = "\n\n".join(["Syndicated: a story told again elsewhere"] + reflowed) + "\n"

    cases = {
        "fresh": (f"fresh_{Path(fresh[0][0]).stem}.txt", fresh[0][1]),
        "edited": ("edited_reuse.txt", edited),
        "republished": ("republished.txt", republished),
        "copy": ("copy_of_indexed.txt", src_copy[1]),
        "indexed": (src_indexed[0], src_indexed[1]),
    }
    return archive, cases


def _run(args: list[str], cwd: Path) -> tuple[int, dict | None, str]:
    proc = subprocess.run([sys.executable, "-m", "dedup", *args], cwd=cwd,
                          capture_output=True, text=True)
    try:
        data = json.loads(proc.stdout) if proc.stdout.strip() else None
    except json.JSONDecodeError:
        data = None
    return proc.returncode, data, proc.stderr.strip()


def findings_of(data: dict | None) -> list:
    """What a check found, in a form that does not depend on timing."""
    if data is None:
        return []
    out = []
    for f in data.get("findings", []):
        out.append(("paragraph", f["path"], f["lines"][0], f["lines"][1], f["kind"],
                    f["repeats"]["path"], f["repeats"]["lines"][0], f["repeats"]["lines"][1]))
    for a in data.get("articles", []):
        out.append(("article", a["path"], a["relation"], a["repeats"]["path"]))
    for p in data.get("already_indexed", []):
        out.append(("already indexed", p))
    return sorted(out, key=repr)


def run(pool: list[tuple[str, str]], work: Path, log=print) -> bool:
    """Build the index and run every check from both folders; True when all agree."""
    archive, cases = build_cases(pool)
    for name, text in archive:
        path = work / "archive" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    incoming = work / "incoming"
    incoming.mkdir(parents=True, exist_ok=True)
    for kind, (name, text) in cases.items():
        if kind != "indexed":
            (incoming / name).write_text(text, encoding="utf-8")
    code, _, err = _run(["index", "add", "archive", "--index", ".dedup/index.db"], work)
    if code != 0:
        log(f"index add failed ({code}): {err}")
        return False
    log(err or f"indexed {len(archive)} archive articles")
    inside = work / "incoming"
    good = True

    def both(from_top: list[str], from_inside: list[str]) -> tuple[int, list]:
        nonlocal good
        c1, d1, e1 = _run(["check", *from_top, "--index", ".dedup/index.db", "-f", "json"], work)
        c2, d2, e2 = _run(["check", *from_inside, "--index", "../.dedup/index.db", "-f",
                           "json"], inside)
        f1, f2 = findings_of(d1), findings_of(d2)
        if c1 != c2 or f1 != f2 or d1 is None:
            good = False
            log(f"  DIFFER: {from_top} -> exit {c1}, {len(f1)} findings; from incoming/: "
                f"exit {c2}, {len(f2)} findings\n    {e1}\n    {e2}")
        return c1, f1

    for kind, (name, _) in cases.items():
        top = f"archive/{name}" if kind == "indexed" else f"incoming/{name}"
        rel = os.path.relpath(work / top, inside)
        code, found = both([top], [rel])
        ok = code == EXPECTED[kind]
        good &= ok
        what = "; ".join(" ".join(str(x) for x in f if not isinstance(x, int)) for f in found[:3])
        log(f"{kind:12} exit {code} (expected {EXPECTED[kind]}) {'ok' if ok else 'WRONG'}: "
            f"{len(found)} findings {what[:160]}")
    code, found = both(["incoming"], ["."])
    log(f"{'folder':12} exit {code}: {len(found)} findings, same from both folders: "
        f"{'yes' if good else 'NO'}")
    return good


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workdir", type=Path)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args(argv)
    pool = bbc()
    if not pool:
        sys.exit("gate_e2e: the BBC corpus is not there (see bench/corpora.py)")
    work = args.workdir or Path(tempfile.mkdtemp(prefix="dedup-gate-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        good = run(pool, work)
    finally:
        if not args.keep and args.workdir is None:
            shutil.rmtree(work, ignore_errors=True)
    print("all cases as expected, same from both folders" if good else "FAILED")
    sys.exit(0 if good else 1)


if __name__ == "__main__":
    main()
