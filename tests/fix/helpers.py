"""Fixing snippets in memory, as ``mlfcore-fix`` fixes one file that is a program of its own."""

from __future__ import annotations

from pathlib import Path

from mlfcore_lint.config import Settings, parse_target
from mlfcore_lint.fix import FixContext, FixOutcome, fix_source


def snippet_settings(targets=(), select=None) -> Settings:
    """Settings for a snippet, whatever the folder the tests run in: a root with no configuration file, so
    the line length is the default one."""
    settings = Settings(discover_targets=False, root=Path(__file__).parent / "cases")
    settings.targets = dict(parse_target(t, "test") for t in targets)
    if select:
        settings.select = tuple(select)
    return settings


def fix_snippet(code: str, ruleset, targets=(), unsafe: bool = False, select=None) -> FixOutcome:
    settings = snippet_settings(targets, select)
    context = FixContext(ruleset, dict(settings.targets), unsafe, settings)
    return fix_source(code, settings, context)
