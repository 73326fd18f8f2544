"""What one file tells the engine: candidate findings and the facts the project step needs.

Facts are plain data (JSON round-trip) so the cache can store them; the version and switch logic that
turns candidates into findings runs later, over the whole project (see :mod:`mlfcore_lint.engine.project`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from sys import intern
from typing import NamedTuple

#: Changes whenever what a fact means changes, so that facts cached by an older engine are not reused.
FACTS_FORMAT = 5

#: The names a seed constant goes by (``SEED``, ``RANDOM_SEED``, ``manual_seed``...).
SEED_NAME = re.compile(r"^(random_|manual_|global_)?seed$", re.IGNORECASE)


@dataclass
class Candidate:
    code: str
    line: int
    column: int  # 1-based
    end_line: int
    end_column: int  # 1-based, exclusive
    api: str
    matcher: int  # index of the rule's match entry that fired (for per-form version ranges)
    uncertain: str = ""  # why the match is not certain, e.g. "the value of `mode` is not known statically"
    scope: str = ""  # the function it lies in (see engine/calls.py): ``<module>``, ``<main>``, ``f``, ``C.m``


class ScopeFacts(NamedTuple):
    """What one scope (a function, ``<module>``, ``<main>``) calls, does and draws from (see engine/calls.py):
    tuples, the empty one shared, since the project step holds every scope of the project."""

    line: int
    calls: tuple[str, ...] = ()  # references to what it calls (and the functions it hands over)
    quiet_calls: tuple[str, ...] = ()  # ... where autograd does not record (``no_grad``, a data pipeline)
    does: tuple[str, ...] = ()  # TRAINS, DIFFERENTIATES
    draws: tuple[str, ...] = ()  # requirement codes of the generators it draws from
    imports: tuple[str, ...] = ()  # requirement codes its own imports trigger (a function's lazy ``import torch``)

    def to_json(self) -> dict:
        return {"line": self.line, **{name: list(getattr(self, name)) for name in SCOPE_LISTS}}

    @classmethod
    def from_json(cls, data: dict) -> ScopeFacts:
        """Names interned: most recur across the files of a project."""
        return cls(data["line"], *(tuple(map(intern, data[name])) for name in SCOPE_LISTS))


#: The lists of a scope's facts.
SCOPE_LISTS = ScopeFacts._fields[1:]


@dataclass
class FileFacts:
    candidates: list[Candidate] = field(default_factory=list)
    imports: list[str] = field(default_factory=list)  # absolute module names this file imports
    relative_imports: list[list] = field(default_factory=list)  # [level, module or "", [names]]
    # Imports below the module's top level (in a function, or an ``if``/``try``/``with`` block): they run only
    # when that code does. Those of modules other than an entry point do not make a program need seeds.
    deferred_imports: list[str] = field(default_factory=list)  # a subset of ``imports``
    deferred_relative_imports: list[list] = field(default_factory=list)  # a subset of ``relative_imports``
    triggered: list[str] = field(default_factory=list)  # requirement codes its calls and settings trigger
    import_triggered: list[str] = field(default_factory=list)  # ... that its top-level imports trigger
    deferred_triggered: list[str] = field(default_factory=list)  # ... that only its deferred imports trigger
    satisfied: list[str] = field(default_factory=list)  # requirement codes this file satisfies
    main_line: int = 0  # line of ``if __name__ == "__main__":`` (0: none)
    main_column: int = 0
    noqa: dict[int, list[str]] = field(default_factory=dict)  # line -> codes ([] means every code)
    error: Candidate | None = None  # an MLF9xx problem with the file itself
    skipped: bool = False  # the pre-filter found nothing any rule could match
    cells: list[list[int]] = field(default_factory=list)  # notebooks: line -> [cell, line in cell]
    # The program model's facts (engine/calls.py): each scope's calls, what it does and draws; class bases.
    scopes: dict[str, ScopeFacts] = field(default_factory=dict)
    classes: dict[str, list[str]] = field(default_factory=dict)
    first_statement: int = 0  # line of the first top-level statement that runs code (0: none)
    devices: list[str] = field(default_factory=list)  # "gpu", "cpu", "chosen" (``.to(device)``): devices it names
    seed_constant: str = ""  # a module-level ``SEED = 42`` (``SEED_NAME``): the project's seed, for the fixer

    def to_json(self) -> dict:
        """The facts as JSON data (what ``from_json`` reads back), built field by field: ``asdict``'s deep copy
        costs more than the rest of a cache write."""
        data = {name: getattr(self, name) for name in _FIELDS}
        data["candidates"] = [vars(candidate).copy() for candidate in self.candidates]
        data["error"] = vars(self.error).copy() if self.error is not None else None
        data["scopes"] = {key: scope.to_json() for key, scope in self.scopes.items()}
        return data

    @classmethod
    def from_stored(cls, data: object) -> FileFacts | None:
        """Facts from JSON data read back from storage (a cache entry), ``None`` unless it has exactly
        :meth:`to_json`'s shape: no corrupt or planted entry hands the project step a wrong type."""
        return cls.from_json(data) if has_shape(data, FACTS_SHAPE) else None

    @classmethod
    def from_json(cls, data: dict) -> FileFacts:
        """Facts from :meth:`to_json`'s data. Names (of modules, scopes, calls) are interned: the project step
        holds every file's facts, and most names recur across the files of a project."""
        names = {k: _interned(data[k]) for k in _NAME_FIELDS}
        facts = cls(**{k: v for k, v in data.items() if k not in _BUILT_FIELDS}, **names)
        facts.candidates = [Candidate(**c) for c in data["candidates"]]
        facts.error = Candidate(**data["error"]) if data.get("error") else None
        facts.noqa = {int(k): v for k, v in data["noqa"].items()}
        facts.scopes = {intern(key): ScopeFacts.from_json(scope) for key, scope in data["scopes"].items()}
        facts.classes = {intern(key): _interned(bases) for key, bases in data["classes"].items()}
        return facts


