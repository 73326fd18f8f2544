"""Generated programs (hypothesmith), each with a flagged example mixed in: the fixer never crashes, its
output parses, and a second run changes nothing."""

from __future__ import annotations

import hypothesmith
import libcst as cst
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mlfcore_lint.ruleset import load_ruleset

from .helpers import fix_snippet

RULESET = load_ruleset()
FLAGGED = sorted({
    example.code for rule in RULESET if rule.fix is not None for example in rule.flagged_examples
    if not dict(example.settings).get("notebook")
})


def _parses(source: str) -> bool:
    try:
        cst.parse_module(source)
    except (cst.ParserSyntaxError, RecursionError, ValueError, TypeError, MemoryError):
        return False  # the grammar admits programs libcst refuses; the fixer leaves those alone
    return True


@pytest.mark.slow
@settings(max_examples=50, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much])
@given(program=hypothesmith.from_grammar(), flagged=st.sampled_from(FLAGGED), flagged_first=st.booleans())
def test_fixing_any_program_keeps_it_valid_and_is_idempotent(program, flagged, flagged_first):
    if not program.endswith("\n"):
        program += "\n"
    source = flagged + program if flagged_first else program + flagged
    first = fix_snippet(source, RULESET, unsafe=True)
    if not _parses(source):
        assert first.text == source
        return
    assert _parses(first.text), first.text
    second = fix_snippet(first.text, RULESET, unsafe=True)
    assert second.text == first.text, f"second run changed:\n{first.text}"
