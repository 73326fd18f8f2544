"""Lock files: the exact versions a resolver chose (``uv.lock``, ``poetry.lock``, ``pdm.lock``,
``pylock.toml`` and ``pylock.*.toml``, ``conda-lock.yml``)."""

from __future__ import annotations

from pathlib import Path

from ..config import normalize_distribution
from .files import Unreadable, read_toml, read_yaml
from .model import ProjectEnvironment

#: Lock files in TOML, and the array of tables that lists their packages.
TOML_LOCKS = {"uv.lock": "package", "poetry.lock": "package", "pdm.lock": "package", "pylock.toml": "packages"}
CONDA_LOCKS = ("conda-lock.yml", "conda-lock.yaml")


def lock_files(root: Path) -> list[Path]:
    names = [root / name for name in (*TOML_LOCKS, *CONDA_LOCKS)]
    names += sorted(root.glob("pylock.*.toml"))
    return [path for path in names if path.is_file()]


def read_lock(path: Path, found: ProjectEnvironment) -> None:
    try:
        if path.name in CONDA_LOCKS:
            root = read_yaml(path)
            entries = [node.plain() for node in (root.get("package").items() if root and root.get("package") else [])]
        else:
            data, _ = read_toml(path)
            entries = data.get(TOML_LOCKS.get(path.name, "packages"), [])
    except Unreadable as error:
        found.problems.append(error.problem)
        return
    found.lock_files.append(path)
    for entry in entries if isinstance(entries, list) else []:
        if isinstance(entry, dict) and isinstance(entry.get("name"), str) and isinstance(entry.get("version"), str):
            found.locked.setdefault(normalize_distribution(entry["name"]), set()).add(entry["version"])
