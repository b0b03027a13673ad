"""Whole-article repeats, derived from the paragraph matches.

The share of article A that repeats article B is the number of A's
normalised characters in paragraphs that match a paragraph of B (exactly or
by a verified near link), over all of A's characters; boilerplate counts in
neither. It is directional: a short article fully inside a long one repeats
it (share 1.0); the long one does not repeat the short one.

An article whose share against another reaches ``article_threshold`` is a
repeat of it. Which of a pair is kept follows the paragraph keep policy at
article level (first path, longest text, or priority), except that the
fuller article is never given up for one it contains. An article that would
repeat another if the paragraphs whose numbers changed were counted too is an
*update* of it (a correction, a new casualty count): reported, never dropped,
even when the unchanged paragraphs alone reach the threshold.
"""

from __future__ import annotations

from array import array
from collections import defaultdict

import numpy as np

from .model import ArticleRepeat

# A paragraph in more files than this (a footer that escaped the boilerplate
# rules) says nothing about which articles are copies; skipping it keeps the
# pair count linear.
_MAX_GROUP_FILES = 64


def article_repeats(corpus, members, group_of, links, updates, boiler: set[int],
                    priority: np.ndarray, keep: str, threshold: float) -> list[ArticleRepeat]:
    """Article-level findings, best-ranked (kept) article first in each pair."""
    n_docs = len(corpus.start) - 1
    lengths = corpus.facts.length.astype(np.int64)
    content = np.ones(len(corpus), dtype=bool)
    for g in boiler:
        content[members[g]] = False
    doc_chars = np.bincount(corpus.doc_of[content], weights=lengths[content],
                            minlength=n_docs).astype(np.int64)
    doc_paras = np.bincount(corpus.doc_of[content], minlength=n_docs)

    docs_of_group: dict[int, set[int]] = {}

    def docs_of(g: int) -> set[int]:
        found = docs_of_group.get(g)
        if found is None:
            found = docs_of_group[g] = {int(d) for d in corpus.doc_of[members[g]]}
        return found

    same = _PairTable(n_docs)        # (a, b) -> (chars, paragraphs)
    changed = _PairTable(n_docs)     # same, for paragraphs whose numbers changed
    for g, flats in enumerate(members):
        if g in boiler:
            continue
        linked = links.get(g, ())
        updated = updates.get(g, ())
        if len(flats) == 1 and not linked and not updated:
            continue
        partners = set(docs_of(g))
        for link in linked:
            partners |= docs_of(link.other)
        if len(partners) > _MAX_GROUP_FILES:
            continue
        moved = set()
        for other in updated:
            moved |= docs_of(other)
        moved -= partners
        for flat in flats:
            a = int(corpus.doc_of[flat])
            size = int(lengths[flat])
            same.add(a, partners, size)
            if moved:
                changed.add(a, moved, size)
    same.close()
    changed.close()

    def shared(a: int, b: int) -> tuple[int, int]:
        """(characters, paragraphs) of a that repeat b."""
        return same.get(a, b)

    def share(a: int, b: int) -> float:
        return shared(a, b)[0] / doc_chars[a] if doc_chars[a] else 0.0

    flat_docs = np.arange(n_docs)
    if keep == "longest":
        order = np.lexsort((flat_docs, priority, -doc_chars))
    else:
        order = np.lexsort((flat_docs, priority))
    rank = np.empty(n_docs, dtype=np.int64)
    rank[order] = flat_docs

    # A pair with paragraphs whose numbers changed is an update, whatever its
    # share: dropping it would lose the corrected figures.
    repeats_of: dict[int, list[int]] = defaultdict(list)
    a_all, b_all = same.pairs()
    over = (doc_chars[a_all] > 0) & (same.chars / np.maximum(doc_chars[a_all], 1) >= threshold)
    over &= ~np.isin(same.keys, changed.keys)
    for a, b in zip(a_all[over].tolist(), b_all[over].tolist()):
        repeats_of[a].append(b)

    dropped: dict[int, int] = {}
    for a in sorted(repeats_of, key=lambda d: rank[d]):
        twins = [b for b in repeats_of[a] if rank[b] < rank[a] and b not in dropped]
        if twins:
            dropped[a] = max(twins, key=lambda b: (share(a, b), -rank[b]))
    # An article kept only because it came first goes when a fuller article
    # that contains it is kept, unless another article was dropped for it.
    twins_in_use = set(dropped.values())
    for a in sorted(repeats_of, key=lambda d: rank[d]):
        if a in dropped or a in twins_in_use:
            continue
        fuller = [b for b in repeats_of[a] if b not in dropped and share(b, a) < threshold]
        if fuller:
            b = max(fuller, key=lambda b: (share(a, b), -rank[b]))
            dropped[a] = b
            twins_in_use.add(b)

    out = [ArticleRepeat(a, b, round(float(share(a, b)), 4), shared(a, b)[1], int(doc_paras[a]),
                         "repeat", 0)
           for a, b in dropped.items()]
    a_all, b_all = changed.pairs()
    same_chars, same_paras = same.lookup(changed.keys)
    with_updates = (same_chars + changed.chars) / np.maximum(doc_chars[a_all], 1)
    close = (doc_chars[a_all] > 0) & (with_updates >= threshold) & (rank[b_all] < rank[a_all])
    for a, b, ratio, paras, moved in zip(a_all[close].tolist(), b_all[close].tolist(),
                                         with_updates[close].tolist(),
                                         (same_paras + changed.paras)[close].tolist(),
                                         changed.paras[close].tolist()):
        if a in dropped or dropped.get(b) == a:
            continue
        out.append(ArticleRepeat(a, b, round(ratio, 4), paras, int(doc_paras[a]), "update",
                                 moved))
    out.sort(key=lambda r: (r.doc, r.kept_doc))
    # One update finding per article: the closest one.
    seen: set[tuple[int, str]] = set()
    unique = []
    for r in sorted(out, key=lambda r: (r.doc, r.relation, -r.share, rank[r.kept_doc])):
        if (r.doc, r.relation) in seen:
            continue
        seen.add((r.doc, r.relation))
        unique.append(r)
    return sorted(unique, key=lambda r: r.doc)


