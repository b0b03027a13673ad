"""Fingerprints of normalised paragraphs: exact keys and MinHash signatures.

Signatures are computed for a whole batch of paragraphs at once: character
shingles are hashed with a rolling hash over the UTF-8 bytes, and each of the
``num_perm`` hash functions is a multiply-add-shift permutation
(Dietzfelbinger's scheme, 2-universal on 32-bit keys). The compiled loop in
``_minhash.c`` does it when the install built it; otherwise numpy does, with
the minimum per paragraph taken by ``np.minimum.reduceat``, so there is no
Python loop per paragraph or per shingle either way. Both give the same
signatures bit for bit. The estimate of Jaccard similarity is the share
of equal signature values, as with datasketch's ``MinHash.jaccard``; the tests
compare both, and the exact shingle Jaccard, on the same texts.
"""

from __future__ import annotations

import hashlib
import os
import re
from functools import lru_cache

import numpy as np

from .. import compiled


_MASK32 = np.uint64(0xFFFFFFFF)
_ROLL = np.uint64(0x100000001B3)           # FNV-1a 64-bit prime
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)      # splitmix64 finaliser constants
_MIX2 = np.uint64(0x94D049BB133111EB)
_BATCH_BYTES = 1 << 16
_SHIFT32 = np.uint64(32)
# A comma between a digit and three more. Written comma first, so the regex
# engine jumps from comma to comma instead of trying every position (8x).
_THOUSANDS_SEP = re.compile(r",(?<=\d,)(?=\d{3})")


def exact_key(norm: str) -> int:
    """A stable 64-bit key of a normalised text (the same in every process)."""
    return int.from_bytes(hashlib.blake2b(norm.encode("utf-8"), digest_size=8).digest(),
                          "little", signed=True)


