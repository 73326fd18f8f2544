"""The facts cache: an unchanged re-run parses nothing; corrupt entries are ignored; concurrent runs are safe."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from mlfcore_lint.cache import project_cache_folder
from mlfcore_lint.config import Settings
from mlfcore_lint.engine.facts import FileFacts
from mlfcore_lint.runner import check_paths

SOURCE = "import torch.nn as nn\npool = nn.MaxPool3d(2)\n"


def make_project(tmp_path, files=5):
    (tmp_path / "pyproject.toml").write_text('[tool.mlfcore-lint]\ntarget = ["torch==2.11"]\n')
    for number in range(files):
        (tmp_path / f"m{number}.py").write_text(SOURCE)
    settings = Settings(root=tmp_path, discover_targets=False)
    from packaging.specifiers import SpecifierSet

    settings.targets = {"torch": SpecifierSet("==2.11")}
    return settings


def test_unchanged_rerun_parses_nothing(tmp_path, ruleset):
    settings = make_project(tmp_path)
    first = check_paths([tmp_path], settings, ruleset, jobs=1)
    second = check_paths([tmp_path], settings, ruleset, jobs=1)
    assert first.parsed == 5 and second.parsed == 0
    assert first.findings == second.findings
    (tmp_path / "m0.py").write_text(SOURCE + "pool2 = nn.MaxPool3d(3)\n")
    third = check_paths([tmp_path], settings, ruleset, jobs=1)
    assert third.parsed == 1 and len(third.findings) == 6


def test_no_cache_writes_nothing(tmp_path, ruleset):
    settings = make_project(tmp_path)
    check_paths([tmp_path], settings, ruleset, jobs=1, use_cache=False)
    assert not project_cache_folder(tmp_path).exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m0.py", "m1.py", "m2.py", "m3.py", "m4.py", "pyproject.toml"]


def test_corrupt_cache_entries_are_ignored(tmp_path, ruleset):
    settings = make_project(tmp_path)
    expected = check_paths([tmp_path], settings, ruleset, jobs=1).findings
    entries = [p for p in project_cache_folder(tmp_path).rglob("*.json")]
    assert entries
    for number, entry in enumerate(entries):
        entry.write_text(["{", "[]", '{"candidates": 3}', "", "\x00\x01"][number % 5])
    again = check_paths([tmp_path], settings, ruleset, jobs=1)
    assert again.findings == expected and again.parsed == 5


def test_cache_keyed_by_rule_set(tmp_path, ruleset):
    from mlfcore_lint.cache import FactsCache

    one, other = FactsCache(tmp_path, "a"), FactsCache(tmp_path, "b")
    assert one.key(b"x", False) != other.key(b"x", False)
    assert one.key(b"x", False) != one.key(b"x", True)


@pytest.mark.slow
def test_concurrent_runs_share_the_cache_safely(tmp_path):
    make_project(tmp_path, files=40)
    command = [sys.executable, "-m", "mlfcore_lint", "check", "--format", "json", "--jobs", "2", "."]
    processes = [subprocess.Popen(command, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for _ in range(4)]
    outputs = [p.communicate(timeout=300) for p in processes]
    for stdout, stderr in outputs:
        assert stderr == ""
        assert len(json.loads(stdout)) == 40
    leftovers = [p for p in project_cache_folder(tmp_path.resolve()).rglob(".tmp-*")]
    assert leftovers == []
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # nothing written into the project


def test_exclusive_lets_one_process_fill_the_cache_while_others_wait(tmp_path):
    from mlfcore_lint.cache import FactsCache

    cache = FactsCache(tmp_path / "cache", "fingerprint")
    waiter = (
        "import sys, time\n"
        "from pathlib import Path\n"
        "from mlfcore_lint.cache import FactsCache\n"
        "with FactsCache(Path(sys.argv[1]), 'fingerprint').exclusive():\n"
        "    print(time.time())\n"
    )
    with cache.exclusive():
        other = subprocess.Popen([sys.executable, "-c", waiter, str(tmp_path / "cache")],
                                 stdout=subprocess.PIPE, text=True)
        import time

        time.sleep(1.0)
        released = time.time()
    entered = float(other.communicate(timeout=30)[0])
    assert entered >= released


def test_a_front_end_reads_the_project_only_where_a_module_can_report(tmp_path, ruleset):
    from mlfcore_lint.runner import ProjectContext

    settings = make_project(tmp_path, files=0)  # targets torch 2.11
    (tmp_path / "train.py").write_text("import torch\nimport data\nif __name__ == '__main__':\n    loss.cuda().backward()\n")
    (tmp_path / "data.py").write_text("import torch\n\ndef scale(x):\n    return torch.relu(x)\n")
    (tmp_path / "tool.py").write_text("import torch\nif __name__ == '__main__':\n    pass\n")
    (tmp_path / "model.py").write_text(SOURCE)  # MaxPool3d: non-deterministic in 2.11, whatever the switch
    (tmp_path / "ops.py").write_text("import torch\ndef pick(x, index):\n    return torch.gather(x, 1, index)\n")
    context = ProjectContext(settings, ruleset)
    # nothing to report: no project step at all
    assert context.check_buffer(tmp_path / "data.py", (tmp_path / "data.py").read_text()) == []
    assert not context.facts
    # a match: the program model (which programs run it, whether they train) reads the project once
    assert [f.code for f in context.check_buffer(tmp_path / "model.py", SOURCE)] == ["MLF101"]
    assert tmp_path / "train.py" in context.facts and tmp_path / "tool.py" in context.facts
    # an entry point of a program that trains; the tool's program trains nothing
    findings = context.check_buffer(tmp_path / "train.py", (tmp_path / "train.py").read_text())
    assert {"MLF160", "MLF161"} <= {f.code for f in findings}
    assert context.check_buffer(tmp_path / "tool.py", (tmp_path / "tool.py").read_text()) == []
    # a backward-only match nothing in the project calls: possible
    [finding] = context.check_buffer(tmp_path / "ops.py", (tmp_path / "ops.py").read_text())
    assert finding.code == "MLF126" and finding.certainty == "inferred"


RICH_MODULE = (
    "# -*- coding: utf-8 -*-\nimport torch\nfrom . import data\nfrom .models import net as n\n"
    "import numpy as np  # noqa: MLF001\n\nclass Model(torch.nn.Module):\n    def forward(self, x):\n"
    "        return torch.nn.functional.max_pool3d(x.cuda(), 2)\n\ndef train():\n"
    "    import tensorflow\n    loss = Model()(torch.rand(3))\n    loss.backward()\n\n"
    "if __name__ == '__main__':\n    torch.manual_seed(0)\n    train()\n"
)


def test_the_facts_shape_names_every_field_of_the_dataclasses(ruleset):
    """The shape a cache entry is checked against is derived from nowhere but must follow the dataclasses:
    a field added to FileFacts or Candidate without its shape fails here, not in a user's cache."""
    from dataclasses import fields

    from mlfcore_lint.engine.analyze import analyze_bytes
    from mlfcore_lint.engine.facts import CANDIDATE_SHAPES, FACT_SHAPES, Candidate, FileFacts, has_shape
    from mlfcore_lint.runner import index_for

    assert set(FACT_SHAPES) == {field.name for field in fields(FileFacts)}
    assert set(CANDIDATE_SHAPES) == {field.name for field in fields(Candidate)}
    facts = analyze_bytes(RICH_MODULE.encode(), index_for(ruleset))
    stored = json.loads(json.dumps(facts.to_json()))
    assert facts.candidates and facts.scopes and facts.classes and facts.devices and facts.noqa
    assert FileFacts.from_stored(stored) == facts
    assert FileFacts.from_stored(json.loads(json.dumps(FileFacts().to_json()))) == FileFacts()
    problem = json.loads(json.dumps(FileFacts(error=Candidate("MLF901", 1, 1, 1, 1, "", 0, "x")).to_json()))
    assert FileFacts.from_stored(problem) is not None
    # every field, and every field of a candidate, of a wrong type or missing: the entry is refused
    for name in FACT_SHAPES:
        for wrong in ("text", 3.5, None, [[[]]], {"1": {"a": 1}}, True):
            if has_shape(wrong, FACT_SHAPES[name]):
                continue  # a value of this field's own type
            assert FileFacts.from_stored({**stored, name: wrong}) is None, (name, wrong)
        assert FileFacts.from_stored({k: v for k, v in stored.items() if k != name}) is None
    for name in CANDIDATE_SHAPES:
        candidate = {**stored["candidates"][0], name: [name]}
        assert FileFacts.from_stored({**stored, "candidates": [candidate]}) is None
    assert FileFacts.from_stored({**stored, "extra": 1}) is None
    assert FileFacts.from_stored([stored]) is None


