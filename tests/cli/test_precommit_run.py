"""A real ``pre-commit run`` in a project whose configuration names this repository by ``repo:`` and ``rev:``,
as the documentation shows: staged files through the hook, a vendored file kept out by ``--force-exclude``,
and an editor-style hook that pipes each file through standard input with ``--stdin-filename``."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from ..frontends.projects import MODEL, TRAIN, write_project
from ..frontends.test_precommit import GIT_IDENTITY, git, snapshot_of_this_repository

STDIN_HOOK = (
    'for f in "$@"; do "{python}" -m mlfcore_lint check --no-cache --force-exclude - --stdin-filename "$f" '
    '< "$f" || status=1; done; exit ${{status:-0}}'
)


@pytest.mark.slow
def test_pre_commit_run_with_repo_and_rev_keeps_vendored_files_out(tmp_path):
    hooks_repo = snapshot_of_this_repository(tmp_path / "mlfcore-lint")
    git("tag", "v0.0.0-test", cwd=hooks_repo)
    project = write_project(tmp_path / "project", {
        "train.py": TRAIN, "model.py": MODEL, "vendor/thirdparty/ops.py": MODEL,
    }, 'target = ["torch==2.13"]\nextend-exclude = ["vendor"]\n')
    (project / ".pre-commit-config.yaml").write_text(
        "repos:\n"
        f"  - repo: {hooks_repo.as_uri()}\n"
        "    rev: v0.0.0-test\n"
        "    hooks:\n"
        "      - id: mlfcore-lint\n"
        "  - repo: local\n"
        "    hooks:\n"
        "      - id: mlfcore-lint-stdin\n"
        "        name: mlfcore-lint (standard input)\n"
        "        language: system\n"
        "        types_or: [python, jupyter]\n"
        f"        entry: bash -c '{STDIN_HOOK.format(python=sys.executable)}' --\n",
        encoding="utf-8",
    )
    git("init", "-q", cwd=project)
    git("add", "-A", cwd=project)
    environment = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"), **GIT_IDENTITY,
                   "NO_COLOR": "1"}
    environment.pop("VIRTUAL_ENV", None)
    result = subprocess.run([sys.executable, "-m", "pre_commit", "run", "--all-files", "--color=never"],
                            cwd=project, capture_output=True, text=True, env=environment, timeout=900, check=False)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    # both hooks report the staged model and training script, in the same lines ...
    for hook_output in output.split("mlfcore-lint (standard input)"):
        assert "model.py:7:23: MLF140 error: " in hook_output, output
        assert "train.py:5:1: MLF160 error: " in hook_output, output
    # ... and neither reports the vendored copy pre-commit handed them
    assert "vendor/" not in output, output
    assert output.count("Failed") == 2, output

    # a vendored file alone: pre-commit passes it, the hooks leave it out, and both pass
    (project / "model.py").write_text(MODEL.replace("benchmark = True", "benchmark = False"), encoding="utf-8")
    git("add", "-A", cwd=project)
    only_vendor = subprocess.run(
        [sys.executable, "-m", "pre_commit", "run", "--files", "vendor/thirdparty/ops.py", "--color=never"],
        cwd=project, capture_output=True, text=True, env=environment, timeout=900, check=False)
    assert only_vendor.returncode == 0, only_vendor.stdout + only_vendor.stderr
    assert only_vendor.stdout.count("Passed") == 2, only_vendor.stdout
