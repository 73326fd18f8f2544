"""Reading a file as text and writing it back without damage: its encoding, BOM, mode, owner, group and hard
links are kept, and an interrupted run leaves the old file or the new one, never a mix."""

from __future__ import annotations

import codecs
import os
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..engine.source import SourceProblem, has_bom, source_encoding


class StaleFile(Exception):
    """The file changed on disk after it was read; it is left as it is."""


@dataclass(frozen=True)
class FileSnapshot:
    path: Path  # the file the bytes live in (a symlink's target)
    raw: bytes
    mtime_ns: int
    mode: int
    uid: int = -1
    gid: int = -1
    links: int = 1

    @classmethod
    def read(cls, path: Path) -> FileSnapshot:
        real = Path(os.path.realpath(path))
        with open(real, "rb") as handle:
            status = os.fstat(handle.fileno())
            raw = handle.read()
        return cls(real, raw, status.st_mtime_ns, stat.S_IMODE(status.st_mode), status.st_uid, status.st_gid,
                   status.st_nlink)


def why_not_writable(path: Path, root: Path, mode: int) -> str:
    """Why the fixer must leave ``path`` alone ("" where it may write it): a symbolic link that leads out of
    the project, or a file its user may not write (root included: a file without write permission is
    read-only on purpose)."""
    absolute = Path(os.path.abspath(path))
    real = Path(os.path.realpath(path))
    if real != absolute and not real.is_relative_to(root.resolve()):
        return "a symbolic link to a file outside the project"
    if os.geteuid() == 0:
        if not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH):
            return f"read-only (mode {mode:o})"
    elif not os.access(real, os.W_OK):
        return "you may not write it"
    return ""


@dataclass(frozen=True)
class PythonText:
    """Source text as the parser sees it, and how to turn it back into the same kind of bytes."""

    text: str
    encoding: str
    bom: bool

    @classmethod
    def decode(cls, raw: bytes) -> PythonText:
        """Decode as the interpreter does (the engine's ``source_encoding``); raises ``ValueError`` if it cannot."""
        try:
            text, encoding = source_encoding(raw)
        except SourceProblem as problem:
            raise ValueError(problem.message) from None
        return cls(text, encoding, has_bom(raw))

    def encode(self, text: str) -> bytes:
        return (codecs.BOM_UTF8 if self.bom else b"") + text.encode(self.encoding)


def write_atomically(original: FileSnapshot, content: bytes) -> None:
    """Replace the file's bytes by ``content``, only if it still holds the bytes (and modification time) it
    was read with; otherwise :class:`StaleFile` is raised and nothing changes.

    The new bytes go to a temporary file in the same folder, with the file's mode, owner and group, which
    then replaces the file by a rename: an interrupted run leaves the old file or the new one. A file with
    several hard links, or whose owner or group the temporary file cannot take, is written in place instead
    (through the same inode), with a copy of its old bytes kept next to it until the write is complete.
    """
    if original.links > 1 or not _takes_owner(original):
        _write_in_place(original, content)
        return
    descriptor, temporary = tempfile.mkstemp(prefix=f".{original.path.name}.", suffix=".mlfcore-fix",
                                             dir=original.path.parent)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, original.mode)
        if original.uid >= 0 and (os.stat(temporary).st_uid, os.stat(temporary).st_gid) != (original.uid,
                                                                                          original.gid):
            os.chown(temporary, original.uid, original.gid)
        _ensure_unchanged(original)
        os.replace(temporary, original.path)
    except BaseException:
        _remove(temporary)
        raise


def _takes_owner(original: FileSnapshot) -> bool:
    """Whether a new file made by this process can have the original's owner and group (root can give any;
    others their own files, in a group they belong to), and the folder lets a rename replace the file."""
    if not os.access(original.path.parent, os.W_OK | os.X_OK):
        return False
    if original.uid < 0 or os.geteuid() == 0:
        return True
    return original.uid == os.geteuid() and (original.gid == os.getegid() or original.gid in os.getgroups())


def _write_in_place(original: FileSnapshot, content: bytes) -> None:
    backup = original.path.with_name(f".{original.path.name}.mlfcore-fix-backup")
    with open(backup, "xb") as handle:  # the old bytes, should the write below be interrupted
        handle.write(original.raw)
        handle.flush()
        os.fsync(handle.fileno())
    try:
        _ensure_unchanged(original)
        with open(original.path, "r+b") as handle:
            handle.write(content)
            handle.truncate(len(content))  # after the write: a shorter file never loses bytes it still needs
            handle.flush()
            os.fsync(handle.fileno())
    except StaleFile:
        _remove(str(backup))
        raise
    _remove(str(backup))


def _remove(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def _ensure_unchanged(original: FileSnapshot) -> None:
    try:
        now = FileSnapshot.read(original.path)
    except OSError as error:
        raise StaleFile(f"cannot read it again: {error.strerror or error}") from None
    if now.mtime_ns != original.mtime_ns or now.raw != original.raw:
        raise StaleFile("it changed on disk while it was being fixed; left as it is")
