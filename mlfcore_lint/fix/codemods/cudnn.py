"""MLF140 and MLF141: the cuDNN flags get the values that make convolutions repeatable."""

from __future__ import annotations

import libcst as cst

from .base import CODEMODS, Codemod, is_literal, single_target


class _CudnnFlag(Codemod):
    node_type = cst.Assign
    changes_meaning = True
    flagged_value: bool
    fixed_value: bool

    def rewrite(self, node: cst.Assign, edit, site) -> cst.Assign | None:
        if single_target(node) is None or not is_literal(node.value, self.flagged_value, int(self.flagged_value)):
            return None  # a computed value: the finding stays for a person to decide
        return node.with_changes(value=cst.Name(str(self.fixed_value)))


@CODEMODS.register
class DisableCudnnBenchmark(_CudnnFlag):
    """``torch.backends.cudnn.benchmark = True`` becomes ``False``."""

    code = "MLF140"
    flagged_value, fixed_value = True, False


@CODEMODS.register
class EnableCudnnDeterministic(_CudnnFlag):
    """``torch.backends.cudnn.deterministic = False`` becomes ``True``."""

    code = "MLF141"
    flagged_value, fixed_value = False, True
