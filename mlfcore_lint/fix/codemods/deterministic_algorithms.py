"""MLF145: ``torch.set_deterministic`` becomes ``torch.use_deterministic_algorithms``, its supported spelling."""

from __future__ import annotations

import libcst as cst

from ..names import ImportRequest
from .base import CODEMODS, Codemod

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
