"""Why two paragraphs do or don't count as repeats: ``dedup explain``.

Every number the engine uses to decide on a pair is recomputed here with the
same functions and the same :class:`~dedup.config.Config` (loaded the way
``scan`` loads it), so the explanation matches what ``scan`` decides for a
pair: normalised texts, estimated and exact shingle Jaccard, whether LSH would
propose the pair, the fuzzy score against the threshold, the facts check and
the words that differ.

What it cannot know from two paragraphs alone is the rest of the corpus: a
short line may still be boilerplate (it depends on how many files hold it),
and a repeat is only removed when its twin is kept. The text says so.

>>> from dedup.config import Config
>>> e = explain_texts("The cat sat on the mat today in London.",
...                   "The cat sat on the mat today in Paris.", Config(near_threshold=80))
>>> e.verdict.reason
'names differ: london vs paris'
>>> [(op.tag, op.a, op.b) for op in e.differences]
[('replace', 'London.', 'Paris.')]
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from rapidfuzz import fuzz

from ..fingerprints.candidates import PREFIX_CHARS
from ..config import Config
from ..input.documents import Document, Paragraph, read_document
from ..fingerprints.fingerprint import band_keys, jaccard, lsh_params, shingles, signatures
from ..text.normalize import normalize, word_count
from ..verification.verify import Verdict, verify

_WORD = re.compile(r"\S+")


# ---------------------------------------------------------------------------
# Word alignment (shared with the HTML report)

@dataclass(frozen=True, slots=True)
class WordOp:
    """One difference between two texts, in words: replace, delete or insert."""

    tag: str
    a: str              # the words of the first text ("" for insert)
    b: str              # the words of the second text ("" for delete)
    a_span: tuple[int, int]   # word positions [start, end) in the first text
    b_span: tuple[int, int]


def words(text: str) -> list[re.Match]:
    """The words of a text, with their character positions."""
    return list(_WORD.finditer(text))


def _key(word: str) -> str:
    # Words are compared the way paragraphs are: a change of case, of quote
    # style or of dash is not a difference.
    return normalize(word)


def word_matcher(a_words: list[str], b_words: list[str]) -> difflib.SequenceMatcher:
    return difflib.SequenceMatcher(None, [_key(w) for w in a_words], [_key(w) for w in b_words],
                                   autojunk=False)


def word_differences(text_a: str, text_b: str) -> list[WordOp]:
    """The aligned differences between two texts, word by word."""
    a = [m.group() for m in words(text_a)]
    b = [m.group() for m in words(text_b)]
    out = []
    for tag, i1, i2, j1, j2 in word_matcher(a, b).get_opcodes():
        if tag != "equal":
            out.append(WordOp(tag, " ".join(a[i1:i2]), " ".join(b[j1:j2]), (i1, i2), (j1, j2)))
    return out


def changed_words(text_a: str, text_b: str) -> tuple[set[int], set[int]]:
    """Positions (word numbers) of the words that differ, in each text."""
    a = [m.group() for m in words(text_a)]
    b = [m.group() for m in words(text_b)]
    in_a: set[int] = set()
    in_b: set[int] = set()
    for tag, i1, i2, j1, j2 in word_matcher(a, b).get_opcodes():
        if tag != "equal":
            in_a.update(range(i1, i2))
            in_b.update(range(j1, j2))
    return in_a, in_b


# ---------------------------------------------------------------------------
# Explanations

@dataclass
class Side:
    """One paragraph of the pair."""

    path: str
    paragraph: Paragraph | None
    text: str
    norm: str

    @property
    def where(self) -> str:
        if self.paragraph is None:
            return self.path
        first, last = self.paragraph.lines
        return f"{self.path}:{first}" + (f"-{last}" if last != first else "")


@dataclass
class Explanation:
    a: Side
    b: Side
    cfg: Config
    exact: bool                       # equal normalised texts
    signed: bool                      # both long enough for MinHash
    jaccard_estimate: float | None    # from the MinHash signatures
    jaccard_exact: float              # of the exact shingle sets
    lsh_probability: float | None     # chance LSH proposes a pair with this Jaccard
    lsh_candidate: bool | None        # whether these two signatures share a band
    prefix_candidate: bool            # same opening: proposed as a possible truncated copy
    bands: int
    rows: int
    score: float                      # rapidfuzz fuzz.ratio of the normalised texts
    verdict: Verdict | None           # None for exact repeats (no fuzzy check needed)
    differences: list[WordOp] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def repeats(self) -> bool:
        return self.exact or bool(self.verdict)

    def conclusion(self) -> str:
        if self.exact:
            return "REPEAT (exact): the normalised texts are equal"
        assert self.verdict is not None
        if not self.signed:
            return ("NOT A REPEAT: paragraphs shorter than near_min_chars "
                    f"({self.cfg.near_min_chars}) only repeat exactly")
        if self.verdict:
            return f"REPEAT ({self.verdict.reason})"
        return f"NOT A REPEAT: {self.verdict.reason}"


def explain_texts(text_a: str, text_b: str, cfg: Config | None = None,
                  path_a: str = "A", path_b: str = "B") -> Explanation:
    """Explain two paragraphs given as text."""
    return _explain(Side(path_a, None, text_a, normalize(text_a)),
                    Side(path_b, None, text_b, normalize(text_b)), cfg or Config())


def explain_paragraphs(doc_a: Document, para_a: int, doc_b: Document, para_b: int,
                       cfg: Config | None = None) -> Explanation:
    """Explain two paragraphs of documents, by paragraph number."""
    pa, pb = doc_a.paragraphs[para_a], doc_b.paragraphs[para_b]
    return _explain(Side(doc_a.path, pa, pa.text, normalize(pa.text)),
                    Side(doc_b.path, pb, pb.text, normalize(pb.text)), cfg or Config())


def _explain(a: Side, b: Side, cfg: Config) -> Explanation:
    bands, rows = lsh_params(cfg.lsh_threshold, cfg.num_perm)
    exact = a.norm == b.norm
    signed = len(a.norm) >= cfg.near_min_chars and len(b.norm) >= cfg.near_min_chars
    sh_a, sh_b = shingles(a.norm, cfg.shingle_size), shingles(b.norm, cfg.shingle_size)
    union = len(sh_a | sh_b)
    j_exact = len(sh_a & sh_b) / union if union else 1.0
    j_est = probability = candidate = None
    if signed:
        sigs = signatures([a.norm, b.norm], cfg.shingle_size, cfg.num_perm, cfg.seed)
        j_est = jaccard(sigs[0], sigs[1])
        keys = band_keys(sigs, bands, rows)
        candidate = bool(np.any(keys[0] == keys[1]))
        probability = 1 - (1 - j_exact ** rows) ** bands
    prefix = (len(a.norm) > PREFIX_CHARS and len(b.norm) > PREFIX_CHARS
              and a.norm[:PREFIX_CHARS] == b.norm[:PREFIX_CHARS])
    score = round(fuzz.ratio(a.norm, b.norm), 1)
    verdict = None if exact else verify(a.norm, b.norm, a.text, b.text, cfg)
    notes = []
    short = [s.where for s in (a, b) if word_count(s.norm) < cfg.short_words]
    if short and cfg.short_words > 0:
        notes.append(f"{' and '.join(short)} has fewer than {cfg.short_words} words (short_words): "
                     "it is removed only beside its twin or inside a run of repeats")
    if (exact and word_count(a.norm) <= cfg.boilerplate_max_words
            and not any(c.isdigit() for c in a.norm)):
        notes.append(f"a line this short is boilerplate if it stands in at least "
                     f"{cfg.boilerplate_min_files} files, mostly at their start or end; "
                     "that depends on the whole corpus")
    if signed and verdict and candidate is False and not prefix:
        notes.append("LSH would not propose this pair in a scan, so the fuzzy check would "
                     "not run and it would not be found: raise num_perm or lower "
                     "lsh_threshold to catch such pairs")
    return Explanation(a, b, cfg, exact, signed, j_est, j_exact, probability, candidate, prefix,
                       bands, rows, score, verdict, word_differences(a.text, b.text), notes)


# ---------------------------------------------------------------------------
# Locating "FILE:LINE"

class LocateError(ValueError):
    """A FILE:LINE argument that does not name a paragraph."""


def parse_location(arg: str) -> tuple[str, int]:
    """``"path/to/file.txt:12"`` to ``("path/to/file.txt", 12)``."""
    path, sep, line = arg.rpartition(":")
    if not sep or not path or not line.strip().isdigit():
        raise LocateError(f"{arg}: expected FILE:LINE, e.g. samples/002.txt:11")
    return path, int(line)


def paragraph_at(doc: Document, line: int) -> int:
    """Number of the paragraph holding ``line`` (1-based). Raises LocateError."""
    for para in doc.paragraphs:
        if para.first_line <= line <= para.last_line:
            return para.index
    total = len(doc.lines)
    if not 1 <= line <= total:
        raise LocateError(f"{doc.path}:{line}: the file has {total} lines")
    raise LocateError(f"{doc.path}:{line}: a blank line, not a paragraph")


def explain_locations(loc_a: str, loc_b: str, cfg: Config | None = None,
                      encoding: str | None = None) -> Explanation:
    """Explain the paragraphs at two ``FILE:LINE`` locations."""
    docs = []
    for loc in (loc_a, loc_b):
        path, line = parse_location(loc)
        doc = read_document(Path(path), path, encoding)
        docs.append((doc, paragraph_at(doc, line)))
    (doc_a, pa), (doc_b, pb) = docs
    return explain_paragraphs(doc_a, pa, doc_b, pb, cfg)


# ---------------------------------------------------------------------------
# Output

def _quote(text: str, width: int = 100) -> list[str]:
    import textwrap
    return textwrap.wrap(text, width, break_long_words=True, break_on_hyphens=False) or [""]


def render_text(e: Explanation) -> str:
    cfg = e.cfg
    out = [f"A: {e.a.where}", f"B: {e.b.where}", ""]
    for name, side in (("A", e.a), ("B", e.b)):
        out.append(f"normalised {name} ({len(side.norm)} chars, {word_count(side.norm)} words):")
        out += ["  " + line for line in _quote(side.norm)]
    out.append("")
    out.append(f"exact repeat (normalised texts equal): {'yes' if e.exact else 'no'}")
    out.append(f"shingle Jaccard ({cfg.shingle_size}-char shingles): exact {e.jaccard_exact:.3f}"
               + (f", MinHash estimate {e.jaccard_estimate:.3f} ({cfg.num_perm} permutations)"
                  if e.jaccard_estimate is not None else ""))
    if e.signed:
        out.append(f"LSH: {e.bands} bands x {e.rows} rows for lsh_threshold {cfg.lsh_threshold:g}; "
                   f"chance to propose a pair this similar {e.lsh_probability:.2f}; "
                   f"these two share a band: {'yes' if e.lsh_candidate else 'no'}"
                   + ("; same opening (proposed as a possible truncated copy)"
                      if e.prefix_candidate else ""))
    else:
        out.append(f"LSH: not signed (shorter than near_min_chars = {cfg.near_min_chars} "
                   "characters): only exact repeats count")
    out.append(f"fuzzy score (rapidfuzz fuzz.ratio): {e.score:.1f}; "
               f"threshold (near_threshold): {cfg.near_threshold:g}")
    if e.verdict is not None:
        relation = e.verdict.relation or "none"
        out.append(f"verification: {relation} (score {e.verdict.score:.1f}): {e.verdict.reason}")
    if e.differences:
        out.append("")
        out.append(f"differences ({len(e.differences)}, words; A -> B):")
        for op in e.differences[:40]:
            if op.tag == "replace":
                out.append(f"  ~ word {op.a_span[0] + 1}: {op.a!r} -> {op.b!r}")
            elif op.tag == "delete":
                out.append(f"  - word {op.a_span[0] + 1}: {op.a!r} only in A")
            else:
                out.append(f"  + word {op.a_span[0] + 1}: {op.b!r} only in B")
        if len(e.differences) > 40:
            out.append(f"  ... and {len(e.differences) - 40} more")
    elif not e.exact:
        out.append("differences: none in the words (only spacing, case, quotes or dashes)")
    for note in e.notes:
        out.append(f"note: {note}")
    out.append("")
    out.append(e.conclusion())
    return "\n".join(out) + "\n"


def as_dict(e: Explanation) -> dict:
    def side(s: Side) -> dict:
        return {"path": s.path, "lines": list(s.paragraph.lines) if s.paragraph else None,
                "text": s.text, "normalised": s.norm}
    return {
        "a": side(e.a), "b": side(e.b),
        "repeats": e.repeats,
        "conclusion": e.conclusion(),
        "exact": e.exact,
        "signed": e.signed,
        "jaccard_estimate": e.jaccard_estimate,
        "jaccard_exact": round(e.jaccard_exact, 4),
        "lsh": {"bands": e.bands, "rows": e.rows, "probability": e.lsh_probability,
                "candidate": e.lsh_candidate, "prefix_candidate": e.prefix_candidate},
        "score": e.score,
        "threshold": e.cfg.near_threshold,
        "verdict": None if e.verdict is None else {
            "relation": e.verdict.relation, "score": e.verdict.score,
            "reason": e.verdict.reason},
        "differences": [{"tag": op.tag, "a": op.a, "b": op.b,
                         "a_words": list(op.a_span), "b_words": list(op.b_span)}
                        for op in e.differences],
        "notes": list(e.notes),
        "settings": e.cfg.settings(),
    }
