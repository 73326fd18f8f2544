"""``mlfcore-fix`` in the project's environment files (see :mod:`mlfcore_lint.environment.fixes`): pins and a
Dockerfile's ``ENV``, planned before the Python fixes so that those see the variables the Dockerfile sets."""

from __future__ import annotations

import codecs
import dataclasses
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..config import Settings
from ..environment.checks import display_path
from ..environment.fixes import PIN_RULE, plan
from ..environment.scan import scan, scan_folder
from ..files import same_path
from ..model import Finding
from .codemods.base import Site
from .writer import FileSnapshot, why_not_writable


@dataclass
class EnvironmentFixes:
    files: list  # a ``FileFix`` per environment file to change
    settings: Settings  # what the Python fixes run with (the variables a Dockerfile's new ENV sets)
    before: list[Finding] = field(default_factory=list)  # what ``check`` reports before any fix
    remaining: list[Finding] = field(default_factory=list)  # findings in environment files left unfixed


def environment_fixes(paths: list[Path], settings: Settings, ruleset,
                      check: Callable[[], list[Finding]]) -> EnvironmentFixes:
    """The fixes in the environment files, from ``check()``'s findings (what ``check`` reports on ``paths``,
    environment files included). Only where the project root is fixed, as ``check`` reports environment
    findings only there."""
    from .runner import FileFix

    root = settings.root.resolve()
    if not settings.discover_targets or not any(same_path(path, root) for path in paths):
        return EnvironmentFixes([], settings)
    findings = check()
    environment = scan(root)
    # a pin in a sub-folder's own install files (an example's requirements.txt) is fixed where it is written
    folders = {os.path.dirname(os.path.realpath(Path.cwd() / f.path)) for f in findings if f.code == PIN_RULE}
    below = [pin for folder in sorted(folders) if not same_path(folder, root) for pin in scan_folder(Path(folder)).pins]
    if below:
        environment = dataclasses.replace(environment, pins=[*environment.pins, *below])
    edits, outside = plan(findings, environment, ruleset, root, settings.is_selected, settings.targets)
    fixes = []
    for edit in edits:
        try:
            snapshot = FileSnapshot.read(edit.path)
        except OSError:
            continue
        left_alone = why_not_writable(edit.path, root, snapshot.mode)
        if left_alone:
            fixes.append(FileFix(display_path(edit.path), edit.path, left_alone=left_alone))
            continue
        bom = codecs.BOM_UTF8 if snapshot.raw.startswith(codecs.BOM_UTF8) else b""
        sites = [Site(code, line, 1, "") for code, line in edit.fixed]
        fixes.append(FileFix(display_path(edit.path), edit.path, sites, original=snapshot,
                             content=bom + edit.text.encode("utf-8")))
    if outside:
        settings = dataclasses.replace(settings, set_elsewhere={**settings.set_elsewhere, **outside})
    fixed = {(fix.display, site.line, site.code) for fix in fixes for site in fix.fixed}
    inspected = {rule.code for rule in ruleset if rule.inspects}
    remaining = [f for f in findings if f.code in inspected and (f.path, f.line, f.code) not in fixed]
    return EnvironmentFixes(fixes, settings, findings, remaining)
