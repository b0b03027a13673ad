"""Parquet input: every row of a ``.parquet`` file is a document, its text in one column.

A run reads Parquet when ``--parquet-column`` or ``--parquet-id`` is given,
or when an input (a file given by name, or one found in a folder for
``--glob``) ends in ``.parquet``; such a run reads only Parquet files, and
any other file it finds is skipped with a message. The text is the string
in column ``text`` unless ``--parquet-column`` names another. A row is named
``"<file>:<row>"``, rows counted from 0 as pyarrow and pandas count them, or,
with ``--parquet-id``, by the value in that column (strings or integers;
ids must be unique, as JSON Lines ids). Documents are ordered by name, as
JSON Lines records are, so both engines keep the same copy of a repeat.

Files are read a row group at a time, in batches of rows, and only the
text and id columns: never a whole file in memory. A file that is not
Parquet, has no such column, or holds something other than strings in it
is skipped with a one-line message naming the file and the column; rows
whose text is null (or whose id is null, or whose text is not UTF-8) are
skipped with one line per part of a file naming them, and kept unchanged
in the copies.

Cleaned copies are Parquet files with the same schema (columns, types and
metadata, as pyarrow writes them back), the same rows in the same order and
the same compression; in the rows that change only the text column is
replaced, and a whole-article repeat that ``clean`` leaves out loses its
row. A source row group of up to :data:`WHOLE_ROW_GROUP_BYTES` stays one row
group; a larger one is written a batch at a time, a row group per batch. A
copy is written to a temporary file beside its target and renamed, and a
file changed since it was read is not written (a message says so). Both
engines read and write through the functions here.
"""

from __future__ import annotations

import errno
import fnmatch
import os
import stat
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from ..output.clean import atomic_file, cleaned_text
from ..config import Config
from ..input.corpus import Batch, _signed_in, corpus_of_tasks, sign_documents
from ..decisions.detect import decide
from ..input.documents import (Document, InputError, NotRegularFile, _file_kind, discover,
                               document_from_text, input_error)
from .jsonl import check_unique, output_targets
from ..model import ScanResult
from ..runtime import check_stop

#: The column that holds the text unless --parquet-column names another.
DEFAULT_COLUMN = "text"
SUFFIX = ".parquet"
#: Bytes of text (as the file's footer counts them, uncompressed) a reading
#: task takes at most, in whole row groups; a larger row group is a task alone.
TASK_BYTES = 32 << 20
#: Bytes a batch of rows holds, about: the rows of a batch are as many as fit.
BATCH_BYTES = 16 << 20
#: A source row group up to this size (uncompressed, every column) is written
#: back as one row group, held whole while it is written; a larger one is
#: written a batch at a time.
WHOLE_ROW_GROUP_BYTES = 256 << 20


class ParquetError(ValueError):
    """The run cannot read Parquet at all (pyarrow is missing)."""


# pyarrow, imported by _arrow() once something reads or writes Parquet: a run
# that reads none does not pay for it (0.3 s and 30 MB at every start).
pa = pc = pq = None


def _arrow() -> None:
    global pa, pc, pq
    if pq is not None:
        return
    try:
        import pyarrow
        import pyarrow.compute
        import pyarrow.parquet
    except ImportError as exc:
        raise ParquetError("reading Parquet needs pyarrow: pip install "
                           f"'news-dedup[parquet]' ({exc})") from exc
    pa, pc, pq = pyarrow, pyarrow.compute, pyarrow.parquet


@dataclass(frozen=True)
class ParquetSpec:
    """Where the text is in each row, and what names the row."""

    column: str = DEFAULT_COLUMN
    id_column: str | None = None


@dataclass(frozen=True)
class Part:
    """Consecutive row groups of one file, read by one task."""

    spec: ParquetSpec
    row_groups: tuple[int, ...]
    first_row: int               # number of the first row of the first row group
    #: The file's size and modification time when it was planned: the writer
    #: refuses a file that changed since.
    stamp: tuple


