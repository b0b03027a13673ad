"""One test per kind of repeat the engine must find, and per kind of look-alike it must keep.

Each test builds two or three short made-up articles around one paragraph of
interest and asserts the exact removals: which paragraph goes, which kept
paragraph it repeats, and the kind. Filler paragraphs (see conftest) never
repeat each other, so any other removal is a bug.
"""

from __future__ import annotations

import re

import pytest

QUAKE = ("Rescue teams in the northern province pulled 14 survivors from the rubble of a "
         "collapsed apartment block on Thursday, while officials said at least 37 people were "
         "still missing after the overnight earthquake.")
CHARITY = ("Oxfam said it had raised 5,000 pounds for the flood appeal in the first week, "
           "far more than organisers had expected, and that volunteers would keep collecting "
           "outside the town hall until the end of the month.")
HARBOUR = ("The harbour authority said the new breakwater would protect the fishing fleet from "
           "winter storms and allow larger cargo vessels to dock safely at the eastern quay "
           "without waiting for the tide.")


def two_articles(h, first: str, second: str, **settings):
    """a.txt = filler 0 + first, b.txt = filler 1 + second; returns the removals.

    The two are different stories: a near copy there goes only in context by
    default (Config.near_context). These tests are about what verification
    calls a repeat, so they scan with near_context off unless told otherwise.
    """
    texts = {"a.txt": h.article(h.filler[0], first), "b.txt": h.article(h.filler[1], second)}
    settings.setdefault("near_context", False)
    return h.scan(texts, **settings)


def assert_second_repeats_first(h, result, kind: str):
    assert h.removed(result) == {("b.txt", 1): ("a.txt", 1, kind)}


def assert_nothing_removed(h, result):
    assert h.removed(result) == {}
    assert result.findings == []


# --- exact repeats ----------------------------------------------------------------------

def test_identical_paragraph_in_two_articles_is_removed_from_the_second(h):
    result = two_articles(h, QUAKE, QUAKE)
    assert_second_repeats_first(h, result, "exact")
    (removal,) = result.removals.values()
    assert removal.score == 100.0


def test_copy_differing_in_case_spacing_quotes_and_dashes_is_exact(h):
    original = ('The minister said "we will not yield" to the pressure from lobby groups - and '
                "promised a vote on the bill before the summer recess, according to aides.")
    variant = ("THE  MINISTER said \u201cwe will not yield\u201d to the pressure from lobby groups "
               "\u2014 and promised a vote on the bill\nbefore the summer recess, according to aides.")
    assert_second_repeats_first(h, two_articles(h, original, variant), "exact")


def test_copy_with_ligatures_fullwidth_and_invisible_characters_is_exact(h):
    original = ("The final report from the fire service said the blaze started in a kitchen and "
                "spread to the roof within minutes, forcing twelve families to leave their homes.")
    variant = ("The \ufb01nal re\u00adport from the \uff46\uff49\uff52\uff45 ser\u200bvice said "
               "the blaze\u00a0started in a kitchen and spread to the roof within minutes, "
               "forcing twelve families to leave their homes.")
    assert_second_repeats_first(h, two_articles(h, original, variant), "exact")


def test_doubled_title_is_removed_once(h):
    title = "Flood Defences Fail In Riverside Town"
    result = h.scan({"a.txt": h.article(title, title, *h.filler[:3])})
    assert h.removed(result) == {("a.txt", 1): ("a.txt", 0, "exact")}
    assert h.findings(result) == [("a.txt", 1, 1, "exact", "a.txt", 0, 0)]


def test_body_pasted_twice_is_one_block(h):
    title = "Ferry Timetable Extended For Winter"
    body = h.filler[:4]
    result = h.scan({"a.txt": h.article(title, *body, *body)})
    assert h.removed(result) == {("a.txt", 4 + k): ("a.txt", k, "exact") for k in range(1, 5)}
    assert h.findings(result) == [("a.txt", 5, 8, "block", "a.txt", 1, 4)]


