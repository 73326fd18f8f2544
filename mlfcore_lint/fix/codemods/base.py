"""What a codemod is: the rule code it fixes, the node the finding points at, and its replacement."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar

import libcst as cst

if TYPE_CHECKING:  # pragma: no cover
    from ..apply import FileEdit


@dataclass(frozen=True)
class Site:
    """Where a finding points, in the coordinates of the text being fixed."""

    code: str
    line: int  # 1-based
    column: int  # 1-based
    api: str
    end: tuple[int, int] = (0, 0)  # (line, column) just after the reported node, 1-based


class Codemod:
    """Rewrites the node a finding of ``code`` points at; returns ``None`` where no sound rewrite exists."""

    code: ClassVar[str]
    node_type: ClassVar[type[cst.CSTNode]]
    #: The rewrite changes what the statement does (a flag's value, a mode): a comment at the end of its line
    #: described the old code and goes (a pragma for a tool stays).
    changes_meaning: ClassVar[bool] = False

    def applies_to(self, node: cst.CSTNode, site: Site, end: tuple[int, int]) -> bool:
        """Whether ``node`` (which starts where the finding does and ends at ``end``) is the one it reports.

        An expression must be the reported node itself (nested calls can start at the same place); a
        statement is the one that starts with the reported target.
        """
        if isinstance(node, cst.BaseExpression):
            return end == site.end
        return True

    def rewrite(self, node: cst.CSTNode, edit: FileEdit, site: Site) -> cst.CSTNode | None:
        raise NotImplementedError


def last_name(node: cst.BaseExpression) -> str | None:
    if isinstance(node, cst.Attribute):
        return node.attr.value
    if isinstance(node, cst.Name):
        return node.value
    return None


def single_target(node: cst.Assign) -> cst.BaseAssignTargetExpression | None:
    """The target of ``a = value`` (``None`` for chained assignments, whose other targets would change too)."""
    return node.targets[0].target if len(node.targets) == 1 else None


def keyword_argument(call: cst.Call, keyword: str) -> cst.Arg | None:
    return next((a for a in call.args if a.keyword is not None and a.keyword.value == keyword), None)


def positional_arguments(call: cst.Call) -> list[cst.Arg]:
    return [a for a in call.args if a.keyword is None and not a.star]


def with_argument_value(call: cst.Call, argument: cst.Arg, value: cst.BaseExpression) -> cst.Call:
    """``call`` with ``argument`` passing ``value`` instead, everything else as it was written."""
    return call.with_changes(args=[a.with_changes(value=value) if a is argument else a for a in call.args])


def has_unpacking(call: cst.Call) -> bool:
    return any(a.star for a in call.args)


def without_argument(call: cst.Call, removed: cst.Arg) -> cst.Call:
    """``call`` without one argument; the new last argument ends the way the removed one did."""
    remaining = [a for a in call.args if a is not removed]
    if remaining and call.args[-1] is removed:
        remaining[-1] = remaining[-1].with_changes(
            comma=removed.comma, whitespace_after_arg=removed.whitespace_after_arg)
    return call.with_changes(args=remaining)


def with_keyword_arguments(call: cst.Call, added: list[tuple[str, cst.BaseExpression]]) -> cst.Call:
    """``call`` with keyword arguments appended, separated like its existing arguments."""
    args = list(call.args)
    between = separator([a.comma for a in args[:-1]])
    no_space = cst.SimpleWhitespace("")
    new_args = [cst.Arg(value=value, keyword=cst.Name(name),
                        equal=cst.AssignEqual(whitespace_before=no_space, whitespace_after=no_space),
                        comma=between)
                for name, value in added]
    if args:
        last = args[-1]
        args[-1] = last.with_changes(comma=between, whitespace_after_arg=no_space)
        new_args[-1] = new_args[-1].with_changes(comma=last.comma, whitespace_after_arg=last.whitespace_after_arg)
    else:
        new_args[-1] = new_args[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
    return call.with_changes(args=args + new_args)


def separator(commas) -> cst.Comma:
    """The comma to put between new items: one that breaks the line where the call already does."""
    commas = [c for c in commas if isinstance(c, cst.Comma)]
    breaking = [c for c in commas if isinstance(c.whitespace_after, cst.ParenthesizedWhitespace)]
    if breaking:
        return breaking[-1]
    return commas[-1] if commas else cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))


@dataclass
class Registry:
    codemods: dict[str, Codemod] = field(default_factory=dict)

    def register(self, codemod_class: type[Codemod]) -> type[Codemod]:
        self.codemods[codemod_class.code] = codemod_class()
        return codemod_class

    def get(self, code: str) -> Codemod | None:
        return self.codemods.get(code)

    def __contains__(self, code: str) -> bool:
        return code in self.codemods


CODEMODS = Registry()
