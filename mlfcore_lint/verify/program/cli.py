"""``mlfcore-lint verify program SCRIPT [--steps N] [--runs 2] [--device ...] [--setup ...] [-- SCRIPT_ARGS]``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..progress import Progress
from .compare import IDENTICAL
from .launcher import AS_IS, PROGRAM_SETUPS, Target

EXIT_OK, EXIT_FAILED = 0, 1


def _positive(minimum: int):
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be {minimum} or more")
        return value

    return parse


def add_parser(commands) -> None:
    program = commands.add_parser(
        "program", help="run your training script several times and name the first module call that differs",
        usage="mlfcore-lint verify program SCRIPT [options] [-- SCRIPT_ARGS]",
        description="Run SCRIPT as __main__ in fresh processes (the same arguments and environment), stop each "
                    "run after --steps optimizer steps, and compare every module call's outputs and gradients "
                    "and the parameters after each step. Exit 0 when the runs are identical, 1 otherwise.")
    program.add_argument("script", type=Path, help="the training script (arguments for it go after --)")
    program.add_argument("--steps", type=_positive(1), default=2, help="optimizer steps per run (default 2)")
    program.add_argument("--runs", type=_positive(2), default=2, help="runs to compare (at least 2; default 2)")
    program.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto",
                         help="auto: as the script decides; cpu: CUDA hidden; cuda: fail without a GPU")
    program.add_argument("--setup", choices=PROGRAM_SETUPS, default=AS_IS,
                         help="as-is (default): nothing added; seeds: Python, NumPy and torch seeded first; "
                              "deterministic: seeds plus torch.use_deterministic_algorithms(True)")
    program.add_argument("--timeout", type=float, default=600.0, help="seconds per run (default 600)")
    program.add_argument("--output", "-o", type=Path, default=Path("verify-program.json"), help="JSON result")
    program.add_argument("--report", type=Path, default=Path("verify-program.md"), help="Markdown report")
    program.add_argument("--no-progress", action="store_true", help="no progress line")


def split_arguments(argv: list[str]) -> tuple[list[str], list[str]]:
    """(the command's arguments, the script's): everything after the first ``--`` belongs to the script."""
    if "--" not in argv:
        return argv, []
    cut = argv.index("--")
    return argv[:cut], argv[cut + 1:]


def command_program(args, error_type) -> int:
    from .check import verify_program
    from .report import write_outputs

    if not args.script.is_file():
        raise error_type(f"{args.script}: no such script")
    if args.timeout <= 0:
        raise error_type("--timeout must be a positive number of seconds")
    if args.device == "cuda":
        from ..environment import gpus

        if not gpus():
            raise error_type("--device cuda: nvidia-smi sees no GPU")
    target = Target(script=args.script, arguments=tuple(args.script_arguments))
    progress = Progress(args.runs * args.steps, enabled=not args.no_progress)
    result = verify_program(target, args.steps, args.runs, args.setup, args.device, args.timeout, progress)
    try:
        written = write_outputs(result, args.output, args.report)
    except OSError as error:
        raise error_type(f"{error.filename}: cannot write: {error.strerror or error}") from None
    sys.stdout.write(result["summary"] + "\n")
    sys.stdout.write("wrote " + ", ".join(str(p) for p in written) + "\n")
    return EXIT_OK if result["outcome"] == IDENTICAL else EXIT_FAILED
