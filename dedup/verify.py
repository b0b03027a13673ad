"""Verification: is a candidate pair really a repeat?

LSH only proposes pairs. A pair is a repeat when rapidfuzz's ``fuzz.ratio``
(normalised Indel similarity, 0-100) of the normalised texts reaches the
threshold, or when the shorter text is a truncated copy of the start of the
longer one, and in both cases the facts agree: the same numbers in the same
order (thousands separators ignored), no name swapped for another, the same
number of negations. Every outcome carries its reason, for ``dedup explain``
and the reports.
"""

from __future__ import annotations

from dataclasses import dataclass
from difflib import SequenceMatcher

from rapidfuzz import fuzz

from .config import Config
from .normalize import FUNCTION_WORDS, OPPOSITES, dates, names, negations, numbers

NEAR = "near"
TRUNCATED = "truncated"
_NAME_SIMILARITY = 75.0  # a typo in a name still counts as the same name
_WORD_SIMILARITY = 50.0  # below this a replaced word is another word, not a typo
_PUNCT = ".,;:!?\"'()[]<>-"


@dataclass(frozen=True, slots=True)
class Verdict:
    """Outcome of comparing two paragraphs.

    ``relation`` is "near", "truncated" or "" when they are not repeats;
    ``removable`` says which side may be removed as a repeat of the other:
    never the one that holds more (the full text of a truncated copy, or the
    side with a name the other lacks, as in "Noranda said ..." against "...").
    ``reason`` says why in words.
    """

    relation: str
    score: float
    reason: str
    removable: tuple[bool, bool] = (False, False)
    #: For a similar pair whose facts disagree, which: "numbers", "names",
    #: "dates", "negation", "words" or "opposite"; "" otherwise.
    differs: str = ""

    def __bool__(self) -> bool:
        return bool(self.relation)


def verify(norm_a: str, norm_b: str, text_a: str, text_b: str, cfg: Config) -> Verdict:
    """Compare two paragraphs given normalised and original texts."""
    threshold = cfg.near_threshold
    score = fuzz.ratio(norm_a, norm_b)
    relation = NEAR
    removable = (True, True)
    if score < threshold:
        a_short = len(norm_a) <= len(norm_b)
        short, long_ = (norm_a, norm_b) if a_short else (norm_b, norm_a)
        if len(short) < cfg.truncated_min_share * len(long_) or len(short) == len(long_):
            return Verdict("", round(score, 1), f"similarity {score:.1f} < {threshold:g}")
        prefix_score = fuzz.ratio(short, long_[:len(short)])
        if prefix_score < threshold:
            return Verdict("", round(score, 1),
                           f"similarity {score:.1f} < {threshold:g} "
                           f"(as a truncated copy {prefix_score:.1f})")
        relation, score, removable = TRUNCATED, prefix_score, (a_short, not a_short)
    if relation == TRUNCATED:
        facts = _truncation_facts(*((norm_a, text_a, norm_b, text_b) if removable[0]
                                    else (norm_b, text_b, norm_a, text_a)))
    else:
        facts, removable = _near_facts(norm_a, norm_b, text_a, text_b)
    if facts:
        return Verdict("", round(score, 1), facts, differs=facts.split()[0])
    what = "truncated copy" if relation == TRUNCATED else "near repeat"
    return Verdict(relation, round(score, 1), f"{what}: similarity {score:.1f} >= {threshold:g}",
                   removable)


def _truncation_facts(norm_s: str, text_s: str, norm_l: str, text_l: str) -> str:
    """Why a truncated copy states other facts than the start of the full text."""
    cut = len(norm_s)
    num_s, num_l = numbers(norm_s), numbers(norm_l[:cut + 1])
    if num_s != num_l[:len(num_s)] and not _cut_number(num_s, num_l, norm_s):
        return f"numbers differ: {_show(num_s)} vs {_show(num_l[:len(num_s)])}"
    if negations(norm_s) != negations(norm_l[:cut]):
        return "negation differs: one of them is negated"
    lost = _unmatched(names(text_s), names(text_l)) | (dates(norm_s) - dates(norm_l))
    if lost:
        return f"names differ: {', '.join(sorted(lost))} not in the longer text"
    # Both sides up to the last whole word of the copy.
    words_s = norm_s.split()[:-1]
    return _swapped_words(words_s, norm_l.split()[:len(words_s) + 2])


