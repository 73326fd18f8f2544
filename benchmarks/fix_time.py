"""What fixing costs next to checking: ``mlfcore-fix --check --no-cache`` (lint, fix in memory, lint the fixed
text again, write nothing) against ``mlfcore-lint check --no-cache`` on the same project. Target: <= 3."""

from __future__ import annotations

import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

TARGET_FIX_RATIO = 3.0


@dataclass
class FixRow:
    project: str
    files: int
    check_seconds: float
    fix_seconds: float

    @property
    def ratio(self) -> float:
        return self.fix_seconds / self.check_seconds


def bench_fix(source: Path, jobs: int, repeat: int, best_of, env: dict, files: int) -> FixRow:
    """Both commands on a copy of ``source`` (``best_of(repeat, command, cwd=..., env=...)`` measures)."""
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / source.name
        shutil.copytree(source, copy, ignore=shutil.ignore_patterns(".mlfcore_lint_cache", ".git"))
        common = ["--no-cache", "--jobs", str(jobs), str(copy)]
        check = best_of(repeat, [sys.executable, "-m", "mlfcore_lint", "check", "--format", "json", *common],
                        cwd=copy, env=env)
        fix = best_of(repeat, [sys.executable, "-m", "mlfcore_lint.fix.cli", "--check", *common], cwd=copy, env=env)
    return FixRow(source.name, files, check.seconds, fix.seconds)


def render_fix(rows: list[FixRow], format_table, verdict) -> list[str]:
    table = [[r.project, str(r.files), f"{r.check_seconds:.2f}", f"{r.fix_seconds:.2f}", f"{r.ratio:.2f}",
              verdict(r.ratio, TARGET_FIX_RATIO)] for r in rows]
    return ["## mlfcore-fix --check against check (both --no-cache)", "",
            format_table(["project", "files", "check s", "fix s", "ratio", f"<= {TARGET_FIX_RATIO:g}"], table), ""]
