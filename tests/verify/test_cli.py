"""``mlfcore-lint verify`` through the real command line."""

from __future__ import annotations

import json

import pytest

from ..conftest import run_cli
from .conftest import DATA


@pytest.mark.slow
def test_run_then_report(tmp_path):
    results = tmp_path / "results.json"
    completed = run_cli("verify", "run", "--select", "MLF102", "--framework", "torch", "--device", "cpu",
                        "--repeats", "2", "--output", str(results), "--report-dir", str(tmp_path / "report"))
    assert completed.returncode == 0, completed.stderr
    data = json.loads(results.read_text(encoding="utf-8"))
    assert [o["fixture"] for o in data["outcomes"]] == [
        "torch/MLF102_interpolate_bilinear.py", "torch/MLF102_interpolate_bilinear_alternative.py",
        "torch/MLF102_interpolate_trilinear.py", "torch/MLF102_interpolate_trilinear_alternative.py"]
    assert data["device"] == "cpu" and data["size"] == "small" and data["environment"]["versions"]["torch"]
    assert "12/12" in completed.stderr  # the progress bar reached the end
    assert (tmp_path / "report" / "index.md").is_file()


def test_report_merges_several_files(tmp_path):
    completed = run_cli("verify", "report", str(DATA / "results-cpu.json"), str(DATA / "results-gpu-synthetic.json"),
                        "--output-dir", str(tmp_path))
    assert completed.returncode == 0, completed.stderr
    assert "Synthetic GPU (test data) · torch 2.13.0+cu128 (GPU)" in (tmp_path / "index.md").read_text(encoding="utf-8")


def test_bad_input_is_one_line_and_exit_2(tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text("[]", encoding="utf-8")
    cases = [
        (("verify", "report", str(broken)), f"{broken}: not an mlfcore-lint verify results file"),
        (("verify", "run", "--repeats", "1"), "argument --repeats: must be 2 or more"),
        (("verify", "run", "--select", "MLF999"), "no fixture matches"),
        (("verify", "run", "--framework", "jax"), "unknown framework 'jax'"),
    ]
    for arguments, message in cases:
        completed = run_cli(*arguments, cwd=tmp_path)
        assert completed.returncode == 2, (arguments, completed.stderr)
        assert message in completed.stderr and "Traceback" not in completed.stderr


def test_list_names_every_fixture():
    completed = run_cli("verify", "list")
    assert "torch/MLF101_max_pool3d.py" in completed.stdout
    assert completed.returncode == (1 if "problem:" in completed.stdout else 0)
