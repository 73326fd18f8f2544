"""``mlfcore-fix`` in the environment files, through the real commands: pins and a Dockerfile's ``ENV``."""

from __future__ import annotations

import importlib.metadata
import json
import subprocess
import sys

from packaging.version import Version

from ..conftest import run_cli

TRAIN = ('import torch\nif __name__ == "__main__":\n    torch.manual_seed(0)\n'
         "    torch.use_deterministic_algorithms(True)\n    model.cuda()(batch).sum().backward()\n")


def fix(folder, *options):
    return subprocess.run([sys.executable, "-m", "mlfcore_lint.fix.cli", *options, "."], cwd=folder,
                          capture_output=True, text=True, timeout=600)


def codes(folder):
    result = run_cli("check", ".", "--no-cache", "--format", "json", cwd=folder)
    return sorted((f["path"], f["code"]) for f in json.loads(result.stdout))


def test_a_range_is_pinned_to_the_version_the_lock_file_resolves(tmp_path):
    (tmp_path / "train.py").write_text(TRAIN)
    (tmp_path / "requirements.txt").write_text("# app\ntorch>=2.1  # the model\n")
    (tmp_path / "uv.lock").write_text('version = 1\n[[package]]\nname = "torch"\nversion = "2.11.0"\n')
    (tmp_path / "pyproject.toml").write_text('[tool.mlfcore-lint]\ntarget = ["torch==2.11"]\n')
    assert codes(tmp_path) == [("requirements.txt", "MLF060")]  # pip does not read uv.lock
    result = fix(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "requirements.txt: fixed MLF060 x1" in result.stdout
    assert (tmp_path / "requirements.txt").read_text() == "# app\ntorch==2.11.0  # the model\n"
    assert codes(tmp_path) == []


def test_locks_that_disagree_give_no_fix(tmp_path):
    (tmp_path / "train.py").write_text(TRAIN)
    (tmp_path / "requirements.txt").write_text("torch>=2.1\n")
    (tmp_path / "pylock.toml").write_text('lock-version = "1.0"\n[[packages]]\nname = "torch"\nversion = "2.4.0"\n')
    (tmp_path / "pylock.gpu.toml").write_text('lock-version = "1.0"\n[[packages]]\nname = "torch"\nversion = "2.5.1"\n')
    assert ("requirements.txt", "MLF060") not in codes(tmp_path)  # a pylock.toml locks what pip installs
    (tmp_path / "train.py").write_text("import numpy\n" + TRAIN)
    (tmp_path / "uv.lock").write_text('version = 1\n[[package]]\nname = "numpy"\nversion = "1.26.4"\n'
                                      '[[package]]\nname = "numpy"\nversion = "2.1.3"\n')
    (tmp_path / "requirements.txt").write_text("torch==2.4.0\nnumpy>=1\n")
    before = (tmp_path / "requirements.txt").read_text()
    assert ("requirements.txt", "MLF060") in codes(tmp_path)
    result = fix(tmp_path, "--diff")
    assert "requirements.txt" not in result.stdout  # two locked versions of numpy: no safe choice
    assert (tmp_path / "requirements.txt").read_text() == before


def test_a_conda_range_is_pinned_to_the_installed_version(tmp_path):
    installed = Version(importlib.metadata.version("numpy")).public
    (tmp_path / "train.py").write_text('import numpy as np\nif __name__ == "__main__":\n    np.random.seed(0)\n')
    (tmp_path / "environment.yml").write_text("name: x\ndependencies:\n  - python=3.11\n  - conda-forge::numpy>=1.0\n")
    assert codes(tmp_path) == [("environment.yml", "MLF060")]
    result = fix(tmp_path, "--diff")
    assert f"+  - conda-forge::numpy=={installed}" in result.stdout, result.stdout + result.stderr
    assert result.returncode == 1  # --diff: fixes are pending
    assert fix(tmp_path).returncode == 0
    assert codes(tmp_path) == []


def test_a_pin_takes_a_version_of_the_projects_target_not_one_outside_it(tmp_path):
    """torch 2.13 is installed here, but the project is checked against torch 2.11: the pin is 2.11. Where the
    target is a range that leaves out the installed version and names no single one, nothing is pinned."""
    installed = Version(importlib.metadata.version("torch")).public
    (tmp_path / "train.py").write_text(TRAIN)
    (tmp_path / "requirements.txt").write_text("torch>=2.1,<3\n")
    (tmp_path / "pyproject.toml").write_text('[tool.mlfcore-lint]\ntarget = ["torch==2.11"]\n')
    assert fix(tmp_path).returncode == 0
    assert (tmp_path / "requirements.txt").read_text() == "torch==2.11\n"
    (tmp_path / "requirements.txt").write_text("torch>=2.1,<3\n")
    (tmp_path / "pyproject.toml").write_text(f'[tool.mlfcore-lint]\ntarget = ["torch>={installed}"]\n')
    assert fix(tmp_path).returncode == 0
    assert (tmp_path / "requirements.txt").read_text() == f"torch=={installed}\n"
    (tmp_path / "requirements.txt").write_text("torch>=2.1,<3\n")
    (tmp_path / "pyproject.toml").write_text(f'[tool.mlfcore-lint]\ntarget = ["torch<{installed}"]\n')
    assert ("requirements.txt", "MLF060") in codes(tmp_path)
    fix(tmp_path)
    assert (tmp_path / "requirements.txt").read_text() == "torch>=2.1,<3\n"


def test_a_poetry_range_is_pinned_in_place(tmp_path):
    installed = Version(importlib.metadata.version("numpy")).public
    (tmp_path / "train.py").write_text('import numpy as np\nif __name__ == "__main__":\n    np.random.seed(0)\n')
    (tmp_path / "pyproject.toml").write_text(
        '[tool.poetry]\nname = "x"\n\n[tool.poetry.dependencies]\npython = "^3.11"\n'
        'numpy = { version = ">=1.0", optional = false }  # numbers\n')
    assert codes(tmp_path) == [("pyproject.toml", "MLF060")]
    assert fix(tmp_path).returncode == 0
    assert f'numpy = {{ version = "{installed}", optional = false }}  # numbers' in (
        tmp_path / "pyproject.toml").read_text()


def test_the_dockerfile_gets_the_cublas_variable_instead_of_the_program(tmp_path):
    (tmp_path / "train.py").write_text(TRAIN)
    (tmp_path / "requirements.txt").write_text("torch==2.9.0\n")
    (tmp_path / "Dockerfile").write_text("FROM python:3.11.9-slim AS base\nFROM base\nRUN pip install -r requirements.txt\n")
    assert codes(tmp_path) == [("train.py", "MLF162")]
    result = fix(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "Dockerfile").read_text() == (
        "FROM python:3.11.9-slim AS base\nFROM base\nENV CUBLAS_WORKSPACE_CONFIG=:4096:8\n"
        "RUN pip install -r requirements.txt\n")
    assert (tmp_path / "train.py").read_text() == TRAIN  # not also set in the program
    assert codes(tmp_path) == []


def test_without_a_dockerfile_the_program_is_fixed(tmp_path):
    (tmp_path / "train.py").write_text(TRAIN)
    (tmp_path / "requirements.txt").write_text("torch==2.9.0\n")
    assert fix(tmp_path).returncode == 0
    assert "CUBLAS_WORKSPACE_CONFIG" in (tmp_path / "train.py").read_text()


def test_an_examples_own_requirements_are_pinned_where_they_are_written(tmp_path):
    installed = Version(importlib.metadata.version("torch")).public
    (tmp_path / "pyproject.toml").write_text("[tool.black]\nline-length = 100\n")  # installs nothing
    (tmp_path / "example").mkdir()
    (tmp_path / "example" / "train.py").write_text(TRAIN)
    (tmp_path / "example" / "requirements.txt").write_text("torch>=1.8  # the example's own install file\n")
    assert codes(tmp_path) == [("example/requirements.txt", "MLF060")]
    result = fix(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "example" / "requirements.txt").read_text() == (
        f"torch=={installed}  # the example's own install file\n")
    assert codes(tmp_path) == []
