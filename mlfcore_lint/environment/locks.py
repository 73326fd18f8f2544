"""Lock files: the exact versions a resolver chose (``uv.lock``, ``poetry.lock``, ``pdm.lock``,
``pylock.toml`` and ``pylock.*.toml``, ``conda-lock.yml``)."""

from __future__ import annotations

import os
from pathlib import Path

from ..config import normalize_distribution
from .files import read_toml, read_yaml, reports_unreadable
from .model import ProjectEnvironment

#: Lock files in TOML, and the array of tables that lists their packages.
TOML_LOCKS = {"uv.lock": "package", "poetry.lock": "package", "pdm.lock": "package", "pylock.toml": "packages"}
CONDA_LOCKS = ("conda-lock.yml", "conda-lock.yaml")


def lock_files(root: Path) -> list[Path]:
    names = [root / name for name in (*TOML_LOCKS, *CONDA_LOCKS)]
    names += sorted(root.glob("pylock.*.toml"))
    return [path for path in names if os.path.lexists(path) and not os.path.isdir(path)]


@reports_unreadable
def read_lock(path: Path, found: ProjectEnvironment) -> None:
    if path.name in CONDA_LOCKS:
        root = read_yaml(path)
        entries = [node.plain() for node in (root.get("package").items() if root and root.get("package") else [])]
    else:
        data, _ = read_toml(path)
        entries = data.get(TOML_LOCKS.get(path.name, "packages"), [])
    found.lock_files.append(path)
    for entry in entries if isinstance(entries, list) else []:
        if isinstance(entry, dict) and isinstance(entry.get("name"), str) and isinstance(entry.get("version"), str):
            name = normalize_distribution(entry["name"])
            found.locked.setdefault(name, set()).add(entry["version"])
            found.locked_in.setdefault(name, set()).add(lock_kind(path.name))


def lock_kind(name: str) -> str:
    """``pylock.gpu.toml`` is a ``pylock.toml``; every other lock file by its name."""
    return "pylock.toml" if name.startswith("pylock.") else name


#: Which lock files lock what each kind of file declares: uv, Poetry and PDM resolve ``pyproject.toml``;
#: conda-lock resolves ``environment.yml``; a ``pylock.toml`` (PEP 751) any of them. A lock does not pin what
#: another tool installs: ``pip install -r requirements.txt`` ignores ``uv.lock``.
LOCKS_FOR = {
    "pyproject.toml": {"uv.lock", "poetry.lock", "pdm.lock", "pylock.toml"},
    "environment": {"conda-lock.yml", "conda-lock.yaml", "pylock.toml"},
    "requirements": {"pylock.toml"},
}


def locks_for(file_name: str) -> set[str]:
    if file_name == "pyproject.toml":
        return LOCKS_FOR["pyproject.toml"]
    if file_name.startswith(("environment.", "conda.")):
        return LOCKS_FOR["environment"]
    return LOCKS_FOR["requirements"]
