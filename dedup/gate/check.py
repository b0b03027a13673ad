"""``dedup check``: are new articles repeats, of themselves, of each other or of the index?

A check makes the decisions ``scan`` would make over the archive plus the new
articles, without reading the archive:

1. the new articles are read into a :class:`~dedup.input.corpus.Corpus` as ``scan``
   reads them (same splitting, normalisation and signatures);
2. every key a new paragraph could share with a stored one is computed: its
   normalised-text key, its LSH band keys and its opening (prefix) key;
3. the index returns, by bounded indexed searches (see :mod:`dedup.gate.index`),
   the stored paragraphs with the same text (the first
   ``boilerplate_min_files`` files holding it) and the ``(key, paragraph)``
   pairs of the LSH and prefix keys (the first ``LSH_CAP`` paragraphs per key);
   each new paragraph shortlists the ``CANDIDATES_PER_PARAGRAPH`` stored
   paragraphs sharing the most keys with it (:func:`shortlist`), and only
   the texts of those are read;
4. of the shortlist, a new paragraph keeps the first stored paragraph that
   verifies as its near repeat or truncated copy, and the first that would but
   for changed numbers (:func:`matching`); a new paragraph with an exact
   stored twin needs no near twin. The file and signature of a stored
   paragraph are read only once it is kept;
5. the stored paragraphs kept become documents named by their stored path, as
   long as the stored file, each paragraph at its stored position (the other
   positions hold placeholders that match nothing, so "the next paragraph",
   runs of repeats and the distance to the file's edges mean what they mean
   in the stored file). They are placed *before* the new documents, in
   ingestion order, and :func:`dedup.decisions.detect.decide` runs over this small
   corpus with ``keep = first``, so a stored paragraph is always the one kept;
6. a new paragraph the decision removes is a repeat; its ``kept`` paragraph
   names the stored file and lines (or another new article). Removals of
   stored paragraphs (stored against stored, or a stored partial copy giving
   way to a fuller new paragraph) are ignored. A new article most of whose
   text repeats one other article is reported as a whole-article repeat.

Every step is bounded per new paragraph, so a check's work depends on the
new articles, not on the size of the archive. Its time still grows somewhat
with the archive, because the pages it reads (about one per key) lie farther
apart in a larger file: see ``python -m bench.index_bench`` and docs/ci.md.

What can differ from ``scan`` over everything: ``scan`` never chains matches
(a paragraph resembling only a removed repeat stays), while a check only sees
stored paragraphs that match a new one. So where the archive itself holds near
copies of each other, a new paragraph may be reported against a later copy
that ``scan`` would have removed, or against another of the copies than
``scan`` names. An archive built with ``check --add`` holds no such copies.
Whole-article *updates* (informational) may be missed when many stored
paragraphs differ from a new one only by numbers.

Boilerplate: the ``scan`` rules (a short line in at least
``boilerplate_min_files`` files, mostly at their edges, beside text that does
not repeat) over the occurrences the check sees: for each new paragraph the
index returns the first ``boilerplate_min_files`` stored files holding the same
text, which is enough for the file count. Boilerplate is reported but never
blocks a check.

Accepted repeats: a baseline file lists repeats a team has accepted, keyed by
the new file's path, the normalised-text key of the repeated paragraph and the
key of its kept twin, so an entry survives line shifts. Accepted repeats are
reported as such and do not block.
"""

from __future__ import annotations

import dataclasses
import json
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..version import __version__
from ..arrays import unique_sorted
from ..config import Config
from ..input.corpus import Corpus, corpus_from_texts, read_corpus
from ..decisions.detect import decide, findings_of
from ..input.documents import Document, Paragraph, read_regular_file, text_named
from ..fingerprints.fingerprint import exact_key
from .index import (AddSummary, Index, IndexFileError, StoredParagraph, StoredText,
                    describe_settings, file_sha256, fingerprint_settings, lsh_keys)
from ..engines.jsonl import JsonlSpec, records
from ..model import BLOCK, BOILERPLATE, Ref, Removal, ScanResult
from ..verification.verify import verify

#: Stored paragraphs compared with each new paragraph: those sharing the
#: most LSH and prefix keys with it.
CANDIDATES_PER_PARAGRAPH = 4

BASELINE_SCHEMA = "dedup.baseline"
#: The "paragraph" of a baseline entry that accepts a whole-article repeat.
ARTICLE_KEY = "article"
BASELINE_VERSION = 1


