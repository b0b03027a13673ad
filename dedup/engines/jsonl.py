"""JSON Lines input: one document per line, its text in a named field.

Each non-blank line of a ``.jsonl`` file is a JSON object; the text of the
document is the string in ``field``. A document is named
``"<file>:<line number>"`` (1-based), or, with ``id_field``, by the value of
that field, so reports point at the record. Lines that are not an object
with a string in ``field`` are skipped with a one-line message naming the
file and the line, as unreadable files are.

Cleaned output is the same file with ``field`` of every changed record
replaced by its cleaned text (the record re-serialised with
``json.dumps(..., ensure_ascii=False)``); every other line is kept byte for
byte, and a dropped whole-article repeat loses its line. Both engines read
and write through the functions here, so they name, order and write
documents alike.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field as dataclass_field
from pathlib import Path

from ..output.clean import atomic_write, cleaned_text
from ..config import Config
from ..input.corpus import corpus_from_texts
from ..decisions.detect import decide
from ..input.documents import (Document, InputError, discover, document_from_text, is_text,
                               read_input)
from ..model import ScanResult
from ..runtime import check_stop


class JsonlError(ValueError):
    """The input cannot be read as one corpus (two records share an id)."""


@dataclass(frozen=True)
class JsonlSpec:
    """Where the text is in each record, and what names the record."""

    field: str
    id_field: str | None = None

    @staticmethod
    def of(field: str | None, id_field: str | None) -> "JsonlSpec | None":
        """The spec ``--jsonl FIELD --jsonl-id FIELD`` ask for (None: the input
        is not JSON Lines); an id field alone is an error."""
        if id_field and not field:
            raise JsonlError("--jsonl-id only goes with --jsonl")
        return JsonlSpec(field, id_field) if field else None


def _lines(data: bytes):
    """``(line number, line without its ending, ending)`` of every line."""
    number = 0
    for raw in data.splitlines(keepends=True):
        number += 1
        body = raw.rstrip(b"\r\n")
        yield number, body, raw[len(body):]


def _record(body: bytes, where: str, spec: JsonlSpec) -> tuple[dict, str, str | None]:
    """The record of a line, its text and its id (None without ``id_field``); InputError."""
    try:
        record = json.loads(body)
    except (UnicodeDecodeError, ValueError) as exc:
        raise InputError(f"{where}: not a JSON object ({exc})") from exc
    if not isinstance(record, dict):
        raise InputError(f"{where}: not a JSON object")
    text = record.get(spec.field)
    if not isinstance(text, str):
        raise InputError(f"{where}: no string field {spec.field!r}")
    _refuse_lone_surrogate(text, spec.field, where)
    name = None
    if spec.id_field is not None:
        value = record.get(spec.id_field)
        if not isinstance(value, (str, int)) or isinstance(value, bool):
            raise InputError(f"{where}: no string or integer field {spec.id_field!r}")
        name = str(value)
        _refuse_lone_surrogate(name, spec.id_field, where)
    return record, text, name


def _refuse_lone_surrogate(value: str, field: str, where: str) -> None:
    """InputError when ``value`` holds half of a UTF-16 pair on its own.

    JSON lets a string escape one ("\\ud800"), and json.loads takes it; no
    file can hold it as text, and it stopped the whole run where the
    paragraph was signed (or printed, for an id).
    """
    if is_text(value):
        return
    at = next(i for i, c in enumerate(value) if "\ud800" <= c <= "\udfff")
    raise InputError(f"{where}: field {field!r} holds a lone surrogate "
                     f"(U+{ord(value[at]):04X} at character {at}), not text")


def documents_of(data: bytes, display: str, spec: JsonlSpec) -> tuple[list[Document], list[str]]:
    """Documents of a JSON Lines file's bytes, in line order, and skip messages."""
    documents, skipped = [], []
    for number, body, _ in _lines(data):
        if not body.strip():
            continue
        where = f"{display}:{number}"
        try:
            _, text, name = _record(body, where, spec)
        except InputError as exc:
            skipped.append(str(exc))
            continue
        documents.append(document_from_text(text, name if name is not None else where))
    return documents, skipped


def cleaned_jsonl(data: bytes, display: str, spec: JsonlSpec,
                  cleaned: dict[str, str | None]) -> bytes:
    """The file's bytes with the records named in ``cleaned`` given their cleaned
    text (``None``: the record is left out); every other line as it was."""
    out = []
    for number, body, ending in _lines(data):
        if body.strip():
            where = f"{display}:{number}"
            try:
                record, _, name = _record(body, where, spec)
            except InputError:
                record = None
            if record is not None:
                key = name if name is not None else where
                if key in cleaned:
                    text = cleaned[key]
                    if text is None:
                        continue
                    record[spec.field] = text
                    body = json.dumps(record, ensure_ascii=False).encode("utf-8")
        out.append(body + ending)
    return b"".join(out)


