"""Speed of ``dedup clean --write`` next to a plain baseline, in one run.

    python -m bench.speed                 # Reuters-21578, 3 runs each, medians
    python -m bench.speed --corpus mix    # 20,000 articles: BBC, SpamAssassin, Reuters
    python -m bench.speed --limit 2000 --repeat 1
    python -m bench.speed --json          # machine-readable, nothing else on stdout
    python -m bench.speed --profile       # cProfile of one dedup run with --jobs 1
    TMPDIR=/dev/shm python -m bench.speed --copy   # input and output on a RAM disk
    python -m bench.speed --numpy-signatures       # also dedup signing with numpy

The articles are written as .txt files into a fresh temporary folder outside
the repository (the corpus is for research use only and never lands in the
repo) and removed afterwards. Input and output go under ``TMPDIR``: on a RAM
disk the figures show what the tool costs, on a disk what creating the files
adds (``--copy`` times that floor alone).

Contestants, each run in a fresh Python process so that memory is its own:

- ``baseline``: bench/baseline.py, datasketch + rapidfuzz written plainly;
- ``dedup --jobs 1`` and ``dedup --jobs N`` (N = all cores), signing with the
  compiled loop when the install built it (the header says which);
- with ``--numpy-signatures``, ``dedup --jobs N`` again with
  ``DEDUP_NUMPY_SIGNATURES=1``: what the compiled loop gains, in the same command.

Rounds run the contestants one after the other (baseline, dedup 1, dedup N,
then again), so slow drift of the machine spreads over all of them.

Seconds are measured inside the child around the work only (reading the files
through to the decisions and writing every file, cleaned, to a fresh output
folder; reports are left to bench/report_bench.py); starting Python and importing the libraries is
left out for every contestant alike. Memory comes in two numbers:

- ``peak RSS``: ``ru_maxrss`` from ``os.wait4`` on the child, i.e. the peak of
  the largest single process of the contestant (its pool workers included,
  but the maximum of them, not the sum);
- ``all procs``: the contestant's processes sampled every 0.1 s from /proc and
  summed as PSS (shared pages split between the processes that share them), so
  a run with worker processes is not undercounted. A sample can miss a short
  spike; it is a floor, not an exact peak. Sampling reads every page table of
  the contestant's processes (about 2 ms per 300 MB process) and so takes CPU
  from the run it watches: dedup --jobs 2 on Reuters measured 0.03-0.05 s
  slower with it. It is therefore taken in one more round after the timed
  ones, whose seconds count in no median.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SAMPLE_SECONDS = 0.1
MB = 1e6            # throughput in decimal megabytes of input
MIX_ARTICLES = 20_000


# ---------------------------------------------------------------------------
# Child side: one contestant, one run, one JSON line on stdout.

def _cpu_seconds() -> float:
    """User + system CPU of this process and of the children it has reaped."""
    import resource
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _child(contestant: str, folder: str, jobs: int, out: str) -> int:
    import resource

    # Written under ``out`` and left there: the parent removes every run's
    # output only after the last run (see _measure).
    out_dir = Path(out)
    if contestant == "copy":
        # The floor: every file read and written again, atomically, as is.
        from dedup.output.clean import atomic_write
        cpu = _cpu_seconds()
        started = time.perf_counter()
        files = sorted(Path(folder).rglob("*.txt"))
        for f in files:
            atomic_write(out_dir / f.relative_to(folder), f.read_bytes(), durable=False)
        seconds = time.perf_counter() - started
        out = {"paragraphs": 0, "removed": 0, "files": len(files), "candidates": 0}
    elif contestant == "baseline":
        from bench import baseline
        cpu = _cpu_seconds()
        started = time.perf_counter()
        counts = baseline.run([folder], out=out_dir / "cleaned")
        seconds = time.perf_counter() - started
        out = {"paragraphs": counts["paragraphs"], "removed": counts["removed"],
               "files": counts["files"], "candidates": counts["candidates"]}
    else:
        from dedup import Config, scan
        config = Config(jobs=jobs)
        cpu = _cpu_seconds()
        from dedup.api import write_cleaned
        started = time.perf_counter()
        result = scan([folder], config)
        scanned = time.perf_counter()
        # What `dedup clean DIR --write` does, reports aside (they are measured
        # by bench/report_bench.py): every file written, cleaned, under --out.
        write_cleaned(result, [folder], out_dir / "cleaned", workers=config.workers)
        finished = time.perf_counter()
        seconds = finished - started
        stats = dict(result.stats)
        stats["seconds_scan"] = scanned - started
        stats["seconds_write"] = finished - scanned
        from dedup.fingerprints.fingerprint import signs_compiled
        compiled = signs_compiled(config.num_perm)
        out = {"paragraphs": stats["paragraphs"], "removed": len(result.removals),
               "files": stats["files"], "candidates": stats.get("candidates"),
               "workers": config.workers, "stats": stats,
               "signatures": "compiled" if compiled else "numpy"}
    # ru_maxrss is in KiB on Linux. SELF is this process; CHILDREN is the
    # largest of the pool workers it has reaped (0 when there were none).
    out["seconds"] = seconds
    # Pool workers are reaped when scan() shuts its pool down, so their CPU
    # time is in RUSAGE_CHILDREN by now.
    out["cpu_seconds"] = _cpu_seconds() - cpu
    out["self_rss_kib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    out["children_rss_kib"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    sys.stdout.write(json.dumps(out) + "\n")
    return 0


# ---------------------------------------------------------------------------
# Parent side: memory sampling of a process tree from /proc.

def _parents() -> dict[int, int]:
    """pid -> parent pid of every process visible in /proc."""
    out = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as handle:
                stat = handle.read()
        except OSError:
            continue
        # The command name (field 2) may hold spaces and parentheses; the
        # fields after its closing parenthesis are plain.
        fields = stat[stat.rfind(b")") + 2:].split()
        out[int(name)] = int(fields[1])
    return out


def _tree(root: int) -> list[int]:
    parents = _parents()
    found, frontier = [root], [root]
    while frontier:
        frontier = [pid for pid, ppid in parents.items() if ppid in frontier]
        found.extend(frontier)
    return found


def _memory_kib(pid: int) -> int:
    """PSS of a process (RSS when smaps_rollup is unavailable), 0 when gone."""
    for path, field in ((f"/proc/{pid}/smaps_rollup", b"Pss:"), (f"/proc/{pid}/status", b"VmRSS:")):
        try:
            with open(path, "rb") as handle:
                for line in handle:
                    if line.startswith(field):
                        return int(line.split()[1])
        except OSError:
            continue
    return 0


class _TreeSampler(threading.Thread):
    """Largest sum of memory over a process and its descendants while it runs."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak_kib = 0
        self.available = os.path.isdir("/proc")
        self._done = threading.Event()

    def run(self) -> None:
        while self.available and not self._done.wait(SAMPLE_SECONDS):
            try:
                total = sum(_memory_kib(p) for p in _tree(self.pid))
            except OSError:
                continue
            self.peak_kib = max(self.peak_kib, total)

    def stop(self) -> None:
        self._done.set()
        self.join()


