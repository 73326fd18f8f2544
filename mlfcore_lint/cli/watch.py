"""``check --watch``: check, then check again whenever a source file below the paths changes, appears or
goes away (polling the files' modification times: no extra dependency, works on every file system)."""

from __future__ import annotations

import os
import sys
import time

from .check import check_once, write_output
from .formats import format_report
from .guard import EXIT_CLEAN, EXIT_FINDINGS


def snapshot(paths, settings) -> dict[str, tuple[int, int]]:
    """Each source file's (modification time, size), and the configuration file's."""
    from ..runner import discover

    state = {}
    watched = [path for path, _ in discover(paths, settings)]
    if settings.config_file is not None:
        watched.append(settings.config_file)
    for path in watched:
        try:
            stat = os.stat(path)
        except OSError:
            continue
        state[str(path)] = (stat.st_mtime_ns, stat.st_size)
    return state


def watch(args, paths, settings, ruleset, context, sleep=time.sleep) -> int:
    """Run until interrupted (Ctrl-C), or for ``--watch-runs`` checks; exits as the last check did."""
    if args.watch_interval <= 0:
        from ..config import ConfigError

        raise ConfigError("--watch-interval must be more than 0")
    runs, status = 0, EXIT_CLEAN
    state = None
    while True:
        current = snapshot(paths, settings)
        if current != state:
            state = current
            report = check_once(args, paths, settings, ruleset, context)
            if report.palette.enabled and not args.quiet:
                sys.stdout.write("\x1b[2J\x1b[H")  # a fresh screen for each check, as ruff does
            write_output(format_report(report, args.format, args.quiet, args.statistics), args)
            if not args.quiet:
                sys.stderr.write(f"[{time.strftime('%H:%M:%S')}] Watching for changes (Ctrl-C to stop).\n")
                sys.stderr.flush()
            status = EXIT_FINDINGS if report.findings and not args.exit_zero else EXIT_CLEAN
            runs += 1
            if args.watch_runs is not None and runs >= args.watch_runs:
                return status
        sleep(args.watch_interval)
