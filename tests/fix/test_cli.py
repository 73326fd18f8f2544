"""The ``mlfcore-fix`` command end to end: modes, exit codes, and files that stay intact."""

from __future__ import annotations

import codecs
import json
import os
import stat
import subprocess
import sys

import pytest

from mlfcore_lint.fix.cli import main
from mlfcore_lint.fix.writer import FileSnapshot, StaleFile, write_atomically

FLAGGED = "import torch\n\n# fast\ntorch.backends.cudnn.benchmark = True  # keep\n"
FIXED = "import torch\n\n# fast\ntorch.backends.cudnn.benchmark = False\n"  # the comment at its end described True
SCRIPT = 'import torch\n\nif __name__ == "__main__":\n    model = torch.nn.Linear(2, 2)\n    model(x).sum().backward()\n'


def run_fix(*args, cwd):
    """The real console script in a process of its own, as a user runs it."""
    command = [sys.executable, "-m", "mlfcore_lint.fix.cli", *args]
    return subprocess.run(command, cwd=cwd, check=False, capture_output=True, text=True, timeout=300)


@pytest.fixture
def fix(capsys, monkeypatch):
    """``mlfcore-fix`` in this process (fast): returns (exit code, stdout, stderr)."""
    def run(*args, cwd):
        monkeypatch.chdir(cwd)
        code = main(list(args))
        captured = capsys.readouterr()
        return subprocess.CompletedProcess(args, code, captured.out, captured.err)
    return run


@pytest.fixture
def project(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.mlfcore-lint]\ntarget = ["torch==2.13"]\n', encoding="utf-8")
    return tmp_path


def test_fix_in_place_then_nothing_left(project):
    (project / "train.py").write_text(FLAGGED, encoding="utf-8")
    result = run_fix("--select", "MLF140", "train.py", cwd=project)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (project / "train.py").read_text(encoding="utf-8") == FIXED
    assert "Fixed 1 findings in 1 file; 0 left." in result.stdout
    again = run_fix("--select", "MLF140", "train.py", cwd=project)
    assert again.returncode == 0 and "Fixed 0 findings" in again.stdout


def test_diff_writes_nothing(project):
    (project / "train.py").write_text(FLAGGED, encoding="utf-8")
    result = run_fix("--diff", "--select", "MLF140", ".", cwd=project)
    assert result.returncode == 1
    assert "-torch.backends.cudnn.benchmark = True  # keep\n" in result.stdout
    assert "+torch.backends.cudnn.benchmark = False\n" in result.stdout
    assert result.stdout.startswith("--- a/train.py\n+++ b/train.py\n")
    assert (project / "train.py").read_text(encoding="utf-8") == FLAGGED


def test_check_exits_one_while_fixes_are_pending(project, fix):
    (project / "train.py").write_text(FLAGGED, encoding="utf-8")
    assert fix("--check", "--select", "MLF140", ".", cwd=project).returncode == 1
    assert (project / "train.py").read_text(encoding="utf-8") == FLAGGED
    (project / "train.py").write_text(FIXED, encoding="utf-8")
    assert fix("--check", "--select", "MLF140", ".", cwd=project).returncode == 0


def test_findings_without_a_fix_keep_exit_code_one(project, fix):
    (project / "model.py").write_text("import torch.nn as nn\npool = nn.MaxPool3d(2)\n", encoding="utf-8")
    (project / "pyproject.toml").write_text('[tool.mlfcore-lint]\ntarget = ["torch==2.11"]\n', encoding="utf-8")
    result = fix("--select", "MLF101", ".", cwd=project)
    assert result.returncode == 1
    assert "model.py:2:8: MLF101" in result.stdout
    assert result.stdout.splitlines()[-1] == "Fixed 0 findings in 0 files; 1 left: 1 without an automatic fix."


