"""Findings in the project's environment files: MLF060-MLF062 (pins, container images) and MLF905.

They are findings of the whole project, reported by the command (every output format) after the project
step; flake8 and pylint see Python files only (docs/frontends.md).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from packaging.specifiers import SpecifierSet

from ..engine.noqa import is_suppressed, noqa_lines
from ..files import relative_to_root
from ..model import Finding, FixInfo
from ..ruleset.schema import DETERMINISTIC, DETERMINISTIC_WITH_SWITCH, EnvironmentMatcher, Rule
from ..ruleset.versions import candidate_versions
from .files import Unreadable, read_text
from .fixes import pinned_text, resolved_version
from .locks import locks_for
from .model import Image, Pin, Place, ProjectEnvironment
from .outside import sets
from .scan import install_files, scan, scan_folder

PINS, IMAGES, INSTALLS, PROBLEMS = "framework-pins", "container-base-image", "container-installs", "project-files"
#: CUDA and cuDNN as conda and PyPI name them: pinned like a framework where the project names them.
CUDA_DISTRIBUTION = re.compile(
    r"^(cudatoolkit|cuda-toolkit|cuda-version|cuda-runtime|cuda-nvcc|pytorch-cuda|cudnn"
    r"|nvidia-(cudnn|cuda-runtime|cublas|cuda-nvrtc)-cu\d+)$")
#: Official images whose tag starts with the framework's version (``pytorch/pytorch:2.4.1-cuda12.4-...``).
FRAMEWORK_IMAGES = {"pytorch/pytorch": "torch", "tensorflow/tensorflow": "tensorflow"}
#: Where a framework without any requirement is reported: the first of these the project has.
INSTALL_FILES = ("pyproject.toml", "requirements.txt", "setup.py", "setup.cfg", "environment.yml", "environment.yaml")


def environment_findings(project) -> list[Finding]:
    """Findings in the environment files at the project's root (a :class:`~mlfcore_lint.engine.project.Project`)."""
    settings = project.settings
    if not settings.discover_targets:
        return []
    environment = scan(Path(os.path.realpath(settings.root)))
    report = _Reporter(project)
    by_kind = {rule.inspects: rule for rule in project.ruleset if rule.inspects}
    for kind, rule in by_kind.items():
        if kind == PROBLEMS:
            for problem in environment.problems:
                report(rule, problem.place, problem.message)
        elif kind == IMAGES:
            for image in environment.images:
                if image.moving:
                    report(rule, image.place, f"{rule.summary}: `{image.reference}` (no tag or `latest`, no digest)")
        elif kind == INSTALLS:
            frameworks = set(project.ruleset.framework_modules)
            for pin in environment.container_installs:
                if (pin.distribution in frameworks or CUDA_DISTRIBUTION.match(pin.distribution)) and not pin.pinned:
                    report(rule, pin.place, f"{rule.summary}: `{pin.text}` installs whatever is newest when the "
                                            "image is built")
        elif kind == PINS:
            for place, message, pin in unpinned_frameworks(project, environment):
                # the fix is offered only where it can be made: one resolved version that the range admits
                version = resolved_version(pin.distribution, environment, project.settings.targets.get(
                    pin.distribution)) if pin is not None else None
                fixable = version is not None and pin.specifier.contains(version, prereleases=True) \
                    and pinned_text(pin, version) is not None
                report(rule, place, f"{rule.summary}: {message}", fixable)
    for rule in project.ruleset:
        if rule.outside:
            for place, message in outside_matches(project, rule, environment):
                report(rule, place, message)
    return report.findings


def outside_matches(project, rule: Rule, environment: ProjectEnvironment) -> list[tuple[Place, str]]:
    """(place, message) for each variable set outside Python that one of ``rule``'s environment entries
    matches, where the rule applies to a targeted version (judged as the same write in a program would be)."""
    from ..engine.facts import Candidate
    from ..engine.judge import describe

    found = []
    for position, matcher in enumerate(rule.matchers):
        if not isinstance(matcher, EnvironmentMatcher):
            continue
        verdict = project.verdict(rule, position)
        if verdict.status == DETERMINISTIC:
            continue
        programs = project.programs
        switch = project.ruleset.switches.get(rule.framework or "")
        if verdict.status == DETERMINISTIC_WITH_SWITCH and switch and programs and all(
                project.satisfies(program, switch) for program in programs):
            continue
        for setting in environment.settings:
            if sets(matcher, setting):
                candidate = Candidate(rule.code, setting.place.line, setting.place.column, setting.place.line,
                                      setting.place.column, setting.variable, position)
                text = describe(rule, verdict, project.targets, candidate, project.switch_name(rule.framework))
                found.append((setting.place, f"{text}: `{setting.variable}={setting.value}`"))
    return found


