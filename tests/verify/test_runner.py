"""The runner: each fixture setup in its own process, hangs and crashes contained, results judged."""

from __future__ import annotations

import shutil

import pytest

from mlfcore_lint.verify.catalog import discover_fixtures
from mlfcore_lint.verify.environment import gpus
from mlfcore_lint.verify.progress import Progress
from mlfcore_lint.verify.runner import RunOptions, failures, run_fixture, run_suite

from .conftest import FIXTURES_DIR

FIXTURE = '''"""{doc}"""

import numpy

SIZES = {{"small": 4, "full": 4}}


def run(device, size):
{body}
'''


def write_fixture(folder, name, doc, body):
    path = folder / "xgboost" / f"{name}.py"
    path.parent.mkdir(exist_ok=True)
    path.write_text(FIXTURE.format(doc=doc, body=body), encoding="utf-8")
    return path


def quiet(total):
    return Progress(total, enabled=False)


@pytest.mark.slow
def test_a_hang_times_out_and_a_crash_is_an_error(tmp_path):
    fixtures_dir = tmp_path / "fixtures"
    fixtures_dir.mkdir()
    write_fixture(fixtures_dir, "MLF301_hang", "Sleeps forever.", "    import time\n    time.sleep(600)")
    write_fixture(fixtures_dir, "MLF302_crash", "Kills its own process.", "    import os\n    os._exit(3)")
    hang, crash = discover_fixtures(fixtures_dir)[:2]
    hung = run_fixture(hang, RunOptions(device="cpu", size="small", repeats=2, timeout=4), tmp_path / "work", quiet(3))
    assert {result.status for result in hung.setups.values()} == {"timeout"}
    options = RunOptions(device="cpu", size="small", repeats=2, timeout=300)
    crashed = run_fixture(crash, options, tmp_path / "work", quiet(3))
    assert {result.status for result in crashed.setups.values()} == {"error"}
    assert crashed.setups["seeds"].detail.startswith("exit code 3")


@pytest.mark.slow
def test_random_outputs_differ_without_seeds_and_repeat_with_them(tmp_path):
    fixtures_dir = tmp_path / "fixtures"
    fixtures_dir.mkdir()
    write_fixture(fixtures_dir, "MLF303_draw", "Draws from NumPy's global generator.",
                  "    return {'draw': numpy.random.rand(size)}")
    write_fixture(fixtures_dir, "MLF303_draw_alternative", "Draws from a generator seeded in place.",
                  "    return {'draw': numpy.random.default_rng(1).random(size)}")
    fixtures = discover_fixtures(fixtures_dir)
    results = run_suite(fixtures, RunOptions(device="cpu", size="small", repeats=3, timeout=60), None, quiet(6))
    flagged, alternative = results.outcomes
    statuses = [flagged.setups[s].status for s in ("no-seeds", "seeds", "deterministic")]
    assert statuses == ["differs", "identical", "identical"]
    assert flagged.setups["no-seeds"].max_abs_diff > 0 and flagged.setups["seeds"].runs == 3
    assert len(flagged.setups["seeds"].seconds) == 3
    assert {r.status for r in alternative.setups.values()} == {"identical"}
    assert failures(results) == []
    assert results.label.startswith("CPU (") and results.environment["builds"]["xgboost"]["version"]


def test_an_alternative_that_differs_fails_the_run(tmp_path):
    fixtures_dir = tmp_path / "fixtures"
    fixtures_dir.mkdir()
    write_fixture(fixtures_dir, "MLF304_clock_alternative", "Reads the clock.",
                  "    import time\n    return {'now': numpy.array([time.perf_counter_ns()])}")
    fixtures = discover_fixtures(fixtures_dir)
    results = run_suite(fixtures, RunOptions(device="cpu", size="small", repeats=2, timeout=60), "test", quiet(3))
    assert failures(results) == ["xgboost/MLF304_clock_alternative.py [deterministic]: differs"]


def test_a_fixture_for_a_newer_framework_is_skipped(tmp_path):
    source = next(FIXTURES_DIR.glob("torch/MLF101_*_alternative.py"))
    folder = tmp_path / "fixtures" / "torch"
    folder.mkdir(parents=True)
    shutil.copyfile(source, folder / source.name)
    text = (folder / source.name).read_text(encoding="utf-8").replace('"torch>=2.13"', '"torch>=99"')
    (folder / source.name).write_text(text, encoding="utf-8")
    fixture = discover_fixtures(tmp_path / "fixtures")[0]
    outcome = run_fixture(fixture, RunOptions("cpu", "small", 2, 60), tmp_path / "work", quiet(3))
    assert {r.status for r in outcome.setups.values()} == {"skipped"}
    assert outcome.setups["seeds"].detail.startswith("needs torch>=99, found torch 2.")


@pytest.mark.skipif(bool(gpus()), reason="this machine has a GPU")
def test_cuda_without_a_gpu_is_an_error_not_a_cpu_result(tmp_path):
    fixtures_dir = tmp_path / "fixtures"
    fixtures_dir.mkdir()
    write_fixture(fixtures_dir, "MLF305_draw", "Draws from NumPy's global generator.",
                  "    return {'draw': numpy.random.rand(size)}")
    fixture = discover_fixtures(fixtures_dir)[0]
    outcome = run_fixture(fixture, RunOptions("cuda", "small", 2, 120), tmp_path / "work", quiet(3))
    assert {r.status for r in outcome.setups.values()} == {"error"}
    assert outcome.setups["seeds"].detail == "DeviceError: nvidia-smi sees no GPU"
