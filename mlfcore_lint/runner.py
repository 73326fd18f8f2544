"""Running the engine over files and folders: discovery, cache, parallel analysis, the project step."""

from __future__ import annotations

import multiprocessing
import os
import random
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass
from functools import partial
from itertools import groupby
from pathlib import Path
from sys import intern

from .cache import FactsCache
from .cache_index import StatIndex, stat_of
from .config import Settings
from .discovery import SOURCE_SUFFIXES, UsageError, console_script_modules, discover, discover_names
from .engine.facts import FileFacts, problem_facts
from .engine.program import in_test_folder
from .engine.source import MAX_FILE_BYTES, TOO_COMPLEX, UNREADABLE, SourceProblem
from .files import NotReadable, read_regular, same_path
from .gc_pacing import collect_rarely, rarer_collections
from .model import Finding
from .project_memo import ProjectMemo
from .ruleset.schema import RuleSet
from .targets import resolve_targets
from .work_sharing import share_work

__all__ = ["SOURCE_SUFFIXES", "CheckResult", "ProjectContext", "UsageError", "check_paths", "check_source",
           "collect_facts", "console_script_modules", "discover", "index_for", "read_file"]


@dataclass
class CheckResult:
    findings: list[Finding]
    files: int
    parsed: int  # files that were analysed in this run (not served from the cache)


# ---------------------------------------------------------------------- analysis in worker processes

_worker_index = None
_worker_ruleset = None


def _worker_init(ruleset: RuleSet) -> None:
    """Compile the rule set for analysis in this process (once per rule set)."""
    global _worker_index, _worker_ruleset
    if _worker_ruleset is not ruleset:
        from .engine.index import build_index

        _worker_index, _worker_ruleset = build_index(ruleset), ruleset


def _pool_worker_init(ruleset: RuleSet) -> None:
    """A worker of the engine's own pool: it only analyses, so it collects garbage rarely (gc_pacing.py)."""
    collect_rarely()
    _worker_init(ruleset)


def index_for(ruleset: RuleSet):
    """The compiled rule index of ``ruleset`` for this process."""
    _worker_init(ruleset)
    return _worker_index


def _analyze(job: tuple[str, bool, FactsCache | None, bool], as_json: bool,
             packed: dict[str, bytes] | None = None) -> tuple[str | None, FileFacts | dict | bytes, bool]:
    """Read one file and give its facts: from the cache where its bytes are known there (the stat index did not
    know the file, or a sibling process, another flake8 or pylint job, analysed it meanwhile), else analysed and
    cached under the bytes actually read (in the process that reads it, so that reading, hashing and writing run
    in parallel too). Returns the cache key, the facts (as JSON where ``as_json`` or read from the cache, else
    frozen), and whether the file was analysed (or found unreadable).

    ``packed``: facts analysed here are not written, but returned as their sealed cache entry, for the process
    that started the helpers to write into its pack (``FactsCache.put_sealed``); the entries this helper made so
    far for the files of its group (``_group_there``), by key: a copy of one of them is sent again, not analysed.

    ``job``: the file's path, whether it is a notebook, the cache, and whether only its imports are read
    (``ProjectContext.reads_imports_only``)."""
    from .engine.analyze import analyze_bytes

    path, notebook, cache, imports_only = job
    raw = read_file(Path(path))
    if isinstance(raw, SourceProblem):
        facts = problem_facts(raw)
        return None, facts.to_json() if as_json else facts.freeze(), True
    key = cache.key(raw, notebook, imports_only=imports_only) if cache is not None else None
    if key is not None:
        if packed is not None and key in packed:
            return key, packed[key], False
        stored = cache.get_json(key)
        if stored is not None:
            return key, stored, False
    facts = analyze_bytes(raw, _worker_index, notebook, imports_only=imports_only)
    data = facts.to_json() if as_json or key is not None else None
    if key is not None:
        if packed is not None:
            packed[key] = cache.sealed(key, data)
            return key, packed[key], True
        cache.put_json(key, data)
    return key, data if as_json else facts, True


def _group_there(jobs: list, groups: list[list[int]], number: int) -> list:
    """The jobs of group ``number`` of ``groups`` (numbers in ``jobs``), in a helper (``share_work`` hands out
    group numbers): each file's facts as JSON, or as the sealed entry to be packed. The files of a group have one
    size, so copies of a file (the same module in several experiment folders), which are not in the cache before
    the pack is written, are analysed once."""
    packed: dict[str, bytes] = {}
    return [_analyze(jobs[job], as_json=True, packed=packed) for job in groups[number]]


