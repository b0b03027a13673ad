"""MinHash signatures and LSH buckets, checked against exact sets and datasketch."""

from __future__ import annotations

import numpy as np
import pytest
from datasketch import LeanMinHash, MinHash, MinHashLSH
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import FILLER  # noqa: E402

from dedup import compiled as switch
from dedup.fingerprints.candidates import candidate_pairs
from dedup.fingerprints.fingerprint import jaccard, lsh_params, shingles, signatures
from dedup.text.normalize import normalize


def _variants() -> list[str]:
    """Made-up paragraphs and edited copies of them, from identical to unrelated."""
    out = []
    for text in FILLER:
        words = text.split()
        out += [text, " ".join(words[:-4]), " ".join(words[3:]),
                " ".join(w if i % 7 else w.upper() + "x" for i, w in enumerate(words))]
    return [normalize(t) for t in out]


def test_signature_estimates_follow_the_exact_shingle_jaccard():
    texts = _variants()
    sigs = signatures(texts, shingle_size=5, num_perm=256, seed=3)
    errors = []
    for i in range(len(texts)):
        for j in range(i + 1, len(texts)):
            a, b = shingles(texts[i], 5), shingles(texts[j], 5)
            exact = len(a & b) / len(a | b)
            errors.append(abs(jaccard(sigs[i], sigs[j]) - exact))
    # 256 permutations: the standard error of an estimate is at most 1/32.
    assert float(np.mean(errors)) < 0.02
    assert max(errors) < 0.15


def test_signature_estimates_agree_with_datasketch_on_the_same_shingles():
    texts = _variants()
    ours = signatures(texts, shingle_size=5, num_perm=256, seed=3)
    theirs = []
    for text in texts:
        m = MinHash(num_perm=256, seed=3)
        m.update_batch(sorted(shingles(text, 5)))
        theirs.append(m)
    gaps = [abs(jaccard(ours[i], ours[j]) - theirs[i].jaccard(theirs[j]))
            for i in range(len(texts)) for j in range(i + 1, len(texts))]
    assert float(np.mean(gaps)) < 0.03


def test_signatures_do_not_depend_on_batching_or_order():
    texts = _variants()
    whole = signatures(texts)
    one_by_one = np.vstack([signatures([t]) for t in texts])
    reversed_ = signatures(texts[::-1])[::-1]
    assert np.array_equal(whole, one_by_one)
    assert np.array_equal(whole, reversed_)


def test_number_formatting_does_not_change_the_signature():
    a = normalize("Exports rose to 12,500 tonnes in March from 9,800 tonnes a year earlier.")
    b = normalize("Exports rose to 12500 tonnes in March from 9800 tonnes a year earlier.")
    assert np.array_equal(signatures([a])[0], signatures([b])[0])


def test_candidate_buckets_are_those_of_datasketch_lsh():
    texts = _variants()
    bands, rows = lsh_params(0.5, 64)
    sigs = signatures(texts, num_perm=64, seed=1)
    ours = {tuple(p) for p in candidate_pairs(sigs, bands, rows, max_bucket=10_000).tolist()}
    lsh = MinHashLSH(num_perm=64, params=(bands, rows))
    hashes = [LeanMinHash(seed=1, hashvalues=s.astype(np.uint64), scheme="legacy") for s in sigs]
    for i, h in enumerate(hashes):
        lsh.insert(i, h)
    theirs = {tuple(sorted((i, j))) for i, h in enumerate(hashes) for j in lsh.query(h) if j != i}
    assert theirs and ours == theirs


