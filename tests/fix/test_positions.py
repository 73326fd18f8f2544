"""The fixer's positions: libcst's own ranges, computed statement by statement, never different."""

from __future__ import annotations

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider

from mlfcore_lint.fix.positions import Positions

SOURCES = {
    "header, footer and semicolons": "# header\n\nimport torch; import numpy as np\n\nx = 1  # one\n# footer\n",
    "decorated definitions": (
        "import functools\n\n\n@functools.lru_cache()\n@staticmethod\ndef f(a,\n      b):\n    return a\n\n\n"
        "@dataclass\nclass C:\n    # inside\n    x: int = 0\n\n    async def m(self):\n        await g()\n"
        "    # after the block\n\n# before main\nif __name__ == '__main__':\n    f(1, 2)\nelif x:\n    pass\n"
        "else:\n    g()\n"),
    "try, with and continuation lines": (
        "try:\n    import torch\nexcept ImportError:\n    torch = None\nfinally:\n    pass\n"
        "with open('x') as handle, \\\n        open('y'):\n    value = (1 +\n             2)\n"
        "s = '''a\nb'''\nt = f(\"é\", 'ü')  ; u = 2\n"),
    "no trailing newline": "import torch\ntorch.manual_seed(0)",
    "only comments": "# nothing\n# here\n",
    "empty": "",
}


@pytest.mark.parametrize("name", sorted(SOURCES))
@pytest.mark.parametrize("wanted", [[], [1], [3, 7]])
def test_every_range_is_libcst_own(name, wanted):
    text = SOURCES[name]
    module = cst.parse_module(text)
    expected = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    positions = Positions(module, text, wanted)
    for statement in module.body:  # a top-level statement's lines, before anything below it is computed
        assert (positions[statement].start.line, positions[statement].end.line) == (
            expected[statement].start.line, expected[statement].end.line)
    for node, where in expected.items():
        if node is not module:
            assert positions[node] == where, (name, node)


def test_only_the_statements_asked_for_are_computed():
    text = "import torch\n\nx = 1\n\n\ndef f():\n    return torch.rand(2)\n\n\ny = f()\n"
    module = cst.parse_module(text)
    positions = Positions(module, text, [7])
    function, last = module.body[2], module.body[3]
    call = function.body.body[0].body[0].value
    assert positions.known(call) is not None  # in the statement holding line 7
    inner = last.body[0].value
    assert positions.known(inner) is None
    assert positions[inner].start.line == 10  # computed when asked for
    assert positions.known(inner) is not None


# ---------------------------------------------------------------- the fixed module's code (fix/codegen.py)

MORE_SOURCES = {
    **SOURCES,
    "multi-line decorators and comments between": (
        "import torch\n# before\n\n@register(\n    name='x',\n)\n# between\n@other\n\ndef f():\n    pass\n"
        "x = f()\n"),
    "form feeds and CRLF": "import torch\r\n\x0c\r\ndef f():\r\n    return 1\r\n\r\ny = f()\r\n",
    "no trailing newline after a block": "import torch\nif x:\n    torch.manual_seed(0)",
}


class _Rewrite(cst.CSTTransformer):
    """Replaces the statement at ``index`` (a changed node) and adds one after it, visiting nothing else."""

    def __init__(self, index: int):
        super().__init__()
        self.index = index

    def on_visit(self, node) -> bool:
        return isinstance(node, cst.Module)

    def leave_Module(self, original_node, updated_node):
        body = list(updated_node.body)
        changed = body[self.index].with_changes(leading_lines=[*body[self.index].leading_lines, cst.EmptyLine()])
        added = cst.parse_statement("seed = 0\n")
        body[self.index:self.index + 1] = [changed, added]
        return updated_node.with_changes(body=body)


@pytest.mark.parametrize("name", sorted(name for name, text in MORE_SOURCES.items() if cst.parse_module(text).body))
def test_the_fixed_code_is_libcst_own_with_the_untouched_statements_as_they_were(name):
    from mlfcore_lint.fix.codegen import _spliced, fixed_code
    from mlfcore_lint.fix.integrity import lines_of

    text = MORE_SOURCES[name]
    lines = lines_of(text)
    module = cst.parse_module(text)
    for index in range(len(module.body)):
        fixed = module.visit(_Rewrite(index))
        spliced = _spliced(module, fixed, lines, Positions(module, text, []))
        assert spliced is not None, (name, index)
        # libcst drops form feeds; the original lines keep them
        assert spliced.replace("\x0c", "") == fixed.code.replace("\x0c", ""), (name, index)
        assert fixed_code(module, fixed, lines, Positions(module, text, [])) == spliced
    assert _spliced(module, module, lines, Positions(module, text, [])) == text  # nothing changed: the text
