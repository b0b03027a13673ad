"""A natural gold set: decisions on real news, labelled by reading.

    python -m bench.gold sample            # add new items to bench/gold/items.jsonl
    python -m bench.gold show [--todo]     # print items (with their text) for reading
    python -m bench.gold label ID LABEL REASON [--by NAME]
    python -m bench.gold score [--list]    # precision and recall of the code as it is

Injected benchmarks measure what their author thought of; this set measures
what the engine does on the BBC and Reuters corpora as they are. It holds
four sets of items, each a judgement a reader makes:

* ``removal``: a paragraph the engine removed and the kept paragraph (or run
  of paragraphs) it names as its twin, sampled by kind (exact, short, near,
  truncated, re-flowed, boilerplate) and, for near repeats, by score band.
  Label ``repeat`` when the removed paragraph may go while its twin stays (no
  fact, name, attribution, label or heading of its own story is lost), else
  ``different``.
* ``pair``: two paragraphs an independent method finds alike (datasketch
  MinHash over word 3-grams, then rapidfuzz ``ratio >= 80`` on lower-cased
  text) that the engine, when the item was sampled, did not remove one for
  the other. Label ``repeat`` (either may go for the other), ``a-only`` (the
  first may go, not the second: it holds more), ``b-only``, or ``different``.
* ``title``: a document whose first paragraph (its headline) comes back
  further down the same document. Label ``repeat`` or ``different``.
* ``article``: two articles whose word 5-grams one mostly contains
  (:func:`bench.articles_eval.reference_pairs`). Label ``repeat`` (one is a
  copy of the other, re-flowed or lightly edited: it could be left out),
  ``update`` (the same story with other facts: both stay) or ``different``.

Items hold paths, paragraph numbers (0-based) and a short hash of each
normalised text, never corpus text (the corpora are licensed for research
use only and are read in place). An item whose hashes no longer match the
corpus is reported and not scored.

Labels live in ``bench/gold/labels-*.jsonl`` (one file per labeller, so
several can work at once); the newest label of an item wins.

Scoring runs the engine as it is now:

* precision of removals: the engine's removals are sampled again with the
  same seed and sizes; each sampled removal must carry a label (the score
  lists those that do not: ``sample`` adds them). By kind and overall.
* recall: of the ``pair`` and ``title`` items labelled as repeats, the share
  the engine now removes in an allowed direction (twin with the same text).
* articles: of the ``article`` items, whether the engine's article relation
  agrees with the label (a repeat found as a repeat; an update as an update
  or a repeat is not counted against it; a different pair not related).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

from dedup import Config, scan_texts
from dedup.input.documents import document_from_text
from dedup.text.normalize import normalize

from . import corpora

HERE = Path(__file__).resolve().parent / "gold"
ITEMS = HERE / "items.jsonl"
SEED = 20261207

#: Removals sampled per kind (over both corpora), for precision.
PER_KIND = {"exact": 60, "short": 60, "near": 75, "truncated": 45, "reflow": 45,
            "boilerplate": 40}
NEAR_BANDS = ((90.0, 93.0), (93.0, 96.0), (96.0, 100.1))
PAIR_BANDS = ((80.0, 85.0), (85.0, 90.0), (90.0, 95.0), (95.0, 100.1))
PAIRS_PER_BAND = 40
ARTICLES_PER_CORPUS = 40
#: A short paragraph has fewer words than this (the engine's default short_words).
SHORT_WORDS = 10

REMOVAL_LABELS = ("repeat", "different")
PAIR_LABELS = ("repeat", "a-only", "b-only", "different")
ARTICLE_LABELS = ("repeat", "update", "different")


# --- corpora -------------------------------------------------------------------------

def load(name: str) -> dict[str, str] | None:
    loaded = {"bbc": corpora.bbc, "reuters": corpora.reuters}[name]()
    return None if loaded is None else dict(loaded)


def text_hash(text: str) -> str:
    return hashlib.sha1(normalize(text).encode("utf-8", "surrogatepass")).hexdigest()[:12]


class Texts:
    """Paragraphs of the corpora's documents, split as the engine splits them."""

    def __init__(self) -> None:
        self.texts: dict[str, str] = {}
        for name in ("bbc", "reuters"):
            loaded = load(name)
            if loaded is not None:
                self.texts.update(loaded)
        self._paras: dict[str, list[str]] = {}

    def paragraphs(self, path: str) -> list[str]:
        found = self._paras.get(path)
        if found is None:
            doc = document_from_text(self.texts[path], path)
            found = self._paras[path] = [p.text for p in doc.paragraphs]
        return found

    def para(self, path: str, index: int) -> str:
        return self.paragraphs(path)[index]

    def run(self, path: str, first: int, last: int) -> str:
        return "\n".join(self.paragraphs(path)[first:last + 1])


