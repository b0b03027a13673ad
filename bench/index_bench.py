"""Benchmark of the index: does a check cost the same whatever the archive's size?

    python -m bench.index_bench [--sizes 10000,100000,1000000] [--runs 5]

Builds one index of real articles (BBC and Reuters, read in place; see
bench/corpora.py) and grows it through the given sizes in paragraphs. Past
the corpora's own ~168,000 paragraphs, articles are replicated with light
edits (a word or two changed per paragraph, as syndicated copies are). A copy
of the index is kept at each size. The same 100 new articles are then checked
against every copy, round-robin (so whatever else the machine does weighs on
every size alike), each check opening the index afresh as ``dedup check``
does (``--kept-open``: through one index opened once per size, as a service
holding a ``dedup.Index`` does): one first run, reported separately, then
``--runs`` timed runs whose median is reported, with the index size on disk
per paragraph and the add rate (in-memory articles, transactions of 2,000
articles, one process).

The 100 new articles are held out of the archive, and archive articles sharing
a paragraph with them are left out; a third of them carry paragraphs copied
from archive articles that are in the index at every size, so every check has
the same repeats to find and only the archive's size changes.

Everything is written under a temporary folder outside the repository (or
``--workdir``), removed at the end unless ``--keep``.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from dedup import Config
from dedup.gate.check import check
from dedup.input.documents import discover
from dedup.gate.index import Index

from .corpora import bbc, reuters

NEW_ARTICLES = 100
TRANSACTION_ARTICLES = 2000


def _paragraphs(text: str) -> int:
    from dedup.input.documents import document_from_text
    return len(document_from_text(text, "x").paragraphs)


def _norms(text: str) -> list[str]:
    from dedup.input.documents import document_from_text
    from dedup.text.normalize import normalize_many
    return normalize_many([p.text for p in document_from_text(text, "x").paragraphs])


def _edit(text: str, rng: random.Random, vocabulary: list[str]) -> str:
    """A light edit: in each paragraph (line), one or two words replaced."""
    out = []
    for line in text.split("\n"):
        words = line.split(" ")
        if len(words) > 4:
            for _ in range(rng.randint(1, 2)):
                words[rng.randrange(len(words))] = rng.choice(vocabulary)
        out.append(" ".join(words))
    return "\n".join(out)


def split_pool(seed: int = 1) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(archive articles in ingestion order, 100 held-out new articles)."""
    pool = (bbc() or []) + (reuters() or [])
    if not pool:
        sys.exit("index_bench: no corpora found (see bench/corpora.py); nothing to run")
    rng = random.Random(seed)
    rng.shuffle(pool)
    held, archive = pool[:NEW_ARTICLES], pool[NEW_ARTICLES:]
    # The corpora hold repeated stories; archive articles sharing a paragraph
    # with a held-out one are left out, so that the repeats a check finds are
    # the injected ones at every size, and only the archive's size changes.
    held_paragraphs = {n for _, t in held for n in _norms(t) if len(n) >= 40}
    archive = [(name, text) for name, text in archive
               if not any(n in held_paragraphs for n in _norms(text))]
    new = []
    for i, (name, text) in enumerate(held):
        if i % 3 == 0:
            # Paragraphs copied from an article ingested at every size (the first ones).
            src = archive[rng.randrange(200)][1].split("\n\n" if "\n\n" in text else "\n")
            src = [p for p in src if len(p) > 40][:3]
            sep = "\n\n" if "\n\n" in text else "\n"
            parts = text.rstrip("\n").split(sep)
            parts[1:1] = src
            text = sep.join(parts) + "\n"
        new.append((f"new/{i:03d}_{name.replace('/', '_')}", text))
    return archive, new


def archive_stream(archive: list[tuple[str, str]], seed: int = 2):
    """The archive, then edited replicas of it, forever."""
    yield from archive
    vocabulary = sorted({w for _, t in archive[:500] for w in t.split() if w.isalpha()})
    rng = random.Random(seed)
    copy = 1
    while True:
        for name, text in archive:
            yield f"rep{copy}/{name}", _edit(text, rng, vocabulary)
        copy += 1


