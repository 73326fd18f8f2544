"""Lines a fix makes longer keep to the project's line length: its ruff, black or flake8 setting (88, black's
and ruff's default, where it sets none). A call that no longer fits on its line gets one argument per line, as
black lays it out."""

from __future__ import annotations

import configparser
from functools import lru_cache
from pathlib import Path

import libcst as cst

from ..config import read_pyproject

DEFAULT_LINE_LENGTH = 88


def project_line_length(root: Path) -> int:
    """The line length the project's formatter or linter settings ask for."""
    return line_length_setting(root)[0]


@lru_cache(maxsize=16)
def line_length_setting(root: Path) -> tuple[int, str]:
    """The project's line length, and why a settings file that can hold it was passed over ("" where none was).

    A ``pyproject.toml`` or ``ruff.toml`` that cannot be read raises ConfigError, naming the file, as ``check``
    does. An INI file (``setup.cfg``, ``tox.ini``, ``.flake8``) that cannot be read is passed over with a word:
    ``check`` reports a file it cannot decode (MLF905) and reads the rest of an INI file it cannot parse
    line by line, so the fixer does not stop on it either.
    """
    pyproject = read_pyproject(root / "pyproject.toml")
    tool = pyproject.get("tool") if isinstance(pyproject, dict) else None
    tool = tool if isinstance(tool, dict) else {}
    tables = [read_pyproject(root / "ruff.toml"), read_pyproject(root / ".ruff.toml"),
              tool.get("ruff"), tool.get("black")]
    for table in tables:  # a file or a table of the wrong shape counts as none
        value = table.get("line-length") if isinstance(table, dict) else None
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            return value, ""
    problems = []
    for name in ("setup.cfg", "tox.ini", ".flake8"):
        parser = configparser.ConfigParser(interpolation=None)
        try:
            parser.read(root / name, encoding="utf-8")
            value = parser.get("flake8", "max-line-length", fallback="").strip()
        except (configparser.Error, OSError, UnicodeDecodeError) as error:
            why = str(error).splitlines()[0].rstrip(".")
            problems.append(f"{name}: cannot read its [flake8] max-line-length: {why}")
            continue
        if value.isdigit() and int(value) > 0:
            return int(value), ""
        if value:
            problems.append(f"{name}: [flake8] max-line-length is not a positive whole number: {value!r}")
    return DEFAULT_LINE_LENGTH, "; ".join(problems)


def fitted(module: cst.Module, line: str, column: int, original: cst.CSTNode, replacement: cst.CSTNode,
           limit: int) -> cst.CSTNode:
    """``replacement`` (for ``original``, a call that starts at ``column`` of ``line``, 1-based), with one
    argument per line where the line it makes would pass ``limit`` and the call was written on one line."""
    if not isinstance(replacement, cst.Call) or not isinstance(original, cst.Call):
        return replacement
    old, new = module.code_for_node(original), module.code_for_node(replacement)
    if "\n" in old or "\n" in new or not replacement.args:
        return replacement
    start = column - 1
    if len(line.rstrip("\r\n")) - len(old) + len(new) <= limit or line[start:start + len(old)] != old:
        return replacement
    indent = line[: len(line) - len(line.lstrip())]
    before = line[len(indent):start].rstrip()
    if before and not before.endswith(("=", "(", ",", "return", "yield", "await")):
        return replacement  # inside a larger expression: leave the layout to a formatter

    def breaking(last: bool) -> cst.ParenthesizedWhitespace:
        return cst.ParenthesizedWhitespace(
            first_line=cst.TrailingWhitespace(newline=cst.Newline()), empty_lines=[], indent=True,
            last_line=cst.SimpleWhitespace("" if last else module.default_indent))

    args = list(replacement.args)
    for index, argument in enumerate(args):
        last = index == len(args) - 1
        args[index] = argument.with_changes(comma=cst.Comma(whitespace_after=breaking(last)),
                                            whitespace_after_arg=cst.SimpleWhitespace(""))
    return replacement.with_changes(args=args, whitespace_before_args=breaking(False))
