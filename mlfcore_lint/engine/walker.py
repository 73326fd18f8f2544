"""One traversal of a module's syntax tree: resolves names as it goes and matches every rule at once.

The tree is CPython's own (:mod:`ast`), the one flake8 and pylint's parser start from, so a front end that
already holds it costs no second parse. The walker keeps its own scopes (imports, aliases, shadowing
definitions) and descends only through fields that can hold code, never into names, literals or
expression contexts (see :mod:`.traversal`), so the traversal stays close to the cost of the parse.
"""

from __future__ import annotations

import ast
from collections.abc import Callable

from ..ruleset.schema import anchor_keys
from .calls import MAIN_SCOPE, MODULE_SCOPE, CallRecorder
from .conditions import (
    MATCH,
    NO_MATCH,
    UNCERTAIN,
    check_all,
    check_value,
    find_argument,
    find_key,
    literal_string,
    literal_value,
)
from .facts import SEED_NAME, Candidate, FileFacts, ImportLedger
from .index import FINDING, SATISFIES, TRIGGERS, Entry, RuleIndex
from .indirection import Indirection
from .local_values import DICT_MUTATORS, LocalValues
from .ordering import ORDERED_CONSUMERS, ListingOrder, is_string_set
from .scopes import POP, BindAfter, EnterScope, GradientMode, MainBlock, RememberAfter, Scope
from .source import CharacterColumns
from .syntax import flat_statements, is_main_guard, parameter_defaults
from .traversal import LEAVES, PUSHERS, push_below_attributes, push_call_children, push_code

LOCAL = None  # a name bound to something that is not a framework object

#: Why a class or function handed over uncalled matches only as possible (see ``Walker._passed_as_values``).
PASSED_AS_VALUE = "handed over uncalled: where it is called is not visible"
#: The expressions that name something (``nn.MaxPool3d``, ``pool``).
_NAMING = frozenset({ast.Attribute, ast.Name})
_NAME, _ATTRIBUTE = ast.Name, ast.Attribute

