"""Fixing files and folders: the linter's findings decide where fixes run; each file is fixed on its own."""

from __future__ import annotations

import dataclasses
import difflib
import multiprocessing
import os
from dataclasses import dataclass, field
from pathlib import Path

from ..engine.analyze import analyze_bytes
from ..files import same_path
from ..gc_pacing import rarer_collections
from ..model import Finding
from ..runner import ProjectContext, collect_facts, discover, index_for
from ..targets import resolve_targets
from .apply import MAX_PASSES, FixContext, fix_module, sites_for
from .codemods.base import Site
from .environment import environment_fixes
from .integrity import OverBudget, time_budget, too_large
from .notebook import fix_notebook
from .programs import program_facts
from .writer import FileSnapshot, PythonText, StaleFile, why_not_writable, write_atomically


@dataclass
class FileFix:
    display: str
    path: Path
    fixed: list[Site] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    left_alone: str = ""  # why the file is not fixed at all ("" where it is)
    original: FileSnapshot | None = None
    content: bytes | None = None  # the fixed bytes (None: unchanged)

    def diff(self) -> str:
        if self.content is None or self.original is None:
            return ""
        old, new = _as_text(self.original.raw, self.path), _as_text(self.content, self.path)
        lines = difflib.unified_diff(old.splitlines(keepends=True), new.splitlines(keepends=True),
                                     f"a/{self.display}", f"b/{self.display}")
        return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines)


@dataclass
class FixRun:
    findings: list[Finding]  # before fixing
    remaining: list[Finding]  # what is left once the fixes are in
    files: list[FileFix]
    unsafe: bool = False

    @property
    def fixed(self) -> int:
        return sum(len(f.fixed) for f in self.files)

    @property
    def changed_files(self) -> list[FileFix]:
        return [f for f in self.files if f.content is not None]

    def messages(self) -> list[str]:
        """One line per file left alone ("left alone: PATH: why") and per problem met in a file."""
        lines = []
        for file_fix in self.files:
            if file_fix.left_alone:
                lines.append(f"left alone: {file_fix.display}: {file_fix.left_alone}")
            lines.extend(f"{file_fix.display}: {problem}" for problem in file_fix.problems)
        return lines

    def why_left(self, remaining: list[Finding]) -> dict[str, int]:
        """Why each finding left after fixing has stayed: how many for each reason."""
        alone = {f.display for f in self.files if f.left_alone}
        reasons: dict[str, int] = {}
        for finding in remaining:
            if finding.path in alone:
                reason = "in files left alone"
            elif finding.fix is None:
                reason = "without an automatic fix"
            elif finding.fix.applicability == "unsafe" and not self.unsafe:
                reason = "with an unsafe fix (rerun with --unsafe-fixes)"
            else:
                reason = "where the fix cannot apply (a computed value, or a fix that would change what runs)"
            reasons[reason] = reasons.get(reason, 0) + 1
        return reasons


def _as_text(raw: bytes, path: Path) -> str:
    if path.suffix == ".ipynb":
        return raw.decode("utf-8-sig", errors="replace")
    try:
        return PythonText.decode(raw).text
    except ValueError:
        return raw.decode("utf-8", errors="replace")


def fix_bytes(raw: bytes, path: Path, findings: list[Finding], context: FixContext, programs=()):
    """``raw`` with the fixes for ``findings`` applied: (new bytes, sites fixed, problems).

    A failure inside one file's fixes is that file's problem: it is reported, the file is left as it was,
    and the run goes on; so is a file over the fixer's limits or its time budget.
    """
    reason = too_large(raw, notebook=path.suffix == ".ipynb")
    if reason:
        return raw, [], [f"left alone: {reason}"]
    try:
        with time_budget():
            return _fixed_bytes(raw, path, findings, context, programs)
    except OverBudget:
        return raw, [], ["left alone: fixing it took longer than the fixer's time budget"]
    except RecursionError:
        return raw, [], ["left alone: expressions nested too deeply for the fixer"]
    except Exception as error:  # noqa: BLE001 - one file's internal error must not stop the run
        return raw, [], [f"internal error, left as it is: {type(error).__name__}: {error}"]


