"""Whole-article repeats: one finding for a republished article, directional shares."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from dedup import Config, scan_texts
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


def test_clean_drops_the_repeated_article_only_when_asked(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    text = article("Landslide cuts off mountain villages", LEAD, *BODY)
    (src / "a.txt").write_text(text)
    (src / "b.txt").write_text(article("Villages isolated after mountain slope collapses",
                                       LEAD, *BODY))
    runner = CliRunner()
    out = runner.invoke(app, ["clean", str(src), "--write", "--out", str(tmp_path / "keep"),
                              "--report-dir", str(tmp_path / "r1")])
    assert out.exit_code == 0, out.output
    # Without the option the copy stays as a hollow shell: its new headline.
    assert (tmp_path / "keep/b.txt").read_text() == "Villages isolated after mountain slope collapses\n"
    out = runner.invoke(app, ["clean", str(src), "--write", "--out", str(tmp_path / "drop"),
                              "--report-dir", str(tmp_path / "r2"), "--drop-repeated-articles"])
    assert out.exit_code == 0, out.output
    assert sorted(p.name for p in (tmp_path / "drop").iterdir()) == ["a.txt"]
    assert (tmp_path / "drop/a.txt").read_text() == text
    report = json.loads((tmp_path / "r2/report.json").read_text())
    (entry,) = report["articles"]
    assert entry["dropped"] and entry["path"].endswith("b.txt") and entry["repeats"].endswith("a.txt")
    assert "**(dropped)**" in (tmp_path / "r2/report.md").read_text()
    assert "dropped from the cleaned corpus" in (tmp_path / "r2/report.html").read_text()
    assert "dropped from the cleaned corpus" not in (tmp_path / "r1/report.html").read_text()
    # The dry run shows the dropped article losing every line.
    dry = runner.invoke(app, ["clean", str(src), "--drop-repeated-articles"])
    assert "+++ /dev/null" in dry.output and "-Villages isolated" in dry.output


def test_drop_repeated_articles_is_refused_in_place(tmp_path):
    (tmp_path / "a.txt").write_text(article("Landslide", LEAD, *BODY))
    out = CliRunner().invoke(app, ["clean", str(tmp_path), "--in-place",
                                   "--drop-repeated-articles"])
    assert out.exit_code == 2
    assert "does not delete files in place" in out.output


def test_pair_table_sums_like_a_dictionary_across_flushes(monkeypatch):
    import random
    from collections import defaultdict

    from dedup import articles

    monkeypatch.setattr(articles._PairTable, "_FLUSH", 7)    # many flushes and merges
    rng = random.Random(3)
    table, expected = articles._PairTable(40), defaultdict(lambda: [0, 0])
    for _ in range(500):
        a, size = rng.randrange(40), rng.randrange(1, 300)
        others = {rng.randrange(40) for _ in range(rng.randrange(1, 6))}
        table.add(a, others, size)
        for b in others - {a}:
            expected[(a, b)][0] += size
            expected[(a, b)][1] += 1
    table.close()
    a, b = table.pairs()
    got = {(x, y): [c, p] for x, y, c, p in zip(a.tolist(), b.tolist(), table.chars.tolist(),
                                                   table.paras.tolist())}
    assert got == dict(expected)
    assert table.get(5, 5) == (0, 0)
    some = next(iter(expected))
    assert table.get(*some) == tuple(expected[some])
    chars, paras = table.lookup(table.keys[:3])
    assert chars.tolist() == table.chars[:3].tolist() and paras.tolist() == table.paras[:3].tolist()
