"""Hostile files in a checked project: each run goes on, reports what it could not read as ``MLF9xx``, and
the front ends agree on every file they all read."""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from .harness import GOOD, only, run, run_all

LATIN_COOKIE = "# -*- coding: latin-1 -*-\nimport torch\nname = 'çé'; torch.backends.cudnn.benchmark = True\n"


def _link(path: Path, target) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.symlink_to(target)


def _write(path: Path, content: str | bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))


@dataclass
class Case:
    name: str
    build: object  # (project folder) -> None
    problems: set[tuple[str, str]] = field(default_factory=set)  # (path, MLF9xx code) the command reports
    reported: set[tuple[str, str]] = field(default_factory=set)  # other (path, code) it must report
    shared: tuple[str, ...] = ()  # files every front end reads: their findings must agree
    front_ends: tuple[str, ...] = ("check", "fix", "flake8", "pylint")


def _outside_links(project: Path) -> None:
    outside = project.parent / "outside"
    _write(outside / "shared.py", GOOD)
    _link(project / "shared.py", outside / "shared.py")
    _link(project / "linked", outside)
    _link(project / "gone", project.parent / "nowhere")  # a dangling folder link


def _file_loop(project: Path) -> None:
    _link(project / "a.py", project / "b.py")
    _link(project / "b.py", project / "a.py")


def _folder_loop(project: Path) -> None:
    _write(project / "pkg" / "m.py", GOOD)
    _link(project / "pkg" / "loop", project / "pkg")
    _link(project / "pkg" / "up", project)


def _deep_notebooks(project: Path) -> None:
    _write(project / "deep.ipynb", "[" * 200_000)
    cells = {"cells": [{"cell_type": "code", "source": "x = 1\n", "metadata": {"m": json.loads("[" * 400 + "]" * 400)}}]}
    _write(project / "nested.ipynb", json.dumps(cells))  # deep but valid: read


def _special_environment_files(project: Path) -> None:
    os.mkfifo(project / "requirements.txt")
    _link(project / "environment.yml", "/dev/zero")
    _link(project / "Dockerfile", "/dev/zero")
    _write(project / "requirements-dev.txt", b"#" * (5 * 1024 * 1024))
    _write(project / "requirements-test.txt", "torch==2.11\ncaf\xe9\n".encode("latin-1"))
    (project / "setup.cfg").write_bytes(b"[metadata]\nname = caf\xe9\n")


def _special_modules(project: Path) -> None:
    os.mkfifo(project / "pipe.py")  # a FIFO named like a module is not a module: passed over
    _link(project / "zero.py", "/dev/zero")
    _link(project / "dangling.py", project / "missing.py")


def _encodings(project: Path) -> None:
    _write(project / "cookie.py", LATIN_COOKIE.encode("latin-1"))
    _write(project / "nocookie.py", "import torch\nname = 'çé'; torch.backends.cudnn.benchmark = True\n".encode("latin-1"))
    _write(project / "bom_crlf.py", b"\xef\xbb\xbfimport torch\r\nx = '\xc3\xa9'; torch.backends.cudnn.benchmark = True\r\n")


def _control_characters(project: Path) -> None:
    _write(project / "new\nline.py", GOOD)
    _write(project / "esc\x1b[31mred.py", GOOD)


def _bad_sources(project: Path) -> None:
    """The engine's bad-input list (tests/engine/test_bad_input.py), in one project."""
    _write(project / "syntax.py", "import torch\ntorch.manual_seed(0)\ndef f(:\n")
    _write(project / "binary.py", b"\x89PNG\r\n\x1a\n\x00\x00torch")
    _write(project / "deep.py", "import torch\ntorch.manual_seed(0)\nx = " + "(" * 5000 + "1" + ")" * 5000 + "\n")
    _write(project / "empty.py", "")
    _write(project / "broken.ipynb", "{not json")
    # read for its console scripts (never run), and checked as a module
    _write(project / "setup.py", "import torch\ntorch.manual_seed(0)\nsetup(x=" + "[" * 3000 + "]" * 3000 + ")\n")


def _huge_module(project: Path) -> None:
    _write(project / "big.py", "import torch\n" + "x = 1\n" * (2 * 1024 * 1024))


def _long_chain(project: Path) -> None:
    _write(project / "chain.py", GOOD + "x = " + " + ".join(["1"] * 3000) + "\n")


def _wrong_shapes(project: Path) -> None:
    _write(project / "pyproject.toml", 'tool = 3\nproject = "x"\n[build-system]\nrequires = 5\n')