@dataclass(frozen=True)
class ParquetFileInfo:
    """A Parquet file about to be read: where, its name, and its row groups."""

    location: str
    display: str
    rows: tuple[int, ...]         # rows of every row group
    text_bytes: tuple[int, ...]   # uncompressed bytes of the text column, by row group
    stamp: tuple

    def parts(self, spec: ParquetSpec, budget: int | None = None) -> list[Part]:
        """The row groups in runs of about ``budget`` bytes of text
        (:data:`TASK_BYTES` by default)."""
        budget = TASK_BYTES if budget is None else budget
        starts = [0]
        for n in self.rows:
            starts.append(starts[-1] + n)
        parts, run, size = [], [], 0
        for g, n in enumerate(self.text_bytes):
            if run and size + n > budget:
                parts.append(Part(spec, tuple(run), starts[run[0]], self.stamp))
                run, size = [], 0
            run.append(g)
            size += n
        if run:
            parts.append(Part(spec, tuple(run), starts[run[0]], self.stamp))
        return parts


def is_parquet(name: str | Path) -> bool:
    return str(name).lower().endswith(SUFFIX)


def _is_url(location: str | Path) -> bool:
    return "://" in str(location)


def run_spec(paths: list[str | Path], glob: str, column: str | None,
             id_column: str | None) -> ParquetSpec | None:
    """The spec of a run that reads Parquet, or None when it reads no Parquet file.

    A run reads Parquet when a --parquet option is given, when the glob asks
    for ``.parquet`` files, or when an input is one (given by name, or found
    in a folder for the glob). :class:`ParquetError` when pyarrow is missing.
    """
    if column is None and id_column is None and not _finds_parquet(paths, glob):
        return None
    _arrow()
    return ParquetSpec(column or DEFAULT_COLUMN, id_column)


def _finds_parquet(paths: list[str | Path], glob: str) -> bool:
    if is_parquet(glob) or any(is_parquet(p) for p in paths):
        return True
    folders = [Path(p) for p in paths if not _is_url(p) and Path(p).is_dir()]
    simple = not any(c in glob for c in "/\\")
    if not folders or (simple and not fnmatch.fnmatchcase("x" + SUFFIX, glob)):
        return False          # the glob takes no .parquet file: no need to look
    files, _ = discover(folders, glob)
    return any(is_parquet(display) for _, display in files)


# -- reading -----------------------------------------------------------------------------

def _open(location: str, display: str) -> "pq.ParquetFile":
    """The file's footer read; InputError with a one-line message naming it."""
    try:
        if _is_url(location):
            import fsspec
            return pq.ParquetFile(fsspec.open(location, "rb").open(), pre_buffer=False)
        mode = os.stat(location).st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(errno.EISDIR, "is a directory")
        if not stat.S_ISREG(mode):          # a FIFO could block the reader forever
            raise NotRegularFile(errno.EINVAL, _file_kind(mode))
        # Not pre-buffered: pyarrow would read every row group asked for at once.
        return pq.ParquetFile(location, pre_buffer=False)
    except OSError as exc:
        raise input_error(exc, location, display) from exc
    except pa.ArrowException as exc:
        raise InputError(f"{display}: not a Parquet file ({_one_line(exc)})") from exc


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def _stamp(location: str) -> tuple:
    """Size and modification time: what tells that a file changed since it was read."""
    if _is_url(location):
        import fsspec
        fs, path = fsspec.core.url_to_fs(location)
        info = fs.info(path)
        return tuple(info.get(k) for k in ("size", "mtime", "LastModified", "ETag"))
    info = os.stat(location)
    return info.st_size, info.st_mtime_ns


def _is_string(kind) -> bool:
    if pa.types.is_dictionary(kind):
        kind = kind.value_type
    return (pa.types.is_string(kind) or pa.types.is_large_string(kind)
            or getattr(pa.types, "is_string_view", lambda _: False)(kind))


