"""HTML input: the paragraphs of a page are its text blocks.

A file whose name ends in ``.html`` or ``.htm`` (any case) is read as an HTML
page wherever files are read (``scan``, ``clean``, ``check``, ``index add``,
``explain``; both engines); ``--glob '*.html'`` selects such files in folders.
Every other file is read as text, as before.

Which text is a paragraph
-------------------------
The page is read with the standard library's ``html.parser`` (which reports
where every tag starts), and elements are opened and closed as a browser
closes them: an unclosed ``<p>`` ends where the next block starts, an ``<li>``
at the next ``<li>`` or at the end of its list, a row at the next row, and
anything still open at the end tag of what holds it or at the end of the file.
An end tag with nothing open to close (a stray ``</p>``) is ignored.

- *Text blocks* are ``p``, ``h1``-``h6``, ``li``, ``dt``, ``dd``, ``blockquote``,
  ``pre``, ``address``, ``figcaption``, ``caption``, ``summary`` and table rows
  ``tr``. A row is one paragraph, its cells' texts side by side: taking one
  cell out would shift the row's other cells into the wrong columns.
- *Sections* are ``body``, ``div``, ``section``, ``article``, ``main``,
  ``header``, ``footer``, ``aside``, ``figure``, ``details``, ``form``,
  ``fieldset``, ``hgroup``, ``center``, lists (``ul``, ``ol``, ``dl``, ``menu``)
  and ``table``.
- A text block or section holding no other block is one paragraph: its text
  with entities decoded and every run of whitespace (``<br>`` and every
  other non-inline tag counting as whitespace) made one space. An element
  with no text is no paragraph.
- A text block holding other blocks and text of its own (an ``<li>`` with an
  intro and a nested list) is one paragraph with all that text. Otherwise the
  blocks inside are the paragraphs, and text a section holds beside them is not
  read, and so never removed. A block holding nothing but one paragraph (no
  text or tag of its own beside it) is that paragraph: ``<li><p>Text</p></li>``
  is one paragraph, and taking it out takes the whole ``<li>`` (no empty
  bullet is left).
- Nothing inside ``script``, ``style``, ``template``, ``noscript``, ``nav``,
  ``title``, ``svg``, ``math``, ``select``, ``textarea``, ``iframe``,
  ``object`` or ``canvas`` is read. The ``<title>`` is left out because it
  repeats the page's headline on nearly every page; ``nav`` because site
  menus are not the article.
- Text outside every block (a page with no ``<body>`` tag, text after
  ``</html>``) is not read. A page with such text and no block at all (a plain
  text file named ``.html``) is skipped with a one-line message naming it.

Where a paragraph is, and what cleaning takes out
-------------------------------------------------
A paragraph stands in the page from its element's opening tag to its closing
tag, or, closed implicitly, to the last character before what closed it that
is not whitespace. Reports give the lines of the page's source that span
covers, so ``page.html:12`` is where an editor finds the block. The diff of
``clean`` is of the page's source, as ``clean --write`` changes it.

Cleaning takes out each removed paragraph's span and nothing else; every other
byte of the page is kept as it was. A span alone on its lines takes those
whole lines with it (the indentation before it and the line ending after it),
so no blank line is left where the block was. One exception keeps the blocks
that stay as they were read: a block whose opening tag closed an element left
open (``<p>One<p>Two</p>``) and that has an end tag of its own loses only
its content (``<p></p>`` stays), since without its opening tag the element
it closed would run on over whatever follows it.

Encoding
--------
``--encoding`` forces one; else a byte order mark decides; else UTF-8 when the
bytes are UTF-8; else the charset the page declares in its first 1024 bytes
(``<meta charset>``, ``<meta http-equiv="Content-Type">``, or an XML
declaration; ISO-8859-1 and ASCII are read as Windows-1252, as browsers read
them) when it decodes the page; else the guess made for text files (see
:func:`dedup.input.documents.decode`). Bytes that no encoding reads back exactly
(binary data, undecodable bytes) skip the file with a one-line message
naming it, as for text files, and the run goes on.
"""

from __future__ import annotations

import bisect
import codecs
import re
from array import array
from html.parser import HTMLParser
from typing import NamedTuple

from .documents import (Document, InputError, Paragraph, _digest, decode, split_lines)

