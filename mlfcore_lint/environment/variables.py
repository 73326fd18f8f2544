"""Environment variables set where programs are launched: ``.env`` files, tox's ``setenv``, nox sessions'
``env``, and GitHub workflows' ``env:`` (Dockerfiles, conda and MLproject are read with their files)."""

from __future__ import annotations

import ast
import re
import shlex
from pathlib import Path

from .files import Node, Unreadable, read_text, read_yaml, reports_unreadable
from .model import Place, ProjectEnvironment, Setting


@reports_unreadable
def read_dotenv(path: Path, found: ProjectEnvironment) -> None:
    """``NAME=value`` lines (``export`` allowed, quotes removed, ``#`` comments)."""
    text = read_text(path)
    for number, line in enumerate(text.splitlines(), start=1):
        match = re.match(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$", line)
        if match:
            found.settings.append(Setting(match.group(1), _unquote(match.group(2)),
                                          Place(path, number, line.find(match.group(1)) + 1)))


def _unquote(value: str) -> str:
    value = value.strip()
    if value[:1] in ("'", '"'):
        try:
            words = shlex.split(value)
            return words[0] if words else ""
        except ValueError:
            return value.strip("'\"")
    return re.sub(r"\s+#.*$", "", value)


@reports_unreadable
def read_tox_ini(path: Path, found: ProjectEnvironment) -> None:
    """``setenv`` of every ``[testenv...]`` section (``NAME = value`` or ``NAME=value``, one a line)."""
    text = read_text(path)
    in_testenv = in_setenv = False
    for number, line in enumerate(text.splitlines(), start=1):
        if re.match(r"^\s*\[", line):
            in_testenv, in_setenv = line.strip().startswith("[testenv"), False
            continue
        if not in_testenv or not line.strip() or line.strip().startswith(("#", ";")):
            continue
        key = re.match(r"^(\S[^=]*?)\s*=\s*(.*)$", line)
        if key and not line[:1].isspace():
            in_setenv = key.group(1).strip() == "setenv"
            rest = key.group(2) if in_setenv else ""
        elif in_setenv and line[:1].isspace():
            rest = line.strip()
        else:
            in_setenv = False
            continue
        pair = re.match(r"^([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$", rest)
        if pair:
            found.settings.append(Setting(pair.group(1), pair.group(2).strip(),
                                          Place(path, number, line.find(pair.group(1)) + 1)))


def read_noxfile(path: Path, found: ProjectEnvironment) -> None:
    """``session.env["NAME"] = "value"``, ``session.env.update(NAME="value")`` and ``session.run(...,
    env={...})`` with literal strings (the file is parsed, never run)."""
    try:
        tree = ast.parse(read_text(path))
    except Unreadable as error:
        found.problems.append(error.problem)
        return
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return  # a noxfile that does not parse is reported as Python (MLF902) when it is checked
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if (isinstance(target, ast.Subscript) and _is_env(target.value)
                        and isinstance(target.slice, ast.Constant) and isinstance(target.slice.value, str)):
                    found.settings.append(Setting(target.slice.value, _literal(node.value), Place(path, node.lineno)))
        elif isinstance(node, ast.Call):
            update = isinstance(node.func, ast.Attribute) and node.func.attr == "update" and _is_env(node.func.value)
            for argument in node.args if update else ():
                _dict_settings(argument, path, found)
            for keyword in node.keywords:
                if update and keyword.arg is not None:
                    found.settings.append(Setting(keyword.arg, _literal(keyword.value),
                                                  Place(path, keyword.value.lineno)))
                elif keyword.arg == "env":
                    _dict_settings(keyword.value, path, found)


def _is_env(node: ast.expr) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "env" and isinstance(node.value, ast.Name)


def _dict_settings(node: ast.expr, path: Path, found: ProjectEnvironment) -> None:
    if isinstance(node, ast.Dict):
        for key, value in zip(node.keys, node.values, strict=True):
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                found.settings.append(Setting(key.value, _literal(value), Place(path, key.lineno, key.col_offset + 1)))


def _literal(node: ast.expr) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, (str, int)) and not isinstance(node.value, bool):
        return str(node.value)
    return None


@reports_unreadable
def read_workflow(path: Path, found: ProjectEnvironment) -> None:
    """``env:`` of a GitHub workflow, of its jobs, their containers and their steps."""
    root = read_yaml(path)
    if root is None or not isinstance(root.value, dict):
        return
    scopes: list[Node] = [root]
    for job in (root.get("jobs") or Node({}, 1)).mapping().values():
        scopes.append(job)
        container = job.get("container")
        if container is not None:
            scopes.append(container)
        scopes += (job.get("steps") or Node([], 1)).items()
    for scope in scopes:
        env = scope.get("env")
        for name, value in (env.mapping() if env is not None else {}).items():
            text = value.value
            if isinstance(text, bool):
                text = "true" if text else "false"
            found.settings.append(Setting(name, None if text is None or "${{" in str(text) else str(text),
                                          Place(path, value.line)))
