"""The project step: entry points, missing requirements, versions and switches, then findings.

Per-file facts are cached; this step is cheap and runs over all of them on every run, because whether a
call is reported depends on the whole program (is the determinism switch on where it starts?) and on the
framework versions the project targets.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from packaging.specifiers import SpecifierSet

from ..config import Settings
from ..environment.outside import settled_codes
from ..model import Finding, FixInfo
from ..ruleset.schema import DETERMINISTIC, DETERMINISTIC_WITH_SWITCH, Rule, RuleSet
from ..ruleset.versions import Verdict, evaluate
from .facts import Candidate, FileFacts
from .noqa import is_suppressed

T = TypeVar("T")

_LOWER = {"error": "warning", "warning": "info", "info": "info"}


@dataclass
class SourceFile:
    path: Path  # absolute
    display: str  # as the user named it
    facts: FileFacts
    relative: str = ""  # to the project root, POSIX
    module: str = ""  # dotted module name from the project root
    is_entry_point: bool = False
    programs: list[SourceFile] = field(default_factory=list)  # entry points whose program includes it


def module_name(relative: str) -> str:
    parts = relative[:-3].split("/") if relative.endswith(".py") else relative.split("/")
    if parts and parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def importable_names(modules: list[tuple[str, str, T]]) -> dict[str, T]:
    """Every dotted suffix of each (module name, relative path, value) -> its value: ``src/pkg/mod.py`` is
    imported as ``pkg.mod``. Where several modules end in the same suffix, the one with the shortest name
    wins, then the first by name and path, so the answer never depends on the order files were read in."""
    names: dict[str, T] = {}
    for module, _, value in sorted(modules, key=lambda entry: (entry[0].count("."), entry[0], entry[1])):
        parts = module.split(".")
        for start in range(len(parts)):
            names.setdefault(".".join(parts[start:]), value)
    return names


def local_imports(facts: FileFacts, module: str, is_package: bool, modules: dict[str, T],
                  loaded_only: bool = False) -> list[T]:
    """The project modules (``modules``: ``importable_names``) that a module imports; ``loaded_only``: only
    those it imports when it is loaded (see ``FileFacts.deferred_imports``). The command line and the front
    ends resolve imports with this one function, so they agree on every program."""
    found = []
    deferred = set(facts.deferred_imports) if loaded_only else set()
    for name in facts.imports:
        target = modules.get(name) if name not in deferred else None
        if target is not None:
            found.append(target)
    package = module.split(".") if is_package else module.split(".")[:-1]
    for item in facts.relative_imports:
        if loaded_only and item in facts.deferred_relative_imports:
            continue
        level, imported, names = item
        base = package[: len(package) - (level - 1)] if level > 1 else package
        prefix = ".".join(base + ([imported] if imported else []))
        for candidate in [prefix] + [f"{prefix}.{n}" if prefix else n for n in names]:
            target = modules.get(candidate) if candidate else None
            if target is not None:
                found.append(target)
    return found


def reachable(starts: Iterable[T], imports_of: Callable[[T], Iterable[T]]) -> list[T]:
    """``starts`` and every module reachable from them through ``imports_of``, each once."""
    seen = {id(start): start for start in starts}
    queue = list(seen.values())
    while queue:
        for target in imports_of(queue.pop()):
            if id(target) not in seen:
                seen[id(target)] = target
                queue.append(target)
    return list(seen.values())


#: Scripts with a ``__main__`` block that build, test or document a project and never train a model; a
#: configured ``entry-points`` glob still makes one an entry point.
TOOLING_SCRIPTS = frozenset({"setup.py", "conftest.py", "noxfile.py", "fabfile.py", "conf.py"})


def is_console_script(module: str, console_scripts) -> bool:
    """``src.pkg.cli`` is the module of the console script ``pkg.cli:main``."""
    return any(module == script or module.endswith("." + script) for script in console_scripts)


def rule_verdict(rule: Rule, matcher_index: int | None, targets: dict[str, SpecifierSet],
                 releases: dict[str, tuple[str, ...]]) -> Verdict:
    """The worst status of ``rule`` (of its match form ``matcher_index``, where it has its own ranges) over
    the targeted versions."""
    ranges = rule.versions
    if matcher_index is not None and matcher_index < len(rule.matchers):
        ranges = rule.matchers[matcher_index].versions or ranges
    return evaluate(ranges, targets, releases)


class Project:
    def __init__(self, files: list[SourceFile], settings: Settings, ruleset: RuleSet,
                 targets: dict[str, SpecifierSet], console_scripts: set[str] = frozenset()):
        self.files = files
        self.settings = settings
        self.ruleset = ruleset
        self.targets = targets
        self.honour_noqa = True  # flake8 reads suppression comments itself: its front end turns this off
        root = settings.root.resolve()
        for source in files:
            try:
                source.relative = source.path.relative_to(root).as_posix()
            except ValueError:
                source.relative = source.path.name
            source.module = module_name(source.relative)
        self.modules: dict[str, SourceFile] = importable_names([(s.module, s.relative, s) for s in files])
        for source in files:
            source.is_entry_point = (
                (source.facts.main_line > 0 and source.path.name not in TOOLING_SCRIPTS)
                or is_console_script(source.module, console_scripts)
                or settings.is_configured_entry_point(source.relative)
            )
        # Requirements met, and rules settled, by variables set outside Python (a Dockerfile's ENV, a workflow's
        # env:), for every program: see environment/outside.py.
        self.settled_outside = settled_codes(settings, ruleset)
        self._closures: dict[str, list[SourceFile]] = {}
        self._verdicts: dict[tuple[str, int | None], Verdict] = {}  # the targets are fixed for a project
        for source in files:
            if source.is_entry_point:
                for member in self.program(source):
                    member.programs.append(source)

    # ------------------------------------------------------------------ import graph

    def _local_imports(self, source: SourceFile, loaded_only: bool = False) -> list[SourceFile]:
        """Project modules ``source`` imports; ``loaded_only``: those it imports when it is loaded."""
        return local_imports(source.facts, source.module, source.relative.endswith("__init__.py"), self.modules,
                             loaded_only)

    def program(self, entry: SourceFile) -> list[SourceFile]:
        """The entry point and every project module it imports, transitively."""
        key = entry.relative
        if key not in self._closures:
            self._closures[key] = reachable([entry], self._local_imports)
        return self._closures[key]

    def loaded_program(self, entry: SourceFile) -> list[SourceFile]:
        """What the entry point loads for certain: every module it imports, and what those modules import at
        their top level. A lazy or optional import elsewhere (in a function, or ``try: ... except ImportError``)
        runs only when that code does: what it brings in does not make the program use a framework."""
        return reachable([entry, *self._local_imports(entry)],
                         lambda member: self._local_imports(member, loaded_only=True))

    def satisfies(self, entry: SourceFile, code: str) -> bool:
        return code in self.settled_outside or any(code in member.facts.satisfied for member in self.program(entry))

    def switch_on(self, source: SourceFile, framework: str | None) -> bool:
        code = self.ruleset.switches.get(framework or "")
        if code is None:
            return False
        if source.programs:
            return all(self.satisfies(entry, code) for entry in source.programs)
        entries = [f for f in self.files if f.is_entry_point]
        return any(self.satisfies(entry, code) for entry in entries)

    def switch_name(self, framework: str | None) -> str:
        rule = self.ruleset.get(self.ruleset.switches.get(framework or "", ""))
        if rule is None or rule.requirement is None:
            return "the determinism switch"
        return rule.requirement.missing_api

    # ------------------------------------------------------------------ findings

    def verdict(self, rule: Rule, matcher_index: int | None) -> Verdict:
        key = (rule.code, matcher_index)
        if key not in self._verdicts:
            self._verdicts[key] = rule_verdict(rule, matcher_index, self.targets, self.ruleset.releases)
        return self._verdicts[key]

    def findings(self) -> list[Finding]:
        return [finding for source in self.files for finding in self.findings_in(source)]

    def findings_in(self, source: SourceFile) -> list[Finding]:
        facts = source.facts
        if facts.error is not None:
            return self._report(source, facts.error, None, None)
        found: list[Finding] = []
        for candidate in facts.candidates:
            rule = self.ruleset.get(candidate.code)
            if rule is None or candidate.code in self.settled_outside:
                continue
            verdict = self.verdict(rule, candidate.matcher)
            if verdict.status == DETERMINISTIC:
                continue
            if verdict.status == DETERMINISTIC_WITH_SWITCH and self.switch_on(source, rule.framework):
                continue
            found.extend(self._report(source, candidate, rule, verdict))
        if source.is_entry_point:
            found.extend(self._missing_requirements(source))
        return found

    def _missing_requirements(self, entry: SourceFile) -> list[Finding]:
        # What triggers a requirement: what the program does (calls, settings) wherever it does it; the
        # frameworks it imports, where they are loaded for certain (see ``loaded_program``) or by the entry
        # point itself, whose functions run.
        triggered = set(entry.facts.deferred_triggered)
        for member in self.program(entry):
            triggered.update(member.facts.triggered)
        for member in self.loaded_program(entry):
            triggered.update(member.facts.import_triggered)
        found = []
        for code in sorted(triggered):
            rule = self.ruleset.get(code)
            if rule is None or rule.requirement is None or self.satisfies(entry, code):
                continue
            verdict = self.verdict(rule, None)
            if verdict.status == DETERMINISTIC:
                continue
            line, column = (entry.facts.main_line, entry.facts.main_column) if entry.facts.main_line else (1, 1)
            candidate = Candidate(code, line, column, line, column, rule.requirement.missing_api, -1)
            found.extend(self._report(entry, candidate, rule, verdict))
        return found

    def _report(self, source: SourceFile, candidate: Candidate, rule: Rule | None, verdict: Verdict | None):
        code = candidate.code
        if not self.settings.is_selected(code, source.relative, bool(rule and rule.opt_in)):
            return []
        if self.honour_noqa and is_suppressed(source.facts.noqa, candidate.line, code):
            return []
        if rule is None:  # a problem with the file itself (MLF9xx)
            rule = self.ruleset.get(code)
            message = candidate.uncertain
            severity = rule.severity if rule else "error"
        else:
            message = describe(rule, verdict, self.targets, candidate, self.switch_name(rule.framework))
            severity = _LOWER[rule.severity] if candidate.uncertain else rule.severity
        line, column, end_line, cell = candidate.line, candidate.column, candidate.end_line, None
        if source.facts.cells and 0 < line <= len(source.facts.cells):
            cell, line = source.facts.cells[line - 1]
            end_line = line + (candidate.end_line - candidate.line)
        fix = FixInfo(rule.fix.applicability, rule.fix.description) if rule and rule.fix else None
        return [Finding(
            path=source.display, line=line, column=column, end_line=end_line,
            end_column=candidate.end_column, code=code, symbol=rule.symbol if rule else "internal-error",
            message=message, severity=severity, api=candidate.api, fix=fix,
            url=rule.url if rule else "", cell=cell,
        )]


def describe(rule: Rule, verdict: Verdict | None, targets: dict[str, SpecifierSet], candidate: Candidate,
             switch: str = "the determinism switch") -> str:
    """The finding's message: the rule's message, the versions that make it so, and any uncertainty."""
    parts = [rule.summary.rstrip(".")]
    if verdict is not None and verdict.ranges:
        distribution = verdict.ranges[0].distribution
        target = targets.get(distribution)
        targeted = f"{distribution}{target}" if target is not None and str(target) else f"any {distribution}"
        if verdict.status == DETERMINISTIC_WITH_SWITCH:
            parts.append(f"in {verdict.versions_text} (targeted: {targeted}) unless {switch} is on")
        else:
            parts.append(f"in {verdict.versions_text} (targeted: {targeted})")
    message = " ".join(parts)
    if candidate.uncertain:
        message += f" [possible: {candidate.uncertain}]"
    return message
