"""What a piece of syntax is, as the walker asks it: a function's parameters, a module's top-level statements,
a ``__main__`` guard."""

from __future__ import annotations

import ast

from .conditions import literal_string


def parameter_defaults(arguments: ast.arguments) -> dict[str, ast.expr | None]:
    """A function's parameters, in order, and their defaults (None: none)."""
    defaults = arguments.defaults
    if not (defaults or arguments.posonlyargs or arguments.kwonlyargs or arguments.vararg or arguments.kwarg):
        return dict.fromkeys([a.arg for a in arguments.args])  # most functions: plain parameters only
    positional = arguments.posonlyargs + arguments.args
    without = len(positional) - len(defaults)
    found = dict.fromkeys([a.arg for a in positional[:without]])
    for parameter, default in zip(positional[without:], defaults, strict=True):
        found[parameter.arg] = default
    for parameter, default in zip(arguments.kwonlyargs, arguments.kw_defaults, strict=True):
        found[parameter.arg] = default
    for star in (arguments.vararg, arguments.kwarg):
        if star is not None:
            found[star.arg] = None
    return found


def flat_statements(body: list[ast.stmt]):
    """Module-level statements, including those inside top-level ``if``/``try`` blocks."""
    for statement in body:
        yield statement
        if isinstance(statement, ast.If):
            yield from flat_statements(statement.body)
            yield from flat_statements(statement.orelse)
        elif isinstance(statement, _TRY_STATEMENTS):
            yield from flat_statements(statement.body)
            for handler in statement.handlers:
                yield from flat_statements(handler.body)
            yield from flat_statements(statement.orelse)


_TRY_STATEMENTS = tuple(getattr(ast, name) for name in ("Try", "TryStar") if hasattr(ast, name))


def is_main_guard(test: ast.expr) -> bool:
    """``__name__ == "__main__"`` (either way round)."""
    if not isinstance(test, ast.Compare) or len(test.ops) != 1 or not isinstance(test.ops[0], ast.Eq):
        return False
    sides = (test.left, test.comparators[0])
    names = [s.id for s in sides if isinstance(s, ast.Name)]
    strings = [literal_string(s) for s in sides if isinstance(s, ast.Constant)]
    return names == ["__name__"] and strings == ["__main__"]