def test_facts_as_json_are_the_dataclass_fields_and_names_read_back_are_shared(ruleset):
    """``to_json`` is built by hand (no deep copy): it must hold every dataclass field as plain JSON data of the
    stored shape, and reading two files' facts back gives one string object per name (the project step holds
    every file's facts)."""
    from dataclasses import asdict

    from mlfcore_lint.engine.analyze import analyze_bytes
    from mlfcore_lint.engine.facts import FileFacts
    from mlfcore_lint.runner import index_for

    facts = analyze_bytes(RICH_MODULE.encode(), index_for(ruleset))
    data = facts.to_json()
    assert data.keys() == asdict(facts).keys()

    def plain(value) -> bool:  # what ``json.loads`` gives back: lists and dicts, no tuples
        if isinstance(value, (list, dict)):
            return all(map(plain, value.values() if isinstance(value, dict) else value))
        return isinstance(value, (str, int, bool, type(None)))

    assert plain(data)
    assert FileFacts.from_stored(json.loads(json.dumps(data))) == facts
    first, second = (FileFacts.from_json(json.loads(json.dumps(facts.to_json()))) for _ in range(2))
    assert first == second == facts
    assert all(a is b for a, b in zip(first.imports, second.imports, strict=True))
    scope = next(iter(first.scopes))
    assert next(iter(second.scopes)) is scope
    assert all(a is b for a, b in zip(first.scopes[scope].calls, second.scopes[scope].calls, strict=True))


