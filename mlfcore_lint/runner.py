"""Running the engine over files and folders: discovery, cache, parallel analysis, the project step."""

from __future__ import annotations

import configparser
import multiprocessing
import os
from dataclasses import dataclass
from pathlib import Path

from .cache import CACHE_DIR_NAME, FactsCache
from .config import Settings, tomllib
from .engine.facts import FileFacts
from .engine.source import UNREADABLE, SourceProblem
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
        visited: set[str] = set()
        for directory, subdirectories, filenames in os.walk(path, followlinks=True):
            real = os.path.realpath(directory)
            if real in visited:  # a symlink loop, or a folder reached twice
                subdirectories[:] = []
                continue
            visited.add(real)
            here = Path(directory)
            subdirectories[:] = sorted(
                d for d in subdirectories if not settings.is_excluded(here / d)
            )
            for name in sorted(filenames):
                if name.endswith(SOURCE_SUFFIXES):
                    file_path = here / name
                    if not settings.is_excluded(file_path):
                        found.setdefault(file_path.absolute(), str(file_path))
    return list(found.items())


def console_script_modules(root: Path) -> set[str]:
    """Modules named by the project's console scripts (``pyproject.toml`` or ``setup.cfg``)."""
    modules = set()
    pyproject = root / "pyproject.toml"
    if pyproject.is_file():
        try:
            data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
            for target in (data.get("project", {}).get("scripts", {}) or {}).values():
                modules.add(str(target).split(":")[0].strip())
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            pass
    setup_cfg = root / "setup.cfg"
    if setup_cfg.is_file():
        parser = configparser.ConfigParser()
        try:
            parser.read(setup_cfg, encoding="utf-8")
            for line in parser.get("options.entry_points", "console_scripts", fallback="").splitlines():
                if "=" in line:
                    modules.add(line.split("=", 1)[1].split(":")[0].strip())
        except (configparser.Error, OSError, UnicodeDecodeError):
            pass
    return modules


# ---------------------------------------------------------------------- analysis in worker processes

_worker_index = None


def _worker_init(ruleset: RuleSet) -> None:
    global _worker_index
    from .engine.index import build_index

    _worker_index = build_index(ruleset)


def _analyze_in_worker(job: tuple[bytes, bool]) -> dict:
    from .engine.analyze import analyze_bytes

    raw, notebook = job
    return analyze_bytes(raw, _worker_index, notebook).to_json()


def read_file(path: Path) -> bytes | SourceProblem:
    try:
        return path.read_bytes()
    except OSError as error:
        reason = error.strerror or str(error)
        return SourceProblem(UNREADABLE, f"cannot read file: {reason}")


def collect_facts(files: list[Path], ruleset: RuleSet, cache: FactsCache | None, jobs: int) -> tuple[list[FileFacts], int]:
    """Facts for each file, from the cache where the content is unchanged; returns (facts, parsed count)."""
    from .engine.analyze import problem_facts

    results: list[FileFacts | None] = [None] * len(files)
    misses: list[tuple[int, bytes, bool, str | None]] = []
    for position, path in enumerate(files):
        raw = read_file(path)
        if isinstance(raw, SourceProblem):
            results[position] = problem_facts(raw)
            continue
        notebook = path.suffix == ".ipynb"
        key = cache.key(raw, notebook) if cache is not None else None
        cached = cache.get(key) if cache is not None else None
        if cached is not None:
            results[position] = cached
        else:
            misses.append((position, raw, notebook, key))
    if misses:
        jobs = max(1, min(jobs, len(misses)))
        if jobs == 1 or len(misses) < 4:
            _worker_init(ruleset)
            computed = [_analyze_in_worker((raw, notebook)) for _, raw, notebook, _ in misses]
        else:
            context = multiprocessing.get_context("fork" if hasattr(os, "fork") else "spawn")
            with context.Pool(jobs, initializer=_worker_init, initargs=(ruleset,)) as pool:
                chunk = max(1, min(16, len(misses) // (jobs * 4)))
                computed = pool.map(_analyze_in_worker, [(raw, nb) for _, raw, nb, _ in misses], chunksize=chunk)
        for (position, _, _, key), data in zip(misses, computed):
            facts = FileFacts.from_json(data)
            results[position] = facts
            if cache is not None and key is not None:
                cache.put(key, facts)
    return results, len(misses)


def check_paths(paths: list[Path], settings: Settings, ruleset: RuleSet, jobs: int | None = None,
                use_cache: bool = True) -> CheckResult:
    from .engine.project import Project, SourceFile

    files = discover(paths, settings)
    cache = FactsCache(settings.root / CACHE_DIR_NAME, ruleset.fingerprint) if use_cache else None
    facts, parsed = collect_facts([p for p, _ in files], ruleset, cache, jobs or os.cpu_count() or 1)
    sources = [SourceFile(path, display, file_facts) for (path, display), file_facts in zip(files, facts)]
    targets = resolve_targets(settings, ruleset.framework_modules)
    project = Project(sources, settings, ruleset, targets, console_script_modules(settings.root))
    findings = sorted(project.findings(), key=lambda f: f.sort_key)
    return CheckResult(findings, len(files), parsed)


def check_source(source: str, settings: Settings, ruleset: RuleSet, display: str = "<string>",
                 notebook: bool = False, entry_point: bool | None = None) -> list[Finding]:
    """Findings for one in-memory module as a program of its own (examples, editor buffers)."""
    from .engine.analyze import analyze_bytes
    from .engine.index import build_index
    from .engine.project import Project, SourceFile

    facts = analyze_bytes(source.encode("utf-8"), _index_for(ruleset, build_index), notebook)
    path = settings.root / Path(display).name
    sources = [SourceFile(path, display, facts)]
    targets = resolve_targets(settings, ruleset.framework_modules)
    project = Project(sources, settings, ruleset, targets)
    if entry_point is not None:
        sources[0].is_entry_point = entry_point
        sources[0].programs = [sources[0]] if entry_point else []
    return sorted(project.findings(), key=lambda f: f.sort_key)


_indexes: dict[int, object] = {}


def _index_for(ruleset: RuleSet, build):
    index = _indexes.get(id(ruleset))
    if index is None or index[0] is not ruleset:
        index = (ruleset, build(ruleset))
        _indexes[id(ruleset)] = index
    return index[1]
