"""Which copy is kept, what each removal points at, and that the answer never depends on
how the run was done (jobs, the order paths are given in, hash seeds)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from dedup.verification import pairs as pairs_module
from dedup import compiled as switch
from dedup import Config, Ref, scan, scan_texts
from dedup import api as api_module
from dedup.input import corpus as corpus_module
from dedup.decisions import detect as detect_module
from dedup import runtime

from conftest import FILLER, decisions_renumbered, make_article  # noqa: E402

QUAKE = ("Rescue teams in the northern province pulled 14 survivors from the rubble of a "
         "collapsed apartment block on Thursday, while officials said at least 37 people were "
         "still missing after the overnight earthquake.")
# A ~ B and B ~ C are near repeats (ratio >= 90); A and C are not (ratio < 90).
CHAIN_A = ("The Dunmore harbour authority said the new breakwater would protect the fishing "
           "fleet from winter storms and allow larger cargo vessels to dock safely at the "
           "eastern quay without waiting for the tide.")
CHAIN_B = ("The Dunmore harbour authority said on Tuesday that the new breakwater would now "
           "protect the fishing fleet from winter storms and also allow larger cargo vessels to "
           "dock safely at the eastern quay without waiting for the tide.")
CHAIN_C = ("The Dunmore harbour authority said on Tuesday that the new breakwater would now "
           "protect the fishing fleet from the winter storms this year and would also allow the "
           "larger cargo vessels to dock safely at the eastern quay without having to wait for "
           "the tide.")


@pytest.fixture
def h(h):
    """The helpers, scanning with Config.near_context off: these tests are
    about keep order and chains of near copies across files of different
    stories, where near copies otherwise go only in context."""
    from conftest import run_scan

    class Loose(h):
        scan = staticmethod(lambda texts, **settings: run_scan(
            texts, **{"near_context": False, **settings}))
    return Loose


def assert_kept_twins_are_kept(result):
    """Every removal points at a paragraph that stays (boilerplate 'remove' aside)."""
    for ref, removal in result.removals.items():
        assert removal.removed == ref
        if removal.kind != "boilerplate":
            assert removal.kept not in result.removals, (ref, removal)
        assert removal.kind in ("exact", "near", "boilerplate")
        assert 0 < removal.score <= 100


# --- keep first -------------------------------------------------------------------------

def test_first_file_in_sorted_path_order_keeps_its_copy(h):
    # given in reverse order: sorting decides, not the order of the mapping
    texts = {"b.txt": h.article(h.filler[0], QUAKE), "a.txt": h.article(h.filler[1], QUAKE)}
    result = h.scan(texts)
    assert h.removed(result) == {("b.txt", 1): ("a.txt", 1, "exact")}


def test_sorted_path_order_uses_the_whole_path(h):
    texts = {"z/a.txt": h.article(h.filler[0], QUAKE), "a/z.txt": h.article(h.filler[1], QUAKE)}
    assert h.removed(h.scan(texts)) == {("z/a.txt", 1): ("a/z.txt", 1, "exact")}


def test_within_a_file_the_first_occurrence_is_kept(h):
    text = h.article(QUAKE, h.filler[0], h.filler[1], QUAKE, h.filler[2])
    assert h.removed(h.scan({"a.txt": text})) == {("a.txt", 3): ("a.txt", 0, "exact")}


def test_three_copies_all_point_at_the_first(h):
    texts = {name: h.article(h.filler[i], QUAKE) for i, name in enumerate(["c.txt", "a.txt",
                                                                           "b.txt"])}
    assert h.removed(h.scan(texts)) == {("b.txt", 1): ("a.txt", 1, "exact"),
                                        ("c.txt", 1): ("a.txt", 1, "exact")}


# --- keep longest -----------------------------------------------------------------------

def test_keep_longest_keeps_the_longer_near_copy_even_when_later(h):
    texts = {"a.txt": h.article(h.filler[0], CHAIN_A), "b.txt": h.article(h.filler[1], CHAIN_B)}
    assert h.removed(h.scan(texts)) == {("b.txt", 1): ("a.txt", 1, "near")}
    assert h.removed(h.scan(texts, keep="longest")) == {("a.txt", 1): ("b.txt", 1, "near")}


def test_keep_longest_ties_are_broken_by_path(h):
    texts = {"b.txt": h.article(h.filler[0], QUAKE), "a.txt": h.article(h.filler[1], QUAKE)}
    assert h.removed(h.scan(texts, keep="longest")) == {("b.txt", 1): ("a.txt", 1, "exact")}


# --- keep priority ----------------------------------------------------------------------

def test_keep_priority_keeps_the_trusted_folder_first(h):
    texts = {"local/a.txt": h.article(h.filler[0], QUAKE),
             "wire/b.txt": h.article(h.filler[1], QUAKE)}
    assert h.removed(h.scan(texts)) == {("wire/b.txt", 1): ("local/a.txt", 1, "exact")}
    assert h.removed(h.scan(texts, keep_priority=("wire",))) == {
        ("local/a.txt", 1): ("wire/b.txt", 1, "exact")}


def test_keep_priority_follows_the_order_of_the_list(h):
    texts = {"agency/a.txt": h.article(h.filler[0], QUAKE),
             "blog/a.txt": h.article(h.filler[1], QUAKE),
             "wire/a.txt": h.article(h.filler[2], QUAKE)}
    result = h.scan(texts, keep_priority=("wire", "agency"))
    assert h.removed(result) == {("agency/a.txt", 1): ("wire/a.txt", 1, "exact"),
                                 ("blog/a.txt", 1): ("wire/a.txt", 1, "exact")}


def test_keep_priority_with_keep_longest_prefers_length(h):
    texts = {"local/a.txt": h.article(h.filler[0], CHAIN_B),
             "wire/a.txt": h.article(h.filler[1], CHAIN_A)}
    result = h.scan(texts, keep="longest", keep_priority=("wire",))
    assert h.removed(result) == {("wire/a.txt", 1): ("local/a.txt", 1, "near")}


# --- matches do not chain ---------------------------------------------------------------

def test_fuzzy_matches_do_not_chain(h):
    texts = {"a.txt": h.article(h.filler[0], CHAIN_A), "b.txt": h.article(h.filler[1], CHAIN_B),
             "c.txt": h.article(h.filler[2], CHAIN_C)}
    # A kept, B removed as a near repeat of A, C only resembles the removed B: kept.
    result = h.scan(texts)
    assert h.removed(result) == {("b.txt", 1): ("a.txt", 1, "near")}
    assert_kept_twins_are_kept(result)


def test_middle_paragraph_kept_first_absorbs_both_neighbours(h):
    texts = {"a.txt": h.article(h.filler[0], CHAIN_B), "b.txt": h.article(h.filler[1], CHAIN_A),
             "c.txt": h.article(h.filler[2], CHAIN_C)}
    result = h.scan(texts)
    assert h.removed(result) == {("b.txt", 1): ("a.txt", 1, "near"),
                                 ("c.txt", 1): ("a.txt", 1, "near")}


# --- truncated copies -------------------------------------------------------------------

# A paragraph whose end states no number, name or date of its own, and a cut
# of it: a truncated copy that loses nothing but words, wherever it stands.
FULL = ("Shareholders at the annual meeting complained that the board had ignored their "
        "concerns about rising costs, and several of them asked why the chairman had not "
        "answered their letters before the vote was taken.")
CUT = FULL[:int(len(FULL) * 0.7)]


@pytest.mark.parametrize("keep", ["first", "longest"])
def test_truncated_copy_is_removed_even_when_it_comes_first(h, keep):
    texts = {"a.txt": h.article(h.filler[0], CUT), "b.txt": h.article(h.filler[1], FULL)}
    result = h.scan(texts, keep=keep)
    assert h.removed(result) == {("a.txt", 1): ("b.txt", 1, "near")}
    assert result.removals[Ref(0, 1)].detail == "truncated copy"


def test_truncated_copy_is_removed_when_it_comes_second(h):
    texts = {"a.txt": h.article(h.filler[0], FULL), "b.txt": h.article(h.filler[1], CUT)}
    assert h.removed(h.scan(texts)) == {("b.txt", 1): ("a.txt", 1, "near")}


def test_truncated_copy_that_is_itself_copied_is_still_removed(h):
    # Two copies of the cut version before the full one: the full version is kept,
    # both cut copies go (the longer version is always the one kept).
    texts = {"a.txt": h.article(h.filler[0], CUT), "b.txt": h.article(h.filler[1], CUT),
             "c.txt": h.article(h.filler[2], FULL)}
    result = h.scan(texts)
    assert set(h.removed(result)) == {("a.txt", 1), ("b.txt", 1)}
    assert_kept_twins_are_kept(result)


QUAKE_CUT = QUAKE[:int(len(QUAKE) * 0.7)]       # stops before "at least 37 people ..."


def test_truncated_copy_in_another_story_is_kept_when_the_full_one_goes_on_with_facts(h):
    # The full paragraph goes on with a number the cut lacks ("37 people"): the cut
    # may be the same opening about another quake, so in an unrelated story it stays.
    texts = {"a.txt": h.article(h.filler[0], QUAKE), "b.txt": h.article(h.filler[1], QUAKE_CUT)}
    assert h.removed(h.scan(texts)) == {}


def test_truncated_copy_in_a_republished_story_goes(h):
    # The same story republished, its paragraph cut short: the cut goes.
    texts = {"a.txt": h.article("Quake Toll Rises", h.filler[0], QUAKE, h.filler[1]),
             "b.txt": h.article("Quake Toll Rises", h.filler[0], QUAKE_CUT, h.filler[1])}
    removed = h.removed(h.scan(texts, drop_repeated_articles=False))
    assert removed[("b.txt", 2)] == ("a.txt", 2, "near")


def test_every_removal_records_kept_paragraph_score_and_kind(h):
    texts = {"a.txt": h.article(h.filler[0], QUAKE, CHAIN_A),
             "b.txt": h.article(h.filler[1], QUAKE, CHAIN_B)}
    result = h.scan(texts)
    got = {(r.removed, r.kept, r.kind, r.score == 100.0) for r in result.removals.values()}
    assert got == {(Ref(1, 1), Ref(0, 1), "exact", True), (Ref(1, 2), Ref(0, 2), "near", False)}
    near = result.removals[Ref(1, 2)]
    assert 90 <= near.score < 100


# --- boilerplate policies ---------------------------------------------------------------

LINE = "Follow us for more local news."


def boiler_texts(h, files=5):
    return {f"{i}.txt": h.article(h.filler[i], LINE) for i in range(files)}


def test_boilerplate_remove_removes_every_occurrence(h):
    result = h.scan(boiler_texts(h))
    assert h.removed(result) == {(f"{i}.txt", 1): ("0.txt", 1, "boilerplate") for i in range(5)}
    assert result.removals[Ref(3, 1)].detail == "boilerplate in 5 files"


def test_boilerplate_keep_first_keeps_the_first_occurrence(h):
    result = h.scan(boiler_texts(h), boilerplate="keep-first")
    assert h.removed(result) == {(f"{i}.txt", 1): ("0.txt", 1, "boilerplate")
                                 for i in range(1, 5)}
    assert result.boilerplate[0].removed == 4
    assert_kept_twins_are_kept(result)


def test_boilerplate_keep_only_reports(h):
    result = h.scan(boiler_texts(h), boilerplate="keep")
    assert h.removed(result) == {}
    (boiler,) = result.boilerplate
    assert (boiler.text, boiler.files, boiler.removed) == (LINE, 5, 0)
    assert [(r.doc, r.para) for r in boiler.occurrences] == [(i, 1) for i in range(5)]


def test_boilerplate_min_files_setting(h):
    assert h.removed(h.scan(boiler_texts(h, 3))) == {}
    result = h.scan(boiler_texts(h, 3), boilerplate_min_files=3)
    assert set(h.removed(result)) == {(f"{i}.txt", 1) for i in range(3)}


def test_boilerplate_keep_first_follows_keep_priority(h):
    texts = {f"local/{i}.txt": h.article(h.filler[i], LINE) for i in range(4)}
    texts["wire/x.txt"] = h.article(h.filler[5], LINE)
    result = h.scan(texts, boilerplate="keep-first", keep_priority=("wire",))
    assert set(h.removed(result)) == {(f"local/{i}.txt", 1) for i in range(4)}


def test_long_line_in_many_files_is_a_copied_paragraph_not_boilerplate(h):
    texts = {f"{i}.txt": h.article(h.filler[i], QUAKE) for i in range(6)}
    result = h.scan(texts)
    assert result.boilerplate == []
    assert h.removed(result) == {(f"{i}.txt", 1): ("0.txt", 1, "exact") for i in range(1, 6)}


# --- determinism ------------------------------------------------------------------------

FIRST = "Ann Bo Cy Di Ed Flo Gus Hal Ivy Jo Kit Lou".split()
LAST = "Abbot Bell Cole Dunn Eyre Frost Gale Hart Irwin Judd Kemp Lowe".split()


def write_corpus(folder: Path, h, files: int = 140) -> Path:
    """More files than one worker task holds, with exact, near, truncated and boilerplate
    repeats spread over sub-folders."""
    f = h.filler
    for i in range(files):
        parts = [f"Report number {i} from the county desk", f[i % 10]]
        if i % 3 == 0:
            parts.append(QUAKE)
        if i % 7 == 1:
            parts.append(QUAKE.replace("survivors", "survivers"))
        if i % 11 == 2:
            parts.append(QUAKE[:150])
        if i % 5 == 0:
            parts += [CHAIN_A, CHAIN_B, CHAIN_C][i % 3:i % 3 + 1]
        parts.append(f[(i * 7 + 3) % 10])
        # a sign-off of its own beside the footer: furniture stands beside unrepeated text
        parts.append(f"By {FIRST[i % 12]} {LAST[i // 12]}")
        parts.append(LINE)
        target = folder / f"desk{i % 4}" / f"{i:03d}.txt"
        target.parent.mkdir(parents=True, exist_ok=True)
        newline = "\r\n" if i % 2 else "\n"
        target.write_bytes(h.article(*parts, newline=newline).encode("utf-8"))
    return folder


def outcome(result) -> tuple:
    docs = result.documents
    removals = sorted((docs[r.removed.doc].path, r.removed.para, docs[r.kept.doc].path,
                       r.kept.para, r.kind, r.score, r.detail) for r in result.removals.values())
    findings = [(docs[f.doc].path, f.first, f.last, f.kind, docs[f.kept_doc].path,
                 f.kept_first, f.kept_last, f.score) for f in result.findings]
    boiler = [(b.text, b.files, b.removed) for b in result.boilerplate]
    return [d.path for d in docs], removals, findings, boiler


@pytest.fixture
def corpus_dir(tmp_path, monkeypatch, h):
    monkeypatch.chdir(tmp_path)
    write_corpus(tmp_path / "news", h)
    return Path("news")


def test_determinism_corpus_has_all_kinds(corpus_dir):
    result = scan([corpus_dir], Config(jobs=1, near_context=False))
    kinds = {r.kind for r in result.removals.values()}
    details = {r.detail for r in result.removals.values()}
    assert kinds == {"exact", "near", "boilerplate"}
    assert "truncated copy" in details
    assert len(result.documents) == 140


def test_same_result_with_one_or_two_jobs(corpus_dir, monkeypatch):
    one = scan([corpus_dir], Config(jobs=1))
    # Small tasks, so that this corpus is read and verified by both processes.
    monkeypatch.setattr(corpus_module, "_files_per_task", lambda count, workers: 8)
    monkeypatch.setattr(pairs_module, "_JUDGED_PER_TASK", 4)
    two = scan([corpus_dir], Config(jobs=2))
    assert one.stats["scored"] >= 2 * 4 * 2
    assert outcome(one) == outcome(two)
    assert one.removals
    api_module.write_cleaned(one, [corpus_dir], Path("out1"))
    api_module.write_cleaned(two, [corpus_dir], Path("out2"))
    written = sorted(p.relative_to("out1") for p in Path("out1").rglob("*.txt"))
    assert len(written) == 140
    assert written == sorted(p.relative_to("out2") for p in Path("out2").rglob("*.txt"))
    assert all((Path("out1") / p).read_bytes() == (Path("out2") / p).read_bytes()
               for p in written)


def test_same_result_whatever_order_paths_are_given_in(corpus_dir):
    folders = sorted(corpus_dir.iterdir())
    forward = scan(folders, Config(jobs=1))
    backward = scan(list(reversed(folders)), Config(jobs=1))
    files = sorted(corpus_dir.rglob("*.txt"), reverse=True)
    one_by_one = scan(files, Config(jobs=1))
    assert outcome(forward) == outcome(backward) == outcome(one_by_one)
    assert outcome(forward) == outcome(scan([corpus_dir], Config(jobs=1)))


def test_same_file_given_twice_is_read_once(corpus_dir):
    file = next(corpus_dir.rglob("*.txt"))
    result = scan([file, corpus_dir, file], Config(jobs=1))
    assert len(result.documents) == 140


def test_same_result_whatever_the_hash_seed(corpus_dir):
    outputs = []
    for seed in ("0", "1", "4242"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run([sys.executable, "-m", "dedup", "scan", str(corpus_dir),
                               "--format", "json", "--jobs", "1"],
                              capture_output=True, env=env, check=True)
        outputs.append(json.loads(done.stdout))
    assert outputs[0]["summary"]["removed"] > 0
    assert outputs[0] == outputs[1] == outputs[2]


def test_collector_is_paused_inside_the_block_and_restored_after_it():
    import gc
    was = gc.isenabled()
    try:
        gc.enable()
        with pytest.raises(ValueError):
            with runtime.collector_paused():
                assert not gc.isenabled()
                raise ValueError("a failure inside the block")
        assert gc.isenabled()
        gc.disable()
        with runtime.collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()       # left off when it was off before
    finally:
        (gc.enable if was else gc.disable)()


def test_what_a_paused_block_made_is_old_after_it_and_still_collected():
    """Objects made in the block leave it in the oldest generation, so the
    next young collection does not walk them all; cycles among them are
    still found by a full collection."""
    import gc
    was = gc.isenabled()
    try:
        gc.enable()
        gc.collect()                # every generation's count back to 0
        with runtime.collector_paused():
            made = [[i] for i in range(5000)]
            cycle = [None]
            cycle[0] = cycle
        assert gc.isenabled() and gc.get_freeze_count() == 0
        young = {id(o) for o in gc.get_objects(generation=0)}
        old = {id(o) for o in gc.get_objects(generation=2)}
        assert not any(id(o) in young for o in made) and all(id(o) in old for o in made)
        del cycle
        assert gc.collect() >= 1
    finally:
        (gc.enable if was else gc.disable)()


@pytest.mark.skipif(runtime._set_madvise_hugepage is None,
                    reason="this numpy has no huge page setting")
def test_huge_pages_are_off_inside_the_block_and_restored_after_it(monkeypatch):
    setting = runtime._set_madvise_hugepage

    def current() -> bool:
        value = setting(True)           # returns the setting it replaces
        setting(value)
        return value

    monkeypatch.delenv("NUMPY_MADVISE_HUGEPAGE", raising=False)
    was = current()
    try:
        for before in (True, False):
            setting(before)
            with pytest.raises(ValueError):
                with runtime.ordinary_pages():
                    assert current() is False
                    raise ValueError("a failure inside the block")
            assert current() is before
        # The user's own choice is left alone.
        setting(True)
        monkeypatch.setenv("NUMPY_MADVISE_HUGEPAGE", "1")
        with runtime.ordinary_pages():
            assert current() is True
    finally:
        setting(was)


def _boilerplate_by_loops(members, group_of, corpus, cfg, links, updates, removed):
    from dedup.text.sentences import is_furniture

    """The boilerplate rule as its docstring states it, one group and one
    occurrence at a time (the engine takes every test for all paragraphs at once)."""
    facts, starts = corpus.facts, corpus.start

    def remaining(flat, doc):                 # paragraphs that remain before and after it
        return (sum(p not in removed for p in range(starts[doc], flat)),
                sum(p not in removed for p in range(flat + 1, starts[doc + 1])))

    candidates = {}
    for g, flats in enumerate(members):
        flats = [f for f in flats if f not in removed]
        if len(flats) < cfg.boilerplate_min_files or not flats:
            continue
        words = int(facts.words[flats[0]])
        if words > cfg.boilerplate_max_words or not is_furniture(corpus.norms[flats[0]]):
            continue
        docs = [int(corpus.doc_of[f]) for f in flats]
        if len(set(docs)) < cfg.boilerplate_min_files:
            continue
        if cfg.boilerplate_edge > 0:
            near_end = sum(min(remaining(f, d)) < cfg.boilerplate_edge for f, d in zip(flats, docs))
            if 2 * near_end < len(flats):
                continue
        candidates[g] = flats

    def alive(g):
        return sum(f not in removed for f in members[g])

    def repeats(g):
        return (alive(g) > 1 or any(alive(link.other) for link in links.get(g, ()))
                or any(alive(other) for other in updates.get(g, ())))

    out = set()
    for g, flats in candidates.items():
        beside = 0
        for flat in flats:
            doc = int(corpus.doc_of[flat])
            before, after = remaining(flat, doc)
            step = 1 if before <= after else -1
            near = flat + step
            while (starts[doc] <= near < starts[doc + 1]
                   and (group_of[near] in candidates or near in removed)):
                near += step
            beside += bool(starts[doc] <= near < starts[doc + 1] and repeats(group_of[near]))
        if 2 * beside < len(flats):
            out.add(g)
    return out


def test_boilerplate_rule_matches_its_definition_by_loops(h):
    """Random files of short lines (some furniture, some in capitals, some with
    a digit) and long ones, random near links and changed-number links, judged
    on the text as it stands and with random paragraphs removed."""
    import random

    from dedup.arrays import Relations
    from dedup.input.corpus import corpus_from_texts
    from dedup.decisions.detect import boilerplate_groups
    from dedup.verification.pairs import Link
    from dedup.text.facts import exact_groups

    rng = random.Random(11)
    shorts = ([f"Short line number {w}" for w in ("one", "two", "three", "four", "five")]
              + ["SHARE THIS STORY NOW", "Share", "Updated at 5 pm", "Read more", "Comments",
                 "Copyright 2005 the paper", "Sign up for our newsletter"])
    texts = {}
    for i in range(120):
        body = [f"Paragraph {k} of story {i}. {h.filler[(i + k) % 10]}"    # in this file only
                for k in range(rng.randrange(1, 5))]
        # a paragraph in exactly two files, and short lines at the ends or inside
        shared = f"Shared by two files, {i // 2}. {h.filler[i // 2 % 10]}"
        if i < 40:      # a wire story's title over its reused body: content, not furniture
            body[:0] = ["From the wire desk", shared]
        else:
            body.insert(rng.randrange(len(body) + 1), shared)
        for _ in range(rng.randrange(4)):
            body.insert(rng.choice((0, len(body), rng.randrange(len(body) + 1))), rng.choice(shorts))
        texts[f"{i:03d}.txt"] = h.article(*body)
    found = 0
    for settings in ({}, {"boilerplate_edge": 0}, {"boilerplate_min_files": 2, "boilerplate_edge": 1},
                     {"boilerplate_max_words": 2}):
        cfg = Config(**settings)
        corpus = corpus_from_texts(texts, cfg)
        group_of, members = exact_groups(corpus.facts)
        group_of = group_of.tolist()
        n_groups = len(members)
        links = {g: [Link(rng.randrange(n_groups), 90.0, True, False, "")]
                 for g in rng.sample(range(n_groups), n_groups // 10)}
        updates = {g: [rng.randrange(n_groups)] for g in rng.sample(range(n_groups), n_groups // 10)}
        for share in (0.0, 0.2, 0.5):
            removed = {f for f in range(len(group_of)) if rng.random() < share}
            want = _boilerplate_by_loops(members, group_of, corpus, cfg, links, updates, removed)
            assert boilerplate_groups(members, group_of, corpus, cfg,
                                      Relations.of(links, updates), removed) == want, \
                (settings, share)
            found += len(want)
    assert found > 0


def _findings_by_loop(by_ref):
    """Runs of removals, one removal at a time: the definition findings_of follows."""
    from dedup.model import BLOCK, BOILERPLATE, Finding
    findings, run = [], []

    def flush():
        if run:
            first, last = run[0], run[-1]
            findings.append(Finding(first.removed.doc, first.removed.para, last.removed.para,
                                    BLOCK if len(run) > 1 else first.kind,
                                    min(r.score for r in run), first.kept.doc, first.kept.para,
                                    last.kept.para, tuple(run)))
            run.clear()
    for ref in sorted(by_ref, key=lambda r: (r.doc, r.para)):
        removal = by_ref[ref]
        if run:
            prev = run[-1]
            if not (removal.kind != BOILERPLATE and prev.kind != BOILERPLATE
                    and ref.doc == prev.removed.doc and ref.para == prev.removed.para + 1
                    and removal.kept.doc == prev.kept.doc
                    and removal.kept.para == prev.kept.para + 1):
                flush()
        run.append(removal)
    flush()
    return findings


def test_findings_group_removals_into_runs_as_their_definition_does():
    import random

    from dedup.model import BOILERPLATE, EXACT, NEAR, Removal
    rng = random.Random(7)
    for _ in range(300):
        by_ref = {}
        for _ in range(rng.randrange(0, 40)):
            ref = Ref(rng.randrange(3), rng.randrange(12))
            kept = Ref(rng.randrange(3), rng.randrange(12))
            kind = rng.choice((EXACT, EXACT, NEAR, BOILERPLATE))
            by_ref[ref] = Removal(ref, kept, kind, rng.choice((100.0, 91.5, 95.0)))
        # Runs are likelier when a removal's twin follows the one before's.
        for ref in list(by_ref)[:5]:
            nxt = Ref(ref.doc, ref.para + 1)
            by_ref[nxt] = Removal(nxt, Ref(by_ref[ref].kept.doc, by_ref[ref].kept.para + 1),
                                  NEAR, 92.0)
        assert detect_module.findings_of(by_ref) == _findings_by_loop(by_ref)
    blocks = detect_module.findings_of(by_ref)
    assert any(len(f.removals) > 1 for f in blocks)    # the check saw runs, not only singles


def _walk_one_by_one(members, group_of, links, boiler, rank):
    """The keep-order walk written plainly: every repeated paragraph in keep
    order, an exact copy of its group's first kept paragraph, else a near copy
    of the best kept twin it may be removed for (highest score, then rank)."""
    from collections import defaultdict
    chosen, kept_in = {}, defaultdict(list)
    involved = sorted((f for g, m in enumerate(members)
                       if g not in boiler and (len(m) > 1 or g in links) for f in m),
                      key=lambda f: rank[f])
    for flat in involved:
        g = group_of[flat]
        if kept_in[g]:
            chosen[flat] = ("exact", kept_in[g][0], 100.0)
            continue
        best = None
        for link in links.get(g, ()):
            if link.may_remove and kept_in.get(link.other):
                twin = kept_in[link.other][0]
                if best is None or (-link.score, rank[twin]) < best[0]:
                    best = ((-link.score, rank[twin]), twin, link.score)
        if best is None:
            kept_in[g].append(flat)
        else:
            chosen[flat] = ("near", best[1], best[2])
    return chosen, {g: kept for g, kept in kept_in.items() if g in links}


@pytest.mark.parametrize("seed", range(40))
def test_keep_order_walk_matches_the_walk_over_every_paragraph(seed):
    # The decisions walk only the groups that have links and find every other
    # exact copy with arrays; removals, their order and what each group keeps
    # must be those of the plain walk, on random groups, links, scores with
    # ties, keep orders and boilerplate.
    import random

    import numpy as np

    rng = random.Random(seed)
    n = rng.randint(1, 120)
    n_groups = rng.randint(1, n)
    group_of = [rng.randrange(n_groups) for _ in range(n)]
    used = sorted(set(group_of))
    group_of = [used.index(g) for g in group_of]          # every group has a member
    members = [[] for _ in used]
    for flat, g in enumerate(group_of):
        members[g].append(flat)
    links = {}
    for _ in range(rng.randint(0, 2 * len(members))):
        a, b = rng.randrange(len(members)), rng.randrange(len(members))
        if a == b:
            continue
        score = rng.choice([90.0, 95.5, 99.1])
        links.setdefault(a, []).append(pairs_module.Link(b, score, rng.random() < 0.8,
                                                          False, ""))
        links.setdefault(b, []).append(pairs_module.Link(a, score, rng.random() < 0.8,
                                                          False, ""))
    rank = list(range(n))
    rng.shuffle(rank)
    boiler = {g for g in range(len(members)) if rng.random() < 0.1}
    graph = detect_module._Graph.of(group_of, np.array(group_of, dtype=np.int64), links, None,
                                    frozenset(), members, rank)
    # Passes over one graph, as the boilerplate grows: the walk over linked
    # groups is kept from one pass to the next when the boilerplate among
    # them is the same, and what a pass does to the groups' kept paragraphs
    # afterwards must not reach the next.
    unlinked = [g for g in range(len(members)) if g not in links]
    linked = sorted(links)
    passes = [boiler, boiler | set(rng.sample(unlinked, min(2, len(unlinked)))),
              boiler | set(rng.sample(linked, min(1, len(linked))))]
    for boiler in passes + passes[:1]:
        chosen: dict = {}
        kept_in = detect_module._keep_in_order(chosen, graph, boiler, rank)
        expected, expected_kept = _walk_one_by_one(members, group_of, links, boiler, rank)
        assert [(f, c.kind, c.twin, c.score) for f, c in chosen.items()] == [
            (f, kind, twin, score) for f, (kind, twin, score) in expected.items()]
        assert list(kept_in.items()) == list(expected_kept.items())
        for kept in kept_in.values():       # as _remove_kept_partials may
            kept.append(-1)


def _clusters_by_search(id_a: list[int], id_b: list[int]) -> list[int]:
    """The cluster of every pair, found plainly: texts joined by pairs, searched
    from each text in turn; a cluster is named by its smallest text."""
    neighbours: dict[int, set[int]] = {}
    for x, y in zip(id_a, id_b):
        neighbours.setdefault(x, set()).add(y)
        neighbours.setdefault(y, set()).add(x)
    name: dict[int, int] = {}
    for text in sorted(neighbours):
        if text in name:
            continue
        todo, seen = [text], {text}
        while todo:
            for other in neighbours[todo.pop()] - seen:
                seen.add(other)
                todo.append(other)
        for member in seen:
            name[member] = text
    return [name[x] for x in id_a]


@pytest.mark.parametrize("seed", range(30))
def test_pairs_are_judged_cluster_by_cluster_in_their_own_order(seed):
    import random

    import numpy as np

    rng = random.Random(seed)
    texts = rng.randint(2, 40)
    pairs = [(rng.randrange(texts), rng.randrange(texts)) for _ in range(rng.randint(1, 60))]
    id_a, id_b = [a for a, _ in pairs], [b for _, b in pairs]
    order = pairs_module._by_cluster(np.array(id_a) * 7 + 3, np.array(id_b) * 7 + 3).tolist()
    assert sorted(order) == list(range(len(pairs)))
    cluster = _clusters_by_search(id_a, id_b)
    runs = [cluster[k] for k in order]
    # Each cluster is one run, and its pairs keep their order inside it.
    assert len({c for c in runs}) == len([c for i, c in enumerate(runs) if i == 0 or runs[i - 1] != c])
    for c in set(cluster):
        assert [k for k in order if cluster[k] == c] == [k for k in range(len(pairs)) if cluster[k] == c]


@pytest.mark.parametrize("workers", [1, 2])
def test_judging_cluster_by_cluster_gives_the_same_verdicts(monkeypatch, workers):
    from dedup.text.normalize import normalize
    monkeypatch.setattr(pairs_module, "_JUDGED_PER_TASK", 4)    # several tasks, two processes
    base = ["Shares of Acme rose 5 percent to 120 dollars on Monday, traders said.",
            "The central bank held its key rate at 2.5 percent, citing weak exports.",
            "Arsenal beat Chelsea 2-1 in the league on Saturday evening at home."]
    edits = [lambda t: t, lambda t: t.replace("said", "told reporters"),
             lambda t: t.replace("5", "7"), lambda t: t.replace("Monday", "Tuesday"),
             lambda t: t.replace("Chelsea", "Everton"), lambda t: t[:len(t) * 3 // 4],
             lambda t: t.replace("the", "teh")]
    raw = [edit(t) for edit in edits for t in base]    # the three stories interleaved
    norms = [normalize(t) for t in raw]
    pairs = [(i, j) for i in range(len(raw)) for j in range(i + 1, len(raw))]
    first, second = [norms[i] for i, _ in pairs], [norms[j] for _, j in pairs]
    cfg = Config()

    def judged(ids):
        return pairs_module.judge_pairs(first, second, lambda k: raw[pairs[k][0]],
                                         lambda k: raw[pairs[k][1]], cfg, workers=workers,
                                         ids=ids)

    import numpy as np
    plain = judged(None)
    assert len(plain) >= 3 * 4 * workers        # enough pairs reach the checks to fill tasks
    assert {v.relation for _, v in plain} > {""}   # some repeats, some not
    ids = (np.array([i for i, _ in pairs]), np.array([j for _, j in pairs]))
    judged_ks = np.array([k for k, _ in plain])
    order = pairs_module._by_cluster(ids[0][judged_ks], ids[1][judged_ks]).tolist()
    assert order != sorted(order)               # the checks do run in another order
    clustered = judged(ids)
    assert clustered == plain
    assert [k for k, _ in clustered] == sorted(k for k, _ in clustered)


def test_scores_cut_off_under_the_threshold_change_no_verdict():
    """pair_scores gives 0 for a score under the threshold; every pair judged
    from those scores gets the verdict verify gives computing its own, and
    every pair left out is not a repeat."""
    import numpy as np
    from rapidfuzz import fuzz

    from dedup.text.normalize import normalize
    from dedup.verification.verify import verify
    base = ["Shares of Acme rose 5 percent to 120 dollars on Monday after the company raised "
            "its forecast for the year, traders in New York said.",
            "The central bank held its key rate at 2.5 percent, citing weak exports and a "
            "slowing housing market in the third quarter."]
    edits = [lambda t: t, lambda t: t[:len(t) * 3 // 4], lambda t: t[:len(t) * 9 // 10],
             lambda t: t.replace("said", "told reporters"), lambda t: t.replace("5", "7"),
             lambda t: t.replace("the", "teh").replace("and", "adn"),
             lambda t: t + " Analysts had expected less.",
             lambda t: t.replace("in New York", "in London").replace("third", "fourth")]
    raw = [edit(t) for edit in edits for t in base]
    norms = [normalize(t) for t in raw]
    pairs = [(i, j) for i in range(len(raw)) for j in range(i + 1, len(raw))]
    first, second = [norms[i] for i, _ in pairs], [norms[j] for _, j in pairs]
    cfg = Config()
    scores, prefix_scores, _ = pairs_module.pair_scores(first, second, cfg)
    full = np.array([fuzz.ratio(a, b) for a, b in zip(first, second)])
    assert ((scores == full) | ((scores == 0) & (full < cfg.near_threshold))).all()
    # Pairs the cut-off touches: judged through their other score, or left out.
    cut = (full < cfg.near_threshold) & (full > 0)
    assert (cut & (prefix_scores >= cfg.near_threshold)).any()
    assert (cut & (prefix_scores < cfg.near_threshold)).any()
    judged = dict(pairs_module.judge_pairs(first, second, lambda k: raw[pairs[k][0]],
                                            lambda k: raw[pairs[k][1]], cfg))
    relations = set()
    for k, (i, j) in enumerate(pairs):
        own = verify(norms[i], norms[j], raw[i], raw[j], cfg)
        if k in judged:
            assert judged[k] == own
            relations.add(own.relation)
        else:
            assert not own
    assert relations >= {"near", "truncated", ""}


def test_nearest_kept_compiled_is_its_numpy_form(monkeypatch):
    """The short-line rule's snapshot (last kept paragraph before and first
    after each one, in its own file) is the same compiled and in numpy, on
    files of one paragraph and longer, with all, none or some kept."""
    from dedup.decisions import context
    if switch.minhash is None:
        pytest.skip("dedup._minhash was not built here (no C compiler at install)")
    rng = np.random.default_rng(11)
    for trial in range(200):
        sizes = rng.integers(1, 6, size=int(rng.integers(1, 30)))
        start = np.concatenate(([0], np.cumsum(sizes)))
        n = int(start[-1])
        doc_of = np.repeat(np.arange(len(sizes)), sizes)
        share = (0.0, 1.0, 0.5, 0.2)[trial % 4]
        twin_of = np.where(rng.random(n) < share, rng.integers(0, n, size=n), -1).astype(np.int64)
        first_of, last_of = start[doc_of], start[doc_of + 1] - 1
        compiled = context.nearest_kept(twin_of, first_of, last_of)
        with monkeypatch.context() as patch:
            patch.setattr(switch, "minhash", None)
            plain = context.nearest_kept(twin_of, first_of, last_of)
        assert compiled[0].tolist() == plain[0].tolist()
        assert compiled[1].tolist() == plain[1].tolist()
        kept = set(np.flatnonzero(twin_of < 0).tolist())
        for i in range(n):                  # and both are what the docstring says
            before = [p for p in range(first_of[i], i) if p in kept]
            after = [p for p in range(i + 1, last_of[i] + 1) if p in kept]
            assert plain[0][i] == (before[-1] if before else -1)
            assert plain[1][i] == (after[0] if after else -1)


def test_verification_tasks_are_cut_to_equal_cost():
    """Tasks of fact checks cover every pair once, in order, as many as
    pairs per task make; told each pair's cost (the characters of the texts
    it shows first, plus a share per pair), they carry about equal costs
    however unevenly the cost lies along the pairs."""

    per_task = pairs_module._JUDGED_PER_TASK
    count = 16 * per_task - 7
    costs = np.ones(count, dtype=np.int64)
    costs[-3 * per_task:] = 50                     # the expensive pairs come last
    bounds = pairs_module._task_bounds(count, costs)
    assert bounds[0] == 0 and bounds[-1] == count and bounds == sorted(set(bounds))
    assert len(bounds) - 1 == 16
    loads = [int(costs[a:b].sum()) for a, b in zip(bounds, bounds[1:])]
    assert max(loads) <= 1.1 * costs.sum() / 16 + 50
    plain = pairs_module._task_bounds(count, None)
    assert plain == list(range(0, count, per_task)) + [count]
    assert max(int(costs[a:b].sum()) for a, b in zip(plain, plain[1:])) > 2 * max(loads)

    # A pair costs the characters of the texts it is the first to show.
    got = pairs_module._task_costs(np.array([0, 0, 2]), np.array([1, 2, 1]),
                             np.array([10, 10, 30]), np.array([20, 30, 20]))
    assert got.tolist() == [10 + 20 + pairs_module._PAIR_CHARS, 30 + pairs_module._PAIR_CHARS,
                            pairs_module._PAIR_CHARS]


def _mixed_corpus() -> dict[str, str]:
    """Every kind of decision in a few files: exact, near and truncated
    copies, a doubled title, a footer in six files, a whole-article repeat."""
    footer = "Follow us for more local news."
    title = "Flood Defences Fail In Riverside Town"
    typo = FILLER[1].replace("sharply", "sharpely")
    texts = {f"f{i}.txt": make_article(FILLER[(i + 3) % len(FILLER)], footer) for i in range(6)}
    texts["a.txt"] = make_article(title, title, FILLER[0], FILLER[1], FILLER[2])
    texts["b.txt"] = make_article("Another headline over the same story", FILLER[0], typo,
                                  FILLER[2][:120])
    texts["c.txt"] = make_article(title, FILLER[0], FILLER[1], FILLER[2])
    return texts


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_decisions_do_not_depend_on_group_numbers_or_link_order(seed):
    """The decisions are a function of the groups and links, not of how they
    are numbered or in which order the links arrive: the guard the split of
    decisions by group (another engine, verdicts as they come) must keep."""
    base, renumbered = decisions_renumbered(_mixed_corpus(), Config(jobs=1), seed)
    kinds = {kind for _, _, kind, *_ in base[0]}
    assert {"exact", "near"} <= kinds and base[1] and base[2]
    assert renumbered == base


def test_twins_are_kept_when_the_short_line_rule_starts(monkeypatch):
    """The context rule starts from removals whose twins all stay: it only
    takes removals back or adds removals of lines beside kept twins, so a
    twin removed before it starts would be lost for good. (Boilerplate names
    its first occurrence, which goes too: it has no twin that stays.)"""
    from dedup.decisions import context, detect
    seen = []
    rule = detect.require_context

    def checked(chosen, *args, **kwargs):
        seen.append([t for c in chosen.values() if c.kind != "boilerplate"
                     for t in c.twins() if t in chosen])
        return rule(chosen, *args, **kwargs)
    monkeypatch.setattr(detect, "require_context", checked)
    result = scan_texts(_mixed_corpus(), Config(jobs=1))
    assert result.removals and seen and seen == [[]] * len(seen)
    assert context.require_context is rule
