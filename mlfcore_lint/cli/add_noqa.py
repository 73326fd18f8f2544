"""``check --add-noqa``: a ``# noqa: CODE`` comment on each finding's line, merged into a ``# noqa`` comment
the line has already; every other byte of the file stays as it was."""

from __future__ import annotations

import io
import json
import re
import tokenize
from collections import defaultdict
from dataclasses import dataclass, field

from ..engine.noqa import CODE, NOQA
from ..engine.source import TOO_COMPLEX, UNREADABLE
from ..model import Finding
from .files import replace_file
from .locations import notebook_cell_lines

NOT_SUPPRESSIBLE = {UNREADABLE, TOO_COMPLEX}  # the file was never read as code
_LINE = re.compile(rb"[^\n]*\n|[^\n]+")


@dataclass
class NoqaEdit:
    path: str
    added: int = 0
    problems: list[str] = field(default_factory=list)
    content: bytes | None = None  # the new bytes (None: unchanged)


def merged_comment(line: str, codes: list[str]) -> tuple[str, int]:
    """``line`` (without its end) with ``codes`` in its ``# noqa`` comment, or a new one; and how many codes
    were added (a bare ``# noqa`` already covers every code)."""
    match = NOQA.search(line) if "#" in line else None
    if match is None:
        return f"{line}  # noqa: {', '.join(codes)}", len(codes)
    existing = [c.upper() for c in CODE.findall(match.group("codes") or "")]
    if not existing:
        return line, 0
    new = [c for c in codes if not any(c.startswith(e) for e in existing)]
    if not new:
        return line, 0
    end = match.end("codes")
    trailing = match.group("codes")[len(match.group("codes").rstrip(", \t")):]
    return line[:end - len(trailing)] + ", " + ", ".join(new) + trailing + line[end:], len(new)


def _commentable_lines(raw: bytes) -> set[int] | None:
    """Lines whose end is the end of a statement or of a line inside brackets: a comment there changes no
    code (not inside a multi-line string, not after a backslash). None: the file does not tokenize."""
    try:
        return {token.start[0] for token in tokenize.tokenize(io.BytesIO(raw).readline)
                if token.type in (tokenize.NEWLINE, tokenize.NL)}
    except (tokenize.TokenError, SyntaxError, UnicodeDecodeError):
        return None


def _edit_python(raw: bytes, by_line: dict[int, list[str]], edit: NoqaEdit) -> bytes:
    lines = _LINE.findall(raw)
    commentable = _commentable_lines(raw)
    for number, codes in sorted(by_line.items()):
        if not 1 <= number <= len(lines) or (commentable is not None and number not in commentable):
            edit.problems.append(f"line {number}: no comment can go there (inside a string or after a "
                                 f"backslash); {', '.join(codes)} left as it is")
            continue
        line = lines[number - 1]
        ending = b"\r\n" if line.endswith(b"\r\n") else b"\n" if line.endswith(b"\n") else b""
        body = line[:len(line) - len(ending)].decode("latin-1")  # one character per byte: offsets stay
        new_body, added = merged_comment(body, codes)
        edit.added += added
        lines[number - 1] = new_body.encode("latin-1") + ending
    return b"".join(lines)


def _cell_commentable_lines(document, cell: int) -> set[int] | None:
    source = document["cells"][cell - 1].get("source", "")
    source = "".join(source) if isinstance(source, list) else source
    return _commentable_lines(source.encode("utf-8"))


def _edit_notebook(raw: bytes, by_cell_line: dict[tuple[int, int], list[str]], edit: NoqaEdit) -> bytes:
    text = raw.decode("utf-8")
    places = notebook_cell_lines(text)
    document = json.loads(text.removeprefix("\ufeff"))
    pieces, last = [], 0
    for key in sorted(by_cell_line, key=lambda k: places[k].end if k in places else -1):
        codes = by_cell_line[key]
        place = places.get(key)
        if place is None:
            edit.problems.append(f"cell {key[0]}, line {key[1]}: not found in the notebook; left as it is")
            continue
        commentable = _cell_commentable_lines(document, key[0])
        if commentable is not None and key[1] not in commentable:
            edit.problems.append(f"cell {key[0]}, line {key[1]}: no comment can go there (inside a string or after "
                                 f"a backslash); {', '.join(codes)} left as it is")
            continue
        start = max(place.start, place.last_string_start + 1)
        new_text, added = merged_comment(text[start:place.end], codes)
        edit.added += added
        pieces += [text[last:start], new_text]
        last = place.end
    pieces.append(text[last:])
    return "".join(pieces).encode("utf-8")


def add_noqa(findings: list[Finding], read) -> list[NoqaEdit]:
    """The edits that suppress ``findings``; ``read(path)`` gives a file's bytes (None when unreadable)."""
    grouped: dict[str, dict] = defaultdict(lambda: defaultdict(list))
    for finding in findings:
        if finding.code in NOT_SUPPRESSIBLE:
            continue
        key = (finding.cell, finding.line) if finding.cell is not None else finding.line
        if finding.code not in grouped[finding.path][key]:
            grouped[finding.path][key].append(finding.code)
    edits = []
    for path, targets in grouped.items():
        edit = NoqaEdit(path)
        raw = read(path)
        if raw is None:
            edit.problems.append("cannot read it; left as it is")
        else:
            try:
                edit_file = _edit_notebook if path.endswith(".ipynb") else _edit_python
                new = edit_file(raw, targets, edit)
            except (ValueError, UnicodeDecodeError) as error:
                edit.problems.append(f"cannot add a comment: {error}; left as it is")
                new = raw
            edit.content = new if new != raw else None
        edits.append(edit)
    return edits


def write_edits(edits: list[NoqaEdit]) -> None:
    for edit in edits:
        if edit.content is not None:
            try:
                replace_file(edit.path, edit.content)
            except OSError as error:
                edit.problems.append(f"cannot write: {error.strerror or error}")
                edit.added = 0
