"""The ``mlfcore-lint`` command: ``check``, ``rules``, ``explain`` and ``verify``."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from .. import __version__
from ..config import ConfigError, Settings, load_settings
from ..ruleset.loader import load_ruleset, split_codes
from ..ruleset.schema import RuleError
from ..runner import UsageError
from .formats import format_github, format_json, format_sarif, format_text
from .guard import EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS, run_guarded


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # argparse exits 2 as well; keep its one-line form
        self.print_usage(sys.stderr)
        self.exit(EXIT_ERROR, f"{self.prog}: error: {message}\n")


def _codes(text: str) -> list[str]:
    return split_codes(text)


def add_selection_options(parser: argparse.ArgumentParser) -> None:
    """Options shared by ``check`` and ``mlfcore-fix``."""
    parser.add_argument("paths", nargs="*", type=Path, help="files or folders (default: .)")
    parser.add_argument("--select", type=_codes, help="codes or prefixes to report, comma-separated")
    parser.add_argument("--ignore", type=_codes, help="codes or prefixes to leave out")
    parser.add_argument("--extend-select", type=_codes, help="codes or prefixes to add to the selection")
    parser.add_argument("--target", action="append", default=[], metavar="REQUIREMENT",
                        help='framework versions to check against, e.g. "torch==2.13" (repeatable)')
    parser.add_argument("--config", type=Path, help="a pyproject.toml (or TOML file) with [tool.mlfcore-lint]")
    parser.add_argument("--jobs", "-j", type=int, default=None, help="parallel processes (default: all cores)")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="mlfcore-lint", description="Find what makes machine-learning training non-deterministic.")
    parser.add_argument("--version", action="version", version=f"mlfcore-lint {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    check = commands.add_parser("check", help="lint files and folders")
    add_selection_options(check)
    check.add_argument("--format", choices=("text", "json", "sarif", "github"), default="text")
    check.add_argument("--output", "-o", type=Path, help="write the report to this file")
    check.add_argument("--no-cache", action="store_true", help="analyse every file again")
    check.add_argument("--show-source", action="store_true", help="print the source line of each finding")
    check.add_argument("--statistics", action="store_true", help="count findings per rule")
    rules = commands.add_parser("rules", help="list every rule")
    rules.add_argument("--format", choices=("text", "json"), default="text")
    rules.add_argument("--config", type=Path)
    explain = commands.add_parser("explain", help="print a rule's documentation")
    explain.add_argument("code")
    explain.add_argument("--config", type=Path)
    verify = commands.add_parser("verify", help="run the GPU fixture suite", add_help=False)
    verify.add_argument("rest", nargs=argparse.REMAINDER)
    return parser


def settings_from_args(args, paths: list[Path]) -> Settings:
    settings = load_settings(args.config, paths, args.target)
    if args.select:
        settings.select = tuple(args.select)
    if args.ignore:
        settings.ignore = settings.ignore + tuple(args.ignore)
    if args.extend_select:
        settings.extend_select = settings.extend_select + tuple(args.extend_select)
    return settings


def validate_selection(args, ruleset) -> None:
    """Refuse codes no rule has and a ``--jobs`` below one (shared by ``check`` and ``mlfcore-fix``)."""
    for code in list(args.select or []) + list(args.ignore or []) + list(args.extend_select or []):
        if code not in ("ALL", "HINT") and not any(c.startswith(code) for c in ruleset.rules):
            raise ConfigError(f"no rule code starts with {code!r} (see `mlfcore-lint rules`)")
    if args.jobs is not None and args.jobs < 1:
        raise ConfigError("--jobs must be 1 or more")


def _ruleset_for(args, paths: list[Path]):
    settings = load_settings(getattr(args, "config", None), paths)
    return load_ruleset(settings.extend_rules)


def _write(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
        return
    temporary = output.with_name(f".{output.name}.tmp-{os.getpid()}")
    try:
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, output)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        raise ConfigError(f"{output}: cannot write report: {error.strerror or error}") from None


def _read_line(finding) -> str | None:
    if finding.cell is not None:
        return None
    try:
        with open(finding.path, encoding="utf-8", errors="replace") as handle:
            for number, line in enumerate(handle, start=1):
                if number == finding.line:
                    return line
    except OSError:
        return None
    return None


def paths_settings_and_rules(args):
    """What ``check`` and ``mlfcore-fix`` start from: the paths, the settings and the validated selection."""
    paths = args.paths or [Path(".")]
    settings = settings_from_args(args, paths)
    ruleset = load_ruleset(settings.extend_rules)
    validate_selection(args, ruleset)
    return paths, settings, ruleset


def run_check(args) -> int:
    from ..runner import check_paths  # noqa: PLC0415 - keeps `rules` and `explain` fast

    paths, settings, ruleset = paths_settings_and_rules(args)
    result = check_paths(paths, settings, ruleset, args.jobs, use_cache=not args.no_cache)
    if args.format == "json":
        text = format_json(result.findings)
    elif args.format == "sarif":
        text = format_sarif(result.findings, ruleset)
    elif args.format == "github":
        text = format_github(result.findings)
    else:
        text = format_text(result.findings, result.files, args.show_source, args.statistics, _read_line)
    _write(text, args.output)
    return EXIT_FINDINGS if result.findings else EXIT_CLEAN


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
