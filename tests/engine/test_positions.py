"""Positions from CPython's syntax tree are the ranges libcst gives, so the fixer finds the node a finding names."""

from __future__ import annotations

import ast
from pathlib import Path

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider

from mlfcore_lint.engine.source import CharacterColumns

REPO = Path(__file__).resolve().parents[2]
SAMPLES = sorted((REPO / "mlfcore_lint").rglob("*.py"))[:40] + sorted((REPO / "fixtures").rglob("*.py"))[:40]
TRICKY = [
    "x = (  nn.MaxPool3d(2)  )\n",
    "if True:\r\n    y = f(\r\n        a,\r\n    )\r\n",
    "class A:\n    @decorator(1)\n    def f(self):\n        return (g)(h(1))\n",
    '"""doc\nstring"""\nif __name__ == "__main__":\n    main()\n',
    "z = [\n  call(i)  # comment\n  for i in range(3)\n]\n",
    "s = f'{fn(1)!r:>{width(2)}}'\n",
    "name = 'café'; pool = nn.MaxPool3d(2)  # non-ASCII before the call\n",
    "x = {'ß': torch.cumsum(t, 0), 'k': os.environ['A']}\n",
    "torch.backends.cudnn.benchmark = True\n",
]
KINDS = {cst.Call: ast.Call, cst.Attribute: ast.Attribute, cst.Subscript: ast.Subscript, cst.Dict: ast.Dict}


def libcst_ranges(source: str) -> dict[type, set]:
    module = cst.parse_module(source)
    positions = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    # libcst spells the dotted module names of imports as attributes; CPython keeps them as text.
    in_imports = {id(node) for node in _import_names(module)}
    found: dict[type, set] = {kind: set() for kind in KINDS.values()}
    for node, where in positions.items():
        if id(node) in in_imports:
            continue
        kind = KINDS.get(type(node))
        if kind is not None:
            found[kind].add(((where.start.line, where.start.column), (where.end.line, where.end.column)))
        elif isinstance(node, cst.If):
            found.setdefault(ast.If, set()).add((where.start.line, where.start.column))
    return found


def _import_names(module: cst.Module) -> list[cst.CSTNode]:
    found = []

    class Collect(cst.CSTVisitor):
        def visit_ImportAlias(self, node):
            found.append(node.name)

        def visit_ImportFrom(self, node):
            found.append(node.module)

        def visit_Attribute(self, node):
            if found and node in found:
                found.append(node.value)

    module.visit(Collect())
    return found


def ast_ranges(source: str) -> dict[type, set]:
    columns = CharacterColumns(source)
    found: dict[type, set] = {kind: set() for kind in KINDS.values()}
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.If):
            found.setdefault(ast.If, set()).add((node.lineno, columns.of(node.lineno, node.col_offset)))
        elif type(node) in found:
            found[type(node)].add(((node.lineno, columns.of(node.lineno, node.col_offset)),
                                   (node.end_lineno, columns.of(node.end_lineno, node.end_col_offset))))
    return found


@pytest.mark.parametrize("source", [p.read_text(encoding="utf-8") for p in SAMPLES] + TRICKY)
def test_same_ranges_as_libcst(source):
    # Calls, attributes, subscripts and dict displays are what findings point at; an ``if`` only by its start
    # (``elif`` branches are ``if`` nodes in both trees).
    assert ast_ranges(source) == libcst_ranges(source)