def _fixed_bytes(raw: bytes, path: Path, findings: list[Finding], context: FixContext, programs=()):
    if path.suffix == ".ipynb":
        try:
            return fix_notebook(raw, findings, context, programs)
        except (ValueError, KeyError, IndexError, TypeError) as error:
            return raw, [], [f"cannot fix notebook: {error}"]
    try:
        text = PythonText.decode(raw)
    except ValueError as error:
        return raw, [], [str(error)]
    outcome = fix_module(text.text, sites_for(findings, context), context, programs=programs)
    problems = ([outcome.problem] if outcome.problem else []) + [f"line {note}" for note in outcome.notes]
    if not outcome.changed:
        return raw, [], problems
    try:
        return text.encode(outcome.text), outcome.fixed, problems
    except UnicodeEncodeError as error:
        return raw, [], [f"the fixed text cannot be written as {text.encoding}: {error.reason}"]


_worker_context: FixContext | None = None


def _init_worker(context: FixContext) -> None:
    global _worker_context
    _worker_context = context


def _fix_in_worker(job):
    return _fixed_and_analysed(job, _worker_context)


def _fixed_and_analysed(job, context: FixContext):
    """``fix_bytes`` of one file, and the engine's facts of the fixed bytes (None where nothing changed), so that
    the next pass's check analyses every fixed text in the workers that fixed them."""
    raw, path, findings, programs = job
    content, fixed, problems = fix_bytes(raw, path, findings, context, programs)
    facts = None
    if fixed and content != raw:
        facts = analyze_bytes(content, index_for(context.ruleset), path.suffix == ".ipynb")
    return content, fixed, problems, facts


def _project_findings(paths, files, contents: dict[Path, bytes], settings, ruleset, jobs, use_cache,
                      known: dict | None = None, environment: bool = False):
    """What ``check`` reports for ``files``, with ``contents`` standing in for what those files hold on disk;
    the engine's facts about the programs that start in each (``programs.program_facts``); and, with
    ``environment``, the findings in the environment files where ``paths`` name the project root (else []).

    ``known`` keeps each file's facts between passes: of a file on disk, and of a fixed text (with that text).
    """
    known = {} if known is None else known
    project = ProjectContext(settings, ruleset, use_cache)
    unread = [path for path, _ in files if path not in contents and path not in known]
    facts, _ = collect_facts(unread, ruleset, project.cache, jobs, project.index,
                             imports_only=project.reads_imports_only)
    known.update(zip(unread, facts, strict=True))
    for path, display in files:
        if path in contents:  # a text fixed in an earlier pass, analysed once
            analysed = known.get((path, contents[path]))
            if analysed is None:
                analysed = known[(path, contents[path])] = analyze_bytes(contents[path], index_for(ruleset),
                                                                          path.suffix == ".ipynb")
            project.add(path, display, analysed)
        else:
            project.add(path, display, known[path])
    root = settings.root.resolve()
    whole = any(same_path(p, root) for p in paths)
    if whole:
        project.project_files = [str(path) for path, _ in files]
    findings = project.findings_for([path for path, _ in files])
    in_environment = []
    if environment and whole:
        from ..environment.checks import environment_findings

        in_environment = environment_findings(project.project())
    return findings, program_facts(project.project()), in_environment


def check_on_disk(paths: list[Path], settings, ruleset, jobs: int | None = None, use_cache: bool = True):
    """What ``check`` reports now (after a write that did not go through everywhere)."""
    files = discover(paths, settings)
    return _project_findings(paths, files, {}, settings, ruleset, jobs or os.cpu_count() or 1, use_cache)[0]


