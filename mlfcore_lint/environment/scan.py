"""Everything the project's environment files declare, read once per version of those files."""

from __future__ import annotations

import os
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from .docker import is_dockerfile, read_dockerfile
from .locks import lock_files, read_lock
from .manifests import read_conda_environment, read_mlproject, read_pyproject, read_setup_cfg, read_setup_py
from .model import ProjectEnvironment
from .requirements import read_requirements
from .variables import read_dotenv, read_noxfile, read_tox_ini, read_workflow

#: Folders below the root where Dockerfiles are looked for, besides the root itself.
CONTAINER_FOLDERS = ("docker", "container", "containers", ".devcontainer", "deploy")
CONDA_FILES = ("environment.yml", "environment.yaml", "conda.yaml", "conda.yml")
#: How deep below a container folder Dockerfiles are looked for (``docker/3.0-5/base/Dockerfile.cpu``).
CONTAINER_DEPTH = 3
#: The files that say what a folder's code installs: a sub-folder with one of them is an environment of its own
#: (an examples repository whose every example has its own ``requirements.txt``).
INSTALL_KINDS = (("pyproject", "pyproject.toml"), ("setup.cfg", "setup.cfg"), ("setup.py", "setup.py"),
                 *(("conda", name) for name in CONDA_FILES))
#: The folders whose listing decides which environment files there are.
_FOLDERS = ("", "requirements", *CONTAINER_FOLDERS, os.path.join(".github", "workflows"))


def requirement_files(root: Path, names: set[str] | None = None) -> list[Path]:
    """``requirements*.txt`` in ``root`` and the ``.txt`` files of its ``requirements`` folder (hidden names
    aside, as a glob leaves them); ``names``: the listing of ``root`` where the caller has it."""
    names = _names(root) if names is None else names
    found = [root / name for name in sorted(names) if name.startswith("requirements") and name.endswith(".txt")]
    if "requirements" in names:
        folder = root / "requirements"
        found += [folder / name for name in sorted(_names(folder)) if name.endswith(".txt") and name[0] != "."]
    return [path for path in found if present(path)]


def _names(folder: Path) -> set[str]:
    try:
        return set(os.listdir(folder))
    except OSError:
        return set()


def present(path: Path) -> bool:
    """Whether an environment file is there to be read: anything but a folder, so that a FIFO, a device or a
    dangling link by that name is reported as a file that cannot be read (MLF905), not passed over."""
    return os.path.lexists(path) and not os.path.isdir(path)


def environment_files(root: Path) -> list[tuple[str, Path]]:
    """(kind, path) of every environment file at ``root``, in the order they are read; listed again only when
    a folder they are found in changes (a front end builds the project step once per file it checks)."""
    base = str(root)
    stamp = []
    for folder in _FOLDERS:
        try:
            stamp.append(os.stat(os.path.join(base, folder)).st_mtime_ns)
        except OSError:
            stamp.append(0)
    return _listing(base, tuple(stamp))


@lru_cache(maxsize=8)
def _listing(root_text: str, stamp: tuple) -> list[tuple[str, Path]]:
    root = Path(root_text)
    files = install_files(root)
    for kind, name in (("mlproject", "MLproject"), ("dotenv", ".env"), ("tox", "tox.ini"), ("nox", "noxfile.py")):
        if present(root / name):
            files.append((kind, root / name))
    files += [("lock", path) for path in lock_files(root)]
    files += [("docker", path) for path in _dockerfiles(root, 0)]
    for name in CONTAINER_FOLDERS:
        files += [("docker", path) for path in _dockerfiles(root / name, CONTAINER_DEPTH)]
    workflows = root / ".github" / "workflows"
    if workflows.is_dir():
        files += [("workflow", path) for path in sorted(workflows.iterdir())
                  if path.suffix in (".yml", ".yaml") and present(path)]
    return files


def install_files(folder: Path) -> list[tuple[str, Path]]:
    """(kind, path) of the files in ``folder`` that say what its code installs (one listing of the folder: a
    project has as many folders as a program may start in)."""
    names = _names(folder)
    files: list[tuple[str, Path]] = [("requirements", path) for path in requirement_files(folder, names)]
    # a folder that cannot be listed may still be entered: its files are then looked up by name
    files += [(kind, folder / name) for kind, name in INSTALL_KINDS
              if (name in names or not names) and present(folder / name)]
    return files


def _dockerfiles(folder: Path, depth: int) -> list[Path]:
    """The Dockerfiles in ``folder`` and, ``depth`` levels down, in its sub-folders (links are not followed)."""
    if not folder.is_dir():
        return []
    try:
        entries = sorted(folder.iterdir())
    except OSError:
        return []
    found = [path for path in entries if is_dockerfile(path.name) and present(path)]
    if depth > 0:
        for path in entries:
            if path.is_dir() and not path.is_symlink():
                found += _dockerfiles(path, depth - 1)
    return found


def scan(root: Path) -> ProjectEnvironment:
    """The environment the files at ``root`` declare (nothing is run, nothing is fetched); reused while no
    environment file changes (the front ends build the project step once per checked file)."""
    return _scan(stamp(root))


def scan_folder(folder: Path) -> ProjectEnvironment:
    """What the install files of one sub-folder declare (its ``requirements.txt``, ``setup.py`` ...)."""
    return _scan(_stamp(install_files(folder)))


def stamp(root: Path, folders: Iterable[Path] = ()) -> tuple:
    """Each environment file at ``root``, and each install file of ``folders`` (sub-folders a program may start
    in), with its kind, modification time and size: what ``scan`` and ``scan_folder`` read."""
    return _stamp([*environment_files(root), *(found for folder in folders for found in install_files(folder))])


def _stamp(files: list[tuple[str, Path]]) -> tuple:
    found = []
    for kind, path in files:
        try:
            info = os.stat(path)
            found.append((kind, path, info.st_mtime_ns, info.st_size))
        except OSError:
            found.append((kind, path, 0, -1))
    return tuple(found)


@lru_cache(maxsize=64)
def _scan(stamp: tuple) -> ProjectEnvironment:
    found = ProjectEnvironment()
    seen_requirements: set[Path] = set()
    conda_read: set[str] = set()

    def read_conda(path: Path) -> None:
        real = os.path.realpath(path)
        if real not in conda_read:
            conda_read.add(real)
            read_conda_environment(path, found)

    readers = {
        "requirements": lambda path: read_requirements(path, found.pins, found.problems, seen_requirements),
        "pyproject": lambda path: read_pyproject(path, found),
        "setup.cfg": lambda path: read_setup_cfg(path, found),
        "setup.py": lambda path: read_setup_py(path, found),
        "conda": read_conda,
        "mlproject": lambda path: read_mlproject(path, found, read_conda),
        "lock": lambda path: read_lock(path, found),
        "docker": lambda path: read_dockerfile(path, found),
        "dotenv": lambda path: read_dotenv(path, found),
        "tox": lambda path: read_tox_ini(path, found),
        "nox": lambda path: read_noxfile(path, found),
        "workflow": lambda path: read_workflow(path, found),
    }
    for kind, path, _, _ in stamp:
        readers[kind](path)
    return found
