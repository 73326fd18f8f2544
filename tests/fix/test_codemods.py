"""Input/expected pairs: each case folder holds ``input.py``, ``expected.py`` and ``options.json``.

``options.json`` names the codes the case is about (``select``, so rules added later do not change it), the
targeted versions and whether unsafe fixes run.  Every expected output must also be a fixed point.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mlfcore_lint.ruleset import load_ruleset

from .helpers import fix_snippet

RULESET = load_ruleset()
CASES = Path(__file__).parent / "cases"


def load_case(folder: Path):
    options = json.loads((folder / "options.json").read_text(encoding="utf-8"))
    source = (folder / "input.py").read_text(encoding="utf-8")
    expected = (folder / "expected.py").read_text(encoding="utf-8")
    return source, expected, options


def fix_case(source: str, options: dict):
    return fix_snippet(source, RULESET, options.get("targets", ()), options.get("unsafe", False), options["select"])


@pytest.mark.parametrize("folder", sorted(p for p in CASES.iterdir() if p.is_dir()), ids=lambda p: p.name)
def test_case(folder):
    source, expected, options = load_case(folder)
    assert all(RULESET.get(code) is not None for code in options["select"]), "a case must name existing codes"
    outcome = fix_case(source, options)
    assert outcome.problem == ""
    assert outcome.text == expected
    compile(outcome.text, str(folder / "expected.py"), "exec")
    again = fix_case(outcome.text, options)
    assert again.text == outcome.text and not again.fixed, "a second run must change nothing"
