"""From a corpus to decisions: which paragraphs repeat which, and which to keep.

The stages, each a function below:

1. exact groups: paragraphs with the same normalised text;
2. near links: LSH candidates between groups, verified with rapidfuzz;
3. boilerplate: short groups found at the edges of many files, beside text
   that does not repeat;
4. decisions: paragraphs are visited best-ranked first (the keep policy); a
   paragraph is removed when it repeats a paragraph already kept, directly
   (exactly, or by a verified near link); otherwise it is kept. Matches never
   chain: a paragraph that only resembles a removed one stays;
5. context for short paragraphs: a short line counts as a repeat only next to
   its twin (a doubled title) or inside a run of repeats;
6. findings: consecutive removals that repeat consecutive kept paragraphs of
   one file become one block.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np

from .articles import article_repeats
from ..arrays import Relations, unique_sorted
from ..fingerprints.candidates import candidate_pairs, prefix_keys
from .choice import Choice
from ..config import Config
from .context import needs_context, removal_arrays, require_context
from ..input.corpus import Corpus
from ..verification.coverage import containment_links, reflows, sentence_coverage
from ..text.facts import Layout, exact_groups, group_firsts
from ..fingerprints.fingerprint import lsh_params
from ..model import (BLOCK, BOILERPLATE, EXACT, NEAR, Boilerplate, Finding, Ref, Removal,
                     ScanResult)
from ..runtime import collector_paused, ordinary_pages
from ..verification.pairs import NOT_COMPARED, Link, judge_pairs, record_verdict


def boilerplate_groups(members: list[list[int]], group_of, corpus: Layout,
                       cfg: Config, relations: Relations,
                       removed: set[int] = frozenset()) -> set[int]:
    """Groups that are page furniture rather than content.

    A group is boilerplate when its text is page furniture by its words
    (:mod:`dedup.text.sentences`: share, subscribe and comment prompts, copyright
    and navigation lines, sign-offs such as "Reuter", list footers), short
    (at most ``boilerplate_max_words`` words), stands in at least
    ``boilerplate_min_files`` files, at least half of its occurrences sit
    within ``boilerplate_edge`` paragraphs of the start or end of their file,
    and it is not part of a repeated article: furniture stands beside
    different text in every file, while the title or lead of a wire story
    reused by ten outlets stands beside the same repeated body.

    A short line seen in many files is not furniture for that alone: a
    statement ("Terms were not disclosed."), a data line ("Shr three cts vs
    three cts"), a table heading or a byline ("By Peter Torday, Reuters")
    recurs because stories are alike, and states something in each. Those
    are content, judged as every other paragraph (short lines need context).

    With ``removed``, all of this is judged on the text as cleaning leaves
    it: removed paragraphs are neither occurrences nor neighbours, and
    distances to a file's ends count the paragraphs that remain. Every test
    is taken for all paragraphs at once.
    """
    facts, doc_of, start = corpus.facts, np.asarray(corpus.doc_of), np.asarray(corpus.start)
    gof = np.asarray(group_of, dtype=np.int64)
    n, n_groups = len(gof), len(members)
    if not n:
        return set()
    alive = np.ones(n, dtype=bool)
    if removed:
        alive[np.fromiter(removed, dtype=np.int64, count=len(removed))] = False
    flats = np.flatnonzero(alive)
    groups = gof[flats]
    count = np.bincount(groups, minlength=n_groups)              # occurrences that remain

    # Position among the paragraphs that remain in the file, and how many remain after.
    remaining = np.concatenate(([0], np.cumsum(alive)))
    docs = doc_of[flats]
    before = remaining[flats] - remaining[start[docs]]
    after = remaining[start[docs + 1]] - remaining[flats] - 1

    first = np.full(n_groups, n - 1, dtype=np.int64)             # first occurrence that remains
    np.minimum.at(first, groups, flats)
    words = facts.words[first].astype(np.int64)
    files = np.bincount(unique_sorted(groups * (len(start) - 1) + docs) // (len(start) - 1),
                        minlength=n_groups)
    wanted = ((count >= max(1, cfg.boilerplate_min_files)) & (files >= cfg.boilerplate_min_files)
              & (words <= cfg.boilerplate_max_words) & facts.furniture[first])
    edge = cfg.boilerplate_edge
    if edge > 0:
        at_edge = np.bincount(groups, weights=(before < edge) | (after < edge),
                              minlength=n_groups)
        wanted &= 2 * at_edge >= count
    candidate = wanted          # a boilerplate candidate, unless it stands beside repeated text

    # Whether each group repeats in the text as it stands: another occurrence,
    # or a linked (near or changed-number) group with one.
    repeats = count > 1
    for sources, targets in ((relations.link_from, relations.link_to),
                             (relations.update_from, relations.update_to)):
        repeats[sources[count[targets] > 0]] = True

    # The neighbour looked at is the nearest paragraph towards the middle of
    # the file that remains and is not itself a candidate. A group most of
    # whose occurrences stand beside text that repeats (the title over a
    # reused wire story, the fixed heading of a daily market report whose
    # body differs only in its numbers) is content, not furniture.
    mine = candidate[groups]
    flats, groups, docs = flats[mine], groups[mine], docs[mine]
    step_up = before[mine] <= after[mine]
    usable = alive & ~candidate[gof]
    positions = np.arange(n, dtype=np.int64)
    next_usable = np.minimum.accumulate(np.where(usable, positions, n)[::-1])[::-1]
    prev_usable = np.maximum.accumulate(np.where(usable, positions, -1))
    up = np.append(next_usable, n)[flats + 1]
    down = np.concatenate(([-1], prev_usable))[flats]            # prev_usable[flat - 1]
    neighbour = np.where(step_up, up, down)
    inside = (neighbour >= start[docs]) & (neighbour < start[docs + 1])
    beside = inside & repeats[gof[neighbour.clip(0, n - 1)]]
    beside_count = np.bincount(groups, weights=beside, minlength=n_groups)
    return set(np.flatnonzero(candidate & ~(2 * beside_count >= count)).tolist())


def near_links(corpus: Corpus, members: list[list[int]], cfg: Config, stats: dict) -> tuple[dict[int, list[Link]], dict[int, list[int]]]:
    """Verified near links between exact groups (both directions stored), and
    the pairs that would be near repeats but for changed numbers (updates)."""
    # members[g][0] of every group, from the facts' sort (a pass over the
    # member lists took 19 ms on Reuters' 125,377 groups).
    firsts = group_firsts(corpus.facts)
    signed = np.flatnonzero(corpus.signature_row[firsts] >= 0)
    reps_array = firsts[signed]                   # the first paragraph of each signed group
    groups, reps = signed.tolist(), reps_array.tolist()
    links: dict[int, list[Link]] = defaultdict(list)
    updates: dict[int, list[int]] = defaultdict(list)
    stats["signed_groups"] = len(reps)
    if len(reps) < 2:
        stats["candidates"] = 0
        return links, updates
    rows_of_reps = corpus.signature_row[reps_array]
    # After share_first_signatures the signed groups hold rows 0, 1, 2, ...
    # in order: then the rows are taken as they lie, not copied (Reuters:
    # 28 MB of signatures, 15 ms).
    m = len(rows_of_reps)
    in_place = bool(rows_of_reps[0] == 0 and rows_of_reps[-1] == m - 1
                    and (np.diff(rows_of_reps) == 1).all())
    sigs = corpus.signatures[:m] if in_place else corpus.signatures[rows_of_reps]
    bands, rows = lsh_params(cfg.lsh_threshold, cfg.num_perm)
    stats["lsh_bands"], stats["lsh_rows"] = bands, rows
    started = time.perf_counter()
    if corpus.prefixes is None:
        prefixes = prefix_keys([corpus.norms[r] for r in reps])
    else:
        prefixes = corpus.prefixes[:m] if in_place else corpus.prefixes[rows_of_reps]
    pairs = candidate_pairs(sigs, bands, rows, prefixes)
    stats["candidates"] = len(pairs)
    stats["seconds_candidates"] = round(time.perf_counter() - started, 3)
    started = time.perf_counter()
    first_flats, second_flats = reps_array[pairs[:, 0]], reps_array[pairs[:, 1]]
    first, second = first_flats.tolist(), second_flats.tolist()
    norm_of = corpus.norms.__getitem__
    length = corpus.facts.length                # of the normalised texts
    verdicts = judge_pairs(list(map(norm_of, first)), list(map(norm_of, second)),
                           lambda k: corpus.text(first[k]), lambda k: corpus.text(second[k]),
                           cfg, stats, workers=cfg.workers, ids=(pairs[:, 0], pairs[:, 1]),
                           lengths=(length[first_flats].astype(np.int64),
                                    length[second_flats].astype(np.int64)))
    verified = 0
    group_a, group_b = pairs[:, 0].tolist(), pairs[:, 1].tolist()
    for k, verdict in verdicts:
        verified += record_verdict(links, updates, groups[group_a[k]], groups[group_b[k]],
                                   verdict)
        if verdict.reason == NOT_COMPARED:
            (doc_a, para_a), (doc_b, para_b) = corpus.ref(first[k]), corpus.ref(second[k])
            corpus.skipped.append(
                f"{corpus.documents[doc_a].path} and {corpus.documents[doc_b].path}: "
                f"the process comparing paragraph {para_a + 1} with paragraph {para_b + 1} "
                "died each time; both kept")
    stats["verified"] = verified
    stats["seconds_verify"] = round(time.perf_counter() - started, 3)
    return links, updates


def _priorities(corpus: Layout, cfg: Config) -> np.ndarray:
    """Keep priority of every document (0 = most trusted)."""
    if not cfg.keep_priority:
        return np.zeros(len(corpus.start) - 1, dtype=np.int64)
    return np.array([_priority(path, cfg.keep_priority) for path in corpus.paths],
                    dtype=np.int64)


def rank_keys(corpus: Layout, cfg: Config, priority: np.ndarray | None = None,
              demoted: np.ndarray | None = None) -> np.ndarray:
    """Position of every paragraph in keep order (0 = kept first).

    ``demoted`` documents (whole-article repeats of a kept article) come
    after all others, so that the paragraph rules keep the copies in the
    article the article rule keeps: one keep decision for both.
    """
    n = len(corpus)
    if priority is None:
        priority = _priorities(corpus, cfg)
    flat = np.arange(n, dtype=np.int64)
    by_priority = priority[corpus.doc_of] if n else np.zeros(0, dtype=np.int64)
    later = (demoted[corpus.doc_of] if demoted is not None and n
             else np.zeros(n, dtype=bool))
    if cfg.keep == "longest":
        length = corpus.facts.length.astype(np.int64)
        order = np.lexsort((flat, by_priority, -length, later))
    else:
        order = np.lexsort((flat, by_priority, later))
    rank = np.empty(n, dtype=np.int64)
    rank[order] = flat
    return rank


def _priority(path: str, prefixes: tuple[str, ...]) -> int:
    clean = path.lstrip("./")
    for i, prefix in enumerate(prefixes):
        p = prefix.strip().lstrip("./").rstrip("/")
        if p and (clean == p or clean.startswith(p + "/") or f"/{p}/" in f"/{clean}"):
            return i
    return len(prefixes)


# Rounds of judging boilerplate again on the cleaned layout; real text settles
# in one or two. The bound keeps a pathological input finite.
_CONTEXT_ROUNDS = 20
_Choice = Choice


def decide(corpus: Corpus, cfg: Config, release: bool = False, archive: int = 0) -> ScanResult:
    """Run every stage and return the decisions with their reasons.

    With ``release`` the corpus gives up its normalised texts and signatures
    once the near links are found (see :meth:`Corpus.release_detection`).
    ``archive``: the first documents are stored articles seen in part (see
    :func:`decide_layout`).
    """
    stats: dict = {"files": len(corpus.documents), "paragraphs": len(corpus)}
    started = time.perf_counter()
    with collector_paused(), ordinary_pages():
        group_of, members = exact_groups(corpus.facts)
        stats["exact_groups"] = len(members)
        links, updates = near_links(corpus, members, cfg, stats)
        if release:
            corpus.release_detection()
        decisions = decide_layout(corpus, cfg, group_of, members, links, updates, archive)
        result = result_of(decisions, corpus, corpus.documents, corpus.text, cfg, stats,
                           corpus.skipped)
    stats["seconds_decide"] = round(time.perf_counter() - started, 3)
    return result


@dataclass
class Decisions:
    """Keep/remove of every paragraph, in flat positions, before it becomes a report."""

    chosen: dict[int, Choice]
    boiler: set[int]
    members: list[list[int]]
    rank: np.ndarray
    articles: list
    #: Documents left out of the cleaned corpus: whole-article repeats of which
    #: nothing but the headline remains (document -> its ArticleRepeat).
    dropped: dict = field(default_factory=dict)
    #: Rounds each pass of the context rule took to settle, in order.
    context_rounds: list[int] = field(default_factory=list)


def decide_layout(corpus: Layout, cfg: Config, group_of: np.ndarray, members: list[list[int]],
                  links: dict, updates: dict, archive: int = 0) -> Decisions:
    """The decisions from the paragraph facts and the verified links alone.

    Nothing here reads a text: every engine that finds the same exact groups
    and the same links gets the same decisions. ``archive``: the first
    documents are stored articles of which only the paragraphs that match
    the others were loaded (``dedup check``); they never count as repeats or
    as telling another's story, since what they hold besides is not known.
    The order:

    1. where paragraphs stand again elsewhere, re-cut (:mod:`dedup.verification.coverage`):
       a paragraph inside a longer one becomes a near link; one split or
       joined elsewhere a re-flow;
    2. boilerplate (page furniture at the edges of many files);
    3. whole-article repeats and the stories told twice (:mod:`dedup.decisions.articles`);
    4. one keep order: the paragraphs of an article that repeats a kept
       article come after all others, so the copies kept are those of the
       article kept;
    5. paragraphs in that order (:func:`_decide_paragraphs`), then the
       context rule (:mod:`dedup.decisions.context`);
    6. boilerplate judged again on the text as cleaning leaves it (3-5 again
       when it grows);
    7. the articles left out: repeats of which only the headline remains
       (:func:`_drop_articles`).
    """
    priority = _priorities(corpus, cfg)
    gof = np.asarray(group_of, dtype=np.int64)
    coverage = sentence_coverage(corpus.facts, corpus.doc_of, corpus.start, gof)
    _add_containment(links, containment_links(coverage, gof))
    runs = reflows(coverage)
    relations = Relations.of(links, updates)
    lesser = frozenset(g for g, linked in links.items()
                       if any(link.fuller_other and link.may_remove for link in linked))

    boiler = boilerplate_groups(members, gof, corpus, cfg, relations)
    passes: list[int] = []
    for _ in range(_CONTEXT_ROUNDS):
        articles, stories = article_repeats(corpus, members, gof, relations, boiler, priority,
                                            cfg.keep, cfg.article_threshold, archive)
        demoted = np.zeros(len(corpus.start) - 1, dtype=bool)
        demoted[[a.doc for a in articles if a.relation == "repeat"]] = True
        # Python lists, not arrays, for the loops: indexing a list gives an
        # int at once, an array a numpy scalar (several times slower).
        rank = rank_keys(corpus, cfg, priority, demoted).tolist()
        graph = _Graph.of(gof.tolist(), gof, links, relations, lesser, members, rank)
        # Stories told twice are judged with the text each document loses to
        # third ones set aside: first with the removals that need no context
        # (they go whatever the rule decides), then decided again until that
        # settles (it only grows).
        walked = _decide_paragraphs(corpus, cfg, members, graph, boiler, rank, runs)
        walked_arrays = removal_arrays(walked, len(corpus.doc_of))
        same_story = stories.keys(_losses(walked, corpus, cfg))
        for _ in range(_CONTEXT_ROUNDS):
            chosen = dict(walked)
            passes.append(_apply_context(chosen, corpus, cfg, graph, boiler, rank, same_story,
                                         walked_arrays))
            grown = unique_sorted(np.concatenate([same_story, stories.keys(_losses(chosen,
                                                                                   corpus))]))
            if len(grown) == len(same_story):
                break
            same_story = grown
        # Boilerplate is judged on the text as it stands; once copies are
        # removed a footer may stand beside unrepeated text only. Judging
        # again on the cleaned layout makes a second run find nothing new.
        removed = {f for f, c in chosen.items() if c.kind != BOILERPLATE}
        again = boilerplate_groups(members, gof, corpus, cfg, relations, removed)
        if again <= boiler:
            break
        boiler |= again
    dropped = _drop_articles(chosen, articles, corpus, cfg, graph, boiler, members, rank)
    return Decisions(chosen, boiler, members, rank, articles, dropped, passes)


def _losses(chosen: dict[int, Choice], corpus: Layout,
            cfg: Config | None = None) -> dict[int, int]:
    """Paragraph -> the document it is removed for (boilerplate aside); with
    ``cfg``, only the removals that need no context (see dedup.decisions.context)."""
    doc_of = corpus.doc_of
    out = {f: int(doc_of[c.twin]) for f, c in chosen.items() if c.kind != BOILERPLATE}
    if cfg is None or not out:
        return out
    flats = np.fromiter(out, dtype=np.int64, count=len(out))
    docs = np.fromiter(out.values(), dtype=np.int64, count=len(out))
    choices = [chosen[f] for f in out]
    need = needs_context(np.asarray(doc_of)[flats] == docs,
                         np.asarray(corpus.facts.words)[flats],
                         np.asarray(corpus.facts.leans)[flats],
                         np.fromiter((c.contextual for c in choices), dtype=bool, count=len(out)),
                         np.fromiter((c.kind != EXACT for c in choices), dtype=bool,
                                     count=len(out)),
                         cfg.short_words, cfg.context_words, cfg.near_context,
                         cfg.lean_context)
    return {f: d for f, d, n in zip(out, out.values(), need.tolist()) if not n}


def _add_containment(links: dict, pairs: list[tuple[int, int]]) -> None:
    """Near links for paragraphs contained in longer ones (whole sentences):
    the lesser may go for the fuller, never the other way, and only inside
    the same story (a contextual link); verified links already there stay
    as they are."""
    for lesser, fuller in pairs:
        if any(link.other == fuller for link in links.get(lesser, ())):
            continue
        # Contextual: what the fuller one holds besides is not known here,
        # and may be what its own story differs on (see dedup.decisions.context).
        links[lesser].append(Link(fuller, 100.0, True, True, CONTAINED, True))
        links[fuller].append(Link(lesser, 100.0, False, False, CONTAINED, True))


#: The detail of a removal for a paragraph that holds it whole, with more.
CONTAINED = "contained in a longer paragraph"
#: The detail of a removal for a run of paragraphs that holds it, re-cut.
REFLOWED = "re-flowed: its sentences stand in consecutive paragraphs"


def result_of(decisions: Decisions, corpus: Layout, documents: list, text_of, cfg: Config,
              stats: dict, skipped: list[str]) -> ScanResult:
    """The scan result (refs, findings, boilerplate texts) of decisions.

    ``text_of(flat)`` gives a paragraph's original text; it is asked only
    for the first occurrence of each boilerplate paragraph.
    """
    chosen, rank, members = decisions.chosen, decisions.rank, decisions.members
    doc_of, start = corpus.doc_of, corpus.start

    def refs(flats: np.ndarray) -> tuple[list[Ref], np.ndarray, np.ndarray]:
        docs = doc_of[flats].astype(np.int64)
        paras = flats - start[docs]
        return list(map(Ref, docs.tolist(), paras.tolist())), docs, paras

    n = len(chosen)
    flats = np.fromiter(chosen, dtype=np.int64, count=n)
    choices = list(chosen.values())
    twins = np.fromiter((c.twin for c in choices), dtype=np.int64, count=n)
    twin_ends = np.fromiter((max(c.twin, c.twin_last) for c in choices), dtype=np.int64,
                            count=n)
    removed, docs, paras = refs(flats)
    # Many removals share a kept twin (a footer's first occurrence): one Ref each.
    kept_flats, kept_of = np.unique(twins, return_inverse=True)
    kept_refs, kept_docs, kept_paras = refs(kept_flats)
    kept = list(map(kept_refs.__getitem__, kept_of.tolist()))
    twin_docs, twin_paras = kept_docs[kept_of], kept_paras[kept_of]
    end_paras = twin_paras + (twin_ends - twins)
    runs = np.flatnonzero(twin_ends != twins)
    lasts = [-1] * n
    for i in runs.tolist():
        lasts[i] = int(end_paras[i])
    in_order = list(map(Removal, removed, kept, [c.kind for c in choices],
                        [c.score for c in choices], [c.detail for c in choices], lasts))
    by_ref = dict(zip(removed, in_order))
    ranks = np.asarray(rank)
    boilerplate_out = [
        Boilerplate(text_of(occ[0]), len(set(doc_of[occ].tolist())),
                    tuple(refs(np.asarray(occ, dtype=np.int64))[0]),
                    sum(map(chosen.__contains__, occ)))
        for occ in sorted((np.asarray(members[g])[np.argsort(ranks[members[g]])].tolist()
                           for g in decisions.boiler),
                          key=lambda occ: ranks[occ[0]])]
    # Flat positions run in file and position order.
    order = np.argsort(flats, kind="stable")
    boiler = np.fromiter((c.kind == BOILERPLATE for c in choices), dtype=bool, count=n)
    findings = _runs([in_order[i] for i in order.tolist()], docs[order], paras[order],
                     twin_docs[order], twin_paras[order], boiler[order], end_paras[order])
    stats["removed"] = len(by_ref)
    # How long the context rule took to settle: passes over the corpus, and
    # the most rounds one pass took (its limit, ROUNDS, means it did not).
    stats["context_passes"] = len(decisions.context_rounds)
    stats["context_rounds"] = max(decisions.context_rounds, default=0)
    return ScanResult(documents=documents, removals=by_ref, findings=findings,
                      boilerplate=boilerplate_out, settings=cfg.settings(),
                      skipped=list(skipped), stats=stats, articles=decisions.articles,
                      dropped=decisions.dropped)


@dataclass(frozen=True)
class _Graph:
    """Groups and their links, in the forms the decisions read them."""

    group_of: list[int]           # for the loops, one paragraph at a time
    gof: np.ndarray               # the same as an array, for whole-array tests
    links: dict                   # group -> [Link]
    relations: Relations          # the links and updates as arrays
    #: Groups with a link to a fuller twin they may be removed for: the only
    #: ones _remove_kept_partials can change.
    lesser: frozenset = frozenset()
    ranks: np.ndarray | None = None     # keep rank of every paragraph
    by_rank: np.ndarray | None = None   # paragraphs in keep order
    repeated: np.ndarray | None = None  # per group: more than one member, or a link
    linked: np.ndarray | None = None    # per group: has a link
    #: Per linked group, (other, score, link) of each link that lets it be removed.
    removable: dict | None = None
    #: The last walk over the linked groups (see _walk_linked), kept for the
    #: next pass: a pass whose new boilerplate groups have no links walks the same.
    walked: list = field(default_factory=list)

    @staticmethod
    def of(group_of: list[int], gof: np.ndarray, links: dict, relations: Relations,
           lesser: frozenset, members: list[list[int]], rank: list[int]) -> "_Graph":
        ranks = np.asarray(rank, dtype=np.int64)
        by_rank = np.empty(len(ranks), dtype=np.int64)
        by_rank[ranks] = np.arange(len(ranks), dtype=np.int64)     # ranks are a permutation
        linked = np.zeros(len(members), dtype=bool)
        if links:
            linked[np.fromiter(links, dtype=np.int64, count=len(links))] = True
        sizes = np.fromiter(map(len, members), dtype=np.int64, count=len(members))
        removable = {g: [(link.other, link.score, link) for link in linked_to if link.may_remove]
                     for g, linked_to in links.items()}
        return _Graph(group_of, gof, links, relations, lesser, ranks, by_rank,
                      (sizes > 1) | linked, linked, removable)


def _decide_paragraphs(corpus, cfg, members, graph: _Graph, boiler, rank,
                       runs: dict) -> dict[int, Choice]:
    """Keep/remove every paragraph: boilerplate, then repeats in keep order,
    then re-flowed copies and kept partial copies (the context rule comes
    after: :func:`_apply_context`)."""
    group_of, links = graph.group_of, graph.links
    chosen: dict[int, Choice] = {}
    doc_of = corpus.doc_of
    for g in boiler:
        flats = sorted(members[g], key=lambda f: rank[f])
        files = len(set(doc_of[flats].tolist()))
        doomed = {"remove": flats, "keep-first": flats[1:], "keep": []}[cfg.boilerplate]
        # One choice for the whole group: choices are never changed, only replaced.
        choice = Choice(flats[0], BOILERPLATE, 100.0, f"boilerplate in {files} files")
        chosen.update(dict.fromkeys(doomed, choice))

    kept_in = _keep_in_order(chosen, graph, boiler, rank)
    # Re-flowed copies before kept partials: a paragraph that joins two kept
    # ones goes for them, rather than taking both as their fuller twin.
    _remove_reflowed(chosen, kept_in, runs, rank, graph, boiler)
    _remove_kept_partials(chosen, kept_in, links, group_of, rank, graph.lesser)
    return chosen


def _apply_context(chosen: dict[int, Choice], corpus, cfg, graph: _Graph, boiler, rank,
                   stories: np.ndarray, arrays: tuple | None = None) -> int:
    """The context rule (:mod:`dedup.decisions.context`) over ``chosen``, in
    place; the rounds it took (``arrays``: see ``removal_arrays``)."""
    group_of, links = graph.group_of, graph.links

    def direct(flat: int, twin: int) -> Choice | None:
        return _direct(flat, twin, group_of, links)

    return require_context(chosen, corpus, cfg.short_words, cfg.context_words, boiler,
                           graph.gof, direct, rank, stories, graph.linked, cfg.near_context,
                           cfg.lean_context, arrays)


def _remove_reflowed(chosen: dict[int, Choice], kept_in: dict, runs: dict, rank: list[int],
                     graph: _Graph, boiler: set[int]) -> None:
    """A kept paragraph whose sentences stand, re-cut, in a run of kept
    paragraphs ranked before it goes as a repeat of that run, and so do the
    exact copies that were removed for it.

    Paragraphs in keep order; the first run (in keep order of its first
    paragraph) all of whose paragraphs are kept takes it. A paragraph of a
    run taken so stays kept: nothing is removed for a run that goes itself.
    """
    if not runs:
        return
    gof = graph.gof
    holds: set[int] = set()            # paragraphs named by a re-flow removal
    copies: dict[int, list[int]] = defaultdict(list)
    for flat, choice in chosen.items():
        if choice.kind == EXACT:
            copies[choice.twin].append(flat)
    for flat in sorted(runs, key=lambda f: rank[f]):
        if flat in chosen or flat in holds or gof[flat] in boiler:
            continue
        for first, last in sorted(runs[flat], key=lambda r: rank[r[0]]):
            members = range(first, last + 1)
            if any(m in chosen or rank[m] > rank[flat] or gof[m] in boiler for m in members):
                continue
            choice = Choice(first, NEAR, 100.0, REFLOWED, twin_last=last, contextual=True)
            chosen[flat] = choice
            for copy in copies.pop(flat, ()):
                chosen[copy] = choice
            kept = kept_in.get(int(gof[flat]))
            if kept and flat in kept:
                kept.remove(flat)
            holds.update(members)
            break


def _drop_articles(chosen: dict[int, Choice], articles: list, corpus: Layout, cfg: Config,
                   graph: _Graph, boiler: set[int], members: list[list[int]],
                   rank: list[int]) -> dict:
    """The whole-article repeats left out of the cleaned corpus, and the
    removals that named a paragraph of theirs pointed elsewhere.

    An article is left out when it repeats a kept article and nothing of it
    remains once its repeats are removed but its headline (a short first
    paragraph) and boilerplate: no empty or headline-only shells, and no
    paragraph of its own lost. Then no removal may name a paragraph of a
    left-out article as its twin: such a removal is pointed at another kept
    copy in a written article, or kept, and an article that so keeps a
    paragraph is written after all.
    """
    if not cfg.drop_repeated_articles:
        return {}
    repeats = {a.doc: a for a in articles if a.relation == "repeat"}
    if not repeats:
        return {}
    doc_of = np.asarray(corpus.doc_of, dtype=np.int64)
    start = np.asarray(corpus.start, dtype=np.int64)
    words = np.asarray(corpus.facts.words)
    gof = graph.gof
    in_boiler = np.zeros(len(members), dtype=bool)
    if boiler:
        in_boiler[np.fromiter(boiler, dtype=np.int64, count=len(boiler))] = True

    def remains(doc: int) -> bool:
        """Whether anything but its headline and boilerplate is left of it."""
        for flat in range(int(start[doc]), int(start[doc + 1])):
            if flat in chosen or in_boiler[gof[flat]]:
                continue
            if flat == start[doc] and words[flat] <= HEADLINE_WORDS:
                continue
            return True
        return False

    def headline(flat: int) -> bool:
        return flat == start[doc_of[flat]] and words[flat] <= HEADLINE_WORDS

    dropped: dict = {}
    for _ in range(_CONTEXT_ROUNDS):
        dropped = {d: a for d, a in repeats.items() if not remains(d)}
        # A removal in an article left out that repeats that article's own
        # headline goes with it; any other removal must name a written twin.
        stranded = [flat for flat, choice in chosen.items() if choice.kind != BOILERPLATE
                    and any(int(doc_of[t]) in dropped for t in choice.twins())
                    and not (int(doc_of[flat]) in dropped and choice.twin_last < 0
                             and choice.twin == start[doc_of[flat]])]
        if not stranded:
            break
        for flat in sorted(stranded, key=lambda f: rank[f]):
            choice = chosen[flat]
            doc = int(doc_of[flat])
            if doc in dropped and headline(flat):
                # The headline of an article left out goes with it, kept
                # nowhere else: it is not recorded as a repeat of a twin that
                # is not written.
                del chosen[flat]
                continue
            replacement = _elsewhere(flat, choice, graph, members, chosen, dropped, doc_of,
                                     rank, bool(words[flat] >= cfg.short_words))
            if replacement is not None:
                chosen[flat] = replacement
                continue
            # No twin is written: it is kept, and its article is written.
            del chosen[flat]
            dropped.pop(doc, None)
            # A kept copy of it right after it now stands beside its twin (a
            # doubled line, whose first copy had named the article left out).
            nxt = flat + 1
            while nxt < len(doc_of) and doc_of[nxt] == doc and nxt in chosen:
                nxt += 1
            if nxt < len(doc_of) and doc_of[nxt] == doc and rank[flat] < rank[nxt]:
                beside = _direct(nxt, flat, graph.group_of, graph.links)
                if beside is not None:
                    chosen[nxt] = beside
        _boilerplate_kept_elsewhere(chosen, boiler, members, dropped, doc_of, rank, cfg)
    return dropped


#: A first paragraph of at most this many words is a headline: an article of
#: which only that remains is left out whole.
HEADLINE_WORDS = 25


def _elsewhere(flat: int, choice: Choice, graph: _Graph, members: list[list[int]],
               chosen: dict, dropped: dict, doc_of: np.ndarray, rank: list[int],
               long_enough: bool = False) -> Choice | None:
    """The removal of ``flat`` as a repeat of another kept copy of its twin,
    in an article that is written or in its own, if there is one it repeats
    directly (its own article's goes whole, or is written with it); else as
    a repeat of a copy of its own kept right before it, or (``long_enough``)
    of an exact copy kept earlier in its own document."""
    own = doc_of[flat]
    if choice.twin_last < 0:
        g = graph.group_of[choice.twin]
        for other in sorted(members[g], key=lambda f: rank[f]):
            if other == flat or other in chosen or (int(doc_of[other]) in dropped
                                                    and doc_of[other] != own):
                continue
            found = _direct(flat, other, graph.group_of, graph.links)
            if found is not None:
                return found
    # A copy of its own kept right before it (a doubled line whose first
    # copy is kept now that the twin they named is not written) ...
    prior = flat - 1
    while prior >= 0 and doc_of[prior] == own and prior in chosen:
        prior -= 1
    if prior >= 0 and doc_of[prior] == own and rank[prior] < rank[flat]:
        found = _direct(flat, prior, graph.group_of, graph.links)
        if found is not None:
            return found
    # ... or, for a paragraph long enough to repeat its own document
    # anywhere (dedup.decisions.context), an exact copy kept earlier in it.
    if not long_enough:
        return None
    for other in sorted(members[graph.group_of[flat]], key=lambda f: rank[f]):
        if rank[other] >= rank[flat]:
            break
        if doc_of[other] == own and other not in chosen:
            return _direct(flat, other, graph.group_of, graph.links)
    return None


def _boilerplate_kept_elsewhere(chosen: dict, boiler: set[int], members, dropped: dict,
                                doc_of: np.ndarray, rank: list[int], cfg: Config) -> None:
    """With ``keep-first`` boilerplate, the occurrence kept must be written:
    when it stands in a left-out article, the first in a written one is kept
    instead and named by the others."""
    if cfg.boilerplate != "keep-first":
        return
    for g in boiler:
        flats = sorted(members[g], key=lambda f: rank[f])
        kept = [f for f in flats if f not in chosen]
        if not kept or int(doc_of[kept[0]]) not in dropped:
            continue
        written = [f for f in flats if int(doc_of[f]) not in dropped]
        if not written:
            continue
        first = written[0]
        choice = chosen.pop(first)
        new = Choice(first, BOILERPLATE, 100.0, choice.detail)
        for f in flats:
            if f != first and f in chosen:
                chosen[f] = new


def _keep_in_order(chosen: dict, graph: _Graph, boiler: set[int], rank: list[int]) -> dict:
    """Walk the repeated paragraphs in keep order: each is removed as an exact
    copy of the first kept paragraph of its group, else as a near copy of the
    best kept twin it has a link to, else kept. Adds the removals to
    ``chosen`` in keep order and returns ``kept_in`` (group -> kept
    paragraphs) for the groups that have links.

    Only groups with links depend on the order: a group without any keeps its
    first paragraph and removes the others, so the walk runs on the linked
    groups alone, and the exact copies of every group are found at once with
    arrays after it. The removals go into ``chosen`` in keep order as a
    paragraph-by-paragraph walk over every group would put them; exact copies
    of one paragraph share one (never changed) choice.
    """
    gof, ranks = graph.gof, graph.ranks
    repeated = graph.repeated
    if boiler:
        repeated = repeated.copy()
        repeated[np.fromiter(boiler, dtype=np.int64, count=len(boiler))] = False
    flats = graph.by_rank[repeated[gof[graph.by_rank]]]            # in keep order
    in_linked = graph.linked[gof[flats]]

    # The walk reads only the linked groups, so it depends on the boilerplate
    # among them alone: the same set walks the same (the boilerplate found
    # again after cleaning is mostly short lines, which have no links).
    linked_boiler = frozenset(g for g in boiler if graph.linked[g])
    if graph.walked and graph.walked[0] == linked_boiler:
        _, walked_in, near_flats, near = graph.walked
    else:
        walked_in, near_flats, near = _walk_linked(flats[in_linked], graph, rank)
        graph.walked[:] = [linked_boiler, walked_in, near_flats, near]
    # A copy: the passes after the walk change what the groups keep.
    kept_in: dict[int, list[int]] = defaultdict(list)
    for g, kept in walked_in.items():
        kept_in[g] = kept.copy()

    # The paragraph each group keeps: the first in keep order for a group
    # without links, the one the walk kept for the others (none when the walk
    # removed them all as near copies).
    keeper = np.full(len(repeated), -1, dtype=np.int64)
    plain = flats[~in_linked]
    if len(plain):
        groups, first = np.unique(gof[plain], return_index=True)
        keeper[groups] = plain[first]
    walked = np.array([(g, kept[0]) for g, kept in kept_in.items() if kept],
                      dtype=np.int64).reshape(-1, 2)
    keeper[walked[:, 0]] = walked[:, 1]
    twin = keeper[gof[flats]]
    copies = flats[(twin >= 0) & (ranks[flats] > ranks[np.maximum(twin, 0)])]
    copy_twins = keeper[gof[copies]]
    twins, which = np.unique(copy_twins, return_inverse=True)
    shared = [Choice(t, EXACT, 100.0) for t in twins.tolist()]

    removed = np.concatenate([copies, np.asarray(near_flats, dtype=np.int64)])
    choice_at = np.concatenate([which.reshape(-1) + len(near),
                                np.arange(len(near), dtype=np.int64)])
    order = np.argsort(ranks[removed], kind="stable")
    pool = near + shared
    chosen.update(zip(removed[order].tolist(), [pool[i] for i in choice_at[order].tolist()]))
    return kept_in


def _walk_linked(flats: np.ndarray, graph: _Graph, rank: list[int]):
    """The walk over the paragraphs of linked groups, ``flats``, in keep order:
    ``kept_in`` (group -> its kept paragraphs) and the near removals (their
    flats and choices, in keep order). Exact copies are left to the caller."""
    group_of = graph.group_of
    kept_in: dict[int, list[int]] = defaultdict(list)
    near_flats: list[int] = []
    near: list[Choice] = []
    removable = graph.removable
    for flat in flats.tolist():
        g = group_of[flat]
        kept = kept_in[g]
        if kept:
            continue                     # an exact copy: the caller finds it with the others
        # _best_link over the links that allow a removal, inline (the walk's
        # hot spot): the highest score, then the best-ranked twin.
        best, best_score, best_rank = None, 0.0, 0
        for other, score, link in removable[g]:
            kept_other = kept_in.get(other)
            if not kept_other:
                continue
            twin = kept_other[0]
            if best is None or score > best_score or (score == best_score
                                                      and rank[twin] < best_rank):
                best, best_score, best_rank = (twin, link), score, rank[twin]
        if best is None:
            kept.append(flat)
        else:
            twin, link = best
            near_flats.append(flat)
            near.append(_near(twin, link))
    return kept_in, near_flats, near


def _keep_or_remove(flat, chosen, kept_in, group_of, links, rank) -> None:
    """Remove ``flat`` if it repeats a paragraph kept so far, directly; else keep it."""
    g = int(group_of[flat])
    if kept_in[g]:
        chosen[flat] = Choice(kept_in[g][0], EXACT, 100.0)
        return
    best = _best_link(links.get(g, ()), kept_in, rank, lambda link: link.may_remove)
    if best is None:
        kept_in[g].append(flat)
    else:
        twin, link = best
        chosen[flat] = _near(twin, link)


def _best_link(links, kept_in, rank, usable) -> tuple[int, "Link"] | None:
    """The kept twin with the highest score (then best rank) among usable links."""
    best = None
    for link in links:
        if not usable(link) or not kept_in.get(link.other):
            continue
        twin = kept_in[link.other][0]
        key = (-link.score, rank[twin])
        if best is None or key < best[0]:
            best = (key, twin, link)
    return None if best is None else best[1:]


def _remove_kept_partials(chosen, kept_in, links, group_of, rank, lesser) -> None:
    """A paragraph kept because it came first goes once a fuller twin is kept.

    A truncated copy, or a near copy lacking a name its twin has, may not
    remove that twin; when it comes first both are kept by the main pass, and
    this pass removes the lesser one instead (a second run over the output
    would). Paragraphs removed for it are handed over to the fuller twin when
    they repeat it directly (its exact copies always do); the others are
    decided again as if it had never been kept.
    """
    dependents: dict[int, list[int]] = defaultdict(list)
    for flat, choice in chosen.items():
        dependents[choice.twin].append(flat)
    # Only groups in ``lesser`` have a link this pass may use; the others
    # are skipped without looking at their links (same order as kept_in).
    for g, kept in [(g, kept) for g, kept in kept_in.items() if g in lesser]:
        for flat in list(kept):
            best = _best_link(links.get(g, ()), kept_in, rank,
                              lambda link: link.fuller_other and link.may_remove)
            if best is None:
                continue
            twin, link = best
            if twin in chosen:
                continue
            chosen[flat] = _near(twin, link)
            dependents[twin].append(flat)
            kept.remove(flat)
            orphans = []
            for dependent in dependents.pop(flat, ()):
                handed = _direct(dependent, twin, group_of, links)
                if handed is None:
                    del chosen[dependent]
                    orphans.append(dependent)
                else:
                    chosen[dependent] = handed
                    dependents[twin].append(dependent)
            # Decided again without their twin, best-ranked first: they may
            # repeat each other or another kept paragraph.
            for orphan in sorted(orphans, key=lambda f: rank[f]):
                _keep_or_remove(orphan, chosen, kept_in, group_of, links, rank)
                if orphan in chosen:
                    dependents[chosen[orphan].twin].append(orphan)


def _direct(flat: int, twin: int, group_of, links) -> Choice | None:
    """How paragraph ``flat`` repeats paragraph ``twin`` directly, if it does."""
    g, other = int(group_of[flat]), int(group_of[twin])
    if g == other:
        return Choice(twin, EXACT, 100.0)
    for link in links.get(g, ()):
        if link.other == other and link.may_remove:
            return _near(twin, link)
    return None


def _near(twin: int, link: Link) -> Choice:
    return Choice(twin, NEAR, link.score, link.detail, contextual=link.contextual)


def findings_of(by_ref: dict[Ref, Removal]) -> list[Finding]:
    """Removals grouped into runs per file, in file and position order."""
    removals = sorted(by_ref.values(), key=lambda r: (r.removed.doc, r.removed.para))

    def column(values) -> np.ndarray:
        return np.fromiter(values, dtype=np.int64, count=len(removals))
    return _runs(removals, column(r.removed.doc for r in removals),
                 column(r.removed.para for r in removals), column(r.kept.doc for r in removals),
                 column(r.kept.para for r in removals),
                 np.array([r.kind == BOILERPLATE for r in removals], dtype=bool),
                 column(r.kept_end for r in removals))


def _runs(removals: list[Removal], doc: np.ndarray, para: np.ndarray, kept_doc: np.ndarray,
          kept_para: np.ndarray, boiler: np.ndarray, kept_end: np.ndarray) -> list[Finding]:
    """Removals (in file and position order, with their positions as arrays)
    grouped into findings: a removal continues the run before it when both
    repeat (not boilerplate) and it follows the run's last paragraph in the
    same file, repeating the paragraph that follows the last one's twin
    (``kept_end``: the last paragraph of a twin that is a run)."""
    n = len(removals)
    if not n:
        return []
    continues = np.zeros(n, dtype=bool)
    continues[1:] = (~boiler[1:] & ~boiler[:-1] & (doc[1:] == doc[:-1])
                     & (para[1:] == para[:-1] + 1) & (kept_doc[1:] == kept_doc[:-1])
                     & (kept_para[1:] == kept_end[:-1] + 1))
    starts = np.flatnonzero(~continues).tolist()
    findings = []
    for first_at, end in zip(starts, starts[1:] + [n]):
        first, last = removals[first_at], removals[end - 1]
        if end - first_at == 1:
            kind, score, run = first.kind, first.score, (first,)
        else:
            run = tuple(removals[first_at:end])
            kind, score = BLOCK, min(r.score for r in run)
        findings.append(Finding(first.removed.doc, first.removed.para, last.removed.para, kind,
                                score, first.kept.doc, first.kept.para, last.kept_end, run))
    return findings
