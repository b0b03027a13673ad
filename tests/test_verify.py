"""The word-by-word fact check's matcher.

``dedup.verification.verify`` uses cydifflib's SequenceMatcher, a compiled port of
difflib's, for speed. The decisions depend on its exact opcodes (which words
count as replaced), so it is held to difflib's on word lists drawn from a
small vocabulary, where repeats and ties between equal blocks are common.
"""

from __future__ import annotations

import difflib

from hypothesis import given, settings
from hypothesis import strategies as st

from dedup.verification import verify

_WORDS = st.lists(st.sampled_from(["a", "the", "wheat", "soybeans", "rose", "fell", "5", "u.s"]),
                  max_size=40)


@given(_WORDS, _WORDS)
@settings(max_examples=3000, deadline=None)
def test_word_matcher_gives_difflibs_opcodes(words_a, words_b):
    ours = verify.SequenceMatcher(None, words_a, words_b, autojunk=False).get_opcodes()
    plain = difflib.SequenceMatcher(None, words_a, words_b, autojunk=False).get_opcodes()
    assert [tuple(op) for op in ours] == [tuple(op) for op in plain]


def test_a_replaced_content_word_is_reported_and_a_function_word_is_not():
    said = "farmers planted more wheat this year than last".split()
    assert verify._swapped_words(said, [w.replace("wheat", "soybeans") for w in said]) == \
        "words differ: 'wheat' vs 'soybeans'"
    assert verify._swapped_words(said, [w.replace("this", "that") for w in said]) == ""


def test_truncation_rule_is_the_same_for_one_pair_and_for_arrays():
    import numpy as np

    from dedup import Config
    for share in (0.5, 0.77, 1.0):
        cfg = Config(truncated_min_share=share)
        lengths = np.arange(0, 50)
        a, b = np.repeat(lengths, len(lengths)), np.tile(lengths, len(lengths))
        together = verify.may_truncate(a, b, cfg)
        for x, y, answer in zip(a.tolist(), b.tolist(), together.tolist()):
            short, long_ = min(x, y), max(x, y)
            assert verify.may_truncate(x, y, cfg) == answer == (short < long_
                                                              and short >= share * long_)


def test_texts_packed_for_the_verifying_processes_come_back_the_same():
    """A verification task's texts travel as one string and their ends:
    empty texts, NULs, and characters of every width come back as they were."""
    from dedup.verification.pairs import _packed, _unpacked

    for texts in ([], [""], ["", "a", ""], ["x\x00y", "\u00e9t\u00e9", "\U0001F600 ok", "plain"]):
        assert _unpacked(*_packed(texts)) == texts


def test_a_pickled_verdict_is_the_same_verdict():
    import pickle
    from dataclasses import fields

    from dedup.verification.verify import Verdict
    verdict = Verdict("truncated", 93.5, "truncated copy", (True, False), "numbers")
    back = pickle.loads(pickle.dumps(verdict))
    assert back == verdict and type(back) is Verdict
    assert [getattr(back, f.name) for f in fields(Verdict)] == [
        getattr(verdict, f.name) for f in fields(Verdict)]


def test_pair_scores_told_the_lengths_are_the_scores_it_finds_itself():
    """near_links passes the normalised texts' lengths from the facts;
    the scores (whole and as truncated copies) are those pair_scores finds
    measuring the texts itself."""
    import numpy as np

    from dedup import Config
    from dedup.verification.pairs import pair_scores
    base = "the council approved the budget for the new bridge on tuesday evening"
    first = [base, base[:50], base, "short", base + " after a long debate"]
    second = [base.replace("new", "old"), base, base[:60], "shorter", base]
    cfg = Config()
    told = pair_scores(first, second, cfg, (np.array([len(t) for t in first]),
                                            np.array([len(t) for t in second])))
    found = pair_scores(first, second, cfg)
    assert all(np.array_equal(a, b) for a, b in zip(told, found))
    assert (found[1] > 0).any() and (found[0] > 0).any()
