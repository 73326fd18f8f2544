"""MLF145 and MLF143: ``torch.use_deterministic_algorithms(True)``, the supported and strict spelling."""

from __future__ import annotations

import libcst as cst

from ..names import ImportRequest
from .base import (
    CODEMODS,
    Codemod,
    is_literal,
    keyword_argument,
    keyword_or_first_argument,
    with_argument_value,
    without_argument,
)

NEW_NAME = "use_deterministic_algorithms"


@CODEMODS.register
class ReplaceSetDeterministic(Codemod):
    """``torch.set_deterministic(d)`` (removed in torch 1.10) becomes ``torch.use_deterministic_algorithms(d)``."""

    code = "MLF145"
    node_type = cst.Call

    def rewrite(self, node: cst.Call, edit, site) -> cst.Call | None:
        func = node.func
        if isinstance(func, cst.Attribute):
            func = func.with_changes(attr=cst.Name(NEW_NAME))
        elif isinstance(func, cst.Name):
            edit.references.request(ImportRequest("torch", NEW_NAME))
            edit.references.unused.append(ImportRequest("torch", func.value))  # it fails to import on torch>=1.10
            func = cst.Name(NEW_NAME)
        else:
            return None
        args = [
            a.with_changes(keyword=cst.Name("mode")) if a.keyword is not None and a.keyword.value == "d" else a
            for a in node.args
        ]
        return node.with_changes(func=func, args=args)


@CODEMODS.register
class DropWarnOnly(Codemod):
    """``use_deterministic_algorithms(True, warn_only=True)`` loses ``warn_only``, so it raises again;
    ``set_deterministic_debug_mode(1 / "warn")`` gets ``"error"`` (or ``2``)."""

    code = "MLF143"
    node_type = cst.Call

    def rewrite(self, node: cst.Call, edit, site) -> cst.Call | None:
        if site.api.endswith("set_deterministic_debug_mode"):
            return _debug_mode_error(node)
        argument = keyword_argument(node, "warn_only")
        if argument is None:
            return None
        return without_argument(node, argument)


def _debug_mode_error(node: cst.Call) -> cst.Call | None:
    argument = keyword_or_first_argument(node, "debug_mode")
    if argument is None:
        return None
    if is_literal(argument.value, 1):
        value = cst.Integer("2")
    elif is_literal(argument.value, "warn") and isinstance(argument.value, cst.SimpleString):
        quote = argument.value.quote
        value = cst.SimpleString(f"{quote}error{quote}")
    else:
        return None
    return with_argument_value(node, argument, value)
