"""The lean position pass gives exactly what libcst's PositionProvider gives, on real code."""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider

from mlfcore_lint.engine.positions import positions_of

REPO = Path(__file__).resolve().parents[2]
SAMPLES = sorted((REPO / "mlfcore_lint").rglob("*.py"))[:40] + sorted((REPO / "fixtures").rglob("*.py"))[:40]
TRICKY = [
    "x = (  nn.MaxPool3d(2)  )\n",
    "if True:\r\n    y = f(\r\n        a,\r\n    )\r\n",
    "class A:\n    @decorator(1)\n    def f(self):\n        return (g)(h(1))\n",
    '"""doc\nstring"""\nif __name__ == "__main__":\n    main()\n',
    "z = [\n  call(i)  # comment\n  for i in range(3)\n]\n",
    "s = f'{fn(1)!r:>{width(2)}}'\n",
]


def wanted_nodes(module):
    nodes = []

    class Collect(cst.CSTVisitor):
        def on_visit(self, node):
            if isinstance(node, (cst.Call, cst.Attribute, cst.Subscript, cst.If, cst.Dict)):
                nodes.append(node)
            return True

    module.visit(Collect())
    return nodes


@pytest.mark.parametrize("source", [p.read_text(encoding="utf-8") for p in SAMPLES] + TRICKY)
def test_same_positions_as_libcst(source):
    module = cst.parse_module(source)
    nodes = wanted_nodes(module)
    expected = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    found = positions_of(module, nodes)
    for node in nodes:
        where = expected[node]
        start, end = found[node]
        assert start == (where.start.line, where.start.column)
        if not isinstance(node, cst.If):  # only an ``if __name__ == "__main__":`` start is ever reported
            assert end == (where.end.line, where.end.column)