#: Blocks whose text is a paragraph even when they hold other blocks too.
TEXT_BLOCKS = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "dt", "dd",
                         "blockquote", "pre", "address", "figcaption", "caption", "summary",
                         "tr"})
#: Blocks that are a paragraph only when they hold no other block.
SECTIONS = frozenset({"body", "div", "section", "article", "main", "header", "footer",
                      "aside", "figure", "details", "form", "fieldset", "hgroup", "center",
                      "ul", "ol", "dl", "menu", "table"})
BLOCKS = TEXT_BLOCKS | SECTIONS
#: Elements whose content is never read.
IGNORED = frozenset({"script", "style", "template", "noscript", "nav", "title", "svg", "math",
                     "select", "textarea", "iframe", "object", "canvas"})
#: Elements inside a word: no space between their text and the text around them.
INLINE = frozenset({"a", "abbr", "b", "bdi", "bdo", "big", "cite", "code", "data", "del",
                    "dfn", "em", "font", "i", "ins", "kbd", "label", "mark", "nobr", "q", "rp",
                    "rt", "ruby", "s", "samp", "small", "span", "strike", "strong", "sub",
                    "sup", "time", "tt", "u", "var", "wbr"})
#: Elements that have no end tag.
VOID = frozenset({"area", "base", "basefont", "bgsound", "br", "col", "embed", "frame", "hr",
                  "img", "input", "keygen", "link", "meta", "param", "source", "track", "wbr"})
HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})

# How browsers close elements implicitly (the HTML standard's tree building,
# reduced to what decides where a block ends).
#: Start tags that close an open <p>.
_CLOSES_P = frozenset({"address", "article", "aside", "blockquote", "center", "details",
                       "dialog", "div", "dl", "dd", "dt", "fieldset", "figcaption", "figure",
                       "footer", "form", "header", "hgroup", "hr", "li", "main", "menu", "nav",
                       "ol", "p", "pre", "section", "summary", "table", "ul"}) | HEADINGS
#: Elements an end tag or an implied end does not reach past.
_SCOPE = frozenset({"applet", "caption", "html", "table", "td", "th", "marquee", "object",
                    "template"})
_TABLE_SCOPE = frozenset({"html", "table", "template"})
_TABLE_PARTS = frozenset({"table", "tbody", "thead", "tfoot", "tr", "td", "th", "caption"})
#: The standard's "special" elements: an <li>, <dd> or <dt> closes an earlier
#: one only when no special element other than these stands between them.
_SPECIAL = frozenset({"address", "applet", "area", "article", "aside", "base", "basefont",
                      "bgsound", "blockquote", "body", "br", "button", "caption", "center",
                      "col", "colgroup", "dd", "details", "dir", "div", "dl", "dt", "embed",
                      "fieldset", "figcaption", "figure", "footer", "form", "frame",
                      "frameset", "head", "header", "hgroup", "hr", "html", "iframe", "img",
                      "input", "li", "link", "listing", "main", "marquee", "menu", "meta",
                      "nav", "noembed", "noframes", "noscript", "object", "ol", "p", "param",
                      "plaintext", "pre", "script", "section", "select", "source", "style",
                      "summary", "table", "tbody", "td", "template", "textarea", "tfoot", "th",
                      "thead", "title", "tr", "track", "ul", "wbr", "xmp"}) | HEADINGS
_LIST_STOP = _SPECIAL - {"address", "div", "p", "li", "dd", "dt"}
#: For a start tag: (elements it closes, elements the search stops at).
_IMPLIED = {
    "li": (frozenset({"li"}), _LIST_STOP),
    "dd": (frozenset({"dd", "dt"}), _LIST_STOP),
    "dt": (frozenset({"dd", "dt"}), _LIST_STOP),
    "tr": (frozenset({"tr"}), _TABLE_SCOPE),
    "td": (frozenset({"td", "th"}), _TABLE_SCOPE | {"tr"}),
    "th": (frozenset({"td", "th"}), _TABLE_SCOPE | {"tr"}),
    "tbody": (frozenset({"tbody", "thead", "tfoot"}), _TABLE_SCOPE),
    "thead": (frozenset({"tbody", "thead", "tfoot"}), _TABLE_SCOPE),
    "tfoot": (frozenset({"tbody", "thead", "tfoot"}), _TABLE_SCOPE),
    "body": (frozenset({"head"}), frozenset({"html"})),
}
#: For an end tag: the elements the search for its element stops at.
_END_SCOPE = {"p": _SCOPE | {"button"}, "li": _SCOPE | {"ol", "ul"}}