def _check_schema(pf: "pq.ParquetFile", display: str, spec: ParquetSpec) -> None:
    """InputError naming the file and the column unless the text column holds
    strings and the id column (if any) strings or integers."""
    schema = pf.schema_arrow
    wanted = [(spec.column, "--parquet-column", "strings", _is_string)]
    if spec.id_column is not None:
        wanted.append((spec.id_column, "--parquet-id", "strings or integers",
                       lambda kind: _is_string(kind) or pa.types.is_integer(kind)))
    for column, option, holding, fits in wanted:
        found = schema.get_all_field_indices(column)
        if len(found) != 1:
            names = schema.names
            shown = ", ".join(names[:12]) + (", ..." if len(names) > 12 else "")
            why = "two columns are named" if found else "no column"
            raise InputError(f"{display}: {why} {column!r} (its columns: {shown or 'none'}); "
                             f"name the column with {option}")
        kind = schema.field(found[0]).type
        if not fits(kind):
            raise InputError(f"{display}: column {column!r} holds {kind}, not {holding}")


def survey(location: str, display: str, spec: ParquetSpec) -> ParquetFileInfo:
    """What reading the file needs, from its footer; InputError when it cannot be read."""
    _arrow()
    stamp = _stamp_or_error(location, display)
    pf = _open(location, display)
    _check_schema(pf, display, spec)
    meta = pf.metadata
    rows, sizes = [], []
    for g in range(meta.num_row_groups):
        group = meta.row_group(g)
        rows.append(group.num_rows)
        sizes.append(sum(group.column(c).total_uncompressed_size
                         for c in range(group.num_columns)
                         if group.column(c).path_in_schema == spec.column))
    return ParquetFileInfo(location, display, tuple(rows), tuple(sizes), stamp)


def _stamp_or_error(location: str, display: str) -> tuple:
    try:
        return _stamp(location)
    except OSError as exc:
        raise input_error(exc, location, display) from exc


def surveyed(files: list[tuple[str | Path, str]],
             spec: ParquetSpec) -> tuple[list[ParquetFileInfo], list[str]]:
    """The Parquet files of ``(path, display)`` pairs that can be read, and a
    one-line message for each other file (other files, unreadable ones)."""
    infos, skipped = [], []
    for path, display in files:
        if not is_parquet(display):
            skipped.append(f"{display}: not a .parquet file; a run that reads Parquet reads "
                           "no other files (skipped)")
            continue
        try:
            infos.append(survey(str(path), display, spec))
        except InputError as exc:
            skipped.append(str(exc))
    return infos, skipped


# Stands for a value pyarrow cannot give as a str (not UTF-8).
_NOT_TEXT = object()


def _values(column) -> list:
    """The column's values as Python objects; ``_NOT_TEXT`` for strings that
    are not UTF-8 (Parquet does not check them)."""
    try:
        return column.to_pylist()
    except UnicodeDecodeError:
        out = []
        for scalar in column:
            try:
                out.append(scalar.as_py())
            except UnicodeDecodeError:
                out.append(_NOT_TEXT)
        return out


