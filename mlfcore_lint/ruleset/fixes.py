"""A rule's fix as data: how safe it is and, for a simple fix, the edits declared beside the rule's match.

A simple fix changes what the match already names: an argument of a matched call (or a key of a matched dict
display) or the value of a matched assignment. ``mlfcore-fix`` applies declared edits without code of its own
for the rule (``mlfcore_lint.fix.codemods.declared``); the rest are codemods. In a rule file::

    fix:
      applicability: safe
      description: "Remove `in_order=False`."
      edits:
        - {argument: in_order, drop: true}           # the keyword goes; the call falls back to its default
        - {argument: debug_mode, replace: [[1, 2], [warn, error]]}  # a flagged literal becomes another
        - {argument: updater, set: coord_descent}    # passed with this value, added where it is absent
        - {assigned: true, replace: [[true, false]]}  # the value of the matched assignment
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

EDIT_KEYS = {"argument", "assigned", "drop", "replace", "set"}
LITERAL_TYPES = (str, int, float, bool, type(None))


@dataclass(frozen=True)
class FixEdit:
    """One declared edit of the node a finding reports."""

    argument: str | None = None  # the keyword (dict key) of one of the match's argument conditions
    assigned: bool = False  # the value of the matched assignment
    # Remove the argument where it is given by keyword, or is the last positional one (its default is not
    # flagged); elsewhere ``replace`` applies.
    drop: bool = False
    replace: tuple[tuple[Any, Any], ...] = ()  # (flagged literal, its replacement) pairs
    set: Any = None  # the value to pass: it replaces any other and is added where the argument is absent
    has_set: bool = False

    @property
    def changes_value(self) -> bool:
        """The edit writes a new value (a comment that described the old one goes stale)."""
        return bool(self.replace) or self.has_set


@dataclass(frozen=True)
class Fix:
    applicability: str
    description: str
    # The fix makes the framework's determinism switch strict (operations without a deterministic implementation
    # raise instead of warning): it is withheld where a program that runs the file has such an operation.
    strict_switch: bool = False
    edits: tuple[FixEdit, ...] = ()  # a simple fix, declared; empty where a codemod or the seeding block fixes


def read_fix(reader, code: str, framework: str | None, matchers: tuple, applicabilities: tuple[str, ...]) -> Fix:
    """The ``fix:`` mapping of rule ``code`` (``reader`` is the schema's reader of it), validated."""
    from ..fix.implemented import IMPLEMENTED

    reader.check_keys({"applicability", "description", "strict_switch", "edits"})
    strict = reader.data.get("strict_switch", False)
    if not isinstance(strict, bool):
        reader.fail("strict_switch", "must be true or false")
    if strict and framework is None:
        reader.fail("strict_switch", "only a rule of one framework can make its switch strict")
    raw_edits = reader.data.get("edits", [])
    if not isinstance(raw_edits, list):
        reader.fail("edits", "must be a list of edits")
    edits = tuple(_read_edit(reader.child(f"edits[{number}]", item), matchers)
                  for number, item in enumerate(raw_edits))
    if edits and code in IMPLEMENTED:
        reader.fail("edits", "the rule has a codemod already: declare its fix in one place")
    if not edits and code not in IMPLEMENTED:
        reader.fail(None, "mlfcore-fix has no fix for this rule: declare its `edits`, or describe the remedy "
                          "under `alternative`")
    return Fix(
        applicability=reader.choice("applicability", applicabilities, "safe"),
        description=reader.str("description", required=True),
        strict_switch=strict,
        edits=edits,
    )


def _read_edit(reader, matchers: tuple) -> FixEdit:
    from .schema import AssignmentMatcher

    reader.check_keys(EDIT_KEYS)
    data = reader.data
    argument, assigned = data.get("argument"), data.get("assigned", False)
    if (argument is None) == (assigned is False):
        reader.fail(None, "an edit names either an `argument` or `assigned: true` (one of them)")
    if assigned is not False and assigned is not True:
        reader.fail("assigned", "must be true")
    drop = data.get("drop", False)
    if drop is not False and drop is not True:
        reader.fail("drop", "must be true or false")
    replace = data.get("replace", [])
    if not isinstance(replace, list) or not all(
            isinstance(pair, list) and len(pair) == 2 and all(isinstance(v, LITERAL_TYPES) for v in pair)
            for pair in replace):
        reader.fail("replace", "must be a list of [flagged literal, its replacement] pairs")
    has_set = "set" in data
    if has_set and not isinstance(data["set"], LITERAL_TYPES):
        reader.fail("set", "must be a literal")
    if not (drop or replace or has_set):
        reader.fail(None, "an edit needs `drop`, `replace` or `set`")
    if has_set and (drop or replace):
        reader.fail("set", "`set` passes one value: it goes without `drop` and `replace`")
    if assigned:
        if drop or has_set:
            reader.fail(None, "the value of an assignment can only be replaced")
        if not any(isinstance(m, AssignmentMatcher) and m.value is not None for m in matchers):
            reader.fail("assigned", "the rule matches no assignment with a value condition")
    else:
        if not isinstance(argument, str) or not argument.isidentifier():
            reader.fail("argument", "must be a keyword")
        conditions = conditions_on(matchers, argument)
        if not conditions:
            reader.fail("argument", f"no call or mapping in the rule's match has a condition on {argument!r}")
        if drop and any(c.has_default and c.one_of is not None and c.default in c.one_of for c in conditions):
            reader.fail("drop", f"the default of {argument!r} is flagged: dropping the argument fixes nothing")
    return FixEdit(argument=argument, assigned=assigned, drop=drop, replace=tuple(tuple(pair) for pair in replace),
                   set=data.get("set"), has_set=has_set)


def conditions_on(matchers: tuple, keyword: str) -> list:
    """The argument conditions (of call entries) and key conditions (of mapping entries) on ``keyword``."""
    from .schema import CallMatcher, MappingMatcher

    return [condition for matcher in matchers if isinstance(matcher, (CallMatcher, MappingMatcher))
            for condition in (matcher.arguments if isinstance(matcher, CallMatcher) else matcher.keys)
            if condition.keyword == keyword]