def read_file(path: str, display: str) -> bytes:
    """A JSON Lines file's bytes; InputError with a one-line message."""
    return read_input(Path(path), display)


def plain_text_warnings(files: list[tuple[str | Path, str]]) -> list[str]:
    """A warning for each ``.jsonl`` file about to be read as plain text (no --jsonl):
    its raw JSON would be compared and stored as if it were an article."""
    return [f"{display}: a JSON Lines file read as plain text; give --jsonl FIELD to read "
            f"its records" for _, display in files if display.lower().endswith(".jsonl")]


def check_unique(names: list[str]) -> None:
    """Refuse two documents with the same name (two records with one id)."""
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise JsonlError(f"two records have the id {name!r}; ids must be unique")
        seen.add(name)


def records(files: list[tuple[str | Path, str]],
            spec: JsonlSpec) -> tuple[list[tuple[str, str]], list[str]]:
    """Every record of ``(path, display name)`` JSON Lines files as ``(name, text)``,
    in file then line order, and the skip messages. Two records with one name:
    :class:`JsonlError`."""
    items, skipped = [], []
    for path, display in files:
        try:
            documents, lost = documents_of(read_file(str(path), display), display, spec)
        except InputError as exc:
            skipped.append(str(exc))
            continue
        skipped.extend(lost)
        items.extend((doc.path, "".join(doc.lines)) for doc in documents)
    check_unique([name for name, _ in items])
    return items, skipped


@dataclass
class JsonlScan:
    """A scan of JSON Lines files and what writing them back needs."""

    result: ScanResult
    files: list[tuple[Path, str]]
    spec: JsonlSpec
    names: dict[str, int] = dataclass_field(default_factory=dict)   # document name -> number


def scan_jsonl(paths: list[str | Path], cfg: Config, spec: JsonlSpec, *,
               exclude: list[Path] = (), temp_files: list[str] | None = None) -> JsonlScan:
    """Find repeated paragraphs in the records of JSON Lines files (local engine).

    Documents are ordered by name, as :func:`dedup.scan_texts` orders texts.
    """
    files, warnings = discover([Path(p) for p in paths], cfg.glob, list(exclude), temp_files)
    items, skipped = records(files, spec)
    result = decide(corpus_from_texts(items, cfg), cfg)
    result.skipped[:0] = warnings + skipped
    names = {doc.path: i for i, doc in enumerate(result.documents)}
    return JsonlScan(result, files, spec, names)


def cleaned_records(result: ScanResult, names: dict[str, int],
                    wanted: list[str]) -> dict[str, str | None]:
    """Cleaned text of the named documents that change (None: dropped)."""
    dropped = result.dropped_articles()
    out: dict[str, str | None] = {}
    for name in wanted:
        i = names.get(name)
        if i is None:
            continue
        if i in dropped:
            out[name] = None
        elif result.removed_in(i):
            out[name] = cleaned_text(result.documents[i], result.removed_in(i))
    return out


def output_path(display: str, base: Path) -> Path:
    """Where a file's cleaned copy goes under ``--out``: its path relative to ``base``."""
    source = Path(os.path.abspath(display))
    try:
        return source.relative_to(base)
    except ValueError:
        return Path(source.name)


def write_jsonl(scan: JsonlScan, paths: list[str | Path], out: Path, summary=None,
                started=None):
    """Write every JSON Lines file, cleaned, under ``out`` (local engine)."""
    from ..output.clean import WriteSummary
    from ..output.plan import check as check_plan

    check_plan(scan.result)
    out = out.absolute()
    plan = output_targets(scan.files, paths, out)
    summary = summary if summary is not None else WriteSummary(out)
    summary.out, summary.planned = out, len(plan)
    if started is not None:
        started()
    for path, display, target in plan:
        check_stop()
        try:
            data = read_file(str(path), display)
        except InputError:
            continue                                   # skipped when read: not copied
        documents, _ = documents_of(data, display, scan.spec)
        changes = cleaned_records(scan.result, scan.names, [d.path for d in documents])
        atomic_write(target, cleaned_jsonl(data, display, scan.spec, changes))
        summary.written.append(target)
        summary.changed += bool(changes)
    return summary


def output_targets(files: list[tuple[str | Path, str]], paths: list[str | Path],
                   out: Path) -> list[tuple[str | Path, str, Path]]:
    """``(path, display, target)`` of every file's cleaned copy under ``out``
    (absolute), each checked before anything is written: a target that
    escapes ``out`` or is the original raises :class:`dedup.output.clean.WriteError`."""
    from ..output.clean import check_target, folder_prefix, output_base

    base = output_base(paths)
    inside = folder_prefix(os.path.realpath(out))
    plan = []
    for path, display in files:
        target = os.path.realpath(out / output_path(display, base))
        check_target(display, target, inside, out, os.path.realpath(path))
        plan.append((path, display, Path(target)))
    return plan
