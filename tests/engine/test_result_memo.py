"""The findings of an unchanged re-run come from the memo; anything they depend on changing recomputes them."""

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
    assert builds[0] == 2
    assert result.findings == check_paths(paths, settings, ruleset, jobs=1, use_cache=False).findings
    codes = {"source": ["MLF101"] * 2, "settings": [], "checked files": ["MLF101"]}
    if change in codes:
        assert [f.code for f in result.findings if f.path.endswith(".py")] == codes[change]


@pytest.mark.parametrize("content", ["{", "[]", '{"format": 1, "key": "x", "findings": []}', "CORRUPT-ENTRY"])
def test_a_memo_of_the_wrong_shape_is_no_memo(tmp_path, ruleset, builds, content):
    def damage(data):
        data["findings"][0]["line"] = "2"

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
