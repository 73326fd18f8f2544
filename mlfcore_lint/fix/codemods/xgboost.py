"""MLF301: XGBoost's linear booster gets the deterministic coordinate descent updater."""

from __future__ import annotations

import libcst as cst

from ..names import literal_string
from .base import (
    CODEMODS,
    Codemod,
    has_unpacking,
    keyword_argument,
    separator,
    with_argument_value,
    with_keyword_arguments,
)

UPDATER = "coord_descent"


@CODEMODS.register
class CoordinateDescentUpdater(Codemod):
    """``booster="gblinear"`` (default updater ``shotgun``, run in parallel) gets ``updater="coord_descent"``."""

    code = "MLF301"
    node_type = cst.BaseExpression  # a call with ``booster=...`` or a parameter dict

    def applies_to(self, node, site, end) -> bool:
        return isinstance(node, (cst.Call, cst.Dict)) and super().applies_to(node, site, end)

    def rewrite(self, node, edit, site):
        if isinstance(node, cst.Dict):
            return _fixed_parameters(node)
        if has_unpacking(node):
            return None
        booster = keyword_argument(node, "booster")
        if booster is None or literal_string(booster.value) != "gblinear":
            for argument in node.args:  # ``xgb.train({"booster": "gblinear", ...}, dtrain)``
                if isinstance(argument.value, cst.Dict):
                    fixed = _fixed_parameters(argument.value)
                    if fixed is not None:
                        return with_argument_value(node, argument, fixed)
            return None
        updater = keyword_argument(node, "updater")
        value = _string_like(booster.value, UPDATER)
        if updater is not None:
            return with_argument_value(node, updater, value)
        return with_keyword_arguments(node, [("updater", value)])


def _string_like(model: cst.BaseExpression, text: str) -> cst.SimpleString:
    quote = model.quote if isinstance(model, cst.SimpleString) else '"'
    return cst.SimpleString(f"{quote}{text}{quote}")


def _fixed_parameters(parameters: cst.Dict) -> cst.Dict | None:
    elements = list(parameters.elements)
    if any(not isinstance(e, cst.DictElement) for e in elements):
        return None  # ``**other`` may set the updater
    keys = {literal_string(e.key): e for e in elements}
    booster = keys.get("booster")
    if booster is None or literal_string(booster.value) != "gblinear":
        return None
    value = _string_like(booster.value, UPDATER)
    updater = keys.get("updater")
    if updater is not None:
        if literal_string(updater.value) == UPDATER:
            return None
        return parameters.with_changes(elements=[e.with_changes(value=value) if e is updater else e for e in elements])
    key = _string_like(booster.key, "updater")
    between = separator([e.comma for e in elements[:-1]])
    last = elements[-1]
    added = cst.DictElement(key=key, value=value, comma=last.comma)
    return parameters.with_changes(elements=[*elements[:-1], last.with_changes(comma=between), added])
