"""Cleaned documents: the original lines minus the removed paragraphs.

A removed paragraph takes the blank lines before it along (or, for the first
paragraph, the ones after it), so the cleaned file keeps the layout of the
original: every kept paragraph verbatim, in order, with the separators it had.
"""

from __future__ import annotations

import difflib
import os
import re
import tempfile
from pathlib import Path

from .documents import Document


def cleaned_lines(doc: Document, removed: set[int]) -> list[str]:
    """The document's lines without the paragraphs numbered in ``removed``."""
    paragraphs = doc.paragraphs
    if not removed or not paragraphs:
        return list(doc.lines)
    out = list(doc.lines[:paragraphs[0].first_line - 1])      # blank lines at the start
    previous_end = None                                       # 0-based line after a paragraph
    first_kept = True
    for para in paragraphs:
        start, end = para.first_line - 1, para.last_line
        if para.index not in removed:
            if not first_kept and previous_end is not None:
                out.extend(doc.lines[previous_end:start])     # its separator
            out.extend(doc.lines[start:end])
            first_kept = False
        previous_end = end
    out.extend(doc.lines[paragraphs[-1].last_line:])           # blank lines at the end
    return out


def cleaned_text(doc: Document, removed: set[int]) -> str:
    return "".join(cleaned_lines(doc, removed))


def unified_diff(doc: Document, removed: set[int], to_name: str | None = None,
                 context: int = 1) -> str:
    """A unified diff of the original against the cleaned document ("" if unchanged)."""
    if not removed:
        return ""
    before, after = list(doc.lines), cleaned_lines(doc, removed)
    open_a, open_b = _terminate(before), _terminate(after)
    out: list[str] = []
    line_a = line_b = None                                    # None until the first hunk
    for line in difflib.unified_diff(before, after, fromfile=doc.path,
                                     tofile=to_name or doc.path, n=context):
        out.append(line)
        if line.startswith("@@"):
            match = _HUNK.match(line)
            line_a, line_b = max(int(match.group(1)) - 1, 0), max(int(match.group(2)) - 1, 0)
            continue
        if line_a is None:                                    # the ---/+++ header
            continue
        tag = line[:1]
        last_a = tag in " -" and (line_a := line_a + 1) == len(before) and open_a
        last_b = tag in " +" and (line_b := line_b + 1) == len(after) and open_b
        if last_a or last_b:
            out.append(_NO_NEWLINE)
    return "".join(out)


_HUNK = re.compile(r"@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@")
_NO_NEWLINE = "\\ No newline at end of file\n"


def _terminate(lines: list[str]) -> bool:
    """Give the last line a newline for diffing; True when it had none (git's marker)."""
    if lines and not lines[-1].endswith(("\n", "\r")):
        lines[-1] += "\n"
        return True
    return False


def atomic_write(path: Path, data: bytes, mode: int | None = None) -> None:
    """Write ``data`` to ``path`` so that a crash leaves the old file or the new one.

    A temporary file in the same folder is written, flushed to disk and renamed
    over the target; the folder entry is synced after the rename.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".dedup-tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    try:
        dir_fd = os.open(path.parent, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dir_fd)
    except OSError:
        pass
    finally:
        os.close(dir_fd)
