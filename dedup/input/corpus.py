"""Reading many files in parallel into one flat, ordered corpus.

Workers read, split, normalise and sign batches of files; the results come
back in input order, so the corpus (and every decision made from it) is the
same whatever ``--jobs`` is. Copies share the signature of the first
paragraph with their text, and a worker signs a text only once.
"""

from __future__ import annotations

import itertools
import os
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

from ..fingerprints.candidates import prefix_keys
from ..config import Config
from .documents import Document, InputError, document_from_text, read_texts
from ..text.facts import Facts, first_copies
from ..fingerprints.fingerprint import signatures
from ..text.normalize import normalize_many
from ..pool import ordered_map
from ..runtime import collector_paused

# Files per reading task: each task costs the pool a round trip and its
# result a message, so larger tasks read faster (Reuters, two processes:
# 1.09-1.24 s with 64 files a task, 0.96-1.06 s with 256), but every task
# in flight holds its files' texts. A task takes at most 1/16 of a
# process's share of the files, so those in flight stay a small part of
# what the corpus holds anyway.
_MIN_FILES_PER_TASK = 64
_MAX_FILES_PER_TASK = 256


def _files_per_task(count: int, workers: int) -> int:
    return max(_MIN_FILES_PER_TASK, min(_MAX_FILES_PER_TASK, count // (16 * max(workers, 1))))


@dataclass
class Corpus:
    """All paragraphs of all documents, flat, in sorted path order then position."""

    documents: list[Document]
    norms: list[str]              # normalised text of every paragraph
    doc_of: np.ndarray            # document number of every paragraph
    start: np.ndarray             # first flat index of each document (+ total)
    signature_row: np.ndarray     # row in ``signatures`` or -1 (too short to sign)
    signatures: np.ndarray        # MinHash signatures, one row per signed paragraph
    skipped: list[str] = field(default_factory=list)
    #: What the decisions read of every paragraph; made from the texts when not given.
    facts: Facts | None = None
    #: Original text of every paragraph, when the documents do not hold it
    #: (documents read from files are kept unloaded: see Document.unloaded).
    texts: list[str] | None = None
    #: Opening key (candidates.prefix_keys) of each row of ``signatures``, when
    #: the readers found them; else detection finds them from ``norms``.
    prefixes: np.ndarray | None = None

    def __post_init__(self) -> None:
        if self.facts is None:
            self.facts = Facts.of(self.norms, self.texts if self.texts is not None else
                                  (p.text for d in self.documents for p in d.paragraphs))

    def __len__(self) -> int:
        return len(self.doc_of)

    def release_detection(self) -> None:
        """Let go of what only detection reads: normalised texts and signatures.

        Called once the near links are found, so that the decisions, which
        read facts only, do not run with a second copy of every text beside them.
        """
        self.norms = None
        self.signatures = None
        self.signature_row = None
        self.prefixes = None

    @property
    def paths(self) -> list[str]:
        return [d.path for d in self.documents]

    def text(self, flat: int) -> str:
        """Original text of a paragraph."""
        if self.texts is not None:
            return self.texts[flat]
        doc, para = self.ref(flat)
        return self.documents[doc].paragraphs[para].text

    def ref(self, flat: int) -> tuple[int, int]:
        doc = int(self.doc_of[flat])
        return doc, flat - int(self.start[doc])


@dataclass
class Batch:
    """Read, normalised and signed documents of one task, positions local to it."""

    documents: list[Document]
    norms: list[str]
    counts: list[int]
    signed: np.ndarray            # flat positions (within the batch) that are signed
    signatures: np.ndarray
    prefixes: np.ndarray          # opening key of each signed paragraph
    skipped: list[str]
    facts: Facts
    texts: list[str]


def sign_documents(documents: list[Document], cfg: Config, skipped: list[str],
                   seen: set | None = None, texts: list[str] | None = None) -> Batch:
    """The batch of ``documents``: normalised, with their facts and a signature
    for every paragraph long enough, but for the texts whose keys (high
    halves) are in ``seen`` (given: the keys signed here are added to it).
    ``texts``, when given, are the paragraphs' texts (else read from the
    documents)."""
    if texts is None:
        texts = [p.text for doc in documents for p in doc.paragraphs]
    # One normalisation call for the whole batch: its cost is mostly per call.
    norms = normalize_many(texts)
    counts = [doc.count for doc in documents]
    facts = Facts.of(norms, texts)
    signed = np.flatnonzero(facts.length >= cfg.near_min_chars)
    if seen is not None and len(signed):
        # Half of each text's key: two texts sharing it (about one chance in
        # 10^7 for a million texts) leave one unsigned here, and it is signed
        # after reading (see share_first_signatures). The first paragraph
        # with each key, unless an earlier batch signed it: by whole arrays
        # and set operations (a test per paragraph cost 0.03 s of Reuters).
        keys, first = np.unique(facts.key_hi[signed], return_index=True)
        listed = keys.tolist()
        fresh = set(listed).difference(seen)
        seen.update(fresh)
        wanted = np.fromiter(map(fresh.__contains__, listed), dtype=bool, count=len(listed))
        signed = np.sort(signed[first[wanted]])
    to_sign = [norms[i] for i in signed.tolist()]
    sigs = signatures(to_sign, cfg.shingle_size, cfg.num_perm, cfg.seed)
    # The opening keys too: detection asks for those of the signed first
    # copies, and here they are found in parallel (Reuters: 0.05 s of the
    # main process otherwise).
    prefixes = prefix_keys(to_sign)
    # Documents go back without their lines: a paragraph's text is in
    # ``texts`` once, and files are read again only to write or show them.
    return Batch([d.unloaded() for d in documents], norms, counts, signed, sigs, prefixes,
                 skipped, facts, texts)


def _read_batch(files: list[tuple[str, str]], cfg: Config, encoding: str | None,
                run: tuple) -> Batch:
    documents, texts, skipped = [], [], []
    for path, display in files:
        try:
            doc, doc_texts = read_texts(path, display, encoding)
        except InputError as exc:
            skipped.append(str(exc))
            continue
        documents.append(doc)
        texts.extend(doc_texts)
    return sign_documents(documents, cfg, skipped, _signed_in(run), texts)


# Keys of the texts this process signed during one read (run -> set). A pool
# process takes its tasks in input order, so a text it skips was signed in an
# earlier batch, and the first batch holding a text always signs it; the keys
# are forgotten when the next read starts.
_SIGNED: dict[tuple, set] = {}
_RUNS = itertools.count()


def _signed_in(run: tuple) -> set:
    if run not in _SIGNED:
        _SIGNED.clear()
        _SIGNED[run] = set()
    return _SIGNED[run]


def share_first_signatures(corpus: Corpus, cfg: Config) -> None:
    """Point every copy at the signature of the first paragraph with its text
    and drop the other signatures.

    Copies have the same normalised text, hence the same signature, and only
    the first of each exact group is ever compared: most repeats are exact,
    and signing each text once leaves most of a repetitive corpus unsigned.
    A first copy that came back unsigned (its key's half shared with another
    text a reader signed before: rare) is signed here.
    """
    n = len(corpus)
    first = first_copies(corpus.facts)
    signable = corpus.facts.length >= cfg.near_min_chars
    reps = np.flatnonzero(signable & (first == np.arange(n)))
    rows = corpus.signature_row[reps]
    sigs = corpus.signatures[np.maximum(rows, 0)] if len(corpus.signatures) else \
        np.zeros((len(reps), cfg.num_perm), dtype=np.uint32)
    prefixes = None
    if corpus.prefixes is not None:
        prefixes = corpus.prefixes[np.maximum(rows, 0)] if len(corpus.prefixes) else \
            np.zeros(len(reps), dtype=np.uint64)
    unsigned = np.flatnonzero(rows < 0)
    if len(unsigned):
        norms = [corpus.norms[r] for r in reps[unsigned].tolist()]
        sigs[unsigned] = signatures(norms, cfg.shingle_size, cfg.num_perm, cfg.seed)
        if prefixes is not None:
            prefixes[unsigned] = prefix_keys(norms)
    row = np.full(n, -1, dtype=np.int64)
    row[reps] = np.arange(len(reps))
    corpus.signature_row = np.where(signable, row[first], -1)
    corpus.signatures = sigs
    corpus.prefixes = prefixes


def _joined(parts: list[Batch]) -> Batch:
    """Batches of consecutive files as one."""
    offsets = np.cumsum([0] + [len(part.norms) for part in parts[:-1]])
    return Batch([d for part in parts for d in part.documents],
                 [norm for part in parts for norm in part.norms],
                 [count for part in parts for count in part.counts],
                 np.concatenate([part.signed + offset for part, offset in zip(parts, offsets)]),
                 np.concatenate([part.signatures for part in parts]),
                 np.concatenate([part.prefixes for part in parts]),
                 [line for part in parts for line in part.skipped],
                 Facts.concat([part.facts for part in parts]),
                 [text for part in parts for text in part.texts])


def _assemble(batches, num_perm: int) -> Corpus:
    documents: list[Document] = []
    norms: list[str] = []
    counts: list[int] = []
    rows: list[np.ndarray] = []
    sig_parts: list[np.ndarray] = []
    prefix_parts: list[np.ndarray] = []
    skipped: list[str] = []
    facts: list[Facts] = []
    texts: list[str] = []
    signed_so_far = 0
    for batch in batches:
        documents.extend(batch.documents)
        counts.extend(batch.counts)
        row = np.full(len(batch.norms), -1, dtype=np.int64)
        row[batch.signed] = np.arange(signed_so_far, signed_so_far + len(batch.signed))
        rows.append(row)
        norms.extend(batch.norms)
        sig_parts.append(batch.signatures)
        prefix_parts.append(batch.prefixes)
        signed_so_far += len(batch.signed)
        skipped.extend(batch.skipped)
        facts.append(batch.facts)
        texts.extend(batch.texts)
    counts = np.array(counts, dtype=np.int64)
    start = np.zeros(len(documents) + 1, dtype=np.int64)
    np.cumsum(counts, out=start[1:])
    return Corpus(
        documents=documents,
        norms=norms,
        doc_of=np.repeat(np.arange(len(documents), dtype=np.int32), counts),
        start=start,
        signature_row=np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64),
        signatures=(np.concatenate(sig_parts) if sig_parts
                    else np.zeros((0, num_perm), dtype=np.uint32)),
        skipped=skipped,
        facts=Facts.concat(facts),
        texts=texts,
        prefixes=(np.concatenate(prefix_parts) if prefix_parts
                  else np.zeros(0, dtype=np.uint64)),
    )


def read_corpus(files: list[tuple[str | Path, str]], cfg: Config, encoding: str | None = None,
                progress: Callable[[int], None] | None = None) -> Corpus:
    """Read ``(path, display name)`` pairs, in the order given, into a corpus.

    ``progress`` is called with the number of files done after each batch.
    """
    size = _files_per_task(len(files), cfg.workers)
    tasks = [[(str(p), d) for p, d in files[i:i + size]] for i in range(0, len(files), size)]

    def unread(task: list[tuple[str, str]]) -> Batch:
        (_, display), = task
        return sign_documents([], cfg, [f"{display}: the process reading it died each time "
                                        "(out of memory, or a crash); skipped"])

    return corpus_of_tasks(_read_batch, tasks, cfg, (encoding,), unread, progress)


def corpus_of_tasks(read: Callable, tasks: list[list], cfg: Config, args: tuple,
                    unread: Callable[[list], Batch],
                    progress: Callable[[int], None] | None = None,
                    by_name: bool = False) -> Corpus:
    """A corpus of the batches ``read(task, cfg, *args, run)`` gives, in task order.

    Each task is a list of items (files, or parts of files); a reader signs
    only the texts it has not signed before in this read (see
    :func:`_signed_in`). ``unread([item])`` is the batch of an item that
    kills every process reading it. ``progress`` is called with the number
    of items done after each batch. With ``by_name`` the documents are put
    in the order of their names, as :func:`corpus_from_texts` orders them
    (records named by an id come in file order, not in that one).
    """
    batches = []
    # In pool processes with --jobs above 1. An item that kills any process
    # reading it is skipped with a message; other deaths cost a retry
    # (see ordered_map).
    run = (os.getpid(), next(_RUNS))
    # Receiving the batches makes hundreds of thousands of objects, all
    # kept and none in a cycle: the cycle collector would walk them again
    # and again for nothing (Reuters, two processes, alternating: 1.08-1.11 s
    # with it, 1.01-1.07 s without). Pool processes forked meanwhile start
    # with it paused too; what they make is freed by reference counts, and
    # they end with the read.
    with collector_paused():
        try:
            with closing(ordered_map(read, tasks, cfg.workers, cfg, *args, run,
                                     crashed=unread, merge=_joined)) as done:
                for task, batch in zip(tasks, done):
                    batches.append(batch)
                    if progress is not None:
                        progress(len(task))
        finally:
            _SIGNED.pop(run, None)      # what this process signed itself (--jobs 1)
        if by_name and batches:
            batches = [_by_name(_joined(batches))]
        corpus = _assemble(batches, cfg.num_perm)
        share_first_signatures(corpus, cfg)
    return corpus


def _by_name(batch: Batch) -> Batch:
    """The batch with its documents (and their paragraphs) in name order.

    Signatures stay where they are: each signed paragraph's new position
    goes with its row. A text signed only in a copy that is no longer its
    first is signed again after reading (see share_first_signatures).
    """
    names = [doc.path for doc in batch.documents]
    order = np.asarray(sorted(range(len(names)), key=names.__getitem__), dtype=np.int64)
    counts = np.asarray(batch.counts, dtype=np.int64)
    begins = np.concatenate(([0], np.cumsum(counts)[:-1])).astype(np.int64)
    moved = counts[order]
    # Old flat position of each paragraph in the new order.
    perm = (np.repeat(begins[order] - np.concatenate(([0], np.cumsum(moved)[:-1])), moved)
            + np.arange(int(moved.sum()), dtype=np.int64))
    new_position = np.empty(len(perm), dtype=np.int64)
    new_position[perm] = np.arange(len(perm), dtype=np.int64)
    rows = perm.tolist()
    return Batch([batch.documents[k] for k in order.tolist()],
                 [batch.norms[i] for i in rows], moved.tolist(),
                 new_position[np.asarray(batch.signed, dtype=np.int64)],
                 batch.signatures, batch.prefixes, batch.skipped,
                 batch.facts.take(perm), [batch.texts[i] for i in rows])


def corpus_from_texts(texts: dict[str, str] | list[tuple[str, str]], cfg: Config) -> Corpus:
    """A corpus from in-memory ``name -> text``, sorted by name like files."""
    items = sorted(texts.items() if isinstance(texts, dict) else texts)
    documents = [document_from_text(text, name) for name, text in items]
    corpus = _assemble([sign_documents(documents, cfg, [], set())], cfg.num_perm)
    share_first_signatures(corpus, cfg)
    return corpus