def test_candidate_pairs_are_the_sorted_union_of_each_buckets_pairs():
    """Every bucket (small, or templated and above max_bucket) gives the pairs
    bucket_pairs gives it; the result is unique (i, j) rows, i < j, sorted."""
    from dedup.fingerprints.candidates import bucket_keys, bucket_pairs
    rng = np.random.default_rng(7)
    bands, rows = 4, 2
    sigs = rng.integers(0, 3, size=(300, bands * rows)).astype(np.uint64)   # few distinct bands
    prefixes = rng.integers(0, 40, size=300).astype(np.uint64)             # 0 = no opening key
    got = candidate_pairs(sigs, bands, rows, prefixes, max_bucket=5)
    keys = bucket_keys(sigs, bands, rows, prefixes)
    expected = set()
    for key in np.unique(keys[keys != 0]):
        bucket = np.flatnonzero((keys == key).any(axis=1))
        if len(bucket) > 1:
            expected |= {tuple(sorted(p)) for p in bucket_pairs(bucket, 5).tolist() if p[0] != p[1]}
    rows_ = [tuple(p) for p in got.tolist()]
    assert rows_ == sorted(expected) and all(i < j for i, j in rows_)
    assert got.dtype == np.int64 and got.shape[1] == 2


@pytest.mark.parametrize("seed", range(4))
def test_entry_pairs_are_the_candidate_pairs_of_the_same_buckets(seed):
    """An engine that gathers (key, member) entries itself, in any order and
    split into parts as the Dask engine's partitions are, gets from
    entry_pairs the pairs candidate_pairs gives for the key rows."""
    from dedup.fingerprints.candidates import bucket_keys, entry_pairs
    rng = np.random.default_rng(seed)
    bands, rows = 4, 2
    sigs = rng.integers(0, 3, size=(300, bands * rows)).astype(np.uint64)
    prefixes = rng.integers(0, 40, size=300).astype(np.uint64)
    keys = bucket_keys(sigs, bands, rows, prefixes)
    members = np.repeat(np.arange(len(keys)), keys.shape[1])
    flat = keys.ravel()
    entries = np.flatnonzero(flat)
    rng.shuffle(entries)
    expected = candidate_pairs(sigs, bands, rows, prefixes, max_bucket=5)
    assert len(expected) > 100
    assert entry_pairs(flat[entries], members[entries], 5).tolist() == expected.tolist()
    # By ranges of keys, as partitions hold them: the union is the same.
    cut = np.sort(flat[entries])[len(entries) // 2]
    low, high = entries[flat[entries] < cut], entries[flat[entries] >= cut]
    parts = [entry_pairs(flat[e], members[e], 5) for e in (low, high)]
    union = np.unique(np.concatenate(parts), axis=0)
    assert union.tolist() == expected.tolist()
    assert entry_pairs(np.zeros(0, np.uint64), np.zeros(0, np.int64)).shape == (0, 2)


@pytest.mark.parametrize("seed", range(8))
def test_a_member_listed_twice_under_one_key_counts_once(seed):
    # An opening key equal to one of the member's own band keys (keys of
    # different kinds colliding) puts it in that bucket twice; the bucket
    # must still count it once, or a bucket at max_bucket would be taken
    # for a larger one and paired differently.
    from dedup.fingerprints.candidates import bucket_keys, bucket_pairs
    rng = np.random.default_rng(seed)
    bands, rows = 4, 2
    sigs = rng.integers(0, 2, size=(120, bands * rows)).astype(np.uint64)
    band = bucket_keys(sigs, bands, rows)
    prefixes = np.where(rng.random(120) < 0.3, band[:, 0], 0).astype(np.uint64)
    got = candidate_pairs(sigs, bands, rows, prefixes, max_bucket=5)
    keys = bucket_keys(sigs, bands, rows, prefixes)
    assert (keys[:, -1:] == keys[:, :1]).any()          # some members are listed twice
    expected = set()
    for key in np.unique(keys[keys != 0]):
        bucket = np.flatnonzero((keys == key).any(axis=1))
        if len(bucket) > 1:
            expected |= {tuple(sorted(p)) for p in bucket_pairs(bucket, 5).tolist() if p[0] != p[1]}
    assert [tuple(p) for p in got.tolist()] == sorted(expected)


def test_band_keys_follow_their_definition_one_value_at_a_time():
    """Band keys are stored in the index: they must not drift. Each is the
    band's rows folded in order: xor, multiply by the mixing constant
    modulo 2^64, xor with itself shifted right by 31."""
    import numpy as np

    from dedup.fingerprints.fingerprint import _MIX1, band_keys

    rng = np.random.default_rng(7)
    for bands, rows in ((16, 4), (9, 7), (20, 5)):
        sigs = rng.integers(0, 2**32, size=(6, bands * rows + 3), dtype=np.uint32)
        got = band_keys(sigs, bands, rows)
        for i in range(len(sigs)):
            for b in range(bands):
                key = 0
                for r in range(rows):
                    key = ((key ^ int(sigs[i, b * rows + r])) * int(_MIX1)) % 2**64
                    key ^= key >> 31
                assert int(got[i, b]) == key


def test_prefix_keys_are_the_exact_keys_of_the_openings():
    """prefix_keys gives exact_key's key of each long enough text's opening
    (hashlib's BLAKE2b-64), 0 for a shorter text; a lone surrogate in a text
    too short for a key, or past the opening, changes nothing, and one
    inside a long text's opening fails as exact_key does."""
    from dedup.fingerprints.candidates import PREFIX_CHARS, PREFIX_MIN_CHARS, prefix_keys
    from dedup.fingerprints.fingerprint import exact_key
    texts = ["", "short", "s" * (PREFIX_MIN_CHARS - 1), "t" * PREFIX_MIN_CHARS,
             "caf\u00e9 au lait " * 9, "\u4e00" * 80, "\U0001D400 wide " * 10,
             "\ud800 too short", "long enough " * 10 + "\udfff past the opening"]
    keys = prefix_keys(texts)
    assert keys.dtype == np.uint64
    assert (keys[:3] == 0).all() and keys[7] == 0
    for text, key in zip(texts, keys.tolist()):
        if len(text) >= PREFIX_MIN_CHARS:
            assert key == (exact_key(text[:PREFIX_CHARS]) & 0x7FFFFFFFFFFFFFFF) | 1
    assert prefix_keys(texts[:3] + ["t" * PREFIX_MIN_CHARS + "more"]).tolist()[-1] == keys[3]
    with pytest.raises(UnicodeEncodeError):
        prefix_keys(["x" * (PREFIX_CHARS - 1) + "\ud800" + "y" * 30])


def test_group_firsts_are_each_exact_groups_first_member():
    """near_links takes each group's first paragraph from the facts' sort:
    it is members[g][0] of exact_groups, groups in their order."""
    from dedup.text.facts import Facts, exact_groups, group_firsts

    rng = np.random.default_rng(5)
    norms = [f"text {k}" for k in rng.integers(0, 40, size=300)]
    facts = Facts.of(norms, norms)
    _, members = exact_groups(facts)
    assert group_firsts(facts).tolist() == [m[0] for m in members]
    assert len(members) < 300 and group_firsts(Facts.empty()).tolist() == []


def test_paragraph_keys_are_the_blake2b_halves_of_each_text():
    """Exact groups are groups of equal keys, in every process and on every
    machine: Facts.of gives each text's text_key, an empty text and a lone
    surrogate included."""
    from dedup.text.facts import Facts, text_key

    norms = ["", "a", "the same text", "the same text", "caf\u00e9 5,000", "\ud800x", "z" * 5000]
    facts = Facts.of(norms, norms)
    assert [(int(hi), int(lo)) for hi, lo in zip(facts.key_hi, facts.key_lo)] == [
        text_key(t) for t in norms]
    assert text_key("a") != text_key("b") and facts.key_hi[2] == facts.key_hi[3]
    assert len(Facts.of([], []).key_hi) == 0
    single = Facts.of(["one"], ["one"])
    single.key_hi[0] = 1                   # its own array, not a view of read-only bytes


def _copied_files(folder):
    paragraphs = [FILLER[0], FILLER[1], "Short line", FILLER[0].upper(), FILLER[2]]
    for i in range(40):        # 40 files: copies across tasks and processes
        chosen = [paragraphs[(i + k) % len(paragraphs)] for k in range(3)]
        (folder / f"{i:02d}.txt").write_text("\n\n".join(chosen) + "\n", encoding="utf-8")
    return [(p, p.name) for p in sorted(folder.glob("*.txt"))]


def _assert_each_text_signed_once(corpus, cfg):
    rows = corpus.signature_row
    signable = np.array([len(n) >= cfg.near_min_chars for n in corpus.norms])
    assert ((rows >= 0) == signable).all()
    assert len(corpus.signatures) == len({n for n, s in zip(corpus.norms, signable) if s}) == 3
    expected = signatures([n for n, s in zip(corpus.norms, signable) if s],
                          cfg.shingle_size, cfg.num_perm, cfg.seed)
    assert (corpus.signatures[rows[signable]] == expected).all()
    # Beside each signature, the opening key of its text (found by the readers).
    from dedup.fingerprints.candidates import prefix_keys
    openings = prefix_keys([n for n, s in zip(corpus.norms, signable) if s])
    assert (openings != 0).all() and (corpus.prefixes[rows[signable]] == openings).all()
    # The first occurrence of each text holds the lowest row numbers, in order.
    firsts = [int(rows[i]) for i in range(len(rows))
              if signable[i] and corpus.norms[i] not in corpus.norms[:i]]
    assert firsts == [0, 1, 2]


def test_copies_share_the_signature_of_their_first_occurrence(tmp_path, monkeypatch):
    """Each distinct text long enough keeps one signature; every copy (in any
    file, read by one process or two) points at it, and every paragraph's row
    holds exactly the signature of its own text."""
    from dedup import Config
    from dedup.input import corpus as corpus_module
    from dedup.input.corpus import read_corpus

    # Small tasks, so that two processes read several each.
    monkeypatch.setattr(corpus_module, "_files_per_task", lambda count, workers: 4)
    files = _copied_files(tmp_path)
    signed = []
    real = corpus_module.signatures
    monkeypatch.setattr(corpus_module, "signatures",
                        lambda texts, *a: signed.extend(texts) or real(texts, *a))
    for jobs in (1, 2):
        cfg = Config(jobs=jobs)
        _assert_each_text_signed_once(read_corpus(files, cfg), cfg)
    # One process signs each text once (what two processes signed is theirs).
    assert len(signed) == 3


def test_a_first_copy_that_comes_back_unsigned_is_signed_after_reading(tmp_path, monkeypatch):
    from dedup import Config
    from dedup.input import corpus as corpus_module
    from dedup.input.corpus import read_corpus
    from dedup.text.facts import text_key

    files = _copied_files(tmp_path)
    cfg = Config(jobs=1)
    everything = {text_key(normalize(t))[0] for t in FILLER[:3]}
    # A reader that believes it signed every text already.
    monkeypatch.setattr(corpus_module, "_signed_in", lambda run: set(everything))
    _assert_each_text_signed_once(read_corpus(files, cfg), cfg)


def test_thousands_separators_are_dropped_text_by_text():
    """Dropping separators over all texts at once gives what each text alone
    gives: no match spans two texts, and a text holding the joining
    character itself falls back to one text at a time."""
    import re

    from dedup.fingerprints.fingerprint import _without_separators

    def one_by_one(texts):
        return [re.sub(r"(?<=\d),(?=\d{3})", "", t) for t in texts]
    cases = [
        [],
        ["no commas here"],
        ["5,000 died", "up 1,234,567.8", "12,34 and 3,5"],
        ["ends with 5,", "000 starts the next", "9", ",123"],
        ["a,b", "1,000\x00,200", "7,500"],
    ]
    for texts in cases:
        assert _without_separators(texts) == one_by_one(texts)


@given(st.lists(st.text(alphabet="19,a \x00\u0663", max_size=12), max_size=5))
@settings(max_examples=1500, deadline=None)
def test_thousands_separators_follow_the_plain_rule(texts):
    # The pattern is written comma first for speed; it must drop exactly the
    # commas the plain rule (a digit before, three after) drops.
    import re

    from dedup.fingerprints.fingerprint import _without_separators
    assert _without_separators(texts) == [re.sub(r"(?<=\d),(?=\d{3})", "", t) for t in texts]


@pytest.mark.parametrize("workers", [1, 2, 8])
def test_reading_tasks_grow_with_the_files_but_stay_a_small_share(workers):
    from dedup.input.corpus import _MAX_FILES_PER_TASK, _MIN_FILES_PER_TASK, _files_per_task

    sizes = [_files_per_task(count, workers) for count in range(0, 200_000, 997)]
    assert sizes == sorted(sizes)                          # never smaller for more files
    assert min(sizes) == _MIN_FILES_PER_TASK and max(sizes) == _MAX_FILES_PER_TASK
    for count in range(0, 200_000, 997):
        size = _files_per_task(count, workers)
        # Above the floor, a task is at most 1/16 of one process's share.
        assert size == _MIN_FILES_PER_TASK or size * 16 * workers <= count


def test_reading_and_writing_pause_the_cycle_collector_and_restore_it(tmp_path, monkeypatch):
    import gc

    from dedup import Config, api
    from dedup.input import corpus as corpus_module
    from dedup.input.corpus import read_corpus

    folder = tmp_path / "in"
    folder.mkdir()
    files = _copied_files(folder)
    states = []
    real = corpus_module.signatures
    monkeypatch.setattr(corpus_module, "signatures",
                        lambda texts, *a: states.append(gc.isenabled()) or real(texts, *a))
    was = gc.isenabled()
    try:
        for before in (True, False):
            (gc.enable if before else gc.disable)()
            states.clear()
            corpus = read_corpus(files, Config(jobs=1))
            assert states and not any(states)       # paused while reading
            assert gc.isenabled() is before         # and as it was after
        gc.enable()
        result = api.scan([folder], Config(jobs=2, drop_repeated_articles=False))
        assert gc.isenabled()
        api.write_cleaned(result, [folder], tmp_path / "out", workers=2)
        assert gc.isenabled() and len(list((tmp_path / "out").rglob("*.txt"))) == len(files)
    finally:
        (gc.enable if was else gc.disable)()
    assert len(corpus.documents) == len(files)


def _signature_by_definition(norm: str, k: int, num_perm: int, seed: int) -> list[int]:
    """One text's signature, one window and one hash function at a time:
    thousands separators dropped, the UTF-8 bytes' k-byte windows (one,
    padded with zero bytes, for a shorter text) folded as h * 0x100000001B3
    + byte, mixed by splitmix64's finaliser and kept to 32 bits; function p
    maps x to a[p] * x + b[p] modulo 2^64, and its minimum's high half is kept."""
    from dedup.fingerprints.fingerprint import _THOUSANDS_SEP, permutations

    data = _THOUSANDS_SEP.sub("", norm).encode("utf-8")
    starts = range(max(len(data) - k + 1, 1))
    values = []
    for i in starts:
        window = (data[i:i + k] + bytes(k))[:k]
        h = 0
        for byte in window:
            h = (h * 0x100000001B3 + byte) % 2**64
        h ^= h >> 31
        h = h * 0xBF58476D1CE4E5B9 % 2**64
        h ^= h >> 29
        h = h * 0x94D049BB133111EB % 2**64
        h ^= h >> 32
        values.append(h & 0xFFFFFFFF)
    a, b = permutations(num_perm, seed)
    return [min((int(a[p]) * x + int(b[p])) % 2**64 for x in values) >> 32
            for p in range(num_perm)]


_AWKWARD = ["", "a", "abcd", "abcde", "ab,cd", "rose 1,250,000 tonnes", "café crème", "日本語の記事",
            "emoji \U0001F600 here", "x" * 300]


def _builds() -> list:
    from dedup.fingerprints import fingerprint
    builds = [fingerprint.numpy_signatures]
    if switch.minhash is not None:
        builds.append(fingerprint.compiled_signatures)
    return builds


@pytest.mark.parametrize("k, num_perm, seed", [(5, 64, 1), (1, 8, 3), (3, 17, 9), (9, 5, 2),
                                               (5, 40, 4), (2, 97, 6)])
def test_signatures_follow_their_definition_one_window_at_a_time(k, num_perm, seed):
    """Both ways of signing (numpy, and the compiled loop where it was built)
    give the defined values, for short, empty and non-ASCII texts too, and an
    empty text's window does not reach into the next text. The compiled loop
    takes the hash functions 32 at a time, then the rest: 40 and 97 have both."""
    texts = _AWKWARD + [normalize(t) for t in FILLER[:3]]
    expected = [_signature_by_definition(t, k, num_perm, seed) for t in texts]
    for sign in _builds():
        got = sign(texts, k, num_perm, seed)
        assert got.dtype == np.uint32 and got.shape == (len(texts), num_perm)
        assert got.tolist() == expected, sign.__name__


def test_the_install_built_the_compiled_signature_loop_and_it_matches_numpy():
    """The compiled loop gives numpy's signatures bit for bit on real text:
    every paragraph of the shipped samples, the made-up variants and texts
    long enough to be capped and to span several calls. (CI checks that the
    install built it; a machine without a C compiler signs with numpy.)"""
    from dedup.fingerprints import fingerprint
    from dedup.input.documents import read_document

    if switch.minhash is None:
        pytest.skip("dedup._minhash was not built here (no C compiler at install)")
    from conftest import SAMPLES
    texts = [normalize(p.text) for f in sorted(SAMPLES.glob("*.txt"))
             for p in read_document(f).paragraphs]
    texts += _variants() + _AWKWARD
    long = " ".join(FILLER) * 200                         # past MAX_SIGNED_CHARS
    texts += [long, long[:fingerprint.MAX_SIGNED_CHARS], long[1:]] * 12  # several calls
    assert len(long) > fingerprint.MAX_SIGNED_CHARS
    assert sum(map(len, texts)) > 2 * fingerprint._COMPILED_BATCH_BYTES
    for k, num_perm, seed in ((5, 64, 1), (4, 128, 5)):
        assert np.array_equal(fingerprint.compiled_signatures(texts, k, num_perm, seed),
                              fingerprint.numpy_signatures(texts, k, num_perm, seed))


@given(st.lists(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40),
                max_size=12))