def test_unsafe_fixes_only_when_asked(project, fix):
    source = 'import torch.nn as nn\nup = nn.Upsample(scale_factor=2, mode="bilinear")\n'
    (project / "model.py").write_text(source, encoding="utf-8")
    result = fix("--select", "MLF102", ".", cwd=project)
    assert result.returncode == 1 and "rerun with --unsafe-fixes" in result.stdout
    assert (project / "model.py").read_text(encoding="utf-8") == source
    result = fix("--select", "MLF102", "--unsafe-fixes", ".", cwd=project)
    assert result.returncode == 0
    assert 'mode="nearest"' in (project / "model.py").read_text(encoding="utf-8")


def test_ignore_and_select(project, fix):
    source = SCRIPT.replace("import torch\n", "import torch\ntorch.backends.cudnn.benchmark = True\n")
    (project / "train.py").write_text(source, encoding="utf-8")
    fix("--ignore", "MLF140", "--select", "MLF1", ".", cwd=project)
    text = (project / "train.py").read_text(encoding="utf-8")
    assert "benchmark = True" in text and "torch.manual_seed(SEED)" in text


def test_bad_arguments_exit_two(project, fix):
    assert fix("--select", "MLF999", ".", cwd=project).returncode == 2
    result = fix("missing.py", cwd=project)
    assert result.returncode == 2 and "missing.py" in result.stderr and "Traceback" not in result.stderr
    assert fix("--jobs", "0", ".", cwd=project).returncode == 2


def test_unparsable_file_is_reported_and_the_run_goes_on(project, fix):
    broken = FLAGGED + "def (:\n"
    (project / "broken.py").write_text(broken, encoding="utf-8")
    (project / "train.py").write_text(FLAGGED, encoding="utf-8")
    result = fix("--select", "MLF140,MLF902", ".", cwd=project)
    assert result.returncode == 1
    assert "broken.py:5" in result.stdout and "MLF902" in result.stdout
    assert (project / "broken.py").read_text(encoding="utf-8") == broken
    assert (project / "train.py").read_text(encoding="utf-8") == FIXED


def test_crlf_bom_encoding_and_mode_are_kept(project):
    path = project / "train.py"
    latin = "# -*- coding: latin-1 -*-\n# caf\xe9\n" + SCRIPT
    path.write_bytes(latin.replace("\n", "\r\n").encode("latin-1"))
    os.chmod(path, 0o754)
    bom = project / "bom.py"
    bom.write_bytes(codecs.BOM_UTF8 + FLAGGED.encode("utf-8"))
    assert main(["--select", "MLF140,MLF160,MLF161", str(project)]) == 0
    raw = path.read_bytes()
    assert raw.count(b"\r\n") == raw.count(b"\n") and b"caf\xe9" in raw
    assert raw.decode("latin-1").replace("\r\n", "\n").startswith(latin.split("if __name__")[0])
    assert b"SEED = 0\r\n" in raw and b"torch.manual_seed(SEED)\r\n" in raw
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o754
    assert bom.read_bytes() == codecs.BOM_UTF8 + FIXED.encode("utf-8")
    assert not [p for p in project.iterdir() if p.name.endswith(".mlfcore-fix")]


def test_many_files_fixed_in_parallel(project):
    for n in range(12):
        (project / f"module_{n}.py").write_text(FLAGGED, encoding="utf-8")
    assert main(["--select", "MLF140", "--jobs", "2", str(project)]) == 0
    assert {p.read_text(encoding="utf-8") for p in project.glob("module_*.py")} == {FIXED}


def test_unchanged_files_are_not_rewritten(project):
    path = project / "clean.py"
    path.write_text("import torch\ntorch.backends.cudnn.benchmark = False\n", encoding="utf-8")
    before = os.stat(path).st_mtime_ns
    (project / "train.py").write_text(FLAGGED, encoding="utf-8")
    assert main(["--select", "MLF140", str(project)]) == 0
    assert os.stat(path).st_mtime_ns == before