def test_cache_entries_of_the_wrong_shape_or_too_deep_are_misses(tmp_path, ruleset):
    from mlfcore_lint.cache import FactsCache, seal

    cache = FactsCache(tmp_path / "cache", "fingerprint")
    key = cache.key(b"import torch\n", False)
    cache.put(key, FileFacts(imports=["torch"]))
    assert cache.get(key) == FileFacts(imports=["torch"])
    path = cache._path(key)
    for payload in (b"[" * 100_000, b'{"key": "%s", "facts": {"candidates": 3}}' % key.encode(), b"{}", b"\xff"):
        path.write_bytes(seal(cache.secret, path.name, payload))  # sealed with the key, and still refused
        assert cache.get(key) is None


def test_the_walker_leaves_no_reference_cycle(ruleset):
    """Each file's syntax tree is freed as soon as it is walked: a cycle through the walker would keep every tree
    alive until the garbage collector finds it, and the collector would scan them all again and again."""
    import gc

    from mlfcore_lint.engine.analyze import analyze_bytes
    from mlfcore_lint.runner import index_for

    index = index_for(ruleset)
    analyze_bytes(RICH_MODULE.encode(), index)  # anything cached on first use is made now
    gc.collect()
    gc.disable()
    try:
        analyze_bytes(RICH_MODULE.encode(), index)
        assert gc.collect() == 0
    finally:
        gc.enable()
