"""The machine a result comes from, read without importing any framework.

GPUs, driver and CUDA driver version come from ``nvidia-smi``; framework versions from the installed
distributions' metadata; the CUDA and cuDNN each framework was built with are added by the worker
processes, which import the framework anyway (see :func:`.worker.build_info`).
"""

from __future__ import annotations

import importlib.metadata
import os
import platform
import re
import shutil
import subprocess
import sys

from .setups import DETERMINISM_VARIABLES, FRAMEWORKS

EXTRA_DISTRIBUTIONS = ("numpy", "keras", "tf-keras", "nvidia-cudnn-cu12", "nvidia-cublas-cu12")


def _nvidia_smi(*arguments: str) -> str | None:
    executable = shutil.which("nvidia-smi")
    if executable is None:
        return None
    try:
        completed = subprocess.run([executable, *arguments], capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return completed.stdout if completed.returncode == 0 else None


def gpus() -> list[dict]:
    """One entry per NVIDIA GPU: name, driver version and memory (empty without a GPU or nvidia-smi)."""
    output = _nvidia_smi("--query-gpu=name,driver_version,memory.total", "--format=csv,noheader")
    found = []
    for line in (output or "").splitlines():
        parts = [part.strip() for part in line.split(",")]
        if len(parts) == 3 and parts[0]:
            found.append({"name": parts[0], "driver": parts[1], "memory": parts[2]})
    return found


def cuda_driver_version() -> str | None:
    match = re.search(r"CUDA Version:\s*([\d.]+)", _nvidia_smi() or "")
    return match.group(1) if match else None


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def installed_version(distributions) -> str | None:
    for distribution in distributions:
        try:
            return importlib.metadata.version(distribution)
        except importlib.metadata.PackageNotFoundError:
            continue
    return None


def capture() -> dict:
    """The environment of this machine, as recorded with every results file."""
    versions = {name: installed_version(setup.distributions) for name, setup in FRAMEWORKS.items()}
    versions.update({name: installed_version((name,)) for name in EXTRA_DISTRIBUTIONS})
    return {
        "platform": platform.platform(),
        "python": sys.version.split()[0],
        "cpu": cpu_model(),
        "cpu_count": os.cpu_count(),
        "gpus": gpus(),
        "cuda_driver": cuda_driver_version(),
        "versions": {name: version for name, version in versions.items() if version is not None},
        "variables": {name: os.environ.get(name) for name in DETERMINISM_VARIABLES},
    }