@settings(max_examples=150, deadline=None)
def test_compiled_and_numpy_signatures_agree_on_any_text(texts):
    builds = _builds()
    results = [sign(texts) for sign in builds]
    for got in results[1:]:
        assert np.array_equal(got, results[0])


@given(st.lists(st.text(alphabet="0123456789,\u0663\u0664\u00b2 a\u00e9", max_size=30),
                max_size=8))
@settings(max_examples=300, deadline=None)
def test_compiled_signatures_drop_the_separators_the_regex_drops(texts):
    """The compiled loop finds thousands separators itself: on texts of
    digits (ASCII, Arabic-Indic, and a superscript two, which is a digit but
    not a decimal one), commas and a few letters, it signs as numpy, which
    drops them with a regex."""
    from dedup.fingerprints import fingerprint

    if switch.minhash is None:
        pytest.skip("dedup._minhash was not built here (no C compiler at install)")
    for k, num_perm in ((5, 64), (2, 40)):
        assert np.array_equal(fingerprint.compiled_signatures(texts, k, num_perm, 3),
                              fingerprint.numpy_signatures(texts, k, num_perm, 3))


def test_compiled_signatures_cut_texts_before_looking_for_separators():
    """A separator whose digits the cut at MAX_SIGNED_CHARS leaves out is
    kept, as the numpy path keeps it, at every position around the cut."""
    from dedup.fingerprints import fingerprint

    if switch.minhash is None:
        pytest.skip("dedup._minhash was not built here (no C compiler at install)")
    cap = fingerprint.MAX_SIGNED_CHARS
    texts = [("x" * (cap - 6 + shift)) + "1,000,000 more" for shift in range(12)]
    texts += [("\u00e9" * (cap - 6 + shift)) + "1,000 more" for shift in range(8)]
    assert np.array_equal(fingerprint.compiled_signatures(texts),
                          fingerprint.numpy_signatures(texts))


