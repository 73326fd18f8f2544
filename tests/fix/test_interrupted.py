"""Killing ``mlfcore-fix`` at any moment leaves every file either as it was or fully fixed."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import pytest

BEFORE = "import torch\n\n# file {n}\ntorch.backends.cudnn.benchmark = True\nvalue = {n}\n"
AFTER = "import torch\n\n# file {n}\ntorch.backends.cudnn.benchmark = False\nvalue = {n}\n"
FILES = 150


def _project(folder):
    folder.mkdir()
    (folder / "pyproject.toml").write_text('[tool.mlfcore-lint]\ntarget = ["torch==2.13"]\n', encoding="utf-8")
    for n in range(FILES):
        (folder / f"module_{n:03}.py").write_text(BEFORE.format(n=n), encoding="utf-8")
    return folder


def _command(folder):
    options = ["--select", "MLF140", "--no-cache", "--jobs", "1"]
    return [sys.executable, "-m", "mlfcore_lint.fix.cli", *options, str(folder)]


def _states(folder) -> set[str]:
    states = set()
    for n in range(FILES):
        text = (folder / f"module_{n:03}.py").read_text(encoding="utf-8")
        assert text in (BEFORE.format(n=n), AFTER.format(n=n)), f"module_{n:03}.py is damaged:\n{text}"
        states.add("fixed" if text == AFTER.format(n=n) else "intact")
    return states


@pytest.mark.slow
def test_sigkill_at_several_moments_never_damages_a_file(tmp_path):
    start = time.monotonic()
    command = _command(_project(tmp_path / "full"))
    completed = subprocess.run(command, check=False, capture_output=True, text=True, timeout=300)
    duration = time.monotonic() - start
    assert completed.returncode == 0, completed.stderr
    assert _states(tmp_path / "full") == {"fixed"}
    seen = set()
    for number, fraction in enumerate((0.5, 0.75, 0.9)):
        folder = _project(tmp_path / f"killed_{number}")
        process = subprocess.Popen(_command(folder), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(duration * fraction)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=60)
        seen |= _states(folder)
    rerun = subprocess.run(_command(tmp_path / "killed_0"), check=False, capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0 and _states(tmp_path / "killed_0") == {"fixed"}
    assert "intact" in seen