def _batch_rows(pf: "pq.ParquetFile", row_groups: list[int], column: str | None) -> int:
    """Rows per batch so that a batch holds about :data:`BATCH_BYTES` of the
    ``column`` (or of every column, for None)."""
    meta = pf.metadata
    rows = size = 0
    for g in row_groups:
        group = meta.row_group(g)
        rows += group.num_rows
        size += (group.total_byte_size if column is None else
                 sum(group.column(c).total_uncompressed_size for c in range(group.num_columns)
                     if group.column(c).path_in_schema == column))
    per_row = max(1, size // max(1, rows))
    return max(16, min(64 * 1024, BATCH_BYTES // per_row))


def _named_batches(pf: "pq.ParquetFile", display: str, spec: ParquetSpec,
                   row_groups: list[int], first_row: int, every_column: bool = False
                   ) -> Iterator[tuple[int, "pa.RecordBatch", list]]:
    """``(row number of its first row, batch, name of every row)`` of the
    batches of ``row_groups``; a row whose id is null is named None. Only the
    text and id columns are read unless ``every_column``."""
    columns = None if every_column else [c for c in (spec.column, spec.id_column) if c]
    size = _batch_rows(pf, row_groups, None if every_column else spec.column)
    start = first_row
    try:
        for group in row_groups:            # one at a time: never two in memory
            for batch in pf.iter_batches(batch_size=size, row_groups=[group], columns=columns,
                                         use_threads=False):
                n = batch.num_rows
                if spec.id_column is None:
                    names = [f"{display}:{row}" for row in range(start, start + n)]
                else:
                    names = [None if v is None or v is _NOT_TEXT else str(v)
                             for v in _values(batch.column(spec.id_column))]
                yield start, batch, names
                start += n
    except (OSError, pa.ArrowException) as exc:
        raise InputError(f"{display}: cannot read row {start} on: {_one_line(exc)}") from exc


def _rows_message(display: str, rows: list[int], what: str) -> list[str]:
    """One line naming the rows skipped for ``what`` (none when there are none)."""
    if not rows:
        return []
    shown = ", ".join(map(str, rows[:5])) + (", ..." if len(rows) > 5 else "")
    s = "s" if len(rows) != 1 else ""
    return [f"{display}: {what} in {len(rows)} row{s} (row{s} {shown}); skipped, kept "
            "unchanged in copies"]


def read_part(location: str, display: str, part: Part) -> tuple[list[Document], list[str]]:
    """Documents of the rows of ``part``, in row order, and skip messages
    (InputError when the file cannot be read)."""
    spec = part.spec
    _arrow()
    pf = _open(location, display)
    _check_schema(pf, display, spec)
    documents: list[Document] = []
    nulls: list[int] = []
    no_id: list[int] = []
    not_text: list[int] = []
    for start, batch, names in _named_batches(pf, display, spec, list(part.row_groups),
                                              part.first_row):
        for row, name, text in zip(range(start, start + batch.num_rows), names,
                                   _values(batch.column(spec.column))):
            if text is None:
                nulls.append(row)
            elif text is _NOT_TEXT:
                not_text.append(row)
            elif name is None:
                no_id.append(row)
            else:
                documents.append(document_from_text(text, name))
    skipped = (_rows_message(display, nulls, f"null {spec.column!r}")
               + _rows_message(display, not_text, f"not UTF-8 in {spec.column!r}")
               + _rows_message(display, no_id, f"null id {spec.id_column!r}"))
    return documents, skipped


def _read_task(task: list[tuple[str, str, Part]], cfg: Config, run: tuple) -> Batch:
    """Read and sign the row groups of a task (see dedup.input.corpus.corpus_of_tasks)."""
    documents: list[Document] = []
    skipped: list[str] = []
    for location, display, part in _merged(task):
        try:
            docs, lost = read_part(location, display, part)
        except InputError as exc:
            skipped.append(str(exc))
            continue
        documents += docs
        skipped += lost
    return sign_documents(documents, cfg, skipped, _signed_in(run))


def _merged(task: list[tuple[str, str, Part]]) -> list[tuple[str, str, Part]]:
    """Consecutive row groups of one file as one part, so it is opened once."""
    out: list[tuple[str, str, Part]] = []
    for location, display, part in task:
        if out and out[-1][0] == location:
            before = out[-1][2]
            part = Part(part.spec, before.row_groups + part.row_groups, before.first_row,
                        part.stamp)
            out[-1] = (location, display, part)
        else:
            out.append((location, display, part))
    return out


def _tasks(infos: list[ParquetFileInfo], spec: ParquetSpec) -> list[list[tuple[str, str, Part]]]:
    """Reading tasks of about :data:`TASK_BYTES` of text each, in file and row
    order; each item one row group, so that one that kills every process
    reading it is found alone."""
    tasks: list[list] = []
    size = TASK_BYTES
    for info in infos:
        for part in info.parts(spec, budget=0):          # one row group a part
            n = info.text_bytes[part.row_groups[0]]
            if not tasks or size + n > TASK_BYTES:
                tasks.append([])
                size = 0
            tasks[-1].append((info.location, info.display, part))
            size += n
    return tasks


@dataclass
class ParquetScan:
    """A scan of Parquet files and what writing them back needs."""

    result: ScanResult
    files: list[ParquetFileInfo]
    spec: ParquetSpec


def scan_parquet(paths: list[str | Path], cfg: Config, spec: ParquetSpec, *,
                 exclude: list[Path] = (), temp_files: list[str] | None = None,
                 progress=None) -> ParquetScan:
    """Find repeated paragraphs in the rows of Parquet files (local engine).

    Row groups are read and signed in ``cfg.jobs`` processes; documents are
    ordered by name. ``progress(done, total)`` counts row groups. Two rows
    with one id: :class:`dedup.engines.jsonl.JsonlError`.
    """
    files, warnings = discover([Path(p) for p in paths], cfg.glob, list(exclude), temp_files)
    infos, skipped = surveyed(files, spec)
    tasks = _tasks(infos, spec)
    total = sum(len(task) for task in tasks)
    done = [0]

    def counter(n: int) -> None:
        done[0] += n
        progress(done[0], total)

    def unread(task: list[tuple[str, str, Part]]) -> Batch:
        (_, display, part), = task
        return sign_documents([], cfg, [f"{display}: the process reading its row group "
                                        f"{part.row_groups[0]} died each time (out of "
                                        "memory, or a crash); skipped"])

    corpus = corpus_of_tasks(_read_task, tasks, cfg, (), unread,
                             counter if progress else None, by_name=True)
    check_unique([doc.path for doc in corpus.documents])
    corpus.skipped[:0] = warnings + skipped
    return ParquetScan(decide(corpus, cfg, release=True), infos, spec)


def records(files: list[tuple[str | Path, str]],
            spec: ParquetSpec) -> tuple[list[tuple[str, str]], list[str]]:
    """Every row of ``(path, display name)`` Parquet files as ``(name, text)``,
    in file then row order, and the skip messages (``check`` and ``index
    add``: their new articles are held in memory anyway). Two rows with one
    name: :class:`dedup.engines.jsonl.JsonlError`."""
    infos, skipped = surveyed(files, spec)
    items: list[tuple[str, str]] = []
    for info in infos:
        for part in info.parts(spec):
            try:
                documents, lost = read_part(info.location, info.display, part)
            except InputError as exc:
                skipped.append(str(exc))
                continue
            skipped += lost
            items += [(doc.path, "".join(doc.lines)) for doc in documents]
    check_unique([name for name, _ in items])
    return items, skipped


# -- writing -----------------------------------------------------------------------------

def changes_of(result: ScanResult) -> dict[int, set[int] | None]:
    """Per changed document: its removed paragraphs, or None when ``clean``
    leaves it out."""
    out: dict[int, set[int] | None] = defaultdict(set)
    for ref in result.removals:
        out[ref.doc].add(ref.para)
    for doc in result.dropped_articles():
        out[doc] = None
    return dict(out)


# Codecs as the footer names them, as pyarrow's writer takes them (others: snappy).
_CODECS = {"UNCOMPRESSED": "none", "SNAPPY": "snappy", "GZIP": "gzip", "BROTLI": "brotli",
           "LZ4": "lz4", "LZ4_RAW": "lz4", "ZSTD": "zstd"}


def _writer_options(pf: "pq.ParquetFile") -> dict:
    """The source's compression (per column), format version and timestamp
    encoding, for its copy."""
    meta = pf.metadata
    codecs: dict[str, str] = {}
    if meta.num_row_groups:
        group = meta.row_group(0)
        for c in range(group.num_columns):
            column = group.column(c)
            codecs[column.path_in_schema] = _CODECS.get(column.compression, "snappy")
    version = meta.format_version
    options: dict = {"version": version if version in ("1.0", "2.4", "2.6") else "2.6"}
    if codecs:
        kinds = set(codecs.values())
        options["compression"] = kinds.pop() if len(kinds) == 1 else codecs
    # Timestamps stored the old way (Spark, Impala) stay so, to the nanosecond.
    if any(pf.schema.column(c).physical_type == "INT96" for c in range(len(pf.schema))):
        options["use_deprecated_int96_timestamps"] = True
    return options


def _replaced(column, rows: list[int], texts: list[str]):
    """``column`` with the values at ``rows`` replaced by ``texts``, of its own type;
    every other value as it was."""
    kind = column.type
    plain = kind in (pa.string(), pa.large_string())
    work = column if plain else column.cast(pa.large_string())
    mask = [False] * len(column)
    for row in rows:
        mask[row] = True
    out = pc.replace_with_mask(work, pa.array(mask), pa.array(texts, type=work.type))
    return out if plain else out.cast(kind)


def _cleaned_batch(batch, spec: ParquetSpec, names: list, changes: dict):
    """The batch with its changed rows cleaned and its left-out rows dropped,
    and whether anything changed."""
    hits = [k for k, name in enumerate(names) if name is not None and name in changes]
    if not hits:
        return batch, False
    at = batch.schema.get_field_index(spec.column)
    column = batch.column(at)
    rows, texts, keep = [], [], None
    for k in hits:
        removed = changes[names[k]]
        if removed is None:
            if keep is None:
                keep = [True] * batch.num_rows
            keep[k] = False
            continue
        text = column[k].as_py()
        rows.append(k)
        texts.append(cleaned_text(document_from_text(text, names[k]), removed))
    if rows:
        batch = batch.set_column(at, batch.schema.field(at), _replaced(column, rows, texts))
    if keep is not None:
        batch = batch.filter(pa.array(keep))
    return batch, True


def write_copy(location: str, display: str, spec: ParquetSpec, stamp: tuple,
               changes: dict[str, set[int] | None], target: str | Path) -> bool:
    """Write the cleaned copy of one Parquet file at ``target``; whether it changed.

    ``changes``: by document name, the paragraphs to remove, or None for a
    row left out (names of other files are ignored). InputError when the file
    cannot be read or changed since ``stamp`` was taken; nothing is written then.
    """
    _arrow()
    pf = _open(location, display)
    if _stamp_or_error(location, display) != stamp:
        raise InputError(f"{display}: changed since it was read")
    _check_schema(pf, display, spec)
    try:
        return _write_copy(pf, display, spec, changes, target)
    except pa.ArrowException as exc:      # what pyarrow cannot write back; nothing is left
        raise InputError(f"{display}: cannot write its copy: {_one_line(exc)}") from exc


def _write_copy(pf: "pq.ParquetFile", display: str, spec: ParquetSpec,
                changes: dict[str, set[int] | None], target: str | Path) -> bool:
    schema = pf.schema_arrow
    meta = pf.metadata
    changed = False
    with _target(target) as sink, pq.ParquetWriter(sink, schema, **_writer_options(pf)) as out:
        first_row = 0
        for g in range(meta.num_row_groups):
            whole = meta.row_group(g).total_byte_size <= WHOLE_ROW_GROUP_BYTES
            held = []
            for _, batch, names in _named_batches(pf, display, spec, [g], first_row, True):
                batch, did = _cleaned_batch(batch, spec, names, changes)
                changed |= did
                if not batch.num_rows:
                    continue
                if whole:
                    held.append(batch)
                else:
                    out.write_batch(batch)
            if held:
                table = pa.Table.from_batches(held, schema)
                out.write_table(table, row_group_size=table.num_rows)
            first_row += meta.row_group(g).num_rows
    return changed


@contextmanager
def _target(target: str | Path):
    """A binary file to write the copy to, put at ``target`` whole or not at all."""
    if not _is_url(target):
        with atomic_file(target) as fd, os.fdopen(fd, "wb", closefd=False) as sink:
            yield sink
        return
    from .engine_dask import url_file  # URL targets are the Dask engine's
    with url_file(str(target)) as sink:
        yield sink


def write_parquet(scan: ParquetScan, paths: list[str | Path], out: Path, summary=None,
                  started=None):
    """Write every Parquet file, cleaned, under ``out`` (local engine); with
    ``summary``, into it, and ``started()`` once the plan is checked. A stop
    asked for (see dedup.runtime.check_stop) is taken between two files."""
    from ..output.clean import WriteSummary
    from ..output.plan import check as check_plan

    check_plan(scan.result)
    out = out.absolute()
    plan = output_targets([(info.location, info.display) for info in scan.files], paths, out)
    documents = scan.result.documents
    changes = {documents[d].path: v for d, v in changes_of(scan.result).items()}
    summary = summary if summary is not None else WriteSummary(out)
    summary.out, summary.planned = out, len(plan)
    if started is not None:
        started()
    for info, (_, _, target) in zip(scan.files, plan):
        check_stop()
        try:
            changed = write_copy(info.location, info.display, scan.spec, info.stamp, changes,
                                 target)
        except InputError as exc:
            summary.not_written.append(f"{exc}; not written")
            continue
        summary.written.append(target)
        summary.changed += changed
    return summary


# -- the Dask engine ---------------------------------------------------------------------

def dask_chunks(items: list, spec: ParquetSpec) -> tuple[list, list[str]]:
    """The Dask engine's chunks of Parquet inputs: runs of row groups of about
    :data:`TASK_BYTES` of text (a file's footer is read here, on the client),
    and a message for each input that cannot be read."""
    from .engine_dask import Chunk
    chunks, skipped = [], []
    infos, lost = surveyed([(item.location, item.display) for item in items], spec)
    by_location = {info.location: info for info in infos}
    skipped += lost
    for item in items:
        info = by_location.get(item.location)
        if info is not None:
            chunks += [Chunk([item], parquet=part) for part in info.parts(spec)]
    return chunks, skipped


def dask_documents(item, part: Part) -> tuple[list[Document], list[str]]:
    """The documents and skip messages of a Dask chunk (InputError as read_part)."""
    return read_part(item.location, item.display, part)


def _write_on_worker(location: str, display: str, spec: ParquetSpec, stamp: tuple,
                     changes: dict, target: str) -> tuple[str | None, bool]:
    try:
        return target, write_copy(location, display, spec, stamp, changes, target)
    except InputError as exc:
        return None, f"{exc}; not written"


def dask_write(client, run, targets: list[list[str]], summary):
    """Write every Parquet file of a Dask scan, cleaned: one task a file, each
    given the changes of its own rows."""
    documents = run.result.documents
    by_file: dict[str, dict] = defaultdict(dict)
    for d, value in changes_of(run.result).items():
        item = run.chunks[int(run.doc_chunk[d])].items[0]
        by_file[item.location][documents[d].path] = value
    firsts: dict[str, int] = {}
    for c, chunk in enumerate(run.chunks):
        firsts.setdefault(chunk.items[0].location, c)
    futures = []
    for location, c in firsts.items():
        chunk = run.chunks[c]
        futures.append(client.submit(_write_on_worker, location, chunk.items[0].display,
                                     chunk.parquet.spec, chunk.parquet.stamp,
                                     by_file.get(location, {}), targets[c][0], pure=False))
    for target, outcome in client.gather(futures):
        if target is None:
            summary.not_written.append(outcome)
            continue
        summary.written.append(target if _is_url(target) else Path(target))
        summary.changed += outcome
    return summary
