"""Small projects written into a temporary folder for the front-end tests."""

from __future__ import annotations

import textwrap
from pathlib import Path

TRAIN = """\
import torch

from model import build

if __name__ == "__main__":
    model = build().cuda()
    model(batch).sum().backward()
"""

MODEL = """\
import torch
import torch.nn as nn


def build():
    # Größe: the non-ASCII comment must not shift columns
    label = "Fläche"; torch.backends.cudnn.benchmark = True
    return nn.Sequential(nn.Linear(2, 2), nn.MaxPool3d(2))
"""

SEEDED_TRAIN = """\
import torch

from model import build

if __name__ == "__main__":
    torch.manual_seed(0)
    torch.use_deterministic_algorithms(True)
    model = build().cuda()
    model(batch).sum().backward()
"""


def write_project(root: Path, files: dict[str, str], table: str = "") -> Path:
    """A project with ``[tool.mlfcore-lint]`` (plus ``table``) in its pyproject.toml, and ``files``."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text(
        '[project]\nname = "example"\ndependencies = ["torch==2.11"]\n\n[tool.mlfcore-lint]\n'
        + textwrap.dedent(table), encoding="utf-8",
    )
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


def training_project(root: Path, table: str = "") -> Path:
    """An entry point that imports a model module with a cuDNN benchmark switch and a 3-D max pooling."""
    return write_project(root, {"train.py": TRAIN, "model.py": MODEL}, table)
