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

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

# difflib's SequenceMatcher compiled: the same opcodes (a test holds it to
# difflib's), at a fifth less of the fact checks' time.
from cydifflib import SequenceMatcher
from rapidfuzz import fuzz
from rapidfuzz.distance import OSA, Indel

from ..config import Config
from ..text import normalize
from ..text.normalize import COMMON_WORDS, DATE_WORDS_ALL, FUNCTION_WORDS, OPPOSITES

NEAR = "near"
TRUNCATED = "truncated"
#: The relation of two texts that say the same once one's attribution is cut.
ATTRIBUTION = "attribution"
_NAME_SIMILARITY = 70.0  # a typo in a name still counts as the same name
# Below this a replaced word is another word, not a typo: "tliis" / "this"
# (67) and "programme" / "program" pass; "accounts" / "agreements" (55),
# "april" / "march" and "oats" / "soybeans" do not.
_WORD_SIMILARITY = 60.0
_SHORT_TAIL_WORDS = 4    # at most this many words past a shorter text's end: an insertion


# The facts of one text, each taken once: a paragraph copied into many
# articles is verified against each copy, and its numbers, words and names
# are the same every time. Immutable values, so a cached one is never changed.
_CACHE = 1 << 14


@lru_cache(maxsize=_CACHE)
def numbers(norm: str) -> tuple[str, ...]:
    return tuple(normalize.numbers(norm))


@lru_cache(maxsize=_CACHE)
def digit_runs(norm: str) -> tuple[str, ...]:
    return tuple(normalize.digit_runs(norm))


@lru_cache(maxsize=_CACHE)
def words(norm: str) -> tuple[str, ...]:
    return tuple(normalize.words(norm))


@lru_cache(maxsize=_CACHE)
def names(text: str) -> frozenset[str]:
    return frozenset(normalize.names(text))


@lru_cache(maxsize=_CACHE)
def dates(norm: str) -> frozenset[str]:
    return frozenset(normalize.dates(norm))


@lru_cache(maxsize=_CACHE)
def negations(norm: str) -> int:
    return normalize.negations(norm)


def clear_caches() -> None:
    """Forget the cached facts. A long-lived process that verifies one batch
    after another (a Dask worker) calls this between batches: the cached
    entries, left scattered among the batch's freed objects, would otherwise
    keep the allocator from giving that memory back."""
    for cached in (numbers, digit_runs, words, names, dates, negations):
        cached.cache_clear()


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
    #: A truncated copy whose fuller side goes on with numbers, names or dates
    #: of its own, or a near copy whose fuller side adds a name: the copy may
    #: be the same sentence about another subject, so it goes only inside the
    #: same story (see dedup.decisions.context).
    contextual: bool = False

    def __bool__(self) -> bool:
        return bool(self.relation)

    def __reduce__(self):
        # Verifying processes send a thousand verdicts a task: as one tuple
        # each, 1.4 -> 0.35 ms to pickle them and 1.5 -> 0.7 ms to unpickle.
        return Verdict, (self.relation, self.score, self.reason, self.removable, self.differs,
                         self.contextual)


def may_truncate(len_a, len_b, cfg: Config):
    """Whether the shorter of two lengths could be a truncated copy of the
    longer: they differ, and the shorter holds at least truncated_min_share
    of the longer. Given two length arrays, the answer for each pair."""
    share = cfg.truncated_min_share       # at most 1: one of the two tests binds
    return (len_a != len_b) & (len_a >= share * len_b) & (len_b >= share * len_a)


