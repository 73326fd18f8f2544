"""Work shared among helper processes: each claims the next stretch of items from one counter when it is free.

What a pool's ``imap`` does not: the items are not dealt out in advance, so that helpers given the items
largest first finish together (the last stretches are the smallest), and the process that started them runs no
threads of its own to feed them. Results come back through one pipe that only this process reads: when every
helper has exited, the pipe says so (no helper waits for a word from this process, nor this one for a last word
from a helper), and a helper whose starter died finds the pipe broken and exits. An item a helper claimed but
never sent back (it died) is worked here at the end, as with one process.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections.abc import Callable, Iterator
from typing import Any

#: The most items a helper claims at once, and how many stretches each helper should get at least.
_LONGEST_STRETCH = 8
_STRETCHES_PER_HELPER = 16


def _claim(counter, stretch: int, count: int) -> range:
    """The next stretch of items nobody has claimed (empty once all are)."""
    with counter.get_lock():
        start = counter.value
        counter.value = end = min(start + stretch, count)
    return range(start, end)


def _help(counter, count: int, stretch: int, work: Callable[[int], Any], reader, writer, lock,
          initializer: Callable[..., None] | None, initargs: tuple) -> None:
    """A helper's life: claim stretches until none is left and send each result."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # an interrupt is the starting process's to handle
    reader.close()  # this process's reading end only: once it is gone, sending fails instead of waiting
    if initializer is not None:
        initializer(*initargs)
    try:
        while claimed := _claim(counter, stretch, count):
            for number in claimed:
                result = work(number)
                with lock:  # one message at a time: one larger than the pipe's buffer is written in parts
                    writer.send((number, result))
    except Exception:  # an error in the work (raised again here), or the starting process is gone: quietly
        raise SystemExit(1) from None


def share_work(count: int, helpers: int, work: Callable[[int], Any], initializer: Callable[..., None] | None = None,
               initargs: tuple = ()) -> Iterator[tuple[int, Any]]:
    """``(number, work(number))`` for each of ``count`` items, in no particular order, each worked once by one of
    ``helpers`` processes (``initializer(*initargs)`` runs first in each; results are pickled back). Give the
    items largest first. The helpers are stopped when the iteration ends, however it ends."""
    context = multiprocessing.get_context("fork" if hasattr(os, "fork") else "spawn")
    counter = context.Value("q", 0)
    reader, writer = context.Pipe(duplex=False)
    lock = context.Lock()
    stretch = max(1, min(_LONGEST_STRETCH, count // (helpers * _STRETCHES_PER_HELPER)))
    processes = [context.Process(target=_help, daemon=True,
                                 args=(counter, count, stretch, work, reader, writer, lock, initializer, initargs))
                 for _ in range(helpers)]
    worked = [False] * count
    try:
        for process in processes:
            process.start()
        writer.close()  # the helpers hold the only writing ends: the pipe ends when the last of them exits
        while True:
            try:
                number, result = reader.recv()
            except EOFError:
                break
            worked[number] = True
            yield number, result
        for number in range(count):  # claimed by a helper that died before it sent the result
            if not worked[number]:
                worked[number] = True
                yield number, work(number)
    finally:
        writer.close()
        for process in processes:
            if process.exitcode is None:
                process.terminate()
        for process in processes:
            process.join()
        reader.close()
