"""Test code in a test folder is read for its imports only: its matches are never reported and it starts no
program, so it is neither parsed nor walked, on every path that reads a project (serial, the helpers, the
cache, the memo, a front end's buffer)."""

from __future__ import annotations

import pytest

from mlfcore_lint import runner
from mlfcore_lint.cache import FactsCache
from mlfcore_lint.engine.program import in_test_folder, is_test_code
from mlfcore_lint.runner import ProjectContext, check_paths, collect_facts

from .test_cache import make_project

TEST_MODULE = """\
import torch
from pkg import model

def test_forward():
    torch.backends.cudnn.benchmark = True
    model.Net()(torch.ones(2)).sum().backward()
"""


@pytest.mark.parametrize(("relative", "expected"), [
    ("tests/test_model.py", True),
    ("tests/helpers/data.py", True),
    ("src/pkg/testing/utils.py", True),
    ("test/run.py", True),
    ("conftest.py", True),
    ("pkg/conftest.py", True),
    ("test_model.py", False),  # by its name only: test code where it holds tests (it needs its scopes)
    ("train_evaluate_test.py", False),
    ("latest/tests.py", False),
    ("contest/run.py", False),
])
def test_a_test_folder_is_test_code_by_its_place(relative, expected):
    assert in_test_folder(relative) is expected
    if expected:
        assert is_test_code(relative, ["train"])  # whatever its scopes


def project_with_tests(tmp_path):
    settings = make_project(tmp_path, files=1)
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("")
    (tmp_path / "pkg" / "model.py").write_text("import torch\n\nclass Net(torch.nn.Module):\n    pass\n")
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_model.py").write_text(TEST_MODULE)
    (tmp_path / "tests" / "broken.py").write_text("import torch\ntorch.backends.cudnn.benchmark = True\ndef (:\n")
    (tmp_path / "test_named.py").write_text(TEST_MODULE)  # test code by its name: read in full
    return settings


@pytest.mark.parametrize("use_cache", [True, False])
@pytest.mark.parametrize("pool", [True, False])
def test_only_the_imports_of_test_folder_files_are_read(tmp_path, ruleset, monkeypatch, use_cache, pool):
    settings = project_with_tests(tmp_path)
    if pool:  # the helper processes, which a project this small would not start
        monkeypatch.setattr(runner, "POOL_MIN_FILES", 1)
        monkeypatch.setattr(runner, "POOL_MIN_BYTES", 1)
    context = ProjectContext(settings, ruleset, use_cache=use_cache)
    paths = sorted(tmp_path.rglob("*.py"))
    facts, _ = collect_facts(paths, ruleset, context.cache, 2 if pool else 1, context.index,
                             imports_only=context.reads_imports_only)
    by_name = {path.relative_to(tmp_path).as_posix(): found for path, found in zip(paths, facts, strict=True)}
    test_module = by_name["tests/test_model.py"]
    assert test_module.skipped and not test_module.scopes and not test_module.candidates
    assert {"torch", "pkg", "pkg.model"} <= set(test_module.imports)
    assert by_name["tests/broken.py"].error is None  # not parsed: no syntax error to report
    named = by_name["test_named.py"]
    assert not named.skipped and named.candidates and "test_forward" in named.scopes


def test_the_findings_are_those_of_reading_every_file_in_full(tmp_path, ruleset, monkeypatch):
    """Nothing in a test folder is reported, and nothing in it changes what is reported elsewhere."""
    settings = project_with_tests(tmp_path)
    (tmp_path / "train.py").write_text(
        "import torch\nfrom pkg.model import Net\n\nif __name__ == '__main__':\n"
        "    torch.backends.cudnn.benchmark = True\n    Net()(torch.ones(2)).sum().backward()\n")
    lean = check_paths([tmp_path], settings, ruleset, jobs=1, use_cache=False).findings
    monkeypatch.setattr(ProjectContext, "reads_imports_only", lambda self, path: False)
    full = check_paths([tmp_path], settings, ruleset, jobs=1, use_cache=False).findings
    broken = [f for f in full if f.path.endswith("broken.py")]
    assert [f.code for f in broken] == ["MLF902"]  # read in full, its syntax error was reported
    assert lean == [f for f in full if f not in broken]
    assert "MLF160" in {f.code for f in lean if f.path.endswith("train.py")}  # the program that trains


def test_the_cache_keeps_the_imports_apart_from_the_whole_facts(tmp_path, ruleset):
    settings = project_with_tests(tmp_path)
    cache = FactsCache.for_project(tmp_path, ruleset.fingerprint)
    raw = (tmp_path / "tests" / "test_model.py").read_bytes()
    assert cache.key(raw, False) != cache.key(raw, False, imports_only=True)
    first = check_paths([tmp_path], settings, ruleset, jobs=1)
    (tmp_path / "tests" / "test_model.py").write_text(TEST_MODULE + "# changed\n")
    again = check_paths([tmp_path], settings, ruleset, jobs=1)  # the memo reads the changed file's imports
    assert again.parsed == 1 and again.findings == first.findings
    assert again.findings == check_paths([tmp_path], settings, ruleset, jobs=1, use_cache=False).findings


def test_a_buffer_of_test_code_is_read_as_the_command_reads_it(tmp_path, ruleset):
    """An editor, flake8 or pylint checking a file of a test folder sees what ``check`` sees: its imports only."""
    settings = project_with_tests(tmp_path)
    broken = (tmp_path / "tests" / "broken.py").read_bytes()
    (tmp_path / "pkg" / "broken.py").write_bytes(broken)
    context = ProjectContext(settings, ruleset)
    assert context.check_buffer(tmp_path / "tests" / "broken.py", broken) == []
    assert [f.code for f in context.check_buffer(tmp_path / "pkg" / "broken.py", broken)] == ["MLF902"]
    assert [f.code for f in check_paths([tmp_path / "tests" / "broken.py"], settings, ruleset, jobs=1).findings] == []