def test_a_lone_surrogate_fails_signing_as_it_always_did():
    """UTF-8 cannot hold a lone surrogate: the compiled loop hands such a
    batch back and signing fails as encoding it fails, not with other values."""
    from dedup.fingerprints import fingerprint

    if switch.minhash is None:
        pytest.skip("dedup._minhash was not built here (no C compiler at install)")
    with pytest.raises(UnicodeEncodeError):
        fingerprint.compiled_signatures(["fine text here", "broken \ud800 text"])


def test_signatures_use_numpy_when_told(monkeypatch):
    """DEDUP_NUMPY_SIGNATURES=1 signs with numpy even where the loop is built
    (benchmarks compare the two in one command)."""
    from dedup.fingerprints import fingerprint

    calls = []
    monkeypatch.setattr(fingerprint, "numpy_signatures",
                        lambda *a: calls.append("numpy") or np.zeros((1, 64), np.uint32))
    monkeypatch.setattr(fingerprint, "compiled_signatures",
                        lambda *a: calls.append("compiled") or np.zeros((1, 64), np.uint32))
    monkeypatch.setenv("DEDUP_NUMPY_SIGNATURES", "1")
    fingerprint.signatures(["some text here"])
    monkeypatch.delenv("DEDUP_NUMPY_SIGNATURES")
    fingerprint.signatures(["some text here"])
    assert calls == ["numpy", "compiled" if switch.minhash is not None else "numpy"]
    calls.clear()
    fingerprint.signatures(["some text here"], num_perm=fingerprint.COMPILED_MAX_PERM + 1)
    assert calls == ["numpy"]                   # more hash functions than the loop holds


