"""The context rule: a repeat that says little on its own goes only in context.

The same words are not always the same fact. "He said." in two files is
not a copy of anything; "Terms were not disclosed." in two takeover stories
states each story's own terms; "CENTS PER LB" heads each day's price table.
Such a paragraph is removed only where its context shows it is a copy.

**Which removals need context.** A removal needs context when its paragraph

* is short (fewer than ``short_words`` words), or
* repeats a paragraph of another document and may take its subject from its
  story: it has fewer than ``context_words`` words (one sentence of terms,
  a note, a standard phrase: "The selling concession is 1-1/4 pct", "NOTE:
  Share adjusted for a stock split in May"), or it *leans* on its story
  (it opens with a pronoun, a link word or "The" and a common noun, ends
  with a colon introducing what follows, or is a list of names or figures:
  :mod:`dedup.text.sentences`), or its match is *contextual* (a truncated copy
  whose fuller twin goes on with numbers or names of its own), or it is a
  near copy, not word for word (``near_context``: read on the corpora, a
  sentence edited into another story is that story's own).

Boilerplate (page furniture) never needs context; nor does a long paragraph
that repeats one of its own document (a body pasted twice).

**What context is.** A removal has context when

1. *beside its twin*: its twin stands in its own document right before it,
   in the text as cleaning leaves it (a doubled title or line);
2. *its headline*: its twin is the first paragraph of its own document (a
   headline repeated anywhere in its article);
3. *the same story*: its document and its twin's tell the same story
   (``story(a, b)``: one is mostly a repeat of the other, see
   :func:`dedup.decisions.articles.same_stories`);
4. *a run*: the paragraph before or after it is removed as a repeat of the
   paragraph before or after its twin (a copied passage), and the run holds
   a removal that needs no context or has it by 1-3; a run inside its own
   document (a body pasted twice) needs nothing more.

**Tables.** A short line inside a table (two or more consecutive short
lines) goes only when its whole table goes: every line of the table is
removed, or is the kept twin of a line removed inside the same table, or is
the document's first line that remains (a republished table under a new
headline). A
price table of another day shares its headings and some rows; removing
those would leave numbers without labels. (A headline repeated below it is
no table line: it goes by rule 2 wherever it stands.) Two more: a table
under a headline of a dated series (the headlines differ only in their
numbers) is that day's report and never goes as a copy of the last one's;
and a note right under a table of three short lines or more that repeats
the note under another table (each table of a release with the same
footnote) goes only with its own table. A doubled line (its twin right
before it in the cleaned text) and a repeated headline go whatever their
table does, and a table left with fewer than two short lines once they go
is no table: it protects nothing, its heading included.

A removal without context is kept, unless a kept twin stands right before
it (then it goes as that one's repeat). All of this is judged on the text as
cleaning leaves it, so that a second run over the output removes nothing
more: a kept line whose twin comes to stand right before it once the
paragraphs between them are gone goes at once, and so do two kept lines
that come to stand together, as do their twins.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from .. import compiled
from ..arrays import present
from .choice import Choice
from ..model import BOILERPLATE, EXACT
from ..text.sentences import LEANS_LEAD_IN, LEANS_LIST

# Each round can only follow from the one before; real text settles in two
# or three. The bound keeps a pathological input finite.
ROUNDS = 20
#: Times the cleaned view may take a line that the other steps put back
#: before it leaves that line kept (see _cleaned_view).
FLIPS = 2


class _Removals:
    """The removals being decided (``chosen``, changed in place) and, kept in
    step with it, per flat position: the first and last kept paragraph each
    names (-1 where kept), whether it is boilerplate and whether contextual;
    and every position changed, in order (``touched``)."""

    def __init__(self, chosen: dict[int, Choice], n: int,
                 arrays: tuple[np.ndarray, ...] | None = None) -> None:
        self.chosen = chosen
        self.touched: list[int] = []
        if arrays is not None:
            # Copies of those :meth:`arrays` gave for the same ``chosen``.
            self.twin, self.twin_end, self.boiler, self.contextual, self.near = (
                a.copy() for a in arrays)
            return
        self.twin = np.full(n, -1, dtype=np.int64)
        self.twin_end = np.full(n, -1, dtype=np.int64)
        self.boiler = np.zeros(n, dtype=bool)
        self.contextual = np.zeros(n, dtype=bool)
        self.near = np.zeros(n, dtype=bool)
        if chosen:
            flats = np.fromiter(chosen, dtype=np.int64, count=len(chosen))
            choices = list(chosen.values())
            k = len(choices)
            self.twin[flats] = np.fromiter((c.twin for c in choices), dtype=np.int64, count=k)
            self.twin_end[flats] = np.fromiter((max(c.twin, c.twin_last) for c in choices),
                                               dtype=np.int64, count=k)
            self.boiler[flats] = np.fromiter((c.kind == BOILERPLATE for c in choices),
                                             dtype=bool, count=k)
            self.contextual[flats] = np.fromiter((c.contextual for c in choices), dtype=bool,
                                                 count=k)
            self.near[flats] = np.fromiter((c.kind not in (EXACT, BOILERPLATE)
                                            for c in choices), dtype=bool, count=k)

    def set(self, flat: int, choice: Choice) -> None:
        self.touched.append(flat)
        self.chosen[flat] = choice
        self.twin[flat] = choice.twin
        self.twin_end[flat] = max(choice.twin, choice.twin_last)
        self.boiler[flat] = choice.kind == BOILERPLATE
        self.contextual[flat] = choice.contextual
        self.near[flat] = choice.kind not in (EXACT, BOILERPLATE)

    def pop(self, flat: int) -> Choice:
        self.touched.append(flat)
        self.twin[flat] = self.twin_end[flat] = -1
        self.boiler[flat] = self.contextual[flat] = self.near[flat] = False
        return self.chosen.pop(flat)

    def removed(self) -> np.ndarray:
        return self.twin >= 0

    def arrays(self) -> tuple[np.ndarray, ...]:
        return self.twin, self.twin_end, self.boiler, self.contextual, self.near


def removal_arrays(chosen: dict[int, Choice], n: int) -> tuple[np.ndarray, ...]:
    """The per-position arrays :func:`require_context` keeps for ``chosen``,
    to hand to it again for the same removals (each pass of the decisions
    starts from the same walk: 0.35 s a pass at a million paragraphs)."""
    return _Removals(chosen, n).arrays()


def nearest_kept(twin_of: np.ndarray, first_of: np.ndarray,
                 last_of: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For every position, the last kept position before it and the first
    kept one after it (kept: ``twin_of`` < 0), -1 where that lies outside its
    file (``first_of`` .. ``last_of``, inclusive) or there is none.

    Compiled where the install built it: the short-line rule takes this
    snapshot twice a round (Reuters: 12 of them, 3.1 ms each in numpy, 0.23
    ms compiled); the numpy form below is its reference.
    """
    n = len(twin_of)
    if compiled.minhash is not None:
        before, after = np.empty(n, dtype=np.int64), np.empty(n, dtype=np.int64)
        compiled.minhash.nearest_kept(np.ascontiguousarray(twin_of, dtype=np.int64),
                                      np.ascontiguousarray(first_of, dtype=np.int64),
                                      np.ascontiguousarray(last_of, dtype=np.int64),
                                      before, after)
        return before, after
    positions = np.arange(n, dtype=np.int64)
    kept = twin_of < 0
    # Last kept position at or before each position, then strictly before;
    # one from another file counts as none (-1).
    upto = np.maximum.accumulate(np.where(kept, positions, -1))
    before = np.full(n, -1, dtype=np.int64)
    before[1:] = upto[:-1]
    before[before < first_of] = -1
    # First kept position at or after each position, then strictly after.
    from_ = np.minimum.accumulate(np.where(kept, positions, n)[::-1])[::-1]
    after = np.full(n, n, dtype=np.int64)
    after[:-1] = from_[1:]
    after[after > last_of] = -1       # also n: none kept after it
    return before, after


