"""What one file tells the engine: candidate findings and the facts the project step needs.

Facts are plain data (JSON round-trip) so the cache can store them; the version and switch logic that
turns candidates into findings runs later, over the whole project (see :mod:`mlfcore_lint.engine.project`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from operator import itemgetter
from sys import intern

#: Changes whenever what a fact means changes, so that facts cached by an older engine are not reused.
FACTS_FORMAT = 6  # 6: files of a test folder are read for their imports only (the stat index names those facts)

#: The names a seed constant goes by (``SEED``, ``RANDOM_SEED``, ``manual_seed``...).
SEED_NAME = re.compile(r"^(random_|manual_|global_)?seed$", re.IGNORECASE)


@dataclass(slots=True)
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

    def to_json(self) -> dict:
        return {name: getattr(self, name) for name in _CANDIDATE_FIELDS}


_CANDIDATE_FIELDS = tuple(f.name for f in fields(Candidate))


#: The lists of a scope's facts (see ``ScopeFacts``), in order.
SCOPE_LISTS = ("calls", "quiet_calls", "does", "draws", "imports")


def _list_at(position: int) -> property:
    """The list at ``position`` of a ``ScopeFacts``: empty where the tuple ends before it."""
    return property(lambda scope: scope[position] if len(scope) > position else ())


class ScopeFacts(tuple):
    """What one scope (a function, ``<module>``, ``<main>``) calls, does and draws from (see engine/calls.py).

    ``(line, calls, quiet_calls, does, draws, imports)``, each list a tuple (the empty one shared), and the empty
    lists at the end left out: most scopes only call, many not even that, and the project step holds every scope
    of the project. The fields:

    - ``line``: where the scope starts;
    - ``calls``: references to what it calls (and the functions it hands over);
    - ``quiet_calls``: the same where autograd does not record (``no_grad``, a data pipeline);
    - ``does``: TRAINS, DIFFERENTIATES;
    - ``draws``: requirement codes of the generators it draws from;
    - ``imports``: requirement codes its own imports trigger (a function's lazy ``import torch``).
    """

    __slots__ = ()

    def __new__(cls, line: int, calls: tuple[str, ...] = (), quiet_calls: tuple[str, ...] = (),
                does: tuple[str, ...] = (), draws: tuple[str, ...] = (), imports: tuple[str, ...] = ()):
        values = [line, calls, quiet_calls, does, draws, imports]
        while len(values) > 1 and not values[-1]:
            values.pop()
        return tuple.__new__(cls, values)

    def __getnewargs__(self):  # pickling: the arguments ``__new__`` takes
        return tuple(self)

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in SCOPE_LISTS)
        return f"ScopeFacts(line={self[0]!r}, {fields})"

    line = property(itemgetter(0))
    calls = _list_at(1)
    quiet_calls = _list_at(2)
    does = _list_at(3)
    draws = _list_at(4)
    imports = _list_at(5)

    def to_json(self) -> dict:
        return {"line": self[0], **{name: list(getattr(self, name)) for name in SCOPE_LISTS}}

    @classmethod
    def from_json(cls, data: dict, shared: dict | None = None) -> ScopeFacts:
        """Names interned: most recur across the files of a project. ``shared``: lists (and line numbers) read
        before, by value, so that equal lists (``(".append",)``, the calls of a copied module) are one tuple (see
        ``FileFacts.from_json``)."""
        return cls._read(data["line"], [data[name] for name in SCOPE_LISTS], shared)

    def shared(self, shared: dict) -> ScopeFacts:
        """This scope as :meth:`from_json` reads it through ``shared`` (names interned, equal lists one tuple)."""
        return self._read(self[0], [getattr(self, name) for name in SCOPE_LISTS], shared)

    @classmethod
    def _read(cls, line: int, lists: list, shared: dict | None) -> ScopeFacts:
        lists = [tuple(map(intern, names)) for names in lists]
        if shared is not None:
            line, lists = shared.setdefault(line, line), [shared.setdefault(names, names) if names else names
                                                          for names in lists]
        return cls(line, *lists)


@dataclass(slots=True)  # no per-instance dictionary: the project step holds every file's facts
class FileFacts:
    """What one file tells the engine. The analysis fills lists; facts it hands out are frozen (``freeze``):
    each list a tuple, so that the project step, which holds every file's facts, holds no spare room."""

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
        for name in _NAME_FIELDS:
            data[name] = list(data[name])
        data["candidates"] = [candidate.to_json() for candidate in self.candidates]
        data["error"] = self.error.to_json() if self.error is not None else None
        data["noqa"] = {line: list(codes) for line, codes in self.noqa.items()}
        data["relative_imports"] = _import_lists(self.relative_imports)
        data["deferred_relative_imports"] = _import_lists(self.deferred_relative_imports)
        data["cells"] = [list(cell) for cell in self.cells]
        data["scopes"] = {key: scope.to_json() for key, scope in self.scopes.items()}
        data["classes"] = {name: list(bases) for name, bases in self.classes.items()}
        return data

    @classmethod
    def from_stored(cls, data: object, shared: dict | None = None) -> FileFacts | None:
        """Facts from JSON data read back from storage (a cache entry), ``None`` unless it has exactly
        :meth:`to_json`'s shape: no corrupt or planted entry hands the project step a wrong type."""
        return cls.from_json(data, shared) if has_shape(data, FACTS_SHAPE) else None

    @classmethod
    def from_json(cls, data: dict, shared: dict | None = None) -> FileFacts:
        """Facts from :meth:`to_json`'s data, frozen (see :meth:`freeze`). Names (of modules, scopes, calls) are
        interned: the project step holds every file's facts, and most names recur across the files of a project.
        ``shared``: a mapping the caller keeps while it reads a project's facts (and drops after), through which
        equal lists of calls are one tuple."""
        facts = cls(**{k: v for k, v in data.items() if k not in _BUILT_FIELDS}, classes=data["classes"],
                    **{k: data[k] for k in _NAME_FIELDS})
        facts._intern_names()
        facts.candidates = tuple(Candidate(**c) for c in data["candidates"])
        facts.error = Candidate(**data["error"]) if data.get("error") else None
        facts.noqa = {int(k): tuple(v) for k, v in data["noqa"].items()}
        facts.relative_imports = _import_rows(data["relative_imports"])
        facts.deferred_relative_imports = _import_rows(data["deferred_relative_imports"])
        facts.cells = tuple(map(tuple, data["cells"]))
        facts.scopes = {intern(key): ScopeFacts.from_json(scope, shared) for key, scope in data["scopes"].items()}
        return facts

    def freeze(self) -> FileFacts:
        """These facts with tuples for lists (the empty one shared), as :meth:`from_json` makes them: the project
        step holds every file's facts and only reads them, and facts analysed here compare equal to the same
        facts read back from the cache. Returns the facts."""
        for name in (*_NAME_FIELDS, "candidates"):
            setattr(self, name, tuple(getattr(self, name)))
        self.noqa = {line: tuple(codes) for line, codes in self.noqa.items()}
        self.relative_imports = _import_rows(self.relative_imports)
        self.deferred_relative_imports = _import_rows(self.deferred_relative_imports)
        self.cells = tuple(map(tuple, self.cells))
        self.classes = {name: tuple(bases) for name, bases in self.classes.items()}
        return self

    def share(self, shared: dict) -> FileFacts:
        """Frozen facts as :meth:`from_json` reads them through ``shared``: names interned, equal lists of calls
        one tuple (facts a process analysed itself, held beside facts read back). Returns the facts."""
        self._intern_names()
        self.scopes = {intern(key): scope.shared(shared) for key, scope in self.scopes.items()}
        return self

    def _intern_names(self) -> None:
        """The names of modules, codes and classes as tuples of interned strings."""
        for name in _NAME_FIELDS:
            setattr(self, name, _interned(getattr(self, name)))
        self.classes = {intern(key): _interned(bases) for key, bases in self.classes.items()}


def _interned(names: list[str]) -> tuple[str, ...]:
    return tuple(map(intern, names))


def _import_lists(rows) -> list[list]:
    return [[level, module, list(names)] for level, module, names in rows]


def _import_rows(rows) -> tuple:
    """``[level, module, [names]]`` rows of relative imports, as tuples."""
    return tuple((level, intern(module), _interned(names)) for level, module, names in rows)


_FIELDS = tuple(f.name for f in fields(FileFacts))
_NAME_FIELDS = ("imports", "deferred_imports", "triggered", "import_triggered", "deferred_triggered", "satisfied",
                "devices")
_BUILT_FIELDS = frozenset(("candidates", "error", "noqa", "relative_imports", "deferred_relative_imports", "cells",
                           "scopes", "classes", *_NAME_FIELDS))


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
