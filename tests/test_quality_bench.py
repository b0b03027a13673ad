"""The injected quality benchmark (bench/quality.py, bench/inject.py): its
generators do what their kinds claim, and its planning, building and scoring
follow the placement rules of its docstring. Every text is invented here."""

from __future__ import annotations

import random
import re
from collections import Counter

import pytest

from bench import inject
from bench import quality as Q

PARA = ("The regional council said on Monday that the new harbour ferry will run through "
        "the winter, and Smith told Jones that the plan is ready. It has 12 stops and can be "
        "changed by Brown before the vote.")
NAMES = frozenset({"Smith", "Jones", "Brown"})


def rngs(n: int = 40):
    return (random.Random(seed) for seed in range(n))


# --- generators -------------------------------------------------------------

def test_filler_phrases_name_no_source():
    for phrase in ("officials said", "analysts said", "the company said", "sources said"):
        assert phrase not in inject.FILLER_PHRASES


def test_attribute_adds_a_source_at_either_end():
    seen = set()
    for rng in rngs():
        out = inject.attribute(PARA, rng)
        if out.startswith(inject.ATTRIBUTION_OPENING):
            assert out == inject.ATTRIBUTION_OPENING + "t" + PARA[1:]
            seen.add("opening")
        else:
            assert any(out == PARA[:-1] + end for end in inject.ATTRIBUTION_ENDINGS)
            seen.add("ending")
    assert seen == {"opening", "ending"}


def test_attribute_keeps_an_acronym_and_needs_a_place():
    out = inject.attribute('US output rose, "sharply".', random.Random(0))
    assert out == inject.ATTRIBUTION_OPENING + 'US output rose, "sharply".'
    assert inject.attribute('"Quoted," he said "here."', random.Random(0)) is None


def test_split_sentences_cuts_at_a_sentence_break_only():
    text = "Mr. Smith met Dr. Jones in the city. They talked for an hour. Both left."
    assert inject.sentence_breaks(text) == [text.index(" They"), text.index(" Both")]
    first, second = inject.split_sentences(text, random.Random(1))
    assert first + " " + second == text and first.endswith(".") and second[0].isupper()
    assert inject.split_sentences("One sentence with Mr. Smith only.", random.Random(1)) is None


def test_modifier_adds_or_drops_one_word_inside():
    for rng in rngs():
        out = inject.modifier(PARA, rng)
        a, b = PARA.split(), out.split()
        longer, shorter = (b, a) if len(b) > len(a) else (a, b)
        assert len(longer) == len(shorter) + 1
        extra = (Counter(longer) - Counter(shorter)).most_common()
        assert len(extra) == 1 and extra[0][0] in inject.DROPPABLE_ADJECTIVES
        at = next(i for i, (x, y) in enumerate(zip(longer, shorter)) if x != y)
        assert 2 <= at <= len(longer) - 3                    # inside, not at an edge
    assert inject.modifier("the national team won", random.Random(0)) is None


def test_tense_replaces_one_marker_by_another_groups():
    pairs = set(inject.TENSE_SWAPS)
    for rng in rngs():
        out = inject.tense(PARA, rng)
        changed = [(x, y) for x, y in zip(PARA.split(), out.split()) if x != y]
        assert len(changed) == 1 and changed[0] in pairs
    assert inject.tense("In May they can't say.", random.Random(0)) is None


def test_reorder_names_keeps_the_names_in_another_order():
    pattern = re.compile(r"\b(?:Smith|Jones|Brown)\b")
    for rng in rngs():
        out = inject.reorder_names(PARA, rng, NAMES)
        before, after = pattern.findall(PARA), pattern.findall(out)
        assert Counter(before) == Counter(after) and before != after
    # A sentence opener or part of a longer name is left alone.
    assert inject.reorder_names("Smith said Tony Jones left.", random.Random(0), NAMES) is None


def test_truncations_by_what_the_cut_loses():
    words_only = "The talks went on late into the night and ended without an agreement on pay"
    cut = words_only[:words_only.index(" without")]
    assert inject.cut_loses_only_words(words_only, cut)
    for tail in (" on 12 pay", " with Smith", " on tuesday", " until May"):
        assert not inject.cut_loses_only_words(cut + tail, cut)
    for rng in rngs():
        out = inject.truncate_with_facts(PARA, rng, NAMES)
        if out is not None:
            tail = PARA[len(out):]
            assert PARA.startswith(out)
            assert re.search(r"\d", tail) or set(re.findall(r"[A-Z][a-z]+", tail)) & NAMES


