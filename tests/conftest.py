"""Shared helpers: lint a snippet as a program of its own, with exactly the targets it names."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from mlfcore_lint.config import Settings, parse_target
from mlfcore_lint.ruleset import load_ruleset
from mlfcore_lint.runner import check_source

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session", autouse=True)
def user_cache(tmp_path_factory):
    """The user's cache folder (rule sets, facts) of every run in the tests, this interpreter's and the
    commands' it starts: a folder of the test session, never the real ``~/.cache``."""
    folder = tmp_path_factory.mktemp("xdg-cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(folder))
        yield folder / "mlfcore-lint"


@pytest.fixture(scope="session")
def ruleset():
    return load_ruleset()


def lint_snippet(code: str, ruleset, targets=(), notebook: bool = False, **config):
    """Findings for one snippet; targets as ``--target`` takes them; nothing is read from the machine."""
    settings = Settings(discover_targets=False)
    settings.targets = dict(parse_target(t, "test") for t in targets)
    for key, value in config.items():
        setattr(settings, key, value)
    return check_source(code, settings, ruleset, "example.ipynb" if notebook else "example.py", notebook=notebook)


def run_cli(*args, cwd=None, input=None, env=None):
    """Run the real ``mlfcore-lint`` command (this interpreter's installed console script)."""
    import subprocess

    full_env = dict(os.environ)
    full_env.pop("FORCE_COLOR", None)  # the text output is compared as plain text unless a test asks for colour
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "mlfcore_lint", *args], cwd=cwd, input=input, capture_output=True,
        text=True, env=full_env, timeout=600,
    )