def verify(norm_a: str, norm_b: str, text_a, text_b, cfg: Config,
           scores: tuple[float, float, float] | None = None) -> Verdict:
    """Compare two paragraphs given normalised and original texts.

    ``text_a`` and ``text_b`` may be callables returning the original text:
    most candidate pairs are rejected on similarity alone and never need it.
    ``scores`` are the full, prefix and end similarities when the caller
    already computed them for many pairs at once; one under the threshold
    may be given as 0 (see :func:`dedup.decisions.detect.pair_scores`), which changes
    no verdict on a pair whose other score reaches it.

    A shorter text that matches the end of the longer one lost its start:
    a copy with an attribution the other adds ("Reuters reported that ...")
    is a near repeat, the side with the source the one kept; another lost
    start is a truncated copy (see :func:`_start_cut`). An attribution the
    other adds at the end ("..., according to officials.") leaves a copy
    that matches its start: a truncated copy whose fuller side holds the
    source.
    """
    threshold = cfg.near_threshold
    a_short = len(norm_a) <= len(norm_b)
    short, long_ = (norm_a, norm_b) if a_short else (norm_b, norm_a)
    truncating = may_truncate(len(norm_a), len(norm_b), cfg)
    if scores is not None:
        score, prefix_score, end_score = scores
    else:
        score = fuzz.ratio(norm_a, norm_b)
        prefix_score = fuzz.ratio(short, long_[:len(short)]) if truncating else 0.0
        end_score = (fuzz.ratio(short, long_[len(long_) - len(short):])
                     if truncating and max(score, prefix_score) < threshold else 0.0)
    if score < threshold and prefix_score < threshold and end_score >= threshold:
        return _start_cut(norm_a, norm_b, text_a, text_b, end_score, threshold)
    if score < threshold and prefix_score < threshold:
        shown = f" (as a truncated copy {prefix_score:.1f})" if prefix_score else ""
        return Verdict("", round(score, 1), f"similarity {score:.1f} < {threshold:g}{shown}")
    text_a = text_a() if callable(text_a) else text_a
    text_b = text_b() if callable(text_b) else text_b
    cut_tail = False
    if prefix_score >= threshold and len(long_[len(short):].split()) <= _SHORT_TAIL_WORDS:
        # A few words more at the end ("..., he said.") is an inserted phrase,
        # not the rest of a paragraph that a truncated copy lost.
        cut_tail = prefix_score > score      # a cut, not a word inserted inside
        score, prefix_score = max(score, prefix_score), 0.0
    facts = ""
    if score >= threshold:
        facts, removable = _near_facts(norm_a, norm_b, text_a, text_b)
        if not facts:
            # A copy cut a few words short of the other's end, where those
            # words name someone ("... the Education Secretary" / "... the
            # Education Secretary Charles Clarke has said"), may be the same
            # sentence about another subject: it goes only inside the same
            # story (dedup.decisions.context).
            contextual = (cut_tail and removable[0] != removable[1]
                          and _tail_states_facts(short, long_, *((text_a, text_b) if a_short
                                                                 else (text_b, text_a))))
            return Verdict(NEAR, round(score, 1),
                           f"near repeat: similarity {score:.1f} >= {threshold:g}", removable,
                           contextual=contextual)
    if prefix_score >= threshold:
        # The shorter text is the start of the longer one: what it says must
        # agree with that start; the longer text's tail is not compared.
        copy_facts = _truncation_facts(*((norm_a, text_a, norm_b, text_b) if a_short
                                         else (norm_b, text_b, norm_a, text_a)))
        if not copy_facts:
            full_text, short_text = (text_b, text_a) if a_short else (text_a, text_b)
            return Verdict(TRUNCATED, round(prefix_score, 1),
                           f"truncated copy: its text matches the start of the other at "
                           f"{prefix_score:.1f} >= {threshold:g}", (a_short, not a_short),
                           contextual=_tail_states_facts(short, long_, short_text, full_text))
        facts = facts or copy_facts
    # Similar enough, but the facts disagree.
    return Verdict("", round(max(score, prefix_score), 1), facts, differs=facts.split()[0])


# An attribution that opens a text: "reuters reported that", "the minister
# told parliament on tuesday that", "officials said". Matched on the part a
# shorter copy lacks at its start.
_LEAD = re.compile(r"(?:[\w.'&-]+ ){1,6}(?:said|says|reported|reports|added|stated|told"
                   r"(?: [\w.'-]+){1,2})(?: on \w+)?,?(?: that)?")


