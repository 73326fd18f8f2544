"""Notebooks are linted cell by cell: findings name the cell and the line in it."""

from __future__ import annotations

import json

from ..conftest import run_cli


def notebook(*cells):
    return json.dumps({
        "cells": [
            {"cell_type": kind, "metadata": {}, "source": source, **({"outputs": [], "execution_count": None} if kind == "code" else {})}
            for kind, source in cells
        ],
        "metadata": {}, "nbformat": 4, "nbformat_minor": 5,
    })


def test_findings_point_to_cell_and_line(tmp_path):
    (tmp_path / "train.ipynb").write_text(notebook(
        ("markdown", "# Training\nsome text"),
        ("code", ["%matplotlib inline\n", "import torch\n", "import torch.nn as nn\n"]),
        ("code", "!pip install monai\nx = 1\npool = nn.MaxPool3d(2)  # noqa: MLF999\n"),
        ("code", "torch.backends.cudnn.benchmark = True  # noqa: MLF140"),
    ))
    result = run_cli("check", "--no-cache", "--target", "torch==2.11", "--format", "json", ".", cwd=tmp_path)
    findings = json.loads(result.stdout)
    assert [(f["path"], f["cell"], f["line"], f["column"], f["code"]) for f in findings] == [
        ("train.ipynb", 3, 3, 8, "MLF101"),
    ]
    text = run_cli("check", "--no-cache", "--target", "torch==2.11", ".", cwd=tmp_path).stdout
    assert text.splitlines()[0].startswith("train.ipynb:cell 3:3:8: MLF101 ")
