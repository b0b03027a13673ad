"""Whole-article repeats on the BBC corpus against an independent reference.

    python -m bench.articles_eval [--list] [--disagreements 10]

dedup finds article repeats from its paragraph matches (share of an
article's normalised characters in paragraphs that repeat one other article
>= 0.8). The reference is built another way, from word 5-grams of the whole
article, without paragraphs: article A repeats article B when at least 80% of
A's distinct word 5-grams occur in B (containment, directional, exact sets
over all pairs sharing any 5-gram). A reference pair counts as found when
dedup reports A as a repeat (or an update) of B or of an article in the same
group of copies; a dedup pair counts as correct when the reference has the
containment of A in B at or above the threshold.

The two measures differ on purpose at the margins (a changed headline weighs
more in characters than in 5-grams, numbers changed in one paragraph turn a
repeat into an update), so the disagreements are printed for reading.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

from dedup import Config, scan

from . import corpora

_WORD = re.compile(r"\w+")


def shingles(text: str, n: int = 5) -> set[int]:
    words = _WORD.findall(text.casefold())
    if len(words) < n:
        return {hash(" ".join(words))}
    return {hash(" ".join(words[i:i + n])) for i in range(len(words) - n + 1)}


def reference_pairs(articles: list[tuple[str, str]], threshold: float) -> dict[tuple[str, str], float]:
    """(a, b) -> containment of a's 5-grams in b, for pairs at or above ``threshold``."""
    sets = {name: shingles(text) for name, text in articles}
    postings: dict[int, list[str]] = defaultdict(list)
    for name, grams in sets.items():
        for g in grams:
            postings[g].append(name)
    shared: dict[tuple[str, str], int] = defaultdict(int)
    for names in postings.values():
        if len(names) > 200:      # a phrase common to hundreds of articles
            continue
        for a in names:
            for b in names:
                if a != b:
                    shared[(a, b)] += 1
    return {(a, b): n / len(sets[a]) for (a, b), n in shared.items()
            if n / len(sets[a]) >= threshold}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threshold", type=float, default=0.8)
    parser.add_argument("--list", action="store_true", help="print every pair dedup found")
    parser.add_argument("--disagreements", type=int, default=10)
    args = parser.parse_args(argv)
    articles = corpora.bbc()
    if articles is None:
        print(f"BBC corpus not found under {corpora.ROOT}; skipped")
        return 0
    with tempfile.TemporaryDirectory(prefix="dedup-bbc-") as tmp:
        corpora.materialise(articles, Path(tmp))
        result = scan([Path(tmp)], Config(article_threshold=args.threshold))
        names = [Path(d.path).relative_to(tmp).as_posix() if d.path.startswith(tmp)
                 else d.path for d in result.documents]
    found = {(names[a.doc], names[a.kept_doc]): a for a in result.articles}
    reference = reference_pairs(articles, args.threshold)

    # Groups of copies as dedup sees them: a reference pair inside one group is found.
    parent: dict[str, str] = {}

    def root(x: str) -> str:
        while parent.get(x, x) != x:
            x = parent[x]
        return x

    for a, b in found:
        parent[root(a)] = root(b)
    ref_unordered = {tuple(sorted(p)) for p in reference}
    hit = {p for p in ref_unordered if root(p[0]) == root(p[1])}
    correct = {p for p in found if p in reference}
    precision = len(correct) / len(found) if found else 1.0
    recall = len(hit) / len(ref_unordered) if ref_unordered else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    by_relation = defaultdict(int)
    for a in result.articles:
        by_relation[a.relation] += 1
    print(f"BBC: {len(articles)} articles; dedup article findings: {len(found)} "
          f"({dict(by_relation)}); reference pairs (5-gram containment >= {args.threshold}): "
          f"{len(reference)} directed, {len(ref_unordered)} unordered")
    print(f"precision {precision:.3f} ({len(correct)}/{len(found)})  recall {recall:.3f} "
          f"({len(hit)}/{len(ref_unordered)})  F1 {f1:.3f}")
    if args.list:
        for (a, b), item in sorted(found.items()):
            print(f"  {a} {item.relation}s {b}: share {item.share:.2f}, "
                  f"{item.paragraphs}/{item.total} paragraphs, reference "
                  f"{reference.get((a, b), 0):.2f}")
    missed = sorted(ref_unordered - hit)
    wrong = sorted(set(found) - correct)
    print(f"-- reference pairs dedup does not connect: {len(missed)}")
    for a, b in missed[:args.disagreements]:
        print(f"  {a} ~ {b}: containment {reference.get((a, b), 0):.2f} / "
              f"{reference.get((b, a), 0):.2f}")
    print(f"-- dedup pairs below the reference threshold: {len(wrong)}")
    for a, b in wrong[:args.disagreements]:
        item = found[(a, b)]
        print(f"  {a} {item.relation}s {b}: share {item.share:.2f}; reference containment "
              f"{reference.get((a, b), 0):.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
