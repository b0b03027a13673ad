"""Candidate pairs: paragraphs that share an LSH band or the same opening.

Band keys of all paragraphs are sorted together; paragraphs with an equal key
form a bucket and every pair inside a bucket is a candidate. This gives the
same candidates as inserting every signature into datasketch's ``MinHashLSH``
and querying it (the tests check that), with one sort instead of a dictionary
operation per paragraph and band.

A second key, the first ``PREFIX_CHARS`` normalised characters, proposes
truncated copies: a copy cut at 60% of its paragraph has an estimated Jaccard
of only 0.6 and LSH may miss it, but it opens with the same words.

A bucket larger than ``max_bucket`` (templated text: thousands of earnings
lines alike but for their numbers) is not paired all with all: each member is
paired with the bucket's first ``max_bucket`` members in corpus order, which
are the ones a later member would be kept against, and with its
``max_bucket`` predecessors. Cost stays linear in the bucket size.
"""

from __future__ import annotations

import numpy as np

from .. import compiled
from ..arrays import unique_sorted
from .fingerprint import band_keys, exact_key

PREFIX_CHARS = 40
# Openings are only proposed for texts that go well beyond them; below this a
# shared opening is most of the text and LSH already finds the pair.
PREFIX_MIN_CHARS = 60
_BAND_SALT = np.uint64(0x9E3779B97F4A7C15)
#: Members of a bucket paired all with all; a larger bucket (see above) pairs
#: each member with this many neighbours and with its first this many.
MAX_BUCKET = 24


def prefix_keys(norms: list[str]) -> np.ndarray:
    """Key of each text's opening; 0 (no key) for texts shorter than that."""
    return np.fromiter(
        (exact_key(n[:PREFIX_CHARS]) & 0x7FFFFFFFFFFFFFFF | 1 if len(n) >= PREFIX_MIN_CHARS else 0
         for n in norms), dtype=np.uint64, count=len(norms))


def bucket_keys(sigs: np.ndarray, bands: int, rows: int,
                prefixes: np.ndarray | None = None) -> np.ndarray:
    """The keys paragraphs are bucketed by, one row per paragraph: each band's
    key (salted with its band number, so bands never share buckets), then the
    opening key when ``prefixes`` is given; 0 means "no key". The persistent
    index stores exactly these, so a check finds the buckets a scan would."""
    salts = np.arange(1, bands + 1, dtype=np.uint64) * _BAND_SALT
    if compiled.minhash is not None:
        # Compiled, into the array that is returned (Reuters' 110,221
        # signatures: 0.03 s in numpy's passes and the concatenation).
        width = bands + (prefixes is not None)
        keys = np.empty((sigs.shape[0], width), dtype=np.uint64)
        compiled.minhash.band_keys(np.ascontiguousarray(sigs, dtype=np.uint32),
                                   sigs.shape[1], bands, rows, salts, keys, width)
        if prefixes is not None:
            keys[:, bands] = prefixes
        return keys
    keys = band_keys(sigs, bands, rows)
    keys ^= salts[None, :]
    if prefixes is None:
        return keys
    return np.concatenate([keys, prefixes[:, None]], axis=1)


