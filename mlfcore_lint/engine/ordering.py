"""Collections whose iteration order is not fixed between runs, as far as one expression shows it.

Strings hash differently in every interpreter (``PYTHONHASHSEED``), so a set of strings is iterated in a
different order from run to run. Only expressions whose elements are visibly strings count: a set display
of string literals, a set comprehension building f-strings or ``str(...)``, and ``set``/``frozenset`` of a
literal sequence of strings, of a string, or of ``.split()``. A set held in a variable is not followed.
"""

from __future__ import annotations

from collections.abc import Callable

import libcst as cst

from ..ruleset.schema import ITERATED_KINDS

STRING_SET = ITERATED_KINDS[0]

#: Built-in callables that consume their first argument in iteration order.
ORDERED_CONSUMERS = frozenset({"list", "tuple", "enumerate"})
_SET_BUILDERS = frozenset({"set", "frozenset"})
_STRING_METHODS = frozenset({"split", "splitlines", "rsplit"})
_STRINGS = (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString)


def is_string_set(node: cst.BaseExpression, is_builtin: Callable[[str], bool]) -> bool:
    """Whether ``node`` visibly builds a set of two or more strings."""
    if isinstance(node, cst.Set):
        return len(node.elements) > 1 and all(_is_string(e, is_builtin) for e in node.elements)
    if isinstance(node, cst.SetComp):
        return _is_string_value(node.elt, is_builtin)
    if isinstance(node, cst.Call) and _builtin_name(node.func, is_builtin) in _SET_BUILDERS:
        if len(node.args) != 1 or node.args[0].star or node.args[0].keyword is not None:
            return False
        source = node.args[0].value
        if isinstance(source, (cst.List, cst.Tuple, cst.Set)):
            return len(source.elements) > 1 and all(_is_string(e, is_builtin) for e in source.elements)
        if isinstance(source, (cst.SimpleString, cst.ConcatenatedString)):
            value = source.evaluated_value
            return isinstance(value, str) and len(set(value)) > 1
        if isinstance(source, (cst.ListComp, cst.GeneratorExp, cst.SetComp)):
            return _is_string_value(source.elt, is_builtin)
        return (isinstance(source, cst.Call) and isinstance(source.func, cst.Attribute)
                and source.func.attr.value in _STRING_METHODS)
    return False


def _is_string(element: cst.BaseElement, is_builtin) -> bool:
    return isinstance(element, cst.Element) and _is_string_value(element.value, is_builtin)


def _is_string_value(node: cst.BaseExpression, is_builtin) -> bool:
    if isinstance(node, _STRINGS):
        return True
    return isinstance(node, cst.Call) and _builtin_name(node.func, is_builtin) == "str"


def _builtin_name(func: cst.BaseExpression, is_builtin) -> str | None:
    return func.value if isinstance(func, cst.Name) and is_builtin(func.value) else None
