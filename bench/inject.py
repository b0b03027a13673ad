"""Text edits that turn a real paragraph into a labelled copy or a labelled sibling.

Every function takes the paragraph's original text and a ``random.Random`` and
returns the edited text, or ``None`` when the edit does not apply to that
paragraph (no number to reformat, no name to swap...). Edits work on the
original text, line breaks included, so a hard-wrapped Reuters paragraph stays
hard-wrapped and a blank line is never introduced.

Two families:

* repeats (the engine should remove the copy): ``typo``, ``ocr``, ``filler``,
  ``number_format``, ``truncate``, ``cosmetic``; ``attribute`` (a source
  added: the engine keeps the copy and removes the original instead) and
  ``split_sentences`` (one paragraph re-flowed into two);
* non-repeats (the engine must keep both): ``change_number``, ``swap_name``,
  ``template``, ``negate``, ``modifier``, ``tense``, ``reorder_names``,
  ``truncate_with_facts``, plus the fixed ``SHORT_LINES``.

Nothing here knows the corpus: the phrases, short lines and footers below are
written for this benchmark.
"""

from __future__ import annotations

import random
import re

from rapidfuzz import fuzz

# --- repeats ---------------------------------------------------------------

# Words a slip may hit: three letters or more, lower-case or capitalised (a
# typo in a name is still a typo); all-capital headings are left alone, and so
# are words before an apostrophe, so that "can't" never loses its negation.
_WORD = re.compile(r"\b[A-Za-z][a-z]{2,}\b(?!['\u2019])")
_NEGATING = {"not", "no", "never", "none", "nobody", "nothing", "neither", "nor",
             "without", "cannot"}


def typo(text: str, rng: random.Random, edits: int | None = None) -> str | None:
    """1-3 keyboard slips (substitute, drop, double or swap letters).

    Only lower-case letters inside words of three or more letters are touched
    (the capital of a name stays): digits stay (a changed digit is a different
    number, see ``ocr``) and a negating word is never created or broken.
    """
    edits = edits or rng.randint(1, 3)
    out = text
    for _ in range(edits):
        words = [m for m in _WORD.finditer(out) if m.group().lower() not in _NEGATING]
        if not words:
            return None
        word = rng.choice(words)
        i = rng.randrange(word.start() + 1 if out[word.start()].isupper() else word.start(),
                          word.end())
        op = rng.choice(("sub", "drop", "double", "swap"))
        if op == "sub":
            letter = rng.choice([c for c in "abcdefghijklmnopqrstuvwxyz" if c != out[i]])
            out = out[:i] + letter + out[i + 1:]
        elif op == "drop":
            out = out[:i] + out[i + 1:]
        elif op == "double":
            out = out[:i] + out[i] + out[i:]
        else:
            j = i + 1 if i + 1 < word.end() else i - 1
            a, b = sorted((i, j))
            if out[a] == out[b]:
                out = out[:i] + out[i] + out[i:]
            else:
                out = out[:a] + out[b] + out[a] + out[b + 1:]
    out_words = set(re.findall(r"[a-z']+", out.lower()))
    if out == text or (out_words & _NEGATING) != (set(re.findall(r"[a-z']+", text.lower()))
                                                  & _NEGATING):
        return None
    return out


# Letter-for-letter confusions of optical character recognition. The classic
# digit confusions (l/1, O/0, S/5, B/8, Z/2) are left out on purpose: the
# engine treats any changed digit as a different number (a different fact),
# so such a copy is, by design, not a repeat.
OCR_CONFUSIONS = (
    ("rn", "m"), ("m", "rn"), ("cl", "d"), ("d", "cl"), ("vv", "w"), ("w", "vv"),
    ("li", "h"), ("h", "li"), ("e", "c"), ("c", "e"), ("i", "l"), ("l", "i"),
    ("u", "ii"), ("ri", "n"), ("f", "t"), ("t", "f"),
)


