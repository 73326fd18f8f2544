"""Unsafe fixes that switch an operation to the variant with a deterministic CUDA backward.

They change what the model computes, so they run only with ``--unsafe-fixes``:

* MLF102: linear, bilinear, bicubic and trilinear interpolation become ``"nearest"``;
* MLF109: reflection padding becomes replication padding (where every targeted torch is 2.2 or newer).

(MLF114's ``mode="mean"`` and MLF142's ``True`` are edits their rules declare.)
"""

from __future__ import annotations

from typing import ClassVar

import libcst as cst

from ..names import literal_string
from .base import (
    CODEMODS,
    Codemod,
    keyword_argument,
    positional_arguments,
    with_argument_value,
    with_keyword_arguments,
    without_argument,
)
from .declared import argument_position


class _ModeSwitch(Codemod):
    """Replaces a literal string argument ``keyword`` that is one of ``flagged`` by ``replacement``."""

    node_type = cst.Call
    keyword = "mode"
    flagged: tuple[str, ...]
    replacement: str
    renamed: ClassVar[dict[str, str]] = {}  # callee -> the deterministic callee with the same leading parameters

    def rewrite(self, node: cst.Call, edit, site) -> cst.Call | None:
        func = node.func
        if isinstance(func, cst.Attribute) and func.attr.value in self.renamed:
            return self.renamed_call(node, func)
        argument = keyword_argument(node, self.keyword)
        if argument is None:
            position = argument_position(edit.context.ruleset.get(site.code), self.keyword, node, edit, site)
            arguments = positional_arguments(node)
            if position is None or position >= len(arguments) or not self.may_be_positional(arguments, position):
                return None
            argument = arguments[position]
        value = argument.value
        if not isinstance(value, cst.SimpleString) or literal_string(value) not in self.flagged:
            return None  # a computed value: a person decides
        quote = value.quote
        return with_argument_value(node, argument, cst.SimpleString(f"{quote}{self.replacement}{quote}"))

    def renamed_call(self, node: cst.Call, func: cst.Attribute) -> cst.Call:
        return node.with_changes(func=func.with_changes(attr=cst.Name(self.renamed[func.attr.value])))

    def may_be_positional(self, arguments: list[cst.Arg], position: int) -> bool:
        return True


@CODEMODS.register
class NearestInterpolation(_ModeSwitch):
    code = "MLF102"
    flagged = ("linear", "bilinear", "bicubic", "trilinear")
    replacement = "nearest"
    renamed: ClassVar[dict[str, str]] = {"UpsamplingBilinear2d": "Upsample", "upsample_bilinear": "interpolate"}

    def rewrite(self, node: cst.Call, edit, site) -> cst.Call | None:
        fixed = super().rewrite(node, edit, site)
        align_corners = keyword_argument(fixed, "align_corners") if fixed is not None else None
        if align_corners is not None:  # nearest mode refuses it
            fixed = without_argument(fixed, align_corners)
        return fixed

    def renamed_call(self, node: cst.Call, func: cst.Attribute) -> cst.Call:
        renamed = super().renamed_call(node, func)
        return with_keyword_arguments(renamed, [("mode", cst.SimpleString(f'"{self.replacement}"'))])

    def may_be_positional(self, arguments: list[cst.Arg], position: int) -> bool:
        return position + 1 == len(arguments)  # a positional ``align_corners`` would follow it


@CODEMODS.register
class ReplicationPadding(_ModeSwitch):
    """Only where every targeted torch has a deterministic replication padding under the switch: 2.2 for 2-D
    (MLF110), 2.3 for 1-D and 3-D (MLF111) and padding of unknown rank; before, the replacement is itself
    non-deterministic."""

    code = "MLF109"
    flagged = ("reflect",)
    replacement = "replicate"
    renamed: ClassVar[dict[str, str]] = {f"ReflectionPad{n}d": f"ReplicationPad{n}d" for n in (1, 2, 3)}

    def rewrite(self, node: cst.Call, edit, site) -> cst.Call | None:
        since = "2.2" if site.api.endswith("ReflectionPad2d") else "2.3"
        if not edit.context.targets_at_least("torch", since):
            return None
        return super().rewrite(node, edit, site)
