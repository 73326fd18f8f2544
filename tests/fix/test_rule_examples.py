"""Every flagged example of a rule with a safe fix: after fixing, no finding with a safe fix is left."""

from __future__ import annotations

import importlib.util

import pytest

from mlfcore_lint.environment.fixes import FIXED_IN_ENVIRONMENT_FILES
from mlfcore_lint.fix.codemods import CODEMODS
from mlfcore_lint.fix.implemented import BY_CODEMOD, BY_SEEDING, IMPLEMENTED, IN_ENVIRONMENT_FILES
from mlfcore_lint.fix.seeding import SEEDING_STEPS
from mlfcore_lint.ruleset import load_ruleset
from mlfcore_lint.ruleset.schema import RuleError

from ..conftest import REPO, lint_snippet
from .helpers import fix_snippet

RULESET = load_ruleset()
DOCS = REPO / "docs"
CASES = [
    pytest.param(rule, example, id=f"{rule.code}-{number}")
    for rule in RULESET
    if rule.fix is not None and rule.fix.applicability == "safe" and not rule.inspects  # tests/environment
    for number, example in enumerate(rule.flagged_examples, start=1)
    if not dict(example.settings).get("notebook")
]


@pytest.mark.parametrize(("rule", "example"), CASES)
def test_safe_fix_leaves_no_safe_finding(rule, example):
    outcome = fix_snippet(example.code, RULESET, example.target)
    compile(outcome.text, "<fixed>", "exec")
    left = [f for f in lint_snippet(outcome.text, RULESET, example.target)
            if f.fix is not None and f.fix.applicability == "safe"]
    assert not left, f"{rule.code}: still reported after fixing:\n{outcome.text}\n{left}"
    again = fix_snippet(outcome.text, RULESET, example.target)
    assert again.text == outcome.text and not again.fixed


def test_every_rule_with_a_safe_fix_has_examples_here():
    codes = {param.values[0].code for param in CASES}
    assert codes == {r.code for r in RULESET if r.fix is not None and r.fix.applicability == "safe" and not r.inspects}


def test_the_list_of_implemented_fixes_is_what_exists():
    assert BY_CODEMOD == set(CODEMODS.codemods)
    assert BY_SEEDING == set(SEEDING_STEPS)
    assert IN_ENVIRONMENT_FILES == FIXED_IN_ENVIRONMENT_FILES


def test_every_fix_a_rule_declares_exists():
    assert {r.code for r in RULESET if r.fix is not None and not r.fix.edits} <= IMPLEMENTED


def test_a_fix_is_either_declared_or_code():
    declared = {r.code for r in RULESET if r.fix is not None and r.fix.edits}
    assert declared == {"MLF114", "MLF140", "MLF141", "MLF142", "MLF143", "MLF164", "MLF242", "MLF301"}
    assert not declared & IMPLEMENTED


def test_the_schema_refuses_a_fix_that_does_not_exist(tmp_path):
    rule_file = tmp_path / "ours.yaml"
    rule_file.write_text(
        "rules:\n  - code: MLF801\n    symbol: ours\n    message: m\n    why: w\n    alternative: a\n"
        "    match: [{call: {api: [torch.ours]}}]\n    fix: {applicability: unsafe, description: d}\n"
        "    examples: {flagged: ['import torch\\ntorch.ours()\\n'], clean: ['import torch\\n']}\n")
    with pytest.raises(RuleError, match="MLF801.*fix.*no fix for this rule"):
        load_ruleset((str(rule_file),))


def test_every_codemod_fixes_a_rule_that_declares_a_fix():
    for code in list(CODEMODS.codemods) + list(SEEDING_STEPS):
        rule = RULESET.get(code)
        assert rule is not None and rule.fix is not None, f"{code} has a codemod but no rule with a fix"


FIXED_CASES = [
    pytest.param(rule, example, id=f"{rule.code}-{number}")
    for rule in RULESET if rule.fix is not None and not rule.inspects
    for number, example in enumerate(rule.flagged_examples, start=1)
]


@pytest.mark.parametrize(("rule", "example"), FIXED_CASES)
def test_every_flagged_example_becomes_its_fixed_form(rule, example):
    """Only the rule's own fix runs (``--select CODE``, with ``--unsafe-fixes`` for an unsafe one)."""
    outcome = fix_snippet(example.code, RULESET, example.target, rule.fix.applicability == "unsafe", [rule.code])
    assert outcome.text == example.fixed


def test_the_examples_in_the_fixes_page_are_up_to_date():
    spec = importlib.util.spec_from_file_location("generate_fix_examples", DOCS / "generate_fix_examples.py")
    generator = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generator)
    page = (DOCS / "fixes.md").read_text(encoding="utf-8")
    assert generator.updated(page, RULESET) == page, "run python docs/generate_fix_examples.py"
