"""Scanning HTML pages next to the same articles as text, in one process.

    python -m bench.html_bench              # BBC, 3 rounds, medians
    python -m bench.html_bench --repeat 1 --jobs 1

Each BBC article is written twice into a fresh temporary folder outside the
repository (the corpus is for research use only): as the .txt it is, and as a
simple HTML page (a head with a title, a style sheet and a script, a site menu
in <nav>, the first paragraph as <h1>, every other one as <p>, a footer), its
text HTML-escaped. Rounds alternate the two scans so that drift of the machine
spreads over both; seconds are the medians of the scans themselves (reading
through to the decisions). The figures printed: seconds for each, their
ratio, the time html_input takes to find the blocks of every page alone, and
whether both scans made the same decisions (they should: a page's blocks are
the text's paragraphs).

Prints a line and exits 0 when the corpus is absent.
"""

from __future__ import annotations

import argparse
import html
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench.corpora import bbc
from dedup import Config, api
from dedup.input.documents import paragraph_texts
from dedup.input.html_input import read_blocks

SKELETON = """<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>{title} - News</title>
  <style>body {{ font-family: serif; }} p {{ margin: 0 0 1em; }}</style>
  <script>window.analytics = {{ page: "{name}" }};</script>
</head>
<body>
  <nav><ul><li><a href="/">Home</a></li><li><a href="/news">News</a></li></ul></nav>
  <article>
{blocks}
  </article>
  <footer><nav><a href="/about">About</a></nav></footer>
</body>
</html>
"""


def render(name: str, text: str) -> str:
    """An article as a simple page: its first paragraph a heading, the rest <p>."""
    paragraphs = [html.escape(p) for p in paragraph_texts(text)]
    blocks = [f"    <h1>{paragraphs[0]}</h1>"] if paragraphs else []
    blocks += [f"    <p>{p}</p>" for p in paragraphs[1:]]
    return SKELETON.format(title=paragraphs[0] if paragraphs else "", name=html.escape(name),
                           blocks="\n".join(blocks))


def decisions(result) -> set[tuple[str, int, str, int, str]]:
    """Removals with the file extension left out, so text and pages compare."""
    docs = result.documents
    return {(Path(docs[r.doc].path).stem + Path(docs[r.doc].path).parent.name, r.para,
             Path(docs[k.kept.doc].path).stem + Path(docs[k.kept.doc].path).parent.name,
             k.kept.para, k.kind) for r, k in result.removals.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=0, help="as dedup's --jobs (0 = all cores)")
    parser.add_argument("--limit", type=int, default=None)
    args = parser.parse_args(argv)
    articles = bbc(args.limit)
    if articles is None:
        print("html_bench: the BBC corpus is absent (../shared/corpora/bbc); nothing measured")
        return 0
    work = Path(tempfile.mkdtemp(prefix="dedup-html-bench-"))
    try:
        pages = {}
        for name, text in articles:
            rel = Path(name).relative_to("bbc")
            for folder, body in (("txt", text), ("html", None)):
                target = work / folder / rel
                if body is None:
                    target = target.with_suffix(".html")
                    body = pages[str(target)] = render(name, text)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(body, "utf-8")
        size_txt = sum(len(t.encode()) for _, t in articles)
        size_html = sum(len(p.encode()) for p in pages.values())
        seconds: dict[str, list[float]] = {"txt": [], "html": []}
        results = {}
        for _ in range(args.repeat):
            for kind in ("txt", "html"):
                cfg = Config(glob=f"*.{kind}", jobs=args.jobs)
                started = time.perf_counter()
                results[kind] = api.scan([work / kind], cfg)
                seconds[kind].append(time.perf_counter() - started)
        started = time.perf_counter()
        blocks = sum(len(read_blocks(markup, name)) for name, markup in pages.items())
        parse = time.perf_counter() - started
        txt, page = (statistics.median(seconds[k]) for k in ("txt", "html"))
        same = decisions(results["txt"]) == decisions(results["html"])
        paragraphs = sum(d.count for d in results["txt"].documents)
        print(f"BBC, {len(articles)} articles, {paragraphs} paragraphs ({blocks} blocks); "
              f"text {size_txt / 1e6:.1f} MB, pages {size_html / 1e6:.1f} MB; "
              f"jobs={args.jobs or 'all'}; medians of {args.repeat}")
        print(f"  scan .txt:   {txt:6.2f} s")
        print(f"  scan .html:  {page:6.2f} s   ({page / txt:.2f}x the text scan)")
        print(f"  finding the blocks of every page alone (one process): {parse:.2f} s "
              f"({1e3 * parse / len(pages):.2f} ms a page)")
        print(f"  same decisions: {'yes' if same else 'NO'} "
              f"({len(results['txt'].removals)} removals in text, "
              f"{len(results['html'].removals)} in pages)")
        return 0 if same else 1
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
