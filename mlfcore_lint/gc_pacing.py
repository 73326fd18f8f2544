"""Fewer garbage collections while the engine builds objects that live on.

CPython collects its youngest generation every 700 new container objects and, every few of those, older
ones. Parsing a module creates thousands of syntax-tree nodes and the facts of every module read so far stay
alive, so each collection walks more objects that are not garbage: over 2,000 modules, parsing took half as
long again as in a process that holds nothing. The engine's own objects hold no reference cycles (syntax
trees have no parent links, and the walker's handlers are plain functions: tests/engine/test_cache.py), so
collecting the youngest generation every 50,000 objects instead still frees what a cycle holds, only later.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

#: New container objects between two collections of the youngest generation (CPython's default: 700).
YOUNG_THRESHOLD = 50_000


def collect_rarely() -> None:
    """From now on in this process (a worker of the engine's own pool)."""
    first, *older = gc.get_threshold()
    if first:  # 0: collection is off, and stays so
        gc.set_threshold(max(first, YOUNG_THRESHOLD), *older)


@contextmanager
def rarer_collections() -> Iterator[None]:
    """While the block runs; the host's thresholds come back after it (a flake8 or pylint process)."""
    saved = gc.get_threshold()
    collect_rarely()
    try:
        yield
    finally:
        gc.set_threshold(*saved)
