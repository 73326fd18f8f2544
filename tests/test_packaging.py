"""A real, non-editable ``pip install .`` into a fresh virtual environment finds rules, scripts and plugins."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_wheel_in_fresh_venv(tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    install = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", str(REPO)], capture_output=True, text=True, timeout=900
    )
    assert install.returncode == 0, install.stderr[-3000:]
    location = subprocess.run(
        [str(python), "-c", "import mlfcore_lint, pathlib; print(pathlib.Path(mlfcore_lint.__file__).parent)"],
        capture_output=True, text=True, check=True, cwd=tmp_path,
    ).stdout.strip()
    installed = Path(location)
    assert "site-packages" in installed.parts, "the test must use the installed copy, not the checkout"
    shipped = sorted(p.name for p in (installed / "_rules").glob("*.yaml"))
    assert shipped == sorted(p.name for p in (REPO / "rules").glob("*.yaml"))

    rules = subprocess.run([str(venv / "bin" / "mlfcore-lint"), "rules"], capture_output=True, text=True, cwd=tmp_path)
    assert rules.returncode == 0, rules.stderr
    assert len(rules.stdout.splitlines()) == len(
        subprocess.run([sys.executable, "-m", "mlfcore_lint", "rules"], capture_output=True, text=True, cwd=REPO).stdout.splitlines()
    )
    fix = subprocess.run([str(venv / "bin" / "mlfcore-fix"), "--help"], capture_output=True, text=True, cwd=tmp_path)
    assert fix.returncode == 0, fix.stderr

    (tmp_path / "bad.py").write_text("import torch\ntorch.backends.cudnn.benchmark = True\n")
    check = subprocess.run([str(venv / "bin" / "mlfcore-lint"), "check", "bad.py"], capture_output=True, text=True, cwd=tmp_path)
    assert check.returncode == 1 and "MLF140" in check.stdout

    plugins = subprocess.run(
        [str(python), "-c",
         "from importlib.metadata import entry_points; "
         "print([e.value for e in entry_points(group='flake8.extension') if e.name == 'MLF'])"],
        capture_output=True, text=True, check=True,
    ).stdout
    assert "mlfcore_lint.frontends.flake8_plugin:MlfcoreChecker" in plugins

    # The plugins work once the user's own flake8 and pylint are there.
    tools = subprocess.run([str(python), "-m", "pip", "install", "--quiet", "flake8", "pylint"],
                           capture_output=True, text=True, timeout=900)
    assert tools.returncode == 0, tools.stderr[-3000:]
    flake8 = subprocess.run([str(venv / "bin" / "flake8"), "--select=MLF", "bad.py"], capture_output=True, text=True, cwd=tmp_path)
    assert "MLF140" in flake8.stdout, flake8.stdout + flake8.stderr
    pylint = subprocess.run(
        [str(venv / "bin" / "pylint"), "--load-plugins=mlfcore_lint.pylint_plugin", "--disable=all",
         "--enable=cudnn-benchmark-enabled", "bad.py"], capture_output=True, text=True, cwd=tmp_path)
    assert "cudnn-benchmark-enabled" in pylint.stdout, pylint.stdout + pylint.stderr
