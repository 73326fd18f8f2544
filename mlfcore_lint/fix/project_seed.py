"""One seed for a project: where several entry points got a ``SEED = 0`` of their own from the seeding block and
import one project module at their top level, the constant goes into that module once and each of them imports
it from there (``from config import SEED``); an entry point that imports no such module keeps its own.

The entry points import the module already, so nothing new runs; a second run finds the project's seed in the
module the programs load (``ProgramFacts.seed``) and the imported name in each entry point, and adds nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import libcst as cst

from .apply import after_blank_lines, with_imports_updated
from .names import ImportRequest, References, after_imports_index
from .placement import DEFAULT_SEED, NEW_CONSTANT, constant_name

NEW_LINE = f"{NEW_CONSTANT} = {DEFAULT_SEED}"


def shared_seed(fixed: dict[Path, tuple[bytes, bytes]], modules: dict[str, Path], loaded: Callable[[Path, bytes], set],
                current: Callable[[Path], bytes | None]) -> dict[Path, bytes]:
    """New contents for the entry points and the module that keeps the seed; empty where nothing is shared.

    ``fixed``: each fixed module's (original, fixed) bytes; ``modules``: the project's modules by importable
    name; ``loaded(path, content)``: the modules that content imports at its top level; ``current(path)``: the
    bytes of a module as the fixes leave it (None where it cannot be read).
    """
    added = sorted(path for path, (original, new) in fixed.items() if _added_constant(original, new))
    importers: dict[str, list[Path]] = {}  # project module -> the entry points with a new constant that load it
    for path in added:
        for name in loaded(path, fixed[path][1]):
            if name in modules and modules[name] not in added:
                importers.setdefault(name, []).append(path)
    # the module most of them load (at least two), the first by name among equals
    home_name = min(importers, key=lambda name: (-len(importers[name]), name), default=None)
    if home_name is None or len(importers[home_name]) < 2:
        return {}
    home, adders = modules[home_name], importers[home_name]
    home_text = _text(current(home))
    if home_text is None:
        return {}
    home_module = cst.parse_module(home_text)
    if any(constant_name(statement) for statement in home_module.body):
        return {}  # it keeps a seed already: the programs would have used it
    changed = {home: _with_constant(home_module).code.encode("utf-8")}
    for path in adders:
        text = _text(fixed[path][1])
        if text is None:
            return {}
        changed[path] = _importing_constant(cst.parse_module(text), home_name).code.encode("utf-8")
    for path, content in changed.items():
        try:
            compile(content, str(path), "exec", dont_inherit=True)
        except (SyntaxError, ValueError):
            return {}
    return changed


def _text(content: bytes | None) -> str | None:
    """UTF-8 text (the files this step rewrites; any other is left as the fixes left it)."""
    if content is None:
        return None
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _added_constant(original: bytes, new: bytes) -> bool:
    """Whether the fixes added the seeding block's own ``SEED = 0`` line to the module."""
    line = NEW_LINE.encode()
    return new.splitlines().count(line) == original.splitlines().count(line) + 1 and line not in original


def _with_constant(module: cst.Module) -> cst.Module:
    body = list(module.body)
    index = after_imports_index(body)
    constant = cst.parse_statement(NEW_LINE + "\n")
    if index:
        constant = constant.with_changes(leading_lines=[cst.EmptyLine()])
    if index < len(body):
        following = body[index]
        body[index] = after_blank_lines(following, 2 if isinstance(following, (cst.FunctionDef, cst.ClassDef)) else 1)
    body.insert(index, constant)
    return module.with_changes(body=body)


def _importing_constant(module: cst.Module, home: str) -> cst.Module:
    """The entry point without its own ``SEED = 0``, importing the project's from ``home``."""
    body = [statement for statement in module.body
            if not (constant_name(statement) == NEW_CONSTANT and module.code_for_node(statement).strip() == NEW_LINE)]
    references = References([], str)
    references.request(ImportRequest(home, NEW_CONSTANT))
    return with_imports_updated(module.with_changes(body=body), references)
