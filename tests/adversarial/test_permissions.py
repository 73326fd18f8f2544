"""Files and folders the user may not read, tested without root's privileges.

CI runs as root, and ``chmod 000`` stops nobody with root's capabilities. The front ends run under
``setpriv``: as ``nobody`` where that user can run this interpreter, else as root without the capabilities
that bypass file permissions (``CAP_DAC_OVERRIDE``, ``CAP_DAC_READ_SEARCH``), so the permission bits are
checked either way. The tests skip only where ``setpriv`` is missing (or cannot drop privileges here).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from .harness import GOOD, assert_one_line_error, only, run_all

AS_NOBODY = ("setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups")
WITHOUT_FILE_CAPABILITIES = ("setpriv", "--bounding-set=-dac_override,-dac_read_search",
                             "--inh-caps=-dac_override,-dac_read_search")


def _enforced(prefix: tuple[str, ...], base: Path) -> bool:
    """Whether this interpreter, run under ``prefix``, imports the tools and is refused a mode-000 folder."""
    probe = base / "probe"
    probe.mkdir(mode=0)
    try:
        script = ("import os, mlfcore_lint, flake8, pylint\n"
                  f"try:\n    os.listdir({str(probe)!r})\nexcept PermissionError:\n    raise SystemExit(0)\n"
                  "raise SystemExit(3)\n")
        result = subprocess.run([*prefix, sys.executable, "-c", script], cwd=base, capture_output=True, timeout=120,
                                check=False)
        return result.returncode == 0
    except OSError:
        return False
    finally:
        probe.rmdir()


@pytest.fixture
def unprivileged():
    """(prefix that runs a command without privileges, a folder it can use)."""
    if os.geteuid() != 0:
        prefixes = [()]
    elif shutil.which("setpriv") is None:
        pytest.skip("setpriv is missing: the permission cases need to drop root's privileges")
    else:
        prefixes = [AS_NOBODY, WITHOUT_FILE_CAPABILITIES]
    base = Path(tempfile.mkdtemp(prefix="mlfcore-permissions-"))
    base.chmod(0o755)
    try:
        for prefix in prefixes:
            if prefix == AS_NOBODY:
                cache = base / "cache"
                cache.mkdir(exist_ok=True)
                shutil.chown(cache, "nobody", "nogroup")
                environment_prefix = ("env", f"XDG_CACHE_HOME={cache}")
            else:
                environment_prefix = ()
            if _enforced(prefix + environment_prefix, base):
                yield prefix + environment_prefix, base
                return
        pytest.skip("no way to run this interpreter without privileges here")
    finally:
        for path, folders, _ in os.walk(base):
            for name in folders:
                os.chmod(os.path.join(path, name), 0o755)
        shutil.rmtree(base, ignore_errors=True)


def _project(base: Path) -> Path:
    project = base / "project"
    project.mkdir()
    project.chmod(0o755)
    (project / "pyproject.toml").write_text('[project]\nname = "x"\n')
    (project / "good.py").write_text(GOOD)
    return project


@pytest.mark.slow
def test_unreadable_folder_file_and_environment_file(unprivileged):
    prefix, base = unprivileged
    project = _project(base)
    secret = project / "secret"
    secret.mkdir()
    (secret / "m.py").write_text(GOOD)
    (project / "hidden.py").write_text(GOOD)
    (project / "requirements.txt").write_text("torch==2.11\n")
    for path in (project / "hidden.py", project / "requirements.txt"):
        path.chmod(0)
    secret.chmod(0)  # the virtual-environment probe looks into every folder: it must not abort the run
    runs = run_all(project, prefix=prefix)
    check = runs["check"]
    assert check.returncode == 1, check.output
    assert check.codes_by_path() == {("good.py", "MLF140"), ("secret", "MLF901"), ("hidden.py", "MLF901"),
                                     ("requirements.txt", "MLF905")}
    messages = {f["path"]: f["message"] for f in json.loads(check.stdout)}
    assert "Permission denied" in messages["secret"] and "Permission denied" in messages["hidden.py"]
    fix = runs["fix"]
    assert fix.returncode == 1
    assert {f for f in fix.findings if f[3].startswith("MLF9")} == {f for f in check.findings if f[3].startswith("MLF9")}
    for front_end in ("flake8", "pylint"):
        assert only(runs[front_end].findings, ["good.py"]) == only(check.findings, ["good.py"]), runs[front_end].output


@pytest.mark.slow
def test_unreadable_configuration_is_one_line_error(unprivileged):
    prefix, base = unprivileged
    project = _project(base)
    (project / "pyproject.toml").write_text('[tool.mlfcore-lint]\nselect = ["MLF"]\n')
    (project / "pyproject.toml").chmod(0)
    for outcome in run_all(project, prefix=prefix).values():
        assert_one_line_error(outcome, "pyproject.toml")


@pytest.mark.slow
def test_unusable_cache_folder_only_costs_time(unprivileged, tmp_path):
    prefix, base = unprivileged
    project = _project(base)
    cache = base / "locked-cache"
    cache.mkdir(mode=0)
    prefix = tuple(part for part in prefix if not part.startswith("XDG_CACHE_HOME="))
    if prefix and prefix[-1] == "env":
        prefix = prefix[:-1]
    runs = run_all(project, ("check", "flake8"), prefix=(*prefix, "env", f"XDG_CACHE_HOME={cache}"))
    assert runs["check"].codes_by_path() == {("good.py", "MLF140")}
    assert only(runs["flake8"].findings, ["good.py"]) == only(runs["check"].findings, ["good.py"])