def _each_job(groups: list[list[int]], shared: Iterator) -> Iterator:
    """``(job number, result)`` for each job of the groups ``shared`` sends results of."""
    with closing(shared):
        for number, results in shared:
            yield from zip(groups[number], results, strict=True)


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


#: Files a job analyses in a row before it turns to another stretch of the list (see ``sibling_order``).
SIBLING_STRETCH = 8


def sibling_order(count: int) -> list[int]:
    """An order of ``count`` files for one of several processes that analyse the same list at once: stretches of
    ``SIBLING_STRETCH`` in an order drawn for this process, so that siblings seldom work on the same stretch and
    each skips what the others have cached (``_analyze``) instead of waiting for one to do it all."""
    stretches = list(range(0, count, SIBLING_STRETCH))
    random.Random(os.getpid()).shuffle(stretches)
    return [number for start in stretches for number in range(start, min(start + SIBLING_STRETCH, count))]


#: A pool of worker processes pays for its start (forking, sending the results back) only over this much work.
POOL_MIN_FILES = 32
POOL_MIN_BYTES = 512 * 1024


def pool_pays(sizes: list[int], jobs: int) -> bool:
    """Whether analysing files of these sizes in ``jobs`` processes is faster than in this one."""
    return jobs > 1 and len(sizes) >= POOL_MIN_FILES and sum(sizes) >= POOL_MIN_BYTES


@rarer_collections()
def collect_facts(
    files: list[Path], ruleset: RuleSet, cache: FactsCache | None, jobs: int, index: StatIndex | None = None,
    keys: list[str | None] | None = None, *, imports_only: Callable[[Path | str], bool],
) -> tuple[list[FileFacts], int]:
    """Facts for each file, from the cache where the content is unchanged; returns (facts, parsed count).

    ``index``: where a file's size and times are as when its facts were cached, they are taken from the cache
    without reading the file. ``keys`` receives each file's facts-cache key (None for a file that could not be
    read, or without a cache). Any other file is read by the process that hashes it, looks it up in the cache and
    analyses it where the cache does not have it (``_analyze``): with ``jobs`` helper processes (work_sharing.py),
    reading and hashing run in parallel, and no process holds the source of the whole project.
    ``imports_only``: whether only a file's imports are read (``ProjectContext.reads_imports_only``).
    """
    results: list[FileFacts | None] = [None] * len(files)
    found_keys: list[str | None] = [None] * len(files)
    misses: list[tuple[int, tuple]] = []  # (position, ``_analyze``'s job)
    stats = [stat_of(path) for path in files]
    # Files with the same bytes (copies of a module in several experiment folders) share one FileFacts: facts
    # are not changed once made, and the project step holds every file's.
    made: dict[str, FileFacts] = {}
    shared: dict = {}  # equal lists of calls are one tuple (see ``FileFacts.from_json``)
    for position, path in enumerate(files):
        key = index.key(path, stats[position]) if cache is not None and index is not None else None
        cached = (made.get(key) or cache.get(key, shared)) if key is not None else None
        if cached is not None:
            made[key] = results[position] = cached
            found_keys[position] = key
            index.record(path, stats[position], key)
            continue
        misses.append((position, (str(path), path.suffix == ".ipynb", cache, imports_only(path))))
    parsed = 0
    if misses:
        jobs_list = [job for _, job in misses]
        sizes = [stats[position].st_size if stats[position] else 0 for position, _ in misses]
        # A flake8 or pylint job (or any pool's worker) reads serially: its siblings keep the other cores busy,
        # and a daemon process may not start processes at all.
        if multiprocessing.parent_process() is not None or not pool_pays(sizes, jobs):
            _worker_init(ruleset)
            # Sibling jobs of flake8 or pylint read the same project at the same moment: each takes the
            # files in an order of its own and skips those another has analysed meanwhile.
            order = sibling_order(len(misses)) if multiprocessing.parent_process() is not None else None
            computed = ((number, _analyze(jobs_list[number], as_json=False))  # facts analysed here: no JSON
                        for number in (order if order is not None else range(len(misses))))
        else:
            largest_first = sorted(range(len(misses)), key=sizes.__getitem__, reverse=True)  # see share_work
            misses, jobs_list = [misses[n] for n in largest_first], [jobs_list[n] for n in largest_first]
            # files of one size go to one helper together: copies of a file are analysed once (``_group_there``)
            ordered_sizes = [sizes[n] for n in largest_first]
            groups = [list(group) for _, group in groupby(range(len(misses)), key=ordered_sizes.__getitem__)]
            computed = _each_job(groups, share_work(len(groups), min(jobs, len(groups)),
                                                    partial(_group_there, jobs_list, groups),
                                                    initializer=_pool_worker_init, initargs=(ruleset,)))
        # each file's facts are made as they arrive (from a helper's JSON): this process never holds both for
        # all files
        with closing(computed):
            for number, (key, data, analysed) in computed:
                position = misses[number][0]
                facts = made.get(key) if key is not None else None
                if facts is None:
                    if type(data) is bytes:
                        data = cache.put_sealed(key, data)
                    facts = data.share(shared) if isinstance(data, FileFacts) else FileFacts.from_json(data, shared)
                    if key is not None:
                        made[key] = facts
                results[position], found_keys[position] = facts, key
                parsed += analysed
                if index is not None and key is not None:
                    index.record(files[position], stats[position], key)
    if index is not None:
        index.save()
    if cache is not None and cache.packing:
        cache.finish_pack({*found_keys, *index.keys()} if index is not None else None)
    if keys is not None:
        keys.extend(found_keys)
    return results, parsed