@rarer_collections()
def fix_paths(paths: list[Path], settings, ruleset, unsafe: bool = False, jobs: int | None = None,
              use_cache: bool = True) -> FixRun:
    """Lint ``paths`` and compute the fixes (nothing is written).

    Fixes can make other rules apply (turning deterministic algorithms on asks for the cuBLAS workspace
    setting on older torch), so linting and fixing repeat, on the fixed text, until nothing more is fixed.
    """
    files = discover(paths, settings)
    jobs = jobs or os.cpu_count() or 1
    known: dict = {}  # each file's facts, read once for every pass
    checked: list = []  # the first check's findings and programs, for the first pass where settings are the same

    def check_with_environment() -> list[Finding]:
        findings, programs, in_environment = _project_findings(paths, files, {}, settings, ruleset, jobs, use_cache,
                                                               known, environment=True)
        checked.append((findings, programs))
        return sorted(findings + in_environment, key=lambda f: f.sort_key)

    # Pins and a Dockerfile's ENV first: the Python fixes then count the variables it sets (environment.py).
    environment = environment_fixes(paths, settings, ruleset, check_with_environment)
    if environment.settings is not settings:
        checked.clear()  # the environment fixes set variables: what they change is checked again
    settings = environment.settings
    context = FixContext(ruleset, resolve_targets(settings, ruleset.framework_modules), unsafe, settings)
    located = {display: path for path, display in files}
    results: dict[Path, FileFix] = {}
    contents: dict[Path, bytes] = {}
    first_findings: list[Finding] | None = None
    analysed_at = {path: _modified(path) for path, _ in files}  # to notice edits made while checking
    for _ in range(MAX_PASSES):
        if checked and not contents:
            findings, programs = checked.pop()
        else:
            findings, programs, _ = _project_findings(paths, files, contents, settings, ruleset, jobs, use_cache,
                                                      known)
        if first_findings is None:
            first_findings = findings
        by_file: dict[Path, list[Finding]] = {}
        for finding in [*findings, *_seeded_where_imported(findings, programs, context)]:
            if context.is_fixable(finding) and finding.path in located:
                by_file.setdefault(located[finding.path], []).append(finding)
        work = []
        for path, file_findings in by_file.items():
            if path not in results:
                results[path] = _snapshot(FileFix(file_findings[0].path, path), analysed_at[path], settings.root)
            if results[path].original is not None:
                work.append((contents.get(path, results[path].original.raw), path, file_findings,
                             programs.get(file_findings[0].path, [])))
        changed = False
        for (raw, path, _, _), (content, fixed, problems, facts) in zip(work, _fix_all(work, context, jobs),
                                                                          strict=True):
            result = results[path]
            left_alone = [p.removeprefix("left alone: ") for p in problems if p.startswith("left alone: ")]
            if left_alone:
                result.left_alone = left_alone[0]
                continue
            # a later pass notes again, at lines its earlier fixes moved, what an earlier one noted: the first says it
            noted = {_unplaced(p) for p in result.problems}
            result.problems.extend(p for p in problems if _unplaced(p) not in noted)
            if fixed and content != raw:
                result.fixed.extend(fixed)
                contents[path] = content
                known[(path, content)] = facts  # see _project_findings
                changed = True
        if not changed:
            break
    else:
        findings = _project_findings(paths, files, contents, settings, ruleset, jobs, use_cache, known)[0]
    shared = _one_project_seed(files, results, contents, settings, context, known)
    if shared:
        for path, content in shared.items():
            if path not in results:
                display = next(shown for located_path, shown in files if located_path == path)
                results[path] = _snapshot(FileFix(display, path), analysed_at[path], settings.root)
            if results[path].original is not None and not results[path].left_alone:
                contents[path] = content
        findings = _project_findings(paths, files, contents, settings, ruleset, jobs, use_cache, known)[0]
    for path, result in results.items():
        if path in contents and contents[path] != result.original.raw:
            result.content = contents[path]
        else:
            result.fixed = []
    return FixRun(environment.before or first_findings or [], findings + environment.remaining,
                  list(results.values()) + environment.files, unsafe)


