"""New ``import x`` lines placed where the file's own sorted imports put them (isort's and ruff's default
order: sections future, standard library, third party; ``import`` lines before ``from`` lines; names sorted
without regard to case), so that a sorted file stays sorted."""

from __future__ import annotations

import sys

import libcst as cst

from .names import dotted_name, is_docstring

FUTURE, STANDARD, THIRD_PARTY = 0, 1, 2


def _section(module: str) -> int:
    root = module.split(".")[0]
    if root == "__future__":
        return FUTURE
    return STANDARD if root in sys.stdlib_module_names else THIRD_PARTY


def _import_key(statement) -> tuple[int, int, str] | None:
    """(section, 0 for ``import``/1 for ``from``, module) of a one-import line; None for anything else."""
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        return None
    small = statement.body[0]
    if isinstance(small, cst.Import) and len(small.names) == 1:
        name = dotted_name(small.names[0].name)
        return (_section(name), 0, name.lower()) if name else None
    if isinstance(small, cst.ImportFrom) and not small.relative and small.module is not None:
        name = dotted_name(small.module)
        return (_section(name), 1, name.lower()) if name else None
    return None


def add_sorted_imports(module: cst.Module, names: list[str]) -> tuple[cst.Module, list[str]]:
    """``module`` with ``import name`` for each of ``names`` at its sorted place in the leading imports; returns
    the names it could not place (no import of the same section to sort among), for the caller to add."""
    body = list(module.body)
    start = 1 if body and is_docstring(body[0]) else 0
    end = start
    while end < len(body) and _import_key(body[end]) is not None:
        end += 1
    left = []
    for name in names:
        key = (_section(name), 0, name.lower())
        if end == start:
            left.append(name)
            continue
        line = cst.parse_statement(f"import {name}{module.default_newline}", config=module.config_for_parsing)
        same = [i for i in range(start, end) if _import_key(body[i])[0] == key[0]]
        if same:
            position = next((i for i in same if _import_key(body[i]) > key), same[-1] + 1)
            if position == same[0]:  # first of its section: it takes over the blank lines above
                line = line.with_changes(leading_lines=body[position].leading_lines)
                body[position] = body[position].with_changes(leading_lines=[])
        else:  # a section of its own, a blank line away from the others
            position = next((i for i in range(start, end) if _import_key(body[i])[0] > key[0]), end)
            if position < end:
                line = line.with_changes(leading_lines=body[position].leading_lines)
                body[position] = body[position].with_changes(leading_lines=[cst.EmptyLine()])
            else:
                line = line.with_changes(leading_lines=[cst.EmptyLine()])
        body.insert(position, line)
        end += 1
    return module.with_changes(body=body), left


def _name_key(name: str) -> tuple[int, str]:
    """isort's order of the names of one ``from`` import (``order_by_type``): constants, classes, the rest."""
    kind = 0 if name.isupper() and len(name) > 1 else 1 if name[:1].isupper() else 2
    return kind, name.lower()


def with_added_names_in_order(module: cst.Module, added: list[tuple[str, str]]) -> cst.Module:
    """``module`` whose top-level ``from m import ...`` lines that a name of ``added`` ((module, name) pairs)
    joined list their names in isort's order, where the names they had were in that order already."""
    wanted: dict[str, set[str]] = {}
    for module_name, name in added:
        wanted.setdefault(module_name, set()).add(name)
    body = list(module.body)
    for position, statement in enumerate(body):
        if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
            continue
        small = statement.body[0]
        if not isinstance(small, cst.ImportFrom) or small.relative or isinstance(small.names, cst.ImportStar):
            continue
        names = [dotted_name(alias.name) or "" for alias in small.names]
        new = wanted.get(dotted_name(small.module) if small.module is not None else "", set())
        kept = [name for name in names if name not in new]
        if not new & set(names) or kept != sorted(kept, key=_name_key):
            continue
        aliases = sorted(small.names, key=lambda alias: _name_key(dotted_name(alias.name) or ""))
        last = small.names[-1].comma
        aliases = [alias.with_changes(comma=small.names[index].comma) for index, alias in enumerate(aliases)]
        aliases[-1] = aliases[-1].with_changes(comma=last)
        body[position] = statement.with_changes(body=[small.with_changes(names=aliases)])
    return module.with_changes(body=body)
