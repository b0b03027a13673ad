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

    same = defaultdict(lambda: [0, 0])       # (a, b) -> [chars, paragraphs]
    changed = defaultdict(lambda: [0, 0])    # same, for paragraphs whose numbers changed
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
            for b in partners:
                if b != a:
                    entry = same[(a, b)]
                    entry[0] += size
                    entry[1] += 1
            for b in moved:
                if b != a:
                    entry = changed[(a, b)]
                    entry[0] += size
                    entry[1] += 1

    def shared(a: int, b: int) -> tuple[int, int]:
        """(characters, paragraphs) of a that repeat b; reading never adds a pair."""
        return same.get((a, b), (0, 0))

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
    for (a, b), (chars, _) in same.items():
        if doc_chars[a] and chars / doc_chars[a] >= threshold and (a, b) not in changed:
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
    for (a, b), (chars, paras) in changed.items():
        if a in dropped or not doc_chars[a] or dropped.get(b) == a:
            continue
        with_updates = (shared(a, b)[0] + chars) / doc_chars[a]
        if threshold <= with_updates and rank[b] < rank[a]:
            out.append(ArticleRepeat(a, b, round(float(with_updates), 4), shared(a, b)[1] + paras,
                                     int(doc_paras[a]), "update", paras))
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
