"""``check --fix`` and ``check --diff``: the fixer (``mlfcore_lint.fix``) applies what it can, and what
remains is reported in the chosen format."""

from __future__ import annotations

import sys

from .check import finish, make_report
from .guard import EXIT_CLEAN, EXIT_FINDINGS
from .terminal import printable


def run_fix(args, paths, settings, ruleset, context) -> int:
    from ..fix.runner import check_on_disk, fix_paths, write_fixes
    from ..runner import discover

    use_cache = not args.no_cache
    fix_run = fix_paths(paths, settings, ruleset, args.unsafe_fixes, args.jobs, use_cache) if paths else None
    files = fix_run.files if fix_run is not None else []
    for message in fix_run.messages() if fix_run is not None else ():
        sys.stderr.write(printable(message) + "\n")
    if args.diff:
        for file_fix in files:
            sys.stdout.write(file_fix.diff())
        fixes = sum(len(f.fixed) for f in files if f.content is not None)
        if not args.quiet:
            where = sum(1 for f in files if f.content is not None)
            sys.stderr.write(f"Would fix {fixes} findings in {where} {'file' if where == 1 else 'files'}.\n")
        return EXIT_FINDINGS if fixes and not args.exit_zero else EXIT_CLEAN
    if fix_run is None:
        return finish(args, make_report(args, [], 0, settings, ruleset, context))
    remaining = fix_run.remaining
    if not write_fixes(fix_run):
        remaining = check_on_disk(paths, settings, ruleset, args.jobs, use_cache)
    checked = len(discover(paths, settings))
    report = make_report(args, remaining, checked, settings, ruleset, context,
                         fixed=sum(len(f.fixed) for f in fix_run.files))
    return finish(args, report)