def test_run_copied_into_another_article_is_one_block(h):
    f = h.filler
    result = h.scan({"a.txt": h.article(f[0], f[1], f[2], f[3]),
                     "b.txt": h.article(f[4], f[1], f[2], f[3], f[5])})
    assert h.removed(result) == {("b.txt", k): ("a.txt", k, "exact") for k in (1, 2, 3)}
    assert h.findings(result) == [("b.txt", 1, 3, "block", "a.txt", 1, 3)]


def test_block_line_span_in_report_covers_the_run(h):
    f = h.filler
    result = h.scan({"a.txt": h.article(f[0], f[1], f[2]),
                     "b.txt": h.article(f[3], f[1], f[2])})
    (finding,) = result.findings
    docs = result.documents
    removed = docs[finding.doc].paragraphs
    assert (removed[finding.first].first_line, removed[finding.last].last_line) == (3, 5)


# --- near repeats -----------------------------------------------------------------------

def test_typos_are_a_near_repeat(h):
    typo = QUAKE.replace("survivors", "survivers").replace("collapsed", "colapsed")
    result = two_articles(h, QUAKE, typo)
    assert_second_repeats_first(h, result, "near")
    (removal,) = result.removals.values()
    assert 90 <= removal.score < 100


def test_ocr_letter_confusions_are_a_near_repeat(h):
    ocr = (QUAKE.replace("apartment", "apartrnent").replace("officials", "offcials")
           .replace("the rubble", "tlie rubble"))
    assert_second_repeats_first(h, two_articles(h, QUAKE, ocr), "near")


def test_ocr_digit_for_letter_confusions_are_a_near_repeat(h):
    # OCR often reads l as 1 and O as 0 inside words; that is noise, not a new number.
    ocr = QUAKE.replace("rubble", "rubb1e").replace("overnight", "0vernight")
    assert_second_repeats_first(h, two_articles(h, QUAKE, ocr), "near")


def test_inserted_attribution_is_a_near_repeat(h):
    longer = QUAKE.replace("on Thursday, while", "on Thursday, he said, while")
    assert_second_repeats_first(h, two_articles(h, QUAKE, longer), "near")


def test_a_few_deleted_filler_words_are_a_near_repeat(h):
    shorter = QUAKE.replace(" still", "").replace("Rescue teams in", "Rescue teams now in")
    assert_second_repeats_first(h, two_articles(h, QUAKE, shorter), "near")


# --- the same words, other facts ---------------------------------------------------------

STRIKE = ("The strike was joined on Monday by 450,000 social security workers and 50,000 "
          "university teachers, who are demanding a rise in pay to match inflation.")


@pytest.mark.parametrize("other", [
    STRIKE.replace("social security workers", "social workers"),       # a modifier dropped
    STRIKE.replace("university teachers", "university science teachers"),  # one added
    STRIKE.replace("who are demanding", "who will demand"),             # tense and status
    STRIKE.replace("was joined", "may be joined"),                      # modality
    STRIKE.replace("50,000 university", "at least 50,000 university"),   # a bound added
])
def test_a_changed_modifier_tense_or_modality_is_a_different_fact(h, other):
    assert other != STRIKE
    assert_nothing_removed(h, h.scan({"a.txt": h.article(h.filler[0], STRIKE),
                                      "b.txt": h.article(h.filler[1], other)}))


def test_the_same_team_in_another_order_is_a_different_lineup(h):
    team = ("Ireland: G Dempsey; G Murphy, B O'Driscoll, S Horgan, D Hickie; R O'Gara, "
            "P Stringer; R Corrigan, S Byrne, J Hayes, M O'Kelly, P O'Connell, A Foley.")
    other = team.replace("G Dempsey; G Murphy", "G Murphy; G Dempsey")
    assert_nothing_removed(h, h.scan({"a.txt": h.article(h.filler[0], team),
                                      "b.txt": h.article(h.filler[1], other)}))


def test_a_code_with_two_letters_swapped_is_a_correction(h):
    text = ("The fund manager, known as GGHF, said it had agreed to buy the textile maker's "
            "European business for cash and would keep its two factories open.")
    assert_nothing_removed(h, h.scan({"a.txt": h.article(h.filler[0], text),
                                      "b.txt": h.article(h.filler[1],
                                                         text.replace("GGHF", "GGFH"))}))


