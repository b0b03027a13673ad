"""How big and how fast is report.html on a large corpus?

Materialises real articles in a temporary folder outside the repository,
scans them, renders every report format (timing each), writes report.html and
opens it in headless Chromium to time DOMContentLoaded and load, a kind filter
and a file-name search.

    python bench/report_bench.py                         # all of Reuters-21578 (~19k stories)
    python bench/report_bench.py --corpus reuters --limit 10000
    python bench/report_bench.py --corpus bbc --keep /tmp/bbc-report

The browser part needs Debian's chromium (/usr/bin/chromium) and the Python
``playwright`` package (its driver only: never ``playwright install``); without
them it prints the sizes and render times and says why it stopped there.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.corpora import bbc, materialise, reuters  # noqa: E402
from dedup import Config, scan  # noqa: E402
from dedup.report import FORMATS, write_reports  # noqa: E402
from dedup.report.interface import summary  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def browser_timings(report: Path, runs: int = 3) -> dict | None:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        print("browser: skipped (pip install playwright)")
        return None
    if not Path(CHROMIUM).exists():
        print(f"browser: skipped ({CHROMIUM} missing: apt-get install chromium)")
        return None
    out: dict = {"dcl": [], "load": [], "wall": [], "filter": [], "search": [], "heap": []}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for _ in range(runs):
            page = browser.new_page(viewport={"width": 1440, "height": 900})
            page.bring_to_front()
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            started = time.perf_counter()
            page.goto(report.as_uri(), wait_until="load", timeout=300_000)
            out["wall"].append(time.perf_counter() - started)
            nav = page.evaluate("""() => {const n = performance.getEntriesByType('navigation')[0];
                return {dcl: n.domContentLoadedEventEnd, load: n.loadEventEnd,
                        heap: performance.memory ? performance.memory.usedJSHeapSize : 0};}""")
            out["dcl"].append(nav["dcl"] / 1000)
            out["load"].append(nav["load"] / 1000)
            out["heap"].append(nav["heap"])
            out["filter"].append(page.evaluate("""() => {const t = performance.now();
                document.querySelector('.chip[data-filter=boilerplate]').click();
                document.body.offsetHeight; return (performance.now() - t) / 1000;}"""))
            before = page.text_content("#pageinfo")
            page.fill("#q", "7")
            started = time.perf_counter()
            page.wait_for_function(
                "prev => document.getElementById('pageinfo').textContent !== prev",
                arg=before, timeout=60_000, polling=20)
            # minus the input debounce (120 ms)
            out["search"].append(max(0.0, time.perf_counter() - started - 0.12))
            if errors:
                out.setdefault("errors", []).extend(errors)
            page.close()
        browser.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", choices=("reuters", "bbc"), default="reuters")
    parser.add_argument("--limit", type=int, default=None, help="at most this many articles")
    parser.add_argument("--keep", type=Path, default=None,
                        help="write the corpus and report here and keep them (outside the repo)")
    parser.add_argument("--runs", type=int, default=3, help="browser loads to time")
    args = parser.parse_args()

    articles = {"reuters": reuters, "bbc": bbc}[args.corpus](args.limit)
    if articles is None:
        sys.exit(f"{args.corpus} corpus not found (set DEDUP_CORPORA)")
    work = args.keep or Path(tempfile.mkdtemp(prefix="dedup-report-bench-"))
    try:
        corpus = materialise(articles, work / "corpus")
        started = time.perf_counter()
        result = scan([corpus], Config())
        scan_s = time.perf_counter() - started
        s = summary(result)
        print(f"corpus: {args.corpus}, {s['files']:,} files, {s['paragraphs']:,} paragraphs, "
              f"{s['removed']:,} removed in {s['files_changed']:,} files; scan {scan_s:.2f}s")
        for name, fmt in FORMATS.items():
            started = time.perf_counter()
            text = fmt.render(result)
            print(f"render {name:9s} {time.perf_counter() - started:6.2f}s "
                  f"{len(text.encode('utf-8')) / 1e6:7.2f} MB")
        started = time.perf_counter()
        written = write_reports(result, work / "reports")
        print(f"write_reports (json, markdown, html): {time.perf_counter() - started:.2f}s")
        html = next(p for p in written if p.suffix == ".html")
        print(f"report.html: {html.stat().st_size / 1e6:.2f} MB ({html})")
        timings = browser_timings(html, args.runs)
        if timings:
            def fmt(values: list[float]) -> str:
                return f"median {sorted(values)[len(values) // 2]:.2f}s (runs: " + \
                    ", ".join(f"{v:.2f}" for v in values) + ")"
            print(f"chromium DOMContentLoaded: {fmt(timings['dcl'])}")
            print(f"chromium load event:       {fmt(timings['load'])}")
            print(f"page.goto wall time:       {fmt(timings['wall'])}")
            print(f"kind filter click:         {fmt(timings['filter'])}")
            print(f"file-name search:          {fmt(timings['search'])}")
            if any(timings["heap"]):
                print(f"JS heap after load: {max(timings['heap']) / 1e6:.1f} MB")
            if timings.get("errors"):
                print("page errors:", *timings["errors"][:5], sep="\n  ")
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
