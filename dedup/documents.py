"""Files to documents to paragraphs.

A paragraph is a block of non-blank lines separated by blank lines. Blank lines
at the very start or end of a file don't count. A file whose interior has no
blank line at all holds one paragraph per line (scrapers often write articles
that way). Every paragraph keeps its exact original lines and its line span, so
cleaned output is always made of the original text.
"""

from __future__ import annotations

import codecs
import os
import re
from dataclasses import dataclass
from pathlib import Path

# Only these end a line; str.splitlines also splits on form feeds, U+2028 etc.,
# which editors and diff tools do not treat as line breaks.
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")
_EXOTIC_BREAKS = re.compile("[\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")


class InputError(Exception):
    """A file that cannot be read as text; the message names the file."""


@dataclass(frozen=True, slots=True)
class Paragraph:
    """One paragraph: its position in the document and its original text."""

    index: int          # position among the document's paragraphs, from 0
    first_line: int     # 1-based line number of its first line
    last_line: int      # 1-based line number of its last line (inclusive)
    text: str           # original lines joined, without the final line ending

    @property
    def lines(self) -> tuple[int, int]:
        return (self.first_line, self.last_line)


@dataclass(slots=True)
class Document:
    """A decoded file: its lines (with their endings) and paragraphs."""

    path: str                    # display path, as reports show it
    lines: list[str]
    paragraphs: list[Paragraph]
    encoding: str = "utf-8"
    bom: bool = False
    size: int = 0                # bytes on disk

    def encode(self, text: str) -> bytes:
        """Text back to bytes exactly as the file was stored."""
        data = text.encode(self.encoding)
        return (codecs.BOM_UTF8 + data) if self.bom else data


def split_lines(text: str) -> list[str]:
    """Lines with their endings; only CR, LF and CRLF end a line."""
    if _EXOTIC_BREAKS.search(text):
        return _LINE.findall(text)
    return text.splitlines(keepends=True)


def _is_blank(line: str) -> bool:
    return not line.strip()


def split_paragraphs(lines: list[str]) -> list[Paragraph]:
    """Paragraphs of a document given as lines with their endings."""
    blank = [_is_blank(line) for line in lines]
    content = [i for i, b in enumerate(blank) if not b]
    if not content:
        return []
    first, last = content[0], content[-1]
    if not any(blank[first:last + 1]):
        return [_make(k, lines, i, i) for k, i in enumerate(range(first, last + 1))]
    paragraphs: list[Paragraph] = []
    start = None
    for i in range(first, last + 2):
        if i <= last and not blank[i]:
            if start is None:
                start = i
        elif start is not None:
            paragraphs.append(_make(len(paragraphs), lines, start, i - 1))
            start = None
    return paragraphs


def _make(index: int, lines: list[str], start: int, end: int) -> Paragraph:
    text = "".join(lines[start:end + 1]).rstrip("\r\n")
    return Paragraph(index, start + 1, end + 1, text)


def decode(data: bytes, path: str, encoding: str | None = None) -> tuple[str, str, bool]:
    """Bytes to text: (text, encoding, had_bom). Raises InputError."""
    if b"\x00" in data[:65536] or b"\x00" in data:
        raise InputError(f"{path}: binary file (contains NUL bytes), skipped")
    if encoding:
        try:
            return data.decode(encoding), encoding, False
        except (UnicodeDecodeError, LookupError) as exc:
            raise InputError(f"{path}: cannot decode as {encoding}: {exc}") from exc
    bom = data.startswith(codecs.BOM_UTF8)
    try:
        return data[3:].decode("utf-8") if bom else data.decode("utf-8"), "utf-8", bom
    except UnicodeDecodeError:
        pass
    guess = _detect_encoding(data)
    if guess is None:
        raise InputError(f"{path}: not UTF-8 and no other encoding fits; "
                         "use --encoding to force one")
    return data.decode(guess), guess, False


def _detect_encoding(data: bytes) -> str | None:
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # pragma: no cover - optional, cp1252 covers most news
        from_bytes = None
    if from_bytes is not None:
        best = from_bytes(data).best()
        if best is not None:
            try:
                data.decode(best.encoding)
                return best.encoding
            except (UnicodeDecodeError, LookupError):
                pass
    for fallback in ("cp1252", "latin-1"):
        try:
            data.decode(fallback)
            return fallback
        except UnicodeDecodeError:
            continue
    return None


def read_document(path: Path, display: str | None = None,
                  encoding: str | None = None) -> Document:
    """Read and split one file. Raises InputError with a one-line message."""
    name = display or str(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise InputError(f"{name}: disappeared before it could be read") from exc
    except IsADirectoryError as exc:
        raise InputError(f"{name}: is a directory") from exc
    except OSError as exc:
        raise InputError(f"{name}: cannot read: {exc.strerror or exc}") from exc
    return parse_document(data, name, encoding)


def parse_document(data: bytes, name: str, encoding: str | None = None) -> Document:
    text, used, bom = decode(data, name, encoding)
    lines = split_lines(text)
    return Document(name, lines, split_paragraphs(lines), used, bom, len(data))


def document_from_text(text: str, name: str) -> Document:
    """A document built from text in memory (tests, JSON Lines input)."""
    lines = split_lines(text)
    return Document(name, lines, split_paragraphs(lines), "utf-8", False,
                    len(text.encode("utf-8")))


def display_path(path: Path) -> str:
    """Path relative to the working folder when it is below it, else absolute."""
    absolute = path.absolute()
    try:
        return absolute.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return absolute.as_posix()


def discover(paths: list[Path], glob: str = "*.txt",
             exclude: list[Path] = ()) -> tuple[list[tuple[Path, str]], list[str]]:
    """Files to read, in sorted display-path order, and warnings.

    Directories are walked recursively for ``glob``; files given by name are
    always read. The same file reached twice is read once; ``exclude`` folders
    (the output and report folders) are never read.
    """
    excluded = [Path(os.path.realpath(e)) for e in exclude]
    found: dict[str, Path] = {}
    warnings: list[str] = []
    seen_real: set[str] = set()

    def add(file: Path) -> None:
        real = os.path.realpath(file)
        if real in seen_real:
            return
        if any(_is_within(Path(real), e) for e in excluded):
            return
        seen_real.add(real)
        found[display_path(file)] = file

    for root in paths:
        if root.is_dir():
            for dirpath, dirnames, filenames in os.walk(root, followlinks=False,
                                                        onerror=lambda e: warnings.append(
                                                            f"{e.filename}: cannot list: {e.strerror}")):
                here = Path(dirpath)
                dirnames[:] = sorted(d for d in dirnames
                                     if not any(_is_within(Path(os.path.realpath(here / d)), e)
                                                for e in excluded))
                for name in sorted(filenames):
                    file = here / name
                    if file.match(glob) or Path(name).match(glob):
                        add(file)
        elif root.exists():
            add(root)
        else:
            warnings.append(f"{root}: no such file or directory")
    return [(found[k], k) for k in sorted(found)], warnings


def _is_within(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents
