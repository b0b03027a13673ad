"""Re-flowed copies: paragraphs whose sentences stand, in order, in another place.

A republished article splits or joins paragraphs. Paragraph keys and
paragraph-by-paragraph comparison miss that; sentences do not. From the
sentence keys of the facts (:mod:`dedup.text.sentences`), this finds, for every
paragraph P, the places where all of P's sentences stand one after another
in the sentence stream of a document (across its paragraph breaks):

* inside one longer paragraph Q (P is Q with sentences left out at its
  start or end): P is *contained* in Q. Such a pair becomes a near link
  between their exact groups that lets P go for Q and never Q for P
  (:func:`containment_links`);
* over two or more consecutive paragraphs Q..R (P was split there, or P
  joins them): P is *re-flowed* as Q..R, and may go while all of Q..R stay
  (:class:`Reflow`).

Only whole sentences count, compared by key, so what is found is the same
text, re-cut: no fuzzy score is involved. Nothing here reads a text: every
engine that builds the same facts finds the same coverage.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: A sentence key in more paragraphs than this (a sign-off, "He said.") is
#: not used to find where a paragraph stands; another of its sentences is.
MAX_ANCHOR_PLACES = 64


@dataclass(frozen=True)
class Coverage:
    """Where paragraphs stand elsewhere, as parallel arrays (one row a place).

    ``flat`` is the covered paragraph; its sentences stand in the paragraphs
    ``first`` .. ``last`` (flat positions, one document) from sentence
    ``offset`` of ``first`` on. ``first == last`` is containment in one
    longer paragraph; ``first < last`` a re-flow.
    """

    flat: np.ndarray
    first: np.ndarray
    last: np.ndarray

    def __len__(self) -> int:
        return len(self.flat)

    @staticmethod
    def empty() -> "Coverage":
        z = np.zeros(0, dtype=np.int64)
        return Coverage(z, z, z)


def sentence_coverage(facts, doc_of: np.ndarray, start: np.ndarray,
                      group_of: np.ndarray) -> Coverage:
    """Every place where a paragraph's sentences stand in order elsewhere,
    but its exact copies (the same paragraph, whole) and itself.

    Each paragraph is looked up by its rarest sentence (its anchor), among
    the places that sentence stands; the rest of its sentences must follow
    and precede it there, inside that place's document.
    """
    n = len(doc_of)
    counts = np.asarray(facts.sentences, dtype=np.int64)
    keys = np.asarray(facts.sentence_key)
    m = len(keys)
    if n == 0 or m == 0:
        return Coverage.empty()
    s_start = facts.sentence_start()                          # per paragraph, + total
    para_of = np.repeat(np.arange(n, dtype=np.int64), counts)  # paragraph of every sentence
    doc_s = np.asarray(doc_of, dtype=np.int64)[para_of]
    doc_first = s_start[np.asarray(start[:-1], dtype=np.int64)]  # first sentence of each doc
    doc_end = s_start[np.asarray(start[1:], dtype=np.int64)]     # one past its last

    # Places of every sentence key: sentences sorted by key.
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    bounds = np.flatnonzero(np.concatenate(([True], sorted_keys[1:] != sorted_keys[:-1],
                                            [True])))
    key_class = np.empty(m, dtype=np.int64)
    key_class[order] = np.repeat(np.arange(len(bounds) - 1), np.diff(bounds))
    places = np.diff(bounds)[key_class]                         # places of each sentence's key

    # Paragraphs worth looking up: their anchor stands somewhere else too.
    # The anchor is the sentence with the fewest places (the first of those).
    sentence_rank = places * (int(counts.max()) + 1) + (np.arange(m) - s_start[para_of])
    anchor = np.full(n, -1, dtype=np.int64)
    best = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(best, para_of, sentence_rank)
    is_best = sentence_rank == best[para_of]
    anchor[para_of[is_best]] = np.flatnonzero(is_best)
    has = anchor >= 0
    n_places = np.zeros(n, dtype=np.int64)
    n_places[has] = places[anchor[has]]
    wanted = np.flatnonzero(has & (n_places > 1) & (n_places <= MAX_ANCHOR_PLACES))
    if not len(wanted):
        return Coverage.empty()

    # Candidates: (paragraph, another place of its anchor's key).
    a = anchor[wanted]
    cls = key_class[a]
    reps = places[a]
    cand_para = np.repeat(wanted, reps)
    cand_anchor = np.repeat(a, reps)
    within = np.arange(int(reps.sum()), dtype=np.int64) - np.repeat(np.cumsum(reps) - reps, reps)
    other = order[np.repeat(bounds[cls], reps) + within]        # the same key, elsewhere
    # Where the paragraph's first sentence would stand, and its sentence count.
    offset = cand_anchor - s_start[cand_para]
    begin = other - offset
    size = counts[cand_para]
    doc = doc_s[other]
    keep = ((other != cand_anchor) & (begin >= doc_first[doc])
            & (begin + size <= doc_end[doc]))
    cand_para, begin, size, doc = cand_para[keep], begin[keep], size[keep], doc[keep]
    # Every sentence must match: one step per sentence position.
    alive = np.ones(len(cand_para), dtype=bool)
    for k in range(int(size.max()) if len(size) else 0):
        check = alive & (size > k)
        if not check.any():
            break
        at = np.flatnonzero(check)
        alive[at] = keys[s_start[cand_para[at]] + k] == keys[begin[at] + k]
    gapped = _gapped_containment(keys, s_start, para_of, counts, cand_para[~alive],
                                 cand_anchor[keep][~alive], other[keep][~alive])
    cand_para, begin, size = cand_para[alive], begin[alive], size[alive]
    first = para_of[begin]
    last = para_of[begin + size - 1]
    # Not itself, and not an exact copy (the same paragraph whole: the exact
    # groups have it), nor a span that holds the paragraph itself.
    whole = ((first == last) & (begin == s_start[first]) & (size == counts[first]))
    inside = (first <= cand_para) & (cand_para <= last)
    keep = ~whole & ~inside
    cand_para, first, last = cand_para[keep], first[keep], last[keep]
    if len(gapped):
        cand_para = np.concatenate([cand_para, gapped[:, 0]])
        first = np.concatenate([first, gapped[:, 1]])
        last = np.concatenate([last, gapped[:, 1]])
    if not len(cand_para):
        return Coverage.empty()
    # One row per (paragraph, span), in paragraph then span order.
    rows = np.unique(np.stack([cand_para, first, last], axis=1), axis=0)
    return Coverage(rows[:, 0].copy(), rows[:, 1].copy(), rows[:, 2].copy())


def containment_links(coverage: Coverage, group_of: np.ndarray) -> list[tuple[int, int]]:
    """(group of P, group of Q) for every paragraph P contained in one
    paragraph Q (``first == last``), each pair once, in order."""
    one = coverage.first == coverage.last
    if not one.any():
        return []
    gof = np.asarray(group_of, dtype=np.int64)
    pairs = np.stack([gof[coverage.flat[one]], gof[coverage.first[one]]], axis=1)
    pairs = pairs[pairs[:, 0] != pairs[:, 1]]
    return [tuple(p) for p in np.unique(pairs, axis=0).tolist()]


def reflows(coverage: Coverage) -> dict[int, list[tuple[int, int]]]:
    """Paragraph -> the spans of two or more paragraphs it is re-flowed as."""
    out: dict[int, list[tuple[int, int]]] = {}
    several = np.flatnonzero(coverage.first < coverage.last)
    for i in several.tolist():
        out.setdefault(int(coverage.flat[i]), []).append((int(coverage.first[i]),
                                                          int(coverage.last[i])))
    return out


def _gapped_containment(keys: np.ndarray, s_start: np.ndarray, para_of: np.ndarray,
                        counts: np.ndarray, paras: np.ndarray, anchors: np.ndarray,
                        others: np.ndarray) -> np.ndarray:
    """(P, Q) rows for the candidates whose sentences do not follow one
    another where their anchor stands, but all stand, in order, inside that
    one longer paragraph Q: P is Q with sentences left out in its middle
    too (an edit that cut a sentence, or one that added one). Q must hold
    more sentences than P; P's sentences before its anchor must stand before
    the anchor's place in Q, the rest after it."""
    if not len(paras):
        return np.zeros((0, 2), dtype=np.int64)
    q = para_of[others]
    fit = (counts[paras] >= 2) & (counts[q] > counts[paras]) & (q != paras)
    rows = []
    for p, anchor, other, qq in zip(paras[fit].tolist(), anchors[fit].tolist(),
                                    others[fit].tolist(), q[fit].tolist()):
        p0, p1 = int(s_start[p]), int(s_start[p + 1])
        q0, q1 = int(s_start[qq]), int(s_start[qq + 1])
        if _in_order(keys, p0, anchor, p1, q0, other, q1):
            rows.append((p, qq))
    if not rows:
        return np.zeros((0, 2), dtype=np.int64)
    return np.asarray(rows, dtype=np.int64)


def _in_order(keys, p0: int, anchor: int, p1: int, q0: int, other: int, q1: int) -> bool:
    """Whether P's sentences ``p0..p1`` stand in order in ``q0..q1``, the
    anchor ``anchor`` at ``other``: the earliest place for each one after
    the anchor, the latest for each one before it."""
    at = other
    for k in range(anchor + 1, p1):
        at += 1
        while at < q1 and keys[at] != keys[k]:
            at += 1
        if at >= q1:
            return False
    at = other
    for k in range(anchor - 1, p0 - 1, -1):
        at -= 1
        while at >= q0 and keys[at] != keys[k]:
            at -= 1
        if at < q0:
            return False
    return True