def ocr(text: str, rng: random.Random, edits: int | None = None) -> str | None:
    """1-4 OCR letter confusions inside words; digits never change."""
    edits = edits or rng.randint(1, 4)
    out = text
    done = 0
    for _ in range(edits * 4):
        if done == edits:
            break
        src, dst = rng.choice(OCR_CONFUSIONS)
        spots = [m.start() + k
                 for m in _WORD.finditer(out) if m.group().lower() not in _NEGATING
                 for k in range(len(m.group()) - len(src) + 1)
                 if m.group()[k:k + len(src)] == src]
        if not spots:
            continue
        i = rng.choice(spots)
        out = out[:i] + dst + out[i + len(src):]
        done += 1
    return out if done and out != text else None


# No phrase names a source: "officials said" or "the company said" gives one,
# and the engine keeps the side with a source (that is the ``attribute`` kind).
# A pronoun's "he said" or a vague "according to reports" names nobody.
FILLER_PHRASES = (
    "he said", "she said", "it said", "on Tuesday", "on Friday", "last week",
    "this year", "however", "meanwhile", "according to reports",
)
DROPPABLE_WORDS = ("also", "still", "now", "just", "very", "however", "already", "recently",
                   "currently", "reportedly", "further", "really")
_DROPPABLE = re.compile(r"\b(?:%s)\b,? ?" % "|".join(DROPPABLE_WORDS))


def filler(text: str, rng: random.Random, ops: int | None = None) -> str | None:
    """Insert or delete 1-2 filler words ("he said", "on Tuesday", "also"...).

    The phrases hold no digit, no name (week days count as common words) and
    no source, so the facts stay the same.
    """
    ops = ops or rng.randint(1, 2)
    out = text
    for _ in range(ops):
        drops = list(_DROPPABLE.finditer(out))
        if drops and rng.random() < 0.4:
            m = rng.choice(drops)
            out = out[:m.start()] + out[m.end():]
            continue
        phrase = rng.choice(FILLER_PHRASES)
        commas = [m.end() for m in re.finditer(r"[a-z], ", out)]
        stop = out.rstrip().endswith(".")
        choice = rng.random()
        if commas and choice < 0.4:
            i = rng.choice(commas)
            out = out[:i] + phrase + ", " + out[i:]
        elif stop and choice < 0.8:
            body = out.rstrip()
            out = body[:-1] + " " + phrase + "." + out[len(body):]
        else:
            spaces = [m.start() for m in re.finditer(r"(?<=[a-z]) (?=[a-z])", out)]
            if not spaces:
                return None
            i = rng.choice(spaces)
            out = out[:i] + " " + phrase + out[i:]
    return out if out != text else None


# A number token as the engine reads one: digits joined by . , : or /.
_NUMBER_TOKEN = re.compile(r"\d+(?:[.,:/]\d+)*")
_WITH_SEPARATORS = re.compile(r"^\d{1,3}(?:,\d{3})+(?:\.\d+)?$")
_PLAIN_BIG = re.compile(r"^(\d{4,})(\.\d+)?$")


def _is_year(digits: str) -> bool:
    return len(digits) == 4 and 1900 <= int(digits) <= 2099


def big_numbers(text: str) -> list[re.Match]:
    """Number tokens worth at least 1,000 that can be written both ways.

    Years (1900-2099) and digits inside codes are left out.
    """
    out = []
    for m in _NUMBER_TOKEN.finditer(text):
        token = m.group()
        if text[m.start() - 1:m.start()].isalpha() or text[m.end():m.end() + 1].isalpha():
            continue  # part of a code or model name ("MS9001F"), not a quantity
        if _WITH_SEPARATORS.match(token):
            out.append(m)
        else:
            plain = _PLAIN_BIG.match(token)
            if plain and not _is_year(plain.group(1)) and not plain.group(1).startswith("0"):
                out.append(m)
    return out


def _group_thousands(digits: str) -> str:
    return f"{int(digits):,}"


def number_format(text: str, rng: random.Random) -> str | None:
    """Write every number >= 1,000 the other way: 5000 <-> 5,000."""
    found = big_numbers(text)
    if not found:
        return None
    out, last = [], 0
    for m in found:
        token = m.group()
        if "," in token:
            new = token.replace(",", "")
        else:
            plain = _PLAIN_BIG.match(token)
            new = _group_thousands(plain.group(1)) + (plain.group(2) or "")
        out.append(text[last:m.start()] + new)
        last = m.end()
    out.append(text[last:])
    result = "".join(out)
    return result if result != text else None


