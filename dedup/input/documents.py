"""Files to documents to paragraphs.

A paragraph is a block of non-blank lines separated by blank lines. Blank lines
at the very start or end of a file don't count. A file whose interior has no
blank line at all holds one paragraph per line (scrapers often write articles
that way). Every paragraph keeps its exact original lines and its line span, so
cleaned output is always made of the original text.

Reading never raises anything but :class:`InputError`, whose one-line message
names the file and says why it was skipped; :func:`skip_reason` sorts those
messages into the reasons a run's summary counts (binary, encoding,
unreadable, ...).
"""

from __future__ import annotations

import codecs
import errno
import fnmatch
import hashlib
import itertools
import os
import re
import stat
from array import array
from collections import Counter, OrderedDict
from dataclasses import dataclass
from pathlib import Path

from .. import compiled


# Only these end a line; str.splitlines also splits on form feeds, U+2028 etc.,
# which editors and diff tools do not treat as line breaks.
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")
_EXOTIC_BREAKS = re.compile("[\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")


class InputError(Exception):
    """A file that cannot be read as text; the message names the file."""


#: The reason of a message about a pair of paragraphs that could not be
#: compared (listed with the skipped files, though no file was skipped).
NOT_COMPARED = "not compared"
#: Why a file was skipped, as :func:`skip_reason` names it, and the phrases
#: that start the reason part of the messages of that kind (``"PATH: phrase..."``).
SKIP_REASONS: dict[str, tuple[str, ...]] = {
    "binary": ("binary file", "not text"),
    "encoding": ("cannot decode", "not UTF-8", "decoding as"),
    "unreadable": ("cannot read", "permission denied", "broken symbolic link",
                   "symbolic link loop", "cannot list"),
    "vanished": ("disappeared",),
    "too large": ("too large",),
    "not a file": ("is a directory", "not a regular file"),
    "missing": ("no such file or directory",),
    "crashed": ("the process reading it died",),
    # Not a skipped file: a pair of paragraphs never compared (both kept).
    NOT_COMPARED: ("the process comparing",),
}
_REASON_OF = {phrase: reason for reason, phrases in SKIP_REASONS.items() for phrase in phrases}
_REASON_PHRASE = re.compile(": (" + "|".join(re.escape(p) for p in _REASON_OF) + ")")

#: Suffix of the temporary files :func:`dedup.output.clean.atomic_write` writes; such
#: files are never read as articles (a killed run may leave one behind).
TEMP_SUFFIX = ".dedup-tmp"
#: Suffix of the backups ``clean --in-place`` keeps beside a rewritten file;
#: folders are never searched for them, whatever the glob.
BACKUP_SUFFIX = ".orig"
#: The file that marks a folder dedup wrote (cleaned copies, reports). A
#: folder holding it is never read when an input folder is walked, so the
#: copies written inside an input (``cleaned/`` of the working folder, an
#: ``--out`` below the input) are not read back as new articles by later runs.
#: For copies it also says whether the run finished (``"complete"``).
OUTPUT_MARKER = ".dedup-output"


def skip_reason(message: str) -> str:
    """The reason (a key of :data:`SKIP_REASONS`) of a skip message, else "other"."""
    found = None
    for found in _REASON_PHRASE.finditer(message):
        pass                                   # the last one: a path may contain ": "
    return _REASON_OF[found.group(1)] if found else "other"


def skip_summary(messages: list[str]) -> str:
    """One line counting skipped files by reason: ``"3 files skipped: 2 binary, 1 encoding"``.

    Pairs of paragraphs that could not be compared (both kept) are counted
    after the files, as pairs: no file was skipped for them.
    """
    counts = Counter(skip_reason(m) for m in messages)
    pairs = counts.pop(NOT_COMPARED, 0)
    files = sum(counts.values())
    if not files:
        line = "no files skipped"
    else:
        parts = ", ".join(f"{n} {reason}" for reason, n in
                          sorted(counts.items(), key=lambda item: (-item[1], item[0])))
        line = f"{files} file{'s' if files != 1 else ''} skipped: {parts}"
    if pairs:
        line += (f"; {pairs} pair{'s' if pairs != 1 else ''} of paragraphs not compared "
                 "(the process comparing them died; both kept)")
    return line


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


