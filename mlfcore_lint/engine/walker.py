"""One traversal of a libcst module: resolves names as it goes and matches every rule at once.

libcst's ``QualifiedNameProvider`` and a full visitor cost many times the parse.  This walker keeps its
own scopes (imports, aliases, shadowing definitions) and descends only through fields that can hold
code, never into whitespace, commas or parentheses, so the traversal stays close to the cost of the parse.
"""

from __future__ import annotations

import collections.abc
import dataclasses
import typing
from collections.abc import Callable

import libcst as cst

from ..ruleset.schema import anchor_keys
from .conditions import MATCH, NO_MATCH, check_all, check_value, find_argument, find_key, literal_value
from .facts import Candidate, FileFacts
from .index import SATISFIES, TRIGGERS, Entry, RuleIndex
from .ordering import ORDERED_CONSUMERS, is_string_set
from .positions import positions_of

LOCAL = None  # a name bound to something that is not a framework object

_SKIPPED_FIELDS = frozenset({
    "lpar", "rpar", "comma", "semicolon", "leading_lines", "lines_after_decorators", "header", "footer",
    "encoding", "default_indent", "default_newline", "has_trailing_newline", "equal", "dot", "colon",
    "operator", "asynchronous", "trailing_whitespace", "lbracket", "rbracket", "lbrace", "rbrace", "star",
    "whitespace_after_star", "relative", "newline", "walrus", "keyword", "attr",
})


def _child_fields(node_type: type) -> list[tuple[str, bool]]:
    """(field, is a sequence) for the fields of ``node_type`` that can hold code, in source order."""
    found = []
    for item in dataclasses.fields(node_type):
        if item.name in _SKIPPED_FIELDS or item.name.startswith("whitespace"):
            continue
        if item.type in (str, bool, int) or getattr(item.type, "__origin__", None) is typing.Literal:
            continue
        if str in typing.get_args(item.type):  # e.g. an f-string conversion: ``Optional[str]``
            continue
        found.append((item.name, _is_sequence(item.type)))
    return found


def _is_sequence(annotation) -> bool:
    """``Sequence[X]`` or ``Optional[Sequence[X]]`` (an f-string's format spec)."""
    if getattr(annotation, "__origin__", None) is collections.abc.Sequence:
        return True
    return any(_is_sequence(argument) for argument in typing.get_args(annotation))


def _node_types() -> list[type]:
    return [t for t in vars(cst).values() if isinstance(t, type) and issubclass(t, cst.CSTNode)
            and dataclasses.is_dataclass(t)]


#: Nodes that hold no code below them (names, literals): never pushed on the walk's stack.
LEAVES = frozenset(t for t in _node_types() if not _child_fields(t)) | {cst.MaybeSentinel}


def _compile_pusher(node_type: type):
    """A function that pushes a node's children (reversed, so they pop in source order), skipping leaves."""
    lines = ["def push(node, stack):"]
    for name, is_sequence in reversed(_child_fields(node_type)):
        if is_sequence:
            lines += [f"    for item in reversed(node.{name} or ()):",
                      "        if item.__class__ not in LEAVES:",
                      "            stack.append(item)"]
        else:
            lines += [f"    value = node.{name}",
                      "    if value is not None and value.__class__ not in LEAVES:",
                      "        stack.append(value)"]
    lines.append("    return None")
    namespace = {"LEAVES": LEAVES}
    exec("\n".join(lines), namespace)  # generated from libcst's own field declarations, nothing else
    return namespace["push"]


_pushers: dict[type, object] = {}


def push_children(node: cst.CSTNode, stack: list) -> None:
    pusher = _pushers.get(node.__class__)
    if pusher is None:
        pusher = _pushers[node.__class__] = _compile_pusher(node.__class__)
    pusher(node, stack)


def dotted_name(node: cst.BaseExpression) -> str | None:
    parts = []
    while isinstance(node, cst.Attribute):
        parts.append(node.attr.value)
        node = node.value
    if not isinstance(node, cst.Name):
        return None
    parts.append(node.value)
    return ".".join(reversed(parts))


