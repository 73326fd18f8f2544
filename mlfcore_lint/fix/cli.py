"""The ``mlfcore-fix`` command: fix what ``mlfcore-lint check`` reports, in place or as a diff."""

from __future__ import annotations

import argparse
import sys
from collections import Counter

from .. import __version__
from ..cli.guard import run_guarded
from ..cli.main import (
    EXIT_CLEAN,
    EXIT_FINDINGS,
    _Parser,
    add_selection_options,
    paths_settings_and_rules,
)
from ..cli.terminal import printable
from ..config import ConfigError
from ..ruleset.schema import RuleError
from ..runner import UsageError
from .apply import UNSAFE
from .codemods import CODEMODS


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="mlfcore-fix", description="Fix what makes machine-learning training non-deterministic.")
    parser.add_argument("--version", action="version", version=f"mlfcore-fix {__version__}")
    add_selection_options(parser)
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--diff", action="store_true", help="print the fixes as a unified diff; write nothing")
    mode.add_argument("--check", action="store_true", help="write nothing; exit 1 when fixes are pending")
    parser.add_argument("--unsafe-fixes", action="store_true",
                        help="also apply fixes that change what the model computes")
    parser.add_argument("--no-cache", action="store_true", help="analyse every file again")
    return parser


def run(args) -> int:
    from .runner import check_on_disk, fix_paths, write_fixes

    paths, settings, ruleset = paths_settings_and_rules(args)
    use_cache = not args.no_cache
    fix_run = fix_paths(paths, settings, ruleset, args.unsafe_fixes, args.jobs, use_cache)
    writing = not (args.diff or args.check)
    remaining = fix_run.remaining
    if writing and not write_fixes(fix_run):
        remaining = check_on_disk(paths, settings, ruleset, args.jobs, use_cache)
    report = sys.stderr if args.diff else sys.stdout
    for file_fix in fix_run.files:
        for problem in file_fix.problems:
            sys.stderr.write(printable(f"{file_fix.display}: {problem}") + "\n")
        if args.diff:
            sys.stdout.write(file_fix.diff())
        elif file_fix.fixed:
            verb = "fixed" if writing else "would fix"
            counts = ", ".join(f"{code} x{n}" for code, n in sorted(Counter(s.code for s in file_fix.fixed).items()))
            report.write(f"{printable(file_fix.display)}: {verb} {counts}\n")
    for finding in remaining:
        report.write(printable(f"{finding.location}: {finding.code} {finding.message}") + "\n")
    report.write(_summary(fix_run, remaining, writing) + "\n")
    if writing:
        return EXIT_FINDINGS if remaining else EXIT_CLEAN
    return EXIT_FINDINGS if fix_run.findings else EXIT_CLEAN


def _summary(fix_run, remaining, writing: bool) -> str:
    """One line: how many findings were (or would be) fixed, and how many are left for a person."""
    changed = len([f for f in fix_run.files if f.fixed])
    where = "file" if changed == 1 else "files"
    fixed = fix_run.fixed
    if writing:
        text = f"Fixed {fixed} findings in {changed} {where}; {len(remaining)} remaining"
    else:
        text = (f"Found {len(fix_run.findings)} findings; {fixed} would be fixed in {changed} {where}, "
                f"{len(remaining)} would remain")
    unsafe = sum(1 for f in remaining if f.fix is not None and f.fix.applicability == UNSAFE and f.code in CODEMODS)
    if unsafe and not fix_run.unsafe:
        text += f" ({unsafe} with an unsafe fix: rerun with --unsafe-fixes)"
    return text + "."


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = build_parser().parse_args(argv)
    return run_guarded("mlfcore-fix", lambda: run(args), (ConfigError, RuleError, UsageError))


if __name__ == "__main__":
    sys.exit(main())