class SkippedInput(ValueError):
    """A strict check met files it could not read (nothing was checked or added)."""

    def __init__(self, skipped: list[str]) -> None:
        super().__init__(f"{len(skipped)} file(s) skipped")
        self.skipped = skipped


class BaselineError(ValueError):
    """A baseline file that cannot be read; the message is one line."""


def key_hex(key: int) -> str:
    """A 64-bit normalised-text key as 16 hex digits (as baselines store it)."""
    return f"{key & 0xFFFFFFFFFFFFFFFF:016x}"


@dataclass(frozen=True, slots=True)
class Repeat:
    """One paragraph of a new article that repeats another paragraph."""

    path: str
    para: int
    first_line: int
    last_line: int
    key: str             # key_hex of its normalised text
    kind: str            # exact | near | boilerplate
    score: float
    detail: str
    kept_path: str
    kept_para: int
    kept_first_line: int
    kept_last_line: int
    kept_key: str
    kept_in_index: bool  # the twin is a stored paragraph (else another new article)

    @property
    def baseline_key(self) -> tuple[str, str, str]:
        return (self.path, self.key, self.kept_key)


@dataclass(frozen=True, slots=True)
class CheckFinding:
    """A repeated paragraph, or a run of them repeating consecutive paragraphs (a block)."""

    path: str
    first_line: int
    last_line: int
    kind: str            # exact | near | block
    score: float         # lowest in the run
    kept_path: str
    kept_first_line: int
    kept_last_line: int
    kept_in_index: bool
    repeats: tuple[Repeat, ...]

    def message(self) -> str:
        where = " from the index" if self.kept_in_index else ""
        lines = _span(self.kept_first_line, self.kept_last_line)
        if self.kind == BLOCK:
            kinds = ", ".join(sorted({r.kind for r in self.repeats}))
            return (f"{len(self.repeats)} paragraphs repeat {self.kept_path} {lines}{where} "
                    f"(block: {kinds}; lowest similarity {self.score:.1f})")
        how = self.kind
        if self.repeats[0].detail:
            how += f", {self.repeats[0].detail}"
        if self.kind != "exact":
            how += f", similarity {self.score:.1f}"
        return f"repeats {self.kept_path} {lines}{where} ({how})"


def _span(first: int, last: int) -> str:
    return f"line {first}" if first == last else f"lines {first}-{last}"


@dataclass(frozen=True, slots=True)
class ArticleFinding:
    """A new article most of whose text repeats (or updates) one other article."""

    path: str
    first_line: int
    last_line: int
    kept_path: str
    kept_in_index: bool
    share: float         # share of its text that repeats the other article
    paragraphs: int      # its paragraphs that repeat the other's
    total: int           # its paragraphs, boilerplate excluded
    relation: str        # "repeat" (blocks) | "update" (numbers changed; never blocks)
    changed: int = 0     # paragraphs whose numbers changed (updates)
    identical: bool = False   # the same bytes as the stored file

    @property
    def baseline_key(self) -> tuple[str, str, str]:
        """How a baseline accepts it: the new path and the article it repeats."""
        return (self.path, ARTICLE_KEY, self.kept_path)

    def message(self) -> str:
        where = " from the index" if self.kept_in_index else ""
        if self.relation == "update":
            return (f"article updates {self.kept_path}{where} ({self.changed} paragraph"
                    f"{'s' if self.changed != 1 else ''} with changed numbers)")
        what = (f"already ingested as {self.kept_path}" if self.kept_in_index
                else f"whole article repeats {self.kept_path}")
        same = "the same bytes, " if self.identical else ""
        return (f"{what} ({same}{self.share:.0%} of its text, {self.paragraphs} of "
                f"{self.total} paragraphs)")


