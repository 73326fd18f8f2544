"""The bridge from the engine's program model (:mod:`mlfcore_lint.engine.program`) to the seeding block: for each
program that starts in a file, where it starts and what the block may do there.

The fixer resolves nothing again: the engine found the programs (``__main__`` blocks, module-level scripts,
console-script functions, configured entry points), the modules each loads, and the findings in each; these
facts are plain data, so they travel to the processes that fix files.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..engine.calls import MAIN_SCOPE, MODULE_SCOPE

#: The kind of the program facts of a function, in a module other than the entry point, that imports a framework
#: the program's seeds need: the seeds go after that import.
LAZY = "lazy"

#: Modules the block may always import at the top of a file: the standard library's.
STANDARD_MODULES = frozenset({"os", "random"})


@dataclass(frozen=True)
class ProgramFacts:
    line: int  # where the program starts, and where its missing-requirement findings point
    kind: str  # "main", "script", "console-script" or "configured"
    function: str = ""  # the console script's function
    calls: frozenset[str] = frozenset()  # the functions of its own module that its start calls (``train``)
    loaded: frozenset[str] = frozenset()  # top-level packages the program imports for certain when it starts
    # switch requirement code -> the operations of the program that raise once that switch is on
    raising: dict[str, tuple[str, ...]] = field(default_factory=dict)
    seed: str = ""  # the project's seed constant in a module the program loads (``config.SEED``), if any
    # requirement code -> (module as findings show it, line of its function) for each other module of the program
    # whose function imports the framework itself (a lazy ``import torch``): seeded there, where it is imported
    elsewhere: dict[str, tuple[tuple[str, int], ...]] = field(default_factory=dict)

    def may_import(self, module: str) -> bool:
        """Whether a new ``import module`` at the top of the entry point changes nothing the program can run."""
        root = module.split(".")[0]
        return root in STANDARD_MODULES or root in self.loaded


def program_facts(project) -> dict[str, list[ProgramFacts]]:
    """The programs of ``project`` (an engine ``Project``) by the path of their entry point, as findings show it;
    and, for a module whose function imports a framework that a program's seeds need (``elsewhere``), a program
    of kind ``lazy`` that starts at that function, so that the seeds go after its import."""
    found: dict[str, list[ProgramFacts]] = {}
    for program in project.programs:
        entry = program.entry
        loaded = {name.split(".")[0] for member in project.loaded_program(entry)
                  for name in member.facts.imports if name not in member.facts.deferred_imports}
        raising = {}
        for framework, switch in project.ruleset.switches.items():
            operations = project.raising_operations(program, framework)
            if operations:
                raising[switch] = tuple(operations)
        function = program.starts[0] if program.kind == "console-script" else ""
        calls = frozenset(reference[1:] for start in program.starts if start in entry.facts.scopes
                          for reference in entry.facts.scopes[start].calls if reference.startswith("@"))
        # the project's seed: a constant of a project module the entry point loads for certain (nearest first)
        seed = next((f"{member.module}.{member.facts.seed_constant}" for member in project.loaded_program(entry)
                     if member is not entry and member.facts.seed_constant and member.module), "")
        elsewhere: dict[str, list[tuple[str, int]]] = {}
        for code in program.imported_where_called:
            for member in project.program(entry):
                if member is not entry:
                    elsewhere.setdefault(code, []).extend(
                        (member.display, scope.line) for key, scope in member.facts.scopes.items()
                        if code in scope.imports and key not in (MODULE_SCOPE, MAIN_SCOPE))
        found.setdefault(entry.display, []).append(
            ProgramFacts(program.line, program.kind, function, calls, frozenset(loaded), raising, seed,
                         {code: tuple(places) for code, places in elsewhere.items() if places}))
        for display, line in {place for places in elsewhere.values() for place in places}:
            lazy = found.setdefault(display, [])
            if not any(p.line == line and p.kind == LAZY for p in lazy):
                lazy.append(ProgramFacts(line, LAZY, raising=raising, seed=seed))
    return found


def snippet_findings(source: str, settings, ruleset, display: str):
    """What ``check`` reports for one in-memory module as a program of its own, and its programs' facts."""
    from pathlib import Path

    from ..engine.analyze import analyze_bytes
    from ..engine.project import Project, SourceFile
    from ..runner import index_for
    from ..targets import resolve_targets

    facts = analyze_bytes(source.encode("utf-8"), index_for(ruleset), False)
    project = Project([SourceFile(settings.root / Path(display).name, display, facts)], settings, ruleset,
                      resolve_targets(settings, ruleset.framework_modules))
    return sorted(project.findings(), key=lambda f: f.sort_key), program_facts(project).get(display, [])
