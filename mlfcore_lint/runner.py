"""Running the engine over files and folders: discovery, cache, parallel analysis, the project step."""

from __future__ import annotations

import ast
import configparser
import multiprocessing
import os
import re
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path

from .cache import FactsCache
from .config import Settings, read_pyproject, table_of
from .engine.facts import FileFacts, problem_facts
from .engine.source import MAX_FILE_BYTES, TOO_COMPLEX, UNREADABLE, SourceProblem
from .files import NotReadable, is_regular_file, read_regular, relative_to_root, same_path, walk
from .model import Finding
from .ruleset.schema import RuleSet
from .targets import resolve_targets

SOURCE_SUFFIXES = (".py", ".pyi", ".ipynb")


class UsageError(Exception):
    """A problem with what the user asked for (exit code 2)."""


@dataclass
class CheckResult:
    findings: list[Finding]
    files: int
    parsed: int  # files that were analysed in this run (not served from the cache)


def discover(paths: list[Path], settings: Settings) -> list[tuple[Path, str]]:
    """Source files below ``paths`` as (absolute path, path as shown), skipping excluded folders."""
    found: dict[Path, str] = {}
    for path in paths:
        if not path.exists() and not path.is_symlink():
            raise UsageError(f"{path}: no such file or directory")
        if not path.is_dir():
            found.setdefault(path.absolute(), str(path))
            continue
        visited: set[tuple[int, int]] = set()
        # A folder the user names is checked even where the configuration excludes it (as in ruff): then
        # the excludes apply to what lies below it.
        base = path if not same_path(path, settings.root) and settings.is_excluded(path) else None
        for directory, subdirectories, filenames in walk(path, _unlisted(found)):
            identity = _identity(directory)
            if identity in visited:  # a symlink loop, or a folder reached twice
                subdirectories[:] = []
                continue
            visited.add(identity)
            here = Path(directory)
            subdirectories[:] = sorted(
                d for d in subdirectories
                if not settings.is_excluded(here / d, base, is_dir=True)
                and not os.path.lexists(here / d / "pyvenv.cfg")
            )
            for name in sorted(filenames):
                if name.endswith(SOURCE_SUFFIXES):
                    file_path = here / name
                    # A FIFO or device named like a module would block the read; a dangling link is
                    # kept so that it is reported as unreadable.
                    if os.path.exists(file_path) and not is_regular_file(file_path):
                        continue
                    if not settings.is_excluded(file_path, base, is_dir=False):
                        found.setdefault(file_path.absolute(), str(file_path))
    return list(found.items())


def _identity(directory: str) -> tuple[int, int]:
    """The folder itself, whatever path leads to it (a constant-time stat, where resolving the path costs a
    look-up per level)."""
    try:
        info = os.stat(directory)
    except OSError:
        return (-1, hash(os.path.realpath(directory)))
    return (info.st_dev, info.st_ino)


def _unlisted(found: dict[Path, str]):
    """The walk's error handler: a folder that cannot be listed is reported (as a file that cannot be
    read), not silently skipped: the code in it is not checked."""

    def note(error: OSError) -> None:
        if error.filename is not None:
            found.setdefault(Path(error.filename).absolute(), str(Path(error.filename)))

    return note


def console_script_modules(root: Path) -> set[str]:
    """The project's console scripts (``pyproject.toml`` or ``setup.cfg``), as ``module:function``."""
    modules = set()
    scripts = table_of(table_of(read_pyproject(root / "pyproject.toml"), "project"), "scripts")
    for target in scripts.values():
        modules.add(str(target).split("[")[0].strip())
    modules.update(_setup_py_console_scripts(root / "setup.py"))
    setup_cfg = root / "setup.cfg"
    if is_regular_file(setup_cfg):
        parser = configparser.ConfigParser()
        try:
            parser.read_string(read_regular(setup_cfg).decode("utf-8"), str(setup_cfg))
            for line in parser.get("options.entry_points", "console_scripts", fallback="").splitlines():
                if "=" in line:
                    modules.add(line.split("=", 1)[1].split("[")[0].strip())
        except (configparser.Error, OSError, UnicodeDecodeError):
            pass
    return modules


_CONSOLE_SCRIPT = re.compile(r"^\s*[\w.-]+\s*=\s*([\w.]+\s*:\s*[\w.]+)\s*$")


