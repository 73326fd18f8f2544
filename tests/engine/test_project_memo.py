"""The findings of an unchanged re-run come from the memo; a changed file whose project facts are as before is
judged again alone, from the answers the project step recorded; anything else the findings depend on changing
builds the project step again."""

from __future__ import annotations

import pytest

from mlfcore_lint import runner
from mlfcore_lint.cache import project_cache_folder
from mlfcore_lint.engine import project as project_module
from mlfcore_lint.runner import check_paths

from .test_cache import SOURCE, make_project
from .test_cache_index import age, run_and_spoil


@pytest.fixture
def builds(monkeypatch):
    """How many times the project step was built."""
    count = [0]
    original = project_module.Project.__init__

    def counting(self, *args, **kwargs):
        count[0] += 1
        original(self, *args, **kwargs)

    monkeypatch.setattr(project_module.Project, "__init__", counting)
    return count


def memo_files(tmp_path):
    return list((project_cache_folder(tmp_path) / "results").glob("*.json"))


def test_an_unchanged_rerun_builds_no_project_step_and_loads_no_facts(tmp_path, ruleset, builds, monkeypatch):
    settings = make_project(tmp_path, files=3)
    (tmp_path / "train.py").write_text("import torch\nimport m0\nif __name__ == '__main__':\n    loss.backward()\n")
    age(tmp_path)
    first = check_paths([tmp_path], settings, ruleset, jobs=1)
    assert builds[0] == 1 and len(memo_files(tmp_path)) == 1

    def no_facts(*args, **kwargs):
        raise AssertionError("facts loaded for an unchanged project")

    monkeypatch.setattr(runner, "collect_facts", no_facts)
    again = check_paths([tmp_path], settings, ruleset, jobs=1)
    assert builds[0] == 1
    assert again.findings == first.findings and {"MLF101", "MLF160"} <= {f.code for f in again.findings}


@pytest.mark.parametrize("change", ["source", "settings", "environment", "checked files"])
def test_what_the_findings_depend_on_changing_recomputes_them(tmp_path, ruleset, builds, change):
    settings = make_project(tmp_path, files=3)
    settings.discover_targets = True
    (tmp_path / "requirements.txt").write_text("numpy==2.1\n")
    age(tmp_path)
    check_paths([tmp_path], settings, ruleset, jobs=1)
    paths = [tmp_path]
    if change == "source":
        (tmp_path / "m1.py").write_text("import torch\n")
    elif change == "settings":
        settings.ignore = ("MLF101",)
    elif change == "environment":
        (tmp_path / "requirements.txt").write_text("torch\n")
    else:
        paths = [tmp_path / "m0.py"]
    result = check_paths(paths, settings, ruleset, jobs=1)
    # a file the whole run checked is served from the memo when it is checked alone
    assert builds[0] == (1 if change == "checked files" else 2)
    assert result.findings == check_paths(paths, settings, ruleset, jobs=1, use_cache=False).findings
    codes = {"source": ["MLF101"] * 2, "settings": [], "checked files": ["MLF101"]}
    if change in codes:
        assert [f.code for f in result.findings if f.path.endswith(".py")] == codes[change]


@pytest.mark.parametrize("content", ["{", "[]", '{"format": 2, "base": "x", "findings": []}', "CORRUPT-ENTRY"])
def test_a_memo_of_the_wrong_shape_is_no_memo(tmp_path, ruleset, builds, content):
    def damage(data):
        next(iter(data["findings"].values()))[0]["line"] = "2"

    settings, first = run_and_spoil(tmp_path, ruleset, "results", 2, content, damage)
    again = check_paths([tmp_path], settings, ruleset, jobs=1)
    assert builds[0] == 2 and again.findings == first.findings


def test_no_cache_keeps_no_memo(tmp_path, ruleset, builds):
    settings = make_project(tmp_path, files=2)
    check_paths([tmp_path], settings, ruleset, jobs=1, use_cache=False)
    check_paths([tmp_path], settings, ruleset, jobs=1, use_cache=False)
    assert builds[0] == 2 and not (project_cache_folder(tmp_path)).exists()


def test_a_file_changed_back_is_served_again_after_one_recomputation(tmp_path, ruleset, builds):
    settings = make_project(tmp_path, files=2)
    age(tmp_path)
    check_paths([tmp_path], settings, ruleset, jobs=1)
    (tmp_path / "m0.py").write_text("x = 1\n")
    assert len(check_paths([tmp_path], settings, ruleset, jobs=1).findings) == 1
    (tmp_path / "m0.py").write_text(SOURCE)
    assert len(check_paths([tmp_path], settings, ruleset, jobs=1).findings) == 2
    assert builds[0] == 3


