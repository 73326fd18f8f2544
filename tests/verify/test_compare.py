"""Comparing runs bit for bit, on stored run files."""

from __future__ import annotations

import math

import pytest

from mlfcore_lint.verify.compare import compare_runs, load_run

from .conftest import DATA


def runs(*names):
    return [load_run(DATA / f"run-{name}.npz") for name in names]


def test_identical_runs():
    result = compare_runs(runs("identical-a", "identical-b", "identical-a"))
    assert result.identical and result.max_abs_diff == 0.0 and result.differing_outputs == ()


def test_one_last_bit_is_a_difference_of_one_ulp():
    reference, changed = runs("identical-a", "last-bit")
    result = compare_runs([reference, changed])
    ulp = abs(float(changed["grad"][5]) - float(reference["grad"][5]))
    assert not result.identical and result.differing_outputs == ("grad",)
    assert result.max_abs_diff == ulp and 0 < ulp < 1e-6


def test_another_shape_or_a_missing_output_is_an_infinite_difference():
    for other in ("reshaped", "missing-output"):
        result = compare_runs(runs("identical-a", other))
        assert not result.identical and result.differing_outputs == ("output",)
        assert math.isinf(result.max_abs_diff)


def test_nan_against_a_number_is_an_infinite_difference():
    result = compare_runs(runs("identical-a", "nan"))
    assert result.differing_outputs == ("grad",) and math.isinf(result.max_abs_diff)


def test_a_single_run_cannot_be_compared():
    with pytest.raises(ValueError, match="at least two runs"):
        compare_runs(runs("identical-a"))