def test_the_compiled_loop_refuses_buffers_that_do_not_fit():
    from dedup.fingerprints import fingerprint

    if switch.minhash is None:
        pytest.skip("dedup._minhash was not built here")
    a, b = fingerprint.permutations(8, 1)
    out = np.empty((2, 8), dtype=np.uint32)
    sign = switch.minhash.signatures
    with pytest.raises(ValueError):
        sign(b"abcdef", np.array([3, 9], dtype=np.int64), 5, a, b, out)     # past the data
    with pytest.raises(ValueError):
        sign(b"abcdef", np.array([4, 3], dtype=np.int64), 5, a, b, out)     # decreasing
    with pytest.raises(ValueError):
        sign(b"abcdef", np.array([3, 6], dtype=np.int64), 5, a, b[:4], out)  # a and b differ
    with pytest.raises(ValueError):
        sign(b"abcdef", np.array([3, 6], dtype=np.int64), 5, a, b, out[:1])  # out too small
    sign(b"abcdef", np.array([3, 6], dtype=np.int64), 5, a, b, out)
    assert out.tolist() == fingerprint.numpy_signatures(["abc", "def"], 5, 8, 1).tolist()


@pytest.mark.parametrize("spread", [True, False])
@pytest.mark.parametrize("seed", range(6))
def test_compiled_and_numpy_bucketing_give_the_same_pairs(seed, spread):
    """The compiled bucketing (dedup/_minhash.c) pairs exactly as numpy does:
    buckets of two, of up to max_bucket, far above it (templated text), a
    member twice in one bucket, and no key (0). Keys spread over all 64 bits,
    as band keys are, or all small, so that every key falls into one part
    of the compiled sort."""
    from dedup.arrays import unique_sorted
    from dedup.fingerprints.candidates import numpy_pair_codes, pair_codes

    if switch.minhash is None:
        pytest.skip("dedup._minhash was not built here")
    rng = np.random.default_rng(seed)
    n, width = int(rng.integers(50, 400)), int(rng.integers(1, 6))
    keys = rng.integers(0, int(rng.integers(2, 60)), size=(n, width)).astype(np.uint64)
    keys[:, -1] = np.where(rng.random(n) < 0.2, keys[:, 0], keys[:, -1])
    if spread:
        keys *= np.uint64(0x9E3779B97F4A7C15)
    for max_bucket in (1, 2, 5, 24, 1000):
        compiled = unique_sorted(pair_codes(keys, max_bucket))
        assert np.array_equal(compiled, unique_sorted(numpy_pair_codes(keys, max_bucket)))
        assert len(compiled) and (compiled // n < compiled % n).all()


def test_the_compiled_bucketing_refuses_keys_that_do_not_fit():

    if switch.minhash is None:
        pytest.skip("dedup._minhash was not built here")
    keys = np.arange(1, 7, dtype=np.uint64)
    with pytest.raises(ValueError):
        switch.minhash.bucket_codes(keys, 4, 24)       # 6 keys are not rows of 4
    with pytest.raises(ValueError):
        switch.minhash.bucket_codes(keys, 3, 0)
    assert switch.minhash.bucket_codes(keys, 3, 24) == b""    # no key repeats


@pytest.mark.parametrize("bands, rows, num_perm", [(16, 4, 64), (5, 3, 16), (1, 1, 1), (7, 9, 64)])
def test_compiled_and_numpy_bucket_keys_are_the_same(monkeypatch, bands, rows, num_perm):
    """The keys paragraphs are bucketed by (stored in the index, too): the
    compiled band keys equal numpy's, with and without the opening keys."""
    from dedup.fingerprints.candidates import bucket_keys

    if switch.minhash is None:
        pytest.skip("dedup._minhash was not built here")
    rng = np.random.default_rng(bands * rows)
    sigs = rng.integers(0, 2**32, size=(300, num_perm), dtype=np.uint64).astype(np.uint32)
    prefixes = rng.integers(0, 2**63, size=300, dtype=np.uint64)
    compiled = [bucket_keys(sigs, bands, rows), bucket_keys(sigs, bands, rows, prefixes),
                bucket_keys(sigs[:0], bands, rows, prefixes[:0])]
    monkeypatch.setattr(switch, "minhash", None)
    plain = [bucket_keys(sigs, bands, rows), bucket_keys(sigs, bands, rows, prefixes),
             bucket_keys(sigs[:0], bands, rows, prefixes[:0])]
    for a, b in zip(compiled, plain):
        assert a.dtype == b.dtype == np.uint64 and a.shape == b.shape
        assert np.array_equal(a, b)


def test_texts_sharing_the_high_half_of_their_key_are_still_told_apart():
    """Exact groups sort by the high halves of the keys first; texts whose
    high halves are equal and low halves differ (one chance in 2**64 a
    pair) are still different texts, whatever the order they come in."""
    from dedup.text.facts import Facts, exact_groups, first_copies

    def facts(hi, lo):
        n = len(hi)
        return Facts(np.array(hi, np.uint64), np.array(lo, np.uint64), np.ones(n, np.int32),
                     np.ones(n, np.int32), np.zeros(n, bool), np.zeros(n, bool),
                     np.zeros(n, bool), np.zeros(n, np.uint8), np.ones(n, np.int32),
                     np.array(hi, np.uint64),
                     np.ones(n, np.int32))
    mixed = facts([5, 5, 5, 1, 5], [1, 2, 1, 9, 2])
    group_of, members = exact_groups(mixed)
    assert group_of.tolist() == [0, 1, 0, 2, 1] and members == [[0, 2], [1, 4], [3]]
    assert first_copies(mixed).tolist() == [0, 1, 0, 3, 1]
    plain = facts([5, 7, 5, 1], [1, 2, 1, 9])
    assert exact_groups(plain)[1] == [[0, 2], [1], [3]]


def test_a_batch_signs_the_first_of_each_text_not_signed_before_in_order():
    """sign_documents signs, in position order, the first paragraph of each
    text long enough whose key an earlier batch of the process did not sign."""
    from dedup import Config
    from dedup.input.corpus import sign_documents
    from dedup.input.documents import document_from_text
    from dedup.text.facts import text_key

    cfg = Config()
    texts = [f"paragraph number {k} of a batch, long enough to be signed" for k in range(60)]
    rng = np.random.default_rng(3)
    order = [texts[k] for k in rng.integers(0, 60, size=200)] + ["short"]
    doc = document_from_text("\n\n".join(order) + "\n", "a.txt")
    earlier = {text_key(t)[0] for t in texts[:10]}            # signed by an earlier batch
    seen = set(earlier)
    batch = sign_documents([doc], cfg, [], seen)
    expected = [i for i, t in enumerate(order)
                if len(t) >= cfg.near_min_chars and t not in order[:i]
                and text_key(t)[0] not in earlier]
    assert batch.signed.tolist() == expected
    assert seen == earlier | {text_key(order[i])[0] for i in expected}
