"""The seeding block: one per entry point, seeding what the program uses and turning on its switches.

Each missing-requirement finding (``MLF160`` torch seed, ``MLF161`` deterministic algorithms...) names one
step; the block holds exactly the steps reported for the program, in a fixed order (environment first,
then seeds, then switches). Where it goes and which seed it uses: :mod:`mlfcore_lint.fix.placement`.

What the block does never changes what the program can run (the program's facts come from the engine, see
:mod:`mlfcore_lint.fix.programs`):

* a determinism switch is left out where an operation of the program raises under it in the targeted
  versions; the fixer names those operations instead;
* a framework the program does not import where it starts gets no new import: it is seeded right after the
  function's own import of it, or not at all.
"""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from ..ruleset.schema import CallMatcher
from .apply import FileEdit
from .codemods.base import Site
from .names import dotted_name
from .placement import after_docstring, constant_name, lazy_import, module_calls, place, seed_constant_index
from .positions import spans_any

BLOCK_COMMENT = "# Seeds and determinism switches (added by mlfcore-fix)."
COMBINED_SEEDERS = (  # each seeds Python, NumPy and torch at once; used where the program imports it
    "lightning.seed_everything", "lightning.pytorch.seed_everything", "lightning.fabric.seed_everything",
)
COMBINED_CODES = ("MLF001", "MLF002", "MLF160")  # the seeds such a seeder replaces


@dataclass(frozen=True)
class SeedingStep:
    """One statement of the block: ``api(argument)``, or with ``environment`` ``os.environ[api] = argument``."""

    order: int
    api: str
    argument: str = ""  # "{seed}", "True", or the environment value
    environment: bool = False
    seeds: bool = False  # a seed, which a seeder that covers several generators may replace
    since: tuple[str, str] | None = None  # (distribution, first release with ``api``)
    older: SeedingStep | None = None  # what the releases before ``since`` need instead

    def for_targets(self, edit: FileEdit) -> SeedingStep:
        if self.since is not None and self.older is not None and not edit.context.targets_at_least(*self.since):
            return self.older.for_targets(edit)
        return self

    def source(self, edit: FileEdit, seed: str) -> str:
        if self.environment:
            return f'{edit.references.reference("os.environ")}["{self.api}"] = "{self.argument}"'
        return f"{edit.references.reference(self.api)}({self.argument.format(seed=seed)})"


CUBLAS_WORKSPACE = SeedingStep(0, "CUBLAS_WORKSPACE_CONFIG", ":4096:8", environment=True)
KERAS_SEEDER = SeedingStep(4, "tensorflow.keras.utils.set_random_seed", "{seed}", seeds=True)
STANDALONE_KERAS_SEEDER = SeedingStep(4, "keras.utils.set_random_seed", "{seed}", seeds=True)
TENSORFLOW_SEED = SeedingStep(
    4, "tensorflow.keras.utils.set_random_seed", "{seed}", seeds=True, since=("tensorflow", "2.7"),
    older=SeedingStep(4, "tensorflow.random.set_seed", "{seed}", seeds=True),
)
SEEDING_STEPS: dict[str, SeedingStep] = {
    "MLF162": CUBLAS_WORKSPACE,
    "MLF165": CUBLAS_WORKSPACE,  # ``:4096:8`` also satisfies the cuDNN RNN requirement
    "MLF001": SeedingStep(1, "random.seed", "{seed}", seeds=True),
    "MLF002": SeedingStep(2, "numpy.random.seed", "{seed}", seeds=True),
    "MLF160": SeedingStep(3, "torch.manual_seed", "{seed}", seeds=True),
    "MLF201": TENSORFLOW_SEED,
    "MLF202": KERAS_SEEDER,
    "MLF161": SeedingStep(5, "torch.use_deterministic_algorithms", "True"),
    "MLF203": SeedingStep(
        6, "tensorflow.config.experimental.enable_op_determinism", since=("tensorflow", "2.8"),
        older=SeedingStep(6, "TF_DETERMINISTIC_OPS", "1", environment=True),
    ),
}
LEGACY_TENSORFLOW_SEEDERS = (  # what MLF202 replaces by the Keras seeder
    "tensorflow.random.set_seed", "tensorflow.compat.v1.set_random_seed", "tensorflow.compat.v1.random.set_random_seed",
)


