"""Every rule's examples: those marked flagged must produce the rule's code, the clean ones must not."""

from __future__ import annotations

import pytest

from mlfcore_lint.ruleset import load_ruleset

from .conftest import lint_snippet

RULESET = load_ruleset()
CASES = [
    pytest.param(rule, example, expected, id=f"{rule.code}-{'flagged' if expected else 'clean'}-{number}")
    for rule in RULESET
    for expected, examples in ((True, rule.flagged_examples), (False, rule.clean_examples))
    for number, example in enumerate(examples, start=1)
]


@pytest.mark.parametrize(("rule", "example", "expected"), CASES)
def test_example(rule, example, expected):
    settings = dict(example.settings)
    # A hint (reported only when selected) is checked selected.
    findings = lint_snippet(example.code, RULESET, example.target, notebook=settings.get("notebook", False),
                            extend_select=(rule.code,))
    codes = [f.code for f in findings]
    if expected:
        assert rule.code in codes, f"{rule.code} not reported for:\n{example.code}\ngot {findings}"
    else:
        assert rule.code not in codes, f"{rule.code} reported for a clean example:\n{example.code}\ngot {findings}"


def test_every_rule_has_both_kinds_of_example():
    for rule in RULESET:
        assert rule.flagged_examples and rule.clean_examples, rule.code


def test_hints_are_reported_only_when_selected():
    hints = [rule for rule in RULESET if rule.hint]
    assert hints
    for rule in hints:
        example = rule.flagged_examples[0]
        assert rule.code not in [f.code for f in lint_snippet(example.code, RULESET, example.target)]
        assert rule.code in [f.code for f in lint_snippet(example.code, RULESET, example.target,
                                                          extend_select=("HINT",))]
