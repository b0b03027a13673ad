"""A persistent index of ingested articles: one SQLite file, ``.dedup/index.db``.

``dedup check`` compares new articles with everything ingested so far without
reading the archive: it looks up, by key, the few stored paragraphs that could
repeat a new one, and runs the normal decision over those (see
:mod:`dedup.gate.check`). For that the index keeps, for every ingested paragraph:

- ``paragraphs``: file, paragraph index, line span, the normalised-text key
  (:func:`dedup.fingerprints.fingerprint.exact_key`), the normalised and the original text
  (verification compares normalised text; the name guard reads the original)
  and the MinHash signature as the raw bytes of a ``uint32`` array (read back
  with ``numpy.frombuffer``; nothing stored is ever executed or unpickled);
- ``exact``: (normalised-text key, file) -> first paragraph of that file with
  that text. One row per file, so the first rows of a key are distinct files:
  that is what the boilerplate count needs;
- ``lsh``: (key, paragraph) for each LSH band key and the opening ("prefix")
  key of every signed paragraph, salted exactly as
  :func:`dedup.fingerprints.candidates.candidate_pairs` salts them, so a stored paragraph
  shares a key with a new one exactly when ``scan`` would bucket them together;
- ``files``: path, SHA-256 of the bytes, and the contiguous range of
  paragraph ids; ``meta``: schema version, the root folder, the settings that
  shape fingerprints, and running counts (so nothing ever counts rows).

File paths are stored relative to the index's **root**, a folder recorded when
the index is created (the working folder then, or ``root=``), itself stored
relative to the index file's folder: ``.dedup/index.db`` created at a
repository's top has root ``..``. A file's path is the same whichever folder a
command runs from, and stays valid when the repository is checked out
elsewhere with the index at the same place in it (:meth:`Index.path_of`).

Lookups are index searches bounded per key (the first ``cap`` rows of a key in
ingestion order, via the primary key): a check never scans a table, so the rows
it reads depend on the new articles, not on the size of the archive (though
the pages holding them lie farther apart in a larger file).

Concurrency and crashes: the file is in WAL mode, so any number of readers
(``check``) run while one writer (``index add``/``remove``, ``check --add``)
holds its transaction; writers wait for each other (busy timeout). Every
command that writes does so in a single transaction, so an ``add`` killed at
any point leaves the index as it was before or as it is after, never between.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import sqlite3
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

import numpy as np

from ..version import __version__
from ..fingerprints.candidates import PREFIX_CHARS, bucket_keys, prefix_keys
from ..config import Config
from ..input.corpus import Corpus, corpus_from_texts, read_corpus
from ..input.documents import is_text, read_regular_file, text_named
from ..fingerprints.fingerprint import exact_key, lsh_params

SCHEMA_VERSION = 2
#: Schema versions this dedup upgrades in place when it opens them (see :meth:`Index._upgrade`).
UPGRADABLE = {"1"}
DEFAULT_PATH = Path(".dedup/index.db")
#: How long a writer waits for another writer (and a reader for a lock) to go away.
BUSY_TIMEOUT_SECONDS = 60.0
#: Page cache per connection (allocated as used): large adds touch pages all
#: over the key tables.
CACHE_MB = 256
#: Bytes of the file mapped into memory for reading.
MMAP_BYTES = 1 << 31
#: Files read and signed at a time inside an add's single transaction.
CHUNK_FILES = 1024
#: Stored paragraphs a lookup returns per LSH or prefix key: the first ones in
#: ingestion order, as ``candidate_pairs`` pairs a late member of a large bucket
#: with the bucket's first ``max_bucket`` (64) members. (Only ids are read;
#: the check then reads the few that share the most keys with a new paragraph.)
LSH_CAP = 64
_NO_LIMIT = 2**63 - 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS files (
    id          INTEGER PRIMARY KEY,
    path        TEXT NOT NULL UNIQUE,
    sha256      TEXT NOT NULL,
    size        INTEGER NOT NULL,
    first_para  INTEGER NOT NULL,
    paragraphs  INTEGER NOT NULL,
    added       TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS paragraphs (
    id          INTEGER PRIMARY KEY,
    file        INTEGER NOT NULL,
    idx         INTEGER NOT NULL,
    first_line  INTEGER NOT NULL,
    last_line   INTEGER NOT NULL,
    hash        INTEGER NOT NULL,
    norm        TEXT NOT NULL,
    text        TEXT NOT NULL,
    sig         BLOB
);
CREATE TABLE IF NOT EXISTS exact (
    key   INTEGER NOT NULL,
    file  INTEGER NOT NULL,
    para  INTEGER NOT NULL,
    PRIMARY KEY (key, file)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS lsh (
    key   INTEGER NOT NULL,
    para  INTEGER NOT NULL,
    PRIMARY KEY (key, para)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS files_sha256 ON files (sha256);
"""

