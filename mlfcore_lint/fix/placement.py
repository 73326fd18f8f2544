"""Where a program's seeding block goes, and which seed it uses.

The program model says where the program starts (:class:`~mlfcore_lint.fix.programs.ProgramFacts`):

* a console script: at the start of its function;
* a ``__main__`` block: at its start, unless the module already runs framework code when imported;
* a module-level script: after the module's imports.

Within that, the block follows ``args = parser.parse_args()`` where the parser has a ``--seed`` option (seed
``args.seed``), or starts an entry function with a ``seed`` parameter; elsewhere it uses the module's seed
constant (``SEED``), which it defines (``SEED = 0``) where there is none, so the seed is found in one place.
"""

from __future__ import annotations

import libcst as cst

from ..engine.facts import SEED_NAME
from .codemods.base import keyword_argument, last_name, positional_arguments
from .names import ImportRequest, dotted_name, is_docstring, is_import_statement, literal_string

SEED_OPTIONS = ("--seed", "--random-seed", "--random_seed", "--manualSeed", "--manual-seed", "--manual_seed")
SEED_PARAMETERS = ("seed", "random_seed")
NEW_CONSTANT = "SEED"
DEFAULT_SEED = "0"


class Placement:
    """The block's seed expression and its anchor: a statement it follows, the start of a suite, or None (the
    module, after its imports); ``constant``: the ``SEED = 0`` line to add, if the seed is a new constant."""

    def __init__(self, seed: str, anchor, constant: str = "", needs=None):
        self.seed, self.anchor, self.constant = seed, anchor, constant
        self.needs = needs  # the import the seed needs (``from config import SEED``), added where the block uses it


def main_guard(edit, program) -> cst.If | None:
    """The ``if __name__ == "__main__":`` block where the engine found the program to start."""
    if program is None or program.kind not in ("main", "configured"):
        return None
    return next((s for s in edit.module.body if isinstance(s, cst.If)
                 and edit.positions[s].start.line == program.line), None)


def place(edit, program) -> Placement:
    module = edit.module
    guard = main_guard(edit, program)
    function = _console_function(module, program)
    if function is not None:
        parameter = _seed_parameter(function)
        if parameter is not None:
            return Placement(parameter, function.body)
        found = _parse_args_statement(module, [function.body.body]) if _argparse_seed_destination(edit) else None
        if found is not None:
            statement, name = found
            return Placement(f"{name}.{_argparse_seed_destination(edit)}", statement)
        return _with_constant(edit, function.body, program)
    destination = _argparse_seed_destination(edit)
    if destination is not None:
        bodies = [module.body]
        if guard is not None and isinstance(guard.body, cst.IndentedBlock):
            bodies.append(guard.body.body)
        bodies += [s.body.body for s in module.body
                   if isinstance(s, cst.FunctionDef) and isinstance(s.body, cst.IndentedBlock)]
        found = _parse_args_statement(module, bodies)
        if found is not None:
            statement, name = found
            return Placement(f"{name}.{destination}", statement)
    entry = _seeded_entry_function(module, guard)
    if entry is not None:
        definition, parameter = entry
        return Placement(parameter, definition.body)
    if guard is not None and not _runs_framework_code_on_import(edit, module, guard):
        return _with_constant(edit, guard.body, program)
    return _with_constant(edit, None, program)