# --- planning, building, scoring --------------------------------------------

def _article(k: int, paragraphs: int) -> list[str]:
    """An invented article: a title and paragraphs of 20+ distinct words."""
    body = [f"Article {k} paragraph {i} says the local council board will review the annual "
            f"budget for roads, parks and schools before the winter meeting. It has a plan "
            f"numbered {k}{i} today." for i in range(1, paragraphs)]
    return [f"Title of story number {k}"] + body


@pytest.fixture
def planner():
    base = {f"bbc/x/{k:03d}.txt": _article(k, 6) for k in range(30)}
    names = sorted(base)
    norms = Counter(Q.normalize(p) for paras in base.values() for p in paras)
    clean = {(n, i) for n in names for i in range(len(base[n]))}
    return Q.Planner(base, clean, names, norms, random.Random(3), 4, 10, 20)


def test_reflowed_articles_sort_after_their_original_and_repeat_it(planner):
    planner._target_set = set(planner.targets)
    planner.reflowed()
    plan = planner.plan
    built = Q.build(plan)
    assert plan.new_docs
    for copy_name in plan.new_docs:
        original = copy_name[:-len(Q.REFLOWED_SUFFIX)]
        assert copy_name > original and original not in planner.targets
        items = [it for it in plan.items if it.doc == copy_name]
        paras = plan.base[original]
        # One paragraph split in two, two joined into one: as many paragraphs.
        assert len(items) == len(paras)
        joined = [it for it in items if it.text not in paras
                  and Counter(i.original for i in items)[it.original] == 1]
        assert len(joined) == 1
        first = joined[0].original
        assert joined[0].text == paras[first[1]] + " " + paras[first[1] + 1]
        assert Q.build(plan).item_pos[joined[0].id][0] == sorted(
            set(plan.base) | plan.new_docs).index(copy_name)
    assert built.texts.keys() == set(plan.base) | plan.new_docs


def test_cross_copies_respect_the_cap(planner):
    planner._target_set = set(planner.targets)
    planner.count = 100
    planner.copies("exact-cross", True)
    for (source, target), chars in planner.copied_into.items():
        assert chars <= Q.CROSS_CAP * planner.chars[target]
    for source, chars in planner.copied_out.items():
        assert chars <= Q.CROSS_CAP * planner.chars[source]
    assert all(it.doc > it.original[0] for it in planner.plan.items)


def test_short_sources_stay_in_their_article(planner):
    short = "The council will meet again next week to vote on the new plan."   # 13 words
    assert not planner._may_cross("typo", short, short)
    long_ = _article(1, 3)[1]
    assert planner._may_cross("typo", long_, long_)
    cut = long_[:long_.index(" It has")]
    assert not planner._may_cross("truncated", long_, cut)      # the tail holds a number


def test_attribution_scores_the_original_removal(planner):
    planner._target_set = set(planner.targets)
    planner.attributions()
    plan = planner.plan
    built = Q.build(plan)
    items = [it for it in plan.items if it.kind == "attribution"]
    assert items
    found_item, copy_gone_item = items[0], items[1]
    removals = {
        # The expected removal: the original, pointing at its attributed copy.
        built.base_pos[found_item.original]: Q.Removed(built.item_pos[found_item.id], "near", 99),
        # Wrong: the copy with the source removed.
        built.item_pos[copy_gone_item.id]: Q.Removed(
            built.base_pos[copy_gone_item.original], "near", 99),
    }
    s = Q.score(plan, built, removals, set())
    assert s.found["attribution"] == 1 and s.wrong["attribution"] == 1
    assert s.reversed["attribution"] == 0
    assert s.injected["attribution"] == len(items)
    assert len(s.misses["attribution"]) == len(items) - 1
    # A miss names the original as the paragraph that should have gone.
    missed = {gone for gone, _ in s.misses["attribution"]}
    assert built.base_pos[found_item.original] not in missed
    assert built.base_pos[copy_gone_item.original] in missed