@lru_cache(maxsize=16)
def permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Multipliers (odd) and offsets of the hash functions, from the seed."""
    rng = np.random.Generator(np.random.PCG64(seed))
    a = rng.integers(1, 2**63, size=num_perm, dtype=np.uint64) | np.uint64(1)
    b = rng.integers(0, 2**63, size=num_perm, dtype=np.uint64)
    return a, b


def _without_separators(norms: list[str]) -> list[str]:
    """The texts with thousands separators dropped: "5,000" and "5000" shingle
    alike, since number formatting is not a difference."""
    joined = "\x00".join(norms)
    if "," not in joined:
        return norms
    if joined.count("\x00") == len(norms) - 1:
        # One substitution over all of them costs less than one call per
        # text; no match spans the NUL between two texts.
        return _THOUSANDS_SEP.sub("", joined).split("\x00")
    return [_THOUSANDS_SEP.sub("", t) if "," in t else t for t in norms]


def _shingle_values(norms: list[str], k: int) -> tuple[np.ndarray, np.ndarray]:
    """32-bit hashes of every k-byte window of every text, and segment starts.

    A text shorter than k bytes gets one window (padded with zero bytes).
    """
    encoded = [t.encode("utf-8") for t in _without_separators(norms)]
    # k zero bytes between texts, so even an empty text's window is its own.
    pad = b"\x00" * k
    buffer = np.frombuffer(pad.join(encoded) + pad, dtype=np.uint8).astype(np.uint64)
    lengths = np.fromiter((len(e) for e in encoded), dtype=np.int64, count=len(encoded))
    starts = np.zeros(len(encoded), dtype=np.int64)
    if len(encoded) > 1:
        starts[1:] = np.cumsum(lengths[:-1] + k)
    windows = np.maximum(lengths - k + 1, 1)
    n = len(buffer) - k + 1
    rolled = np.zeros(n, dtype=np.uint64)
    for j in range(k):
        rolled *= _ROLL
        rolled += buffer[j:j + n]
    rolled ^= rolled >> np.uint64(31)
    rolled *= _MIX1
    rolled ^= rolled >> np.uint64(29)
    rolled *= _MIX2
    rolled ^= rolled >> np.uint64(32)
    rolled &= _MASK32
    segment = np.zeros(len(encoded), dtype=np.int64)
    if len(encoded) > 1:
        segment[1:] = np.cumsum(windows[:-1])
    positions = np.arange(int(windows.sum()), dtype=np.int64) + np.repeat(starts - segment, windows)
    return rolled[positions], segment


#: Longer paragraphs are signed on their first MAX_SIGNED_CHARS normalised
#: characters (a 50 MB line would otherwise cost seconds and gigabytes for a
#: signature that only proposes candidates; verification compares whole texts).
MAX_SIGNED_CHARS = 1 << 16


def signatures(norms: list[str], shingle_size: int = 5, num_perm: int = 64,
               seed: int = 1) -> np.ndarray:
    """MinHash signatures, one row of ``num_perm`` uint32 values per text."""
    if signs_compiled(num_perm):
        return compiled_signatures(norms, shingle_size, num_perm, seed)
    return numpy_signatures(norms, shingle_size, num_perm, seed)


def signs_compiled(num_perm: int = 64) -> bool:
    """Whether :func:`signatures` uses the compiled loop: built, holding
    ``num_perm`` hash functions, and not turned off by ``DEDUP_NUMPY_SIGNATURES``."""
    return (compiled.minhash is not None and num_perm <= COMPILED_MAX_PERM
            and not os.environ.get("DEDUP_NUMPY_SIGNATURES"))


def compiled_signatures(norms: list[str], shingle_size: int = 5, num_perm: int = 64,
                        seed: int = 1) -> np.ndarray:
    """:func:`signatures` by the compiled loop (``compiled.minhash`` must be there)."""
    out = np.empty((len(norms), num_perm), dtype=np.uint32)
    a, b = permutations(num_perm, seed)
    # The texts as they are: cut, freed of separators and encoded in the
    # compiled loop too (Reuters' 110,221 signed texts: 0.05 s less than
    # doing that here). A lone surrogate, which UTF-8 cannot encode, sends
    # them down the path below, which fails on it as encoding always has.
    if compiled.minhash.text_signatures(list(norms), shingle_size, a, b, out, MAX_SIGNED_CHARS):
        return out
    start = 0
    while start < len(norms):
        # About a megabyte of text a call: the call's bytes stay small
        # whatever the input, and the per-call cost is nothing beside it.
        end = _batch_end(norms, start, _COMPILED_BATCH_BYTES)
        encoded = [t.encode("utf-8") for t in _without_separators(_capped(norms[start:end]))]
        ends = np.cumsum(np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded)))
        compiled.minhash.signatures(b"".join(encoded), ends, shingle_size, a, b, out[start:end])
        start = end
    return out


_COMPILED_BATCH_BYTES = 1 << 20
#: Hash functions the compiled loop holds at once (MAX_PERM in _minhash.c);
#: the settings allow at most 512, and a caller asking for more gets numpy.
COMPILED_MAX_PERM = 1024


def numpy_signatures(norms: list[str], shingle_size: int = 5, num_perm: int = 64,
                     seed: int = 1) -> np.ndarray:
    """:func:`signatures` by numpy (the fallback, and the compiled loop's reference)."""
    norms = _capped(norms)
    out = np.empty((len(norms), num_perm), dtype=np.uint32)
    a, b = permutations(num_perm, seed)
    start = 0
    while start < len(norms):
        # Batches keep the temporary arrays small whatever the input size;
        # at 64 KB of text the two arrays of 8 bytes per shingle stay in a
        # core's cache through the 64 passes (1 MB batches were a third slower).
        end = _batch_end(norms, start, _BATCH_BYTES)
        values, segments = _shingle_values(norms[start:end], shingle_size)
        block = out[start:end]
        # One buffer for every hash function, in place: a fresh temporary
        # per operation cost a fifth of the signing time. The shift keeps
        # order, so the minimum is taken first and only it is shifted.
        hashed = np.empty_like(values)
        for p in range(num_perm):
            np.multiply(values, a[p], out=hashed)
            hashed += b[p]
            block[:, p] = np.minimum.reduceat(hashed, segments) >> _SHIFT32
        start = end
    return out


def _capped(norms: list[str]) -> list[str]:
    return [n[:MAX_SIGNED_CHARS] if len(n) > MAX_SIGNED_CHARS else n for n in norms]


def _batch_end(norms: list[str], start: int, limit: int) -> int:
    """End of the batch from ``start``: about ``limit`` characters, at least one text."""
    size, end = 0, start
    while end < len(norms) and (size < limit or end == start):
        size += len(norms[end]) + 1
        end += 1
    return end


def jaccard(sig_a: np.ndarray, sig_b: np.ndarray) -> float:
    """Estimated Jaccard similarity of two signatures."""
    return float(np.count_nonzero(sig_a == sig_b)) / len(sig_a)


def shingles(norm: str, k: int) -> set[bytes]:
    """The exact shingle set signatures sample (for explanations and tests)."""
    data = (_THOUSANDS_SEP.sub("", norm) if "," in norm else norm).encode("utf-8")
    if len(data) < k:
        return {data}
    return {data[i:i + k] for i in range(len(data) - k + 1)}


@lru_cache(maxsize=64)
def lsh_params(threshold: float, num_perm: int) -> tuple[int, int]:
    """(bands, rows) whose S-curve best separates pairs around ``threshold``.

    Minimises the area of false positives below the threshold plus, weighted
    higher because a missed repeat is what users notice, false negatives above.
    """
    # Both areas by the midpoint rule over 200 steps. The points are made
    # once and each sum written out, with no function call per point: the
    # same arithmetic in the same order (the same answer for every threshold
    # from 0.01 to 0.99 and 8 to 139, 256, 384 and 512 functions), in less
    # time (64 functions: 4.5 -> 2.9 ms, once a scan).
    steps = 200
    below_width, above_width = (threshold - 0.0) / steps, (1.0 - threshold) / steps
    below = [0.0 + (i + 0.5) * below_width for i in range(steps)]
    above = [threshold + (i + 0.5) * above_width for i in range(steps)]
    best, best_cost = (num_perm, 1), float("inf")
    for bands in range(1, num_perm + 1):
        rows = num_perm // bands
        if rows < 1:
            continue
        # False positives: pairs below the threshold that share a band;
        # false negatives: pairs above it that share none.
        fp = sum([1 - (1 - s ** rows) ** bands for s in below]) * below_width
        fn = sum([1 - (1 - (1 - s ** rows) ** bands) for s in above]) * above_width
        cost = 0.3 * fp + 0.7 * fn
        if cost < best_cost - 1e-12:
            best, best_cost = (bands, rows), cost
    return best


def band_keys(sigs: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """One 64-bit key per (paragraph, band): equal rows give equal keys."""
    n = sigs.shape[0]
    keys = np.zeros((n, bands), dtype=np.uint64)
    # In place, one signature column per band at a time: widening the whole
    # signature array to 64 bits first allocated four times the memory and
    # took 0.2 s instead of 0.05 s on Reuters' 110,221 signed groups.
    view = sigs[:, :bands * rows].reshape(n, bands, rows)
    for r in range(rows):
        keys ^= view[:, :, r]
        keys *= _MIX1
        keys ^= keys >> np.uint64(31)
    return keys
