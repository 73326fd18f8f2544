"""``mlfcore-lint verify``: ``run`` the fixtures, ``report`` on results, ``list`` the fixture coverage,
``program``: verify the user's own training (:mod:`.program.cli`)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..cli.guard import run_guarded
from ..ruleset.loader import load_ruleset, split_codes
from ..ruleset.schema import RuleError
from .catalog import FixtureError, coverage_problems, default_fixtures_dir, discover_fixtures, select_fixtures
from .environment import gpus
from .results import ResultsError, dump_results, load_results
from .setups import FRAMEWORKS

EXIT_OK, EXIT_FAILED, EXIT_ERROR = 0, 1, 2
COMMANDS = ("run", "report", "list", "program")


class VerifyError(Exception):
    """A problem with what the user asked for: one line, exit code 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        self.print_usage(sys.stderr)
        self.exit(EXIT_ERROR, f"{self.prog}: error: {message}\n")


def _frameworks(text: str) -> list[str]:
    names = split_codes(text)
    unknown = [n for n in names if n not in FRAMEWORKS]
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown framework {unknown[0]!r} (choose from {', '.join(FRAMEWORKS)})")
    return names


def _repeats(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 2:
        raise argparse.ArgumentTypeError("must be 2 or more: a single run has nothing to compare with")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="mlfcore-lint verify",
                     description="Run each op rule's fixture in three setups and report what the hardware did.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    run = commands.add_parser("run", help="run the fixtures and write JSON results (the default command)")
    run.add_argument("--device", choices=("auto", "cuda", "cpu"), default="auto",
                     help="where the fixtures run (auto: cuda when nvidia-smi sees a GPU)")
    run.add_argument("--select", type=split_codes, help="rule codes or prefixes, comma-separated (e.g. MLF1,MLF305)")
    run.add_argument("--framework", type=_frameworks, help=f"frameworks, comma-separated ({', '.join(FRAMEWORKS)})")
    run.add_argument("--repeats", type=_repeats, default=5, help="runs per setup (at least 2; default 5)")
    run.add_argument("--size", choices=("small", "full"), help="fixture sizes (default: full on cuda, small on cpu)")
    run.add_argument("--timeout", type=float, default=300.0, help="seconds for all setups of one fixture (default 300)")
    run.add_argument("--label", help="the machine's name in reports (default: the GPU or CPU model)")
    run.add_argument("--output", "-o", type=Path, default=Path("verify-results.json"), help="results file")
    run.add_argument("--report-dir", type=Path, help="also write the report of these results into this folder")
    run.add_argument("--note", action="append", default=[], help="a sentence to print under the report's title")
    run.add_argument("--fixtures", type=Path, help="the fixtures folder (default: the one shipped with mlfcore-lint)")
    run.add_argument("--no-progress", action="store_true", help="no progress bar")
    report = commands.add_parser("report", help="merge results files into a Markdown report, plot and verdicts")
    report.add_argument("results", nargs="+", type=Path, help="results files, one or more machines")
    report.add_argument("--output-dir", type=Path, default=Path("verify-report"), help="where to write the report")
    report.add_argument("--note", action="append", default=[],
                        help="a sentence to print under the report's title (repeatable)")
    listing = commands.add_parser(
        "list", help="list fixtures; report op rules without one and fixtures the linter misreads (exit 1)")
    listing.add_argument("--fixtures", type=Path)
    from .program.cli import add_parser as add_program_parser

    add_program_parser(commands)
    return parser


def _fixtures(folder: Path | None):
    return discover_fixtures(folder or default_fixtures_dir())


def command_list(args) -> int:
    fixtures = _fixtures(args.fixtures)
    for fixture in fixtures:
        sys.stdout.write(f"{fixture.rule}  {fixture.variant:<11} {fixture.relative:<55} {fixture.op}\n")
    from .static import static_mismatch

    ruleset = load_ruleset()
    problems = coverage_problems(ruleset, fixtures)
    problems += [mismatch for mismatch in (static_mismatch(f, ruleset) for f in fixtures) if mismatch]
    for problem in problems:
        sys.stdout.write(f"problem: {problem}\n")
    return EXIT_FAILED if problems else EXIT_OK


def _device(requested: str) -> str:
    if requested == "auto":
        return "cuda" if gpus() else "cpu"
    return requested


def command_run(args) -> int:
    from .progress import Progress
    from .runner import RunOptions, failures, run_suite

    if args.timeout <= 0:
        raise VerifyError("--timeout must be a positive number of seconds")
    fixtures = select_fixtures(_fixtures(args.fixtures), args.select, args.framework)
    if not fixtures:
        raise VerifyError("no fixture matches --select/--framework (see `mlfcore-lint verify list`)")
    device = _device(args.device)
    options = RunOptions(device=device, size=args.size or ("full" if device == "cuda" else "small"),
                         repeats=args.repeats, timeout=args.timeout)
    progress = Progress(len(fixtures) * 3, enabled=not args.no_progress)
    results = run_suite(fixtures, options, args.label, progress)
    try:
        dump_results(results, args.output)
    except OSError as error:
        raise VerifyError(f"{args.output}: cannot write results: {error.strerror or error}") from None
    sys.stdout.write(f"wrote {args.output} ({len(results.outcomes)} fixtures on {device}, {options.size} sizes)\n")
    if args.report_dir:
        _write_report([results], args.report_dir, args.note)
    problems = failures(results)
    for problem in problems:
        sys.stdout.write(f"FAILED {problem}\n")
    return EXIT_FAILED if problems else EXIT_OK


def _write_report(results, folder: Path, notes: list[str]) -> None:
    from .report import write_report

    try:
        written = write_report(results, folder, tuple(notes))
    except OSError as error:
        raise VerifyError(f"{folder}: cannot write report: {error.strerror or error}") from None
    for path in written:
        sys.stdout.write(f"wrote {path}\n")


def command_report(args) -> int:
    _write_report([load_results(path) for path in args.results], args.output_dir, args.note)
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or (argv[0] not in COMMANDS and argv[0] not in ("-h", "--help")):
        argv.insert(0, "run")
    from .program.cli import command_program, split_arguments

    script_arguments: list[str] = []
    if argv[0] == "program":
        argv, script_arguments = split_arguments(argv)
    args = build_parser().parse_args(argv)
    args.script_arguments = script_arguments

    handlers = {"run": command_run, "report": command_report, "list": command_list,
                "program": lambda arguments: command_program(arguments, VerifyError)}
    return run_guarded("mlfcore-lint verify", lambda: handlers[args.command](args),
                       (VerifyError, FixtureError, ResultsError, RuleError))
