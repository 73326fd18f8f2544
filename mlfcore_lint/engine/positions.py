"""Source positions of the few nodes a file reports, from one lean code-generation pass.

libcst's ``PositionProvider`` records a range for every node of the module and costs twice the parse; a
file with one finding needs a handful. This state follows the same rules (a node's syntactic range, without
the parentheses and whitespace it owns) but keeps only the wanted nodes and no generated text.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from dataclasses import dataclass, field

import libcst as cst
from libcst._nodes.internal import CodegenState

_NEWLINE = re.compile(r"\r\n?|\n")

Position = tuple[int, int]  # line (1-based), column (0-based)


@dataclass
class _WantedPositions(CodegenState):
    wanted: frozenset = frozenset()
    found: dict = field(default_factory=dict)  # node -> (start, end)
    line: int = 1
    column: int = 0
    _open: dict = field(default_factory=dict)

    def _advance(self, value: str) -> None:
        if "\r" in value:
            segments = _NEWLINE.split(value)
            if len(segments) > 1:
                self.line += len(segments) - 1
                self.column = len(segments[-1])
            else:
                self.column += len(value)
            return
        newlines = value.count("\n")
        if newlines:
            self.line += newlines
            self.column = len(value) - value.rfind("\n") - 1
        else:
            self.column += len(value)

    def add_token(self, value: str) -> None:  # the text itself is not kept
        self._advance(value)

    def add_indent_tokens(self) -> None:
        for token in self.indent_tokens:
            self._advance(token)

    def pop_trailing_newline(self) -> None:
        pass

    def before_codegen(self, node: cst.CSTNode) -> None:
        if node in self.wanted:
            self._open[node] = (self.line, self.column)

    def after_codegen(self, node: cst.CSTNode) -> None:
        if node in self.wanted:
            start = self._open.pop(node)
            self.found.setdefault(node, (start, (self.line, self.column)))

    @contextmanager
    def record_syntactic_position(self, node, *, start_node=None, end_node=None):
        if node not in self.wanted:
            yield
            return
        start = (self.line, self.column)
        try:
            yield
        finally:
            end = (self.line, self.column)
            if start_node is not None and start_node in self.found:
                start = self.found[start_node][0]
            if end_node is not None and end_node in self.found:
                end = self.found[end_node][1]
            self.found[node] = (start, end)


def positions_of(module: cst.Module, nodes) -> dict[cst.CSTNode, tuple[Position, Position]]:
    """Start and end of each of ``nodes`` as libcst's ``PositionProvider`` gives them."""
    state = _WantedPositions(
        default_indent=module.default_indent, default_newline=module.default_newline, wanted=frozenset(nodes)
    )
    module._codegen(state)  # the same pass PositionProvider makes, through libcst's code generator
    return state.found