class _Scope:
    __slots__ = ("names", "parent", "is_class")

    def __init__(self, parent: _Scope | None, is_class: bool = False):
        self.names: dict[str, str | None] = {}
        self.parent = parent
        self.is_class = is_class


class _PopScope:
    """A stack item that closes a scope once everything pushed above it has been walked."""

    __slots__ = ()


_POP = _PopScope()


class _EnterScope:
    """A stack item that opens a scope (a function, lambda or class body)."""

    __slots__ = ("scope",)

    def __init__(self, scope: _Scope):
        self.scope = scope


class _BindAfter:
    """A stack item that binds a class name once its body has been walked."""

    __slots__ = ("name",)

    def __init__(self, name: str):
        self.name = name


class Walker:
    def __init__(self, index: RuleIndex, module: cst.Module):
        self.index = index
        self.module = module
        self.module_scope = _Scope(None)
        self.scope = self.module_scope
        self.final_module_names: dict[str, str | None] = {}
        self.star_modules: list[str] = []
        self.facts = FileFacts()
        self.imported_roots: set[str] = set()
        self._positioned: list[tuple[cst.CSTNode, Candidate]] = []
        self._main_node: cst.CSTNode | None = None
        self._triggered: set[str] = set()
        self._satisfied: set[str] = set()
        self._handlers: dict[type, Callable] = {
            cst.Import: self._import,
            cst.ImportFrom: self._import_from,
            cst.FunctionDef: self._function,
            cst.ClassDef: self._class,
            cst.Lambda: self._lambda,
            cst.Assign: self._assign,
            cst.AnnAssign: self._ann_assign,
            cst.Call: self._call,
            cst.Dict: self._dict,
            cst.If: self._if,
            cst.For: self._for,
            cst.WithItem: self._with_item,
            cst.ExceptHandler: self._except,
            cst.NamedExpr: self._named_expr,
            cst.CompFor: self._comp_for,
            _EnterScope: self._enter_scope,
            _BindAfter: self._bind_after,
        }

    # ------------------------------------------------------------------ traversal

    def run(self) -> FileFacts:
        self._prescan_module_names()
        stack: list = list(reversed(self.module.body))
        handlers = self._handlers
        pushers = _pushers
        while stack:
            node = stack.pop()
            if node is _POP:
                self.scope = self.scope.parent
                continue
            handler = handlers.get(node.__class__)
            if handler is not None and handler(node, stack):
                continue
            pusher = pushers.get(node.__class__)
            if pusher is None:
                pusher = pushers[node.__class__] = _compile_pusher(node.__class__)
            pusher(node, stack)
        self._finish()
        return self.facts

    def _prescan_module_names(self) -> None:
        """Module-level imports and definitions, as function bodies see them when they run."""
        saved = self.scope
        for statement in _flat_statements(self.module.body):
            if isinstance(statement, cst.SimpleStatementLine):
                for small in statement.body:
                    if isinstance(small, cst.Import):
                        self._bind_import(small)
                    elif isinstance(small, cst.ImportFrom):
                        self._bind_import_from(small)
            elif isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
                self.module_scope.names[statement.name.value] = LOCAL
        self.final_module_names = dict(self.module_scope.names)
        self.module_scope.names.clear()
        self.star_modules.clear()
        self.scope = saved

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
        return None

    def qualify(self, node: cst.BaseExpression) -> str | None:
        parts = []
        while isinstance(node, cst.Attribute):
            parts.append(node.attr.value)
            node = node.value
        if not isinstance(node, cst.Name):
            return None
        base = self.lookup(node.value)
        if base is None:
            return None
        if parts:
            parts.reverse()
            base = base + "." + ".".join(parts)
        return self.index.canonical(base)

    def bind(self, name: str, value: str | None) -> None:
        self.scope.names[name] = value

    def _bind_target(self, target: cst.BaseExpression, value: str | None = LOCAL) -> None:
        if isinstance(target, cst.Name):
            self.bind(target.value, value)
        elif isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                self._bind_target(element.value)
        elif isinstance(target, cst.StarredElement):
            self._bind_target(target.value)

    def _bind_import(self, node: cst.Import) -> list[str]:
        modules = []
        for alias in node.names:
            name = dotted_name(alias.name)
            if name is None:
                continue
            modules.append(name)
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                self.bind(alias.asname.name.value, name)
            else:
                root = name.split(".")[0]
                self.bind(root, root)
        return modules

    def _bind_import_from(self, node: cst.ImportFrom) -> list[str]:
        module = dotted_name(node.module) if node.module is not None else ""
        level = len(node.relative)
        names = []
        if isinstance(node.names, cst.ImportStar):
            if level == 0 and module:
                self.star_modules.append(module)
        else:
            for alias in node.names:
                name = dotted_name(alias.name) or ""
                names.append(name)
                bound = alias.asname.name.value if alias.asname is not None and isinstance(
                    alias.asname.name, cst.Name) else name
                self.bind(bound, f"{module}.{name}" if level == 0 and module else LOCAL)
        if level:
            self.facts.relative_imports.append([level, module, names])
            return []
        return [module] + [f"{module}.{n}" for n in names]

    # ------------------------------------------------------------------ handlers (True: children done)

    def _note_imports(self, modules: list[str]) -> None:
        for module in modules:
            self.facts.imports.append(module)
            self.imported_roots.add(module.split(".")[0])
        self._triggered.update(self.index.triggered_by_imports(modules))

    def _import(self, node: cst.Import, stack) -> bool:
        self._note_imports(self._bind_import(node))
        return True

    def _import_from(self, node: cst.ImportFrom, stack) -> bool:
        self._note_imports(self._bind_import_from(node))
        return True

    def _function(self, node: cst.FunctionDef, stack) -> bool:
        self.bind(node.name.value, LOCAL)
        scope = _Scope(self.scope)
        for param in _params(node.params):
            scope.names[param.name.value] = LOCAL
        stack.append(_POP)
        stack.append(node.body)
        stack.append(_EnterScope(scope))
        # Decorators, defaults and annotations run in the enclosing scope.
        outer = list(node.decorators) + [p.default for p in _params(node.params) if p.default is not None]
        stack.extend(reversed(outer))
        return True

    def _lambda(self, node: cst.Lambda, stack) -> bool:
        scope = _Scope(self.scope)
        for param in _params(node.params):
            scope.names[param.name.value] = LOCAL
        stack.append(_POP)
        stack.append(node.body)
        stack.append(_EnterScope(scope))
        return True

    def _class(self, node: cst.ClassDef, stack) -> bool:
        scope = _Scope(self.scope, is_class=True)
        stack.append(_BindAfter(node.name.value))
        stack.append(_POP)
        stack.append(node.body)
        stack.append(_EnterScope(scope))
        outer = list(node.decorators) + [a.value for a in node.bases] + [a.value for a in node.keywords]
        stack.extend(reversed(outer))
        return True

    def _assign(self, node: cst.Assign, stack) -> bool:
        for target in node.targets:
            self._assigned(target.target, node.value)
        stack.append(node.value)
        for target in node.targets:
            if not isinstance(target.target, cst.Name):
                stack.append(target.target)
        return True

    def _ann_assign(self, node: cst.AnnAssign, stack) -> bool:
        if node.value is not None:
            self._assigned(node.target, node.value)
            stack.append(node.value)
        return True

    def _assigned(self, target: cst.BaseExpression, value: cst.BaseExpression) -> None:
        if isinstance(target, cst.Name):
            alias = self.qualify(value) if isinstance(value, (cst.Name, cst.Attribute)) else None
            self.bind(target.value, alias)
        elif isinstance(target, cst.Attribute):
            name = self.qualify(target)
            if name is not None:
                for entry in self.index.assignments.get(name, ()):
                    outcome, reason = check_value(value, entry.matcher.value) if entry.matcher.value else (MATCH, "")
                    self._record(entry, outcome, reason, target, name)
        elif isinstance(target, cst.Subscript):
            if self.qualify(target.value) == "os.environ" and len(target.slice) == 1:
                element = target.slice[0].slice
                if isinstance(element, cst.Index):
                    self._environment(element.value, value, target)
        else:
            self._bind_target(target)

    def _environment(self, name_node, value, where: cst.CSTNode) -> None:
        variable = literal_value_str(name_node)
        if variable is None:
            return
        for entry in self.index.environment.get(variable, ()):
            condition = entry.matcher.value
            outcome, reason = check_value(value, condition) if condition else (MATCH, "")
            self._record(entry, outcome, reason, where, f"os.environ[{variable!r}]")

    def _call(self, node: cst.Call, stack) -> bool:
        func = node.func
        name = self.qualify(func)
        if name is not None:
            for entry in self.index.calls.get(name, ()):
                self._match_call(entry, node, name, method_form=False)
            for code in self.index.triggered_by_call(name):
                self._triggered.add(code)
            if name.startswith("os."):
                self._environment_call(name, node)
        elif isinstance(func, cst.Attribute) and not _is_own_method(func):
            for entry in self.index.methods.get(func.attr.value, ()):
                if not entry.framework_roots or self.imported_roots.intersection(entry.framework_roots):
                    self._match_call(entry, node, "." + func.attr.value, method_form=True)
        if name is None and self.index.iterations:
            self._ordered_consumer(node)
        push_children(node, stack)
        return True

    def _environment_call(self, name: str, node: cst.Call) -> None:
        args = node.args
        if name in ("os.environ.setdefault", "os.putenv", "os.environ.__setitem__") and args:
            value = args[1].value if len(args) > 1 else cst.Name("None")
            self._environment(args[0].value, value, node)
        elif name == "os.environ.update":
            for arg in args:
                if arg.keyword is not None:
                    self._environment(cst.SimpleString(repr(arg.keyword.value)), arg.value, node)
                elif isinstance(arg.value, cst.Dict):
                    for element in arg.value.elements:
                        if isinstance(element, cst.DictElement):
                            self._environment(element.key, element.value, node)

    def _dict(self, node: cst.Dict, stack) -> bool:
        roots = self.index.mapping_roots
        if not self.index.mappings or (roots is not None and not self.imported_roots.intersection(roots)):
            return False
        keys = {literal_value(e.key) for e in node.elements if isinstance(e, cst.DictElement)}
        seen = set()
        for key in keys:
            for entry in self.index.mappings.get(key, ()) if isinstance(key, str) else ():
                if id(entry) in seen or not keys.issuperset(anchor_keys(entry.matcher)):
                    continue
                seen.add(id(entry))
                if entry.framework_roots and not self.imported_roots.intersection(entry.framework_roots):
                    continue
                outcome, reason = check_all(entry.matcher.keys, lambda condition: find_key(node, condition))
                self._record(entry, outcome, reason, node, f"{{{anchor_keys(entry.matcher)[0]!r}: ...}}")
        return False

    def _match_call(self, entry: Entry, node: cst.Call, api: str, method_form: bool) -> None:
        args = node.args

        def argument(condition):
            found = find_argument(args, condition, method_form)
            if isinstance(found, (cst.Attribute, cst.Name)) and _names_constants(condition):
                # ``method=tf.image.ResizeMethod.NEAREST_NEIGHBOR``: compared by its qualified name
                name = self.qualify(found)
                if name is not None:
                    return cst.SimpleString(repr(name))
            return found

        outcome, reason = check_all(entry.matcher.arguments, argument)
        self._record(entry, outcome, reason, node, api)

    def _record(self, entry: Entry, outcome: str, reason: str, node: cst.CSTNode, api: str) -> None:
        if outcome == NO_MATCH:
            return
        if entry.purpose == SATISFIES:
            self._satisfied.add(entry.code)
        elif entry.purpose == TRIGGERS:
            self._triggered.add(entry.code)
        else:
            candidate = Candidate(entry.code, 0, 0, 0, 0, api, entry.matcher_index, reason)
            self.facts.candidates.append(candidate)
            self._positioned.append((node, candidate))

    def _enter_scope(self, item: _EnterScope, stack) -> bool:
        self.scope = item.scope
        return True

    def _bind_after(self, item: _BindAfter, stack) -> bool:
        self.bind(item.name, LOCAL)
        return True

    def _if(self, node: cst.If, stack) -> bool:
        if self._main_node is None and self.scope is self.module_scope and _is_main_guard(node.test):
            self._main_node = node
        return False

    def _for(self, node: cst.For, stack) -> bool:
        self._iterated(node.iter, node.iter)
        self._bind_target(node.target)
        return False

    def _with_item(self, node: cst.WithItem, stack) -> bool:
        if node.asname is not None:
            self._bind_target(node.asname.name)
        stack.append(node.item)
        return True

    def _except(self, node: cst.ExceptHandler, stack) -> bool:
        if node.name is not None:
            self._bind_target(node.name.name)
        return False

    def _named_expr(self, node: cst.NamedExpr, stack) -> bool:
        self._bind_target(node.target)
        stack.append(node.value)
        return True

    def _comp_for(self, node: cst.CompFor, stack) -> bool:
        self._iterated(node.iter, node.iter)
        self._bind_target(node.target)
        return False

    def _iterated(self, collection: cst.BaseExpression, where: cst.CSTNode) -> None:
        """``collection`` is consumed in iteration order: report it if that order changes between runs."""
        if self.index.iterations and is_string_set(collection, self.is_builtin):
            for entry in self.index.iterations:
                self._record(entry, MATCH, "", where, "set of strings")

    def _ordered_consumer(self, node: cst.Call) -> None:
        func = node.func
        if not node.args or node.args[0].star:
            return
        consumes_in_order = (
            isinstance(func, cst.Name) and func.value in ORDERED_CONSUMERS and self.is_builtin(func.value)
        ) or (  # ``", ".join(...)``
            isinstance(func, cst.Attribute) and func.attr.value == "join"
            and isinstance(func.value, (cst.SimpleString, cst.ConcatenatedString))
        )
        if consumes_in_order:
            self._iterated(node.args[0].value, node)

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
        facts.satisfied = sorted(self._satisfied)
        if not self._positioned and self._main_node is None:
            return
        # Positions cost a code-generation pass, so they are computed only for files that need them, and
        # only for the nodes reported.
        wanted = [node for node, _ in self._positioned]
        if self._main_node is not None:
            wanted.append(self._main_node)
        positions = positions_of(self.module, wanted)
        for node, candidate in self._positioned:
            (candidate.line, start), (candidate.end_line, end) = positions[node]
            candidate.column, candidate.end_column = start + 1, end + 1
        if self._main_node is not None:
            (facts.main_line, column), _ = positions[self._main_node]
            facts.main_column = column + 1