class Document:
    """A decoded file: its lines (with their endings) and paragraphs.

    A document read from a file may be *unloaded* (see :meth:`unloaded`): it
    then keeps only its path, encoding, size, paragraph count and a digest
    of its bytes, and reads the file again when its lines or paragraphs are
    asked for. A file whose bytes changed since it was read raises
    :class:`InputError` then, so a decision is never applied to other text
    than the one it was made on. The last few loaded documents are cached.
    """

    __slots__ = ("path", "encoding", "bom", "size", "_lines", "_paragraphs", "_count",
                 "source", "digest", "forced", "_spans")
    #: Whether cleaning takes out exactly the span :meth:`bounds` gives each
    #: removed paragraph, separators staying (an HTML page's blocks: see
    #: :mod:`dedup.input.html_input`), rather than a paragraph with the blank lines before it.
    markup = False

    def __init__(self, path: str, lines: list[str] | None = None,
                 paragraphs: list[Paragraph] | None = None, encoding: str = "utf-8",
                 bom: bool = False, size: int = 0, *, source: str | None = None,
                 digest: bytes | None = None, forced: str | None = None,
                 count: int | None = None, spans: array | None = None) -> None:
        self.path = path                 # display path, as reports show it
        self.encoding = encoding
        self.bom = bom
        self.size = size                 # bytes on disk
        self._lines = lines
        self._paragraphs = paragraphs
        self._count = len(paragraphs) if paragraphs is not None else count
        self.source = source             # file to read again when unloaded
        self.digest = digest             # blake2b of its bytes when read
        self.forced = forced             # the --encoding it was read with
        # Of an unloaded document: first line, last line and encoded bytes of
        # each paragraph, three ints apiece, so the reports can say where a
        # paragraph is and how big without reading the file again.
        self._spans = spans

    def __reduce__(self):
        # Every slot in one tuple: pickle's default for a slotted object builds
        # a dict of them per document (a reading task sends 256 documents back:
        # 0.39 -> 0.13 ms to pickle, 0.30 -> 0.09 ms to unpickle).
        return _restored, (type(self), self.path, self.encoding, self.bom, self.size,
                           self._lines, self._paragraphs, self._count, self.source, self.digest,
                           self.forced, self._spans)

    @property
    def lines(self) -> list[str]:
        return self._lines if self._lines is not None else self._load()[0]

    @property
    def paragraphs(self) -> list[Paragraph]:
        return self._paragraphs if self._paragraphs is not None else self._load()[1]

    def line_span(self, i: int) -> tuple[int, int]:
        """First and last line of paragraph ``i``, without reading the file again
        when the document kept its spans."""
        if self._paragraphs is None and self._spans is not None:
            return self._spans[3 * i], self._spans[3 * i + 1]
        p = self.paragraphs[i]
        return p.first_line, p.last_line

    def paragraph_bytes(self, i: int) -> int:
        """Bytes paragraph ``i`` takes in the file's encoding (its text only)."""
        if self._paragraphs is None and self._spans is not None:
            return self._spans[3 * i + 2]
        return len(self.paragraphs[i].text.encode(self.encoding))

    @property
    def count(self) -> int:
        """Number of paragraphs, without reading an unloaded file again."""
        return self._count if self._count is not None else len(self.paragraphs)

    @property
    def loaded(self) -> bool:
        return self._lines is not None

    def layout(self) -> tuple[list[str], list[tuple[int, int]]]:
        """Its lines and each paragraph's span of them (0-based, end excluded).

        What cleaning needs: an unloaded document not in the cache is read
        again (and checked) without building its paragraphs' texts, and is
        not cached, since cleaning visits each document once.
        """
        return self._layout_of(self._text_again())

    def bounds(self) -> tuple[str, list[tuple[int, int]]]:
        """Its text and where each paragraph's lines start and end in it (in
        characters, the last line's ending included): what cleaning needs,
        read again as :meth:`layout` reads it, without a string per line."""
        text = self._text_again()
        if text is not None and compiled.text is not None:
            return text, compiled.text.paragraph_bounds(text)
        lines, spans = self._layout_of(text)
        return "".join(lines), char_bounds(lines, spans)

    def _text_again(self) -> str | None:
        """The file's text, read again and checked, when neither this document
        nor the cache holds its lines; else None."""
        if self._lines is None and (self.source, self.digest, self.forced) not in _LOADED:
            return decode(self._read_again(), self.path, self.forced)[0]
        return None

    def _layout_of(self, text: str | None) -> tuple[list[str], list[tuple[int, int]]]:
        """:meth:`layout` of ``text`` read again, or of the lines held (text None)."""
        if text is not None:
            lines = split_lines(text)
            return lines, (compiled.text.paragraph_spans(text) if compiled.text is not None
                           else paragraph_spans(lines))
        return self.lines, [(p.first_line - 1, p.last_line) for p in self.paragraphs]

    def unloaded(self) -> "Document":
        """The same document holding no text (itself when it has no file to reread)."""
        if self._lines is None or self.source is None or self.digest is None:
            return self
        spans = array("i")
        for p in self.paragraphs:
            spans.extend((p.first_line, p.last_line, len(p.text.encode(self.encoding))))
        return type(self)(self.path, None, None, self.encoding, self.bom, self.size,
                          source=self.source, digest=self.digest, forced=self.forced,
                          count=self.count, spans=spans)

    def keep_text(self, data: bytes, source: str | None = None) -> None:
        """Hold the text of ``data`` (the bytes it was read from) from now on, or,
        given ``source`` (a copy of those bytes), read it from there when needed.

        Used before the file itself is rewritten in place, so the document
        still shows what the decisions were made on.
        """
        if not same_bytes(self, data):
            raise InputError(f"{self.path}: changed since it was read")
        if source is not None:
            self.source = source
            return
        doc = parse_document(data, self.path, self.forced)
        self._lines, self._paragraphs = doc._lines, doc._paragraphs

    def stored_bytes(self) -> bytes:
        """The bytes the document was read from, as a copy of it with nothing
        removed holds them: its text encoded when it holds it, else its file
        read again and checked (:class:`InputError` if changed or gone).

        Decoding is checked to give back the file's bytes exactly when it is
        read, so this equals encoding its lines without parsing them again.
        """
        if self._lines is not None:
            return self.encode("".join(self._lines))
        return self._read_again()

    def _read_again(self) -> bytes:
        try:
            data = read_regular_file(self.source)
        except OSError as exc:
            raise InputError(f"{self.path}: cannot read it again "
                             f"({exc.strerror or exc})") from exc
        if _digest(data) != self.digest:
            raise InputError(f"{self.path}: changed since it was read")
        return data

    def _load(self) -> tuple[list[str], list[Paragraph]]:
        key = (self.source, self.digest, self.forced)
        cached = _LOADED.get(key)
        if cached is not None:
            _LOADED.move_to_end(key)
            return cached
        data = self._read_again()
        doc = parse_document(data, self.path, self.forced)
        cached = _LOADED[key] = (doc._lines, doc._paragraphs)
        _LOADED_SIZE[0] += len(data)
        _SIZE_OF[key] = len(data)
        while len(_LOADED) > 1 and _LOADED_SIZE[0] > _LOADED_MAX_BYTES:
            old, _ = _LOADED.popitem(last=False)
            _LOADED_SIZE[0] -= _SIZE_OF.pop(old)
        return cached

    def __getstate__(self):
        return {name: getattr(self, name) for name in self.__slots__}

    def __setstate__(self, state) -> None:
        for name, value in state.items():
            setattr(self, name, value)

    def __eq__(self, other) -> bool:
        if not isinstance(other, Document):
            return NotImplemented
        return (self.path, self.encoding, self.bom, self.size, self.lines, self.paragraphs) == \
            (other.path, other.encoding, other.bom, other.size, other.lines, other.paragraphs)

    __hash__ = None

    def __repr__(self) -> str:
        return (f"Document({self.path!r}, {self.count} paragraphs, {self.encoding}"
                f"{', BOM' if self.bom else ''}, {self.size} bytes"
                f"{'' if self.loaded else ', unloaded'})")

    def encode(self, text: str) -> bytes:
        """Text back to bytes exactly as the file was stored (with its BOM, if any)."""
        data = text.encode(self.encoding)
        return (_BOMS[self.encoding] + data) if self.bom else data


