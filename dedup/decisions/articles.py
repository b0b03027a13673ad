"""Whole-article repeats and stories told twice, from the paragraph matches.

The share of article A that repeats article B is the number of A's
normalised characters that stand in B, over all of A's characters;
boilerplate counts in neither. It is counted sentence by sentence
(:mod:`dedup.text.sentences`), so that a republished article whose paragraphs
were split or joined repeats its original as fully as a copy cut the same
way: a sentence of A stands in B when B holds the same sentence, or when
A's paragraph matches a paragraph of B (exactly, or by a verified near
link, which tolerates typos and small edits). It is directional: a short
article fully inside a long one repeats it (share 1.0); the long one does
not repeat the short one.

An article whose share against another reaches ``article_threshold`` is a
repeat of it. Which of a pair is kept follows the paragraph keep policy at
article level (first path, longest text, or priority), except that the
fuller article is never given up for one it contains
(:func:`_keep_articles`). An article that would
repeat another if the paragraphs whose facts changed (near pairs that
verification turned down for other numbers) were counted too is an
*update* of it (a correction, a new casualty count): reported, never
dropped, even when the unchanged paragraphs alone reach the threshold.

Two articles *tell the same story* (:class:`Stories`, which the context rule
of :mod:`dedup.decisions.context` reads) when either repeats the other once the text
it loses to third articles is set aside: a digest that strings together
paragraphs of several stories tells each of them.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from ..arrays import Relations, present, unique_sorted
from ..model import ArticleRepeat

# A paragraph or sentence in more files than this (a footer that escaped the
# boilerplate rules, a common phrase) says nothing about which articles are
# copies; skipping it keeps the pair count linear.
_MAX_GROUP_FILES = 64


def article_repeats(corpus, members, group_of, relations: Relations, boiler: set[int],
                    priority: np.ndarray, keep: str, threshold: float, archive: int = 0
                    ) -> tuple[list[ArticleRepeat], "Stories"]:
    """Article-level findings, best-ranked (kept) article first in each pair,
    and the stories told twice (:class:`Stories`). The first ``archive``
    documents are known in part only: they are never the repeating side of
    a pair."""
    n_docs = len(corpus.start) - 1
    tables = _pair_tables(corpus, np.asarray(group_of, dtype=np.int64), members, boiler,
                          relations)
    same, changed = tables.same, tables.changed
    doc_chars, doc_paras = tables.doc_chars, tables.doc_paras
    stories = Stories(corpus, same, doc_chars, threshold, archive)

    a_all, b_all = same.pairs()
    ratio = same.chars / np.maximum(doc_chars[a_all], 1)
    over = (doc_chars[a_all] > 0) & (a_all >= archive) & (ratio >= threshold)
    # A pair with paragraphs whose numbers changed is an update, whatever its
    # share: dropping it would lose the corrected figures.
    over &= ~changed.holds(same.keys)
    share_of = dict(zip((a_all[over] * same.n_docs + b_all[over]).tolist(),
                        ratio[over].tolist()))
    paras_of = dict(zip((a_all[over] * same.n_docs + b_all[over]).tolist(),
                        same.paras[over].tolist()))

    flat_docs = np.arange(n_docs)
    if keep == "longest":
        order = np.lexsort((flat_docs, priority, -doc_chars))
    else:
        order = np.lexsort((flat_docs, priority))
    rank = np.empty(n_docs, dtype=np.int64)
    rank[order] = flat_docs
    place = rank.tolist()      # list lookups: the loops below index one file at a time
    repeat_of = _keep_articles(a_all[over].tolist(), b_all[over].tolist(), share_of, place,
                               same.n_docs)

    out = [ArticleRepeat(a, b, round(share_of[a * same.n_docs + b], 4),
                         paras_of[a * same.n_docs + b], int(doc_paras[a]), "repeat", 0)
           for a, b in repeat_of.items()]
    a_all, b_all = changed.pairs()
    same_chars, same_paras = same.lookup(changed.keys)
    with_updates = (same_chars + changed.chars) / np.maximum(doc_chars[a_all], 1)
    close = (doc_chars[a_all] > 0) & (a_all >= archive) & (with_updates >= threshold)
    # The later of two versions updates the earlier; a shorter version held
    # in a fuller one (which does not hold in it) updates it whatever the order.
    keys = a_all * same.n_docs + b_all
    reverse = b_all * same.n_docs + a_all
    both = present(np.sort(keys[close]), reverse) & close
    close &= (rank[b_all] < rank[a_all]) | ~both
    for a, b, ratio, paras, moved in zip(a_all[close].tolist(), b_all[close].tolist(),
                                         with_updates[close].tolist(),
                                         (same_paras + changed.paras)[close].tolist(),
                                         changed.paras[close].tolist()):
        if a in repeat_of or repeat_of.get(b) == a:
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
    return sorted(unique, key=lambda r: r.doc), stories


def _keep_articles(a_list: list[int], b_list: list[int], share_of: dict, place: list[int],
                   width: int) -> dict[int, int]:
    """Which articles repeat a kept one (article -> the kept article), from
    the pairs ``(a, b)`` where a repeats b.

    b *beats* a when a repeats b and b does not repeat a (b holds more), or
    both repeat each other and b comes first in keep order. An article that
    nothing beats is kept. Another is a repeat of the kept article that beats
    it with the highest share (then the first in keep order); when every
    article that beats it is a repeat itself, it is kept. A cycle of
    articles beating each other in turn is cut at its first in keep order.
    """
    pairs = set(zip(a_list, b_list))
    beaters: dict[int, list[int]] = defaultdict(list)
    for a, b in zip(a_list, b_list):
        if (b, a) not in pairs or place[b] < place[a]:
            beaters[a].append(b)
    decided: dict[int, int] = {}          # article -> kept twin, or -1: kept
    undecided = sorted(beaters, key=lambda d: place[d])

    def kept(b: int) -> bool:
        return b not in beaters or decided.get(b) == -1

    while undecided:
        left = []
        for a in undecided:
            twins = [b for b in beaters[a] if kept(b)]
            if twins:
                decided[a] = max(twins, key=lambda b: (share_of[a * width + b], -place[b]))
            elif all(decided.get(b, -1) >= 0 for b in beaters[a]):
                decided[a] = -1
            else:
                left.append(a)
        if len(left) == len(undecided):
            decided[left[0]] = -1          # a cycle: its first in keep order stays
            left = left[1:]
        undecided = left
    return {a: b for a, b in decided.items() if b >= 0}


class Stories:
    """Which pairs of documents tell the same story, given what is removed.

    a tells b's story when a's text that stands in b reaches ``threshold``
    of a's text, the text a loses to documents other than b set aside
    (removed as a repeat of a third document, or of itself). Judged so, a
    document never comes to tell another's story in the cleaned text when it
    did not in the decisions made on the original: cleaning only takes away
    text standing elsewhere. Before any decision, nothing is set aside.
    """

    def __init__(self, corpus, same: "_PairTable", doc_chars: np.ndarray, threshold: float,
                 archive: int) -> None:
        self.same, self.doc_chars, self.threshold = same, doc_chars, threshold
        self.archive = archive
        facts = corpus.facts
        counts = np.asarray(facts.sentences, dtype=np.int64)
        # Characters of every paragraph, as the tables count them (its sentences').
        self.para_chars = np.add.reduceat(np.asarray(facts.sentence_length, dtype=np.int64),
                                          facts.sentence_start()[:-1]) if len(counts) else \
            np.zeros(0, dtype=np.int64)
        self.para_chars[counts == 0] = 0
        self.doc_of = np.asarray(corpus.doc_of, dtype=np.int64)

    def keys(self, lost: dict[int, int] | None = None) -> np.ndarray:
        """Sorted ``a * n_docs + b`` keys (both orders) of the pairs telling the
        same story; ``lost``: flat -> the document it is removed for (a
        paragraph removed for its own document counts too)."""
        same = self.same
        if not len(same.keys):
            return np.zeros(0, dtype=np.int64)
        a, b = same.pairs()
        n = same.n_docs
        own = self.doc_chars[a].astype(np.int64)
        if lost:
            flats = np.fromiter(lost, dtype=np.int64, count=len(lost))
            twin_docs = np.fromiter(lost.values(), dtype=np.int64, count=len(lost))
            docs = self.doc_of[flats]
            chars = self.para_chars[flats]
            gone = np.bincount(docs, weights=chars, minlength=n).astype(np.int64)
            # What a loses to b itself stays in the count for the pair (a, b).
            keys, per_pair = _summed_pairs(docs * n + twin_docs, chars)
            to_b = np.zeros(len(same.keys), dtype=np.int64)
            at = np.searchsorted(keys, same.keys)
            hit = (at < len(keys)) & (keys[np.minimum(at, len(keys) - 1)] == same.keys)
            to_b[hit] = per_pair[at[hit]]
            own = own - gone[a] + to_b
        related = (own > 0) & (a >= self.archive) & (same.chars >= self.threshold * own)
        return unique_sorted(np.concatenate([a[related] * n + b[related],
                                             b[related] * n + a[related]]))


def _summed_pairs(keys: np.ndarray, chars: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct ``keys`` (sorted) and the sum of ``chars`` of each."""
    if not len(keys):
        return keys, chars
    order = np.argsort(keys, kind="stable")
    keys, chars = keys[order], chars[order]
    starts = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1])))
    return keys[starts], np.add.reduceat(chars, starts)


