"""One run, in a fresh process: install the hooks, run the user's script (or factory), write the trace.

``python -m mlfcore_lint.verify.program.child --output DIR --steps N --setup S --script train.py -- ARGS``
runs ``train.py`` as ``__main__`` with ``sys.argv = ["train.py", *ARGS]`` and its folder first on
``sys.path``, as ``python train.py ARGS`` would.  ``--factory module:function`` instead calls a function
that returns ``(model, optimizer, batch)`` or ``(model, optimizer, batch, loss)`` and trains it (the
pytest plugin).  After ``--steps`` optimizer steps the step hook raises :class:`.recorder.StopTraining`;
the trace is written whatever happened (``trace.json`` and the value samples in ``samples.npz``).
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import runpy
import sys
from pathlib import Path

TRACE_FILE, SAMPLES_FILE = "trace.json", "samples.npz"
TRACE_FORMAT = "mlfcore-lint-program-trace/1"


def seed_unseeded_numpy_generators() -> None:
    """Make ``numpy.random.default_rng()`` without a seed draw its seed from NumPy's (seeded) global generator.

    Part of the *seeds* setup: it stands for the seed a program should pass.  In a DataLoader worker the
    global generator is seeded by PyTorch from the worker's seed, so the data become repeatable too.
    """
    import numpy

    original = numpy.random.default_rng

    def default_rng(seed=None):
        if seed is None:
            seed = numpy.random.randint(0, 2**32, size=4, dtype=numpy.uint64)
        return original(seed)

    numpy.random.default_rng = default_rng


def apply_setup(setup: str) -> None:
    """Run the statements of the fixture suite's setup (seeds, then the switch) before the user's code."""
    from ..setups import DETERMINISTIC, FRAMEWORKS, SEED, SEEDS, setup_statements

    if setup not in (SEEDS, DETERMINISTIC):
        return  # as-is: the program exactly as written
    namespace: dict = {"SEED": SEED}
    framework = FRAMEWORKS["torch"]
    for statement in framework.imports + setup_statements(framework, setup):
        exec(statement, namespace)  # noqa: S102 - the fixed statements of setups.py, not user input
    seed_unseeded_numpy_generators()


def train_factory(factory, steps: int) -> None:
    """The training loop of the pytest plugin: the model is called with the batch, the loss is minimised."""
    import torch

    model, optimizer, batch, *rest = factory()
    loss_of = rest[0] if rest else None
    for _ in range(steps):
        optimizer.zero_grad()
        if isinstance(batch, dict):
            output = model(**batch)
        elif isinstance(batch, (tuple, list)):
            output = model(*batch)
        else:
            output = model(batch)
        if loss_of is not None:
            loss = loss_of(output)
        else:
            from .recorder import _tensors

            loss = sum(t.float().sum() for t in _tensors(output) if t.is_floating_point())
        if not isinstance(loss, torch.Tensor):
            raise TypeError("the loss must be a tensor")
        loss.backward()
        optimizer.step()


def _error(error: BaseException, recorder) -> dict:
    from ..setups import FRAMEWORKS
    from ..worker import MESSAGE_LIMIT

    message = " ".join(str(error).split())[:MESSAGE_LIMIT]
    switch = bool(recorder.torch.are_deterministic_algorithms_enabled())
    under_switch = switch and any(marker in message for marker in FRAMEWORKS["torch"].raised_markers)
    last = recorder.records[-1] if recorder.records else None
    if recorder.open_calls:
        module, phase = recorder.open_calls[-1], "forward"
    elif last is not None and last.phase == "backward" and last.module is not None:
        module, phase = last.module, "backward"
    else:
        module, phase = None, last.phase if last is not None else "forward"
    return {"type": type(error).__name__, "message": message, "under_switch": under_switch,
            "step": recorder.step, "phase": phase, "module": module}


def write_trace(folder: Path, recorder, error: dict | None, stopped: bool, device: str) -> None:
    import numpy

    from ..worker import build_info

    samples = {f"r{r}_{t}": sample for r, record in enumerate(recorder.records)
               for t, sample in enumerate(record.samples)}
    numpy.savez(folder / SAMPLES_FILE, **samples)
    written = recorder.clock()
    trace = {
        "format": TRACE_FORMAT,
        "seconds": {"training": (recorder.stopped_at or written) - (recorder.first_call or written),
                    "writing": written - (recorder.stopped_at or written)},
        "steps": len(recorder.switch_on),
        "stopped": stopped,
        "error": error,
        "switch": recorder.switch_on,
        "build": build_info("torch", device),
        "modules": [m.to_json() for m in recorder.modules],
        "records": [r.to_json() for r in recorder.records],
    }
    (folder / TRACE_FILE).write_text(json.dumps(trace), encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="One run of mlfcore-lint verify program (started by it).")
    parser.add_argument("--output", type=Path, required=True)
    parser.add_argument("--steps", type=int, required=True)
    parser.add_argument("--setup", required=True)
    parser.add_argument("--device", default="auto")
    parser.add_argument("--progress-fd", type=int)
    parser.add_argument("--plain", action="store_true", help="record nothing: only stop after the steps (benchmark)")
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("--script", type=Path)
    target.add_argument("--factory")
    parser.add_argument("arguments", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    arguments = args.arguments[1:] if args.arguments[:1] == ["--"] else args.arguments
    progress = os.fdopen(args.progress_fd, "w", buffering=1) if args.progress_fd is not None else None

    from .recorder import Recorder, StopTraining

    recorder = Recorder(args.steps, (lambda step: progress.write(f"{step}\n")) if progress else None,
                        record=not args.plain)
    recorder.install()
    error, stopped = None, False
    try:
        from ..worker import device_problem

        problem = device_problem("torch", args.device) if args.device == "cuda" else ""
        if problem:
            raise RuntimeError(f"--device cuda: {problem}")
        apply_setup(args.setup)
        if args.script is not None:
            script = args.script.resolve()
            sys.argv = [str(args.script), *arguments]
            sys.path[0] = str(script.parent)
            runpy.run_path(str(script), run_name="__main__")
        else:
            module_name, _, qualified = args.factory.partition(":")
            factory = importlib.import_module(module_name)
            for part in qualified.split("."):
                factory = getattr(factory, part)
            train_factory(factory, args.steps)
    except StopTraining:
        stopped = True
    except SystemExit as exit_:
        if exit_.code not in (None, 0):
            error = {"type": "SystemExit", "message": f"the program exited with {exit_.code!r}", "under_switch": False,
                     "step": recorder.step, "phase": None, "module": None}
    except BaseException as exception:  # noqa: BLE001 - the program's error is part of the result
        error = _error(exception, recorder)
        import traceback

        traceback.print_exc()
    recorder.uninstall()
    write_trace(args.output, recorder, error, stopped, "cuda" if args.device == "cuda" else _device(recorder))
    sys.stdout.flush()
    sys.stderr.flush()
    if progress is not None:
        progress.close()
    os._exit(0)  # the program's threads and atexit handlers must not keep a stopped run alive


def _device(recorder) -> str:
    torch = recorder.torch
    return "cuda" if torch.cuda.is_available() and torch.cuda.is_initialized() else "cpu"


if __name__ == "__main__":
    main()
