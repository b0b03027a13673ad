"""Normalised text for matching, and the facts a near repeat must not change.

Matching always compares normalised text: Unicode NFKC, case folded, curly
quotes made straight, every dash a hyphen, zero-width characters dropped and
runs of whitespace one space. Output is never normalised text: cleaned files
are made of the original lines.
"""

from __future__ import annotations

import re
import unicodedata

from .. import compiled


_SINGLE_QUOTES = "\u2018\u2019\u201a\u201b\u2032\u2035\u00b4\u0060"
_DOUBLE_QUOTES = "\u201c\u201d\u201e\u201f\u2033\u2036\u00ab\u00bb"
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
_QUOTES_DASHES = str.maketrans({
    **{c: "'" for c in _SINGLE_QUOTES},
    **{c: '"' for c in _DOUBLE_QUOTES},
    **{c: "-" for c in _DASHES},
    **{c: None for c in _INVISIBLE},
})
# str.translate walks every character in Python's slow path for such a table;
# scanning for the few characters it changes is many times faster.
_TRANSLATED = f"[{_SINGLE_QUOTES}{_DOUBLE_QUOTES}{_DASHES}{_INVISIBLE}]"
_NEEDS_TRANSLATE = re.compile(_TRANSLATED)
_TO_TRANSLATE = re.compile(_TRANSLATED + "+")


def _straightened(text: str) -> str:
    """``text.translate(_QUOTES_DASHES)``, translating only the runs it changes.

    Normalisation translates a whole batch of paragraphs at once, and one
    curly quote among them made str.translate walk every character of the
    batch: on the 20,000-article mix of bench.speed, 0.70 s of its 1.34 s
    of normalising, against 0.12 s for the runs alone.
    """
    return _TO_TRANSLATE.sub(_translated_run, text)


def _translated_run(match: re.Match) -> str:
    return match.group().translate(_QUOTES_DASHES)


# The table as compiled.text.translated takes it: keys, their values, dropped.
_TABLE = ("".join(chr(k) for k, v in _QUOTES_DASHES.items() if v is not None),
          "".join(chr(v) if isinstance(v, int) else v
                  for v in _QUOTES_DASHES.values() if v is not None),
          "".join(chr(k) for k, v in _QUOTES_DASHES.items() if v is None))


def _nfkc_casefolded(text: str) -> str:
    """``unicodedata.normalize("NFKC", text).casefold()``, normalising only
    the runs of characters that are not ASCII (each with the character
    before it) and lower-casing the ASCII between them.

    NFKC leaves ASCII alone and starts afresh before every ASCII character
    (none composes with what precedes it), and case folding works character
    by character, so the pieces give the whole. On the mix, a batch holding
    one accented letter sent every character of it through both: 0.22 of
    the reading processes' CPU seconds, against 0.02 s for the runs.
    """
    runs = compiled.text.non_ascii_runs(text)
    parts = []
    last = 0
    for start, end in zip(runs[::2], runs[1::2]):
        parts.append(text[last:start].lower())
        parts.append(unicodedata.normalize("NFKC", text[start:end]).casefold())
        last = end
    parts.append(text[last:].lower())
    return "".join(parts)


_SEP = "\x00"  # never in a document: files with NUL bytes are refused as binary


def _fold(text: str) -> str:
    if text.isascii():
        # The same steps, as they work out on ASCII: of the characters made
        # straight only the backtick is ASCII, NFKC changes nothing, and case
        # folding is lower case. A batch of Reuters' paragraphs skips the
        # regex scan and the normalisation's walk over every character.
        if "`" in text:
            text = text.replace("`", "'")
        return squeezed(text.lower())
    # Quotes first: NFKC would turn an acute accent into a space plus a
    # combining mark, and a double prime into two primes.
    if compiled.text is not None:
        # The same steps, each one compiled pass over the text (see
        # compiled.text.translated and _nfkc_casefolded).
        text = _nfkc_casefolded(compiled.text.translated(text, *_TABLE))
        if not text.isascii():
            text = compiled.text.translated(text, *_TABLE)
        return squeezed(text)
    if _NEEDS_TRANSLATE.search(text):
        text = _straightened(text)
    text = unicodedata.normalize("NFKC", text).casefold()
    if not text.isascii() and _NEEDS_TRANSLATE.search(text):
        text = _straightened(text)
    # Runs of whitespace (str.isspace, as the regex \s) become one space; the
    # ends go too, which callers strip anyway.
    return squeezed(text)


