"""The command line's options, and the settings they make (configuration file first, then the options)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .. import __version__
from ..config import ConfigError, Settings, load_settings
from ..ruleset.loader import split_codes
from .guard import EXIT_ERROR


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # argparse exits 2 as well; keep its one-line form
        self.print_usage(sys.stderr)
        self.exit(EXIT_ERROR, f"{self.prog}: error: {message}\n")


def _codes(text: str) -> list[str]:
    return split_codes(text)


def _globs(text: str) -> list[str]:
    return [glob.strip() for glob in text.split(",") if glob.strip()]


def _per_file_ignore(text: str) -> tuple[str, list[str]]:
    glob, separator, codes = text.rpartition(":")
    if not separator or not glob.strip() or not codes.strip():
        raise argparse.ArgumentTypeError(f"{text!r} is not GLOB:CODES, e.g. 'tests/*:MLF101,MLF102'")
    return glob.strip(), split_codes(codes)


def add_selection_options(parser: argparse.ArgumentParser) -> None:
    """Options shared by ``check`` and ``mlfcore-fix``."""
    parser.add_argument("paths", nargs="*", type=Path, help="files or folders (default: .); - reads standard input")
    parser.add_argument("--select", type=_codes, help="codes or prefixes to report, comma-separated")
    parser.add_argument("--ignore", type=_codes, help="codes or prefixes to leave out")
    parser.add_argument("--extend-select", type=_codes, help="codes or prefixes to add to the selection")
    parser.add_argument("--per-file-ignores", type=_per_file_ignore, action="append", default=[],
                        metavar="GLOB:CODES", help="codes to leave out in files matching GLOB (repeatable)")
    parser.add_argument("--extend-exclude", type=_globs, action="append", default=[], metavar="GLOBS",
                        help="more files and folders to skip, comma-separated globs (repeatable)")
    parser.add_argument("--force-exclude", action="store_true",
                        help="apply the excludes to files named on the command line too (pre-commit, editors)")
    gitignore = parser.add_mutually_exclusive_group()
    gitignore.add_argument("--respect-gitignore", dest="respect_gitignore", action="store_true", default=None,
                           help="skip what the project's .gitignore files ignore (the default)")
    gitignore.add_argument("--no-respect-gitignore", dest="respect_gitignore", action="store_false",
                           help="check files even where a .gitignore ignores them")
    parser.add_argument("--target", action="append", default=[], metavar="REQUIREMENT",
                        help='framework versions to check against, e.g. "torch==2.13" (repeatable)')
    parser.add_argument("--config", type=Path, help="a pyproject.toml (or TOML file) with [tool.mlfcore-lint]")
    parser.add_argument("--jobs", "-j", type=int, default=None, help="parallel processes (default: all cores)")


def add_check_options(check: argparse.ArgumentParser) -> None:
    check.add_argument("--stdin-filename", type=Path, metavar="PATH",
                       help="the path standard input stands for (with -): configuration, excludes and messages use it")
    check.add_argument("--format", choices=("text", "json", "sarif", "github"), default="text")
    check.add_argument("--output", "-o", type=Path, help="write the report to this file")
    check.add_argument("--no-cache", action="store_true", help="analyse every file again")
    check.add_argument("--show-source", action="store_true", help="print the source line of each finding")
    check.add_argument("--show-fixes", action="store_true", help="mark findings a fix can remove with [*]")
    check.add_argument("--statistics", action="store_true", help="print only the number of findings per rule")
    check.add_argument("--exit-zero", action="store_true", help="exit 0 even when there are findings")
    check.add_argument("--quiet", "-q", action="store_true", help="print the findings and nothing else")
    check.add_argument("--color", choices=("auto", "always", "never"), default="auto",
                       help="colour the text output (auto: on a terminal, unless NO_COLOR is set or FORCE_COLOR is)")
    fixing = check.add_mutually_exclusive_group()
    fixing.add_argument("--fix", action="store_true", help="apply the safe fixes, then report what remains")
    fixing.add_argument("--diff", action="store_true", help="print the fixes as a unified diff; write nothing")
    fixing.add_argument("--add-noqa", action="store_true",
                        help="add '# noqa: CODE' to each finding's line (a baseline for a legacy project)")
    fixing.add_argument("--show-settings", action="store_true", help="print the settings in force and exit")
    fixing.add_argument("--watch", action="store_true", help="check again whenever a checked file changes")
    check.add_argument("--unsafe-fixes", action="store_true",
                       help="also apply (or mark) fixes that change what the model computes")
    check.add_argument("--watch-interval", type=float, default=0.5, metavar="SECONDS",
                       help="how often --watch looks for changes (default: 0.5)")
    check.add_argument("--watch-runs", type=int, default=None, metavar="N",
                       help="stop --watch after N checks (scripts and tests)")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="mlfcore-lint", description="Find what makes machine-learning training non-deterministic.")
    parser.add_argument("--version", action="version", version=f"mlfcore-lint {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    check = commands.add_parser("check", help="lint files and folders")
    add_selection_options(check)
    add_check_options(check)
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
        # As in ruff, a selection on the command line starts afresh: the configuration's ``ignore`` and
        # ``extend-select`` belong to the selection it replaces (its ``per-file-ignores`` still apply).
        settings.select, settings.ignore, settings.extend_select = tuple(args.select), (), ()
    if args.ignore:
        settings.ignore = settings.ignore + tuple(args.ignore)
    if args.extend_select:
        settings.extend_select = settings.extend_select + tuple(args.extend_select)
    for glob, codes in getattr(args, "per_file_ignores", []):
        settings.per_file_ignores = {**settings.per_file_ignores,
                                     glob: settings.per_file_ignores.get(glob, ()) + tuple(codes)}
    if getattr(args, "respect_gitignore", None) is not None:
        settings.respect_gitignore = args.respect_gitignore
    extra = tuple(glob for globs in getattr(args, "extend_exclude", []) for glob in globs)
    if extra:
        settings.extend_exclude = settings.extend_exclude + extra
        settings._exclude_regex = None  # built from the patterns on first use
    return settings


def validate_selection(args, ruleset) -> None:
    """Refuse codes no rule has and a ``--jobs`` below one (shared by ``check`` and ``mlfcore-fix``)."""
    per_file = [code for _, codes in getattr(args, "per_file_ignores", []) for code in codes]
    for code in list(args.select or []) + list(args.ignore or []) + list(args.extend_select or []) + per_file:
        if code not in ("ALL", "HINT") and not any(c.startswith(code) for c in ruleset.rules):
            raise ConfigError(f"no rule code starts with {code!r} (see `mlfcore-lint rules`)")
    if args.jobs is not None and args.jobs < 1:
        raise ConfigError("--jobs must be 1 or more")
