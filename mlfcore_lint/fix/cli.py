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


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="mlfcore-fix", description="Fix what makes machine-learning training non-deterministic.")
    parser.add_argument("--version", action="version", version=f"mlfcore-fix {__version__}")
    add_selection_options(parser)
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--diff", action="store_true",
                      help="print the fixes as a unified diff and nothing else; write nothing; exit 1 when a fix "
                           "is pending")
    mode.add_argument("--check", action="store_true", help="write nothing; exit 1 when a fix is pending")
    parser.add_argument("--unsafe-fixes", action="store_true",
                        help="also apply fixes that change what the model computes")
    parser.add_argument("--no-cache", action="store_true", help="analyse every file again")
    return parser


def run(args) -> int:
    from .layout import DEFAULT_LINE_LENGTH, line_length_setting
    from .runner import check_on_disk, fix_paths, write_fixes

    paths, settings, ruleset = paths_settings_and_rules(args)
    _, passed_over = line_length_setting(settings.root.resolve())
    if passed_over:  # lines would otherwise keep to a length the project does not use, without a word
        sys.stderr.write(printable(f"mlfcore-fix: warning: {passed_over}; lines are kept to {DEFAULT_LINE_LENGTH} "
                                   "columns") + "\n")
    use_cache = not args.no_cache
    fix_run = fix_paths(paths, settings, ruleset, args.unsafe_fixes, args.jobs, use_cache)
    writing = not (args.diff or args.check)
    remaining = fix_run.remaining
    if writing and not write_fixes(fix_run):
        remaining = check_on_disk(paths, settings, ruleset, args.jobs, use_cache)
    for message in fix_run.messages():
        sys.stderr.write(printable(message) + "\n")
    # Without writing, what remains is listed only in the files no fix would change: elsewhere its lines would
    # be those of a text that is not on disk.
    changed = {file_fix.display for file_fix in fix_run.changed_files}
    shown = remaining if writing else [finding for finding in remaining if finding.path not in changed]
    if args.diff:  # the diff alone on standard output; the rest on standard error
        for file_fix in fix_run.changed_files:
            sys.stdout.write(file_fix.diff())
        for finding in shown:
            sys.stderr.write(printable(f"{finding.location}: {finding.code} {finding.message}") + "\n")
        sys.stderr.write(_summary(fix_run, remaining, writing) + "\n")
        return EXIT_FINDINGS if fix_run.changed_files else EXIT_CLEAN
    for file_fix in fix_run.files:
        if file_fix.fixed:
            verb = "fixed" if writing else "would fix"
            counts = ", ".join(f"{code} x{n}" for code, n in sorted(Counter(s.code for s in file_fix.fixed).items()))
            sys.stdout.write(f"{printable(file_fix.display)}: {verb} {counts}\n")
    for finding in shown:
        sys.stdout.write(printable(f"{finding.location}: {finding.code} {finding.message}") + "\n")
    sys.stdout.write(_summary(fix_run, remaining, writing) + "\n")
    if writing:
        return EXIT_FINDINGS if remaining else EXIT_CLEAN
    return EXIT_FINDINGS if fix_run.changed_files else EXIT_CLEAN


def _summary(fix_run, remaining, writing: bool) -> str:
    """One line: how many findings were (or would be) fixed, in how many files, and why the others are left."""
    changed = len(fix_run.changed_files) if not writing else len([f for f in fix_run.files if f.fixed])
    where = "file" if changed == 1 else "files"
    verb = "Fixed" if writing else "Would fix"
    text = f"{verb} {fix_run.fixed} findings in {changed} {where}; {len(remaining)} left"
    reasons = fix_run.why_left(remaining)
    if reasons:
        text += ": " + ", ".join(f"{count} {reason}" for reason, count in reasons.items())
    return text + "."


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = build_parser().parse_args(argv)
    return run_guarded("mlfcore-fix", lambda: run(args), (ConfigError, RuleError, UsageError))


if __name__ == "__main__":
    sys.exit(main())