def _busy_seconds() -> float | None:
    """CPU seconds the whole machine has spent busy since boot (all cores), from /proc/stat."""
    try:
        with open("/proc/stat") as handle:
            fields = handle.readline().split()
    except OSError:
        return None
    # user nice system idle iowait irq softirq steal ...: all but idle and iowait.
    values = [int(v) for v in fields[1:9]]
    busy = sum(values) - values[3] - values[4]
    return busy / os.sysconf("SC_CLK_TCK")


def _source_digest() -> str:
    """Digest of the engine's source, to notice it changing under the benchmark."""
    import hashlib
    digest = hashlib.sha256()
    for path in sorted([*(REPO / "dedup").rglob("*.py"), *(REPO / "dedup").rglob("*.c")]):
        digest.update(path.relative_to(REPO).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


def _git_head() -> str | None:
    try:
        done = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO,
                              capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() or None


def _kill_group(proc: subprocess.Popen) -> None:
    """Kill a child started in its own session, pool workers included."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _run_child(contestant: str, folder: Path, jobs: int, timeout: float | None,
               out: Path, env: dict | None = None, sample: bool = False) -> dict:
    """One run of a contestant in a fresh interpreter, writing under ``out``
    (with ``env`` added to the environment); its report plus memory, and
    with ``sample`` the PSS of all its processes (see the module docstring)."""
    command = [sys.executable, "-m", "bench.speed", "--child", contestant,
               "--folder", str(folder), "--jobs", str(jobs), "--out", str(out)]
    busy = _busy_seconds()
    started = time.perf_counter()
    # stderr is passed through so that a failing child shows its traceback. Its
    # own session lets a timeout or an interrupt kill it with its workers.
    proc = subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, start_new_session=True,
                            env={**os.environ, **(env or {})})
    sampler = _TreeSampler(proc.pid) if sample else None
    if sampler:
        sampler.start()
    timer = threading.Timer(timeout, _kill_group, (proc,)) if timeout else None
    if timer:
        timer.start()
    try:
        output = proc.stdout.read()
        proc.stdout.close()
        # os.wait4 instead of proc.wait(): it returns the child's own resource
        # usage, so the peak is this run's and not the largest of all runs so far.
        _, status, usage = os.wait4(proc.pid, 0)
    except BaseException:
        # Interrupted (Ctrl-C, SIGTERM): don't leave the child running.
        _kill_group(proc)
        proc.wait()
        raise
    finally:
        if timer:
            timer.cancel()
        if sampler:
            sampler.stop()
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - started
    busy_after = _busy_seconds()
    if timeout and wall >= timeout and proc.returncode != 0:
        raise SystemExit(f"bench.speed: {contestant} (jobs {jobs}) took longer than "
                         f"--timeout {timeout:g} s and was stopped")
    if proc.returncode != 0:
        raise SystemExit(f"bench.speed: {contestant} (jobs {jobs}) failed with exit code "
                         f"{proc.returncode}")
    report = json.loads(output.decode("utf-8").strip().splitlines()[-1])
    report["peak_rss_kib"] = usage.ru_maxrss
    report["tree_pss_kib"] = sampler.peak_kib if sampler and sampler.available else None
    report["wall_seconds"] = wall
    # CPU the rest of the machine used meanwhile, in cores: everything busy
    # minus this child's whole tree (wait4 counts its reaped workers too).
    # Other work on the machine inflates wall-clock seconds; this shows how much.
    if busy is not None and busy_after is not None:
        own = usage.ru_utime + usage.ru_stime
        report["other_cores"] = max(0.0, busy_after - busy - own) / wall
    return report


# ---------------------------------------------------------------------------
# Summaries and output.

def _median(runs: list[dict], key: str):
    values = [r[key] for r in runs if r.get(key) is not None]
    return statistics.median(values) if values else None


def _summarise(label: str, runs: list[dict], input_bytes: int,
               tree: int | None = None) -> dict:
    """Medians of the timed runs; ``tree``: the sampled PSS of all processes."""
    seconds = _median(runs, "seconds")
    paragraphs = runs[0]["paragraphs"]
    summary = {
        "contestant": label,
        "runs_seconds": [round(r["seconds"], 3) for r in runs],
        "seconds": seconds,
        "cpu_seconds": _median(runs, "cpu_seconds"),
        "paragraphs": paragraphs,
        "removed": runs[0]["removed"],
        "candidates": runs[0].get("candidates"),
        "signatures": runs[0].get("signatures"),
        "paragraphs_per_s": paragraphs / seconds if paragraphs else 0.0,
        "mb_per_s": input_bytes / MB / seconds,
        "peak_rss_mib": _median(runs, "peak_rss_kib") / 1024,
        "main_rss_mib": _median(runs, "self_rss_kib") / 1024,
        "worker_rss_mib": (_median(runs, "children_rss_kib") or 0) / 1024,
        "all_procs_pss_mib": tree / 1024 if tree else None,
        "wall_seconds": _median(runs, "wall_seconds"),
        "other_cores": _median(runs, "other_cores"),
    }
    removed = {r["removed"] for r in runs}
    if len(removed) > 1:
        summary["warning"] = f"removals differ between runs: {sorted(removed)}"
    if "stats" in runs[0]:
        summary["stages"] = _stages(runs)
    return summary


def _stages(runs: list[dict]) -> dict:
    """Median stage timings of dedup runs, plus the stages the engine doesn't time.

    ``seconds_decide`` in ``result.stats`` spans the whole of ``decide()``,
    candidates and verification included; what is left of it is reported as
    ``decide_rest``. Reading, splitting, normalising and signing happen before
    ``decide()`` and have no timer of their own: ``read_and_sign`` is the scan
    time minus ``seconds_decide``.
    """
    keys = sorted({k for r in runs for k in r["stats"] if k.startswith("seconds_")})
    out = {k.removeprefix("seconds_"): statistics.median(r["stats"].get(k, 0.0) for r in runs)
           for k in keys}
    out["read_and_sign"] = statistics.median(
        r["stats"].get("seconds_scan", r["seconds"]) - r["stats"].get("seconds_decide", 0.0)
        for r in runs)
    if "decide" in out:
        out["decide_rest"] = statistics.median(
            r["stats"]["seconds_decide"] - r["stats"].get("seconds_candidates", 0.0)
            - r["stats"].get("seconds_verify", 0.0) for r in runs)
    return out


def _versions() -> dict:
    from importlib.metadata import PackageNotFoundError, version
    out = {"python": platform.python_version()}
    # dedup's distribution is news-dedup; the report keeps the key "dedup".
    for name, dist in (("dedup", "news-dedup"), ("numpy", "numpy"),
                       ("datasketch", "datasketch"), ("rapidfuzz", "rapidfuzz")):
        try:
            out[name] = version(dist)
        except PackageNotFoundError:
            out[name] = None
    return out


def _table(report: dict) -> str:
    head = ("contestant", "seconds", "CPU s", "paragraphs/s", "MB/s", "peak RSS MiB",
            "all procs MiB", "paragraphs", "removed", "vs baseline", "other load")
    rows = []
    for s in report["contestants"]:
        speedup = s.get("speedup_vs_baseline")
        rows.append((
            s["contestant"], f"{s['seconds']:.2f}", f"{s['cpu_seconds']:.2f}",
            f"{s['paragraphs_per_s']:,.0f}",
            f"{s['mb_per_s']:.2f}", f"{s['peak_rss_mib']:.0f}",
            f"{s['all_procs_pss_mib']:.0f}" if s["all_procs_pss_mib"] else "-",
            f"{s['paragraphs']:,}", f"{s['removed']:,}",
            f"{speedup:.2f}x" if speedup else "-",
            f"{s['other_cores']:.2f}" if s["other_cores"] is not None else "-"))
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(head)]

    def line(cells):
        return "  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                         for i, (c, w) in enumerate(zip(cells, widths)))

    out = [line(head), line(["-" * w for w in widths]), *map(line, rows)]
    return "\n".join(out)


def _print_report(report: dict) -> None:
    v = report["versions"]
    name = {"reuters": "Reuters-21578", "mix": "BBC + SpamAssassin + Reuters"}[report["corpus"]]
    print(f"{name}: {report['articles']:,} articles, {report['input_bytes'] / MB:.1f} MB; "
          f"{report['repeat']} run(s) each, medians; {report['cpus']} core(s); "
          f"Python {v['python']}, numpy {v['numpy']}, datasketch {v['datasketch']}, "
          f"rapidfuzz {v['rapidfuzz']}; dedup at {report['git_head'] or '?'} "
          f"(source {report['dedup_source']})")
    signing = sorted({f"{s['contestant']}: {s['signatures']}" for s in report["contestants"]
                      if s.get("signatures")})
    print("signatures: " + "; ".join(signing))
    print()
    print(_table(report))
    print()
    print("vs baseline = baseline seconds / contestant seconds. peak RSS = largest single "
          "process (os.wait4);")
    print("all procs = sampled sum of PSS over the contestant's processes (in an untimed "
          "round of its own). CPU s = user + system, workers included.")
    print("other load = cores kept busy by other processes during the run (0 = quiet machine).")
    by_name = {s["contestant"]: s for s in report["contestants"]}
    multi = by_name.get(report.get("all_cores_label"))
    if multi and multi["worker_rss_mib"]:
        print(f"{multi['contestant']}: main process {multi['main_rss_mib']:.0f} MiB, "
              f"largest pool worker {multi['worker_rss_mib']:.0f} MiB")
    if report.get("jobs_ratio"):
        print(f"jobs 1 / all cores: {report['jobs_ratio']:.2f}x "
              f"({report['jobs_ratio_note']})")
    order = ["read_and_sign", "candidates", "verify", "decide_rest", "decide", "scan", "write"]
    for run in (by_name.get("dedup --jobs 1"), multi):
        stages = (run or {}).get("stages")
        if stages:
            shown = [k for k in order if k in stages] + sorted(set(stages) - set(order))
            print(f"stages of {run['contestant']} (median s): "
                  + ", ".join(f"{k} {stages[k]:.2f}" for k in shown))
    print("  (decide spans candidates + verify + decide_rest; read_and_sign = scan "
          "- decide; seconds = scan + write)")
    for s in report["contestants"]:
        if "warning" in s:
            print(f"warning: {s['contestant']}: {s['warning']}")
    for note in report.get("notes", []):
        print(f"note: {note}")


# ---------------------------------------------------------------------------

def _profile(folder: Path, top: int) -> None:
    import cProfile
    import pstats

    from dedup import Config, scan

    profiler = cProfile.Profile()
    result = profiler.runcall(scan, [folder], Config(jobs=1))
    print(f"cProfile of dedup scan --jobs 1: {result.stats['paragraphs']:,} paragraphs, "
          f"{len(result.removals):,} removed")
    stats = pstats.Stats(profiler, stream=sys.stdout)
    stats.strip_dirs().sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)


def _rounded(value):
    """Floats cut to 4 decimals for the JSON output (timer noise is far above that)."""
    if isinstance(value, float):
        return round(value, 4)
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_rounded(v) for v in value]
    return value


def _outside_repo(folder: Path) -> bool:
    folder = folder.resolve()
    return folder != REPO and REPO not in folder.parents


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.speed", description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", choices=("reuters", "mix"), default="reuters",
                        help="reuters: all non-empty Reuters-21578 stories; mix: 20,000 "
                             "articles, all of BBC and SpamAssassin, the rest Reuters")
    parser.add_argument("--limit", type=int, default=None,
                        help="only the first N articles (default: all)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per contestant (default 3)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    parser.add_argument("--numpy-signatures", action="store_true",
                        help="also run dedup on all cores signing with numpy instead of the "
                             "compiled loop")
    parser.add_argument("--copy", action="store_true",
                        help="also time a bare copy of every file (read, write to a temporary "
                             "name, rename): what the disk allows for this many files")
    parser.add_argument("--profile", action="store_true",
                        help="instead of timing, cProfile one dedup run with --jobs 1")
    parser.add_argument("--top", type=int, default=30, help="functions shown by --profile")
    parser.add_argument("--timeout", type=float, default=None,
                        help="stop with an error when one run takes longer than this many "
                             "seconds (default: no limit)")
    # Used by the benchmark to start its own child processes.
    parser.add_argument("--child", choices=("baseline", "dedup", "copy"), help=argparse.SUPPRESS)
    parser.add_argument("--folder", help=argparse.SUPPRESS)
    parser.add_argument("--jobs", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child:
        return _child(args.child, args.folder, args.jobs, args.out)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    if args.limit is not None and args.limit < 1:
        parser.error("--limit must be at least 1")

    from bench.corpora import ROOT, bbc, materialise, reuters, spamassassin

    # SIGTERM becomes SystemExit, so the temporary folder is removed and the
    # running child killed, as on Ctrl-C.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))

    articles = reuters()
    if articles is not None and args.corpus == "mix":
        others = (bbc() or []) + (spamassassin() or [])
        articles = others + articles[:max(0, MIX_ARTICLES - len(others))]
    if articles is not None and args.limit:
        articles = articles[:args.limit]
    if articles is None:
        message = f"Reuters-21578 not found under {ROOT}; nothing to measure."
        print(json.dumps({"skipped": message}) if args.json else message)
        return 0

    folder = Path(tempfile.mkdtemp(prefix="dedup-speed-"))
    try:
        if not _outside_repo(folder):
            raise SystemExit(f"bench.speed: temporary folder {folder} is inside the repository; "
                             "set TMPDIR elsewhere")
        materialise(articles, folder)
        input_bytes = sum(f.stat().st_size for f in folder.rglob("*.txt"))
        if args.profile:
            _profile(folder, args.top)
            return 0
        report = _measure(folder, len(articles), input_bytes, args)
        report["corpus"] = args.corpus
    finally:
        shutil.rmtree(folder, ignore_errors=True)

    if args.json:
        print(json.dumps(_rounded(report), indent=2))
    else:
        _print_report(report)
    return 0


def _measure(folder: Path, articles: int, input_bytes: int, args) -> dict:
    cpus = os.cpu_count() or 1
    plan = [("baseline", "baseline", 1, None), ("dedup --jobs 1", "dedup", 1, None)]
    all_cores_label = None
    if cpus > 1:
        all_cores_label = f"dedup --jobs {cpus}"
        plan.append((all_cores_label, "dedup", cpus, None))
    if args.numpy_signatures:
        plan.append((f"dedup --jobs {cpus}, numpy signatures", "dedup", cpus,
                     {"DEDUP_NUMPY_SIGNATURES": "1"}))
    if args.copy:
        plan.append(("copy files as they are", "copy", 1, None))
    runs: dict[str, list[dict]] = {label: [] for label, *_ in plan}
    sampled: dict[str, int | None] = {}
    digest_before = _source_digest()
    # Every run's output stays until the last run is done. Removing a run's
    # output before the next run made that run pay for the removal: on this
    # machine's ext4 disk (mounted with discard), writing Reuters' copies took
    # 10-13 s after the previous copies were deleted and 1.5-2.5 s otherwise.
    outputs = Path(tempfile.mkdtemp(prefix="dedup-speed-out-", dir=folder.parent))
    try:
        for round_ in range(1, args.repeat + 1):
            for index, (label, contestant, jobs, env) in enumerate(plan):
                print(f"[{round_}/{args.repeat}] {label} ...", end=" ", file=sys.stderr,
                      flush=True)
                # Untimed: the files the previous run wrote reach the disk now,
                # not while this run writes its own.
                os.sync()
                report = _run_child(contestant, folder, jobs, args.timeout,
                                    outputs / f"{round_}-{index}", env)
                print(f"{report['seconds']:.2f} s", file=sys.stderr, flush=True)
                runs[label].append(report)
        # Memory of all processes, sampled in a round of its own (untimed).
        for index, (label, contestant, jobs, env) in enumerate(plan):
            print(f"[memory] {label} ...", end=" ", file=sys.stderr, flush=True)
            os.sync()
            report = _run_child(contestant, folder, jobs, args.timeout,
                                outputs / f"memory-{index}", env, sample=True)
            print(f"{(report['tree_pss_kib'] or 0) / 1024:.0f} MiB", file=sys.stderr, flush=True)
            sampled[label] = report["tree_pss_kib"]
    finally:
        shutil.rmtree(outputs, ignore_errors=True)

    digest_after = _source_digest()
    contestants = [_summarise(label, runs[label], input_bytes, sampled.get(label))
                   for label, *_ in plan]
    base = contestants[0]["seconds"]
    for s in contestants:
        s["speedup_vs_baseline"] = base / s["seconds"]
    report = {
        "corpus": "reuters21578",
        "articles": articles,
        "input_bytes": input_bytes,
        "repeat": args.repeat,
        "cpus": cpus,
        "versions": _versions(),
        "git_head": _git_head(),
        "dedup_source": digest_after,
        "contestants": contestants,
        "all_cores_label": all_cores_label,
        "notes": [],
    }
    single = contestants[1]
    if all_cores_label:
        multi = contestants[2]
        report["jobs_ratio"] = single["seconds"] / multi["seconds"]
        report["jobs_ratio_note"] = ("dedup --jobs 1 seconds / dedup --jobs "
                                     f"{cpus} seconds; above 1 means more cores help")
        if single["removed"] != multi["removed"]:
            report["notes"].append(f"dedup removed {single['removed']:,} with --jobs 1 but "
                                   f"{multi['removed']:,} with --jobs {cpus}")
    else:
        report["notes"].append("one core only: no all-core run")
    for s in contestants[1:]:
        if s["signatures"] == "numpy" and single["signatures"] == "compiled" \
                and s["removed"] != single["removed"]:
            report["notes"].append(f"{s['contestant']} removed {s['removed']:,}, the compiled "
                                   f"signatures {single['removed']:,}")
    if digest_before != digest_after:
        report["notes"].append("the dedup source changed while the benchmark ran: runs may "
                               "have measured different code")
    busiest = max((s["other_cores"] or 0.0) for s in contestants)
    if busiest > 0.25:
        report["notes"].append(
            f"other processes kept up to {busiest:.1f} of {cpus} cores busy during the runs "
            "(median per contestant): wall-clock seconds are inflated, compare CPU s too")
    if contestants[0]["paragraphs"] != single["paragraphs"]:
        report["notes"].append(
            "paragraph counts differ: dedup splits a file without any blank line into one "
            "paragraph per line, the baseline keeps it whole")
    return report


if __name__ == "__main__":
    raise SystemExit(main())
