"""The Dask engine: the same scan and clean, run on a Dask cluster.

Every stage that touches text runs on the workers; the client holds only
compact facts and decides. The stages:

1. **read and sign** (one task per chunk of files): read, split, normalise,
   fingerprint (:func:`dedup.input.corpus.sign_documents`). The client gets back the
   per-paragraph :class:`~dedup.text.facts.Facts` and per-document names and
   paragraph counts; the worker keeps, for the paragraphs long enough to be
   signed, their normalised and original texts and their LSH bucket keys.
2. **exact groups and representatives** on the client, from the facts
   (:func:`dedup.text.facts.exact_groups`), exactly as the local engine.
3. **LSH buckets** (a shuffle): every chunk sends the ``(key, rep)`` rows of
   its representatives to the partition ``key % P``; each partition sorts its
   rows, forms the buckets and their pairs with the very logic of
   :func:`dedup.fingerprints.candidates.candidate_pairs`.
4. **verification next to the texts** (a join, one more shuffle): the
   representatives' texts are gathered by *groups* of a few neighbouring
   chunks (:func:`group_size`; there are as many bucket partitions as
   groups). Pairs, numbers only, go to the group holding the first
   paragraph (where duplicates from several bands meet and are dropped),
   then are split by the group holding the second. Each piece (source
   group, destination group) is judged by its own task with
   :func:`dedup.verification.pairs.judge_pairs`, given the texts of those two groups:
   no task grows with the number of groups, and no text is copied per pair.
   Only the verdicts come back, each piece's as soon as it is judged. Every
   group sends a piece to every other, so there are G^2 pieces per shuffle
   for G groups: grouping chunks four by four makes 16 times fewer.
5. **decisions** on the client (:func:`dedup.decisions.detect.decide_layout`), with the
   verdicts recorded in sorted pair order, as the local engine records them.
6. **documents**: for inputs the client can read as local files, workers
   send back per document only its encoding, BOM and a digest of its bytes,
   and the client keeps *unloaded* documents (read again on demand, checked
   against the digest, as the local engine keeps them). For other inputs
   (remote URLs, JSON Lines) only the documents the report shows are read
   again and brought back; every other document is a light stand-in with
   its name, size and paragraph count.
7. **writing** (``clean --write``): each chunk reads its documents again and
   writes their cleaned copies itself, atomically.

Inputs are local paths (which every worker must see at the same place, as on
a shared filesystem or a local cluster) or fsspec URLs (``s3://``,
``file://``, ``memory://`` with an in-process cluster, ...).
"""

from __future__ import annotations

import fnmatch
import functools
import os
import posixpath
import time
import uuid
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from operator import getitem
from pathlib import Path
from typing import Sequence

import numpy as np

try:
    import fsspec
    from distributed import Client, LocalCluster, as_completed
    from dask.sizeof import sizeof
    from fsspec.implementations.local import LocalFileSystem
except ImportError as exc:              # pragma: no cover - exercised without the extra
    raise ImportError(f"the Dask engine needs the 'dask' extra "
                      f"(pip install 'news-dedup[dask]'): {exc}") from exc

from ..fingerprints.candidates import MAX_BUCKET, bucket_keys, entry_pairs, prefix_keys
from ..output.clean import atomic_write, cleaned_text
from ..config import Config
from ..input.corpus import sign_documents
from ..decisions.detect import decide_layout, result_of
from ..verification.pairs import judge_pairs, record_verdict
from ..input.documents import (BACKUP_SUFFIX, TEMP_SUFFIX, Document, InputError, _digest, discover,
                               document_type, parse_document, read_document)
from ..text.facts import Facts, Layout, exact_groups
from ..fingerprints.fingerprint import lsh_params
from .jsonl import JsonlSpec, check_unique, cleaned_jsonl, documents_of, output_path
from .jsonl import read_file as read_jsonl_file
from ..verification.verify import clear_caches
from ..model import ScanResult
from ..runtime import collector_paused

#: Files per reading task at most; fewer when there are few files (so every
#: worker gets several tasks).
MAX_FILES_PER_CHUNK = 4096
MIN_FILES_PER_CHUNK = 16


def is_url(path: str | Path) -> bool:
    return "://" in str(path)


# -- connecting --------------------------------------------------------------------------

#: Memory of a local cluster's worker at most, by default: past 60% of it a
#: worker spills the results it keeps (its chunks' signed paragraphs) to disk,
#: so its memory stays bounded however large the input.
DEFAULT_WORKER_MEMORY = 4 << 30


