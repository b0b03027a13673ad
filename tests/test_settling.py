"""The context rule settles: no paragraph goes back and forth until the round limit.

The rule (:mod:`dedup.decisions.context`) runs in rounds until nothing
changes. Three shapes, each seen in real text (the file names say where),
made one step of it undo another, so one paragraph was removed in one round
and kept in the next until ``ROUNDS`` stopped it: the decision was whatever
state the limit caught, and on a million paragraphs of Reuters-like text
these passes were half of the run. Each is written here as made-up text of
the same shape; the scan must settle in a few rounds and make the decision
the rules state.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dedup import Config, cleaned, scan_texts
from dedup.decisions import context
from dedup.decisions.context import ROUNDS

from test_properties import CONFIGS, PROPERTY, corpora

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.corpora import bbc  # noqa: E402

#: Rounds a pass of the context rule takes on these small inputs when it settles.
FEW = 4


def _table_release(bureau: str, included: str, peanut_refined: str, canola_crude: str,
                   canola_total: str) -> str:
    return f"""VEGETABLE OIL STOCKS REPORT

CHICAGO, May 3 - Government {bureau}figures released
here showed mill and terminal stocks at the end of March {included}the
following, with comparisons, in mln lbs --

03/31/87    02/28/87  03/31/86

Sunflower Oils --

Crude  1,221.5-x  1,104.2      801.7

Refined    210.5-x    204.7-r    199.4

Total  1,432.0-x  1,308.9-r  1,001.1
Peanut Oils --

Crude     45.1       41.8-r     47.3

{peanut_refined}

Total    131.0      118.4-r    126.2

X-Revised from earlier figures published in the agency's
crop report of April 20. R-Revised.

Mill and Terminal Stocks, continued -

03/31/87  02/28/87   03/31/86

Canola Oils --

{canola_crude}

Refined   51.2    47.9-r   33.8

{canola_total}

Tallow   22.6    23.1-r   29.5

R-Revised.

