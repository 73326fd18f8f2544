"""The files git ignores, read from ``.gitignore`` files without running git.

The rules of ``gitignore(5)``: blank lines and ``#`` comments are skipped; ``!`` re-includes what an earlier
pattern excluded; a trailing ``/`` matches folders only; a pattern with a ``/`` at its start or in its middle
is anchored to the folder of its ``.gitignore``, one without matches a name at any depth; ``*`` and ``?`` do
not cross ``/``; ``**/``, ``/**/`` and ``/**`` span folders; ``\\`` escapes. The patterns of a deeper
``.gitignore`` come after those of the folders above it, and the last pattern that matches decides. A path
inside an ignored folder is ignored whatever the patterns say about it (git does not look inside).

The ``.gitignore`` files read are those of the folders from the top of the repository (the nearest folder
above holding ``.git``) down to the path, and ``.git/info/exclude``. As in git (and in ruff, whose walker
requires a repository), they mean nothing outside a repository, and they never hide a file git tracks: the
tracked paths are read from the repository's index file (``.git/index``, versions 2 to 4), never by running
git, whose configuration a repository controls.
"""

from __future__ import annotations

import os
import re
import struct
from dataclasses import dataclass
from pathlib import Path

from .files import NotReadable, read_regular

MAX_IGNORE_FILE_BYTES = 1024 * 1024
#: A larger index is not read (its tracked files are then not told apart from untracked ones).
MAX_INDEX_BYTES = 256 * 1024 * 1024


@dataclass(frozen=True)
class Pattern:
    regex: re.Pattern
    negated: bool
    folders_only: bool
    anchored: bool  # matched against the path below the .gitignore's folder, not against a name

    def matches(self, relative: str, is_dir: bool) -> bool:
        if self.folders_only and not is_dir:
            return False
        subject = relative if self.anchored else relative.rsplit("/", 1)[-1]
        return self.regex.fullmatch(subject) is not None


def parse_line(line: str) -> Pattern | None:
    """One line of a ``.gitignore`` as a pattern (``None`` for a blank line or a comment)."""
    line = line.rstrip("\n").rstrip("\r")
    # Trailing spaces are dropped unless the last one is escaped.
    stripped = line.rstrip(" ")
    if stripped.endswith("\\") and len(stripped) < len(line):
        stripped += " "
    line = stripped
    if not line or line.startswith("#"):
        return None
    negated = line.startswith("!")
    if negated:
        line = line[1:]
    folders_only = line.endswith("/") and not line.endswith("\\/")
    if folders_only:
        line = line.rstrip("/")
    if not line:
        return None
    anchored = "/" in line.replace("\\/", "")  # a slash at the start or in the middle
    line = line.removeprefix("/")
    try:
        regex = re.compile(_translate(line), re.DOTALL)
    except re.error:
        return None  # git ignores a pattern it cannot read, too
    return Pattern(regex, negated, folders_only, anchored)


def _translate(pattern: str) -> str:
    """A glob of ``gitignore(5)`` as a regular expression over a ``/``-separated relative path."""
    out, index, length = [], 0, len(pattern)
    while index < length:
        at_part_start = index == 0 or pattern[index - 1] == "/"
        if pattern.startswith("**/", index) and at_part_start:
            out.append("(?:[^/]*/)*")  # zero or more folders
            index += 3
        elif pattern.startswith("**", index) and at_part_start and index + 2 == length:
            out.append(".*")  # everything inside (``a/**``), or everything (``**``)
            index += 2
        elif pattern[index] == "*":
            while index < length and pattern[index] == "*":
                index += 1
            out.append("[^/]*")
        elif pattern[index] == "?":
            out.append("[^/]")
            index += 1
        elif pattern[index] == "[":
            end, text = _bracket(pattern, index)
            out.append(text)
            index = end
        elif pattern[index] == "\\" and index + 1 < length:
            out.append(re.escape(pattern[index + 1]))
            index += 2
        else:
            out.append(re.escape(pattern[index]))
            index += 1
    return "".join(out)


