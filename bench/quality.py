"""Quality benchmark: known repeats and known non-repeats injected into real news.

    python -m bench.quality [--articles 2000] [--seed 1] [--json]

Articles are sampled from the BBC and Reuters corpora (``bench/corpora.py``;
``--corpora`` also takes ``spam``). Into them the benchmark injects, with a
fixed seed:

* repeats, which the engine should remove, each labelled with its kind:
  exact copies across articles and inside one article, titles doubled or said
  again further down their article, bodies pasted twice (blocks), whole
  articles republished with paragraphs split and joined (reflowed), typos, OCR
  noise, inserted or deleted filler words, number formatting (5000 vs 5,000),
  truncated copies, case / whitespace / curly-quote changes, copies with a
  source added (attribution), and boilerplate footers appended to many
  articles;
* non-repeats, which must stay: a number changed, a name swapped, templated
  siblings (other numbers and another name), short common lines shared by two
  files, negation flips, a modifier added or dropped, a tense or modality
  marker replaced, two names in another order, a truncated copy whose lost
  tail held numbers or names, a 10-19 word sentence copied into another story,
  and the real paragraphs of the corpus themselves (many articles on the same
  topic, e.g. one BBC category).

The copies are placed so that the original is the occurrence kept under the
keep-first policy: in a file later in sorted name order, or later in the same
file. A removal counts as found only when it points at that original (for
boilerplate, at the footer's first occurrence; for a joined reflowed
paragraph, at the first of its two originals: the engine names a kept run by
its first paragraph); a removal pointing anywhere else counts as wrong.

**Attribution is the exception (ORIGINAL_GOES).** A copy that adds a source
("Reuters reported that ...", "..., according to officials.") holds more than
its original, and the engine keeps the side with the source whichever comes
first. So the attributed copy is put in a later article, yet the expected
removal is the ORIGINAL, pointing at the copy: that removal is scored as found
(not as wrong nor "(rev)"), a removal of the copy as wrong, and a miss is the
original left in place.

OCR noise never touches digits: the engine treats any changed digit as a
different number, hence different facts, so the classic l/1 or O/0 confusions
would make a copy that is, by design, not a repeat. Likewise every copy and
sibling (titles, footers, short lines and reflowed articles aside) has at
least the engine's ``short_words`` words: a shorter line only counts as a
repeat beside its twin or inside a run, on purpose. Filler phrases name no
source ("he said", not "officials said"): a source is the attribution kind.

Where copies go, and why (dedup/decisions/context.py, dedup/verification/verify.py)
------------------------------------------------------------
* Near copies (typo, ocr, filler, number-format, truncated, attribution)
  go later into their own article. Why: a near copy in another story is
  that story's sentence edited for it as often as a repeat, so the engine
  removes it only in context (``Config.near_context``); inside an article,
  the kinds test what verification calls a repeat.
* Exact copies (exact-cross, cosmetic) go into another article only from a
  source of at least ``context_words`` words that does not lean on its
  story (open with "He", "It", "The company", ...); other copies go later
  into their own article. Why: such a sentence in another story may take
  its subject from that story ("The selling concession is 1-1/4 pct"), so
  it repeats only in context. exact-cross is cross-article by name, so it
  takes long sources only.
* At most CROSS_CAP (half) of an article's characters copied out, and into one
  target at most half of the target's. Why: past that the two read as one
  story republished, and the engine then keeps the fuller article, not the first.
* Distant titles stay in their article. Why: a headline repeated anywhere
  below it in its own article is removed (its context is the headline).
* A reflowed copy is a new article, the original's name + "-reflowed" (sorted
  right after it), made from an article that takes no other injection. Why: a
  republished story is the same story, so every paragraph repeats, short or
  split ones too; extra paragraphs in the original would break its runs.
* The look-alikes modifier, tense, list-order, truncated-facts, unsaid,
  respelled-number, context-sentence and leaning go into a later, unrelated article; all but
  context-sentence and leaning come from sources of at least
  ``context_words`` words that do not lean on their story. Why: any other
  would stay by the context rule alone and test nothing; context-sentence
  (``short_words`` to ``context_words`` - 1 words) and leaning (a paragraph
  opening with "He", "It", "The company", ...: dedup.text.sentences.leans) test
  exactly that rule.

Ground truth and the corpus's own repeats
-----------------------------------------
The corpora already contain repeats (identical BBC article pairs, re-sent
Reuters stories, the "Reuter" sign-off that is boilerplate). We use approach
(a): each system (the engine and the baseline) first runs on the uninjected
articles, and whatever it removes there is left out of the scoring after
injection (it is neither credited nor blamed). On top of that, injections only
ever use paragraphs that neither base run touched (not removed and not the kept
twin of a removal) and whose normalised text is unique in the sample, and only
articles with no exact or near repeat in the base run, so every injected copy
has exactly one right twin. Every other removal in the injected run is a wrong
one: of an injected non-repeat, of an original that was copied, or of a real
corpus paragraph that the base run kept (kind "corpus").

Precision of a repeat kind is found / (found + wrong removals of its copies and
of its originals); recall is found / injected. The overall precision counts
every wrong removal, non-repeats and corpus paragraphs included. The "(rev)"
column singles out originals removed in favour of their own copy: the pair was
seen, but the later copy was kept, against the keep-first policy.

For every engine miss the benchmark replays the engine's stages on the pair
(``verify``, LSH bands, the opening key, the short-line rule) and prints why it
was left; those reasons are what to tune. Near removals the engine makes in the
uninjected corpus are listed too, unscored, to be looked at by eye.

The baseline (``bench/baseline_quality.py``) is the plain MinHash + LSH +
``fuzz.ratio`` approach, scored the same way.
"""

from __future__ import annotations

import argparse
import bisect
import json
import random
import re
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from dedup import Config, scan_texts
from dedup.input.documents import split_lines, split_paragraphs
from dedup.model import Ref as EngineRef
from dedup.text.normalize import normalize, word_count
from dedup.text.sentences import LEANS_OPENING, leans

from . import corpora, inject
from .baseline_quality import plain_dedup

