"""Every fixture runs once on the CPU with its small size, so that no fixture rots without a GPU."""

from __future__ import annotations

import numpy
import pytest

from mlfcore_lint.verify.runner import skip_reason
from mlfcore_lint.verify.worker import run_once

from .conftest import FIXTURES, fixture_id, import_fixture

# Each fixture runs a framework in a subprocess: slow (the quick loop leaves it to CI).
pytestmark = pytest.mark.slow


@pytest.mark.parametrize("fixture", FIXTURES, ids=fixture_id)
def test_fixture_runs_on_cpu(fixture):
    reason = skip_reason(fixture)
    if reason:
        pytest.skip(reason)
    module = import_fixture(fixture)
    outputs = run_once(module, "cpu", fixture.sizes["small"])
    assert outputs and all(isinstance(value, numpy.ndarray) and value.size for value in outputs.values())