def squeezed(text: str) -> str:
    """``" ".join(text.split())``, compiled where the install built it (the
    Python form made a list of every word only to join them again)."""
    if compiled.text is not None:
        return compiled.text.squeezed(text)
    return " ".join(text.split())


def normalize(text: str) -> str:
    """The form paragraphs are compared in.

    >>> normalize("  \u201cFive\u2014thousand\u201d  SAID\\n he ")
    '"five-thousand" said he'
    """
    return _fold(text).strip()


def normalize_many(texts: list[str]) -> list[str]:
    """``normalize`` over many paragraphs at once (one call per step, not per text)."""
    if not texts:
        return []
    joined = _SEP.join(texts)
    if joined.count(_SEP) != len(texts) - 1:
        return [normalize(t) for t in texts]
    return [part.strip() for part in _fold(joined).split(_SEP)]


_NUMBER = re.compile(r"\d+(?:[.,:/]\d+)*")
_THOUSANDS = re.compile(r"^\d{1,3}(?:,\d{3})+(?:\.\d+)?$")
_DIGIT = re.compile(r"\d")
# A whole run of word characters holding a digit and a character that is not one.
_MIXED = re.compile(r"(?<!\w)(?=\w*\d)\w*[^\W\d]\w*")


# A number with a unit of up to four letters glued on ("15mbps", "3bn",
# "1980s"); an ordinal ("2nd") is a word, as "second" is, and a digit before
# a longer word is OCR noise ("0speculation").
_NUMBER_UNIT = re.compile(r"(\d+(?:[.,]\d+)*)(?!st\b|nd\b|rd\b|th\b)[^\W\d]{1,4}")


def _drop_wordy(match: re.Match) -> str:
    token = match.group()
    unit = _NUMBER_UNIT.fullmatch(token)
    if unit is not None:
        return unit.group(1)
    letters = sum(c.isalpha() for c in token)
    return " " if letters > len(token) - letters else token


def numbers(norm: str) -> list[str]:
    """Numbers in order, with thousands separators dropped (5,000 == 5000).

    A word with a stray digit ("rubb1e" from OCR, "1st") is not a number;
    a code that is mostly digits ("A320", "F16") is, and so is a number with
    its unit glued on ("15Mbps" holds 15).
    """
    if not _DIGIT.search(norm):
        return []
    # Only a run of word characters that holds a digit and something else can
    # be wordy; the plain numbers (most runs) are not handed to Python one by one.
    return _without_separators(_NUMBER.findall(_MIXED.sub(_drop_wordy, norm)))


def digit_runs(norm: str) -> list[str]:
    """Every number in order, those glued to words too ("by3g" holds 3), with
    thousands separators dropped: two texts whose :func:`numbers` differ only
    because a space is missing beside a number hold the same digit runs."""
    return _without_separators(_NUMBER.findall(norm))


def _without_separators(tokens: list[str]) -> list[str]:
    return [t.replace(",", "") if "," in t and _THOUSANDS.match(t) else t for t in tokens]


# Every negation starts with n, w or c: the lookahead lets the engine pass
# other letters at once (twice as fast; the same matches).
_NEGATION = re.compile(
    r"(?=[nwc])(?:\b(?:not|no|never|none|nobody|nothing|neither|nor|without|cannot)\b|n't\b)")


def negations(norm: str) -> int:
    """How many negating words a normalised text holds."""
    return len(_NEGATION.findall(norm))


# A word starts and ends with a word character: the punctuation it may hold
# inside ("u.s", "at&t", "o'neill") is not taken at its end ("u.s.", "rock'n'").
_TOKEN = re.compile(r"\w(?:[\w'&.-]*\w)?")
_CAPITALISED = re.compile(r"\b[A-Z](?:[\w'&.-]*\w)?")
# Capitalised because they start a sentence, not because they name something.
COMMON_WORDS = frozenset("""
a an the this that these those there their they them he she it its his her we our
you your i me my us and or but so yet for nor if then than when while where which who
whom whose what why how in on at by to of from with without into onto over under
after before since until as about against between during through above below up down
out off also mr mrs ms dr sir meanwhile however although though because while last
next this monday tuesday wednesday thursday friday saturday sunday
january february march april may june july august september october november december
said says say one two three four five six seven eight nine ten some many most all
both each other another such no not yes more less new first second third is are was
were be been has have had will would could should can may might must do does did
""".split())


