"""Static values of arguments and the conditions rules put on them."""

from __future__ import annotations

import ast

from ..ruleset.schema import ArgumentCondition


class _Marker:
    def __init__(self, name: str):
        self.name = name

    def __repr__(self) -> str:
        return self.name


ABSENT = _Marker("ABSENT")  # the argument is not given
UNKNOWN = _Marker("UNKNOWN")  # the argument or its value cannot be known statically

MATCH, NO_MATCH, UNCERTAIN = "match", "no-match", "uncertain"

_LITERAL_TYPES = (str, bytes, bool, int, float, type(None))


def literal_value(node: ast.expr):
    """The Python value of a literal expression, or UNKNOWN."""
    if isinstance(node, ast.Constant):
        return node.value if isinstance(node.value, _LITERAL_TYPES) else UNKNOWN
    if isinstance(node, (ast.Tuple, ast.List)):
        # ``(1, 1)``: a tuple of literals compares equal to a rule's list value ``[1, 1]``.
        values = tuple(UNKNOWN if isinstance(e, ast.Starred) else literal_value(e) for e in node.elts)
        return UNKNOWN if any(v is UNKNOWN for v in values) else values
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        value = literal_value(node.operand)
        return -value if isinstance(value, (int, float)) and not isinstance(value, bool) else UNKNOWN
    return UNKNOWN


def literal_string(node) -> str | None:
    """The text of a string literal, else None."""
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def find_argument(call: ast.Call, condition: ArgumentCondition, method_form: bool, unpacked=None):
    """The expression passed for the argument ``condition`` names, ABSENT or UNKNOWN.

    ``unpacked(expression)`` gives the dict display that a ``**expression`` is known to unpack (a dict built
    in the same function), or None: a keyword found there counts as given, one missing from it as absent.
    """
    has_star_kwargs = False
    for keyword in call.keywords:
        if keyword.arg is None:  # ``**options``
            mapping = unpacked(keyword.value) if unpacked is not None and condition.keyword is not None else None
            found = find_key(mapping, condition) if mapping is not None else UNKNOWN
            if found is UNKNOWN:
                has_star_kwargs = True
            elif found is not ABSENT:
                return found
        elif condition.keyword is not None and keyword.arg == condition.keyword:
            return keyword.value
    if condition.keyword is None:
        has_star_kwargs = False  # a positional-only argument cannot hide in ``**options``
    position = condition.position
    if method_form:
        if condition.method_position is not None:
            position = condition.method_position
        elif position == 0:  # ``torch.gather(input, ...)`` is ``input.gather(...)``
            return call.func.value if isinstance(call.func, ast.Attribute) else ABSENT
        elif position is not None:
            position = position - 1
    if position is not None:
        for index, arg in enumerate(call.args):
            if isinstance(arg, ast.Starred):
                return UNKNOWN
            if index == position:
                return arg
    return UNKNOWN if has_star_kwargs else ABSENT


def find_key(mapping: ast.Dict, condition: ArgumentCondition):
    """The value a dict display gives the key ``condition.keyword``, ABSENT or UNKNOWN."""
    found = ABSENT
    for key_node, value in zip(mapping.keys, mapping.values, strict=True):  # the last occurrence wins
        if key_node is None:
            found = UNKNOWN  # ``**other`` may hold the key
            continue
        key = literal_value(key_node)
        if key is UNKNOWN:
            found = UNKNOWN
        elif key == condition.keyword:
            found = value
    return found


def check_value(node, condition: ArgumentCondition, kinds_of=None) -> tuple[str, str]:
    """Whether an argument (an expression, ABSENT or UNKNOWN) meets ``condition``; returns (outcome, reason).

    ``kinds_of(expression, kinds)`` names which of ``kinds`` (schema.EXPRESSION_KINDS) the walker knows the
    expression to be; a condition fails for an expression of a kind it lists under ``unless``.
    """
    if (condition.unless and kinds_of is not None and node is not ABSENT and node is not UNKNOWN
            and kinds_of(node, condition.unless).intersection(condition.unless)):
        return NO_MATCH, ""
    if condition.kinds and (node is ABSENT or node is UNKNOWN or kinds_of is None
                            or not kinds_of(node, condition.kinds).intersection(condition.kinds)):
        return NO_MATCH, ""
    if condition.present is not None:
        if node is UNKNOWN:
            return (NO_MATCH, "") if condition.unknown == "ignore" else (
                UNCERTAIN, f"whether {condition.label} is given is not known statically")
        if (node is not ABSENT) != condition.present:
            return NO_MATCH, ""
    if (condition.one_of is None and condition.none_of is None and condition.greater_than is None
            and condition.contains is None):
        return MATCH, ""
    if node is ABSENT:
        if not condition.has_default:
            return NO_MATCH, ""
        value = condition.default
    else:
        value = UNKNOWN if node is UNKNOWN else literal_value(node)
    if value is UNKNOWN:
        if condition.unknown == "ignore":
            return NO_MATCH, ""
        what = "the assigned value" if condition.keyword is None and condition.position is None else (
            f"the value of {condition.label}")
        return UNCERTAIN, f"{what} is not known statically"
    if condition.one_of is not None and not is_one_of(condition.one_of, value):
        return NO_MATCH, ""
    if condition.none_of is not None and is_one_of(condition.none_of, value):
        return NO_MATCH, ""
    if condition.contains is not None:
        if not isinstance(value, str) or not any(part.lower() in value.lower() for part in condition.contains):
            return NO_MATCH, ""
    if condition.greater_than is not None:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > condition.greater_than:
            return NO_MATCH, ""
    return MATCH, ""


def is_one_of(options: tuple, value) -> bool:
    # ``True == 1`` in Python; a rule that lists True must not match the integer 1 by accident, and
    # string options compare without regard to case (``mode="Bilinear"`` fails at run time anyway).
    for option in options:
        if isinstance(option, bool) or isinstance(value, bool):
            if isinstance(option, bool) and isinstance(value, bool) and option is value:
                return True
            continue
        if isinstance(option, str) and isinstance(value, str):
            if option.lower() == value.lower():
                return True
        elif option == value:
            return True
    return False


def check_all(conditions, lookup, kinds_of=None) -> tuple[str, str]:
    """Combine the outcomes of every condition: all must match; uncertainty is kept with its reason."""
    reason = ""
    for condition in conditions:
        outcome, why = check_value(lookup(condition), condition, kinds_of)
        if outcome == NO_MATCH:
            return NO_MATCH, ""
        if outcome == UNCERTAIN and not reason:
            reason = why
    return (UNCERTAIN, reason) if reason else (MATCH, "")