def _near_facts(norm_a: str, norm_b: str, text_a: str,
                text_b: str) -> tuple[str, tuple[bool, bool]]:
    """Why two similar texts state different facts ("" if they agree), and
    which of them may be removed without losing a name."""
    num_a, num_b = numbers(norm_a), numbers(norm_b)
    if num_a != num_b:
        return f"numbers differ: {_show(num_a)} vs {_show(num_b)}", (False, False)
    if negations(norm_a) != negations(norm_b):
        return "negation differs: one of them is negated", (False, False)
    dates_a, dates_b = dates(norm_a), dates(norm_b)
    if dates_a - dates_b and dates_b - dates_a:
        return (f"dates differ: {', '.join(sorted(dates_a - dates_b))} vs "
                f"{', '.join(sorted(dates_b - dates_a))}", (False, False))
    names_a, names_b = names(text_a), names(text_b)
    only_a = _unmatched(names_a, names_b) | (dates_a - dates_b)
    only_b = _unmatched(names_b, names_a) | (dates_b - dates_a)
    if only_a and only_b:
        return (f"names differ: {', '.join(sorted(only_a))} vs {', '.join(sorted(only_b))}",
                (False, False))
    return _swapped_words(norm_a.split(), norm_b.split()), (not only_a, not only_b)


def _content(words: list[str]) -> list[str]:
    return [w for w in (w.strip(_PUNCT) for w in words) if w and w not in FUNCTION_WORDS]


def _swapped_words(words_a: list[str], words_b: list[str]) -> str:
    """A content word replaced by an unrelated one ("wheat" for "soybeans").

    Typos and OCR noise change a few letters of a word; inserted or deleted
    words ("he said") are not replacements; function words ("a" for "the")
    do not change a fact. What is left is a different word, a different fact;
    so are look-alike opposites ("increase" for "decrease").
    """
    matcher = SequenceMatcher(None, words_a, words_b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op != "replace":
            continue
        old, new = _content(words_a[i1:i2]), _content(words_b[j1:j2])
        if not old or not new:
            continue
        opposite = next(((x, y) for x in old for y in new if frozenset((x, y)) in OPPOSITES), None)
        if opposite:
            return f"opposite words: '{opposite[0]}' vs '{opposite[1]}'"
        seg_a, seg_b = " ".join(old), " ".join(new)
        short, long_ = sorted((seg_a, seg_b), key=len)
        similarity = fuzz.ratio(seg_a, seg_b)
        if len(short) >= 4:
            similarity = max(similarity, fuzz.partial_ratio(short, long_))
        if similarity < _WORD_SIMILARITY:
            return f"words differ: '{seg_a}' vs '{seg_b}'"
    return ""


def _cut_number(num_s: list[str], num_l: list[str], norm_s: str) -> bool:
    """The copy was cut inside its last number (e.g. '5,0' of '5,000')."""
    if not num_s or not norm_s[-1:].isdigit() or len(num_l) < len(num_s):
        return False
    head, last = num_s[:-1], num_s[-1]
    return head == num_l[:len(head)] and num_l[len(num_s) - 1].startswith(last.replace(",", ""))


def _unmatched(mine: set[str], theirs: set[str]) -> set[str]:
    missing = mine - theirs
    return {n for n in missing
            if not any(fuzz.ratio(n, other) >= _NAME_SIMILARITY for other in theirs)}


def _show(values: list[str], most: int = 6) -> str:
    shown = ", ".join(values[:most]) + (", ..." if len(values) > most else "")
    return f"[{shown}]"
