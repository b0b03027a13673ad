"""Report formats: one module per format behind one small interface.

A format is an object with a ``name``, the ``filename`` it writes in a report
folder, and ``render(result) -> str``. Adding a format is one new module and
one line in ``FORMATS``.
"""

from __future__ import annotations

from pathlib import Path

from ..clean import atomic_write
from ..model import ScanResult
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


def write_reports(result: ScanResult, folder: Path,
                  names: tuple[str, ...] = REPORT_FORMATS) -> list[Path]:
    """Write each named format into ``folder``; returns the files written."""
    written = []
    for name in names:
        fmt = FORMATS[name]
        path = folder / fmt.filename
        atomic_write(path, report_bytes(fmt.render(result)))
        written.append(path)
    return written


def report_bytes(text: str) -> bytes:
    """A report as UTF-8. A file name that is not UTF-8 reaches Python with
    its stray bytes as lone surrogates ("\\udcff"), which UTF-8 cannot hold;
    they are written as that escape, which JSON reads back as the same name."""
    return text.encode("utf-8", "backslashreplace")


__all__ = ["FORMATS", "Format", "render", "report_bytes", "write_reports"]
