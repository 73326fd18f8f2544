"""How a module can refer to a framework API: its own import aliases first, a new import otherwise."""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import libcst as cst


def dotted_name(node: cst.BaseExpression) -> str | None:
    """``torch.nn.functional`` for that chain of attributes, None for any other expression."""
    parts = []
    while isinstance(node, cst.Attribute):
        parts.append(node.attr.value)
        node = node.value
    if not isinstance(node, cst.Name):
        return None
    parts.append(node.value)
    return ".".join(reversed(parts))


def literal_string(node) -> str | None:
    """The text of a string literal, else None."""
    if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None


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


def source_bindings(source: str, canonical: Callable[[str], str]) -> list[Binding]:
    """The names the top-level imports of ``source`` bind, as seen by code that runs after it (line 0): a
    notebook's earlier cells, read with CPython's parser (nothing in them is rewritten, so no libcst tree)."""
    try:
        body = ast.parse(source).body
    except (SyntaxError, RecursionError, ValueError, MemoryError):
        return []
    found = []
    pending = list(reversed(body))
    while pending:  # the top-level statements, and those of top-level ``if``/``try`` blocks
        statement = pending.pop()
        if isinstance(statement, ast.If):
            pending.extend(reversed(statement.body + statement.orelse))
        elif isinstance(statement, ast.Try | getattr(ast, "TryStar", ast.Try)):
            pending.extend(reversed(statement.body + [s for h in statement.handlers for s in h.body]))
        elif isinstance(statement, ast.Import):
            found.extend(_binding(None, alias.name, alias.asname, 0, canonical) for alias in statement.names)
        elif isinstance(statement, ast.ImportFrom) and not statement.level and statement.module is not None:
            found.extend(_binding(statement.module, alias.name, alias.asname, 0, canonical)
                         for alias in statement.names if alias.name != "*")
    return found


def _binding(module: str | None, name: str, alias: str | None, line: int, canonical: Callable[[str], str]) -> Binding:
    """What ``import name [as alias]`` (``module`` None) or ``from module import name [as alias]`` binds."""
    if module is not None:
        return Binding(alias or name, canonical(f"{module}.{name}"), line)
    if alias is not None:
        return Binding(alias, canonical(name), line)
    root = name.split(".")[0]
    return Binding(root, canonical(root), line)


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
                    if name is not None:
                        named = alias.asname is not None and isinstance(alias.asname.name, cst.Name)
                        found.append(_binding(None, name, alias.asname.name.value if named else None, line,
                                              canonical))
            elif isinstance(small, cst.ImportFrom) and not small.relative and small.module is not None:
                module_name = dotted_name(small.module)
                if module_name is None or isinstance(small.names, cst.ImportStar):
                    continue
                for alias in small.names:
                    name = dotted_name(alias.name)
                    if name:
                        found.append(_binding(module_name, name, alias.evaluated_alias, line, canonical))
    return found


class References:
    """Expressions for qualified API names in one module, and the imports they need."""

    def __init__(self, bindings: list[Binding], canonical: Callable[[str], str]):
        self.bindings = bindings
        self.canonical = canonical
        self.imports: list[ImportRequest] = []
        self.unused: list[ImportRequest] = []  # imports a fix may leave unused (removed if nothing else uses them)

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

    def qualify(self, dotted: str) -> str | None:
        """What ``dotted`` (``tf.random.set_seed``) names through the module's imports."""
        head, _, rest = dotted.partition(".")
        binding = next((b for b in reversed(self.bindings) if b.name == head), None)
        if binding is None:
            return None
        return self.canonical(f"{binding.qualified}.{rest}" if rest else binding.qualified)

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


def is_import_statement(statement: cst.CSTNode) -> bool:
    """``import x`` / ``from x import y`` lines, and ``try: import x / except ImportError: ...`` blocks."""
    if isinstance(statement, cst.SimpleStatementLine):
        return all(isinstance(s, (cst.Import, cst.ImportFrom)) for s in statement.body)
    if isinstance(statement, cst.Try):
        return all(is_import_statement(s) for s in statement.body.body)
    return False


def is_docstring(statement: cst.CSTNode) -> bool:
    return (
        isinstance(statement, cst.SimpleStatementLine)
        and len(statement.body) == 1
        and isinstance(statement.body[0], cst.Expr)
        and isinstance(statement.body[0].value, (cst.SimpleString, cst.ConcatenatedString))
    )


def after_imports_index(body) -> int:
    """Where code after the module's docstring and its leading imports goes."""
    index = 1 if body and is_docstring(body[0]) else 0
    for position, statement in enumerate(body):
        if is_import_statement(statement):
            index = position + 1
        elif isinstance(statement, cst.BaseCompoundStatement) and not isinstance(statement, cst.Try):
            break
    return index