# Words that carry no fact of their own: swapping one for another ("a" for
# "the", "is" for "was") is an edit, not a different statement.
FUNCTION_WORDS = frozenset("""
a an the this that these those there their they them he she it its his her we our
you your i me my us and or but so yet for if then than when while where which who
whom whose what why how in on at by to of from with into onto as about
also is are was were be been being has have had will would could should can may might
must do does did said says say told tells according
""".split())

# Pairs of words that state opposite facts although they look alike
# ("increase"/"decrease" differ in two letters, like a typo).
OPPOSITES = frozenset(frozenset(pair) for pair in (
    ("increase", "decrease"), ("increased", "decreased"), ("increases", "decreases"),
    ("increasing", "decreasing"), ("rise", "fall"), ("rose", "fell"), ("rises", "falls"),
    ("risen", "fallen"), ("up", "down"), ("higher", "lower"), ("high", "low"),
    ("gain", "loss"), ("gains", "losses"), ("profit", "loss"), ("won", "lost"),
    ("win", "lose"), ("wins", "loses"), ("before", "after"), ("above", "below"),
    ("over", "under"), ("more", "less"), ("most", "least"), ("buy", "sell"),
    ("bought", "sold"), ("buying", "selling"), ("accept", "reject"), ("accepted", "rejected"),
    ("approve", "reject"), ("approved", "rejected"), ("open", "close"), ("opened", "closed"),
    ("inflow", "outflow"), ("import", "export"), ("imports", "exports"),
    ("surplus", "deficit"), ("positive", "negative"), ("strong", "weak"),
    ("stronger", "weaker"), ("guilty", "innocent"), ("acquitted", "convicted"),
    ("maximum", "minimum"), ("first", "last"), ("early", "late"), ("earlier", "later"),
))


def names(text: str) -> set[str]:
    """Capitalised words that are not common sentence starters, case folded.

    Compared between a pair's original texts: one name swapped for another
    ("Chelsea" for "Arsenal") means different facts, not a repeat.
    """
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    if _NEEDS_TRANSLATE.search(text):
        text = _straightened(text)
    out = set()
    for token in set(_CAPITALISED.findall(text)):
        token = token.casefold()
        if token.endswith("'s"):
            token = token[:-2]
        if len(token) > 1 and token not in COMMON_WORDS:
            out.add(token)
    return out


def words(norm: str) -> list[str]:
    """Words of a normalised text without trailing punctuation or a possessive 's.

    Split like ``names`` so that a name always finds itself among the words
    ("U.S./overseas" holds the word "u.s").
    """
    tokens = _TOKEN.findall(norm)
    if "'s" not in norm:
        return tokens
    return [t[:-2] if t.endswith("'s") else t for t in tokens]


_DATE_WORDS = frozenset("""
monday tuesday wednesday thursday friday saturday sunday
january february march april may june july august september october november december
jan feb mar apr jun jul aug sep sept oct nov dec yesterday today tomorrow
""".split()) - {"may", "march"}  # also ordinary words; their numbers are compared anyway
#: Date words with "may" and "march": a word replaced by one of these where
#: the other text has another of them is another date ("May -" / "April -").
DATE_WORDS_ALL = _DATE_WORDS | {"may", "march"}
_WORD = re.compile(r"[a-z]+")


# "March" and "May" are months where a day stands beside them ("March 9", "9 May").
_DATED = re.compile(r"\b(march|may)\s+\d|\d\s+(march|may)\b")


def dates(norm: str) -> set[str]:
    """Weekday and month names in a normalised text ("february", "friday");
    "march" and "may" only with a day beside them."""
    found = {w for w in _WORD.findall(norm) if w in _DATE_WORDS}
    if "ma" in norm:
        found.update(a or b for a, b in _DATED.findall(norm))
    return found


def word_count(norm: str) -> int:
    return norm.count(" ") + 1 if norm else 0