reuter
"""


def _releases() -> dict[str, str]:
    """Three releases of one table: the first, then two corrected ones."""
    return {
        "a.txt": _table_release("", "included ", "Refined    85.9      76.6-r    78.9",
                                "Crude      21.4-r   30.6", "Total      69.3-r   64.4"),
        "b.txt": _table_release("Bureau ", "included ", "Refined    85.9         78.9",
                                "Crude   22.7   21.4-r   30.6", "Total   73.9    69.3-r   64.4"),
        "c.txt": _table_release("Bureau ", "", "Refined    85.9     76.6-r    78.9",
                                "Crude   22.7    21.4-r   30.6", "Total   73.9    69.3-r   64.4"),
    }


def _settles(result) -> None:
    assert result.stats["context_passes"] >= 1
    assert result.stats["context_rounds"] < ROUNDS
    assert result.stats["context_rounds"] <= FEW


def test_a_footnote_said_again_in_its_own_notes_and_copied_elsewhere_settles():
    # Reuters' oil stocks tables, republished with corrections: the second
    # table's "R-Revised." note repeats the last sentence of the first
    # table's notes, and stands word for word in the other releases. Pointed
    # at another release's copy, it lacked context and was kept; then taken
    # again for its own article's note; and so on.
    texts = _releases()
    result = scan_texts(texts)
    _settles(result)
    # The note goes from a.txt as a repeat of its own article's notes, which stay.
    doc = [d.path for d in result.documents].index("a.txt")
    paragraphs = result.documents[doc].paragraphs
    note = next(i for i, p in enumerate(paragraphs) if p.text == "R-Revised.")
    removal = next(r for ref, r in result.removals.items()
                   if (ref.doc, ref.para) == (doc, note))
    assert removal.kept.doc == doc
    assert "R-Revised." in paragraphs[removal.kept.para].text
    assert "crop report of April 20. R-Revised." in cleaned(result)["a.txt"]
    # The other releases keep their own notes.
    for name in ("b.txt", "c.txt"):
        assert cleaned(result)[name].rstrip().endswith("R-Revised.\n\nreuter")


def test_a_form_line_held_in_the_line_above_it_settles_and_stays():
    # SpamAssassin hard-ham-1/00002: a claim form whose second address line
    # (blanks only) is held in the first. The whole-table rule kept it (a
    # table does not lose one line), the cleaned view took it again as a
    # repeat of the line above, round after round.
    blank = "_" * 37
    form = [
        "June 3, 2002",
        "Dear reader:",
        "Congratulations! On behalf of the Summer Picnic Sweepstakes, we are pleased to tell "
        "you that you have won a portable grill in our drawing held last week.",
        "To claim your prize, print this message, fill in the form below and mail it to the "
        "address at the end before June 30.",
        "PRIZE CLAIM FORM",
        "1.\tMy full name is:   " + "_" * 31,
        "2.\tMy date of birth is:   " + "_" * 39,
        "3.\tMy telephone number is:   " + "_" * 34,
        "4.\tMy home address is:   " + blank,
        "\t\t\t      " + blank,
        "5.\tMy email address is:   " + blank,
        "6.\tI live in the State of:   " + "_" * 25,
        "By signing below I accept the official rules of the sweepstakes and agree that my "
        "name may be published in the list of winners.",
        "Signature:\t\t" + "_" * 31,
        "Date:\t\t\t" + "_" * 31,
        "Summer Picnic Sweepstakes, PO Box 1234, Springfield",
    ]
    text = "\n\n".join(form) + "\n"
    result = scan_texts({"form.txt": text})
    _settles(result)
    # A table keeps every line or goes whole: the second address line stays.
    assert result.removals == {}
    assert cleaned(result)["form.txt"] == text


def test_a_separator_near_one_and_equal_to_another_settles():
    # SpamAssassin spam-2/00645: rows of "=" between testimonials, of
    # slightly different lengths. The last is the same as the first and a
    # near copy of the one right before it: pointed at the first (its exact
    # copy, further up) it lacked context and was kept; then taken as a
    # repeat of the one before it; and so on.
    def separator(tail: int) -> str:
        return "=" * 31 + "\n" + "=" * tail
    quote = ('"I was not sure at first, but after reading the guide twice I planted\n'
             'the tomatoes two weeks earlier than usual and watered them at dawn.\n'
             'By August the vines had given me more fruit than the whole street\n'
             'could eat, and the neighbours have all asked for a copy of the guide."\n'
             'Mary Pollard, Dayton, Ohio')
    paragraphs = ["=ORDER YOUR GARDEN GUIDE\nTODAY", separator(13), quote, separator(12),
                  separator(13)]
    result = scan_texts({"letter.txt": "\n\n".join(paragraphs) + "\n"})
    _settles(result)
    # The last separator goes as a repeat of the one right before it, which stays.
    assert {ref.para: r.kept.para for ref, r in result.removals.items()} == {4: 3}
    assert cleaned(result)["letter.txt"].count("=" * 31) == 2


def test_the_settings_that_change_the_context_rule_settle_too():
    for settings in ({"keep": "longest"}, {"near_context": False}, {"lean_context": False},
                     {"boilerplate": "keep-first"}, {"drop_repeated_articles": False}):
        _settles(scan_texts(_releases(), Config(**settings)))


# -- the cleaned view looks again only where something changed -------------------------------

def _decisions(result) -> tuple:
    return (sorted(((r.removed.doc, r.removed.para), (r.kept.doc, r.kept.para), r.kind,
                    r.detail, r.kept_last) for r in result.removals.values()),
            sorted(result.dropped_articles()))


def _every_line(monkeypatch) -> None:
    """Make the cleaned view go through every kept-back line in every round."""
    original = context._cleaned_view

    def every_line(state, reverted, confirmed, settled, changed_docs, *rest):
        return original(state, reverted, confirmed, settled, None, *rest)
    monkeypatch.setattr(context, "_cleaned_view", every_line)


@PROPERTY
@given(corpus=corpora(), cfg=st.sampled_from(CONFIGS))
def test_the_view_of_changed_documents_decides_as_the_view_of_every_line(corpus, cfg):
    fast = _decisions(scan_texts(corpus, cfg))
    with pytest.MonkeyPatch.context() as monkeypatch:
        _every_line(monkeypatch)
        assert _decisions(scan_texts(corpus, cfg)) == fast


@pytest.mark.parametrize("name", ["releases", "form", "bbc"])
def test_the_view_of_changed_documents_decides_as_the_view_of_every_line_on_text(name,
                                                                                 monkeypatch):
    if name == "bbc":
        texts = bbc()
        if texts is None:
            pytest.skip("BBC corpus not found beside the repository")
        texts = dict(texts)
    else:
        texts = _releases() if name == "releases" else {"form.txt": "\n\n".join(
            ["A", "1.\tName:   " + "_" * 30, "\t\t" + "_" * 30, "2.\tDate:   " + "_" * 30,
             "A"]) + "\n"}
    result = scan_texts(texts)
    fast = _decisions(result)
    _every_line(monkeypatch)
    slow = scan_texts(texts)
    assert _decisions(slow) == fast
    assert slow.stats["context_rounds"] == result.stats["context_rounds"]
