"""``check -`` (with ``--stdin-filename``): standard input checked as the file it stands for, in its project,
for editors and pre-commit-style tools; with ``--fix`` the fixed text goes to standard output."""

from __future__ import annotations

import difflib
import io
import sys
import tokenize
from pathlib import Path

from ..config import ConfigError
from .check import finish, make_report
from .guard import EXIT_CLEAN, EXIT_FINDINGS
from .locations import SourceLines
from .terminal import printable
from .text import finding_line


def _decoded(raw: bytes) -> str:
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(raw).readline)
        return raw.decode(encoding)
    except (SyntaxError, LookupError, UnicodeDecodeError) as error:
        raise ConfigError(f"-: cannot decode standard input: {error}") from None


def check_stdin(args, settings, ruleset, context) -> int:
    from ..runner import ProjectContext

    raw = sys.stdin.buffer.read()
    display = str(args.stdin_filename) if args.stdin_filename else "-"
    path = (args.stdin_filename or Path("stdin.py")).absolute()
    fixing = args.fix or args.diff
    if args.force_exclude and args.stdin_filename is not None and settings.is_excluded(args.stdin_filename):
        if args.fix:
            sys.stdout.buffer.write(raw)  # an editor replaces the buffer with what comes back
            return EXIT_CLEAN
        return finish(args, make_report(args, [], 0, settings, ruleset, context))
    if fixing:
        if path.suffix == ".ipynb":
            raise ConfigError(f"{display}: --fix and --diff on standard input take Python source, not a notebook")
        return _fix_stdin(args, _decoded(raw), display, settings, ruleset, context)
    project = ProjectContext(settings, ruleset, use_cache=not args.no_cache, jobs=args.jobs)
    project.display[path] = display
    findings = project.check_buffer(path, raw)  # decoded by the engine, as the file would be
    return finish(args, make_report(args, findings, 1, settings, ruleset, context, SourceLines({display: raw})))


def _fix_stdin(args, source: str, display: str, settings, ruleset, context) -> int:
    """The fixed text on standard output (``--fix``) or a diff (``--diff``); what remains on standard error."""
    from ..fix import fix_source
    from ..runner import check_source

    outcome = fix_source(source, settings, context, display)
    if outcome.problem:
        sys.stderr.write(printable(f"{display}: {outcome.problem}") + "\n")
    if args.diff:
        sys.stdout.write("".join(difflib.unified_diff(source.splitlines(keepends=True),
                                                      outcome.text.splitlines(keepends=True),
                                                      f"a/{display}", f"b/{display}")))
        return EXIT_FINDINGS if outcome.changed and not args.exit_zero else EXIT_CLEAN
    sys.stdout.write(outcome.text)
    sys.stdout.flush()
    remaining = check_source(outcome.text, settings, ruleset, display)
    report = make_report(args, remaining, 1, settings, ruleset, context)
    for finding in remaining:
        sys.stderr.write(finding_line(report, finding) + "\n")
    return EXIT_FINDINGS if remaining and not args.exit_zero else EXIT_CLEAN
