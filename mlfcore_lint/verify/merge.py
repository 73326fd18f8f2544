"""Merging results from several machines: one row per fixture, one column per machine and framework version."""

from __future__ import annotations

from dataclasses import dataclass, field

from .results import FixtureOutcome, ResultFile
from .setups import DETERMINISTIC, FRAMEWORKS, SEEDS


@dataclass(frozen=True)
class Column:
    label: str  # the machine
    device: str  # cuda or cpu
    framework: str
    version: str

    @property
    def title(self) -> str:
        return f"{self.label} · {self.framework} {self.version}"

    @property
    def on_gpu(self) -> bool:
        return self.device == "cuda"


@dataclass(frozen=True)
class Row:
    framework: str
    rule: str
    name: str  # the fixture pair
    variant: str
    op: str
    fixture: str

    @property
    def sort_key(self):
        return (self.rule, self.name, self.variant != "flagged")


@dataclass
class Merged:
    results: list[ResultFile]
    rows: dict[str, list[Row]] = field(default_factory=dict)  # framework -> rows
    columns: dict[str, list[Column]] = field(default_factory=dict)  # framework -> columns
    cells: dict[tuple[Row, Column], FixtureOutcome] = field(default_factory=dict)

    @property
    def any_gpu(self) -> bool:
        return any(column.on_gpu for columns in self.columns.values() for column in columns)

    def frameworks(self) -> list[str]:
        return [name for name in FRAMEWORKS if name in self.rows]


def merge(results: list[ResultFile]) -> Merged:
    """Merge results files in order; a later file replaces an earlier one's cell for the same machine."""
    merged = Merged(results)
    rows: dict[str, dict[tuple, Row]] = {}
    columns: dict[str, dict[Column, None]] = {}
    for result in results:
        for outcome in result.outcomes:
            column = Column(result.label, result.device, outcome.framework, outcome.framework_version)
            row = Row(outcome.framework, outcome.rule, outcome.name, outcome.variant, outcome.op, outcome.fixture)
            key = (row.rule, row.name, row.variant)
            row = rows.setdefault(outcome.framework, {}).setdefault(key, row)
            columns.setdefault(outcome.framework, {})[column] = None
            merged.cells[(row, column)] = outcome
    for framework, found in rows.items():
        merged.rows[framework] = sorted(found.values(), key=lambda r: r.sort_key)
        merged.columns[framework] = list(columns[framework])
    return merged


def overhead(outcome: FixtureOutcome) -> float | None:
    """Run time of seeds + switch over seeds only (0.25: 25 % slower), from the median run times."""
    seeds, switched = outcome.setups[SEEDS].median_seconds, outcome.setups[DETERMINISTIC].median_seconds
    if not seeds or switched is None:
        return None
    return switched / seeds - 1.0
