"""A run over the real BBC News corpus (read in place; skipped when it is absent).

Facts used here come from /work/shared/corpora/bbc/SOURCE.md and from reading the
files: 98 pairs of byte-identical articles, each inside one category (e.g.
business/007 = business/253); near-duplicate pairs such as business/267 vs 365
(one word joined by a hyphen), sport/467 vs 471 (changed title) and politics/226
vs 265 (a paragraph cut short and one added); sport/190 repeats one short line
three times, never beside itself. No corpus text is copied into this file.
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


def test_truncated_copy_in_the_earlier_file_gives_way_to_the_full_paragraph(run):
    # sport/432 comes first but holds a cut version of a paragraph sport/438 has in full.
    _, result, index = run
    early, late = index["bbc/sport/432.txt"], index["bbc/sport/438.txt"]
    (ref,) = [Ref(early, p) for p in result.removed_in(early)]
    removal = result.removals[ref]
    assert (removal.kind, removal.detail) == ("near", "truncated copy")
    assert removal.kept.doc == late and removal.kept not in result.removals
    assert len(result.paragraph(removal.kept).text) > len(result.paragraph(ref).text)


def test_short_line_repeated_away_from_itself_is_kept(run):
    _, result, index = run
    assert removed(result, index, "sport/190") == set()


def test_repeats_never_cross_categories(run):
    _, result, _ = run
    docs = result.documents
    for ref, removal in result.removals.items():
        assert docs[ref.doc].path.split("/")[1] == docs[removal.kept.doc].path.split("/")[1]


def test_boilerplate_is_sign_off_lines_at_the_end_of_articles(run):
    _, result, _ = run
    assert result.boilerplate
    for group in result.boilerplate:
        assert group.files >= 5
        for ref in group.occurrences:
            assert ref.para == len(result.documents[ref.doc].paragraphs) - 1


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
