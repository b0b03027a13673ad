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

from .arrays import Relations, present, unique_sorted
from .model import ArticleRepeat

# A paragraph in more files than this (a footer that escaped the boilerplate
# rules) says nothing about which articles are copies; skipping it keeps the
# pair count linear.
_MAX_GROUP_FILES = 64


def article_repeats(corpus, members, group_of, relations: Relations, boiler: set[int],
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

    doc_of = np.asarray(corpus.doc_of, dtype=np.int64)
    gof = np.asarray(group_of, dtype=np.int64)
    same, changed = _pair_tables(gof, doc_of, lengths, n_docs, members, boiler, relations)

    a_all, b_all = same.pairs()
    over = (doc_chars[a_all] > 0) & (same.chars / np.maximum(doc_chars[a_all], 1) >= threshold)
    # A pair with paragraphs whose numbers changed is an update, whatever its
    # share: dropping it would lose the corrected figures.
    over &= ~changed.holds(same.keys)
    # The decisions below ask mostly for these pairs, many times over.
    a_over, b_over = a_all[over], b_all[over]
    known = dict(zip(same.keys[over].tolist(), zip(same.chars[over].tolist(),
                                                    same.paras[over].tolist())))

    def shared(a: int, b: int) -> tuple[int, int]:
        """(characters, paragraphs) of a that repeat b."""
        found = known.get(a * same.n_docs + b)
        return found if found is not None else same.get(a, b)

    chars_of = doc_chars.tolist()

    def share(a: int, b: int) -> float:
        return shared(a, b)[0] / chars_of[a] if chars_of[a] else 0.0

    flat_docs = np.arange(n_docs)
    if keep == "longest":
        order = np.lexsort((flat_docs, priority, -doc_chars))
    else:
        order = np.lexsort((flat_docs, priority))
    rank = np.empty(n_docs, dtype=np.int64)
    rank[order] = flat_docs

    repeats_of: dict[int, list[int]] = defaultdict(list)
    for a, b in zip(a_over.tolist(), b_over.tolist()):
        repeats_of[a].append(b)
    place = rank.tolist()      # list lookups: the loops below index one file at a time

    dropped: dict[int, int] = {}
    for a in sorted(repeats_of, key=lambda d: place[d]):
        twins = [b for b in repeats_of[a] if place[b] < place[a] and b not in dropped]
        if twins:
            dropped[a] = max(twins, key=lambda b: (share(a, b), -place[b]))
    # An article kept only because it came first goes when a fuller article
    # that contains it is kept, unless another article was dropped for it.
    twins_in_use = set(dropped.values())
    for a in sorted(repeats_of, key=lambda d: place[d]):
        if a in dropped or a in twins_in_use:
            continue
        fuller = [b for b in repeats_of[a] if b not in dropped and share(b, a) < threshold]
        if fuller:
            b = max(fuller, key=lambda b: (share(a, b), -place[b]))
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


def _pair_tables(gof, doc_of, lengths, n_docs: int, members, boiler, relations: Relations
                 ) -> tuple["_PairTable", "_PairTable"]:
    """(characters, paragraphs) of file ``a`` that repeat file ``b``, for every
    pair of files, counting unchanged and changed-number paragraphs apart."""
    partners, moved = _pair_files(gof, doc_of, n_docs, members, boiler, relations)
    same = _PairTable(n_docs)        # (a, b) -> (chars, paragraphs)
    changed = _PairTable(n_docs)     # same, for paragraphs whose numbers changed
    for table, files in ((same, partners), (changed, moved)):
        for keys, sizes in _paragraph_rows(gof, doc_of, lengths, files, n_docs):
            table.add_rows(keys, sizes)
        table.close()
    return same, changed


def _pair_files(gof, doc_of, n_docs: int, members, boiler, relations: Relations):
    """Which files each group's paragraphs count against, for the two tables.

    A group's partners are its own files and those of the groups it has a
    verified near link to; its moved files are those of the groups it is an
    update of (the same text with other numbers) that are not partners.
    Boilerplate groups, groups with no copy, link or update, and groups in
    more than ``_MAX_GROUP_FILES`` files have neither. Both come as offsets
    per group and file numbers.
    """
    width = max(1, n_docs)
    n_groups = len(members)
    files = _files_of_groups(gof, doc_of, width, n_groups)
    link_from, link_to = relations.link_from, relations.link_to
    update_from, update_to = relations.update_from, relations.update_to
    wanted = np.fromiter(map(len, members), dtype=np.int64, count=n_groups) > 1
    wanted[link_from] = True
    wanted[update_from] = True
    if boiler:
        wanted[np.fromiter(boiler, dtype=np.int64, count=len(boiler))] = False
    own = np.flatnonzero(wanted)
    linked = wanted[link_from]
    partner_keys = unique_sorted(np.concatenate((
        _file_keys(files, own, own, width),
        _file_keys(files, link_from[linked], link_to[linked], width))))
    groups = partner_keys // width
    partner_keys = partner_keys[np.bincount(groups, minlength=n_groups)[groups]
                                <= _MAX_GROUP_FILES]
    partners = _by_group(partner_keys, width, n_groups)

    counted = np.diff(partners[0])[update_from] > 0
    moved_keys = unique_sorted(_file_keys(files, update_from[counted], update_to[counted],
                                          width))
    moved_keys = moved_keys[~present(partner_keys, moved_keys)]
    return partners, _by_group(moved_keys, width, n_groups)


def _files_of_groups(gof, doc_of, width: int, n_groups: int) -> tuple[np.ndarray, np.ndarray]:
    """The files of every exact group, as offsets and sorted file numbers."""
    return _by_group(unique_sorted(gof * width + doc_of), width, n_groups)


def _by_group(keys: np.ndarray, width: int, n_groups: int) -> tuple[np.ndarray, np.ndarray]:
    """Sorted ``group * width + file`` keys as offsets per group and files."""
    groups, files = np.divmod(keys, width)
    offsets = np.zeros(n_groups + 1, dtype=np.int64)
    np.cumsum(np.bincount(groups, minlength=n_groups), out=offsets[1:])
    return offsets, files


def _file_keys(files, sources: np.ndarray, targets: np.ndarray, width: int) -> np.ndarray:
    """``source * width + file`` for every file of the target group of each edge."""
    offsets, docs = files
    counts = np.diff(offsets)[targets]
    return np.repeat(sources, counts) * width + docs[_ranges(offsets[targets], counts)]


def _ranges(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """The positions ``start .. start + count - 1`` of every range, one after another."""
    total = int(counts.sum())
    if not total:
        return np.zeros(0, dtype=np.int64)
    shift = np.repeat(starts - (np.cumsum(counts) - counts), counts)
    return shift + np.arange(total, dtype=np.int64)


# Paragraphs expanded into file pairs at once: about this many rows (16 MB
# of keys) per chunk, however many partners their groups have.
_ROWS_CHUNK = 1 << 20


def _paragraph_rows(gof, doc_of, lengths, files, n_docs: int):
    """(keys ``a * n_docs + b``, sizes) of every paragraph against each file
    ``b`` its group counts against, but its own file ``a``, in chunks."""
    offsets, docs = files
    counts = np.diff(offsets)
    flats = np.flatnonzero(counts[gof] > 0)
    at = 0
    while at < len(flats):
        rows = np.cumsum(counts[gof[flats[at:at + _ROWS_CHUNK]]])
        end = at + max(1, int(np.searchsorted(rows, _ROWS_CHUNK, side="right")))
        chunk = flats[at:end]
        at = end
        groups = gof[chunk]
        n = counts[groups]
        a = np.repeat(doc_of[chunk], n)
        b = docs[_ranges(offsets[groups], n)]
        mine = a != b
        yield (a * max(1, n_docs) + b)[mine], np.repeat(lengths[chunk], n)[mine]


class _PairTable:
    """Characters and paragraphs of file ``a`` that repeat file ``b``, for
    every pair of files that share a paragraph, in three arrays (24 bytes a
    pair; a dictionary of pairs took about ten times that, and with many
    copies of an article the pairs grow with the square of the copies).

    Chunks of rows are summed by pair as they come and the sums merged once
    more than eight wait; :meth:`close` leaves ``keys`` (``a * n_docs + b``,
    sorted), ``chars`` and ``paras``.
    """

    def __init__(self, n_docs: int) -> None:
        self.n_docs = max(1, n_docs)
        self._parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self.keys = np.zeros(0, dtype=np.int64)
        self.chars = np.zeros(0, dtype=np.int64)
        self.paras = np.zeros(0, dtype=np.int64)

    def add_rows(self, keys: np.ndarray, sizes: np.ndarray) -> None:
        """One paragraph of ``sizes[i]`` characters counts for pair ``keys[i]``."""
        if len(keys):
            self._parts.append(_summed(keys, sizes, np.ones(len(keys), dtype=np.int64)))
        if len(self._parts) > 8:
            self._parts = [_summed(*map(np.concatenate, zip(*self._parts)))]

    def close(self) -> None:
        if self._parts:
            self.keys, self.chars, self.paras = _summed(*map(np.concatenate, zip(*self._parts)))
        self._parts = []

    def get(self, a: int, b: int) -> tuple[int, int]:
        key = a * self.n_docs + b
        at = int(np.searchsorted(self.keys, key))
        if at < len(self.keys) and self.keys[at] == key:
            return int(self.chars[at]), int(self.paras[at])
        return 0, 0

    def holds(self, keys: np.ndarray) -> np.ndarray:
        """Whether each of ``keys`` has a row."""
        return present(self.keys, keys)

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
    if not len(keys):
        return keys.astype(np.int64), chars.astype(np.int64), paras.astype(np.int64)
    # A sort and sums over runs (np.unique with its inverse took twice as long).
    order = np.argsort(keys)
    keys = keys[order]
    starts = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1])))
    return (keys[starts], np.add.reduceat(chars[order].astype(np.int64), starts),
            np.add.reduceat(paras[order].astype(np.int64), starts))