def _start_cut(norm_a: str, norm_b: str, text_a: str, text_b, score: float,
               threshold: float) -> Verdict:
    """The verdict on a shorter text that matches the end of a longer one."""
    a_short = len(norm_a) <= len(norm_b)
    (norm_s, text_s, norm_l, text_l) = ((norm_a, text_a, norm_b, text_b) if a_short
                                        else (norm_b, text_b, norm_a, text_a))
    text_s = text_s() if callable(text_s) else text_s
    text_l = text_l() if callable(text_l) else text_l
    head = norm_l[:len(norm_l) - len(norm_s)].strip()
    facts = _ending_facts(norm_s, text_s, norm_l, text_l)
    if facts:
        return Verdict("", round(score, 1), facts, differs=facts.split()[0])
    said = _LEAD.fullmatch(head) is not None
    relation = ATTRIBUTION if said else TRUNCATED
    how = ("once the attribution that opens the other is set aside" if said
           else "as the end of the other: its start was cut")
    return Verdict(relation, round(score, 1), f"near repeat: similarity {score:.1f} >= "
                   f"{threshold:g} {how}", (a_short, not a_short),
                   contextual=not said and bool(numbers(head) or names(text_l) - names(text_s)))


def _ending_facts(norm_s: str, text_s: str, norm_l: str, text_l: str) -> str:
    """Why a copy that lost its start states other facts than the end of the
    full text it matches ("" if none)."""
    cut = len(norm_l) - len(norm_s)
    num_s, num_l = numbers(norm_s), numbers(norm_l[cut:])
    if num_s != num_l:
        return f"numbers differ: {_show(num_s)} vs {_show(num_l)}"
    if negations(norm_s) != negations(norm_l[cut:]):
        return "negation differs: one of them is negated"
    words_s, words_l = words(norm_s), words(norm_l)
    lost = _lost_names(norm_s, text_s, norm_l, text_l, words_s, words_l)
    if lost:
        return lost
    tail = words_s[1:]
    return _swapped_words(tail, words_l[max(0, len(words_l) - len(tail) - 2):])


def _lost_names(norm_s: str, text_s: str, norm_l: str, text_l: str, words_s, words_l) -> str:
    """The names and dates of a shorter copy that the longer text lacks ("" if none)."""
    lost = (_extra_names(names(text_s), words_s, words_l, names(text_l))
            | (dates(norm_s) - dates(norm_l)))
    return f"names differ: {', '.join(sorted(lost))} not in the longer text" if lost else ""


def _tail_states_facts(norm_s: str, norm_l: str, text_s: str, text_l: str) -> bool:
    """Whether the fuller text of a truncated pair goes on, past the copy,
    with numbers, or holds names or dates the copy lacks."""
    if numbers(norm_l[len(norm_s):]):
        return True
    return bool((names(text_l) - names(text_s)) or (dates(norm_l) - dates(norm_s)))


def _truncation_facts(norm_s: str, text_s: str, norm_l: str, text_l: str) -> str:
    """Why a truncated copy states other facts than the start of the full text."""
    cut = len(norm_s)
    num_s, num_l = numbers(norm_s), numbers(norm_l[:cut + 1])
    if num_s != num_l[:len(num_s)] and not _cut_number(num_s, num_l, norm_s):
        return f"numbers differ: {_show(num_s)} vs {_show(num_l[:len(num_s)])}"
    if negations(norm_s) != negations(norm_l[:cut]):
        return "negation differs: one of them is negated"
    words_s, words_l = words(norm_s), words(norm_l)
    lost = _lost_names(norm_s, text_s, norm_l, text_l, words_s, words_l)
    if lost:
        return lost
    # Both sides up to the last whole word of the copy.
    head = words_s[:-1]
    return _swapped_words(head, words_l[:len(head) + 2])


