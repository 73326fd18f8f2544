"""MLF210 and MLF211: TensorFlow's determinism and threading settings, spelled as calls that work."""

from __future__ import annotations

import libcst as cst

from ..names import ImportRequest, literal_string
from .base import CODEMODS, Codemod, positional_arguments, single_target

OP_DETERMINISM = "tensorflow.config.experimental.enable_op_determinism"
OP_DETERMINISM_SINCE = "2.8"
TRUE_VALUES = ("1", "true", "True", "TRUE")


@CODEMODS.register
class EnableOpDeterminism(Codemod):
    """Setting ``TF_DETERMINISTIC_OPS`` in code becomes ``tf.config.experimental.enable_op_determinism()``."""

    changes_meaning = True
    code = "MLF210"
    node_type = cst.BaseSmallStatement  # ``os.environ[...] = "1"`` or ``os.environ.setdefault(...)``

    def applies_to(self, node, site, end) -> bool:
        return isinstance(node, (cst.Assign, cst.Expr))

    def rewrite(self, node, edit, site):
        if not edit.context.targets_at_least("tensorflow", OP_DETERMINISM_SINCE):
            return None  # older releases have only the environment variable
        if not _turns_on_determinism(node):
            return None
        reference = edit.references.reference(OP_DETERMINISM, before_line=site.line)
        # where nothing else uses it any more
        edit.references.unused.extend([ImportRequest("os"), ImportRequest("os", "environ")])
        return cst.Expr(value=cst.parse_expression(f"{reference}()"), semicolon=node.semicolon)


def _turns_on_determinism(node) -> bool:
    if isinstance(node, cst.Assign):
        target = single_target(node)
        value = node.value
        if not isinstance(target, cst.Subscript):
            return False
    elif isinstance(node, cst.Expr) and isinstance(node.value, cst.Call):
        call = node.value
        arguments = positional_arguments(call)
        if not isinstance(call.func, cst.Attribute) or call.func.attr.value != "setdefault" or len(arguments) != 2:
            return False
        value = arguments[1].value
    else:
        return False
    return literal_string(value) in TRUE_VALUES


@CODEMODS.register
class ThreadingSetterCall(Codemod):
    """``tf.config.threading.set_inter_op_parallelism_threads = 1`` (which sets nothing) becomes a call."""

    code = "MLF211"
    node_type = cst.Assign

    def rewrite(self, node: cst.Assign, edit, site):
        target = single_target(node)
        if not isinstance(target, cst.Attribute) or not target.attr.value.startswith("set_"):
            return None
        return cst.Expr(value=cst.Call(func=target, args=[cst.Arg(value=node.value)]), semicolon=node.semicolon)


@CODEMODS.register
class EnableOpDeterminismCall(Codemod):
    """``tf.config.experimental.enable_op_determinism = True`` (which replaces the function) becomes a call."""

    code = "MLF241"
    node_type = cst.Assign

    def rewrite(self, node: cst.Assign, edit, site):
        target = single_target(node)
        if not isinstance(target, cst.Attribute):
            return None
        return cst.Expr(value=cst.Call(func=target), semicolon=node.semicolon)