@dataclass
class _Tables:
    same: "_PairTable"             # (a, b) -> characters and paragraphs of a standing in b
    changed: "_PairTable"          # the same for text whose numbers changed
    doc_chars: np.ndarray          # characters of every document, boilerplate aside
    doc_paras: np.ndarray          # paragraphs of every document, boilerplate aside


def _pair_tables(corpus, gof: np.ndarray, members, boiler, relations: Relations) -> _Tables:
    """Characters (and paragraphs) of file ``a`` that stand in file ``b``, for
    every pair of files that share a sentence, counting unchanged and
    changed text apart, sentence by sentence (see the module)."""
    facts = corpus.facts
    n_docs = len(corpus.start) - 1
    n = len(corpus)
    doc_of = np.asarray(corpus.doc_of, dtype=np.int64)
    content = np.ones(n, dtype=bool)
    for g in boiler:
        content[members[g]] = False
    counts = np.asarray(facts.sentences, dtype=np.int64)
    para_of = np.repeat(np.arange(n, dtype=np.int64), counts)      # of every sentence
    lengths = np.asarray(facts.sentence_length, dtype=np.int64)
    doc_s = doc_of[para_of]
    unit = np.flatnonzero(content[para_of])                        # the sentences counted
    doc_chars = np.bincount(doc_s[unit], weights=lengths[unit],
                            minlength=n_docs).astype(np.int64)
    doc_paras = np.bincount(doc_of[content], minlength=n_docs)

    width = max(1, n_docs)
    partners, moved = _pair_files(gof, doc_of, n_docs, members, boiler, relations)
    classes = _sentence_files(facts.sentence_key, doc_s, unit, width)
    same = _PairTable(n_docs)
    changed = _PairTable(n_docs)
    unit_para = para_of[unit]
    at = 0
    while at < len(unit):
        # A chunk ends at a paragraph's end: a paragraph counts once a pair.
        end = min(at + _UNITS_CHUNK, len(unit))
        if end < len(unit):
            end = int(np.searchsorted(unit_para, unit_para[end - 1], side="right"))
        chunk = unit[at:end]
        at = end
        rows = unique_sorted(_unit_rows(chunk, para_of, gof, partners, classes, width))
        u, b = rows // width, rows % width
        mine = doc_s[u] != b
        u, b = u[mine], b[mine]
        same.add_units(doc_s[u], b, lengths[u], para_of[u])
        moved_rows = unique_sorted(_unit_rows(chunk, para_of, gof, moved, None, width))
        moved_rows = moved_rows[~present(rows, moved_rows)]
        mu, mb = moved_rows // width, moved_rows % width
        mine = doc_s[mu] != mb
        changed.add_units(doc_s[mu[mine]], mb[mine], lengths[mu[mine]], para_of[mu[mine]])
    same.close()
    changed.close()
    return _Tables(same, changed, doc_chars, doc_paras)