def _bracket(pattern: str, start: int) -> tuple[int, str]:
    """A ``[...]`` class at ``start``: (index after it, its regular expression); a ``[`` with no end is literal."""
    index = start + 1
    negated = index < len(pattern) and pattern[index] in "!^"
    if negated:
        index += 1
    members = []
    if index < len(pattern) and pattern[index] == "]":  # a leading ``]`` is a member
        members.append("\\]")
        index += 1
    while index < len(pattern) and pattern[index] != "]":
        character = pattern[index]
        if character == "\\" and index + 1 < len(pattern):
            members.append(re.escape(pattern[index + 1]))
            index += 2
            continue
        members.append("-" if character == "-" else re.escape(character))
        index += 1
    if index >= len(pattern):
        return start + 1, "\\["
    body = "".join(members)
    return index + 1, (f"(?!/)[^{body}]" if negated else f"(?!/)[{body}]")


def read_patterns(path: Path) -> tuple[Pattern, ...]:
    """The patterns of one ignore file; none where it is missing, unreadable or not a regular file."""
    try:
        text = read_regular(path, MAX_IGNORE_FILE_BYTES).decode("utf-8", errors="replace")
    except NotReadable:
        return ()
    return tuple(pattern for pattern in map(parse_line, text.splitlines()) if pattern is not None)


def repository_top(start: Path) -> Path | None:
    """The nearest folder at or above ``start`` holding ``.git``; None outside a repository."""
    for candidate in [start, *start.parents]:
        if os.path.lexists(candidate / ".git"):
            return candidate
    return None


def git_folder(top: Path) -> Path:
    """The repository's git folder: ``.git``, or where a ``.git`` file points (``gitdir: ...`` of a worktree
    or a submodule)."""
    dot_git = top / ".git"
    if os.path.isfile(dot_git):
        try:
            text = read_regular(dot_git, 4096).decode("utf-8", errors="replace").strip()
        except NotReadable:
            return dot_git
        if text.startswith("gitdir:"):
            return (top / text[len("gitdir:"):].strip()).resolve()
    return dot_git


def tracked_paths(top: Path) -> frozenset[str] | None:
    """The paths (``/``-separated, below ``top``) the repository's index tracks; None where it cannot be read."""
    try:
        data = read_regular(git_folder(top) / "index", MAX_INDEX_BYTES)
    except NotReadable:
        return None
    try:
        return frozenset(_index_entries(data))
    except (struct.error, ValueError, IndexError, UnicodeDecodeError):
        return None


def _index_entries(data: bytes) -> list[str]:
    """The path of each entry of a git index (``gitformat-index(5)``: versions 2, 3 and 4)."""
    signature, version, count = struct.unpack(">4sLL", data[:12])
    if signature != b"DIRC" or version not in (2, 3, 4):
        raise ValueError("not a git index of a known version")
    paths, offset, previous = [], 12, b""
    for _ in range(count):
        flags = struct.unpack(">H", data[offset + 60:offset + 62])[0]
        start = offset + 62 + (2 if version >= 3 and flags & 0x4000 else 0)  # the extended flags
        if version == 4:  # the path shares a prefix with the previous one: drop N bytes, add the rest
            strip, position, shift = 0, start, 0
            while True:
                byte = data[position]
                position += 1
                strip = (strip << 7) | (byte & 0x7F) if shift == 0 else ((strip + 1) << 7) | (byte & 0x7F)
                shift += 1
                if not byte & 0x80:
                    break
            end = data.index(b"\0", position)
            path = previous[:len(previous) - strip] + data[position:end]
            offset = end + 1
        else:
            end = data.index(b"\0", start)
            path = data[start:end]
            offset += (end - offset + 8) // 8 * 8  # entries are padded with NULs to a multiple of 8 bytes
        paths.append(path.decode("utf-8"))
        previous = path
    return paths