def cache_keys(files: list[Path | str], cache: FactsCache, index: StatIndex | None,
               imports_only: Callable[[Path | str], bool]) -> list[str | None]:
    """Each file's facts-cache key, from ``index`` where its size and times are unchanged, else by hashing it
    (None where it cannot be read; ``imports_only``: as ``collect_facts``); nothing is analysed."""
    keys = []
    for path in files:
        stat = stat_of(path)
        key = index.key(path, stat) if index is not None else None
        if key is None:
            raw = read_file(Path(path))
            key = None if isinstance(raw, SourceProblem) else cache.key(raw, str(path).endswith(".ipynb"),
                                                                        imports_only=imports_only(path))
            if index is not None and key is not None:
                index.record(path, stat, key)
        keys.append(key)
    if index is not None:
        index.save()
    return keys


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
        self.root = settings.root.resolve()
        self.index = StatIndex(self.cache, self.root) if self.cache is not None else None
        self.facts: dict[Path, FileFacts] = {}
        self.display: dict[Path, str] = {}
        self.keys: dict[Path, str | None] = {}  # the facts-cache key of each file's facts (None: unknown)
        self._module_entries: list[tuple[str, str, str]] | None = None
        self._module_file_list: list[str] | None = None
        self._importable: dict[str, str] | None = None  # see ``_module_names``
        self._importable_paths: dict[str, Path] | None = None
        self._paths: dict[str, Path] = {}
        self._supporting: list[Path] | None = None
        # The project step over the current facts, reused while they do not change (a front end checking
        # the files on disk adds facts equal to those already read for the entry points' programs).
        self._project = None
        self._sources_by_path = None
        self.project_files: list[str] | None = None  # every source file below the root (absolute), once discovered
        self.root_prefixes = {os.path.join(str(root), "") for root in (self.root, settings.root.absolute())}
        self._relative: dict[Path | str, str | None] = {}
        self.targets = resolve_targets(settings, ruleset.framework_modules)
        self.console_scripts = console_script_modules(settings.root)

    def relative(self, path: Path | str) -> str | None:
        """``path`` relative to the project root (POSIX), None outside it; a path below the root as written
        needs no look-up on disk, any other is resolved once."""
        found = self._relative.get(path)
        if found is None and path not in self._relative:
            text = str(path)
            for prefix in self.root_prefixes:
                if text.startswith(prefix):
                    found = intern(text[len(prefix):].replace(os.sep, "/"))  # as the project step names it
                    break
            else:
                try:
                    found = Path(path).resolve().relative_to(self.root).as_posix()
                except (ValueError, OSError, RuntimeError):
                    found = None
            self._relative[path] = found
        return found

    def reads_imports_only(self, path: Path | str) -> bool:
        """Whether only the imports of the file at ``path`` are read: test code by its folder (``in_test_folder``),
        whose matches are never reported and which starts no program. A program that imports such a module runs
        its functions as those of a file the pre-filter skips: whatever they call, it imports."""
        relative = self.relative(path)
        return relative is not None and in_test_folder(relative)

    def add(self, path: Path, display: str, facts: FileFacts, key: str | None = None) -> None:
        if self.facts.get(path) != facts or self.display.get(path) != display:
            self._project = None  # the project step must see the new facts
        self.facts[path] = facts
        self.display[path] = display
        self.keys[path] = key

    def release(self) -> None:
        """Let go of the facts read and of the project step over them (a run that has its findings)."""
        if self._project is not None:
            self._project.close()
        if self.cache is not None:
            self.cache.catalog.close()
        self.facts.clear()
        self._project = self._sources_by_path = None

    def _read(self, paths: list[Path]) -> None:
        """Facts of files not read yet, analysed in parallel."""
        unread = [path for path in paths if path not in self.facts]
        keys: list[str | None] = []
        facts, _ = collect_facts(unread, self.ruleset, self.cache, self.jobs, self.index, keys,
                                 imports_only=self.reads_imports_only)
        for path, file_facts, key in zip(unread, facts, keys, strict=True):
            self.add(path, str(path), file_facts, key)

    def project_names(self) -> list[str]:
        """Every file the project step reads, as absolute path strings: the project's modules and notebooks (each
        may start a program), whichever files are checked, so that a file's findings are the same checked alone
        or with the project."""
        modules = self._module_files()  # discovers the project's files where they were not given
        notebooks = [name for name in self.project_files
                     if name.endswith(".ipynb") and self.relative(name) is not None]
        return list(dict.fromkeys([*modules, *notebooks]))

    def project_paths(self) -> list[Path]:
        """``project_names`` as paths."""
        return [self.path_of(name) for name in self.project_names()]

    def path_of(self, name: str) -> Path:
        """The one ``Path`` of a file named by its absolute path string."""
        path = self._paths.get(name)
        if path is None:
            path = self._paths[name] = Path(name)
        return path

    def _modules(self) -> list[tuple[str, str, str]]:
        """(module name, path from the root, absolute path string) of each Python file below the root."""
        if self._module_entries is None:
            from .engine.project import module_name

            if self.project_files is None:
                self.project_files = [name for name, _ in discover_names([self.root], self.settings, self.cache)]
            relative = [(path, name) for path in self.project_files
                        if path.endswith(".py") and (name := self.relative(path)) is not None]
            self._module_entries = [(module_name(name), name, path) for path, name in relative]
        return self._module_entries

    def _module_files(self) -> list[str]:
        """The project's modules (``importable_modules``): what a re-run the memo answers needs of them."""
        if self._module_file_list is None:
            from .engine.project import importable_modules

            self._module_file_list = importable_modules(self._modules())
        return self._module_file_list

    def _module_names(self) -> dict[str, str]:
        """Each name a project module can be imported by -> the module's absolute path string."""
        if self._importable is None:
            from .engine.project import importable_names

            self._importable = importable_names(self._modules())
        return self._importable

    def _all_module_paths(self) -> dict[str, Path]:
        """``_module_names``, with paths."""
        if self._importable_paths is None:
            self._importable_paths = {name: self.path_of(path) for name, path in self._module_names().items()}
        return self._importable_paths

    def _named_entry_point(self, path: Path) -> bool:
        """Whether ``path`` starts a program by name: a console script's module or an ``entry-points`` glob."""
        from .engine.project import is_console_script, module_name

        relative = self.relative(path)
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
        project_paths = set(self.project_paths())
        self._read(sorted(project_paths))
        entry_points = sorted(p for p in project_paths if self.facts[p].main_line or self.facts[p].first_statement
                              or self._named_entry_point(p))
        self._supporting = sorted(reachable(entry_points, self._imported_paths))
        # every name of every module: megabytes on a large project, and the project step resolves imports itself
        self._importable = self._importable_paths = None
        return self._supporting

    def _imported_paths(self, path: Path) -> list[Path]:
        """The project modules the module at ``path`` imports (its facts are read)."""
        from .engine.project import local_imports, module_name

        relative = self.relative(path) or path.name
        return local_imports(self.facts[path], module_name(relative), path.name == "__init__.py",
                             self._all_module_paths())

    def module_folders(self) -> list[Path]:
        """The project's folders below the root that hold a module: where a program may start and install from
        its own files (see environment/checks.py)."""
        folders: set[str] = set()
        for name in self._module_files():
            relative = self.relative(name)
            while relative is not None and "/" in relative:
                relative = relative.rpartition("/")[0]
                if relative in folders:
                    break  # its parents are in too
                folders.add(relative)
        return [self.root / folder for folder in sorted(folders)]

    def findings_for(self, paths: list[Path], honour_noqa: bool = True, whole_project: bool = True) -> list[Finding]:
        """Findings in ``paths`` (whose facts were added), judged in the context of the whole project.

        ``whole_project=False``: the caller has read what these files need (``check_buffer``).
        """
        by_file = self.findings_by_file(paths, honour_noqa, whole_project)
        return sorted((f for found in by_file.values() for f in found), key=lambda f: f.sort_key)

    @rarer_collections()
    def findings_by_file(self, paths: list[Path], honour_noqa: bool = True,
                         whole_project: bool = True) -> dict[Path, list[Finding]]:
        """``findings_for``, file by file."""
        if whole_project:
            self.supporting_files()  # read once: every entry point and the modules it imports
        project = self.project()
        project.honour_noqa = honour_noqa
        return {source.path: project.findings_in(source) for source in self._sources_in(project, set(paths))}

    def project(self):
        """The project step over every file read so far (built by ``findings_for``, or here)."""
        if self._project is None:
            from .engine.project import Project, SourceFile

            if self.index is not None:
                self.index.release()  # every file the step reads is read
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
        imports_only = self.reads_imports_only(path)
        key = self.cache.key(raw, notebook, text=is_text, imports_only=imports_only) if self.cache is not None else None
        # the facts the project step read for this file, where the buffer holds what the file does
        facts = self.facts.get(path) if key is not None and self.keys.get(path) == key else None
        if facts is None and key is not None:
            facts = self.cache.get(key)
        if facts is None:
            index = index_for(self.ruleset)
            analyze = analyze_text if is_text else analyze_bytes
            facts = analyze(source, index, notebook, tree, imports_only)
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
        self.add(path, self.display.get(path, str(path)), facts, key)
        if not reportable:
            return []
        # Read only what the verdicts need: every program, where a match depends on the switch; else the
        # file's own program, where it starts one.
        # The program model (whether its programs train, which code autograd records) needs the project: any
        # finding can depend on it.
        self.supporting_files()
        return self.findings_for([path], honour_noqa, whole_project=False)