def _setup_py_console_scripts(path: Path) -> set[str]:
    """``entry_points={"console_scripts": ["name = pkg.cli:main"]}`` in ``setup.py``, read from its syntax tree
    (never run): every string constant shaped like a console-script declaration."""
    try:
        if not is_regular_file(path):
            return set()
        tree = ast.parse(read_regular(path, 1_000_000))
    except (OSError, SyntaxError, ValueError, RecursionError, MemoryError):
        return set()
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            match = _CONSOLE_SCRIPT.match(node.value)
            if match:
                found.add(match.group(1).replace(" ", ""))
    return found


# ---------------------------------------------------------------------- analysis in worker processes

_worker_index = None
_worker_ruleset = None


def _worker_init(ruleset: RuleSet) -> None:
    """Compile the rule set for analysis in this process (once per rule set)."""
    global _worker_index, _worker_ruleset
    if _worker_ruleset is not ruleset:
        from .engine.index import build_index

        _worker_index, _worker_ruleset = build_index(ruleset), ruleset


def index_for(ruleset: RuleSet):
    """The compiled rule index of ``ruleset`` for this process."""
    _worker_init(ruleset)
    return _worker_index


def _analyze_in_worker(job: tuple[str, bool, FactsCache | None]) -> dict:
    """Read and analyse one file, and cache its facts under the bytes actually read (in the worker, so that
    the writes run in parallel too); returns the facts as JSON."""
    from .engine.analyze import analyze_bytes

    path, notebook, cache = job
    raw = read_file(Path(path))
    if isinstance(raw, SourceProblem):
        return problem_facts(raw).to_json()
    data = analyze_bytes(raw, _worker_index, notebook).to_json()
    if cache is not None:
        cache.put_json(cache.key(raw, notebook), data)
    return data


def read_file(path: Path) -> bytes | SourceProblem:
    """A project file's bytes, or the problem that keeps it from being read (never a hang: see files.py)."""
    try:
        return read_regular(path, MAX_FILE_BYTES)
    except NotReadable as error:
        if error.too_large:
            return SourceProblem(TOO_COMPLEX, f"file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB; not checked")
        if os.path.isdir(path):
            return SourceProblem(UNREADABLE, error.reason.replace("cannot read file", "cannot list folder"))
        return SourceProblem(UNREADABLE, error.reason)


