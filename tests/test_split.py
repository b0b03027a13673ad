"""Splitting files into paragraphs, and cleaned output that is made of the original text."""

from __future__ import annotations

import numpy as np
import pytest

from dedup.verification import pairs as pairs_module
from dedup import compiled as switch
from dedup.output.clean import cleaned_lines, cleaned_text
from dedup.input.documents import document_from_text, paragraph_spans, parse_document, split_lines


def spans(text: str) -> list[tuple[int, int, str]]:
    return [(p.first_line, p.last_line, p.text) for p in document_from_text(text, "t").paragraphs]


# --- paragraphs -------------------------------------------------------------------------

def test_blank_line_separates_paragraphs_and_keeps_their_lines():
    assert spans("one\ntwo\n\nthree\n") == [(1, 2, "one\ntwo"), (4, 4, "three")]


def test_a_run_of_blank_lines_is_one_separator():
    assert spans("alpha\n\n\n\nbeta\n\n\ngamma\n") == [
        (1, 1, "alpha"), (5, 5, "beta"), (8, 8, "gamma")]


def test_blank_lines_at_start_and_end_do_not_count_and_shift_line_numbers():
    assert spans("\n\n\nfirst\nsecond\n\nthird\n\n\n") == [
        (4, 5, "first\nsecond"), (7, 7, "third")]


def test_whitespace_only_lines_are_blank():
    assert spans("one\n \t \ntwo\n\u00a0\nthree") == [(1, 1, "one"), (3, 3, "two"),
                                                    (5, 5, "three")]


def test_file_without_interior_blank_line_is_one_paragraph_per_line():
    assert spans("title\nfirst line\nsecond line\n") == [
        (1, 1, "title"), (2, 2, "first line"), (3, 3, "second line")]


def test_per_line_mode_ignores_blank_lines_at_the_edges():
    assert spans("\n\ntitle\nbody\n\n") == [(3, 3, "title"), (4, 4, "body")]


def test_one_blank_line_anywhere_inside_switches_to_blank_line_mode():
    assert spans("a\nb\nc\n\nd\n") == [(1, 3, "a\nb\nc"), (5, 5, "d")]


def test_crlf_line_endings():
    assert spans("one\r\ntwo\r\n\r\nthree\r\n") == [(1, 2, "one\r\ntwo"), (4, 4, "three")]


def test_crlf_per_line_mode():
    assert spans("one\r\ntwo\r\nthree") == [(1, 1, "one"), (2, 2, "two"), (3, 3, "three")]


def test_old_mac_cr_line_endings():
    assert spans("one\rtwo\r\rthree\r") == [(1, 2, "one\rtwo"), (4, 4, "three")]


def test_mixed_line_endings():
    assert spans("one\r\n\ntwo\r\rthree\n") == [(1, 1, "one"), (3, 3, "two"), (5, 5, "three")]


def test_missing_final_newline():
    assert spans("one\n\ntwo") == [(1, 1, "one"), (3, 3, "two")]


@pytest.mark.parametrize("text", ["", "\n", "\n\n\n", "  \n\t\n", "\r\n\r\n"])
def test_empty_or_blank_file_has_no_paragraphs(text):
    assert spans(text) == []


def test_form_feed_and_unicode_line_separator_do_not_end_lines():
    # Editors and diff tools only break lines on CR, LF and CRLF.
    assert spans("a\x0cb\n\nc\u2028d\n\ne\x85f\n") == [
        (1, 1, "a\x0cb"), (3, 3, "c\u2028d"), (5, 5, "e\x85f")]
    assert split_lines("a\u2028b\nc") == ["a\u2028b\n", "c"]


def test_paragraph_index_counts_from_zero():
    doc = document_from_text("a\n\nb\n\nc\n", "t")
    assert [p.index for p in doc.paragraphs] == [0, 1, 2]
    assert doc.paragraphs[2].lines == (5, 5)