def candidate_pairs(sigs: np.ndarray, bands: int, rows: int,
                    prefixes: np.ndarray | None = None,
                    max_bucket: int = MAX_BUCKET) -> np.ndarray:
    """Unique candidate pairs ``(i, j)`` with ``i < j``, sorted, as an (k, 2) array."""
    n = sigs.shape[0]
    if n < 2:
        return np.zeros((0, 2), dtype=np.int64)
    keys = bucket_keys(sigs, bands, rows, prefixes)
    # Unique rows through one integer per pair (i * n + j sorts as (i, j)):
    # np.unique along an axis sorts the rows as opaque records, several times slower.
    codes = unique_sorted(pair_codes(keys, max_bucket))
    return np.stack((codes // n, codes % n), axis=1)


def pair_codes(keys: np.ndarray, max_bucket: int) -> np.ndarray:
    """``i * n + j`` (``i < j``) for every pair in a bucket of ``keys`` (one row
    of keys per paragraph, ``n`` rows), in no order, possibly repeated.

    By the compiled loop in ``_minhash.c`` where the install built it (Reuters'
    110,221 signed groups: 0.05 s instead of 0.16 s), else by numpy; the tests
    hold the two to the same pairs."""
    if compiled.minhash is not None:
        return np.frombuffer(compiled.minhash.bucket_codes(
            np.ascontiguousarray(keys, dtype=np.uint64), keys.shape[1], max_bucket),
            dtype=np.int64)
    return numpy_pair_codes(keys, max_bucket)


def numpy_pair_codes(keys: np.ndarray, max_bucket: int) -> np.ndarray:
    """:func:`pair_codes` by numpy (the fallback, and the compiled loop's reference)."""
    return _codes(_bucketed(keys.ravel(), keys.shape[1], max_bucket), keys.shape[0])


def _codes(found: list[np.ndarray], n: int) -> np.ndarray:
    """``i * n + j`` (``i < j``) of the pairs ``found`` (members below ``n``),
    a member's pair with itself left out, possibly repeated."""
    if not found:
        return np.zeros(0, dtype=np.int64)
    pairs = np.concatenate(found)
    pairs = pairs[pairs[:, 0] != pairs[:, 1]]
    pairs.sort(axis=1)
    return pairs[:, 0] * np.int64(n) + pairs[:, 1]


def _bucketed(flat: np.ndarray, width: int, max_bucket: int) -> list[np.ndarray]:
    """The pairs of every bucket of equal non-zero keys in ``flat`` (the keys
    of all paragraphs, ``width`` a paragraph, one after another), in arrays,
    possibly repeated, in no particular order.

    A member is the position of its key divided by ``width``, rather than
    an index array repeated for every key: at 10^6 paragraphs this stage
    peaked at 249 MiB of arrays instead of 390 (tracemalloc)."""
    at = np.flatnonzero(flat)
    flat = flat[at]
    order = np.argsort(flat)
    flat, members = flat[order], at[order]
    del at, order
    members //= width
    return _pairs_in_runs(flat, members, max_bucket)


def entry_pairs(keys: np.ndarray, members: np.ndarray, max_bucket: int = MAX_BUCKET
                ) -> np.ndarray:
    """Unique pairs ``(i, j)``, ``i < j``, sorted, of the buckets that
    ``(key, member)`` entries make (keys non-zero, in any order): what
    :func:`candidate_pairs` gives for the same buckets. For an engine that
    gathers the entries of a range of keys itself (the Dask engine)."""
    members = np.asarray(members, dtype=np.int64)
    n = int(members.max()) + 1 if len(members) else 1
    order = np.argsort(keys, kind="stable")
    codes = unique_sorted(_codes(_pairs_in_runs(np.asarray(keys)[order], members[order],
                                                max_bucket), n))
    return np.stack((codes // n, codes % n), axis=1)


def _pairs_in_runs(flat: np.ndarray, members: np.ndarray, max_bucket: int) -> list[np.ndarray]:
    """The pairs of every run of equal keys in sorted ``flat`` (``members[k]``
    the member behind key ``k``), in arrays, possibly repeated."""
    # Members within a bucket may stand in any order: every pair of a small
    # bucket is taken, and bucket_pairs sorts a large one. A member listed
    # twice under one key (keys of different kinds colliding) does no harm
    # either: its pair with itself is dropped and its pairs twice are one
    # below, and a bucket it makes look larger than max_bucket goes to
    # bucket_pairs, which counts it once.
    if not len(flat):
        return []
    boundaries = np.flatnonzero(np.diff(flat)) + 1
    starts = np.concatenate(([0], boundaries))
    ends = np.concatenate((boundaries, [len(flat)]))
    sizes = ends - starts
    pairs = []
    # Buckets of up to max_bucket members (nearly all): every pair, one offset
    # at a time for all of them at once (position p with p + offset, inside
    # its bucket) instead of one call per bucket; the same pairs bucket_pairs gives.
    small = (sizes >= 2) & (sizes <= max_bucket)
    if small.any():
        bucket_end = np.repeat(ends, sizes)
        positions = np.flatnonzero(np.repeat(small, sizes))
        for offset in range(1, int(sizes[small].max())):
            positions = positions[positions + offset < bucket_end[positions]]
            pairs.append(np.stack((members[positions], members[positions + offset]), axis=1))
    for s, e in zip(starts[sizes > max_bucket], ends[sizes > max_bucket]):
        pairs.append(bucket_pairs(members[s:e], max_bucket))
    return pairs


def bucket_pairs(bucket: np.ndarray, max_bucket: int = MAX_BUCKET) -> np.ndarray:
    """Candidate pairs inside one bucket of more than two members (see the
    module docstring for buckets above ``max_bucket``); an engine that groups
    keys itself calls this per bucket to get the pairs :func:`candidate_pairs`
    gives."""
    bucket = unique_sorted(bucket)
    m = len(bucket)
    if m <= max_bucket:
        i, j = np.triu_indices(m, k=1)
        return np.stack((bucket[i], bucket[j]), axis=1)
    pairs = []
    for offset in range(1, max_bucket + 1):           # each with its predecessors
        pairs.append(np.stack((bucket[:-offset], bucket[offset:]), axis=1))
    head = bucket[:max_bucket]                        # each with the first members
    rest = bucket[max_bucket:]
    pairs.append(np.stack((np.repeat(head, len(rest)), np.tile(rest, len(head))), axis=1))
    return np.concatenate(pairs)