def worker_memory(workers: int, memory_limit: str | int | None = None) -> int:
    """Bytes of memory of each local worker: ``memory_limit`` (``"2GiB"``, bytes),
    else the machine's memory shared among ``workers``, at most
    :data:`DEFAULT_WORKER_MEMORY`."""
    from dask.utils import parse_bytes
    if memory_limit is not None:
        limit = parse_bytes(memory_limit) if isinstance(memory_limit, str) else int(memory_limit)
        if limit <= 0:
            raise ValueError(f"must be positive: {memory_limit}")
        return limit
    from distributed.system import MEMORY_LIMIT
    return min(DEFAULT_WORKER_MEMORY, MEMORY_LIMIT // max(1, workers))


@contextmanager
def connect(scheduler: str | None = None, workers: int | None = None,
            memory_limit: str | int | None = None):
    """A client: of the cluster at ``scheduler``, else of a new local cluster
    of ``workers`` processes (2 by default) with one thread each and
    :func:`worker_memory` each."""
    if scheduler:
        client = Client(scheduler)
        try:
            yield client
        finally:
            client.close()
        return
    import logging
    workers = workers or 2
    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                           memory_limit=worker_memory(workers, memory_limit),
                           dashboard_address=":0", silence_logs=logging.ERROR)
    client = Client(cluster)
    try:
        yield client
    finally:
        client.close()
        cluster.close()


# -- inputs ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Item:
    """One input file: where it is read from, its display name, its output path."""

    location: str          # absolute local path, or an fsspec URL
    display: str
    rel: str               # path under --out of its cleaned copy
    local: bool
    #: A local path the client can read the file at again (local paths, and
    #: ``file://`` URLs), else None: the report's documents are then fetched.
    source: str | None = None


@dataclass
class Chunk:
    """Files read by one task (a JSON Lines chunk is one file, a Parquet chunk
    a run of row groups of one file)."""

    items: list[Item]
    jsonl: JsonlSpec | None = None
    parquet: "parquet_input.Part | None" = None


def list_inputs(paths: Sequence[str | Path], glob: str, exclude: Sequence[Path] = (),
                temp_files: list[str] | None = None) -> tuple[list[Item], list[str]]:
    """Input files in the local engine's order (sorted display names), and warnings.

    Local paths are listed by :func:`dedup.input.documents.discover` itself, on the
    client (listing is cheap); URLs by their fsspec filesystem.
    """
    from ..output.clean import output_base
    local = [Path(p) for p in paths if not is_url(p)]
    urls = [str(p) for p in paths if is_url(p)]
    items: list[Item] = []
    warnings: list[str] = []
    if local:
        files, warnings = discover(local, glob, list(exclude), temp_files)
        base = output_base(local)
        items += [Item(path, display, str(output_path(display, base)), True, path)
                  for path, display in ((os.path.abspath(p), d) for p, d in files)]
    simple = not any(c in glob for c in "/\\")
    for url in urls:
        fs, root = fsspec.core.url_to_fs(url)
        on_disk = isinstance(fs, LocalFileSystem)
        if fs.isdir(root):
            prefix = url.rstrip("/")
            for found in sorted(fs.find(root)):
                rel = posixpath.relpath(found, root.rstrip("/") or "/")
                name = posixpath.basename(found)
                if name.endswith(TEMP_SUFFIX):
                    if temp_files is not None:
                        temp_files.append(f"{prefix}/{rel}")
                    continue
                if name.endswith(BACKUP_SUFFIX) and not glob.endswith(BACKUP_SUFFIX):
                    continue
                if not (fnmatch.fnmatchcase(name, glob) if simple
                        else fnmatch.fnmatchcase(rel, glob)):
                    continue
                items.append(Item(f"{prefix}/{rel}", f"{prefix}/{rel}", rel, False,
                                  found if on_disk else None))
        elif fs.exists(root):
            items.append(Item(url, url, posixpath.basename(root), False,
                              root if on_disk else None))
        else:
            warnings.append(f"{url}: no such file or directory")
    items.sort(key=lambda item: item.display)
    return items, warnings


