"""Process-wide settings held for a stretch of work, and put back after it.

Both only change how fast the work goes and how memory is laid out, never
a result.
"""

from __future__ import annotations

import gc
import os
from contextlib import contextmanager


@contextmanager
def collector_paused():
    """Python's cycle collector off for the block, back as it was after.

    Reading, the decisions and writing make millions of small objects
    (texts, links, choices, refs) and keep most of them; every full
    collection would walk all of them again, which made the decisions grow
    faster than the input (at 10^5 paragraphs about 40% of their time). They
    make no reference cycles worth collecting meanwhile (a scan and a write
    of the mix left none); what garbage there is waits for the collector's
    next full run after the block.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            # What the block made is all in the youngest generation, and the
            # first collection after it would walk all of it (Reuters: three
            # such collections of 20 ms each). Frozen and unfrozen at once,
            # every object moves to the oldest generation without a walk.
            gc.freeze()
            gc.unfreeze()
            gc.enable()


try:                                    # numpy 2
    from numpy._core.multiarray import _set_madvise_hugepage
except ImportError:                     # numpy 1
    try:
        from numpy.core.multiarray import _set_madvise_hugepage
    except ImportError:
        _set_madvise_hugepage = None


@contextmanager
def ordinary_pages():
    """numpy's request for transparent huge pages off for the block, back as
    it was after, unless ``NUMPY_MADVISE_HUGEPAGE`` says what the user wants.

    numpy asks Linux for huge pages on every array of 4 MB or more. Where
    the kernel compacts memory on demand to find them (``defrag`` set to
    ``madvise``, its default), a fresh array in a fragmented memory waits
    for that compaction. Detection and the decisions make hundreds of such
    short-lived arrays: with huge pages the candidate stage on Reuters took
    0.33-0.55 s against 0.24-0.32 s without, and a scan of 10^6 paragraphs
    spent 4.1-6.5 s in the kernel against 3.2-3.5 s. Small arrays, and so
    small inputs, are not affected.
    """
    if _set_madvise_hugepage is None or "NUMPY_MADVISE_HUGEPAGE" in os.environ:
        yield
        return
    before = _set_madvise_hugepage(False)
    try:
        yield
    finally:
        _set_madvise_hugepage(before)