def _with_constant(edit, anchor, program=None) -> Placement:
    index = seed_constant_index(edit.module)
    if index is not None:
        return Placement(constant_name(edit.module.body[index]), anchor)
    libraries = _framework_roots(edit)
    imported = next((b.name for b in edit.references.bindings if SEED_NAME.match(b.name)
                     and b.qualified.rpartition(".")[2] == b.name and b.qualified.split(".")[0] not in libraries), None)
    if imported is not None:  # ``from config import SEED``: the project's seed, kept in one place (not ``random.seed``)
        return Placement(imported, anchor)
    shared = program.seed if program is not None else ""
    if shared:  # a project module the program loads anyway keeps the seed: one seed for the project
        module, _, name = shared.rpartition(".")
        found = edit.references.binding_for(shared)
        if found is not None:  # ``import config``: ``config.SEED``
            binding, rest = found
            return Placement(f"{binding.name}.{rest}" if rest else binding.name, anchor)
        # ``from config import LR`` spells the module so that it imports here: ``from config import SEED`` too
        spelled = any(b.qualified.startswith(module + ".") and f"from {module} import" in edit.line(b.line)
                      for b in edit.references.bindings)
        if spelled and not any(b.name == name for b in edit.references.bindings):
            return Placement(name, anchor, needs=ImportRequest(module, name))
    if edit.constant_added:  # another program of the module gets the block too
        return Placement(NEW_CONSTANT, anchor)
    if any(b.name == NEW_CONSTANT for b in edit.references.bindings):
        return Placement(DEFAULT_SEED, anchor)
    return Placement(NEW_CONSTANT, anchor, f"{NEW_CONSTANT} = {DEFAULT_SEED}")


def _console_function(module: cst.Module, program) -> cst.FunctionDef | None:
    if program is None or program.kind != "console-script" or not program.function:
        return None
    return next((s for s in module.body if isinstance(s, cst.FunctionDef) and s.name.value == program.function
                 and isinstance(s.body, cst.IndentedBlock)), None)


def _seed_parameter(function: cst.FunctionDef) -> str | None:
    params = function.params
    for param in [*params.posonly_params, *params.params, *params.kwonly_params]:
        if param.name.value in SEED_PARAMETERS:
            return param.name.value
    return None


def _argparse_seed_destination(edit) -> str | None:
    if not any(option in line for line in edit.lines for option in SEED_OPTIONS):
        return None  # no need to look through every call of the module
    for call in module_scan(edit).calls:
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


def _parse_args_statement(module: cst.Module, bodies):
    """``args = parser.parse_args()`` (or ``= parse_args()``, or ``= get_args()`` where the module's ``get_args``
    returns what ``parse_args()`` gives) in one of ``bodies``."""
    parsers = {statement.name.value for statement in module.body
               if isinstance(statement, cst.FunctionDef) and _returns_parsed_arguments(statement)}
    for body in bodies:
        for statement in body:
            if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
                continue
            small = statement.body[0]
            if (isinstance(small, cst.Assign) and len(small.targets) == 1
                    and isinstance(small.targets[0].target, cst.Name) and isinstance(small.value, cst.Call)
                    and ((last_name(small.value.func) or "").endswith("parse_args")
                         or dotted_name(small.value.func) in parsers)):
                return statement, small.targets[0].target.value
    return None


def _returns_parsed_arguments(function: cst.FunctionDef) -> bool:
    """Whether the function's last statement is ``return <...>.parse_args(...)``."""
    body = function.body.body if isinstance(function.body, cst.IndentedBlock) else ()
    last = body[-1] if body else None
    if not isinstance(last, cst.SimpleStatementLine) or not isinstance(last.body[-1], cst.Return):
        return False
    value = last.body[-1].value
    return isinstance(value, cst.Call) and (last_name(value.func) or "").endswith("parse_args")


def _seeded_entry_function(module: cst.Module, guard: cst.If | None):
    """A module-level function with a ``seed`` parameter that is a command (decorated) or called by the guard."""
    called = {dotted_name(c.func) for c in calls_in(guard)} if guard is not None else set()
    for statement in module.body:
        if not isinstance(statement, cst.FunctionDef):
            continue
        if not (statement.decorators or statement.name.value in called):
            continue
        parameter = _seed_parameter(statement)
        if parameter is not None:
            return statement, parameter
    return None


def seed_constant_index(module: cst.Module) -> int | None:
    for position, statement in enumerate(module.body):
        if constant_name(statement) is not None:
            return position
    return None


def constant_name(statement) -> str | None:
    if isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1:
        small = statement.body[0]
        if (isinstance(small, cst.Assign) and len(small.targets) == 1 and isinstance(small.targets[0].target, cst.Name)
                and SEED_NAME.match(small.targets[0].target.value) and isinstance(small.value, cst.Integer)):
            return small.targets[0].target.value
    return None


