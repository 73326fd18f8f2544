"""Start the runs: one fresh process per run, the same arguments and environment, a progress line."""

from __future__ import annotations

import json
import os
import selectors
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..runner import PACKAGE_PARENT, _last_line, _stop
from ..setups import DETERMINISTIC, FRAMEWORKS, SEEDS, setup_environment
from .child import SAMPLES_FILE, TRACE_FILE, TRACE_FORMAT

AS_IS = "as-is"  # the program exactly as written: nothing seeded or switched on by mlfcore-lint
PROGRAM_SETUPS = (AS_IS, SEEDS, DETERMINISTIC)
LOG_FILE = "output.log"


@dataclass(frozen=True)
class Target:
    """What each run executes: a script with its arguments, or a factory function (``module:function``)."""

    script: Path | None = None
    arguments: tuple[str, ...] = ()
    factory: str | None = None
    python_path: tuple[str, ...] = ()  # extra import folders (the pytest plugin passes its sys.path)

    @property
    def label(self) -> str:
        return str(self.script) if self.script is not None else str(self.factory)


@dataclass
class Run:
    number: int  # 1-based
    folder: Path
    trace: dict | None = None  # None: the process wrote no trace
    seconds: float = 0.0
    returncode: int | None = None
    timed_out: bool = False
    log_tail: str = ""
    samples: object = field(default=None, repr=False)  # numpy NpzFile, opened lazily

    def sample(self, record: int, tensor: int):
        import numpy

        if self.samples is None:
            self.samples = numpy.load(self.folder / SAMPLES_FILE, allow_pickle=False)
        return self.samples[f"r{record}_{tensor}"]

    def close(self) -> None:
        if self.samples is not None:
            self.samples.close()
            self.samples = None


def run_environment(setup: str, device: str, base: dict[str, str], python_path=()) -> dict[str, str]:
    """The child's environment: the user's, the setup's variables (none for as-is), CUDA hidden for --device cpu."""
    environment = dict(base) if setup == AS_IS else setup_environment(FRAMEWORKS["torch"], setup, dict(base))
    if device == "cpu":
        environment["CUDA_VISIBLE_DEVICES"] = ""
    environment["PYTHONPATH"] = os.pathsep.join(
        [*python_path, str(PACKAGE_PARENT)] + [p for p in [base.get("PYTHONPATH")] if p])
    return environment


def child_command(target: Target, folder: Path, steps: int, setup: str, device: str, progress_fd: int,
                  python: str = sys.executable, plain: bool = False) -> list[str]:
    command = [python, "-m", "mlfcore_lint.verify.program.child", "--output", str(folder), "--steps", str(steps),
               "--setup", setup, "--device", device, "--progress-fd", str(progress_fd)] + (["--plain"] if plain else [])
    if target.script is not None:
        return command + ["--script", str(target.script), "--", *target.arguments]
    return command + ["--factory", str(target.factory)]


def _follow(process: subprocess.Popen, reader, deadline: float, on_step) -> bool:
    """Read step lines until the child closes the pipe; False when the deadline passed first."""
    selector = selectors.DefaultSelector()
    selector.register(reader, selectors.EVENT_READ)
    buffer = b""
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            if not selector.select(timeout=min(left, 1.0)):
                if process.poll() is not None:
                    return True
                continue
            chunk = os.read(reader.fileno(), 4096)
            if not chunk:
                return True
            buffer += chunk
            while b"\n" in buffer:
                line, buffer = buffer.split(b"\n", 1)
                if line.strip().isdigit():
                    on_step(int(line))
    finally:
        selector.close()


def start_run(number: int, target: Target, folder: Path, steps: int, setup: str, device: str, timeout: float,
              on_step, cwd: Path | None = None, plain: bool = False) -> Run:
    """Run the target once in a fresh process; ``plain`` records nothing (only stops after the steps)."""
    folder.mkdir(parents=True)
    read_fd, write_fd = os.pipe()
    environment = run_environment(setup, device, dict(os.environ), target.python_path)
    started = time.monotonic()
    with open(folder / LOG_FILE, "wb") as log:
        process = subprocess.Popen(child_command(target, folder, steps, setup, device, write_fd, plain=plain), cwd=cwd,
                                   env=environment, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                   pass_fds=(write_fd,), start_new_session=True)
    os.close(write_fd)
    run = Run(number, folder)
    with os.fdopen(read_fd, "rb") as reader:
        finished = _follow(process, reader, started + timeout, on_step)
    if finished:
        try:
            process.wait(timeout=max(started + timeout - time.monotonic(), 1.0))
        except subprocess.TimeoutExpired:
            finished = False
    if not finished:
        _stop(process)
        run.timed_out = True
    run.seconds = time.monotonic() - started
    run.returncode = process.returncode
    run.log_tail = _last_line((folder / LOG_FILE).read_text(encoding="utf-8", errors="replace"))
    trace_path = folder / TRACE_FILE
    if not run.timed_out and trace_path.is_file():
        trace = json.loads(trace_path.read_text(encoding="utf-8"))
        run.trace = trace if trace.get("format") == TRACE_FORMAT else None
    return run