def _restored(kind, path, encoding, bom, size, lines, paragraphs, count, source, digest,
              forced, spans=None) -> Document:
    """A pickled :class:`Document` (or HTML page) back (see Document.__reduce__)."""
    doc = kind.__new__(kind)
    doc.path, doc.encoding, doc.bom, doc.size = path, encoding, bom, size
    doc._lines, doc._paragraphs, doc._count = lines, paragraphs, count
    doc.source, doc.digest, doc.forced = source, digest, forced
    doc._spans = spans
    return doc


# Unloaded documents read again recently: (source, digest, encoding) -> (lines, paragraphs),
# least recently used first, up to about _LOADED_MAX_BYTES of files (reports walk
# the documents several times; a corpus that fits is read again only once).
_LOADED: OrderedDict = OrderedDict()
_SIZE_OF: dict = {}
_LOADED_SIZE = [0]
_LOADED_MAX_BYTES = 64 << 20


def _digest(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=16).digest()


def same_bytes(doc: Document, data: bytes) -> bool:
    """Whether ``data`` are the bytes ``doc`` was read from."""
    if doc.digest is not None:
        return len(data) == doc.size and _digest(data) == doc.digest
    return data == doc.encode("".join(doc.lines))


def split_lines(text: str) -> list[str]:
    """Lines with their endings; only CR, LF and CRLF end a line."""
    if _EXOTIC_BREAKS.search(text):
        return _LINE.findall(text)
    return text.splitlines(keepends=True)