def _framework_roots(edit) -> set[str]:
    """The top-level modules of the frameworks the rules know, and ``random``."""
    return {r for modules in edit.context.ruleset.framework_modules.values() for r in modules} | {"random"}


def _runs_framework_code_on_import(edit, module: cst.Module, guard: cst.If) -> bool:
    """Whether a top-level statement outside the guard calls into a framework (so seeding must come first)."""
    roots = _framework_roots(edit)
    framework_names = {b.name for b in edit.references.bindings if b.qualified.split(".")[0] in roots}
    for statement in module.body:
        if statement is guard or is_import_statement(statement) or is_docstring(statement):
            continue
        if isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
            continue
        for call in calls_in(statement):
            name = dotted_name(call.func)
            if name is not None and name.split(".")[0] in framework_names:
                return True
    return False


def lazy_import(edit, api: str):
    """Where a function imports the top-level package of ``api`` (``import tensorflow as tf`` in its body): the
    import statement and the expression that names ``api`` after it; None where no function does."""
    root = api.split(".")[0]
    for function in module_scan(edit).functions:
        if not isinstance(function.body, cst.IndentedBlock):
            continue
        for statement in function.body.body:
            if not isinstance(statement, cst.SimpleStatementLine):
                continue
            for small in statement.body:
                if isinstance(small, cst.Import):
                    for alias in small.names:
                        name = dotted_name(alias.name)
                        if name is None or name.split(".")[0] != root:
                            continue
                        if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                            if api == name or api.startswith(name + "."):
                                return statement, alias.asname.name.value + api[len(name):]
                        else:
                            return statement, api
    return None


def after_docstring(suite: cst.BaseSuite) -> int:
    if isinstance(suite, cst.IndentedBlock) and suite.body and is_docstring(suite.body[0]):
        return 1
    return 0


class _Collector(cst.CSTVisitor):
    def __init__(self):
        self.calls: list[cst.Call] = []
        self.functions: list[cst.FunctionDef] = []

    def visit_Call(self, node: cst.Call) -> None:
        self.calls.append(node)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.functions.append(node)


def calls_in(node: cst.CSTNode) -> list[cst.Call]:
    collector = _Collector()
    node.visit(collector)
    return collector.calls


def module_scan(edit) -> _Collector:
    """Every call and function of the module being fixed, collected once per module."""
    if edit.scan is None:
        edit.scan = _Collector()
        edit.module.visit(edit.scan)
    return edit.scan


class _UnshadowedCalls(cst.CSTVisitor):
    """Calls whose callee's first name is the module's own: not a parameter of an enclosing function or lambda
    (``def reseed(tf, seed): tf.random.set_seed(seed)`` calls whatever it is handed)."""

    def __init__(self):
        self.calls: list[cst.Call] = []
        self.shadowed: list[set[str]] = [set()]

    def _enter(self, params: cst.Parameters) -> None:
        names = {p.name.value for p in [*params.posonly_params, *params.params, *params.kwonly_params]}
        for star in (params.star_arg, params.star_kwarg):
            if isinstance(star, cst.Param):
                names.add(star.name.value)
        self.shadowed.append(self.shadowed[-1] | names)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._enter(node.params)

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self.shadowed.pop()

    def visit_Lambda(self, node: cst.Lambda) -> None:
        self._enter(node.params)

    def leave_Lambda(self, original_node: cst.Lambda) -> None:
        self.shadowed.pop()

    def visit_Call(self, node: cst.Call) -> None:
        name = dotted_name(node.func)
        if name is not None and name.split(".")[0] not in self.shadowed[-1]:
            self.calls.append(node)


def module_calls(module: cst.Module, keep=None) -> list[cst.Call]:
    """The calls of ``module`` whose callee names what the module's own imports bind there; ``keep``: a test of
    a top-level statement, where only the statements it keeps can hold the calls wanted (the others are not
    visited)."""
    collector = _UnshadowedCalls()
    for statement in module.body if keep is not None else [module]:
        if keep is None or keep(statement):
            statement.visit(collector)
    return collector.calls
