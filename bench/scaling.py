"""Cost per paragraph as the input grows: 10^4, 10^5, 10^6 paragraphs.

    python -m bench.scaling [--sizes 10000,100000,1000000] [--jobs 0] [--repeat 3]

Inputs are built from real Reuters and BBC articles, replicated with light
edits (a word dropped, a typo, a sentence cut, a changed figure) so that the
larger inputs hold realistic exact and near repeats, not only copies. Each
size runs ``dedup.scan`` in a fresh subprocess, ``--repeat`` times on the
same input; the table shows the median seconds (and the range), microseconds
per paragraph, MB/s, the largest peak RSS (from wait4) and bytes of peak
memory per paragraph, and the ratio of time per paragraph to the smallest
size. The smallest size takes a fraction of a second, so one run of it
varies by a quarter; the ratio is only as good as its median.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from . import corpora


def _edit(text: str, rng: random.Random) -> str:
    paragraphs = text.split("\n\n")
    out = []
    for para in paragraphs:
        roll = rng.random()
        words = para.split(" ")
        if roll < 0.15 and len(words) > 8:
            del words[rng.randrange(1, len(words) - 1)]           # a word dropped
        elif roll < 0.25 and len(words) > 8:
            i = rng.randrange(len(words))
            w = words[i]
            if len(w) > 3:
                j = rng.randrange(1, len(w) - 1)
                words[i] = w[:j] + w[j + 1] + w[j] + w[j + 2:]      # two letters swapped
        elif roll < 0.3 and len(words) > 12:
            words = words[:int(len(words) * 0.7)]                   # cut
        elif roll < 0.35:
            words = [str(int(w) + 1) if w.isdigit() else w for w in words]  # figures changed
        out.append(" ".join(words))
    return "\n\n".join(out)


def build(folder: Path, paragraphs: int, seed: int = 1, copies: int = 0) -> tuple[int, int]:
    """Write articles under ``folder`` until they hold ``paragraphs`` paragraphs.

    With ``copies`` = 0 the articles are taken in order and the corpus is
    cycled through with edits once it is used up, so larger inputs hold more
    copies of each article. With ``copies`` = K every size holds the same mix:
    just enough articles that each, written K times (once as it is, K - 1
    times edited, the copies of an article far apart), reaches the size.
    """
    base = (corpora.reuters() or []) + (corpora.bbc() or [])
    rng = random.Random(seed)
    if copies:
        chosen, count = [], 0
        while count * copies < paragraphs:
            text = base[len(chosen) % len(base)][1]
            chosen.append(text)
            count += text.count("\n\n") + 1
        texts = (text if copy == 0 else _edit(text, rng)
                 for copy in range(copies) for text in chosen)
    else:
        def cycled():
            count = n = 0
            while count < paragraphs:
                text = base[n % len(base)][1]
                if n >= len(base):
                    text = _edit(text, rng)
                count += text.count("\n\n") + 1
                n += 1
                yield text
        texts = cycled()
    size = n = 0
    for text in texts:
        target = folder / f"{n // 1000:04d}" / f"{n:07d}.txt"
        target.parent.mkdir(parents=True, exist_ok=True)
        data = text.encode("utf-8")
        target.write_bytes(data)
        size += len(data)
        n += 1
    return n, size


def _child(folder: str, jobs: int) -> None:
    from dedup import Config, scan
    started = time.perf_counter()
    result = scan([Path(folder)], Config(jobs=jobs))
    seconds = time.perf_counter() - started
    print(json.dumps({"seconds": seconds, "paragraphs": result.stats["paragraphs"],
                      "removed": len(result.removals)}))


def measure(folder: Path, jobs: int) -> dict:
    """Scan ``folder`` in a fresh process; its peak RSS comes from wait4."""
    with tempfile.TemporaryFile("w+") as out:
        proc = subprocess.Popen([sys.executable, "-m", "bench.scaling", "--child", str(folder),
                                 "--jobs", str(jobs)], stdout=out, text=True,
                                cwd=Path(__file__).resolve().parents[1])
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode:
            raise SystemExit(f"scan of {folder} failed with exit code {proc.returncode}")
        out.seek(0)
        data = json.loads(out.read().strip().splitlines()[-1])
    data["peak_rss"] = usage.ru_maxrss * 1024
    return data


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--jobs", type=int, default=0)
    parser.add_argument("--copies", type=int, default=0,
                        help="every size made of articles written this many times each "
                             "(0: cycle through the corpus, so larger sizes hold more copies)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per size (default 3)")
    parser.add_argument("--child")
    args = parser.parse_args(argv)
    if args.child:
        _child(args.child, args.jobs)
        return 0
    if corpora.reuters() is None:
        print(f"corpora not found under {corpora.ROOT}; skipped")
        return 0
    rows = []
    for size in [int(s) for s in args.sizes.split(",")]:
        folder = Path(tempfile.mkdtemp(prefix=f"dedup-scale-{size}-"))
        try:
            files, nbytes = build(folder, size, copies=args.copies)
            runs = [measure(folder, args.jobs) for _ in range(max(1, args.repeat))]
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        if len({run["removed"] for run in runs}) > 1:
            raise SystemExit(f"runs at {size} removed different counts: "
                             f"{[run['removed'] for run in runs]}")
        seconds = sorted(run["seconds"] for run in runs)
        data = dict(runs[0], seconds=statistics.median(seconds),
                    peak_rss=max(run["peak_rss"] for run in runs))
        data.update(files=files, bytes=nbytes, target=size)
        rows.append(data)
        first = rows[0]["seconds"] / rows[0]["paragraphs"]
        per = data["seconds"] / data["paragraphs"]
        rss = data["peak_rss"]
        print(f"{data['paragraphs']:>9,} paragraphs {files:>7,} files {nbytes / 1e6:7.1f} MB  "
              f"{data['seconds']:7.2f} s ({seconds[0]:.2f}-{seconds[-1]:.2f})  "
              f"{per * 1e6:6.1f} us/paragraph  "
              f"{nbytes / 1e6 / data['seconds']:5.2f} MB/s  "
              f"peak RSS {rss / 2**20 if rss else float('nan'):7.0f} MiB "
              f"({rss / data['paragraphs'] if rss else float('nan'):6.0f} B/paragraph)  "
              f"x{per / first:.2f} per paragraph vs smallest", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
