"""Rules and fixtures agree: every op rule has a fixture pair, every fixture belongs to an op rule."""

from __future__ import annotations

from dataclasses import replace

import pytest

from mlfcore_lint.ruleset import load_ruleset
from mlfcore_lint.verify.catalog import (
    SETTING_TAG,
    FixtureError,
    coverage_problems,
    expected_findings,
    needs_fixture,
    read_fixture,
    select_fixtures,
)

from .conftest import FIXTURES

RULESET = load_ruleset()


def test_every_op_rule_has_a_fixture_and_every_fixture_a_rule():
    problems = coverage_problems(RULESET, FIXTURES)
    assert not problems, "rules and fixtures disagree:\n" + "\n".join(problems)


def test_settings_and_requirements_need_no_fixture():
    kinds = {rule.code: needs_fixture(rule) for rule in RULESET}
    assert kinds["MLF101"] and not kinds["MLF160"] and not kinds["MLF140"]
    tagged = replace(RULESET.get("MLF101"), tags=(SETTING_TAG,))
    assert not needs_fixture(tagged)


def test_coverage_names_a_rule_without_fixture_and_a_fixture_without_rule():
    flagged = [f for f in FIXTURES if f.rule == "MLF101"]
    orphan = replace(flagged[0], rule="MLF999")
    problems = coverage_problems(RULESET, [orphan])
    assert any(p.startswith("MLF101 (max-pool3d-nondeterministic-backward") for p in problems)
    assert any("no rule MLF999" in p for p in problems)
    assert any("MLF101_max_pool3d_alternative.py beside it" in p for p in problems)


def test_expect_comments_are_read_from_comments_only():
    source = 'x = f(1)  # expect: MLF101\ny = "# expect: MLF102"\nz = g()  # expect: MLF103, MLF104\n'
    assert expected_findings(source) == {(1, "MLF101"), (3, "MLF103"), (3, "MLF104")}


@pytest.mark.parametrize(("text", "problem"), [
    ('"""Op."""\ndef run(device, size):\n    return {}\n', "SIZES must be"),
    ('SIZES = {"small": 1, "full": 2}\ndef run(device, size):\n    return {}\n', "starts with a docstring"),
    ('"""Op."""\nSIZES = {"small": 1, "full": 2}\n', r"defines run\(device, size\)"),
    ('"""Op."""\nSIZES = {"small": 1, "full": 2}\nREQUIRES = "torch"\ndef run(d, s):\n    pass\n', "REQUIRES must be"),
    ('"""Op."""\nSIZES = {"small": 1, "full": 2\n', "cannot read fixture"),
])
def test_a_malformed_fixture_is_one_clear_error(tmp_path, text, problem):
    path = tmp_path / "torch" / "MLF101_broken.py"
    path.parent.mkdir()
    path.write_text(text, encoding="utf-8")
    with pytest.raises(FixtureError, match=problem) as raised:
        read_fixture(path)
    assert str(raised.value).startswith(str(path))


def test_a_badly_named_fixture_is_rejected(tmp_path):
    path = tmp_path / "maxpool.py"
    path.write_text('"""Op."""\n', encoding="utf-8")
    with pytest.raises(FixtureError, match="named MLF<code>_<name>.py"):
        read_fixture(path)


def test_selection_by_code_prefix_and_framework():
    chosen = select_fixtures(FIXTURES, ["MLF10"], ["torch"])
    assert chosen and all(f.rule.startswith("MLF10") and f.directory == "torch" for f in chosen)
    assert select_fixtures(FIXTURES, ["MLF101"], ["xgboost"]) == []
