"""What ``mlfcore-fix`` must never do to a file: follow a link out of the project, write what its user may not
write, lose its owner, group or hard links, change a byte it did not fix, or hang on a file it cannot fix."""

from __future__ import annotations

import os
import stat
import time

import pytest

from mlfcore_lint.fix.cli import main
from mlfcore_lint.fix.integrity import MAX_FIX_BYTES, keep_untouched_lines

FLAGGED = "import torch\n\ntorch.backends.cudnn.benchmark = True\n"
FIXED = "import torch\n\ntorch.backends.cudnn.benchmark = False\n"


@pytest.fixture
def project(tmp_path):
    root = tmp_path / "project"
    root.mkdir()
    (root / "pyproject.toml").write_text('[tool.mlfcore-lint]\ntarget = ["torch==2.13"]\n', encoding="utf-8")
    return root


def fix(project, capsys, *args):
    os.chdir(project)
    code = main(["--select", "MLF140", "--no-cache", *args, "."])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_a_link_to_a_file_outside_the_project_is_left_alone(project, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    outside = tmp_path / "shared.py"
    outside.write_text(FLAGGED, encoding="utf-8")
    (project / "train.py").symlink_to(outside)
    (project / "inside.py").write_text(FLAGGED, encoding="utf-8")
    (project / "alias.py").symlink_to(project / "inside.py")
    code, out, err = fix(project, capsys)
    assert outside.read_text(encoding="utf-8") == FLAGGED
    assert "left alone: train.py: a symbolic link to a file outside the project" in err
    assert (project / "inside.py").read_text(encoding="utf-8") == FIXED  # a link inside the project is fine
    assert (project / "train.py").is_symlink() and (project / "alias.py").is_symlink()
    assert code == 1 and "1 in files left alone" in out


def test_a_read_only_file_is_left_alone(project, capsys, monkeypatch):
    monkeypatch.chdir(project)
    path = project / "train.py"
    path.write_text(FLAGGED, encoding="utf-8")
    os.chmod(path, 0o444)
    code, out, err = fix(project, capsys)
    assert path.read_text(encoding="utf-8") == FLAGGED and stat.S_IMODE(os.stat(path).st_mode) == 0o444
    assert "left alone: train.py: read-only (mode 444)" in err or "left alone: train.py: you may not write it" in err
    assert code == 1


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a file to another owner needs root")
def test_owner_and_group_are_kept(project, capsys, monkeypatch):
    monkeypatch.chdir(project)
    path = project / "train.py"
    path.write_text(FLAGGED, encoding="utf-8")
    os.chown(path, 1234, 4321)
    assert fix(project, capsys)[0] == 0
    status = os.stat(path)
    assert (status.st_uid, status.st_gid) == (1234, 4321) and path.read_text(encoding="utf-8") == FIXED


def test_hard_links_are_kept(project, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(project)
    path = project / "train.py"
    path.write_text(FLAGGED, encoding="utf-8")
    other = tmp_path / "linked.py"
    os.link(path, other)
    inode = os.stat(path).st_ino
    assert fix(project, capsys)[0] == 0
    assert os.stat(path).st_ino == inode and os.stat(path).st_nlink == 2
    assert other.read_text(encoding="utf-8") == FIXED
    assert sorted(p.name for p in project.iterdir()) == ["pyproject.toml", "train.py"]  # no backup left


def test_form_feeds_and_cr_line_endings_are_kept(project, capsys, monkeypatch):
    monkeypatch.chdir(project)
    feeds = project / "feeds.py"
    feeds.write_bytes(b"import torch\n\x0cdef f():\n    return 1\n\n  \x0c  \n"
                      b"torch.backends.cudnn.benchmark = True\nx = 1  \x0c# c\x0c\n\x0c")
    carriage = project / "carriage.py"
    carriage.write_bytes(b"import torch\r\rtorch.backends.cudnn.benchmark = True\rx = 1\r")
    assert fix(project, capsys)[0] == 0
    assert feeds.read_bytes() == (b"import torch\n\x0cdef f():\n    return 1\n\n  \x0c  \n"
                                  b"torch.backends.cudnn.benchmark = False\nx = 1  \x0c# c\x0c\n\x0c")
    assert carriage.read_bytes() == b"import torch\r\rtorch.backends.cudnn.benchmark = False\rx = 1\r"


def test_untouched_lines_come_back_byte_for_byte():
    old = "a = 1\r\x0cb = 2\rc = 3\r"
    assert keep_untouched_lines(old, "a = 1\rb = 2\rc = 4") == "a = 1\r\x0cb = 2\rc = 4"
    assert keep_untouched_lines(old, old) == old


@pytest.mark.parametrize("shape", ["large", "long line", "deep"])
def test_what_the_fixer_cannot_handle_is_left_alone_quickly(project, capsys, monkeypatch, shape):
    monkeypatch.chdir(project)
    path = project / "generated.py"
    if shape == "large":
        rows = MAX_FIX_BYTES // 30 + 1000
        text = FLAGGED + "".join(f"value_{i} = [{i}, {i + 1}, 'text']\n" for i in range(rows))
    elif shape == "long line":
        text = FLAGGED + "x = [" + ", ".join(str(i) for i in range(170_000)) + "]\n"
    else:  # in the statement the fix changes (the others are copied as they are: see the next test)
        text = "x = {}\n" + FLAGGED.rstrip("\n") + "; y = x" + "[0]" * 1000 + "\n"
    path.write_text(text, encoding="utf-8")
    start = time.monotonic()
    code, out, err = fix(project, capsys)
    assert time.monotonic() - start < 60
    assert code == 1 and "left alone: generated.py: " in err
    assert path.read_text(encoding="utf-8") == text


def test_a_deep_expression_outside_the_fixed_statements_is_copied_as_it_is(project, capsys, monkeypatch):
    """Only the statements a fix changes are generated again: 1,000 chained subscripts elsewhere are fixed around."""
    monkeypatch.chdir(project)
    path = project / "generated.py"
    deep = "x = {}\ny = x" + "[0]" * 1000 + "\n"
    path.write_text(FLAGGED + deep, encoding="utf-8")
    start = time.monotonic()
    assert fix(project, capsys)[0] == 0
    assert time.monotonic() - start < 60
    assert path.read_text(encoding="utf-8") == FIXED + deep


def test_a_notebook_is_measured_by_its_code_not_its_outputs(project, capsys, monkeypatch):
    import json

    monkeypatch.chdir(project)
    picture = {"output_type": "display_data", "metadata": {},
               "data": {"image/png": "iVBORw0KGgo" + "A" * (MAX_FIX_BYTES + 100_000)}}  # one long line
    notebook = {"cells": [{"cell_type": "code", "metadata": {}, "execution_count": 1, "outputs": [picture],
                           "source": FLAGGED.splitlines(keepends=True)}],
                "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    path = project / "explore.ipynb"
    path.write_text(json.dumps(notebook, indent=1), encoding="utf-8")
    code, out, err = fix(project, capsys)
    assert "left alone" not in err
    fixed = json.loads(path.read_text(encoding="utf-8"))["cells"][0]
    assert "".join(fixed["source"]) == FIXED and fixed["outputs"] == [picture]