# Sentences expanded into rows at once: about this many a chunk.
_UNITS_CHUNK = 1 << 18


def _sentence_files(keys: np.ndarray, doc_s: np.ndarray, unit: np.ndarray, width: int):
    """The class (distinct key) of every sentence and the files of each class
    (offsets and files), counting the sentences ``unit`` only; a class in more
    than _MAX_GROUP_FILES files has none (a common phrase says nothing)."""
    keys = np.asarray(keys)
    if not len(keys):
        return np.zeros(0, dtype=np.int64), (np.zeros(1, dtype=np.int64),
                                             np.zeros(0, dtype=np.int64))
    order = np.argsort(keys, kind="stable")
    new = np.ones(len(keys), dtype=bool)
    new[1:] = keys[order][1:] != keys[order][:-1]
    cls = np.empty(len(keys), dtype=np.int64)
    cls[order] = np.cumsum(new) - 1
    n_classes = int(new.sum())
    file_keys = unique_sorted(cls[unit] * width + doc_s[unit])
    groups = file_keys // width
    file_keys = file_keys[np.bincount(groups, minlength=n_classes)[groups] <= _MAX_GROUP_FILES]
    return cls, _by_group(file_keys, width, n_classes)


def _unit_rows(chunk: np.ndarray, para_of: np.ndarray, gof: np.ndarray, partners,
               classes, width: int) -> np.ndarray:
    """``sentence * width + file`` for every file each sentence of ``chunk``
    stands in: the files of its paragraph's group's partners, and (with
    ``classes``) the files holding the same sentence."""
    offsets, files = partners
    groups = gof[para_of[chunk]]
    counts = np.diff(offsets)[groups]
    parts = [np.repeat(chunk, counts) * width + files[_ranges(offsets[groups], counts)]]
    if classes is not None:
        cls, (c_offsets, c_files) = classes
        mine = cls[chunk]
        c_counts = np.diff(c_offsets)[mine]
        parts.append(np.repeat(chunk, c_counts) * width
                     + c_files[_ranges(c_offsets[mine], c_counts)])
    return np.concatenate(parts)