def test_paragraph_text_is_the_original_text():
    text = "  Indented “quoted” line\u00a0 \nsecond\tline  \n\nLast—line"
    doc = document_from_text(text, "t")
    assert [p.text for p in doc.paragraphs] == ["  Indented “quoted” line\u00a0 \nsecond\tline  ",
                                                "Last—line"]


# --- decoding ---------------------------------------------------------------------------

def test_utf8_bom_is_kept_on_output():
    data = b"\xef\xbb\xbfone\n\ntwo\n"
    doc = parse_document(data, "t")
    assert doc.bom and doc.paragraphs[0].text == "one"
    assert doc.encode(cleaned_text(doc, set())) == data


def test_latin1_file_round_trips():
    data = "Price \xa3100\n\nSecond paragraph\n".encode("latin-1")
    doc = parse_document(data, "t")
    assert doc.paragraphs[0].text == "Price \u00a3100"
    assert doc.encode(cleaned_text(doc, set())) == data


# --- round trip and cleaned output ------------------------------------------------------

ROUND_TRIP = [
    "one\n\ntwo\n",
    "\n\n\none\ntwo\n\n\n\nthree\n\n",
    "one\r\ntwo\r\n\r\nthree",
    "a\rb\r\rc\r",
    "title\nline one\nline two",
    "  \n\t\nx\n \ny\n  \n",
    "",
    "no newline at all",
    "a\x0cb\n\nc\u2028d\n",
]


@pytest.mark.parametrize("text", ROUND_TRIP)
def test_nothing_removed_gives_the_input_back(text):
    doc = document_from_text(text, "t")
    assert cleaned_text(doc, set()) == text
    assert doc.encode(cleaned_text(doc, set())) == text.encode("utf-8")


@pytest.mark.parametrize("text", ROUND_TRIP)
def test_bytes_round_trip(text):
    data = text.encode("utf-8")
    doc = parse_document(data, "t")
    assert doc.encode(cleaned_text(doc, set())) == data


def test_removing_a_middle_paragraph_drops_it_with_its_separator():
    doc = document_from_text("one\n\ntwo\n\n\nthree\n", "t")
    assert cleaned_text(doc, {1}) == "one\n\n\nthree\n"


def test_removing_the_first_paragraph_keeps_the_rest_verbatim():
    doc = document_from_text("\none\n\ntwo\n\nthree\n", "t")
    assert cleaned_text(doc, {0}) == "\ntwo\n\nthree\n"


def test_removing_the_last_paragraph_keeps_trailing_blank_lines():
    doc = document_from_text("one\n\ntwo\n\n", "t")
    assert cleaned_text(doc, {1}) == "one\n\n"


def test_removing_lines_in_per_line_mode():
    doc = document_from_text("a\r\nb\r\nc\r\n", "t")
    assert cleaned_text(doc, {1}) == "a\r\nc\r\n"


def test_removing_everything_leaves_only_edge_blank_lines():
    doc = document_from_text("\none\n\ntwo\n\n", "t")
    assert cleaned_text(doc, {0, 1}) == "\n\n"


def test_cleaned_lines_are_a_subsequence_of_the_original_lines():
    text = "t\n\np1a\np1b\n\n\np2\n\np3\n"
    doc = document_from_text(text, "t")
    for removed in ({0}, {1}, {2}, {3}, {0, 2}, {1, 3}, {0, 1, 2, 3}):
        out = iter(doc.lines)
        assert all(line in out for line in cleaned_lines(doc, removed)), removed