def _names_constants(condition) -> bool:
    """Whether a condition lists qualified names of constants (``tensorflow.image.ResizeMethod.BILINEAR``)."""
    options = (condition.one_of or ()) + (condition.none_of or ())
    return any(isinstance(option, str) and "." in option for option in options)


def _is_own_method(func: cst.Attribute) -> bool:
    """``self.gather(...)`` calls a method of the class being defined, not a tensor's."""
    return isinstance(func.value, cst.Name) and func.value.value in ("self", "cls")


def _params(params: cst.Parameters) -> list[cst.Param]:
    found = list(params.posonly_params) + list(params.params) + list(params.kwonly_params)
    for star in (params.star_arg, params.star_kwarg):
        if isinstance(star, cst.Param):
            found.append(star)
    return found


def _flat_statements(body):
    """Module-level statements, including those inside top-level ``if``/``try`` blocks."""
    for statement in body:
        yield statement
        if isinstance(statement, (cst.If, cst.Try)):
            yield from _flat_statements(statement.body.body)
            if isinstance(statement, cst.Try):
                for handler in statement.handlers:
                    yield from _flat_statements(handler.body.body)
            orelse = statement.orelse
            while orelse is not None:
                inner = getattr(orelse, "body", None)
                if inner is not None:
                    yield from _flat_statements(inner.body)
                orelse = getattr(orelse, "orelse", None)


def _is_main_guard(test: cst.BaseExpression) -> bool:
    if not isinstance(test, cst.Comparison) or len(test.comparisons) != 1:
        return False
    comparison = test.comparisons[0]
    if not isinstance(comparison.operator, cst.Equal):
        return False
    sides = (test.left, comparison.comparator)
    names = [s.value for s in sides if isinstance(s, cst.Name)]
    strings = [s.evaluated_value for s in sides if isinstance(s, cst.SimpleString)]
    return names == ["__name__"] and strings == ["__main__"]


def literal_value_str(node) -> str | None:
    if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None
