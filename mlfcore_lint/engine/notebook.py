"""Jupyter notebooks: the code cells joined into one module, with a map back to cell and line."""

from __future__ import annotations

import json

from .source import INVALID_NOTEBOOK, SourceProblem

_LINE_MAGIC_PREFIXES = ("%", "!", "?")


def is_cell_magic(source: str) -> bool:
    """A cell that starts with ``%%``: IPython syntax throughout, not Python."""
    return source.lstrip().startswith("%%")


def is_ipython_line(line: str) -> bool:
    """A line magic (``%time``), a shell escape (``!ls``) or a help request (``x?``): not Python."""
    stripped = line.lstrip()
    return stripped.startswith(_LINE_MAGIC_PREFIXES) or stripped.endswith("?")


def notebook_source(raw: bytes) -> tuple[str, list[list[int]]]:
    """Return the joined source of the code cells and, per line, ``[cell number, line in cell]``."""
    try:
        document = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise SourceProblem(INVALID_NOTEBOOK, f"notebook is not valid JSON: {error}") from None
    except RecursionError:
        raise SourceProblem(INVALID_NOTEBOOK, "notebook is not valid JSON: nested too deeply") from None
    if not isinstance(document, dict) or not isinstance(document.get("cells"), list):
        raise SourceProblem(INVALID_NOTEBOOK, "notebook has no list of cells")
    lines: list[str] = []
    line_map: list[list[int]] = []
    for cell_number, cell in enumerate(document["cells"], start=1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        if isinstance(source, list):
            source = "".join(s for s in source if isinstance(s, str))
        if not isinstance(source, str):
            raise SourceProblem(INVALID_NOTEBOOK, f"cell {cell_number} has no source text")
        cell_lines = source.splitlines()
        cell_magic = is_cell_magic(source)
        for number, line in enumerate(cell_lines, start=1):
            stripped = line.lstrip()
            if cell_magic:
                line = ""  # IPython syntax: keep the line so numbers stay right, drop its content
            elif is_ipython_line(line):
                # a statement that does nothing, so that a block holding only magics stays a block
                line = line[: len(line) - len(stripped)] + "pass" if stripped else ""
            lines.append(line)
            line_map.append([cell_number, number])
    return "\n".join(lines) + "\n", line_map
