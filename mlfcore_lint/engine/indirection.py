"""Calls whose target is named indirectly, and receivers that visibly are not tensors.

- ``getattr(nn, rnn_type)(...)``: a class picked by name from a framework module, where the name is a literal,
  a name assigned one in the same function, or a parameter whose default is one (then only "possible").
- ``pool.histc(...)`` where ``pool = Pool()`` is a project class, ``np.zeros(3).cumsum()`` or
  ``[1, 2].median()``: a method form of a tensor rule on a value that is visibly something else.

The walker mixes this in; it provides ``qualify``, ``lookup``, ``local_value``, ``scope`` and ``is_builtin``.
"""

from __future__ import annotations

import ast

from .conditions import literal_string

#: Libraries whose calls return arrays, frames or plain Python values, never tensors.
_NOT_TENSOR_LIBRARIES = ("numpy.", "pandas.", "scipy.", "math.", "statistics.", "collections.")
_NOT_TENSOR_BUILTINS = frozenset({"list", "dict", "set", "tuple", "sorted", "range", "str", "len", "zip",
                                  "enumerate", "map", "filter", "reversed"})
_LITERALS = (ast.List, ast.Tuple, ast.Dict, ast.Set, ast.ListComp, ast.DictComp, ast.SetComp, ast.Constant,
             ast.JoinedStr, ast.GeneratorExp)


class Indirection:
    def picked_class(self, func: ast.expr) -> tuple[str | None, str]:
        """``getattr(module, name)``: the qualified name it picks, and why that is not certain ("" if it is)."""
        if not (isinstance(func, ast.Call) and isinstance(func.func, ast.Name) and func.func.id == "getattr"
                and self.is_builtin("getattr") and len(func.args) == 2 and not func.keywords):
            return None, ""
        owner = self.qualify(func.args[0])
        if owner is None:
            return None, ""
        chosen, reason = func.args[1], ""
        if isinstance(chosen, ast.Name):
            value = self.local_value(chosen)
            if value is None and self.scope.parameters.get(chosen.id) is not None:
                value = self.scope.parameters[chosen.id]
                reason = f"`{chosen.id}` is picked by the caller; its default names this class"
            chosen = value
        name = literal_string(chosen) if chosen is not None else None
        if name is None or not name.isidentifier():
            return None, ""
        return self.index.canonical(f"{owner}.{name}"), reason

    def visibly_not_tensor(self, receiver: ast.expr) -> bool:
        """Whether the receiver of a method call is visibly a plain value, an array or a project object."""
        value, _ = self._followed(receiver, 0)
        if value is None:
            return False
        if isinstance(value, _LITERALS):
            return True
        if not isinstance(value, ast.Call):
            return False
        callee = value.func
        if isinstance(callee, ast.Name) and callee.id in _NOT_TENSOR_BUILTINS and self.is_builtin(callee.id):
            return True
        name = self.qualify(callee)
        if name is not None:
            return name.startswith(_NOT_TENSOR_LIBRARIES)
        # ``Pool()``: an instance of a class defined in this module
        return (isinstance(callee, ast.Name) and callee.id[:1].isupper() and callee.id in self.local_functions
                and self.lookup(callee.id) is None)