def plan_seeding(edit: FileEdit, sites: list[Site], programs=()) -> None:
    """Schedule one seeding block per program that starts in the module (the findings of a program point at
    where it starts); every site a block covers counts as fixed."""
    by_line: dict[int, list[Site]] = {}
    for site in sites:
        by_line.setdefault(site.line, []).append(site)
    # what the block of each console script's function of this module covers
    seeded = {p.function: {s.code for s in by_line[p.line]} for p in programs if p.function and p.line in by_line}
    for line, program_sites in sorted(by_line.items()):
        program = next((p for p in programs if p.line == line), None)
        if program is None and len(programs) == 1:  # a notebook: one program, its lines counted by cell
            program = programs[0]
        if program is not None and program.kind == "main" and any(
                {s.code for s in program_sites} <= seeded[function] for function in program.calls & seeded.keys()):
            # the ``__main__`` block runs a console script's function, whose own block seeds what it needs
            edit.fixed.extend(program_sites)
            continue
        _plan_program(edit, program_sites, program)


def _plan_program(edit: FileEdit, sites: list[Site], program) -> None:
    codes = {s.code for s in sites}
    for switch, operations in (program.raising.items() if program is not None else ()):
        if switch in codes:
            codes.discard(switch)
            shown = ", ".join(operations[:4]) + (f" and {len(operations) - 4} more" if len(operations) > 4 else "")
            edit.notes.append(f"{sites[0].line}: {_step_for(edit, switch).api}(True) left out: under it these "
                              f"raise in the targeted versions; replace them first: {shown}")
    codes = sorted(_with_consequences(edit, codes), key=lambda c: SEEDING_STEPS[c].order)
    placement = place(edit, program)
    covered = set(codes)
    if "MLF202" in codes and _replace_legacy_tensorflow_seeders(edit):
        codes.remove("MLF202")
    lines, lazy, left_out = _block_lines(edit, codes, placement.seed, program)
    for code, why in left_out.items():
        if why is not None:
            edit.notes.append(f"{sites[0].line}: {code} not fixed: {why}")
    edit.fixed.extend(s for s in sites if s.code in covered and s.code not in left_out)
    emitted = lines + [line for more in lazy.values() for line in more]
    if placement.needs is not None and any(f"({placement.seed}" in line for line in emitted):
        edit.references.request(placement.needs)
    if placement.constant and any(f"({placement.seed}" in line for line in emitted):
        edit.constant_added = True
        constant = edit.statements(placement.constant + "\n")
        if edit.module_index or edit.module.header:  # not the file's first line
            constant[0] = constant[0].with_changes(leading_lines=[cst.EmptyLine()])
        edit.add_module_statements(constant)
    for statement, statement_lines in lazy.items():
        edit.insert_after.setdefault(id(statement), []).extend(_block(edit, statement_lines, False))
        edit.touch(statement)
    if not lines:
        return
    anchor = placement.anchor
    statements = _block(edit, lines, anchor is None)
    if anchor is None:
        constant = seed_constant_index(edit.module)
        if constant is not None and placement.seed == constant_name(edit.module.body[constant]):
            edit.module_index = max(edit.module_index, constant + 1)
        edit.add_module_statements(statements)
    elif isinstance(anchor, cst.BaseSuite):
        edit.insert_at_start[id(anchor)] = (after_docstring(anchor), statements)
        edit.touch(anchor)
    else:
        edit.insert_after.setdefault(id(anchor), []).extend(statements)
        edit.touch(anchor)


def _block(edit: FileEdit, lines: list[str], at_module_level: bool) -> list[cst.BaseStatement]:
    statements = edit.statements("\n".join(lines) + "\n")
    comment = cst.EmptyLine(comment=cst.Comment(BLOCK_COMMENT))
    statements[0] = statements[0].with_changes(leading_lines=[cst.EmptyLine(), comment] if at_module_level
                                               else [comment])
    return statements


def _with_consequences(edit: FileEdit, codes: set[str]) -> set[str]:
    """``codes`` plus the requirements the block's own calls trigger (the cuBLAS setting that
    ``use_deterministic_algorithms`` needs on older torch), so one block is complete."""
    canonical = edit.context.index.canonical
    while True:
        emitted = {canonical(_step_for(edit, code).api) for code in codes}
        added = {
            rule.code for rule in edit.context.ruleset
            if rule.code in SEEDING_STEPS and rule.code not in codes and rule.requirement is not None
            and any(isinstance(m, CallMatcher) and emitted & {canonical(a) for a in m.apis}
                    for m in rule.requirement.matchers)
            and edit.context.applies(rule.code)
        }
        if not added:
            return codes
        codes = codes | added


