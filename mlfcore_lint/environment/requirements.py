"""Requirement strings (PEP 508 and conda's) and pip requirements files, with ``-r``/``-c`` includes."""

from __future__ import annotations

import os
import re
import shlex
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet

from ..config import normalize_distribution
from .files import Unreadable, problem, read_text
from .model import FileProblem, Pin, Place

#: Options of a requirements line that take a value (the value is not a requirement).
_VALUED_OPTIONS = {"-i", "--index-url", "--extra-index-url", "-f", "--find-links", "--trusted-host",
                   "--global-option", "--config-settings", "--install-option", "--hash", "--pre"}
MAX_INCLUDES = 64


def parse_pep508(text: str) -> tuple[str, SpecifierSet] | None:
    """``torch>=2.1 ; python_version>'3.8'`` -> (``torch``, ``>=2.1``); None for URLs, paths and bad text."""
    text = text.split(" #", 1)[0].strip()
    if not text or text.startswith(("-", ".", "/", "git+", "http:", "https:", "file:")):
        return None
    try:
        requirement = Requirement(text)
    except InvalidRequirement:
        return None
    if requirement.url:
        return None
    return normalize_distribution(requirement.name), requirement.specifier


def parse_conda(text: str) -> tuple[str, SpecifierSet] | None:
    """conda's ``pytorch=2.1``, ``pytorch==2.1.0=py3.11_cuda12``, ``pytorch>=2.1``, ``conda-forge::numpy``."""
    text = text.split("::")[-1].split("#", 1)[0].strip()
    match = re.match(r"^([A-Za-z0-9_.-]+)\s*(.*)$", text)
    if not match:
        return None
    name, rest = match.group(1), match.group(2).replace(" ", "")
    if rest.startswith("=") and not rest.startswith("=="):
        rest = "=" + rest  # conda's ``=2.1`` pins a version as ``==2.1`` does
    if rest.startswith("=="):
        version = rest[2:].split("=")[0]  # drop a build string
        rest = f"=={version}"
    try:
        return normalize_distribution(name), SpecifierSet(rest)
    except InvalidSpecifier:
        return normalize_distribution(name), SpecifierSet()


def logical_lines(text: str) -> list[tuple[int, str]]:
    """(first line number, text) per logical line: ``\\`` continuations joined, comments dropped."""
    result: list[tuple[int, str]] = []
    pending, start = "", 0
    for number, line in enumerate(text.splitlines(), start=1):
        if not pending:
            start = number
        stripped = re.sub(r"(^|\s)#.*$", "", line)
        if stripped.rstrip().endswith("\\"):
            pending += stripped.rstrip()[:-1] + " "
            continue
        pending += stripped
        if pending.strip():
            result.append((start, pending.strip()))
        pending = ""
    if pending.strip():
        result.append((start, pending.strip()))
    return result


def read_requirements(path: Path, pins: list[Pin], problems: list[FileProblem], seen: set[Path]) -> None:
    """Pins of a requirements file and of the files it includes (``-r``, ``-c``), each file once."""
    resolved = Path(os.path.realpath(path))
    if resolved in seen or len(seen) >= MAX_INCLUDES:
        return
    seen.add(resolved)
    try:
        text = read_text(path)
    except Unreadable as error:
        problems.append(error.problem)
        return
    for number, line in logical_lines(text):
        try:
            words = shlex.split(line)
        except ValueError:
            words = line.split()
        include = _include(words)
        if include is not None:
            target = (path.parent / include)
            if target.exists() or target.is_symlink():
                read_requirements(target, pins, problems, seen)
            else:
                problems.append(problem(path, f"included file {include!r} does not exist", number).problem)
            continue
        if not words or words[0].startswith("-"):
            continue  # an option line (-e, --index-url ...), not a requirement of a distribution
        requirement = " ".join(_without_options(words))
        parsed = parse_pep508(requirement)
        if parsed is None:
            continue
        hashed = any(word.startswith("--hash") for word in words)
        column = _column(text, number, words[0])
        pins.append(Pin(parsed[0], parsed[1], requirement, Place(path, number, column, column + len(requirement)),
                        hashed))


def _include(words: list[str]) -> str | None:
    if not words:
        return None
    first = words[0]
    for option in ("-r", "--requirement", "-c", "--constraint"):
        if first == option and len(words) > 1:
            return words[1]
        if first.startswith(option + "=") and option.startswith("--"):
            return first.split("=", 1)[1]
        if first.startswith(option) and option in ("-r", "-c") and len(first) > 2:
            return first[2:]
    return None


def _without_options(words: list[str]) -> list[str]:
    kept, skip = [], False
    for word in words:
        if skip:
            skip = False
            continue
        if word.startswith("-"):
            skip = word in _VALUED_OPTIONS and "=" not in word
            continue
        kept.append(word)
    return kept


def _column(text: str, number: int, first_word: str) -> int:
    lines = text.splitlines()
    if 0 < number <= len(lines):
        found = lines[number - 1].find(first_word[:20])
        if found >= 0:
            return found + 1
    return 1
