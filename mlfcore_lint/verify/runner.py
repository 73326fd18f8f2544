"""Running fixtures: one process per fixture and setup, so that a hang or a crash stays contained."""

from __future__ import annotations

import datetime
import importlib.util
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement

from .catalog import Fixture
from .compare import compare_runs, load_run
from .environment import capture, installed_version
from .progress import Progress
from .results import DIFFERS, ERROR, IDENTICAL, RAISED, SKIPPED, TIMEOUT, FixtureOutcome, ResultFile, SetupOutcome
from .setups import DETERMINISTIC, FRAMEWORKS, SETUPS, entry_program, setup_environment
from .worker import META_FILE

PACKAGE_PARENT = Path(__file__).resolve().parent.parent.parent


@dataclass(frozen=True)
class RunOptions:
    device: str  # cuda or cpu
    size: str  # small or full
    repeats: int
    timeout: float  # seconds for all setups of one fixture
    python: str = sys.executable


def skip_reason(fixture: Fixture) -> str:
    """Why the fixture cannot run here ("" when it can): a missing framework or an unwanted version."""
    framework = FRAMEWORKS[fixture.directory]
    if importlib.util.find_spec(framework.module) is None:
        return f"{framework.module} is not installed"
    for text in fixture.requires:
        try:
            requirement = Requirement(text)
        except InvalidRequirement:
            return f"REQUIRES has an invalid requirement {text!r}"
        named = FRAMEWORKS.get(requirement.name)  # "tensorflow" is also installed as tensorflow-cpu
        version = installed_version(named.distributions if named else (requirement.name,))
        if version is None or not requirement.specifier.contains(version, prereleases=True):
            return f"needs {text}, found {requirement.name} {version or 'not installed'}"
    return ""


def _stop(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        process.kill()
    process.wait()


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1][:400] if lines else ""


def run_setup(fixture: Fixture, setup: str, options: RunOptions, folder: Path,
              seconds_left: float) -> tuple[SetupOutcome, dict]:
    """Run ``fixture`` ``options.repeats`` times in ``setup``; return the outcome and the framework build."""
    framework = FRAMEWORKS[fixture.directory]
    folder.mkdir(parents=True)
    entry = folder / "entry.py"
    entry.write_text(entry_program(framework, setup, fixture.module), encoding="utf-8")
    environment = setup_environment(framework, setup, dict(os.environ))
    environment["PYTHONPATH"] = os.pathsep.join(
        [str(fixture.path.parent), str(PACKAGE_PARENT)] + [p for p in [os.environ.get("PYTHONPATH")] if p]
    )
    command = [options.python, str(entry), "--device", options.device, "--size", str(fixture.sizes[options.size]),
               "--repeats", str(options.repeats), "--output", str(folder)]
    process = subprocess.Popen(command, cwd=folder, env=environment, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        _, stderr = process.communicate(timeout=max(seconds_left, 1.0))
    except subprocess.TimeoutExpired:
        _stop(process)
        completed = len(list(folder.glob("run-*.npz")))
        return SetupOutcome(TIMEOUT, runs=completed, detail=f"no result within {seconds_left:.0f}s"), {}
    meta_path = folder / META_FILE
    if not meta_path.is_file():
        return SetupOutcome(ERROR, detail=f"exit code {process.returncode}: {_last_line(stderr)}"), {}
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    runs = sorted(folder.glob("run-*.npz"), key=lambda p: int(p.stem.split("-")[1]))
    seconds = [float(s) for s in meta["seconds"]]
    comparison = compare_runs([load_run(p) for p in runs]) if len(runs) >= 2 else None
    error = meta.get("error")
    if error:
        status = RAISED if error["under_switch"] else ERROR
        detail = f"{error['type']}: {error['message']}"
    else:
        status = IDENTICAL if comparison is not None and comparison.identical else DIFFERS
        detail = ""
    return SetupOutcome(
        status=status, runs=len(runs), seconds=seconds, detail=detail,
        max_abs_diff=None if comparison is None else comparison.max_abs_diff,
        differing_outputs=[] if comparison is None else list(comparison.differing_outputs),
    ), meta.get("build", {})


def run_fixture(fixture: Fixture, options: RunOptions, workdir: Path, progress: Progress) -> FixtureOutcome:
    outcomes: dict[str, SetupOutcome] = {}
    build: dict = {}
    reason = skip_reason(fixture)
    deadline = time.monotonic() + options.timeout
    for setup in SETUPS:
        if reason:
            outcomes[setup] = SetupOutcome(SKIPPED, detail=reason)
        else:
            folder = workdir / fixture.directory / fixture.module / setup
            outcomes[setup], seen = run_setup(fixture, setup, options, folder, deadline - time.monotonic())
            build = build or seen
        progress.step(f"{fixture.module} {setup}: {outcomes[setup].status}")
    return FixtureOutcome(
        fixture=fixture.relative, rule=fixture.rule, framework=fixture.directory, variant=fixture.variant,
        op=fixture.op, build=build or {"version": installed_version(FRAMEWORKS[fixture.directory].distributions)},
        setups=outcomes,
    )


def default_label(environment: dict, device: str) -> str:
    if device == "cuda" and environment["gpus"]:
        names = [gpu["name"] for gpu in environment["gpus"]]
        return f"{len(names)}x {names[0]}" if len(names) > 1 else names[0]
    return f"CPU ({environment['cpu']})"


def run_suite(fixtures: list[Fixture], options: RunOptions, label: str | None, progress: Progress) -> ResultFile:
    environment = capture()
    with tempfile.TemporaryDirectory(prefix="mlfcore-verify-") as temporary:
        outcomes = [run_fixture(fixture, options, Path(temporary), progress) for fixture in fixtures]
    builds = {o.framework: o.build for o in outcomes if o.build.get("version")}
    environment["builds"] = builds
    return ResultFile(
        label=label or default_label(environment, options.device),
        created=datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0).isoformat(),
        device=options.device, size=options.size, repeats=options.repeats, environment=environment,
        outcomes=outcomes,
    )


ALTERNATIVE_MUST_BE = {IDENTICAL, SKIPPED}


def failures(results: ResultFile) -> list[str]:
    """What makes a run fail: a fixture that broke, or an alternative that is not deterministic with seeds
    and the switch (the program the rule recommends; with seeds alone it may rely on the switch)."""
    found = []
    for outcome in results.outcomes:
        for setup, result in outcome.setups.items():
            broken = result.status in (ERROR, TIMEOUT)
            unstable = (outcome.variant == "alternative" and setup == DETERMINISTIC
                        and result.status not in ALTERNATIVE_MUST_BE)
            if broken or unstable:
                found.append(f"{outcome.fixture} [{setup}]: {result.status}"
                             + (f" ({result.detail})" if result.detail else ""))
    return found
