"""Where each node of a module lies (libcst's ``PositionProvider`` ranges), computed only where a fix looks.

libcst computes positions by generating the code of the whole module, which costs more than parsing it; a
fix looks at the few top-level statements that hold a finding or the start of a program. ``Positions`` gives
every top-level statement its line span from CPython's parser, generates the code of a statement only when
a fix looks inside it (its exact ranges, moved to the statement's line), and falls back to the whole module
wherever the two parsers disagree. The ranges it returns are libcst's own.
"""

from __future__ import annotations

import ast
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Mapping

import libcst as cst
from libcst.metadata import CodePosition, CodeRange, MetadataWrapper, PositionProvider
from libcst.metadata.position_provider import PositionProvidingCodegenState


def spans_any(where: CodeRange, lines: list[int]) -> bool:
    """Whether one of ``lines`` (1-based, ascending) lies within the lines of ``where``."""
    index = bisect_left(lines, where.start.line)
    return index < len(lines) and lines[index] <= where.end.line


def positions_of(node: cst.CSTNode, module: cst.Module) -> dict[cst.CSTNode, CodeRange]:
    """The ranges of ``node`` and everything below it, counted from line 1 where its code starts, from one
    code generation pass (``MetadataWrapper.resolve`` also visits the whole tree for batchable providers,
    which costs as much). Falls back to the wrapper where libcst's internals differ (``node`` the module)."""
    provider = PositionProvider()
    try:
        state = PositionProvidingCodegenState(default_indent=module.default_indent,
                                              default_newline=module.default_newline, provider=provider)
        node._codegen(state)
        return provider._computed
    except (AttributeError, TypeError):
        if node is not module:
            raise
        return dict(MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider))


class Positions(Mapping):
    """``PositionProvider``'s ranges of ``module`` (parsed from ``text``), computed statement by statement:
    those whose lines hold one of ``lines`` first, any other when a node below it is asked for."""

    def __init__(self, module: cst.Module, text: str, lines: Iterable[int]):
        self._module = module
        self._ranges: dict[cst.CSTNode, CodeRange] = {}
        # the lines of each top-level statement not computed yet; None once every range is exact
        self._spans = _statement_spans(module, text)
        if self._spans is None:
            self._whole()
            return
        wanted = sorted(set(lines))
        for statement, span in list(self._spans.items()):
            if any(span.start.line <= line <= span.end.line for line in wanted):
                self.cover(statement)

    def __getitem__(self, node: cst.CSTNode) -> CodeRange:
        found = self.known(node)
        if found is not None:
            return found
        if node is self._module:
            raise KeyError(node)  # no fix asks where the module lies
        while self._spans:  # a node below a statement not computed yet
            self._expand(next(iter(self._spans)))
            if node in self._ranges:
                return self._ranges[node]
        if self._spans is not None:  # outside every statement (the module's header or footer)
            self._whole()
        return self._ranges[node]

    def cover(self, statement: cst.CSTNode) -> None:
        """Compute the exact ranges in the top-level ``statement`` now (a fix is about to look inside it)."""
        if self._spans is not None and statement in self._spans:
            self._expand(statement)

    def known(self, node: cst.CSTNode) -> CodeRange | None:
        """The range of ``node`` where it is computed (or a top-level statement's lines), else None: what the
        transformer needs to skip the statements without a fix, computing nothing."""
        found = self._ranges.get(node)
        if found is None and self._spans is not None:
            found = self._spans.get(node)  # no fix looks at its columns without computing it
        return found

    def __iter__(self) -> Iterator[cst.CSTNode]:
        while self._spans:
            self._expand(next(iter(self._spans)))
        return iter(self._ranges)

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def _expand(self, statement: cst.CSTNode) -> None:
        span = self._spans.pop(statement)
        relative = positions_of(statement, self._module)
        exact = relative[statement]
        lines = exact.end.line - exact.start.line
        if exact.start.column != span.start.column or lines != span.end.line - span.start.line:
            self._whole()  # the parsers disagree about this statement: every range from the whole module
            return
        offset = span.start.line - exact.start.line
        for node, where in relative.items():
            self._ranges[node] = CodeRange(CodePosition(where.start.line + offset, where.start.column),
                                           CodePosition(where.end.line + offset, where.end.column))

    def _whole(self) -> None:
        self._ranges = positions_of(self._module, self._module)
        self._spans = None


def _statement_spans(module: cst.Module, text: str) -> dict[cst.CSTNode, CodeRange] | None:
    """Each top-level statement's lines, from CPython's parser: a simple statement line holds as many of its
    statements as it has small statements (``a = 1; b = 2``), any other statement one. None where the two
    parsers do not pair up."""
    try:
        body = ast.parse(text).body
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    spans, position = {}, 0
    for statement in module.body:
        count = len(statement.body) if isinstance(statement, cst.SimpleStatementLine) else 1
        group = body[position:position + count]
        position += count
        if len(group) != count or group[0].col_offset != 0:
            return None
        first, last = group[0], group[-1]
        # a decorated definition starts at ``def``/``class`` in both (decorators come before its range)
        spans[statement] = CodeRange(CodePosition(first.lineno, 0), CodePosition(last.end_lineno, last.end_col_offset))
    return spans if position == len(body) else None
