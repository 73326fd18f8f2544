"""``mlfcore-fix`` on the example project: afterwards ``mlfcore-lint check`` reports nothing with a safe fix."""

from __future__ import annotations

import json
import shutil

import pytest

from mlfcore_lint.cli.main import main as lint
from mlfcore_lint.fix.cli import main as fix

from ..conftest import REPO

EXAMPLE = REPO / "examples" / "liver_unet"


@pytest.fixture
def example(tmp_path):
    if not (EXAMPLE / "train.py").is_file():
        pytest.skip("examples/liver_unet is not in this checkout")
    copy = tmp_path / "liver_unet"
    shutil.copytree(EXAMPLE, copy, ignore=shutil.ignore_patterns(".mlfcore_lint_cache", "__pycache__"))
    return copy


def _findings(folder, capsys):
    capsys.readouterr()
    lint(["check", "--format", "json", "--no-cache", str(folder)])
    return json.loads(capsys.readouterr().out)


def test_fixing_the_example_leaves_no_safe_finding(example, capsys, monkeypatch):
    monkeypatch.chdir(example)
    before = _findings(example, capsys)
    assert any(f["fix"] and f["fix"]["applicability"] == "safe" for f in before)
    originals = {p.name: p.read_bytes() for p in example.glob("*.py")}
    fix([str(example)])
    after = _findings(example, capsys)
    assert not [f for f in after if f["fix"] and f["fix"]["applicability"] == "safe"], after
    for path in example.glob("*.py"):
        compile(path.read_bytes(), str(path), "exec")
    changed = {p.name for p in example.glob("*.py") if p.read_bytes() != originals[p.name]}
    assert changed == {f["path"].rsplit("/", 1)[-1] for f in before
                       if f["fix"] and f["fix"]["applicability"] == "safe" and f["path"].endswith(".py")}
    untouched = {f["code"] for f in after}
    # what has no safe fix stays, unless a safe fix settles it too (the switch makes trilinear upsampling
    # deterministic from torch 2.9)
    assert untouched <= {f["code"] for f in before if not (f["fix"] and f["fix"]["applicability"] == "safe")}
    fixed_once = {p.name: p.read_bytes() for p in example.glob("*.py")}
    fix([str(example)])
    assert {p.name: p.read_bytes() for p in example.glob("*.py")} == fixed_once, "a second run must change nothing"
