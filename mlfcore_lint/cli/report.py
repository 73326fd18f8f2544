"""What every output format starts from: the findings of one run and what is needed to show them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..model import Finding
from ..ruleset.schema import RuleSet
from .locations import SourceLines
from .terminal import Palette


@dataclass
class Report:
    findings: list[Finding]
    files: int  # files checked
    ruleset: RuleSet
    root: Path  # the project root: SARIF URIs are relative to it (or to the repository above it)
    lines: SourceLines = field(default_factory=SourceLines)
    is_fixable: Callable[[Finding], bool] = lambda finding: False
    palette: Palette = field(default_factory=Palette)
    show_source: bool = False
    show_fixes: bool = False
    unsafe_fixes: bool = False  # fixability counts unsafe fixes too
    fixed: int = 0  # findings fixed in this run (``check --fix``)
    successful: bool = True  # no file failed to be read or parsed (SARIF's ``executionSuccessful``)
