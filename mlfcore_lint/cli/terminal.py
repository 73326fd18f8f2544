"""Colour that follows the terminal: ``--color``, then ``NO_COLOR`` / ``FORCE_COLOR``, then whether the output
is a terminal (https://no-color.org, https://force-color.org)."""

from __future__ import annotations

import os
import unicodedata
from dataclasses import dataclass

_CODES = {"bold": "1", "dim": "2", "red": "31", "yellow": "33", "cyan": "36", "green": "32", "blue": "34"}
SEVERITY_STYLE = {"error": "red", "warning": "yellow", "info": "blue"}


def printable(text: str, keep_tabs: bool = False) -> str:
    """``text`` with control characters, line and paragraph separators and invisible format characters (such
    as bidirectional overrides) escaped: a path or message from a checked project is one line of text, and
    never an instruction to the terminal."""
    if text.isprintable():
        return text
    out = []
    for character in text:
        if character.isprintable() or (keep_tabs and character == "\t") or character == " ":
            out.append(character)
        elif unicodedata.category(character) in ("Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn", "Zs"):
            out.append(repr(character)[1:-1] if character.isascii() else f"\\u{ord(character):04x}")
        else:
            out.append(character)
    return "".join(out)


def colour_wanted(choice: str, stream, environ=None) -> bool:
    """Whether to colour what goes to ``stream`` (``None``: a file named by ``--output``)."""
    environ = os.environ if environ is None else environ
    if choice in ("always", "never"):
        return choice == "always"
    if stream is None or environ.get("NO_COLOR"):  # a report file is coloured only with --color always
        return False
    if environ.get("FORCE_COLOR"):
        return True
    if environ.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


@dataclass(frozen=True)
class Palette:
    enabled: bool = False

    def paint(self, text: str, *styles: str) -> str:
        if not self.enabled or not styles or not text:
            return text
        return "\x1b[" + ";".join(_CODES[s] for s in styles) + "m" + text + "\x1b[0m"
