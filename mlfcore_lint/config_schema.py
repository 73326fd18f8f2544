"""A JSON schema for ``[tool.mlfcore-lint]`` (editors, schemastore), generated from the keys that
:func:`mlfcore_lint.config.apply_table` reads: ``python -m mlfcore_lint.config_schema > mlfcore-lint.schema.json``.
"""

from __future__ import annotations

import ast
import inspect
import json

from . import config

SCHEMA_ID = "https://raw.githubusercontent.com/mlf-core/mlfcore-lint/main/mlfcore-lint.schema.json"

# What each key holds (the reader's checks, as JSON schema: a single string stands for a list of one) and
# what it means.
_CODE = {"type": "string", "pattern": config.CODE_OR_PREFIX.pattern}
_CODES = {"anyOf": [_CODE, {"type": "array", "items": _CODE}]}
_STRINGS = {"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]}
KINDS = {
    "codes": _CODES,
    "globs": _STRINGS,
    "requirements": _STRINGS,
    "paths": _STRINGS,
    "names": _STRINGS,
    "variables": {"type": "object", "additionalProperties": {"type": "string"}},
    "per-file": {"type": "object", "additionalProperties": _CODES},
    "boolean": {"type": "boolean"},
}
KEYS = {
    "select": ("codes", "Codes or prefixes to report (default [\"MLF\"]); ALL selects every code."),
    "extend-select": ("codes", "Codes or prefixes added to `select`."),
    "ignore": ("codes", "Codes or prefixes to leave out; the longest matching prefix decides against `select`."),
    "per-file-ignores": ("per-file", "Codes to leave out in the files (relative to the project root) a glob matches."),
    "exclude": ("globs", "Files and folders not to check; replaces the default list."),
    "extend-exclude": ("globs", "Files and folders not to check, added to `exclude`."),
    "target": ("requirements", "Framework versions to check against, as PEP 508 requirements (\"torch==2.11\")."),
    "extend-rules": ("paths", "Extra rule files (YAML), relative to the configuration file."),
    "entry-points": ("globs", "Files that start a program, besides those found automatically."),
    "pinned-elsewhere": ("names", "Distributions whose version the project fixes outside its files (\"*\": all)."),
    "set-elsewhere": ("variables", "Environment variables the launcher sets, with their values."),
    "respect-gitignore": ("boolean", "Skip what the project's .gitignore files ignore (default true)."),
}


def keys_read() -> list[str]:
    """The keys ``apply_table`` looks up (``"key" in table``), in the order it reads them."""
    tree = ast.parse(inspect.getsource(config.apply_table))
    return [node.left.value for node in ast.walk(tree)
            if isinstance(node, ast.Compare) and isinstance(node.left, ast.Constant)
            and isinstance(node.left.value, str) and isinstance(node.ops[0], ast.In)
            and isinstance(node.comparators[0], ast.Name) and node.comparators[0].id == "table"]


def config_schema() -> dict:
    read = keys_read()
    missing = [key for key in read if key not in KEYS]
    if missing:
        raise KeyError(f"the configuration reads {missing}, which the schema does not describe")
    properties = {}
    for key in read:
        kind, description = KEYS[key]
        properties[key] = {"description": description, **KINDS[kind]}
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$id": SCHEMA_ID,
        "title": "[tool.mlfcore-lint]",
        "description": "Settings of mlfcore-lint in pyproject.toml (https://mlfcore-lint.readthedocs.io/).",
        "type": "object",
        "properties": properties,
        "additionalProperties": False,
    }


def main() -> None:
    print(json.dumps(config_schema(), indent=2))


if __name__ == "__main__":
    main()