def needs_context(same_doc: np.ndarray, words: np.ndarray, leans: np.ndarray,
                  contextual: np.ndarray, near: np.ndarray, short_words: int,
                  context_words: int, near_context: bool,
                  lean_context: bool = True) -> np.ndarray:
    """Which removals need context (the first part of the module's rule),
    given per removal whether its twin is in its own document, its words,
    its leaning flag, whether its match is contextual and whether it is a
    near (not exact) repeat. ``lean_context`` off: leaning alone needs none."""
    brief = (words < context_words) | ((leans != 0) & lean_context)
    return (words < short_words) | (~same_doc & (brief | contextual | (near_context & near)))


def require_context(chosen: dict[int, Choice], layout, short_words: int, context_words: int,
                    boiler_groups: set[int], gof: np.ndarray,
                    direct: Callable[[int, int], Choice | None],
                    rank: list[int], story_keys: np.ndarray,
                    linked: np.ndarray | None = None, near_context: bool = True,
                    lean_context: bool = True,
                    arrays: tuple[np.ndarray, ...] | None = None) -> int:
    """Apply the rule of this module to ``chosen`` (flat -> Choice), in place;
    return the rounds it took to settle (``ROUNDS`` when it did not).

    ``direct(flat, twin)`` says how ``flat`` repeats ``twin`` directly, if it
    does; ``story_keys`` are the sorted ``a * n_docs + b`` of the pairs of
    documents that tell the same story (both orders); ``linked`` (per group)
    which groups have near links: only those may repeat another group's
    paragraph (a test made for many paragraphs at once before ``direct``);
    ``arrays``: :func:`removal_arrays` of ``chosen`` as given, if at hand.
    """
    facts = layout.facts
    doc_of = np.asarray(layout.doc_of, dtype=np.int64)
    start = np.asarray(layout.start, dtype=np.int64)
    n = len(doc_of)
    if not n or not chosen:
        return 0
    n_docs = len(start) - 1
    first_of = start[doc_of]
    last_of = start[doc_of + 1] - 1
    words = np.asarray(facts.words)
    short = words < short_words
    leaning = np.asarray(facts.leans)
    lists = (leaning & LEANS_LIST) != 0
    boiler_group = np.zeros(int(gof.max()) + 1, dtype=bool)
    if boiler_groups:
        boiler_group[np.fromiter(boiler_groups, dtype=np.int64, count=len(boiler_groups))] = True
    in_boiler = boiler_group[gof]
    table_line = short & ~in_boiler
    tables = _tables(table_line, doc_of, first_of, (words < context_words) & ~in_boiler)
    state = _Removals(chosen, n, arrays)
    series = _SeriesHeadlines(facts)
    has_links = linked if linked is not None else np.ones(len(boiler_group), dtype=bool)
    rank_array = np.asarray(rank, dtype=np.int64)

    def may_repeat(flats: np.ndarray, others: np.ndarray) -> np.ndarray:
        """Whether each of ``flats`` may repeat the one of ``others`` directly."""
        ok = others >= 0
        other = np.maximum(others, 0)
        return ok & ((gof[flats] == gof[other]) | has_links[gof[flats]])
    reverted: dict[int, Choice] = {}
    confirmed = np.zeros(n, dtype=bool)    # kept by the cleaned view only (a second run's runs)
    # How often a line the cleaned view took was put back by the steps before
    # it (the whole-table rule, the need for context) by the time the view came
    # round again: at FLIPS the view leaves it kept (see _cleaned_view).
    flips = np.zeros(n, dtype=np.int8)
    taken = np.zeros(0, dtype=np.int64)
    view_mark = -1       # len(state.touched) when the cleaned view last began

    for rounds in range(1, ROUNDS + 1):
        changed = False
        # 0. A near removal whose exact copy is kept before it names that copy.
        _exact_twins(state, gof, rank_array, doc_of)
        # 1. Removals that need context and lack it are kept (or go as a
        # repeat of a kept twin right before them), until none is left.
        for _ in range(ROUNDS):
            twin, twin_end = state.twin, state.twin_end
            flats = np.flatnonzero((twin >= 0) & ~state.boiler & ~confirmed)
            if not len(flats):
                break
            t, t_end = twin[flats], twin_end[flats]
            same = doc_of[t] == doc_of[flats]
            need = needs_context(same, words[flats], leaning[flats], state.contextual[flats],
                                 state.near[flats], short_words, context_words, near_context,
                                 lean_context)
            if not need.any():
                break
            before, _after = nearest_kept(twin, first_of, last_of)
            headline = first_left(twin >= 0, start, doc_of)
            own = same & ((before[flats] == t_end) | (t == headline[flats]))
            # The same story counts only where context is needed (else the
            # removal stands whatever ``own`` says): looked up for those only.
            across = np.flatnonzero(need & ~same)
            own[across] = present(story_keys, doc_of[flats[across]] * n_docs
                                  + doc_of[t[across]])
            ok = _runs_with_context(flats, t, t_end, state, doc_of, ~need | own, same)
            ok |= own | ~need
            bad = flats[~ok].tolist()
            if not bad:
                break
            # An exact copy kept in a document telling the same story gives
            # the context another twin lacked (a byline named after the one
            # of another story, while the story's own copy stays).
            bad = _story_twins(bad, state, gof, doc_of, story_keys, n_docs, rank_array)
            if not bad:
                continue
            for flat in bad:
                reverted[flat] = state.pop(flat)
            changed = True
            # A kept twin right before it (in the text as it now stands) still takes it.
            before, _after = nearest_kept(state.twin, first_of, last_of)
            bad = np.asarray(bad, dtype=np.int64)
            for flat in bad[may_repeat(bad, before[bad])].tolist():
                found = _beside(flat, before, rank, direct)
                if found is not None:
                    state.set(flat, found)
                    del reverted[flat]
        # 2. Tables go whole or not at all.
        if _whole_tables(state, reverted, tables, start, doc_of, series, table_line):
            changed = True
        # 3. What a second run over the cleaned text would still remove.
        flips[taken[state.twin[taken] < 0]] += 1
        changed_docs = None
        if view_mark >= 0:
            changed_docs = np.zeros(n_docs, dtype=bool)
            changed_docs[doc_of[np.asarray(state.touched[view_mark:], dtype=np.int64)]] = True
        view_mark = len(state.touched)
        taken = _cleaned_view(state, reverted, confirmed, flips >= FLIPS, changed_docs,
                              first_of, last_of, rank, direct, tables, table_line, may_repeat,
                              lambda removed: first_left(removed, start, doc_of),
                              doc_of, lists, ~short & (leaning == 0),
                              (words >= context_words)
                              & ((leaning & (LEANS_LIST | LEANS_LEAD_IN)) == 0))
        if len(taken):
            changed = True
        _repair_twins(state, reverted, direct)
        if not changed:
            return rounds
    return ROUNDS