@pytest.mark.parametrize("attributed", [
    "Reuters reported that " + QUAKE[0].lower() + QUAKE[1:],
    QUAKE[:-1] + ", according to officials in the provincial capital.",
    QUAKE[:-1] + ", the state news agency said.",
])
def test_a_copy_that_only_adds_an_attribution_is_a_repeat_and_keeps_the_source(h, attributed):
    # The copy with the source holds more: it is the one kept, whichever comes first.
    for first, second in ((QUAKE, attributed), (attributed, QUAKE)):
        result = h.scan({"a.txt": h.article(h.filler[0], first),
                         "b.txt": h.article(h.filler[1], second)}, near_context=False)
        plain = "a.txt" if first == QUAKE else "b.txt"
        other = "b.txt" if plain == "a.txt" else "a.txt"
        assert h.removed(result) == {(plain, 1): (other, 1, "near")}, (first, second)


def test_thousands_separator_difference_is_a_near_repeat(h):
    assert_second_repeats_first(h, two_articles(h, CHARITY, CHARITY.replace("5,000", "5000")),
                                "near")


def test_truncated_copy_is_a_near_repeat_marked_truncated(h):
    # Cut where the rest states no fact of its own (a cut that loses a number
    # goes only inside the same story: tests/test_decisions.py).
    cut = CHARITY[:int(len(CHARITY) * 0.8)]
    assert not re.search(r"\d|[A-Z]", CHARITY[len(cut):])
    result = two_articles(h, CHARITY, cut)
    assert_second_repeats_first(h, result, "near")
    (removal,) = result.removals.values()
    assert removal.detail == "truncated copy"


# --- short paragraphs -------------------------------------------------------------------

def test_short_paragraph_inside_a_run_of_repeats_is_removed(h):
    f = h.filler
    subhead = "Council Responds To Critics"
    result = h.scan({"a.txt": h.article(f[0], f[1], subhead, f[2]),
                     "b.txt": h.article(f[3], f[1], subhead, f[2], f[4])})
    assert h.removed(result) == {("b.txt", k): ("a.txt", k, "exact") for k in (1, 2, 3)}
    assert h.findings(result) == [("b.txt", 1, 3, "block", "a.txt", 1, 3)]


def test_short_paragraph_at_the_end_of_a_run_is_removed(h):
    f = h.filler
    subhead = "Council Responds To Critics"
    result = h.scan({"a.txt": h.article(f[0], f[1], subhead, f[5]),
                     "b.txt": h.article(f[3], f[1], subhead, f[4])})
    assert h.removed(result) == {("b.txt", k): ("a.txt", k, "exact") for k in (1, 2)}


def test_title_repeated_further_down_its_article_is_removed(h):
    # After the body, after a byline or at the very end: a headline said twice.
    title = "Flood Defences Fail In Riverside Town"
    for body in ([h.filler[0], title, h.filler[1]], ["By Anna Reed", title, h.filler[0]],
                 [h.filler[0], h.filler[1], title]):
        result = h.scan({"a.txt": h.article(title, *body)})
        where = 1 + body.index(title)
        assert h.removed(result) == {("a.txt", where): ("a.txt", 0, "exact")}, body


def test_short_line_repeated_away_from_its_twin_is_kept(h):
    # Not the headline: "He said." twice in one article is not a copy of anything.
    title = "Flood Defences Fail In Riverside Town"
    result = h.scan({"a.txt": h.article(title, h.filler[0], "He said.", h.filler[1],
                                        "He said.", h.filler[2])})
    assert_nothing_removed(h, result)


def test_short_common_line_in_a_few_files_is_kept(h):
    f = h.filler
    result = h.scan({"a.txt": h.article(f[0], "He said.", f[1]),
                     "b.txt": h.article(f[2], "He said.", f[3]),
                     "c.txt": h.article(f[4], "He said.", f[5])})
    assert_nothing_removed(h, result)


