"""Settings made outside Python: which rules the launch environment settles for every program.

``CUBLAS_WORKSPACE_CONFIG`` in a Dockerfile's ``ENV``, ``PYTHONHASHSEED`` in a workflow's ``env:`` and the
like are set before the interpreter starts, for every program the project launches there. A requirement
that such a variable satisfies (a rule's ``satisfied_by`` environment entry) is met, and a rule the variable
makes moot (its ``settled_outside_by``) reports nothing. The project step asks :func:`settled_codes` once.
"""

from __future__ import annotations

import ast
from pathlib import Path

from ..config import Settings
from ..engine.conditions import MATCH, check_value
from ..ruleset.schema import EnvironmentMatcher, RuleSet
from .model import Place, Setting
from .scan import scan


def outside_settings(settings: Settings) -> list[Setting]:
    """Variables set where the project's programs are launched: configured (``set-elsewhere``), and, where
    the project's files are read (``discover_targets``), those its environment files set."""
    where = settings.config_file or settings.root / "pyproject.toml"
    found = [Setting(name, value, Place(where)) for name, value in settings.set_elsewhere.items()]
    if settings.discover_targets:
        found += scan(settings.root.resolve()).settings
    return found


def sets(matcher: EnvironmentMatcher, setting: Setting) -> bool:
    """Whether ``setting`` is a value of a variable ``matcher`` names that its value condition accepts."""
    if setting.variable not in matcher.variables:
        return False
    if matcher.value is None:
        return True
    if setting.value is None:  # copied from the launching shell: the value is not known here
        return False
    outcome, _ = check_value(ast.Constant(setting.value), matcher.value)
    return outcome == MATCH


def settled_codes(settings: Settings, ruleset: RuleSet) -> frozenset[str]:
    """Codes of the requirements that variables set outside Python satisfy, and of the rules they settle."""
    found = tuple(dict.fromkeys((s.variable, s.value) for s in outside_settings(settings)))
    if not found:
        return frozenset()
    key = (found, ruleset.fingerprint)
    if key not in _SETTLED:
        if len(_SETTLED) > 16:
            _SETTLED.clear()
        _SETTLED[key] = _settled([Setting(variable, value, Place(Path("."))) for variable, value in found], ruleset)
    return _SETTLED[key]


#: (variables and values, rule set fingerprint) -> codes: the project step is built once per checked file.
_SETTLED: dict[tuple, frozenset[str]] = {}


def _settled(found: list[Setting], ruleset: RuleSet) -> frozenset[str]:
    codes = set()
    for rule in ruleset:
        matchers = list(rule.settled_outside_by)
        if rule.requirement is not None:
            matchers += [m for m in rule.requirement.satisfied_by if isinstance(m, EnvironmentMatcher)]
        if any(sets(matcher, setting) for matcher in matchers for setting in found):
            codes.add(rule.code)
    return frozenset(codes)
