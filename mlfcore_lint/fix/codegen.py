"""The text of a fixed module: the original text of every top-level statement the fixes left as it was, libcst's
code only for the statements they replaced or added.

Generating the code of a whole module costs about as much as parsing it, and a fix changes a few statements
of it (the seeding block, a call). libcst keeps a statement it did not change as the same node, and the code of
a top-level statement is a whole number of lines: its leading blank and comment lines (one line each), its
decorators, then the statement from the line CPython's parser gives it. Those lines of the original text are
that statement's code, byte for byte (form feeds included, which libcst's own code drops).
"""

from __future__ import annotations

import libcst as cst

from .integrity import lines_of


def fixed_code(original: cst.Module, fixed: cst.Module, lines: list[str], positions) -> str:
    """The code of ``fixed`` (``original``, parsed from the text of ``lines``, after the fixes); ``positions``: the
    original's :class:`~mlfcore_lint.fix.positions.Positions`. Falls back to libcst's code of the whole module
    wherever the lines of a statement cannot be told exactly."""
    spliced = _spliced(original, fixed, lines, positions)
    return fixed.code if spliced is None else spliced


def _spliced(original: cst.Module, fixed: cst.Module, lines: list[str], positions) -> str | None:
    if not (original.body and _same(fixed.header, original.header) and _same(fixed.footer, original.footer)):
        return None
    starts = []  # the line (0-based) where each top-level statement's code starts, its leading lines included
    for statement in original.body:
        where = positions.known(statement)
        if where is None:
            return None
        starts.append(where.start.line - 1 - _lines_before(statement, original))
    end = len(lines) - len(original.footer)
    bounds = [*starts, end]
    if bounds[0] != len(original.header) or any(a >= b for a, b in zip(bounds, bounds[1:], strict=False)):
        return None
    index = {id(statement): number for number, statement in enumerate(original.body)}
    pieces = ["".join(lines[:bounds[0]])]
    generated_last = False
    for statement in fixed.body:
        number = index.get(id(statement))
        if number is None:
            pieces.append(fixed.code_for_node(statement))
        else:
            pieces.append("".join(lines[bounds[number]:bounds[number + 1]]))
        generated_last = number is None
    pieces.append("".join(lines[end:]))
    code = "".join(pieces)
    if generated_last and not original.footer and not fixed.has_trailing_newline:
        code = code.removesuffix(fixed.default_newline)  # as libcst's own code ends such a module
    return code


def _lines_before(statement: cst.CSTNode, module: cst.Module) -> int:
    """How many lines of the statement's code come before the line CPython's parser starts it on: its leading
    lines and, for a decorated definition, its decorators."""
    count = len(statement.leading_lines)
    decorators = getattr(statement, "decorators", ())
    if decorators:
        count += sum(len(lines_of(module.code_for_node(decorator))) for decorator in decorators)
        count += len(statement.lines_after_decorators)
    return count


def _same(these, those) -> bool:
    """Whether two sequences of nodes are the same code (a transformer rebuilds the module's header and footer)."""
    return len(these) == len(those) and all(a.deep_equals(b) for a, b in zip(these, those, strict=True))
