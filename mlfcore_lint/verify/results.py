"""The results file: what one machine measured, as JSON that several machines' reports merge."""

from __future__ import annotations

import json
import math
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .setups import SETUPS

RESULTS_FORMAT = "mlfcore-lint-verify-results/1"

IDENTICAL = "identical"  # every run gave the same bits
DIFFERS = "differs"  # some run differed
RAISED = "raised"  # the framework raised under its determinism switch
ERROR = "error"  # any other error, or the process crashed
TIMEOUT = "timeout"
SKIPPED = "skipped"  # framework not installed, or a version the fixture is not meant for
STATUSES = (IDENTICAL, DIFFERS, RAISED, ERROR, TIMEOUT, SKIPPED)


class ResultsError(ValueError):
    """A results file that cannot be read; the message names the file."""


@dataclass
class SetupOutcome:
    status: str
    runs: int = 0  # runs that completed
    max_abs_diff: float | None = None  # None when fewer than two runs completed
    differing_outputs: list[str] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)  # per completed run
    detail: str = ""  # the error, or why the setup was skipped

    @property
    def median_seconds(self) -> float | None:
        if not self.seconds:
            return None
        ordered = sorted(self.seconds)
        middle = len(ordered) // 2
        return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


@dataclass
class FixtureOutcome:
    fixture: str  # torch/MLF101_max_pool3d.py
    rule: str
    framework: str  # torch, tensorflow or xgboost
    variant: str  # flagged or alternative
    op: str
    build: dict  # framework version, CUDA, cuDNN and device as the worker saw them
    setups: dict[str, SetupOutcome]

    @property
    def name(self) -> str:
        return Path(self.fixture).stem.removesuffix("_alternative")

    @property
    def framework_version(self) -> str:
        return str(self.build.get("version") or "unknown")


@dataclass
class ResultFile:
    label: str  # the machine, as report columns name it
    created: str  # ISO 8601, UTC
    device: str  # cuda or cpu
    size: str  # small or full
    repeats: int
    environment: dict
    outcomes: list[FixtureOutcome]
    format: str = RESULTS_FORMAT

    @property
    def on_gpu(self) -> bool:
        return self.device == "cuda"


def _encode(value):
    if isinstance(value, float) and math.isinf(value):
        return "inf"
    if isinstance(value, dict):
        return {k: _encode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_encode(v) for v in value]
    return value


def dump_results(results: ResultFile, path: Path) -> None:
    data = _encode(asdict(results))
    temporary = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    temporary.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(temporary, path)


def _setup(data: dict, where: str) -> SetupOutcome:
    if data.get("status") not in STATUSES:
        raise ResultsError(f"{where}: status {data.get('status')!r} is not one of {', '.join(STATUSES)}")
    difference = data.get("max_abs_diff")
    return SetupOutcome(
        status=data["status"],
        runs=int(data.get("runs", 0)),
        max_abs_diff=math.inf if difference == "inf" else None if difference is None else float(difference),
        differing_outputs=list(data.get("differing_outputs", [])),
        seconds=[float(s) for s in data.get("seconds", [])],
        detail=str(data.get("detail", "")),
    )


def load_results(path: Path) -> ResultFile:
    """Read a results file; any problem raises ResultsError naming the file."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ResultsError(f"{path}: cannot read results: {error.strerror or error}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ResultsError(f"{path}: not a JSON results file: {error}") from None
    if not isinstance(data, dict) or data.get("format") != RESULTS_FORMAT:
        raise ResultsError(f"{path}: not an mlfcore-lint verify results file (format {RESULTS_FORMAT})")
    try:
        outcomes = []
        for index, item in enumerate(data["outcomes"]):
            where = f"{path}: outcome {index + 1}"
            setups = {name: _setup(item["setups"][name], f"{where}: setup {name}") for name in SETUPS}
            outcomes.append(FixtureOutcome(
                fixture=item["fixture"], rule=item["rule"], framework=item["framework"], variant=item["variant"],
                op=item["op"], build=dict(item.get("build", {})), setups=setups,
            ))
        return ResultFile(
            label=str(data["label"]), created=str(data["created"]), device=str(data["device"]),
            size=str(data["size"]), repeats=int(data["repeats"]), environment=dict(data["environment"]),
            outcomes=outcomes,
        )
    except (KeyError, TypeError, ValueError) as error:
        if isinstance(error, ResultsError):
            raise
        raise ResultsError(f"{path}: malformed results: missing or invalid {error}") from None
