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


@pytest.mark.slow
def test_wheel_and_sdist_build_and_pass_twine_check(tmp_path):
    """``python -m build`` gives a wheel and an sdist that ``twine check --strict`` passes, with the license,
    the changelog, the hooks, the Action and the configuration schema where users look for them."""
    import tarfile
    import zipfile

    pytest.importorskip("build")
    pytest.importorskip("twine")
    built = subprocess.run([sys.executable, "-m", "build", "--no-isolation", "--outdir", str(tmp_path), str(REPO)],
                           capture_output=True, text=True, timeout=900)
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    (wheel,) = tmp_path.glob("mlfcore_lint-*.whl")
    (sdist,) = tmp_path.glob("mlfcore_lint-*.tar.gz")
    checked = subprocess.run([sys.executable, "-m", "twine", "check", "--strict", str(wheel), str(sdist)],
                             capture_output=True, text=True, timeout=300)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.count("PASSED") == 2

    names = zipfile.ZipFile(wheel).namelist()
    metadata = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    assert "License-Expression: Apache-2.0" in metadata and "License-File: LICENSE" in metadata
    assert "Project-URL: Changelog, " in metadata
    license_text = next(n for n in names if n.endswith(".dist-info/licenses/LICENSE"))
    assert zipfile.ZipFile(wheel).read(license_text) == (REPO / "LICENSE").read_bytes()
    assert {"mlfcore_lint/_rules/torch.yaml", "mlfcore_lint/cli/sarif.py"} <= set(names)

    with tarfile.open(sdist) as archive:
        top = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    assert {"LICENSE", "CHANGELOG.md", "README.md", "pyproject.toml", ".pre-commit-hooks.yaml", "action.yml",
            "action/check.sh", "mlfcore-lint.schema.json", "rules/torch.yaml", "tests/conftest.py"} <= top
    assert not [name for name in top if ".mlfcore_lint_cache" in name or "__pycache__" in name or ".venv" in name]


def test_license_is_the_apache_2_0_text():
    text = (REPO / "LICENSE").read_text(encoding="utf-8")
    assert "Apache License" in text and "Version 2.0, January 2004" in text
    assert "END OF TERMS AND CONDITIONS" in text and "APPENDIX: How to apply the Apache License" in text
    assert 'license = "Apache-2.0"' in (REPO / "pyproject.toml").read_text(encoding="utf-8")