def _near_facts(norm_a: str, norm_b: str, text_a: str,
                text_b: str) -> tuple[str, tuple[bool, bool]]:
    """Why two similar texts state different facts ("" if they agree), and
    which of them may be removed without losing a name."""
    num_a, num_b = numbers(norm_a), numbers(norm_b)
    more_num_a = more_num_b = False
    if num_a != num_b and digit_runs(norm_a) != digit_runs(norm_b):
        # (The same digit runs are the same numbers: a space lost beside one,
        # "by3G" for "by 3G", took it out of the list of one side only.)
        # One side's numbers all standing, in order, among the other's (a
        # table re-sent with a column more) is a copy with figures left out:
        # the side with more is the fuller one, never removed for the other.
        # Numbers in words count as numbers: a side that states "three-part,
        # one billion" where the other has "4-part 1.2 billion" has no fewer.
        more_num_b = _subsequence(num_a, num_b)
        more_num_a = not more_num_b and _subsequence(num_b, num_a)
        if not (more_num_a or more_num_b) or \
                _spelled_numbers(norm_a) != _spelled_numbers(norm_b):
            return f"numbers differ: {_show(num_a)} vs {_show(num_b)}", (False, False)
    if negations(norm_a) != negations(norm_b):
        return "negation differs: one of them is negated", (False, False)
    dates_a, dates_b = dates(norm_a), dates(norm_b)
    if dates_a - dates_b and dates_b - dates_a:
        return (f"dates differ: {', '.join(sorted(dates_a - dates_b))} vs "
                f"{', '.join(sorted(dates_b - dates_a))}", (False, False))
    words_a, words_b = words(norm_a), words(norm_b)
    names_a, names_b = names(text_a), names(text_b)
    only_a = _extra_names(names_a, words_a, words_b, names_b)
    only_b = _extra_names(names_b, words_b, words_a, names_a)
    if only_a and only_b:
        return (f"names differ: {', '.join(sorted(only_a))} vs {', '.join(sorted(only_b))}",
                (False, False))
    # A name only one side has makes that side the fuller one: it is never
    # removed for the other. An added weekday ("on Tuesday") does not, nor does
    # a capitalised word that looks like a garbled word of the other side
    # ("Tliis" for "This", "Apnl" for "April").
    fuller_a = bool(only_a and _extra_names(only_a, words_a, words_b, names_b, lenient=True))
    fuller_b = bool(only_b and _extra_names(only_b, words_b, words_a, names_a, lenient=True))
    order = _names_reordered(text_a, text_b)
    if order:
        return order, (False, False)
    codes = _codes_differ(text_a, text_b)
    if codes:
        return codes, (False, False)
    facts, more_a, more_b = _wording(words_a, words_b, names_a, names_b,
                                     more_num_a or more_num_b)
    return facts, (not (fuller_a or more_a or more_num_a), not (fuller_b or more_b or more_num_b))


_NUMBER_WORDS = frozenset("""
zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen
fifteen sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty
ninety hundred thousand million billion trillion dozen half quarter first second third
fourth fifth sixth seventh eighth ninth tenth once twice
""".split())


def _spelled_numbers(norm: str) -> Counter:
    """The numbers written in words in a text, hyphenated ones split."""
    return Counter(part for word in words(norm) for part in word.split("-")
                   if part in _NUMBER_WORDS)


def _subsequence(short: tuple[str, ...], long_: tuple[str, ...]) -> bool:
    """Whether ``short`` is ``long_`` with some of its items left out."""
    if len(short) >= len(long_):
        return False
    rest = iter(long_)
    return all(item in rest for item in short)


def _extra_names(mine: set[str], my_words: list[str], their_words: list[str],
                 their_names: set[str], lenient: bool = False) -> set[str]:
    """My names the other text lacks, a typo of a word it has ("Teh", "Svviss") aside.

    A name is only compared with the other text's words that this text lacks,
    so "Texaco" swapped for "Barry" is not excused by "Texas" standing in both.
    Two short names a letter apart ("Iran", "Iraq") are different names.
    """
    theirs = set(their_words)
    missing = {n for n in mine if n not in theirs}
    if missing and any("-" in w for w in their_words):
        # A name inside a hyphenated word ("England" in "ex-England") is found
        # as a word of its own.
        theirs.update(part for w in their_words if "-" in w for part in w.split("-"))
        missing = {n for n in missing if n not in theirs}
    if not missing:
        return missing
    changed = Counter(their_words) - Counter(my_words)   # words they have more often
    if lenient:
        return {n for n in missing
                if not any(OSA.distance(n, other) <= 2 or fuzz.ratio(n, other) >= 60
                           for other in changed)}
    return {n for n in missing
            if not any(_typo(n, other, other in their_names) for other in changed)}


def _typo(name: str, other: str, other_is_name: bool) -> bool:
    """Whether ``name`` is a slip of ``other``: a letter dropped, added or two
    swapped ("Dvis", "Staed"); a long name may differ more ("Svviss"). One
    letter replaced in a short name makes another name ("Iran", "Iraq")."""
    if max(len(name), len(other)) <= 5:
        if Indel.distance(name, other) <= 1 or OSA.distance(name, other) == 1 and \
                sorted(name) == sorted(other):
            return True
        return not other_is_name and OSA.distance(name, other) <= 1
    return OSA.distance(name, other) <= 2 or fuzz.ratio(name, other) >= _NAME_SIMILARITY


