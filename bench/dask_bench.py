"""Local engine against the Dask engine at 1 and 2 workers, on replicated Reuters.

    python -m bench.dask_bench --mb 250 --mb 500

For each size, the Reuters stories are written again and again, each copy
with light edits (a number or a word changed in some stories, so copies are
exact and near repeats), into a temporary folder outside the repository,
removed afterwards. Each engine runs ``scan`` in a child process of its
own, so peak memory is its own: the local engine's process, and for the
Dask engine the client and every worker (``ru_maxrss`` of each). The
workers run with ``--memory-limit`` each (2 GiB by default; the figures
in bench/RESULTS.md use 1 GiB): past 60% of it they spill what they keep to
disk, and the bench prints how much they wrote.
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

_NUMBER = re.compile(r"\d+")
_WORDS = (("said", "stated"), ("the", "that"), ("company", "firm"), ("year", "period"))


def edited(text: str, story: int, copy: int) -> str:
    """A copy of a story: unchanged, a number changed, or a word changed."""
    if copy == 0 or (story + copy) % 3 == 0:
        return text
    if (story + copy) % 3 == 1:
        match = _NUMBER.search(text, len(text) // 2)
        if match:
            return text[:match.start()] + str(int(match.group()) + copy) + text[match.end():]
    old, new = _WORDS[(story + copy) % len(_WORDS)]
    at = text.find(f" {old} ", len(text) // 3)
    return text if at < 0 else text[:at + 1] + new + text[at + 1 + len(old):]


def build(folder: Path, megabytes: float) -> tuple[int, int]:
    """Replicated stories under ``folder`` up to ``megabytes``; (files, bytes)."""
    from bench import corpora
    stories = corpora.reuters()
    if stories is None:
        sys.exit("the Reuters corpus in ../shared/corpora is absent")
    target, total, files, copy = megabytes * 1e6, 0, 0, 0
    while total < target:
        sub = folder / f"copy{copy:04d}"
        sub.mkdir(parents=True)
        for number, (name, text) in enumerate(stories):
            data = edited(text, number, copy).encode("utf-8")
            (sub / Path(name).name).write_bytes(data)
            total += len(data)
            files += 1
            if total >= target:
                break
        copy += 1
    return files, total


def _maxrss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _spilled(dask_worker) -> int:
    metrics = getattr(dask_worker.data, "cumulative_metrics", {})
    return int(metrics.get(("disk-write", "bytes"), 0))


class _Sampler:
    """Every second, each worker's memory as the scheduler hears it: what is
    not data Dask manages (and could spill) is the part that must stay
    bounded, and the tasks a worker holds."""

    def __init__(self, client, every: float = 1.0) -> None:
        import threading
        self.client, self.every = client, every
        self.rows: list[dict] = []
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._done.wait(self.every):
            try:
                workers = self.client.scheduler_info(n_workers=-1)["workers"]
            except Exception:                  # the cluster is closing
                return
            self.rows.append({w: (m["metrics"]["memory"] - m["metrics"]["managed_bytes"],
                                  sum(m["metrics"]["task_counts"].values()))
                              for w, m in workers.items()})

    def stop(self) -> None:
        self._done.set()
        self._thread.join()

    def unmanaged_peak(self) -> list[float]:
        peaks: dict = {}
        for row in self.rows:
            for w, (unmanaged, _) in row.items():
                peaks[w] = max(peaks.get(w, 0), unmanaged)
        return sorted(v / 2**20 for v in peaks.values())

    def unmanaged_end(self) -> list[float]:
        return sorted(u / 2**20 for u, _ in self.rows[-1].values()) if self.rows else []

    def tasks_peak(self) -> int:
        return max((t for row in self.rows for _, t in row.values()), default=0)


def child(engine: str, folder: str, workers: int, memory_limit: str) -> dict:
    """One timed scan in this process; what the parent prints."""
    from dedup import Config, api
    cfg = Config(jobs=workers)
    if engine == "local":
        started = time.perf_counter()
        result = api.scan([folder], cfg)
        seconds = time.perf_counter() - started
        return {"seconds": seconds, "paragraphs": result.stats["paragraphs"],
                "removed": len(result.removals), "peak_mib": _maxrss_mib()}
    from dedup.engines import engine_dask
    with engine_dask.connect(workers=workers, memory_limit=memory_limit) as client:
        sampler = _Sampler(client)
        started = time.perf_counter()
        run = engine_dask.scan(client, [folder], cfg)
        seconds = time.perf_counter() - started
        sampler.stop()
        peaks = client.run(_maxrss_mib)
        spilled = client.run(_spilled)
    return {"seconds": seconds, "paragraphs": run.result.stats["paragraphs"],
            "removed": len(run.result.removals), "client_peak_mib": _maxrss_mib(),
            "worker_peak_mib": sorted(peaks.values()), "gathered": run.gathered,
            "spilled_mib": sorted(v / 2**20 for v in spilled.values()),
            "candidates": run.result.stats.get("candidates"), "chunks": len(run.chunks),
            "unmanaged_peak_mib": sampler.unmanaged_peak(),
            "unmanaged_end_mib": sampler.unmanaged_end(),
            "tasks_peak": sampler.tasks_peak(),
            "groups": run.result.stats.get("shuffle_groups"),
            "stages": {k[8:]: v for k, v in run.result.stats.items()
                       if k.startswith("seconds_")}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, action="append",
                        help="input size in MB (repeat for several sizes) [default: 500]")
    parser.add_argument("--skip-local", action="store_true", help="time the Dask engine only")
    parser.add_argument("--skip-local-above", type=float, metavar="MB",
                        help="time the local engine only at sizes up to MB")
    parser.add_argument("--dask-workers", default="1,2",
                        help="worker counts of the Dask runs, comma-separated [default: 1,2]")
    parser.add_argument("--memory-limit", default="2GiB",
                        help="memory of each Dask worker [default: 2GiB]")
    parser.add_argument("--child", nargs=4, metavar=("ENGINE", "FOLDER", "WORKERS", "LIMIT"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        engine, folder, workers, limit = args.child
        print(json.dumps(child(engine, folder, int(workers), limit)))
        return
    for mb in args.mb or [500.0]:
        folder = Path(tempfile.mkdtemp(prefix="dedup-dask-bench-"))
        try:
            files, size = build(folder, mb)
            print(f"== {size / 1e6:.0f} MB, {files:,} files ==", flush=True)
            local = not args.skip_local and (args.skip_local_above is None
                                             or mb <= args.skip_local_above)
            runs = (([("local", 2)] if local else [])
                    + [("dask", int(n)) for n in args.dask_workers.split(",")])
            times = {}
            for engine, workers in runs:
                out = subprocess.run([sys.executable, "-m", "bench.dask_bench", "--child",
                                      engine, str(folder), str(workers),
                                      args.memory_limit],
                                     capture_output=True, text=True)
                if out.returncode != 0:
                    print(f"{engine} x{workers}: failed ({out.returncode}): "
                          f"{out.stderr.strip().splitlines()[-1:]}", flush=True)
                    continue
                r = json.loads(out.stdout.strip().splitlines()[-1])
                times[(engine, workers)] = r["seconds"]
                rate = size / 1e6 / r["seconds"]
                line = (f"{engine:5} x{workers}: {r['seconds']:7.1f} s, {rate:5.2f} MB/s "
                        f"({rate / workers:.2f} MB/s per worker), "
                        f"{r['paragraphs']:,} paragraphs, {r['removed']:,} removed")
                if engine == "local":
                    line += f"; peak {r['peak_mib']:,.0f} MiB"
                else:
                    line += (f"; client peak {r['client_peak_mib']:,.0f} MiB, worker peaks "
                             + ", ".join(f"{m:,.0f}" for m in r["worker_peak_mib"]) + " MiB"
                             + " (spilled " + ", ".join(f"{m:,.0f}" for m in r["spilled_mib"])
                             + " MiB)"
                             + "; not managed by Dask: peak "
                             + ", ".join(f"{m:,.0f}" for m in r["unmanaged_peak_mib"])
                             + " MiB, at the end " + ", ".join(f"{m:,.0f}"
                                                               for m in r["unmanaged_end_mib"])
                             + f" MiB; tasks on a worker at most {r['tasks_peak']:,}"
                             + f"; {r['chunks']} chunks in {r['groups']} groups"
                             f"; gathered {json.dumps(r['gathered'])}"
                             f"; stages (s) {json.dumps(r['stages'])}")
                print(line, flush=True)
            if ("dask", 1) in times and ("dask", 2) in times:
                print(f"scaling 1 -> 2 workers: {times[('dask', 1)] / times[('dask', 2)]:.2f}x",
                      flush=True)
        finally:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
