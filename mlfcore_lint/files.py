"""Reading the files of a checked project without trusting them, and naming them below its root.

A checked repository is input, not code the linter controls: a file named like a module or a configuration
file may be a FIFO (a read would wait for a writer forever), a link to ``/dev/zero`` (a read never ends), a
multi-gigabyte blob, or a link that resolves outside the project or into a loop. Every project file is read
through :func:`read_regular` (regular files only, up to a size limit, opened without blocking), and every
path is placed below the root with :func:`relative_to_root`, which never raises.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

#: The most a project file (a module, a notebook, a configuration or environment file) may hold.
MAX_PROJECT_FILE_BYTES = 10 * 1024 * 1024
#: Configuration and rule files are small; a larger one is a mistake or an attack.
MAX_CONFIG_BYTES = 4 * 1024 * 1024


class NotReadable(OSError):
    """A project file that is not read: ``reason`` says why on one line (for a finding or an error)."""

    def __init__(self, path: str | os.PathLike, reason: str, too_large: bool = False):
        super().__init__(reason)
        self.path, self.reason, self.too_large = str(path), reason, too_large

    def __str__(self) -> str:
        return self.reason


def read_regular(path: str | os.PathLike, limit: int = MAX_PROJECT_FILE_BYTES) -> bytes:
    """The bytes of the regular file at ``path`` (a link is followed), at most ``limit`` of them.

    Raises :class:`NotReadable` for a missing or unreadable file, a folder, a FIFO, a socket or a device,
    and a file larger than ``limit``. The file is opened without blocking, so a FIFO never waits for a
    writer; its type and size are read from the open descriptor, so a file swapped after a check is still
    caught.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    try:
        descriptor = os.open(path, flags)
    except OSError as error:
        raise NotReadable(path, f"cannot read file: {error.strerror or error}") from None
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            raise NotReadable(path, f"not a regular file ({_kind(info.st_mode)})")
        if info.st_size > limit:
            raise NotReadable(path, f"file is larger than {_size(limit)}; not read", too_large=True)
        chunks, total = [], 0
        while True:
            chunk = os.read(descriptor, min(1 << 20, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > limit:  # the file grew after fstat
                raise NotReadable(path, f"file is larger than {_size(limit)}; not read", too_large=True)
        return b"".join(chunks)
    except OSError as error:
        if isinstance(error, NotReadable):
            raise
        raise NotReadable(path, f"cannot read file: {error.strerror or error}") from None
    finally:
        os.close(descriptor)


def _kind(mode: int) -> str:
    for test, name in ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return name
    return "a special file"


def _size(limit: int) -> str:
    return f"{limit // (1024 * 1024)} MiB" if limit >= 1024 * 1024 else f"{limit} bytes"


def walk(top: str | os.PathLike, on_error=None):
    """``os.walk(top, followlinks=True)`` top-down, without recursion: a tree a few thousand folders deep is
    walked like any other (``os.walk`` recurses once per level, and raises RecursionError past about a
    thousand). Yields (folder, subfolder names, file names); the caller may prune the subfolder list in
    place. ``on_error`` receives the OSError of a folder that cannot be listed."""
    pending = [os.fspath(top)]
    while pending:
        folder = pending.pop()
        try:
            with os.scandir(folder) as entries:
                folders, files = [], []
                for entry in entries:
                    try:
                        is_folder = entry.is_dir()  # a link to a folder counts: links are followed
                    except OSError:
                        is_folder = False
                    (folders if is_folder else files).append(entry.name)
        except OSError as error:
            if on_error is not None:
                on_error(error)
            continue
        yield folder, folders, files
        pending.extend(os.path.join(folder, name) for name in reversed(folders))


def is_regular_file(path: str | os.PathLike) -> bool:
    """Whether ``path`` is (or links to) a regular file; never raises (a link loop is not one)."""
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except (OSError, ValueError):
        return False


def relative_to_root(path: str | os.PathLike, root: str | os.PathLike) -> str | None:
    """``path`` below the project ``root`` as a POSIX path, or ``None`` where it lies elsewhere; never raises.

    A file is named where it lies in the project tree (a link to shared code outside the project, or a link
    in a loop, is named by the link), so its own location is tried first; then the same with the folders of
    both resolved (a root or a current folder reached through a link).
    """
    absolute = os.path.abspath(path)
    root_text = os.path.abspath(root)
    candidates = ((absolute, root_text),
                  (os.path.join(os.path.realpath(os.path.dirname(absolute)), os.path.basename(absolute)),
                   os.path.realpath(root_text)))
    for candidate, base in candidates:
        if candidate == base:
            return "."
        prefix = base if base.endswith(os.sep) else base + os.sep
        if candidate.startswith(prefix):
            return Path(candidate[len(prefix):]).as_posix()
    return None


def same_path(one: str | os.PathLike, other: str | os.PathLike) -> bool:
    """Whether two paths name the same place (links resolved where they can be); never raises."""
    return os.path.realpath(one) == os.path.realpath(other)