def test_a_file_changed_after_reading_is_not_overwritten(tmp_path):
    path = tmp_path / "train.py"
    path.write_text(FLAGGED, encoding="utf-8")
    original = FileSnapshot.read(path)
    path.write_text(FLAGGED + "# edited meanwhile\n", encoding="utf-8")
    with pytest.raises(StaleFile):
        write_atomically(original, FIXED.encode("utf-8"))
    assert path.read_text(encoding="utf-8").endswith("# edited meanwhile\n")
    assert [p.name for p in tmp_path.iterdir()] == ["train.py"]


NOTEBOOK = {
    "cells": [
        {"cell_type": "markdown", "metadata": {}, "source": ["# Caf\u00e9 notes"]},
        {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
         "source": ["%matplotlib inline\n", "import torch\n", "torch.backends.cudnn.benchmark = True\n", "!ls"]},
        {"cell_type": "code", "execution_count": 1, "metadata": {"tags": ["keep"]}, "outputs": [],
         "source": ["x = 1"]},
    ],
    "metadata": {"kernelspec": {"name": "python3"}},
    "nbformat": 4,
    "nbformat_minor": 5,
}


def test_notebook_cells_are_fixed_and_the_rest_is_kept(project):
    path = project / "explore.ipynb"
    raw = json.dumps(NOTEBOOK, indent=1, ensure_ascii=False) + "\n"
    path.write_text(raw, encoding="utf-8")
    assert main(["--select", "MLF140", str(path)]) == 0
    fixed = path.read_text(encoding="utf-8")
    expected = dict(NOTEBOOK, cells=[dict(c) for c in NOTEBOOK["cells"]])
    expected["cells"][1]["source"] = ["%matplotlib inline\n", "import torch\n",
                                      "torch.backends.cudnn.benchmark = False\n", "!ls"]
    assert fixed == json.dumps(expected, indent=1, ensure_ascii=False) + "\n"


def test_notebook_fixes_reuse_the_imports_of_earlier_cells(project):
    path = project / "loader.ipynb"
    cells = [
        {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
         "source": ["import torch as th\n", "from torch.utils.data import DataLoader"]},
        {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
         "source": ["loader = DataLoader(range(8), num_workers=2)"]},
    ]
    path.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}, indent=2),
                    encoding="utf-8")
    assert main(["--select", "MLF163", str(path)]) == 0
    fixed = json.loads(path.read_text(encoding="utf-8"))
    assert fixed["cells"][0]["source"] == cells[0]["source"]
    cell = "".join(fixed["cells"][1]["source"])
    compile(cell, "cell 2", "exec")
    assert "worker_seed = th.initial_seed() % 2**32" in cell and "import torch" not in cell
    assert cell.endswith("loader = DataLoader(\n    range(8),\n    num_workers=2,\n"
                         "    generator=th.Generator().manual_seed(th.initial_seed()),\n    worker_init_fn=seed_worker,\n)")


def test_fixing_a_project_analyses_each_file_once_and_each_fixed_text_once(project, fix, monkeypatch):
    """The environment fixes' check and every pass share the facts of the files on disk, and a fixed text is
    analysed once however many passes follow (what keeps fixing within a few times a check)."""
    from mlfcore_lint import runner
    from mlfcore_lint.fix import runner as fix_runner

    (project / "requirements.txt").write_text("torch\n", encoding="utf-8")
    (project / "train.py").write_text(FLAGGED, encoding="utf-8")
    (project / "model.py").write_text("import torch\n\nlayer = torch.nn.Linear(2, 2)\n", encoding="utf-8")
    read, analysed = [], []
    real_read, real_analyse = runner._analyze, fix_runner.analyze_bytes
    monkeypatch.setattr(runner, "_analyze", lambda job, as_json: read.append(job[0]) or real_read(job, as_json))
    monkeypatch.setattr(fix_runner, "analyze_bytes", lambda raw, *rest: analysed.append(raw) or real_analyse(raw, *rest))
    result = fix("--check", "--no-cache", "--jobs", "1", ".", cwd=project)
    assert result.returncode == 1, result.stdout + result.stderr
    assert sorted(os.path.basename(path) for path in read) == ["model.py", "train.py"]
    assert len(analysed) == len(set(analysed)) >= 1
