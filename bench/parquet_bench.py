"""``dedup clean`` of one large Parquet file, against the same records as JSON Lines.

    python -m bench.parquet_bench --mb 16 --mb 64 --mb 256 [--jobs 2] [--cap-gib 12]

For each size (of the Parquet file on disk, compressed as pyarrow compresses
by default), the Reuters stories are written again and again into one
Parquet file, each copy with light edits (bench.dask_bench.edited: copies
are exact and near repeats), beside columns a feed would have (an id, a
time, a number), under a temporary folder outside the repository, removed
afterwards; the same records go to a JSON Lines file. Then

    dedup clean BIG.parquet --parquet-id url --write --out OUT -j N
    dedup clean BIG.jsonl --jsonl text --jsonl-id url --write --out OUT -j N

each run in a child process whose memory is sampled every 0.2 s: the peak of
its own resident memory, and the peak of what it and its pool processes
hold together (proportional set size, so pages the forks share count once).
A run whose processes pass ``--cap-gib`` together is stopped (the machine
is shared); the bench then says so instead of giving a figure.

With ``--io`` the Parquet layer alone is measured too, in a child process:
every row group of the file read into documents (dropped part by part), then
a copy written with the second paragraph of every third row removed: what
reading and writing cost without the engine's state per paragraph.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.dask_bench import edited


def build(folder: Path, megabytes: float) -> dict:
    """``news.parquet`` of about ``megabytes`` on disk and ``news.jsonl`` of the
    same records under ``folder``; what they hold."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from bench import corpora
    stories = corpora.reuters()
    if stories is None:
        sys.exit("the Reuters corpus in ../shared/corpora is absent")
    target = folder / "news.parquet"
    rows = text_bytes = copy = 0
    start = datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc)
    with pq.ParquetWriter(target, pa.schema([
            ("url", pa.string()), ("text", pa.string()), ("story", pa.int32()),
            ("copy", pa.int32()), ("published", pa.timestamp("s", tz="UTC"))])) as out, \
            open(folder / "news.jsonl", "w", encoding="utf-8") as lines:
        while target.stat().st_size < megabytes * 1e6:
            texts = [edited(text, number, copy) for number, (_, text) in enumerate(stories)]
            urls = [f"https://wire.example/{copy}/{Path(name).stem}" for name, _ in stories]
            out.write_table(pa.table({
                "url": urls, "text": texts,
                "story": pa.array(range(len(texts)), pa.int32()),
                "copy": pa.array([copy] * len(texts), pa.int32()),
                "published": pa.array([start + datetime.timedelta(minutes=copy * 7 + i)
                                       for i in range(len(texts))], pa.timestamp("s", tz="UTC")),
            }))
            for url, text in zip(urls, texts):
                lines.write(json.dumps({"url": url, "text": text}, ensure_ascii=False) + "\n")
            rows += len(texts)
            text_bytes += sum(len(t.encode("utf-8")) for t in texts)
            copy += 1
    meta = pq.ParquetFile(target).metadata
    return {"parquet_bytes": target.stat().st_size,
            "jsonl_bytes": (folder / "news.jsonl").stat().st_size, "text_bytes": text_bytes,
            "rows": rows, "row_groups": meta.num_row_groups, "copies": copy}


