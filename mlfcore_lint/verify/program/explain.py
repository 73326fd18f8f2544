"""Which rule explains a difference: the rule data in ``rules/*.yaml``, through the ruleset loader.

A module's class is canonicalised with the rule set's re-export table (``torch.nn.modules.upsampling.Upsample``
is ``torch.nn.Upsample``) and looked up in the same rule index the linter uses; the arguments its class's
``__init__`` received are checked against the rule's argument conditions, as literal values would be in
source code.  A rule explains the difference when it matches, when the difference is in the backward pass
or the rule is not about the backward only, and when the rule's status for the PyTorch version that ran is
non-deterministic (or deterministic only with the switch, and the switch was off).  A difference in a call
that drew from the global generator, or in parameters or inputs before any module computed them, is
explained by the rule that requires a seed when the runs' seeds differ.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from functools import lru_cache

from packaging.specifiers import SpecifierSet
from packaging.version import InvalidVersion, Version

from ...engine.conditions import ABSENT, NO_MATCH, check_all
from ...engine.index import FINDING, RuleIndex, build_index
from ...ruleset.loader import load_ruleset
from ...ruleset.schema import DETERMINISTIC, DETERMINISTIC_WITH_SWITCH, CallMatcher, RuleSet
from ...ruleset.versions import evaluate
from .compare import Divergence
from .recorder import BACKWARD, INPUT, INPUT_GRADIENT, OUTPUT, PARAMETER_GRADIENT, PARAMETERS

SEED_API = "torch.manual_seed"  # the requirement whose missing call is this explains unseeded randomness


@dataclass(frozen=True)
class Explanation:
    code: str
    summary: str  # the rule's message
    reason: str  # why it applies here, one sentence


@lru_cache(maxsize=1)
def rules() -> tuple[RuleSet, RuleIndex]:
    """The built-in rule set and the linter's index over it (loaded once per process)."""
    ruleset = load_ruleset()
    return ruleset, build_index(ruleset)


def canonical_class(qualified_class: str) -> str:
    return rules()[1].canonical(qualified_class)


def _node(value) -> ast.expr:
    if isinstance(value, list):
        return ast.Tuple(elts=[_node(v) for v in value], ctx=ast.Load())
    return ast.Constant(value)


def _lookup(module: dict):
    arguments = module.get("arguments", {})
    names = module.get("parameter_names", [])

    def lookup(condition):
        name = condition.keyword
        if name is None and condition.position is not None and condition.position < len(names):
            name = names[condition.position]
        return _node(arguments[name]) if name in arguments else ABSENT

    return lookup


def public_version(version: str | None) -> str | None:
    """``2.13.0+cpu`` -> ``2.13.0``; None for a missing or unreadable version."""
    try:
        return Version(version).public if version else None
    except InvalidVersion:
        return None


def _status(rule, matcher, torch_version: str | None, ruleset: RuleSet) -> str:
    ranges = matcher.versions if matcher.versions is not None else rule.versions
    version = public_version(torch_version)
    targets = {"torch": SpecifierSet(f"=={version}")} if version else {}
    return evaluate(ranges, targets, ruleset.releases).status


def module_rules(module: dict, backward: bool, torch_version: str | None, switch_on: bool) -> list[Explanation]:
    """The op rules that name this module with these arguments and apply to this pass and version."""
    ruleset, index = rules()
    found: dict[str, Explanation] = {}
    for entry in index.calls.get(canonical_class(module["class"]), ()):
        rule = ruleset.rules.get(entry.code)
        if entry.purpose != FINDING or rule is None or not isinstance(entry.matcher, CallMatcher):
            continue
        if rule.backward_only and not backward:
            continue
        if rule.code in found or check_all(entry.matcher.arguments, _lookup(module))[0] == NO_MATCH:
            continue
        status = _status(rule, entry.matcher, torch_version, ruleset)
        if status == DETERMINISTIC or (status == DETERMINISTIC_WITH_SWITCH and switch_on):
            continue
        where = "backward " if rule.backward_only else ""
        unless = " unless the switch is on" if status == DETERMINISTIC_WITH_SWITCH else ""
        found[rule.code] = Explanation(rule.code, rule.summary,
                                       f"{canonical_class(module['class'])} has no deterministic {where}implementation "
                                       f"in torch {public_version(torch_version) or '(unknown version)'}{unless}")
    return list(found.values())


def seed_rule() -> Explanation | None:
    ruleset, _ = rules()
    for rule in ruleset:
        if rule.requirement is not None and rule.requirement.missing_api == SEED_API:
            return Explanation(rule.code, rule.summary, "")
    return None


def explain(divergence: Divergence, torch_version: str | None, switch_on: bool) -> list[Explanation]:
    """The rules that explain the first difference, most specific first (empty when none does)."""
    found: list[Explanation] = []
    module = divergence.module
    if module is not None and divergence.kind in (OUTPUT, INPUT_GRADIENT, PARAMETER_GRADIENT):
        found += module_rules(module, divergence.phase == BACKWARD, torch_version, switch_on)
    seeds = divergence.seeds
    unseeded = None not in seeds and seeds[0] != seeds[1]
    random_origin = divergence.draws_random or divergence.kind in (PARAMETERS, INPUT)
    if unseeded and random_origin:
        rule = seed_rule()
        if rule is not None:
            found.append(Explanation(rule.code, rule.summary,
                                     f"the global generator was seeded differently in the runs "
                                     f"(torch.initial_seed() {seeds[0]} and {seeds[1]})"))
    return found
