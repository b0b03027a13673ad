"""Report formats: one module per format behind one small interface.

A format is an object with a ``name``, the ``filename`` it writes in a report
folder, and ``render(result) -> str``. Adding a format is one new module and
one line in ``FORMATS``.
"""

from __future__ import annotations

import datetime
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

from ..output.clean import atomic_write
from ..model import ScanResult
from ..runtime import check_stop
from .html import HtmlFormat
from .interface import Format
from .jsonfmt import JsonFormat
from .markdown import MarkdownFormat
from .text import TextFormat

FORMATS: dict[str, Format] = {f.name: f for f in (TextFormat(), JsonFormat(), MarkdownFormat(),
                                                  HtmlFormat())}
REPORT_FORMATS = ("json", "markdown", "html")


def render(result: ScanResult, name: str) -> str:
    return FORMATS[name].render(result)


#: Earlier runs' reports kept in ``history/`` of the report folder.
HISTORY_RUNS = 10
#: Bytes gathered before a streamed report is written on.
_PIECE = 1 << 20


def write_reports(result: ScanResult, folder: Path,
                  names: tuple[str, ...] = REPORT_FORMATS) -> list[Path]:
    """Write each named format into ``folder``; returns the files written.

    The reports of the run before are first moved to ``folder/history/<when it
    ran>/`` (the last ``HISTORY_RUNS`` runs are kept there), so a run never
    wipes out the report a reviewer was reading, even one that finds nothing.
    A format that can (JSON) is written as it is made. The folder is marked
    as a report folder (:func:`dedup.output.clean.mark_output`): a later run over
    an input that holds it never reads it as articles.
    """
    from ..output.clean import mark_output
    _keep_history(folder, names)
    mark_output(folder, "report")
    written = []
    for name in names:
        check_stop()
        fmt = FORMATS[name]
        path = folder / fmt.filename
        chunks = getattr(fmt, "chunks", None)
        atomic_write(path, _pieces(chunks(result)) if chunks is not None
                     else report_bytes(fmt.render(result)))
        written.append(path)
    return written


def _pieces(chunks) -> Iterator[bytes]:
    """Text chunks as UTF-8 pieces of about ``_PIECE`` bytes."""
    gathered, size = [], 0
    for chunk in chunks:
        gathered.append(chunk)
        size += len(chunk)
        if size >= _PIECE:
            check_stop()
            yield report_bytes("".join(gathered))
            gathered, size = [], 0
    if gathered:
        yield report_bytes("".join(gathered))


def _keep_history(folder: Path, names: tuple[str, ...]) -> None:
    """Move the reports already in ``folder`` under ``history/``, named by the
    time they were written; drop the oldest beyond ``HISTORY_RUNS``."""
    old = [folder / FORMATS[n].filename for n in names if (folder / FORMATS[n].filename).is_file()]
    if not old:
        return
    when = datetime.datetime.fromtimestamp(max(p.stat().st_mtime for p in old))
    history = folder / "history"
    target = history / when.strftime("%Y-%m-%dT%H-%M-%S")
    n = 1
    while target.exists():
        n += 1
        target = history / f"{when.strftime('%Y-%m-%dT%H-%M-%S')}-{n}"
    target.mkdir(parents=True)
    for path in old:
        os.replace(path, target / path.name)
    runs = sorted((p for p in history.iterdir() if p.is_dir()), key=lambda p: p.name)
    for stale in runs[:-HISTORY_RUNS]:
        shutil.rmtree(stale, ignore_errors=True)


def report_bytes(text: str) -> bytes:
    """A report as UTF-8. A file name that is not UTF-8 reaches Python with
    its stray bytes as lone surrogates ("\\udcff"), which UTF-8 cannot hold;
    they are written as that escape, which JSON reads back as the same name."""
    return text.encode("utf-8", "backslashreplace")


__all__ = ["FORMATS", "Format", "render", "report_bytes", "write_reports"]
