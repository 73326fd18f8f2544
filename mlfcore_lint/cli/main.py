"""The ``mlfcore-lint`` command: ``check``, ``rules``, ``explain`` and ``verify``.

The parts: ``options.py`` (options and settings), ``check.py`` (what ``check`` does, with ``stdin.py``,
``fixing.py``, ``add_noqa.py``, ``watch.py`` and ``show_settings.py``), and the output formats
(``formats.py``, ``text.py``, ``sarif.py``, from a ``report.py``).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from ..config import ConfigError, load_settings
from ..ruleset.loader import load_ruleset
from ..ruleset.schema import RuleError
from ..runner import UsageError
from .check import run_check
from .guard import EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS, run_guarded
from .options import _Parser, add_selection_options, build_parser, settings_from_args, validate_selection

__all__ = [
    "EXIT_CLEAN", "EXIT_ERROR", "EXIT_FINDINGS", "_Parser", "add_selection_options", "build_parser", "main",
    "paths_settings_and_rules", "settings_from_args", "validate_selection",
]


def _ruleset_for(args, paths: list[Path]):
    settings = load_settings(getattr(args, "config", None), paths)
    return load_ruleset(settings.extend_rules)


def paths_settings_and_rules(args):
    """What ``mlfcore-fix`` starts from: the paths, the settings and the validated selection."""
    paths = args.paths or [Path(".")]
    settings = settings_from_args(args, paths)
    ruleset = load_ruleset(settings.extend_rules)
    validate_selection(args, ruleset)
    if getattr(args, "force_exclude", False):
        paths = [p for p in paths if not settings.is_excluded(p)]
    return paths, settings, ruleset


def run_rules(args) -> int:
    ruleset = _ruleset_for(args, [Path(".")])
    if args.format == "json":
        data = [
            {"code": r.code, "symbol": r.symbol, "message": r.summary, "severity": r.severity,
             "framework": r.framework, "kind": r.kind,
             "fix": None if r.fix is None else {"applicability": r.fix.applicability, "description": r.fix.description},
             "url": r.url}
            for r in sorted(ruleset, key=lambda r: r.code)
        ]
        sys.stdout.write(json.dumps(data, indent=2) + "\n")
    else:
        for rule in sorted(ruleset, key=lambda r: r.code):
            fix = f" [fix: {rule.fix.applicability}]" if rule.fix else ""
            hint = " [hint]" if rule.hint else ""
            sys.stdout.write(f"{rule.code}  {rule.symbol:<48} {rule.summary}{fix}{hint}\n")
    return EXIT_CLEAN


def run_explain(args) -> int:
    from ..ruleset.document import render_markdown

    ruleset = _ruleset_for(args, [Path(".")])
    code = args.code.upper()
    rule = ruleset.get(code) or next((r for r in ruleset if r.symbol == args.code), None)
    if rule is None:
        raise ConfigError(f"no rule {args.code!r} (see `mlfcore-lint rules`)")
    sys.stdout.write(render_markdown(rule))
    return EXIT_CLEAN


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "verify":
        from ..verify.cli import main as verify_main

        return verify_main(argv[1:])
    args = build_parser().parse_args(argv)
    commands = {"check": run_check, "rules": run_rules, "explain": run_explain}
    return run_guarded("mlfcore-lint", lambda: commands[args.command](args), (ConfigError, RuleError, UsageError))
