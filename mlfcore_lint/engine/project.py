"""The project step: entry points, missing requirements, versions and switches, then findings.

Per-file facts are cached; this step is cheap and runs over all of them on every run, because whether a
call is reported depends on the whole program (is the determinism switch on where it starts?) and on the
framework versions the project targets.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path
from sys import intern
from typing import TypeVar

from packaging.specifiers import SpecifierSet

from ..config import Settings
from ..model import Finding
from ..ruleset.schema import DETERMINISTIC, RuleSet
from ..ruleset.versions import missing_api
from .facts import Candidate, FileFacts
from .graph import Bits, Summaries
from .judge import (
    CONTEXT,
    CPU_ONLY,
    MET,
    NO_GRADIENT,
    NO_TRAINING,
    RAISING,
    REQUIREMENTS,
    SWITCH_ON,
    Judge,
    requirement_answer,
)
from .program import Program, ProgramModel, device_names, relative_module
from .switch_safety import raises_under_switch, raising_in

T = TypeVar("T")

class SourceFile:
    """One file of the project step: its path (absolute), how the user named it (``display``), its facts, its
    path from the root (POSIX) and dotted module name, and the programs that start in it. Slots: the step holds
    one per file of the project."""

    __slots__ = ("path", "display", "facts", "relative", "module", "is_entry_point", "entry_programs", "__weakref__")

    def __init__(self, path: Path, display: str, facts: FileFacts, relative: str = "", module: str = ""):
        self.path, self.display, self.facts, self.relative, self.module = path, display, facts, relative, module
        self.is_entry_point = False
        self.entry_programs: list[Program] = []

    def __repr__(self) -> str:
        return f"SourceFile({self.display!r})"


def module_name(relative: str) -> str:
    """Interned: the command's project context and the project step name every module, and hold the names."""
    parts = relative[:-3].split("/") if relative.endswith(".py") else relative.split("/")
    if parts and parts[-1] == "__init__":
        parts = parts[:-1]
    return intern(".".join(parts))


def importable_names(modules: list[tuple[str, str, T]]) -> dict[str, T]:
    """Every dotted suffix of each (module name, relative path, value) -> its value: ``src/pkg/mod.py`` is
    imported as ``pkg.mod``. Where several modules end in the same suffix, the one with the shortest name
    wins, then the first by name and path, so the answer never depends on the order files were read in."""
    names: dict[str, T] = {}
    for module, _, value in sorted(modules, key=lambda entry: (entry[0].count("."), entry[0], entry[1])):
        parts = module.split(".")
        for start in range(len(parts)):
            names.setdefault(intern(".".join(parts[start:])), value)  # shared by the context's and the step's
    return names


def importable_modules(modules: list[tuple[str, str, T]]) -> list[T]:
    """The values ``importable_names`` gives some name to, without listing every suffix: a module keeps its own
    full name unless a module of the same name comes first by path (a module with a longer name cannot take
    it, and one with a shorter name does not end in it), so these are the first of each full name."""
    first: dict[str, tuple[str, T]] = {}
    for module, relative, value in modules:
        kept = first.get(module)
        if kept is None or relative < kept[0]:
            first[module] = (relative, value)
    return [value for _, value in sorted(first.values(), key=lambda entry: entry[0])]


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


def project_view(facts: FileFacts, ruleset: RuleSet) -> tuple:
    """What the project step reads of a file to judge the other files and the environment: every fact but the
    places of its matches, its ``noqa`` comments and its notebook cells, which only its own findings read. Of its
    matches it reads which rules and forms match (the environment's version ranges) and, in full, the operations
    that raise under a determinism switch (``switch_safety``). Two versions of a file with equal views change
    nothing in any other file's findings."""
    raising = [candidate for candidate in facts.candidates if (rule := ruleset.get(candidate.code)) is not None
               and raises_under_switch(rule, rule.framework)]
    matched = sorted({(candidate.code, candidate.matcher) for candidate in facts.candidates})
    return replace(facts, candidates=raising, noqa={}, cells=[]), matched


def is_console_script(module: str, console_scripts) -> bool:
    """``src.pkg.cli`` is the module of the console script ``pkg.cli:main``."""
    for script in console_scripts:
        named = script.partition(":")[0].strip()
        if module == named or module.endswith("." + named):
            return True
    return False


