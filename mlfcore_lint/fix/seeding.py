"""The seeding block: one per entry point, seeding what the program uses and turning on its switches.

Each missing-requirement finding (``MLF160`` torch seed, ``MLF161`` deterministic algorithms...) names one
step; the block holds exactly the steps reported for the entry point, in a fixed order (environment first,
then seeds, then switches).  Where the block goes and which seed it uses follow the program's shape:

* after ``args = parser.parse_args()`` when the parser has a ``--seed`` option (seed ``args.seed``);
* at the start of an entry function with a ``seed`` parameter (a click or typer command, ``main(seed)``);
* at the start of the ``__main__`` block, unless the module already runs framework code when imported;
* otherwise after the module's imports; a module constant ``SEED`` is reused where there is one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import libcst as cst

from ..ruleset.schema import CallMatcher
from .apply import FileEdit
from .codemods.base import Site, keyword_argument, last_name, positional_arguments
from .names import dotted_name, is_docstring, is_import_statement, is_main_guard, literal_string

BLOCK_COMMENT = "# Reproducible runs: seeds and determinism switches (added by mlfcore-fix)."
SEED_OPTIONS = ("--seed", "--random-seed", "--random_seed")
SEED_PARAMETERS = ("seed", "random_seed")
SEED_CONSTANT = re.compile(r"^(RANDOM_)?SEED$")
DEFAULT_SEED = "0"
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


def plan_seeding(edit: FileEdit, sites: list[Site]) -> None:
    """Schedule the entry point's seeding block; every site it covers counts as fixed."""
    codes = sorted(_with_consequences(edit, {s.code for s in sites}), key=lambda c: SEEDING_STEPS[c].order)
    module = edit.module
    guard = next((s for s in module.body if isinstance(s, cst.If) and is_main_guard(s.test)), None)
    seed, anchor = _seed_and_anchor(edit, guard)
    if "MLF202" in codes and _replace_legacy_tensorflow_seeders(edit):
        codes.remove("MLF202")
    lines = _block_lines(edit, codes, seed)
    edit.fixed.extend(sites)
    if not lines:
        return
    statements = edit.statements("\n".join(lines) + "\n")
    comment = cst.EmptyLine(comment=cst.Comment(BLOCK_COMMENT))
    at_module_level = anchor is None
    leading = [cst.EmptyLine(), comment] if at_module_level else [comment]
    statements[0] = statements[0].with_changes(leading_lines=leading)
    if at_module_level:
        constant = _seed_constant_index(module)
        if constant is not None and seed == _constant_name(module.body[constant]):
            edit.module_index = max(edit.module_index, constant + 1)
        edit.add_module_statements(statements)
    elif isinstance(anchor, cst.BaseSuite):
        edit.insert_at_start[id(anchor)] = (_after_docstring(anchor), statements)
    else:
        edit.insert_after[id(anchor)] = statements


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


def _block_lines(edit: FileEdit, codes: list[str], seed: str) -> list[str]:
    """The block's statements: one per code, less the seeds another statement of the block already covers."""
    steps = {code: _step_for(edit, code) for code in codes}
    canonical = edit.context.index.canonical
    chosen = {canonical(step.api) for step in steps.values() if not step.environment}
    for code, step in list(steps.items()):
        covering = (chosen - {canonical(step.api)}) & _satisfying_apis(edit, code)
        if step.seeds and covering:
            del steps[code]
    seeder = _combined_seeder(edit, [c for c, step in steps.items() if step.seeds and c in COMBINED_CODES])
    lines: list[str] = []
    for code, step in steps.items():
        if seeder is not None and code in COMBINED_CODES:
            line = f"{seeder}({seed}, workers=True)"
        else:
            line = step.source(edit, seed)
        if line not in lines:
            lines.append(line)
    return lines


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
    for call in _calls(edit.module):
        name = dotted_name(call.func)
        if name is not None and edit.references.qualify(name) in LEGACY_TENSORFLOW_SEEDERS:
            edit.call_replacements[id(call)] = cst.parse_expression(edit.references.reference(seeder.api))
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


# ------------------------------------------------------------------------------------------ placement

