"""What keeps a fix from damaging a file: limits on what is fixed, a time budget per file, and the bytes of
every line a fix did not touch, put back exactly as they were."""

from __future__ import annotations

import re
import signal
import threading
from contextlib import contextmanager
from difflib import SequenceMatcher

from ..engine.notebook import notebook_source
from ..engine.source import MAX_FILE_BYTES, SourceProblem

#: Larger files, longer lines, are checked (up to the engine's limits) but left alone by the fixer: rewriting
#: them node by node costs minutes, and a person should look at generated code anyway.
MAX_FIX_BYTES = min(MAX_FILE_BYTES, 1024 * 1024)
MAX_FIX_LINE = 20_000
TIME_BUDGET_S = 20.0  # per file

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


class OverBudget(BaseException):
    """Fixing one file took longer than its time budget (a BaseException, so no handler on the way eats it)."""


def too_large(raw: bytes, notebook: bool = False) -> str:
    """Why a file is too large to fix ("" where it is not). A notebook is measured by its code cells: what the
    fixer edits (its outputs, images in base64 included, are copied as they are)."""
    if notebook:
        code = _code_cells(raw)
        if code is not None:
            raw = code
    if len(raw) > MAX_FIX_BYTES:
        return f"larger than the fixer's limit of {MAX_FIX_BYTES // 1024} KiB ({len(raw) // 1024} KiB)"
    longest = max((len(line) for line in raw.splitlines()), default=0)
    if longest > MAX_FIX_LINE:
        return f"a line of {longest} characters, over the fixer's limit of {MAX_FIX_LINE}"
    return ""


def _code_cells(raw: bytes) -> bytes | None:
    """The source of a notebook's code cells, as the engine reads them; None where it is not a notebook."""
    try:
        return notebook_source(raw)[0].encode("utf-8")
    except SourceProblem:
        return None


@contextmanager
def time_budget(seconds: float = TIME_BUDGET_S):
    """Raise :class:`OverBudget` in the block after ``seconds`` (in a process's main thread, where signals
    arrive; elsewhere the block runs without a budget)."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return

    def expired(signum, frame):
        raise OverBudget

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def lines_of(text: str) -> list[str]:
    """The lines of ``text`` with their own endings (``\\n``, ``\\r\\n`` or ``\\r``; a form feed is no end)."""
    return _LINE.findall(text)


def _key(line: str) -> str:
    return line.rstrip("\r\n").replace("\f", "")


def keep_untouched_lines(old: str, new: str) -> str:
    """``new``, with each line that a fix left as it was (the same text, form feeds and line endings aside)
    put back byte for byte: the parser drops a form feed before a statement and a CR-only file's last CR."""
    if old == new or ("\f" not in old and "\r" not in old):
        return new
    old_lines, new_lines = lines_of(old), lines_of(new)
    matcher = SequenceMatcher(None, [_key(line) for line in old_lines], [_key(line) for line in new_lines],
                              autojunk=False)
    kept: list[str] = []
    for operation, old_start, old_end, new_start, new_end in matcher.get_opcodes():
        kept.extend(old_lines[old_start:old_end] if operation == "equal" else new_lines[new_start:new_end])
    return "".join(kept)
