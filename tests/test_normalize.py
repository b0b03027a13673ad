"""The normal form paragraphs are compared in, and the facts extracted from it."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup import compiled as switch
from dedup.text.normalize import (names, negations, normalize, normalize_many, numbers, word_count,
                                  words)


@pytest.mark.parametrize("raw, expected", [
    ("\uff26\uff55\uff4c\uff4c\uff57\uff49\uff44\uff54\uff48 text", "fullwidth text"),  # fullwidth
    ("\ufb01nal o\ufb03ce", "final office"),                  # ligatures
    ("area 5\u00b2 km", "area 52 km"),                        # superscript two
    ("caf\u0065\u0301", "caf\u00e9"),                         # combining accent composed
    ("\u2460 first", "1 first"),                              # circled digit
])
def test_nfkc(raw, expected):
    assert normalize(raw) == expected


@pytest.mark.parametrize("raw, expected", [
    ("The MINISTER Said", "the minister said"),
    ("Stra\u00dfe", "strasse"),                               # casefold, not lower
    ("\u0130stanbul".casefold(), normalize("\u0130STANBUL")),
])
def test_case_is_folded(raw, expected):
    assert normalize(raw) == expected


@pytest.mark.parametrize("quote", ["\u2018", "\u2019", "\u201a", "\u201b", "\u2032", "`", "\u00b4"])
def test_single_quotes_become_straight(quote):
    assert normalize(f"it{quote}s {quote}fine{quote}") == "it's 'fine'"


def test_quote_folding_does_not_depend_on_other_characters_in_the_paragraph():
    # The same word must normalise the same way whether or not the paragraph
    # also holds a non-ASCII character somewhere else.
    assert normalize("don`t stop") == normalize("don`t stop caf\u00e9")[:len("don`t stop")]


@pytest.mark.parametrize("quote", ["\u201c", "\u201d", "\u201e", "\u201f", "\u00ab", "\u00bb",
                                   "\u2033"])
def test_double_quotes_become_straight(quote):
    assert normalize(f"{quote}no comment{quote}") == '"no comment"'


@pytest.mark.parametrize("dash", ["\u2010", "\u2011", "\u2012", "\u2013", "\u2014", "\u2015",
                                  "\u2212", "\ufe58", "\ufe63", "\uff0d"])
def test_dashes_become_hyphens(dash):
    assert normalize(f"north{dash}west") == "north-west"


@pytest.mark.parametrize("raw", [
    "  two   words  ",
    "two\twords",
    "two\nwords",
    "two\r\n  words",
    "two\u00a0words",          # no-break space
    "two\u2003words",          # em space
    "\n\ttwo \u3000 words\n",  # ideographic space
])
def test_whitespace_runs_become_one_space_and_ends_are_trimmed(raw):
    assert normalize(raw) == "two words"


@pytest.mark.parametrize("invisible", ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff",
                                       "\u00ad"])
def test_zero_width_and_soft_hyphen_are_dropped(invisible):
    assert normalize(f"news{invisible}paper") == "newspaper"


def test_everything_at_once():
    a = "\u201cThe  Council\u2019s plan\u201d \u2014 said\u00a0the\u200b MAYOR\n"
    b = '"the council\'s plan" - said the mayor'
    assert normalize(a) == b
    assert normalize(b) == b


def test_normalize_is_idempotent():
    for text in ["\u201cA\u2014B\u201d", "\ufb01 \uff21", "  x\u00ad y  ", "Stra\u00dfe"]:
        assert normalize(normalize(text)) == normalize(text)


@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=60))
@settings(max_examples=2000, deadline=None)
def test_ascii_text_takes_a_short_way_to_the_same_normal_form(text):
    """ASCII text skips the regex scan and NFKC: the result is what every
    step gives it (the quote and dash table, NFKC, case folding, squeezing),
    alone and after a non-ASCII paragraph that sends its batch the long way."""
    import unicodedata

    from dedup.text.normalize import _QUOTES_DASHES
    steps = " ".join(unicodedata.normalize("NFKC", text.translate(_QUOTES_DASHES))
                     .casefold().split())
    assert normalize(text) == steps
    assert normalize_many([text, "caf\u00e9"]) == [steps, "caf\u00e9"]
    assert normalize_many([text]) == [steps]


# Combining marks, compatibility forms (ligature, fullwidth, superscript,
# fullwidth grave accent), case pairs that fold to more letters (sharp s,
# capital sharp s), Cherokee (folds to capitals), Hangul jamo that compose,
# and the table's quotes, dashes and invisible characters.
_UNICODE_ALPHABET = ("aAe E1 \t\n\x00`\u0301\u0308\u0327\ufb01\uff21\uff40\u00b2\u00df\u1e9e"
                     "\uab70\u13a0\u1100\u1161\u11a8\uac00\u2019\u201c\u2014\u00ad\u200b"
                     "\u00e9\u2033\u00b4\U0001d400")


@given(st.text(alphabet=st.one_of(st.sampled_from(_UNICODE_ALPHABET), st.characters()),
               max_size=40))
@settings(max_examples=3000, deadline=None)
def test_text_beyond_ascii_gets_every_step_of_the_normal_form(text):
    """The compiled way (quotes and dashes in one pass, NFKC and case folding
    on the runs of non-ASCII characters only) gives what the steps give the
    whole text: table, NFKC, case folding, the table again if the result is
    not ASCII, whitespace squeezed."""
    import unicodedata

    from dedup.text.normalize import _QUOTES_DASHES
    folded = unicodedata.normalize("NFKC", text.translate(_QUOTES_DASHES)).casefold()
    if not folded.isascii():
        folded = folded.translate(_QUOTES_DASHES)
    steps = " ".join(folded.split())
    assert normalize(text) == steps
    assert normalize_many(["caf\u00e9", text]) == ["caf\u00e9", steps]


def test_normalize_many_matches_normalize_one_by_one():
    texts = ["\u201cQuoted\u201d  Text", "", "  ", "a\u2014b", "plain", "\u00bbX\u00ab\u200b",
             "Stra\u00dfe \ufb01"]
    assert normalize_many(texts) == [normalize(t) for t in texts]
    assert normalize_many([]) == []


def test_normalize_many_keeps_paragraphs_apart():
    # Paragraph text cannot run into its neighbour through normalisation.
    assert normalize_many(["ends with space  ", "  starts with space"]) == [
        "ends with space", "starts with space"]


@pytest.mark.parametrize("text, expected", [
    ("killed more than 5,000 people", ["5000"]),
    ("killed more than 5000 people", ["5000"]),
    ("a loss of 1,234,567.89 dollars", ["1234567.89"]),
    ("profit 12.4 million, up from 9.8", ["12.4", "9.8"]),
    ("won 2-1 after 90 minutes", ["2", "1", "90"]),
    ("at 10:30 on 4/5", ["10:30", "4/5"]),
    ("scores of 3,5 and 12,34", ["3,5", "12,34"]),  # not thousands separators
    ("no numbers here", []),
])
def test_numbers_in_order_with_thousands_separators_dropped(text, expected):
    assert numbers(normalize(text)) == expected


def test_numbers_equal_for_both_spellings_of_a_thousand_figure():
    assert numbers("the un says 26,000 died") == numbers("the un says 26000 died")
    assert numbers("26,000 died") != numbers("27,000 died")


@pytest.mark.parametrize("text, count", [
    ("the minister said he would resign", 0),
    ("the minister said he would not resign", 1),
    ("the minister said he won't resign", 1),
    ("no one, never, nothing", 3),
    ("he cannot and will not", 2),
])
def test_negations(text, count):
    assert negations(normalize(text)) == count


@given(st.lists(st.sampled_from(
    ["not", "no", "never", "none", "nobody", "nothing", "neither", "nor", "without", "cannot",
     "n't", "don", "t", "snot", "nota", "w", "c", "n", "'", "\u2019", " ", "-", ".", "\u00e9",
     "_", "1"]), max_size=15).map("".join))
@settings(max_examples=2000, deadline=None)
def test_negations_follow_the_plain_pattern(text):
    # The pattern opens with a lookahead for speed; it must count what the
    # plain alternation counts.
    import re
    plain = re.compile(r"\b(?:not|no|never|none|nobody|nothing|neither|nor|without|cannot)\b"
                       r"|n't\b")
    assert negations(text) == len(plain.findall(text))


def test_names_skip_sentence_starters_and_fold_case():
    assert names("The Mayor of Riverton met Clara Holt on Monday. She said") == {
        "mayor", "riverton", "clara", "holt"}


def test_names_differ_when_a_team_is_swapped():
    assert names("Rovers beat City") != names("Rovers beat Athletic")


def test_possessive_s_is_dropped_from_words_and_names_only_at_the_end():
    text = "Reuters's report on the U.S.'s deficit: it's Smith's 'S"
    assert words(normalize(text)) == ["reuters", "report", "on", "the", "u.s.", "deficit",
                                      "it", "smith", "s"]
    assert names(text) == {"reuters", "u.s.", "smith"}


def test_word_count():
    assert word_count(normalize("  one two\tthree\n four ")) == 4
    assert word_count("") == 0


# The fact extractors take shortcuts for speed (a regex that leaves trailing
# punctuation out, plain numbers not handed to Python one by one). Each is
# held here to its definition written plainly, token by token, on text drawn
# from the characters the shortcuts are about.
_FACT_ALPHABET = "aAsSzZ019_ .,:/'&-\u00e9\u00c9\u00df\u2019\u2014\u00b2\u0661\n"


def _plain_numbers(norm):
    import re

    def wordy(match):
        token = match.group()
        unit = re.fullmatch(r"(\d+(?:[.,]\d+)*)([^\W\d]{1,4})", token)
        if unit and unit.group(2) not in ("st", "nd", "rd", "th"):
            return unit.group(1)          # a number with its unit: "15mbps"
        letters = sum(c.isalpha() for c in token)
        return " " if letters > len(token) - letters else token
    out = []
    for token in re.findall(r"\d+(?:[.,:/]\d+)*", re.sub(r"\w*\d\w*", wordy, norm)):
        if re.match(r"^\d{1,3}(?:,\d{3})+(?:\.\d+)?$", token):
            token = token.replace(",", "")
        out.append(token)
    return out


def _plain_words(norm):
    import re
    out = []
    for token in re.findall(r"\w[\w'&.-]*", norm):
        token = token.strip(".'-&")
        token = token[:-2] if token.endswith("'s") else token
        if token:
            out.append(token)
    return out


def _plain_names(text):
    import re
    import unicodedata

    from dedup.text.normalize import _QUOTES_DASHES, COMMON_WORDS
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES_DASHES)
    out = set()
    for token in re.findall(r"\b[A-Z][\w'&.-]*", text):
        token = token.strip(".'-&").casefold()
        token = token[:-2] if token.endswith("'s") else token
        if len(token) > 1 and token not in COMMON_WORDS:
            out.add(token)
    return out


def _plain_normalize(text):
    import re
    import unicodedata

    from dedup.text.normalize import _QUOTES_DASHES
    text = unicodedata.normalize("NFKC", text.translate(_QUOTES_DASHES)).casefold()
    return re.sub(r"\s+", " ", text.translate(_QUOTES_DASHES)).strip()


# Whitespace of every kind str.isspace knows (form feed, the separators
# \x1c-\x1f, next line, no-break, em and ideographic spaces, line and paragraph
# separators), beside quotes, dashes and invisible characters.
_SPACE_ALPHABET = "aB1 \t\n\r\x0b\x0c\x1c\x1f\x85\xa0\u2003\u3000\u2028\u2029\u2019\u2014\u200b"


@given(st.lists(st.text(alphabet=_SPACE_ALPHABET, max_size=20), max_size=6))
@settings(max_examples=1500, deadline=None)
def test_normalize_follows_its_plain_definition(texts):
    assert [normalize(t) for t in texts] == [_plain_normalize(t) for t in texts]
    assert normalize_many(texts) == [_plain_normalize(t) for t in texts]


@given(st.text(alphabet=_FACT_ALPHABET, max_size=60))
@settings(max_examples=2000, deadline=None)
def test_facts_follow_their_plain_definitions(text):
    norm = normalize(text)
    for raw in (text, norm):
        assert numbers(raw) == _plain_numbers(raw)
        assert words(raw) == _plain_words(raw)
        assert names(raw) == _plain_names(raw)


@pytest.mark.parametrize("text", [
    "the A320 and F16, 1st of 2,500 rubb1e 3_000 x2 2x 12ab 5,000.5 \u0661\u0662",
    "Reuters's U.S.'s O'Neill's AT&T-'s Smith.' Jones-& rock'n' A. B.C.",
    "caf\u00e9's 'S \u00c9cole's Stra\u00dfe STRASSE'S e\u0301t\u00e9",
])
def test_facts_follow_their_plain_definitions_on_hand_picked_text(text):
    for raw in (text, normalize(text)):
        assert numbers(raw) == _plain_numbers(raw)
        assert words(raw) == _plain_words(raw)
        assert names(raw) == _plain_names(raw)


# Every character the quote and dash table changes, runs of them included,
# between letters, spaces and an accented letter NFKC leaves alone.
_TABLE_ALPHABET = ("aA1 \u00e9\u2033" + "\u2018\u2019\u201a\u201b\u2032\u2035\u00b4\u0060"
                   "\u201c\u201d\u201e\u201f\u2036\u00ab\u00bb"
                   "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"
                   "\u200b\u200c\u200d\u2060\ufeff\u00ad")


@given(st.lists(st.text(alphabet=_TABLE_ALPHABET, max_size=30), max_size=5))
@settings(max_examples=1500, deadline=None)
def test_quotes_dashes_and_invisibles_follow_the_whole_table(texts):
    """Only the runs of table characters are translated (not the whole
    batch); the result is what translating every character gives."""
    from dedup.text.normalize import _QUOTES_DASHES, _straightened

    assert set(_TABLE_ALPHABET) >= set(_table_keys())
    for text in texts:
        assert _straightened(text) == text.translate(_QUOTES_DASHES)
        assert normalize(text) == _plain_normalize(text)
        assert names(text) == _plain_names(text)
    assert normalize_many(texts) == [_plain_normalize(t) for t in texts]


def _table_keys():
    from dedup.text.normalize import _QUOTES_DASHES
    return [chr(c) for c in _QUOTES_DASHES]


def test_the_compiled_table_is_the_table_it_is_given_each_time():
    """_text.translated keeps its lookup between calls while the table is
    the same; given another table, it uses that one."""
    from dedup.text import normalize as N
    if switch.text is None:
        pytest.skip("dedup._text was not built here")
    text = "\u2018a\u2019 \u201cb\u201d c\u2014d\u00ade\u200bf"
    other = ("\u2019c", "xy", "\u201c")
    for _ in range(2):
        assert switch.text.translated(text, *N._TABLE) == text.translate(N._QUOTES_DASHES)
        assert switch.text.translated(text, *other) == text.translate(
            {0x2019: "x", ord("c"): "y", 0x201c: None})
    assert switch.text.translated("plain", *other) == "plain"
    with pytest.raises(ValueError):
        switch.text.translated("x", "ab", "c", "")
    with pytest.raises(ValueError):
        switch.text.translated("x", "\U0001F600", "a", "")


_LEANING_WORDS = st.sampled_from([
    "He", "HE", "It", "The", "the", "THE", "Bank", "company", "new", "CDs", "G", "Murphy;",
    "Dempsey,", "O'Driscoll,", "said", "\u00c9tat", "_", "2", "\"", "(", "--", ",", ";", "\u00e9",
    "\u01c5", "However,", "Both", "THESE"])


@settings(max_examples=400, deadline=None)
@given(st.lists(st.lists(_LEANING_WORDS, max_size=12).map(" ".join), min_size=1, max_size=20)
       | st.lists(st.text(max_size=40), min_size=1, max_size=20))
def test_the_compiled_leaning_flags_are_the_python_ones(texts):
    from dedup.text import sentences
    if switch.text is None:
        pytest.skip("dedup._text was not built here")
    assert (sentences.leaning_flags(texts).tolist()
            == sentences.python_leaning_flags(texts).tolist())
