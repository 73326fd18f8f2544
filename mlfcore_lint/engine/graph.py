"""Reachability summaries over a directed graph, in time linear in its size.

The project step asks the same question for every entry point: what does everything it reaches add up to
(the modules it imports, whether a scope it reaches trains, which generators it draws from)? Walking the
graph again from each entry point costs entry points x graph; here each strongly connected component is
summarised once, from the summaries of the components it reaches (Tarjan's algorithm finishes a component
after every component it reaches), and the summaries are bit sets combined with ``|``.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from typing import TypeVar

N = TypeVar("N", bound=Hashable)


class Summaries:
    """``summary(node)``: the ``|`` of ``own(other)`` over every node reachable from ``node`` (itself included)
    through ``successors``; computed for a node and all it reaches on the first question, then remembered."""

    def __init__(self, successors: Callable[[N], Iterable[N]], own: Callable[[N], int]):
        self._successors = successors
        self._own = own
        self._summary: dict = {}

    def summary(self, node: N) -> int:
        found = self._summary.get(node)
        if found is None:
            self._visit(node)
            found = self._summary[node]
        return found

    def union(self, nodes: Iterable[N]) -> int:
        mask = 0
        for node in nodes:
            mask |= self.summary(node)
        return mask

    def _visit(self, root: N) -> None:
        """Iterative Tarjan from ``root`` over the nodes not summarised yet."""
        summary, own = self._summary, self._own
        known: dict = {}  # the successors of each node of this walk, asked for once

        def successors(node):
            found = known.get(node)
            if found is None:
                found = known[node] = list(self._successors(node))
            return found

        number: dict = {}
        low: dict = {}
        stack: list = []
        on_stack: set = set()
        work = [(root, iter(successors(root)))]
        number[root] = low[root] = 0
        stack.append(root)
        on_stack.add(root)
        while work:
            node, pending = work[-1]
            advanced = False
            for target in pending:
                if target in summary:
                    continue
                if target not in number:
                    number[target] = low[target] = len(number)
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, iter(successors(target))))
                    advanced = True
                    break
                if target in on_stack and number[target] < low[node]:
                    low[node] = number[target]
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                if low[node] < low[parent]:
                    low[parent] = low[node]
            if low[node] != number[node]:
                continue
            # ``node`` roots a component: every component it reaches is summarised already.
            members = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                members.append(member)
                if member == node:
                    break
            mask = 0
            for member in members:
                mask |= own(member)
                for target in successors(member):
                    if target in summary:
                        mask |= summary[target]
            for member in members:
                summary[member] = mask


class Bits:
    """Names (requirement codes, devices) as bits of one integer, so that sets of them combine with ``|``."""

    def __init__(self):
        self._bits: dict[str, int] = {}

    def of(self, names: Iterable[str]) -> int:
        mask = 0
        for name in names:
            bit = self._bits.get(name)
            if bit is None:
                bit = self._bits[name] = 1 << len(self._bits)
            mask |= bit
        return mask

    def names(self, mask: int) -> set[str]:
        return {name for name, bit in self._bits.items() if mask & bit}
