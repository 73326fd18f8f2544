"""What one function shows about the values it works with: the expression a name was last assigned, the
dicts built to be unpacked with ``**``, and the kinds of expression a rule condition can exclude with
``unless`` (``schema.EXPRESSION_KINDS``). The walker mixes this in; it keeps the scopes these read."""

from __future__ import annotations

import ast

from .conditions import literal_string, literal_value
from .run_dependent import is_run_dependent


class LocalValues:
    """Mixed into the walker, which provides ``scope`` (values, parameters), ``qualify`` and ``is_builtin``."""

    def local_value(self, node: ast.expr) -> ast.expr | None:
        """The expression last assigned to the plain name ``node`` in the current scope, if any."""
        return self.scope.values.get(node.id) if isinstance(node, ast.Name) else None

    def unpacked_mapping(self, node: ast.expr) -> ast.Dict | None:
        """The dict that ``**node`` unpacks, where it was built in the same function (see ``_remember``)."""
        value = self.local_value(node)
        return value if isinstance(value, ast.Dict) else None

    def _followed(self, node: ast.expr | None, depth: int) -> tuple[ast.expr | None, int]:
        """What a plain name was last assigned, followed through names (None where unknown or too deep)."""
        while isinstance(node, ast.Name) and depth <= _MAX_VALUE_DEPTH:
            node, depth = self.local_value(node), depth + 1
        return (node, depth) if depth <= _MAX_VALUE_DEPTH else (None, depth)

    def kinds_of(self, node: ast.expr, wanted: frozenset[str] | tuple[str, ...] | None = None) -> set[str]:
        """What the walker knows an argument to be (schema.EXPRESSION_KINDS); ``wanted``: only these kinds are
        looked for (a condition asks about one or two, and following assigned names costs)."""

        def asked(*kinds: str) -> bool:
            return wanted is None or any(kind in wanted for kind in kinds)

        kinds = set()
        if asked("number") and self._is_number(node, 0):
            kinds.add("number")
        if asked("one-dimensional") and self._is_one_dimensional(node, 0):
            kinds.add("one-dimensional")
        if asked("passed-in") and ((isinstance(node, ast.Name) and node.id in self.scope.parameters)
                                   or _is_own_attribute(node) or self._is_saved_setting(node)):
            kinds.add("passed-in")
        if asked("integer", "no-grad"):
            if self._is_integer(node, 0):
                kinds.update(("integer", "no-grad"))  # autograd never records integer tensors
            elif self._is_no_grad(node, 0):
                kinds.add("no-grad")
        if asked("run-dependent") and is_run_dependent(node, self.qualify, self.local_value, self.is_builtin):
            kinds.add("run-dependent")
        if asked("permutation") and self._is_permutation(node, 0):
            kinds.add("permutation")
        return kinds

    def _is_permutation(self, node: ast.expr, depth: int) -> bool:
        """Indices that never repeat along the dimension they index: ``argsort``, ``sort(...)[1]``,
        ``sort(...).indices``, ``randperm``, ``arange``."""
        node, depth = self._followed(node, depth)
        if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant) and node.slice.value == 1:
            return self._is_sort(node.value)
        if isinstance(node, ast.Attribute) and node.attr == "indices":
            return self._is_sort(node.value)
        if not isinstance(node, ast.Call):
            return False
        if isinstance(node.func, ast.Attribute) and node.func.attr == "argsort":
            return True
        return self.qualify(node.func) in _PERMUTATIONS

    def _is_sort(self, node: ast.expr) -> bool:
        return isinstance(node, ast.Call) and (self.qualify(node.func) == "torch.sort" or (
            isinstance(node.func, ast.Attribute) and node.func.attr == "sort"))

    def _is_integer(self, node: ast.expr, depth: int) -> bool:
        """A tensor of an integer or boolean dtype (see schema.EXPRESSION_KINDS)."""
        node, depth = self._followed(node, depth)
        if isinstance(node, ast.Compare):
            return True
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Invert):
            return True  # ``~mask``: bitwise not exists for integer and boolean tensors only
        if isinstance(node, ast.BinOp) and not isinstance(node.op, (ast.Div, ast.Pow)):
            return all(self._is_integer(o, depth + 1) or _is_integer_literal(o) for o in (node.left, node.right))
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            return False
        method = node.func.attr
        if method in _INTEGER_RESULTS:
            return True
        if method in ("to", "type") and node.args:
            return self.qualify(node.args[0]) in _INTEGER_DTYPES
        return (method in _INTEGER_PRESERVING_METHODS and not any(k.arg == "dtype" for k in node.keywords)
                and self._is_integer(node.func.value, depth + 1))

    def _is_no_grad(self, node: ast.expr, depth: int) -> bool:
        """A tensor that autograd does not record (see schema.EXPRESSION_KINDS), as far as this function shows."""
        node, depth = self._followed(node, depth)
        if isinstance(node, ast.Subscript):
            return self._is_no_grad(node.value, depth + 1)
        if isinstance(node, (ast.BinOp, ast.UnaryOp)):
            operands = (node.left, node.right) if isinstance(node, ast.BinOp) else (node.operand,)
            return all(self._is_number(o, depth + 1) or self._is_no_grad(o, depth + 1) for o in operands) and any(
                not self._is_number(o, depth + 1) for o in operands)
        if not isinstance(node, ast.Call):
            return False
        name = self.qualify(node.func)
        if name in _TENSOR_FACTORIES:
            return not any(k.arg == "requires_grad" and literal_value(k.value) is not False for k in node.keywords)
        if name in ("torch.cat", "torch.stack") and node.args and isinstance(node.args[0], (ast.List, ast.Tuple)):
            return all(self._is_no_grad(element, depth + 1) for element in node.args[0].elts)
        if name is not None or not isinstance(node.func, ast.Attribute):
            return False
        method = node.func.attr
        if method in _UNTRACKED_RESULTS or self._is_integer(node, depth + 1):
            return True
        return method in _SHAPE_AND_UNARY_METHODS and self._is_no_grad(node.func.value, depth + 1)

    def _is_saved_setting(self, node: ast.expr) -> bool:
        """A name assigned a framework setting as it was (``old = torch.backends.cudnn.benchmark``,
        ``state = torch.are_deterministic_algorithms_enabled()``), to be restored."""
        value = self.local_value(node)
        if isinstance(value, ast.Call) and not value.args and not value.keywords:
            name = self.qualify(value.func)
            return name is not None and name.rsplit(".", 1)[-1].startswith(_SETTING_GETTERS)
        return isinstance(value, ast.Attribute) and (self.qualify(value) or "").startswith(_SETTING_MODULES)

    def _is_number(self, node: ast.expr, depth: int) -> bool:
        if depth > _MAX_VALUE_DEPTH:
            return False
        if isinstance(node, ast.Constant):
            return isinstance(node.value, (bool, int, float, complex))
        if isinstance(node, ast.UnaryOp):
            return self._is_number(node.operand, depth + 1)
        if isinstance(node, ast.BinOp):
            return self._is_number(node.left, depth + 1) and self._is_number(node.right, depth + 1)
        if isinstance(node, ast.Call):
            return (isinstance(node.func, ast.Name) and node.func.id in _NUMBER_BUILTINS
                    and self.is_builtin(node.func.id)) or (
                isinstance(node.func, ast.Attribute) and node.func.attr == "item" and not node.args)
        if isinstance(node, ast.Name):
            value = self.local_value(node)
            if value is None and node.id in self.scope.parameters:
                value = self.scope.parameters[node.id]
            return value is not None and self._is_number(value, depth + 1)
        return False

    def _is_one_dimensional(self, node: ast.expr, depth: int) -> bool:
        """``t.view(-1)``, ``t.reshape(-1)``, ``t.flatten()``, ``torch.flatten(t)`` or ``torch.arange(n)``."""
        node, depth = self._followed(node, depth)
        if not isinstance(node, ast.Call):
            return False
        if self.qualify(node.func) in ("torch.arange", "torch.randperm"):
            return True
        if not isinstance(node.func, ast.Attribute) or node.keywords:
            return False
        method, args = node.func.attr, node.args
        if method in ("view", "reshape"):
            return len(args) == 1 and literal_value(args[0]) in (-1, (-1,))
        if method == "flatten":
            return not args or (self.qualify(node.func) == "torch.flatten" and len(args) == 1)
        return False

    def _remember(self, name: str, value: ast.expr) -> None:
        """Keep what a plain name was assigned in this scope: a dict as a display of its own, to add keys to."""
        if isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id == "dict" \
                and not value.args and self.is_builtin("dict"):
            value = ast.Dict(keys=[None if k.arg is None else ast.Constant(k.arg) for k in value.keywords],
                             values=[k.value for k in value.keywords])
        elif isinstance(value, ast.Dict):
            value = ast.Dict(keys=list(value.keys), values=list(value.values))
        self.scope.values[name] = value

    def _changed_mapping(self, target: ast.expr, key: ast.expr | None, value: ast.expr | None) -> None:
        """``name[key] = value`` or a mutating method on a remembered dict: the key joins it (None: any key)."""
        mapping = self.unpacked_mapping(target)
        if mapping is not None:
            mapping.keys.append(key if literal_string(key) is not None else None)
            mapping.values.append(value if value is not None else ast.Constant(None))


