"""The static half of every fixture: the linter flags exactly its ``# expect:`` lines, nothing in alternatives."""

from __future__ import annotations

import pytest

from mlfcore_lint.ruleset import load_ruleset
from mlfcore_lint.verify.catalog import ALTERNATIVE, FLAGGED, expected_findings
from mlfcore_lint.verify.static import lint_fixture, static_mismatch

from .conftest import FIXTURES, fixture_id

RULESET = load_ruleset()


@pytest.mark.parametrize("fixture", FIXTURES, ids=fixture_id)
def test_linter_flags_exactly_the_expected_lines(fixture):
    assert static_mismatch(fixture, RULESET) == ""


@pytest.mark.parametrize("fixture", [f for f in FIXTURES if f.variant == FLAGGED], ids=fixture_id)
def test_a_flagged_fixture_expects_its_own_rule(fixture):
    codes = {code for _, code in expected_findings(fixture.path.read_text(encoding="utf-8"))}
    assert fixture.rule in codes


def test_a_mismatch_names_the_line_and_the_code(tmp_path):
    fixture = next(f for f in FIXTURES if f.rule == "MLF101" and f.variant == FLAGGED)
    copy = tmp_path / "torch" / fixture.path.name
    copy.parent.mkdir()
    copy.write_text(fixture.path.read_text(encoding="utf-8").replace("  # expect: MLF101", ""), encoding="utf-8")
    moved = type(fixture)(copy, fixture.directory, fixture.rule, fixture.variant, fixture.op, fixture.sizes)
    line = next(line for line, code in lint_fixture(moved, RULESET) if code == "MLF101")
    assert static_mismatch(moved, RULESET) == f"fixtures/torch/{fixture.path.name}: unexpected: line {line} MLF101"


def test_the_alternative_is_linted_with_the_switch_on():
    alternative = next(f for f in FIXTURES if f.rule == "MLF101" and f.variant == ALTERNATIVE)
    assert "F.max_pool3d" in alternative.path.read_text(encoding="utf-8")
    assert lint_fixture(alternative, RULESET) == set()
