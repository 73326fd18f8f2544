"""``mlfcore-lint verify program`` through the real command line, on programs with non-determinism injected."""

from __future__ import annotations

import json

import pytest

from ..conftest import REPO, run_cli
from .conftest import DATA

pytest.importorskip("torch", reason="verify program runs PyTorch programs")

PROGRAMS = DATA / "programs"


def _built_here(script: str) -> str:
    """The ``path:line`` of the line marked ``# built here`` in a test program."""
    lines = (PROGRAMS / script).read_text(encoding="utf-8").splitlines()
    [number] = [n for n, line in enumerate(lines, 1) if line.rstrip().endswith("# built here")]
    return f"{script}:{number}"


def _verify(tmp_path, script: str, *options: str, cwd=PROGRAMS):
    result_path, report_path = tmp_path / "result.json", tmp_path / "report.md"
    completed = run_cli("verify", "program", str(script), "--steps", "3", "--output", str(result_path),
                        "--report", str(report_path), *options, cwd=cwd)
    assert completed.returncode in (0, 1), completed.stderr
    result = json.loads(result_path.read_text(encoding="utf-8"))
    assert report_path.read_text(encoding="utf-8").startswith("# Determinism of")
    assert result["summary"] in completed.stdout
    return completed, result


@pytest.mark.slow  # trains twice in fresh processes: CI runs it, the quick loop does not
@pytest.mark.parametrize(("script", "cls", "step", "phase", "kind", "rule"), [
    ("clock_generator.py", "__main__.ClockNoise", 2, "forward", "output", None),
    ("unseeded_dropout.py", "torch.nn.Dropout", 1, "forward", "output", "MLF160"),
    ("custom_backward.py", "__main__.JitterLayer", 1, "backward", "input-gradient", None),
])
def test_the_first_difference_is_named(tmp_path, script, cls, step, phase, kind, rule):
    completed, result = _verify(tmp_path, script)
    assert completed.returncode == 1
    assert result["outcome"] == "differs"
    divergence = result["divergence"]
    assert divergence["module"]["canonical_class"] == cls
    assert divergence["module"]["site"].endswith("/" + _built_here(script))
    assert (divergence["step"], divergence["phase"], divergence["kind"]) == (step, phase, kind)
    assert 0 < divergence["max_abs_diff"] < 10 and divergence["exact"]
    assert [e["code"] for e in result["explanations"]] == ([rule] if rule else [])
    assert f"step {step}, " in completed.stdout and _built_here(script) in completed.stdout
    assert f"{phase} of `{cls}" in completed.stdout or f"{phase}: " in completed.stdout


@pytest.mark.slow  # trains twice in fresh processes: CI runs it, the quick loop does not
def test_nothing_injected_is_identical(tmp_path):
    completed, result = _verify(tmp_path, "seeded.py", "--runs", "3", "--", "--seed", "7")
    assert completed.returncode == 0, completed.stdout
    assert result["outcome"] == "identical" and result["divergence"] is None
    assert result["steps_completed"] == 3 and len(result["runs"]) == 3
    assert result["arguments"] == ["--seed", "7"]
    assert completed.stdout.startswith("identical: 3 runs gave the same bits")
    assert "9/9" in completed.stderr  # the progress line reached the last step of the last run
    environment = result["environment"]
    assert environment["builds"]["torch"]["version"] and "PYTHONHASHSEED" in environment["variables"]


@pytest.mark.slow  # trains twice in fresh processes: CI runs it, the quick loop does not
def test_an_op_that_raises_under_the_switch_is_named(tmp_path):
    completed, result = _verify(tmp_path, "unpool.py", "--setup", "deterministic")
    assert completed.returncode == 1
    assert result["outcome"] == "raised" and result["error"]["under_switch"]
    assert result["error"]["module"]["class"] == "torch.nn.modules.pooling.MaxUnpool2d"
    assert result["error"]["module"]["site"].endswith("/" + _built_here("unpool.py"))
    assert [e["code"] for e in result["explanations"]] == ["MLF108"]
    assert (f"raised: run 1 raised under the determinism switch at step 1 in the forward of "
            f"`torch.nn.MaxUnpool2d` built at {_built_here('unpool.py')}") in completed.stdout
    assert "MLF108 explains it" in completed.stdout


@pytest.mark.slow  # trains twice in fresh processes: CI runs it, the quick loop does not
def test_errors_are_reported(tmp_path):
    broken = tmp_path / "broken.py"
    broken.write_text("import torch\nraise ValueError('no data here')\n", encoding="utf-8")
    completed, result = _verify(tmp_path, broken, "--setup", "deterministic", cwd=tmp_path)
    assert completed.returncode == 1
    assert result["outcome"] == "error" and result["error"]["type"] == "ValueError"
    assert "no data here" in completed.stdout
    idle = tmp_path / "idle.py"
    idle.write_text("import torch\nprint('nothing to train')\n", encoding="utf-8")
    completed, result = _verify(tmp_path, idle, cwd=tmp_path)
    assert completed.returncode == 1 and "made no optimizer step" in completed.stdout


def test_bad_input_is_one_line_and_exit_2(tmp_path):
    for arguments, message in [
        (("verify", "program", str(tmp_path / "missing.py")), "missing.py: no such script"),
        (("verify", "program", "x.py", "--runs", "1"), "argument --runs: must be 2 or more"),
        (("verify", "program", "x.py", "--epochs", "1"), "unrecognized arguments: --epochs 1"),
    ]:
        completed = run_cli(*arguments, cwd=tmp_path)
        assert completed.returncode == 2, completed
        assert message in completed.stderr


@pytest.mark.slow
def test_the_example_project_is_identical_on_the_cpu(tmp_path):
    # The command docs/verification.md documents; the U-Net on synthetic CT volumes, one step, batch of one.
    completed, result = _verify(tmp_path, "examples/liver_unet/train.py", "--setup", "seeds", "--device", "cpu",
                                "--steps", "1", "--", "--batch-size", "1", cwd=REPO)
    assert completed.returncode == 0, completed.stdout
    assert result["outcome"] == "identical" and result["steps_completed"] == 1
