"""Whole-article repeats: one finding for a republished article, directional shares."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from dedup import Config, cleaned, scan_texts
from dedup.cli import app

LEAD = ("Rescue teams worked through the night to reach villages cut off by the landslide, "
        "the regional governor said on Sunday, adding that roads would stay closed for days.")
BODY = ("Engineers from the national railway company said the main line through the valley "
        "had been buried under several metres of mud and rock and could not be cleared quickly.",
        "Schools in the district will remain closed until the end of the week while buildings "
        "are inspected, and families have been offered places in temporary shelters nearby.",
        "Farmers said the loss of the mountain pastures would be felt for years, because the "
        "herds that graze there in summer now have nowhere to go when the snow melts.")
CASUALTIES = "At least 12 people were killed and 40 injured, officials said in a statement."


def article(title: str, *paragraphs: str) -> str:
    return "\n\n".join((title, *paragraphs)) + "\n"


def relations(result):
    docs = result.documents
    return {(docs[a.doc].path, docs[a.kept_doc].path, a.relation) for a in result.articles}


def test_identical_article_is_one_finding_against_the_first():
    text = article("Landslide cuts off mountain villages", LEAD, *BODY)
    result = scan_texts({"a.txt": text, "b.txt": text})
    assert relations(result) == {("b.txt", "a.txt", "repeat")}
    (item,) = result.articles
    assert (item.share, item.paragraphs, item.total) == (1.0, 5, 5)


def test_same_article_with_a_new_headline_still_repeats():
    result = scan_texts({"a.txt": article("Landslide cuts off mountain villages", LEAD, *BODY),
                         "b.txt": article("Villages isolated after mountain slope collapses",
                                          LEAD, *BODY)})
    assert relations(result) == {("b.txt", "a.txt", "repeat")}
    (item,) = result.articles
    assert 0.8 <= item.share < 1.0 and item.paragraphs == 4


def test_short_article_inside_a_long_one_repeats_it_and_not_the_reverse():
    long_text = article("Landslide cuts off mountain villages", LEAD, *BODY)
    short_text = article(LEAD, BODY[0])
    # The short one comes first in path order, yet it is the one given up.
    result = scan_texts({"a_short.txt": short_text, "b_long.txt": long_text})
    assert relations(result) == {("a_short.txt", "b_long.txt", "repeat")}


def test_correction_with_changed_numbers_is_an_update_not_a_repeat():
    first = article("Landslide cuts off mountain villages", LEAD, CASUALTIES, *BODY)
    corrected = article("Landslide cuts off mountain villages", LEAD,
                        CASUALTIES.replace("12", "15").replace("40", "52"), *BODY)
    result = scan_texts({"a.txt": first, "b.txt": corrected},
                        Config(article_threshold=0.9))
    assert relations(result) == {("b.txt", "a.txt", "update")}
    (item,) = result.articles
    assert item.changed == 1
    # The changed paragraph stays in the update; the rest are paragraph repeats.
    removed = {(result.documents[r.doc].path, r.para) for r in result.removals}
    assert ("b.txt", 2) not in removed


def test_two_articles_on_the_same_topic_are_not_related():
    other = article("Landslide toll rises as rescuers dig",
                    "Rescuers digging through mud in the valley found more victims overnight, "
                    "as the army sent heavy equipment to help clear the blocked road.",
                    "The prime minister is expected to visit the area on Tuesday and has "
                    "promised emergency funds for families who lost their homes.")
    result = scan_texts({"a.txt": article("Landslide cuts off mountain villages", LEAD, *BODY),
                         "b.txt": other})
    assert result.articles == []


def test_scan_lists_the_article_first_and_hides_the_paragraphs_it_explains(tmp_path):
    text = article("Landslide cuts off mountain villages", LEAD, *BODY)
    (tmp_path / "a.txt").write_text(text)
    (tmp_path / "b.txt").write_text(text)
    runner = CliRunner()
    out = runner.invoke(app, ["scan", str(tmp_path)])
    assert out.exit_code == 0, out.output
    lines = out.output.splitlines()
    assert lines[0] == "Articles:"
    assert "b.txt repeats" in lines[1] and "100% of its text, 5 of 5 paragraphs" in lines[1]
    assert not any("lines 1-9 repeat" in line for line in lines)
    data = json.loads(runner.invoke(app, ["scan", str(tmp_path), "--format", "json"]).output)
    (entry,) = data["articles"]
    assert entry["relation"] == "repeat" and entry["share"] == 1.0
    assert entry["path"].endswith("b.txt") and entry["repeats"].endswith("a.txt")
    assert all(f["in_article_repeat"] for f in data["files"][0]["findings"])


def test_clean_leaves_the_repeated_article_out_unless_asked_to_keep_it(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    text = article("Landslide cuts off mountain villages", LEAD, *BODY)
    (src / "a.txt").write_text(text)
    (src / "b.txt").write_text(article("Villages isolated after mountain slope collapses",
                                       LEAD, *BODY))
    runner = CliRunner()
    # By default the copy is left out: nothing but its new headline would remain.
    out = runner.invoke(app, ["clean", str(src), "--write", "--out", str(tmp_path / "drop"),
                              "--report-dir", str(tmp_path / "r2")])
    assert out.exit_code == 0, out.output
    assert sorted(p.name for p in (tmp_path / "drop").iterdir()) == [".dedup-output", "a.txt"]
    assert (tmp_path / "drop/a.txt").read_text() == text
    report = json.loads((tmp_path / "r2/report.json").read_text())
    (entry,) = report["articles"]
    assert entry["dropped"] and entry["path"].endswith("b.txt") and entry["repeats"].endswith("a.txt")
    assert "**(dropped)**" in (tmp_path / "r2/report.md").read_text()
    assert "dropped from the cleaned corpus" in (tmp_path / "r2/report.html").read_text()
    # --keep-repeated-articles writes what remains of it: its new headline.
    out = runner.invoke(app, ["clean", str(src), "--write", "--out", str(tmp_path / "keep"),
                              "--report-dir", str(tmp_path / "r1"), "--keep-repeated-articles"])
    assert out.exit_code == 0, out.output
    assert (tmp_path / "keep/b.txt").read_text() == "Villages isolated after mountain slope collapses\n"
    assert "dropped from the cleaned corpus" not in (tmp_path / "r1/report.html").read_text()
    # The dry run shows the dropped article losing every line.
    dry = runner.invoke(app, ["clean", str(src)])
    assert "+++ /dev/null" in dry.output and "-Villages isolated" in dry.output


def test_an_article_with_a_paragraph_of_its_own_is_written_with_it(tmp_path):
    # A repeat of a kept article, but one paragraph is its own: it is not left out,
    # and that paragraph is written (nothing of its own is lost).
    own = ("Residents of the upper valley said they had been warned of the slope's movement "
           "two years ago, but that no survey had followed the council's promises.")
    texts = {"a.txt": article("Landslide cuts off mountain villages", LEAD, *BODY),
             "b.txt": article("Villages isolated after mountain slope collapses", LEAD, *BODY, own)}
    result = scan_texts(texts, Config(jobs=1, article_threshold=0.7))
    assert [a.relation for a in result.articles] == ["repeat"]
    assert result.dropped_articles() == {}
    assert cleaned(result)["b.txt"].rstrip("\n").endswith(own)


def test_in_place_never_deletes_a_file(tmp_path):
    (tmp_path / "a.txt").write_text(article("Landslide", LEAD, *BODY))
    (tmp_path / "b.txt").write_text(article("Villages cut off", LEAD, *BODY))
    out = CliRunner().invoke(app, ["clean", str(tmp_path), "--in-place",
                                   "--drop-repeated-articles"])
    assert out.exit_code == 2
    assert "--in-place never deletes a file" in out.output
    out = CliRunner().invoke(app, ["clean", str(tmp_path), "--in-place", "--quiet",
                                   "--report-dir", str(tmp_path.parent / "rep")])
    assert out.exit_code == 0, out.output
    # The repeat is rewritten to what remains of it, never deleted.
    assert (tmp_path / "b.txt").read_text() == "Villages cut off\n"
    assert (tmp_path / "b.txt.orig").exists()


def _pair_tables_by_sets(facts, doc_of, members, links, updates, boiler, limit):
    """The article module's definition of the pair tables, one sentence and one
    set of files at a time: a sentence of a stands in b when b holds its
    paragraph's group or a group linked to it, or the same sentence (a group
    or sentence in more than ``limit`` files says nothing); "changed" text
    stands in b only through a changed-number link."""
    from collections import defaultdict

    n = len(doc_of)
    group_of = {f: g for g, flats in enumerate(members) for f in flats}
    content = [group_of[f] not in boiler for f in range(n)]
    sentences = []                                  # (paragraph, key, length)
    at = 0
    for flat in range(n):
        for k in range(int(facts.sentences[flat])):
            sentences.append((flat, int(facts.sentence_key[at]), int(facts.sentence_length[at])))
            at += 1
    key_files = defaultdict(set)
    for flat, key, _ in sentences:
        if content[flat]:
            key_files[key].add(doc_of[flat])

    def files(g):
        return {doc_of[f] for f in members[g]}

    partners, moved = {}, {}
    for g in range(len(members)):
        linked, updated = links.get(g, ()), updates.get(g, ())
        if g in boiler or (len(members[g]) == 1 and not linked and not updated):
            partners[g] = moved[g] = set()
            continue
        partners[g] = files(g).union(*(files(link.other) for link in linked))
        if len(partners[g]) > limit:
            partners[g] = moved[g] = set()
            continue
        moved[g] = set().union(*(files(other) for other in updated)) - partners[g]
    same, changed = defaultdict(lambda: [0, set()]), defaultdict(lambda: [0, set()])
    for flat, key, length in sentences:
        if not content[flat]:
            continue
        a, g = doc_of[flat], group_of[flat]
        by_key = key_files[key] if len(key_files[key]) <= limit else set()
        here = (partners[g] | by_key) - {a}
        for b in here:
            same[(a, b)][0] += length
            same[(a, b)][1].add(flat)
        for b in moved[g] - here - {a}:
            changed[(a, b)][0] += length
            changed[(a, b)][1].add(flat)
    return ({k: [c, len(p)] for k, (c, p) in same.items()},
            {k: [c, len(p)] for k, (c, p) in changed.items()})


def test_pair_tables_match_their_definition_by_sets(monkeypatch):
    import random

    import numpy as np

    from dedup.decisions import articles
    from dedup.arrays import Relations
    from dedup.verification.pairs import Link
    from dedup.text.facts import Facts, Layout

    monkeypatch.setattr(articles, "_UNITS_CHUNK", 7)      # many chunks, merged several times
    rng = random.Random(3)
    n_docs, n_flats = 90, 1500
    doc_of = sorted(rng.randrange(n_docs) for _ in range(n_flats))
    group_of = [rng.randrange(400) for _ in range(n_flats)]
    wide = rng.sample(range(n_flats), 200)                # a footer in more than 64 files
    for flat in wide:
        group_of[flat] = 400
    group_ids = sorted(set(group_of))
    group_of = [group_ids.index(g) for g in group_of]      # numbered 0 .. n - 1, as exact groups are
    members = [[] for _ in group_ids]
    for flat, g in enumerate(group_of):
        members[g].append(flat)
    n_groups = len(members)
    links = {g: [Link(rng.randrange(n_groups), 90.0, True, False, "")
                 for _ in range(rng.randrange(1, 4))]
             for g in rng.sample(range(n_groups), 60)}
    updates = {g: [rng.randrange(n_groups) for _ in range(rng.randrange(1, 3))]
               for g in rng.sample(range(n_groups), 40)}
    boiler = set(rng.sample(range(n_groups), 10))
    # Sentences: the same text has the same sentences; some sentences recur in
    # other texts (a shared sentence), one in very many (a common phrase).
    group_sentences = {g: [rng.randrange(3000) if rng.random() < 0.8 else rng.randrange(40)
                           for _ in range(rng.randrange(1, 4))] for g in range(n_groups)}
    group_sentences[0] = [7777] * 2
    counts = np.array([len(group_sentences[g]) for g in group_of], dtype=np.int32)
    keys = np.array([k for g in group_of for k in group_sentences[g]], dtype=np.uint64)
    lengths = np.array([1 + int(k) % 97 for k in keys], dtype=np.int32)
    n = n_flats
    facts = Facts(np.zeros(n, np.uint64), np.zeros(n, np.uint64),
                  np.zeros(n, np.int32), np.ones(n, np.int32), np.zeros(n, bool),
                  np.zeros(n, bool), np.zeros(n, bool), np.zeros(n, np.uint8), counts, keys,
                  lengths)
    start = np.searchsorted(np.array(doc_of), np.arange(n_docs + 1))
    layout = Layout(facts, np.array(doc_of, dtype=np.int32), start.astype(np.int64),
                    [f"{d}.txt" for d in range(n_docs)])
    tables = articles._pair_tables(layout, np.array(group_of), members, boiler,
                                   Relations.of(links, updates))
    want_same, want_changed = _pair_tables_by_sets(facts, doc_of, members, links, updates,
                                                   boiler, articles._MAX_GROUP_FILES)
    for table, want in ((tables.same, want_same), (tables.changed, want_changed)):
        a, b = table.pairs()
        got = {(x, y): [c, p] for x, y, c, p in zip(a.tolist(), b.tolist(),
                                                     table.chars.tolist(), table.paras.tolist())}
        assert got == want
    assert want_same and want_changed
    # The limit on files per group is exercised.
    assert len({doc_of[f] for f in members[group_of[wide[0]]]}) > articles._MAX_GROUP_FILES
    same = tables.same
    some = next(iter(want_same))
    assert same.get(*some) == tuple(want_same[some])
    assert same.get(5, 5) == (0, 0)
    chars, paras = same.lookup(same.keys[:3])
    assert chars.tolist() == same.chars[:3].tolist() and paras.tolist() == same.paras[:3].tolist()
    assert same.holds(same.keys).all() and not same.holds(np.array([-1])).any()


def test_unique_sorted_is_numpys_unique():
    import numpy as np

    from dedup.arrays import unique_sorted

    rng = np.random.default_rng(5)
    for size in (0, 1, 2, 7, 5000):
        values = rng.integers(-20, 60, size=size)
        assert unique_sorted(values).tolist() == np.unique(values).tolist()