_TEMP = """
CREATE TEMP TABLE IF NOT EXISTS want_path (path TEXT PRIMARY KEY);
CREATE TEMP TABLE IF NOT EXISTS want_sha (sha256 TEXT PRIMARY KEY);
"""

# The lookups a check runs. The keys (or ids) come as one JSON array, sorted,
# read by json_each: one statement instead of a row inserted per key. CROSS
# JOIN fixes the loop order (the array outside). Most keys of a new paragraph
# are nowhere in the archive, so each key is first tested with a single
# search (EXISTS); only a key that is there pays for the correlated subquery
# that finds its cap-th row, and then for the bounded range search. The tests
# check with EXPLAIN QUERY PLAN that no table is scanned.
EXACT_LOOKUP = """
SELECT e.para FROM json_each(:keys) AS w CROSS JOIN exact AS e
 ON e.key = w.value
 AND EXISTS (SELECT 1 FROM exact AS e0 WHERE e0.key = w.value)
 AND e.file <= coalesce(
    (SELECT e2.file FROM exact AS e2 WHERE e2.key = w.value
      ORDER BY e2.file LIMIT 1 OFFSET :skip), :nolimit)
"""
LSH_LOOKUP = """
SELECT l.key, l.para FROM json_each(:keys) AS w CROSS JOIN lsh AS l
 ON l.key = w.value
 AND EXISTS (SELECT 1 FROM lsh AS l0 WHERE l0.key = w.value)
 AND l.para <= coalesce(
    (SELECT l2.para FROM lsh AS l2 WHERE l2.key = w.value
      ORDER BY l2.para LIMIT 1 OFFSET :skip), :nolimit)
"""
LOAD_PARAGRAPHS = """
SELECT p.id, p.file, f.path, f.paragraphs, p.idx, p.first_line, p.last_line, p.norm, p.text,
       p.sig
  FROM json_each(:ids) AS t CROSS JOIN paragraphs AS p ON p.id = t.value
  CROSS JOIN files AS f ON f.id = p.file
 ORDER BY p.id
"""
FILES_BY_PATH = """
SELECT f.path, f.id, f.sha256, f.first_para, f.paragraphs
  FROM temp.want_path AS w CROSS JOIN files AS f ON f.path = w.path
"""
FILES_BY_SHA = """
SELECT w.sha256, (SELECT f.path FROM files AS f WHERE f.sha256 = w.sha256 ORDER BY f.id LIMIT 1)
  FROM temp.want_sha AS w
"""
# What the check compares of each shortlisted paragraph; its file and signature
# are read (LOAD_PARAGRAPHS) only for the few that match.
LOAD_TEXTS = """
SELECT p.id, p.norm, p.text, p.sig IS NOT NULL
  FROM json_each(:ids) AS t CROSS JOIN paragraphs AS p ON p.id = t.value
"""
CHECK_QUERIES = {"exact": EXACT_LOOKUP, "lsh": LSH_LOOKUP, "texts": LOAD_TEXTS,
                 "load": LOAD_PARAGRAPHS,
                 "files": FILES_BY_PATH, "sha": FILES_BY_SHA}


class IndexFileError(Exception):
    """The index cannot be used; the message is one line naming the file."""


def fingerprint_settings(cfg: Config) -> dict:
    """The settings that shape what the index stores; they must match to use it."""
    bands, rows = lsh_params(cfg.lsh_threshold, cfg.num_perm)
    return {"num_perm": cfg.num_perm, "shingle_size": cfg.shingle_size, "seed": cfg.seed,
            "lsh_bands": bands, "lsh_rows": rows, "near_min_chars": cfg.near_min_chars,
            "prefix_chars": PREFIX_CHARS}