def _interned(names: list[str]) -> list[str]:
    return list(map(intern, names))


_FIELDS = tuple(f.name for f in fields(FileFacts))
_NAME_FIELDS = ("imports", "deferred_imports", "triggered", "import_triggered", "deferred_triggered", "satisfied",
                "devices")
_BUILT_FIELDS = frozenset(("candidates", "error", "noqa", "scopes", "classes", *_NAME_FIELDS))


# ---------------------------------------------------------------- the shape of facts as JSON (cache entries)
# A shape is a type name ("str", "int", "bool"), ("list", item), ("dict", value) with string keys ("int-dict":
# keys that are decimal numbers), ("row", [shape of each item]) for a fixed-length list, ("record", {key: shape})
# for a mapping with exactly those keys, or ("optional", shape).

_NAMES = ("list", "str")
_RELATIVE_IMPORT = ("row", ["int", "str", _NAMES])
CANDIDATE_SHAPES: dict[str, object] = {
    "code": "str", "line": "int", "column": "int", "end_line": "int", "end_column": "int", "api": "str",
    "matcher": "int", "uncertain": "str", "scope": "str",
}
SCOPE_SHAPE = ("record", {"line": "int", **{name: _NAMES for name in SCOPE_LISTS}})
FACT_SHAPES: dict[str, object] = {
    "candidates": ("list", ("record", CANDIDATE_SHAPES)),
    "imports": _NAMES,
    "relative_imports": ("list", _RELATIVE_IMPORT),
    "deferred_imports": _NAMES,
    "deferred_relative_imports": ("list", _RELATIVE_IMPORT),
    "triggered": _NAMES,
    "import_triggered": _NAMES,
    "deferred_triggered": _NAMES,
    "satisfied": _NAMES,
    "main_line": "int",
    "main_column": "int",
    "noqa": ("int-dict", _NAMES),
    "error": ("optional", ("record", CANDIDATE_SHAPES)),
    "skipped": "bool",
    "cells": ("list", ("row", ["int", "int"])),
    "scopes": ("dict", SCOPE_SHAPE),
    "classes": ("dict", _NAMES),
    "first_statement": "int",
    "devices": _NAMES,
    "seed_constant": "str",
}
FACTS_SHAPE = ("record", FACT_SHAPES)


def has_shape(value, shape) -> bool:
    """Whether JSON data ``value`` has ``shape`` (see above); never raises."""
    if isinstance(shape, str):
        if shape == "int":
            return isinstance(value, int) and not isinstance(value, bool)
        return isinstance(value, {"str": str, "bool": bool}[shape])
    kind, inner = shape
    if kind == "optional":
        return value is None or has_shape(value, inner)
    if kind == "list":
        return isinstance(value, list) and all(has_shape(item, inner) for item in value)
    if kind == "row":
        return (isinstance(value, list) and len(value) == len(inner)
                and all(has_shape(item, part) for item, part in zip(value, inner, strict=True)))
    if kind == "record":
        return isinstance(value, dict) and value.keys() == inner.keys() and all(
            has_shape(value[key], part) for key, part in inner.items())
    if kind in ("dict", "int-dict"):
        keys_ok = all(isinstance(k, str) and (kind == "dict" or (k.isascii() and k.isdigit())) for k in value) \
            if isinstance(value, dict) else False
        return keys_ok and all(has_shape(item, inner) for item in value.values())
    return False


class ImportLedger:
    """A module's imports as they are found: at its top level, loaded with the module, or deferred (in a
    function, or an ``if``/``try``/``with`` block: lazy, optional or type-checking imports). A module imported
    both ways is loaded. The walker and the import scan of skipped files keep one each."""

    def __init__(self):
        self.loaded: set[str] = set()
        self.deferred: set[str] = set()
        self.loaded_relative: list[list] = []
        self.deferred_relative: list[list] = []

    def add(self, modules: list[str], relative: list | None, deferred: bool) -> None:
        """``modules``: absolute names an import statement binds; ``relative``: its [level, module, names]."""
        (self.deferred if deferred else self.loaded).update(modules)
        if relative is not None:
            (self.deferred_relative if deferred else self.loaded_relative).append(relative)

    def record(self, facts: FileFacts, index) -> None:
        """Write the deferred imports and what the imports trigger (through ``index``, a RuleIndex) into facts."""
        facts.deferred_imports = sorted(self.deferred - self.loaded)
        facts.deferred_relative_imports = [item for item in self.deferred_relative if item not in self.loaded_relative]
        loaded_codes = index.triggered_by_imports(sorted(self.loaded))
        facts.import_triggered = sorted(loaded_codes)
        facts.deferred_triggered = sorted(index.triggered_by_imports(facts.deferred_imports) - loaded_codes)


def problem_facts(problem) -> FileFacts:
    """Facts of a file that could not be analysed: one MLF9xx problem (a ``SourceProblem``)."""
    return FileFacts(error=Candidate(problem.code, problem.line, problem.column, problem.line,
                                     problem.column, "", 0, problem.message))