TRAIN = """import torch
import torch.nn as nn
import m0


def step(model, batch):
    loss = model(batch).sum()
    loss.backward()


if __name__ == "__main__":
    model = nn.Sequential(nn.Conv3d(1, 1, 3), nn.MaxPool3d(2)).cuda()
    step(model, torch.randn(1, 1, 8, 8, 8).cuda())
"""


# A setting (not an operation that raises under the switch): where it lies matters only to its own file.
BENCHMARK = "import torch\ntorch.backends.cudnn.benchmark = True\n"


def checked_with_a_setting(tmp_path, ruleset, files):
    """A project of ``files`` modules, a training entry point and ``m1.py`` holding ``BENCHMARK``, checked once;
    returns the settings and ``m1.py``."""
    settings = make_project(tmp_path, files=files)
    (tmp_path / "train.py").write_text(TRAIN)
    changed = tmp_path / "m1.py"
    changed.write_text(BENCHMARK)
    age(tmp_path)
    check_paths([tmp_path], settings, ruleset, jobs=1)
    return settings, changed


@pytest.fixture
def loaded(monkeypatch):
    """The facts-cache entries read, by key."""
    keys = []
    original = runner.FactsCache.get

    def counting(self, key, *rest):
        keys.append(key)
        return original(self, key, *rest)

    monkeypatch.setattr(runner.FactsCache, "get", counting)
    return keys


@pytest.mark.parametrize("edit", [
    "\n# a comment at the end\n",  # nothing moves
    "noqa",  # a suppression comment: only the file's own findings read it
    "moved",  # its match moves to another line
])
def test_a_changed_file_with_the_same_project_facts_is_judged_again_alone(tmp_path, ruleset, builds, loaded, edit):
    settings, changed = checked_with_a_setting(tmp_path, ruleset, files=4)
    text = {"noqa": BENCHMARK.replace("True", "True  # noqa: MLF140"), "moved": "\n\n" + BENCHMARK}
    changed.write_text(text.get(edit, BENCHMARK + edit))
    loaded.clear()
    for paths in ([tmp_path], [changed]):
        result = check_paths(paths, settings, ruleset, jobs=1)
        assert builds[0] == 1  # no project step: the other files' facts are not loaded either
        assert len(loaded) <= 2  # the changed file's facts, new and old
        assert result.findings == check_paths(paths, settings, ruleset, jobs=1, use_cache=False).findings
        builds[0] -= 1  # the run without a cache built one
    assert [(f.code, f.line) for f in result.findings] == {"noqa": [], "moved": [("MLF140", 4)]}.get(
        edit, [("MLF140", 2)])


def test_a_moved_operation_that_raises_under_the_switch_builds_the_project_step(tmp_path, ruleset, builds):
    """Where it lies is in the message of its program's MLF161 (what to replace before the switch goes on)."""
    settings = make_project(tmp_path, files=2)
    (tmp_path / "train.py").write_text(TRAIN)
    age(tmp_path)
    check_paths([tmp_path], settings, ruleset, jobs=1)
    (tmp_path / "m0.py").write_text("\n" + SOURCE)
    result = check_paths([tmp_path], settings, ruleset, jobs=1)
    assert builds[0] == 2
    assert any("m0.py:3 " in f.message for f in result.findings if f.code == "MLF161")


@pytest.mark.parametrize("edit", ["import", "call", "training", "new file", "removed file"])
def test_a_change_the_other_files_depend_on_builds_the_project_step(tmp_path, ruleset, builds, edit):
    settings = make_project(tmp_path, files=3)
    (tmp_path / "train.py").write_text(TRAIN)
    age(tmp_path)
    check_paths([tmp_path], settings, ruleset, jobs=1)
    if edit == "import":
        (tmp_path / "m0.py").write_text("import m1\n" + SOURCE)
    elif edit == "call":  # the program's switch: now on, so MaxPool3d is not reported where it runs
        (tmp_path / "m0.py").write_text(SOURCE + "torch = __import__('torch')\n"
                                         "import torch\ntorch.use_deterministic_algorithms(True)\n")
    elif edit == "training":
        (tmp_path / "train.py").write_text(TRAIN.replace("    loss.backward()\n", "    return loss\n"))
    elif edit == "new file":
        (tmp_path / "m9.py").write_text(SOURCE)
    else:
        (tmp_path / "m2.py").unlink()
    result = check_paths([tmp_path], settings, ruleset, jobs=1)
    assert builds[0] == 2
    assert result.findings == check_paths([tmp_path], settings, ruleset, jobs=1, use_cache=False).findings