def test_short_line_in_four_files_is_not_boilerplate(h):
    line = "Follow us for more local news."
    result = h.scan({f"{i}.txt": h.article(h.filler[i], line) for i in range(4)})
    assert_nothing_removed(h, result)
    assert result.boilerplate == []


def test_boilerplate_line_in_five_files_is_removed_everywhere(h):
    line = "Follow us for more local news."
    result = h.scan({f"{i}.txt": h.article(h.filler[i], line) for i in range(5)})
    assert h.removed(result) == {(f"{i}.txt", 1): ("0.txt", 1, "boilerplate") for i in range(5)}
    (boiler,) = result.boilerplate
    assert (boiler.text, boiler.files, boiler.removed) == (line, 5, 5)
    assert {f.kind for f in result.findings} == {"boilerplate"}


# --- look-alikes that must stay ---------------------------------------------------------

def test_changed_casualty_count_is_kept(h):
    assert_nothing_removed(h, two_articles(h, QUAKE, QUAKE.replace("37", "52")))


def test_changed_figure_with_thousands_separator_is_kept(h):
    assert_nothing_removed(h, two_articles(h, CHARITY, CHARITY.replace("5,000", "6,000")))


def test_earnings_reports_from_one_template_are_kept(h):
    template = ("{company} reported a pre-tax profit of {profit} million pounds for the six months "
                "to June, up from {before} million a year earlier, on revenue of {revenue} "
                "million pounds, and raised its interim dividend to {dividend} pence a share.")
    first = template.format(company="Northfield Foods", profit="12.4", before="9.8",
                            revenue="210", dividend="3.1")
    second = template.format(company="Northfield Foods", profit="15.0", before="11.2",
                             revenue="245", dividend="3.6")
    assert_nothing_removed(h, two_articles(h, first, second))


def test_same_template_for_another_company_is_kept(h):
    text = ("Northfield Foods reported a pre-tax profit of 12.4 million pounds for the six months "
            "to June, up from 9.8 million a year earlier, and said trading since the summer had "
            "been in line with the board's expectations.")
    assert_nothing_removed(h, two_articles(h, text, text.replace("Northfield Foods",
                                                                  "Eastbrook Dairies")))


def test_two_match_results_with_other_teams_are_kept(h):
    report = ("{home} beat {away} {score} at the Riverside Stadium on Saturday, with a late header "
              "from their captain settling a tense derby in front of a sell-out crowd of more "
              "than twenty thousand supporters.")
    first = report.format(home="Rovers", away="City", score="2-1")
    second = report.format(home="United", away="Athletic", score="2-1")
    assert_nothing_removed(h, two_articles(h, first, second))


def test_two_match_results_with_another_score_are_kept(h):
    report = ("Rovers beat City {score} at the Riverside Stadium on Saturday, with a late header "
              "from their captain settling a tense derby in front of a sell-out crowd of more "
              "than twenty thousand supporters.")
    assert_nothing_removed(h, two_articles(h, report.format(score="2-1"),
                                           report.format(score="3-1")))


def test_same_topic_with_different_facts_is_kept(h):
    other = ("Rescue teams in the northern province pulled 14 survivors from the rubble of a "
             "collapsed apartment block on Thursday, as aid agencies appealed for blankets and "
             "clean water for families sleeping in the open.")
    assert_nothing_removed(h, two_articles(h, QUAKE, other))


def test_paraphrase_is_kept(h):
    paraphrase = ("Emergency crews in the north of the province rescued fourteen people from a "
                  "fallen block of flats on Thursday, and authorities reported that 37 residents "
                  "remained unaccounted for following the quake in the night.")
    assert_nothing_removed(h, two_articles(h, QUAKE, paraphrase))


def test_negation_flip_is_kept(h):
    text = ("The transport minister said the government would approve funding for the new "
            "tram line this year, despite objections from residents along the proposed route "
            "through the old town.")
    flipped = text.replace("would approve", "would not approve")
    assert_nothing_removed(h, two_articles(h, text, flipped))


def test_unrelated_paragraphs_are_never_repeats(h):
    texts = {f"{i}.txt": h.article(*h.filler[i:i + 3]) for i in range(0, 10, 3)}
    assert_nothing_removed(h, h.scan(texts))