# --- items and labels ----------------------------------------------------------------

def item_id(kind: str, a: list, b: list) -> str:
    """An item's name: its set and the places it names (stable across runs)."""
    def place(p: list) -> str:
        return p[0] if len(p) == 1 else f"{p[0]}#{'-'.join(str(x) for x in p[1:-1])}"
    return f"{kind}:{place(a)}>{place(b)}"


def read_items() -> dict[str, dict]:
    if not ITEMS.exists():
        return {}
    return {i["id"]: i for i in map(json.loads, ITEMS.read_text("utf-8").splitlines()) if i}


def read_labels() -> dict[str, dict]:
    labels: dict[str, dict] = {}
    for path in sorted(HERE.glob("labels-*.jsonl")):
        for line in path.read_text("utf-8").splitlines():
            if line.strip():
                entry = json.loads(line)
                old = labels.get(entry["id"])
                if old is None or entry.get("at", "") >= old.get("at", ""):
                    labels[entry["id"]] = entry
    return labels


def append_items(items: list[dict]) -> int:
    known = read_items()
    new = [i for i in items if i["id"] not in known]
    HERE.mkdir(exist_ok=True)
    with open(ITEMS, "a", encoding="utf-8") as handle:
        for item in new:
            handle.write(json.dumps(item, sort_keys=True) + "\n")
    return len(new)


# --- what the engine decides -----------------------------------------------------------

@dataclass
class Run:
    corpus: str
    result: object
    seconds: float


def run_engine(name: str, texts: dict[str, str], cfg: Config | None = None) -> Run:
    started = time.perf_counter()
    result = scan_texts(texts, cfg or Config())
    return Run(name, result, time.perf_counter() - started)


def removal_kind(result, removal) -> str:
    if removal.kind == "boilerplate":
        return "boilerplate"
    if removal.detail.startswith("re-flowed"):
        return "reflow"
    if removal.detail == "truncated copy":
        return "truncated"
    if removal.kind == "near":
        return "near"
    words = len(result.paragraph(removal.removed).text.split())
    return "short" if words < SHORT_WORDS else "exact"


def _twin_last(removal) -> int:
    """The last paragraph of a removal's kept twin (a run, for a re-flowed copy)."""
    return removal.kept_end


def removal_items(run: Run) -> list[dict]:
    """Every removal of a run as an item (not yet sampled)."""
    result = run.result
    docs = result.documents
    out = []
    seen_boiler = set()
    for removal in result.removals.values():
        kind = removal_kind(result, removal)
        a_doc, b_doc = docs[removal.removed.doc], docs[removal.kept.doc]
        a_text = result.paragraph(removal.removed).text
        if kind == "boilerplate":
            h = text_hash(a_text)
            if h in seen_boiler:
                continue
            seen_boiler.add(h)
        last = _twin_last(removal)
        b_text = "\n".join(b_doc.paragraphs[i].text for i in range(removal.kept.para, last + 1))
        a = [a_doc.path, removal.removed.para, text_hash(a_text)]
        b = [b_doc.path, removal.kept.para, last, text_hash(b_text)]
        out.append({"id": item_id("removal", a, b), "set": "removal", "corpus": run.corpus,
                    "kind": kind, "score": removal.score, "detail": removal.detail,
                    "a": a, "b": b})
    return out