def char_bounds(lines: list[str], spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Spans of lines as spans of the characters of ``"".join(lines)``."""
    at = list(itertools.accumulate(map(len, lines), initial=0))
    return [(at[first], at[after]) for first, after in spans]


def split_paragraphs(lines: list[str]) -> list[Paragraph]:
    """Paragraphs of a document given as lines with their endings."""
    return [Paragraph(k, start + 1, end, paragraph_text(lines, start, end))
            for k, (start, end) in enumerate(paragraph_spans(lines))]


def paragraph_text(lines: list[str], start: int, end: int) -> str:
    """The text of the paragraph on ``lines[start:end]``: its lines joined,
    without the final line ending."""
    return "".join(lines[start:end]).rstrip("\r\n")


def paragraph_spans(lines: list[str]) -> list[tuple[int, int]]:
    """Where each paragraph stands: its first line and the line after its last
    (0-based). Paragraphs are runs of non-blank lines; a document without any
    blank line between its first and last line has one paragraph per line."""
    blank = [not line.strip() for line in lines]      # nothing but whitespace
    content = [i for i, b in enumerate(blank) if not b]
    if not content:
        return []
    first, last = content[0], content[-1]
    if not any(blank[first:last + 1]):
        return [(i, i + 1) for i in range(first, last + 1)]
    spans: list[tuple[int, int]] = []
    start = None
    for i in range(first, last + 2):
        if i <= last and not blank[i]:
            if start is None:
                start = i
        elif start is not None:
            spans.append((start, i))
            start = None
    return spans


# Byte order marks, longest first (the UTF-32 LE mark starts with the UTF-16 LE one).
_BOM_CODECS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_BOMS = {name: bom for bom, name in _BOM_CODECS}
_BOM_OPENINGS = {bom[:1] for bom, _ in _BOM_CODECS}
# Codecs whose BOM is part of the stream when no byte order is named.
_BOM_FAMILY = {"utf-8": "utf-8", "utf-8-sig": "utf-8", "utf-16": "utf-16", "utf-16-le": "utf-16",
               "utf-16-be": "utf-16", "utf-32": "utf-32", "utf-32-le": "utf-32",
               "utf-32-be": "utf-32"}
# Control characters that text does not hold (tab, line and page breaks are fine).
_CONTROL = re.compile("[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f]")
#: Share of control characters above which a decoded file is taken for binary data.
MAX_CONTROL_SHARE = 0.01
#: Mess (charset-normalizer's "chaos", 0-1) above which a guessed encoding is refused.
MAX_CHAOS = 0.1
#: Windows-1252 is taken before charset-normalizer's best guess when at most
#: this share of the letters it decodes to are not ASCII (Western European
#: text: sparse accents and curly quotes; Cyrillic, Greek or CJK bytes read as
#: Windows-1252 give runs of accented letters), or when charset-normalizer
#: finds it at most ``WESTERN_SLACK`` messier than its best guess. News
#: archives are far more often Windows-1252 than, say, Windows-1250 or
#: Mac Roman, which short texts cannot tell apart, and charset-normalizer
#: takes "£5bn" for Japanese.
WESTERN_MAX_ACCENTED = 0.2
WESTERN_SLACK = 0.02


def decode(data: bytes, path: str, encoding: str | None = None) -> tuple[str, str, bool]:
    """Bytes to text: (text, encoding, had_bom). Raises InputError.

    UTF-8 (with or without BOM) and UTF-16/UTF-32 with a BOM are read as
    such; a file with NUL bytes is binary; any other encoding is guessed
    with charset-normalizer (Windows-1252 when it fits about as well as the
    best guess) and refused when no guess is confident. ``encoding`` forces
    one. The result is always checked to give back the file's exact bytes,
    line by line, so cleaned output is made of the original bytes.
    """
    if encoding:
        return _decode_forced(data, path, encoding)
    # Every byte order mark opens with one of these bytes; most files do not.
    for bom, name in (_BOM_CODECS if data[:1] in _BOM_OPENINGS else ()):
        if data.startswith(bom):
            try:
                text = data[len(bom):].decode(name)
            except UnicodeDecodeError as exc:
                raise InputError(f"{path}: cannot decode as {name} (it starts with a "
                                 f"{name} byte order mark): {exc.reason} at byte "
                                 f"{exc.start + len(bom)}") from exc
            return _checked(text, data[len(bom):], name, path), name, True
    if b"\x00" in data:
        raise InputError(f"{path}: binary file (contains NUL bytes; for UTF-16 or UTF-32 "
                         "without a byte order mark use --encoding)")
    try:
        return data.decode("utf-8"), "utf-8", False
    except UnicodeDecodeError as exc:
        utf8_error = exc
    guess, why = _detect_encoding(data)
    if guess is None:
        raise InputError(f"{path}: not UTF-8 (invalid byte at {utf8_error.start}) and {why}; "
                         "use --encoding to force one")
    text = data.decode(guess)
    controls = len(_CONTROL.findall(text))
    if controls > MAX_CONTROL_SHARE * len(text):
        raise InputError(f"{path}: not text ({controls} control characters when read "
                         f"as {guess}); use --encoding to force one")
    return _checked(text, data, guess, path), guess, False


def _decode_forced(data: bytes, path: str, encoding: str) -> tuple[str, str, bool]:
    try:
        name = codecs.lookup(encoding).name.replace("_", "-")
    except LookupError as exc:
        raise InputError(f"{path}: cannot decode as {encoding}: unknown encoding") from exc
    family = _BOM_FAMILY.get(name)
    if family is not None:
        for bom, bom_name in _BOM_CODECS:
            if data.startswith(bom) and bom_name.startswith(family):   # the BOM decides
                try:
                    text = data[len(bom):].decode(bom_name)
                except UnicodeDecodeError as exc:
                    raise InputError(f"{path}: cannot decode as {bom_name}: {exc.reason} "
                                     f"at byte {exc.start + len(bom)}") from exc
                return _checked(text, data[len(bom):], bom_name, path), bom_name, True
        # No BOM: a byte order must be chosen, or the BOM codecs would add one on output.
        name = {"utf-8-sig": "utf-8", "utf-16": "utf-16-le", "utf-32": "utf-32-le"}.get(name, name)
    elif b"\x00" in data:
        raise InputError(f"{path}: binary file (contains NUL bytes, impossible in {encoding})")
    try:
        text = data.decode(name)
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: cannot decode as {encoding}: {exc.reason} "
                         f"at byte {exc.start}") from exc
    return _checked(text, data, name, path), name, False


def _checked(text: str, data: bytes, encoding: str, path: str) -> str:
    """``text`` when its lines, each encoded alone, give back ``data`` exactly."""
    if encoding == "utf-8":
        return text                                      # UTF-8 always round-trips
    try:
        same = b"".join(line.encode(encoding) for line in split_lines(text)) == data
    except UnicodeEncodeError:
        same = False
    if not same:
        raise InputError(f"{path}: decoding as {encoding} does not give back the same "
                         "bytes; use --encoding to force another")
    return text


def _detect_encoding(data: bytes) -> tuple[str | None, str]:
    """charset-normalizer's confident guess, and why there is none when it is None."""
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # pragma: no cover - a dependency; Windows-1252 or nothing
        try:
            data.decode("cp1252")
            return "cp1252", ""
        except UnicodeDecodeError:
            return None, "its encoding cannot be detected (charset-normalizer is not installed)"
    try:
        western = data.decode("cp1252")
    except UnicodeDecodeError:
        western = None
    if western is not None:
        letters = sum(1 for c in western if c.isalpha())
        accented = sum(1 for c in western if c > "\x7f")
        if accented <= WESTERN_MAX_ACCENTED * letters:
            return "cp1252", ""
    best = from_bytes(data, enable_fallback=False).best()
    if best is None or best.percent_chaos / 100 > MAX_CHAOS:
        return None, "no encoding fits it with confidence"
    if western is not None:
        match = from_bytes(data, cp_isolation=["cp1252"], enable_fallback=False).best()
        if match is not None and match.percent_chaos <= best.percent_chaos + 100 * WESTERN_SLACK:
            return "cp1252", ""
    name = codecs.lookup(best.encoding).name.replace("_", "-")
    try:
        data.decode(name)
    except (UnicodeDecodeError, LookupError):
        return None, f"its guessed encoding ({name}) does not fit"
    return name, ""


def read_input(path: str | Path, name: str) -> bytes:
    """The bytes of an input file; InputError with a one-line message naming it."""
    try:
        return read_regular_file(path)
    except (OSError, MemoryError) as exc:
        raise input_error(exc, path, name) from exc


def input_error(exc: OSError | MemoryError, path: str | Path, name: str) -> InputError:
    """The one-line InputError naming ``name`` for ``exc``, met reading ``path``."""
    if isinstance(exc, FileNotFoundError):
        if os.path.islink(path):
            return InputError(f"{name}: broken symbolic link (its target does not exist)")
        return InputError(f"{name}: disappeared before it could be read")
    if isinstance(exc, IsADirectoryError):
        return InputError(f"{name}: is a directory")
    if isinstance(exc, PermissionError):
        return InputError(f"{name}: permission denied")
    if isinstance(exc, NotRegularFile):
        return InputError(f"{name}: not a regular file ({exc.strerror})")
    if isinstance(exc, MemoryError):
        return InputError(f"{name}: too large to hold in memory")
    if exc.errno == errno.ELOOP:
        return InputError(f"{name}: symbolic link loop")
    return InputError(f"{name}: cannot read: {exc.strerror or exc}")


def read_document(path: str | Path, display: str | None = None,
                  encoding: str | None = None) -> Document:
    """Read and split one file. Raises InputError with a one-line message.

    Only regular files are read: a FIFO, socket or device (which could block
    or never end) is refused without reading from it.
    """
    return _read(path, display, encoding, _whole)


def read_texts(path: str | Path, display: str | None = None,
               encoding: str | None = None) -> tuple[Document, list[str]]:
    """Read and split one file as a scan needs it: the document unloaded
    (see :meth:`Document.unloaded`) and the text of each paragraph, without
    building paragraph objects. Raises InputError as :func:`read_document`."""
    return _read(path, display, encoding, _texts_only)


def _whole(data: bytes, name: str, encoding: str | None, source: str) -> Document:
    doc = parse_document(data, name, encoding)
    doc.source, doc.digest, doc.forced = source, _digest(data), encoding
    return doc


def paragraph_texts(text: str) -> list[str]:
    """The texts of a document's paragraphs, as :func:`split_paragraphs` gives them."""
    if compiled.text is not None:
        return compiled.text.paragraph_texts(text)
    lines = split_lines(text)
    return [paragraph_text(lines, start, end) for start, end in paragraph_spans(lines)]


def _texts_only(data: bytes, name: str, encoding: str | None,
                source: str) -> tuple[Document, list[str]]:
    if is_page(name):
        from .html_input import page_texts
        return page_texts(data, name, encoding, source)
    text, used, bom = decode(data, name, encoding)
    texts = paragraph_texts(text)
    return Document(name, None, None, used, bom, len(data), source=source, digest=_digest(data),
                    forced=encoding, count=len(texts),
                    spans=_spans_of(text, texts, used)), texts


def _spans_of(text: str, texts: list[str], encoding: str) -> array:
    """First line, last line and encoded bytes of each paragraph (see Document)."""
    if compiled.text is not None:
        bounds = compiled.text.paragraph_spans(text)
    else:
        bounds = paragraph_spans(split_lines(text))
    spans = array("i")
    for (start, end), part in zip(bounds, texts):
        spans.extend((start + 1, end, len(part.encode(encoding))))
    return spans


def _read(path: str | Path, display: str | None, encoding: str | None, parse):
    name = display or str(path)
    data = read_input(path, name)
    try:
        return parse(data, name, encoding, os.path.abspath(path))
    except MemoryError as exc:
        raise InputError(f"{name}: too large to hold in memory "
                         f"({len(data)} bytes)") from exc
    except (ValueError, LookupError) as exc:        # a codec's own failure: still one line
        raise InputError(f"{name}: cannot decode: {exc}") from exc


class NotRegularFile(OSError):
    """A FIFO, socket or device where a file was expected."""


def _file_kind(mode: int) -> str:
    for test, kind in ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"),
                       (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device")):
        if test(mode):
            return kind
    return "a special file"


# Non-blocking, so that a FIFO given as a file is refused instead of waited on.
_READ_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)


def read_regular_file(path: str | Path) -> bytes:
    """The bytes of a regular file; OSError for anything else (FIFOs, devices, folders)."""
    fd = os.open(path, _READ_FLAGS)
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError(errno.EISDIR, "is a directory", str(path))
        if not stat.S_ISREG(info.st_mode):
            raise NotRegularFile(errno.EINVAL, _file_kind(info.st_mode), str(path))
        # Straight from the descriptor (a buffered file object cost as much
        # again for small files): the size it has, then on until the end, so
        # a file that grows meanwhile is read whole. A regular file gives
        # less than was asked only at its end: then no second call to see it.
        parts = [os.read(fd, info.st_size + 1)]
        if len(parts[0]) <= info.st_size:
            return parts[0]
        while parts[-1]:
            parts.append(os.read(fd, 1 << 20))
        return parts[0] if len(parts) == 2 else b"".join(parts)
    finally:
        os.close(fd)


#: Files whose names end so (in any case) are read as HTML pages (see
#: :mod:`dedup.input.html_input`).
PAGE_SUFFIXES = (".html", ".htm")


def is_page(name: str) -> bool:
    """Whether a file of this name is read as an HTML page."""
    return name[-5:].lower().endswith(PAGE_SUFFIXES)


def document_type(name: str) -> type[Document]:
    """The kind of document a file of this name is read as."""
    if is_page(name):
        from .html_input import Page
        return Page
    return Document


def parse_document(data: bytes, name: str, encoding: str | None = None) -> Document:
    if is_page(name):
        from .html_input import parse_page
        return parse_page(data, name, encoding)
    text, used, bom = decode(data, name, encoding)
    lines = split_lines(text)
    return Document(name, lines, split_paragraphs(lines), used, bom, len(data))


def document_from_text(text: str, name: str) -> Document:
    """A document built from text in memory (tests, JSON Lines input)."""
    lines = split_lines(text)
    return Document(name, lines, split_paragraphs(lines), "utf-8", False,
                    len(text.encode("utf-8")))


def text_named(files: list[tuple[str | Path, str]],
               doing: str) -> tuple[list[tuple[str | Path, str]], list[str]]:
    """The files whose display names UTF-8 can hold, and a skip message for
    each other one (``doing``: what is not done to it, e.g. "not indexed").

    A file name that is not UTF-8 reaches Python with its stray bytes as lone
    surrogates; scanning and cleaning take such a file as it is, but the
    index stores names as SQLite text, which cannot hold them.
    """
    kept, skipped = [], []
    for path, display in files:
        if is_text(display):
            kept.append((path, display))
            continue
        shown = display.encode("utf-8", "backslashreplace").decode("utf-8")
        skipped.append(f"{shown}: its name is not UTF-8, which the index cannot store; "
                       f"{doing} (rename it)")
    return kept, skipped


def is_text(value: str) -> bool:
    """Whether UTF-8 can hold ``value`` (it holds no lone surrogate)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def discover(paths: list[Path], glob: str = "*.txt", exclude: list[Path] = (),
             temp_files: list[str] | None = None) -> tuple[list[tuple[str, str]], list[str]]:
    """Files to read, as ``(path, display path)`` in sorted display-path
    order, and warnings.

    Directories are walked recursively for ``glob`` without following
    symbolic links to folders (so a link loop cannot trap the walk); files
    given by name are always read. The same file reached twice (through a
    link, or given twice) is read once, under its own name rather than a link's;
    ``exclude`` folders (the output, backup and report folders) are never
    read. Temporary files left by a killed write (``*.dedup-tmp``) are never
    read: they are listed in ``temp_files`` when a list is given. A folder
    found inside an input that holds :data:`OUTPUT_MARKER` (cleaned copies or
    reports dedup wrote) is not read; a folder given itself is. Backups
    (``*.orig``) are never read from folders unless the glob asks for them.
    The cost is linear in the number of entries plus one sort: a folder of a
    million files costs no more per file than a folder of ten.
    """
    excluded = [os.path.realpath(e) for e in exclude]
    excluded_prefixes = tuple(e.rstrip(os.sep) + os.sep for e in excluded)
    by_real: dict[str, tuple[tuple[bool, str], str]] = {}   # real -> ((linked, name), path)
    warnings: list[str] = []
    temps: list[str] = []
    cwd = os.getcwd()
    cwd_real = os.path.realpath(cwd)
    simple = not any(c in glob for c in "/\\")      # a name pattern: match the name alone

    def is_excluded(real: str) -> bool:
        return real in excluded or real.startswith(excluded_prefixes)

    def add(path: str, real: str, display: str) -> None:
        if excluded and is_excluded(real):
            return
        # A file reached twice is named by its own path rather than through a link, then
        # by the smallest name: the same name whatever the order the paths were given in.
        own = real == (display if os.path.isabs(display) else os.path.join(cwd_real, display))
        key = (not own, display)
        known = by_real.get(real)
        if known is None or key < known[0]:
            by_real[real] = (key, path)

    for root in paths:
        if root.name.endswith(TEMP_SUFFIX):
            temps.append(_display(str(root), cwd))
        elif root.is_dir():
            _walk(str(root), glob, simple, cwd, add, is_excluded if excluded else None,
                  warnings, temps)
        elif root.exists() or root.is_symlink():
            add(str(root), os.path.realpath(root), _display(str(root), cwd))
        else:
            warnings.append(f"{root}: no such file or directory")
    if temp_files is not None:
        temp_files.extend(sorted(temps))
    ordered = sorted((display, path) for (_, display), path in by_real.values())
    # Paths as strings: a Path object per file cost more than the walk
    # (33 ms for Reuters' 19,779 files) and every reader takes a string.
    return [(path, display) for display, path in ordered], warnings


def _walk(top: str, glob: str, simple: bool, cwd: str, add, is_excluded, warnings: list[str],
          temps: list[str]) -> None:
    """Every matching file below ``top``, as ``os.walk(followlinks=False)`` finds them.

    Works on strings and ``os.scandir`` entries: a file's real path is its
    folder's real path plus its name unless it is itself a link, so a file
    costs no ``stat`` of its own and no ``pathlib`` object.
    """
    stack = [(top, os.path.realpath(top), _display(top, cwd))]
    while stack:
        folder, real_folder, shown = stack.pop()
        try:
            with os.scandir(folder) as listing:
                entries = list(listing)
        except OSError as exc:
            warnings.append(f"{shown}: cannot list: {exc.strerror or exc}")
            continue
        if folder != top and any(entry.name == OUTPUT_MARKER for entry in entries):
            continue                # dedup's own output: never read as new articles
        for entry in entries:
            name = entry.name
            try:
                is_dir = entry.is_dir()
            except OSError:                             # a link loop, or it vanished
                is_dir = False
            try:
                is_link = entry.is_symlink()
            except OSError:
                is_link = False
            display = (name if shown == "." else
                       shown + name if shown.endswith("/") else f"{shown}/{name}")
            if is_dir:
                if is_link:                             # not followed, as os.walk does
                    continue
                real = os.path.join(real_folder, name)
                if is_excluded is None or not is_excluded(real):
                    stack.append((entry.path, real, display))
                continue
            if name.endswith(TEMP_SUFFIX):
                temps.append(display)
                continue
            if name.endswith(BACKUP_SUFFIX) and not glob.endswith(BACKUP_SUFFIX):
                continue
            if not (fnmatch.fnmatchcase(name, glob) if simple
                    else Path(entry.path).match(glob) or Path(name).match(glob)):
                continue
            real = os.path.realpath(entry.path) if is_link else os.path.join(real_folder, name)
            add(entry.path, real, display)


def _display(path: str, cwd: str) -> str:
    """:func:`display_path` of a path given as a string, with the working folder known."""
    absolute = os.path.join(cwd, path)
    if ".." in absolute.split(os.sep) or "." in absolute.split(os.sep) or "//" in absolute:
        absolute = os.path.normpath(absolute)
    absolute = absolute.rstrip(os.sep) or os.sep
    if absolute == cwd:
        return "."
    prefix = cwd.rstrip(os.sep) + os.sep
    shown = absolute[len(prefix):] if absolute.startswith(prefix) else absolute
    return shown.replace(os.sep, "/")
