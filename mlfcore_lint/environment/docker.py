"""Dockerfiles: base images (``FROM``), variables (``ENV``) and packages installed without a pin (``RUN``)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from packaging.specifiers import SpecifierSet

from .files import read_text, reports_unreadable
from .model import Image, Pin, Place, ProjectEnvironment, Setting
from .requirements import parse_conda, parse_pep508

_INSTALL = re.compile(
    r"(?:^|\s)(?:(?:python[0-9.]*\s+-m\s+)?pip[0-9.]*|uv\s+pip|(?:micro)?mamba|conda)\s+install\s+(.*)$")
_VALUED = {"-r", "--requirement", "-c", "--constraint", "-i", "--index-url", "--extra-index-url", "-f",
           "--find-links", "--trusted-host", "-n", "--name", "-p", "--prefix", "--channel", "--target", "-t",
           "--platform", "--python-version", "--root"}


def is_dockerfile(name: str) -> bool:
    return name in ("Dockerfile", "Containerfile") or name.startswith("Dockerfile.") or name.endswith(".Dockerfile")


def instructions(text: str) -> list[tuple[int, str, str]]:
    """(line, INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    result, pending, start = [], "", 0
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not pending:
            start = number
            if not stripped or stripped.startswith("#"):
                continue
        elif stripped.startswith("#"):
            continue  # comment lines inside a continued instruction are dropped by Docker
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        pending += stripped
        parts = pending.split(None, 1)
        if parts:
            result.append((start, parts[0].upper(), parts[1] if len(parts) > 1 else ""))
        pending = ""
    if pending.strip():
        parts = pending.split(None, 1)
        result.append((start, parts[0].upper(), parts[1] if len(parts) > 1 else ""))
    return result


@reports_unreadable
def read_dockerfile(path: Path, found: ProjectEnvironment) -> None:
    text = read_text(path)
    found.dockerfiles.append(path)
    lines = text.splitlines()
    arguments: dict[str, str] = {}
    stages: set[str] = set()
    for number, instruction, rest in instructions(text):
        if instruction == "ARG":
            name, _, default = rest.partition("=")
            if default:
                arguments[name.strip()] = default.strip().strip("\"'")
        elif instruction == "FROM":
            words = [w for w in rest.split() if not w.startswith("--")]
            if not words:
                continue
            reference = _substitute(words[0], arguments)
            if len(words) >= 3 and words[1].lower() == "as":
                stages.add(words[2].lower())
            if reference is None or reference.lower() in stages or reference == "scratch":
                continue
            found.images.append(Image(reference, _locate(path, lines, number, words[0])))
        elif instruction == "ENV":
            for variable, value in _env_pairs(rest):
                found.settings.append(Setting(variable, value, _locate(path, lines, number, variable)))
        elif instruction == "RUN":
            for text_, parsed, dialect in _installs(rest, arguments):
                found.container_installs.append(Pin(parsed[0], parsed[1], text_,
                                                    _locate(path, lines, number, text_), dialect=dialect))


def _substitute(reference: str, arguments: dict[str, str]) -> str | None:
    def replace(match):
        name = match.group(1) or match.group(2)
        return arguments.get(name.split(":-")[0], match.group(0))

    value = re.sub(r"\$\{([^}]+)\}|\$([A-Za-z_][A-Za-z0-9_]*)", replace, reference)
    return None if "$" in value else value


def _env_pairs(rest: str) -> list[tuple[str, str]]:
    try:
        words = shlex.split(rest)
    except ValueError:
        words = rest.split()
    if words and "=" not in words[0]:  # the legacy form: ``ENV NAME value with spaces``
        return [(words[0], " ".join(words[1:]))]
    return [tuple(word.split("=", 1)) for word in words if "=" in word]


def _installs(command: str, arguments: dict[str, str]) -> list[tuple[str, tuple[str, SpecifierSet], str]]:
    """Each package a ``pip``/``uv pip``/``conda`` install in ``command`` names, with its specifier (an ``ARG``
    with a default substituted: ``xgboost==${XGBOOST_VERSION}``)."""
    found = []
    for part in re.split(r"&&|\|\||;|\|", command):
        match = _INSTALL.search(part)
        if not match:
            continue
        conda = re.search(r"(?:conda|mamba)\s+install", part) is not None
        try:
            words = shlex.split(match.group(1))
        except ValueError:
            words = match.group(1).split()
        skip = False
        for word in words:
            if skip:
                skip = False
                continue
            if word.startswith("-"):
                skip = word in _VALUED
                continue
            value = _substitute(word, arguments)
            if value is None:
                continue  # a version the build passes in: not known here
            parsed = parse_conda(value) if conda else parse_pep508(value)
            if parsed is not None:
                found.append((word, parsed, "conda" if conda else "pep508"))
    return found


def _locate(path: Path, lines: list[str], number: int, text: str) -> Place:
    """Where ``text`` is written in the instruction that starts at line ``number`` (on a continuation line
    too); the instruction's first line where it cannot be found (an ``ARG`` substituted into it)."""
    for offset in range(number - 1, min(len(lines), number + 200)):
        position = lines[offset].find(text)
        if position >= 0:
            return Place(path, offset + 1, position + 1, position + 1 + len(text))
        if offset > number - 1 and not lines[offset - 1].rstrip().endswith("\\"):
            break
    return Place(path, number)
