"""The fixes rules declare as data (``fix: edits:``, see ``mlfcore_lint.ruleset.fixes``), applied to the node a
finding reports: an argument of a call, a key of a dict display, or the value of an assignment.

Where an argument sits among the positional ones comes from the rule's match, the literal a rule flags from
its conditions (compared as the engine compares them); nothing about the rule is derived again here.
"""

from __future__ import annotations

import libcst as cst

from ...engine.conditions import is_one_of
from ...ruleset.fixes import FixEdit, conditions_on
from ...ruleset.schema import CallMatcher, Rule
from ..names import literal_string
from .base import (
    Codemod,
    has_unpacking,
    keyword_argument,
    positional_arguments,
    separator,
    single_target,
    with_argument_value,
    with_keyword_arguments,
    without_argument,
)

_UNKNOWN = object()
_NAMED = {"True": True, "False": False, "None": None}


class DeclaredEdits(Codemod):
    """Applies one rule's declared edits; ``None`` where none of them applies (a value it cannot read)."""

    node_type = cst.CSTNode

    def __init__(self, rule: Rule):
        self.code = rule.code
        self.rule = rule
        self.edits = rule.fix.edits

    def applies_to(self, node, site, end) -> bool:
        if isinstance(node, (cst.Assign, cst.AnnAssign)):
            return any(e.assigned for e in self.edits)
        return isinstance(node, (cst.Call, cst.Dict)) and super().applies_to(node, site, end)

    def rewrite(self, node, edit, site):
        changed = node
        for declared in self.edits:
            if isinstance(node, (cst.Assign, cst.AnnAssign)):
                fixed = _assigned(changed, declared) if declared.assigned else None
            elif isinstance(node, cst.Dict):
                fixed = _in_mapping(changed, declared, self._flagged) if declared.argument else None
            else:
                fixed = self._in_call(changed, declared, edit, site) if declared.argument else None
            if fixed is not None:
                changed = fixed
                if declared.changes_value:  # comments on the old value are stale
                    edit.made_stale(site.line, site.api.rpartition(".")[2], declared.argument or "")
        return changed if changed is not node else None

    def _in_call(self, call: cst.Call, declared: FixEdit, edit, site) -> cst.Call | None:
        argument = keyword_argument(call, declared.argument)
        if argument is None:
            position = argument_position(self.rule, declared.argument, call, edit, site)
            arguments = positional_arguments(call)
            if position is not None and position < len(arguments) and not any(a.star for a in call.args[:position]):
                argument = arguments[position]
        if argument is None:
            if not declared.has_set or has_unpacking(call):
                return None  # absent (or perhaps in ``**options``)
            return with_keyword_arguments(call, [(declared.argument, _literal(declared.set, _quote_in(call)))])
        if declared.drop and self._flagged(declared.argument, argument.value) and (
                argument.keyword is not None or argument is positional_arguments(call)[-1]):
            return without_argument(call, argument)
        value = _replaced(argument.value, declared, _quote_in(call))
        return with_argument_value(call, argument, value) if value is not None else None

    def _flagged(self, keyword: str, value: cst.BaseExpression) -> bool:
        """Whether the literal ``value`` is one the match flags for ``keyword``."""
        literal = _literal_value(value)
        return literal is not _UNKNOWN and any(
            c.one_of is not None and is_one_of(c.one_of, literal) for c in conditions_on(self.rule.matchers, keyword))


def argument_position(rule: Rule, keyword: str, call: cst.Call, edit, site) -> int | None:
    """Where the match of ``rule`` says ``keyword`` sits among the positional arguments of the reported API (in
    the method form ``x.f(...)`` of a match on method names, its ``method_position``)."""
    canonical = edit.context.index.canonical
    for matcher in rule.matchers if rule is not None else ():
        if not isinstance(matcher, CallMatcher):
            continue
        if site.api in {canonical(api) for api in matcher.apis}:
            found = [c.position for c in matcher.arguments if c.keyword == keyword]
        elif isinstance(call.func, cst.Attribute) and call.func.attr.value in matcher.methods:
            found = [c.method_position for c in matcher.arguments if c.keyword == keyword]
        else:
            continue
        if found and found[0] is not None:
            return found[0]
    return None