def test_cleaned_text_is_the_cleaned_lines_joined(tmp_path, monkeypatch):
    """cleaned_text cuts the text at paragraph bounds instead of joining
    lines: the same text for any layout (CR, LF, CRLF, blank and
    whitespace lines, per-line paragraphs, a CR before a lone LF), any set
    of removed paragraphs, a document held in memory or read again from its
    file, with the bounds found compiled or in Python."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from dedup.input import documents
    from dedup.input.documents import read_texts

    def check_all(text, pick):
        doc = document_from_text(text, "t")
        path = tmp_path / "f.txt"
        path.write_bytes(text.encode("utf-8"))
        unloaded = read_texts(path, "f.txt")[0]
        removed = {i for i in range(doc.count) if pick(i)}
        expected = "".join(cleaned_lines(doc, removed))
        assert cleaned_text(doc, removed) == expected
        documents._LOADED.clear()
        assert cleaned_text(unloaded, removed) == expected
        return expected

    @given(st.text(alphabet="ab \t\r\n\x0b\u2028\u00e9", max_size=40),
           st.lists(st.booleans(), max_size=12))
    @settings(max_examples=1500, deadline=None)
    def check(text, flags):
        check_all(text, lambda i: i < len(flags) and flags[i])
        with monkeypatch.context() as patch:
            patch.setattr(switch, "text", None)
            check_all(text, lambda i: i < len(flags) and flags[i])
    check()
    assert check_all("one\r\n\ntwo\r\n\nthree\r", lambda i: i == 1) == "one\r\n\nthree\r"
    # A kept line ending in CR, and the separator left after a removed
    # paragraph a lone LF: the blank line that followed the kept one instead.
    assert check_all("a\r\rb\n\nc", lambda i: i == 1) == "a\r\rc"


@pytest.mark.parametrize("data", [t.encode("utf-8") for t in ROUND_TRIP] + [
    b"\xef\xbb\xbfbom first\n\nthen more\n",             # UTF-8 with BOM
    "caf\u00e9 \u00a3100\n\nsecond".encode("cp1252"),    # a guessed encoding
])
def test_reading_texts_only_gives_what_reading_the_whole_document_gives(tmp_path, data):
    # A scan reads files with read_texts (no paragraph objects); everything
    # it keeps must equal what read_document parses from the same bytes.
    from dedup.input.documents import read_document, read_texts
    path = tmp_path / "f.txt"
    path.write_bytes(data)
    whole = read_document(path, "f.txt")
    doc, texts = read_texts(path, "f.txt")
    assert texts == [p.text for p in whole.paragraphs]
    assert not doc.loaded and doc.count == whole.count == len(texts)
    assert (doc.path, doc.encoding, doc.bom, doc.size, doc.source, doc.digest) == (
        whole.path, whole.encoding, whole.bom, whole.size, whole.source, whole.digest)
    assert doc.paragraphs == whole.paragraphs and doc.lines == whole.lines   # read again


# --- the compiled splitting (dedup/_text.c) against its Python form -------------------

def _python_paragraph_texts(text):
    from dedup.input.documents import paragraph_spans, paragraph_text, split_lines
    lines = split_lines(text)
    return [paragraph_text(lines, start, end) for start, end in paragraph_spans(lines)]


def _compiled_text():
    if switch.text is None:
        pytest.skip("dedup._text was not built here (no C compiler at install)")
    return switch.text


# Line endings of every kind, the breaks only splitlines knows, whitespace
# that is and is not a line end, and characters of all three string widths.
_SPLIT_ALPHABET = "ab \t\n\r\x0b\x0c\x1c\x1f\x85\xa0\u2003\u3000\u2028\u2029\u00e9\U0001F600"


def test_compiled_paragraph_texts_are_those_of_the_lines_and_spans():
    from hypothesis import given, settings
    from hypothesis import strategies as st
    compiled = _compiled_text()

    @given(st.text(alphabet=_SPLIT_ALPHABET, max_size=40))
    @settings(max_examples=3000, deadline=None)
    def check(text):
        assert compiled.paragraph_texts(text) == _python_paragraph_texts(text)
        assert compiled.paragraph_spans(text) == paragraph_spans(split_lines(text))
    check()
    for text in ROUND_TRIP + ["\r\n\r\n", "a\r\r\nb", "\n \n", "x\n\n\ny\nz\n\n",
                              "line\n" * 200 + "\n" + "more\n" * 100]:      # arrays grow
        assert compiled.paragraph_texts(text) == _python_paragraph_texts(text), repr(text)
        assert compiled.paragraph_spans(text) == paragraph_spans(split_lines(text))


def test_compiled_paragraph_texts_on_the_samples():
    from conftest import SAMPLES
    from dedup.input.documents import decode
    compiled = _compiled_text()
    for path in sorted(SAMPLES.glob("*.txt")):
        text = decode(path.read_bytes(), str(path))[0]
        assert compiled.paragraph_texts(text) == _python_paragraph_texts(text)
        assert compiled.paragraph_texts(text) == [p.text for p in document_from_text(
            text, "t").paragraphs]


def test_compiled_squeeze_is_split_and_join():
    from hypothesis import given, settings
    from hypothesis import strategies as st
    compiled = _compiled_text()

    @given(st.text(alphabet=_SPLIT_ALPHABET, max_size=40))
    @settings(max_examples=3000, deadline=None)
    def check(text):
        squeezed = compiled.squeezed(text)
        assert squeezed == " ".join(text.split())
        # The same string in every way: the narrowest width that holds it.
        assert squeezed.isascii() == " ".join(text.split()).isascii()
    check()
    assert compiled.squeezed("\u3000\u00e9\u3000") == "\u00e9"
    with pytest.raises(TypeError):
        compiled.squeezed(b"bytes")
    with pytest.raises(TypeError):
        compiled.paragraph_texts(None)


# Digits of other scripts and superscripts (str.isdigit says yes to both),
# upper, lower and title case letters of three widths, uncased letters.
_FACTS_ALPHABET = "aA 09\u0663\u00b2\u00bd\u00c9\u00e9\u01c5\u0391\u03b1\u4e00\U0001D400\U0001D41A"


def _facts_both_ways(norms, texts, monkeypatch):
    from dedup.text.facts import Facts
    compiled = Facts.of(norms, texts)
    with monkeypatch.context() as patch:
        patch.setattr(switch, "text", None)
        plain = Facts.of(norms, texts)
    return compiled, plain


def test_compiled_facts_are_those_of_the_python_form(monkeypatch):
    """Length, word count, digit and capitals flags of Facts.of, compiled
    (dedup/_text.c) and in Python, on texts of every character width; the
    original text, for the capitals, drawn apart from the normalised one."""
    from hypothesis import given, settings
    from hypothesis import strategies as st
    _compiled_text()
    texts = st.lists(st.text(alphabet=_FACTS_ALPHABET, max_size=12), max_size=6)

    @given(texts, st.data())
    @settings(max_examples=1500, deadline=None)
    def check(norms, data):
        originals = data.draw(st.lists(st.text(alphabet=_FACTS_ALPHABET, max_size=12),
                                       min_size=len(norms), max_size=len(norms)))
        compiled, plain = _facts_both_ways(norms, originals, monkeypatch)
        for name in ("key_hi", "key_lo", "length", "words", "digit", "upper"):
            assert getattr(compiled, name).dtype == getattr(plain, name).dtype
            assert np.array_equal(getattr(compiled, name), getattr(plain, name)), name
    check()
    compiled, _ = _facts_both_ways(["", "a b", "\u0663"], ["\u01c5", "AB", "\u00c9 1"],
                                   monkeypatch)
    assert compiled.words.tolist() == [0, 2, 1] and compiled.digit.tolist() == [False, False, True]
    assert compiled.upper.tolist() == [False, True, True]       # title case is not capitals


def test_compiled_sentences_are_those_of_the_python_form():
    """The sentences the compiled loop finds (dedup/_text.c) are those of the
    Python form, with the same keys (hashlib's, or the paragraph's own for
    one sentence) and lengths, on texts of every width with sentence ends
    of every kind, around the length below which a paragraph is not split."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from dedup.text.facts import text_keys
    from dedup.text.sentences import MIN_SPLIT_CHARS, python_sentence_facts, sentence_facts
    _compiled_text()
    pieces = st.sampled_from(["a", "Bb", " ", ". ", "! ", "? ", ": ", "; ", ".\" ", ".) ",
                              ".'] ", ".", "\u00e9", "\u4e00", "\U0001D400", "1,000", "x" * 12])
    norms = st.lists(pieces, max_size=MIN_SPLIT_CHARS).map("".join)

    @given(st.lists(norms, max_size=8))
    @settings(max_examples=1500, deadline=None)
    def check(texts):
        key_hi = text_keys(texts)[:, 0]
        got = sentence_facts(texts, key_hi, text_keys)
        want = python_sentence_facts(texts, key_hi, text_keys)
        for mine, theirs in zip(got, want):
            assert mine.dtype == theirs.dtype and mine.tolist() == theirs.tolist()
    check()
    text = "First part here. Second part there! Third"
    counts, keys, lengths = sentence_facts([text, "short."], text_keys([text, "short."])[:, 0],
                                           text_keys)
    assert counts.tolist() == [3, 1] and lengths.tolist() == [16, 18, 5, 6]
    assert keys[1] == text_keys(["Second part there!"])[0, 0]