def _exact_twins(state: _Removals, gof: np.ndarray, ranks: np.ndarray,
                 doc_of: np.ndarray) -> None:
    """Point every near removal (not boilerplate) of a paragraph whose exact
    copy is kept, earlier in keep order, at that copy: the walk in keep order
    may have named a near twin only because the copy was removed at the time,
    a removal the context rule has since undone.

    A removal whose twin stands in its own document keeps that twin: its
    own text explains it, and pointed at the copy (in another document, or
    further from it in its own) it could need a context it lacks, be kept
    for that, and be removed for its own twin again (by the cleaned view, or
    as a repeat of the kept line before it), round after round until the
    round limit (a table's "R-Revised." footnote, said again in its own
    article's notes and copied in others; a spam's order form quoting one of
    its own lines twice)."""
    chosen = state.chosen
    near = np.flatnonzero((state.twin >= 0) & ~state.boiler
                          & (gof[np.maximum(state.twin, 0)] != gof))
    if not len(near):
        return
    kept = np.flatnonzero(state.twin < 0)
    # The first kept paragraph of every group, in keep order.
    order = kept[np.lexsort((ranks[kept], gof[kept]))]
    groups = gof[order]
    first = np.ones(len(order), dtype=bool)
    first[1:] = groups[1:] != groups[:-1]
    keeper = np.full(int(gof.max()) + 1, -1, dtype=np.int64)
    keeper[groups[first]] = order[first]
    twin = keeper[gof[near]]
    better = (twin >= 0) & (ranks[np.maximum(twin, 0)] < ranks[near])
    better &= doc_of[state.twin[near]] != doc_of[near]
    for flat, copy in zip(near[better].tolist(), twin[better].tolist()):
        if chosen[flat].twin != copy:
            state.set(flat, Choice(copy, EXACT, 100.0))


