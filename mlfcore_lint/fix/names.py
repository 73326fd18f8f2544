"""How a module can refer to a framework API: its own import aliases first, a new import otherwise."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterator

import libcst as cst
from libcst.metadata import CodeRange

from ..engine.walker import dotted_name


@dataclass(frozen=True)
class Binding:
    name: str  # the name the module binds
    qualified: str  # what it stands for, as the linter spells it (``lightning.pytorch`` for ``pytorch_lightning``)
    line: int  # where the import is


@dataclass(frozen=True)
class ImportRequest:
    module: str
    obj: str | None = None  # ``from module import obj``


def top_level_statements(body) -> Iterator[cst.CSTNode]:
    """Module-level statements, including those in top-level ``if``/``try`` blocks (conditional imports)."""
    for statement in body:
        yield statement
        if isinstance(statement, cst.If):
            yield from top_level_statements(statement.body.body)
            branch = statement.orelse
            while branch is not None:
                yield from top_level_statements(branch.body.body)
                branch = getattr(branch, "orelse", None)
        elif isinstance(statement, cst.Try):
            yield from top_level_statements(statement.body.body)
            for handler in statement.handlers:
                yield from top_level_statements(handler.body.body)


def module_bindings(module: cst.Module, positions, canonical: Callable[[str], str]) -> list[Binding]:
    """The names the module's top-level imports bind."""
    found = []
    for statement in top_level_statements(module.body):
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        line = positions[statement].start.line
        for small in statement.body:
            if isinstance(small, cst.Import):
                for alias in small.names:
                    name = dotted_name(alias.name)
                    if name is None:
                        continue
                    if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                        found.append(Binding(alias.asname.name.value, canonical(name), line))
                    else:
                        root = name.split(".")[0]
                        found.append(Binding(root, canonical(root), line))
            elif isinstance(small, cst.ImportFrom) and not small.relative and small.module is not None:
                module_name = dotted_name(small.module)
                if module_name is None or isinstance(small.names, cst.ImportStar):
                    continue
                for alias in small.names:
                    name = dotted_name(alias.name)
                    bound = alias.evaluated_alias or name
                    if name and bound:
                        found.append(Binding(bound, canonical(f"{module_name}.{name}"), line))
    return found


class References:
    """Expressions for qualified API names in one module, and the imports they need."""

    def __init__(self, bindings: list[Binding], canonical: Callable[[str], str]):
        self.bindings = bindings
        self.canonical = canonical
        self.imports: list[ImportRequest] = []

    def binding_for(self, api: str, before_line: int | None = None) -> tuple[Binding, str] | None:
        """The closest import that reaches ``api`` (bound before ``before_line``), and the rest of the path."""
        api = self.canonical(api)
        best: tuple[Binding, str] | None = None
        for binding in self.bindings:
            if before_line is not None and binding.line >= before_line:
                continue
            if api == binding.qualified:
                rest = ""
            elif api.startswith(binding.qualified + "."):
                rest = api[len(binding.qualified) + 1:]
            else:
                continue
            if best is None or len(binding.qualified) > len(best[0].qualified):
                best = (binding, rest)
        return best

    def uses(self, module: str) -> bool:
        """Whether the module imports ``module`` (or something inside it)."""
        module = self.canonical(module)
        return any(b.qualified == module or b.qualified.startswith(module + ".") for b in self.bindings)

    def reference(self, api: str, before_line: int | None = None, import_as: str | None = None) -> str:
        """Source text naming ``api``: through an existing import, or a new ``import <module>``."""
        found = self.binding_for(api, before_line)
        if found is not None:
            binding, rest = found
            return f"{binding.name}.{rest}" if rest else binding.name
        module = import_as or api.split(".")[0]
        self.request(ImportRequest(module))
        return api

    def request(self, request: ImportRequest) -> None:
        if request not in self.imports:
            self.imports.append(request)


def start_line(positions, node: cst.CSTNode) -> int:
    where: CodeRange = positions[node]
    return where.start.line
