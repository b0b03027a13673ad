"""What do the reports cost in a ``clean --write``, in time and memory?

    python -m bench.report_cost FOLDER_OR_FILE... [--jobs 2]

Runs the steps of ``dedup clean PATH --write`` in one process, timing each:
the scan, the cleaned copies, then every report file (written to a temporary
folder outside the repository). Prints the time of each step, the reports'
share of the whole run, the size of each report file, and the process's peak
resident memory after the scan and copies and again after the reports (the
reports must not raise it).

The inputs used in bench/RESULTS.md: the 20,000-article mix of ``bench.speed``
(``--corpus mix``, written out once) and one file of about 200 MB (every
BBC, SpamAssassin and Reuters text, then copies of it with words changed).
``--make DIR`` writes both under DIR (outside the repository) and exits.
"""

from __future__ import annotations

import argparse
import random
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

from dedup import Config, api
from dedup.report import REPORT_FORMATS, write_reports


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def make_inputs(folder: Path, big_mb: int = 200) -> None:
    from .corpora import bbc, materialise, reuters, spamassassin
    stories = reuters() or []
    others = (bbc() or []) + (spamassassin() or [])
    if not stories:
        sys.exit("report_cost: the corpora are not there (see bench/corpora.py)")
    materialise(others + stories[:max(0, 20000 - len(others))], folder / "mix")
    rng = random.Random(1)
    base = "\n\n".join(t.strip() for _, t in others + stories if "\x00" not in t)
    parts, size = [base], len(base)
    while size < big_mb * 1e6:
        words = base.split(" ")
        for _ in range(len(words) // 50):
            at = rng.randrange(len(words))
            words[at] = words[at].upper()
        parts.append(" ".join(words))
        size += len(parts[-1])
    (folder / "big").mkdir(parents=True, exist_ok=True)
    (folder / "big" / "big.txt").write_text("\n\n".join(parts), encoding="utf-8")
    print(f"wrote {folder / 'mix'} and {folder / 'big' / 'big.txt'} ({size / 1e6:.0f} MB)")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("paths", nargs="*", type=Path)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--make", type=Path, help="write the two inputs under this folder")
    args = parser.parse_args(argv)
    if args.make:
        make_inputs(args.make)
        return
    if not args.paths:
        parser.error("give the inputs (or --make DIR first)")
    cfg = Config(jobs=args.jobs)
    work = Path(tempfile.mkdtemp(prefix="dedup-report-cost-"))
    try:
        t0 = time.perf_counter()
        result = api.scan(args.paths, cfg)
        t1 = time.perf_counter()
        api.write_cleaned(result, args.paths, work / "out", workers=cfg.workers)
        t2 = time.perf_counter()
        peak_before = _peak_mib()
        written = write_reports(result, work / "reports")
        t3 = time.perf_counter()
        peak_after = _peak_mib()
        run = t3 - t0
        print(f"inputs: {', '.join(map(str, args.paths))}; {len(result.documents)} files, "
              f"{sum(len(d.paragraphs) for d in result.documents)} paragraphs, "
              f"{len(result.removals)} removed")
        print(f"scan {t1 - t0:.2f} s, copies {t2 - t1:.2f} s, reports {t3 - t2:.2f} s: "
              f"reports are {(t3 - t2) / run:.0%} of the run ({run:.2f} s)")
        for path in written:
            print(f"  {path.name}: {path.stat().st_size / 2**20:.2f} MiB"
                  + (f" ({len(path.read_text(encoding='utf-8')):,} characters)"
                     if path.suffix == ".md" else ""))
        extra = sorted(p for p in (work / "reports").rglob("*") if p.is_file()
                       and p not in written)
        if extra:
            total = sum(p.stat().st_size for p in extra)
            print(f"  {len(extra)} more files beside them: {total / 2**20:.2f} MiB")
        print(f"peak resident memory: {peak_before:.0f} MiB after the scan and copies, "
              f"{peak_after:.0f} MiB after the reports")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
