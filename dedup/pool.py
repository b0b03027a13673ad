"""Tasks spread over worker processes, results in order, and no lost run when a worker dies."""

from __future__ import annotations

from collections import deque
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Callable, Iterator, Sequence


def ordered_map(fn: Callable, tasks: Sequence, workers: int, *args,
                ahead: int = 2) -> Iterator:
    """``fn(task, *args)`` for every task, yielded in the order of ``tasks``.

    With ``workers`` > 1 (and more than one task) the calls run in that many
    pool processes, at most about ``ahead`` tasks per process submitted
    beyond the one being waited for, so results waiting to be taken stay
    bounded however many tasks there are. A pool process that dies (killed,
    out of memory) does not end the run: the task being waited for and every
    later one are then run in this process. Closing the iterator early shuts
    the pool down.
    """
    workers = min(workers, len(tasks))
    if workers <= 1:
        for task in tasks:
            yield fn(task, *args)
        return
    pool = ProcessPoolExecutor(max_workers=workers)
    try:
        pending: deque = deque()
        submitted = 0
        while submitted < len(tasks) or pending:
            while submitted < len(tasks) and len(pending) <= ahead * workers:
                pending.append(pool.submit(fn, tasks[submitted], *args))
                submitted += 1
            future = pending.popleft()
            try:
                result = future.result()
            except BrokenProcessPool:
                for task in tasks[submitted - len(pending) - 1:]:
                    yield fn(task, *args)
                return
            yield result
    finally:
        pool.shutdown(cancel_futures=True)