def test_a_question_the_memo_never_recorded_builds_the_project_step(tmp_path, ruleset, builds):
    import json

    settings = make_project(tmp_path, files=2)
    (tmp_path / "train.py").write_text(TRAIN)
    age(tmp_path)
    first = check_paths([tmp_path], settings, ruleset, jobs=1)

    def forget(data):
        data["answers"] = {}

    [stored] = memo_files(tmp_path)
    from mlfcore_lint.cache import read_sealed, write_sealed
    from mlfcore_lint.runner import ProjectContext

    secret = ProjectContext(settings, ruleset).cache.secret
    data = read_sealed(secret, stored)
    forget(data)
    write_sealed(secret, stored, data)
    (tmp_path / "train.py").write_text(TRAIN + "# changed\n")
    again = check_paths([tmp_path], settings, ruleset, jobs=1)
    assert builds[0] == 2 and again.findings == first.findings
    assert json.loads(json.dumps([f.to_json() for f in again.findings]))


def changes_files(tmp_path):
    return list((project_cache_folder(tmp_path) / "changes").glob("*.json"))


def test_a_rerun_that_judged_one_changed_file_writes_only_the_changes(tmp_path, ruleset, builds, loaded):
    """The memo is not written again (its size grows with the project); the changes beside it are read back, so
    the next run knows the file as unchanged and loads no facts."""
    settings, changed = checked_with_a_setting(tmp_path, ruleset, files=4)
    [memo] = memo_files(tmp_path)
    written = memo.read_bytes()
    assert changes_files(tmp_path) == []
    changed.write_text("\n\n" + BENCHMARK)
    age(tmp_path)
    moved = check_paths([tmp_path], settings, ruleset, jobs=1)
    assert memo.read_bytes() == written and len(changes_files(tmp_path)) == 1
    loaded.clear()
    again = check_paths([tmp_path], settings, ruleset, jobs=1)
    assert builds[0] == 1 and loaded == []
    assert again.findings == moved.findings == check_paths([tmp_path], settings, ruleset, jobs=1,
                                                           use_cache=False).findings
    assert ("MLF140", 4) in [(f.code, f.line) for f in again.findings if f.path.endswith("m1.py")]


@pytest.mark.parametrize("spoil", ["another memo's", "not sealed", "wrong shape"])
def test_changes_that_do_not_belong_to_the_memo_are_ignored(tmp_path, ruleset, builds, spoil):
    """Ignored changes only make the files they name count as changed: judged again, with the same findings."""
    import json

    from mlfcore_lint.cache import read_sealed, write_sealed
    from mlfcore_lint.runner import ProjectContext

    settings, changed = checked_with_a_setting(tmp_path, ruleset, files=3)
    changed.write_text("\n" + BENCHMARK)
    age(tmp_path)
    first = check_paths([tmp_path], settings, ruleset, jobs=1)
    [changes] = changes_files(tmp_path)
    secret = ProjectContext(settings, ruleset).cache.secret
    data = read_sealed(secret, changes)
    if spoil == "another memo's":
        data["token"] = "0" * 32
        write_sealed(secret, changes, data)
    elif spoil == "not sealed":
        data["findings"] = {}
        changes.write_text(json.dumps(data))
    else:
        data["stale"] = "everything"
        write_sealed(secret, changes, data)
    again = check_paths([tmp_path], settings, ruleset, jobs=1)
    assert builds[0] == 1 and again.findings == first.findings


def test_changes_past_the_limit_write_the_whole_memo_again(tmp_path, ruleset, builds, monkeypatch):
    from mlfcore_lint import project_memo

    monkeypatch.setattr(project_memo, "MAX_CHANGED_FILES", 1)
    settings = make_project(tmp_path, files=3)
    age(tmp_path)
    check_paths([tmp_path], settings, ruleset, jobs=1)
    [memo] = memo_files(tmp_path)
    written = memo.read_bytes()
    (tmp_path / "m0.py").write_text(SOURCE + "# one\n")
    age(tmp_path)
    check_paths([tmp_path], settings, ruleset, jobs=1)
    assert memo.read_bytes() == written
    (tmp_path / "m1.py").write_text(SOURCE + "# two\n")
    age(tmp_path)
    result = check_paths([tmp_path], settings, ruleset, jobs=1)
    assert memo.read_bytes() != written  # two files changed: past the limit
    assert builds[0] == 1
    assert result.findings == check_paths([tmp_path], settings, ruleset, jobs=1, use_cache=False).findings
