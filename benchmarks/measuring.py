"""Running a command and measuring it: wall time, CPU time (the command and its children) and peak memory."""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PAGE_BYTES = os.sysconf("SC_PAGE_SIZE")
MIB = 1024 * 1024


class BenchmarkError(Exception):
    """A step could not run (a download, a virtual environment); the message says which."""


@dataclass
class Measurement:
    seconds: float
    cpu_seconds: float  # user + system time of the command and its children (robust on a busy machine)
    peak_process_mb: float  # the largest single process (ru_maxrss over the command and its children)
    peak_tree_mb: float  # the largest sum of resident memory over the whole process tree (sampled)
    returncode: int


def _children_by_parent() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as handle:
                stat = handle.read()
        except OSError:
            continue
        parent = int(stat[stat.rindex(b")") + 2:].split()[1])
        children.setdefault(parent, []).append(int(entry.name))
    return children


def tree_rss_bytes(root: int) -> int:
    """Resident memory of ``root`` and all its descendants, now (Linux ``/proc``)."""
    children = _children_by_parent()
    total, pending = 0, [root]
    while pending:
        pid = pending.pop()
        pending.extend(children.get(pid, ()))
        try:
            with open(f"/proc/{pid}/statm", "rb") as handle:
                total += int(handle.read().split()[1]) * PAGE_BYTES
        except (OSError, IndexError, ValueError):
            continue
    return total


def measure(command: list[str], cwd: Path = REPO, env: dict | None = None) -> Measurement:
    """Run ``command`` with its output discarded; wall time and peak memory."""
    with tempfile.TemporaryFile() as stderr:
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=stderr)
        peak_tree = 0
        done = threading.Event()

        def sample() -> None:
            nonlocal peak_tree
            while not done.wait(0.05):
                peak_tree = max(peak_tree, tree_rss_bytes(process.pid))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        # wait4 reports the child's own usage folded with the descendants it waited for (the workers).
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        done.set()
        sampler.join()
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode not in (0, 1):
            stderr.seek(0)
            tail = stderr.read().decode("utf-8", errors="replace").strip().splitlines()[-3:]
            raise BenchmarkError(f"{' '.join(command[:4])} ... exited {process.returncode}: {' | '.join(tail)}")
    cpu = usage.ru_utime + usage.ru_stime
    return Measurement(seconds, cpu, usage.ru_maxrss / 1024, peak_tree / MIB, process.returncode)


def best_of(repeat: int, command: list[str], **kwargs) -> Measurement:
    return fastest([measure(command, **kwargs) for _ in range(repeat)])


def fastest(runs: list[Measurement]) -> Measurement:
    """The fastest run's time, the least CPU time and the most memory of ``runs`` of one command."""
    best = min(runs, key=lambda run: run.seconds)
    return Measurement(best.seconds, min(r.cpu_seconds for r in runs), max(r.peak_process_mb for r in runs),
                       max(r.peak_tree_mb for r in runs), best.returncode)


def in_turn(repeat: int, *runs: Callable[[], Measurement]) -> list[Measurement]:
    """``fastest`` of ``repeat`` runs of each of ``runs``, taken in turn (a, b, a, b, ...) rather than a's runs
    first: a shared machine has faster and slower minutes, and in turn both commands meet them alike, so the
    ratio of two figures does not depend on which of the two ran in a slow minute."""
    measured: list[list[Measurement]] = [[] for _ in runs]
    for _ in range(repeat):
        for run, found in zip(runs, measured, strict=True):
            found.append(run())
    return [fastest(found) for found in measured]


def mlfcore_env() -> dict:
    """The environment that runs this working tree's ``mlfcore_lint``."""
    env = dict(os.environ)
    # as installed (pip compiles every module): a checkout run with PYTHONDONTWRITEBYTECODE would compile
    # its modules again on every start, which flake8's and pylint's environments never pay
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    return env


def assert_checks_all(check: list[str], expected: int, env: dict) -> None:
    """Fail where ``check`` (an ``mlfcore-lint check`` command line, run here in text format) does not check
    ``expected`` files: a tree that an ignore file or an exclude hides would be timed checking nothing."""
    command = [part for part in check if part not in ("--format", "json")] + ["--format", "text"]
    # in the folder every measured run starts in: the project memo is kept per working folder (its environment
    # findings show paths from there), so a check from elsewhere would make the next measured run start over
    output = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, check=False).stdout
    found = re.search(r" in (\d+) files? checked", output)
    checked = int(found.group(1)) if found else None
    if checked != expected:
        raise BenchmarkError(f"{' '.join(command[:5])} ... checked {checked} files, not {expected}: is the tree "
                             "ignored (a .gitignore above it) or excluded?")