_MAX_VALUE_DEPTH = 8  # how far a value is followed through names and arithmetic
_NUMBER_BUILTINS = frozenset({"float", "int", "round", "abs", "len"})
_SETTING_GETTERS = ("are_", "is_", "get_")  # ``torch.are_deterministic_algorithms_enabled()`` and the like
_SETTING_MODULES = ("torch.backends.",)
DICT_MUTATORS = frozenset({"update", "setdefault", "pop", "popitem", "clear", "__setitem__"})
#: Factories whose result autograd records only when asked to (``requires_grad=True``).
_TENSOR_FACTORIES = frozenset(f"torch.{name}" for name in (
    "arange", "range", "linspace", "logspace", "zeros", "ones", "full", "empty", "eye", "tensor", "randperm",
    "randint", "rand", "randn", "zeros_like", "ones_like", "full_like", "empty_like", "randint_like",
    "rand_like", "randn_like", "tril_indices", "triu_indices",
))
_INTEGER_DTYPES = frozenset(f"torch.{name}" for name in (
    "long", "int64", "int", "int32", "short", "int16", "int8", "uint8", "bool",
))
#: Functions whose result holds each index once (``torch.argsort`` along its dimension).
_PERMUTATIONS = frozenset({"torch.argsort", "torch.randperm", "torch.arange"})
#: Methods whose result is a tensor of an integer or boolean dtype, whatever the input.
_INTEGER_RESULTS = frozenset({
    "long", "int", "short", "byte", "char", "bool", "argmax", "argmin", "argsort", "nonzero",
    "eq", "ne", "lt", "le", "gt", "ge", "isnan", "isinf", "isfinite", "logical_not", "logical_and",
    "logical_or",
})
#: Methods that keep an integer tensor integer.
_INTEGER_PRESERVING_METHODS = frozenset({
    "view", "reshape", "unsqueeze", "squeeze", "expand", "expand_as", "permute", "transpose", "flatten",
    "contiguous", "clone", "flip", "roll", "t", "cpu", "cuda", "cumsum", "sum", "repeat", "repeat_interleave",
})
#: Methods whose result autograd never records, besides integer results.
_UNTRACKED_RESULTS = frozenset({"detach", "sign"})
#: Methods that reshape a tensor or apply a function elementwise: recorded only where their input is.
_SHAPE_AND_UNARY_METHODS = frozenset({
    "view", "reshape", "unsqueeze", "squeeze", "expand", "expand_as", "permute", "transpose", "flatten",
    "unflatten", "repeat", "repeat_interleave", "contiguous", "clone", "float", "double", "half", "bfloat16",
    "to", "sin", "cos", "exp", "log", "sqrt", "abs", "neg", "pow", "flip", "roll", "t", "T", "cpu", "cuda",
})


def _is_integer_literal(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and type(node.value) is int


def _is_own_attribute(node: ast.expr) -> bool:
    """``self.benchmark``: state of the object, set by whoever configured it."""
    return isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "self"
