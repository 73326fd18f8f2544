"""What the flake8 and pylint front ends share: their options and one project context per process.

A front end is handed one module at a time, but whether a call in it is reported depends on the whole
program (does the entry point that imports it turn the determinism switch on?). A
:class:`~mlfcore_lint.runner.ProjectContext` reads the project's entry points and the modules they import
once, so the context is built once per project and process, and reused for every module.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..config import ConfigError, apply_table, find_config, load_settings, parse_target, project_root
from ..model import Finding
from ..ruleset.loader import default_ruleset
from ..runner import ProjectContext


@dataclass(frozen=True)
class FrontEndOption:
    """An option both front ends offer, named after its ``[tool.mlfcore-lint]`` key."""

    key: str
    metavar: str
    help: str
    is_path: bool = False

    @property
    def flag(self) -> str:
        return f"mlf-{self.key}"


OPTIONS = (
    FrontEndOption("target", "REQUIREMENT", 'framework versions to check against, e.g. "torch==2.13" '
                   "(comma-separated; overrides [tool.mlfcore-lint] target for the same framework)"),
    FrontEndOption("extend-rules", "FILE", "extra rule files in the mlfcore-lint YAML format (comma-separated)",
                   is_path=True),
    FrontEndOption("entry-points", "GLOB", "files that start a program, besides those with a __main__ block "
                   "and console scripts (comma-separated globs)"),
)


@dataclass(frozen=True)
class Overrides:
    """Values a front end's own options give for ``[tool.mlfcore-lint]`` keys (empty: not given)."""

    target: tuple[str, ...] = ()
    extend_rules: tuple[str, ...] = ()
    entry_points: tuple[str, ...] = ()

    @classmethod
    def from_values(cls, values: dict[str, object]) -> Overrides:
        """From option values keyed by ``[tool.mlfcore-lint]`` key; each a list or a comma-separated string."""
        return cls(**{key.replace("-", "_"): _as_tuple(value) for key, value in values.items()})


def _as_tuple(value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = value.split(",")
    return tuple(item.strip() for item in value if item and item.strip())


@lru_cache(maxsize=1024)
def _project_key(directory: Path) -> tuple[Path | None, Path]:
    """The configuration file and project root that govern files in ``directory``."""
    config_file = find_config(directory)
    root = Path(os.path.realpath(config_file.parent)) if config_file is not None else project_root(directory)
    return config_file, root


_contexts: dict[tuple[Path | None, Path, Overrides], ProjectContext] = {}


def project_context(start: Path, overrides: Overrides) -> ProjectContext:
    """The context for the project holding ``start`` (a file or folder); built once per process.

    Raises ConfigError or RuleError for a bad configuration, option value or rule file.
    """
    directory = start if start.is_dir() else start.parent
    config_file, root = _project_key(Path(os.path.realpath(directory)))
    key = (config_file, root, overrides)
    context = _contexts.get(key)
    if context is None:
        for text in overrides.target:
            parse_target(text, "option mlf-target")
        settings = load_settings(config_file, [root], list(overrides.target))
        given = {"extend-rules": list(overrides.extend_rules), "entry-points": list(overrides.entry_points)}
        apply_table(settings, {k: v for k, v in given.items() if v}, "options", Path.cwd())
        context = ProjectContext(settings, default_ruleset(settings.extend_rules))
        _contexts[key] = context
    return context


def check_module(path: Path, source: bytes | str, overrides: Overrides, honour_noqa: bool = True,
                 tree=None) -> list[Finding]:
    """Findings for ``source`` (the file's bytes, or text already decoded) standing in for the file ``path``,
    judged within its project.

    ``tree``: the :mod:`ast` tree of ``source`` where the front end has it (flake8), so it is not parsed twice.
    """
    path = Path(os.path.realpath(path))
    return project_context(path, overrides).check_buffer(path, source, honour_noqa=honour_noqa, tree=tree)


def prepare(overrides: Overrides, paths=()) -> list[ProjectContext]:
    """The contexts of the projects holding ``paths`` (default: the current folder), entry points already read.

    Called once before any file is checked (before flake8 forks its jobs, so they share the work). Raises
    ConfigError for a bad option value or rule file.
    """
    starts = [Path(p) for p in paths if p != "-"] or [Path.cwd()]
    contexts = []
    for start in starts:
        try:
            context = project_context(start.absolute(), overrides)
        except ConfigError:
            raise
        except ValueError as error:  # RuleError: a rule file given by --mlf-extend-rules
            raise ConfigError(str(error)) from None
        if context not in contexts:
            context.supporting_files()
            contexts.append(context)
    return contexts