@dataclass
class CheckReport:
    """Everything a check decided, for the output formats."""

    index: str
    files: list[str]                      # new files checked (display paths)
    paragraphs: int                       # paragraphs in them
    findings: list[CheckFinding]          # blocking repeats, grouped into runs
    articles: list[ArticleFinding] = field(default_factory=list)  # repeats block; updates not
    accepted: list[Repeat] = field(default_factory=list)   # matched the baseline
    accepted_articles: list[ArticleFinding] = field(default_factory=list)
    already_indexed: list[str] = field(default_factory=list)  # same path, same bytes
    boilerplate: list[Repeat] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    index_files: int = 0
    index_paragraphs: int = 0
    settings: dict = field(default_factory=dict)
    stats: dict = field(default_factory=dict)
    added: AddSummary | None = None
    baseline_written: str | None = None

    @property
    def repeats(self) -> list[Repeat]:
        return [r for f in self.findings for r in f.repeats]

    @property
    def passed(self) -> bool:
        return not self.findings and not self.repeated_articles

    @property
    def repeated_articles(self) -> list[ArticleFinding]:
        """Whole-article repeats not accepted by the baseline (each fails the check)."""
        return [a for a in self.articles if a.relation == "repeat"]

    def findings_in(self, path: str) -> list[CheckFinding]:
        return [f for f in self.findings if f.path == path]

    def article_of(self, finding: CheckFinding) -> ArticleFinding | None:
        """The whole-article repeat a paragraph finding belongs to, if any."""
        for a in self.articles:
            if (a.relation == "repeat" and a.path == finding.path
                    and a.kept_path == finding.kept_path):
                return a
        return None

    def unexplained(self) -> list[CheckFinding]:
        """Paragraph findings not inside a whole-article repeat of their twin's file."""
        return [f for f in self.findings if self.article_of(f) is None]


# -- baselines ---------------------------------------------------------------

@dataclass
class Baseline:
    """Accepted repeats, keyed by (new path, paragraph key, kept twin key)."""

    entries: dict[tuple[str, str, str], dict] = field(default_factory=dict)

    def __contains__(self, repeat: Repeat) -> bool:
        return repeat.baseline_key in self.entries

    @classmethod
    def load(cls, path: Path) -> "Baseline":
        try:
            data = json.loads(Path(path).read_text("utf-8"))
        except OSError as exc:
            raise BaselineError(f"{path}: cannot read baseline: {exc.strerror or exc}") from exc
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise BaselineError(f"{path}: baseline is not valid JSON: {exc}") from exc
        if not isinstance(data, dict) or data.get("schema") != BASELINE_SCHEMA:
            raise BaselineError(f"{path}: not a dedup baseline (schema is not {BASELINE_SCHEMA!r})")
        if data.get("version") != BASELINE_VERSION:
            raise BaselineError(f"{path}: baseline version {data.get('version')}, "
                                f"this dedup reads version {BASELINE_VERSION}")
        entries = {}
        for item in data.get("accepted", []):
            try:
                key = (str(item["path"]), str(item["paragraph"]), str(item["kept"]))
            except (KeyError, TypeError) as exc:
                raise BaselineError(f"{path}: baseline entry without path/paragraph/kept: "
                                    f"{item!r}") from exc
            entries[key] = item
        return cls(entries)

    @staticmethod
    def entry(r: Repeat) -> dict:
        return {"path": r.path, "paragraph": r.key, "kept": r.kept_key,
                # For people reading the file; not part of the key.
                "lines": [r.first_line, r.last_line],
                "kept_path": r.kept_path, "kept_lines": [r.kept_first_line, r.kept_last_line],
                "kind": r.kind}

    @classmethod
    def from_repeats(cls, repeats: list[Repeat],
                     articles: list[ArticleFinding] = ()) -> "Baseline":
        entries = {r.baseline_key: cls.entry(r) for r in repeats}
        for a in articles:
            if a.relation == "repeat":
                entries[a.baseline_key] = {"path": a.path, "paragraph": ARTICLE_KEY,
                                           "kept": a.kept_path, "kept_path": a.kept_path,
                                           "kind": "article"}
        return cls(entries)

    @classmethod
    def of_report(cls, report: "CheckReport") -> "Baseline":
        """Every repeat a check found (accepted ones included): what
        ``--write-baseline`` writes."""
        return cls.from_repeats(report.accepted,
                                report.accepted_articles + report.repeated_articles)

    def dumps(self) -> str:
        items = [self.entries[k] for k in sorted(self.entries)]
        return json.dumps({"schema": BASELINE_SCHEMA, "version": BASELINE_VERSION,
                           "dedup_version": __version__, "accepted": items},
                          indent=2, ensure_ascii=False) + "\n"


# -- the check ---------------------------------------------------------------