def test_compiled_shorter_and_starts_are_those_of_the_python_form(monkeypatch):
    from hypothesis import given, settings
    from hypothesis import strategies as st

    _compiled_text()
    text = st.text(alphabet=_FACTS_ALPHABET, max_size=10)

    @given(st.lists(st.tuples(text, text), max_size=8), st.data())
    @settings(max_examples=1500, deadline=None)
    def check(pairs, data):
        first, second = [a for a, _ in pairs], [b for _, b in pairs]
        cut = data.draw(st.lists(st.integers(0, max(len(pairs) - 1, 0)),
                                 max_size=len(pairs) and 8))
        compiled = pairs_module._shorter_and_starts(first, second, cut)
        with monkeypatch.context() as patch:
            patch.setattr(switch, "text", None)
            assert compiled == pairs_module._shorter_and_starts(first, second, cut)
    check()
    with pytest.raises(IndexError):
        switch.text.shorter_and_starts(["a"], ["b"], [1])
    with pytest.raises(ValueError):
        switch.text.shorter_and_starts(["a"], [], [])


def test_a_pickled_document_keeps_every_slot(tmp_path):
    """Documents travel between processes pickled, through their own
    __reduce__: every slot comes back, for a loaded document and for one
    read from a file and unloaded (which reads its file again when asked)."""
    import pickle

    from dedup.input.documents import Document, read_texts

    path = tmp_path / "a.txt"
    path.write_bytes("\ufeffFirst line\r\n\r\nSecond one\r\n".encode("utf-8"))
    read, _ = read_texts(str(path), "shown/a.txt", None)
    every_slot_set = Document("p.txt", None, None, "latin-1", True, 9, source="/s/p.txt",
                              digest=b"d" * 16, forced="latin-1", count=3)
    for doc in (document_from_text("a\n\nb\n", "x.txt"), read.unloaded(), every_slot_set):
        back = pickle.loads(pickle.dumps(doc))
        assert type(back) is Document
        for name in Document.__slots__:
            assert getattr(back, name) == getattr(doc, name), name
    back = pickle.loads(pickle.dumps(read.unloaded()))
    assert (back.bom, back.source, back.digest is not None) == (True, str(path), True)
    assert [p.text for p in back.paragraphs] == ["First line", "Second one"]


@pytest.mark.parametrize("told", [0, 5, 5000, 100000, None])
def test_a_file_is_read_whole_whatever_size_it_said_it_had(tmp_path, monkeypatch, told):
    """read_regular_file asks for the size the file had (plus one byte) and
    goes on to its end only when it got all it asked: a file that grew
    since (or says 0, as /proc files do) is still read whole, and one that
    shrank ends where it ends."""
    import os

    from dedup.input import documents

    data = bytes(range(256)) * 300               # 76,800 bytes, more than one read of 5,000
    (tmp_path / "f.bin").write_bytes(data)
    if told is not None:
        real = os.fstat

        def fstat(fd):
            info = real(fd)
            return os.stat_result((info.st_mode, info.st_ino, info.st_dev, info.st_nlink,
                                   info.st_uid, info.st_gid, told, info.st_atime,
                                   info.st_mtime, info.st_ctime))
        monkeypatch.setattr(documents.os, "fstat", fstat)
    assert documents.read_regular_file(tmp_path / "f.bin") == data
