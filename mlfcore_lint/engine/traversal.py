"""The walk's stack discipline: which children of a node are pushed, in what order, and which never are.

A node's children are pushed reversed, so that they pop in source order. Which fields can hold code is read
from each node type's ASDL signature once, and a pusher is compiled per node type on first use (``PUSHERS``);
leaves (names, literals, contexts) are never pushed at all.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable

#: ASDL field types that never hold code: identifiers, constants, contexts and operators.
_PLAIN_FIELD_TYPES = frozenset({
    "identifier", "string", "constant", "int", "expr_context", "boolop", "operator", "unaryop", "cmpop",
    "type_ignore",
})
_SIGNATURE = re.compile(r"(\w+)([*?]?) (\w+)")


def _child_fields(node_type: type) -> list[tuple[str, bool]] | None:
    """(field, is a list) for the fields of ``node_type`` that can hold code, in source order.

    Read from the node type's ASDL signature (``Call(expr func, expr* args, keyword* keywords)``);
    None where a Python version documents a node type differently (then every field is looked at).
    """
    signature = node_type.__doc__ or ""
    found = {name: (kind, marker == "*") for kind, marker, name in _SIGNATURE.findall(signature.split("\n")[0])}
    if set(found) != set(node_type._fields):
        return None
    return [(name, is_list) for name in node_type._fields
            for kind, is_list in [found[name]] if kind not in _PLAIN_FIELD_TYPES]


def _node_types() -> list[type]:
    return [t for t in vars(ast).values() if isinstance(t, type) and issubclass(t, ast.AST)]


#: Nodes that hold no code below them (names, literals, contexts): never pushed on the walk's stack.
LEAVES = frozenset(t for t in _node_types() if _child_fields(t) == [])


def _compile_pusher(node_type: type):
    """A function that pushes a node's children (reversed, so they pop in source order), skipping leaves."""
    fields = _child_fields(node_type)
    if fields is None:
        return _push_any_fields
    lines = ["def push(node, stack):"]
    for name, is_list in reversed(fields):
        if is_list:
            lines += [f"    for item in reversed(node.{name}):",
                      "        if item is not None and item.__class__ not in LEAVES:",
                      "            stack.append(item)"]
        else:
            lines += [f"    value = node.{name}",
                      "    if value is not None and value.__class__ not in LEAVES:",
                      "        stack.append(value)"]
    lines.append("    return None")
    namespace = {"LEAVES": LEAVES}
    exec("\n".join(lines), namespace)  # generated from the node type's own field declarations, nothing else
    return namespace["push"]


def _push_any_fields(node: ast.AST, stack: list) -> None:
    for name in reversed(node._fields):
        value = getattr(node, name, None)
        items = reversed(value) if isinstance(value, list) else (value,)
        for item in items:
            if isinstance(item, ast.AST) and item.__class__ not in LEAVES:
                stack.append(item)


class _Pushers(dict):
    """Node type -> its pusher, compiled on first use."""

    def __missing__(self, node_type: type) -> Callable:
        pusher = self[node_type] = _compile_pusher(node_type)
        return pusher


#: The pusher of each node type (``PUSHERS[type(node)](node, stack)``).
PUSHERS: dict[type, Callable] = _Pushers()


def push_below_attributes(node: ast.expr, stack: list) -> None:
    """What an attribute chain (``a.b.c``) is taken of (``a``), the chain's only code, without a stack item
    for each attribute."""
    while node.__class__ is ast.Attribute:
        node = node.value
    if node.__class__ not in LEAVES:
        stack.append(node)


def push_code(stack: list, expressions: list[ast.expr]) -> None:
    """Push ``expressions`` to be walked in order, leaving out those with no code in them (names, literals)."""
    for expression in reversed(expressions):
        if expression.__class__ not in LEAVES:
            stack.append(expression)


def push_call_children(node: ast.Call, stack: list) -> None:
    """A call's children, as its pusher would push them, without the stack items that hold no code: a
    keyword (its value is pushed) and an attribute chain (what it is taken of is pushed)."""
    for keyword in reversed(node.keywords):
        value = keyword.value
        if value.__class__ not in LEAVES:
            stack.append(value)
    for argument in reversed(node.args):
        if argument.__class__ not in LEAVES:
            stack.append(argument)
    push_below_attributes(node.func, stack)