def check(index: Index, files: list[tuple[str | Path, str]], cfg: Config | None = None, *,
          encoding: str | None = None, baseline: Baseline | None = None,
          accept_all: bool = False, add: bool = False, strict: bool = False) -> CheckReport:
    """Check ``(path, display path)`` files against each other and the index.

    ``accept_all`` treats every repeat as accepted (writing a baseline);
    ``add`` ingests the files when the check passes, in the same transaction
    as the lookups, so no other writer can slip a conflicting article in between.
    With ``strict``, a file that cannot be read (or named in the index)
    raises :class:`SkippedInput` before anything is checked or added: a
    gate that lets an unread article through has not checked it.
    """
    cfg = cfg or index.cfg
    started = time.perf_counter()
    files, unnamed = text_named(index.paths_of(files), "not checked")
    shas: dict[str, str] = {}
    for path, name in files:
        try:
            shas[name] = file_sha256(read_regular_file(Path(path)))
        except OSError:
            pass   # reported as skipped by read_corpus
    with index.transaction(write=add):
        indexed = already_indexed(index, shas)
        new = read_corpus([(p, n) for p, n in files if n not in indexed], cfg, encoding)
        new.skipped[:0] = unnamed
        if strict and new.skipped:
            raise SkippedInput(list(new.skipped))
        return _check_corpus(index, new, cfg, shas, baseline, accept_all, add, started,
                             indexed)


def check_texts(index: Index, texts: dict[str, str] | list[tuple[str, str]],
                cfg: Config | None = None, *, baseline: Baseline | None = None,
                accept_all: bool = False, add: bool = False, strict: bool = False,
                skipped: list[str] = ()) -> CheckReport:
    """:func:`check` for in-memory ``name -> text`` articles (names are used as given:
    an id, a URL). A name stored with the same text is "already indexed"; the same
    text under another name is a whole-article repeat of it. ``skipped``: messages
    for inputs that could not be read (reported; with ``strict``, nothing is checked).
    """
    cfg = cfg or index.cfg
    started = time.perf_counter()
    items = list(texts.items() if isinstance(texts, dict) else texts)
    if strict and skipped:
        raise SkippedInput(list(skipped))
    shas = {name: file_sha256(text.encode("utf-8")) for name, text in items}
    with index.transaction(write=add):
        indexed = already_indexed(index, shas)
        new = corpus_from_texts([(n, t) for n, t in items if n not in indexed], cfg)
        new.skipped[:0] = skipped
        return _check_corpus(index, new, cfg, shas, baseline, accept_all, add, started,
                             indexed)


def jsonl_texts(index: Index, files: list[tuple[str | Path, str]],
                spec: JsonlSpec) -> tuple[list[tuple[str, str]], list[str]]:
    """The records of JSON Lines files as ``(name, text)``, and skip messages.

    A record is named by its ``spec.id_field`` value, or ``FILE:LINE`` with the
    file named as the index names it (see :mod:`dedup.engines.jsonl`). Two records with
    one name: :class:`dedup.engines.jsonl.JsonlError`.
    """
    return records(index.paths_of(files), spec)


def already_indexed(index: Index, shas: dict[str, str]) -> list[str]:
    """The names stored in the index with these very bytes: nothing to check."""
    stored = index.stored_files(shas)
    return sorted(name for name, sha in shas.items()
                  if name in stored and stored[name][1] == sha)


def _identical(index: Index, new: Corpus, shas: dict[str, str]) -> dict[int, str]:
    """New documents (by position) whose bytes are those of a stored file under
    another path: ``document -> that path``. Empty documents are never copies."""
    wanted = {shas[d.path] for d in new.documents if d.paragraphs and d.path in shas}
    if not wanted:
        return {}
    found = index.files_with_sha(wanted)
    out = {}
    for i, d in enumerate(new.documents):
        path = found.get(shas.get(d.path, "")) if d.paragraphs else None
        if path is not None and path != d.path:
            out[i] = path
    return out


def _new_keys(new: Corpus, index: Index) -> tuple[set[int], np.ndarray]:
    """Normalised-text keys of the new paragraphs, and the LSH and prefix keys
    of each signed one (a row per paragraph, in flat order; 0 = no key)."""
    exact = {exact_key(n) for n in new.norms}
    signed = np.flatnonzero(new.signature_row >= 0)
    keys = lsh_keys(new.signatures[new.signature_row[signed]] if len(signed)
                    else np.zeros((0, index.cfg.num_perm), dtype=np.uint32),
                    [new.norms[i] for i in signed], index.bands, index.rows)
    return exact, keys