def _one_project_seed(files, results: dict, contents: dict[Path, bytes], settings, context: FixContext,
                      known: dict) -> dict:
    """``project_seed.shared_seed`` over the modules the fixes changed: one ``SEED`` for the project's entry
    points, in a project module they all import (where every file involved can be written)."""
    from ..engine.project import module_name
    from .project_seed import shared_seed

    root = os.path.realpath(settings.root)
    modules = {}
    for path, _ in files:
        relative = os.path.relpath(os.path.realpath(path), root)
        if path.suffix == ".py" and not relative.startswith(".."):
            modules[module_name(relative.replace(os.sep, "/"))] = path
    fixed = {path: (results[path].original.raw, content) for path, content in contents.items()
             if path.suffix == ".py" and results.get(path) is not None and results[path].original is not None}

    def loaded(path: Path, content: bytes) -> set[str]:
        facts = known.get((path, content))  # the fix workers analysed the texts they fixed
        if facts is None:
            facts = analyze_bytes(content, index_for(context.ruleset))
        return {name for name in facts.imports if name not in facts.deferred_imports}

    def current(path: Path) -> bytes | None:
        if path in contents:
            return contents[path]
        try:
            return path.read_bytes()
        except OSError:
            return None

    shared = shared_seed(fixed, modules, loaded, current)
    home = next((path for path in shared if path not in fixed), None)
    if home is not None and (home in results and results[home].left_alone):
        return {}
    return shared


def _seeded_where_imported(findings: list[Finding], programs: dict, context: FixContext) -> list[Finding]:
    """A program's missing seed whose framework a function of another module imports itself (``programs``'
    ``elsewhere``), as a finding at that function: the other module's block seeds it after its import."""
    found = []
    for finding in findings:
        if not context.is_fixable(finding):
            continue
        for program in programs.get(finding.path, ()):
            if program.line == finding.line:
                found.extend(dataclasses.replace(finding, path=display, line=line, column=1, end_line=line,
                                                 end_column=1)
                             for display, line in program.elsewhere.get(finding.code, ()))
    return found


def _unplaced(note: str) -> str:
    """A note without its leading ``line N: `` (the same note of a later pass names the line its fixes moved)."""
    line, separator, rest = note.partition(": ")
    return rest if separator and line.removeprefix("line ").isdigit() else note


def _modified(path: Path) -> int | None:
    try:
        return os.stat(path).st_mtime_ns
    except OSError:
        return None


def _snapshot(result: FileFix, analysed_at: int | None, root: Path) -> FileFix:
    """Read the file to fix; one that changed since it was checked is left alone (the findings are stale), and
    so is one the fixer may not write (see ``why_not_writable``)."""
    try:
        snapshot = FileSnapshot.read(result.path)
    except OSError as error:
        result.left_alone = f"cannot read it: {error.strerror or error}"
        return result
    if snapshot.mtime_ns != analysed_at:
        result.left_alone = "it changed on disk while it was being checked"
        return result
    result.left_alone = why_not_writable(result.path, root, snapshot.mode)
    if result.left_alone:
        return result
    result.original = snapshot
    return result


def _fix_all(work, context: FixContext, jobs: int):
    jobs = max(1, min(jobs, len(work)))
    if jobs == 1 or len(work) < 8:
        return [_fixed_and_analysed(job, context) for job in work]
    pool_context = multiprocessing.get_context("fork" if hasattr(os, "fork") else "spawn")
    with pool_context.Pool(jobs, initializer=_init_worker, initargs=(context,)) as pool:
        return pool.map(_fix_in_worker, work, chunksize=max(1, len(work) // (jobs * 4)))


def write_fixes(run: FixRun) -> bool:
    """Write every changed file atomically; a file that changed meanwhile is left alone and reported.

    Returns whether every write succeeded.
    """
    complete = True
    for file_fix in run.changed_files:
        try:
            write_atomically(file_fix.original, file_fix.content)
        except StaleFile as stale:
            file_fix.left_alone = str(stale).removesuffix("; left as it is")
            file_fix.fixed, file_fix.content = [], None
            complete = False
        except OSError as error:
            file_fix.problems.append(f"cannot write: {error.strerror or error}")
            file_fix.fixed, file_fix.content = [], None
            complete = False
    return complete