REPEAT_KINDS = {
    "exact-cross": "exact copy in a later article",
    "exact-in-article": "exact copy later in the same article",
    "doubled-title": "title repeated right after itself",
    "distant-title": "title repeated further down its article",
    "block": "body pasted twice (paragraphs)",
    "reflowed": "article republished, one paragraph split, two joined",
    "typo": "1-3 letter slips",
    "ocr": "OCR letter confusions (no digits)",
    "filler": "filler words inserted / deleted",
    "number-format": "5000 <-> 5,000",
    "truncated": "first 60-90% of a paragraph",
    "cosmetic": "case / spaces / wrap / quotes / dashes",
    "attribution": "source added to a copy: the ORIGINAL goes",
    "boilerplate": "footer in many files (all removed)",
}
# Kinds whose expected removal is the original, its injected copy the kept
# twin: the copy adds a source, and the engine keeps the side with the source.
ORIGINAL_GOES = {"attribution"}
KEEP_KINDS = {
    "number-changed": "one number changed",
    "name-swapped": "one name swapped for another",
    "template": "all numbers and a name changed",
    "short-line": "short line in two files",
    "negation": "'not' inserted",
    "modifier": "a word added before a noun / an adjective dropped",
    "tense": "a tense / modality marker replaced",
    "list-order": "two names trade places",
    "truncated-facts": "truncated copy whose lost tail has a number / name",
    "unsaid": "'said' replaced by 'denied' (a reporting verb by none)",
    "respelled-number": "a number in words replaced by another in digits",
    "context-sentence": "10-19 word sentence copied into another story",
    "leaning": "paragraph opening 'He'/'It'/'The company' copied into another story",
    "corpus": "real paragraphs (same-topic articles)",
}
NEAR_GENERATORS = {
    "typo": inject.typo,
    "ocr": inject.ocr,
    "filler": inject.filler,
    "number-format": inject.number_format,
    "truncated": inject.truncate,
    "cosmetic": inject.cosmetic,
}
LOOKALIKE_GENERATORS = {
    "modifier": lambda text, rng, known: inject.modifier(text, rng),
    "tense": lambda text, rng, known: inject.tense(text, rng),
    "list-order": inject.reorder_names,
    "truncated-facts": inject.truncate_with_facts,
    "unsaid": lambda text, rng, known: inject.unsay(text, rng),
    "respelled-number": lambda text, rng, known: inject.respell_number(text, rng),
}
CROSS_SHARE = 0.8      # share of exact copies / siblings put in another article
# At most this share of an article's characters is copied into other articles,
# and into one target at most this share of the target's: past it the two read
# as one story republished (dedup.decisions.articles), which changes what is kept.
CROSS_CAP = 0.5
REFLOWED_SUFFIX = "-reflowed"   # name + suffix sorts right after the name: the copy comes second


@dataclass
class Item:
    """One injected paragraph."""

    id: int
    kind: str
    repeat: bool                      # True: the engine should remove it
    text: str
    doc: str                          # article it is inserted into
    anchor: int                       # inserted after this base paragraph (-1: before all)
    priority: int = 0                 # order among items after the same paragraph
    original: tuple[str, int] | None = None   # the base paragraph it copies / mimics
    group: str = ""                   # footer or short line it belongs to


@dataclass
class Plan:
    base: dict[str, list[str]]
    items: list[Item] = field(default_factory=list)
    sources: dict[tuple[str, int], str] = field(default_factory=dict)  # base para -> kind
    # base para -> ids of the items copying it (a split paragraph has two)
    copies_of: dict[tuple[str, int], list[int]] = field(
        default_factory=lambda: defaultdict(list))
    new_docs: set[str] = field(default_factory=set)   # articles made of items only


# --- articles --------------------------------------------------------------

_BLANK_INSIDE = re.compile(r"\n[ \t]*\r?\n")


def _paragraphs(text: str) -> list[str] | None:
    if not _BLANK_INSIDE.search(text.strip()):
        return None
    paras = [p.text for p in split_paragraphs(split_lines(text))]
    return paras if len(paras) >= 3 else None


def load_articles(names: list[str], count: int, rng: random.Random) -> dict[str, list[str]] | None:
    """``count`` articles with at least three paragraphs, shared among the corpora."""
    loaders = {"bbc": corpora.bbc, "reuters": corpora.reuters, "spam": corpora.spamassassin}
    pools = []
    for name in names:
        loaded = loaders[name]()
        if loaded is None:
            print(f"corpus {name!r} not found under {corpora.ROOT}; skipped", file=sys.stderr)
            continue
        pool = [(n, p) for n, t in loaded if (p := _paragraphs(t)) is not None]
        rng.shuffle(pool)
        pools.append(pool)
    if not pools:
        return None
    chosen: list[tuple[str, list[str]]] = []
    want = count
    for k, pool in enumerate(sorted(pools, key=len)):  # small corpora first, rest fill up
        share = want // (len(pools) - k)
        chosen.extend(pool[:share])
        want -= min(share, len(pool))
    return dict(sorted(chosen))


def render(paras: list[str]) -> str:
    return "\n\n".join(paras) + "\n"


# --- planning the injections -----------------------------------------------

