"""The example project in ``examples/liver_unet`` through the real command line, as the README runs it."""

from __future__ import annotations

import json

import pytest

from mlfcore_lint.ruleset import load_ruleset

from .conftest import REPO, run_cli

EXAMPLE = "examples/liver_unet"
RULESET = load_ruleset()

# (file, code, api) that the example must produce whatever else the rule set grows into.
CORE_FINDINGS = {
    ("model.py", "MLF101", "torch.nn.MaxPool3d"),
    ("model.py", "MLF102", "torch.nn.Upsample"),
    ("model.py", "MLF102", "torch.nn.functional.interpolate"),
    ("train.py", "MLF140", "torch.backends.cudnn.benchmark"),
    ("train.py", "MLF160", "torch.manual_seed"),
    ("train.py", "MLF161", "torch.use_deterministic_algorithms"),
}
# Rules that are being added: asserted once the loaded rule set has them.
OPTIONAL_FINDINGS = {
    ("data.py", "MLF003"),  # np.random.default_rng() without a seed
}


def _check(*extra):
    result = run_cli("check", EXAMPLE, "--format", "json", "--no-cache", *extra, cwd=REPO)
    assert result.returncode == 1, result.stderr
    assert result.stderr == ""
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def findings():
    return _check("--target", "torch==2.11")


def _file(finding) -> str:
    return finding["path"].replace("\\", "/").rsplit("/", 1)[-1]


def test_core_findings(findings):
    found = {(_file(f), f["code"], f["api"]) for f in findings}
    assert CORE_FINDINGS <= found, sorted(CORE_FINDINGS - found)


def test_findings_of_rules_being_added(findings):
    found = {(_file(f), f["code"]) for f in findings}
    expected = {item for item in OPTIONAL_FINDINGS if item[1] in RULESET.rules}
    assert expected <= found, sorted(expected - found)


def test_requirements_are_reported_at_the_entry_point(findings):
    train = (REPO / EXAMPLE / "train.py").read_text(encoding="utf-8").splitlines()
    main_line = next(number for number, line in enumerate(train, 1) if line.startswith("if __name__"))
    for code in ("MLF160", "MLF161"):
        [finding] = [f for f in findings if f["code"] == code]
        assert (_file(finding), finding["line"]) == ("train.py", main_line)


def test_every_finding_points_at_its_call(findings):
    for finding in findings:
        if finding["code"] in ("MLF101", "MLF102"):
            path = REPO / EXAMPLE / _file(finding)
            line = path.read_text(encoding="utf-8").splitlines()[finding["line"] - 1]
            called = finding["api"].rsplit(".", 1)[-1]
            assert called in line[finding["column"] - 1:], (finding, line)


def test_pinned_version_is_read_from_requirements():
    # No --target: the pin torch==2.11.* in the example's requirements.txt decides.
    findings = _check()
    [max_pool] = [f for f in findings if f["code"] == "MLF101"]
    assert "torch==2.11" in max_pool["message"]


def test_switch_makes_max_pool_deterministic_on_newer_torch():
    # torch 2.13 has a deterministic MaxPool3d backward, but the example never turns the switch on.
    findings = _check("--target", "torch==2.13")
    [max_pool] = [f for f in findings if f["code"] == "MLF101"]
    assert "unless torch.use_deterministic_algorithms is on" in max_pool["message"]