def _check_corpus(index: Index, new: Corpus, cfg: Config, shas: dict[str, str],
                  baseline: Baseline | None, accept_all: bool, add: bool,
                  started: float, indexed: list[str] = ()) -> CheckReport:
    if fingerprint_settings(cfg) != index.settings:
        raise IndexFileError(f"{index.path}: the check's fingerprint settings differ from "
                             f"the index's ({describe_settings(index.settings)})")
    stats: dict = {"seconds_read": round(time.perf_counter() - started, 4)}
    exact, new_keys = _new_keys(new, index)
    lsh = unique_sorted(new_keys[new_keys != 0])
    with index.transaction(write=add):
        t = time.perf_counter()
        index_files, index_paragraphs = index.counts()
        # A new file already in the index under its path is a new version of
        # it: its stored copy is not compared (and ``--add`` replaces it).
        same_path = sorted((first, first + count) for _, _, first, count
                           in index.stored_files(d.path for d in new.documents).values())
        exact_ids = np.array(index.exact_matches(exact, cfg.boilerplate_min_files),
                             dtype=np.int64)
        exact_ids = exact_ids[_outside(exact_ids, same_path)]
        pairs = np.array(index.lsh_matches(lsh), dtype=np.int64).reshape(-1, 2)
        pairs = pairs[_outside(pairs[:, 1], same_path)]
        short = shortlist(pairs, new, new_keys)
        # The texts of every candidate, to decide which match; the files and
        # signatures of those only.
        texts = index.texts(set(exact_ids.tolist()).union(*short.values()))
        seconds_lookup = time.perf_counter() - t
        stats["keys"] = len(exact) + len(lsh)
        stats["key_matches"] = len(exact_ids) + len(pairs)
        stats["stored_loaded"] = len(texts)
        t = time.perf_counter()
        kept = matching(texts, new, exact, short, cfg)
        stats["stored_matching"] = len(kept)
        stats["seconds_match"] = round(time.perf_counter() - t, 4)
        t = time.perf_counter()
        stored = index.load(p.id for p in kept)
        stored += reflowed_neighbours(index, stored, new, short, cfg)
        stats["seconds_lookup"] = round(seconds_lookup + time.perf_counter() - t, 4)
        t = time.perf_counter()
        corpus, n_stored = combined_corpus(stored, new, cfg)
        # The gate reports a lightly edited paragraph of the archive in any
        # new article (near_context off), and a long one reused word for word
        # even where it leans on its story (lean_context off): it removes
        # nothing, and a reuse is what a reviewer wants to see.
        result = decide(corpus, cfg.replace(keep="first", keep_priority=(),
                                            drop_repeated_articles=False, near_context=False,
                                            lean_context=False),
                        archive=n_stored)
        stats["stored_files_loaded"] = n_stored
        stats["candidates"] = result.stats.get("candidates", 0)
        stats["verified"] = result.stats.get("verified", 0)
        stats["seconds_decide"] = round(time.perf_counter() - t, 4)
        report = _report(result, corpus, n_stored, baseline, accept_all,
                         _identical(index, new, shas))
        report.already_indexed = list(indexed)
        report.index = str(index.path)
        report.index_files, report.index_paragraphs = index_files, index_paragraphs
        report.skipped = list(new.skipped)
        report.settings = cfg.settings()
        if add and report.passed:
            t = time.perf_counter()
            report.added = index.ingest(new, shas)
            report.added.unchanged.extend(indexed)
            report.index_files, report.index_paragraphs = index.counts()
            stats["seconds_add"] = round(time.perf_counter() - t, 4)
    stats["seconds"] = round(time.perf_counter() - started, 4)
    report.stats = stats
    return report


def _outside(ids: np.ndarray, ranges: list[tuple[int, int]]) -> np.ndarray:
    """Which ``ids`` fall in none of the sorted, disjoint ``[first, end)`` ranges."""
    if not ranges or not len(ids):
        return np.ones(len(ids), dtype=bool)
    firsts = np.array([lo for lo, _ in ranges], dtype=np.int64)
    ends = np.array([hi for _, hi in ranges], dtype=np.int64)
    at = np.searchsorted(firsts, ids, side="right") - 1
    return (at < 0) | (ids >= ends[np.maximum(at, 0)])


