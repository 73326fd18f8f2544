"""Which files a run checks (discovery below the paths given) and the project's console scripts."""

from __future__ import annotations

import ast
import configparser
import os
import re
import stat
from functools import partial
from pathlib import Path

from .config import Settings, read_pyproject, table_of
from .files import is_regular_file, read_regular, same_path, walk

SOURCE_SUFFIXES = (".py", ".pyi", ".ipynb")


class UsageError(Exception):
    """A problem with what the user asked for (exit code 2)."""


def discover(paths: list[Path], settings: Settings, cache=None) -> list[tuple[Path, str]]:
    """Source files below ``paths`` as (absolute path, path as shown), skipping excluded folders.

    ``cache``: the project's facts cache, where the listing of the project root may be kept between runs
    (see listing.py).
    """
    return [(Path(path), shown) for path, shown in discover_names(paths, settings, cache)]


def discover_names(paths: list[Path], settings: Settings, cache=None) -> list[tuple[str, str]]:
    """``discover``, with the absolute paths as strings: a re-run that the project memo answers compares names
    and stats files, and making a ``Path`` of each of thousands of files would cost more than that."""
    found: dict[str, str] = {}  # absolute path -> as shown; strings until the end (hashing a Path costs more)
    for path in paths:
        if not path.exists() and not path.is_symlink():
            raise UsageError(f"{path}: no such file or directory")
        if not path.is_dir():
            found.setdefault(str(path.absolute()), str(path))
            continue
        # A folder the user names is checked even where the configuration excludes it (as in ruff): then
        # the excludes apply to what lies below it.
        is_root = same_path(path, settings.root)
        base = path if not is_root and settings.is_excluded(path) else None
        if cache is not None and is_root:
            from .listing import project_listing

            entries = project_listing(path, settings, cache, partial(_listed_below, path, settings))
        else:
            entries = _below(path, settings, base)
        # Paths are strings until a file is kept (pathlib costs more than the walk on a large tree).
        absolute_top, shown_top = str(path.absolute()), str(path)
        for kind, name in entries:
            if kind == UNLISTED:  # a folder that cannot be listed is reported, as a file that cannot be read
                found.setdefault(str(Path(name).absolute()), str(Path(name)))
            else:
                absolute = os.path.join(absolute_top, name)
                # (a folder named by its absolute path shows each file by the same string: one string, not two)
                found.setdefault(absolute, name if shown_top == "." else absolute if shown_top == absolute_top
                                 else os.path.join(shown_top, name))
    return list(found.items())


FILE, UNLISTED = "file", "unlisted"


def _listed_below(path: Path, settings: Settings, folders: list[str]) -> list[tuple[str, str]]:
    return list(_below(path, settings, None, folders))


def _below(path: Path, settings: Settings, base: Path | None, folders: list[str] | None = None):
    """(FILE, the file's path below ``path``) for each source file, (UNLISTED, folder) for each folder that
    cannot be listed, in the walk's order; ``folders`` receives every folder whose entries decide the result."""
    unlisted: list[str] = []
    visited: set[tuple[int, int]] = set()
    top = os.fspath(path)

    def note(error: OSError) -> None:
        if error.filename is not None:
            unlisted.append(error.filename)

    for directory, subdirectories, filenames in walk(path, note):
        while unlisted:
            yield UNLISTED, unlisted.pop(0)
        identity = _identity(directory)
        if identity in visited:  # a symlink loop, or a folder reached twice
            subdirectories[:] = []
            continue
        visited.add(identity)
        if folders is not None:
            folders.append(directory)
        absolute = os.path.abspath(directory)  # once per folder: the names below it are plain entries
        kept = []
        for name in subdirectories:
            if settings.is_excluded(os.path.join(directory, name), base, True, os.path.join(absolute, name)):
                continue
            if os.path.lexists(os.path.join(directory, name, "pyvenv.cfg")):  # a virtual environment
                if folders is not None:
                    folders.append(os.path.join(directory, name))  # its marker may go
                continue
            kept.append(name)
        subdirectories[:] = sorted(kept)
        for name in sorted(filenames):
            if name.endswith(SOURCE_SUFFIXES):
                file_path = os.path.join(directory, name)
                # A FIFO or device named like a module would block the read; a dangling link is kept so that
                # it is reported as unreadable.
                if not _regular_or_dangling(file_path):
                    continue
                if not settings.is_excluded(file_path, base, False, os.path.join(absolute, name)):
                    yield FILE, file_path[len(top):].lstrip(os.sep)  # names from the walk: nothing to normalise
    while unlisted:
        yield UNLISTED, unlisted.pop(0)


def _regular_or_dangling(path: str) -> bool:
    """Whether ``path`` is (or links to) a regular file, or is a link to nothing (one stat)."""
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return True  # kept, to be reported as unreadable


def _identity(directory: str) -> tuple[int, int]:
    """The folder itself, whatever path leads to it (a constant-time stat, where resolving the path costs a
    look-up per level)."""
    try:
        info = os.stat(directory)
    except OSError:
        return (-1, hash(os.path.realpath(directory)))
    return (info.st_dev, info.st_ino)


def console_script_modules(root: Path) -> set[str]:
    """The project's console scripts (``pyproject.toml`` or ``setup.cfg``), as ``module:function``."""
    modules = set()
    scripts = table_of(table_of(read_pyproject(root / "pyproject.toml"), "project"), "scripts")
    for target in scripts.values():
        modules.add(str(target).split("[")[0].strip())
    modules.update(_setup_py_console_scripts(root / "setup.py"))
    setup_cfg = root / "setup.cfg"
    if is_regular_file(setup_cfg):
        parser = configparser.ConfigParser()
        try:
            parser.read_string(read_regular(setup_cfg).decode("utf-8"), str(setup_cfg))
            for line in parser.get("options.entry_points", "console_scripts", fallback="").splitlines():
                if "=" in line:
                    modules.add(line.split("=", 1)[1].split("[")[0].strip())
        except (configparser.Error, OSError, UnicodeDecodeError):
            pass
    return modules


_CONSOLE_SCRIPT = re.compile(r"^\s*[\w.-]+\s*=\s*([\w.]+\s*:\s*[\w.]+)\s*$")


def _setup_py_console_scripts(path: Path) -> set[str]:
    """``entry_points={"console_scripts": ["name = pkg.cli:main"]}`` in ``setup.py``, read from its syntax tree
    (never run): every string constant shaped like a console-script declaration."""
    try:
        if not is_regular_file(path):
            return set()
        tree = ast.parse(read_regular(path, 1_000_000))
    except (OSError, SyntaxError, ValueError, RecursionError, MemoryError):
        return set()
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            match = _CONSOLE_SCRIPT.match(node.value)
            if match:
                found.add(match.group(1).replace(" ", ""))
    return found