@rarer_collections()
def check_paths(paths: list[Path], settings: Settings, ruleset: RuleSet, jobs: int | None = None,
                use_cache: bool = True) -> CheckResult:
    context = ProjectContext(settings, ruleset, use_cache)
    names = discover_names(paths, settings, context.cache)  # strings: the memo may answer without paths
    whole = any(same_path(p, settings.root) for p in paths)
    if whole:
        context.project_files = [name for name, _ in names]
    # What the last run learnt (see project_memo.py), replayed where it covers the files the project step reads.
    memo = ProjectMemo(context) if context.cache is not None else None
    every = sorted(set(context.project_names()) | {name for name, _ in names})
    if memo is not None:
        found = memo.replay([name for name, _ in names], dict(names), whole, every)
        if found is not None:
            return CheckResult(found, len(names), memo.parsed)
    files = [(context.path_of(name), shown) for name, shown in names]
    checked = [p for p, _ in files]
    keys: list[str | None] = []
    facts, parsed = collect_facts(checked, ruleset, context.cache, jobs or os.cpu_count() or 1, context.index, keys,
                                  imports_only=context.reads_imports_only)
    for (path, display), file_facts, file_key in zip(files, facts, keys, strict=True):
        context.add(path, display, file_facts, file_key)
    by_file = context.findings_by_file(checked)
    findings = [finding for found in by_file.values() for finding in found]
    environment = None
    if whole:  # the environment files of the project (pins, containers): see environment/checks.py
        from .environment.checks import environment_findings

        environment = environment_findings(context.project())
        findings += environment
    if memo is not None:
        keys_by_name = {str(path): key for path, key in context.keys.items()}
        answers = context.project().answers
        del facts
        context.release()  # the memo is written without every file's facts and the project step beside it
        memo.store(every, [keys_by_name.get(name) for name in every], by_file, answers, environment)
    parsed += memo.parsed if memo is not None else 0  # files the memo analysed before it left the work here
    return CheckResult(sorted(findings, key=lambda f: f.sort_key), len(files), parsed)


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