def _content(tokens: list[str]) -> list[str]:
    return [w for w in tokens if w not in FUNCTION_WORDS]


# Words that mark tense, status or modality, by group: a statement whose
# marker changes to another group's states something else ("is poised to
# push" / "has pushed", "will be priced" / "were priced", "may not" / "do
# not", "can" / "could"). "said" / "says" are no markers: a reporting verb's
# tense is the writer's, not the fact's.
_MARKERS = {word: group for group, listed in {
    "future": "will shall 'll",
    "would": "would",
    "may": "may might",
    "can": "can",
    "could": "could",
    "must": "must should ought",
    "present": "is are am",
    "past": "was were",
    "perfect": "has have",
    "had": "had",
    "do": "do does",
    "did": "did",
    "prospective": "poised expected planned plans intends aims likely set",
}.items() for word in listed.split()}

# Words an inserted or deleted phrase may hold and still state nothing new:
# adverbs of emphasis or sequence, and times of day, week or year.
_FILLER = frozenset("""
also still now just very really however meanwhile moreover further furthermore already
recently currently reportedly again too even yet only early late
on last this next week weekend month year today tonight yesterday tomorrow morning
afternoon evening night
monday tuesday wednesday thursday friday saturday sunday
""".split())
# An inserted phrase holding one of these gives a source: the side with it
# holds more (it is never removed for the other), whatever else it says.
_ATTRIBUTING = frozenset("""
said says say told tells reported reports reporting according added adds stated states
noted notes announced announces confirmed confirms quoted quoting cited citing
saying telling adding warned warns warning insisted insists
""".split())
# Words wire and news copy use for one another when a story is re-edited,
# each mapped to one spelling: a table label for its synonym ("sales" /
# "revs"), a party's two names, "next" for "forthcoming". (A reporting verb
# for another, "pledged" / "promised", "telling" / "warning", is
# _REPORTING: who said it and what stay the same.) Read off the BBC and
# Reuters pairs turned down for "words differ"; every other replaced content
# word still states another fact (most are numbers in words, ratings,
# commodities, places).
_EQUIVALENT = {word: group for group, listed in {
    "sales": "sales revs revenues revenue",
    "next": "next forthcoming coming upcoming",
    "tory": "tory tories conservative conservatives",
}.items() for word in listed.split()}

_REPORTING = _ATTRIBUTING | frozenset("""
pledged pledges pledging promised promises promising vowed vows vowing argued argues
commented comments commenting indicated indicates indicating
""".split())

#: At most this many words inserted in the middle of a text name something
#: else ("social security workers" / "social workers"); more is an added clause.
_MODIFIER_WORDS = 3


# One spelling for the units wire copy writes either way: a copy that says
# "33 per cent" where the other says "33 pct" states the same fact.
_SPELLED = {
    ("per", "cent"): "pct", ("percent",): "pct", ("cents",): "cts", ("cent",): "cts",
    ("million",): "mln", ("billion",): "bln", ("dollars",): "dlrs", ("dollar",): "dlr",
    ("barrels", "per", "day"): "bpd", ("barrels", "a", "day"): "bpd",
    ("barrels", "daily"): "bpd",
}
_SPELLED_FIRST = frozenset(key[0] for key in _SPELLED)


def _spelled_alike(tokens) -> list[str]:
    """``tokens`` with every unit written as in _SPELLED."""
    if _SPELLED_FIRST.isdisjoint(tokens):
        return list(tokens)
    out, i, n = [], 0, len(tokens)
    while i < n:
        for size in (3, 2, 1):
            found = _SPELLED.get(tuple(tokens[i:i + size])) if i + size <= n else None
            if found:
                out.append(found)
                i += size
                break
        else:
            out.append(tokens[i])
            i += 1
    return out


