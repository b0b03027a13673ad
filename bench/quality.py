"""Quality benchmark: known repeats and known non-repeats injected into real news.

    python -m bench.quality [--articles 2000] [--seed 1] [--json]

Articles are sampled from the BBC and Reuters corpora (``bench/corpora.py``;
``--corpora`` also takes ``spam``). Into them the benchmark injects, with a
fixed seed:

* repeats, which the engine should remove, each labelled with its kind:
  exact copies across articles and inside one article, doubled titles, bodies
  pasted twice (blocks), typos, OCR noise, inserted or deleted filler words,
  number formatting (5000 vs 5,000), truncated copies, case / whitespace /
  curly-quote changes, and boilerplate footers appended to many articles;
* non-repeats, which must stay: a number changed, a name swapped, templated
  siblings (other numbers and another name), short common lines shared by two
  files, negation flips, and the real paragraphs of the corpus themselves
  (many articles on the same topic, e.g. one BBC category).

The copies are placed so that the original is the occurrence kept under the
keep-first policy: in a file later in sorted name order, or later in the same
file. A removal counts as found only when it points at that original (for
boilerplate, at the footer's first occurrence); a removal pointing anywhere
else counts as wrong.

OCR noise never touches digits: the engine treats any changed digit as a
different number, hence different facts, so the classic l/1 or O/0 confusions
would make a copy that is, by design, not a repeat. Likewise every copy and
sibling (titles, footers and short lines aside) has at least the engine's
``short_words`` words: a shorter line only counts as a repeat beside its twin
or inside a run, on purpose.

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
from dedup.documents import split_lines, split_paragraphs
from dedup.model import Ref as EngineRef
from dedup.normalize import normalize, word_count

from . import corpora, inject
from .baseline_quality import plain_dedup

REPEAT_KINDS = {
    "exact-cross": "exact copy in a later article",
    "exact-in-article": "exact copy later in the same article",
    "doubled-title": "title repeated right after itself",
    "block": "body pasted twice (paragraphs)",
    "typo": "1-3 letter slips",
    "ocr": "OCR letter confusions (no digits)",
    "filler": "filler words inserted / deleted",
    "number-format": "5000 <-> 5,000",
    "truncated": "first 60-90% of a paragraph",
    "cosmetic": "case / spaces / wrap / quotes / dashes",
    "boilerplate": "footer in many files (all removed)",
}
KEEP_KINDS = {
    "number-changed": "one number changed",
    "name-swapped": "one name swapped for another",
    "template": "all numbers and a name changed",
    "short-line": "short line in two files",
    "negation": "'not' inserted",
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
CROSS_SHARE = 0.8      # share of near copies / siblings put in another article


@dataclass
class Item:
    """One injected paragraph."""

    id: int
    kind: str
    repeat: bool                      # True: the engine should remove it
    text: str
    doc: str                          # article it is inserted into
    anchor: int                       # inserted after this base paragraph
    priority: int = 0                 # order among items after the same paragraph
    original: tuple[str, int] | None = None   # the base paragraph it copies / mimics
    group: str = ""                   # footer or short line it belongs to


@dataclass
class Plan:
    base: dict[str, list[str]]
    items: list[Item] = field(default_factory=list)
    sources: dict[tuple[str, int], str] = field(default_factory=dict)  # base para -> kind
    copy_of: dict[tuple[str, int], int] = field(default_factory=dict)  # base para -> item id


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
                 min_words: int):
        self.plan = Plan(base)
        self.base = base
        self.clean = clean
        self.targets = targets            # sorted names of articles fit to receive copies
        self.norms = norms
        self.rng = rng
        self.count = count
        self.min_words = min_words
        self.pool = sorted(clean)
        rng.shuffle(self.pool)
        pool_names = inject.name_pool(p for paras in base.values() for p in paras)
        self.names = pool_names
        self.known_names = frozenset(pool_names)

    def _add(self, **kw) -> Item:
        item = Item(id=len(self.plan.items), **kw)
        self.plan.items.append(item)
        if item.original is not None:
            self.plan.copy_of[item.original] = item.id
        return item

    def _use(self, ref: tuple[str, int], kind: str) -> None:
        self.clean.discard(ref)
        self.plan.sources[ref] = kind

    def _later_target(self, name: str) -> str | None:
        k = bisect.bisect_right(self.targets, name)
        return self.rng.choice(self.targets[k:]) if k < len(self.targets) else None

    def _place(self, ref: tuple[str, int], cross: bool) -> tuple[str, int]:
        """Target article and anchor for a copy of ``ref`` that keeps ``ref`` first."""
        name, idx = ref
        target = self._later_target(name) if cross else None
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
            here = cross if cross is not None else self.rng.random() < CROSS_SHARE
            if kind == "exact-in-article" and ref[1] == len(self.base[ref[0]]) - 1:
                continue
            doc, anchor = self._place(ref, here)
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
            doc, anchor = self._place(ref, self.rng.random() < CROSS_SHARE)
            self._use(ref, kind)
            self._add(kind=kind, repeat=False, text=other, doc=doc, anchor=anchor, original=ref)
            made += 1

    def run(self) -> Plan:
        self._target_set = set(self.targets)
        # Kinds that need rarer paragraphs (big numbers, names) pick first.
        self.copies("number-format", None)
        self.siblings("template")
        self.siblings("name-swapped")
        self.siblings("number-changed")
        self.siblings("negation")
        self.blocks()
        self.doubled_titles()
        self.copies("truncated", None)
        self.copies("exact-cross", True)
        self.copies("exact-in-article", False)
        for kind in ("typo", "ocr", "filler", "cosmetic"):
            self.copies(kind, None)
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
    names = sorted(plan.base)
    texts, origin, base_pos, item_pos = {}, {}, {}, {}
    for d, name in enumerate(names):
        queue = sorted(by_doc.get(name, ()), key=lambda it: (it.anchor, it.priority, it.id))
        paras: list[str] = []
        q = 0
        for k, para in enumerate(plan.base[name]):
            base_pos[(name, k)] = (d, len(paras))
            origin[(d, len(paras))] = ("base", name, k)
            paras.append(para)
            while q < len(queue) and queue[q].anchor == k:
                item_pos[queue[q].id] = (d, len(paras))
                origin[(d, len(paras))] = ("item", queue[q].id)
                paras.append(queue[q].text)
                q += 1
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
        if item.kind == "boilerplate":
            return first_of_group[item.group]
        return built.base_pos[item.original]

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
            s.wrong[kind] += 1
            if kind not in REPEAT_KINDS:
                what = "wrongly removed"
            elif rem.kept == built.item_pos.get(plan.copy_of.get(key)):
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
        elif rem.kept == expected(item):
            s.found[item.kind] += 1
            s.how[item.kind][rem.kind] += 1
        else:
            s.wrong[item.kind] += 1
            s.wrong_twin[item.kind] += 1
            s.wrongs[item.kind].append((ref, rem, "points at the wrong twin"))
    for item in items:
        if item.repeat:
            ref = built.item_pos[item.id]
            if ref not in removals:
                s.misses[item.kind].append((ref, expected(item)))
    return s


# --- explaining misses ------------------------------------------------------------

def _extra_facts(more: str, less: str) -> str:
    """Names and date words the engine finds in ``more`` but not in ``less``."""
    try:
        from dedup.normalize import dates, names
    except ImportError:
        return ""
    extra = (sorted(names(more) - names(less))
             + sorted(dates(normalize(more)) - dates(normalize(less))))
    return ", ".join(extra)


def diagnose(kind: str, copy: str, orig: str, cfg: Config, result=None,
             orig_ref: Ref | None = None) -> tuple[str, str]:
    """Why the engine may have left ``copy`` of ``orig`` in place: (category, detail).

    Replays the engine's own stages on the pair (size limits, ``verify``, LSH
    bands, the opening key); any failure of these internals only loses the
    diagnosis, never the score.
    """
    try:
        from dedup.candidates import prefix_keys
        from dedup.fingerprint import band_keys, jaccard, lsh_params, signatures
        from dedup.verify import verify
        if result is not None and orig_ref is not None:
            gone = result.removals.get(EngineRef(*orig_ref))
            if gone is not None:
                docs = result.documents
                extra = _extra_facts(copy, orig)
                return ("original removed instead",
                        f"original removed as {gone.kind} {gone.score:g} {gone.detail}".rstrip()
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
    print("  of the non-repeats below.")
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
                f"    - {row['copy']} (copy of {row['original']}, {row['words']} words, "
                f"{row['chars']} chars)",
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
    # repeat, by design, only beside their twin or inside a run.
    plan = Planner(base, clean, targets, norms, rng, per_kind, max(1, cfg.short_words)).run()
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
