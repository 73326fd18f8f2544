"""The ``training_determinism`` fixture, in a pytest session of its own (a project's test suite)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from ..conftest import REPO

pytest.importorskip("torch", reason="the fixture trains PyTorch models")

SUITE = '''
import torch
from torch import nn

PLUGIN


def seeded():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.Dropout(0.5), nn.Linear(4, 1))
    return model, torch.optim.SGD(model.parameters(), lr=0.1), torch.ones(2, 3)


def unseeded():
    model = nn.Sequential(nn.Linear(3, 4), nn.Linear(4, 1))  # built here
    batch = (torch.ones(2, 3),)
    return model, torch.optim.SGD(model.parameters(), lr=0.1), batch, lambda output: (output ** 2).mean()


def test_seeded(training_determinism):
    result = training_determinism(seeded, steps=2)
    assert result["outcome"] == "identical" and result["steps_completed"] == 2


def test_unseeded(training_determinism):
    training_determinism(unseeded, steps=1)
'''


def _pytest(folder, plugin_line: str, python: str = sys.executable, *options: str):
    (folder / "test_training.py").write_text(SUITE.replace("PLUGIN", plugin_line), encoding="utf-8")
    environment = dict(os.environ)
    environment["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), environment.get("PYTHONPATH")) if p)
    return subprocess.run([python, "-m", "pytest", "-q", "-p", "no:cacheprovider", *options, "test_training.py"],
                          cwd=folder, capture_output=True, text=True, env=environment, timeout=600)


@pytest.mark.slow  # runs pytest on training programs: CI runs it, the quick loop does not
def test_the_fixture_passes_a_seeded_model_and_names_the_first_difference(tmp_path):
    # loaded by name here; the installed entry point (the same module) is blocked so it registers once
    completed = _pytest(tmp_path, 'pytest_plugins = ["mlfcore_lint.verify.program.pytest_plugin"]', sys.executable,
                        "-p", "no:mlfcore-lint")
    assert "1 failed, 1 passed" in completed.stdout, completed.stdout + completed.stderr
    failure = completed.stdout.split("test_unseeded", 1)[1]
    assert "differs: step 1, forward: the parameters (weight,bias) of `torch.nn.Linear` built at" in failure
    lines = (tmp_path / "test_training.py").read_text(encoding="utf-8").splitlines()
    [line] = [n for n, text in enumerate(lines, 1) if text.endswith("# built here")]
    assert f"test_training.py:{line}" in failure and "MLF160 explains it" in failure


@pytest.mark.slow  # runs pytest on training programs: CI runs it, the quick loop does not
def test_the_entry_point_loads_the_plugin(tmp_path):
    # Only where this checkout is installed with its entry points (the developer's own venv, CI's install).
    from importlib.metadata import entry_points

    if not any(e.value == "mlfcore_lint.verify.program.pytest_plugin" for e in entry_points(group="pytest11")):
        pytest.skip("mlfcore-lint is not installed with its pytest11 entry point in this environment")
    completed = _pytest(tmp_path, "", sys.executable, "-k", "seeded and not unseeded")
    assert "1 passed" in completed.stdout, completed.stdout + completed.stderr