def first_left(removed: np.ndarray, start: np.ndarray, doc_of: np.ndarray) -> np.ndarray:
    """For every position, the first paragraph of its document that is not
    ``removed`` (its headline as the cleaned text shows it), or -1."""
    kept = np.flatnonzero(~removed)
    if not len(kept):
        return np.full(len(doc_of), -1, dtype=np.int64)
    # Once per document (from its first paragraph), then for each paragraph.
    at = np.searchsorted(kept, start[:-1])
    found = kept[np.minimum(at, len(kept) - 1)]
    inside = (at < len(kept)) & (found < start[1:])
    return np.where(inside, found, -1)[doc_of]


def _tables(table_line: np.ndarray, doc_of: np.ndarray, first_of: np.ndarray,
            caption: np.ndarray | None = None) -> np.ndarray:
    """Table number of every paragraph (-1: in none). A table is a run of two
    or more consecutive ``table_line`` paragraphs of one document, with the
    ``caption`` paragraph right before it, if any ("MEDIUM GRAIN RICE - in
    mln CWTs --": its rows mean nothing without it)."""
    n = len(doc_of)
    line = table_line
    joins = np.zeros(n, dtype=bool)
    joins[1:] = line[1:] & line[:-1] & (doc_of[1:] == doc_of[:-1])
    starts = line & ~joins
    number = np.cumsum(starts) - 1
    out = np.full(n, -1, dtype=np.int64)
    if not starts.any():
        return out
    sizes = np.bincount(number[line], minlength=int(starts.sum()))
    big = line & (sizes[np.maximum(number, 0)] >= 2)
    out[big] = number[big]
    if caption is not None:
        heads = np.flatnonzero(big & starts)
        heads = heads[heads > first_of[heads]]
        above = heads - 1
        takes = caption[above] & (out[above] < 0)
        out[above[takes]] = out[heads[takes]]
    return out