def truncate(text: str, rng: random.Random, min_words: int = 8) -> str | None:
    """The first 60-90% of the characters, cut at a word boundary."""
    share = rng.uniform(0.6, 0.9)
    cut = int(len(text) * share)
    space = max(text.rfind(" ", 0, cut + 1), text.rfind("\n", 0, cut + 1))
    if space <= 0:
        return None
    out = text[:space].rstrip(" ,;:\n")
    if len(out.split()) < min_words or len(out) < 0.5 * len(text):
        return None
    return out


_DATE_WORDS = frozenset("""
monday tuesday wednesday thursday friday saturday sunday
january february march april may june july august september october november december
jan feb mar apr jun jul aug sep sept oct nov dec yesterday today tomorrow
""".split())


def cut_loses_only_words(text: str, copy: str) -> bool:
    """Whether what a truncated ``copy`` (a prefix of ``text``) lost holds no
    digit, no capitalised word and no weekday or month: it then lacks words
    only, never a fact, and is a repeat wherever it stands."""
    tail = text[len(copy):]
    return not (re.search(r"\d|\b[A-Z]", tail)
                or any(w in _DATE_WORDS for w in re.findall(r"[a-z]+", tail.lower())))


_CURLY = {'"': ("\u201c", "\u201d"), "'": ("\u2018", "\u2019")}


def cosmetic(text: str, rng: random.Random) -> str | None:
    """Changes that normalisation undoes: case, spacing, line wrap, quotes, dashes."""
    out = text
    ops = rng.sample(("case", "space", "wrap", "quotes", "dashes", "trail"), rng.randint(1, 3))
    for op in ops:
        if op == "case":
            out = rng.choice((str.upper, str.lower))(out)
        elif op == "space":
            spaces = [m.start() for m in re.finditer(" ", out)]
            for i in sorted(rng.sample(spaces, min(len(spaces), rng.randint(1, 4))),
                            reverse=True):
                out = out[:i] + rng.choice(("  ", "\t", " \u00a0")) + out[i + 1:]
        elif op == "wrap":
            words = out.split()
            width = rng.randint(40, 80)
            lines, line = [], ""
            for w in words:
                if line and len(line) + 1 + len(w) > width:
                    lines.append(line)
                    line = w
                else:
                    line = f"{line} {w}" if line else w
            lines.append(line)
            out = "\n".join(lines)
        elif op == "quotes":
            for straight, (left, right) in _CURLY.items():
                parts = out.split(straight)
                if len(parts) > 1:
                    out = parts[0] + "".join(
                        (left if k % 2 == 0 else right) + p for k, p in enumerate(parts[1:]))
        elif op == "dashes":
            out = re.sub(r" - ", lambda _m: rng.choice((" \u2013 ", " \u2014 ")), out)
            out = re.sub(r"(?<=[a-z])-(?=[a-z])", "\u2010", out)
        elif op == "trail":
            out = "\n".join(line + " " * rng.randint(1, 3) for line in out.split("\n"))
    return out if out != text else None


ATTRIBUTION_OPENING = "Reuters reported that "
ATTRIBUTION_ENDINGS = (", according to officials.", ", the state news agency said.")


def attribute(text: str, rng: random.Random) -> str | None:
    """The paragraph with a source added: "Reuters reported that " before it
    (its first letter lower-cased unless the first word is an acronym), or
    ", according to officials." / ", the state news agency said." in place
    of its final full stop.

    A repeat, but the side with the source holds more: the engine removes
    the original in favour of this copy (see ``bench.quality``).
    """
    body = text.rstrip()
    # A final "U.S." or '."' is no plain full stop to replace.
    can_end = re.search(r"[a-z0-9)%]\.$", body) is not None
    can_open = text[:1].isalpha()
    forms = [form for form, fits in (("opening", can_open), ("ending", can_end)) if fits]
    if not forms:
        return None
    if rng.choice(forms) == "opening":
        acronym = text[1:2].isupper()
        return ATTRIBUTION_OPENING + (text if acronym else text[0].lower() + text[1:])
    return body[:-1] + rng.choice(ATTRIBUTION_ENDINGS) + text[len(body):]


