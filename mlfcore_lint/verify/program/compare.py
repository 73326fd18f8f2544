"""Compare the traces of the runs record by record and find the first point where they part."""

from __future__ import annotations

import math
from dataclasses import dataclass

from .digest import Digest, largest_difference
from .launcher import Run

IDENTICAL, DIFFERS, RAISED, ERROR = "identical", "differs", "raised", "error"
VALUES, PATH, ENDED = "values", "path", "ended"  # how two runs part: a value, the calls made, one run stops


@dataclass
class Divergence:
    run: int  # the run that parts from run 1
    record: int  # position in the traces
    how: str  # VALUES, PATH or ENDED
    step: int
    phase: str
    kind: str
    module: dict | None  # the module's entry in the trace (class, site, arguments)
    name: str  # the parameter or the position of the tensor
    difference: float = math.inf  # the largest absolute difference (inf: shapes, dtypes or calls differ)
    exact: bool = True  # False: a lower bound from the kept sample and statistics
    differing_records: int = 0  # records that differ after the first, in this pair of runs
    draws_random: bool = False
    seeds: tuple = (None, None)  # torch.initial_seed() in run 1 and in the other run
    other: dict | None = None  # for PATH: what the other run recorded instead


def _key(record: dict) -> tuple:
    return (record["step"], record["phase"], record["kind"], record["module"], record["name"], len(record["tensors"]))


def _module(trace: dict, index) -> dict | None:
    return trace["modules"][index] if index is not None and 0 <= index < len(trace["modules"]) else None


def _same_module(first: dict, second: dict, index) -> bool:
    a, b = _module(first, index), _module(second, index)
    return (a or {}).get("class") == (b or {}).get("class")


def _describe(record: dict, trace: dict) -> dict:
    module = _module(trace, record["module"])
    return {"step": record["step"], "phase": record["phase"], "kind": record["kind"], "name": record["name"],
            "module": module}


def first_divergence(reference: Run, other: Run) -> Divergence | None:
    """The first record where ``other`` parts from ``reference``, or None when their records agree."""
    first, second = reference.trace, other.trace
    records_a, records_b = first["records"], second["records"]
    found: Divergence | None = None
    for index, (a, b) in enumerate(zip(records_a, records_b, strict=False)):
        if _key(a) != _key(b) or not _same_module(first, second, a["module"]):
            if found is None:
                found = Divergence(other.number, index, PATH, a["step"], a["phase"], a["kind"],
                                   _module(first, a["module"]), a["name"], other=_describe(b, second))
            break
        if all(x["hash"] == y["hash"] for x, y in zip(a["tensors"], b["tensors"], strict=True)):
            continue
        if found is not None:
            found.differing_records += 1
            continue
        difference, exact = 0.0, True
        for position, (x, y) in enumerate(zip(a["tensors"], b["tensors"], strict=True)):
            if x["hash"] != y["hash"]:
                value, is_exact = largest_difference(Digest.from_json(x), Digest.from_json(y),
                                                     reference.sample(index, position), other.sample(index, position))
                if value >= difference:
                    difference, exact = value, is_exact
        found = Divergence(other.number, index, VALUES, a["step"], a["phase"], a["kind"], _module(first, a["module"]),
                           a["name"], difference, exact, draws_random=bool(a.get("draws_random")),
                           seeds=(a.get("seed"), b.get("seed")))
    if found is None and len(records_a) != len(records_b):
        index = min(len(records_a), len(records_b))
        shorter, longer = (first, second) if len(records_a) > len(records_b) else (second, first)
        record = longer["records"][index]
        found = Divergence(other.number, index, ENDED, record["step"], record["phase"], record["kind"],
                           _module(longer, record["module"]), record["name"])
    return found


@dataclass
class ProgramComparison:
    outcome: str  # IDENTICAL, DIFFERS, RAISED or ERROR
    steps: int  # optimizer steps every run completed
    records: int  # records of run 1
    divergence: Divergence | None
    error: dict | None  # the first run's error: type, message, step, phase, module (its trace entry)
    problem: str = ""  # why a run has no result (crash, timeout, no step)


def _error_of(run: Run) -> dict | None:
    error = dict(run.trace.get("error") or {}) or None
    if error is not None:
        error["module"] = _module(run.trace, error.get("module"))
        error["run"] = run.number
    return error


def compare_program_runs(runs: list[Run]) -> ProgramComparison:
    """Compare every run with the first; the earliest divergence among them is the one reported."""
    for run in runs:
        if run.trace is None:
            why = "timed out" if run.timed_out else f"exit code {run.returncode}, no trace"
            return ProgramComparison(ERROR, 0, 0, None, None, f"run {run.number} {why}: {run.log_tail}".rstrip(": "))
    reference = runs[0]
    steps = min(run.trace["steps"] for run in runs)
    divergences = [d for d in (first_divergence(reference, run) for run in runs[1:]) if d is not None]
    divergence = min(divergences, key=lambda d: d.record) if divergences else None
    errors = [e for e in (_error_of(run) for run in runs) if e is not None]
    error = errors[0] if errors else None
    if error is not None:
        outcome = RAISED if error.get("under_switch") else ERROR
    elif divergence is not None:
        outcome = DIFFERS
    elif not any(run.trace["steps"] for run in runs):
        return ProgramComparison(ERROR, 0, len(reference.trace["records"]), None, None,
                                 "the program made no optimizer step (does it train with these arguments?)")
    else:
        outcome = IDENTICAL
    return ProgramComparison(outcome, steps, len(reference.trace["records"]), divergence, error)