def _runs_with_context(flats, t, t_end, state: _Removals, doc_of, anchored,
                       same) -> np.ndarray:
    """Whether each removal ``flats`` (sorted) continues a run that holds an
    ``anchored`` removal, or a run inside its own document."""
    n = len(doc_of)
    twin_all, boiler_all = state.twin, state.boiler
    nxt = flats + 1
    inside = nxt < n
    nxt = np.minimum(nxt, n - 1)
    # flats[i] and flats[i] + 1 both removed, the second repeating the
    # paragraph after the first's twin, in the same documents.
    continues = (inside & (twin_all[nxt] >= 0) & ~boiler_all[nxt]
                 & (doc_of[nxt] == doc_of[flats])
                 & (twin_all[nxt] == t_end + 1)
                 & (doc_of[np.maximum(twin_all[nxt], 0)] == doc_of[t]))
    # Runs are intervals of consecutive flats: number them.
    is_next = np.zeros(len(flats), dtype=bool)
    is_next[1:] = (flats[1:] == flats[:-1] + 1) & continues[:-1]
    run = np.cumsum(~is_next) - 1
    size = np.bincount(run)
    held = np.bincount(run, weights=anchored).astype(bool)
    own_doc = np.bincount(run, weights=same).astype(np.int64) == size
    return (size[run] >= 2) & (held[run] | own_doc[run])


def _story_twins(bad: list[int], state: _Removals, gof: np.ndarray, doc_of: np.ndarray,
                 story_keys: np.ndarray, n_docs: int, ranks: np.ndarray) -> list[int]:
    """Point each of ``bad`` (removals about to be kept for want of context)
    at an exact copy that stays, ahead of it in keep order, in a document
    that tells the same story as its own, where there is one; the rest are
    returned. One of ``bad`` that finds no such copy stays, and so counts as
    a copy for those after it."""
    if not len(story_keys) or not bad:
        return bad
    flats = np.asarray(bad, dtype=np.int64)
    docs = doc_of[flats]
    # The documents telling each one's story: (flat, partner) pairs.
    lo = np.searchsorted(story_keys, docs * n_docs)
    size = np.searchsorted(story_keys, (docs + 1) * n_docs) - lo
    which = np.repeat(np.arange(len(flats)), size)
    partner = story_keys[np.arange(len(which)) + np.repeat(lo - (np.cumsum(size) - size), size)]
    partner %= n_docs
    # The first copy of each one's text in each partner: keyed by group and document.
    cand = np.flatnonzero(np.isin(gof, gof[flats]))
    keys = gof[cand] * n_docs + doc_of[cand]
    order = np.lexsort((cand, keys))
    keys, cand = keys[order], cand[order]
    want = gof[flats[which]] * n_docs + partner
    at = np.minimum(np.searchsorted(keys, want), max(len(keys) - 1, 0))
    found = (keys[at] == want) if len(keys) else np.zeros(len(want), dtype=bool)
    which, other = which[found], cand[at[found]]
    fit = ranks[other] < ranks[flats[which]]
    which, other = which[fit], other[fit]
    # Best (first in keep order) copies first.
    order = np.lexsort((ranks[other], which))
    which, other = which[order], other[order]
    is_bad = np.zeros(len(gof), dtype=bool)
    is_bad[flats] = True
    stays = (state.twin < 0) & ~is_bad
    decided = np.zeros(len(flats), dtype=bool)
    twin = np.full(len(flats), -1, dtype=np.int64)
    position = np.full(len(gof), -1, dtype=np.int64)
    position[flats] = np.arange(len(flats))
    while not decided.all():
        # A copy that is itself one of ``bad`` and not yet decided may still
        # go: the flats that have one wait for it.
        waiting = is_bad[other] & ~decided[np.maximum(position[other], 0)] & ~stays[other]
        blocked = np.zeros(len(flats), dtype=bool)
        blocked[which[waiting]] = True
        ready = ~decided & ~blocked
        if not ready.any():
            break                   # never: a copy comes before its flat in keep order
        usable = stays[other] & ready[which]
        w, o = which[usable], other[usable]
        first = np.ones(len(w), dtype=bool)
        first[1:] = w[1:] != w[:-1]
        twin[w[first]] = o[first]
        decided |= ready
        stays[flats[ready & (twin < 0)]] = True
    left = []
    for i, flat in enumerate(bad):
        if twin[i] >= 0:
            state.set(flat, Choice(int(twin[i]), EXACT, 100.0))
        else:
            left.append(flat)
    return left


