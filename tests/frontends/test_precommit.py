"""The pre-commit hooks of this repository, through the real ``pre-commit try-repo``."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from ..conftest import REPO
from .projects import MODEL, SEEDED_TRAIN, training_project

GIT_IDENTITY = {"GIT_AUTHOR_NAME": "test", "GIT_AUTHOR_EMAIL": "test@example.invalid",
                "GIT_COMMITTER_NAME": "test", "GIT_COMMITTER_EMAIL": "test@example.invalid"}


def git(*args: str, cwd: Path) -> str:
    result = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True,
                            env={**os.environ, **GIT_IDENTITY})
    return result.stdout


def snapshot_of_this_repository(destination: Path) -> Path:
    """A one-commit git repository of this working tree as it is now (tracked and new files, not ignored ones).

    ``try-repo`` on the checkout itself would leave out files not yet added to git.
    """
    names = git("ls-files", "--cached", "--others", "--exclude-standard", "-z", cwd=REPO).split("\0")
    for name in filter(None, names):
        source = REPO / name
        if source.is_file():
            (destination / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination / name)
    git("init", "-q", cwd=destination)
    git("add", "-A", cwd=destination)
    git("commit", "-q", "-m", "snapshot", cwd=destination)
    return destination


def test_hooks_manifest():
    hooks = {hook["id"]: hook for hook in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text("utf-8"))}
    assert hooks["mlfcore-lint"]["entry"] == "mlfcore-lint check --force-exclude"
    assert hooks["mlfcore-fix"]["entry"] == "mlfcore-fix --force-exclude"
    for hook in hooks.values():
        assert hook["language"] == "python" and hook["types_or"] == ["python", "jupyter"]


@pytest.mark.slow
def test_lint_hook_fails_on_a_staged_nondeterministic_file_then_passes(tmp_path):
    hooks_repo = snapshot_of_this_repository(tmp_path / "mlfcore-lint")
    project = training_project(tmp_path / "project", 'target = ["torch==2.13"]\n')
    git("init", "-q", cwd=project)
    git("add", "-A", cwd=project)
    environment = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"), **GIT_IDENTITY}
    environment.pop("VIRTUAL_ENV", None)

    def try_repo() -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "pre_commit", "try-repo", str(hooks_repo), "mlfcore-lint", "--color=never"],
            cwd=project, capture_output=True, text=True, env=environment, timeout=900, check=False,
        )

    failed = try_repo()
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "mlfcore-lint" in failed.stdout and "Failed" in failed.stdout
    assert "model.py:7:23: MLF140" in failed.stdout
    assert "train.py:5:1: MLF160" in failed.stdout

    (project / "train.py").write_text(SEEDED_TRAIN, encoding="utf-8")
    (project / "model.py").write_text(MODEL.replace("benchmark = True", "benchmark = False"), encoding="utf-8")
    git("add", "-A", cwd=project)
    passed = try_repo()
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "Passed" in passed.stdout
