"""The project step: how imports name the project's modules, whatever order its files were read in."""

from __future__ import annotations

import itertools
import random

from mlfcore_lint.engine.project import importable_modules, importable_names

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


def test_the_modules_some_name_imports_are_found_without_listing_every_suffix():
    """``importable_modules`` (what a re-run the memo answers needs) gives exactly the values of
    ``importable_names``, on random trees where names repeat and end in one another."""
    generator = random.Random(7)
    parts = ["a", "b", "pkg", "src", "lightning", "__init__"]
    for _ in range(300):
        entries = []
        for _ in range(generator.randint(1, 12)):
            path = "/".join(generator.choice(parts) for _ in range(generator.randint(1, 4))) + ".py"
            name = path[:-3].replace("/", ".").removesuffix(".__init__")
            entries.append((name, path, path))
        entries = list(dict.fromkeys(entries))
        assert sorted(importable_modules(entries)) == sorted(set(importable_names(entries).values()))