def _beside(flat: int, before: np.ndarray, rank: list[int],
            direct: Callable[[int, int], Choice | None]) -> Choice | None:
    """The removal of ``flat`` as a repeat of the kept paragraph right before
    it (in the text as cleaning leaves it), if it repeats that one directly."""
    prior = int(before[flat])
    if prior < 0 or rank[prior] > rank[flat]:
        return None
    return direct(flat, prior)


class _SeriesHeadlines:
    """Whether two paragraphs read as headlines of one dated series: both
    hold numbers and differ, alike in every other way the facts show (as
    many words, as long within two characters): "BANGKOK RICE 1 - APRIL 8"
    and "... APRIL 7", "NY COMEX COPPER 12:30" and "... 12:00"."""

    def __init__(self, facts) -> None:
        self.digit = np.asarray(facts.digit, dtype=bool)
        self.words = np.asarray(facts.words)
        self.length = np.asarray(facts.length, dtype=np.int64)
        self.key_hi, self.key_lo = np.asarray(facts.key_hi), np.asarray(facts.key_lo)

    def __call__(self, a: int, b: int) -> bool:
        return bool(self.digit[a] and self.digit[b]
                    and (self.key_hi[a] != self.key_hi[b] or self.key_lo[a] != self.key_lo[b])
                    and self.words[a] == self.words[b]
                    and abs(int(self.length[a]) - int(self.length[b])) <= 2)


def _whole_tables(state: _Removals, reverted: dict[int, Choice], tables: np.ndarray,
                  start: np.ndarray, doc_of: np.ndarray,
                  series: Callable[[int, int], bool], table_line: np.ndarray) -> bool:
    """Keep every line of a table that does not go whole; whether any changed.

    A table all of whose lines stand in another document's table goes whole
    under a headline of its own (a table republished under a new headline),
    but not when the two headlines are issues of one dated series (see
    :class:`_SeriesHeadlines`): each hour's or day's report states that
    hour's figures, equal to the last ones or not. Both headlines must stand
    first in their documents, kept, so that a second run over the cleaned
    text judges the same pair."""
    twin, twin_end = state.twin, state.twin_end
    removed = (twin >= 0) & ~state.boiler
    lines = np.flatnonzero((tables >= 0) & removed)
    # The kept paragraph right before each, in the text as cleaning leaves it.
    before, _after = nearest_kept(twin, start[doc_of], start[doc_of + 1] - 1)
    # Removals right under a table: notes, if their twins stand under one too.
    # (The line above it in the original must stand above it in the cleaned
    # text too: a note is the line right under its table, both ways.)
    notes = np.flatnonzero(removed & (tables < 0))
    notes = notes[(notes > 0) & (before[notes] == notes - 1)]
    notes = notes[tables[before[notes]] >= 0]
    if not len(lines) and not len(notes):
        return False
    n = len(twin)
    n_tables = int(tables.max()) + 1
    # Lines that are kept twins of a line removed inside the same table.
    inner_twin = np.zeros(n, dtype=bool)
    same_table = tables[np.maximum(twin[lines], 0)] == tables[lines]
    for a, b in zip(twin[lines][same_table].tolist(), twin_end[lines][same_table].tolist()):
        inner_twin[a:b + 1] = True
    members = np.flatnonzero(tables >= 0)
    # The first paragraph of its document that remains (its headline as the
    # cleaned text shows it) need not go with its table.
    headlines = first_left(twin >= 0, start, doc_of)
    fine = removed[members] | inner_twin[members] | (members == headlines[members])
    whole = np.bincount(tables[members], weights=~fine, minlength=n_tables) == 0
    outer = lines[~same_table]
    if len(outer):
        # One line per table, its twin's document for the table's source.
        tabs, first = np.unique(tables[outer], return_index=True)
        for table, line in zip(tabs.tolist(), outer[first].tolist()):
            head, source = int(start[doc_of[line]]), int(start[doc_of[twin[line]]])
            if whole[table] and twin[head] < 0 and twin[source] < 0 and series(head, source):
                whole[table] = False
    # A headline repeated below it is no line of a table, whatever stands around it.
    headline = twin[lines] == headlines[lines]
    # Nor is a doubled line: one whose twin stands right before it in the
    # text as cleaning leaves it. Its going leaves the table as it was (a
    # doubled heading leaves its twin to head the table), and a second run
    # would take it whether the table stays or not.
    doubled = twin[lines] == before[lines]
    beside = lines[doubled]
    doubled[doubled] = np.fromiter(
        (state.chosen[flat].detail in ("", "truncated copy") for flat in beside.tolist()),
        dtype=bool, count=len(beside))
    # A table that keeps fewer than two short lines once those two kinds go
    # (the others would come back with it) is no table in the cleaned text:
    # it protects nothing, its heading included.
    back = np.zeros(n, dtype=bool)
    back[lines[~headline & ~doubled]] = True
    short = members[table_line[members] & ((twin[members] < 0) | back[members])]
    dissolved = np.bincount(tables[short], minlength=n_tables) < 2
    broken = lines[~whole[tables[lines]] & ~dissolved[tables[lines]] & ~headline & ~doubled]
    # A note right under a table that stays, repeating the note under
    # another table (each table of a release with the same footnote), is
    # that table's own: it goes only with its table.
    # A table of its own: three short lines or more that stay, below the
    # headline (a headline and a byline are two short lines, no table with a
    # note); judged on what stays, so that a second run sees the same table.
    above = tables[before[notes]]
    staying = members[table_line[members] & (twin[members] < 0)]
    size = np.bincount(tables[staying], minlength=n_tables)
    opens = np.full(n_tables, len(twin), dtype=np.int64)
    np.minimum.at(opens, tables[members], members)
    notes = notes[~whole[above] & (size[above] >= 3)
                  & (opens[above] != start[doc_of[notes]])]
    over = before[twin[notes]]
    notes = notes[(over >= 0) & (over == twin[notes] - 1)]
    over = before[twin[notes]]
    notes = notes[(tables[over] >= 0) & (size[np.maximum(tables[over], 0)] >= 2)]
    broken = np.concatenate([broken, notes])
    for flat in broken.tolist():
        reverted[flat] = state.pop(flat)
    return bool(len(broken))