def band_of(score: float, bands) -> str:
    for low, high in bands:
        if low <= score < high:
            return f"{low:g}-{min(high, 100):g}"
    return "other"


def sample_removals(runs: list[Run], per_kind: dict[str, int] = PER_KIND) -> list[dict]:
    """The removals a score looks at: per kind (near: per score band), spread
    over the corpora, drawn with a fixed seed so the same engine draws the same."""
    rng = random.Random(SEED)
    pools: dict[str, list[dict]] = defaultdict(list)
    for run in runs:
        for item in removal_items(run):
            key = item["kind"]
            if key == "near":
                key += ":" + band_of(item["score"], NEAR_BANDS)
            pools[key].append(item)
    chosen = []
    for key in sorted(pools):
        kind = key.split(":")[0]
        want = per_kind.get(kind, 40)
        if kind == "near":
            want = -(-want // len(NEAR_BANDS))
        pool = sorted(pools[key], key=lambda i: i["id"])
        # Half from each corpus where both have enough, the rest from either.
        by_corpus = defaultdict(list)
        for item in pool:
            by_corpus[item["corpus"]].append(item)
        picked = []
        for corpus in sorted(by_corpus):
            items = by_corpus[corpus]
            picked += rng.sample(items, min(len(items), want // max(1, len(by_corpus))))
        rest = [i for i in pool if i not in picked]
        picked += rng.sample(rest, min(len(rest), want - len(picked)))
        for item in picked:
            item["stratum"] = key
        chosen += picked
    return chosen


_INDEX: dict[int, dict[str, int]] = {}


def removes(result, a: tuple[str, int], b: tuple[str, int], own_copy: bool = True) -> bool:
    """Whether the engine removes paragraph ``a`` for ``b`` or a paragraph with its text.

    ``own_copy`` off: a removal of ``a`` for a copy of its own text (an
    exact repeat, as in a whole article published twice) does not count
    when ``b``'s text differs from it: ``a`` is then removed for its twin,
    not for ``b``, even where ``b``'s text is held in that twin."""
    from dedup.model import Ref
    index = _INDEX.get(id(result))
    if index is None:
        index = _INDEX[id(result)] = {d.path: i for i, d in enumerate(result.documents)}
    ref = Ref(index[a[0]], a[1])
    removal = result.removals.get(ref)
    if removal is None or removal.kind == "boilerplate":
        return False
    twin_doc = result.documents[removal.kept.doc]
    last = _twin_last(removal)
    wanted = normalize(result.documents[index[b[0]]].paragraphs[b[1]].text)
    twin = " ".join(normalize(twin_doc.paragraphs[i].text)
                    for i in range(removal.kept.para, last + 1))
    if not own_copy and twin != wanted and \
            normalize(result.documents[ref.doc].paragraphs[ref.para].text) == twin:
        return False
    return (removal.kept.doc, removal.kept.para) == (index[b[0]], b[1]) or twin == wanted \
        or wanted in twin


# --- independent pairs -------------------------------------------------------------------

_WORD = re.compile(r"\w+")


def independent_pairs(texts: dict[str, str], corpus: str, min_ratio: float = 80.0) -> list[dict]:
    """Paragraph pairs alike by another method than the engine's: datasketch
    MinHash LSH over word 3-grams (threshold 0.5), then rapidfuzz ratio of the
    lower-cased, whitespace-squashed texts."""
    from datasketch import MinHash, MinHashLSH
    from rapidfuzz import fuzz
    paras = []
    for path in sorted(texts):
        doc = document_from_text(texts[path], path)
        for p in doc.paragraphs:
            words = _WORD.findall(p.text.lower())
            if len(words) >= 8:
                paras.append((path, p.index, " ".join(p.text.lower().split()), words))
    lsh = MinHashLSH(threshold=0.5, num_perm=64)
    hashes = []
    for k, (_, _, _, words) in enumerate(paras):
        grams = {" ".join(words[i:i + 3]).encode() for i in range(len(words) - 2)}
        m = MinHash(num_perm=64, seed=7)
        m.update_batch(list(grams))
        hashes.append(m)
        lsh.insert(str(k), m)
    out = []
    for k, m in enumerate(hashes):
        for other in lsh.query(m):
            j = int(other)
            if j <= k or paras[j][2] == paras[k][2]:
                continue
            ratio = fuzz.ratio(paras[k][2], paras[j][2])
            if ratio >= min_ratio:
                (pa, ia, ta, _), (pb, ib, tb, _) = paras[k], paras[j]
                a = [pa, ia, text_hash(ta)]
                b = [pb, ib, text_hash(tb)]
                out.append({"id": item_id("pair", a, b), "set": "pair", "corpus": corpus,
                            "score": round(ratio, 1), "a": a, "b": b})
    return out


def title_items(texts: dict[str, str], corpus: str) -> list[dict]:
    """Documents whose first paragraph comes back further down, exactly or nearly."""
    from rapidfuzz import fuzz
    out = []
    for path in sorted(texts):
        doc = document_from_text(texts[path], path)
        if len(doc.paragraphs) < 3:
            continue
        title = normalize(doc.paragraphs[0].text)
        if not title or len(title.split()) > 20:
            continue
        for p in doc.paragraphs[1:]:
            norm = normalize(p.text)
            if norm == title or (len(norm) < 2 * len(title) and fuzz.ratio(norm, title) >= 90):
                a = [path, p.index, text_hash(p.text)]
                b = [path, 0, text_hash(doc.paragraphs[0].text)]
                out.append({"id": item_id("title", a, b), "set": "title", "corpus": corpus,
                            "score": round(fuzz.ratio(norm, title), 1), "a": a, "b": b})
    return out


def article_items(texts: dict[str, str], corpus: str) -> list[dict]:
    from .articles_eval import reference_pairs
    pairs = reference_pairs(sorted(texts.items()), 0.8)
    out = []
    done = set()
    for (a, b), containment in sorted(pairs.items()):
        key = tuple(sorted((a, b)))
        if key in done:
            continue
        done.add(key)
        a, b = key
        other = pairs.get((b, a), 0.0)
        item = {"set": "article", "corpus": corpus, "a": [a, text_hash(texts[a])],
                "b": [b, text_hash(texts[b])],
                "score": round(max(containment, other), 3)}
        item["id"] = item_id("article", [a], [b])
        out.append(item)
    return out


# --- commands ------------------------------------------------------------------------------

def cmd_sample(args) -> None:
    rng = random.Random(SEED)
    runs, texts_of = [], {}
    for name in ("bbc", "reuters"):
        texts = load(name)
        if texts is None:
            print(f"{name}: corpus absent; skipped", file=sys.stderr)
            continue
        texts_of[name] = texts
        runs.append(run_engine(name, texts))
    new = sample_removals(runs)
    added = append_items(new)
    print(f"removals: {len(new)} sampled, {added} new")
    if args.removals_only:
        return
    known = read_items()
    for name, texts in texts_of.items():
        run = next(r for r in runs if r.corpus == name)
        result = run.result
        titles = [t for t in title_items(texts, name) if t["id"] not in known]
        print(f"{name} titles: {len(titles)} new, {append_items(titles)} added")
        pairs = [p for p in independent_pairs(texts, name)
                 if p["id"] not in known
                 and not removes(result, p["a"][:2], p["b"][:2])
                 and not removes(result, p["b"][:2], p["a"][:2])]
        chosen = []
        for band in PAIR_BANDS:
            pool = [p for p in pairs if band[0] <= p["score"] < band[1]]
            take = rng.sample(pool, min(len(pool), PAIRS_PER_BAND // 2))
            for p in take:
                p["stratum"] = band_of(p["score"], PAIR_BANDS)
            chosen += take
        print(f"{name} pairs not removed: {len(pairs)} found, {append_items(chosen)} added")
        articles = [a for a in article_items(texts, name) if a["id"] not in known]
        related = {(result.documents[r.doc].path, result.documents[r.kept_doc].path)
                   for r in result.articles}
        missed = [a for a in articles if (a["a"][0], a["b"][0]) not in related
                  and (a["b"][0], a["a"][0]) not in related]
        found = [a for a in articles if a not in missed]
        take = missed[:ARTICLES_PER_CORPUS // 2]
        take += rng.sample(found, min(len(found), ARTICLES_PER_CORPUS - len(take)))
        print(f"{name} articles: {len(articles)} reference pairs, {append_items(take)} added")


def _context(texts: Texts, path: str, first: int, last: int | None = None) -> str:
    paras = texts.paragraphs(path)
    last = first if last is None else last
    lines = [f"    [{path}] title: {paras[0][:100]!r}"]
    for i in range(max(0, first - 2), min(len(paras), last + 3)):
        inside = first <= i <= last
        text = paras[i] if inside or len(paras[i]) <= 240 else paras[i][:240] + " [...]"
        lines.append(f"  {'>>' if inside else '  '} {i:3d}: {text}")
    return "\n".join(lines)


def show_item(item: dict, texts: Texts, label: dict | None) -> str:
    head = f"=== {item['id']}\n    [{item['set']} {item.get('kind', '')} "
    head += f"{item.get('stratum', '')} score {item.get('score')} {item.get('detail', '')}]"
    if label:
        head += f"\n    labelled {label['label']}: {label.get('reason', '')}"
    if item["set"] == "article":
        import difflib
        a, b = texts.paragraphs(item["a"][0]), texts.paragraphs(item["b"][0])
        diff = difflib.unified_diff(a, b, item["a"][0], item["b"][0], n=1, lineterm="")
        body = "\n".join(line[:600] for line in diff)
        return (f"{head}\n    {item['a'][0]}: {len(a)} paragraphs; {item['b'][0]}: {len(b)} "
                f"paragraphs; word 5-gram containment {item['score']}\n{body}\n")
    a = item["a"]
    b = item["b"]
    if item.get("kind") == "boilerplate":
        return f"{head}\n  the line (removed from every file holding it):\n" \
               f"{_context(texts, a[0], a[1])}\n"
    b_last = b[2] if item["set"] == "removal" else b[1]
    return (f"{head}\n  A (removed; or the first of the pair):\n{_context(texts, a[0], a[1])}\n"
            f"  B (kept twin; or the second of the pair):\n"
            f"{_context(texts, b[0], b[1], b_last)}\n")


def cmd_show(args) -> None:
    texts = Texts()
    items = list(read_items().values())
    labels = read_labels()
    if args.todo:
        items = [i for i in items if i["id"] not in labels]
    if args.set:
        items = [i for i in items if i["set"] == args.set]
    if args.ids:
        wanted = set(args.ids)
        items = [i for i in items if i["id"] in wanted]
    items = items[args.start:args.start + args.count if args.count else None]
    for item in items:
        print(show_item(item, texts, labels.get(item["id"])))


def cmd_label(args) -> None:
    items = read_items()
    if args.id not in items:
        sys.exit(f"no such item: {args.id}")
    allowed = {"removal": REMOVAL_LABELS, "title": REMOVAL_LABELS, "pair": PAIR_LABELS,
               "article": ARTICLE_LABELS}[items[args.id]["set"]]
    if args.label not in allowed:
        sys.exit(f"label must be one of {', '.join(allowed)}")
    path = HERE / f"labels-{args.by}.jsonl"
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(json.dumps({"id": args.id, "label": args.label, "reason": args.reason,
                                 "by": args.by, "at": time.strftime("%Y-%m-%dT%H:%M:%S")})
                     + "\n")


def _stale(item: dict, texts: Texts) -> bool:
    try:
        if item["set"] == "article":
            return any(text_hash(texts.texts[p[0]]) != p[1] for p in (item["a"], item["b"]))
        a, b = item["a"], item["b"]
        if text_hash(texts.para(a[0], a[1])) != a[2]:
            return True
        if item["set"] == "removal":
            return text_hash(texts.run(b[0], b[1], b[2])) != b[3]
        return text_hash(texts.para(b[0], b[1])) != b[2]
    except (KeyError, IndexError):
        return True


def score(args) -> dict:
    texts = Texts()
    items = read_items()
    labels = read_labels()
    runs = {}
    for name in ("bbc", "reuters"):
        loaded = load(name)
        if loaded is not None:
            runs[name] = run_engine(name, loaded)
    out: dict = {"unlabelled": [], "stale": [i for i, it in items.items() if _stale(it, texts)]}

    # Precision: the removals the engine makes now, sampled as `sample` samples them.
    sampled = sample_removals(list(runs.values()))
    by_kind: dict[str, Counter] = defaultdict(Counter)
    wrong = []
    for item in sampled:
        label = labels.get(item["id"])
        if label is None:
            out["unlabelled"].append(item["id"])
            continue
        ok = label["label"] == "repeat"
        by_kind[item["kind"]]["repeat" if ok else "different"] += 1
        if not ok:
            wrong.append((item["id"], label.get("reason", "")))
    total = sum((c for c in by_kind.values()), Counter())
    out["precision"] = {k: _ratio(c) for k, c in sorted(by_kind.items())}
    out["precision"]["all"] = _ratio(total)
    out["wrong_removals"] = wrong

    # Recall on pairs and titles labelled as repeats.
    found, missed = Counter(), defaultdict(list)
    for item in items.values():
        if item["set"] not in ("pair", "title") or item["id"] in out["stale"]:
            continue
        label = labels.get(item["id"])
        if label is None:
            out["unlabelled"].append(item["id"])
            continue
        lab = label["label"]
        if lab == "different":
            continue
        result = runs[item["corpus"]].result
        a, b = tuple(item["a"][:2]), tuple(item["b"][:2])
        ok = ((lab in ("repeat", "a-only") and removes(result, a, b))
              or (lab in ("repeat", "b-only") and removes(result, b, a)))
        found[(item["set"], ok)] += 1
        if not ok:
            missed[item["set"]].append(item["id"])
    out["recall"] = {s: _ratio(Counter({"repeat": found[(s, True)],
                                        "different": found[(s, False)]}))
                     for s in ("pair", "title")}
    both = Counter({"repeat": found[("pair", True)] + found[("title", True)],
                    "different": found[("pair", False)] + found[("title", False)]})
    out["recall"]["all"] = _ratio(both)
    out["missed"] = dict(missed)

    # Different pairs the engine removes now (independent pairs labelled different).
    out["different_removed"] = []
    for item in items.values():
        if item["set"] != "pair" or item["id"] in out["stale"]:
            continue
        label = labels.get(item["id"])
        if label is None:
            continue
        result = runs[item["corpus"]].result
        a, b = tuple(item["a"][:2]), tuple(item["b"][:2])
        lab = label["label"]
        if (lab in ("different", "b-only") and removes(result, a, b, own_copy=False)) or \
                (lab in ("different", "a-only") and removes(result, b, a, own_copy=False)):
            out["different_removed"].append(item["id"])

    # Articles: copies of one article are often several; a pair counts as
    # related when the engine joins them through its relations (a repeat of
    # a third article both repeat), as bench.articles_eval counts them.
    agree = Counter()
    disagree = []
    clusters = {name: _article_clusters(run.result) for name, run in runs.items()}
    for item in items.values():
        if item["set"] != "article" or item["id"] in out["stale"]:
            continue
        label = labels.get(item["id"])
        if label is None:
            out["unlabelled"].append(item["id"])
            continue
        repeat_of, any_of = clusters[item["corpus"]]
        a, b = item["a"][0], item["b"][0]
        relation = ("repeat" if repeat_of(a) == repeat_of(b)
                    else "update" if any_of(a) == any_of(b) else "")
        lab = label["label"]
        ok = (relation == "repeat") if lab == "repeat" else \
            (relation in ("update", "repeat")) if lab == "update" else (relation != "repeat")
        agree[ok] += 1
        if not ok:
            disagree.append((item["id"], lab, relation or "none"))
    out["articles"] = {"agree": agree[True], "disagree": agree[False],
                       "wrong": disagree}
    out["seconds"] = {name: round(run.seconds, 1) for name, run in runs.items()}
    return out


def _article_clusters(result):
    """Two functions naming each article's group: joined by repeats only,
    and by repeats and updates."""
    docs = result.documents

    def finder(relations):
        parent: dict[str, str] = {}

        def root(x: str) -> str:
            parent.setdefault(x, x)
            while parent[x] != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x
        for r in relations:
            ra, rb = root(docs[r.doc].path), root(docs[r.kept_doc].path)
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)
        return root
    return (finder([r for r in result.articles if r.relation == "repeat"]),
            finder(result.articles))


def _ratio(c: Counter) -> dict:
    n = c["repeat"] + c["different"]
    return {"n": n, "value": round(c["repeat"] / n, 4) if n else None}


def cmd_score(args) -> None:
    out = score(args)
    if args.json:
        print(json.dumps(out, indent=1))
        return
    print("precision of removals (sampled now):")
    for kind, r in out["precision"].items():
        print(f"  {kind:12s} {r['value']}  (n={r['n']})")
    print("recall on labelled repeats the engine did not remove when sampled:")
    for kind, r in out["recall"].items():
        print(f"  {kind:12s} {r['value']}  (n={r['n']})")
    a = out["articles"]
    print(f"articles: {a['agree']} agree, {a['disagree']} disagree")
    print(f"pairs labelled different that are removed now: {len(out['different_removed'])}")
    print(f"unlabelled: {len(out['unlabelled'])}; stale: {len(out['stale'])}")
    if args.list:
        for key in ("wrong_removals", "missed", "different_removed", "unlabelled", "stale"):
            print(f"-- {key}")
            entries = out[key]
            for entry in (entries.items() if isinstance(entries, dict) else entries):
                print(f"  {entry}")
        for entry in a["wrong"]:
            print(f"  article {entry}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("sample", help="add the engine's current sample (and, once, pairs, "
                                      "titles and articles) to the items")
    p.add_argument("--removals-only", action="store_true")
    p.set_defaults(func=cmd_sample)
    p = sub.add_parser("show", help="print items with their text, for reading")
    p.add_argument("--todo", action="store_true", help="only items without a label")
    p.add_argument("--set", choices=("removal", "pair", "title", "article"))
    p.add_argument("--start", type=int, default=0)
    p.add_argument("--count", type=int, default=0)
    p.add_argument("ids", nargs="*")
    p.set_defaults(func=cmd_show)
    p = sub.add_parser("label", help="record a label")
    p.add_argument("id")
    p.add_argument("label")
    p.add_argument("reason")
    p.add_argument("--by", default="team")
    p.set_defaults(func=cmd_label)
    p = sub.add_parser("score", help="precision and recall of the engine as it is")
    p.add_argument("--list", action="store_true")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_score)
    args = parser.parse_args(argv)
    args.func(args)


if __name__ == "__main__":
    main()
