"""Work shared among helper processes: each claims the next stretch of items from one counter when it is free.

What a pool's ``imap`` does not: the items are not dealt out in advance, so that helpers given the items
largest first finish together (the last stretches are the smallest), and the process that started them runs no
threads of its own to feed them. Each helper sends its results back through a queue that a thread of the helper
writes, so a helper never waits for this process to read. An item a helper claimed but never sent back (it died)
is worked here at the end, as with one process.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import signal
from collections.abc import Callable, Iterator
from typing import Any

#: How long this process waits for a result before it looks whether every helper is still alive.
_PATIENCE_SECONDS = 0.5
#: The most items a helper claims at once, and how many stretches each helper should get at least.
_LONGEST_STRETCH = 8
_STRETCHES_PER_HELPER = 16


def _claim(counter, stretch: int, count: int) -> range:
    """The next stretch of items nobody has claimed (empty once all are)."""
    with counter.get_lock():
        start = counter.value
        counter.value = min(start + stretch, count)
    return range(start, min(start + stretch, count))


def _help(counter, count: int, stretch: int, work: Callable[[int], Any], results,
          initializer: Callable[..., None] | None, initargs: tuple) -> None:
    """A helper's life: claim stretches until none is left, send each result, then ``None``."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # an interrupt is the starting process's to handle
    if initializer is not None:
        initializer(*initargs)
    try:
        while claimed := _claim(counter, stretch, count):
            for number in claimed:
                results.put((number, work(number)))
    except Exception:
        raise SystemExit(1) from None  # quietly: the item is worked again here, where its error is raised once
    results.put(None)


def share_work(count: int, helpers: int, work: Callable[[int], Any], initializer: Callable[..., None] | None = None,
               initargs: tuple = ()) -> Iterator[tuple[int, Any]]:
    """``(number, work(number))`` for each of ``count`` items, in no particular order, each worked once by one of
    ``helpers`` processes (``initializer(*initargs)`` runs first in each; results are pickled back). Give the
    items largest first. The helpers are stopped when the iteration ends, however it ends."""
    context = multiprocessing.get_context("fork" if hasattr(os, "fork") else "spawn")
    counter = context.Value("q", 0)
    results = context.Queue()
    stretch = max(1, min(_LONGEST_STRETCH, count // (helpers * _STRETCHES_PER_HELPER)))
    processes = [context.Process(target=_help, args=(counter, count, stretch, work, results, initializer, initargs),
                                 daemon=True)
                 for _ in range(helpers)]
    worked = [False] * count
    try:
        for process in processes:
            process.start()
        finished = 0
        while finished < helpers:
            try:
                item = results.get(timeout=_PATIENCE_SECONDS)
            except queue.Empty:
                if all(process.exitcode is not None for process in processes):
                    break  # a helper died without its last word: what the others sent is all there is
                continue
            if item is None:
                finished += 1
                continue
            worked[item[0]] = True
            yield item
        for number in range(count):  # claimed by a helper that died before it sent the result
            if not worked[number]:
                worked[number] = True
                yield number, work(number)
    finally:
        for process in processes:
            if process.exitcode is None:
                process.terminate()
        for process in processes:
            process.join()
        results.close()
