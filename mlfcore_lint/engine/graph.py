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
        """Iterative Tarjan from ``root`` over the nodes not summarised yet. Each node's successors are asked for
        once and not kept: what a node reaches outside its component is added to its own mask as it is met (a
        component is summarised before the walk returns from it), and a component's mask is the ``|`` of its
        members' masks. A node of this walk is known by its position in it (``nodes``), which its entry in the
        summaries holds, as ``~position`` (a negative number), until its component is summarised."""
        summary, own, successors = self._summary, self._own, self._successors
        nodes: list = []
        low: list[int] = []
        mask: list[int] = []  # what each node does and reaches outside its component, so far
        on_stack: list[bool] = []
        stack: list[int] = []

        def enter(node) -> int:
            at = len(nodes)
            summary[node] = ~at
            nodes.append(node)
            low.append(at)
            mask.append(own(node))
            on_stack.append(True)
            stack.append(at)
            return at

        work = [(enter(root), iter(successors(root)))]
        while work:
            at, pending = work[-1]
            advanced = False
            for target in pending:
                found = summary.get(target)
                if found is None:
                    work.append((enter(target), iter(successors(target))))
                    advanced = True
                    break
                if found >= 0:  # summarised
                    mask[at] |= found
                elif on_stack[~found] and ~found < low[at]:
                    low[at] = ~found
            if advanced:
                continue
            work.pop()
            if work and low[at] < low[work[-1][0]]:
                low[work[-1][0]] = low[at]
            if low[at] != at:
                continue
            # ``at`` roots a component: every component it reaches is summarised already.
            members = []
            total = 0
            while True:
                member = stack.pop()
                on_stack[member] = False
                members.append(member)
                total |= mask[member]
                if member == at:
                    break
            for member in members:
                summary[nodes[member]] = total
            if work:  # the node the walk returns to reaches this component
                mask[work[-1][0]] |= total


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
