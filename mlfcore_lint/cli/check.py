"""``mlfcore-lint check``: what to check (paths or standard input), then report, fix, baseline or watch."""

from __future__ import annotations

import sys
from pathlib import Path

from ..config import ConfigError
from ..engine.source import TOO_COMPLEX, UNREADABLE
from ..ruleset.loader import load_ruleset
from ..targets import resolve_targets
from .files import replace_file
from .formats import format_report
from .guard import EXIT_CLEAN, EXIT_FINDINGS
from .locations import SourceLines
from .options import settings_from_args, validate_selection
from .report import Report
from .terminal import Palette, colour_wanted, printable

STDIN = Path("-")


def reads_stdin(args) -> bool:
    return STDIN in args.paths or (not args.paths and args.stdin_filename is not None)


def checked_paths(args, settings) -> list[Path]:
    """The paths to check: with ``--force-exclude``, those the excludes match are left out even when named."""
    paths = [p for p in args.paths if p != STDIN] or ([] if reads_stdin(args) else [Path(".")])
    if args.force_exclude:
        paths = [p for p in paths if not settings.is_excluded(p)]
    return paths


def fix_context(args, settings, ruleset):
    """What decides whether a finding is fixable; only built where it is needed (the fixer loads libcst)."""
    if not (args.show_fixes or args.statistics or args.fix or args.diff):
        return None
    from ..fix import FixContext

    return FixContext(ruleset, resolve_targets(settings, ruleset.framework_modules), args.unsafe_fixes, settings)


def write_output(text: str, args) -> None:
    if args.output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    try:
        replace_file(args.output, text.encode("utf-8"))
    except OSError as error:
        raise ConfigError(f"{args.output}: cannot write report: {error.strerror or error}") from None


def make_report(args, findings, files, settings, ruleset, context, lines=None, fixed: int = 0) -> Report:
    coloured = args.format == "text" and colour_wanted(args.color, None if args.output else sys.stdout)
    is_fixable = context.is_fixable if context is not None else (lambda finding: False)
    return Report(findings, files, ruleset, settings.root, lines or SourceLines(), is_fixable,
                  Palette(coloured), args.show_source, args.show_fixes, args.unsafe_fixes, fixed,
                  not any(f.code in (UNREADABLE, TOO_COMPLEX) for f in findings))


def finish(args, report: Report) -> int:
    write_output(format_report(report, args.format, args.quiet, args.statistics), args)
    return EXIT_FINDINGS if report.findings and not args.exit_zero else EXIT_CLEAN


def run_check(args) -> int:
    stdin = reads_stdin(args)
    if stdin and (args.add_noqa or args.watch):
        raise ConfigError("standard input (-) cannot be used with --add-noqa or --watch")
    if stdin and any(p != STDIN for p in args.paths):
        raise ConfigError("standard input (-) is checked alone: name no other path with it")
    anchor = [args.stdin_filename] if stdin and args.stdin_filename else [p for p in args.paths if p != STDIN]
    settings = settings_from_args(args, anchor or [Path(".")])
    ruleset = load_ruleset(settings.extend_rules)
    validate_selection(args, ruleset)
    paths = checked_paths(args, settings)
    if args.show_settings:
        from .show_settings import format_settings

        write_output(format_settings(settings, ruleset, paths, args), args)
        return EXIT_CLEAN
    context = fix_context(args, settings, ruleset)
    if stdin:
        from .stdin import check_stdin

        return check_stdin(args, settings, ruleset, context)
    if args.watch:
        from .watch import watch

        return watch(args, paths, settings, ruleset, context)
    if args.add_noqa:
        return run_add_noqa(args, paths, settings, ruleset)
    if args.fix or args.diff:
        from .fixing import run_fix

        return run_fix(args, paths, settings, ruleset, context)
    return finish(args, check_once(args, paths, settings, ruleset, context))


def check_once(args, paths, settings, ruleset, context) -> Report:
    from ..runner import check_paths

    if not paths:
        return make_report(args, [], 0, settings, ruleset, context)
    result = check_paths(paths, settings, ruleset, args.jobs, use_cache=not args.no_cache)
    return make_report(args, result.findings, result.files, settings, ruleset, context)


def run_add_noqa(args, paths, settings, ruleset) -> int:
    from ..runner import check_paths
    from .add_noqa import add_noqa, write_edits

    findings = check_paths(paths, settings, ruleset, args.jobs, use_cache=not args.no_cache).findings if paths else []
    lines = SourceLines()
    edits = add_noqa(findings, lines.raw)
    write_edits(edits)
    for edit in edits:
        for problem in edit.problems:
            sys.stderr.write(printable(f"{edit.path}: {problem}") + "\n")
    added = sum(edit.added for edit in edits)
    changed = sum(1 for edit in edits if edit.content is not None and edit.added)
    if not args.quiet:
        sys.stderr.write(f"Added {added} noqa {'code' if added == 1 else 'codes'} in "
                         f"{changed} {'file' if changed == 1 else 'files'}.\n")
    return EXIT_FINDINGS if any(edit.problems for edit in edits) and not args.exit_zero else EXIT_CLEAN