def lsh_keys(sigs: np.ndarray, norms: list[str], bands: int, rows: int) -> np.ndarray:
    """Band keys and opening key of signed paragraphs as int64, one row each.

    The same values :func:`dedup.fingerprints.candidates.candidate_pairs` buckets by (band
    keys salted per band, then the prefix key); 0 means "no key".
    """
    if len(norms) == 0:
        return np.zeros((0, bands + 1), dtype=np.int64)
    return bucket_keys(sigs, bands, rows, prefix_keys(norms)).view(np.int64)


def _json_ints(values: Iterable[int] | np.ndarray, skip_zero: bool = False) -> str:
    """Distinct 64-bit integers as a sorted JSON array, for the lookups'
    json_each: in ascending order, successive searches walk the B-tree
    forwards. ``skip_zero`` leaves 0 out."""
    if not isinstance(values, np.ndarray):
        values = np.fromiter(values, dtype=np.int64)
    values = np.unique(values.astype(np.int64, copy=False))
    if skip_zero:
        values = values[values != 0]
    return json.dumps(values.tolist())


def file_sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(slots=True)
class StoredParagraph:
    """A paragraph read back from the index."""

    id: int
    file: int
    path: str
    file_paragraphs: int  # how many paragraphs its file has
    idx: int
    first_line: int
    last_line: int
    norm: str
    text: str
    sig: np.ndarray | None


@dataclass(slots=True)
class StoredText:
    """The texts of a stored paragraph, and whether it is signed: what deciding
    whether it matches a new paragraph needs (see :meth:`Index.texts`)."""

    id: int
    norm: str
    text: str
    signed: bool


@dataclass
class AddSummary:
    """What an add did, by display path."""

    added: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    paragraphs: int = 0          # paragraphs inserted
    removed_paragraphs: int = 0  # paragraphs of replaced files taken out

    def line(self) -> str:
        return (f"added {len(self.added)} files, replaced {len(self.replaced)}, "
                f"unchanged {len(self.unchanged)}, skipped {len(self.skipped)} "
                f"({self.paragraphs} paragraphs written)")


def _now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")


def describe_settings(settings: dict) -> str:
    return ", ".join(f"{k}={v}" for k, v in settings.items())


