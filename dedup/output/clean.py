"""Cleaned documents: the original lines minus the removed paragraphs.

A removed paragraph takes the blank lines before it along (or, for the first
paragraph, the ones after it), so the cleaned file keeps the layout of the
original: every kept paragraph verbatim, in order, with the separators it had.
"""

from __future__ import annotations

import difflib
import itertools
import os
import re
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from ..input.documents import OUTPUT_MARKER, TEMP_SUFFIX, Document, split_lines
from ..version import __version__


def cleaned_lines(doc: Document, removed: set[int]) -> list[str]:
    """The document's lines without the paragraphs numbered in ``removed``.

    Lines are never changed, only left out. With mixed line endings, a line
    ending in CR followed by a line that is only LF would read back as one
    CRLF line and join two paragraphs; where that would happen the blank
    lines that followed the kept paragraph in the original are used as the
    separator instead (and a lone LF line at the very end is left out), so
    the cleaned file always reads back as the kept paragraphs.
    """
    if not removed:
        return list(doc.lines)
    if doc.markup:
        return split_lines(cleaned_text(doc, removed))
    lines, spans = doc.layout()
    if not spans:
        return list(lines)
    out = list(lines[:spans[0][0]])                           # blank lines at the start
    previous_end = None                                       # 0-based line after a paragraph
    kept_end = None                                           # ... after the last kept one
    for index, (start, end) in enumerate(spans):
        if index not in removed:
            if kept_end is not None:
                separator = lines[previous_end:start]         # the one before this paragraph
                if _would_join(out, separator):
                    separator = _blank_after(lines, kept_end)  # the one after the last kept
                out.extend(separator)
            out.extend(lines[start:end])
            kept_end = end
        previous_end = end
    tail = lines[spans[-1][1]:]                                # blank lines at the end
    while _would_join(out, tail):
        tail = tail[1:]
    out.extend(tail)
    return out


def _would_join(out: list[str], following: list[str]) -> bool:
    return bool(out and following) and out[-1].endswith("\r") and following[0] == "\n"


def _blank_after(lines: list[str], line: int) -> list[str]:
    """The blank lines from 0-based ``line`` to the next paragraph (or the end)."""
    end = line
    while end < len(lines) and not lines[end].strip():
        end += 1
    return lines[line:end]


def cleaned_text(doc: Document, removed: set[int]) -> str:
    """``"".join(cleaned_lines(doc, removed))``, made of slices of the text
    (one or two a run of kept paragraphs) instead of a string per line:
    writing Reuters' copies spent 0.07 s splitting lines and 0.07 s in
    cleaned_lines. The tests hold the two to the same text."""
    if not removed:
        return "".join(doc.lines)
    text, bounds = doc.bounds()
    if not bounds:
        return text
    if doc.markup:                  # each removed paragraph's own span goes, nothing else
        cuts = sorted(bounds[i] for i in removed if 0 <= i < len(bounds))
        kept = zip([0] + [end for _, end in cuts], [start for start, _ in cuts] + [len(text)])
        return "".join(text[a:b] for a, b in kept)
    out = [text[:bounds[0][0]]]                               # blank lines at the start
    # Whether what is out so far ends in CR (see cleaned_lines: a following
    # separator that starts with a lone LF would join the two).
    ends_in_cr = text.endswith("\r", 0, bounds[0][0])
    # Kept paragraphs come in runs between removed ones; a run stands in the
    # text as one piece, separators and all (inside it a line ending in CR
    # is never followed by a lone LF: that would be one CRLF ending).
    last_kept = None
    first = 0                                                 # of the next run
    for stop in sorted(i for i in removed if 0 <= i < len(bounds)) + [len(bounds)]:
        if stop > first:
            start, end = bounds[first][0], bounds[stop - 1][1]
            if last_kept is not None:
                after_removed = bounds[first - 1][1]
                if ends_in_cr and text.startswith("\n", after_removed, start):
                    # The blank lines after the last kept paragraph instead.
                    out.append(text[bounds[last_kept][1]:bounds[last_kept + 1][0]])
                else:
                    out.append(text[after_removed:start])
            out.append(text[start:end])
            ends_in_cr = text.endswith("\r", start, end)
            last_kept = stop - 1
        first = stop + 1
    tail = bounds[-1][1]                                      # blank lines at the end
    while ends_in_cr and text.startswith("\n", tail):
        tail += 1
    out.append(text[tail:])
    return "".join(out)