def collect_facts(
    files: list[Path], ruleset: RuleSet, cache: FactsCache | None, jobs: int
) -> tuple[list[FileFacts], int]:
    """Facts for each file, from the cache where the content is unchanged; returns (facts, parsed count).

    Only cache look-ups happen here; files to analyse are read again by the worker that analyses them,
    so the parent never holds the source of the whole project.
    """
    results: list[FileFacts | None] = [None] * len(files)
    misses: list[tuple[int, str, bool]] = []
    for position, path in enumerate(files):
        notebook = path.suffix == ".ipynb"
        if cache is not None:
            raw = read_file(path)
            cached = None if isinstance(raw, SourceProblem) else cache.get(cache.key(raw, notebook))
            if cached is not None:
                results[position] = cached
                continue
        misses.append((position, str(path), notebook))
    if misses:
        jobs_list = [(path, notebook, cache) for _, path, notebook in misses]
        jobs = max(1, min(jobs, len(misses)))
        if multiprocessing.parent_process() is not None:
            # A flake8 or pylint job (or any pool's worker) reads serially: its siblings keep the other cores
            # busy, and a daemon process may not start processes at all.
            jobs = 1
        if jobs == 1 or len(misses) < 4:
            _worker_init(ruleset)
            computed = [_analyze_in_worker(job) for job in jobs_list]
        else:
            context = multiprocessing.get_context("fork" if hasattr(os, "fork") else "spawn")
            with context.Pool(jobs, initializer=_worker_init, initargs=(ruleset,)) as pool:
                chunk = max(1, min(16, len(misses) // (jobs * 4)))
                computed = pool.map(_analyze_in_worker, jobs_list, chunksize=chunk)
        for (position, _, _), data in zip(misses, computed, strict=True):
            results[position] = FileFacts.from_json(data)
    return results, len(misses)


class ProjectContext:
    """The whole project as the project step needs it, for checking some of its files.

    Whether a file's call is reported depends on the entry points that import it (is the determinism switch
    on there?), so checking one file (an editor buffer, a flake8 or pylint run, ``check`` on a sub-folder)
    also reads the project's entry points and the modules they import, from the cache where possible.
    One context per process serves every file a front end hands it.
    """

    def __init__(self, settings: Settings, ruleset: RuleSet, use_cache: bool = True, jobs: int | None = None):
        self.settings = settings
        self.jobs = jobs or os.cpu_count() or 1
        self.ruleset = ruleset
        self.cache = FactsCache.for_project(settings.root, ruleset.fingerprint) if use_cache else None
        self.facts: dict[Path, FileFacts] = {}
        self.display: dict[Path, str] = {}
        self._module_paths: dict[str, Path] | None = None
        self._supporting: list[Path] | None = None
        # The project step over the current facts, reused while they do not change (a front end checking
        # the files on disk adds facts equal to those already read for the entry points' programs).
        self._project = None
        self._sources_by_path = None
        self.project_files: list[Path] | None = None  # every source file below the root, once discovered
        self.targets = resolve_targets(settings, ruleset.framework_modules)
        self.console_scripts = console_script_modules(settings.root)

    def add(self, path: Path, display: str, facts: FileFacts) -> None:
        if self.facts.get(path) != facts or self.display.get(path) != display:
            self._project = None  # the project step must see the new facts
        self.facts[path] = facts
        self.display[path] = display

    def _read(self, paths: list[Path]) -> None:
        """Facts of files not read yet, analysed in parallel."""
        unread = [path for path in paths if path not in self.facts]
        with self.cache.exclusive() if self.cache is not None and len(unread) > 1 else nullcontext():
            facts, _ = collect_facts(unread, self.ruleset, self.cache, self.jobs)
        for path, file_facts in zip(unread, facts, strict=True):
            self.add(path, str(path), file_facts)

    def _all_module_paths(self) -> dict[str, Path]:
        if self._module_paths is None:
            from .engine.project import importable_names, module_name

            root = self.settings.root.resolve()
            if self.project_files is None:
                self.project_files = [path for path, _ in discover([root], self.settings)]
            relative = [(path, name) for path in self.project_files if path.suffix == ".py"
                        for name in [relative_to_root(path, root)] if name is not None]
            self._module_paths = importable_names([(module_name(name), name, path) for path, name in relative])
        return self._module_paths

    def _named_entry_point(self, path: Path) -> bool:
        """Whether ``path`` starts a program by name: a console script's module or an ``entry-points`` glob."""
        from .engine.project import is_console_script, module_name

        relative = relative_to_root(path, self.settings.root)
        if relative is None:
            return False
        return (self.settings.is_configured_entry_point(relative)
                or is_console_script(module_name(relative), self.console_scripts))

    def supporting_files(self) -> list[Path]:
        """The project's entry points and every module they import, transitively (computed once)."""
        if self._supporting is not None:
            return self._supporting
        from .engine.project import reachable

        # Any module can start a program (a module-level script), and programs usually import most of their
        # project: every module is read in one parallel batch (from the facts cache where unchanged).
        project_paths = set(self._all_module_paths().values())
        self._read(sorted(project_paths))
        entry_points = sorted(p for p in project_paths if self.facts[p].main_line or self.facts[p].first_statement
                              or self._named_entry_point(p))
        self._supporting = sorted(reachable(entry_points, self._imported_paths))
        return self._supporting

    def _imported_paths(self, path: Path) -> list[Path]:
        """The project modules the module at ``path`` imports (its facts are read)."""
        from .engine.project import local_imports, module_name

        relative = relative_to_root(path, self.settings.root) or path.name
        return local_imports(self.facts[path], module_name(relative), path.name == "__init__.py",
                             self._all_module_paths())

    def findings_for(self, paths: list[Path], honour_noqa: bool = True, whole_project: bool = True) -> list[Finding]:
        """Findings in ``paths`` (whose facts were added), judged in the context of the whole project.

        ``whole_project=False``: the caller has read what these files need (``check_buffer``).
        """
        wanted = set(paths)
        if whole_project:
            self.supporting_files()  # read once: every entry point and the modules it imports
        project = self.project()
        project.honour_noqa = honour_noqa
        return sorted(
            (f for source in self._sources_in(project, wanted) for f in project.findings_in(source)),
            key=lambda f: f.sort_key,
        )

    def project(self):
        """The project step over every file read so far (built by ``findings_for``, or here)."""
        if self._project is None:
            from .engine.project import Project, SourceFile

            sources = [SourceFile(path, self.display[path], facts) for path, facts in self.facts.items()]
            self._project = Project(sources, self.settings, self.ruleset, self.targets, self.console_scripts)
        return self._project

    def _sources_in(self, project, wanted: set[Path]):
        if self._sources_by_path is None or self._sources_by_path[0] is not project:
            self._sources_by_path = (project, {source.path: source for source in project.files})
        by_path = self._sources_by_path[1]
        return [by_path[path] for path in sorted(wanted) if path in by_path]

    def check_buffer(self, path: Path, source: bytes | str, honour_noqa: bool = True, tree=None) -> list[Finding]:
        """Findings for an editor buffer or standard input standing in for ``path``.

        ``source``: the bytes of the file, read as the command reads them (so every front end agrees on
        encodings and columns), or text a front end has decoded already where there are no bytes (flake8's
        standard input). ``honour_noqa=False`` leaves ``# noqa`` comments to the caller (flake8 applies them
        itself); ``tree`` is the buffer's :mod:`ast` tree where the caller parsed it already (flake8 does).
        """
        from .engine.analyze import analyze_bytes, analyze_text

        path = path.absolute()
        notebook = path.suffix == ".ipynb"
        is_text = isinstance(source, str)
        raw = source.encode("utf-8", "surrogatepass") if is_text else source
        key = self.cache.key(raw, notebook, text=is_text) if self.cache is not None else None
        facts = self.cache.get(key) if key is not None else None
        if facts is None:
            index = index_for(self.ruleset)
            analyze = analyze_text if is_text else analyze_bytes
            facts = analyze(source, index, notebook, tree)
            if key is not None:
                self.cache.put(key, facts)
        # Findings in a file come from its own matches, its problems and, at an entry point, the requirements
        # of its program: a file with none of these reports nothing, and needs no project step. If no program
        # read it from disk, it changes no other file either.
        # A module whose top level runs code is a script where no other module imports it.
        entry_point = bool(facts.main_line) or self._named_entry_point(path)
        reportable = bool(facts.candidates or facts.error or facts.first_statement) or entry_point
        if not reportable and path not in self.facts:
            return []
        self.add(path, self.display.get(path, str(path)), facts)
        if not reportable:
            return []
        # Read only what the verdicts need: every program, where a match depends on the switch; else the
        # file's own program, where it starts one.
        # The program model (whether its programs train, which code autograd records) needs the project: any
        # finding can depend on it.
        self.supporting_files()
        return self.findings_for([path], honour_noqa, whole_project=False)


def check_paths(paths: list[Path], settings: Settings, ruleset: RuleSet, jobs: int | None = None,
                use_cache: bool = True) -> CheckResult:
    files = discover(paths, settings)
    context = ProjectContext(settings, ruleset, use_cache)
    facts, parsed = collect_facts([p for p, _ in files], ruleset, context.cache, jobs or os.cpu_count() or 1)
    for (path, display), file_facts in zip(files, facts, strict=True):
        context.add(path, display, file_facts)
    whole = any(same_path(p, settings.root) for p in paths)
    if whole:
        context.project_files = [path for path, _ in files]
    findings = context.findings_for([p for p, _ in files])
    if whole:  # the environment files of the project (pins, containers): see environment/checks.py
        from .environment.checks import environment_findings

        findings = sorted(findings + environment_findings(context.project()), key=lambda f: f.sort_key)
    return CheckResult(findings, len(files), parsed)


def check_source(source: str, settings: Settings, ruleset: RuleSet, display: str = "<string>",
                 notebook: bool = False) -> list[Finding]:
    """Findings for one in-memory module as a program of its own (examples, editor buffers)."""
    from .engine.analyze import analyze_text
    from .engine.project import Project, SourceFile

    facts = analyze_text(source, index_for(ruleset), notebook)
    path = settings.root / Path(display).name
    sources = [SourceFile(path, display, facts)]
    targets = resolve_targets(settings, ruleset.framework_modules)
    project = Project(sources, settings, ruleset, targets)
    return sorted(project.findings(), key=lambda f: f.sort_key)

