"""Every rule's examples: those marked flagged must produce the rule's code, the clean ones must not.

An example is a program (``code``), project files (``files``: path -> text, such as a requirements file or a
Dockerfile), or both: then the program is ``train.py`` beside the files, and the whole folder is checked with
the command's own function, as ``mlfcore-lint check .`` does.
"""

from __future__ import annotations

import pytest

from mlfcore_lint.config import Settings, apply_table, parse_target
from mlfcore_lint.ruleset import load_ruleset
from mlfcore_lint.runner import check_paths

from .conftest import lint_snippet

RULESET = load_ruleset()
CASES = [
    pytest.param(rule, example, expected, id=f"{rule.code}-{'flagged' if expected else 'clean'}-{number}")
    for rule in RULESET
    for expected, examples in ((True, rule.flagged_examples), (False, rule.clean_examples))
    for number, example in enumerate(examples, start=1)
]


def lint_example(example, tmp_path, rule):
    """An example's findings, with its own rule selected (a hint is reported only when selected)."""
    settings = dict(example.settings)
    notebook = settings.pop("notebook", False)
    if not example.files:
        config = Settings(discover_targets=False)
        apply_table(config, settings, "example", tmp_path)
        return lint_snippet(example.code, RULESET, example.target, notebook=notebook,
                            select=config.select, extend_select=config.extend_select + (rule.code,),
                            ignore=config.ignore)
    for name, text in example.files:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    if example.code:
        (tmp_path / "train.py").write_text(example.code, encoding="utf-8")
    config = Settings(root=tmp_path)
    config.targets = dict(parse_target(t, "example") for t in example.target)
    apply_table(config, settings, "example", tmp_path)
    config.extend_select += (rule.code,)
    return check_paths([tmp_path], config, RULESET, jobs=1, use_cache=False).findings


@pytest.mark.parametrize(("rule", "example", "expected"), CASES)
def test_example(rule, example, expected, tmp_path):
    findings = lint_example(example, tmp_path, rule)
    codes = [f.code for f in findings]
    shown = example.code + "".join(f"\n--- {name}\n{text}" for name, text in example.files)
    if expected:
        assert rule.code in codes, f"{rule.code} not reported for:\n{shown}\ngot {findings}"
    else:
        assert rule.code not in codes, f"{rule.code} reported for a clean example:\n{shown}\ngot {findings}"


def test_every_rule_has_both_kinds_of_example():
    for rule in RULESET:
        assert rule.flagged_examples and rule.clean_examples, rule.code


def test_hints_are_reported_only_when_selected():
    hints = [rule for rule in RULESET if rule.hint and not rule.flagged_examples[0].files]
    assert hints
    for rule in hints:
        example = rule.flagged_examples[0]
        assert rule.code not in [f.code for f in lint_snippet(example.code, RULESET, example.target)]
        assert rule.code in [f.code for f in lint_snippet(example.code, RULESET, example.target,
                                                          extend_select=("HINT",))]
