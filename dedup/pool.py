"""Tasks spread over worker processes, results in order, and no lost run when a worker dies."""

from __future__ import annotations

import itertools
import multiprocessing
import os
from collections import deque
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Callable, Iterator

from .runtime import pool_worker_setup

try:
    import fcntl
except ImportError:             # not on Windows
    fcntl = None


def ordered_map(fn: Callable, tasks: Sequence, workers: int, *args, ahead: int = 2,
                crashed: Callable | None = None, merge: Callable | None = None,
                stop: Callable | None = None) -> Iterator:
    """``fn(task, *args)`` for every task, yielded in the order of ``tasks``.

    With ``workers`` > 1 (and more than one task) the calls run in that many
    pool processes, at most about ``ahead`` tasks per process submitted
    beyond the one being waited for, so results waiting to be taken stay
    bounded however many tasks there are. Closing the iterator early shuts
    the pool down.

    A pool process that dies (killed, out of memory) does not end the run.
    Without ``crashed``, the task being waited for and every later one are
    run in this process. With it, tasks must be lists of items:

    - the task is run again alone in a fresh process, so a process killed for
      another reason (another task's memory, a stray signal) costs one retry;
    - if that process dies too, a fresh process runs ``fn`` on no items: if
      even that dies, processes die whatever they run, and this process
      takes over as above;
    - otherwise the task itself kills the process that runs it (a file too
      large for memory would kill this process too): it is halved until the
      items that do are found, each given ``crashed([item])`` as its result,
      and the results of the parts are joined by ``merge`` (default: list
      concatenation). The later tasks go on in a fresh pool.

    With ``stop``, once a result for which ``stop(result)`` is true has been
    yielded no further task is started; the results of the tasks already
    handed to the pool are still yielded, in order.

    Tasks given as :class:`MadeOnDemand` are made by the pool processes
    themselves when they start as forks of this one (see :func:`forks`):
    only the task's number is sent, not the task.
    """
    workers = min(workers, len(tasks))
    if workers <= 1:
        for task in tasks:
            result = fn(task, *args)
            yield result
            if stop is not None and stop(result):
                return
        return
    join = merge or _concatenated
    token = next(_TOKENS)
    if isinstance(tasks, MadeOnDemand) and forks():
        # Set before the pool's processes are forked (at its first task),
        # so they hold the maker and what it reads.
        _MAKERS[token] = tasks.make
    pool = _pool(workers)
    try:
        pending: deque = deque()
        submitted = 0
        end = len(tasks)               # what ``stop`` leaves to run
        while submitted < end or pending:
            while submitted < end and len(pending) <= ahead * workers:
                try:
                    if token in _MAKERS:
                        pending.append(pool.submit(_made_and_run, token, submitted, fn, args))
                    else:
                        pending.append(pool.submit(fn, tasks[submitted], *args))
                except BrokenProcessPool as exc:
                    # A process died since the last result was taken: the pool
                    # takes no more tasks. Handled below as the death it is,
                    # when the task waited for is this one or an earlier one.
                    pending.append(_failed(exc))
                submitted += 1
            future = pending.popleft()
            try:
                result = future.result()
            except BrokenProcessPool:
                index = submitted - len(pending) - 1
                pool.shutdown(cancel_futures=True)
                result = _survived(fn, tasks[index], args, crashed, join) if crashed else _HOPELESS
                if result is _HOPELESS:
                    for task in tasks[index:end]:
                        result = fn(task, *args)
                        yield result
                        if stop is not None and stop(result):
                            return
                    return
                pending.clear()
                submitted = index + 1
                pool = _pool(workers)
            yield result
            if stop is not None and stop(result):
                end = min(end, submitted)
    finally:
        pool.shutdown(cancel_futures=True)
        _MAKERS.pop(token, None)


def _pool(workers: int) -> ProcessPoolExecutor:
    """A process pool whose results come back through a pipe of a megabyte.

    A reading task's result is about a megabyte (Reuters: 256 files' texts,
    normalised texts and signatures); through Linux's default 64 KiB pipe
    the sending process blocks some sixteen times a result, each time until
    this process has drained the pipe. Where the pipe cannot be grown (not
    Linux, a user's pipe allowance used up, another Python's pool internals)
    it stays as it is.
    """
    pool = ProcessPoolExecutor(max_workers=workers, initializer=pool_worker_setup,
                               initargs=(os.getpid(),))
    grow = getattr(fcntl, "F_SETPIPE_SZ", None) if fcntl is not None else None
    reader = getattr(getattr(pool, "_result_queue", None), "_reader", None)
    if grow is not None and reader is not None:
        try:
            fcntl.fcntl(reader.fileno(), grow, _RESULT_PIPE_BYTES)
        except (OSError, ValueError):
            pass
    return pool


_RESULT_PIPE_BYTES = 1 << 20


def _failed(exc: BaseException) -> Future:
    future: Future = Future()
    future.set_exception(exc)
    return future


def forks() -> bool:
    """Whether pool processes start as forks of this process (Linux's default
    before Python 3.14), and so hold everything it held when they started."""
    return multiprocessing.get_context().get_start_method() == "fork"


# The makers of the MadeOnDemand tasks of running ordered_map calls whose
# pool processes are forks: token -> make.
_MAKERS: dict[int, Callable] = {}
_TOKENS = itertools.count()


def _made_and_run(token: int, index: int, fn: Callable, args: tuple):
    """In a forked pool process: make task ``index`` and run ``fn`` on it."""
    return fn(_MAKERS[token](index), *args)


class MadeOnDemand(Sequence):
    """``count`` tasks, task ``i`` made by ``make(i)`` each time it is asked for.

    Given to :func:`ordered_map`, each task is made just before it is handed
    to the pool, while the pool processes work on the earlier ones, rather
    than all of them before the first starts; and only the tasks waiting for
    a process are held at once. When the pool processes are forks of this
    one, they make the tasks themselves from what they inherited: a task
    that is a slice of data already here then costs no copying through a
    pipe, and this process no time making and sending it.
    """

    def __init__(self, make: Callable[[int], object], count: int) -> None:
        self.make, self._count = make, count

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self.make(i) for i in range(*index.indices(self._count))]
        if not -self._count <= index < self._count:
            raise IndexError(index)
        return self.make(index % self._count)


# What _survived gives when processes die whatever they run (a task's own
# result may be anything, None included).
_HOPELESS = object()


def _concatenated(parts: list[list]) -> list:
    return [item for part in parts for item in part]


def _alone(fn: Callable, task, args) -> tuple[bool, object]:
    """(True, ``fn(task, *args)``) run in a fresh process, or (False, None) if it died."""
    with ProcessPoolExecutor(max_workers=1) as pool:
        try:
            return True, pool.submit(fn, task, *args).result()
        except BrokenProcessPool:
            return False, None


def _survived(fn: Callable, task: list, args, crashed: Callable, join: Callable):
    """The result of a task whose pool process died, with the items that
    kill any process running them set aside; ``_HOPELESS`` when processes
    die whatever they run (see :func:`ordered_map`)."""
    ran, result = _alone(fn, task, args)
    if ran:
        return result
    if not _alone(fn, task[:0], args)[0]:
        return _HOPELESS
    return _halved(fn, task, args, crashed, join)


def _halved(fn: Callable, task: list, args, crashed: Callable, join: Callable):
    if len(task) <= 1:
        return crashed(task)
    parts = []
    for part in (task[:len(task) // 2], task[len(task) // 2:]):
        ran, result = _alone(fn, part, args)
        parts.append(result if ran else _halved(fn, part, args, crashed, join))
    return join(parts)
