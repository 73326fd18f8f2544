"""docs/frontends.md: the table of pylint message ids is generated from the rule files and must be current."""

from __future__ import annotations

from mlfcore_lint.frontends.pylint_checker import TABLE_END, TABLE_START, message_table, with_message_table

from ..conftest import REPO
from .conftest import RULESET

DOCUMENT = REPO / "docs" / "frontends.md"


def test_pylint_id_table_is_current():
    text = DOCUMENT.read_text(encoding="utf-8")
    assert text.count(TABLE_START) == text.count(TABLE_END) == 1
    assert with_message_table(text, RULESET) == text, (
        "the pylint id table in docs/frontends.md is stale: run "
        "`python -m mlfcore_lint.frontends.pylint_checker docs/frontends.md`"
    )


def test_table_lists_every_rule():
    table = message_table(RULESET)
    for rule in RULESET:
        assert f"| {rule.code} |" in table
