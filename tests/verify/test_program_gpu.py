"""On a CUDA GPU: ``verify program`` on the example U-Net finds the first non-deterministic op, and under the
switch reports identical or the op that raised (skipped cleanly without a GPU)."""

from __future__ import annotations

import json

import pytest

from mlfcore_lint.verify.environment import gpus

from ..conftest import REPO, run_cli

pytestmark = [
    pytest.mark.gpu,
    pytest.mark.skipif(not gpus(), reason="needs a CUDA GPU (nvidia-smi sees none)"),
]

# Seeds make the weights, the shuffling and the synthetic volumes repeatable, so what still differs is an op.
EXAMPLE = ("examples/liver_unet/train.py", "--device", "cuda", "--steps", "2")
SCRIPT_ARGUMENTS = ("--", "--batch-size", "2", "--trilinear")
OPS = ("output", "output-gradient", "input-gradient", "parameter-gradient", "parameter")


def _verify(tmp_path, setup: str):
    pytest.importorskip("torch", reason="verify program runs PyTorch programs")
    output = tmp_path / f"{setup}.json"
    completed = run_cli("verify", "program", *EXAMPLE, "--setup", setup, "--output", str(output),
                        "--report", str(tmp_path / f"{setup}.md"), *SCRIPT_ARGUMENTS, cwd=REPO)
    assert completed.returncode in (0, 1), completed.stderr
    result = json.loads(output.read_text(encoding="utf-8"))
    assert result["environment"]["builds"]["torch"]["device"] != "cpu", result["environment"]
    return completed, result


def test_without_the_switch_the_first_nondeterministic_op_is_named(tmp_path):
    completed, result = _verify(tmp_path, "seeds")
    assert completed.returncode == 1 and result["outcome"] == "differs", completed.stdout
    divergence = result["divergence"]
    assert divergence["how"] == "values" and divergence["kind"] in OPS, divergence  # not the data, not the weights
    assert divergence["module"]["site"].split(":")[0].endswith(("model.py", "train.py")), divergence
    assert 0 < divergence["max_abs_diff"], divergence
    assert f"step {divergence['step']}, " in completed.stdout


def test_with_the_switch_identical_or_the_op_that_raised(tmp_path):
    completed, result = _verify(tmp_path, "deterministic")
    assert result["outcome"] in ("identical", "raised"), completed.stdout
    if result["outcome"] == "identical":
        assert completed.returncode == 0 and result["steps_completed"] == 2
    else:
        assert completed.returncode == 1
        assert result["error"]["under_switch"] and "deterministic" in result["error"]["message"]
        assert "raised under the determinism switch" in completed.stdout
        assert all(run["switch"] in ([], [True], [True, True]) for run in result["runs"])