def _wording(words_a: list[str], words_b: list[str], names_a, names_b,
             figures_left_out: bool = False) -> tuple[str, bool, bool]:
    """Whether the words of two similar texts state different facts ("" if
    not), and whether each holds more than the other.

    Replaced words: a content word replaced by an unrelated one ("wheat" for
    "soybeans") or by a look-alike opposite ("increase" for "decrease"), or a
    tense, status or modality marker replaced by another (see _MARKERS).
    Typos and OCR noise change a few letters of a word and are no
    replacement; function words ("a" for "the") change no fact.

    Inserted or deleted words: fillers, function words and times state
    nothing new; a source ("..., the agency said") or a name makes its side
    the fuller one; so do words added at the start or end, or a clause of
    more than _MODIFIER_WORDS words. A few other words inside the text
    change what it names ("social security workers" / "social workers").
    With ``figures_left_out`` (one side's numbers stand among the other's:
    :func:`_near_facts` judged them), figures one side has more are no
    such words.
    """
    if words_a == words_b:
        return "", False, False
    words_a, words_b = _spelled_alike(words_a), _spelled_alike(words_b)
    more_a = more_b = False
    matcher = SequenceMatcher(None, words_a, words_b, autojunk=False)
    opcodes = matcher.get_opcodes()
    for op, i1, i2, j1, j2 in opcodes:
        if op == "equal":
            continue
        seg_a, seg_b = words_a[i1:i2], words_b[j1:j2]
        if op == "replace":
            found = _replaced(seg_a, seg_b)
            if found:
                return found, False, False
            continue
        # An insertion (into b) or a deletion (from a): the words one side has more.
        extra, names, at_edge = ((seg_b, names_b, j1 == 0 or j2 == len(words_b))
                                 if op == "insert" else
                                 (seg_a, names_a, i1 == 0 or i2 == len(words_a)))
        if figures_left_out and all(_DIGIT.search(w) for w in extra):
            continue
        said = any(w in _ATTRIBUTING for w in extra)
        plain = [w for w in extra if w not in FUNCTION_WORDS and w not in _FILLER
                 and w not in _ATTRIBUTING and w not in names]
        if not plain and not any(w in names for w in extra):
            # Fillers and function words, or a source that is only a pronoun
            # ("he said"): nothing the other side lacks.
            continue
        if not said and plain and not at_edge and len(plain) <= _MODIFIER_WORDS:
            return (f"words differ: '{' '.join(extra)}' "
                    f"{'added' if op == 'insert' else 'dropped'}"), False, False
        if op == "insert":
            more_b = True
        else:
            more_a = True
    return "", more_a, more_b


def _replaced(old_words: list[str], new_words: list[str]) -> str:
    """Why replacing ``old_words`` by ``new_words`` changes a fact ("" if not):
    another date, tense or modality marker, letter, or content word."""
    dated_a = DATE_WORDS_ALL.intersection(old_words)
    dated_b = DATE_WORDS_ALL.intersection(new_words)
    if dated_a and dated_b and dated_a != dated_b:
        return f"dates differ: '{' '.join(old_words)}' vs '{' '.join(new_words)}'"
    marked_a = sorted(_MARKERS[w] for w in old_words if w in _MARKERS)
    marked_b = sorted(_MARKERS[w] for w in new_words if w in _MARKERS)
    if marked_a and marked_b and marked_a != marked_b:
        return (f"tense or modality differs: '{' '.join(old_words)}' vs "
                f"'{' '.join(new_words)}'")
    if _letter_swapped(old_words, new_words):
        return f"words differ: '{old_words[0]}' vs '{new_words[0]}'"
    old, new = _content(old_words), _content(new_words)
    reported_a = not _REPORTING.isdisjoint(old_words)
    reported_b = not _REPORTING.isdisjoint(new_words)
    if reported_a or reported_b:
        # A reporting verb for another ("pledged" / "promised") says the
        # same; for a word that is none it is compared like any content word
        # (though "said" is a function word to the other rules): "said" /
        # "denied" changes what was said, "promises" / "promise" is a typo.
        told_a = [w for w in old if w not in _REPORTING]
        told_b = [w for w in new if w not in _REPORTING]
        if reported_a and reported_b and told_a == told_b:
            return ""
        if reported_a != reported_b and (told_b if reported_a else told_a):
            old = [w for w in old_words if w not in FUNCTION_WORDS or w in _REPORTING]
            new = [w for w in new_words if w not in FUNCTION_WORDS or w in _REPORTING]
    if not old or not new:
        return ""
    if [_EQUIVALENT.get(w, w) for w in old] == [_EQUIVALENT.get(w, w) for w in new]:
        return ""
    opposite = next(((x, y) for x in old for y in new if frozenset((x, y)) in OPPOSITES), None)
    if opposite:
        return f"opposite words: '{opposite[0]}' vs '{opposite[1]}'"
    seg_a, seg_b = " ".join(old), " ".join(new)
    short, long_ = sorted((seg_a, seg_b), key=len)
    similarity = fuzz.ratio(seg_a, seg_b)
    if len(short) >= 3:
        similarity = max(similarity, fuzz.partial_ratio(short, long_))
    if similarity < _WORD_SIMILARITY:
        return f"words differ: '{seg_a}' vs '{seg_b}'"
    return ""


