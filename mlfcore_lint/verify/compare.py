"""Comparing the outputs of repeated runs: bit for bit, and by the largest absolute difference."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Comparison:
    identical: bool  # every output of every run has the bits of the first run's
    max_abs_diff: float  # largest |a - b| against the first run (inf: shapes, dtypes or names differ)
    differing_outputs: tuple[str, ...]  # names of the outputs that differ in some run


def load_run(path: Path) -> dict:
    import numpy

    with numpy.load(path, allow_pickle=False) as data:
        return {name: data[name] for name in data.files}


def array_difference(first, second) -> tuple[bool, float]:
    """(same bits, largest absolute difference) of two arrays; NaN against a number counts as inf."""
    import numpy

    if first.shape != second.shape or first.dtype != second.dtype:
        return False, math.inf
    if first.tobytes() == second.tobytes():
        return True, 0.0
    if first.dtype.kind not in "biufc":
        return False, math.inf
    a = first.astype(numpy.complex128 if first.dtype.kind == "c" else numpy.float64)
    b = second.astype(a.dtype)
    with numpy.errstate(invalid="ignore", over="ignore"):
        difference = numpy.abs(a - b)
    both_nan = numpy.isnan(a) & numpy.isnan(b)
    difference = numpy.where(both_nan, 0.0, difference)
    difference = numpy.where(numpy.isnan(difference), numpy.inf, difference)
    return False, float(difference.max()) if difference.size else 0.0


def compare_runs(runs: list[dict]) -> Comparison:
    """Compare every run with the first one."""
    if len(runs) < 2:
        raise ValueError("comparing needs at least two runs")
    reference = runs[0]
    largest = 0.0
    differing: set[str] = set()
    for run in runs[1:]:
        for name in set(reference) | set(run):
            if name not in reference or name not in run:
                differing.add(name)
                largest = math.inf
                continue
            same, difference = array_difference(reference[name], run[name])
            if not same:
                differing.add(name)
                largest = max(largest, difference)
    return Comparison(not differing, largest, tuple(sorted(differing)))
