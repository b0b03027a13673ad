"""A run over the real BBC News corpus (read in place; skipped when it is absent).

Facts used here come from /work/shared/corpora/bbc/SOURCE.md and from reading the
files: 98 pairs of byte-identical articles, each inside one category (e.g.
business/007 = business/253); near-duplicate pairs such as business/267 vs 365
(one word joined by a hyphen), sport/467 vs 471 (changed title), politics/226
vs 265 (a paragraph cut short and one added), sport/181 vs 182 (the last
paragraph split in two) and sport/432 vs 438 (the last two paragraphs joined);
sport/190 repeats one short line three times, never beside itself; tech/090
and tech/164 end with an author note that recurs in other articles. No corpus
text is copied into this file.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench.corpora import ROOT, bbc  # noqa: E402

from dedup import Ref, cleaned, scan_texts  # noqa: E402


@pytest.fixture(scope="module")
def run():
    articles = bbc()
    if articles is None:
        pytest.skip("BBC corpus not found beside the repository")
    result = scan_texts(dict(articles))
    index = {doc.path: i for i, doc in enumerate(result.documents)}
    return articles, result, index


def identical_pairs() -> list[list[str]]:
    groups: dict[bytes, list[str]] = defaultdict(list)
    for file in sorted((ROOT / "bbc").glob("*/*.txt")):
        groups[file.read_bytes()].append(f"bbc/{file.parent.name}/{file.name}")
    return [names for names in groups.values() if len(names) > 1]


def removed(result, index, name: str) -> set[int]:
    return result.removed_in(index[f"bbc/{name}.txt"])


def findings(result, index, name: str) -> list[tuple]:
    docs = result.documents
    return [(f.kind, f.first, f.last, docs[f.kept_doc].path, f.kept_first, f.kept_last)
            for f in result.findings_in(index[f"bbc/{name}.txt"])]


def test_corpus_is_the_one_described(run):
    articles, result, _ = run
    assert len(articles) == len(result.documents) == 2225
    pairs = identical_pairs()
    assert len(pairs) == 98 and all(len(p) == 2 for p in pairs)


def test_identical_articles_lose_every_paragraph_to_the_first_copy(run):
    _, result, index = run
    for first, second in identical_pairs():
        a, b = index[first], index[second]
        count = len(result.documents[b].paragraphs)
        assert result.removed_in(b) == set(range(count)), second
        for para in range(count):
            removal = result.removals[Ref(b, para)]
            if removal.kind != "boilerplate":
                assert removal.kept == Ref(a, para), (second, para, removal)
        # the first copy keeps everything but page furniture
        assert all(result.removals[Ref(a, p)].kind == "boilerplate"
                   for p in result.removed_in(a)), first


def test_business_007_and_253_are_one_block(run):
    _, result, index = run
    count = len(result.documents[index["bbc/business/253.txt"]].paragraphs)
    assert findings(result, index, "business/253") == [
        ("block", 0, count - 1, "bbc/business/007.txt", 0, count - 1)]
    assert removed(result, index, "business/007") == set()


def test_one_word_edit_is_a_near_repeat_inside_the_block(run):
    _, result, index = run
    count = len(result.documents[index["bbc/business/365.txt"]].paragraphs)
    assert findings(result, index, "business/365") == [
        ("block", 0, count - 1, "bbc/business/267.txt", 0, count - 1)]
    (finding,) = result.findings_in(index["bbc/business/365.txt"])
    kinds = [r.kind for r in finding.removals]
    assert kinds.count("near") == 1 and kinds.count("exact") == count - 1
    assert 90 <= finding.score < 100
    assert removed(result, index, "business/267") == set()


def test_changed_title_is_kept_and_the_body_removed(run):
    _, result, index = run
    count = len(result.documents[index["bbc/sport/471.txt"]].paragraphs)
    assert removed(result, index, "sport/471") == set(range(1, count))
    assert removed(result, index, "sport/467") == set()


def test_added_paragraph_is_kept_and_the_cut_paragraph_removed(run):
    _, result, index = run
    doc = index["bbc/politics/265.txt"]
    count = len(result.documents[doc].paragraphs)
    assert removed(result, index, "politics/265") == set(range(count - 1))
    cut = result.removals[Ref(doc, count - 2)]
    assert (cut.kind, cut.detail) == ("near", "truncated copy")
    assert removed(result, index, "politics/226") == set()


def test_copy_with_two_paragraphs_joined_is_a_reflowed_repeat_left_out(run):
    # sport/438 is sport/432 with its last two paragraphs joined into one: the
    # joined paragraph goes as a re-flowed copy of the two, and the whole copy
    # is left out; sport/432 keeps everything.
    _, result, index = run
    early, late = index["bbc/sport/432.txt"], index["bbc/sport/438.txt"]
    assert result.removed_in(early) == set()
    count = result.documents[late].count
    joined = result.removals[Ref(late, count - 1)]
    assert joined.detail.startswith("re-flowed") and joined.kept.doc == early
    assert (joined.kept.para, joined.kept_last) == (count - 1, count)
    assert result.dropped_articles()[late].kept_doc == early


def test_copy_with_its_last_paragraph_split_is_left_out(run):
    # sport/182 is sport/181 with its last paragraph split in two: both halves go
    # as parts of the one paragraph, and the copy is a whole-article repeat.
    _, result, index = run
    first, copy = index["bbc/sport/181.txt"], index["bbc/sport/182.txt"]
    assert result.removed_in(first) == set()
    count = result.documents[copy].count
    assert result.removed_in(copy) == set(range(count))
    for half in (count - 2, count - 1):
        removal = result.removals[Ref(copy, half)]
        assert removal.kept == Ref(first, count - 2) and removal.detail.startswith("contained")
    assert copy in result.dropped_articles()


def test_short_line_repeated_away_from_itself_is_kept(run):
    _, result, index = run
    assert removed(result, index, "sport/190") == set()


def test_repeats_never_cross_categories(run):
    _, result, _ = run
    docs = result.documents
    for ref, removal in result.removals.items():
        assert docs[ref.doc].path.split("/")[1] == docs[removal.kept.doc].path.split("/")[1]


def test_author_notes_are_content_not_boilerplate(run):
    # The BBC set has no page furniture; its recurring last lines are author
    # notes ("... is a regular commentator on ..."), which name a person: each
    # article keeps its own.
    _, result, index = run
    assert result.boilerplate == []
    for name in ("tech/090", "tech/164"):
        doc = index[f"bbc/{name}.txt"]
        last = result.documents[doc].count - 1
        assert Ref(doc, last) not in result.removals


def test_every_removal_keeps_its_twin(run):
    _, result, _ = run
    for ref, removal in result.removals.items():
        if removal.kind != "boilerplate":
            assert removal.kept not in result.removals, (ref, removal)


def test_cleaning_the_cleaned_corpus_removes_nothing(run):
    _, result, _ = run
    assert scan_texts(cleaned(result)).removals == {}


def test_the_one_latin1_file_is_read_with_its_pound_sign():
    # SOURCE.md: sport/199.txt is not UTF-8; it holds one Latin-1 byte A3 (a pound sign).
    path = ROOT / "bbc" / "sport" / "199.txt"
    if not path.is_file():
        pytest.skip("BBC corpus not found beside the repository")
    from dedup import Config, scan
    result = scan([path], Config(jobs=1))
    assert result.skipped == []
    (doc,) = result.documents
    text = "".join(p.text for p in doc.paragraphs)
    assert text.count("\u00a3") == 1
    assert all(c.isascii() or c == "\u00a3" for c in text)
    assert doc.encode("".join(doc.lines)) == path.read_bytes()


def test_decisions_on_bbc_do_not_depend_on_group_numbers_or_link_order(run):
    """On real news, renumbering the exact groups and shuffling the links
    changes no removal, no boilerplate and no article left out."""
    from conftest import decisions_renumbered
    from dedup import Config

    articles, _result, _index = run
    base, renumbered = decisions_renumbered(dict(articles), Config(), seed=7)
    assert len(base[0]) > 500 and base[2]
    assert renumbered == base


def test_no_bbc_article_is_written_empty(run):
    """A default clean of BBC writes no file without text: an article all of
    whose text stands elsewhere is left out whole (and named in the report)
    rather than written as an empty shell. The same check over SpamAssassin
    counts the bodies written empty (README, known limits); here, on news,
    there are none."""
    articles, result, _index = run
    originals = dict(articles)
    written = cleaned(result)
    assert len(written) + len(result.dropped_articles()) == len(originals)
    empty = [path for path, text in written.items()
             if not text.strip() and originals[path].strip()]
    assert result.dropped_articles() and empty == []


def test_a_mail_written_empty_repeats_several_others_never_one():
    """On SpamAssassin some bodies are written empty (README, known limits):
    each paragraph repeats some other body, but no one body holds them all.
    A body whose text all stands in one other body is a whole-article
    repeat and is left out instead, named in the report: a lone line such as
    '***** This is an HTML Message ! *****' found inside one other mail must
    not come out as an empty file."""
    from bench.corpora import spamassassin

    mails = spamassassin()
    if mails is None:
        pytest.skip("SpamAssassin corpus not found beside the repository")
    originals = dict(mails)
    result = scan_texts(originals)
    written = cleaned(result)
    twins: dict[int, set[int]] = defaultdict(set)
    for ref, removal in result.removals.items():
        twins[ref.doc].add(removal.kept.doc)
    empty = [i for i, doc in enumerate(result.documents)
             if doc.path in written and not written[doc.path].strip()
             and originals[doc.path].strip()]
    assert len(written) + len(result.dropped_articles()) == len(originals)
    assert result.dropped_articles()
    assert [result.documents[i].path for i in empty if len(twins[i] - {i}) < 2] == []