class GitIgnore:
    """Answers whether git ignores a path below ``root`` (a project root). Each folder's ``.gitignore`` is read
    once, and each folder's verdict is computed once: a path costs the patterns of the ``.gitignore`` files
    above it, however deep it lies."""

    def __init__(self, root: Path):
        self.root = Path(os.path.abspath(root))
        self.top = repository_top(self.root)
        self._top = str(self.top).rstrip(os.sep) if self.top is not None else ""
        # folder -> the (folder, patterns) of every .gitignore from the top down to it, where there are any
        self._chains: dict[str, tuple[tuple[str, tuple[Pattern, ...]], ...]] = (
            {self._top: self._own(self._top)} if self.top is not None else {})
        self._folders: dict[tuple[str, str], bool] = {}  # (folder, counted below) -> ignored
        self._tracked: frozenset[str] | None = None  # read on first use
        self._tracked_folders: frozenset[str] = frozenset()

    def _is_tracked(self, relative: str, is_dir: bool) -> bool:
        """Whether git tracks the file ``relative``, or a file inside the folder ``relative``."""
        if self._tracked is None:
            self._tracked = tracked_paths(self.top) or frozenset()
            self._tracked_folders = frozenset(path.rsplit("/", depth)[0] for path in self._tracked
                                              for depth in range(1, path.count("/") + 1))
        return relative in (self._tracked_folders if is_dir else self._tracked)

    def _own(self, folder: str) -> tuple[tuple[str, tuple[Pattern, ...]], ...]:
        patterns = read_patterns(Path(folder) / ".gitignore")
        if folder == self._top:
            patterns = read_patterns(self.top / ".git" / "info" / "exclude") + patterns
        return ((folder, patterns),) if patterns else ()

    def _chain(self, folder: str) -> tuple[tuple[str, tuple[Pattern, ...]], ...]:
        """The patterns that apply inside ``folder`` (a folder at or below the top), with their folders."""
        missing = []
        while folder not in self._chains:
            missing.append(folder)
            folder = os.path.dirname(folder)
        chain = self._chains[folder]
        for below in reversed(missing):
            chain = self._chains[below] = chain + self._own(below)
        return chain

    def _matches(self, absolute: str, is_dir: bool) -> bool:
        """Whether the patterns above ``absolute`` ignore it (the last that matches decides)."""
        ignored = False
        for folder, patterns in self._chain(os.path.dirname(absolute)):
            relative = absolute[len(folder) + 1:].replace(os.sep, "/")
            for pattern in patterns:
                if pattern.matches(relative, is_dir):
                    ignored = not pattern.negated
        return ignored

    def _folder_ignored(self, folder: str, below: str) -> bool:
        """Whether ``folder``, or a folder above it and below ``below`` (the top: every one), is ignored."""
        missing = []
        while folder != below and (folder, below) not in self._folders:
            missing.append(folder)
            folder = os.path.dirname(folder)
        ignored = self._folders.get((folder, below), False)
        for inner in reversed(missing):
            ignored = ignored or self._matches(inner, True)
            self._folders[(inner, below)] = ignored
        return ignored

    def is_ignored(self, path: str | os.PathLike, is_dir: bool | None = None,
                   below: str | os.PathLike | None = None) -> bool:
        """Whether git ignores ``path`` (a file, or a folder with ``is_dir``): by a pattern, or because a folder
        above it is ignored (``below``: only the folders below this one count). Paths outside the repository
        are never ignored."""
        if self.top is None:
            return False  # outside a repository, a .gitignore means nothing
        absolute = os.path.abspath(path)
        if not absolute.startswith(self._top + os.sep):
            return False
        limit = self._top
        if below is not None:
            base = os.path.abspath(below)
            if absolute == base:
                return False
            if absolute.startswith(base + os.sep):
                limit = base
        if is_dir is None:
            is_dir = os.path.isdir(absolute)
        if self._is_tracked(absolute[len(self._top) + 1:].replace(os.sep, "/"), is_dir):
            return False  # git ignores untracked files only
        return self._folder_ignored(os.path.dirname(absolute), limit) or self._matches(absolute, is_dir)