class Block(NamedTuple):
    """A text block of a page: its text, and the span ``[start, end)`` of the
    page's characters it stands on. ``content`` is set for a block whose
    opening tag closed an element left open before it and that has an end tag
    of its own (``<p>One<p>Two</p>``): it is the span between its tags, what
    taking it out removes, so that its tags stay and what was closed still
    ends where it ended."""

    text: str
    start: int
    end: int
    content: tuple[int, int] | None = None


class _Block:
    """An open block: where it starts, what it holds, and where its paragraphs begin."""

    __slots__ = ("start", "opened", "closes", "first", "parts", "own", "other", "has_text")

    def __init__(self, start: int, opened: int, closes: bool, first: int) -> None:
        self.start = start
        self.opened = opened            # where its opening tag ends
        self.closes = closes            # its opening tag closed an element implicitly
        self.first = first              # its first paragraph's place in the page's list
        # Its text and the blocks inside it, in order: their text is joined only
        # for the paragraphs the page ends with, so deep nesting costs no more
        # than flat blocks.
        self.parts: list[str | _Block] = []
        self.own = False                # text of its own, outside the blocks inside
        self.other = False              # a tag of its own (an image, a link, a script)
        self.has_text = False           # text anywhere inside


def _text_of(block: _Block) -> str:
    """A block's text, the blocks inside it included, whitespace collapsed."""
    pieces: list[str] = []
    stack = [iter(block.parts)]
    while stack:
        for piece in stack[-1]:
            if isinstance(piece, str):
                pieces.append(piece)
            else:
                pieces.append(" ")
                stack.append(iter(piece.parts))
                break
        else:
            stack.pop()
            pieces.append(" ")
    return " ".join("".join(pieces).split())


