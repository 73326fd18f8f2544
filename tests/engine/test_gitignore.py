"""The ``.gitignore`` reader agrees with git itself, and ``check`` skips what git ignores unless told not to."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from mlfcore_lint.gitignore import GitIgnore, parse_line

from ..conftest import run_cli

PATTERNS = [
    # (pattern, path, is a folder, ignored)
    ("*.py", "a/b.py", False, True),
    ("/foo", "foo", False, True),
    ("/foo", "a/foo", False, False),
    ("foo/", "foo", False, False),
    ("foo/", "a/foo", True, True),
    ("a/**/b", "a/b", False, True),
    ("a/**/b", "a/x/y/b", False, True),
    ("**/foo", "x/y/foo", False, True),
    ("a/**", "a/x/y", False, True),
    ("a/**", "a", True, False),
    ("d?t", "d/t", False, False),
    ("[!a-c]x", "dx", False, True),
    ("[!a-c]x", "bx", False, False),
    ("\\#x", "#x", False, True),
    ("\\!x", "!x", False, True),
    ("a/*.py", "a/b/c.py", False, False),
    ("trailing\\ ", "trailing ", False, True),
    ("spaces   ", "spaces", False, True),
]


@pytest.mark.parametrize(("pattern", "path", "is_dir", "ignored"), PATTERNS)
def test_patterns(pattern, path, is_dir, ignored):
    assert parse_line(pattern).matches(path, is_dir) is ignored


def test_comments_and_blank_lines_are_no_patterns():
    assert parse_line("# note") is None and parse_line("   ") is None and parse_line("!") is None


TREE = {
    ".gitignore": "*.log\nbuild/\n/vendored\n!keep.log\nsecret_*.py\n**/gen/**\n",
    "sub/.gitignore": "!secret_ok.py\n*.py\n!main.py\n",
    "sub/deeper/.gitignore": "!*.py\n",
}
FILES = ["a.py", "x.log", "keep.log", "build/b.py", "src/build/c.py", "vendored/v.py", "src/vendored/v.py",
         "secret_key.py", "sub/secret_ok.py", "sub/main.py", "sub/other.py", "sub/deeper/d.py",
         "sub/deeper/e.txt", "pkg/gen/x/y.py", "gen/z.py", "build/keep.log"]


def make_tree(root):
    for name, text in TREE.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    for name in FILES:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text("x = 1\n")


@pytest.mark.skipif(shutil.which("git") is None, reason="git compares its own answer")
def test_agrees_with_git_check_ignore(tmp_path):
    make_tree(tmp_path)
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / ".git" / "info" / "exclude").write_text("x.log\na.py\n")
    result = subprocess.run(["git", "check-ignore", "--no-index", "--stdin"], cwd=tmp_path, input="\n".join(FILES),
                            capture_output=True, text=True)
    by_git = set(result.stdout.split())
    matcher = GitIgnore(tmp_path)
    by_us = {name for name in FILES if matcher.is_ignored(tmp_path / name)}
    assert by_us == by_git
    assert {"build/b.py", "vendored/v.py", "secret_key.py", "sub/other.py", "a.py", "sub/secret_ok.py"} <= by_us
    assert not {"keep.log", "sub/main.py", "sub/deeper/d.py", "src/vendored/v.py"} & by_us


BENCHMARK = "import torch\ntorch.backends.cudnn.benchmark = True\n"


def findings(tmp_path, *args):
    result = run_cli("check", "--no-cache", "--format", "json", "--target", "torch==2.11", *args, cwd=tmp_path)
    assert result.returncode in (0, 1), result.stderr
    return sorted(f["path"] for f in json.loads(result.stdout))


def test_check_skips_what_git_ignores(tmp_path):
    (tmp_path / ".git").mkdir()  # a repository (with no index yet: nothing tracked)
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n')
    (tmp_path / ".gitignore").write_text("third_party/\n*_generated.py\n")
    for name in ("train.py", "third_party/lib.py", "model_generated.py"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text(BENCHMARK)
    assert findings(tmp_path) == ["train.py"]
    assert findings(tmp_path, "--no-respect-gitignore") == ["model_generated.py", "third_party/lib.py", "train.py"]
    # a file named on the command line is checked, as in ruff, unless --force-exclude
    assert findings(tmp_path, "third_party/lib.py") == ["third_party/lib.py"]
    assert findings(tmp_path, "--force-exclude", "third_party/lib.py", "train.py") == ["train.py"]
    (tmp_path / "pyproject.toml").write_text('[tool.mlfcore-lint]\nrespect-gitignore = false\n')
    assert findings(tmp_path) == ["model_generated.py", "third_party/lib.py", "train.py"]
    assert findings(tmp_path, "--respect-gitignore") == ["train.py"]


def test_a_gitignore_outside_a_repository_ignores_nothing(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n')
    (tmp_path / ".gitignore").write_text("*.ipynb\nthird_party/\n")
    (tmp_path / "third_party").mkdir()
    (tmp_path / "third_party" / "lib.py").write_text(BENCHMARK)
    assert findings(tmp_path) == ["third_party/lib.py"]  # an unpacked source archive: git ignores nothing there


@pytest.mark.skipif(shutil.which("git") is None, reason="git writes the index")
@pytest.mark.parametrize("version", ["2", "3", "4"])
def test_files_git_tracks_are_checked_whatever_the_gitignore_says(tmp_path, version):
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n')
    (tmp_path / ".gitignore").write_text("notebooks/\n*_generated.py\n")
    for name in ("notebooks/prepare.py", "notebooks/scratch.py", "model_generated.py", "train.py"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text(BENCHMARK)
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    # tracked although ignored (added with --force, as a repository that ignores *.ipynb yet commits them)
    subprocess.run(["git", "add", "--force", "notebooks/prepare.py", "train.py"], cwd=tmp_path, check=True)
    subprocess.run(["git", "update-index", "--index-version", version], cwd=tmp_path, check=True)
    assert findings(tmp_path) == ["notebooks/prepare.py", "train.py"]
    matcher = GitIgnore(tmp_path)
    assert not matcher.is_ignored(tmp_path / "notebooks", is_dir=True)  # it holds a tracked file
    assert matcher.is_ignored(tmp_path / "notebooks" / "scratch.py")


def test_respect_gitignore_must_be_a_boolean(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.mlfcore-lint]\nrespect-gitignore = "yes"\n')
    result = run_cli("check", ".", cwd=tmp_path)
    assert result.returncode == 2
    assert "pyproject.toml: 'respect-gitignore' must be true or false" in result.stderr
