"""The one reader of project files, and the one way of naming a path below the project root."""

from __future__ import annotations

import os

import pytest

from mlfcore_lint.files import NotReadable, read_regular, relative_to_root, same_path


def test_reads_a_regular_file_and_a_link_to_one(tmp_path):
    (tmp_path / "a.py").write_bytes(b"x = 1\n")
    (tmp_path / "link.py").symlink_to(tmp_path / "a.py")
    assert read_regular(tmp_path / "a.py") == read_regular(tmp_path / "link.py") == b"x = 1\n"


@pytest.mark.parametrize(("make", "reason"), [
    (lambda path: os.mkfifo(path), "not a regular file (a FIFO)"),
    (lambda path: path.symlink_to("/dev/zero"), "not a regular file (a character device)"),
    (lambda path: path.mkdir(), "not a regular file (a folder)"),
    (lambda path: path.write_bytes(b"#" * 101), "file is larger than 100 bytes; not read"),
    (lambda path: path.symlink_to(path), "cannot read file: Too many levels of symbolic links"),
    (lambda path: path.symlink_to(path.parent / "missing"), "cannot read file: No such file or directory"),
])
def test_refuses_what_would_hang_flood_or_fail(tmp_path, make, reason):
    path = tmp_path / "requirements.txt"
    make(path)
    with pytest.raises(NotReadable) as caught:
        read_regular(path, limit=100)
    assert str(caught.value) == reason and caught.value.path == str(path)
    assert caught.value.too_large == reason.startswith("file is larger")


def test_relative_to_root_names_links_where_they_lie_and_never_raises(tmp_path):
    root, outside = tmp_path / "project", tmp_path / "outside"
    (root / "pkg").mkdir(parents=True)
    outside.mkdir()
    (outside / "shared.py").write_text("")
    (root / "pkg" / "shared.py").symlink_to(outside / "shared.py")
    (root / "loop.py").symlink_to(root / "loop.py")
    (root / "linked").symlink_to(root / "pkg", target_is_directory=True)
    assert relative_to_root(root / "pkg" / "shared.py", root) == "pkg/shared.py"
    assert relative_to_root(root / "loop.py", root) == "loop.py"
    assert relative_to_root(root / "linked" / "shared.py", root) == "linked/shared.py"
    assert relative_to_root(outside / "shared.py", root) is None
    assert relative_to_root(root, root) == "."
    # the root reached through a link: the folders are resolved when the path as given lies elsewhere
    (tmp_path / "alias").symlink_to(root, target_is_directory=True)
    assert relative_to_root(tmp_path / "alias" / "pkg" / "shared.py", root) == "pkg/shared.py"
    assert same_path(tmp_path / "alias", root) and not same_path(root / "loop.py", root)