CASES = [
    Case("links-leaving-the-project", _outside_links,
         reported={("shared.py", "MLF140"), ("linked/shared.py", "MLF140")}, shared=("good.py", "shared.py")),
    Case("file-link-loop", _file_loop, problems={("a.py", "MLF901"), ("b.py", "MLF901")}, shared=("good.py",)),
    Case("folder-link-loop", _folder_loop, reported={("pkg/m.py", "MLF140")}, shared=("good.py", "pkg/m.py")),
    Case("deep-notebooks", _deep_notebooks, problems={("deep.ipynb", "MLF903")}, shared=("good.py",)),
    Case("environment-files-that-hang-or-flood", _special_environment_files,
         problems={("requirements.txt", "MLF905"), ("environment.yml", "MLF905"), ("Dockerfile", "MLF905"),
                   ("requirements-dev.txt", "MLF905"), ("requirements-test.txt", "MLF905"), ("setup.cfg", "MLF905")},
         shared=("good.py",)),
    # flake8 and pylint open a FIFO named like a module themselves, and wait for a writer: they are not run.
    Case("modules-that-are-not-files", _special_modules, problems={("dangling.py", "MLF901")},
         shared=("good.py",), front_ends=("check", "fix")),
    # pylint cannot parse a file that is not UTF-8 without a cookie: it reports its own parse-error there.
    Case("encodings", _encodings, problems={("nocookie.py", "MLF901")},
         reported={("cookie.py", "MLF140"), ("bom_crlf.py", "MLF140")}, shared=("good.py", "cookie.py", "bom_crlf.py")),
    Case("control-characters-in-paths", _control_characters,
         reported={("new\nline.py", "MLF140"), ("esc\x1b[31mred.py", "MLF140")}, shared=("good.py",)),
    # flake8 and pylint do not hand a module they cannot parse to plugins: they report it themselves.
    Case("bad-sources", _bad_sources,
         problems={("syntax.py", "MLF902"), ("binary.py", "MLF901"), ("deep.py", "MLF904"),
                   ("broken.ipynb", "MLF903"), ("setup.py", "MLF904")},
         shared=("good.py", "empty.py")),
    # flake8 and pylint take minutes over two million lines of their own checks: only ours are run.
    Case("huge-module", _huge_module, problems={("big.py", "MLF904")}, shared=("good.py",), front_ends=("check", "fix")),
    # flake8's and pylint's own parses of this file raise RecursionError (their limitation, before any plugin
    # runs): only the command and the fixer can be asked.
    Case("long-expression-chain", _long_chain, reported={("chain.py", "MLF140")}, shared=("good.py", "chain.py"),
         front_ends=("check", "fix")),
    Case("pyproject-of-the-wrong-shape", _wrong_shapes, shared=("good.py",)),
]


def new_project(tmp_path: Path) -> Path:
    """A project with one finding that every run must report: ``good.py``, MLF140 at 2:1."""
    folder = tmp_path / "project"
    folder.mkdir()
    (folder / "pyproject.toml").write_text('[project]\nname = "x"\n')
    (folder / "good.py").write_text(GOOD)
    return folder


@pytest.fixture
def project(tmp_path):
    folder = new_project(tmp_path)
    yield folder
    # Links and FIFOs left for pytest's clean-up are harmless; the folder loop is removed first all the same.
    for loop in (folder / "pkg" / "loop", folder / "pkg" / "up"):
        if loop.is_symlink():
            loop.unlink()


@pytest.mark.slow
@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_hostile_files(project, case):
    case.build(project)
    runs = run_all(project, case.front_ends)
    check = runs["check"]
    assert check.returncode == 1, check.output
    reported = check.codes_by_path()
    assert ("good.py", "MLF140") in reported, "one odd file must not stop the run"
    assert {item for item in reported if item[1].startswith("MLF9")} == case.problems
    assert case.reported <= reported
    fix = runs["fix"]
    assert fix.returncode in (0, 1), fix.output
    assert {f for f in fix.findings if f[3].startswith("MLF9")} == {f for f in check.findings if f[3].startswith("MLF9")}
    expected = only(check.findings, case.shared)
    assert expected, "each case compares at least one file"
    for front_end in ("flake8", "pylint"):
        if front_end in runs:
            assert only(runs[front_end].findings, case.shared) == expected, (front_end, runs[front_end].output)


def test_a_path_with_a_newline_is_one_line_of_text_output(project):
    _control_characters(project)
    result = run("check", project)  # JSON keeps the path as it is
    assert ("new\nline.py", 2, 1, "MLF140") in result.findings
    from ..conftest import run_cli

    text = run_cli("check", "--no-cache", "--target", "torch==2.11", ".", cwd=project)
    lines = text.stdout.splitlines()
    assert "new\\nline.py:2:1: MLF140 error: cuDNN benchmark mode picks convolution algorithms by timing, " \
           "which differs from run to run" in lines
    assert "esc\\x1b[31mred.py:2:1: MLF140" in text.stdout and "\x1b" not in text.stdout
    assert all(line.startswith(("good.py", "new\\nline.py", "esc\\x1b", "Found ")) for line in lines), lines


def test_nothing_is_written_into_the_project(project):
    before = sorted(p.name for p in project.iterdir())
    _encodings(project)
    run("check", project)
    assert sorted(p.name for p in project.iterdir()) == sorted(before + ["cookie.py", "nocookie.py", "bom_crlf.py"])
    assert shutil.which("git") is None or not (project / ".gitignore").exists()


DEPTH = 1100  # past the ~1,000 levels a recursive walk (os.walk before Python 3.12) can go


@pytest.fixture
def deep_project(tmp_path):
    folder = new_project(tmp_path)
    deepest = folder
    for _ in range(DEPTH):
        deepest = deepest / "d"
        deepest.mkdir()
    (deepest / "m.py").write_text(GOOD)
    yield folder
    # Removed here, one level at a time: pytest's own clean-up recurses, and a tree this deep breaks it.
    (deepest / "m.py").unlink()
    while deepest != folder:
        deepest.rmdir()
        deepest = deepest.parent


@pytest.mark.slow
def test_a_very_deep_folder_tree(deep_project):
    # flake8 and pylint walk folders recursively themselves, and stop with RecursionError: not run here.
    runs = run_all(deep_project, ("check", "fix"))
    deep_module = "/".join(["d"] * DEPTH) + "/m.py"
    assert runs["check"].codes_by_path() == {("good.py", "MLF140"), (deep_module, "MLF140")}
    assert runs["fix"].returncode == 1 and len(runs["fix"].findings) == 2
