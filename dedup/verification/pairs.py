"""Judging candidate pairs: which are repeats, split into tasks for the processes.

A scan gives every candidate pair to :func:`judge_pairs`: the fuzzy scores
of all pairs in batched rapidfuzz calls (whole texts, and the starts and
ends of possibly truncated copies), then the fact checks of
:func:`dedup.verification.verify.verify` for the pairs that score at the
threshold, in tasks of about equal cost that worker processes share, each
text's facts found once however many pairs it is in. The verdicts become
:class:`Link` s between exact groups (:func:`record_verdict`), the one thing
the decisions read of verification.
"""

from __future__ import annotations

import itertools
from contextlib import closing
from dataclasses import dataclass
from operator import itemgetter

import numpy as np
from rapidfuzz import fuzz, process

from .. import compiled
from ..config import Config
from ..pool import MadeOnDemand, ordered_map
from .verify import ATTRIBUTION, TRUNCATED, Verdict, may_truncate, verify

#: The detail of a removal for a paragraph that says the same with its source.
ATTRIBUTED = "the same with an attribution added"


@dataclass(frozen=True, slots=True)
class Link:
    """A verified near relation from one exact group to another."""

    other: int
    score: float
    may_remove: bool     # this group may be removed as a repeat of the other
    fuller_other: bool   # the other may not be removed for this one (it holds more)
    detail: str
    #: The removal it allows stands only inside the same story (dedup.decisions.context).
    contextual: bool = False


def judge_pairs(first: list[str], second: list[str], text_first, text_second, cfg: Config,
                stats: dict | None = None, workers: int = 1,
                ids: tuple[np.ndarray, np.ndarray] | None = None,
                lengths: tuple[np.ndarray, np.ndarray] | None = None) -> list[tuple[int, "Verdict"]]:
    """Verdicts on candidate pairs of normalised texts ``first[k]``, ``second[k]``.

    Pairs are scored in batched rapidfuzz calls; only those that score at the
    threshold (whole or as a truncated start) get the fact checks, which may
    ask ``text_first(k)`` / ``text_second(k)`` for the original texts (all of
    them up front when ``workers`` > 1 processes share the checks). Returns
    ``(k, verdict)`` for those pairs, in order of ``k``.

    ``ids``, when given, number the texts of each pair (equal numbers, equal
    texts): the fact checks then take the pairs cluster by cluster (see
    :func:`_by_cluster`), which changes no verdict, only how often a text's
    facts are found in the cache. With ``lengths`` too, processes sharing
    the checks get tasks of about equal cost (see :func:`_task_costs`).
    """
    scores, prefix_scores, end_scores = pair_scores(first, second, cfg, lengths, ids)
    promising = np.flatnonzero((scores >= cfg.near_threshold)
                               | (prefix_scores >= cfg.near_threshold)
                               | (end_scores >= cfg.near_threshold))
    if stats is not None:
        stats["scored"] = len(promising)
    if ids is not None and len(promising):
        id_a, id_b = np.asarray(ids[0])[promising], np.asarray(ids[1])[promising]
        order = _by_cluster(id_a, id_b)
        costs = None
        if lengths is not None:
            costs = _task_costs(id_a[order], id_b[order],
                                np.asarray(lengths[0])[promising][order],
                                np.asarray(lengths[1])[promising][order])
        return sorted(_judged(promising[order].tolist(), first, second, text_first,
                              text_second, (scores, prefix_scores, end_scores), cfg, workers,
                              costs),
                      key=itemgetter(0))
    return _judged(promising.tolist(), first, second, text_first, text_second,
                   (scores, prefix_scores, end_scores), cfg, workers)


