"""The linter's own configuration, unusable: every front end stops with one line naming the file (exit 2),
never a hang, a traceback, or a run on the defaults as if the file were not there."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from .harness import GOOD, assert_one_line_error, run_all

TABLE = '[tool.mlfcore-lint]\nselect = ["MLF"]\n'
RULES = '[tool.mlfcore-lint]\nextend-rules = ["rules.yaml"]\n'


def _pyproject(build):
    def make(project: Path) -> str:
        path = project / "pyproject.toml"
        path.unlink()
        build(path)
        return "pyproject.toml"

    return make


def _rules(build):
    def make(project: Path) -> str:
        (project / "pyproject.toml").write_text(RULES)
        build(project / "rules.yaml")
        return "rules.yaml"

    return make


CASES = {
    "pyproject-not-utf8": _pyproject(lambda p: p.write_bytes((TABLE + "# café\n").encode("latin-1"))),
    "pyproject-not-toml": _pyproject(lambda p: p.write_text(TABLE + "select = [\n")),
    "pyproject-deeply-nested": _pyproject(lambda p: p.write_text(TABLE + "x = " + "[" * 5000 + "]" * 5000 + "\n")),
    "pyproject-fifo": _pyproject(os.mkfifo),
    "pyproject-link-to-dev-zero": _pyproject(lambda p: p.symlink_to("/dev/zero")),
    "pyproject-huge": _pyproject(lambda p: p.write_text(TABLE + "#" * (5 * 1024 * 1024) + "\n")),
    "pyproject-folder": _pyproject(lambda p: p.mkdir()),
    "rules-link-to-dev-zero": _rules(lambda p: p.symlink_to("/dev/zero")),
    "rules-fifo": _rules(os.mkfifo),
    "rules-not-utf8": _rules(lambda p: p.write_bytes(b"rules:\n  - code: MLF950\n    summary: caf\xe9\n")),
    "rules-deeply-nested": _rules(lambda p: p.write_text("rules: " + "[" * 100_000 + "\n")),
    "rules-object-tag": _rules(lambda p: p.write_text("rules: !!python/object/apply:os.system ['true']\n")),
    "rules-alias-bomb": _rules(lambda p: p.write_text(
        "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
            f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(9)) + "rules: *j\n")),
}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(CASES))
def test_unusable_configuration(tmp_path, name):
    project = tmp_path / "project"
    project.mkdir()
    (project / "pyproject.toml").write_text(TABLE)
    (project / "good.py").write_text(GOOD)
    culprit = CASES[name](project)
    for outcome in run_all(project).values():
        assert_one_line_error(outcome, culprit)