class _Reader(HTMLParser):
    """The text blocks of a page, as ``(text, start, end)`` character spans."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.text = text
        # html.parser counts lines at "\n" only; where each such line starts.
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self.open: list[tuple[str, _Block | None, bool]] = []   # (tag, block, ignored)
        self.named: dict[str, int] = {}                         # open elements by tag
        self.blocks: list[_Block] = []                          # the open blocks
        self.ignored = 0
        # (block holding the text, start, end, content span or None)
        self.found: list[tuple[_Block, int, int, tuple[int, int] | None]] = []
        self.loose = False                                      # text outside every block

    def read(self) -> list[Block]:
        self.feed(self.text)
        self.close()
        self._close_from(0, len(self.text), len(self.text))
        return [Block(_text_of(block), *where) for block, *where in self.found]

    def _at(self) -> int:
        line, column = self.getpos()
        return self.line_starts[line - 1] + column

    # -- html.parser's callbacks -------------------------------------------------------

    def handle_starttag(self, tag: str, attrs) -> None:
        at = self._at()
        closes = self._implied_ends(tag, at)
        if tag in VOID:
            self._tag_inside(tag)
            return
        block = None
        ignored = False
        if self.ignored or tag not in BLOCKS:
            self._tag_inside(tag)
            ignored = tag in IGNORED
            self.ignored += ignored
        else:
            block = _Block(at, at + len(self.get_starttag_text() or ""), closes,
                           len(self.found))
            self.blocks.append(block)
        self.open.append((tag, block, ignored))
        self.named[tag] = self.named.get(tag, 0) + 1

    def handle_startendtag(self, tag: str, attrs) -> None:
        # HTML ignores the slash of <p/>; inside <svg> or <math> it closes the element.
        if not self.ignored:
            self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if not self.named.get(tag):
            return                      # nothing of that name open: a stray end tag
        at = self._at()
        stops = _TABLE_SCOPE if tag in _TABLE_PARTS else _END_SCOPE.get(tag, _SCOPE)
        for k in range(len(self.open) - 1, -1, -1):
            name = self.open[k][0]
            if name == tag:
                # html.parser ends an end tag at the first ">" after "</".
                end = self.text.find(">", at + 2)
                self._close_from(k, at, end + 1 if end >= 0 else len(self.text))
                return
            if name in stops:
                return                  # open only outside a table, cell, ...: stray here

    def handle_data(self, data: str) -> None:
        if self.ignored:
            return
        if not self.blocks:
            if not self.loose and data.strip():
                self.loose = True
            return
        block = self.blocks[-1]
        block.parts.append(data)
        if not block.own and data.strip():
            block.own = block.has_text = True

    # -- opening and closing -----------------------------------------------------------

    def _tag_inside(self, tag: str) -> None:
        """A tag other than a block's inside the innermost block."""
        if self.ignored or not self.blocks:
            return
        block = self.blocks[-1]
        block.other = True
        if tag not in INLINE:
            block.parts.append(" ")

    def _implied_ends(self, tag: str, at: int) -> bool:
        """Close what a start tag closes; whether it closed anything."""
        closed = False
        if tag in _CLOSES_P:
            closed = self._close_open(("p",), _SCOPE | {"button"}, at)
        if tag in HEADINGS and self.open and self.open[-1][0] in HEADINGS:
            self._close_from(len(self.open) - 1, at, at)
            closed = True
        implied = _IMPLIED.get(tag)
        if implied is not None:
            closed = self._close_open(*implied, at) or closed
        return closed

    def _close_open(self, names, stops, at: int) -> bool:
        """Close the innermost open element named in ``names``, unless an
        element in ``stops`` is open inside it; whether one was closed."""
        if not any(self.named.get(name) for name in names):
            return False
        for k in range(len(self.open) - 1, -1, -1):
            name = self.open[k][0]
            if name in names:
                self._close_from(k, at, at)
                return True
            if name in stops:
                return False
        return False

    def _close_from(self, k: int, at: int, end: int) -> None:
        """Close the open elements from position ``k`` up: those inside it at
        ``at`` (implicitly: each up to the last character before ``at`` that is
        not whitespace), the element at ``k`` at ``end``."""
        trimmed = at
        while trimmed > 0 and self.text[trimmed - 1].isspace():
            trimmed -= 1
        while len(self.open) > k:
            tag, block, ignored = self.open.pop()
            self.named[tag] -= 1
            self.ignored -= ignored
            if block is not None:
                self.blocks.pop()
                # A block starts with "<", so it ends after its start either way;
                # with an end tag of its own, its content ends where that tag starts.
                if len(self.open) == k and end != at:
                    self._finish(tag, block, end, at)
                else:
                    self._finish(tag, block, trimmed, None)

    def _finish(self, tag: str, block: _Block, end: int, content_end: int | None) -> None:
        found = self.found
        inside = len(found) - block.first               # paragraphs of the blocks inside
        # Its opening closed an element and its end tag is its own: taking it out
        # whole would leave what it closed open over whatever follows, so only
        # its content goes. Ended implicitly, what ended it ends the other too.
        content = (block.opened, content_end) if block.closes and content_end is not None \
            else None
        if not inside or (block.own and tag in TEXT_BLOCKS):
            del found[block.first:]
            if block.has_text:
                found.append((block, block.start, end, content))
        elif inside == 1 and not block.own and not block.other:
            # The paragraph it holds, whole.
            found[-1] = (found[-1][0], block.start, end, content)
        if self.blocks:
            parent = self.blocks[-1]
            parent.parts.append(block)
            parent.has_text = parent.has_text or block.has_text


def read_blocks(text: str, name: str) -> list[Block]:
    """The text blocks of a page's text, in order. :class:`InputError` when the
    page holds text but no block, or cannot be parsed."""
    reader = _Reader(text)
    try:
        found = reader.read()
    except Exception as exc:    # html.parser is lenient; whatever it still raises is one line
        raise InputError(f"{name}: cannot parse as HTML: {type(exc).__name__}: {exc}") from exc
    if not found and reader.loose:
        raise InputError(f"{name}: no text blocks in it (<p>, headings, list items, <div>, "
                         "...); its text is outside every HTML block")
    return found


def line_starts(text: str) -> list[int]:
    """Where each line of ``text`` starts, lines ending as :func:`split_lines` ends them."""
    if "\r" not in text:
        return [0] + [m.end() for m in re.finditer("\n", text)]
    return [0] + [m.end() for m in re.finditer("\r\n|\r|\n", text)]