def chunks_of(items: list[Item], workers: int, jsonl: JsonlSpec | None,
              files_per_chunk: int | None = None) -> list[Chunk]:
    if jsonl is not None:
        return [Chunk([item], jsonl) for item in items]
    size = files_per_chunk or min(MAX_FILES_PER_CHUNK,
                                  max(MIN_FILES_PER_CHUNK, -(-len(items) // (4 * workers))))
    return [Chunk(items[i:i + size]) for i in range(0, len(items), size)]


#: Chunks whose representatives are verified together, at most: fewer
#: pieces in the shuffles (their number grows with the square of the groups),
#: at the cost of larger tasks (of about this many chunks' texts each).
MAX_CHUNKS_PER_GROUP = 4


def group_size(chunks: int, workers: int) -> int:
    """Chunks per group of the shuffles: up to :data:`MAX_CHUNKS_PER_GROUP`,
    while every worker still gets at least four groups."""
    return max(1, min(MAX_CHUNKS_PER_GROUP, chunks // (4 * workers)))


def _read_bytes(item: Item) -> bytes:
    if item.local:
        return read_jsonl_file(item.location, item.display)
    try:
        with fsspec.open(item.location, "rb") as handle:
            return handle.read()
    except FileNotFoundError as exc:
        raise InputError(f"{item.display}: disappeared before it could be read") from exc
    except (OSError, ValueError) as exc:
        raise InputError(f"{item.display}: cannot read: {exc}") from exc


def read_chunk(chunk: Chunk, encoding: str | None,
               only: set[int] | None = None) -> tuple[list[Document], list[str], list[int]]:
    """Documents of a chunk, skip messages, and the item each document came from.

    With ``only`` (item positions), only those files are read.
    """
    documents: list[Document] = []
    skipped: list[str] = []
    origin: list[int] = []
    for k, item in enumerate(chunk.items):
        if only is not None and k not in only:
            continue
        try:
            if chunk.jsonl is not None:
                docs, lost = documents_of(_read_bytes(item), item.display, chunk.jsonl)
                skipped += lost
            elif chunk.parquet is not None:
                from .parquet_input import dask_documents
                docs, lost = dask_documents(item, chunk.parquet)
                skipped += lost
            elif item.local:
                docs = [read_document(Path(item.location), item.display, encoding)]
            else:
                data = _read_bytes(item)
                docs = [_parse(data, item.display, encoding)]
                docs[0].digest, docs[0].forced = _digest(data), encoding
        except InputError as exc:
            skipped.append(str(exc))
            continue
        documents += docs
        origin += [k] * len(docs)
    return documents, skipped, origin


def _parse(data: bytes, name: str, encoding: str | None) -> Document:
    try:
        return parse_document(data, name, encoding)
    except MemoryError as exc:
        raise InputError(f"{name}: too large to hold in memory ({len(data)} bytes)") from exc
    except (ValueError, LookupError) as exc:
        raise InputError(f"{name}: cannot decode: {exc}") from exc


# -- worker stages -----------------------------------------------------------------------

@dataclass
class Summary:
    """What the client gets of a chunk: small, per document and per paragraph."""

    names: list[str]
    counts: np.ndarray     # paragraphs of every document
    sizes: np.ndarray      # bytes of every document
    origin: np.ndarray     # item of the chunk every document came from
    facts: Facts
    skipped: list[str]
    #: Enough to read a document again on the client (see Document.unloaded):
    #: its encoding (a code into ``encodings``), BOM, and the 16-byte digest of
    #: its bytes (all zero when it has none: JSON Lines records).
    encodings: list[str] = field(default_factory=list)
    codes: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int16))
    boms: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    digests: np.ndarray = field(default_factory=lambda: np.zeros((0, 16), dtype=np.uint8))


class Packed:
    """Strings packed in one UTF-8 buffer with their end offsets: a few large
    allocations rather than one object a string, so what a worker keeps is
    small, its size known to Dask (which spills it to disk past the worker's
    memory target) and freed in one piece."""

    __slots__ = ("blob", "ends")

    def __init__(self, blob: bytes, ends: np.ndarray) -> None:
        self.blob, self.ends = blob, ends

    @classmethod
    def of(cls, strings) -> "Packed":
        parts = [x.encode("utf-8", "surrogatepass") for x in strings]
        ends = np.cumsum(np.fromiter(map(len, parts), dtype=np.int64, count=len(parts)))
        return cls(b"".join(parts), ends)

    def __len__(self) -> int:
        return len(self.ends)

    def __getitem__(self, row: int) -> str:
        begin = int(self.ends[row - 1]) if row else 0
        return self.blob[begin:int(self.ends[row])].decode("utf-8", "surrogatepass")

    def take(self, rows) -> "Packed":
        """The strings at ``rows`` (positions), packed."""
        rows = np.asarray(rows, dtype=np.int64)
        if not len(rows):
            return Packed(b"", np.zeros(0, dtype=np.int64))
        begins = np.concatenate(([0], self.ends[:-1]))[rows]
        ends = self.ends[rows]
        blob = self.blob
        data = b"".join([blob[a:b] for a, b in zip(begins.tolist(), ends.tolist())])
        return Packed(data, np.cumsum(ends - begins))

    def strings(self) -> list[str]:
        return [self[k] for k in range(len(self))]

    def __sizeof__(self) -> int:
        return len(self.blob) + self.ends.nbytes + 64

    def __getstate__(self):
        return self.blob, self.ends

    def __setstate__(self, state) -> None:
        self.blob, self.ends = state


@dataclass
class Store:
    """What a worker keeps of a chunk's signed paragraphs (positions local to the chunk)."""

    signed: np.ndarray     # flat positions in the chunk, sorted
    norms: Packed
    texts: Packed
    keys: np.ndarray       # bucket keys, one row per signed paragraph


@dataclass
class Reps:
    """Normalised and original texts of the representatives of a chunk or a
    group of chunks, by rep number."""

    ids: np.ndarray        # sorted rep numbers
    norms: Packed
    texts: Packed

    def rows(self, ids: np.ndarray) -> np.ndarray:
        return np.searchsorted(self.ids, ids)


def _sizeof_store(store: Store) -> int:
    return (store.signed.nbytes + store.keys.nbytes + store.norms.__sizeof__()
            + store.texts.__sizeof__())


def _sizeof_reps(reps: Reps) -> int:
    return reps.ids.nbytes + reps.norms.__sizeof__() + reps.texts.__sizeof__()


def _sizeof_summary(summary: Summary) -> int:
    return (summary.facts.nbytes() + sum(map(len, summary.names)) + 80 * len(summary.names)
            + sum(map(len, summary.skipped)))


# Dask decides what to spill by the sizes it measures; without these it would
# take these objects for a few dozen bytes each.
sizeof.register(Packed)(lambda p: p.__sizeof__())
sizeof.register(Store)(_sizeof_store)
sizeof.register(Reps)(_sizeof_reps)
sizeof.register(Summary)(_sizeof_summary)


def _libc_trim():
    """glibc's ``malloc_trim``, or None where the C library has none."""
    import ctypes
    import ctypes.util
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return None


_trim = _libc_trim()


def gives_memory_back(stage):
    """Run ``stage``, then hand the memory it freed back to the system.

    A worker runs many of these tasks one after the other. Without this, the
    verification caches (kept between calls) and the allocator's habit of
    keeping freed memory for later leave the worker's memory growing with the
    input although none of it is data Dask manages (measured: 470 MiB left per
    worker after a 250 MB scan, 960 MiB after 500 MB); a worker that cannot
    spill that memory pauses at Dask's pause line and the run stalls."""
    @functools.wraps(stage)
    def run(*args, **kwargs):
        try:
            return stage(*args, **kwargs)
        finally:
            clear_caches()
            if _trim is not None:
                _trim(0)
    return run


@gives_memory_back
def merge_reps(*parts: Reps) -> Reps:
    """The representatives of several chunks as one :class:`Reps`."""
    if len(parts) == 1:
        return parts[0]
    ids = np.concatenate([r.ids for r in parts])
    order = np.argsort(ids, kind="stable")
    norms = Packed(b"".join(r.norms.blob for r in parts), _joined_ends(parts, "norms"))
    texts = Packed(b"".join(r.texts.blob for r in parts), _joined_ends(parts, "texts"))
    return Reps(ids[order], norms.take(order), texts.take(order))


def _joined_ends(parts, field: str) -> np.ndarray:
    ends, offset = [], 0
    for r in parts:
        packed = getattr(r, field)
        ends.append(packed.ends + offset)
        offset += len(packed.blob)
    return np.concatenate(ends) if ends else np.zeros(0, dtype=np.int64)


@gives_memory_back
def stage_read(chunk: Chunk, cfg: Config, encoding: str | None, bands: int, rows: int):
    """Read and sign a chunk: ``(Summary, Store)``."""
    documents, skipped, origin = read_chunk(chunk, encoding)
    batch = sign_documents(documents, cfg, skipped)
    signed = np.asarray(batch.signed, dtype=np.int64)
    texts = [p.text for doc in documents for p in doc.paragraphs]
    norms = [batch.norms[i] for i in signed.tolist()]
    if len(signed):
        keys = bucket_keys(batch.signatures, bands, rows, prefix_keys(norms))
    else:
        keys = np.zeros((0, bands + 1), dtype=np.uint64)
    encodings = sorted({d.encoding for d in documents})
    code = {name: k for k, name in enumerate(encodings)}
    digests = np.zeros((len(documents), 16), dtype=np.uint8)
    for k, d in enumerate(documents):
        if d.digest is not None:
            digests[k] = np.frombuffer(d.digest, dtype=np.uint8)
    summary = Summary([d.path for d in documents], np.asarray(batch.counts, dtype=np.int64),
                      np.array([d.size for d in documents], dtype=np.int64),
                      np.asarray(origin, dtype=np.int64), batch.facts, list(batch.skipped),
                      encodings, np.array([code[d.encoding] for d in documents], dtype=np.int16),
                      np.array([d.bom for d in documents], dtype=bool), digests)
    store = Store(signed, Packed.of(norms), Packed.of([texts[i] for i in signed.tolist()]), keys)
    return summary, store


@gives_memory_back
def stage_keys(store: Store, local: np.ndarray, ids: np.ndarray, parts: int):
    """The chunk's representatives: their texts (a :class:`Reps`), then for every
    partition of the bucket shuffle its ``(key, rep)`` rows."""
    rows = np.searchsorted(store.signed, local)
    reps = Reps(ids, store.norms.take(rows), store.texts.take(rows))
    keys = store.keys[rows]
    table = np.empty((keys.size, 2), dtype=np.uint64)
    table[:, 0] = keys.ravel()
    table[:, 1] = np.repeat(ids.astype(np.uint64), keys.shape[1])
    table = table[table[:, 0] != 0]
    dest = table[:, 0] % np.uint64(parts)
    return (reps,) + tuple(table[dest == p] for p in range(parts))


@gives_memory_back
def stage_buckets(owner: np.ndarray, outputs: int, max_bucket: int, *pieces: np.ndarray):
    """Candidate pairs of the buckets of one partition, routed to the group
    holding the first paragraph: the pairs of
    :func:`dedup.fingerprints.candidates.candidate_pairs`, by the same code
    (:func:`dedup.fingerprints.candidates.entry_pairs`)."""
    table = np.concatenate(pieces) if pieces else np.zeros((0, 2), dtype=np.uint64)
    pairs = entry_pairs(table[:, 0], table[:, 1].astype(np.int64), max_bucket)
    dest = owner[pairs[:, 0]]
    return tuple(pairs[dest == c] for c in range(outputs))


@gives_memory_back
def stage_first(owner: np.ndarray, outputs: int, *pieces: np.ndarray):
    """Pairs whose first paragraph this group holds, without duplicates (a
    pair found in several bands meets itself here), routed to the group
    holding the second: ``(counts, pairs, pairs, ...)``, where ``counts[c]``
    is the number of pairs for group ``c``. Only numbers travel: the texts
    stay with their groups' :class:`Reps`."""
    pairs = np.concatenate(pieces) if pieces else np.zeros((0, 2), dtype=np.int64)
    pairs = np.unique(pairs, axis=0) if len(pairs) else pairs.reshape(0, 2)
    dest = owner[pairs[:, 1]]
    counts = np.bincount(dest, minlength=outputs).astype(np.int64)
    return (counts,) + tuple(pairs[dest == c] for c in range(outputs))


@gives_memory_back
def stage_judge(first: Reps, second: Reps, cfg: Config, pairs: np.ndarray):
    """Verdicts on pairs whose first paragraph ``first`` holds and whose second
    ``second`` holds: ``(pairs, verdicts)`` of the pairs that got one. Each
    paragraph's text is taken out of its buffer once, however many pairs it
    is in."""
    def norms_of(reps: Reps, ids: np.ndarray):
        """Each pair's normalised text on one side, and its row in ``reps``."""
        rows = reps.rows(ids)
        unique, where = np.unique(rows, return_inverse=True)
        norms = [reps.norms[r] for r in unique.tolist()]
        return [norms[w] for w in where.reshape(-1).tolist()], rows
    first_norms, first_rows = norms_of(first, pairs[:, 0])
    second_norms, second_rows = norms_of(second, pairs[:, 1])
    verdicts = judge_pairs(first_norms, second_norms,
                           lambda k: first.texts[int(first_rows[k])],
                           lambda k: second.texts[int(second_rows[k])], cfg,
                           ids=(pairs[:, 0], pairs[:, 1]))
    ks = np.array([k for k, _ in verdicts], dtype=np.int64)
    return pairs[ks] if len(ks) else np.zeros((0, 2), dtype=np.int64), [v for _, v in verdicts]


@gives_memory_back
def stage_fetch(chunk: Chunk, encoding: str | None, local: list[int],
                items: list[int]) -> list[Document]:
    """The chunk's documents at positions ``local`` (from items ``items``), read again."""
    if chunk.jsonl is not None or chunk.parquet is not None:
        documents, _, _ = read_chunk(chunk, encoding)
        return [documents[k] for k in local]
    documents, _, origin = read_chunk(chunk, encoding, set(items))
    by_item = dict(zip(origin, documents))
    return [by_item[k] for k in items]


def _write(target: str, data: bytes) -> None:
    if not is_url(target):
        atomic_write(Path(target), data)
        return
    with url_file(target) as sink:
        sink.write(data)


@contextmanager
def url_file(target: str):
    """A temporary file beside the URL ``target`` to write, moved to ``target``
    when the block ends and removed if it raises."""
    fs, path = fsspec.core.url_to_fs(target)
    parent = posixpath.dirname(path)
    tmp = posixpath.join(parent, f".{posixpath.basename(path)}.{uuid.uuid4().hex}{TEMP_SUFFIX}")
    if parent:
        fs.makedirs(parent, exist_ok=True)
    try:
        with fs.open(tmp, "wb") as sink:
            yield sink
        fs.mv(tmp, path)
    except BaseException:
        try:
            fs.rm(tmp)
        except (OSError, ValueError):
            pass
        raise


@gives_memory_back
def stage_write(chunk: Chunk, encoding: str | None, removed: dict[int, list[int]],
                dropped: set[int], targets: list[str | None]) -> tuple[list[str], int]:
    """Write the chunk's cleaned copies; ``(targets written, how many changed)``."""
    written, changed = [], 0
    if chunk.jsonl is not None:
        item = chunk.items[0]
        try:
            data = _read_bytes(item)
        except InputError:
            return written, changed              # skipped when read: not copied
        documents, _ = documents_of(data, item.display, chunk.jsonl)
        updates: dict[str, str | None] = {}
        for k, doc in enumerate(documents):
            if k in dropped:
                updates[doc.path] = None
            elif removed.get(k):
                updates[doc.path] = cleaned_text(doc, set(removed[k]))
        _write(targets[0], cleaned_jsonl(data, item.display, chunk.jsonl, updates))
        return [targets[0]], int(bool(updates))
    documents, _, origin = read_chunk(chunk, encoding)
    for k, doc in enumerate(documents):
        if k in dropped:
            continue
        target = targets[origin[k]]
        gone = set(removed.get(k, ()))
        _write(target, doc.encode(cleaned_text(doc, gone)))
        written.append(target)
        changed += bool(gone)
    return written, changed


# -- light documents ---------------------------------------------------------------------

class NotGathered(Sequence):
    """The paragraphs of a document the Dask engine did not bring back: only their count."""

    __slots__ = ("count", "path")

    def __init__(self, count: int, path: str) -> None:
        self.count, self.path = count, path

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, index):
        raise LookupError(f"{self.path}: its paragraphs stayed on the cluster (the Dask engine "
                          "brings back only documents with findings)")


def light_document(name: str, count: int, size: int) -> Document:
    return Document(name, [], NotGathered(count, name), "utf-8", False, size)


# -- the run -----------------------------------------------------------------------------

@dataclass
class DaskScan:
    """A finished scan, and what writing the cleaned copies needs."""

    result: ScanResult
    chunks: list[Chunk]
    encoding: str | None
    doc_chunk: np.ndarray          # chunk of every document (corpus order)
    doc_local: np.ndarray          # position among its chunk's documents
    origin: np.ndarray             # item of its chunk it came from
    #: Bytes brought to the client, by what: facts, documents, verdicts.
    gathered: dict = field(default_factory=dict)


def scan(client: Client, paths: Sequence[str | Path], cfg: Config, *,
         exclude: Sequence[Path] = (), encoding: str | None = None,
         jsonl: JsonlSpec | None = None, temp_files: list[str] | None = None,
         files_per_chunk: int | None = None,
         chunks_per_group: int | None = None, parquet=None) -> DaskScan:
    """Scan ``paths`` on the cluster of ``client``; the same result as the local engine."""
    stats: dict = {"engine": "dask"}
    started = time.perf_counter()
    items, warnings = list_inputs(paths, cfg.glob, exclude, temp_files)
    workers = max(1, len(client.scheduler_info().get("workers", {})))
    if parquet is not None:         # runs of row groups (see dedup.engines.parquet_input)
        from .parquet_input import dask_chunks
        chunks, lost = dask_chunks(items, parquet)
        warnings = warnings + lost
    else:
        chunks = chunks_of(items, workers, jsonl, files_per_chunk)
    bands, rows = lsh_params(cfg.lsh_threshold, cfg.num_perm)
    stats["lsh_bands"], stats["lsh_rows"] = bands, rows
    wcfg = cfg.replace(jobs=1)            # one thread per task: the cluster is the parallelism

    # 1. read and sign
    read = [client.submit(stage_read, chunk, wcfg, encoding, bands, rows, pure=False)
            for chunk in chunks]
    summary_futures = [client.submit(getitem, f, 0) for f in read]
    stores = [client.submit(getitem, f, 1) for f in read]
    # Dropped at once: a chunk's (summary, store) pair then goes as soon as both
    # halves are taken, and Dask does not count each half twice (which made
    # workers spill stores early, while far below their memory target).
    del read
    summaries: list[Summary] = take_as_done(summary_futures)
    stats["seconds_read"] = round(time.perf_counter() - started, 3)
    mark = time.perf_counter()

    # 2. corpus order, facts, exact groups and representatives (client)
    names = [n for s in summaries for n in s.names]
    counts_cat = (np.concatenate([s.counts for s in summaries]) if summaries
                  else np.zeros(0, dtype=np.int64))
    sizes_cat = (np.concatenate([s.sizes for s in summaries]) if summaries
                 else np.zeros(0, dtype=np.int64))
    chunk_cat = np.repeat(np.arange(len(summaries), dtype=np.int64),
                          [len(s.names) for s in summaries])
    local_cat = np.concatenate([np.arange(len(s.names), dtype=np.int64) for s in summaries]
                               ) if summaries else np.zeros(0, dtype=np.int64)
    origin_cat = (np.concatenate([s.origin for s in summaries]) if summaries
                  else np.zeros(0, dtype=np.int64))
    if jsonl is not None or parquet is not None:
        check_unique(names)
    order = sorted(range(len(names)), key=names.__getitem__)
    order_arr = np.asarray(order, dtype=np.int64)
    counts = counts_cat[order_arr] if len(order) else counts_cat
    start = np.zeros(len(order) + 1, dtype=np.int64)
    np.cumsum(counts, out=start[1:])
    cat_start = np.zeros(len(names) + 1, dtype=np.int64)
    np.cumsum(counts_cat, out=cat_start[1:])
    n = int(start[-1])
    # Position in the chunks' concatenation of every paragraph in corpus order.
    perm = (np.repeat(cat_start[:-1][order_arr] - start[:-1], counts) + np.arange(n)
            if n else np.zeros(0, dtype=np.int64))
    cat_facts = Facts.concat([s.facts for s in summaries])
    facts = cat_facts.take(perm)
    doc_of = np.repeat(np.arange(len(order), dtype=np.int32), counts)
    paths_sorted = [names[k] for k in order]
    skipped = warnings + [line for s in summaries for line in s.skipped]
    chunk_flat_start = np.zeros(len(summaries) + 1, dtype=np.int64)
    np.cumsum([int(s.counts.sum()) for s in summaries], out=chunk_flat_start[1:])
    stats["files"], stats["paragraphs"] = len(order), n
    stats["chunks"] = len(chunks)
    enc_cat = [s.encodings[c] for s in summaries for c in s.codes.tolist()]
    boms_cat = (np.concatenate([s.boms for s in summaries]) if summaries
                else np.zeros(0, dtype=bool))
    digests_cat = (np.concatenate([s.digests for s in summaries]) if summaries
                   else np.zeros((0, 16), dtype=np.uint8))
    # Per document: size, paragraph count, item (3 x 8 bytes), digest (16),
    # encoding code (2), BOM (1).
    gathered = {"facts": facts.nbytes(), "names": sum(len(x) for x in names),
                "per_document": (3 * 8 + 16 + 2 + 1) * len(names)}
    del summaries, cat_facts

    group_of, members = exact_groups(facts)
    stats["exact_groups"] = len(members)
    stats["seconds_groups"] = round(time.perf_counter() - mark, 3)
    mark = time.perf_counter()
    firsts = np.fromiter((m[0] for m in members), dtype=np.int64, count=len(members))
    signed_groups = np.flatnonzero(facts.length[firsts] >= cfg.near_min_chars)
    rep_flats = firsts[signed_groups]
    stats["signed_groups"] = len(rep_flats)
    links: dict = defaultdict(list)
    updates: dict = defaultdict(list)
    # The shuffles run between groups of chunks: every group sends a piece to
    # every other, so the pieces (tasks) grow with the square of the groups.
    per_group = chunks_per_group or group_size(len(chunks), workers)
    groups = max(1, -(-len(chunks) // per_group))
    parts = groups
    stats["shuffle_groups"] = groups
    if len(rep_flats) >= 2:
        rep_cat = perm[rep_flats]
        rep_chunk = np.searchsorted(chunk_flat_start, rep_cat, side="right") - 1
        owner = (rep_chunk // per_group).astype(np.int32)
        # A task rather than scattered data: if a worker holding it is lost,
        # the cluster makes it again (scattered data cannot be recovered,
        # and every task needing it would be cancelled).
        owner_future = client.submit(np.array, owner, pure=False)

        # 3. the bucket shuffle
        by_chunk = [np.flatnonzero(rep_chunk == c) for c in range(len(chunks))]
        keyed = [client.submit(stage_keys, stores[c], rep_cat[ids] - chunk_flat_start[c],
                               ids, parts) for c, ids in enumerate(by_chunk)]
        chunk_reps = [client.submit(getitem, f, 0) for f in keyed]
        reps = [client.submit(merge_reps, *chunk_reps[g * per_group:(g + 1) * per_group])
                for g in range(groups)]
        pieces = [[client.submit(getitem, f, 1 + p) for f in keyed] for p in range(parts)]
        del keyed, stores, chunk_reps
        buckets = [client.submit(stage_buckets, owner_future, groups, MAX_BUCKET, *pieces[p])
                   for p in range(parts)]
        del pieces
        # 4. the join: pairs without duplicates, then verdicts next to the texts
        routed = [[client.submit(getitem, b, g) for b in buckets] for g in range(groups)]
        del buckets
        firsts_f = [client.submit(stage_first, owner_future, groups, *routed[g])
                    for g in range(groups)]
        del routed
        sent = client.gather([client.submit(getitem, f, 0) for f in firsts_f])
        stats["candidates"] = int(sum(int(c.sum()) for c in sent))
        # One judging task per non-empty piece (source group, destination
        # group), with the texts of those two groups: no task grows with the
        # number of groups, and no text is copied once per pair or per group.
        judged_f = [client.submit(stage_judge, reps[f], reps[g], wcfg,
                                  client.submit(getitem, firsts_f[f], 1 + g))
                    for g in range(groups) for f in range(groups) if sent[f][g]]
        del firsts_f, sent
        stats["judge_tasks"] = len(judged_f)
        # Verdicts leave the workers as each piece is judged.
        judged = take_as_done(judged_f)
        del reps, owner_future
        gathered["verdicts"] = sum(_pickled_size(part) for part in judged)
        pairs = (np.concatenate([p for p, _ in judged]) if judged
                 else np.zeros((0, 2), dtype=np.int64))
        verdicts = [v for _, vs in judged for v in vs]
        del judged
        # 5. verdicts in sorted pair order, as the local engine records them
        sequence = np.lexsort((pairs[:, 1], pairs[:, 0])) if len(pairs) else []
        groups = signed_groups
        verified = 0
        with collector_paused():
            for k in np.asarray(sequence, dtype=np.int64).tolist():
                verified += record_verdict(links, updates, int(groups[pairs[k, 0]]),
                                           int(groups[pairs[k, 1]]), verdicts[k])
        stats["verified"] = verified
        stats["judged"] = len(verdicts)
    else:
        del stores
        stats["candidates"] = 0
    stats["seconds_candidates_verify"] = round(time.perf_counter() - mark, 3)
    mark = time.perf_counter()
    layout = Layout(facts, doc_of, start, paths_sorted)
    with collector_paused():
        decisions = decide_layout(layout, cfg, group_of, members, links, updates)
    stats["seconds_decide"] = round(time.perf_counter() - mark, 3)
    mark = time.perf_counter()

    # 6. documents: unloaded ones (read again on demand, as the local engine's
    # are) where the client can read the file; otherwise the documents the
    # report shows are fetched, and the rest are light stand-ins.
    doc_chunk = chunk_cat[order_arr] if len(order) else chunk_cat
    doc_local = local_cat[order_arr] if len(order) else local_cat
    doc_origin = origin_cat[order_arr] if len(order) else origin_cat
    documents: list[Document] = []
    remote: list[int] = []
    has_digest = digests_cat.any(axis=1)
    for d, k in enumerate(order):
        chunk = chunks[int(chunk_cat[k])]
        source = chunk.items[int(origin_cat[k])].source
        if chunk.jsonl is None and source is not None and has_digest[k]:
            kind = document_type(paths_sorted[d])          # an HTML page or text
            documents.append(kind(paths_sorted[d], None, None, enc_cat[k], bool(boms_cat[k]),
                                  int(sizes_cat[k]), source=source,
                                  digest=digests_cat[k].tobytes(), forced=encoding,
                                  count=int(counts[d])))
        else:
            documents.append(light_document(paths_sorted[d], int(counts[d]),
                                            int(sizes_cat[k])))
            remote.append(d)
    full = 0
    if remote:
        shown_flats = set(decisions.chosen)
        shown_flats.update(c.twin for c in decisions.chosen.values())
        for g in decisions.boiler:
            shown_flats.update(members[g])
        shown = {int(d) for d in doc_of[np.fromiter(shown_flats, dtype=np.int64,
                                                    count=len(shown_flats))]
                 } if shown_flats else set()
        for a in decisions.articles:
            shown.update((int(a.doc), int(a.kept_doc)))
        wanted: dict[int, list[int]] = defaultdict(list)
        for d in remote:
            if d in shown:
                wanted[int(doc_chunk[d])].append(d)
        fetched = {c: client.submit(stage_fetch, chunks[c], encoding,
                                    [int(doc_local[d]) for d in docs],
                                    [int(doc_origin[d]) for d in docs], pure=False)
                   for c, docs in wanted.items()}
        for c, docs in wanted.items():
            for d, doc in zip(docs, fetched[c].result()):
                documents[d] = doc
                full += 1
        del fetched
    gathered["documents_fetched"] = full
    gathered["documents_unloaded"] = len(documents) - len(remote)

    def text_of(flat: int) -> str:
        d = int(doc_of[flat])
        return documents[d].paragraphs[flat - int(start[d])].text

    with collector_paused():
        result = result_of(decisions, layout, documents, text_of, cfg, stats, skipped)
    stats["seconds_fetch_report"] = round(time.perf_counter() - mark, 3)
    stats["seconds"] = round(time.perf_counter() - started, 3)
    return DaskScan(result, chunks, encoding, doc_chunk, doc_local, doc_origin, gathered)


def take_as_done(futures: list) -> list:
    """The results of ``futures``, in their order, each taken as soon as it is
    ready and let go at once (its place in ``futures`` is emptied), so that
    results do not wait on the workers for the slowest task."""
    results: list = [None] * len(futures)
    index = {f.key: k for k, f in enumerate(futures)}
    for future, result in as_completed(futures, with_results=True):
        if future.status != "finished":
            # Failed tasks raise in as_completed; a cancelled one (a lost
            # worker, a closed cluster) arrives as its exception.
            raise result if isinstance(result, BaseException) else RuntimeError(
                f"task {future.key} ended as {future.status}")
        k = index[future.key]
        results[k], futures[k] = result, None
    return results


def _pickled_size(obj) -> int:
    import pickle
    return len(pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL))


def write_cleaned(client: Client, run: DaskScan, out: str | Path, started=None):
    """Write every document, cleaned, under ``out``: each chunk writes its own.

    Targets are checked on the client before anything is written, as
    :func:`dedup.api.write_cleaned` checks them; ``started()`` is called once
    they all pass, before the first copy is written.
    """
    from ..output.clean import WriteSummary, check_target, folder_prefix
    from ..output.plan import check as check_plan
    result = run.result
    check_plan(result)
    out_url = is_url(out)
    if out_url:
        base = str(out).rstrip("/")
    else:
        out = Path(out).absolute()
        inside = folder_prefix(os.path.realpath(out))
    targets: list[list[str | None]] = []
    for chunk in run.chunks:
        row = []
        for item in chunk.items:
            if out_url:
                target = f"{base}/{item.rel}"
            else:
                target = os.path.realpath(out / item.rel)
                check_target(item.display, target, inside, out,
                             os.path.realpath(item.location) if item.local else None)
            row.append(target)
        targets.append(row)
    if started is not None:
        started()
    if run.chunks and run.chunks[0].parquet is not None:   # a task a file, not a chunk
        from .parquet_input import dask_write
        return dask_write(client, run, targets, WriteSummary(str(out) if out_url else out))
    removed: list[dict[int, list[int]]] = [defaultdict(list) for _ in run.chunks]
    for ref in result.removals:
        c = int(run.doc_chunk[ref.doc])
        removed[c][int(run.doc_local[ref.doc])].append(ref.para)
    dropped: list[set[int]] = [set() for _ in run.chunks]
    for d in result.dropped_articles():
        dropped[int(run.doc_chunk[d])].add(int(run.doc_local[d]))
    futures = [client.submit(stage_write, chunk, run.encoding, dict(removed[c]), dropped[c],
                             targets[c], pure=False)
               for c, chunk in enumerate(run.chunks)]
    summary = WriteSummary(str(out) if out_url else out)
    for written, changed in client.gather(futures):
        summary.written += [w if is_url(w) else Path(w) for w in written]
        summary.changed += changed
    return summary