def _cleaned_view(state: _Removals, reverted: dict[int, Choice], confirmed: np.ndarray,
                  settled: np.ndarray, changed_docs: np.ndarray | None, first_of, last_of,
                  rank, direct, tables, table_line, may_repeat, headlines, doc_of, lists, plain,
                  lead) -> np.ndarray:
    """Remove the kept lines a second run over the cleaned text would remove:
    one whose kept twin now stands right before it or heads its document,
    and two that now stand together with their twins standing together:
    inside one document; across two, when both are ``plain`` (not short,
    not leaning on their story: a passage copied from another story) or
    are the headline and a ``lead`` after it (of ``context_words`` words or
    more, neither a list nor a lead-in to what follows: a story's opening
    copied whole, not a templated report's "... adjusted its rates as
    follows:" nor a preview's team line-up). Returns those that went.

    A ``settled`` line stays: one this view took that the steps before it
    put back, round after round (the whole-table rule keeps a line held in
    the row above it, which this view takes as a repeat of that row; a
    second run would be caught the same way). Without it the two undid each
    other until the round limit.

    ``changed_docs`` (per document; None: all): the documents where anything
    changed since the view last began. What it decides of a line reads only
    the line's own document, that of the twin it was removed for, and that of
    the twin of the kept-back line after it; a line all three of whose
    documents are unchanged comes out as it did then (kept), and is passed
    over. A document changes here too as lines of it go, and its lines after
    those are looked at again. (Rounds after the first look at a few lines:
    at a million paragraphs each round had gone through every one of
    ~115,000 kept-back lines.)"""
    taken: list[int] = []
    if not reverted:
        return np.array(taken, dtype=np.int64)
    before, after = nearest_kept(state.twin, first_of, last_of)
    headline = headlines(state.twin >= 0)
    chosen = state.chosen
    back = np.fromiter(sorted(reverted), dtype=np.int64, count=len(reverted))
    # Only the kept lines that may repeat their headline or the kept paragraph
    # before them, or that stand before another kept line, can go.
    is_back = np.zeros(len(state.twin), dtype=bool)
    is_back[back] = True
    nxt = after[back]
    maybe = (may_repeat(back, headline[back]) | may_repeat(back, before[back])
             | ((nxt >= 0) & is_back[np.maximum(nxt, 0)]))
    order = back[maybe]
    if changed_docs is None:
        # Every line is looked at; the documents below are then never read.
        look = [True] * len(order)
        docs = twin_docs = next_docs = []
    else:
        after_it = after[order]
        follows = (after_it >= 0) & is_back[np.maximum(after_it, 0)]
        twins = np.fromiter((reverted[f].twin for f in order.tolist()), dtype=np.int64,
                            count=len(order))
        next_twins = np.full(len(order), -1, dtype=np.int64)
        next_twins[follows] = np.fromiter((reverted[f].twin for f in after_it[follows].tolist()),
                                          dtype=np.int64, count=int(follows.sum()))
        docs = doc_of[order]
        twin_docs = doc_of[twins]
        next_docs = np.where(follows, doc_of[np.maximum(next_twins, 0)], -1)
        look = (changed_docs[docs] | changed_docs[twin_docs]
                | (follows & changed_docs[np.maximum(next_docs, 0)])).tolist()
        docs, twin_docs, next_docs = docs.tolist(), twin_docs.tolist(), next_docs.tolist()
    went: set[int] = set()           # documents changed by this view so far
    for i, flat in enumerate(order.tolist()):
        if not look[i] and not (went and (docs[i] in went or twin_docs[i] in went
                                          or next_docs[i] in went)):
            continue
        if flat in chosen or flat not in reverted or settled[flat]:
            continue
        top = int(headline[flat])
        # The headline, said again below it.
        if 0 <= top < flat and rank[top] <= rank[flat] and \
                _removed_again(state, reverted, flat, direct(flat, top)):
            taken.append(flat)
            went.add(int(doc_of[flat]))
            continue
        # A table line goes beside its twin only when that twin is in its
        # table (a doubled line, which leaves the table whole). The kept line
        # before it stands next to it in the cleaned text, so a short one
        # belongs to its table there even when removed paragraphs divided
        # them in the original (a second run would see one table).
        # (Lines removed earlier in this loop no longer stand before it.)
        prior = int(before[flat])
        while prior >= 0 and state.twin[prior] >= 0:
            prior = int(before[prior])
        before[flat] = prior
        if (tables[flat] < 0 or (prior >= 0 and (tables[prior] == tables[flat]
                                                 or table_line[prior]))) and \
                _removed_again(state, reverted, flat, _beside(flat, before, rank, direct)):
            taken.append(flat)
            went.add(int(doc_of[flat]))
            continue
        nxt = int(after[flat])
        if nxt < 0 or nxt not in reverted or nxt in chosen or settled[nxt]:
            continue
        first, second = reverted[flat], reverted[nxt]
        if (first.twin_last < 0 and second.twin_last < 0 and first.twin not in chosen
                and second.twin not in chosen and int(after[first.twin]) == second.twin
                and tables[flat] < 0 and tables[nxt] < 0
                and (doc_of[first.twin] == doc_of[flat] or plain[flat] and plain[nxt]
                     or (headline[flat] == flat and headline[first.twin] == first.twin
                         and lead[nxt] and not lists[flat]))):
            state.set(flat, reverted.pop(flat))
            state.set(nxt, reverted.pop(nxt))
            confirmed[[flat, nxt]] = True
            taken += [flat, nxt]
            went.add(int(doc_of[flat]))
    return np.array(taken, dtype=np.int64)


