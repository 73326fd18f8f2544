"""The cost of ``verify program``'s hooks: the same training steps with and without recording.

Each workload runs in fresh processes through the command's own launcher: once *plain* (only the step hook
that stops the run after the steps) and once *recorded* (every hook, the trace written).  The time counted
is from the first module call to the end of the last step, plus writing the trace for the recorded run, so
that starting Python and importing PyTorch (the same in both) do not dilute the ratio.  Target: recorded /
plain <= 3 on the example U-Net.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TARGET_RATIO = 3.0
WORKLOADS = (
    # (label, script, setup, steps, script arguments)
    ("examples/liver_unet (3D U-Net, 64³ volumes, batch 1)", "examples/liver_unet/train.py", "seeds", 3,
     ("--batch-size", "1")),
    ("tiny MLP (3-8-1, call overhead only)", "tests/verify/data/programs/seeded.py", "as-is", 20, ()),
)


@dataclass
class OverheadRow:
    workload: str
    steps: int
    plain_seconds: float  # first module call to the end of the last step
    recorded_seconds: float  # the same, recorded, plus writing the trace
    writing_seconds: float
    records: int

    @property
    def ratio(self) -> float:
        return self.recorded_seconds / self.plain_seconds


def _seconds(run) -> tuple[float, float]:
    if run.trace is None:
        raise RuntimeError(f"run failed: {run.log_tail}")
    seconds = run.trace["seconds"]
    return seconds["training"] + seconds["writing"], seconds["writing"]


def measure_program_overhead(repeat: int = 1) -> list[OverheadRow]:
    import sys

    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    from mlfcore_lint.verify.program.launcher import Target, start_run

    rows = []
    for label, script, setup, steps, arguments in WORKLOADS:
        target = Target(script=REPO / script, arguments=arguments)
        best: dict[bool, tuple] = {}
        with tempfile.TemporaryDirectory(prefix="mlfcore-bench-program-") as temporary:
            for attempt in range(repeat):
                for plain in (True, False):
                    folder = Path(temporary) / f"{attempt}-{'plain' if plain else 'recorded'}"
                    run = start_run(1, target, folder, steps, setup, "cpu", 1800, lambda step: None, REPO, plain)
                    seconds, writing = _seconds(run)
                    if plain not in best or seconds < best[plain][0]:
                        best[plain] = (seconds, writing, len(run.trace["records"]))
        rows.append(OverheadRow(label, steps, best[True][0], best[False][0], best[False][1], best[False][2]))
    return rows


def render_program_overhead(rows: list[OverheadRow], format_table, verdict) -> list[str]:
    table = [[r.workload, str(r.steps), f"{r.plain_seconds:.2f}", f"{r.recorded_seconds:.2f}",
              f"{r.writing_seconds:.2f}", str(r.records), f"{r.ratio:.2f}"] for r in rows]
    unet = rows[0]
    return ["verify program: training steps without and with the recording hooks (CPU, seconds)",
            format_table(["workload", "steps", "plain", "recorded", "of which writing", "records", "ratio"], table),
            f"  U-Net recorded / plain = {unet.ratio:.2f} (target <= {TARGET_RATIO:.0f}): "
            f"{verdict(unet.ratio, TARGET_RATIO)}", ""]
