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
    for number in range(files):  # each its own bytes: identical files share one analysis (one cache entry)
        (tmp_path / f"m{number}.py").write_text(SOURCE + f"# module {number}\n")
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


def test_a_file_a_sibling_process_analysed_meanwhile_is_read_from_the_cache(tmp_path, ruleset, monkeypatch):
    """Jobs of flake8 or pylint read the same project at once: a job finds in the cache what another analysed
    after this job listed it as missing, instead of analysing it again."""
    import mlfcore_lint.engine.analyze as analyze
    from mlfcore_lint.cache import FactsCache
    from mlfcore_lint.runner import _analyze, index_for

    index_for(ruleset)
    module = tmp_path / "m.py"
    module.write_text(SOURCE)
    cache = FactsCache(tmp_path / "cache", ruleset.fingerprint)
    key, data, analysed = _analyze((str(module), False, cache, False), as_json=True)  # the sibling's analysis
    assert analysed

    def analysed_again(*args, **kwargs):
        raise AssertionError("analysed again")

    monkeypatch.setattr(analyze, "analyze_bytes", analysed_again)
    assert _analyze((str(module), False, cache, False), as_json=True) == (key, data, False)


def test_sibling_jobs_take_the_files_in_orders_of_their_own(monkeypatch):
    """Each job walks the whole list, stretch by stretch, in an order drawn by its process id: siblings seldom
    meet on a stretch."""
    import mlfcore_lint.runner as runner

    orders = []
    for pid in (101, 102):
        monkeypatch.setattr(runner.os, "getpid", lambda pid=pid: pid)
        orders.append(runner.sibling_order(100))
    stretch = runner.SIBLING_STRETCH
    for order in orders:
        assert sorted(order) == list(range(100))
        for start in range(0, 100, stretch):
            expected = list(range(start, min(start + stretch, 100)))
            at = order.index(start)
            assert order[at:at + len(expected)] == expected
    assert orders[0] != orders[1]
    assert runner.sibling_order(0) == []


def test_jobs_of_a_pool_that_check_the_same_project_share_the_work(tmp_path, ruleset):
    """Two jobs of someone else's pool (as flake8's or pylint's) collect the same project's facts at the same
    moment: both get every file's facts, and together they analyse the project about once, not twice."""
    import multiprocessing

    settings = make_project(tmp_path, files=64)
    paths = sorted(tmp_path.glob("m*.py"))
    for number, path in enumerate(paths):  # contents of their own: equal files share one cache entry
        path.write_text(f"{SOURCE}size = {number}\n")
    context = multiprocessing.get_context("fork")
    start, results = context.Barrier(2), context.Queue()
    jobs = [context.Process(target=_collect_in_a_job, args=(paths, settings.root, ruleset, start, results))
            for _ in range(2)]
    for job in jobs:
        job.start()
    found = [results.get(timeout=120) for _ in jobs]
    for job in jobs:
        job.join(timeout=30)
    (facts, analysed), (other_facts, other_analysed) = found
    assert facts == other_facts and len(facts) == 64
    assert analysed > 0 and other_analysed > 0
    assert analysed + other_analysed < 2 * 64


def _collect_in_a_job(paths, root, ruleset, start, results) -> None:
    import mlfcore_lint.engine.analyze as analyze
    from mlfcore_lint.cache import FactsCache
    from mlfcore_lint.runner import collect_facts

    analysed, real = [0], analyze.analyze_bytes

    def counting(*args, **kwargs):
        analysed[0] += 1
        return real(*args, **kwargs)

    analyze.analyze_bytes = counting
    cache = FactsCache.for_project(root, ruleset.fingerprint)
    start.wait(timeout=60)
    facts, _ = collect_facts(paths, ruleset, cache, 2, imports_only=lambda path: False)  # no test folder
    results.put(([f.to_json() for f in facts], analysed[0]))


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
    assert FileFacts.from_stored(json.loads(json.dumps(FileFacts().to_json()))) == FileFacts().freeze()
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
    # read through one ``shared`` mapping (as ``collect_facts`` reads a project), equal lists of calls are one tuple
    shared: dict = {}
    first, second = (FileFacts.from_json(json.loads(json.dumps(data)), shared) for _ in range(2))
    assert first == second == facts
    calls = [(a.calls, b.calls) for a, b in zip(first.scopes.values(), second.scopes.values(), strict=True) if a.calls]
    assert calls and all(a is b for a, b in calls)


def test_cache_entries_of_the_wrong_shape_or_too_deep_are_misses(tmp_path, ruleset):
    from mlfcore_lint.cache import FactsCache, seal

    cache = FactsCache(tmp_path / "cache", "fingerprint")
    key = cache.key(b"import torch\n", False)
    cache.put(key, FileFacts(imports=["torch"]))
    assert cache.get(key) == FileFacts(imports=["torch"]).freeze()
    path = cache._path(key)
    for payload in (b"[" * 100_000, b'{"key": "%s", "facts": {"candidates": 3}}' % key.encode(), b"{}", b"\xff"):
        path.write_bytes(seal(cache.secret, path.name, payload))  # sealed with the key, and still refused
        assert cache.get(key) is None