def _framework_roots(project) -> dict[str, str]:
    """Top-level module -> the distribution it belongs to: its own name's (``keras``), else the first listing it."""
    modules_of = project.ruleset.framework_modules
    roots = {module: distribution for distribution, modules in modules_of.items() for module in modules
             if module == distribution.replace("-", "_")}
    for distribution, modules in modules_of.items():
        for module in modules:
            roots.setdefault(module, distribution)
    return roots


def program_environments(project) -> dict[tuple[Path, ...], set[str]]:
    """The frameworks each environment's training programs import. An environment is the project root's files
    with those of every sub-folder between the root and the program's entry point that has install files of its
    own (nearest first): an examples repository installs each example from its own ``requirements.txt``."""
    root = Path(os.path.realpath(project.settings.root))
    roots = _framework_roots(project)
    # the distributions (of those the rules know) that a program's modules import
    imported_frameworks = project.names_over_imports(lambda source: {
        roots[top] for name in source.facts.imports if (top := name.partition(".")[0]) in roots})
    found: dict[tuple[Path, ...], set[str]] = {}
    # the versions that change a training result are those of the programs that train (all programs in a
    # project where none trains: a simulation that only draws random numbers)
    for program in [p for p in project.programs if p.trains] or project.programs:
        parents = Path(program.entry.relative).parents
        folders = tuple(root / parent for parent in parents if str(parent) != "." and install_files(root / parent))
        found.setdefault(folders, set()).update(imported_frameworks(program.entry))
    return found


def unpinned_frameworks(project, environment: ProjectEnvironment) -> list[tuple[Place, str, Pin | None]]:
    """(place, message, the requirement or None) for each framework a training program imports, and each CUDA
    or cuDNN package named, that no pin, lock, container or ``pinned-elsewhere`` of its environment fixes to one
    version."""
    elsewhere = project.settings.pinned_elsewhere
    found: dict[tuple[Place, str], tuple[Place, str, Pin | None]] = {}
    verdicts: dict[tuple[str, str], str] = {}  # (distribution, range) -> verdict_changes: environments share ranges

    def changes(distribution: str, specifier: SpecifierSet) -> str:
        key = (distribution, str(specifier))
        if key not in verdicts:
            verdicts[key] = verdict_changes(project, distribution, specifier)
        return verdicts[key]

    for folders, imported in program_environments(project).items():
        nearest = [scan_folder(folder) for folder in folders]
        requirements = [pin for env in (*nearest, environment) for pin in env.pins + env.container_installs]
        locked_in: dict[str, set[str]] = {}
        for env in (*nearest, environment):
            for distribution, names in env.locked_in.items():
                locked_in.setdefault(distribution, set()).update(names)
        wanted = sorted(imported) + sorted({p.distribution for p in requirements
                                            if CUDA_DISTRIBUTION.match(p.distribution)})
        for distribution in wanted:
            if "*" in elsewhere or distribution in elsewhere:
                continue
            pins = [pin for pin in requirements if pin.distribution == distribution]
            locks = locked_in.get(distribution, set())
            if (not pins and locks) or any(pin.pinned or locks & locks_for(pin.place.path.name) for pin in pins) \
                    or _image_pins(environment.images, distribution):
                continue
            if not pins:
                place = _install_file(project, folders)
                found.setdefault((place, distribution), (
                    place, f"`{distribution}` is imported but no project file installs it, so "
                    + changes(distribution, SpecifierSet()), None))
                continue
            for pin in pins:
                if any(pin in env.container_installs for env in (*nearest, environment)):
                    continue  # reported as MLF062 on its RUN line
                if CUDA_DISTRIBUTION.match(distribution):
                    admits = "names no version" if not str(pin.specifier) else "is a range"
                    message = f"`{pin.text}` {admits}: the CUDA and cuDNN versions decide which kernels the " \
                              "frameworks run"
                else:
                    message = f"`{pin.text}` " + changes(distribution, pin.specifier)
                found.setdefault((pin.place, distribution), (pin.place, message, pin))
    return sorted(found.values(), key=lambda item: (str(item[0].path), item[0].line, item[0].column, item[1]))


def _image_pins(images: list[Image], distribution: str) -> bool:
    for image in images:
        name, _, tag = image.reference.partition("@")[0].rpartition(":")
        if FRAMEWORK_IMAGES.get(name) == distribution and not image.moving and tag[:1].isdigit():
            return True
    return False


