"""The walker's scopes and the marker items it puts on its stack to act once a node's children are walked."""

from __future__ import annotations

import ast

from .calls import MODULE_SCOPE


class Scope:
    """A function, lambda, class or module body: the names it binds and what the walk knows of them."""

    __slots__ = ("names", "parent", "is_class", "values", "parameters", "gradients_off", "key", "owner")

    def __init__(self, parent: Scope | None, is_class: bool = False, gradients_off: bool = False, name: str = ""):
        # ``key``: the dotted place of the scope in the module (``C.m``); ``owner``: the scope its calls are
        # recorded to (a class body's calls belong to the enclosing function or the module).
        prefix = parent.key + "." if parent is not None and parent.key else ""
        self.key = prefix + name
        self.owner = (parent.owner if is_class else self.key) if parent is not None else MODULE_SCOPE
        self.names: dict[str, str | None] = {}
        self.parent = parent
        self.is_class = is_class
        self.values: dict[str, ast.expr] = {}  # plain name -> the expression assigned to it last, in source order
        self.parameters: dict[str, ast.expr | None] = {}  # the function's parameters -> their defaults
        # Whether autograd records calls here: the function's decorator, then each ``with`` block entered
        # (``torch.no_grad()``, ``torch.enable_grad()``); the last entry is in force.
        self.gradients_off: list[bool] = [gradients_off]


class _PopScope:
    """A stack item that closes a scope once everything pushed above it has been walked."""

    __slots__ = ()


POP = _PopScope()


class EnterScope:
    """A stack item that opens a scope (a function, lambda or class body)."""

    __slots__ = ("scope",)

    def __init__(self, scope: Scope):
        self.scope = scope


class RememberAfter:
    """A stack item that remembers what a plain name was assigned, once the assigned value has been walked
    (``mask = torch.gather(mask, ...)`` reads the earlier ``mask``)."""

    __slots__ = ("name", "value", "scope")

    def __init__(self, name: str, value: ast.expr, scope: Scope):
        self.name, self.value, self.scope = name, value, scope


class GradientMode:
    """A stack item that enters (``off`` True or False) or leaves (``off`` None) a ``with`` block's gradient mode."""

    __slots__ = ("off",)

    def __init__(self, off: bool | None):
        self.off = off


class MainBlock:
    """A stack item that enters (``inside`` True) or leaves the ``if __name__ == "__main__":`` block."""

    __slots__ = ("inside",)

    def __init__(self, inside: bool):
        self.inside = inside


class BindAfter:
    """A stack item that binds a class name once its body has been walked (to ``value``: see
    ``Walker._class_binding``)."""

    __slots__ = ("name", "value")

    def __init__(self, name: str, value: str | None):
        self.name, self.value = name, value
