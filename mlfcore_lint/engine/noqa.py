"""``# noqa`` comments, read the way flake8 reads them."""

from __future__ import annotations

import re

NOQA = re.compile(
    r"#\s*noqa(?::[\s]?(?P<codes>[A-Z]+[0-9]+(?:[,\s]+)?(?:[A-Z]+[0-9]+(?:[,\s]+)?)*))?",
    re.IGNORECASE,
)
CODE = re.compile(r"[A-Z]+[0-9]+", re.IGNORECASE)


def noqa_lines(source: str) -> dict[int, list[str]]:
    """Line number -> the codes its ``# noqa`` names ([] for a bare ``# noqa``)."""
    if "noqa" not in source and "NOQA" not in source.upper():
        return {}
    found = {}
    for number, line in enumerate(source.splitlines(), start=1):
        if "#" not in line:
            continue
        match = NOQA.search(line)
        if match is None:
            continue
        codes = match.group("codes")
        found[number] = [c.upper() for c in CODE.findall(codes)] if codes else []
    return found


def is_suppressed(noqa: dict[int, list[str]], line: int, code: str) -> bool:
    codes = noqa.get(line)
    if codes is None:
        return False
    return not codes or any(code.startswith(c) for c in codes)