_ABBREVIATIONS = frozenset("mr mrs ms dr st co inc ltd corp jr sr no vs gen col lt sgt rev "
                           "prof gov sen rep bros dept est approx".split())
# "word. Next": a full stop after a word of two letters or more, a space, a capital.
_SENTENCE_BREAK = re.compile(r"\b([A-Za-z][a-z]+|\d+)\. (?=[A-Z])")


def sentence_breaks(text: str) -> list[int]:
    """Offsets of the spaces that end a sentence (". " then a capital), an
    abbreviation's full stop ("Mr. Smith") aside."""
    return [m.end() - 1 for m in _SENTENCE_BREAK.finditer(text)
            if m.group(1).lower() not in _ABBREVIATIONS]


def split_sentences(text: str, rng: random.Random) -> tuple[str, str] | None:
    """A paragraph of two sentences or more cut in two at one sentence break
    (a re-flowed copy): each half repeats part of the original paragraph."""
    breaks = sentence_breaks(text)
    if not breaks:
        return None
    at = rng.choice(breaks)
    return text[:at], text[at + 1:]


# --- non-repeats -----------------------------------------------------------

def _change_digit(token: str, rng: random.Random) -> str:
    spots = [i for i, c in enumerate(token) if c.isdigit()]
    i = rng.choice(spots)
    first = i == 0 or not token[i - 1].isdigit()
    choices = [d for d in "0123456789" if d != token[i] and not (first and d == "0"
                                                                    and i + 1 < len(token)
                                                                    and token[i + 1].isdigit())]
    return token[:i] + rng.choice(choices) + token[i + 1:]


def change_number(text: str, rng: random.Random) -> str | None:
    """One number changed by one digit (a new casualty count, a new figure)."""
    found = list(_NUMBER_TOKEN.finditer(text))
    if not found:
        return None
    m = rng.choice(found)
    return text[:m.start()] + _change_digit(m.group(), rng) + text[m.end():]


_CAPITALISED = re.compile(r"\b[A-Z][a-z]{2,}\b")
_LOWER = re.compile(r"\b[a-z]{3,}\b")
_NOT_NAMES = frozenset("""
monday tuesday wednesday thursday friday saturday sunday january february march
april may june july august september october november december
""".split())


def name_pool(paragraphs, least: int = 3) -> list[str]:
    """Capitalised words seen at least ``least`` times whose lower-case form never
    occurs: "Blair" or "Chelsea", not "The", "They" or "Club", which open
    sentences and headlines but are ordinary words.
    """
    counts: dict[str, int] = {}
    lower: set[str] = set()
    for text in paragraphs:
        lower.update(_LOWER.findall(text))
        for word in _CAPITALISED.findall(text):
            counts[word] = counts.get(word, 0) + 1
    return sorted(w for w, c in counts.items()
                  if c >= least and w.lower() not in lower and w.lower() not in _NOT_NAMES)


def _swap_one_name(text: str, rng: random.Random, pool: list[str],
                   known: frozenset[str]) -> str | None:
    present = sorted({w for w in _CAPITALISED.findall(text) if w in known})
    if not present:
        return None
    old = rng.choice(present)
    for _ in range(50):
        new = rng.choice(pool)
        if new not in text and fuzz.ratio(new.lower(), old.lower()) < 50:
            return re.sub(rf"\b{re.escape(old)}\b", new, text)
    return None


def swap_name(text: str, rng: random.Random, pool: list[str],
              known: frozenset[str] | None = None) -> str | None:
    """Every mention of one name replaced by another name from the corpus."""
    return _swap_one_name(text, rng, pool, known or frozenset(pool))


def template(text: str, rng: random.Random, pool: list[str],
             known: frozenset[str] | None = None) -> str | None:
    """A templated sibling: every number changed and one name swapped."""
    if not _NUMBER_TOKEN.search(text):
        return None
    swapped = _swap_one_name(text, rng, pool, known or frozenset(pool))
    if swapped is None:
        return None
    return _NUMBER_TOKEN.sub(lambda m: _change_digit(m.group(), rng), swapped)


