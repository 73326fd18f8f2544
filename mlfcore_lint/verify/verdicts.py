"""``rule -> verdict``: one line per rule, with a link into the report, for the rule documentation."""

from __future__ import annotations

from .merge import Column, Merged
from .results import FixtureOutcome
from .setups import DETERMINISTIC, FRAMEWORKS, SEEDS


def anchor(code: str) -> str:
    """The HTML id of a rule's first row in the report."""
    return code.lower()


def _switch(framework: str) -> str:
    return "with the switch" if FRAMEWORKS[framework].switch else "in the deterministic setup (no switch exists)"


def _flagged_text(outcome: FixtureOutcome) -> str:
    seeds, switched = outcome.setups[SEEDS], outcome.setups[DETERMINISTIC]
    return f"flagged op {seeds.status} with seeds, {switched.status} {_switch(outcome.framework)}"


def _alternative_text(outcome: FixtureOutcome) -> str:
    seeds, switched = outcome.setups[SEEDS].status, outcome.setups[DETERMINISTIC].status
    if seeds == switched:
        return f"alternative {switched}"
    return f"alternative {seeds} with seeds, {switched} {_switch(outcome.framework)}"


def _column_text(column: Column, outcomes: list[FixtureOutcome]) -> str:
    flagged = [o for o in outcomes if o.variant == "flagged"]
    alternatives = [o for o in outcomes if o.variant == "alternative"]
    several = len(flagged) > 1
    parts = [(f"{o.name}: " if several else "") + _flagged_text(o) for o in flagged]
    parts += [(f"{o.name}: " if several else "") + _alternative_text(o) for o in alternatives]
    return f"{column.title}{' (GPU)' if column.on_gpu else ''}: {', '.join(parts)}"


def rule_verdicts(merged: Merged, report_file: str) -> dict:
    """Rule code -> ``{"verdict", "gpu_confirmed", "link", "results"}``.

    ``verdict`` is one line; ``link`` points at the rule's first row in the report, relative to the folder
    that holds the verdicts file; ``results`` lists each fixture's status per setup and machine.
    """
    by_rule: dict[str, dict[Column, list[FixtureOutcome]]] = {}
    for (row, column), outcome in merged.cells.items():
        by_rule.setdefault(row.rule, {}).setdefault(column, []).append(outcome)
    rules = {}
    for code in sorted(by_rule):
        columns = by_rule[code]
        gpu = any(column.on_gpu for column in columns)
        ordered = sorted(columns, key=lambda c: (not c.on_gpu, c.title))
        line = "; ".join(
            _column_text(column, sorted(columns[column], key=lambda o: (o.name, o.variant != "flagged")))
            for column in ordered
        )
        if not gpu:
            line += ". Unconfirmed on a GPU."
        rules[code] = {
            "verdict": line,
            "gpu_confirmed": gpu,
            "link": f"{report_file}#{anchor(code)}",
            "results": [
                {"column": column.title, "device": column.device, "fixture": o.fixture, "variant": o.variant,
                 **{setup: result.status for setup, result in o.setups.items()}}
                for column in ordered for o in columns[column]
            ],
        }
    return rules
