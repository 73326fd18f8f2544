"""Everything the project's environment files declare, read once per run from the project root."""

from __future__ import annotations

from pathlib import Path

from .docker import is_dockerfile, read_dockerfile
from .locks import lock_files, read_lock
from .manifests import read_conda_environment, read_mlproject, read_pyproject, read_setup_cfg
from .model import ProjectEnvironment
from .requirements import read_requirements
from .variables import read_dotenv, read_noxfile, read_tox_ini, read_workflow

#: Folders below the root where Dockerfiles are looked for, besides the root itself.
CONTAINER_FOLDERS = ("docker", "container", "containers", ".devcontainer", "deploy")


def requirement_files(root: Path) -> list[Path]:
    found = sorted(root.glob("requirements*.txt")) + sorted((root / "requirements").glob("*.txt"))
    return [path for path in found if path.is_file() or path.is_symlink()]


def scan(root: Path) -> ProjectEnvironment:
    """The environment the files at ``root`` declare (nothing is run, nothing is fetched)."""
    found = ProjectEnvironment()
    seen: set[Path] = set()
    for path in requirement_files(root):
        read_requirements(path, found.pins, found.problems, seen)
    if (root / "pyproject.toml").is_file():
        read_pyproject(root / "pyproject.toml", found)
    if (root / "setup.cfg").is_file():
        read_setup_cfg(root / "setup.cfg", found)
    conda_read: set[Path] = set()

    def read_conda(path: Path) -> None:
        if path.resolve() not in conda_read:
            conda_read.add(path.resolve())
            read_conda_environment(path, found)

    for name in ("environment.yml", "environment.yaml", "conda.yaml", "conda.yml"):
        if (root / name).is_file():
            read_conda(root / name)
    if (root / "MLproject").is_file():
        read_mlproject(root / "MLproject", found, read_conda)
    for path in lock_files(root):
        read_lock(path, found)
    for folder in (root, *(root / name for name in CONTAINER_FOLDERS)):
        if folder.is_dir():
            for path in sorted(folder.iterdir()):
                if is_dockerfile(path.name) and path.is_file():
                    read_dockerfile(path, found)
    if (root / ".env").is_file():
        read_dotenv(root / ".env", found)
    if (root / "tox.ini").is_file():
        read_tox_ini(root / "tox.ini", found)
    if (root / "noxfile.py").is_file():
        read_noxfile(root / "noxfile.py", found)
    workflows = root / ".github" / "workflows"
    if workflows.is_dir():
        for path in sorted(workflows.iterdir()):
            if path.suffix in (".yml", ".yaml") and path.is_file():
                read_workflow(path, found)
    return found