def _size_on_disk(path: Path) -> int:
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10000,100000,1000000",
                        help="index sizes in paragraphs, comma separated")
    parser.add_argument("--runs", type=int, default=5, help="timed checks per size")
    parser.add_argument("--workdir", type=Path, help="folder for the index and files "
                        "(default: a new temporary folder)")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    parser.add_argument("--reuse", action="store_true",
                        help="time checks against the index copies an earlier run left in "
                             "--workdir instead of building them (no add rate then)")
    parser.add_argument("--kept-open", action="store_true",
                        help="open each index once and check through it every time, as a "
                             "service holding a dedup.Index does (not as 'dedup check')")
    args = parser.parse_args(argv)
    sizes = sorted(int(s.replace("_", "")) for s in args.sizes.split(","))

    work = args.workdir or Path(tempfile.mkdtemp(prefix="dedup-index-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    repo = Path(__file__).resolve().parents[1]
    if repo in work.resolve().parents:
        sys.exit("index_bench: --workdir must be outside the repository")
    print(f"work folder: {work}")
    archive, new = split_pool()
    new_dir = work / "incoming"
    for name, text in new:
        (new_dir / name).parent.mkdir(parents=True, exist_ok=True)
        (new_dir / name).write_text(text, encoding="utf-8")
    cwd = os.getcwd()
    os.chdir(work)       # display paths relative to the work folder, as in CI
    cfg = Config(jobs=1)
    files, _ = discover([Path("incoming")], cfg.glob)
    index_path = work / "index.db"
    stream = archive_stream(archive)
    total_paragraphs, add_seconds = 0, 0.0
    built = []
    try:
        # Grow one index through the sizes; keep a copy at each size.
        for size in sizes:
            copy = work / f"index-{size}.db"
            if args.reuse and copy.is_file():
                with Index(copy, cfg) as idx:
                    stored = idx.counts()
                disk = copy.stat().st_size
                built.append({"size": size, "path": copy, "files": stored[0],
                              "paragraphs": stored[1], "bytes_per_paragraph": disk / stored[1],
                              "disk_mb": disk / 2**20, "add_rate": float("nan")})
                continue
            if args.reuse:
                sys.exit(f"index_bench: --reuse: no {copy}")
            batch: list[tuple[str, str]] = []
            started = time.perf_counter()
            with Index(index_path, cfg, create=True) as idx:
                while total_paragraphs < size:
                    name, text = next(stream)
                    batch.append((name, text))
                    total_paragraphs += _paragraphs(text)
                    if len(batch) >= TRANSACTION_ARTICLES or total_paragraphs >= size:
                        idx.add_texts(batch)
                        batch = []
                stored = idx.counts()
            add_seconds += time.perf_counter() - started
            shutil.copyfile(index_path, copy)
            disk = copy.stat().st_size
            built.append({"size": size, "path": copy, "files": stored[0],
                          "paragraphs": stored[1], "bytes_per_paragraph": disk / stored[1],
                          "disk_mb": disk / 2**20, "add_rate": stored[1] / add_seconds})
            print(f"built {stored[1]} paragraphs ({stored[0]} files): "
                  f"{disk / stored[1]:.0f} bytes/paragraph, add rate so far "
                  f"{stored[1] / add_seconds:.0f} paragraphs/s", flush=True)
        # Time the checks round-robin over the sizes, so that whatever else the
        # machine is doing weighs on every size alike.
        # Each check opens the index afresh, as every 'dedup check' does.
        times: dict[int, list[float]] = {b["size"]: [] for b in built}
        reports = {}

        opened = {b["size"]: Index(b["path"], cfg) for b in built} if args.kept_open else {}

        def timed(b: dict) -> float:
            t = time.perf_counter()
            if args.kept_open:
                reports[b["size"]] = check(opened[b["size"]], files, cfg)
            else:
                with Index(b["path"], cfg) as idx:
                    reports[b["size"]] = check(idx, files, cfg)
            return time.perf_counter() - t

        for b in built:
            b["first"] = timed(b)
        for _ in range(args.runs):
            for b in built:
                times[b["size"]].append(timed(b))
        rows = []
        for b in built:
            report = reports[b["size"]]
            stats = report.stats
            row = {**b, "median": statistics.median(times[b["size"]]),
                   "loaded": stats["stored_loaded"], "matching": stats["stored_matching"],
                   "repeats": len(report.repeats), "lookup": stats["seconds_lookup"],
                   "match": stats["seconds_match"], "decide": stats["seconds_decide"]}
            rows.append(row)
            if args.kept_open:
                opened[b["size"]].close()
            print(f"{row['paragraphs']:>9} paragraphs: check {row['median']:.3f} s median of "
                  f"{args.runs} (first {row['first']:.3f} s; last run: lookup "
                  f"{row['lookup']:.3f}, match {row['match']:.3f}, decide {row['decide']:.3f}); "
                  f"{row['loaded']} stored paragraphs looked up, {row['matching']} matching, "
                  f"{row['repeats']} repeats", flush=True)
    finally:
        os.chdir(cwd)
        if not args.keep and args.workdir is None:
            shutil.rmtree(work, ignore_errors=True)

    print()
    print("| index paragraphs | files | check median (s) | first run (s) | stored looked up "
          "| matching | repeats found | bytes/paragraph | add rate (paragraphs/s) |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['paragraphs']:,} | {r['files']:,} | {r['median']:.3f} | {r['first']:.3f} "
              f"| {r['loaded']} | {r['matching']} | {r['repeats']} "
              f"| {r['bytes_per_paragraph']:.0f} | {r['add_rate']:.0f} |")
    if len(rows) > 1:
        print(f"\ncheck time ratio largest/smallest: "
              f"{rows[-1]['median'] / rows[0]['median']:.2f} "
              f"({rows[-1]['paragraphs']:,} vs {rows[0]['paragraphs']:,} paragraphs)")
    print(f"sizes run: {', '.join(str(r['size']) for r in rows)}; "
          f"{NEW_ARTICLES} new articles checked each time, {args.runs} runs per size")


if __name__ == "__main__":
    main()
