"""``check --add-noqa``: a baseline for a legacy project, through the real command."""

from __future__ import annotations

import json

import pytest

from ..conftest import run_cli

MODEL = (
    "# -*- coding: utf-8 -*-\r\n"
    "import torch\r\n"
    "import torch.nn as nn\r\n"
    "torch.backends.cudnn.benchmark = True  # noqa:E501\r\n"
    "pool = nn.MaxPool3d(2)  # keep: tuned by hand\r\n"
    "layers = [\r\n"
    "    nn.MaxPool3d(2),\r\n"
    "    nn.Linear(2, 2),\r\n"
    "]\r\n"
    "text = '''Größe\r\n"
    "'''; other = nn.MaxPool3d(3) if text else \\\r\n"
    "    None\r\n"
    "torch.backends.cudnn.benchmark = True  # noqa\r\n"
)
TRAIN = "import torch\nimport model\n\nif __name__ == '__main__':\n    loss.cuda().backward()"  # no newline at the end
NOTEBOOK = {
    "cells": [
        {"cell_type": "markdown", "metadata": {}, "source": ["# A \"notebook\"\n"]},
        {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
         "source": ["import torch\n", "torch.backends.cudnn.benchmark = True  # noqa: E402\n",
                    "x = \"a\\\\b\"; torch.backends.cudnn.benchmark = True"]},
        {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
         "source": ["loss.cuda().backward()"]},  # the notebook trains
    ],
    "metadata": {}, "nbformat": 4, "nbformat_minor": 5,
}


def check(project, *args):
    return run_cli("check", "--no-cache", "--target", "torch==2.11", *args, cwd=project,
                   env={"NO_COLOR": "1"})


@pytest.mark.slow
def test_add_noqa_then_no_findings_and_an_unchanged_fix(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "legacy"\n')
    (tmp_path / "model.py").write_bytes(MODEL.encode("utf-8"))
    (tmp_path / "train.py").write_bytes(TRAIN.encode("utf-8"))
    (tmp_path / "explore.ipynb").write_text(json.dumps(NOTEBOOK, indent=1) + "\n", encoding="utf-8")
    before = {path.name: path.read_bytes() for path in tmp_path.iterdir() if path.is_file()}
    findings = json.loads(check(tmp_path, "--format", "json").stdout)
    assert {(f["path"], f["code"]) for f in findings} >= {
        ("model.py", "MLF140"), ("model.py", "MLF101"), ("train.py", "MLF160"), ("explore.ipynb", "MLF140")}

    added = check(tmp_path, "--add-noqa")
    assert added.returncode == 1, added.stderr  # one finding sits where no comment can go
    assert "model.py: line 11: no comment can go there (inside a string or after a backslash); MLF101" in added.stderr
    assert added.stderr.splitlines()[-1] == f"Added {len(findings) - 1} noqa codes in 4 files."  # pyproject.toml too (MLF060)

    model = (tmp_path / "model.py").read_bytes().decode("utf-8")
    assert model.split("\r\n")[3:8] == [
        "torch.backends.cudnn.benchmark = True  # noqa:E501, MLF140",
        "pool = nn.MaxPool3d(2)  # keep: tuned by hand  # noqa: MLF101",
        "layers = [",
        "    nn.MaxPool3d(2),  # noqa: MLF101",
        "    nn.Linear(2, 2),",
    ]
    # every other byte is as it was: removing what was added gives the file back
    restored = model.replace(", MLF140", "").replace("  # noqa: MLF101", "")
    assert restored.encode("utf-8") == before["model.py"]
    train = (tmp_path / "train.py").read_bytes().decode()
    assert train == TRAIN.replace("if __name__ == '__main__':", "if __name__ == '__main__':  # noqa: MLF160, MLF161")
    notebook = json.loads((tmp_path / "explore.ipynb").read_text(encoding="utf-8"))
    assert notebook["cells"][1]["source"] == [
        "import torch\n", "torch.backends.cudnn.benchmark = True  # noqa: E402, MLF140\n",
        "x = \"a\\\\b\"; torch.backends.cudnn.benchmark = True  # noqa: MLF140"]
    assert notebook["cells"][0] == NOTEBOOK["cells"][0]

    rerun = json.loads(check(tmp_path, "--format", "json").stdout)
    assert [(f["path"], f["line"], f["code"]) for f in rerun] == [("model.py", 11, "MLF101")]
    model = model.replace("if text else \\\r\n    None", "if text else None  # noqa: MLF101")
    (tmp_path / "model.py").write_bytes(model.encode("utf-8"))
    assert check(tmp_path).stdout == "No findings in 3 files checked.\n"

    after = {path.name: path.read_bytes() for path in tmp_path.iterdir() if path.is_file()}
    fixed = check(tmp_path, "--fix")
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert {path.name: path.read_bytes() for path in tmp_path.iterdir() if path.is_file()} == after
    again = check(tmp_path, "--add-noqa")
    assert again.returncode == 0 and again.stderr == "Added 0 noqa codes in 0 files.\n"