def _seed_and_anchor(edit: FileEdit, guard: cst.If | None):
    """The seed expression, and what the block follows: a statement, the start of a suite, or None (module)."""
    module = edit.module
    destination = _argparse_seed_destination(module)
    if destination is not None:
        found = _parse_args_statement(module, guard)
        if found is not None:
            statement, name = found
            return f"{name}.{destination}", statement
    function = _seeded_entry_function(module, guard)
    if function is not None:
        definition, parameter = function
        return parameter, definition.body
    constant_index = _seed_constant_index(module)
    seed = _constant_name(module.body[constant_index]) if constant_index is not None else DEFAULT_SEED
    if guard is not None and not _runs_framework_code_on_import(edit, module, guard):
        return seed, guard.body
    return seed, None


def _argparse_seed_destination(module: cst.Module) -> str | None:
    for call in _calls(module):
        if last_name(call.func) != "add_argument":
            continue
        options = [literal_string(a.value) for a in positional_arguments(call)]
        if not any(option in SEED_OPTIONS for option in options):
            continue
        destination = keyword_argument(call, "dest")
        if destination is not None:
            return literal_string(destination.value)
        option = next(o for o in options if o in SEED_OPTIONS)
        return option.lstrip("-").replace("-", "_")
    return None


def _parse_args_statement(module: cst.Module, guard: cst.If | None):
    """``args = parser.parse_args()`` (or ``= parse_args()``) at module level, in the guard or an entry function."""
    bodies = [module.body]
    if guard is not None and isinstance(guard.body, cst.IndentedBlock):
        bodies.append(guard.body.body)
    bodies += [s.body.body for s in module.body
               if isinstance(s, cst.FunctionDef) and isinstance(s.body, cst.IndentedBlock)]
    for body in bodies:
        for statement in body:
            if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
                continue
            small = statement.body[0]
            if (isinstance(small, cst.Assign) and len(small.targets) == 1
                    and isinstance(small.targets[0].target, cst.Name) and isinstance(small.value, cst.Call)
                    and (last_name(small.value.func) or "").endswith("parse_args")):
                return statement, small.targets[0].target.value
    return None


def _seeded_entry_function(module: cst.Module, guard: cst.If | None):
    """A module-level function with a ``seed`` parameter that is a command (decorated) or called by the guard."""
    called = {dotted_name(c.func) for c in _calls(guard)} if guard is not None else set()
    for statement in module.body:
        if not isinstance(statement, cst.FunctionDef):
            continue
        if not (statement.decorators or statement.name.value in called):
            continue
        params = statement.params
        for param in [*params.posonly_params, *params.params, *params.kwonly_params]:
            if param.name.value in SEED_PARAMETERS:
                return statement, param.name.value
    return None


def _seed_constant_index(module: cst.Module) -> int | None:
    for position, statement in enumerate(module.body):
        if _constant_name(statement) is not None:
            return position
    return None


def _constant_name(statement) -> str | None:
    if isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1:
        small = statement.body[0]
        if (isinstance(small, cst.Assign) and len(small.targets) == 1 and isinstance(small.targets[0].target, cst.Name)
                and SEED_CONSTANT.match(small.targets[0].target.value) and isinstance(small.value, cst.Integer)):
            return small.targets[0].target.value
    return None


def _runs_framework_code_on_import(edit: FileEdit, module: cst.Module, guard: cst.If) -> bool:
    """Whether a top-level statement outside the guard calls into a framework (so seeding must come first)."""
    roots = {r for modules in edit.context.ruleset.framework_modules.values() for r in modules} | {"random"}
    framework_names = {b.name for b in edit.references.bindings if b.qualified.split(".")[0] in roots}
    for statement in module.body:
        if statement is guard or is_import_statement(statement) or is_docstring(statement):
            continue
        if isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
            continue
        for call in _calls(statement):
            name = dotted_name(call.func)
            if name is not None and name.split(".")[0] in framework_names:
                return True
    return False


def _after_docstring(suite: cst.BaseSuite) -> int:
    if isinstance(suite, cst.IndentedBlock) and suite.body and is_docstring(suite.body[0]):
        return 1
    return 0


class _CallCollector(cst.CSTVisitor):
    def __init__(self):
        self.calls: list[cst.Call] = []

    def visit_Call(self, node: cst.Call) -> None:
        self.calls.append(node)


def _calls(node: cst.CSTNode) -> list[cst.Call]:
    collector = _CallCollector()
    node.visit(collector)
    return collector.calls
