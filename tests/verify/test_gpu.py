"""On a CUDA GPU: the alternatives stay deterministic (skipped cleanly without a GPU)."""

from __future__ import annotations

import pytest

from mlfcore_lint.verify.catalog import ALTERNATIVE
from mlfcore_lint.verify.environment import gpus
from mlfcore_lint.verify.progress import Progress
from mlfcore_lint.verify.runner import RunOptions, failures, run_suite

from .conftest import FIXTURES

pytestmark = [
    pytest.mark.gpu,
    pytest.mark.skipif(not gpus(), reason="needs a CUDA GPU (nvidia-smi sees none)"),
]


@pytest.mark.parametrize("framework", ["torch", "tensorflow", "xgboost"])
def test_every_alternative_is_deterministic_on_the_gpu(framework):
    chosen = [f for f in FIXTURES if f.directory == framework and f.variant == ALTERNATIVE]
    if not chosen:
        pytest.skip(f"no {framework} fixtures")
    results = run_suite(chosen, RunOptions(device="cuda", size="full", repeats=3, timeout=300), None,
                        Progress(len(chosen) * 3, enabled=False))
    ran = [o for o in results.outcomes if o.setups["deterministic"].status != "skipped"]
    if not ran:
        pytest.skip(f"{framework} is not installed, or no fixture is meant for its version")
    assert failures(results) == []
