"""The project step: entry points, missing requirements, versions and switches, then findings.

Per-file facts are cached; this step is cheap and runs over all of them on every run, because whether a
call is reported depends on the whole program (is the determinism switch on where it starts?) and on the
framework versions the project targets.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TypeVar

from packaging.specifiers import SpecifierSet

from ..config import Settings
from ..environment.outside import settled_codes
from ..model import CERTAIN, INFERRED, Finding, FixInfo
from ..ruleset.schema import DETERMINISTIC, DETERMINISTIC_WITH_SWITCH, Rule, RuleSet
from ..ruleset.versions import Verdict, evaluate, missing_api
from .facts import Candidate, FileFacts
from .graph import Bits, Summaries
from .noqa import is_suppressed
from .program import NOT_DIFFERENTIATED, UNKNOWN, Program, ProgramModel, is_test_code, relative_module
from .switch_safety import raising_operations
from .walker import constructs_module

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
    programs: list[Program] = field(default_factory=list)  # the programs that include it
    entry_programs: list[Program] = field(default_factory=list)  # the programs that start in it


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
    for item in facts.relative_imports:
        if loaded_only and item in facts.deferred_relative_imports:
            continue
        level, imported, names = item
        prefix = relative_module(module, is_package, level, imported)
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


def is_console_script(module: str, console_scripts) -> bool:
    """``src.pkg.cli`` is the module of the console script ``pkg.cli:main``."""
    for script in console_scripts:
        named = script.partition(":")[0].strip()
        if module == named or module.endswith("." + named):
            return True
    return False


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
        # The root is resolved once, never each file: the paths are absolute.
        prefixes = {os.path.join(str(root), "") for root in (settings.root.resolve(), settings.root.absolute())}
        for source in files:
            text, source.relative = str(source.path), source.path.name
            for prefix in prefixes:
                if text.startswith(prefix):
                    source.relative = text[len(prefix):].replace(os.sep, "/")
                    break
            source.module = module_name(source.relative)
        self.modules: dict[str, SourceFile] = importable_names([(s.module, s.relative, s) for s in files])
        # Requirements met, and rules settled, by variables set outside Python (a Dockerfile's ENV, a workflow's
        # env:), for every program: see environment/outside.py.
        self.settled_outside = settled_codes(settings, ruleset)
        self._closures: dict[str, list[SourceFile]] = {}
        self._imports: dict[tuple[str, bool], list[SourceFile]] = {}
        # Each module's bit, and what it imports (all of it, or what loads for certain) summarised once per
        # module: see graph.py.
        self._position = {source.relative: 1 << position for position, source in enumerate(files)}
        self._by_relative = {source.relative: source for source in files}
        self._codes = Bits()
        self._imported = self._over_imports(self._position.get)
        self._loaded = self._over_imports(self._position.get, loaded_only=True)
        self._satisfied = self._over_imports(
            lambda relative: self._codes.of(self._by_relative[relative].facts.satisfied))
        self._verdicts: dict[tuple[str, int | None], Verdict] = {}  # the targets are fixed for a project
        self.model = ProgramModel(files, self.modules, self._local_imports)
        self._devices = self._over_imports(
            lambda relative: self._codes.of(self._by_relative[relative].facts.devices))
        self.programs = self.model.programs(settings, console_scripts, self.program,
                                            lambda entry: self._codes.names(self._devices.summary(entry.relative)))
        for source in files:
            source.programs, source.entry_programs = [], []
        for program in self.programs:
            program.entry.entry_programs.append(program)
            program.entry.is_entry_point = True
            for member in program.files:
                member.programs.append(program)

    # ------------------------------------------------------------------ import graph

    def _local_imports(self, source: SourceFile, loaded_only: bool = False) -> list[SourceFile]:
        """Project modules ``source`` imports; ``loaded_only``: those it imports when it is loaded (resolved once
        per module)."""
        key = (source.relative, loaded_only)
        found = self._imports.get(key)
        if found is None:
            found = self._imports[key] = local_imports(
                source.facts, source.module, source.relative.endswith("__init__.py"), self.modules, loaded_only)
        return found

    def _over_imports(self, own: Callable[[str], int], loaded_only: bool = False) -> Summaries:
        """``own`` (bits of a module, by relative path) summed over what each module imports."""
        by_relative = self._by_relative
        return Summaries(lambda relative: [t.relative for t in self._local_imports(by_relative[relative], loaded_only)],
                         own)

    def _members(self, mask: int) -> list[SourceFile]:
        """The files whose bits ``mask`` sets (read from its binary digits, lowest bit first)."""
        files, found = self.files, []
        digits = bin(mask)[:1:-1]
        position = digits.find("1")
        while position >= 0:
            found.append(files[position])
            position = digits.find("1", position + 1)
        return found

    def program(self, entry: SourceFile) -> list[SourceFile]:
        """The entry point and every project module it imports, transitively."""
        key = entry.relative
        if key not in self._closures:
            self._closures[key] = self._members(self._imported.summary(entry.relative))
        return self._closures[key]

    def loaded_program(self, entry: SourceFile) -> list[SourceFile]:
        """What the entry point loads for certain: every module it imports, and what those modules import at
        their top level. A lazy or optional import elsewhere (in a function, or ``try: ... except ImportError``)
        runs only when that code does: what it brings in does not make the program use a framework."""
        return self._members(self._position[entry.relative] | self._loaded.union(
            target.relative for target in self._local_imports(entry)))

    def satisfies(self, program: Program, code: str) -> bool:
        if code in self.settled_outside:
            return True
        return bool(self._satisfied.summary(program.entry.relative) & self._codes.of((code,)))

    def relevant_programs(self, source: SourceFile) -> list[Program]:
        """The programs whose settings decide about ``source``: the training programs that include it, else
        every program that includes it."""
        return [p for p in source.programs if p.trains] or source.programs

    def program_satisfies(self, source: SourceFile, code: str) -> bool:
        """Whether every program that runs ``source`` meets the requirement ``code``; for a module no program
        includes (library code), whether some training program of the project (else any program) does."""
        # Whether a program meets a requirement is cheap (summed over its imports); whether it trains is not (its
        # whole call graph): where the programs agree, which of them train does not matter.
        including = source.programs or self.programs
        meeting = [self.satisfies(program, code) for program in including]
        if all(meeting) or not any(meeting):
            return bool(meeting) and meeting[0]
        if source.programs:
            return all(self.satisfies(program, code) for program in self.relevant_programs(source))
        everywhere = [p for p in self.programs if p.trains] or self.programs
        return any(self.satisfies(program, code) for program in everywhere)

    def switch_on(self, source: SourceFile, framework: str | None) -> bool:
        code = self.ruleset.switches.get(framework or "")
        return code is not None and self.program_satisfies(source, code)

    def switch_name(self, framework: str | None) -> str:
        rule = self.ruleset.get(self.ruleset.switches.get(framework or "", ""))
        if rule is None or rule.requirement is None:
            return "the determinism switch"
        return missing_api(rule.requirement, self.targets, self.ruleset.releases)

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
        test_code = is_test_code(source.relative, facts.scopes)
        reported: set[tuple] = set()  # one finding per rule and place, however many of its entries match there
        for candidate in facts.candidates:
            rule = self.ruleset.get(candidate.code)
            if rule is None or test_code or candidate.code in self.settled_outside:
                continue
            place = (candidate.code, candidate.line, candidate.column)
            if place in reported:
                continue
            verdict = self.verdict(rule, candidate.matcher)
            if verdict.status == DETERMINISTIC:
                continue
            if verdict.status == DETERMINISTIC_WITH_SWITCH and self.switch_on(source, rule.framework):
                continue
            candidate = self.in_context(source, candidate, rule)
            if candidate is not None:
                reported.add(place)
                found.extend(self._report(source, candidate, rule, verdict))
        for program in source.entry_programs:
            found.extend(self._missing_requirements(program))
        return found

    @property
    def _switch_codes(self) -> set[str]:
        return set(self.ruleset.switches.values())

    def in_context(self, source: SourceFile, candidate: Candidate, rule: Rule) -> Candidate | None:
        """The candidate as the program model sees it: None where it cannot break determinism there (nothing
        differentiated for a backward-only op, no training program for a training setting, a requirement the
        programs meet), "possible" where the model cannot tell."""
        if rule.backward_only and not constructs_module(candidate.api):
            context = self.model.context(source, candidate.scope or "<module>")
            if context == NOT_DIFFERENTIATED:
                return None
            if context == UNKNOWN and not candidate.uncertain:
                candidate = replace(candidate, uncertain=UNKNOWN_GRADIENT)
        if rule.in_training and source.programs and not any(p.trains for p in source.programs):
            return None  # only programs that do not train run this code
        if rule.backward_only and source.programs and not any(p.differentiates for p in source.programs):
            return None  # only programs that compute no gradient run this code
        if rule.gpu_only and source.programs and not any(p.uses_gpu for p in self.relevant_programs(source)):
            return None  # its programs run on the CPU only
        programs = self.relevant_programs(source)
        if programs and any(all(self.satisfies(p, code) for p in programs) for code in rule.met_by):
            return None
        return candidate

    def _missing_requirements(self, program: Program) -> list[Finding]:
        # What triggers a requirement in a program that trains: what it does (calls, settings) wherever it does
        # it; the frameworks it imports, where they are loaded for certain (see ``loaded_program``) or by the
        # entry point itself, whose functions run. A program that does not train needs nothing.
        # A seed is needed for the generators the program's code draws from where it runs, not wherever a module
        # it imports could draw (a plotting helper's colours).
        entry = program.entry
        if not program.trains:
            return []
        triggered = set(entry.facts.deferred_triggered)
        for member in program.files:
            triggered.update(member.facts.triggered)
        for member in self.loaded_program(entry):
            triggered.update(member.facts.import_triggered)
        found = []
        for code in sorted(triggered):
            rule = self.ruleset.get(code)
            if rule is None or rule.requirement is None or self.satisfies(program, code):
                continue
            if rule.requirement.seeds and code not in program.draws and code not in entry.facts.import_triggered:
                continue
            if rule.gpu_only and not program.uses_gpu:
                continue
            verdict = self.verdict(rule, None)
            if verdict.status == DETERMINISTIC:
                continue
            line, column = program.line, program.column
            missing = missing_api(rule.requirement, self.targets, self.ruleset.releases)
            candidate = Candidate(code, line, column, line, column, missing, -1)
            reported = self._report(entry, candidate, rule, verdict)
            blockers = raising_operations(self, program, rule.framework) if code in self._switch_codes else []
            if blockers:  # turning the switch on would make these raise: no fix, and the message says why
                shown = ", ".join(blockers[:4]) + (f" and {len(blockers) - 4} more" if len(blockers) > 4 else "")
                reported = [replace(f, fix=None, message=f"{f.message}; first replace what raises under it in the "
                                    f"targeted versions: {shown}") for f in reported]
            found.extend(reported)
        return found

    def _report(self, source: SourceFile, candidate: Candidate, rule: Rule | None, verdict: Verdict | None):
        code = candidate.code
        if not self.settings.is_selected(code, source.relative, bool(rule and rule.hint)):
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
        # A safe fix is offered only where the finding is certain: a fix of a value the engine could not read
        # (``benchmark = flag()``, ``DataLoader(ds, **options)``) cannot apply.
        fix = (FixInfo(rule.fix.applicability, rule.fix.description)
               if rule and rule.fix and not (candidate.uncertain and rule.fix.applicability == "safe") else None)
        return [Finding(
            path=source.display, line=line, column=column, end_line=end_line,
            end_column=candidate.end_column, code=code, symbol=rule.symbol if rule else "internal-error",
            message=message, severity=severity, api=candidate.api, fix=fix,
            url=rule.url if rule else "", cell=cell,
            certainty=INFERRED if candidate.uncertain else CERTAIN,
        )]


#: Why a backward-only call whose differentiation context the program model cannot see is only possible.
UNKNOWN_GRADIENT = "whether a backward pass runs through this call is not visible in the project"


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