class Walker(LocalValues, CallRecorder, Indirection, ListingOrder):
    def __init__(self, index: RuleIndex, module: ast.Module, source: str):
        self.index = index
        self.module = module
        self.source = source
        self.module_scope = Scope(None)
        self.scope = self.module_scope
        self.final_module_names: dict[str, str | None] = {}
        self.star_modules: list[str] = []
        self.facts = FileFacts()
        self.imported_roots: set[str] = set()
        self._positioned: list[tuple[ast.AST, Candidate]] = []
        self._main_node: ast.If | None = None
        self._triggered: set[str] = set()
        self._top_level = {id(statement) for statement in module.body}
        self._imports = ImportLedger()
        self._satisfied: set[str] = set()
        self.init_calls()
        self._init_listing_order()

    # ------------------------------------------------------------------ traversal

    def run(self) -> FileFacts:
        self._prescan_module_names()
        for statement in self.module.body:
            self.note_statement(statement)
        stack: list = list(reversed(self.module.body))
        handlers = _HANDLERS
        pushers = PUSHERS
        while stack:
            node = stack.pop()
            if node is POP:
                self.scope = self.scope.parent
                continue
            handler = handlers.get(node.__class__)
            if handler is not None and handler(self, node, stack):
                continue
            pushers[node.__class__](node, stack)
        self._finish()
        return self.facts

    def _prescan_module_names(self) -> None:
        """Module-level imports and definitions, as function bodies see them when they run."""
        for statement in flat_statements(self.module.body):
            if isinstance(statement, ast.Import):
                self._bind_import(statement)
            elif isinstance(statement, ast.ImportFrom):
                self._bind_import_from(statement)
            elif isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                self.module_scope.names[statement.name] = self._class_binding(statement)
                self.local_functions.add(statement.name)
        self.final_module_names = dict(self.module_scope.names)
        self.module_scope.names.clear()
        self.star_modules.clear()
        self.facts.relative_imports.clear()

    # ------------------------------------------------------------------ names

    def lookup(self, name: str) -> str | None:
        scope = self.scope
        in_function = False
        while scope is not None:
            if not (scope.is_class and in_function) and name in scope.names:
                return scope.names[name]
            in_function = in_function or not scope.is_class
            scope = scope.parent
        if in_function and name in self.final_module_names:
            return self.final_module_names[name]
        for module in self.star_modules:
            candidate = self.index.canonical(f"{module}.{name}")
            if candidate in self.index.calls or candidate in self.index.assignments:
                return candidate
        # ``from modeling.deeplab import *`` re-exports the frameworks that module imported (``torch``)
        if self.project_star_import and name in self.index.roots:
            return name
        return None

    def qualify(self, node: ast.expr) -> str | None:
        if node.__class__ is _NAME:  # most often a plain name: no attribute chain to take apart
            base = self.lookup(node.id)
            return None if base is None else self.index.canonical(base)
        parts = []
        while node.__class__ is _ATTRIBUTE:
            parts.append(node.attr)
            node = node.value
        if node.__class__ is not _NAME:
            return None
        base = self.lookup(node.id)
        if base is None:
            return None
        if parts:
            parts.reverse()
            base = base + "." + ".".join(parts)
        return self.index.canonical(base)

    def bind(self, name: str, value: str | None) -> None:
        self.scope.names[name] = value
        self.scope.values.pop(name, None)

    def _bind_target(self, target: ast.expr) -> None:
        if isinstance(target, ast.Name):
            self.bind(target.id, LOCAL)
        elif isinstance(target, (ast.Tuple, ast.List)):
            for element in target.elts:
                self._bind_target(element)
        elif isinstance(target, ast.Starred):
            self._bind_target(target.value)

    def _bind_import(self, node: ast.Import) -> list[str]:
        modules = []
        for alias in node.names:
            modules.append(alias.name)
            if alias.asname is not None:
                self.bind(alias.asname, alias.name)
            else:
                root = alias.name.split(".")[0]
                self.bind(root, root)
        return modules

    def _bind_import_from(self, node: ast.ImportFrom) -> list[str]:
        module = node.module or ""
        level = node.level or 0
        names = []
        if node.names and node.names[0].name == "*":
            if level == 0 and module:
                self.star_modules.append(module)
            if level or module.split(".")[0] not in self.index.roots:
                self.project_star_import = True
        else:
            for alias in node.names:
                names.append(alias.name)
                self.bind(alias.asname or alias.name, f"{module}.{alias.name}" if level == 0 and module else LOCAL)
        if level:
            self.note_relative_import(node)
            self.facts.relative_imports.append([level, module, names])
            return []
        return [module] + [f"{module}.{n}" for n in names]

    # ------------------------------------------------------------------ handlers (True: children done)

    def _note_imports(self, node: ast.Import | ast.ImportFrom, modules: list[str]) -> None:
        """Record what ``node`` imports; one below the module's top level (in a function, or in an ``if``,
        ``try`` or ``with`` block: a lazy, optional or type-checking import) is recorded as deferred too."""
        deferred = id(node) not in self._top_level
        for module in modules:
            self.facts.imports.append(module)
            self.imported_roots.add(module.split(".")[0])
        relative = self.facts.relative_imports[-1] if isinstance(node, ast.ImportFrom) and node.level else None
        self._imports.add(modules, relative, deferred)
        if deferred and self.scope.owner not in (MODULE_SCOPE, MAIN_SCOPE):
            self.note_scope_imports(self.index.triggered_by_imports(modules))

    def _import(self, node: ast.Import, stack) -> bool:
        self._note_imports(node, self._bind_import(node))
        return True

    def _import_from(self, node: ast.ImportFrom, stack) -> bool:
        self._note_imports(node, self._bind_import_from(node))
        return True

    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef, stack) -> bool:
        self.bind(node.name, LOCAL)
        self.local_functions.add(node.name)
        gradients_off = any(self._gradient_mode_of(decorator) is True for decorator in node.decorator_list)
        scope = Scope(self.scope, gradients_off=gradients_off, name=node.name)
        self.scope_facts(scope.key, node.lineno)
        self._open_scope(scope, node.args, node.body, stack)
        # Decorators and defaults run in the enclosing scope.
        defaults = node.args.defaults + [d for d in node.args.kw_defaults if d is not None]
        self._passed_as_values(defaults)
        push_code(stack, node.decorator_list + defaults)
        return True

    def _lambda(self, node: ast.Lambda, stack) -> bool:
        scope = Scope(self.scope)
        scope.key, scope.owner = self.scope.key, self.scope.owner  # a lambda's calls are its definer's
        self._open_scope(scope, node.args, [node.body], stack)
        return True

    def _open_scope(self, scope: Scope, arguments: ast.arguments, body: list, stack) -> None:
        scope.parameters = parameter_defaults(arguments)
        scope.names.update(dict.fromkeys(scope.parameters, LOCAL))
        stack.append(POP)
        stack.extend(reversed(body))
        stack.append(EnterScope(scope))

    def _class(self, node: ast.ClassDef, stack) -> bool:
        self.local_functions.add(node.name)
        scope = Scope(self.scope, is_class=True, name=node.name)
        self.note_class(node, scope.key)
        stack.append(BindAfter(node.name, self._class_binding(node)))
        stack.append(POP)
        stack.extend(reversed(node.body))
        stack.append(EnterScope(scope))
        push_code(stack, node.decorator_list + node.bases + [k.value for k in node.keywords])
        return True

    def _assign(self, node: ast.Assign, stack) -> bool:
        value = node.value
        leaf = value.__class__ in LEAVES  # nothing in it to walk
        at_once = leaf and all(target.__class__ is _NAME for target in node.targets)
        for target in node.targets:
            self._assigned(target, value, stack, at_once)
        if not leaf:
            stack.append(value)
        for target in node.targets:
            if target.__class__ is not _NAME:
                stack.append(target)
        return True

    def _ann_assign(self, node: ast.AnnAssign, stack) -> bool:
        value = node.value
        if value is not None:
            leaf = value.__class__ in LEAVES
            self._assigned(node.target, value, stack, leaf and node.target.__class__ is _NAME)
            if not leaf:
                stack.append(value)
        return True

    def _aug_assign(self, node: ast.AugAssign, stack) -> bool:
        if isinstance(node.target, ast.Name):  # ``x += y``: no longer the value remembered for ``x``
            self.scope.values.pop(node.target.id, None)
        return False

    def _assigned(self, target: ast.expr, value: ast.expr, stack, at_once: bool = False) -> None:
        """``at_once``: nothing is walked between this assignment and its end (plain names get a name or a
        literal), so what a name now holds is remembered without a stack item."""
        self.note_holder(target, value)
        if isinstance(target, ast.Name):
            alias = self.qualify(value) if isinstance(value, (ast.Name, ast.Attribute)) else None
            self.scope.names[target.id] = alias  # what the value itself reads is remembered until it is walked
            if self.scope is self.module_scope:
                self.scope.values.pop(target.id, None)
                if (not self.facts.seed_constant and SEED_NAME.match(target.id) and isinstance(value, ast.Constant)
                        and type(value.value) is int):
                    self.facts.seed_constant = target.id
            elif at_once:
                self._remember(target.id, value)
            else:
                stack.append(RememberAfter(target.id, value, self.scope))
        elif isinstance(target, ast.Attribute):
            name = self.qualify(target)
            if name is None:  # an attribute of a local object (``options.deterministic = False``): ``*.attr``
                name = f"*.{target.attr}"
            if name is not None:
                for entry in self.index.assignments.get(name, ()):
                    if name.startswith("*.") and entry.framework_roots and not self.imported_roots.intersection(
                            entry.framework_roots):
                        continue
                    outcome, reason = (check_value(value, entry.matcher.value, self.kinds_of)
                                       if entry.matcher.value else (MATCH, ""))
                    self._record(entry, outcome, reason, target, name)
        elif isinstance(target, ast.Subscript):
            element = target.slice
            self._changed_mapping(target.value, element, value)
            if not isinstance(element, (ast.Tuple, ast.Slice)) and self.qualify(target.value) == "os.environ":
                self._environment(element, value, target)
        else:
            self._bind_target(target)

    def _environment(self, name_node, value, where: ast.AST) -> None:
        variable = literal_string(name_node)
        if variable is None:
            return
        for entry in self.index.environment.get(variable, ()):
            condition = entry.matcher.value
            outcome, reason = check_value(value, condition) if condition else (MATCH, "")
            self._record(entry, outcome, reason, where, f"os.environ[{variable!r}]")

    def _call(self, node: ast.Call, stack) -> bool:
        func = node.func
        name = self.qualify(func)
        picked = ""  # why a class picked by name is only possibly that class
        if name is None and func.__class__ is ast.Call:
            name, picked = self.picked_class(func)
        if name is not None:
            for entry in self.index.calls.get(name, ()):
                self._match_call(entry, node, name, method_form=False, picked=picked)
            for code in self.index.triggered_by_call(name):
                self._triggered.add(code)
                self.note_draw(code)
            if name.startswith("os."):
                self._environment_call(name, node)
        elif func.__class__ is _ATTRIBUTE and not _is_own_method(func):
            if func.attr in DICT_MUTATORS:
                self._changed_mapping(func.value, None, None)
            entries = self.index.methods.get(func.attr, ())
            for entry in entries if not entries or not self.visibly_not_tensor(func.value) else ():
                if not entry.framework_roots or self.imported_roots.intersection(entry.framework_roots):
                    self._match_call(entry, node, "." + func.attr, method_form=True)
        if name is None and self.index.iterations:
            self._ordered_consumer(node)
        # the arguments that name something, qualified once for both uses
        named = []
        for value in node.args:
            if value.__class__ in _NAMING:
                named.append((value, self.qualify(value)))
        for keyword in node.keywords:
            value = keyword.value
            if value.__class__ in _NAMING:
                named.append((value, self.qualify(value)))
        if named:
            self._passed_as_named(named)
        self.note_call(node, name, named)
        self.note_ordering(node)
        push_call_children(node, stack)
        return True

    def _environment_call(self, name: str, node: ast.Call) -> None:
        args = node.args
        if name in ("os.environ.setdefault", "os.putenv", "os.environ.__setitem__") and args:
            value = args[1] if len(args) > 1 else ast.Constant(None)
            self._environment(args[0], value, node)
        elif name == "os.environ.update":
            for keyword in node.keywords:
                if keyword.arg is not None:
                    self._environment(ast.Constant(keyword.arg), keyword.value, node)
            for arg in args:
                if isinstance(arg, ast.Dict):
                    for key, value in zip(arg.keys, arg.values, strict=True):
                        if key is not None:
                            self._environment(key, value, node)

    def _passed_as_values(self, values: list[ast.expr]) -> None:
        """A class or function a rule matches, handed over uncalled (``partial(nn.MaxPool3d, 2)``, a registry
        ``{"max": nn.MaxPool3d}``, a parameter's default ``pool=nn.MaxPool3d``): whatever calls it is not
        visible, so a rule that matches any call of it matches here as possible."""
        self._passed_as_named([(value, self.qualify(value)) for value in values
                               if value.__class__ in _NAMING])

    def _passed_as_named(self, named: list[tuple[ast.expr, str | None]]) -> None:
        """``_passed_as_values`` of the values that name something, with their qualified names."""
        calls = self.index.calls
        for value, name in named:
            for entry in calls.get(name, ()) if name is not None else ():
                matcher = entry.matcher
                if (entry.purpose != FINDING or matcher.arguments or matcher.unordered or matcher.seeded_by_method
                        or (entry.backward_only and self.scope.gradients_off[-1] and not constructs_module(name))):
                    continue
                self._record(entry, UNCERTAIN, PASSED_AS_VALUE, value, name)

    def _dict(self, node: ast.Dict, stack) -> bool:
        self._passed_as_values(node.values)
        roots = self.index.mapping_roots
        if not self.index.mappings or (roots is not None and not self.imported_roots.intersection(roots)):
            return False
        keys = {k.value for k in node.keys if isinstance(k, ast.Constant) and isinstance(k.value, str)}
        seen = set()
        for key in keys:
            for entry in self.index.mappings.get(key, ()):
                if id(entry) in seen or not keys.issuperset(anchor_keys(entry.matcher)):
                    continue
                seen.add(id(entry))
                if entry.framework_roots and not self.imported_roots.intersection(entry.framework_roots):
                    continue
                outcome, reason = check_all(entry.matcher.keys, lambda condition: find_key(node, condition))
                self._record(entry, outcome, reason, node, f"{{{anchor_keys(entry.matcher)[0]!r}: ...}}")
        return False

    def _match_call(self, entry: Entry, node: ast.Call, api: str, method_form: bool, picked: str = "") -> None:
        if entry.backward_only and self.scope.gradients_off[-1] and not constructs_module(api):
            return  # autograd does not record the call: there is no backward pass to misbehave

        def argument(condition):
            found = find_argument(node, condition, method_form, self.unpacked_mapping)
            if isinstance(found, (ast.Attribute, ast.Name)) and _names_constants(condition):
                # ``method=tf.image.ResizeMethod.NEAREST_NEIGHBOR``: compared by its qualified name
                name = self.qualify(found)
                if name is not None:
                    return ast.Constant(name)
            return found

        if entry.matcher.unordered and self.listing_in_order(node):
            return  # a directory listing that is sorted (or whose order is not used)
        outcome, reason = check_all(entry.matcher.arguments, argument, self.kinds_of)
        if picked and outcome == MATCH:
            outcome, reason = UNCERTAIN, picked
        if entry.matcher.possible and outcome != NO_MATCH:
            outcome, reason = UNCERTAIN, "; ".join(part for part in (reason, entry.matcher.possible) if part)
        self._record(entry, outcome, reason, node, api)
        if outcome != NO_MATCH and entry.purpose == FINDING:
            if entry.matcher.unordered:
                self.listing_recorded(node, self.facts.candidates[-1])
            if entry.matcher.seeded_by_method:
                self.unseeded_recorded(node, self.facts.candidates[-1], entry.matcher.seeded_by_method)

    def _drop_candidate(self, candidate: Candidate) -> None:
        """Withdraw a finding the rest of the function showed to be wrong (a listing sorted later)."""
        self.facts.candidates = [c for c in self.facts.candidates if c is not candidate]
        self._positioned = [(n, c) for n, c in self._positioned if c is not candidate]

    def _record(self, entry: Entry, outcome: str, reason: str, node: ast.AST, api: str) -> None:
        if outcome == NO_MATCH:
            return
        if entry.purpose == SATISFIES:
            self._satisfied.add(entry.code)
        elif entry.purpose == TRIGGERS:
            self._triggered.add(entry.code)
        else:
            candidate = Candidate(entry.code, 0, 0, 0, 0, api, entry.matcher_index, reason, self.scope.owner)
            self.facts.candidates.append(candidate)
            self._positioned.append((node, candidate))

    def _attribute(self, node: ast.Attribute, stack) -> bool:
        push_below_attributes(node.value, stack)
        return True

    def _enter_scope(self, item: EnterScope, stack) -> bool:
        self.scope = item.scope
        return True

    def _remember_after(self, item: RememberAfter, stack) -> bool:
        if item.scope is self.scope:
            self._remember(item.name, item.value)
        return True

    def _bind_after(self, item: BindAfter, stack) -> bool:
        self.bind(item.name, item.value)
        return True

    def _class_binding(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> str | None:
        """What a class's name stands for: a project subclass of one framework class a rule matches
        (``class RobustCE(nn.CrossEntropyLoss)``) is matched as that class; anything else is the module's own."""
        if not isinstance(node, ast.ClassDef) or len(node.bases) != 1:
            return LOCAL
        base = self.qualify(node.bases[0])
        return base if base is not None and base in self.index.calls else LOCAL

    def _main_block(self, item: MainBlock, stack) -> bool:
        self.module_scope.owner = MAIN_SCOPE if item.inside else MODULE_SCOPE
        if item.inside:
            self.scope_facts(MAIN_SCOPE, self._main_node.lineno)
        return True

    def _if(self, node: ast.If, stack) -> bool:
        if self._main_node is None and self.scope is self.module_scope and is_main_guard(node.test):
            self._main_node = node
            stack.extend(reversed(node.orelse))
            stack.append(MainBlock(False))
            stack.extend(reversed(node.body))
            stack.append(MainBlock(True))
            stack.append(node.test)
            return True
        return False

    def _for(self, node: ast.For | ast.AsyncFor, stack) -> bool:
        self._iterated(node.iter, node.iter)
        self._bind_target(node.target)
        return False

    def _with(self, node: ast.With | ast.AsyncWith, stack) -> bool:
        for item in node.items:
            self.note_gradient_tape(item.context_expr)
        modes = [self._gradient_mode_of(item.context_expr) for item in node.items]
        modes = [mode for mode in modes if mode is not None]
        if not modes:
            return False
        stack.append(GradientMode(None))
        stack.extend(reversed(node.body))
        stack.append(GradientMode(modes[-1]))
        stack.extend(reversed(node.items))
        return True

    def _gradient_mode(self, item: GradientMode, stack) -> bool:
        if item.off is None:
            self.scope.gradients_off.pop()
        else:
            self.scope.gradients_off.append(item.off)
        return True

    def _gradient_mode_of(self, context: ast.expr) -> bool | None:
        """True for a context that stops autograd recording (``torch.no_grad()``), False for one that turns it
        on (``torch.enable_grad()``), None for any other or one whose mode cannot be seen."""
        call = context if isinstance(context, ast.Call) else None
        name = self.qualify(call.func if call is not None else context)
        mode = _GRADIENT_CONTEXTS.get(name or "")
        if mode is None or call is None or not (call.args or call.keywords):
            return mode
        given = call.args[0] if call.args else call.keywords[0].value
        value = literal_value(given)
        if not isinstance(value, bool):
            return None
        return not value if name.endswith("set_grad_enabled") else (mode if value else not mode)

    def _with_item(self, node: ast.withitem, stack) -> bool:
        if node.optional_vars is not None:
            self.note_holder(node.optional_vars, node.context_expr)  # ``with os.scandir(p) as entries``
            self._bind_target(node.optional_vars)
        stack.append(node.context_expr)
        return True

    def _except(self, node: ast.ExceptHandler, stack) -> bool:
        if node.name is not None:
            self.bind(node.name, LOCAL)
        return False

    def _named_expr(self, node: ast.NamedExpr, stack) -> bool:
        self._bind_target(node.target)
        stack.append(node.value)
        return True

    def _comprehension(self, node: ast.comprehension, stack) -> bool:
        self._iterated(node.iter, node.iter)
        self._bind_target(node.target)
        return False

    def _iterated(self, collection: ast.expr, where: ast.AST) -> None:
        """``collection`` is consumed in iteration order: report it if that order changes between runs."""
        if self.index.iterations and is_string_set(collection, self.is_builtin):
            for entry in self.index.iterations:
                self._record(entry, MATCH, "", where, "set of strings")

    def _ordered_consumer(self, node: ast.Call) -> None:
        func = node.func
        if not node.args or isinstance(node.args[0], ast.Starred):
            return
        consumes_in_order = (
            isinstance(func, ast.Name) and func.id in ORDERED_CONSUMERS and self.is_builtin(func.id)
        ) or (  # ``", ".join(...)``
            isinstance(func, ast.Attribute) and func.attr == "join" and isinstance(func.value, ast.Constant)
            and isinstance(func.value.value, (str, bytes))
        )
        if consumes_in_order:
            self._iterated(node.args[0], node)

    def is_builtin(self, name: str) -> bool:
        """Whether ``name`` is not bound in any enclosing scope (so it is the built-in of that name)."""
        scope = self.scope
        in_function = False
        while scope is not None:
            if not (scope.is_class and in_function) and name in scope.names:
                return False
            in_function = in_function or not scope.is_class
            scope = scope.parent
        return name not in self.final_module_names

    # ------------------------------------------------------------------ positions

    def _finish(self) -> None:
        facts = self.facts
        facts.triggered = sorted(self._triggered)
        self._imports.record(facts, self.index)
        facts.satisfied = sorted(self._satisfied)
        facts.scopes, facts.classes, facts.first_statement = self.recorded_scopes(), self.classes, self.first_statement
        facts.devices = sorted(self.devices)
        columns = CharacterColumns(self.source)
        for node, candidate in self._positioned:
            candidate.line, candidate.column = node.lineno, columns.of(node.lineno, node.col_offset) + 1
            candidate.end_line = node.end_lineno
            candidate.end_column = columns.of(node.end_lineno, node.end_col_offset) + 1
        if self._main_node is not None:
            facts.main_line = self._main_node.lineno
            facts.main_column = columns.of(self._main_node.lineno, self._main_node.col_offset) + 1

#: The walker's handler of each node type, as plain functions: bound methods kept on the walker would make a cycle
#: that keeps every syntax tree alive until the garbage collector finds it (the collector then scans them all).
_HANDLERS: dict[type, Callable] = {
    ast.Import: Walker._import,
    ast.ImportFrom: Walker._import_from,
    ast.FunctionDef: Walker._function,
    ast.AsyncFunctionDef: Walker._function,
    ast.ClassDef: Walker._class,
    ast.Lambda: Walker._lambda,
    ast.Assign: Walker._assign,
    ast.AnnAssign: Walker._ann_assign,
    ast.AugAssign: Walker._aug_assign,
    ast.Call: Walker._call,
    ast.Attribute: Walker._attribute,
    ast.Dict: Walker._dict,
    ast.If: Walker._if,
    ast.For: Walker._for,
    ast.AsyncFor: Walker._for,
    ast.With: Walker._with,
    ast.AsyncWith: Walker._with,
    ast.withitem: Walker._with_item,
    ast.ExceptHandler: Walker._except,
    ast.NamedExpr: Walker._named_expr,
    ast.comprehension: Walker._comprehension,
    EnterScope: Walker._enter_scope,
    BindAfter: Walker._bind_after,
    GradientMode: Walker._gradient_mode,
    RememberAfter: Walker._remember_after,
    MainBlock: Walker._main_block,
}


#: Gradient-mode contexts and decorators -> whether they turn recording off, as called without arguments.
#: With an argument: ``set_grad_enabled(flag)`` turns it off for False; ``inference_mode(False)`` leaves it on.
_GRADIENT_CONTEXTS = {
    "torch.no_grad": True, "torch.autograd.no_grad": True, "torch.autograd.grad_mode.no_grad": True,
    "torch.inference_mode": True, "torch.autograd.grad_mode.inference_mode": True,
    "torch.enable_grad": False, "torch.autograd.enable_grad": False, "torch.autograd.grad_mode.enable_grad": False,
    "torch.set_grad_enabled": False, "torch.autograd.set_grad_enabled": False,
}


def constructs_module(api: str) -> bool:
    """``torch.nn.MaxPool3d``: a class, whose call creates a module that runs later, in whatever mode then holds."""
    return api.rsplit(".", 1)[-1][:1].isupper()


def _names_constants(condition) -> bool:
    """Whether a condition lists qualified names of constants (``tensorflow.image.ResizeMethod.BILINEAR``)."""
    options = (condition.one_of or ()) + (condition.none_of or ())
    return any(isinstance(option, str) and "." in option for option in options)


def _is_own_method(func: ast.Attribute) -> bool:
    """``self.gather(...)`` calls a method of the class being defined, not a tensor's."""
    return isinstance(func.value, ast.Name) and func.value.id in ("self", "cls")