def _pair_files(gof, doc_of, n_docs: int, members, boiler, relations: Relations):
    """Which files each group's paragraphs count against, for the two tables.

    A group's partners are its own files and those of the groups it has a
    verified near link to that lets it be removed for them; its moved files are those of the groups it is an
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
    # A paragraph stands in the files of the groups it may be removed for:
    # one that holds more than its twin (a name, a clause) does not stand there whole.
    linked = wanted[link_from] & relations.removable
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


class _PairTable:
    """Characters and paragraphs of file ``a`` that stand in file ``b``, for
    every pair of files that share a sentence, in three arrays (24 bytes a
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

    def add_units(self, a: np.ndarray, b: np.ndarray, sizes: np.ndarray,
                  paragraphs: np.ndarray) -> None:
        """Sentences of ``sizes`` characters, of file ``a`` in ``paragraphs``,
        count for pairs ``(a, b)``; each paragraph counts once a pair."""
        if not len(a):
            return
        keys = a * self.n_docs + b
        order = np.lexsort((paragraphs, keys))
        k, p = keys[order], paragraphs[order]
        first = np.ones(len(k), dtype=bool)
        first[1:] = (k[1:] != k[:-1]) | (p[1:] != p[:-1])
        self._parts.append(_summed(k, sizes[order], first.astype(np.int64)))
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
