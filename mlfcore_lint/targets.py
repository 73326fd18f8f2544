"""The framework versions a project targets: explicit targets, then its pins, then what is installed."""

from __future__ import annotations

import configparser
import re
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet

from .config import Settings, normalize_distribution, read_pyproject


def _requirement(line: str) -> tuple[str, SpecifierSet] | None:
    line = line.split("#", 1)[0].strip()
    if not line or line.startswith(("-", "git+", "http:", "https:", "file:")):
        return None
    try:
        requirement = Requirement(line)
    except InvalidRequirement:
        return None
    return normalize_distribution(requirement.name), requirement.specifier


def _conda_requirement(item: str) -> tuple[str, SpecifierSet] | None:
    # conda: ``pytorch=2.1``, ``pytorch=2.1.0=py3.11_cuda12``, ``pytorch>=2.1``; ``channel::name`` too
    item = item.split("::")[-1].strip()
    match = re.match(r"^([A-Za-z0-9_.-]+)\s*(.*)$", item)
    if not match:
        return None
    name, rest = match.groups()
    rest = rest.strip()
    if rest.startswith("=") and not rest.startswith("=="):
        version = rest[1:].split("=")[0]
        rest = f"=={version}" if "*" not in version else f"=={version}"
    try:
        return normalize_distribution(name), SpecifierSet(rest.replace(" ", ""))
    except InvalidSpecifier:
        return normalize_distribution(name), SpecifierSet()


def project_pins(root: Path) -> dict[str, SpecifierSet]:
    """Version pins from requirements files, pyproject.toml, environment.yml and setup.cfg."""
    pins: dict[str, SpecifierSet] = {}

    def add(found):
        if found is not None and found[0] not in pins and str(found[1]):
            pins[found[0]] = found[1]

    requirement_files = sorted(root.glob("requirements*.txt")) + sorted(root.glob("requirements/*.txt"))
    for path in requirement_files:
        try:
            for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
                add(_requirement(line))
        except OSError:
            continue
    data = read_pyproject(root / "pyproject.toml")
    if data:
        project = data.get("project", {})
        for line in project.get("dependencies", []) or []:
            if isinstance(line, str):
                add(_requirement(line))
        for group in (project.get("optional-dependencies", {}) or {}).values():
            for line in group if isinstance(group, list) else []:
                if isinstance(line, str):
                    add(_requirement(line))
        poetry = data.get("tool", {}).get("poetry", {}).get("dependencies", {}) or {}
        for name, value in poetry.items():
            version = value if isinstance(value, str) else value.get("version") if isinstance(value, dict) else None
            if isinstance(version, str) and version not in ("*", ""):
                if version[0].isdigit():
                    version = f"=={version}"
                if version.startswith(("^", "~")):
                    continue  # poetry's caret/tilde ranges are not PEP 440; the installed version decides
                add(_requirement(f"{name}{version}"))
    for name in ("environment.yml", "environment.yaml"):
        path = root / name
        if not path.is_file():
            continue
        import yaml

        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            continue
        for item in data.get("dependencies", []) if isinstance(data, dict) else []:
            if isinstance(item, str):
                add(_conda_requirement(item))
            elif isinstance(item, dict):
                for line in item.get("pip", []) or []:
                    if isinstance(line, str):
                        add(_requirement(line))
    setup_cfg = root / "setup.cfg"
    if setup_cfg.is_file():
        parser = configparser.ConfigParser()
        try:
            parser.read(setup_cfg, encoding="utf-8")
            for line in parser.get("options", "install_requires", fallback="").splitlines():
                add(_requirement(line))
        except (configparser.Error, OSError, UnicodeDecodeError):
            pass
    return pins


def own_release(root: Path) -> tuple[str, SpecifierSet] | None:
    """The distribution the project itself is, and its version: the source of Lightning targets Lightning.

    Read from a static ``[project]`` name and version in ``pyproject.toml``, else from the ``PKG-INFO`` that
    every sdist carries (projects whose version is computed at build time only have it there).
    """
    project = read_pyproject(root / "pyproject.toml").get("project", {}) or {}
    name, version = project.get("name"), project.get("version")
    if not (isinstance(name, str) and isinstance(version, str)):
        name = version = None
        try:
            metadata = (root / "PKG-INFO").read_text(encoding="utf-8", errors="replace")
        except OSError:
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
    import importlib.metadata

    found = {}
    for distribution in distributions:
        names = [distribution] + [alias for alias, canonical in _aliases().items() if canonical == distribution]
        for name in names:
            try:
                version = importlib.metadata.version(name)
            except importlib.metadata.PackageNotFoundError:
                continue
            base = re.match(r"^[0-9]+(\.[0-9]+)*", version)
            if base:
                found[distribution] = SpecifierSet(f"=={base.group(0)}")
                break
    return found


def _aliases():
    from .config import DISTRIBUTION_ALIASES

    return DISTRIBUTION_ALIASES


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
