"""Shared helpers for the test suite: made-up news text and short ways to run the engine.

Every text here is invented for the tests (no corpus text is copied).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from dedup.verification import pairs as pairs_module
from dedup import Config, ScanResult, scan_texts

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "samples"


def python_child(code: str, cwd: Path, **env: str) -> subprocess.CompletedProcess:
    """``code`` run by a fresh Python in ``cwd``, this checkout importable
    and ``env`` added to the environment, its output captured: for what one
    process must (not) import or print."""
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=cwd, env={**os.environ, "PYTHONPATH": str(REPO), **env})

#: Unrelated news-like paragraphs (30-35 words each) that never repeat each
#: other; tests use them as the surrounding body of their articles.
FILLER = (
    "The regional council voted on Tuesday to extend the harbour ferry timetable through the "
    "winter months, after residents of the outer islands complained that the current schedule "
    "left them stranded for days during storms.",
    "Shares in the textile maker fell sharply in early trading after the company warned that "
    "rising cotton costs and a weaker export market would squeeze its margins for the rest of "
    "the financial year.",
    "Firefighters spent most of the night containing a blaze at a disused warehouse near the "
    "railway depot, and police have asked anyone who saw people entering the building to "
    "contact them.",
    "Organisers of the annual food festival said attendance was the highest in a decade, with "
    "stalls selling out of bread and cheese well before the evening concert began in the main "
    "square.",
    "The university announced a new scholarship programme for students from rural districts, "
    "funded by a bequest from a former lecturer who spent forty years teaching agricultural "
    "science at the college.",
    "Engineers inspecting the old stone bridge found cracks in two of its arches and "
    "recommended that heavy lorries be diverted along the bypass until repairs can be carried "
    "out next spring.",
    "A coalition of small shopkeepers has asked the mayor to reconsider plans for a new parking "
    "levy, arguing that customers from neighbouring villages would simply drive to the retail "
    "park instead.",
    "Weather forecasters expect the dry spell to end over the weekend, with heavy showers "
    "moving in from the west and the possibility of local flooding in low lying parts of the "
    "valley.",
    "Librarians in the county have started lending tools, sewing machines and board games "
    "alongside books, a scheme they say has brought hundreds of new members through the doors "
    "since the autumn.",
    "The hospital trust said waiting times for routine operations had begun to fall after it "
    "opened two extra theatres and recruited nurses from agencies to cover the evening and "
    "weekend shifts.",
)


def make_article(*paragraphs: str, newline: str = "\n") -> str:
    """Paragraphs separated by one blank line, ending with a line ending."""
    return (newline * 2).join(paragraphs) + newline


def run_scan(texts: dict[str, str], **settings) -> ScanResult:
    """``scan_texts`` with settings given as keywords."""
    return scan_texts(texts, Config(**settings))


def removed_map(result: ScanResult) -> dict[tuple[str, int], tuple[str, int, str]]:
    """Every removal as ``(path, paragraph) -> (kept path, kept paragraph, kind)``."""
    docs = result.documents
    return {(docs[ref.doc].path, ref.para): (docs[r.kept.doc].path, r.kept.para, r.kind)
            for ref, r in result.removals.items()}


def findings_list(result: ScanResult) -> list[tuple]:
    """Findings as ``(path, first, last, kind, kept path, kept first, kept last)``."""
    docs = result.documents
    return [(docs[f.doc].path, f.first, f.last, f.kind,
             docs[f.kept_doc].path, f.kept_first, f.kept_last) for f in result.findings]


class Helpers:
    filler = FILLER
    article = staticmethod(make_article)
    scan = staticmethod(run_scan)
    removed = staticmethod(removed_map)
    findings = staticmethod(findings_list)


@pytest.fixture(scope="session")
def h() -> type[Helpers]:
    """Made-up filler text and short helpers (see :class:`Helpers`)."""
    return Helpers


@pytest.fixture
def in_tmp(tmp_path, monkeypatch) -> Path:
    """Work inside ``tmp_path`` so no configuration file of the repository is picked up."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def decisions_renumbered(texts: dict[str, str], cfg, seed: int) -> tuple[tuple, tuple]:
    """The decisions on ``texts`` (removals by flat position, boilerplate
    paragraphs, articles left out) as the engine numbers the exact groups and
    orders the links, and again with the groups renumbered at random and the
    links of each group, and the groups holding them, shuffled: what another
    engine, or a change of the order verdicts arrive in, would hand over."""
    import random
    from collections import defaultdict

    import numpy as np

    from dedup.decisions import detect
    from dedup.input.corpus import corpus_from_texts
    from dedup.text.facts import exact_groups

    corpus = corpus_from_texts(texts, cfg)
    group_of, members = exact_groups(corpus.facts)
    links, updates = detect.near_links(corpus, members, cfg, {})

    def decide(group_of, members, links, updates) -> tuple:
        made = detect.decide_layout(corpus, cfg, group_of, members,
                                    defaultdict(list, {g: list(v) for g, v in links.items()}),
                                    defaultdict(list, {g: list(v) for g, v in updates.items()}))
        return (sorted((f, c.twin, c.kind, c.score, c.detail, c.twin_last, c.contextual)
                       for f, c in made.chosen.items()),
                sorted(f for g in made.boiler for f in made.members[g]),
                sorted(made.dropped))

    rng = random.Random(seed)
    new = list(range(len(members)))
    rng.shuffle(new)
    old = np.empty(len(new), dtype=np.int64)
    old[np.asarray(new, dtype=np.int64)] = np.arange(len(new))

    def shuffled(mapping: dict, relabel) -> dict:
        items = list(mapping.items())
        rng.shuffle(items)
        out = {}
        for g, values in items:
            values = list(values)
            rng.shuffle(values)
            out[new[g]] = [relabel(v) for v in values]
        return out

    def link(v):
        return pairs_module.Link(new[v.other], v.score, v.may_remove, v.fuller_other, v.detail,
                           v.contextual)

    return (decide(group_of, members, links, updates),
            decide(np.asarray(new, dtype=np.int64)[group_of],
                   [members[int(old[g])] for g in range(len(members))],
                   shuffled(links, link), shuffled(updates, new.__getitem__)))
