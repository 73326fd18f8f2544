"""Arguments that ask for out-of-order results: MLF164 ``in_order=False``, MLF242 ``deterministic=False``."""

from __future__ import annotations

from typing import ClassVar

import libcst as cst

from .base import (
    CODEMODS,
    Codemod,
    is_literal,
    keyword_argument,
    positional_arguments,
    with_argument_value,
    without_argument,
)


class _DropArgument(Codemod):
    """Removes ``keyword=<flagged value>``, so the call falls back to its ordered default."""

    node_type = cst.Call
    keywords: ClassVar[dict[str, object]]  # keyword -> the literal value that is reported

    def rewrite(self, node: cst.Call, edit, site) -> cst.Call | None:
        for keyword, flagged in self.keywords.items():
            argument = keyword_argument(node, keyword)
            if argument is not None and is_literal(argument.value, flagged):
                return without_argument(node, argument)
        return None


@CODEMODS.register
class DataLoaderInOrder(_DropArgument):
    code = "MLF164"
    keywords: ClassVar[dict[str, object]] = {"in_order": False}


@CODEMODS.register
class TensorflowDataInOrder(_DropArgument):
    """``deterministic=False`` on ``map``/``interleave``/``batch``, ``sloppy=True`` on ``parallel_interleave``."""

    code = "MLF242"
    keywords: ClassVar[dict[str, object]] = {"deterministic": False, "sloppy": True}
    sloppy_position = 2

    def rewrite(self, node: cst.Call, edit, site) -> cst.Call | None:
        fixed = super().rewrite(node, edit, site)
        if fixed is not None or not site.api.endswith("parallel_interleave"):
            return fixed
        arguments = positional_arguments(node)
        if len(arguments) > self.sloppy_position and is_literal(arguments[self.sloppy_position].value, True):
            sloppy = arguments[self.sloppy_position]
            return with_argument_value(node, sloppy, cst.Name("False"))
        return None