_AUXILIARY = re.compile(r"\b(?:is|was|are|were|will|would|could|should|has|have|had|can|"
                        r"did|does|do|must|might)\b(?! not\b)")


def negate(text: str, rng: random.Random) -> str | None:
    """"not" inserted after one auxiliary verb ("was" -> "was not")."""
    found = list(_AUXILIARY.finditer(text))
    if not found:
        return None
    m = rng.choice(found)
    return text[:m.end()] + " not" + text[m.end():]


# Content words that name something else when added before a noun, and
# adjectives whose drop does the same ("the former minister" / "the minister").
MODIFIERS = ("local", "former", "senior", "private", "regional", "national")
DROPPABLE_ADJECTIVES = MODIFIERS + (
    "new", "foreign", "federal", "international", "major", "public", "chief", "top",
    "big", "small", "large", "annual", "economic", "financial", "political", "military",
    "domestic",
)
# After "the", words that are no noun to qualify ("the same", "the first").
_NOT_NOUNS = frozenset("""
same other most next last first second third latter following previous only whole rest
more less best worst very most least many much few such
""".split()) | frozenset(DROPPABLE_ADJECTIVES)
_EDGE_WORDS = 2    # an edit leaves at least this many words on either side: "inside" the text


def _inside(text: str, start: int, end: int) -> bool:
    return (len(text[:start].split()) >= _EDGE_WORDS
            and len(text[end:].split()) >= _EDGE_WORDS)


def modifier(text: str, rng: random.Random) -> str | None:
    """One content word added before a noun inside the text ("the minister"
    -> "the senior minister") or one adjective dropped from inside it ("the
    new chairman" -> "the chairman"). Not a repeat: it names something else
    ("social security workers" / "social workers")."""
    inserts = [m for m in re.finditer(r"\bthe ([a-z]{4,})\b(?!['\u2019])", text)
               if m.group(1) not in _NOT_NOUNS and _inside(text, m.start(1), m.start(1))]
    # Not after "a" / "an": "an international group" would become "an group".
    drops = [m for m in re.finditer(r"(?<!\ba )(?<!\ban )\b(%s) (?=[a-z])"
                                    % "|".join(DROPPABLE_ADJECTIVES), text)
             if _inside(text, m.start(), m.end())]
    if not inserts and not drops:
        return None
    if drops and (not inserts or rng.random() < 0.5):
        m = rng.choice(drops)
        return text[:m.start()] + text[m.end():]
    m = rng.choice(inserts)
    return text[:m.start(1)] + rng.choice(MODIFIERS) + " " + text[m.start(1):]


# One marker replaced by another group's: future / conditional / past,
# present / past, perfect / pluperfect, possibility / future, ability / conditional.
TENSE_SWAPS = (("will", "would"), ("will", "did"), ("is", "was"), ("has", "had"),
               ("may", "will"), ("can", "could"))


def tense(text: str, rng: random.Random) -> str | None:
    """One tense, status or modality marker replaced by one of another group
    ("will" -> "would", "is" -> "was", "may" -> "will"...). Only lower-case
    markers ("May" is a month) and never one before an apostrophe ("can't")."""
    found = {}
    for old, new in TENSE_SWAPS:
        spots = list(re.finditer(rf"\b{old}\b(?!['\u2019])", text))
        if spots:
            found[(old, new)] = spots
    if not found:
        return None
    old, new = rng.choice(sorted(found))
    m = rng.choice(found[(old, new)])
    return text[:m.start()] + new + text[m.end():]


def _lone_names(text: str, known: frozenset[str]) -> list[re.Match]:
    """Names of ``known`` standing alone: not opening a sentence, not part of
    a longer name ("Tony Blair", "Anglo-Dutch")."""
    out = []
    for m in _CAPITALISED.finditer(text):
        if m.group() not in known:
            continue
        before, after = text[:m.start()], text[m.end():]
        opening = before.rstrip()[-1:] in ("", ".", "!", "?", '"', "'", "(", ":")
        joined = (re.search(r"[A-Z][\w'.&]*\s+$|-$", before) is not None
                  or re.match(r"\s+[A-Z]|-", after) is not None)
        if not opening and not joined:
            out.append(m)
    return out