class Planner:
    def __init__(self, base: dict[str, list[str]], clean: set[tuple[str, int]],
                 targets: list[str], norms: Counter, rng: random.Random, count: int,
                 min_words: int, context_words: int):
        self.plan = Plan(base)
        self.base = base
        self.clean = clean
        self.targets = list(targets)      # sorted names of articles fit to receive copies
        self.norms = norms
        self.rng = rng
        self.count = count
        self.min_words = min_words
        self.context_words = context_words
        self.pool = sorted(clean)
        rng.shuffle(self.pool)
        pool_names = inject.name_pool(p for paras in base.values() for p in paras)
        self.names = pool_names
        self.known_names = frozenset(pool_names)
        self.chars = {name: sum(len(normalize(p)) for p in paras) for name, paras in base.items()}
        self.copied_out: Counter = Counter()          # article -> chars copied elsewhere
        self.copied_into: Counter = Counter()         # (article, target) -> chars copied

    def _add(self, **kw) -> Item:
        item = Item(id=len(self.plan.items), **kw)
        self.plan.items.append(item)
        if item.original is not None:
            self.plan.copies_of[item.original].append(item.id)
            if item.doc in self.chars and item.doc != item.original[0]:
                size = len(normalize(item.text))
                self.copied_out[item.original[0]] += size
                self.copied_into[(item.original[0], item.doc)] += size
        return item

    def _use(self, ref: tuple[str, int], kind: str) -> None:
        self.clean.discard(ref)
        self.plan.sources[ref] = kind

    def _later_target(self, name: str, text: str) -> str | None:
        """A random article after ``name`` that may take ``text``, copied from
        ``name``, within CROSS_CAP (None if there is none)."""
        later = self.targets[bisect.bisect_right(self.targets, name):]
        size = len(normalize(text))
        if not later or self.copied_out[name] + size > CROSS_CAP * self.chars[name]:
            return None
        for _ in range(10):
            target = self.rng.choice(later)
            if self.copied_into[(name, target)] + size <= CROSS_CAP * self.chars[target]:
                return target
        return None

    def _place(self, ref: tuple[str, int], cross: bool, text: str) -> tuple[str, int]:
        """Target article and anchor for ``text``, a copy of ``ref``, that
        keeps ``ref`` first: in a later article if ``cross`` and one may take it."""
        name, idx = ref
        target = self._later_target(name, text) if cross else None
        if target is None:
            return name, self.rng.randint(idx, len(self.base[name]) - 1)
        return target, self.rng.randint(0, len(self.base[target]) - 1)

    def _sources(self, min_words: int | None = None, min_chars: int = 30, titles: bool = False):
        min_words = self.min_words if min_words is None else min_words
        for ref in self.pool:
            if ref not in self.clean or (ref[1] == 0) != titles:
                continue
            text = self.base[ref[0]][ref[1]]
            norm = normalize(text)
            if word_count(norm) < min_words or len(norm) < min_chars:
                continue
            yield ref, text

    def _fresh(self, text: str) -> bool:
        return normalize(text) not in self.norms

    @staticmethod
    def _words(text: str) -> int:
        return word_count(normalize(text))

    def _may_cross(self, kind: str, text: str, copy: str) -> bool:
        """Whether a copy of ``text`` is still a repeat in another article."""
        # Fewer than context_words words may take their subject from the story.
        if min(self._words(text), self._words(copy)) < self.context_words:
            return False
        # So may a paragraph that opens with "He", "It", "The company" ...
        if leans(text) or leans(copy):
            return False
        # A cut that lost numbers, names or dates may be about another subject.
        return kind != "truncated" or inject.cut_loses_only_words(text, copy)

    def _later_anchor(self, ref: tuple[str, int], text: str) -> tuple[str, int] | None:
        """A later article and an anchor in it for ``text``, made from ``ref``."""
        target = self._later_target(ref[0], text)
        if target is None:
            return None
        return target, self.rng.randint(0, len(self.base[target]) - 1)

    def copies(self, kind: str, cross: bool | None) -> None:
        made = 0
        for ref, text in self._sources():
            if made == self.count:
                break
            if kind in NEAR_GENERATORS:
                copy = NEAR_GENERATORS[kind](text, self.rng)
                if copy is None or (kind != "cosmetic" and not self._fresh(copy)):
                    continue
                if word_count(normalize(copy)) < self.min_words:
                    continue
            else:
                copy = text
            # A near copy (not cosmetic: that one is exact once normalised) in
            # another story goes only in context (Config.near_context): such
            # copies stay in their own article, and test verification.
            may = kind not in NEAR_GENERATORS or kind == "cosmetic"
            here = cross if cross is not None else may and self.rng.random() < CROSS_SHARE
            if here and not self._may_cross(kind, text, copy):
                if cross:
                    continue       # exact-cross is cross by name: long sources only
                here = False       # a repeat only in its own article
            if kind == "exact-in-article" and ref[1] == len(self.base[ref[0]]) - 1:
                continue
            doc, anchor = self._place(ref, here, copy)
            if cross and doc == ref[0]:
                continue           # no later article may take it
            self._use(ref, kind)
            self._add(kind=kind, repeat=True, text=copy, doc=doc, anchor=anchor, original=ref)
            made += 1

    def doubled_titles(self) -> None:
        made = 0
        for ref, text in self._sources(min_words=1, min_chars=1, titles=True):
            if made == self.count:
                break
            if ref[0] not in self._target_set:
                continue
            self._use(ref, "doubled-title")
            self._add(kind="doubled-title", repeat=True, text=text, doc=ref[0], anchor=0,
                      priority=-1, original=ref)
            made += 1

    def distant_titles(self) -> None:
        """Titles said again further down their article: after paragraph 1
        or 2, or at its end (not right after the title: doubled_titles)."""
        made = 0
        for ref, text in self._sources(min_words=1, min_chars=1, titles=True):
            if made == self.count:
                break
            if ref[0] not in self._target_set:
                continue
            last = len(self.base[ref[0]]) - 1
            anchor = self.rng.choice(sorted({1, 2, last} & set(range(1, last + 1))))
            self._use(ref, "distant-title")
            self._add(kind="distant-title", repeat=True, text=text, doc=ref[0], anchor=anchor,
                      original=ref)
            made += 1

    def attributions(self) -> None:
        """Copies with a source added, later in their own article (a near copy
        in another story goes only in context). The engine keeps the
        side with the source, so the expected removal is the original
        (ORIGINAL_GOES), although it comes first."""
        made = 0
        for ref, text in self._sources(min_words=self.context_words):
            if made == self.count:
                break
            if leans(text):
                continue
            copy = inject.attribute(text, self.rng)
            if copy is None or not self._fresh(copy):
                continue
            if ref[1] == len(self.base[ref[0]]) - 1:
                continue           # the copy goes after it in its own article
            where = self._place(ref, False, copy)
            self._use(ref, "attribution")
            self._add(kind="attribution", repeat=True, text=copy, doc=where[0],
                      anchor=where[1], original=ref)
            made += 1

    def reflowed(self) -> None:
        """Whole articles republished under a name that sorts after the
        original's, one paragraph split in two at a sentence break and two
        consecutive paragraphs joined into one. Every paragraph of the copy
        repeats its original; a joined one the first of its two. The original
        takes no other injection: its paragraphs must stand as they are copied
        (two joined paragraphs consecutive)."""
        made = 0
        names = list(self.targets)
        self.rng.shuffle(names)
        receiving = {item.doc for item in self.plan.items}
        for name in names:
            if made >= self.count:
                break
            if name in receiving:
                continue
            paras = self.base[name]
            last = len(paras) - 1
            while last > 0 and (name, last) not in self.clean and self._words(paras[last]) <= 2:
                last -= 1              # a sign-off the base run removed is not republished
            refs = [(name, i) for i in range(last + 1)]
            if not 4 <= len(refs) <= 12 or any(r not in self.clean for r in refs):
                continue
            # The title stays whole; the split paragraph is not one of the joined two.
            splittable = [i for i in range(1, last + 1) if inject.sentence_breaks(paras[i])]
            if not splittable:
                continue
            split = self.rng.choice(splittable)
            joinable = [i for i in range(1, last) if split not in (i, i + 1)]
            if not joinable:
                continue
            join = self.rng.choice(joinable)
            # (text, original) of each paragraph of the copy, in order.
            layout: list[tuple[str, tuple[str, int]]] = []
            for i in range(last + 1):
                if i == split:
                    first, second = inject.split_sentences(paras[i], self.rng)
                    layout += [(first, (name, i)), (second, (name, i))]
                elif i == join:
                    layout.append((paras[i] + " " + paras[i + 1], (name, i)))
                elif i != join + 1:
                    layout.append((paras[i], (name, i)))
            copy_name = name + REFLOWED_SUFFIX
            self.plan.new_docs.add(copy_name)
            self.targets.remove(name)          # no later copy is put into the original
            self._target_set.discard(name)
            for ref in refs:
                self._use(ref, "reflowed")
            for k, (text, ref) in enumerate(layout):
                item = self._add(kind="reflowed", repeat=True, text=text, doc=copy_name,
                                 anchor=-1, priority=k, original=ref)
                if ref == (name, join):    # the joined paragraph copies the next one too
                    self.plan.copies_of[(name, join + 1)].append(item.id)
            made += len(layout)

    def blocks(self) -> None:
        made, wanted = 0, max(1, self.count // 4)
        names = list(self.targets)
        self.rng.shuffle(names)
        for name in names:
            if made == wanted:
                break
            paras = self.base[name]
            last = len(paras) - 1
            while last > 0 and (name, last) not in self.clean and word_count(
                    normalize(paras[last])) <= 2:
                last -= 1              # a sign-off the base run removed is not pasted
            body = [(name, i) for i in range(1, last + 1)]
            if not 2 <= len(body) <= 10 or any(r not in self.clean for r in body):
                continue
            for k, ref in enumerate(body):
                self._use(ref, "block")
                self._add(kind="block", repeat=True, text=paras[ref[1]], doc=name,
                          anchor=len(paras) - 1, priority=1 + k, original=ref)
            made += 1

    def boilerplate(self) -> None:
        footers = [f for f in inject.FOOTERS if self._fresh(f)]
        per = max(5, self.count // max(1, len(footers)))
        for i, footer in enumerate(footers):
            chosen = sorted(self.rng.sample(self.targets, min(per, len(self.targets))))
            for j, name in enumerate(chosen):
                text = footer
                if i == 1 and j == 0:
                    text = footer.upper()   # one footer first met in capitals, on purpose
                elif self.rng.random() < 0.25:
                    text = self.rng.choice((footer.upper(), footer + "  ", "  " + footer))
                self._add(kind="boilerplate", repeat=True, text=text, doc=name,
                          anchor=len(self.base[name]) - 1, priority=1000, group=footer)

    def short_lines(self) -> None:
        lines = [s for s in inject.SHORT_LINES if self._fresh(s)]
        for line in lines[:max(1, self.count // 2)]:
            for name in sorted(self.rng.sample(self.targets, 2)):
                anchor = self.rng.randint(0, len(self.base[name]) - 1)
                self._add(kind="short-line", repeat=False, text=line, doc=name, anchor=anchor,
                          group=line)

    def siblings(self, kind: str) -> None:
        made = 0
        for ref, text in self._sources():
            if made == self.count:
                break
            if kind == "number-changed":
                other = inject.change_number(text, self.rng)
            elif kind == "name-swapped":
                other = inject.swap_name(text, self.rng, self.names, self.known_names)
            elif kind == "template":
                other = inject.template(text, self.rng, self.names, self.known_names)
            else:
                other = inject.negate(text, self.rng)
            if other is None or not self._fresh(other):
                continue
            doc, anchor = self._place(ref, self.rng.random() < CROSS_SHARE, other)
            self._use(ref, kind)
            self._add(kind=kind, repeat=False, text=other, doc=doc, anchor=anchor, original=ref)
            made += 1

    def lookalikes(self, kind: str) -> None:
        """Non-repeats that differ in one fact (LOOKALIKE_GENERATORS), in a
        later article. Source and look-alike have at least context_words
        words: a shorter one is kept by the context rule anyway and would
        test nothing."""
        def lookalike(text: str) -> str | None:
            if leans(text):
                return None
            other = LOOKALIKE_GENERATORS[kind](text, self.rng, self.known_names)
            if other is None or not self._fresh(other) or self._words(other) < self.context_words:
                return None
            return other
        self._copies_elsewhere(kind, self._sources(min_words=self.context_words), lookalike)

    def context_sentences(self) -> None:
        """Exact copies of paragraphs of short_words to context_words - 1
        words in a later, unrelated article: such a sentence may take its
        subject from its story, so it must stay."""
        self._copies_elsewhere("context-sentence", self._sources(),
                               lambda text: text if self._words(text) < self.context_words
                               else None)

    def leaning(self) -> None:
        """Exact copies of paragraphs of at least context_words words that
        open leaning on their story ("He said ...", "The company ...") in a
        later, unrelated article: the subject is another there, so they stay."""
        self._copies_elsewhere("leaning", self._sources(min_words=self.context_words),
                               lambda text: text if leans(text) == LEANS_OPENING else None)

    def _copies_elsewhere(self, kind: str, sources, make) -> None:
        """``make(source)`` (None: not this one) placed in later, unrelated
        articles, as non-repeats of ``kind``."""
        made = 0
        for ref, text in sources:
            if made == self.count:
                break
            other = make(text)
            if other is None:
                continue
            where = self._later_anchor(ref, other)
            if where is None:
                continue
            self._use(ref, kind)
            self._add(kind=kind, repeat=False, text=other, doc=where[0], anchor=where[1],
                      original=ref)
            made += 1

    def run(self) -> Plan:
        self._target_set = set(self.targets)
        # Kinds that need rarer paragraphs (whole untouched articles, big
        # numbers, names) pick first.
        self.reflowed()
        self.copies("number-format", None)
        self.siblings("template")
        self.siblings("name-swapped")
        self.siblings("number-changed")
        self.siblings("negation")
        for kind in ("list-order", "truncated-facts", "tense", "modifier", "unsaid",
                     "respelled-number"):
            self.lookalikes(kind)
        self.context_sentences()
        self.leaning()
        self.blocks()
        self.doubled_titles()
        self.distant_titles()
        self.copies("truncated", None)
        self.copies("exact-cross", True)
        self.copies("exact-in-article", False)
        for kind in ("typo", "ocr", "filler", "cosmetic"):
            self.copies(kind, None)
        self.attributions()
        self.boilerplate()
        self.short_lines()
        return self.plan


# --- building the injected corpus -------------------------------------------

Ref = tuple[int, int]


@dataclass
class Built:
    texts: dict[str, str]
    origin: dict[Ref, tuple]          # (doc, para) -> ("base", name, idx) | ("item", id)
    base_pos: dict[tuple[str, int], Ref]
    item_pos: dict[int, Ref]


def build(plan: Plan) -> Built:
    by_doc: dict[str, list[Item]] = defaultdict(list)
    for item in plan.items:
        by_doc[item.doc].append(item)
    names = sorted(set(plan.base) | plan.new_docs)
    texts, origin, base_pos, item_pos = {}, {}, {}, {}
    for d, name in enumerate(names):
        queue = sorted(by_doc.get(name, ()), key=lambda it: (it.anchor, it.priority, it.id))
        paras: list[str] = []
        q = 0

        def insert_items(after: int) -> None:
            nonlocal q
            while q < len(queue) and queue[q].anchor == after:
                item_pos[queue[q].id] = (d, len(paras))
                origin[(d, len(paras))] = ("item", queue[q].id)
                paras.append(queue[q].text)
                q += 1

        insert_items(-1)               # a new article is made of these only
        for k, para in enumerate(plan.base.get(name, ())):
            base_pos[(name, k)] = (d, len(paras))
            origin[(d, len(paras))] = ("base", name, k)
            paras.append(para)
            insert_items(k)
        if q != len(queue):
            raise RuntimeError(f"{name}: {len(queue) - q} items anchored past its end")
        texts[name] = render(paras)
        split = split_paragraphs(split_lines(texts[name]))
        if len(split) != len(paras):
            raise RuntimeError(f"{name}: injected text splits into {len(split)} paragraphs, "
                               f"expected {len(paras)}")
    return Built(texts, origin, base_pos, item_pos)


# --- running the systems ------------------------------------------------------

@dataclass
class Removed:
    kept: Ref
    kind: str
    score: float
    detail: str = ""


def run_engine(texts: dict[str, str], cfg: Config):
    result = scan_texts(texts, cfg)
    removals = {(r.doc, r.para): Removed((v.kept.doc, v.kept.para), v.kind, v.score, v.detail)
                for r, v in result.removals.items()}
    return removals, result


def run_baseline(texts: dict[str, str]) -> dict[Ref, Removed]:
    return {r: Removed(kept, "plain", score) for r, (kept, score) in plain_dedup(texts).items()}


def base_refs(removals: dict[Ref, Removed], names: list[str]):
    """Removed and involved (removed or kept twin) base paragraphs by (name, idx)."""
    removed = {(names[d], p) for d, p in removals}
    involved = removed | {(names[r.kept[0]], r.kept[1]) for r in removals.values()}
    return removed, involved


# --- scoring --------------------------------------------------------------------

@dataclass
class Score:
    injected: Counter = field(default_factory=Counter)
    found: Counter = field(default_factory=Counter)
    wrong: Counter = field(default_factory=Counter)        # attributed wrong removals
    wrong_twin: Counter = field(default_factory=Counter)
    reversed: Counter = field(default_factory=Counter)     # original removed for its copy
    how: dict = field(default_factory=lambda: defaultdict(Counter))  # engine kinds of finds
    at_risk: Counter = field(default_factory=Counter)      # non-repeat paragraphs
    removed_total: int = 0
    uncontrolled: int = 0
    misses: dict = field(default_factory=lambda: defaultdict(list))
    wrongs: dict = field(default_factory=lambda: defaultdict(list))

    def table(self) -> dict:
        rows = {}
        for kind in REPEAT_KINDS:
            tp, fp, n = self.found[kind], self.wrong[kind], self.injected[kind]
            rows[kind] = _prf(tp, fp, n) | {"injected": n, "found": tp, "wrong": fp,
                                            "wrong_twin": self.wrong_twin[kind],
                                            "reversed": self.reversed[kind],
                                            "as": dict(self.how[kind])}
        tp = sum(self.found[k] for k in REPEAT_KINDS)
        n = sum(self.injected[k] for k in REPEAT_KINDS)
        rows["overall"] = _prf(tp, self.removed_total - tp, n) | {
            "injected": n, "found": tp, "wrong": self.removed_total - tp,
            "reversed": sum(self.reversed.values())}
        rows["macro"] = {
            m: round(sum(rows[k][m] for k in REPEAT_KINDS if self.injected[k])
                     / max(1, sum(1 for k in REPEAT_KINDS if self.injected[k])), 4)
            for m in ("precision", "recall", "f1")}
        keep = {k: {"paragraphs": self.at_risk[k], "wrongly_removed": self.wrong[k]}
                for k in KEEP_KINDS}
        return {"repeats": rows, "non_repeats": keep, "uncontrolled_removals": self.uncontrolled}


def _prf(tp: int, fp: int, n: int) -> dict:
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / n if n else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4)}


def score(plan: Plan, built: Built, removals: dict[Ref, Removed],
          base_removed: set[tuple[str, int]]) -> Score:
    s = Score()
    items = plan.items
    first_of_group: dict[str, Ref] = {}
    for item in items:
        if item.kind == "boilerplate":
            pos = built.item_pos[item.id]
            if item.group not in first_of_group or pos < first_of_group[item.group]:
                first_of_group[item.group] = pos

    def expected(item: Item) -> Ref:
        """The twin the engine should keep for a removed copy of ``item``."""
        if item.kind == "boilerplate":
            return first_of_group[item.group]
        return built.base_pos[item.original]

    def expected_pair(item: Item) -> tuple[Ref, Ref]:
        """(paragraph that should go, twin it should name) for a repeat item:
        for ORIGINAL_GOES kinds the original goes, its copy is the twin."""
        if item.kind in ORIGINAL_GOES:
            return built.base_pos[item.original], built.item_pos[item.id]
        return built.item_pos[item.id], expected(item)

    for item in items:
        if item.repeat:
            s.injected[item.kind] += 1
        else:
            s.at_risk[item.kind] += 1 + (item.original is not None)
    for ref, origin in built.origin.items():
        if origin[0] == "base" and (origin[1], origin[2]) not in base_removed \
                and (origin[1], origin[2]) not in plan.sources:
            s.at_risk["corpus"] += 1

    for ref, rem in sorted(removals.items()):
        origin = built.origin[ref]
        if origin[0] == "base":
            key = (origin[1], origin[2])
            if key in base_removed:
                s.uncontrolled += 1
                continue
            s.removed_total += 1
            kind = plan.sources.get(key, "corpus")
            copies = {built.item_pos[i] for i in plan.copies_of.get(key, ())}
            if kind in ORIGINAL_GOES and rem.kept in copies:
                # The expected removal of this kind: found, neither wrong nor (rev).
                s.found[kind] += 1
                s.how[kind][rem.kind] += 1
                continue
            s.wrong[kind] += 1
            if kind not in REPEAT_KINDS:
                what = "wrongly removed"
            elif kind in ORIGINAL_GOES:
                what = "original removed, pointing elsewhere than its copy"
            elif rem.kept in copies:
                what = "original removed in favour of its copy"
                s.reversed[kind] += 1
            else:
                what = "original removed"
            s.wrongs[kind].append((ref, rem, what))
            continue
        s.removed_total += 1
        item = items[origin[1]]
        if not item.repeat:
            s.wrong[item.kind] += 1
            s.wrongs[item.kind].append((ref, rem, "wrongly removed"))
        elif item.kind in ORIGINAL_GOES:
            s.wrong[item.kind] += 1
            s.wrongs[item.kind].append((ref, rem, "copy with the source removed"))
        elif rem.kept == expected(item):
            s.found[item.kind] += 1
            s.how[item.kind][rem.kind] += 1
        else:
            s.wrong[item.kind] += 1
            s.wrong_twin[item.kind] += 1
            s.wrongs[item.kind].append((ref, rem, "points at the wrong twin"))
    for item in items:
        if item.repeat:
            gone, twin = expected_pair(item)
            if gone not in removals:
                s.misses[item.kind].append((gone, twin))
    return s


# --- explaining misses ------------------------------------------------------------

def _extra_facts(more: str, less: str) -> str:
    """Names and date words the engine finds in ``more`` but not in ``less``."""
    try:
        from dedup.text.normalize import dates, names
    except ImportError:
        return ""
    extra = (sorted(names(more) - names(less))
             + sorted(dates(normalize(more)) - dates(normalize(less))))
    return ", ".join(extra)


def diagnose(kind: str, copy: str, orig: str, cfg: Config, result=None,
             orig_ref: Ref | None = None) -> tuple[str, str]:
    """Why the engine may have left ``copy`` of ``orig`` in place: (category, detail).

    ``copy`` is the paragraph that should have gone, ``orig`` the twin it
    should name: for ORIGINAL_GOES kinds, the original and its attributed copy.
    Replays the engine's own stages on the pair (size limits, ``verify``, LSH
    bands, the opening key); any failure of these internals only loses the
    diagnosis, never the score.
    """
    try:
        from dedup.fingerprints.candidates import prefix_keys
        from dedup.fingerprints.fingerprint import band_keys, jaccard, lsh_params, signatures
        from dedup.verification.verify import verify
        if result is not None and orig_ref is not None:
            gone = result.removals.get(EngineRef(*orig_ref))
            if gone is not None:
                docs = result.documents
                extra = _extra_facts(copy, orig)
                twin = "attributed copy" if kind in ORIGINAL_GOES else "original"
                return (f"{twin} removed instead",
                        f"{twin} removed as {gone.kind} {gone.score:g} {gone.detail}".rstrip()
                        + f" of {docs[gone.kept.doc].path}#{gone.kept.para}"
                        + (f"; names/dates only in the copy: {extra}" if extra else ""))
        nc, no = normalize(copy), normalize(orig)
        words = word_count(nc)
        if kind == "boilerplate" and result is not None:
            if not any(normalize(b.text) == nc for b in result.boilerplate):
                first_caps = orig.strip().isupper()
                return ("not taken as boilerplate",
                        f"{words} words; its first occurrence is "
                        + ("in capitals" if first_caps else "not in capitals"))
        if nc == no:
            if words < cfg.short_words:
                return ("short, not beside twin",
                        f"exact, {words} words < short_words {cfg.short_words}")
            return "exact yet kept (decision stage)", ""
        if len(nc) < cfg.near_min_chars:
            return "too short for near", f"{len(nc)} chars < near_min_chars {cfg.near_min_chars}"
        verdict = verify(nc, no, copy, orig, cfg)
        if not verdict:
            reason = verdict.reason
            head = reason.split(":")[0] if ":" in reason else reason.split(" ")[0]
            return f"verify rejects ({head})", reason
        sigs = signatures([nc, no], cfg.shingle_size, cfg.num_perm, cfg.seed)
        bands, rows = lsh_params(cfg.lsh_threshold, cfg.num_perm)
        keys = band_keys(sigs, bands, rows)
        prefixes = prefix_keys([nc, no])
        if not (keys[0] == keys[1]).any() and not (prefixes[0] and prefixes[0] == prefixes[1]):
            return ("never an LSH candidate",
                    f"estimated Jaccard {jaccard(sigs[0], sigs[1]):.2f}, no shared band "
                    f"({bands}x{rows}) nor 40-char opening; verify would say '{verdict.reason}'")
        removable = getattr(verdict, "removable", (True, True))
        if not removable[0]:
            extra = _extra_facts(copy, orig)
            return ("copy may not be removed", f"'{verdict.reason}' but the copy holds more"
                    + (f" (names/dates: {extra})" if extra else " (the fuller text)"))
        if words < cfg.short_words:
            return "short, not beside twin", f"verified ({verdict.reason}), {words} words"
        return "candidate and verified, yet kept", verdict.reason
    except Exception as exc:  # the engine's internals changed: no diagnosis
        return "no diagnosis", f"{type(exc).__name__}: {exc}"


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def excerpt(text: str, width: int = 70) -> str:
    flat = _flat(text)
    return flat if len(flat) <= width else flat[:width - 3] + "..."


def difference(a: str, b: str, width: int = 36) -> str:
    """Where two texts first differ, with a little context of each."""
    fa, fb = _flat(a), _flat(b)
    i = 0
    while i < min(len(fa), len(fb)) and fa[i] == fb[i]:
        i += 1
    if i == len(fa) == len(fb):
        return "identical"
    lo = max(0, i - 12)
    return f"@{i}: {fa[lo:lo + width]!r} vs {fb[lo:lo + width]!r}"


def examples(plan: Plan, built: Built, s: Score, result, cfg: Config, limit: int) -> dict:
    docs = result.documents
    paragraph = lambda ref: docs[ref[0]].paragraphs[ref[1]].text  # noqa: E731
    where = lambda ref: f"{docs[ref[0]].path}#{ref[1]}"  # noqa: E731
    out = {"misses": {}, "wrong": {}}
    for kind, misses in s.misses.items():
        rows, why = [], Counter()
        for k, (ref, want) in enumerate(misses):
            copy, orig = paragraph(ref), paragraph(want)
            category, detail = diagnose(kind, copy, orig, cfg, result, want)
            why[category] += 1
            if k < limit:
                rows.append({"copy": where(ref), "original": where(want),
                             "relation": ("original of" if kind in ORIGINAL_GOES
                                          else "copy of"),
                             "copy_text": excerpt(copy), "change": difference(orig, copy),
                             "chars": len(normalize(copy)), "words": word_count(normalize(copy)),
                             "why": f"{category}: {detail}" if detail else category})
        out["misses"][kind] = {"count": len(misses), "why": dict(why.most_common()),
                               "examples": rows}
    for kind, wrongs in s.wrongs.items():
        rows = []
        what_counts = Counter(w for _, _, w in wrongs)
        for ref, rem, what in wrongs[:limit]:
            extra = _extra_facts(paragraph(rem.kept), paragraph(ref))
            if extra:
                what += f"; names/dates only in the kept one: {extra}"
            rows.append({"removed": where(ref), "kept": where(rem.kept), "what": what,
                         "removed_text": excerpt(paragraph(ref)),
                         "kept_text": excerpt(paragraph(rem.kept)),
                         "change": difference(paragraph(rem.kept), paragraph(ref)),
                         "engine": f"{rem.kind} {rem.score:g} {rem.detail}".strip()})
        out["wrong"][kind] = {"count": len(wrongs), "what": dict(what_counts.most_common()),
                              "examples": rows}
    return out


def base_near(removals: dict[Ref, Removed], result, limit: int) -> list[dict]:
    """Near removals the engine makes in the uninjected corpus: unscored, to eyeball."""
    docs = result.documents
    text = lambda ref: docs[ref[0]].paragraphs[ref[1]].text  # noqa: E731
    out = []
    for ref, rem in sorted(removals.items()):
        if rem.kind != "near" or len(out) == limit:
            continue
        out.append({"removed": f"{docs[ref[0]].path}#{ref[1]}",
                    "kept": f"{docs[rem.kept[0]].path}#{rem.kept[1]}",
                    "engine": f"{rem.kind} {rem.score:g} {rem.detail}".strip(),
                    "change": difference(text(rem.kept), text(ref))})
    return out


# --- output -----------------------------------------------------------------------

def _f(x: float) -> str:
    return f"{x:5.3f}"


def print_tables(tables: dict[str, dict], report: dict) -> None:
    systems = list(tables)
    head = f"{'kind':<18}{'injected':>9}"
    sub = " " * 27
    for name in systems:
        head += f" | {'found':>6}{'wrong':>6}{'(rev)':>6}{'P':>7}{'R':>7}{'F1':>7}"
        sub += f" | {name[:39]:^39}"
    print("REPEATS: injected copies the engine should remove (paragraphs)")
    print(sub)
    print(head)
    print("-" * len(head))
    for kind in list(REPEAT_KINDS) + ["overall"]:
        if kind == "overall":
            print("-" * len(head))
        row = tables[systems[0]]["repeats"][kind]
        line = f"{kind:<18}{row['injected']:>9}"
        for name in systems:
            r = tables[name]["repeats"][kind]
            line += (f" | {r['found']:>6}{r['wrong']:>6}{r['reversed']:>6} {_f(r['precision'])}"
                     f" {_f(r['recall'])} {_f(r['f1'])}")
        print(line)
    line = f"{'macro average':<18}{'':>9}"
    for name in systems:
        m = tables[name]["repeats"]["macro"]
        line += f" | {'':>18} {_f(m['precision'])} {_f(m['recall'])} {_f(m['f1'])}"
    print(line)
    print("  found = copy removed and pointing at its original; wrong = copies of the kind")
    print("  removed pointing elsewhere plus its originals removed; (rev) = of those, originals")
    print("  removed in favour of their copy. Overall precision also counts the wrong removals")
    print("  of the non-repeats below. attribution: found = ORIGINAL removed pointing at its")
    print("  attributed copy (the side with the source is kept); the copy removed is wrong.")
    print()
    print("NON-REPEATS: paragraphs that must stay")
    head = f"{'kind':<18}{'paragraphs':>11}"
    for name in systems:
        head += f" | {name[:10] + ' wrongly removed':>26}"
    print(head)
    print("-" * len(head))
    for kind, what in KEEP_KINDS.items():
        row = tables[systems[0]]["non_repeats"][kind]
        line = f"{kind:<18}{row['paragraphs']:>11}"
        for name in systems:
            line += f" | {tables[name]['non_repeats'][kind]['wrongly_removed']:>26}"
        print(line + f"   ({what})")
    print("  paragraphs = injected siblings plus their originals (corpus: the real paragraphs")
    print("  the base run kept, minus those used as originals).")
    print()
    for name in systems:
        how = {k: tables[name]["repeats"][k].get("as") for k in REPEAT_KINDS}
        if any(how.values()) and name == systems[0]:
            print(f"{name}: how found copies were classified: " + "; ".join(
                f"{k} {' '.join(f'{a}={n}' for a, n in sorted(v.items()))}"
                for k, v in how.items() if v))
    for name, base in report["base_run"].items():
        print(f"{name}: removed in the uninjected base run (not scored): "
              + ", ".join(f"{k} {v}" for k, v in sorted(base.items())))
    overlap = report.get("base_run_overlap")
    if overlap:
        print("base run, paragraphs removed by only one system: "
              + ", ".join(f"{k} {v}" for k, v in overlap.items()))


def print_examples(ex: dict) -> None:
    print()
    def section(title: str, found: dict, kinds, verb: str, counts: str, lines) -> None:
        print(title)
        if not found:
            print("  none")
        for kind in kinds:
            if kind not in found:
                continue
            block = found[kind]
            print(f"  {kind}: {block['count']} {verb} - "
                  + "; ".join(f"{w} {n}" for w, n in block[counts].items()))
            for row in block["examples"]:
                for line in lines(row):
                    print(line)

    section("ENGINE MISSES (injected copies left in place)", ex["misses"], REPEAT_KINDS,
            "missed", "why", lambda row: (
                f"    - {row['copy']} ({row['relation']} {row['original']}, "
                f"{row['words']} words, {row['chars']} chars)",
                f"      change {row['change']}",
                f"      why: {row['why']}"))
    print()
    section("ENGINE WRONG REMOVALS", ex["wrong"], list(REPEAT_KINDS) + list(KEEP_KINDS),
            "wrong", "what", lambda row: (
                f"    - {row['removed']} removed as repeat of {row['kept']} "
                f"({row['what']}; {row['engine']})",
                f"      removed: {row['removed_text']!r}",
                f"      kept:    {row['kept_text']!r}",
                f"      change {row['change']}"))


# --- main ---------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.quality",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=2000,
                        help="articles to sample (default 2000)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--per-kind", type=int, default=None,
                        help="copies / siblings per kind (default articles/20)")
    parser.add_argument("--corpora", default="bbc,reuters",
                        help="comma-separated: bbc, reuters, spam (default bbc,reuters)")
    parser.add_argument("--examples", type=int, default=5, help="examples per kind (default 5)")
    parser.add_argument("--no-baseline", action="store_true", help="skip the plain baseline")
    parser.add_argument("--json", action="store_true", help="print machine-readable results only")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    timings: dict[str, float] = {}

    def lap(name: str, since: float) -> float:
        now = time.perf_counter()
        timings[name] = round(now - since, 2)
        return now

    rng = random.Random(args.seed)
    wanted = [c.strip() for c in args.corpora.split(",") if c.strip()]
    unknown = set(wanted) - {"bbc", "reuters", "spam"}
    if unknown:
        parser.error(f"unknown corpora: {', '.join(sorted(unknown))}")
    base = load_articles(wanted, args.articles, rng)
    if not base:
        print(f"no corpus found under {corpora.ROOT}; nothing to benchmark")
        return 0
    t = lap("load", started)
    cfg = Config()
    names = sorted(base)
    base_texts = {n: render(p) for n, p in base.items()}

    engine_base, base_result = run_engine(base_texts, cfg)
    t = lap("engine base run", t)
    systems = {"dedup": None} if args.no_baseline else {"dedup": None, "plain baseline": None}
    base_removals = {"dedup": engine_base}
    if not args.no_baseline:
        base_removals["plain baseline"] = run_baseline(base_texts)
        t = lap("baseline base run", t)

    removed_base, involved = {}, set()
    for name, rem in base_removals.items():
        removed_base[name], inv = base_refs(rem, names)
        involved |= inv
    norms = Counter(normalize(p) for paras in base.values() for p in paras)
    dirty_docs = {names[d] for (d, _), r in engine_base.items() if r.kind != "boilerplate"}
    dirty_docs |= {names[r.kept[0]] for r in engine_base.values() if r.kind != "boilerplate"}
    targets = [n for n in names if n not in dirty_docs]
    clean = {(n, i) for n in targets for i, p in enumerate(base[n])
             if (n, i) not in involved and norms[normalize(p)] == 1}

    per_kind = args.per_kind or max(10, args.articles // 20)
    # Copies and siblings are at least ``short_words`` words long: shorter lines
    # repeat, by design, only beside their twin or inside a run. Copies in
    # another article have ``context_words`` (see the module docstring).
    plan = Planner(base, clean, targets, norms, rng, per_kind, max(1, cfg.short_words),
                   cfg.context_words).run()
    built = build(plan)
    t = lap("inject", t)

    removals, result = run_engine(built.texts, cfg)
    systems["dedup"] = removals
    t = lap("engine run", t)
    if not args.no_baseline:
        systems["plain baseline"] = run_baseline(built.texts)
        t = lap("baseline run", t)

    scores = {name: score(plan, built, rem, removed_base[name]) for name, rem in systems.items()}
    tables = {name: s.table() for name, s in scores.items()}
    ex = examples(plan, built, scores["dedup"], result, cfg, args.examples)
    timings["total"] = round(time.perf_counter() - started, 2)
    report = {
        "settings": {"articles": len(base), "seed": args.seed, "per_kind": per_kind,
                     "corpora": wanted, "paragraphs_base": sum(len(p) for p in base.values()),
                     "paragraphs_injected": len(plan.items), "target_articles": len(targets),
                     "engine_config": cfg.settings()},
        "base_run": {name: dict(Counter(r.kind for r in rem.values()))
                     for name, rem in base_removals.items()},
        "results": tables,
        "examples": ex,
        "base_run_near": base_near(engine_base, base_result, args.examples),
        "base_run_overlap": ({f"only {name}": len(removed_base[name] - removed_base[other])
                              for name, other in (("dedup", "plain baseline"),
                                                  ("plain baseline", "dedup"))}
                             if len(removed_base) == 2 else {}),
        "seconds": timings,
    }
    if args.json:
        json.dump(report, sys.stdout, indent=2, ensure_ascii=False)
        print()
        return 0
    by_corpus = Counter(n.split("/")[0] for n in base)
    print(f"{len(base)} articles ({', '.join(f'{k} {v}' for k, v in sorted(by_corpus.items()))}), "
          f"{report['settings']['paragraphs_base']} paragraphs; "
          f"{len(plan.items)} paragraphs injected; seed {args.seed}, {per_kind} per kind")
    print()
    print_tables(tables, report)
    if args.examples:
        print_examples(ex)
        if report["base_run_near"]:
            print()
            print("BASE RUN near removals (uninjected corpus, not scored; for inspection)")
            for row in report["base_run_near"]:
                print(f"    - {row['removed']} as repeat of {row['kept']} ({row['engine']})")
                print(f"      change {row['change']}")
    print()
    print("seconds: " + ", ".join(f"{k} {v}" for k, v in timings.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
