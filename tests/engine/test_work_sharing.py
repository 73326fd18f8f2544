"""Work shared among helper processes (mlfcore_lint/work_sharing.py): every item worked once, whatever a helper
does, and no helper left behind."""

from __future__ import annotations

import multiprocessing
import os

import pytest

from mlfcore_lint.work_sharing import share_work

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="helpers are forked")


def _pid_and_square(number: int) -> tuple[int, int]:
    return os.getpid(), number * number


def test_each_item_is_worked_once_by_the_helpers():
    results = dict(share_work(200, 2, _pid_and_square))
    assert sorted(results) == list(range(200))
    assert all(square == number * number for number, (_, square) in results.items())
    assert os.getpid() not in {pid for pid, _ in results.values()}
    assert not multiprocessing.active_children()


def _dies_at_seven(number: int) -> int:
    if number == 7 and multiprocessing.parent_process() is not None:
        os._exit(3)  # a helper killed mid-way (out of memory, a signal): its claimed items never come back
    return number


def test_items_of_a_helper_that_died_are_worked_here():
    assert sorted(number for number, _ in share_work(40, 1, _dies_at_seven)) == list(range(40))
    assert not multiprocessing.active_children()


def test_helpers_stop_when_the_reader_stops():
    results = share_work(10_000, 2, _pid_and_square)
    next(results)
    results.close()
    assert not multiprocessing.active_children()


def _fails(number: int) -> int:
    raise ValueError(f"item {number}")


def test_an_error_in_a_helper_is_raised_here():
    with pytest.raises(ValueError, match="item"):
        list(share_work(5, 1, _fails))
    assert not multiprocessing.active_children()


HELPERS_OF_A_KILLED_PROCESS = """
import multiprocessing, time
from mlfcore_lint.work_sharing import share_work

def slow(number):
    time.sleep(0.01)
    return number

results = share_work(100_000, 2, slow)
next(results)
print(" ".join(str(helper.pid) for helper in multiprocessing.active_children()), flush=True)
time.sleep(60)
"""


def _gone(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] == "Z"  # exited, not yet reaped
    except FileNotFoundError:
        return True


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="reads /proc")
def test_helpers_exit_when_the_process_that_started_them_is_killed(tmp_path):
    """An editor or a pre-commit timeout kills the linter: its helpers find the pipe broken and exit."""
    import signal
    import subprocess
    import sys
    import time

    child = subprocess.Popen([sys.executable, "-c", HELPERS_OF_A_KILLED_PROCESS], stdout=subprocess.PIPE, text=True)
    helpers = [int(pid) for pid in child.stdout.readline().split()]
    assert len(helpers) == 2
    child.send_signal(signal.SIGKILL)
    child.wait()
    deadline = time.monotonic() + 10
    try:
        while not all(map(_gone, helpers)) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert all(map(_gone, helpers))
    finally:
        for pid in helpers:
            if not _gone(pid):
                os.kill(pid, signal.SIGKILL)
