"""Sentences of normalised paragraphs, and whether a paragraph is page furniture.

Copies are not always cut at paragraph breaks: a republished article joins
two paragraphs or splits one. Sentences survive that, so every paragraph
also carries the keys of its sentences. A paragraph whose sentences stand,
in order, in the sentence stream of another document is covered by the
paragraphs they stand in (:mod:`dedup.verification.coverage`), and the share of an article
that repeats another is counted sentence by sentence (:mod:`dedup.decisions.articles`).

The split is deliberately plain: a sentence ends after ``.``, ``!``, ``?``,
``:`` or ``;`` (and any closing quotes or brackets) followed by a space.
"Mr. Smith" splits too; that does no harm, since both copies of a text
split the same way. A paragraph end is always a sentence end.

A flag per paragraph, cheap to find:

* ``furniture``: the text is page furniture by its words: a share,
  subscribe or comment prompt, a copyright or navigation line, a wire
  sign-off ("Reuter"), a continuation marker ("More"), a list footer
  (an address or URL). A statement ("Terms were not disclosed."), a byline
  ("By Peter Torday, Reuters") or a heading is not;
* ``leans``: the paragraph takes what it is about from the story around it:
  it opens with a pronoun or a link word ("He also said ...", "It added
  ...", "But ..."), or with "The" and a common noun ("The company said ...",
  "The negotiations resume ..."), or it ends with a colon, introducing
  what follows it ("... adjusted its rates as follows:"); or it is a list
  of names or figures ("G Murphy; G Dempsey, B
  O'Driscoll, ..."). The same words in another story speak of another
  subject: such a paragraph goes for a copy in another document only
  inside a copy of its story (:mod:`dedup.decisions.context`).
"""

from __future__ import annotations

import re

import numpy as np

from .. import compiled


_END = re.compile(r"([.!?:;][\"')\]]*) ")
_SEP = "\x00"


def split(norm: str) -> list[str]:
    """The sentences of a normalised text; ``" ".join`` of them gives it back.

    >>> split('he said: "we won." then he left')
    ['he said:', '"we won."', 'then he left']
    """
    if not norm:
        return []
    return _END.sub(r"\1" + _SEP, norm).split(_SEP)


#: Paragraphs shorter than this (normalised characters) are one sentence:
#: their key is the paragraph's own.
MIN_SPLIT_CHARS = 30


