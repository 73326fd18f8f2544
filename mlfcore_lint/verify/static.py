"""The static half of a fixture: lint it inside the program the runner executes it in.

A flagged fixture is linted with the entry program of the ``seeds`` setup (seeded, switch off), an
alternative with that of the ``deterministic`` setup (seeded, switch on), so that ops that are deterministic
under the switch are judged as the runner ran them.  The targets are the fixture's ``REQUIRES`` (none: every
known release).  The findings inside the fixture must be exactly its ``# expect:`` lines.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from ..config import Settings, parse_target
from ..ruleset.schema import RuleSet
from ..runner import check_paths
from .catalog import ALTERNATIVE, Fixture, expected_findings
from .setups import DETERMINISTIC, FRAMEWORKS, SEEDS, entry_program

ENTRY_FILE = "verify_entry.py"


def lint_fixture(fixture: Fixture, ruleset: RuleSet) -> set[tuple[int, str]]:
    """(line, code) of every finding inside the fixture, linted as part of its setup's program."""
    setup = DETERMINISTIC if fixture.variant == ALTERNATIVE else SEEDS
    with tempfile.TemporaryDirectory(prefix="mlfcore-static-") as temporary:
        folder = Path(temporary)
        shutil.copyfile(fixture.path, folder / fixture.path.name)
        entry = entry_program(FRAMEWORKS[fixture.directory], setup, fixture.module)
        (folder / ENTRY_FILE).write_text(entry, encoding="utf-8")
        settings = Settings(discover_targets=False, root=folder, extend_select=("HINT",))  # hints too
        settings.targets = dict(parse_target(text, f"{fixture.relative}: REQUIRES") for text in fixture.requires)
        result = check_paths([folder], settings, ruleset, jobs=1, use_cache=False)
    return {(f.line, f.code) for f in result.findings if Path(f.path).name == fixture.path.name}


def static_mismatch(fixture: Fixture, ruleset: RuleSet) -> str:
    """What the linter got wrong on this fixture, in one line ("" when it flags exactly the expected lines)."""
    expected = expected_findings(fixture.path.read_text(encoding="utf-8"))
    if fixture.variant == ALTERNATIVE and expected:
        return f"fixtures/{fixture.relative}: an alternative must not expect findings"
    found = lint_fixture(fixture, ruleset)
    if found == expected:
        return ""
    parts = []
    missing, extra = sorted(expected - found), sorted(found - expected)
    if missing:
        parts.append("not flagged: " + ", ".join(f"line {line} {code}" for line, code in missing))
    if extra:
        parts.append("unexpected: " + ", ".join(f"line {line} {code}" for line, code in extra))
    return f"fixtures/{fixture.relative}: " + "; ".join(parts)
