"""The framework versions a project targets: explicit targets, then its pins, then what is installed."""

from __future__ import annotations

import os
import re
import sys
from functools import cache
from pathlib import Path

from packaging.specifiers import SpecifierSet

from .config import Settings, distribution_names, normalize_distribution, pep503_name, read_pyproject, table_of
from .files import MAX_CONFIG_BYTES, NotReadable, read_regular


def project_pins(root: Path) -> dict[str, SpecifierSet]:
    """Versions the project fixes: what a lock file locks to exactly one version, then the first pin or range
    of each distribution in its requirements files, ``pyproject.toml``, ``setup.cfg`` and ``environment.yml``
    (read by :mod:`mlfcore_lint.environment`, which the environment rules use too)."""
    from .environment.scan import scan

    environment = scan(Path(os.path.realpath(root)))
    pins: dict[str, SpecifierSet] = {
        name: SpecifierSet(f"=={next(iter(versions))}")
        for name, versions in sorted(environment.locked.items()) if len(versions) == 1
    }
    for pin in environment.pins:
        if pin.distribution not in pins and str(pin.specifier):
            pins[pin.distribution] = pin.specifier
    return pins


def own_release(root: Path) -> tuple[str, SpecifierSet] | None:
    """The distribution the project itself is, and its version: the source of Lightning targets Lightning.

    Read from a static ``[project]`` name and version in ``pyproject.toml``, else from the ``PKG-INFO`` that
    every sdist carries (projects whose version is computed at build time only have it there).
    """
    project = table_of(read_pyproject(root / "pyproject.toml"), "project")
    name, version = project.get("name"), project.get("version")
    if not (isinstance(name, str) and isinstance(version, str)):
        name = version = None
        try:
            metadata = read_regular(root / "PKG-INFO", MAX_CONFIG_BYTES).decode("utf-8", errors="replace")
        except NotReadable:
            return None
        for line in metadata.splitlines():
            if not line.strip():
                break  # the headers end at the first empty line
            key, _, value = line.partition(":")
            if key == "Name":
                name = value.strip()
            elif key == "Version":
                version = value.strip()
    release = re.match(r"^[0-9]+(\.[0-9]+)*", version or "")
    if not name or release is None:
        return None
    return normalize_distribution(name), SpecifierSet(f"=={release.group(0)}")


def installed_versions(distributions) -> dict[str, SpecifierSet]:
    """Versions of installed distributions, read from their metadata (the framework is not imported)."""
    found = {}
    for distribution in distributions:
        for name in distribution_names(distribution):
            version = installed_version(name)
            base = re.match(r"^[0-9]+(\.[0-9]+)*", version or "")
            if base:
                found[distribution] = SpecifierSet(f"=={base.group(0)}")
                break
    return found


def installed_version(name: str) -> str | None:
    """The version of the installed distribution ``name``, as ``importlib.metadata.version`` gives it: that of the
    first record of it along ``sys.path``.

    Installers name the record ``{name}-{version}.dist-info`` (the wheel format, PEP 376), so the folder's name
    is read where it is one of those: the linter then loads neither ``importlib.metadata`` nor the email
    package it reads metadata with (2 MB of a large project's peak). Any other record (an ``.egg-info``, a name
    without a version), and any ``sys.path`` entry that is not a folder (a zip archive), is left to
    ``importlib.metadata``."""
    wanted = pep503_name(name)
    for entry in sys.path:
        listed = _listing(entry, _modified(entry))
        if listed is None:
            return _metadata_version(name)
        for item in listed:
            stem, _, suffix = item.rpartition(".")
            if suffix not in ("dist-info", "egg-info") or pep503_name(stem.partition("-")[0]) != wanted:
                continue
            version = stem.partition("-")[2]
            return version if suffix == "dist-info" and version else _metadata_version(name)
    return None


def _modified(entry: str) -> int | None:
    try:
        return os.stat(entry or ".").st_mtime_ns
    except OSError:
        return None


@cache
def _listing(entry: str, modified: int | None) -> tuple[str, ...] | None:
    """The names in a ``sys.path`` folder, listed again only where the folder changed (``modified``: its
    modification time; a long-running editor or pylint process sees a framework installed meanwhile); ``()``
    where it does not exist, None where it is something else (a zip archive, a folder that cannot be listed)."""
    try:
        return tuple(os.listdir(entry or "."))
    except FileNotFoundError:
        return ()
    except OSError:  # NotADirectoryError: a zip archive
        return None


def _metadata_version(name: str) -> str | None:
    import importlib.metadata

    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def resolve_targets(settings: Settings, distributions) -> dict[str, SpecifierSet]:
    """Per distribution, the first source that names it: explicit targets, project pins, installed metadata."""
    targets = dict(settings.targets)
    if settings.discover_targets:
        own = own_release(settings.root)
        if own is not None and own[0] in distributions:
            targets.setdefault(*own)
        for name, specifier in project_pins(settings.root).items():
            targets.setdefault(name, specifier)
        missing = [d for d in distributions if d not in targets]
        for name, specifier in installed_versions(missing).items():
            targets.setdefault(name, specifier)
    return targets