def shortlist(pairs, new: Corpus, new_keys: np.ndarray,
              per_paragraph: int = CANDIDATES_PER_PARAGRAPH) -> dict[int, list[int]]:
    """For each signed new paragraph, the stored paragraphs worth comparing.

    ``pairs`` are the ``(key, stored paragraph id)`` the lookup found (rows
    of an array, or tuples) and ``new_keys`` the keys of the signed new
    paragraphs (see :func:`_new_keys`). A stored paragraph sharing more keys
    with a new one is likelier to repeat it (its estimated similarity is
    higher), so each new paragraph keeps the ``per_paragraph`` sharing the
    most, the earliest ingested first among equals. Returns ``flat position
    -> stored ids`` in that order.
    """
    pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    signed = np.flatnonzero(new.signature_row >= 0)
    if not len(pairs) or not len(signed):
        return {}
    # Every (key, new paragraph holding it), by key.
    held = new_keys.ravel()
    holder = np.repeat(signed, new_keys.shape[1])
    nonzero = held != 0
    held, holder = held[nonzero], holder[nonzero]
    by_key = np.argsort(held, kind="stable")
    held, holder = held[by_key], holder[by_key]
    # Each pair once per new paragraph holding its key.
    lo = np.searchsorted(held, pairs[:, 0], side="left")
    n = np.searchsorted(held, pairs[:, 0], side="right") - lo
    total = int(n.sum())
    if not total:
        return {}
    step = np.arange(total) - np.repeat(np.cumsum(n) - n, n)
    flats = holder[np.repeat(lo, n) + step]
    pids = np.repeat(pairs[:, 1], n)
    # Keys shared per (new paragraph, stored paragraph).
    order = np.lexsort((pids, flats))
    flats, pids = flats[order], pids[order]
    first = np.flatnonzero(np.r_[True, (flats[1:] != flats[:-1]) | (pids[1:] != pids[:-1])])
    shared = np.diff(np.r_[first, len(flats)])
    flats, pids = flats[first], pids[first]
    # Per new paragraph: most shared first, then earliest id; keep the first few.
    order = np.lexsort((pids, -shared, flats))
    flats, pids = flats[order], pids[order]
    starts = np.flatnonzero(np.r_[True, flats[1:] != flats[:-1]])
    rank = np.arange(len(flats)) - np.repeat(starts, np.diff(np.r_[starts, len(flats)]))
    keep = rank < per_paragraph
    out: dict[int, list[int]] = {}
    for flat, pid in zip(flats[keep].tolist(), pids[keep].tolist()):
        out.setdefault(flat, []).append(pid)
    return out


def matching(stored: list[StoredText], new: Corpus, exact: set[int],
             short: dict[int, list[int]], cfg: Config) -> list[StoredText]:
    """The stored paragraphs (read as texts) that match a new paragraph.

    Kept: those with the text of a new paragraph (already bounded per text by
    the lookup); and for each other new paragraph, the first of its shortlist
    (see :func:`shortlist`) that verifies as a near repeat or truncated copy of
    it (the twin it will be reported against), the first that would but for
    other facts (an update, which the boilerplate and article rules look at),
    and every one whose text holds the new paragraph's or is held in it (a
    paragraph split or joined in a republished copy: the coverage of
    :mod:`dedup.verification.coverage` needs each piece). Stored paragraphs
    that merely share a key are dropped, so the decision never spends time
    on stored-against-stored pairs that cannot touch a new paragraph, and an
    archive holding many copies of a text costs
    no more than one holding a few.
    """
    keep = {p.id for p in stored if exact_key(p.norm) in exact}
    twins = {p.norm for p in stored if p.id in keep}
    by_id = {p.id: p for p in stored}
    for flat, ids in short.items():
        norm = new.norms[flat]
        if norm in twins:
            continue                 # an exact repeat of a stored paragraph
        doc, para = new.ref(flat)
        text = new.documents[doc].paragraphs[para].text
        update = False
        for pid in ids:
            p = by_id.get(pid)
            if p is not None and (norm in p.norm or p.norm in norm):
                keep.add(pid)                # re-cut: split from it, or joined into it
        for pid in ids:
            p = by_id.get(pid)
            if p is None or not p.signed or len(p.norm) < cfg.near_min_chars:
                continue
            verdict = verify(norm, p.norm, text, p.text, cfg)
            if verdict:
                keep.add(pid)
                break
            if verdict.differs and not update:
                keep.add(pid)
                update = True
    return [p for p in stored if p.id in keep]


#: How far from a stored piece of a new paragraph its stored neighbours are
#: looked at (a re-flowed copy joins this many consecutive paragraphs at most).
REFLOW_REACH = 8