def test_an_entry_folder_removed_while_the_cache_is_in_use_is_made_again(tmp_path):
    import shutil

    from mlfcore_lint.cache import FactsCache

    cache = FactsCache(tmp_path / "cache", "fingerprint")  # each folder is made once per process
    key = cache.key(b"import torch\n", False)
    cache.put(key, FileFacts(imports=["torch"]))
    shutil.rmtree(cache._path(key).parent)  # ``cache clean`` from another process
    cache.put(key, FileFacts(imports=["torch"]))  # lost (a miss costs time only), and the folder forgotten
    cache.put(key, FileFacts(imports=["torch"]))
    assert cache.get(key) == FileFacts(imports=["torch"]).freeze()


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


def test_analysis_collects_garbage_rarely_and_gives_the_host_its_thresholds_back(tmp_path, ruleset, monkeypatch):
    """The engine raises the youngest generation's threshold while it builds facts and the project step (see
    gc_pacing.py), and a host process (flake8, pylint) gets its own thresholds back afterwards, even after an
    error; a host that turned collection off keeps it off."""
    import gc

    import mlfcore_lint.engine.analyze as analyze
    from mlfcore_lint.gc_pacing import YOUNG_THRESHOLD, rarer_collections

    seen = []
    real = analyze.analyze_source

    def recording(*args, **kwargs):
        seen.append(gc.get_threshold()[0])
        return real(*args, **kwargs)

    monkeypatch.setattr(analyze, "analyze_source", recording)
    saved = gc.get_threshold()
    try:
        gc.set_threshold(700, 10, 10)
        check_paths([tmp_path], make_project(tmp_path, files=2), ruleset, jobs=1)
        assert seen and set(seen) == {YOUNG_THRESHOLD}
        assert gc.get_threshold() == (700, 10, 10)
        with pytest.raises(KeyError), rarer_collections():
            raise KeyError("stop")
        assert gc.get_threshold() == (700, 10, 10)
        gc.set_threshold(0, 10, 10)
        with rarer_collections():
            assert gc.get_threshold()[0] == 0
    finally:
        gc.set_threshold(*saved)


def test_files_with_the_same_bytes_are_analysed_once(tmp_path, ruleset):
    settings = make_project(tmp_path, files=3)
    for number in range(3):
        (tmp_path / f"m{number}.py").write_text(SOURCE)
    result = check_paths([tmp_path], settings, ruleset, jobs=1)
    assert result.parsed == 1 and len(result.findings) == 3


def test_a_large_entry_is_written_in_pieces_that_make_the_same_text(tmp_path):
    """``write_sealed`` encodes the top mapping and any large mapping in it item by item (the result memo of a
    large project): the text is exactly ``json.dumps``'s, the entry opens with the key, and no piece holds the
    whole text."""
    from mlfcore_lint import cache as cache_module
    from mlfcore_lint.cache import read_sealed, write_sealed

    files = {f"pkg/module_{number}.py": "f" * 64 for number in range(1000)}
    data = {"format": 3, "files": files, "small": {"a": [1, 2.5, None, True], "b": {}}, "empty": {},
            "numbers": {1: "int keys are written as json.dumps writes them"}, "text": "snowman \u2603"}
    pieces = list(cache_module._json_pieces(data))
    whole = json.dumps(data, separators=(",", ":"))
    assert "".join(pieces) == whole
    assert max(map(len, pieces)) < len(whole) // 20
    assert "".join(cache_module._json_pieces({})) == "{}"
    secret = b"k" * 32
    path = tmp_path / "memo.json"
    write_sealed(secret, path, data)
    assert read_sealed(secret, path) == json.loads(whole)
    content = path.read_bytes()
    assert content.endswith(whole.encode()) and content.index(b"\n") == 64
    assert read_sealed(b"x" * 32, path) is None  # another key does not open it


def test_every_built_in_rule_file_is_parsed_once_for_the_user(tmp_path, monkeypatch):
    """The parsed YAML of each rule file is kept, aliases written out (torch.yaml shares version ranges); a
    file whose aliases expand past what a rule file holds is parsed each time, and the walk that says so
    stops however the aliases nest."""
    import yaml

    from mlfcore_lint.ruleset.loader import _expands_within, builtin_rules_dir, load_ruleset

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    first = load_ruleset()
    kept = list((tmp_path / "xdg" / "mlfcore-lint" / "rules").glob("*.json"))
    assert len(kept) == len(list(builtin_rules_dir().glob("*.yaml")))

    def refuse(*args, **kwargs):
        raise AssertionError("a rule file was parsed again")

    monkeypatch.setattr(yaml, "load", refuse)
    second = load_ruleset()
    assert second.fingerprint == first.fingerprint and second.rules == first.rules

    shared = [1, 2]
    assert _expands_within({"a": shared, "b": shared})
    bomb: list = ["x"] * 9
    for _ in range(9):
        bomb = [bomb] * 9
    assert not _expands_within(bomb)
    looped: list = []
    looped.append(looped)
    assert not _expands_within(looped)
