"""What every front end reports: a finding, with the stable fields of the JSON contract."""

from __future__ import annotations

from dataclasses import dataclass, fields

#: How a finding was seen: the API and its condition for certain, or inferred (a value or a context the
#: linter could not see, reported as "possible").
CERTAIN, INFERRED = "certain", "inferred"


@dataclass(frozen=True)
class FixInfo:
    applicability: str  # "safe" or "unsafe"
    description: str


@dataclass(frozen=True)
class Finding:
    path: str
    line: int  # 1-based; in a notebook, the line in its cell
    column: int  # 1-based
    end_line: int
    end_column: int
    code: str
    symbol: str
    message: str
    severity: str  # error, warning or info
    api: str
    fix: FixInfo | None
    url: str
    cell: int | None = None  # notebooks: the 1-based cell number
    certainty: str = CERTAIN

    @property
    def sort_key(self):
        return (self.path, self.cell or 0, self.line, self.column, self.code)

    def to_json(self) -> dict:
        """The JSON contract's fields (``asdict``'s deep copy costs more than a warm run's other work per
        finding)."""
        data = {name: getattr(self, name) for name in _FINDING_FIELDS}
        if self.fix is not None:
            data["fix"] = {"applicability": self.fix.applicability, "description": self.fix.description}
        if self.cell is None:
            del data["cell"]
        return data

    @property
    def location(self) -> str:
        cell = f"cell {self.cell}:" if self.cell is not None else ""
        return f"{self.path}:{cell}{self.line}:{self.column}"


_FINDING_FIELDS = tuple(field.name for field in fields(Finding))
