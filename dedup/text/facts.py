"""Compact facts about every paragraph: all the keep/remove decisions read.

Detection needs the texts (to sign and verify candidate pairs); the decisions
after it do not. They need, per paragraph, only an exact key, its length, its
word count and a few flags, and per document its path. Keeping these in flat
arrays (32 bytes a paragraph, 12 a sentence) lets the decisions run on a machine that
never holds the texts: the local engine builds them in its reading workers,
the Dask engine on its cluster, and both make the same decisions from them.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

import numpy as np

from .. import compiled
from . import sentences
from .normalize import word_count

_ASCII_DIGIT = re.compile(r"[0-9]")


def has_digit(norm: str) -> bool:
    """Whether a text holds a digit (any script's, as ``str.isdigit`` says)."""
    if norm.isascii():
        return _ASCII_DIGIT.search(norm) is not None
    return any(c.isdigit() for c in norm)


def text_key(norm: str) -> tuple[int, int]:
    """128-bit key of a normalised text as two unsigned 64-bit halves.

    Equal texts have equal keys in every process and on every machine; two
    different paragraphs share one with a probability of about 2**-128, so
    grouping by key is grouping by text.
    """
    digest = _digest(norm)
    return int.from_bytes(digest[:8], "little"), int.from_bytes(digest[8:], "little")


def _digest(norm: str) -> bytes:
    return hashlib.blake2b(norm.encode("utf-8", "surrogatepass"), digest_size=16).digest()


def text_keys(norms: list[str]) -> np.ndarray:
    """``text_key`` of many texts as an ``(n, 2)`` array of uint64 halves,
    read from the joined digests at once rather than two Python integers
    per text."""
    return np.frombuffer(b"".join(map(_digest, norms)),
                         dtype="<u8").reshape(len(norms), 2).astype(np.uint64)


@dataclass
class Facts:
    """Per-paragraph facts, flat in corpus order (documents in path order)."""

    key_hi: np.ndarray      # uint64: halves of the 128-bit key of the normalised text
    key_lo: np.ndarray      # uint64
    length: np.ndarray      # int32: normalised characters
    words: np.ndarray       # int32: words of the normalised text
    digit: np.ndarray       # bool: the text holds a digit
    upper: np.ndarray       # bool: the original text is in capitals
    # The flags of dedup.text.sentences (bool each).
    furniture: np.ndarray   # page furniture by its words
    leans: np.ndarray       # uint8: how it takes its subject from its story (0: not)
    sentences: np.ndarray   # int32: how many sentences (dedup.text.sentences.split)
    # Per sentence, paragraph after paragraph (not per paragraph):
    sentence_key: np.ndarray      # uint64: high half of the sentence's text key
    sentence_length: np.ndarray   # int32: its normalised characters

    #: The arrays with one entry per paragraph, and those with one per sentence.
    PER_PARAGRAPH = ("key_hi", "key_lo", "length", "words", "digit", "upper", "furniture",
                     "leans", "sentences")
    PER_SENTENCE = ("sentence_key", "sentence_length")

    def __len__(self) -> int:
        return len(self.length)

    @staticmethod
    def empty() -> "Facts":
        return Facts(np.zeros(0, np.uint64), np.zeros(0, np.uint64), np.zeros(0, np.int32),
                     np.zeros(0, np.int32), np.zeros(0, bool), np.zeros(0, bool),
                     np.zeros(0, bool), np.zeros(0, np.uint8),
                     np.zeros(0, np.int32), np.zeros(0, np.uint64), np.zeros(0, np.int32))

    def sentence_start(self) -> np.ndarray:
        """Index of every paragraph's first sentence, then the total (int64)."""
        found = self.__dict__.get("_sentence_start")
        if found is None:
            found = np.zeros(len(self) + 1, dtype=np.int64)
            np.cumsum(self.sentences, out=found[1:])
            self.__dict__["_sentence_start"] = found
        return found

    def take(self, order: np.ndarray) -> "Facts":
        """The facts of the paragraphs ``order`` (positions), in that order."""
        start = self.sentence_start()
        counts = self.sentences[order].astype(np.int64)
        total = int(counts.sum())
        within = np.arange(total, dtype=np.int64) - np.repeat(np.cumsum(counts) - counts, counts)
        rows = np.repeat(start[:-1][order], counts) + within
        return Facts(*(getattr(self, name)[order] for name in self.PER_PARAGRAPH),
                     *(getattr(self, name)[rows] for name in self.PER_SENTENCE))

    @staticmethod
    def of(norms: list[str], texts) -> "Facts":
        """Facts of paragraphs from their normalised and original texts."""
        n = len(norms)
        keys = text_keys(norms)
        key_hi, key_lo = keys[:, 0].copy(), keys[:, 1].copy()
        texts = list(texts)
        if compiled.text is not None:
            # The rest in one compiled pass (Reuters' 155,521 paragraphs: 0.13 CPU s
            # in Python); the Python form below is its reference.
            length, words = np.empty(n, np.int32), np.empty(n, np.int32)
            digit, upper = np.empty(n, bool), np.empty(n, bool)
            compiled.text.facts(list(norms), texts, length, words, digit, upper)
        else:
            length = np.fromiter((len(t) for t in norms), dtype=np.int32, count=n)
            words = np.fromiter((word_count(t) for t in norms), dtype=np.int32, count=n)
            digit = np.fromiter((has_digit(t) for t in norms), dtype=bool, count=n)
            upper = np.fromiter((t.isupper() for t in texts), dtype=bool, count=n)
        furniture = sentences.furniture_flags(norms, words)
        leaning = sentences.leaning_flags(texts)
        counts, sentence_keys, sentence_lengths = sentences.sentence_facts(
            norms, key_hi, text_keys)
        return Facts(key_hi, key_lo, length, words, digit, upper, furniture, leaning,
                     counts, sentence_keys, sentence_lengths)

    @staticmethod
    def concat(parts: list["Facts"]) -> "Facts":
        if not parts:
            return Facts.empty()
        return Facts(*(np.concatenate([getattr(p, name) for p in parts])
                       for name in Facts.PER_PARAGRAPH + Facts.PER_SENTENCE))

    def __getstate__(self) -> dict:
        # Without what is derived and kept here: a copy sent elsewhere makes its own.
        return {k: v for k, v in self.__dict__.items() if not k.startswith("_")}

    def nbytes(self) -> int:
        return sum(getattr(self, name).nbytes
                   for name in self.PER_PARAGRAPH + self.PER_SENTENCE)


def exact_groups(facts: Facts) -> tuple[np.ndarray, list[list[int]]]:
    """Group number of every paragraph and the members of each group.

    Paragraphs with the same normalised text form a group; groups are numbered
    in the order of their first paragraph, and members are in corpus order.
    """
    n = len(facts)
    if n == 0:
        return np.zeros(0, dtype=np.int64), []
    flat = np.arange(n, dtype=np.int64)
    order, class_of_sorted, firsts = _classes(facts)
    # A class's group number is how many first paragraphs come before its
    # own: counted over the positions rather than sorting the firsts.
    number = (np.cumsum(_first_marks(firsts, n)) - 1)[firsts]
    group_of = np.empty(n, dtype=np.int64)
    group_of[order] = number[class_of_sorted]
    by_group = np.lexsort((flat, group_of))
    bounds = (np.flatnonzero(np.diff(group_of[by_group])) + 1).tolist()
    listed = by_group.tolist()
    members = [listed[a:b] for a, b in zip([0] + bounds, bounds + [n])]
    return group_of, members


def group_firsts(facts: Facts) -> np.ndarray:
    """The first paragraph of every group of :func:`exact_groups`, in group
    order (``members[g][0]``), from the sort the facts keep."""
    if len(facts) == 0:
        return np.zeros(0, dtype=np.int64)
    return np.flatnonzero(_first_marks(_classes(facts)[2], len(facts)))


def _first_marks(firsts: np.ndarray, n: int) -> np.ndarray:
    """Whether each of ``n`` positions is one of ``firsts``."""
    marks = np.zeros(n, dtype=bool)
    marks[firsts] = True
    return marks


def first_copies(facts: Facts) -> np.ndarray:
    """For every paragraph, the position of the first paragraph with its text."""
    first = np.empty(len(facts), dtype=np.int64)
    if len(facts):
        order, class_of_sorted, firsts = _classes(facts)
        first[order] = firsts[class_of_sorted]
    return first


def _classes(facts: Facts) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Paragraphs sorted by key then position, the class (distinct key) of each
    in that order, and the first paragraph of each class.

    Kept on the facts: reading asks for them (first_copies) and the
    decisions again (exact_groups), and the sort is the larger part of both
    (Reuters' 155,521 paragraphs: 0.025 s). The arrays of a Facts are never
    changed in place, so what was found stays true of them."""
    found = facts.__dict__.get("_classes")
    if found is None:
        found = facts.__dict__["_classes"] = _sorted_classes(facts)
    return found


def _sorted_classes(facts: Facts) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n = len(facts)
    # By the high halves alone, stably (positions in order within a key):
    # equal high halves nearly always mean equal texts, and only when some
    # do not is the sort by both halves needed (Reuters: 0.010 s against
    # 0.024 s for the lexsort).
    order = np.argsort(facts.key_hi, kind="stable")
    hi, lo = facts.key_hi[order], facts.key_lo[order]
    if ((hi[1:] == hi[:-1]) & (lo[1:] != lo[:-1])).any():
        order = np.lexsort((np.arange(n, dtype=np.int64), facts.key_lo, facts.key_hi))
        hi, lo = facts.key_hi[order], facts.key_lo[order]
    new_class = np.ones(n, dtype=bool)
    new_class[1:] = (hi[1:] != hi[:-1]) | (lo[1:] != lo[:-1])
    return order, np.cumsum(new_class) - 1, order[new_class]


@dataclass
class Layout:
    """Where paragraphs stand, with their facts: the input of the decisions.

    A :class:`dedup.input.corpus.Corpus` has the same attributes; an engine that
    holds no texts on the machine that decides builds this instead.
    """

    facts: Facts
    doc_of: np.ndarray      # int32: document number of every paragraph
    start: np.ndarray       # int64: first flat position of each document, then the total
    paths: list[str]        # display path of every document

    def __len__(self) -> int:
        return len(self.doc_of)
