"""pytest plugin: the ``training_determinism`` fixture trains a model twice and fails at the first difference.

Installed with mlfcore-lint, it is loaded through the ``pytest11`` entry point; without the entry point
(a vendored copy, a checkout) put ``pytest_plugins = ["mlfcore_lint.verify.program.pytest_plugin"]`` in
the top ``conftest.py``.  A test hands the fixture a module-level function that returns
``(model, optimizer, batch)`` or ``(model, optimizer, batch, loss)``; each run calls it in a fresh
process, calls ``model(batch)`` (``model(*batch)`` for a tuple, ``model(**batch)`` for a dict), minimises
``loss(output)`` (by default the sum of the floating-point outputs) and records as ``verify program``
does::

    def make():
        torch.manual_seed(0)
        model = MyNet()
        return model, torch.optim.SGD(model.parameters(), lr=0.1), torch.ones(4, 3)

    def test_training_is_deterministic(training_determinism):
        training_determinism(make, steps=2)

Importing this module imports neither PyTorch nor the rest of mlfcore-lint; that happens when a test uses
the fixture.
"""

from __future__ import annotations

import os
import sys

import pytest


class TrainingDeterminism:
    """The fixture's value: call it with a factory; it returns the JSON result or fails the test."""

    def __init__(self, folder):
        self.folder = folder

    def __call__(self, factory, steps: int = 2, runs: int = 2, setup: str = "as-is", device: str = "auto",
                 timeout: float = 600.0) -> dict:
        from .check import verify_program
        from .compare import IDENTICAL
        from .launcher import PROGRAM_SETUPS, Target
        from .report import write_outputs

        qualified = getattr(factory, "__qualname__", "")
        if not callable(factory) or "<" in qualified:
            raise TypeError("training_determinism needs a module-level function (each run imports it anew)")
        if steps < 1 or runs < 2 or setup not in PROGRAM_SETUPS or device not in ("auto", "cpu", "cuda"):
            raise ValueError("training_determinism: steps >= 1, runs >= 2, setup in "
                             f"{', '.join(PROGRAM_SETUPS)}, device auto, cpu or cuda")
        target = Target(factory=f"{factory.__module__}:{qualified}",
                        python_path=tuple(p for p in sys.path if p and os.path.isdir(p)))
        result = verify_program(target, steps, runs, setup, device, timeout, cwd=os.getcwd())
        write_outputs(result, self.folder / "verify-program.json", self.folder / "verify-program.md")
        if result["outcome"] != IDENTICAL:
            pytest.fail(f"{result['summary']}\n(report: {self.folder / 'verify-program.md'})", pytrace=False)
        return result


@pytest.fixture
def training_determinism(tmp_path) -> TrainingDeterminism:
    """Train a model returned by a factory in fresh processes and fail at the first module call that differs."""
    return TrainingDeterminism(tmp_path)
