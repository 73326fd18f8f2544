"""Collections whose iteration order is not fixed between runs, as far as one expression shows it.

Strings hash differently in every interpreter (``PYTHONHASHSEED``), so a set of strings is iterated in a
different order from run to run. Only expressions whose elements are visibly strings count: a set display
of string literals, a set comprehension building f-strings or ``str(...)``, and ``set``/``frozenset`` of a
literal sequence of strings, of a string, or of ``.split()``. A set held in a variable is not followed.
"""

from __future__ import annotations

import ast
from collections.abc import Callable

from ..ruleset.schema import ITERATED_KINDS

STRING_SET = ITERATED_KINDS[0]

#: Built-in callables that consume their first argument in iteration order.
ORDERED_CONSUMERS = frozenset({"list", "tuple", "enumerate"})
_SET_BUILDERS = frozenset({"set", "frozenset"})
_STRING_METHODS = frozenset({"split", "splitlines", "rsplit"})


def is_string_set(node: ast.expr, is_builtin: Callable[[str], bool]) -> bool:
    """Whether ``node`` visibly builds a set of two or more strings."""
    if isinstance(node, ast.Set):
        return _all_strings(node.elts, is_builtin)
    if isinstance(node, ast.SetComp):
        return _is_string_value(node.elt, is_builtin)
    if isinstance(node, ast.Call) and _builtin_name(node.func, is_builtin) in _SET_BUILDERS:
        if len(node.args) != 1 or node.keywords or isinstance(node.args[0], ast.Starred):
            return False
        source = node.args[0]
        if isinstance(source, (ast.List, ast.Tuple, ast.Set)):
            return _all_strings(source.elts, is_builtin)
        if isinstance(source, ast.Constant) and isinstance(source.value, (str, bytes)):
            return isinstance(source.value, str) and len(set(source.value)) > 1
        if isinstance(source, (ast.ListComp, ast.GeneratorExp, ast.SetComp)):
            return _is_string_value(source.elt, is_builtin)
        return (isinstance(source, ast.Call) and isinstance(source.func, ast.Attribute)
                and source.func.attr in _STRING_METHODS)
    return False


def _all_strings(elements: list[ast.expr], is_builtin) -> bool:
    return len(elements) > 1 and all(
        not isinstance(e, ast.Starred) and _is_string_value(e, is_builtin) for e in elements
    )


def _is_string_value(node: ast.expr, is_builtin) -> bool:
    if isinstance(node, ast.JoinedStr) or (isinstance(node, ast.Constant) and isinstance(node.value, (str, bytes))):
        return True
    return isinstance(node, ast.Call) and _builtin_name(node.func, is_builtin) == "str"


def _builtin_name(func: ast.expr, is_builtin) -> str | None:
    return func.id if isinstance(func, ast.Name) and is_builtin(func.id) else None