def reflowed_neighbours(index: Index, stored: list[StoredParagraph], new: Corpus,
                        short: dict[int, list[int]], cfg: Config) -> list[StoredParagraph]:
    """Stored paragraphs that, with a piece already found, make up a new paragraph.

    A republished copy may join consecutive paragraphs of the stored article
    into one. The keys of the joined paragraph find one or two of its pieces
    (the opening one by its prefix key, say), not every one, and the
    re-flow rule (:mod:`dedup.verification.coverage`) needs them all. So from each
    shortlisted stored paragraph whose text lies inside a new paragraph's,
    the stored neighbours on both sides are read, one step at a time, for as
    long as their text lies inside it too (at most ``REFLOW_REACH`` steps).
    Returns the paragraphs read this way that were not loaded yet.
    """
    by_id = {p.id: p for p in stored}
    frontier: list[tuple[int, int, int, int]] = []   # (new flat, stored id, step, file)
    for flat, ids in short.items():
        norm = new.norms[flat]
        for pid in ids:
            p = by_id.get(pid)
            if p is not None and len(p.norm) >= cfg.near_min_chars and p.norm != norm \
                    and p.norm in norm:
                frontier += [(flat, pid - 1, -1, p.file), (flat, pid + 1, 1, p.file)]
    loaded: dict[int, StoredParagraph] = {}
    inside: set[int] = set()
    for _ in range(REFLOW_REACH):
        wanted = {pid for _, pid, _, _ in frontier if pid not in by_id and pid not in loaded}
        if wanted:
            loaded.update((p.id, p) for p in index.load(wanted))
        step = []
        for flat, pid, direction, file in frontier:
            p = by_id.get(pid) or loaded.get(pid)
            if p is not None and p.file == file and p.norm and p.norm in new.norms[flat]:
                inside.add(pid)
                step.append((flat, pid + direction, direction, file))
        frontier = step
        if not frontier:
            break
    return [loaded[pid] for pid in sorted(inside) if pid in loaded]


def combined_corpus(stored: list[StoredParagraph], new: Corpus,
                    cfg: Config) -> tuple[Corpus, int]:
    """Stored candidate paragraphs as documents, first, then the new documents.

    Each stored file becomes one document as long as the stored file, holding
    its loaded paragraphs at their stored positions; every other position holds
    a placeholder whose normalised text is unique and never signed, so it
    matches nothing. Positions, neighbours and file lengths are thus those of
    the stored file (what runs of repeats and the boilerplate edge rule look
    at) while only the candidates are read. Returns the corpus and the number
    of stored documents.
    """
    by_file: dict[int, list[StoredParagraph]] = {}
    for p in stored:
        by_file.setdefault(p.file, []).append(p)
    documents: list[Document] = []
    norms: list[str] = []
    rows: list[int] = []
    sigs: list[np.ndarray] = []
    placeholder = 0
    for file_id in sorted(by_file):
        paras = {p.idx: p for p in by_file[file_id]}
        some = next(iter(paras.values()))
        doc_paras = []
        for idx in range(max(some.file_paragraphs, max(paras) + 1)):
            p = paras.get(idx)
            if p is None:
                doc_paras.append(Paragraph(idx, 0, 0, ""))
                norms.append(f"\x00{placeholder}")
                placeholder += 1
                rows.append(-1)
                continue
            doc_paras.append(Paragraph(idx, p.first_line, p.last_line, p.text))
            norms.append(p.norm)
            if p.sig is not None and len(p.norm) >= cfg.near_min_chars:
                rows.append(len(sigs))
                sigs.append(p.sig)
            else:
                rows.append(-1)
        documents.append(Document(some.path, [], doc_paras))
    n_stored = len(documents)
    counts = [len(d.paragraphs) for d in documents] + [len(d.paragraphs) for d in new.documents]
    start = np.zeros(len(counts) + 1, dtype=np.int64)
    np.cumsum(np.array(counts, dtype=np.int64), out=start[1:])
    doc_of = np.repeat(np.arange(len(counts), dtype=np.int32), counts)
    new_rows = np.where(new.signature_row >= 0, new.signature_row + len(sigs), -1)
    signatures = np.concatenate(
        [np.stack(sigs) if sigs else np.zeros((0, cfg.num_perm), dtype=np.uint32),
         new.signatures.reshape(-1, cfg.num_perm)]).astype(np.uint32, copy=False)
    corpus = Corpus(documents=documents + list(new.documents), norms=norms + list(new.norms),
                    doc_of=doc_of, start=start,
                    signature_row=np.concatenate([np.array(rows, dtype=np.int64),
                                                  new_rows.astype(np.int64)]),
                    signatures=signatures, skipped=list(new.skipped))
    return corpus, n_stored