class _PairTable:
    """Characters and paragraphs of file ``a`` that repeat file ``b``, for
    every pair of files that share a paragraph, in three arrays (24 bytes a
    pair; a dictionary of pairs took about ten times that, and with many
    copies of an article the pairs grow with the square of the copies).

    Rows are added to a buffer, summed by pair every ``_FLUSH`` rows, and the
    sums merged; :meth:`close` leaves ``keys`` (``a * n_docs + b``, sorted),
    ``chars`` and ``paras``.
    """

    _FLUSH = 1 << 20

    def __init__(self, n_docs: int) -> None:
        self.n_docs = max(1, n_docs)
        self._keys = array("q")
        self._sizes = array("q")
        self._parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self.keys = np.zeros(0, dtype=np.int64)
        self.chars = np.zeros(0, dtype=np.int64)
        self.paras = np.zeros(0, dtype=np.int64)

    def add(self, a: int, others, size: int) -> None:
        """One paragraph of ``size`` characters of file ``a`` counts against
        each of the files ``others`` but ``a`` itself."""
        base = a * self.n_docs
        for b in others:
            if b != a:
                self._keys.append(base + b)
                self._sizes.append(size)
        if len(self._keys) >= self._FLUSH:
            self._flush()

    def _flush(self) -> None:
        if self._keys:
            keys = np.frombuffer(self._keys, dtype=np.int64)
            sizes = np.frombuffer(self._sizes, dtype=np.int64)
            self._parts.append(_summed(keys, sizes, np.ones(len(keys), dtype=np.int64)))
            self._keys, self._sizes = array("q"), array("q")
        if len(self._parts) > 8:
            self._parts = [_summed(*map(np.concatenate, zip(*self._parts)))]

    def close(self) -> None:
        self._flush()
        if self._parts:
            self.keys, self.chars, self.paras = _summed(*map(np.concatenate, zip(*self._parts)))
        self._parts = []

    def get(self, a: int, b: int) -> tuple[int, int]:
        key = a * self.n_docs + b
        at = int(np.searchsorted(self.keys, key))
        if at < len(self.keys) and self.keys[at] == key:
            return int(self.chars[at]), int(self.paras[at])
        return 0, 0

    def lookup(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``get`` for many keys at once: (chars, paras), zero where absent."""
        if not len(self.keys):
            return np.zeros(len(keys), dtype=np.int64), np.zeros(len(keys), dtype=np.int64)
        at = np.minimum(np.searchsorted(self.keys, keys), len(self.keys) - 1)
        found = self.keys[at] == keys
        return np.where(found, self.chars[at], 0), np.where(found, self.paras[at], 0)

    def pairs(self) -> tuple[np.ndarray, np.ndarray]:
        return self.keys // self.n_docs, self.keys % self.n_docs


def _summed(keys: np.ndarray, chars: np.ndarray,
            paras: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rows with the same key added up: (sorted keys, chars, paras)."""
    unique, inverse = np.unique(keys, return_inverse=True)
    return (unique, np.bincount(inverse, weights=chars, minlength=len(unique)).astype(np.int64),
            np.bincount(inverse, weights=paras, minlength=len(unique)).astype(np.int64))
