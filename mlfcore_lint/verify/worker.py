"""What runs inside a fixture's process: repeat the fixture, save its outputs, time it, note any error.

The runner starts a generated entry program (see :mod:`.setups`) which calls :func:`main`.  Each repeat
calls ``prepare()`` (the setup's seeds and switch), then ``fixture.run(device, size)``, converts every
output to a NumPy array (which also waits for the device) and saves ``run-<n>.npz``; ``meta.json`` holds the
times, the framework's build (CUDA, cuDNN, device name) and the error, if one was raised.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from .environment import gpus
from .setups import DETERMINISTIC, FRAMEWORKS

META_FILE = "meta.json"
MESSAGE_LIMIT = 400


def to_array(value):
    """A tensor, array, scalar or ``bytes`` as a NumPy array with the same bits where NumPy has the type."""
    import numpy

    if isinstance(value, (bytes, bytearray)):
        return numpy.frombuffer(bytes(value), dtype=numpy.uint8)
    if hasattr(value, "detach"):  # a torch tensor
        value = value.detach().cpu()
        try:
            return value.numpy()
        except TypeError:  # bfloat16 and friends: float32 holds every value exactly
            return value.float().numpy()
    if hasattr(value, "numpy"):  # a TensorFlow tensor or variable
        return numpy.asarray(value.numpy())
    return numpy.asarray(value)


def run_once(fixture, device: str, size: int) -> dict:
    """Run the fixture once and return its outputs as NumPy arrays."""
    outputs = fixture.run(device, size)
    if not isinstance(outputs, dict) or not outputs or not all(isinstance(k, str) for k in outputs):
        raise TypeError(f"{fixture.__name__}.run must return a non-empty dict of named outputs")
    return {name: to_array(value) for name, value in outputs.items()}


def build_info(framework: str, device: str) -> dict:
    """The framework's version and the CUDA, cuDNN and device it runs on (it is imported already)."""
    module = sys.modules.get(FRAMEWORKS[framework].module)
    info: dict = {"version": getattr(module, "__version__", None)}
    try:
        if framework == "torch":
            info["cuda"] = module.version.cuda
            info["cudnn"] = module.backends.cudnn.version() if module.backends.cudnn.is_available() else None
            info["device"] = module.cuda.get_device_name(0) if device == "cuda" else "cpu"
        elif framework == "tensorflow":
            build = module.sysconfig.get_build_info()
            info["cuda"] = build.get("cuda_version")
            info["cudnn"] = build.get("cudnn_version")
            gpus = module.config.list_physical_devices("GPU")
            info["device"] = (module.config.experimental.get_device_details(gpus[0]).get("device_name")
                              if device == "cuda" and gpus else "cpu")
        elif framework == "xgboost":
            build = module.build_info()
            info["cuda"] = ".".join(map(str, build["CUDA_VERSION"])) if build.get("USE_CUDA") else None
            info["device"] = device
    except Exception as error:  # noqa: BLE001 - build details are optional; record why they are missing
        info["problem"] = f"{type(error).__name__}: {error}"[:MESSAGE_LIMIT]
    return info


def device_problem(framework: str, device: str) -> str:
    """Why the framework cannot run on ``device`` ("" when it can), so that a CPU fallback is never a GPU result."""
    if device != "cuda":
        return ""
    if not gpus():
        return "nvidia-smi sees no GPU"
    module = sys.modules.get(FRAMEWORKS[framework].module)
    if framework == "torch" and not module.cuda.is_available():
        return "this torch build sees no CUDA device"
    if framework == "tensorflow" and not module.config.list_physical_devices("GPU"):
        return "this TensorFlow build sees no GPU (it would place the ops on the CPU)"
    if framework == "xgboost" and not module.build_info().get("USE_CUDA"):
        return "this XGBoost build has no CUDA support"
    return ""


def describe_error(error: BaseException, framework: str, setup: str) -> dict:
    message = " ".join(str(error).split())[:MESSAGE_LIMIT]
    markers = FRAMEWORKS[framework].raised_markers
    under_switch = setup == DETERMINISTIC and any(marker in message for marker in markers)
    return {"type": type(error).__name__, "message": message, "under_switch": under_switch}


def main(fixture, prepare, framework: str, setup: str) -> None:
    parser = argparse.ArgumentParser(description="Run one fixture in one setup (started by mlfcore-lint verify).")
    parser.add_argument("--device", required=True)
    parser.add_argument("--size", type=int, required=True)
    parser.add_argument("--repeats", type=int, required=True)
    parser.add_argument("--output", type=Path, required=True)
    args = parser.parse_args()
    import numpy

    meta: dict = {"seconds": [], "error": None}
    problem = device_problem(framework, args.device)
    if problem:
        meta["error"] = {"type": "DeviceError", "message": problem, "under_switch": False}
    for index in range(0 if problem else args.repeats):
        try:
            prepare()
            start = time.perf_counter()
            arrays = run_once(fixture, args.device, args.size)
            meta["seconds"].append(time.perf_counter() - start)
        except Exception as error:  # noqa: BLE001 - the error is the result (e.g. raised under the switch)
            meta["error"] = describe_error(error, framework, setup)
            break
        numpy.savez(args.output / f"run-{index}.npz", **arrays)
    meta["build"] = build_info(framework, args.device)
    (args.output / META_FILE).write_text(json.dumps(meta), encoding="utf-8")