def _task_costs(id_a: np.ndarray, id_b: np.ndarray, len_a: np.ndarray,
                len_b: np.ndarray) -> np.ndarray:
    """An estimate of what checking each pair costs, in the order given:
    the characters of the texts it is the first pair to show, plus a fixed
    share per pair.

    The facts of a text (numbers, words, names) are the larger part of the
    checks and are found once per process, so a pair whose texts came before
    costs little. On Reuters' 15,881 judged pairs in tasks of 1,000, the
    characters of each task's distinct texts foretold its time with a
    correlation of 0.99 (3 to 36 ms a task); a task costs about what 17
    characters more cost per pair.
    """
    texts = np.stack((id_a, id_b), axis=1).ravel()
    chars = np.stack((len_a, len_b), axis=1).ravel().astype(np.int64)
    _, first_at = np.unique(texts, return_index=True)
    fresh = np.zeros(len(texts), dtype=np.int64)
    fresh[first_at] = chars[first_at]
    return fresh.reshape(-1, 2).sum(axis=1) + _PAIR_CHARS


# What checking a pair costs beyond finding its texts' facts, in characters.
_PAIR_CHARS = 17


def _task_bounds(count: int, costs: np.ndarray | None) -> list[int]:
    """Where the tasks of ``count`` pairs begin and end: as many tasks as
    _JUDGED_PER_TASK pairs each make, of about equal ``costs`` when given."""
    tasks = -(-count // _JUDGED_PER_TASK)
    if costs is None or tasks < 2:
        return list(range(0, count, _JUDGED_PER_TASK)) + [count]
    total = np.cumsum(costs)
    cuts = np.searchsorted(total, total[-1] * np.arange(1, tasks) / tasks, side="right")
    return [0] + sorted(set(int(c) for c in cuts) - {0, count}) + [count]


def _by_cluster(id_a: np.ndarray, id_b: np.ndarray) -> np.ndarray:
    """An order of the pairs ``(id_a[k], id_b[k])`` that puts pairs linked by a
    shared text, directly or through other pairs, next to each other, in their
    own order within each cluster.

    A text's facts (numbers, words, names) take about three quarters of the
    time of the fact checks and are cached per process. In candidate order the
    pairs of one text lie far apart, and a task of pairs held 71% texts
    not seen before in it; cluster by cluster, 35% (measured on the 294,722
    judged pairs of a million-paragraph scan), the least possible there.
    """
    texts, inverse = np.unique(np.concatenate([id_a, id_b]), return_inverse=True)
    a, b = inverse[:len(id_a)].tolist(), inverse[len(id_a):].tolist()
    parent = list(range(len(texts)))

    def root(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for x, y in zip(a, b):
        rx, ry = root(x), root(y)
        if rx != ry:
            parent[max(rx, ry)] = min(rx, ry)
    cluster = np.array([root(x) for x in a], dtype=np.int64)
    return np.argsort(cluster, kind="stable")


def _judged(promising: list[int], first, second, text_first, text_second, all_scores,
            cfg: Config, workers: int,
            costs: np.ndarray | None = None) -> list[tuple[int, "Verdict"]]:
    """``(k, verdict)`` for the pairs ``promising``, in that order (``all_scores``:
    the three arrays of pair_scores; ``costs``: each pair's estimated cost, to
    cut tasks of equal cost; see _task_costs)."""
    scores, prefix_scores, attributed = all_scores
    workers = min(workers, len(promising) // _JUDGED_PER_TASK)
    if workers > 1:
        # The fact checks are Python, pair by pair: spread over processes, a
        # slice of the pairs a task (a pair's verdict depends on nothing else).
        # Each task's texts are packed here into one string, which forked
        # pool processes take as they start (MadeOnDemand). Taking the texts
        # themselves there wrote to each one's reference count, and so copied
        # every memory page holding one (Reuters: 0.13 CPU s in the pool).
        packed = []
        bounds = _task_bounds(len(promising), costs)
        for start, end in zip(bounds, bounds[1:]):
            ks = promising[start:end]
            texts = ([first[k] for k in ks] + [second[k] for k in ks]
                     + [text_first(k) for k in ks] + [text_second(k) for k in ks])
            packed.append((_packed(texts), scores[ks].tolist(), prefix_scores[ks].tolist(),
                           attributed[ks].tolist()))

        def task(number: int) -> list[tuple]:
            texts, task_scores, task_prefixes, task_ends = packed[number]
            m = len(task_scores)
            texts = _unpacked(*texts)
            return list(zip(texts[:m], texts[m:2 * m], texts[2 * m:3 * m], texts[3 * m:],
                            task_scores, task_prefixes, task_ends))

        tasks = MadeOnDemand(task, len(packed))
        # A pair that kills any process comparing it is not a repeat (both
        # paragraphs kept); other deaths cost a retry (see ordered_map).
        with closing(ordered_map(_judge, tasks, workers, cfg, crashed=_not_compared)) as parts:
            verdicts = [v for part in parts for v in part]
        return list(zip(promising, verdicts))
    out = []
    for k in promising:
        out.append((k, verify(first[k], second[k], lambda k=k: text_first(k),
                              lambda k=k: text_second(k), cfg,
                              scores=(float(scores[k]), float(prefix_scores[k]),
                                      float(attributed[k])))))
    return out


def _packed(texts: list[str]) -> tuple[str, list[int]]:
    """Texts as one string and where each ends (see :func:`_unpacked`)."""
    return "".join(texts), list(itertools.accumulate(map(len, texts)))


def _unpacked(joined: str, ends: list[int]) -> list[str]:
    return [joined[a:b] for a, b in zip([0] + ends, ends)]


# Pairs per task when verification is spread over processes. Some clusters
# of pairs cost far more than others, and with few large tasks the last one
# ran alone: replayed in one command, Reuters' 15,881 judged pairs took
# 0.17 s in tasks of 4,000 and 0.14-0.16 s in tasks of 1,000, the mix's
# 30,509 0.35 and 0.30-0.31 s, and 10^6 paragraphs' 294,722 5.2 s either way.
_JUDGED_PER_TASK = 1000


#: The reason of a verdict on a pair that killed every process comparing it.
NOT_COMPARED = "not compared: the process comparing them died each time"


def _not_compared(task: list[tuple]) -> list[Verdict]:
    (_, _, _, _, score, _, _), = task
    return [Verdict("", score, NOT_COMPARED)]


def _judge(pairs: list[tuple], cfg: Config) -> list[Verdict]:
    return [verify(a, b, text_a, text_b, cfg, scores=(score, prefix, attributed))
            for a, b, text_a, text_b, score, prefix, attributed in pairs]


def record_verdict(links: dict, updates: dict, ga: int, gb: int, verdict: "Verdict") -> bool:
    """Store a verdict between groups ``ga`` and ``gb``; whether it links them.

    Verdicts must be recorded in candidate-pair order for links to be listed
    in the same order by every engine.
    """
    if not verdict:
        # Alike, but stating other facts (numbers, names, a modifier, a tense):
        # two versions of one paragraph, which make an article an update.
        if verdict.differs:
            updates[ga].append(gb)
            updates[gb].append(ga)
        return False
    detail = ("truncated copy" if verdict.relation == TRUNCATED
              else ATTRIBUTED if verdict.relation == ATTRIBUTION else "")
    ra, rb = verdict.removable
    links[ga].append(Link(gb, verdict.score, ra, not rb, detail, verdict.contextual))
    links[gb].append(Link(ga, verdict.score, rb, not ra, detail, verdict.contextual))
    return True


def pair_scores(first: list[str], second: list[str], cfg: Config,
                lengths: tuple[np.ndarray, np.ndarray] | None = None,
                ids: tuple[np.ndarray, np.ndarray] | None = None
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """fuzz.ratio of every candidate pair; of the shorter text against the
    start of the longer where it may be a truncated copy; and of the shorter
    against the end of the longer where the longer has at most _HEAD_CHARS
    more (a copy that lost its start, or gained an attribution there:
    "Reuters reported that ..."). In batched calls.

    A score under the threshold comes back as 0: only the pairs that reach
    it, one way or another, are judged further, and for those the scores
    are exact. Told the threshold, rapidfuzz gives up on a pair once it
    cannot reach it (the mix of bench.speed: 0.26 -> 0.12 s).
    """
    if not first:
        return np.zeros(0), np.zeros(0), np.zeros(0)
    scores = process.cpdist(first, second, scorer=fuzz.ratio, dtype=np.float64,
                            workers=cfg.workers, score_cutoff=cfg.near_threshold)
    prefix_scores = np.zeros(len(first), dtype=np.float64)
    end_scores = np.zeros(len(first), dtype=np.float64)
    if lengths is not None:                   # the texts' lengths, known to the caller
        len_a, len_b = lengths
    else:
        len_a = np.fromiter(map(len, first), dtype=np.int64, count=len(first))
        len_b = np.fromiter(map(len, second), dtype=np.int64, count=len(second))
    truncating = may_truncate(len_a, len_b, cfg)
    cut = np.flatnonzero(truncating).tolist()
    if cut:
        shorter, starts = _shorter_and_starts(first, second, cut)
        prefix_scores[cut] = process.cpdist(shorter, starts, scorer=fuzz.ratio,
                                            dtype=np.float64, workers=cfg.workers,
                                            score_cutoff=cfg.near_threshold)
    heads = np.flatnonzero(truncating & (np.abs(len_a - len_b) <= _HEAD_CHARS)
                           & (scores < cfg.near_threshold)
                           & (prefix_scores < cfg.near_threshold))
    if len(heads):
        # Only pairs whose texts end alike can match as a text and the end of
        # another: their last characters are compared first, once per text
        # when ``ids`` number the texts (equal numbers, equal texts).
        heads = heads[_ends(first, heads, ids[0] if ids is not None else None)
                      == _ends(second, heads, ids[1] if ids is not None else None)].tolist()
    if len(heads):
        shorter, ends = _shorter_and_ends(first, second, heads)
        end_scores[heads] = process.cpdist(shorter, ends, scorer=fuzz.ratio, dtype=np.float64,
                                           workers=cfg.workers,
                                           score_cutoff=cfg.near_threshold)
    return scores, prefix_scores, end_scores


# Characters a copy may lack at its start and still be compared with the end
# of the other: "Reuters reported that", "The minister told parliament on
# Tuesday that".
_HEAD_CHARS = 120
# A copy that lost its start ends as the other does: its last characters.
_END_CHARS = 16


def _ends(texts: list[str], pairs: np.ndarray, ids: np.ndarray | None) -> np.ndarray:
    """A hash of the last _END_CHARS characters of ``texts[k]`` for each pair
    ``k``, found once per distinct text when ``ids`` number them."""
    if ids is None:
        return np.fromiter((hash(texts[k][-_END_CHARS:]) for k in pairs.tolist()),
                           dtype=np.int64, count=len(pairs))
    numbers = np.asarray(ids)[pairs]
    distinct, first_at, inverse = np.unique(numbers, return_index=True, return_inverse=True)
    tails = np.fromiter((hash(texts[k][-_END_CHARS:]) for k in pairs[first_at].tolist()),
                        dtype=np.int64, count=len(distinct))
    return tails[inverse.reshape(-1)]


def _shorter_and_ends(first: list[str], second: list[str],
                      cut: list[int]) -> tuple[list[str], list[str]]:
    """For the pairs ``cut``: the shorter text, and the longer one's end of its length."""
    shorter, ends = [], []
    for k in cut:
        a, b = first[k], second[k]
        s, long_ = (a, b) if len(a) < len(b) else (b, a)
        shorter.append(s)
        ends.append(long_[len(long_) - len(s):])
    return shorter, ends


def _shorter_and_starts(first: list[str], second: list[str],
                        cut: list[int]) -> tuple[list[str], list[str]]:
    """For the pairs ``cut``: the shorter text, and the longer one's start of
    its length. Compiled where the install built it (Reuters' 152,243 such
    pairs: 0.08 s in Python)."""
    if compiled.text is not None:
        return compiled.text.shorter_and_starts(first, second, cut)
    # The shorter side is the first when it is strictly shorter (no ties here).
    first_short = [len(first[k]) < len(second[k]) for k in cut]
    shorter = [first[k] if f else second[k] for k, f in zip(cut, first_short)]
    return shorter, [(second[k] if f else first[k])[:len(s)]
                     for k, f, s in zip(cut, first_short, shorter)]
