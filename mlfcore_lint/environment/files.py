"""Reading one project file safely: regular files only, bounded size, decoded text, parsed YAML or TOML."""

from __future__ import annotations

import functools
import re
import sys
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from ..files import NotReadable, read_regular
from .model import FileProblem, Place

#: Larger files are not environment files (a lock file of a large project is well under this).
MAX_BYTES = 4 * 1024 * 1024


class Unreadable(Exception):
    """A project file that cannot be used; ``problem`` says why, on one line."""

    def __init__(self, problem: FileProblem):
        super().__init__(problem.message)
        self.problem = problem


def problem(path: Path, message: str, line: int = 1) -> Unreadable:
    return Unreadable(FileProblem(Place(path, max(1, line)), " ".join(message.split())))


def reports_unreadable(reader):
    """A reader ``(path, found, ...)`` whose file, if it cannot be used, becomes a problem of ``found`` (MLF905)."""

    @functools.wraps(reader)
    def read(path: Path, found, *more) -> None:
        try:
            reader(path, found, *more)
        except Unreadable as error:
            found.problems.append(error.problem)

    return read


def read_text(path: Path) -> str:
    """The text of a regular file of at most MAX_BYTES, as UTF-8 (a BOM is dropped)."""
    try:
        raw = read_regular(path, MAX_BYTES)
    except NotReadable as error:
        raise problem(path, error.reason) from None
    if b"\0" in raw:
        raise problem(path, "binary file (NUL bytes)")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise problem(path, f"not valid UTF-8: {error.reason}", line) from None


def read_toml(path: Path) -> tuple[dict, list[str]]:
    """The parsed TOML document and its lines."""
    text = read_text(path)
    try:
        return tomllib.loads(text), text.splitlines()
    except tomllib.TOMLDecodeError as error:
        match = re.search(r"line (\d+)", str(error))
        raise problem(path, f"invalid TOML: {error}", int(match.group(1)) if match else 1) from None
    except RecursionError:
        raise problem(path, "invalid TOML: nested too deeply") from None


class Node:
    """A YAML value with the line it starts on: ``value`` is a dict of str -> Node, a list of Node, or a scalar."""

    __slots__ = ("value", "line")

    def __init__(self, value: Any, line: int):
        self.value, self.line = value, line

    def get(self, key: str) -> Node | None:
        return self.value.get(key) if isinstance(self.value, dict) else None

    def items(self) -> list[Node]:
        return self.value if isinstance(self.value, list) else []

    def mapping(self) -> dict[str, Node]:
        return self.value if isinstance(self.value, dict) else {}

    def plain(self) -> Any:
        """The value without line numbers."""
        if isinstance(self.value, dict):
            return {key: node.plain() for key, node in self.value.items()}
        if isinstance(self.value, list):
            return [node.plain() for node in self.value]
        return self.value


def read_yaml(path: Path) -> Node | None:
    """The document as :class:`Node` values (``None`` for an empty file), read with PyYAML's safe loader (its
    LibYAML form where PyYAML was built with it: a workflow folder of dozens of files is read in milliseconds)."""
    import yaml

    text = read_text(path)
    loader = None
    try:
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)(text)
        root = loader.get_single_node()
        return _located(root, loader) if root is not None else None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        raise problem(path, f"invalid YAML: {error.problem or error}", mark.line + 1 if mark else 1) from None
    except yaml.reader.ReaderError as error:
        line = text[: max(0, error.position)].count("\n") + 1
        raise problem(path, f"invalid YAML: character #x{error.character:04x} is not allowed", line) from None
    except (yaml.YAMLError, RecursionError, ValueError, TypeError, OverflowError) as error:
        raise problem(path, f"invalid YAML: {error}") from None
    finally:
        if loader is not None:
            loader.dispose()


def _located(node, loader) -> Node:
    import yaml

    line = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)
        result = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            result[str(key)] = _located(value_node, loader)
        return Node(result, line)
    if isinstance(node, yaml.SequenceNode):
        return Node([_located(item, loader) for item in node.value], line)
    return Node(loader.construct_object(node, deep=True), line)


def line_of(lines: list[str], pattern: str, start: int = 0, default: int = 1) -> int:
    """The 1-based number of the first line from ``start`` (0-based) that matches ``pattern`` (a regex)."""
    compiled = re.compile(pattern)
    for number in range(start, len(lines)):
        if compiled.search(lines[number]):
            return number + 1
    return default


def section_start(lines: list[str], header: str) -> int:
    """The 0-based index of the TOML or INI line ``[header]`` (0 when absent)."""
    wanted = re.compile(r"^\s*\[\s*" + re.escape(header).replace(r"\.", r"\s*\.\s*") + r"\s*\]")
    for number, text in enumerate(lines):
        if wanted.match(text):
            return number
    return 0