def _tree(root: int) -> list[int]:
    """``root`` and every process below it."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                parent = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(parent, []).append(int(entry))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo += children.get(pid, [])
    return found


def _kib(pid: int, path: str, key: str) -> int:
    try:
        with open(f"/proc/{pid}/{path}") as f:
            for line in f:
                if line.startswith(key):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def measured(command: list[str], cap_bytes: int) -> dict:
    """Run ``command``; its time, peak memory (own RSS, and PSS of its whole
    process tree) and exit code; stopped past ``cap_bytes`` together."""
    started = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                             text=True, start_new_session=True)
    own = together = 0
    capped = False
    while child.poll() is None:
        tree = _tree(child.pid)
        own = max(own, _kib(child.pid, "status", "VmRSS:") * 1024)
        total = sum(_kib(pid, "smaps_rollup", "Pss:") for pid in tree) * 1024
        together = max(together, total)
        if total > cap_bytes:
            os.killpg(child.pid, signal.SIGKILL)
            capped = True
            break
        time.sleep(0.2)
    _, err = child.communicate()
    status = [line for line in err.splitlines() if " paragraphs: " in line]
    return {"seconds": time.perf_counter() - started, "own_peak": own,
            "tree_peak": together, "code": child.returncode, "capped": capped,
            "status": status[-1] if status else err.strip().splitlines()[-1:]}


def io_child(path: str, out: str) -> dict:
    """Read every part of ``path`` into documents, then write a copy of it with
    the second paragraph of every third row removed; times and counts."""
    import resource

    from dedup.engines.parquet_input import ParquetSpec, read_part, survey, write_copy
    spec = ParquetSpec("text", "url")
    started = time.perf_counter()
    info = survey(path, "news.parquet", spec)
    rows = paragraphs = 0
    changes: dict[str, set[int]] = {}
    for part in info.parts(spec):
        documents, _ = read_part(path, "news.parquet", part)
        for doc in documents:
            rows += 1
            paragraphs += doc.count
            if rows % 3 == 0 and doc.count > 1:
                changes[doc.path] = {1}
    read = time.perf_counter() - started
    write_copy(path, "news.parquet", spec, info.stamp, changes, out)
    return {"read_seconds": read, "write_seconds": time.perf_counter() - started - read,
            "rows": rows, "paragraphs": paragraphs, "changed": len(changes),
            "peak_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, action="append",
                        help="Parquet file size in MB (repeat for several) [default: 64]")
    parser.add_argument("--jobs", "-j", type=int, default=2, help="dedup -j [default: 2]")
    parser.add_argument("--cap-gib", type=float, default=12.0,
                        help="stop a run whose processes hold more than this [default: 12]")
    parser.add_argument("--skip-jsonl", action="store_true", help="time the Parquet run only")
    parser.add_argument("--io", action="store_true",
                        help="also measure reading and writing the Parquet file alone")
    parser.add_argument("--io-child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.io_child:
        print(json.dumps(io_child(*args.io_child)))
        return
    cap = int(args.cap_gib * 2**30)
    dedup = [sys.executable, "-m", "dedup", "clean"]
    for mb in args.mb or [64.0]:
        folder = Path(tempfile.mkdtemp(prefix="dedup-parquet-bench-"))
        try:
            made = build(folder, mb)
            print(f"== Parquet {made['parquet_bytes'] / 1e6:,.0f} MB ({made['row_groups']} row "
                  f"groups), JSON Lines {made['jsonl_bytes'] / 1e6:,.0f} MB: {made['rows']:,} "
                  f"rows, {made['text_bytes'] / 1e6:,.0f} MB of text ==", flush=True)
            if args.io:
                io = subprocess.run([sys.executable, "-m", "bench.parquet_bench", "--io-child",
                                     str(folder / "news.parquet"), str(folder / "io.parquet")],
                                    capture_output=True, text=True)
                r = json.loads(io.stdout.strip().splitlines()[-1])
                print(f"io only : read {r['read_seconds']:.1f} s ({r['rows']:,} rows, "
                      f"{r['paragraphs']:,} paragraphs), write {r['write_seconds']:.1f} s "
                      f"({r['changed']:,} rows changed); peak "
                      f"{r['peak_bytes'] / 2**30:.2f} GiB", flush=True)
            runs = [("parquet", [str(folder / "news.parquet"), "--parquet-id", "url"])]
            if not args.skip_jsonl:
                runs.append(("jsonl", [str(folder / "news.jsonl"), "--jsonl", "text",
                                       "--jsonl-id", "url"]))
            seen = {}
            for kind, inputs in runs:
                r = measured(dedup + inputs + ["--write", "--out", str(folder / f"out-{kind}"),
                                               "--report-dir", str(folder / f"reports-{kind}"),
                                               "-j", str(args.jobs)], cap)
                seen[kind] = r
                if r["capped"]:
                    print(f"{kind:8}: stopped after {r['seconds']:.0f} s: its processes passed "
                          f"{args.cap_gib:g} GiB together", flush=True)
                    continue
                print(f"{kind:8}: {r['seconds']:7.1f} s, peak {r['own_peak'] / 2**30:5.2f} GiB "
                      f"(with pool processes {r['tree_peak'] / 2**30:5.2f} GiB), exit "
                      f"{r['code']}; {r['status']}", flush=True)
            if len(seen) == 2 and not any(r["capped"] for r in seen.values()):
                p, j = seen["parquet"], seen["jsonl"]
                print(f"parquet / jsonl: time {p['seconds'] / j['seconds']:.2f}, peak "
                      f"{p['tree_peak'] / j['tree_peak']:.2f}", flush=True)
        finally:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
