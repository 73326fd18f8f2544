"""Turning a file's bytes into source text, with one clear problem for anything that is not Python."""

from __future__ import annotations

import codecs
import io
import re
import tokenize

MAX_FILE_BYTES = 10 * 1024 * 1024  # larger files are reported, not parsed

UNREADABLE = "MLF901"
SYNTAX_ERROR = "MLF902"
INVALID_NOTEBOOK = "MLF903"
TOO_COMPLEX = "MLF904"


class SourceProblem(Exception):
    def __init__(self, code: str, message: str, line: int = 1, column: int = 1):
        super().__init__(message)
        self.code, self.message, self.line, self.column = code, message, line, column


def check_size_and_content(data: bytes | str) -> None:
    """Refuse what is not Python text: NUL characters, more than MAX_FILE_BYTES."""
    if (b"\0" if isinstance(data, bytes) else "\0") in data:
        raise SourceProblem(UNREADABLE, "binary file (contains NUL bytes), not Python source")
    if len(data) > MAX_FILE_BYTES:
        raise SourceProblem(TOO_COMPLEX, f"file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB; not checked")


def decode_source(raw: bytes) -> str:
    """Decode Python source as the interpreter would (BOM, coding cookie, UTF-8 default)."""
    check_size_and_content(raw)
    return source_encoding(raw)[0]


def source_encoding(raw: bytes) -> tuple[str, str]:
    """(the text, the encoding it is written in) as the interpreter reads it: the BOM (encoding ``utf-8``,
    the BOM left out of the text), the coding cookie, else UTF-8; raises ``SourceProblem``."""
    first_end = raw.find(b"\n")
    second_end = raw.find(b"\n", first_end + 1) if first_end >= 0 else -1
    if b"coding" not in (raw if second_end < 0 else raw[:second_end]) and not raw.startswith(codecs.BOM_UTF8):
        try:  # no cookie in the first two lines (most files): UTF-8, without reading them line by line
            return raw.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            pass  # the interpreter's own wording, from the reading below
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(raw).readline)
    except SyntaxError as error:
        raise SourceProblem(UNREADABLE, f"cannot decode: {error}") from None
    try:
        text = raw.decode(encoding)
    except (UnicodeDecodeError, LookupError) as error:
        reason = error.reason if isinstance(error, UnicodeDecodeError) else str(error)
        # The line of the first byte that does not decode, never past the file's last line (a multi-byte
        # encoding can fail on the final newline).
        last_line = max(1, raw.count(b"\n") + (0 if raw.endswith(b"\n") else 1))
        line = min(raw[: getattr(error, "start", 0)].count(b"\n") + 1, last_line)
        raise SourceProblem(UNREADABLE, f"not valid {encoding} text: {reason}", line) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    return text, "utf-8" if encoding == "utf-8-sig" else encoding


def has_bom(raw: bytes) -> bool:
    return raw.startswith(codecs.BOM_UTF8)


class CharacterColumns:
    """Character columns from the UTF-8 byte offsets :mod:`ast` gives (they differ only after non-ASCII text)."""

    _LINE_BREAK = re.compile(r"\r\n|\r|\n")  # Python's own line ends; ``str.splitlines`` knows more

    def __init__(self, source: str):
        self._source = source
        self._lines: list[str] | None = None  # split on first use: most files have nothing to place

    def of(self, line: int, byte_offset: int) -> int:
        if self._lines is None:
            self._lines = [] if self._source.isascii() else self._LINE_BREAK.split(self._source)
        if line > len(self._lines) or self._lines[line - 1].isascii():
            return byte_offset
        return len(self._lines[line - 1].encode("utf-8")[:byte_offset].decode("utf-8", errors="replace"))