def _repeat(removal: Removal, corpus: Corpus, n_stored: int) -> Repeat:
    docs = corpus.documents
    r, k = removal.removed, removal.kept
    para, kept = docs[r.doc].paragraphs[r.para], docs[k.doc].paragraphs[k.para]
    return Repeat(
        path=docs[r.doc].path, para=para.index, first_line=para.first_line,
        last_line=para.last_line, key=key_hex(exact_key(corpus.norms[corpus.start[r.doc] + r.para])),
        kind=removal.kind, score=removal.score, detail=removal.detail,
        kept_path=docs[k.doc].path, kept_para=kept.index, kept_first_line=kept.first_line,
        kept_last_line=kept.last_line,
        kept_key=key_hex(exact_key(corpus.norms[corpus.start[k.doc] + k.para])),
        kept_in_index=k.doc < n_stored)


def _report(result: ScanResult, corpus: Corpus, n_stored: int, baseline: Baseline | None,
            accept_all: bool, identical: dict[int, str] | None = None) -> CheckReport:
    blocking: dict[Ref, Removal] = {}
    accepted, boilerplate = [], []
    for ref, removal in result.removals.items():
        if ref.doc < n_stored:
            continue            # a stored paragraph: not ours to judge
        repeat = _repeat(removal, corpus, n_stored)
        if removal.kind == BOILERPLATE:
            boilerplate.append(repeat)
        elif accept_all or (baseline is not None and repeat in baseline):
            accepted.append(repeat)
        else:
            blocking[ref] = removal
    findings = []
    for f in findings_of(blocking):
        repeats = tuple(_repeat(r, corpus, n_stored) for r in f.removals)
        first, last = repeats[0], repeats[-1]
        findings.append(CheckFinding(
            path=first.path, first_line=first.first_line, last_line=last.last_line,
            kind=f.kind, score=f.score, kept_path=first.kept_path,
            kept_first_line=first.kept_first_line, kept_last_line=last.kept_last_line,
            kept_in_index=first.kept_in_index, repeats=repeats))
    new_docs = corpus.documents[n_stored:]
    order = {d.path: i for i, d in enumerate(new_docs)}
    accepted.sort(key=lambda r: (order.get(r.path, 0), r.para))
    boilerplate.sort(key=lambda r: (order.get(r.path, 0), r.para))
    found: dict[str, ArticleFinding] = {}
    for a in result.articles:
        if a.doc < n_stored or (a.relation == "repeat" and corpus.documents[a.doc].path in found):
            continue
        doc, kept = corpus.documents[a.doc], corpus.documents[a.kept_doc]
        finding = ArticleFinding(
            path=doc.path, first_line=doc.paragraphs[0].first_line if doc.paragraphs else 1,
            last_line=doc.paragraphs[-1].last_line if doc.paragraphs else 1,
            kept_path=kept.path, kept_in_index=a.kept_doc < n_stored, share=a.share,
            paragraphs=a.paragraphs, total=a.total, relation=a.relation, changed=a.changed)
        found[doc.path if a.relation == "repeat" else f"{doc.path}\0{kept.path}"] = finding
    # The same bytes as a stored file: a repeat whatever the paragraph rules saw
    # (an article of short lines only, say), named by the file it copies.
    for d, stored_path in (identical or {}).items():
        doc = new_docs[d]
        n = len(doc.paragraphs)
        seen = found.get(doc.path)
        if seen is not None and seen.kept_path == stored_path:
            found[doc.path] = dataclasses.replace(seen, identical=True)
            continue
        found[doc.path] = ArticleFinding(
            path=doc.path, first_line=doc.paragraphs[0].first_line,
            last_line=doc.paragraphs[-1].last_line, kept_path=stored_path, kept_in_index=True,
            share=1.0, paragraphs=n, total=n, relation="repeat", identical=True)
    articles, accepted_articles = [], []
    blocked = {f.path for f in findings}
    accepted_in = {r.path for r in accepted}
    for a in sorted(found.values(), key=lambda a: (order.get(a.path, 0), a.kept_path)):
        if a.relation == "repeat" and (
                accept_all or (baseline is not None and a.baseline_key in baseline.entries)
                # every paragraph it repeats is accepted one by one
                or (a.path in accepted_in and a.path not in blocked)):
            accepted_articles.append(a)
        else:
            articles.append(a)
    return CheckReport(index="", files=[d.path for d in new_docs],
                       paragraphs=sum(len(d.paragraphs) for d in new_docs),
                       findings=findings, articles=articles, accepted=accepted,
                       accepted_articles=accepted_articles, boilerplate=boilerplate)
