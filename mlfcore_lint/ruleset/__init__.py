"""Rules as validated data: the schema, the loader and the version logic."""

from .loader import builtin_rules_dir, default_ruleset, load_ruleset
from .schema import (
    DETERMINISTIC,
    DETERMINISTIC_WITH_SWITCH,
    NONDETERMINISTIC,
    AssignmentMatcher,
    CallMatcher,
    EnvironmentMatcher,
    Rule,
    RuleError,
    RuleSet,
)

__all__ = [
    "DETERMINISTIC", "DETERMINISTIC_WITH_SWITCH", "NONDETERMINISTIC", "AssignmentMatcher", "CallMatcher",
    "EnvironmentMatcher", "Rule", "RuleError", "RuleSet", "builtin_rules_dir", "default_ruleset", "load_ruleset",
]
