"""The project's listing kept between runs (listing.py): reused while nothing that decides it changed, made
again as soon as anything does."""

from __future__ import annotations

import os

import pytest

from mlfcore_lint import discovery, listing
from mlfcore_lint.cache import FactsCache
from mlfcore_lint.config import Settings
from mlfcore_lint.discovery import discover


@pytest.fixture
def project(tmp_path, monkeypatch):
    # Files made a moment ago would count as "racy" (listing.py): these are all made before the listing starts.
    monkeypatch.setattr(listing, "RACY_SECONDS", 0)
    root = tmp_path / "project"
    (root / "pkg" / "deep").mkdir(parents=True)
    (root / "pkg" / "__init__.py").write_text("")
    (root / "pkg" / "deep" / "model.py").write_text("import torch\n")
    (root / "train.py").write_text("import pkg\n")
    return root


def run(root, **settings):
    """What ``discover`` lists at the root (relative names), and whether it walked the tree to know it."""
    walked = []
    below = discovery._below

    def counting(*args, **kwargs):
        walked.append(True)
        return below(*args, **kwargs)

    discovery._below = counting
    try:
        chosen = Settings(root=root, **settings)
        cache = FactsCache.for_project(root, "fingerprint")
        found = discover([root], chosen, cache)
    finally:
        discovery._below = below
    return sorted(os.path.relpath(path, root) for path, _ in found), bool(walked)


def test_an_unchanged_project_is_not_walked_again(project):
    first, walked = run(project)
    assert walked and first == ["pkg/__init__.py", "pkg/deep/model.py", "train.py"]
    assert run(project) == (first, False)


@pytest.mark.parametrize("change", ["add", "remove", "rename", "folder", "venv marker goes"])
def test_a_change_of_names_lists_the_project_again(project, change):
    venv = project / "tools"
    venv.mkdir()
    (venv / "pyvenv.cfg").write_text("home = /usr\n")
    (venv / "site.py").write_text("")
    run(project)
    deep = project / "pkg" / "deep"
    expected = ["pkg/__init__.py", "pkg/deep/model.py", "train.py"]
    if change == "add":
        (deep / "layers.py").write_text("")
        expected.insert(1, "pkg/deep/layers.py")
    elif change == "remove":
        (deep / "model.py").unlink()
        expected.remove("pkg/deep/model.py")
    elif change == "rename":
        (deep / "model.py").rename(deep / "net.py")
        expected[1] = "pkg/deep/net.py"
    elif change == "folder":
        (deep / "more").mkdir()
        (deep / "more" / "x.py").write_text("")
        expected.insert(1, "pkg/deep/more/x.py")
    else:
        (venv / "pyvenv.cfg").unlink()
        expected.append("tools/site.py")
    assert run(project) == (sorted(expected), True)


def test_settings_and_gitignore_files_decide_too(project):
    (project / ".git" / "info").mkdir(parents=True)
    run(project)
    assert run(project, exclude=("train.py",)) == (["pkg/__init__.py", "pkg/deep/model.py"], True)
    run(project)
    ignore = project / "pkg" / ".gitignore"
    ignore.write_text("deep/\n")  # a new .gitignore changes its folder
    assert run(project) == (["pkg/__init__.py", "train.py"], True)
    assert run(project)[1] is False
    ignore.write_text("nothing\n")  # an edit in place changes only the file
    assert run(project) == (["pkg/__init__.py", "pkg/deep/model.py", "train.py"], True)
    (project / ".git" / "info" / "exclude").write_text("train.py\n")
    assert run(project) == (["pkg/__init__.py", "pkg/deep/model.py"], True)


def test_a_gitignore_above_the_root_is_noticed(tmp_path, monkeypatch):
    monkeypatch.setattr(listing, "RACY_SECONDS", 0)
    (tmp_path / ".git").mkdir()
    root = tmp_path / "sub" / "project"
    root.mkdir(parents=True)
    (root / "a.py").write_text("")
    (root / "b.py").write_text("")
    assert run(root) == (["a.py", "b.py"], True)
    assert run(root)[1] is False
    (tmp_path / "sub" / ".gitignore").write_text("b.py\n")
    assert run(root) == (["a.py"], True)


def test_a_damaged_listing_is_not_used(project):
    run(project)
    for kept in (FactsCache.for_project(project, "fingerprint").directory / "listing").iterdir():
        kept.write_bytes(kept.read_bytes()[:-5] + b"xxxxx")
    assert run(project) == (["pkg/__init__.py", "pkg/deep/model.py", "train.py"], True)


def test_a_listing_made_while_files_change_is_not_kept(project, monkeypatch):
    monkeypatch.setattr(listing, "RACY_SECONDS", 2)  # the tree was made a moment ago
    run(project)
    assert run(project)[1] is True
