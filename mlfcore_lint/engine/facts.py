"""What one file tells the engine: candidate findings and the facts the project step needs.

Facts are plain data (JSON round-trip) so the cache can store them; the version and switch logic that
turns candidates into findings runs later, over the whole project (see :mod:`mlfcore_lint.engine.project`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

#: Changes whenever what a fact means changes, so that facts cached by an older engine are not reused.
FACTS_FORMAT = 4


@dataclass
class Candidate:
    code: str
    line: int
    column: int  # 1-based
    end_line: int
    end_column: int  # 1-based, exclusive
    api: str
    matcher: int  # index of the rule's match entry that fired (for per-form version ranges)
    uncertain: str = ""  # why the match is not certain, e.g. "the value of `mode` is not known statically"
    scope: str = ""  # the function it lies in (see engine/calls.py): ``<module>``, ``<main>``, ``f``, ``C.m``


@dataclass
class FileFacts:
    candidates: list[Candidate] = field(default_factory=list)
    imports: list[str] = field(default_factory=list)  # absolute module names this file imports
    relative_imports: list[list] = field(default_factory=list)  # [level, module or "", [names]]
    # Imports below the module's top level (in a function, or an ``if``/``try``/``with`` block): they run only
    # when that code does. Those of modules other than an entry point do not make a program need seeds.
    deferred_imports: list[str] = field(default_factory=list)  # a subset of ``imports``
    deferred_relative_imports: list[list] = field(default_factory=list)  # a subset of ``relative_imports``
    triggered: list[str] = field(default_factory=list)  # requirement codes its calls and settings trigger
    import_triggered: list[str] = field(default_factory=list)  # ... that its top-level imports trigger
    deferred_triggered: list[str] = field(default_factory=list)  # ... that only its deferred imports trigger
    satisfied: list[str] = field(default_factory=list)  # requirement codes this file satisfies
    main_line: int = 0  # line of ``if __name__ == "__main__":`` (0: none)
    main_column: int = 0
    noqa: dict[int, list[str]] = field(default_factory=dict)  # line -> codes ([] means every code)
    error: Candidate | None = None  # an MLF9xx problem with the file itself
    skipped: bool = False  # the pre-filter found nothing any rule could match
    cells: list[list[int]] = field(default_factory=list)  # notebooks: line -> [cell, line in cell]
    # The program model's facts (engine/calls.py): each scope's calls, what it does and draws; class bases.
    scopes: dict[str, dict] = field(default_factory=dict)
    classes: dict[str, list[str]] = field(default_factory=dict)
    first_statement: int = 0  # line of the first top-level statement that runs code (0: none)
    devices: list[str] = field(default_factory=list)  # "gpu", "cpu", "chosen" (``.to(device)``): devices it names

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> FileFacts:
        facts = cls(**{k: v for k, v in data.items() if k not in ("candidates", "error", "noqa")})
        facts.candidates = [Candidate(**c) for c in data["candidates"]]
        facts.error = Candidate(**data["error"]) if data.get("error") else None
        facts.noqa = {int(k): v for k, v in data["noqa"].items()}
        return facts


class ImportLedger:
    """A module's imports as they are found: at its top level, loaded with the module, or deferred (in a
    function, or an ``if``/``try``/``with`` block: lazy, optional or type-checking imports). A module imported
    both ways is loaded. The walker and the import scan of skipped files keep one each."""

    def __init__(self):
        self.loaded: set[str] = set()
        self.deferred: set[str] = set()
        self.loaded_relative: list[list] = []
        self.deferred_relative: list[list] = []

    def add(self, modules: list[str], relative: list | None, deferred: bool) -> None:
        """``modules``: absolute names an import statement binds; ``relative``: its [level, module, names]."""
        (self.deferred if deferred else self.loaded).update(modules)
        if relative is not None:
            (self.deferred_relative if deferred else self.loaded_relative).append(relative)

    def record(self, facts: FileFacts, index) -> None:
        """Write the deferred imports and what the imports trigger (through ``index``, a RuleIndex) into facts."""
        facts.deferred_imports = sorted(self.deferred - self.loaded)
        facts.deferred_relative_imports = [item for item in self.deferred_relative if item not in self.loaded_relative]
        loaded_codes = index.triggered_by_imports(sorted(self.loaded))
        facts.import_triggered = sorted(loaded_codes)
        facts.deferred_triggered = sorted(index.triggered_by_imports(facts.deferred_imports) - loaded_codes)


def problem_facts(problem) -> FileFacts:
    """Facts of a file that could not be analysed: one MLF9xx problem (a ``SourceProblem``)."""
    return FileFacts(error=Candidate(problem.code, problem.line, problem.column, problem.line,
                                     problem.column, "", 0, problem.message))