def _install_file(project, folders: tuple[Path, ...]) -> Place:
    """Where a framework that nothing installs is reported: the nearest install file of the program's own
    folders, else the first install file at the root, else the first entry point."""
    if folders:
        return Place(install_files(folders[0])[0][1])
    root = Path(os.path.realpath(project.settings.root))
    for name in INSTALL_FILES:
        if (root / name).is_file():
            return Place(root / name)
    entries = sorted((s for s in project.files if s.is_entry_point), key=lambda s: s.relative)
    return Place(entries[0].path if entries else root / "requirements.txt")


def verdict_changes(project, distribution: str, specifier: SpecifierSet) -> str:
    """Which versions the range admits (of the releases the rules know), and where within it this project's
    verdicts change: the statuses of the rules its code matches and the requirements its programs trigger."""
    from ..engine.judge import rule_verdict

    releases = project.ruleset.releases.get(distribution, ())
    versions = candidate_versions(releases, specifier if str(specifier) else None)
    if not versions:
        return f"admits no release of {distribution} the rules know"
    subjects = _verdict_subjects(project, distribution)
    changes: list[str] = []
    previous: dict | None = None
    for version in versions:
        targets = {**project.targets, distribution: SpecifierSet(f"=={version}")}
        state = {(rule.code, matcher): rule_verdict(rule, matcher, targets, project.ruleset.releases).status
                 for rule, matcher in subjects}
        if previous is not None and state != previous:
            changed = sorted({code for code, matcher in state if state[code, matcher] != previous.get((code, matcher))})
            changes.append(f"{version} ({', '.join(changed)})")
        previous = state
    span = versions[0] if len(versions) == 1 else f"{versions[0]} to {versions[-1]}"
    text = f"admits {distribution} {span} (of the releases the rules know)"
    if changes:
        return text + f"; this project's verdicts change at {distribution} " + ", ".join(changes)
    return text + "; none of this project's verdicts changes within them"


def _verdict_subjects(project, distribution: str) -> list[tuple[Rule, int | None]]:
    """(rule, match entry) of every candidate in the project and every requirement its files trigger, for
    rules whose version ranges name ``distribution``."""
    pairs: set[tuple[str, int | None]] = set()
    programs = project.programs
    for source in project.files:
        facts = source.facts
        pairs.update((c.code, c.matcher) for c in facts.candidates)
        pairs.update((code, None) for code in (*facts.triggered, *facts.import_triggered, *facts.deferred_triggered))
    subjects = []
    for code, matcher in sorted(pairs, key=lambda pair: (pair[0], -1 if pair[1] is None else pair[1])):
        rule = project.ruleset.get(code)
        # A requirement every program meets (or the environment settles) is reported in no version.
        if rule is None or code in project.settled_outside or (
                rule.requirement is not None and all(project.satisfies(program, code) for program in programs)):
            continue
        ranges = list(rule.versions)
        if matcher is not None and matcher < len(rule.matchers):
            ranges = list(rule.matchers[matcher].versions or ranges)
        if any(r.distribution == distribution for r in ranges):
            subjects.append((rule, matcher))
    return subjects


class _Reporter:
    """Findings with the display path, selection, ``# noqa`` comments (``#`` comments in every file read)."""

    def __init__(self, project):
        self.project = project
        self.findings: list[Finding] = []
        self._noqa: dict[Path, dict[int, list[str]]] = {}

    def __call__(self, rule: Rule, place: Place, message: str, fixable: bool = True) -> None:
        settings = self.project.settings
        relative = relative_to_root(place.path, settings.root) or place.path.name
        if not settings.is_selected(rule.code, relative, rule.hint):
            return
        if self.project.honour_noqa and is_suppressed(self._comments(place.path), place.line, rule.code):
            return
        fix = FixInfo(rule.fix.applicability, rule.fix.description) if rule.fix and fixable else None
        end_column = place.end_column or place.column
        self.findings.append(Finding(
            path=display_path(place.path), line=place.line, column=place.column, end_line=place.line,
            end_column=end_column, code=rule.code, symbol=rule.symbol, message=message, severity=rule.severity,
            api="", fix=fix, url=rule.url,
        ))

    def _comments(self, path: Path) -> dict[int, list[str]]:
        if path not in self._noqa:
            try:
                self._noqa[path] = noqa_lines(read_text(path))
            except Unreadable:
                self._noqa[path] = {}
        return self._noqa[path]


def display_path(path: Path) -> str:
    """The path as the command shows it: relative to the working directory where it lies below it."""
    try:
        relative = os.path.relpath(path)
    except ValueError:
        return str(path)
    return str(path) if relative.startswith("..") else relative

