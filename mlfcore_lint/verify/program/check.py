"""Run a program several times and compare the runs: what the command and the pytest plugin both call."""

from __future__ import annotations

import tempfile
from pathlib import Path

from ..environment import capture
from ..progress import Progress
from .compare import compare_program_runs
from .explain import explain
from .launcher import Target, start_run
from .report import result_json


def verify_program(target: Target, steps: int, runs: int, setup: str, device: str, timeout: float,
                   progress: Progress | None = None, cwd: Path | None = None) -> dict:
    """The JSON result of ``runs`` runs of ``target`` stopped after ``steps`` optimizer steps."""
    environment = capture()
    finished = []
    with tempfile.TemporaryDirectory(prefix="mlfcore-verify-program-") as temporary:
        try:
            for number in range(1, runs + 1):
                done = [0]

                def on_step(step, number=number, done=done):
                    if progress is not None and step > done[0]:
                        done[0] = step
                        progress.step(f"run {number}/{runs}: step {step}/{steps}")

                run = start_run(number, target, Path(temporary) / f"run-{number}", steps, setup, device, timeout,
                                on_step, cwd)
                if progress is not None:  # a run that stopped early still counts its missing steps as done
                    for _ in range(steps - done[0]):
                        progress.step(f"run {number}/{runs}: ended after {done[0]} steps")
                finished.append(run)
                if run.trace is None:
                    break
            comparison = compare_program_runs(finished)
            divergence = comparison.divergence
            explanations = []
            if divergence is not None:
                trace = finished[0].trace
                switch = trace["switch"][divergence.step - 1] if divergence.step <= len(trace["switch"]) else False
                explanations = explain(divergence, trace["build"].get("version"), switch)
            elif comparison.error is not None and comparison.error.get("module") is not None:
                from .explain import module_rules

                trace = finished[0].trace
                explanations = module_rules(comparison.error["module"], comparison.error.get("phase") == "backward",
                                            trace["build"].get("version"), False)
        finally:
            for run in finished:
                run.close()
    builds = [run.trace["build"] for run in finished if run.trace and run.trace.get("build")]
    environment["builds"] = {"torch": builds[0]} if builds else {}
    options = {"script": str(target.script) if target.script else None, "arguments": list(target.arguments),
               "factory": target.factory, "steps": steps, "setup": setup, "device": device}
    return result_json(comparison, explanations, options, finished, environment)
