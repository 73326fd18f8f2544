"""Pins and settings in the project's manifests: ``pyproject.toml``, ``setup.cfg``, ``setup.py``, conda's
``environment.yml``, MLflow's ``MLproject`` and ``python_env.yaml``."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from packaging.specifiers import InvalidSpecifier, SpecifierSet

from ..config import normalize_distribution
from .files import (
    Node,
    Unreadable,
    line_of,
    problem,
    read_text,
    read_toml,
    read_yaml,
    reports_unreadable,
    section_start,
)
from .model import Image, Pin, Place, ProjectEnvironment, Setting
from .requirements import parse_conda, parse_pep508


def _quoted(text: str) -> str:
    return r"""["']""" + re.escape(text) + r"""["']"""


@reports_unreadable
def read_pyproject(path: Path, found: ProjectEnvironment) -> None:
    """``[project]`` dependencies and optional dependencies, and Poetry's dependency tables."""
    data, lines = read_toml(path)
    project = data.get("project") if isinstance(data.get("project"), dict) else {}
    strings = [d for d in project.get("dependencies", []) or [] if isinstance(d, str)]
    optional = project.get("optional-dependencies", {})
    groups = data.get("dependency-groups", {})  # PEP 735
    for table in (optional, groups):
        for group in table.values() if isinstance(table, dict) else ():
            strings += [d for d in group if isinstance(d, str)] if isinstance(group, list) else []
    start = min(section_start(lines, "project"), section_start(lines, "dependency-groups"))
    for text in strings:
        parsed = parse_pep508(text)
        if parsed is not None:
            place = _place(path, lines, _quoted(text), start, text)
            if lines and text not in lines[place.line - 1]:  # written with escapes: find the name's line
                name = re.match(r"[A-Za-z0-9_.\[\],-]+", text)
                line = line_of(lines, r"""["']""" + re.escape(name.group(0) if name else text), start)
                place = Place(path, line)
            found.pins.append(Pin(parsed[0], parsed[1], text, place))
    tool = data.get("tool") if isinstance(data.get("tool"), dict) else {}
    poetry = tool.get("poetry") if isinstance(tool.get("poetry"), dict) else {}
    tables = [("tool.poetry.dependencies", poetry.get("dependencies"))]
    groups = poetry.get("group") if isinstance(poetry.get("group"), dict) else {}
    tables += [(f"tool.poetry.group.{name}.dependencies", group.get("dependencies"))
               for name, group in groups.items() if isinstance(group, dict)]
    for header, table in tables:
        if not isinstance(table, dict):
            continue
        start = section_start(lines, header)
        for name, value in table.items():
            if name == "python":
                continue
            constraint = value.get("version") if isinstance(value, dict) else value
            if not isinstance(constraint, str):
                continue
            pattern = r"^\s*" + r"""["']?""" + re.escape(name) + r"""["']?\s*="""
            place = _place(path, lines, pattern, start, name)
            written = lines[place.line - 1].split("#", 1)[0].strip() if place.line <= len(lines) else ""
            text = written if re.match(pattern, written) else f'{name} = "{constraint}"'
            found.pins.append(Pin(normalize_distribution(name), poetry_specifier(constraint), text,
                                  Place(path, place.line, place.column, place.column + len(text)), dialect="poetry"))


def poetry_specifier(constraint: str) -> SpecifierSet:
    """Poetry's constraint as PEP 440: ``2.1.0`` is ``==2.1.0``; ``^2.1`` is ``>=2.1,<3``; ``~2.1`` is
    ``>=2.1,<2.2``; ``*`` is any version."""
    constraint = constraint.strip()
    if constraint in ("", "*"):
        return SpecifierSet()
    if re.fullmatch(r"[0-9][0-9A-Za-z.+!-]*", constraint):
        return _specifier(f"=={constraint}")
    match = re.fullmatch(r"([\^~])\s*([0-9]+(?:\.[0-9]+)*)", constraint)
    if match:
        parts = [int(p) for p in match.group(2).split(".")]
        if match.group(1) == "^":
            position = next((i for i, p in enumerate(parts) if p != 0), len(parts) - 1)
        else:
            position = 0 if len(parts) == 1 else 1
        upper = parts[:position] + [parts[position] + 1]
        return _specifier(f">={match.group(2)},<{'.'.join(map(str, upper))}")
    return _specifier(constraint.replace(" ", ""))


def _specifier(text: str) -> SpecifierSet:
    try:
        return SpecifierSet(text)
    except InvalidSpecifier:
        return SpecifierSet()


def _place(path: Path, lines: list[str], pattern: str, start: int, text: str) -> Place:
    line = line_of(lines, pattern, start)
    column = lines[line - 1].find(text) + 1 if 0 < line <= len(lines) else 1
    column = max(column, 1)
    return Place(path, line, column, column + len(text))


@reports_unreadable
def read_setup_cfg(path: Path, found: ProjectEnvironment) -> None:
    """``[options] install_requires`` (one requirement a line, as setuptools reads it)."""
    lines = read_text(path).splitlines()
    in_options, in_requires = False, False
    for number, line in enumerate(lines, start=1):
        if re.match(r"^\s*\[", line):
            in_options, in_requires = line.strip() == "[options]", False
            continue
        if not in_options:
            continue
        key = re.match(r"^(\S[^=:]*?)\s*[=:]\s*(.*)$", line)
        if key:
            in_requires = key.group(1).strip() == "install_requires"
            rest = key.group(2) if in_requires else ""
        elif in_requires and line[:1].isspace():
            rest = line
        else:
            in_requires = in_requires and not line.strip() == ""
            continue
        requirement = rest.split("#", 1)[0].strip()
        parsed = parse_pep508(requirement) if requirement else None
        if parsed is not None:
            column = line.find(requirement) + 1
            found.pins.append(Pin(parsed[0], parsed[1], requirement, Place(path, number, column,
                                                                           column + len(requirement))))


@reports_unreadable
def read_setup_py(path: Path, found: ProjectEnvironment) -> None:
    """``setup(install_requires=[...])`` read from the syntax tree of ``setup.py`` (never run): a list of string
    literals, given in the call or bound to a module-level name; anything computed is not a pin we can read."""
    try:
        tree = ast.parse(read_text(path))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return  # the Python file itself is reported (MLF902); its requirements cannot be read
    bound = {target.id: node.value for node in tree.body if isinstance(node, ast.Assign)
             for target in node.targets if isinstance(target, ast.Name)}
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and _called_name(node.func) == "setup"):
            continue
        for keyword in node.keywords:
            if keyword.arg != "install_requires":
                continue
            value = bound.get(keyword.value.id) if isinstance(keyword.value, ast.Name) else keyword.value
            for item in value.elts if isinstance(value, (ast.List, ast.Tuple)) else []:
                if isinstance(item, ast.Constant) and isinstance(item.value, str):
                    parsed = parse_pep508(item.value)
                    if parsed is not None:
                        column = item.col_offset + 2  # 1-based, inside the quote
                        found.pins.append(Pin(parsed[0], parsed[1], item.value,
                                              Place(path, item.lineno, column, column + len(item.value))))


