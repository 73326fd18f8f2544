"""Where a finding lies in the file as stored: its source line, and for a notebook the line and column of
the cell's text inside the ``.ipynb`` JSON (what GitHub, SARIF viewers and ``--add-noqa`` need)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from json.decoder import scanstring

from ..files import NotReadable, read_regular
from ..model import Finding

_WHITESPACE = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()


@dataclass(frozen=True)
class Spanned:
    """A JSON value with the offsets of its text: ``start`` and ``end`` of a string are its quotes."""

    value: object
    start: int
    end: int


def _parse(text: str, index: int) -> tuple[Spanned, int]:
    index = _WHITESPACE.match(text, index).end()
    char = text[index:index + 1]
    if char == '"':
        value, end = scanstring(text, index + 1)
        return Spanned(value, index, end - 1), end
    if char == "[":
        items, index = [], _WHITESPACE.match(text, index + 1).end()
        if text[index:index + 1] == "]":
            return Spanned(items, index, index), index + 1
        while True:
            item, index = _parse(text, index)
            items.append(item)
            index = _WHITESPACE.match(text, index).end()
            if text[index:index + 1] == "]":
                return Spanned(items, index, index), index + 1
            index += 1  # the comma
    if char == "{":
        members, index = {}, _WHITESPACE.match(text, index + 1).end()
        if text[index:index + 1] == "}":
            return Spanned(members, index, index), index + 1
        while True:
            key, index = _parse(text, index)
            index = _WHITESPACE.match(text, index).end() + 1  # the colon
            members[key.value], index = _parse(text, index)
            index = _WHITESPACE.match(text, index).end()
            if text[index:index + 1] == "}":
                return Spanned(members, index, index), index + 1
            index += 1
    value, end = _DECODER.raw_decode(text, index)
    return Spanned(value, index, end), end


@dataclass(frozen=True)
class CellLine:
    """One line of a code cell in the notebook's JSON text: where its text starts, and where its end is
    (before the escaped newline, or before the closing quote of the last string)."""

    start: int
    end: int
    last_string_start: int  # the text of the line's end lies in the string that starts here


def _string_newlines(text: str, start: int, end: int) -> list[int]:
    """Offsets of the escaped newlines (``\\n``) inside the JSON string literal text[start:end]."""
    found, index = [], start + 1
    while index < end:
        if text[index] == "\\":
            if text[index + 1] == "n":
                found.append(index)
            index += 6 if text[index + 1] == "u" else 2
        else:
            index += 1
    return found


def notebook_cell_lines(text: str) -> dict[tuple[int, int], CellLine]:
    """(cell number, line in cell) -> its place in the notebook's JSON text; numbers as the engine counts
    them (every cell counts, the first is 1). Raises ValueError for text that is not a notebook."""
    try:
        document, _ = _parse(text, 1 if text.startswith("\ufeff") else 0)
    except (ValueError, IndexError, TypeError) as error:
        raise ValueError(f"not a notebook: {error}") from None
    except RecursionError:
        raise ValueError("not a notebook: nested too deeply") from None
    cells = document.value.get("cells") if isinstance(document.value, dict) else None
    if cells is None or not isinstance(cells.value, list):
        raise ValueError("not a notebook: no list of cells")
    places: dict[tuple[int, int], CellLine] = {}
    for number, cell in enumerate(cells.value, start=1):
        if not isinstance(cell.value, dict) or getattr(cell.value.get("cell_type"), "value", None) != "code":
            continue
        source = cell.value.get("source")
        strings = [source] if source is not None and isinstance(source.value, str) else (
            [s for s in source.value if isinstance(s.value, str)] if source is not None
            and isinstance(source.value, list) else [])
        line, line_start = 1, None
        for string in strings:
            if line_start is None and string.end > string.start + 1:
                line_start = string.start + 1
            for newline in _string_newlines(text, string.start, string.end):
                places[(number, line)] = CellLine(line_start if line_start is not None else newline, newline,
                                                  string.start)
                line += 1
                line_start = newline + 2 if newline + 2 < string.end else None
        if line_start is not None:
            places[(number, line)] = CellLine(line_start, strings[-1].end, strings[-1].start)
    return places


def line_and_column(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of ``offset`` in ``text``."""
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


class SourceLines:
    """The files findings were reported in, read once each (``overrides``: text that stands in for a file,
    such as standard input)."""

    def __init__(self, overrides: dict[str, bytes] | None = None):
        self._raw: dict[str, bytes | None] = dict(overrides or {})
        self._cells: dict[str, dict | None] = {}

    def raw(self, path: str) -> bytes | None:
        if path not in self._raw:
            try:
                self._raw[path] = read_regular(path)
            except NotReadable:
                self._raw[path] = None
        return self._raw[path]

    def _notebook_text(self, path: str) -> str | None:
        raw = self.raw(path)
        try:
            return None if raw is None else raw.decode("utf-8")
        except UnicodeDecodeError:
            return None

    def cell_lines(self, path: str) -> dict[tuple[int, int], CellLine] | None:
        if path not in self._cells:
            text = self._notebook_text(path)
            try:
                self._cells[path] = None if text is None else notebook_cell_lines(text)
            except ValueError:
                self._cells[path] = None
        return self._cells[path]

    def line(self, finding: Finding) -> str | None:
        """The text of the finding's line (in its cell, for a notebook), without its line end."""
        if finding.cell is not None:
            text, place = self._notebook_text(finding.path), self._cell_line(finding)
            if text is None or place is None:
                return None
            return json.loads('"' + _json_line_text(text, place) + '"')
        raw = self.raw(finding.path)
        if raw is None:
            return None
        lines = raw.split(b"\n")
        if not 1 <= finding.line <= len(lines):
            return None
        return lines[finding.line - 1].rstrip(b"\r").decode("utf-8", errors="replace")

    def _cell_line(self, finding: Finding) -> CellLine | None:
        places = self.cell_lines(finding.path)
        return None if places is None else places.get((finding.cell, finding.line))

    def stored_position(self, finding: Finding) -> tuple[int, int, int, int]:
        """(line, column, end line, end column) in the file as stored: for a notebook finding, in its JSON text,
        at the cell's line (the columns count from the start of the line's text there)."""
        end_line, end_column = max(finding.end_line, finding.line), max(finding.end_column, 1)
        if finding.cell is None:
            return finding.line, finding.column, end_line, end_column
        text, place = self._notebook_text(finding.path), self._cell_line(finding)
        if text is None or place is None:
            return finding.line, finding.column, end_line, end_column
        line, column = line_and_column(text, place.start)
        return line, column + finding.column - 1, line, column + (end_column - 1 if end_line == finding.line
                                                                    else len(_json_line_text(text, place)))


def _json_line_text(text: str, place: CellLine) -> str:
    """The JSON text of a cell's line (escapes kept); a line split over strings keeps only its last part."""
    return text[max(place.start, place.last_string_start + 1):place.end]