class Index:
    """An open index file. Use as a context manager, or call :meth:`close`.

    ``create=True`` creates the file (and its folder) when missing, recording
    the fingerprint settings of ``cfg`` and the root folder (``root``, default
    the working folder); an existing file must have been built with the same
    settings and schema version, or :class:`IndexFileError`. A ``root`` given
    for an existing index must be the one it records.
    """

    def __init__(self, path: str | Path, cfg: Config | None = None, *, create: bool = False,
                 root: str | Path | None = None,
                 busy_timeout: float = BUSY_TIMEOUT_SECONDS,
                 cache_mb: int = CACHE_MB) -> None:
        self.path = Path(path)
        self.cache_mb = cache_mb
        self.upgraded = False          # a schema 1 file was upgraded on opening
        self._root_asked = root
        # Without a configuration, an existing index is used with the settings
        # it was built with (stats, remove); a new one gets the defaults.
        self._adopt = cfg is None
        self.cfg = cfg or Config()
        self.settings = fingerprint_settings(self.cfg)
        self.bands, self.rows = self.settings["lsh_bands"], self.settings["lsh_rows"]
        if self.path.is_dir():
            raise IndexFileError(f"{self.path}: is a directory, not an index file")
        exists = self.path.is_file() and self.path.stat().st_size > 0
        if not exists and not create:
            raise IndexFileError(f"{self.path}: no index here (create one with "
                                 f"'dedup index add PATH... --index {self.path}')")
        if create:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise IndexFileError(f"{self.path}: cannot create its folder: {exc}") from exc
        try:
            self.conn = sqlite3.connect(str(self.path), timeout=busy_timeout,
                                        isolation_level=None, check_same_thread=False)
        except sqlite3.Error as exc:
            raise IndexFileError(f"{self.path}: cannot open: {exc}") from exc
        try:
            self._setup(create, busy_timeout)
        except sqlite3.DatabaseError as exc:
            self.conn.close()
            raise IndexFileError(f"{self.path}: not a dedup index ({exc})") from exc
        except IndexFileError:
            self.conn.close()
            raise

    # -- opening -----------------------------------------------------------

    def _setup(self, create: bool, busy_timeout: float) -> None:
        c = self.conn
        c.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
        mode = c.execute("PRAGMA journal_mode").fetchone()[0]
        # Two processes creating one index at once: switching to WAL needs the
        # file to themselves, and SQLite may answer "locked" without waiting.
        deadline = time.monotonic() + busy_timeout
        while mode.lower() != "wal":
            try:
                c.execute("PRAGMA journal_mode = WAL")
                break
            except sqlite3.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        c.execute("PRAGMA synchronous = NORMAL")   # in WAL mode: never corrupt, commits atomic
        c.execute("PRAGMA temp_store = MEMORY")
        c.execute(f"PRAGMA cache_size = -{int(self.cache_mb) * 1024}")
        # Lookups touch pages all over a large index; mapping the file saves a
        # read call and a copy per page (SQLite caps this at its build's limit).
        c.execute(f"PRAGMA mmap_size = {MMAP_BYTES}")
        has_meta = c.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' "
                             "AND name = 'meta'").fetchone()
        if not has_meta:
            if not create:
                raise IndexFileError(f"{self.path}: not a dedup index (no meta table)")
            with self.transaction(write=True):
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        c.execute(statement)
                if not c.execute("SELECT 1 FROM meta WHERE key = 'schema_version'").fetchone():
                    now = _now()
                    c.executemany("INSERT INTO meta (key, value) VALUES (?, ?)", [
                        ("schema_version", str(SCHEMA_VERSION)),
                        ("root", self._root_meta(self._root_asked or os.getcwd())),
                        ("settings", json.dumps(self.settings, sort_keys=True)),
                        ("lsh_threshold", repr(self.cfg.lsh_threshold)),
                        ("files", "0"), ("paragraphs", "0"),
                        ("created", now), ("updated", now), ("dedup_version", __version__),
                    ])
        self._validate()
        for statement in _TEMP.split(";"):
            if statement.strip():
                c.execute(statement)

    def _root_meta(self, root: str | Path) -> str:
        """``root`` as the index records it: relative to the index file's folder."""
        folder = os.path.realpath(self.path.parent)
        try:
            return Path(os.path.relpath(os.path.realpath(root), folder)).as_posix()
        except ValueError:          # another drive: only an absolute path will do
            return Path(os.path.realpath(root)).as_posix()

    def _upgrade(self, version: str) -> None:
        """Bring a schema 1 file to schema 2, in one transaction.

        Schema 1 stored paths relative to the folder every command ran from,
        so that folder (the working folder now) becomes the root; the lookup of
        files by content is indexed.
        """
        try:
            with self.transaction(write=True):
                self.conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('root', ?)",
                                  (self._root_meta(self._root_asked or os.getcwd()),))
                self.conn.execute("CREATE INDEX IF NOT EXISTS files_sha256 ON files (sha256)")
                self.conn.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'",
                                  (str(SCHEMA_VERSION),))
        except (sqlite3.Error, IndexFileError) as exc:
            raise IndexFileError(f"{self.path}: index schema version {version} needs an "
                                 f"upgrade this dedup could not write: {exc}") from exc
        self.upgraded = True

    def _validate(self) -> None:
        meta = self.meta()
        version = meta.get("schema_version")
        if version in UPGRADABLE:
            self._upgrade(version)
            meta = self.meta()
            version = meta.get("schema_version")
        if version != str(SCHEMA_VERSION):
            raise IndexFileError(
                f"{self.path}: index schema version {version or 'unknown'}, this dedup "
                f"({__version__}) reads version {SCHEMA_VERSION}: rebuild it with "
                f"'dedup index add' into a new file")
        try:
            stored = json.loads(meta.get("settings", ""))
        except json.JSONDecodeError as exc:
            raise IndexFileError(f"{self.path}: unreadable settings in the index") from exc
        if not isinstance(stored, dict):
            raise IndexFileError(f"{self.path}: unreadable settings in the index")
        if self._adopt:
            try:
                self.cfg = Config(num_perm=stored["num_perm"], shingle_size=stored["shingle_size"],
                                  seed=stored["seed"], near_min_chars=stored["near_min_chars"],
                                  lsh_threshold=float(meta.get("lsh_threshold", 0.5)))
            except (KeyError, TypeError, ValueError) as exc:
                raise IndexFileError(f"{self.path}: unreadable settings in the index") from exc
            self.settings = fingerprint_settings(self.cfg)
            self.bands, self.rows = self.settings["lsh_bands"], self.settings["lsh_rows"]
        self.root = Path(os.path.realpath(self.path.parent / meta.get("root", ".")))
        if self._root_asked is not None and \
                Path(os.path.realpath(self._root_asked)) != self.root:
            raise IndexFileError(f"{self.path}: its root is {self.root}, not "
                                 f"{os.path.realpath(self._root_asked)} (the root is set "
                                 f"when an index is created)")
        if stored != self.settings:
            keys = [k for k in sorted(set(stored) | set(self.settings))
                    if stored.get(k) != self.settings.get(k)]
            built = describe_settings({k: stored.get(k) for k in keys})
            current = describe_settings({k: self.settings.get(k) for k in keys})
            raise IndexFileError(f"{self.path}: built with {built}, but the current settings "
                                 f"give {current}: use the index's settings or build a new index")

    def meta(self) -> dict[str, str]:
        return dict(self.conn.execute("SELECT key, value FROM meta").fetchall())

    def path_of(self, path: str | Path, folders: dict[str, str] | None = None) -> str:
        """How the index names the file at ``path`` (as given, relative to the
        working folder): relative to the root, with ``/`` separators, whatever
        folder the command runs in. The file's folder is resolved through
        links, its own name is not. ``folders`` caches each folder's real path
        (a check of many files in few folders resolves each folder once)."""
        absolute = os.path.abspath(path)
        folder, name = os.path.split(absolute)
        real_folder = folders.get(folder) if folders is not None else None
        if real_folder is None:
            real_folder = os.path.realpath(folder)
            if folders is not None:
                folders[folder] = real_folder
        real = os.path.join(real_folder, name)
        try:
            relative = os.path.relpath(real, self.root)
        except ValueError:          # another drive
            return Path(real).as_posix()
        return Path(relative).as_posix()

    def paths_of(self, files: list[tuple[str | Path, str]]) -> list[tuple[str | Path, str]]:
        """``(path, display path)`` files renamed as the index names them."""
        folders: dict[str, str] = {}
        return [(path, self.path_of(path, folders)) for path, _ in files]

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> "Index":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- transactions --------------------------------------------------------

    @contextmanager
    def transaction(self, write: bool = False) -> Iterator[None]:
        """One transaction; nested uses join the outer one.

        A read transaction sees one snapshot of the index however long it lasts;
        a write transaction takes the write lock at once (``BEGIN IMMEDIATE``),
        waiting up to the busy timeout for another writer.
        """
        if self.conn.in_transaction:
            yield
            return
        try:
            self.conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
        except sqlite3.OperationalError as exc:
            raise IndexFileError(f"{self.path}: {exc}") from exc
        try:
            yield
            if write:
                self.conn.execute("UPDATE meta SET value = ? WHERE key = 'updated'", (_now(),))
            self.conn.execute("COMMIT")
        except BaseException:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise

    def _bump(self, name: str, delta: int) -> None:
        if delta:
            self.conn.execute("UPDATE meta SET value = CAST(value AS INTEGER) + ? WHERE key = ?",
                              (delta, name))

    # -- counts --------------------------------------------------------------

    def counts(self) -> tuple[int, int]:
        """(files, paragraphs) held, from the running counts in ``meta``."""
        meta = self.meta()
        return int(meta["files"]), int(meta["paragraphs"])

    def stats(self) -> dict:
        """Everything ``dedup index stats`` shows; cheap whatever the size."""
        meta = self.meta()
        files, paragraphs = int(meta["files"]), int(meta["paragraphs"])
        page_size = self.conn.execute("PRAGMA page_size").fetchone()[0]
        pages = self.conn.execute("PRAGMA page_count").fetchone()[0]
        free = self.conn.execute("PRAGMA freelist_count").fetchone()[0]
        wal = Path(str(self.path) + "-wal")
        size = self.path.stat().st_size + (wal.stat().st_size if wal.exists() else 0)
        return {
            "index": str(self.path),
            "root": str(self.root),
            "schema_version": int(meta["schema_version"]),
            "dedup_version": meta.get("dedup_version", ""),
            "created": meta.get("created", ""),
            "updated": meta.get("updated", ""),
            "files": files,
            "paragraphs": paragraphs,
            "bytes": size,
            "bytes_used": (pages - free) * page_size,
            "bytes_per_paragraph": round(size / paragraphs, 1) if paragraphs else None,
            "settings": json.loads(meta["settings"]),
        }

    # -- writing -------------------------------------------------------------

    def add(self, files: list[tuple[str | Path, str]], encoding: str | None = None,
            progress: Callable[[int, int], None] | None = None,
            chunk_files: int = CHUNK_FILES) -> AddSummary:
        """Ingest ``(path, display path)`` files, in one transaction.

        A file whose display path and content are already in the index is left
        alone; a changed file replaces its old paragraphs. ``progress(done,
        total)`` is called after each chunk of files, inside the transaction.
        """
        summary = AddSummary()
        files, unnamed = text_named(self.paths_of(files), "not indexed")
        summary.skipped.extend(unnamed)
        with self.transaction(write=True):
            todo: list[tuple[str | Path, str]] = []
            shas: dict[str, str] = {}
            for path, display in files:
                try:
                    shas[display] = file_sha256(read_regular_file(Path(path)))
                except OSError as exc:
                    summary.skipped.append(f"{display}: cannot read: {exc.strerror or exc}")
            stored = self.stored_files(shas)
            for path, display in files:
                if display not in shas:
                    continue
                if display in stored and stored[display][1] == shas[display]:
                    summary.unchanged.append(display)
                else:
                    todo.append((path, display))
            for start in range(0, len(todo), chunk_files):
                corpus = read_corpus(todo[start:start + chunk_files], self.cfg, encoding)
                self.ingest(corpus, shas, summary)
                if progress is not None:
                    progress(min(start + chunk_files, len(todo)), len(todo))
        return summary

    def add_texts(self, texts: dict[str, str] | list[tuple[str, str]],
                  progress: Callable[[int, int], None] | None = None,
                  chunk_files: int = CHUNK_FILES) -> AddSummary:
        """Ingest in-memory ``name -> text`` articles (tests, benchmarks, pipelines)."""
        items = list(texts.items() if isinstance(texts, dict) else texts)
        summary = AddSummary()
        with self.transaction(write=True):
            shas = {name: file_sha256(text.encode("utf-8")) for name, text in items}
            stored = self.stored_files(shas)
            todo = []
            for name, text in items:
                if name in stored and stored[name][1] == shas[name]:
                    summary.unchanged.append(name)
                else:
                    todo.append((name, text))
            for start in range(0, len(todo), chunk_files):
                corpus = corpus_from_texts(todo[start:start + chunk_files], self.cfg)
                self.ingest(corpus, shas, summary)
                if progress is not None:
                    progress(min(start + chunk_files, len(todo)), len(todo))
        return summary

    def stored_files(self, paths: Iterable[str]) -> dict[str, tuple[int, str, int, int]]:
        """``path -> (file id, sha256, first paragraph id, paragraphs)`` of those
        paths that are stored (one indexed join)."""
        c = self.conn
        c.execute("DELETE FROM temp.want_path")
        c.executemany("INSERT OR IGNORE INTO temp.want_path (path) VALUES (?)",
                      [(p,) for p in paths])
        return {row[0]: tuple(row[1:]) for row in c.execute(FILES_BY_PATH)}

    def files_with_sha(self, shas: Iterable[str]) -> dict[str, str]:
        """``sha256 -> path`` of the first stored file with those bytes, for the
        given SHA-256 digests that are stored (indexed lookups)."""
        c = self.conn
        c.execute("DELETE FROM temp.want_sha")
        c.executemany("INSERT OR IGNORE INTO temp.want_sha (sha256) VALUES (?)",
                      [(s,) for s in shas])
        return {sha: path for sha, path in c.execute(FILES_BY_SHA) if path is not None}

    def ingest(self, corpus: Corpus, shas: dict[str, str],
               summary: AddSummary | None = None) -> AddSummary:
        """Write a read corpus's documents (display path -> sha256 in ``shas``).

        Must run inside a write transaction; documents already present under
        their path are replaced.
        """
        if not self.conn.in_transaction:
            raise RuntimeError("ingest() needs an open write transaction")
        summary = summary if summary is not None else AddSummary()
        summary.skipped.extend(corpus.skipped)
        c = self.conn
        next_para = c.execute("SELECT coalesce(max(id), 0) + 1 FROM paragraphs").fetchone()[0]
        next_file = c.execute("SELECT coalesce(max(id), 0) + 1 FROM files").fetchone()[0]
        signed = np.flatnonzero(corpus.signature_row >= 0)
        keys = lsh_keys(corpus.signatures[corpus.signature_row[signed]] if len(signed)
                        else np.zeros((0, self.cfg.num_perm), dtype=np.uint32),
                        [corpus.norms[i] for i in signed], self.bands, self.rows)
        para_rows, exact_rows, file_rows = [], [], []
        now = _now()
        base = next_para       # paragraph ids are contiguous: flat position + base
        stored = self.stored_files(d.path for d in corpus.documents)
        for d, doc in enumerate(corpus.documents):
            old = stored.get(doc.path)
            if old is not None:
                summary.removed_paragraphs += self._remove_file(old[0])
                summary.replaced.append(doc.path)
            else:
                summary.added.append(doc.path)
            file_id = next_file
            next_file += 1
            first = int(corpus.start[d])
            file_rows.append((file_id, doc.path, shas.get(doc.path, ""), doc.size, next_para,
                              len(doc.paragraphs), now))
            for k, para in enumerate(doc.paragraphs):
                flat = first + k
                norm = corpus.norms[flat]
                key = exact_key(norm)
                row = int(corpus.signature_row[flat])
                sig = corpus.signatures[row].tobytes() if row >= 0 else None
                para_rows.append((next_para, file_id, para.index, para.first_line,
                                  para.last_line, key, norm, para.text, sig))
                exact_rows.append((key, file_id, next_para))
                next_para += 1
        lsh_para = signed.astype(np.int64) + base
        c.executemany("INSERT INTO files (id, path, sha256, size, first_para, paragraphs, added)"
                      " VALUES (?, ?, ?, ?, ?, ?, ?)", file_rows)
        c.executemany("INSERT INTO paragraphs (id, file, idx, first_line, last_line, hash, norm,"
                      " text, sig) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", para_rows)
        c.executemany("INSERT OR IGNORE INTO exact (key, file, para) VALUES (?, ?, ?)",
                      exact_rows)
        if len(signed):
            flat_keys = keys.ravel()
            owners = np.repeat(lsh_para, keys.shape[1])
            keep = flat_keys != 0
            flat_keys, owners = flat_keys[keep], owners[keep]
            order = np.lexsort((owners, flat_keys))     # key order: B-tree friendly
            c.executemany("INSERT OR IGNORE INTO lsh (key, para) VALUES (?, ?)",
                          zip(flat_keys[order].tolist(), owners[order].tolist()))
        self._bump("files", len(file_rows))
        self._bump("paragraphs", len(para_rows))
        summary.paragraphs += len(para_rows)
        return summary

    def _remove_file(self, file_id: int) -> int:
        """Take a file and all its keys out; returns its paragraph count."""
        c = self.conn
        first, count = c.execute("SELECT first_para, paragraphs FROM files WHERE id = ?",
                                 (file_id,)).fetchone()
        rows = c.execute("SELECT id, hash, norm, sig FROM paragraphs WHERE id BETWEEN ? AND ?",
                         (first, first + count - 1)).fetchall()
        c.executemany("DELETE FROM exact WHERE key = ? AND file = ?",
                      [(h, file_id) for h in {r[1] for r in rows}])
        signed = [r for r in rows if r[3] is not None]
        if signed:
            sigs = np.stack([np.frombuffer(r[3], dtype=np.uint32) for r in signed])
            keys = lsh_keys(sigs, [r[2] for r in signed], self.bands, self.rows)
            c.executemany("DELETE FROM lsh WHERE key = ? AND para = ?",
                          [(k, r[0]) for r, row in zip(signed, keys.tolist())
                           for k in row if k != 0])
        c.execute("DELETE FROM paragraphs WHERE id BETWEEN ? AND ?", (first, first + count - 1))
        c.execute("DELETE FROM files WHERE id = ?", (file_id,))
        self._bump("files", -1)
        self._bump("paragraphs", -count)
        return count

    def remove(self, names: Iterable[str]) -> tuple[list[str], list[str]]:
        """Remove files by display path, or every file under a folder path.

        Returns (removed paths, names that matched nothing). One transaction.
        """
        removed, unmatched = [], []
        with self.transaction(write=True):
            for name in names:
                found = self._match(name)
                if not found:
                    unmatched.append(name)
                for file_id, path in found:
                    self._remove_file(file_id)
                    removed.append(path)
        return removed, unmatched

    def _match(self, name: str) -> list[tuple[int, str]]:
        # The file at that path, then the name as the index shows it.
        forms = [self.path_of(name.rstrip("/\\") or name), name.replace("\\", "/").rstrip("/")]
        if forms[1].startswith("./"):
            forms.append(forms[1][2:])
        # A name that is not UTF-8 is never stored (see text_named), and
        # SQLite could not even be asked for it.
        for form in dict.fromkeys(f for f in forms if f and is_text(f)):
            row = self.conn.execute("SELECT id, path FROM files WHERE path = ?", (form,)).fetchone()
            if row is not None:
                return [tuple(row)]
            # Everything under a folder: a range search on the unique path index
            # ('0' is the character after '/').
            rows = self.conn.execute("SELECT id, path FROM files WHERE path >= ? AND path < ?",
                                     (form + "/", form + "0")).fetchall()
            if rows:
                return [tuple(r) for r in rows]
        return []

    # -- reading (what a check needs) ----------------------------------------

    def exact_matches(self, keys: Iterable[int] | np.ndarray, cap: int) -> list[int]:
        """Ids of stored paragraphs with these normalised-text keys: for each key,
        its first paragraph in each of the first ``cap`` files holding it."""
        return [r[0] for r in self.conn.execute(EXACT_LOOKUP, {
            "keys": _json_ints(keys), "skip": max(cap, 1) - 1, "nolimit": _NO_LIMIT})]

    def lsh_matches(self, keys: Iterable[int] | np.ndarray,
                    cap: int = LSH_CAP) -> list[tuple[int, int]]:
        """``(key, paragraph id)`` for LSH and prefix keys (0 ignored): the first
        ``cap`` paragraphs holding each key, in ingestion order, keys in
        ascending order. Reads only the key table's primary key."""
        return self.conn.execute(LSH_LOOKUP, {
            "keys": _json_ints(keys, skip_zero=True), "skip": max(cap, 1) - 1,
            "nolimit": _NO_LIMIT}).fetchall()

    def texts(self, ids: Iterable[int]) -> list[StoredText]:
        """Texts of stored paragraphs by id, in id order; no file is read."""
        rows = self.conn.execute(LOAD_TEXTS, {"ids": _json_ints(ids)}).fetchall()
        return [StoredText(pid, norm, text, bool(signed))
                for pid, norm, text, signed in sorted(rows)]

    def load(self, ids: Iterable[int]) -> list[StoredParagraph]:
        """Stored paragraphs by id, in id (ingestion) order."""
        out = []
        for pid, fid, path, count, idx, first, last, norm, text, sig in self.conn.execute(
                LOAD_PARAGRAPHS, {"ids": _json_ints(ids)}):
            out.append(StoredParagraph(pid, fid, path, count, idx, first, last, norm, text,
                                       None if sig is None else np.frombuffer(sig, dtype=np.uint32)))
        return out

    def files(self) -> list[tuple[str, str, int]]:
        """(path, sha256, paragraphs) of every stored file (listing; scans files)."""
        return [tuple(r) for r in self.conn.execute(
            "SELECT path, sha256, paragraphs FROM files ORDER BY path")]