def cut_spans(text: str, found: list[Block]) -> list[tuple[int, int]]:
    """What taking each block out removes from ``text``: its span, and, when it
    stands alone on its lines, the indentation before it and the line ending
    after it; for a block whose opening closed another, its content alone."""
    spans = []
    for _, start, end, content in found:
        if content is not None:
            spans.append(content)
            continue
        first = max(text.rfind("\n", 0, start), text.rfind("\r", 0, start)) + 1
        after = end
        while after < len(text) and text[after] in " \t":
            after += 1
        alone = not text[first:start].strip(" \t") and (
            after == len(text) or text[after] in "\r\n")
        if alone:
            after += 2 if text.startswith("\r\n", after) else 1 if after < len(text) else 0
            spans.append((first, after))
        else:
            spans.append((start, end))
    return spans


# -- encoding --------------------------------------------------------------------------

_DECLARED = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9._:+-]+)"""
                       rb"""|<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:+-]+)""", re.I)
_BOMS = (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
# Labels browsers read as Windows-1252 (its superset).
_AS_WINDOWS_1252 = frozenset({"ascii", "latin-1", "iso8859-1", "cp1252"})


def declared_encoding(data: bytes) -> str | None:
    """The encoding a page declares in its first 1024 bytes, as a codec name
    (None when it declares none Python knows, or a UTF-16/32 one, which an
    ASCII declaration cannot truthfully make)."""
    match = _DECLARED.search(data, 0, 1024)
    if match is None:
        return None
    label = (match.group(1) or match.group(2)).decode("ascii")
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    if name.startswith(("utf-16", "utf-32")):
        return None
    return "cp1252" if name in _AS_WINDOWS_1252 else name


def decode_page(data: bytes, name: str, encoding: str | None = None) -> tuple[str, str, bool]:
    """A page's bytes as text: ``(text, encoding, had BOM)`` (see the module's
    rule). InputError with a one-line message naming the page."""
    if encoding is None and not data.startswith(_BOMS) and not data.isascii():
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            declared = declared_encoding(data)
            if declared is not None:
                try:
                    return decode(data, name, declared)
                except InputError:
                    pass                        # declared wrongly: guessed as text is
    return decode(data, name, encoding)


# -- documents -------------------------------------------------------------------------

class Page(Document):
    """An HTML file read as a document: its lines are those of the page's
    source, its paragraphs the page's text blocks (with the source lines they
    stand on), and cleaning takes each removed block's span out of the source
    (see :func:`cut_spans`)."""

    __slots__ = ()
    markup = True

    def bounds(self) -> tuple[str, list[tuple[int, int]]]:
        """The page's source and what taking out each paragraph removes from it."""
        if self._lines is not None:
            text = "".join(self._lines)
        else:
            text = decode_page(self._read_again(), self.path, self.forced)[0]
        return text, cut_spans(text, read_blocks(text, self.path))

    def layout(self) -> tuple[list[str], list[tuple[int, int]]]:
        return self.lines, [(p.first_line - 1, p.last_line) for p in self.paragraphs]


def line_spans(text: str, found: list[Block]) -> list[tuple[int, int]]:
    """The first and last line of ``text`` each block stands on (1-based)."""
    starts = line_starts(text)
    return [(bisect.bisect_right(starts, b.start),
             bisect.bisect_right(starts, max(b.start, b.end - 1))) for b in found]


def paragraphs_of(text: str, found: list[Block]) -> list[Paragraph]:
    """The paragraphs of blocks found in ``text``, with the source lines they span."""
    return [Paragraph(k, first, last, block.text)
            for k, (block, (first, last)) in enumerate(zip(found, line_spans(text, found)))]


def parse_page(data: bytes, name: str, encoding: str | None = None) -> Page:
    """A page's bytes as a document holding its text."""
    text, used, bom = decode_page(data, name, encoding)
    return Page(name, split_lines(text), paragraphs_of(text, read_blocks(text, name)), used,
                bom, len(data))


def page_texts(data: bytes, name: str, encoding: str | None,
               source: str) -> tuple[Page, list[str]]:
    """A page as a scan reads it: the document unloaded (read again from
    ``source`` when its paragraphs are wanted) and its paragraphs' texts."""
    text, used, bom = decode_page(data, name, encoding)
    found = read_blocks(text, name)
    # What the reports want of each paragraph without reading the page again.
    spans = array("i")
    for block, (first, last) in zip(found, line_spans(text, found)):
        spans.extend((first, last, len(block.text.encode(used))))
    return Page(name, None, None, used, bom, len(data), source=source, digest=_digest(data),
                forced=encoding, count=len(found), spans=spans), [b.text for b in found]