def _letter_swapped(old_words: list[str], new_words: list[str]) -> bool:
    """One letter or digit standing for another: "class A" / "class B",
    "Unit 2" / "Unit 3" (never a typo, and "a" is no function word there)."""
    return (len(old_words) == len(new_words) == 1 and len(old_words[0]) == 1
            and len(new_words[0]) == 1 and old_words[0] != new_words[0])


_DIGIT = re.compile(r"\d")
_CAPITALS = re.compile(r"\b[A-Z][\w'&.-]*")
_CODE = re.compile(r"\b[A-Z][A-Z0-9&]+\b")


def _name_sequence(text: str) -> list[str]:
    """The capitalised words of a text in order, a possessive or a closing
    full stop cut ("Xstrata's", "Vabres." are "xstrata", "vabres")."""
    out = []
    for token in _CAPITALS.findall(text):
        token = token.casefold()
        if token.endswith("'s"):
            token = token[:-2]
        token = token.rstrip(".")
        if len(token) > 1 and token not in COMMON_WORDS:
            out.append(token)
    return out


def _names_reordered(text_a: str, text_b: str) -> str:
    """Whether two texts name the same names in another order (a team list
    with players in other positions, "Smith beat Jones" / "Jones beat Smith")."""
    seq_a, seq_b = _name_sequence(text_a), _name_sequence(text_b)
    if len(seq_a) < 2 or seq_a == seq_b or Counter(seq_a) != Counter(seq_b):
        return ""
    first = next(i for i, (x, y) in enumerate(zip(seq_a, seq_b)) if x != y)
    return f"names in another order: {seq_a[first]} / {seq_b[first]} first"


def _codes_differ(text_a: str, text_b: str) -> str:
    """Codes in capitals (tickers, acronyms) that differ on both sides: a
    letter swapped in "GGHF" is a correction, not a typo. Not looked at in
    texts written in capitals."""
    if text_a.isupper() or text_b.isupper():
        return ""
    codes_a, codes_b = Counter(_CODE.findall(text_a)), Counter(_CODE.findall(text_b))
    only_a, only_b = codes_a - codes_b, codes_b - codes_a
    if only_a and only_b:
        return f"names differ: {', '.join(sorted(only_a))} vs {', '.join(sorted(only_b))}"
    return ""


def _swapped_words(words_a: list[str], words_b: list[str]) -> str:
    """A word replaced by one that states another fact (:func:`_replaced`):
    an unrelated content word ("wheat" for "soybeans"), a look-alike opposite,
    another date, tense or modality marker ("can" / "could").

    Typos and OCR noise change a few letters of a word; inserted or deleted
    words ("he said") are not replacements; function words ("a" for "the")
    do not change a fact.
    """
    if words_a == words_b:
        return ""
    words_a, words_b = _spelled_alike(words_a), _spelled_alike(words_b)
    matcher = SequenceMatcher(None, words_a, words_b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "replace":
            found = _replaced(words_a[i1:i2], words_b[j1:j2])
            if found:
                return found
    return ""


def _cut_number(num_s: list[str], num_l: list[str], norm_s: str) -> bool:
    """The copy was cut inside its last number (e.g. '5,0' of '5,000')."""
    if not num_s or not norm_s[-1:].isdigit() or len(num_l) < len(num_s):
        return False
    head, last = num_s[:-1], num_s[-1]
    return head == num_l[:len(head)] and num_l[len(num_s) - 1].startswith(last.replace(",", ""))


def _show(values: list[str], most: int = 6) -> str:
    shown = ", ".join(values[:most]) + (", ..." if len(values) > most else "")
    return f"[{shown}]"
