"""Process-wide settings held for a stretch of work, and put back after it.

The collector and memory settings only change how fast the work goes and
how memory is laid out, never a result. :func:`stop_on_signals` turns
Ctrl-C and SIGTERM into a request the writers honour between two files.
"""

from __future__ import annotations

import ctypes
import gc
import os
import signal
import sys
from contextlib import contextmanager

#: The signal that asked the run to stop (0: none), and whether a signal
#: raises KeyboardInterrupt at once (True) or waits for :func:`check_stop`.
_STOP = [0]
_IMMEDIATE = [True]


def stop_requested() -> int:
    """The signal number of a pending stop request, or 0."""
    return _STOP[0]


def check_stop() -> None:
    """Raise KeyboardInterrupt at this safe point if a stop was requested."""
    if _STOP[0]:
        raise KeyboardInterrupt


@contextmanager
def stop_on_signals():
    """SIGINT and SIGTERM stop the run, for the block; put back after.

    A signal raises KeyboardInterrupt at once, except inside
    :func:`writing`, where it only asks for a stop that the writers honour
    between two files (:func:`check_stop`), so that every file is written
    whole or not at all; a second signal stops at once there too.
    """
    def handler(signum, frame):
        first = not _STOP[0]
        _STOP[0] = _STOP[0] or signum
        if _IMMEDIATE[0] or not first:
            raise KeyboardInterrupt
    _STOP[0], _IMMEDIATE[0] = 0, True
    try:
        previous = {s: signal.signal(s, handler) for s in (signal.SIGINT, signal.SIGTERM)}
    except ValueError:            # not the main thread: signals are not ours to take
        previous = {}
    try:
        yield
    finally:
        for s, old in previous.items():
            signal.signal(s, old)


@contextmanager
def writing():
    """Inside :func:`stop_on_signals`: a signal waits for the next safe point."""
    check_stop()              # asked for already (a finaliser may have swallowed it)
    _IMMEDIATE[0] = False
    try:
        yield
    finally:
        _IMMEDIATE[0] = True


def pool_worker_setup(parent: int | None = None) -> None:
    """For pool processes. Ctrl-C reaches every process of the terminal's
    group: the main process decides when to stop, and a worker finishes its
    files. A worker dies with the main process (Linux): one killed outright
    (SIGKILL, the kernel's out-of-memory killer) would otherwise leave its
    workers waiting for work forever."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        return
    if parent is not None and os.getppid() != parent:
        os._exit(1)               # the main process died before the line above


_PR_SET_PDEATHSIG = 1


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