def unified_diff(doc: Document, removed: set[int], to_name: str | None = None,
                 context: int = 1) -> str:
    """A unified diff of the original against the cleaned document ("" if unchanged)."""
    if not removed:
        return ""
    if doc.markup:          # a page: its text blocks, one a line, rather than its markup
        before = [f"{p.text}\n" for p in doc.paragraphs]
        after = [line for i, line in enumerate(before) if i not in removed]
    else:
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


def atomic_write(path: str | Path, data: bytes | Iterable[bytes], mode: int | None = None,
                 owner: tuple[int, int] | None = None, durable: bool = True) -> None:
    """Write ``data`` to ``path`` so that a crash leaves the old file or the new one.

    ``data`` is bytes, or pieces of bytes written one after the other as they
    come (a report written as it is made, never held whole in memory).

    A temporary file in the same folder is written, flushed to disk, given
    its permissions (``mode``, else what a new file gets under the umask) and
    owner (``(uid, gid)`` when allowed), and renamed over the target; the
    folder entry is synced after the rename. A killed process can leave the
    temporary file behind (``.NAME.*.dedup-tmp``), never a half-written
    target.

    ``durable=False`` leaves out the two syncs, for copies whose originals
    stay in place: the rename still makes each file appear whole or not at
    all when the process is killed; only a power cut may lose recent ones.
    """
    with atomic_file(path, mode, owner, durable) as fd:
        for piece in ((data,) if isinstance(data, (bytes, bytearray)) else data):
            written = os.write(fd, piece)       # straight to the file: no buffer object
            if written < len(piece):            # a write that stopped short: the rest
                with memoryview(piece) as view:
                    while written < len(view):
                        written += os.write(fd, view[written:])


@contextmanager
def atomic_file(path: str | Path, mode: int | None = None,
                owner: tuple[int, int] | None = None, durable: bool = True):
    """The descriptor of a new temporary file beside ``path``, renamed over
    ``path`` when the block ends and removed if it raises: what
    :func:`atomic_write` does, for a writer that streams its output."""
    # A copy is created with the mode a new file gets (0o666 less the umask);
    # a file with a mode to keep is private until that mode is set.
    create = 0o666 if mode is None else 0o600
    try:
        fd, tmp = _temporary(path, create)
    except FileNotFoundError:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = _temporary(path, create)
    try:
        try:
            yield fd
            if durable:
                os.fsync(fd)
        finally:
            os.close(fd)
        if owner is not None and hasattr(os, "chown"):
            try:
                os.chown(tmp, *owner)
            except OSError:
                pass                            # not ours to give away: keep our own
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    if durable:
        _sync_folder(os.path.dirname(os.path.abspath(path)))


_COUNTER = itertools.count()
_CREATE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)


def _temporary(path: str | Path, mode: int) -> tuple[int, str]:
    """A new, exclusively created ``.NAME.PID-N.dedup-tmp`` beside ``path``.

    Named from the process and a counter rather than by ``tempfile.mkstemp``,
    whose random names cost more than the write of a small file; a name
    already taken (a killed run's leftover) is skipped.
    """
    path = os.fspath(path)
    if os.altsep:
        folder, name = os.path.split(path)
        head = os.path.join(folder, "")
    else:                       # the folder with its separator, as it is written
        cut = path.rfind(os.sep) + 1
        head, name = path[:cut], path[cut:]
    while True:
        tmp = f"{head}.{name}.{os.getpid()}-{next(_COUNTER)}{TEMP_SUFFIX}"
        try:
            return os.open(tmp, _CREATE_FLAGS, mode), tmp
        except FileExistsError:
            continue


_TEMP_NAME = re.compile(r"\.(.+)\.(\d+)-\d+" + re.escape(TEMP_SUFFIX))