def _removed_again(state: _Removals, reverted: dict[int, Choice], flat: int,
                   found: Choice | None) -> bool:
    """Remove ``flat``, kept by the rule, as ``found`` says, if it says."""
    if found is None:
        return False
    state.set(flat, found)
    del reverted[flat]
    return True


def _repair_twins(state: _Removals, reverted: dict[int, Choice],
                  direct: Callable[[int, int], Choice | None]) -> None:
    """Every removal must name kept twins: one whose twin has since been
    removed is pointed at that twin's own twin when it repeats that one
    directly, else kept."""
    chosen = state.chosen
    while True:
        removed = (state.twin >= 0) & ~state.boiler
        flats = np.flatnonzero(removed)
        if not len(flats):
            return
        single = state.twin_end[flats] == state.twin[flats]
        broken = flats[single & removed[state.twin[flats]]].tolist()
        for flat in flats[~single].tolist():            # a run of twins: each must stay
            if removed[state.twin[flat]:state.twin_end[flat] + 1].any():
                broken.append(flat)
        if not broken:
            return
        for flat in broken:
            choice = chosen[flat]
            replacement = None
            if choice.twin_last < 0 and choice.twin in chosen:
                replacement = direct(flat, chosen[choice.twin].twin)
            if replacement is not None and not removed[replacement.twin]:
                state.set(flat, replacement)
            else:
                reverted[flat] = state.pop(flat)
