"""The plain approach, as a yardstick for the quality benchmark.

What people usually write when asked to drop repeated paragraphs: lower-case
and collapse whitespace, one datasketch ``MinHash`` per paragraph over
character 5-grams, a ``MinHashLSH`` index at threshold 0.5, and rapidfuzz
``fuzz.ratio >= 90`` to confirm a candidate. Paragraphs are visited in keep
order (sorted file name, then position); a paragraph matching one already kept
is removed and points at it, otherwise it is kept and indexed. No fact checks,
no boilerplate rule, no special case for short lines.

Paragraphs are split with the engine's own splitter so both systems are scored
on the same paragraph positions.
"""

from __future__ import annotations

import re

from datasketch import MinHash, MinHashLSH
from rapidfuzz import fuzz

from dedup.input.documents import split_lines, split_paragraphs

SHINGLE = 5
NUM_PERM = 128
LSH_THRESHOLD = 0.5
RATIO = 90.0
_SPACES = re.compile(r"\s+")

Ref = tuple[int, int]


def _shingles(norm: str) -> set[bytes]:
    data = norm.encode("utf-8")
    if len(data) <= SHINGLE:
        return {data}
    return {data[i:i + SHINGLE] for i in range(len(data) - SHINGLE + 1)}


def plain_dedup(texts: dict[str, str]) -> dict[Ref, tuple[Ref, float]]:
    """``{removed (doc, para): (kept (doc, para), ratio)}``, docs in sorted name order."""
    lsh = MinHashLSH(threshold=LSH_THRESHOLD, num_perm=NUM_PERM)
    kept: dict[str, tuple[Ref, str]] = {}
    removals: dict[Ref, tuple[Ref, float]] = {}
    for d, name in enumerate(sorted(texts)):
        for p, para in enumerate(split_paragraphs(split_lines(texts[name]))):
            norm = _SPACES.sub(" ", para.text.lower()).strip()
            m = MinHash(num_perm=NUM_PERM, seed=1)
            m.update_batch(list(_shingles(norm)))
            best = None
            for key in lsh.query(m):
                ref, other = kept[key]
                score = fuzz.ratio(norm, other)
                if score >= RATIO and (best is None or (-score, ref) < (-best[1], best[0])):
                    best = (ref, score)
            if best is not None:
                removals[(d, p)] = best
            else:
                key = f"{d}:{p}"
                lsh.insert(key, m)
                kept[key] = ((d, p), norm)
    return removals