def remove_dead_temporaries(targets: list[str]) -> list[str]:
    """Remove the temporary files that processes now dead left beside ``targets``.

    A process killed while writing leaves its ``.NAME.PID-N.dedup-tmp``
    behind; with pool processes writing, one dying takes its siblings down
    mid-write too. Only files named for one of ``targets``, by a process
    that is gone, are removed (a live process may still rename its own).
    Returns their paths.
    """
    found: dict[str, list[str]] = {}
    for folder in {os.path.dirname(t) for t in targets}:
        try:
            temps = [e.name for e in os.scandir(folder) if e.name.endswith(TEMP_SUFFIX)]
        except OSError:
            continue
        if temps:
            found[folder] = temps
    if not found:                       # the common case: nothing was left behind
        return []
    wanted = {os.path.split(t) for t in targets if os.path.dirname(t) in found}
    removed = []
    for folder, temps in found.items():
        for entry in temps:
            match = _TEMP_NAME.fullmatch(entry)
            if match and (folder, match.group(1)) in wanted and not _alive(int(match.group(2))):
                try:
                    os.unlink(os.path.join(folder, entry))
                except OSError:
                    continue
                removed.append(os.path.join(folder, entry))
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True         # someone else's process, or not a process id: left alone
    return True


def _sync_folder(folder: str | Path) -> None:
    try:
        dir_fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dir_fd)
    except OSError:
        pass
    finally:
        os.close(dir_fd)


def mark_output(folder: str | Path, kind: str, complete: bool = True, **details) -> None:
    """Write the :data:`OUTPUT_MARKER` of ``folder`` (created if missing),
    atomically: ``kind`` is "copies" or "report"; ``complete`` False while a
    run is still writing there, so a reader can tell a partial folder."""
    import datetime
    import json

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    record = {"schema": "dedup.output", "kind": kind, "complete": complete,
              "dedup_version": __version__,
              "at": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
              **details}
    atomic_write(folder / OUTPUT_MARKER,
                 (json.dumps(record, indent=2, ensure_ascii=False) + "\n").encode("utf-8"),
                 durable=True)


@dataclass
class WriteSummary:
    """What :func:`dedup.api.write_cleaned` or :func:`dedup.api.write_in_place` wrote."""

    out: Path | None                               # None when files were rewritten in place
    written: list[Path] = field(default_factory=list)
    changed: int = 0
    backups: list[Path] = field(default_factory=list)
    #: Files not written, one line each naming the file and why: a file changed
    #: or removed since it was read is never cleaned from other text than it held.
    not_written: list[str] = field(default_factory=list)
    #: Files found already cleaned by an earlier, interrupted in-place run.
    done: list[Path] = field(default_factory=list)
    #: Files the run set out to write (known once the plan is checked).
    planned: int | None = None
    #: Every file is written (what is left is the report).
    finished: bool = False


class WriteError(ValueError):
    """Nothing was written: a target is unsafe (escapes ``--out``, is an original,
    a backup already exists). The message names the file."""


def _absolute(path: str | Path) -> Path:
    """Absolute, with ``.`` and ``..`` resolved by name (as display paths are)."""
    return Path(os.path.abspath(path))


def output_base(paths: list[str | Path]) -> Path:
    """Folder the inputs' relative paths are taken from (their common folder)."""
    bases = []
    for p in paths:
        path = _absolute(p)
        bases.append(path if path.is_dir() else path.parent)
    return Path(os.path.commonpath([str(b) for b in bases])) if bases else Path.cwd()


def folder_prefix(folder: str) -> str:
    """What every path below ``folder`` (absolute, normalised) starts with."""
    return folder if folder.endswith(os.sep) else folder + os.sep


def check_target(display: str, target: str, inside: str, out, original: str | None) -> None:
    """Refuse a cleaned copy's ``target`` (a real path) that does not lie
    below ``inside`` (:func:`folder_prefix` of the real output folder
    ``out``: a ``..`` or a symbolic link led it out) or that is the
    ``original`` file itself (its real path; None for a copy from a URL).
    Every writer (files, JSON Lines, Parquet, the Dask engine) asks this of
    every target before it writes the first one."""
    if not target.startswith(inside):
        raise WriteError(f"{display}: output path {target} escapes {out}; nothing written")
    if original is not None and target == original:
        raise WriteError(f"{display}: refusing to write over the original; nothing written")
