"""Notebooks, fixed cell by cell: only the ``source`` of changed code cells is rewritten in the JSON."""

from __future__ import annotations

import ast
import codecs
import dataclasses
import json
import re

from ..engine.notebook import is_cell_magic, is_ipython_line
from ..model import Finding
from .apply import FixContext, fix_module, sites_for
from .names import source_bindings
from .seeding import SEEDING_STEPS

_INDENT = re.compile(rb"\n([ \t]+)\S")


def _masked(source: str) -> tuple[str, dict[str, str]]:
    """The cell with IPython lines (``engine.notebook.is_ipython_line``, the lines the linter blanks) replaced by
    unique comments, and the way back."""
    masked, originals = [], {}
    for number, line in enumerate(source.splitlines(keepends=True)):
        content = line.rstrip("\r\n")
        stripped = content.lstrip()
        if is_ipython_line(content):
            placeholder = f"{content[:len(content) - len(stripped)]}#mlfcore-fix-ipython-line-{number}"
            originals[placeholder] = content
            content = placeholder
        masked.append(content + line[len(line.rstrip("\r\n")):])
    return "".join(masked), originals


def _unmasked(text: str, originals: dict[str, str]) -> str:
    if not originals:
        return text
    lines = text.splitlines(keepends=True)
    for position, line in enumerate(lines):
        content = line.rstrip("\r\n")
        if content in originals:
            lines[position] = originals[content] + line[len(content):]
    return "".join(lines)


def fix_notebook(raw: bytes, findings: list[Finding], context: FixContext,
                 programs=()) -> tuple[bytes, list, list[str]]:
    """The notebook's new bytes, the sites fixed, and problems met (cells left alone)."""
    bom = raw.startswith(codecs.BOM_UTF8)
    document = json.loads(raw.decode("utf-8-sig"))
    fixed, problems = [], []
    by_cell: dict[int, list[Finding]] = {}
    working = _first_working_cell(document["cells"])
    for finding in findings:
        if finding.cell is not None and working is not None and finding.cell > working[0] \
                and finding.code in SEEDING_STEPS:
            # the program's seeds go before its first cell that does work (builds a model, draws), not later
            finding = dataclasses.replace(finding, cell=working[0], line=working[1], column=1)
        if finding.cell is not None:
            by_cell.setdefault(finding.cell, []).append(finding)
    earlier_bindings = []  # what the cells before a cell import, so a fix reuses their aliases
    for number, cell in enumerate(document["cells"], start=1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        text = "".join(source) if isinstance(source, list) else source
        if is_cell_magic(text):
            continue  # a cell magic: not Python
        masked, originals = _masked(text)
        cell_findings = by_cell.get(number)
        if not cell_findings:
            if number < max(by_cell, default=0):
                earlier_bindings += source_bindings(masked, context.index.canonical)
            continue
        outcome = fix_module(masked, sites_for(cell_findings, context), context, earlier_bindings, programs)
        earlier_bindings += source_bindings(outcome.text, context.index.canonical)
        if outcome.problem:
            problems.append(f"cell {number}: {outcome.problem}")
        problems += [f"cell {number}, line {note}" for note in outcome.notes]
        if not outcome.changed:
            continue
        new_text = _unmasked(outcome.text, originals)
        if not text[:1].isspace():
            new_text = new_text.lstrip("\r\n")  # a block at the top of a cell: no blank line opens it
        cell["source"] = new_text.splitlines(keepends=True) if isinstance(source, list) else new_text
        fixed.extend(outcome.fixed)
    if not fixed:
        return raw, [], problems
    return _dumped(document, raw, bom), fixed, problems


def _first_working_cell(cells) -> tuple[int, int] | None:
    """(cell number, line) of the first top-level statement of the notebook that does work: not an import, a
    definition or a docstring. A cell that does not parse ends the search."""
    for number, cell in enumerate(cells, start=1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        text = "".join(source) if isinstance(source, list) else source
        if is_cell_magic(text):
            continue
        try:
            body = ast.parse(_masked(text)[0]).body
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return None
        for statement in body:
            if not isinstance(statement, _NO_WORK) and not (
                    isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant)):
                return number, statement.lineno
    return None


#: Top-level statements that do no work when a cell runs: what a seeding block may follow.
_NO_WORK = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


def _dumped(document, raw: bytes, bom: bool) -> bytes:
    """JSON written in the file's own style: its indentation, escaping and final newline."""
    indent_match = _INDENT.search(raw)
    indent = indent_match.group(1).decode() if indent_match else None
    if indent is not None and set(indent) == {" "}:
        indent = len(indent)
    ensure_ascii = raw.isascii() and b"\\u" in raw
    separators = None if indent is not None else ((", ", ": ") if b'": ' in raw else (",", ":"))
    text = json.dumps(document, indent=indent, ensure_ascii=ensure_ascii, separators=separators)
    if raw.rstrip(b"\r\n") != raw:
        text += "\n"
    if b"\r\n" in raw:
        text = text.replace("\n", "\r\n")
    return (codecs.BOM_UTF8 if bom else b"") + text.encode("utf-8")