def _called_name(function: ast.expr) -> str:
    if isinstance(function, ast.Name):
        return function.id
    return function.attr if isinstance(function, ast.Attribute) else ""


@reports_unreadable
def read_conda_environment(path: Path, found: ProjectEnvironment) -> None:
    """conda ``dependencies`` (and their ``pip:`` list) and ``variables``."""
    root = read_yaml(path)
    if root is None:
        return
    if not isinstance(root.value, dict):
        found.problems.append(problem(path, "an environment file must be a mapping", root.line).problem)
        return
    lines = _lines(path)
    for item in (root.get("dependencies") or Node([], 1)).items():
        if isinstance(item.value, str):
            parsed = parse_conda(item.value)
            if parsed is not None:
                found.pins.append(Pin(parsed[0], parsed[1], item.value, _scalar_place(path, lines, item),
                                      dialect="conda"))
        elif isinstance(item.value, dict):
            for entry in (item.get("pip") or Node([], 1)).items():
                if isinstance(entry.value, str):
                    parsed = parse_pep508(entry.value)
                    if parsed is not None:
                        found.pins.append(Pin(parsed[0], parsed[1], entry.value, _scalar_place(path, lines, entry)))
    for name, value in (root.get("variables") or Node({}, 1)).mapping().items():
        found.settings.append(Setting(name, _text(value.value), Place(path, value.line)))


@reports_unreadable
def read_mlproject(path: Path, found: ProjectEnvironment, read_conda) -> None:
    """``docker_env`` (image, environment) and the ``conda_env``/``python_env`` files it names."""
    root = read_yaml(path)
    if root is None or not isinstance(root.value, dict):
        return
    docker = root.get("docker_env")
    if docker is not None and isinstance(docker.value, dict):
        image = docker.get("image")
        if image is not None and isinstance(image.value, str):
            found.images.append(Image(image.value, Place(path, image.line)))
        for entry in (docker.get("environment") or Node([], 1)).items():
            if isinstance(entry.value, list) and len(entry.value) == 2 and isinstance(entry.value[0].value, str):
                found.settings.append(Setting(entry.value[0].value, _text(entry.value[1].value),
                                              Place(path, entry.line)))
            elif isinstance(entry.value, str):  # copied from the host: its value is not known here
                found.settings.append(Setting(entry.value, None, Place(path, entry.line)))
    for key in ("conda_env", "python_env"):
        named = root.get(key)
        if named is not None and isinstance(named.value, str):
            target = path.parent / named.value
            if target.is_file():
                if key == "conda_env":
                    read_conda(target)
                else:
                    read_python_env(target, found)


@reports_unreadable
def read_python_env(path: Path, found: ProjectEnvironment) -> None:
    """MLflow's ``python_env.yaml``: ``dependencies`` and ``build_dependencies`` as pip requirements."""
    root = read_yaml(path)
    if root is None:
        return
    lines = _lines(path)
    for key in ("build_dependencies", "dependencies"):
        for entry in (root.get(key) or Node([], 1)).items():
            if isinstance(entry.value, str):
                parsed = parse_pep508(entry.value)
                if parsed is not None:
                    found.pins.append(Pin(parsed[0], parsed[1], entry.value, _scalar_place(path, lines, entry)))


def _lines(path: Path) -> list[str]:
    try:
        return read_text(path).splitlines()
    except Unreadable:
        return []


def _scalar_place(path: Path, lines: list[str], node: Node) -> Place:
    text = str(node.value)
    column = lines[node.line - 1].find(text) + 1 if 0 < node.line <= len(lines) else 1
    column = max(column, 1)
    return Place(path, node.line, column, column + len(text))


def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
