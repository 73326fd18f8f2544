"""Fixes declared as data beside a rule's match (``fix: edits:``): applied without code for the rule, and
validated when the rule file loads."""

from __future__ import annotations

import textwrap

import pytest

from mlfcore_lint.ruleset import load_ruleset
from mlfcore_lint.ruleset.schema import RuleError

from .helpers import fix_snippet
from .test_codemods import RULESET

OUR_RULE = """\
rules:
  - code: MLF801
    symbol: ours
    message: "the fast path of ours is not repeatable"
    framework: torch
    why: w
    alternative: a
    match:
      - call:
          api: [torch.ours]
          arguments:
            - {keyword: fast, position: 1, one_of: [true], default: false}
      - call:
          api: [torch.ours]
          arguments:
            - {keyword: order, one_of: [any], unknown: ignore}
      - mapping:
          keys:
            - {keyword: fast, one_of: [true]}
    fix:
      applicability: safe
      description: d
      edits:
EDITS
    examples:
      flagged:
        - {code: "import torch\\ntorch.ours(x, fast=True)\\n", fixed: "import torch\\ntorch.ours(x)\\n"}
      clean: ['import torch\\ntorch.ours(x)\\n']
"""


def our_rules(tmp_path, edits: str):
    rule_file = tmp_path / "ours.yaml"
    rule_file.write_text(OUR_RULE.replace("EDITS", textwrap.indent(edits, " " * 8)), encoding="utf-8")
    return load_ruleset((str(rule_file),))


def fixed(code: str, ruleset, targets=(), select=None) -> str:
    unsafe = any(r.fix is not None and r.fix.applicability == "unsafe" for r in ruleset)
    return fix_snippet(code, ruleset, targets, unsafe, select).text


def test_a_project_rule_gets_its_declared_fix(tmp_path):
    rules = our_rules(tmp_path, "- {argument: fast, drop: true}\n")
    assert fixed("import torch\ntorch.ours(x, fast=True, y=2)\n", rules) == "import torch\ntorch.ours(x, y=2)\n"
    # the last positional argument goes too; one that others follow is left, for want of a replacement
    assert fixed("import torch\ntorch.ours(x, True)\n", rules) == "import torch\ntorch.ours(x)\n"
    assert fixed("import torch\nparams = {'fast': True, 'b': 1}\n", rules) == "import torch\nparams = {'b': 1}\n"


def test_replace_keeps_the_quotes_and_leaves_values_it_does_not_list(tmp_path):
    rules = our_rules(tmp_path, "- {argument: order, replace: [[any, sorted]]}\n- {argument: fast, replace: [[true, false]]}\n")
    assert fixed("import torch\ntorch.ours(x, order='any')\n", rules) == "import torch\ntorch.ours(x, order='sorted')\n"
    # the engine compares strings without regard to case; ``Any`` is flagged and becomes the declared literal
    assert fixed("import torch\ntorch.ours(x, order='Any')\n", rules) == "import torch\ntorch.ours(x, order='sorted')\n"
    assert fixed("import torch\ntorch.ours(x, True, order='any')  # quick\n", rules) == (
        "import torch\ntorch.ours(x, False, order='sorted')\n")


def test_set_adds_the_argument_or_replaces_its_value(tmp_path):
    rules = our_rules(tmp_path, "- {argument: order, set: sorted}\n")
    assert fixed("import torch\ntorch.ours(x, order='any')\n", rules) == "import torch\ntorch.ours(x, order='sorted')\n"
    source = "import torch\nparams = {'fast': True}\n"
    assert fixed(source, our_rules(tmp_path, "- {argument: fast, set: false}\n")) == (
        "import torch\nparams = {'fast': False}\n")


@pytest.mark.parametrize(("edits", "problem"), [
    ("- {argument: speed, drop: true}", "no call or mapping .* condition on 'speed'"),
    ("- {argument: fast}", "needs `drop`, `replace` or `set`"),
    ("- {argument: fast, drop: true, set: false}", "goes without `drop`"),
    ("- {assigned: true, replace: [[true, false]]}", "matches no assignment"),
    ("- {argument: fast, replace: [[true, [1]]]}", "list of \\[flagged literal, its replacement\\] pairs"),
    ("- {argument: fast, assigned: true, drop: true}", "either an `argument` or `assigned: true`"),
    ("- {argument: fast, colour: red, drop: true}", "unknown field"),
])
def test_the_schema_refuses_edits_that_cannot_apply(tmp_path, edits, problem):
    with pytest.raises(RuleError, match=f"MLF801.*fix.edits.*{problem}"):
        our_rules(tmp_path, edits + "\n")


def test_the_schema_refuses_dropping_an_argument_whose_default_is_flagged(tmp_path):
    text = OUR_RULE.replace("default: false}", "default: true}")
    rule_file = tmp_path / "ours.yaml"
    rule_file.write_text(text.replace("EDITS", "        - {argument: fast, drop: true}"), encoding="utf-8")
    with pytest.raises(RuleError, match="default of 'fast' is flagged"):
        load_ruleset((str(rule_file),))


def test_the_schema_refuses_edits_beside_a_codemod(tmp_path):
    text = OUR_RULE.replace("MLF801", "MLF163").replace("EDITS", "        - {argument: fast, drop: true}")
    rule_file = tmp_path / "ours.yaml"
    rule_file.write_text(text, encoding="utf-8")
    with pytest.raises(RuleError, match="has a codemod already"):
        load_ruleset((str(rule_file),))


def test_a_positional_argument_sits_where_the_match_says():
    """``parallel_interleave(map_func, cycle_length, block_length, sloppy)``: sloppy is the fourth."""
    source = "import tensorflow as tf\nds = ds.apply(tf.data.experimental.parallel_interleave(f, 2, True, True, 4))\n"
    assert fixed(source, RULESET, ["tensorflow==2.10"], ["MLF242"]) == (
        "import tensorflow as tf\nds = ds.apply(tf.data.experimental.parallel_interleave(f, 2, True, False, 4))\n")


def test_a_chained_assignment_is_left_for_a_person():
    source = "import torch\ntorch.backends.cudnn.benchmark = fast = True\n"
    outcome = fix_snippet(source, RULESET, (), False, ["MLF140"])
    assert outcome.text == source and not outcome.fixed