class Project(Judge):
    """The project step: every file's facts, the import graph and the program model; it answers the questions a
    file's findings ask (see judge.py) and records each answer in ``answers`` (relative path -> question -> answer).
    """

    def __init__(self, files: list[SourceFile], settings: Settings, ruleset: RuleSet,
                 targets: dict[str, SpecifierSet], console_scripts: set[str] = frozenset()):
        super().__init__(settings, ruleset, targets)
        self.files = files
        self.answers: dict[str, dict] = {}
        self._answerers: dict[str, Callable[[SourceFile, str], object]] = {
            SWITCH_ON: self.switch_on, CONTEXT: self.model_context, NO_TRAINING: self._no_training,
            NO_GRADIENT: self._no_gradient, CPU_ONLY: self._cpu_only, MET: self._met, REQUIREMENTS: self._requirements,
            RAISING: self._raising,
        }
        # The root is resolved once, never each file: the paths are absolute.
        prefixes = {os.path.join(str(root), "") for root in (settings.root.resolve(), settings.root.absolute())}
        for source in files:
            text, source.relative = str(source.path), source.path.name
            for prefix in prefixes:
                if text.startswith(prefix):
                    source.relative = intern(text[len(prefix):].replace(os.sep, "/"))  # as the context names it
                    break
            source.module = module_name(source.relative)
        self.modules: dict[str, SourceFile] = importable_names([(s.module, s.relative, s) for s in files])
        # what each module imports (see ``_local_imports``): all of it, and what it imports when it is loaded
        self._imports: tuple[dict[str, tuple[SourceFile, ...]], ...] = ({}, {})
        # Each module's bit, and what it imports (all of it, or what loads for certain) summarised once per
        # module: see graph.py.
        self._position = {source.relative: position for position, source in enumerate(files)}  # see ``_bit``
        self._by_relative = {source.relative: source for source in files}
        self._codes = Bits()
        self._imported = self._over_imports(self._bit)
        self._loaded = self._over_imports(self._bit, loaded_only=True)
        self._satisfied = self._codes_over_imports("satisfied")
        # what a program's calls and settings trigger (anywhere in it), and its imports (where they load for certain)
        self._triggered = self._codes_over_imports("triggered")
        self._import_triggered = self._codes_over_imports("import_triggered", loaded_only=True)
        self.model = ProgramModel(files, self.modules, self._local_imports)
        self.programs = self.model.programs(settings, console_scripts, self.program,
                                            self.names_over_imports(lambda source: device_names(source.facts)))
        for source in files:
            source.entry_programs = []
        for program in self.programs:
            program.entry.entry_programs.append(program)
            program.entry.is_entry_point = True
        self._including: tuple[str, list[Program]] | None = None  # see ``programs_of``
        self._raising_in: dict[tuple[str, str | None], tuple[str, ...]] = {}  # see ``raising_operations``
        self._raising_masks: dict[str | None, int] = {}  # framework -> the bits of the files with such operations
        self._library_answers: dict[str, bool] = {}  # see ``_some_program_satisfies``
        self._meeting_by_code: dict[str, set[int]] = {}  # see ``_meeting``
        self._program_members: list[int] | None = None  # the bits of each program's modules, in ``programs`` order

    def close(self) -> None:
        """Let go of everything this project step holds. Its programs, summaries and answerers refer back to it,
        cycles that the garbage collector, run rarely while the engine works (see gc_pacing.py), would free
        late: broken here, the project step and the facts it read are freed at once."""
        for source in self.files:
            source.entry_programs = []
        self.__dict__.clear()

    # ------------------------------------------------------------------ import graph

    def _bit(self, relative: str) -> int:
        """The bit of the file at ``relative`` in a set of files (made when asked: a project's thousands of
        files would each keep an integer as wide as the project)."""
        return 1 << self._position[relative]

    def _local_imports(self, source: SourceFile, loaded_only: bool = False) -> tuple[SourceFile, ...]:
        """Project modules ``source`` imports; ``loaded_only``: those it imports when it is loaded (resolved once
        per module)."""
        resolved = self._imports[loaded_only]
        found = resolved.get(source.relative)
        if found is None:
            found = resolved[source.relative] = tuple(local_imports(
                source.facts, source.module, source.relative.endswith("__init__.py"), self.modules, loaded_only))
        return found

    def _over_imports(self, own: Callable[[str], int], loaded_only: bool = False) -> Summaries:
        """``own`` (bits of a module, by relative path) summed over what each module imports."""
        by_relative = self._by_relative
        return Summaries(lambda relative: [t.relative for t in self._local_imports(by_relative[relative], loaded_only)],
                         own)

    def _codes_over_imports(self, facts_list: str, loaded_only: bool = False) -> Summaries:
        """The names one list of each module's facts holds (``satisfied``, ``triggered``), as ``Bits``, summed over
        what it imports."""
        return self._names_summed(lambda source: getattr(source.facts, facts_list), loaded_only)

    def _names_summed(self, names_of: Callable[[SourceFile], Iterable[str]], loaded_only: bool = False) -> Summaries:
        by_relative, codes = self._by_relative, self._codes
        return self._over_imports(lambda relative: codes.of(names_of(by_relative[relative])), loaded_only)

    def names_over_imports(self, names_of: Callable[[SourceFile], Iterable[str]]) -> Callable[[SourceFile], set[str]]:
        """What ``names_of`` gives for each module, united over the modules an entry point imports, transitively
        (its program's modules): summed once per module, like the requirements they satisfy, so that a question
        about every module of every program does not list each program's modules."""
        summed = self._names_summed(names_of)
        return lambda entry: self._codes.names(summed.summary(entry.relative))

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
        """The entry point and every project module it imports, transitively (listed anew on each call)."""
        return self._members(self._imported.summary(entry.relative))

    def programs_of(self, source: SourceFile) -> list[Program]:
        """The programs that include ``source``. Kept for the file last asked about only: a file's questions are
        asked together (judge.py), and a list for each file of a large project would be megabytes."""
        if self._including is not None and self._including[0] == source.relative:
            return self._including[1]
        if self._program_members is None:
            self._program_members = [self._imported.summary(p.entry.relative) for p in self.programs]
        bit = self._bit(source.relative)
        found = [program for program, members in zip(self.programs, self._program_members, strict=True)
                 if members & bit]
        self._including = (source.relative, found)
        return found

    def loaded_program(self, entry: SourceFile) -> list[SourceFile]:
        """What the entry point loads for certain: every module it imports, and what those modules import at
        their top level. A lazy or optional import elsewhere (in a function, or ``try: ... except ImportError``)
        runs only when that code does: what it brings in does not make the program use a framework."""
        return self._members(self._bit(entry.relative) | self._loaded.union(
            target.relative for target in self._local_imports(entry)))

    def satisfies(self, program: Program, code: str) -> bool:
        if code in self.settled_outside:
            return True
        return bool(self._satisfied.summary(program.entry.relative) & self._codes.of((code,)))

    def relevant_programs(self, source: SourceFile) -> list[Program]:
        """The programs whose settings decide about ``source``: the training programs that include it, else
        every program that includes it."""
        including = self.programs_of(source)
        return [p for p in including if p.trains] or including

    def program_satisfies(self, source: SourceFile, code: str) -> bool:
        """Whether every program that runs ``source`` meets the requirement ``code``; for a module no program
        includes (library code), whether some training program of the project (else any program) does."""
        # Whether a program meets a requirement is cheap (summed over its imports); whether it trains is not (its
        # whole call graph): where the programs agree, which of them train does not matter.
        own = self.programs_of(source)
        if not own:
            return self._some_program_satisfies(code)
        meeting = self._meeting(code)
        met = sum(id(program) in meeting for program in own)
        if met in (0, len(own)):
            return bool(met)
        return all(id(program) in meeting for program in self.relevant_programs(source))

    def _meeting(self, code: str) -> set[int]:
        """The programs (their ``id``) that meet the requirement ``code``, found once per requirement: a module
        that many programs include asks about each of them."""
        found = self._meeting_by_code.get(code)
        if found is None:
            found = self._meeting_by_code[code] = {id(p) for p in self.programs if self.satisfies(p, code)}
        return found

    def _some_program_satisfies(self, code: str) -> bool:
        """For library code: whether some training program of the project (else any program) meets ``code``
        (one answer per requirement: every module no program includes asks the same)."""
        found = self._library_answers.get(code)
        if found is None:
            found = self._library_answers[code] = self._library_answer(code)
        return found

    def _library_answer(self, code: str) -> bool:
        meeting = [self.satisfies(program, code) for program in self.programs]
        if all(meeting) or not any(meeting):
            return bool(meeting) and meeting[0]
        everywhere = [p for p in self.programs if p.trains] or self.programs
        return any(self.satisfies(program, code) for program in everywhere)

    def switch_on(self, source: SourceFile, framework: str | None) -> bool:
        code = self.ruleset.switches.get(framework or "")
        return code is not None and self.program_satisfies(source, code)

    # ------------------------------------------------------------------ answers to the files' questions

    def ask(self, source: SourceFile, question: str, argument: str = ""):
        answers = self.answers.setdefault(source.relative, {})
        key = question + argument
        if key not in answers:
            answers[key] = self._answerers[question](source, argument)
        return answers[key]

    def model_context(self, source: SourceFile, scope: str) -> str:
        return self.model.context(source, scope)

    def _no_training(self, source: SourceFile, _: str) -> bool:
        including = self.programs_of(source)
        return bool(including) and not any(p.trains for p in including)

    def _no_gradient(self, source: SourceFile, _: str) -> bool:
        including = self.programs_of(source)
        return bool(including) and not any(p.differentiates for p in including)

    def _cpu_only(self, source: SourceFile, _: str) -> bool:
        return bool(self.programs_of(source)) and not any(p.uses_gpu for p in self.relevant_programs(source))

    def _met(self, source: SourceFile, code: str) -> bool:
        programs = self.relevant_programs(source)
        return bool(programs) and all(self.satisfies(p, code) for p in programs)

    def findings(self) -> list[Finding]:
        return [finding for source in self.files for finding in self.findings_in(source)]

    def raising_operations(self, program: Program, framework: str | None) -> list[str]:
        """The operations of ``program`` that raise under ``framework``'s switch (``switch_safety.raising_in``).
        Each file is judged once, whichever programs run it, and a program lists only its files that have one."""
        masks = self._raising_masks
        if framework not in masks:
            masks[framework] = 0
            for source in self.files:
                if self._raising_in_file(source, framework):
                    masks[framework] |= self._bit(source.relative)
        members = self._members(self._imported.summary(program.entry.relative) & masks[framework])
        return sorted({operation for member in members for operation in self._raising_in_file(member, framework)})

    def _raising_in_file(self, source: SourceFile, framework: str | None) -> tuple[str, ...]:
        key = (source.relative, framework)
        found = self._raising_in.get(key)
        if found is None:
            found = self._raising_in[key] = raising_in(self, source, framework)
        return found

    def _raising(self, source: SourceFile, framework: str) -> list[str]:
        """What raises under ``framework``'s strict switch in any program that runs ``source``."""
        return sorted({operation for program in self.programs_of(source)
                       for operation in self.raising_operations(program, framework)})

    def _requirements(self, source: SourceFile, _: str) -> list:
        return [requirement_answer(candidate, blockers) for program in source.entry_programs
                for candidate, blockers in self._missing_requirements(program)]

    @property
    def _switch_codes(self) -> set[str]:
        return set(self.ruleset.switches.values())

    def _missing_requirements(self, program: Program) -> list[tuple[Candidate, list[str]]]:
        """What ``program`` lacks, where it is reported (its entry), with the operations that would raise under
        the switch where the requirement is the switch."""
        # What triggers a requirement in a program that trains: what it does (calls, settings) wherever it does
        # it; the frameworks it imports, where they are loaded for certain (see ``loaded_program``) or by the
        # entry point itself, whose functions run. A program that does not train needs nothing.
        # A seed is needed for the generators the program's code draws from where it runs, not wherever a module
        # it imports could draw (a plotting helper's colours).
        entry = program.entry
        if not program.trains:
            return []
        codes = self._codes
        lazily = program.imported_where_called  # a function it runs imports the framework
        triggered = (codes.of(entry.facts.deferred_triggered) | codes.of(lazily)
                     | self._triggered.summary(entry.relative)
                     | codes.of(entry.facts.import_triggered)
                     | self._import_triggered.union(target.relative for target in self._local_imports(entry)))
        found = []
        for code in sorted(codes.names(triggered)):
            rule = self.ruleset.get(code)
            if rule is None or rule.requirement is None or self.satisfies(program, code):
                continue
            if (rule.requirement.seeds and code not in program.draws and code not in entry.facts.import_triggered
                    and code not in lazily):
                continue
            if rule.gpu_only and not program.uses_gpu:
                continue
            if self.verdict(rule, None).status == DETERMINISTIC:
                continue
            line, column = program.line, program.column
            missing = missing_api(rule.requirement, self.targets, self.ruleset.releases)
            blockers = self.raising_operations(program, rule.framework) if code in self._switch_codes else []
            found.append((Candidate(code, line, column, line, column, missing, -1), blockers))
        return found
