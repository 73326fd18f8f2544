"""Fixes in the environment files: a range pinned to the one version the project resolves (MLF060), and a
variable a program's requirement needs set in its Dockerfile (``ENV CUBLAS_WORKSPACE_CONFIG=:4096:8``).

The edits are plain text replacements on the lines the findings name; ``mlfcore_lint.fix.environment``
hands them to ``mlfcore-fix``, which writes them like its other fixes (atomically, never a stale file).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import SpecifierSet
from packaging.version import InvalidVersion, Version

from ..config import distribution_names
from ..model import Finding
from ..ruleset.schema import EnvironmentMatcher, RuleSet
from ..targets import installed_version as read_installed_version
from .docker import instructions
from .files import Unreadable, read_text
from .model import Pin, Place, ProjectEnvironment, Setting
from .outside import sets

PIN_RULE = "MLF060"
#: Rules whose fix edits environment files rather than Python (``mlfcore_lint.fix.environment``).
FIXED_IN_ENVIRONMENT_FILES = frozenset({PIN_RULE})


@dataclass
class Edit:
    """New text for one environment file, and the findings it fixes as (code, line)."""

    path: Path
    text: str
    fixed: list[tuple[str, int]] = field(default_factory=list)


def resolved_version(distribution: str, environment: ProjectEnvironment, target: SpecifierSet | None = None,
                     ) -> str | None:
    """The one version to pin ``distribution`` to: the one the project resolves it to (``installed_version``)
    where it lies in the range the project is checked against (``target``), else that range's one version
    (``torch==2.11``); None where there is none."""
    version = installed_version(distribution, environment)
    if target is None or (version is not None and target.contains(version, prereleases=True)):
        return version
    exact = [spec.version for spec in target if spec.operator in ("==", "===") and "*" not in spec.version]
    return exact[0] if len(exact) == 1 and len(target) == 1 else None


def installed_version(distribution: str, environment: ProjectEnvironment) -> str | None:
    """The one version the project resolves ``distribution`` to: its lock files' (only when they agree on
    one), else the installed distribution's public version; None when there is none or several."""
    locked = environment.locked.get(distribution)
    if locked is not None:
        return next(iter(locked)) if len(locked) == 1 else None
    for name in distribution_names(distribution):
        try:
            version = Version(read_installed_version(name) or "")
        except InvalidVersion:  # not installed, or a version that is not PEP 440
            continue
        return version.public
    return None


def pinned_text(pin: Pin, version: str) -> str | None:
    """``pin.text`` with its range replaced by ``version``; None where it cannot be rewritten faithfully."""
    if pin.dialect == "poetry":
        rewritten, count = re.subn(r"""(["'])[^"']*\1""", f'"{version}"', pin.text.split("=", 1)[1], count=1)
        return pin.text.split("=", 1)[0] + "=" + rewritten if count else None
    if pin.dialect == "conda":
        match = re.match(r"^((?:[A-Za-z0-9_.-]+::)?[A-Za-z0-9_.-]+)", pin.text.strip())
        return f"{match.group(1)}=={version}" if match else None
    try:
        requirement = Requirement(pin.text)
    except InvalidRequirement:
        return None
    extras = f"[{','.join(sorted(requirement.extras))}]" if requirement.extras else ""
    marker = f"; {requirement.marker}" if requirement.marker else ""
    return f"{requirement.name}{extras}=={version}{marker}"


def plan(findings: list[Finding], environment: ProjectEnvironment, ruleset: RuleSet, root: Path,
         selected, targets: dict[str, SpecifierSet] | None = None) -> tuple[list[Edit], dict[str, str]]:
    """The edits that fix ``findings`` (what ``check`` reported for the project at ``root``), and the
    variables a Dockerfile edit sets (for the rest of the fixing, which must see them as set). A pin gets a
    version of the project's ``targets`` (the ranges it is checked against)."""
    edits: dict[Path, Edit] = {}

    def edit(path: Path) -> Edit | None:
        if path not in edits:
            try:
                edits[path] = Edit(path, read_text(path))
            except Unreadable:
                return None
        return edits[path]

    located = {(os.path.realpath(pin.place.path), pin.place.line): pin for pin in environment.pins}
    for finding in findings:
        if finding.code != PIN_RULE or finding.fix is None or not selected(PIN_RULE):
            continue
        pin = located.get((os.path.realpath(Path.cwd() / finding.path), finding.line))
        target = (targets or {}).get(pin.distribution) if pin is not None else None
        version = resolved_version(pin.distribution, environment, target) if pin is not None else None
        if pin is None or version is None or not pin.specifier.contains(version, prereleases=True):
            continue
        new = pinned_text(pin, version)
        target = edit(pin.place.path) if new else None
        if target is None:
            continue
        lines = target.text.split("\n")
        line = lines[pin.place.line - 1]
        start = pin.place.column - 1
        if line[start:start + len(pin.text)] != pin.text:
            continue
        lines[pin.place.line - 1] = line[:start] + new + line[start + len(pin.text):]
        target.text = "\n".join(lines)
        target.fixed.append((PIN_RULE, finding.line))
    outside = _dockerfile_settings(findings, environment, ruleset, selected)
    if outside:
        dockerfile = environment.dockerfiles[0]
        target = edit(dockerfile)
        if target is not None:
            lines = target.text.split("\n")
            after = max(number for number, instruction, _ in instructions(target.text) if instruction == "FROM")
            lines[after:after] = [f"ENV {name}={value}" for name, value in outside.items()]
            target.text = "\n".join(lines)
            for finding in findings:
                if _settles(ruleset, finding.code, outside):
                    target.fixed.append((finding.code, after + 1))
        else:
            outside = {}
    return [e for e in edits.values() if e.fixed], outside


def _dockerfile_settings(findings: list[Finding], environment: ProjectEnvironment, ruleset: RuleSet,
                         selected) -> dict[str, str]:
    """``NAME: value`` for each variable a reported requirement asks for (its ``missing`` is ``NAME=value``
    and an environment entry of its ``satisfied_by`` accepts that), where the project has one Dockerfile
    with a ``FROM`` line."""
    if len(environment.dockerfiles) != 1:
        return {}
    try:
        if not any(i == "FROM" for _, i, _ in instructions(read_text(environment.dockerfiles[0]))):
            return {}
    except Unreadable:
        return {}
    wanted: dict[str, str] = {}
    for finding in findings:
        rule = ruleset.get(finding.code)
        if rule is None or rule.requirement is None or rule.fix is None or not selected(finding.code):
            continue
        name, equals, value = rule.requirement.missing_api.partition("=")
        if equals and _settles(ruleset, finding.code, {name: value}):
            wanted.setdefault(name, value)
    return wanted


def _settles(ruleset: RuleSet, code: str, variables: dict[str, str]) -> bool:
    rule = ruleset.get(code)
    if rule is None or rule.requirement is None:
        return False
    return any(sets(matcher, Setting(name, value, Place(Path("."))))
               for matcher in rule.requirement.satisfied_by if isinstance(matcher, EnvironmentMatcher)
               for name, value in variables.items())