def _assigned(node: cst.Assign | cst.AnnAssign, declared: FixEdit):
    if node.value is None or (isinstance(node, cst.Assign) and single_target(node) is None):
        return None  # ``a = b = True``: the other names would change too
    value = _replaced(node.value, declared, _quote_of(node.value))
    return node.with_changes(value=value) if value is not None else None


def _in_mapping(mapping: cst.Dict, declared: FixEdit, flagged) -> cst.Dict | None:
    elements = list(mapping.elements)
    if any(not isinstance(e, cst.DictElement) for e in elements):
        return None  # ``**other`` may hold the key
    found = [e for e in elements if _literal_value(e.key) == declared.argument]
    quote = _quote_of(elements[0].key) if elements else '"'
    if not found:
        if not declared.has_set:
            return None
        key, value = _literal(declared.argument, quote), _literal(declared.set, quote)
        if not elements:
            return mapping.with_changes(elements=[cst.DictElement(key=key, value=value)])
        last = elements[-1]
        added = cst.DictElement(key=key, value=value, comma=last.comma)
        between = separator([e.comma for e in elements[:-1]])
        return mapping.with_changes(elements=[*elements[:-1], last.with_changes(comma=between), added])
    element = found[-1]  # the last occurrence wins
    if declared.drop and len(found) == 1 and flagged(declared.argument, element.value):
        kept = [e for e in elements if e is not element]
        if kept and elements[-1] is element:
            kept[-1] = kept[-1].with_changes(comma=element.comma)
        return mapping.with_changes(elements=kept)
    value = _replaced(element.value, declared, quote)
    if value is None:
        return None
    return mapping.with_changes(elements=[e.with_changes(value=value) if e is element else e for e in elements])


def _replaced(node: cst.BaseExpression, declared: FixEdit, quote: str) -> cst.BaseExpression | None:
    """The literal that replaces ``node`` under ``declared``, or ``None`` (no replacement, or a value unread)."""
    value = _literal_value(node)
    if value is _UNKNOWN:
        return None
    if declared.has_set:
        same = value == declared.set and type(value) is type(declared.set)
        return None if same else _literal(declared.set, _quote_of(node, quote))
    for flagged, replacement in declared.replace:
        if is_one_of((flagged,), value):
            return _literal(replacement, _quote_of(node, quote))
    return None


def _literal_value(node: cst.BaseExpression):
    """The Python value of a literal (``True``, ``-1``, ``"warn"``), or ``_UNKNOWN``."""
    if isinstance(node, cst.Name):
        return _NAMED.get(node.value, _UNKNOWN)
    if isinstance(node, (cst.Integer, cst.Float)):
        return node.evaluated_value
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Minus) and isinstance(
            node.expression, (cst.Integer, cst.Float)):
        return -node.expression.evaluated_value
    text = literal_string(node)
    return text if text is not None else _UNKNOWN


def _literal(value, quote: str) -> cst.BaseExpression:
    """The expression for a declared literal, a string in the quotes around it in the code."""
    if isinstance(value, str):
        plain = quote not in value and "\\" not in value and "\n" not in value
        return cst.SimpleString(f"{quote}{value}{quote}" if plain else repr(value))
    if isinstance(value, bool) or value is None:
        return cst.Name(repr(value))
    if value < 0:
        return cst.UnaryOperation(operator=cst.Minus(), expression=_literal(-value, quote))
    return cst.Integer(str(value)) if isinstance(value, int) else cst.Float(repr(value))


def _quote_of(node, default: str = '"') -> str:
    if isinstance(node, cst.SimpleString) and not node.prefix:
        return node.quote
    return default


def _quote_in(call: cst.Call) -> str:
    """The quotes the call's string arguments use (double quotes where it has none)."""
    strings = [a.value for a in call.args if isinstance(a.value, cst.SimpleString) and not a.value.prefix]
    return _quote_of(strings[0]) if strings else '"'
