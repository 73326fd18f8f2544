"""One program, three targets: each torch version gets the findings its docstring deserves.

Runs the real ``mlfcore-lint check --format json`` on a two-file project: ``model.py`` uses ops whose status
changed between releases, ``train.py`` is the entry point and may turn the determinism switch on.
"""

from __future__ import annotations

import json

import pytest

from .conftest import run_cli

MODEL = '''\
import torch.nn as nn
import torch.nn.functional as F


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.pool = nn.MaxPool3d(2)
        self.pad = nn.ReplicationPad2d(1)

    def forward(self, x, k):
        values, _ = x.kthvalue(k)
        return F.pad(self.pool(x), (1, 1), mode="replicate")
'''

TRAIN = '''\
import torch

from model import Net

if __name__ == "__main__":
    torch.manual_seed(0)
{switch}    net = Net().cuda()
    net(batch, 2).sum().backward()
'''
SWITCH_ON = "    torch.use_deterministic_algorithms(True)\n"
SWITCH_TEXT = "unless torch.use_deterministic_algorithms is on"


def lint(tmp_path, target: str, switch: bool) -> dict[str, dict]:
    """The PyTorch findings (MLF1xx) of the project, by code."""
    (tmp_path / "model.py").write_text(MODEL, encoding="utf-8")
    (tmp_path / "train.py").write_text(TRAIN.format(switch=SWITCH_ON if switch else ""), encoding="utf-8")
    result = run_cli("check", ".", "--format", "json", "--no-cache", "--target", target, cwd=tmp_path)
    assert result.returncode in (0, 1), result.stderr
    assert result.stderr == ""
    findings = [f for f in json.loads(result.stdout) if f["code"].startswith("MLF1")]
    by_code = {f["code"]: f for f in findings}
    assert len(by_code) == len(findings), findings
    return by_code


def test_max_pool3d_is_nondeterministic_in_2_11_even_with_the_switch(tmp_path):
    findings = lint(tmp_path, "torch==2.11", switch=True)
    assert set(findings) == {"MLF101"}
    message = findings["MLF101"]["message"]
    assert "in torch<2.13 (targeted: torch==2.11)" in message
    assert SWITCH_TEXT not in message
    assert (findings["MLF101"]["path"].replace("\\", "/").rsplit("/", 1)[-1], findings["MLF101"]["line"]) == (
        "model.py", 8)


def test_max_pool3d_needs_the_switch_in_2_13(tmp_path):
    findings = lint(tmp_path, "torch==2.13", switch=False)
    assert {"MLF101", "MLF110", "MLF111", "MLF161"} <= set(findings)
    assert "MLF119" not in findings  # kthvalue is deterministic from 2.10
    message = findings["MLF101"]["message"]
    assert f"in torch>=2.13 (targeted: torch==2.13) {SWITCH_TEXT}" in message


def test_the_switch_clears_2_13(tmp_path):
    assert lint(tmp_path, "torch==2.13", switch=True) == {}


def test_a_range_target_reports_the_worst_release_in_it(tmp_path):
    findings = lint(tmp_path, "torch>=2.1,<2.4", switch=True)
    expected_ranges = {
        "MLF101": "torch<2.13",  # MaxPool3d: no deterministic backward in any release of the range
        "MLF110": "torch<2.2",  # ReplicationPad2d: 2.1 has none, 2.2 and 2.3 have one under the switch
        "MLF111": "torch<2.3",  # F.pad(mode="replicate"): every rank takes the deterministic path from 2.3
        "MLF119": "torch<2.10",  # kthvalue
        "MLF162": "torch<2.10",  # the switch needs CUBLAS_WORKSPACE_CONFIG before 2.10
    }
    assert set(findings) == set(expected_ranges)
    for code, versions in expected_ranges.items():
        message = findings[code]["message"]
        assert f"in {versions} (targeted: torch" in message, message
        assert ">=2.1" in message and "<2.4" in message, message
        assert SWITCH_TEXT not in message


@pytest.mark.parametrize(("target", "expected"), [
    ("torch==2.1", {"MLF101", "MLF110", "MLF111", "MLF119", "MLF162"}),
    ("torch==2.2", {"MLF101", "MLF111", "MLF119", "MLF162"}),
    ("torch==2.3", {"MLF101", "MLF119", "MLF162"}),
    ("torch==2.8", {"MLF101", "MLF119", "MLF162"}),
    ("torch==2.10", {"MLF101"}),
    ("torch==2.12", {"MLF101"}),  # the 2.12 docstring still lists MaxPool3d as raising
])
def test_each_release_with_the_switch(tmp_path, target, expected):
    assert set(lint(tmp_path, target, switch=True)) == expected