def _block_lines(edit: FileEdit, codes: list[str], seed: str, program):
    """The block's statements: one per code, less the seeds another statement of the block already covers.

    Returns (lines for the block, lines to put after a function's own import of a framework the program does
    not load where it starts, codes left out and why): a seed never brings a framework into a program.
    """
    steps = {code: _step_for(edit, code) for code in codes}
    canonical = edit.context.index.canonical
    # where the program starts, or after a function's own import of its framework (later, maybe after draws)
    at_start = {code: step.environment or edit.references.binding_for(step.api) is not None or program is None
                or program.may_import(step.api) for code, step in steps.items()}
    # a seed another statement of the block covers is left out; one that runs only later covers nothing here
    chosen = {canonical(step.api) for code, step in steps.items() if not step.environment and at_start[code]}
    for code, step in list(steps.items()):
        covering = (chosen - {canonical(step.api)}) & _satisfying_apis(edit, code)
        if step.seeds and covering:
            del steps[code]
    seeder = _combined_seeder(edit, [c for c, step in steps.items() if step.seeds and c in COMBINED_CODES])
    lines: list[str] = []
    lazy: dict[object, list[str]] = {}
    left_out: dict[str, str | None] = {}
    for code, step in steps.items():
        if seeder is not None and code in COMBINED_CODES:
            line = f"{seeder}({seed}, workers=True)"
        elif at_start[code]:
            line = step.source(edit, seed)
        else:
            found = lazy_import(edit, step.api)
            if found is None:
                # None: another module's function imports the framework, and its block seeds it there
                left_out[code] = None if program is not None and program.elsewhere.get(code) else \
                    f"the program does not import {step.api.split('.')[0]} where it starts"
                continue
            statement, reference = found
            lazy.setdefault(statement, []).append(f"{reference}({step.argument.format(seed=seed)})")
            continue
        if line not in lines:
            lines.append(line)
    return lines, lazy, left_out


def _step_for(edit: FileEdit, code: str) -> SeedingStep:
    step = SEEDING_STEPS[code]
    if step.api in (KERAS_SEEDER.api, TENSORFLOW_SEED.api) and _uses_only_standalone_keras(edit):
        return STANDALONE_KERAS_SEEDER
    return step.for_targets(edit)


def _uses_only_standalone_keras(edit: FileEdit) -> bool:
    return edit.references.uses("keras") and not edit.references.uses("tensorflow")


def _replace_legacy_tensorflow_seeders(edit: FileEdit) -> bool:
    """MLF202: ``tf.random.set_seed(s)`` calls of this module become ``tf.keras.utils.set_random_seed(s)``."""
    replaced = False
    seeder = _step_for(edit, "MLF202")
    # A call of one names it, or a name the module's imports bind to it: only statements whose lines hold
    # one of these names are visited.
    names = {api.rpartition(".")[2] for api in LEGACY_TENSORFLOW_SEEDERS} | {
        binding.name for binding in edit.references.bindings if binding.qualified in LEGACY_TENSORFLOW_SEEDERS}

    naming = edit.lines_naming(names)

    def mentions(statement: cst.CSTNode) -> bool:
        found = spans_any(edit.positions[statement], naming)
        if found:
            edit.positions.cover(statement)  # its calls may be replaced
        return found

    for call in module_calls(edit.module, mentions):
        name = dotted_name(call.func)
        if name is not None and edit.references.qualify(name) in LEGACY_TENSORFLOW_SEEDERS:
            edit.call_replacements[id(call)] = cst.parse_expression(edit.references.reference(seeder.api))
            edit.touch(call)
            edit.made_stale(edit.positions[call].start.line, name.rpartition(".")[2])  # "seeds TF only" no longer holds
            replaced = True
    return replaced


def _combined_seeder(edit: FileEdit, seed_codes: list[str]) -> str | None:
    """A seeder the program already imports (``lightning.seed_everything``) that satisfies every seed code."""
    if not seed_codes:
        return None
    for api in COMBINED_SEEDERS:
        if edit.references.binding_for(api) is None:
            continue
        if all(edit.context.index.canonical(api) in _satisfying_apis(edit, code) for code in seed_codes):
            return edit.references.reference(api)
    return None


def _satisfying_apis(edit: FileEdit, code: str) -> set[str]:
    rule = edit.context.ruleset.get(code)
    if rule is None or rule.requirement is None:
        return set()
    canonical = edit.context.index.canonical
    return {canonical(api) for m in rule.requirement.satisfied_by if isinstance(m, CallMatcher) for api in m.apis}
