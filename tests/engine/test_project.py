"""The project step: how imports name the project's modules, whatever order its files were read in."""

from __future__ import annotations

import itertools

from mlfcore_lint.engine.project import importable_names

MODULES = [
    ("src.lightning", "src/lightning/__init__.py"),
    ("src.lightning.fabric.plugins.precision", "src/lightning/fabric/plugins/precision/__init__.py"),
    ("src.lightning.fabric.plugins.precision.precision", "src/lightning/fabric/plugins/precision/precision.py"),
    ("src.lightning.pytorch.demos.lightning", "src/lightning/pytorch/demos/lightning.py"),
    ("tools.mod", "tools/mod.py"),
    ("tools.mod", "tools/mod.pyi"),
]


def test_every_suffix_names_a_module_and_the_shortest_name_wins():
    names = importable_names([(module, path, path) for module, path in MODULES])
    assert names["lightning.fabric.plugins.precision"] == "src/lightning/fabric/plugins/precision/__init__.py"
    assert names["precision.precision"] == "src/lightning/fabric/plugins/precision/precision.py"
    assert names["lightning"] == "src/lightning/__init__.py"  # not the demo module named lightning
    assert names["demos.lightning"] == "src/lightning/pytorch/demos/lightning.py"
    assert names["mod"] == "tools/mod.py"


def test_the_order_files_were_read_in_does_not_matter():
    entries = [(module, path, path) for module, path in MODULES]
    answers = {tuple(sorted(importable_names(list(order)).items())) for order in itertools.permutations(entries)}
    assert len(answers) == 1