def sentence_facts(norms: list[str], key_hi: np.ndarray,
                   digests) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per paragraph its number of sentences; per sentence its key and length.

    A sentence's key is the high half of the key of its normalised text
    (:func:`dedup.text.facts.text_key`), so a one-sentence paragraph's sentence
    key is its own key's high half and costs nothing. ``digests(texts)``
    gives the 16-byte keys of many texts as an ``(n, 2)`` uint64 array.

    Sentences are found by the compiled loop where the install built it
    (Reuters' 155,521 paragraphs: 0.32 s in Python); the Python form below
    is its reference. Either way hashlib keys them.
    """
    if compiled.text is not None:
        counts, lengths, pieces = compiled.text.sentence_pieces(list(norms), MIN_SPLIT_CHARS)
        counts = np.frombuffer(counts, dtype=np.int32).copy()
        lengths = np.frombuffer(lengths, dtype=np.int32).copy()
        keys = np.empty(len(lengths), dtype=np.uint64)
        whole = counts == 1                        # one sentence: the paragraph's own key
        firsts = np.cumsum(counts) - counts
        keys[firsts[whole]] = np.asarray(key_hi, dtype=np.uint64)[whole]
        if pieces:
            split = np.ones(len(lengths), dtype=bool)
            split[firsts[whole]] = False
            keys[split] = digests(pieces)[:, 0]
        return counts, keys, lengths
    return python_sentence_facts(norms, key_hi, digests)


def python_sentence_facts(norms: list[str], key_hi: np.ndarray,
                          digests) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`sentence_facts` in Python."""
    n = len(norms)
    counts = np.ones(n, dtype=np.int32)
    keys: list = []
    lengths: list = []
    pieces: list[str] = []
    where: list[int] = []
    for i, norm in enumerate(norms):
        if len(norm) < MIN_SPLIT_CHARS or _END.search(norm) is None:
            keys.append(int(key_hi[i]))
            lengths.append(len(norm))
            continue
        parts = split(norm)
        counts[i] = len(parts)
        for part in parts:
            where.append(len(keys))
            keys.append(0)
            lengths.append(len(part))
            pieces.append(part)
    out_keys = np.array(keys, dtype=np.uint64)
    if pieces:
        out_keys[np.asarray(where, dtype=np.int64)] = digests(pieces)[:, 0]
    return counts, out_keys, np.asarray(lengths, dtype=np.int32)


# -- the flags -------------------------------------------------------------------------

# Page furniture, by its words: prompts to share, subscribe, comment, follow,
# sign up, print or e-mail; copyright and navigation; continuation markers;
# list footers (an address or a link). Matched on normalised text. Numbers
# do not matter here: a copyright line with its year is furniture, and a
# line matching none of this ("Shr three cts vs three cts", "Terms were not
# disclosed.", "By Peter Torday, Reuters") is not, however often it recurs.
# Each phrase comes with the pattern a line holding it must match (as words,
# or in the right place): a line is tested only for the phrases it holds,
# found by one pass over a batch's short lines (phrase_hits), since one
# pattern for all of them cost 40 us a line.
_FURNITURE = {
    "share": r"^share (?:this|on|via)\b",
    "subscri": r"(?<!\w)(?:un)?subscri(?:be|ption information)\b",
    "newsletter": r"(?<!\w)newsletters?\b",
    "sign ": r"(?<!\w)sign (?:up|in|out)\b",
    "log ": r"(?<!\w)log (?:in|out)\b",
    "comment": r"(?<!\w)(?:(?:leave|post|add|view|read|show|hide|write|see) (?:a |your |all |"
               r"the )?comments?|comments? (?:are |is )?(?:closed|disabled|open|below|here|"
               r"policy)|commenting)\b",
    "let us know": r"(?<!\w)let us know\b",
    "follow us": r"(?<!\w)follow us\b",
    "like us": r"(?<!\w)like us on\b",
    "click here": r"(?<!\w)click here\b",
    "read more": r"(?<!\w)read more\b",
    "more on this": r"(?<!\w)more on this\b",
    "related ": r"(?<!\w)related (?:stories|articles|links|topics|content)\b",
    "most ": r"(?<!\w)most (?:read|popular|shared)\b",
    "back to top": r"(?<!\w)back to top\b",
    "top of page": r"(?<!\w)top of page\b",
    "print ": r"(?<!\w)print (?:this|page|article)\b",
    "printable": r"(?<!\w)printable (?:version|page|format)\b",
    "mail ": r"(?<!\w)e-?mail (?:this|to a friend)\b",
    "sponsored": r"(?<!\w)sponsored (?:content|by|links?)\b",
    "copyright": r"^copyright\b|(?<!\w)copyright (?:\(c\) |\u00a9 )?\d{4}",
    "\u00a9": r"\u00a9",
    "rights reserved": r"(?<!\w)all rights reserved\b",
    "terms of ": r"(?<!\w)terms of (?:use|service)\b",
    "privacy": r"(?<!\w)privacy (?:policy|notice)\b",
    "cookie": r"(?<!\w)cookie (?:policy|settings)\b",
    "listinfo": r"listinfo",
    "mailing list": r"(?<!\w)mailing list\b",
    "list maintainer": r"(?<!\w)list maintainer\b",
    "continue": r"(?<!\w)(?:continue reading|continued on)\b",
    "skip to": r"(?<!\w)skip to\b",
    "page ": r"(?<!\w)page \d+ of\b",
    # Links and addresses: list footers and signatures.
    "://": r"https?://",
    "www.": r"(?<!\w)www\.\w",
    "@": r"[\w.+-]@[\w-]+\.\w",
}
_PATTERNS = {phrase: re.compile(pattern) for phrase, pattern in _FURNITURE.items()}
_PHRASES = tuple(_FURNITURE)
# A line of one to three words that is a sign-off or a marker ("Reuter",
# "REUTER...", "More", "Ends", "-0-").
_SIGN_OFF = re.compile(r"^(?:reuters?|ap|afp|upi|more|ends?|end of story|ends here|"
                       r"-+ ?0 ?-+|#+|\*+|share|advertisement|continued)[.\s-]*$")

#: Only lines this short are looked at for furniture (the boilerplate rule
#: reads the flag, on lines of at most ``boilerplate_max_words`` words).
FLAG_MAX_WORDS = 25
#: Sign-offs are looked for among lines of at most this many words.
SIGN_OFF_WORDS = 3


# Matched on the original text: "The company" leans on its story, "The Bank
# of England" does not. Texts written in capitals are only tested for pronouns.
_OPENERS = frozenset("""
He She It Its They Their Them His Her This These Those That Such Both Also But And However
Meanwhile Instead Still Yet Thus Moreover Furthermore Besides Nevertheless Another
""".split())
_OPENERS_CAPITALS = frozenset("HE SHE IT ITS THEY THEIR THIS THESE THOSE BUT HOWEVER".split())
_FIRST_WORD = re.compile(r"[\W_]*([A-Za-z]+)")
# "The" and a word in lower case: "The company", "The new CDs" (not "The Bank").
_COMMON_NOUN = re.compile(r" [a-z]")
#: A list: at least this many separators, and under this share of its words
#: in lower case (names, figures and abbreviations are not).
LIST_SEPARATORS = 3
LIST_LOWER_SHARE = 0.25


#: The ``leans`` values: what a paragraph leans on its story for.
LEANS_OPENING = 1   # its opening points back into the story
LEANS_LIST = 2      # it is a list of names or figures
LEANS_LEAD_IN = 4   # it ends with a colon, introducing what follows it


def leans(text: str) -> int:
    """How a paragraph takes its subject from its story (see the module): 0
    when it does not, else LEANS_LEAD_IN, LEANS_OPENING or LEANS_LIST."""
    if text.rstrip().endswith(":"):
        return LEANS_LEAD_IN
    first = _FIRST_WORD.match(text)
    if first is not None:
        word = first.group(1)
        if word in _OPENERS or (word == "The" and _COMMON_NOUN.match(text, first.end())):
            return LEANS_OPENING
        if word in _OPENERS_CAPITALS and text.isupper():
            return LEANS_OPENING
    # Separators counted in C before anything is split.
    if text.count(",") + text.count(";") < LIST_SEPARATORS or text.isupper():
        return 0
    tokens = text.split()
    lower = sum(1 for t in tokens if t[:1].islower())
    return LEANS_LIST if lower < LIST_LOWER_SHARE * len(tokens) else 0


def leaning_flags(texts: list[str]) -> np.ndarray:
    """:func:`leans` of every paragraph's original text (uint8): in one
    compiled pass where the install built it (Reuters' 158,120 paragraphs:
    0.18 s in Python), else with :func:`leans`, its reference."""
    if compiled.text is not None:
        flags = compiled.text.leaning(list(texts), set(_OPENERS), set(_OPENERS_CAPITALS),
                                      LIST_SEPARATORS, LIST_LOWER_SHARE)
        return np.frombuffer(flags, dtype=np.uint8).copy()
    return python_leaning_flags(texts)


def python_leaning_flags(texts: list[str]) -> np.ndarray:
    """:func:`leaning_flags` in Python."""
    return np.fromiter((leans(t) for t in texts), dtype=np.uint8, count=len(texts))


def is_furniture(norm: str) -> bool:
    """Whether a normalised line is page furniture by its words (see the module)."""
    if norm.count(" ") < SIGN_OFF_WORDS and _SIGN_OFF.match(norm):
        return True
    return any(phrase in norm and _PATTERNS[phrase].search(norm) for phrase in _PHRASES)


def furniture_flags(norms: list[str], words: np.ndarray) -> np.ndarray:
    """:func:`is_furniture` of every paragraph, False past FLAG_MAX_WORDS words.

    The same answers, found faster: sign-offs among the lines of at most
    SIGN_OFF_WORDS words, and the other lines holding one of ``_PHRASES``
    (:func:`phrase_hits`), each then tested whole.
    """
    out = np.zeros(len(norms), dtype=bool)
    for i in np.flatnonzero(words <= SIGN_OFF_WORDS).tolist():
        out[i] = _SIGN_OFF.match(norms[i]) is not None
    short = np.flatnonzero(words <= FLAG_MAX_WORDS)
    if not len(short):
        return out
    lines = [norms[i] for i in short.tolist()]
    for k in phrase_hits(lines):
        i = int(short[k])
        out[i] = out[i] or is_furniture(norms[i])
    return out


def phrase_hits(lines: list[str], phrases: tuple[str, ...] = _PHRASES) -> list[int]:
    """Positions of the lines that hold any of ``phrases``: one compiled pass
    where the install built it (Reuters' short lines: 0.12 s in Python), else
    substring searches over the joined lines."""
    if compiled.text is not None:
        return compiled.text.phrase_hits(lines, list(phrases))
    if not lines:
        return []
    joined = "\n".join(lines)
    starts = np.zeros(len(lines), dtype=np.int64)
    np.cumsum([len(line) + 1 for line in lines[:-1]], out=starts[1:])
    found: list[int] = []
    for phrase in phrases:
        at = joined.find(phrase)
        while at >= 0:
            found.append(at)
            at = joined.find(phrase, at + 1)
    if not found:
        return []
    return np.unique(np.searchsorted(starts, np.asarray(found), side="right") - 1).tolist()
