"""Everything the project's environment files declare, read once per version of those files."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from .docker import is_dockerfile, read_dockerfile
from .locks import lock_files, read_lock
from .manifests import read_conda_environment, read_mlproject, read_pyproject, read_setup_cfg
from .model import ProjectEnvironment
from .requirements import read_requirements
from .variables import read_dotenv, read_noxfile, read_tox_ini, read_workflow

#: Folders below the root where Dockerfiles are looked for, besides the root itself.
CONTAINER_FOLDERS = ("docker", "container", "containers", ".devcontainer", "deploy")
CONDA_FILES = ("environment.yml", "environment.yaml", "conda.yaml", "conda.yml")
#: The folders whose listing decides which environment files there are.
_FOLDERS = ("", "requirements", *CONTAINER_FOLDERS, os.path.join(".github", "workflows"))


def requirement_files(root: Path) -> list[Path]:
    found = sorted(root.glob("requirements*.txt")) + sorted((root / "requirements").glob("*.txt"))
    return [path for path in found if path.is_file() or path.is_symlink()]


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
    files: list[tuple[str, Path]] = [("requirements", path) for path in requirement_files(root)]
    for kind, name in (("pyproject", "pyproject.toml"), ("setup.cfg", "setup.cfg"),
                       *(("conda", name) for name in CONDA_FILES), ("mlproject", "MLproject"),
                       ("dotenv", ".env"), ("tox", "tox.ini"), ("nox", "noxfile.py")):
        if (root / name).is_file():
            files.append((kind, root / name))
    files += [("lock", path) for path in lock_files(root)]
    for folder in (root, *(root / name for name in CONTAINER_FOLDERS)):
        if folder.is_dir():
            files += [("docker", path) for path in sorted(folder.iterdir())
                      if is_dockerfile(path.name) and path.is_file()]
    workflows = root / ".github" / "workflows"
    if workflows.is_dir():
        files += [("workflow", path) for path in sorted(workflows.iterdir())
                  if path.suffix in (".yml", ".yaml") and path.is_file()]
    return files


def scan(root: Path) -> ProjectEnvironment:
    """The environment the files at ``root`` declare (nothing is run, nothing is fetched); reused while no
    environment file changes (the front ends build the project step once per checked file)."""
    return _scan(stamp(root))


def stamp(root: Path) -> tuple:
    """Each environment file at ``root`` with its kind, modification time and size: what ``scan`` reads."""
    found = []
    for kind, path in environment_files(root):
        try:
            info = os.stat(path)
            found.append((kind, path, info.st_mtime_ns, info.st_size))
        except OSError:
            found.append((kind, path, 0, -1))
    return tuple(found)


@lru_cache(maxsize=8)
def _scan(stamp: tuple) -> ProjectEnvironment:
    found = ProjectEnvironment()
    seen_requirements: set[Path] = set()
    conda_read: set[Path] = set()

    def read_conda(path: Path) -> None:
        if path.resolve() not in conda_read:
            conda_read.add(path.resolve())
            read_conda_environment(path, found)

    readers = {
        "requirements": lambda path: read_requirements(path, found.pins, found.problems, seen_requirements),
        "pyproject": lambda path: read_pyproject(path, found),
        "setup.cfg": lambda path: read_setup_cfg(path, found),
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