def reorder_names(text: str, rng: random.Random, known: frozenset[str]) -> str | None:
    """Two different names of the paragraph trade places, one mention each
    ("Smith beat Jones" -> "Jones beat Smith", a team list reordered): the
    same names, another statement."""
    spots = _lone_names(text, known)
    if len({m.group() for m in spots}) < 2:
        return None
    first = rng.choice(spots)
    second = rng.choice([m for m in spots if m.group() != first.group()])
    a, b = sorted((first, second), key=lambda m: m.start())
    return (text[:a.start()] + b.group() + text[a.end():b.start()] + a.group()
            + text[b.end():])


def truncate_with_facts(text: str, rng: random.Random, known: frozenset[str]) -> str | None:
    """A truncated copy (``truncate``) whose cut-off tail states facts of its
    own: a number, or a name of ``known`` the kept part lacks. Not a repeat
    in another story: the copy may be the same words about another subject."""
    copy = truncate(text, rng)
    if copy is None:
        return None
    tail = text[len(copy):]
    names_lost = {w for w in _CAPITALISED.findall(tail) if w in known} - set(
        _CAPITALISED.findall(copy))
    return copy if re.search(r"\d", tail) or names_lost else None


# Short lines that are common in news but are not repeats when two articles
# share one. Each is used by one pair of files only, so none reaches the
# boilerplate threshold.
SHORT_LINES = (
    "He said.", "She said.", "More to follow.", "No further details were given.",
    "He declined to comment.", "She declined to comment.", "Terms were not disclosed.",
    "The talks continue.", "Police are investigating.", "The deal awaits approval.",
    "Shares were unchanged.", "Trading was light.", "A vote is expected soon.",
    "An inquiry is under way.", "Both sides deny wrongdoing.", "Nobody was hurt.",
    "Reaction was mixed.", "The company disagreed.", "Officials were unavailable.",
    "Analysts were cautious.", "It was not clear why.", "The match was postponed.",
    "Fans were delighted.", "Critics were unimpressed.", "Prices rose again.",
    "Markets were calm.", "Demand remained weak.", "The plan was dropped.",
    "Sales slowed.", "Profits doubled.", "The move was expected.", "Talks broke down.",
    "The bill was passed.", "Voters were divided.", "That was it.", "Nothing changed.",
    "The judge agreed.", "The rumours persisted.", "Few were surprised.",
    "The mood was upbeat.", "Questions remain.", "Time will tell.",
)

# Footers a site appends to every article: boilerplate, removed everywhere.
FOOTERS = (
    "Share this article",
    "Follow us for the latest headlines.",
    "Sign up for our daily newsletter.",
    "Click here to send us your comments.",
    "Printable version of this story",
)


# A reporting verb and a verb that changes what the speaker did with the
# statement: the look-alike of "pledged" / "promised", which say the same.
REPORTING_SWAPS = (("said", "denied"), ("says", "denies"), ("confirmed", "denied"),
                   ("announced", "ruled out"), ("told", "refused to tell"))


def unsay(text: str, rng: random.Random) -> str | None:
    """One reporting verb inside the text replaced by one that is none
    ("said" -> "denied"). Not a repeat: it reports the opposite."""
    found = [(m, new) for old, new in REPORTING_SWAPS
             for m in re.finditer(rf"\b{old}\b", text) if _inside(text, m.start(), m.end())]
    if not found:
        return None
    m, new = rng.choice(found)
    return text[:m.start()] + new + text[m.end():]


SPELLED = ("two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


def respell_number(text: str, rng: random.Random) -> str | None:
    """One number written in words replaced by another number in digits
    ("three years" -> "4 years"). Not a repeat, though the copy's digits
    hold the original's (it has none in words): numbers in words count."""
    found = list(re.finditer(r"\b(%s)\b" % "|".join(SPELLED), text))
    if not found:
        return None
    m = rng.choice(found)
    value = SPELLED.index(m.group(1)) + 2
    other = rng.choice([v for v in range(2, 11) if v != value])
    return text[:m.start()] + str(other) + text[m.end():]

