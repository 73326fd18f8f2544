"""Settings: ``[tool.mlfcore-lint]`` in ``pyproject.toml``, overridden by the command line."""

from __future__ import annotations

import fnmatch
import os
import re
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path, PurePath

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import SpecifierSet

from .files import MAX_CONFIG_BYTES, NotReadable, read_regular

CODE_OR_PREFIX = re.compile(r"^(ALL|HINT|MLF\d{0,3})$")
DEFAULT_EXCLUDES = (
    ".git", ".hg", ".svn", ".tox", ".nox", ".venv", "venv", "env", ".env", "__pycache__", "build", "dist",
    "site-packages", "node_modules", ".mypy_cache", ".pytest_cache", ".ruff_cache", ".mlfcore_lint_cache",
    ".ipynb_checkpoints", "*.egg-info", ".eggs",
)


class ConfigError(ValueError):
    """A configuration problem; the message names the file and the key."""


# Distribution names that mean the same framework (PyPI spellings, conda names).
DISTRIBUTION_ALIASES = {
    "pytorch": "torch", "torch-cpu": "torch", "tensorflow-cpu": "tensorflow", "tensorflow-gpu": "tensorflow",
    "tensorflow-macos": "tensorflow", "tf-nightly": "tensorflow", "intel-tensorflow": "tensorflow",
    "pytorch-lightning": "lightning", "py-xgboost": "xgboost", "xgboost-cpu": "xgboost", "tf-keras": "keras",
    "scikit-learn": "scikit-learn", "sklearn": "scikit-learn", "jaxlib": "jax",
}


def normalize_distribution(name: str) -> str:
    name = pep503_name(name)
    return DISTRIBUTION_ALIASES.get(name, name)


def pep503_name(name: str) -> str:
    """A distribution's name as PEP 503 compares names (``Scikit_Learn`` is ``scikit-learn``), aliases kept apart."""
    return re.sub(r"[-_.]+", "-", name).lower()


def distribution_names(distribution: str) -> list[str]:
    """``distribution`` and the names it is also installed under (``tensorflow-cpu`` for ``tensorflow``)."""
    return [distribution] + [alias for alias, canonical in DISTRIBUTION_ALIASES.items() if canonical == distribution]


def parse_target(text: str, where: str) -> tuple[str, SpecifierSet]:
    """``torch==2.13`` or ``torch>=2.1,<2.4`` -> (``torch``, specifier)."""
    try:
        requirement = Requirement(text)
    except InvalidRequirement as error:
        reason = str(error).splitlines()[0]
        raise ConfigError(f"{where}: {text!r} is not a PEP 508 requirement: {reason}") from None
    return normalize_distribution(requirement.name), requirement.specifier


def parse_targets(texts, where: str) -> dict[str, SpecifierSet]:
    """Each framework's range from ``torch==2.13``-like texts; a framework named twice is an error (which of two
    versions would be checked? the range that holds both says it: ``torch>=2.11,<=2.13``)."""
    targets: dict[str, SpecifierSet] = {}
    texts_of: dict[str, str] = {}
    for text in texts:
        name, specifier = parse_target(text, where)
        if name in targets:
            raise ConfigError(f"{where}: {name} is named twice ({texts_of[name]!r} and {text!r}): give one range "
                              f"that holds every version to check, e.g. '{name}>=2.11,<=2.13'")
        targets[name], texts_of[name] = specifier, text
    return targets


@dataclass
class Settings:
    select: tuple[str, ...] = ("MLF",)
    ignore: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()
    per_file_ignores: dict[str, tuple[str, ...]] = field(default_factory=dict)
    exclude: tuple[str, ...] = ()
    extend_exclude: tuple[str, ...] = ()
    targets: dict[str, SpecifierSet] = field(default_factory=dict)  # explicit: --target, then config
    extend_rules: tuple[str, ...] = ()
    entry_points: tuple[str, ...] = ()  # globs
    discover_targets: bool = True  # read project pins and installed metadata for missing targets
    # Where the environment is controlled outside the project's files (a platform, a prebuilt image):
    pinned_elsewhere: tuple[str, ...] = ()  # distributions whose version is fixed elsewhere ("*": all)
    set_elsewhere: dict[str, str] = field(default_factory=dict)  # variables the launcher sets -> values
    respect_gitignore: bool = True  # skip what the project's .gitignore files ignore
    root: Path = field(default_factory=Path.cwd)
    config_file: Path | None = None
    _exclude_regex: re.Pattern | None = field(default=None, repr=False, compare=False)
    _gitignore: object = field(default=None, repr=False, compare=False)
    _gitignore_for: object = field(default=None, repr=False, compare=False)  # the root ``_gitignore`` answers for
    _root_text: str = field(default="", repr=False, compare=False)

    def is_selected(self, code: str, path: str = "", hint: bool = False) -> bool:
        """Whether ``code`` is reported (in ``path``); a ``hint`` only where a selection names it (``selects_hint``)."""
        if hint and not self.selects_hint(code):
            return False
        selected = _longest_prefix(code, self.select + self.extend_select)
        ignored = _longest_prefix(code, self.ignore)
        if selected < 0 or ignored >= selected:
            return False
        for pattern, codes in self.per_file_ignores.items():
            if path and _path_matches(path, pattern) and _longest_prefix(code, codes) >= 0:
                return False
        return True

    def selects_hint(self, code: str) -> bool:
        """Hints (rules that do not by themselves break determinism) are reported only when selected by their
        code or by ``HINT``, like ruff's opinionated rules."""
        chosen = self.select + self.extend_select
        return code in chosen or "HINT" in chosen

    def is_excluded(self, path: str | os.PathLike, base: Path | None = None, is_dir: bool | None = None,
                    absolute: str | None = None) -> bool:
        """Whether ``path`` (a file or folder) matches an exclude pattern, by name or by its path below
        ``base`` (a folder the user named: what lies above it is not excluded), or below the project root;
        or, with ``respect_gitignore``, whether git ignores it (``is_dir``: whether it is a folder, where the
        caller knows; ``absolute``: ``os.path.abspath(path)``, where the caller has it)."""
        return (self._matches_exclude(path, base, absolute)
                or (self.respect_gitignore and self.is_gitignored(path, base, is_dir)))

    def is_gitignored(self, path: str | os.PathLike, base: Path | None = None, is_dir: bool | None = None) -> bool:
        """Whether the project's ``.gitignore`` files ignore ``path`` (below ``base``, where given)."""
        from .gitignore import GitIgnore

        if self._gitignore_for is not self.root:  # made for another root (settings copied and changed)
            if self._gitignore is None or self._gitignore.root != Path(os.path.abspath(self.root)):
                self._gitignore = GitIgnore(self.root)
            self._gitignore_for = self.root
        # A folder the user names is checked even where it is ignored: then only what lies below it counts.
        return self._gitignore.is_ignored(path, is_dir, below=base)

    def _matches_exclude(self, path: str | os.PathLike, base: Path | None = None, absolute: str | None = None) -> bool:
        if self._exclude_regex is None:
            # Version-control folders, virtual environments and build output are always skipped.
            patterns = DEFAULT_EXCLUDES + self.exclude + self.extend_exclude
            self._exclude_regex = _globs_regex(patterns)
        absolute = os.path.abspath(path) if absolute is None else absolute
        if base is not None:
            root = os.path.abspath(base)
        else:
            root = self._root_text or os.path.realpath(self.root)
            self._root_text = root
        relative = absolute[len(root) + 1:] if absolute.startswith(root + os.sep) else os.fspath(path)
        name = path.name if isinstance(path, PurePath) else os.path.basename(path)
        return bool(self._exclude_regex.match(name) or self._exclude_regex.match(relative.replace(os.sep, "/")))

    def is_configured_entry_point(self, relative_path: str) -> bool:
        return any(_path_matches(relative_path, pattern) for pattern in self.entry_points)


def _longest_prefix(code: str, prefixes: tuple[str, ...]) -> int:
    best = -1
    for prefix in prefixes:
        if prefix == "ALL":
            best = max(best, 0)
        elif prefix == "HINT":
            continue
        elif code.startswith(prefix):
            best = max(best, len(prefix))
    return best


def _globs_regex(patterns) -> re.Pattern:
    """One regular expression for globs that match a name, a relative path, or any folder part of one."""
    alternatives = []
    for pattern in patterns:
        body = fnmatch.translate(pattern.rstrip("/")).removesuffix("\\Z").removeprefix("(?s:").removesuffix(")")
        alternatives.append(f"(?:(?:.*/)?{body}(?:/.*)?)")
    return re.compile("(?s:" + "|".join(alternatives) + r")\Z") if alternatives else re.compile(r"(?!)")


def _path_matches(relative: str, pattern: str) -> bool:
    pattern = pattern.rstrip("/")
    return (
        fnmatch.fnmatch(relative, pattern)
        or fnmatch.fnmatch(relative, pattern + "/*")
        or fnmatch.fnmatch(relative, "*/" + pattern)
        or fnmatch.fnmatch(relative, "*/" + pattern + "/*")
    )


CONFIG_KEYS = {
    "select", "ignore", "extend-select", "per-file-ignores", "exclude", "extend-exclude", "target",
    "extend-rules", "entry-points", "pinned-elsewhere", "set-elsewhere", "respect-gitignore",
}


def read_pyproject(path: Path) -> dict:
    """A ``pyproject.toml`` as data, ``{}`` when there is none; parsed once per process and version of the file
    (finding the configuration, the pins and the console scripts all read it).

    Raises ConfigError, naming the file, for one that exists but cannot be used (not a regular file, too
    large, unreadable, not UTF-8, not TOML): its settings and pins must not vanish without a word.
    """
    try:
        stat = path.stat()
    except FileNotFoundError:
        return {}
    except (OSError, RuntimeError) as error:  # a link loop, a folder that cannot be searched
        raise ConfigError(f"{path}: cannot read: {getattr(error, 'strerror', None) or error}") from None
    return _parsed_toml(str(path), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=64)
def _parsed_toml(path: str, mtime_ns: int, size: int) -> dict:
    return read_toml_file(Path(path))


def read_toml_file(path: Path) -> dict:
    """A configuration file's TOML, read as a project file (see files.py); ConfigError naming the file."""
    try:
        text = read_regular(path, MAX_CONFIG_BYTES).decode("utf-8")
    except NotReadable as error:
        raise ConfigError(f"{path}: {error.reason}") from None
    except UnicodeDecodeError as error:
        raise ConfigError(f"{path}: not valid UTF-8: {error.reason} at byte {error.start}") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: invalid TOML: {error}") from None
    except RecursionError:
        raise ConfigError(f"{path}: invalid TOML: nested too deeply") from None


def table_of(data: dict, key: str) -> dict:
    """``data[key]`` where it is a table, else ``{}`` (a project's ``pyproject.toml`` may hold anything)."""
    value = data.get(key)
    return value if isinstance(value, dict) else {}


def find_config(start: Path) -> Path | None:
    """The nearest ``pyproject.toml`` with a ``[tool.mlfcore-lint]`` table, walking up from ``start``."""
    directory = Path(os.path.realpath(start))  # never raises, even for a link loop
    if directory.is_file():
        directory = directory.parent
    for candidate in [directory, *directory.parents]:
        pyproject = candidate / "pyproject.toml"
        if "mlfcore-lint" in table_of(read_pyproject(pyproject), "tool"):
            return pyproject
    return None


def project_root(start: Path) -> Path:
    """The folder holding the project's ``pyproject.toml``, ``setup.cfg``, ``setup.py`` or ``.git``."""
    directory = Path(os.path.realpath(start))  # never raises, even for a link loop
    if directory.is_file():
        directory = directory.parent
    for candidate in [directory, *directory.parents]:
        if any((candidate / marker).exists() for marker in ("pyproject.toml", "setup.cfg", "setup.py", ".git")):
            return candidate
    return directory


def _codes(value, key: str, where: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}: '{key}' must be a list of codes or prefixes")
    for code in value:
        if not CODE_OR_PREFIX.match(code):
            raise ConfigError(f"{where}: '{key}': {code!r} is not a code or prefix such as MLF1 or MLF101")
    return tuple(value)


def _strings(value, key: str, where: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}: '{key}' must be a list of strings")
    return tuple(value)


def apply_table(settings: Settings, table: dict, where: str, base: Path) -> Settings:
    """Apply a ``[tool.mlfcore-lint]``-shaped mapping (also used by the flake8 and pylint options)."""
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: [tool.mlfcore-lint] must be a table")
    for key in table:
        if key not in CONFIG_KEYS:
            known = ", ".join(sorted(CONFIG_KEYS))
            raise ConfigError(f"{where}: unknown key '{key}' in [tool.mlfcore-lint] (known: {known})")
    if "select" in table:
        settings.select = _codes(table["select"], "select", where)
    if "extend-select" in table:
        settings.extend_select = _codes(table["extend-select"], "extend-select", where)
    if "ignore" in table:
        settings.ignore = _codes(table["ignore"], "ignore", where)
    if "per-file-ignores" in table:
        value = table["per-file-ignores"]
        if not isinstance(value, dict):
            raise ConfigError(f"{where}: 'per-file-ignores' must map a glob to a list of codes")
        settings.per_file_ignores = {
            str(k): _codes(v, f"per-file-ignores.{k}", where) for k, v in value.items()
        }
    if "exclude" in table:
        settings.exclude = _strings(table["exclude"], "exclude", where)
    if "extend-exclude" in table:
        settings.extend_exclude = _strings(table["extend-exclude"], "extend-exclude", where)
    if "target" in table:
        targets = parse_targets(_strings(table["target"], "target", where), f"{where}: 'target'")
        settings.targets = {**targets, **settings.targets}
    if "extend-rules" in table:
        settings.extend_rules = tuple(
            os.path.abspath(base / p) for p in _strings(table["extend-rules"], "extend-rules", where)
        )
    if "entry-points" in table:
        settings.entry_points = _strings(table["entry-points"], "entry-points", where)
    if "pinned-elsewhere" in table:
        settings.pinned_elsewhere = tuple(
            name if name == "*" else normalize_distribution(name)
            for name in _strings(table["pinned-elsewhere"], "pinned-elsewhere", where))
    if "respect-gitignore" in table:
        if not isinstance(table["respect-gitignore"], bool):
            raise ConfigError(f"{where}: 'respect-gitignore' must be true or false")
        settings.respect_gitignore = table["respect-gitignore"]
    if "set-elsewhere" in table:
        value = table["set-elsewhere"]
        if not isinstance(value, dict) or not all(isinstance(v, (str, int)) and not isinstance(v, bool)
                                                  for v in value.values()):
            raise ConfigError(f"{where}: 'set-elsewhere' must map environment variable names to their values")
        settings.set_elsewhere = {str(k): str(v) for k, v in value.items()}
    return settings


def load_settings(config_file: Path | None, paths: list[Path], cli_targets: list[str] = ()) -> Settings:
    """Settings from the command line's targets and the configuration file (given or found)."""
    settings = Settings()
    settings.targets = parse_targets(cli_targets, "--target")
    start = paths[0] if paths else Path.cwd()
    if config_file is None:
        config_file = find_config(start)
    settings.root = Path(os.path.realpath(config_file.parent)) if config_file is not None else project_root(start)
    if config_file is None:
        return settings
    settings.config_file = config_file
    data = read_toml_file(config_file)
    if config_file.name == "pyproject.toml":
        table = table_of(data, "tool").get("mlfcore-lint", {})
    else:  # a dedicated file such as mlfcore-lint.toml holds the table at the top level
        table = table_of(data, "tool").get("mlfcore-lint", data)
    return apply_table(settings, table, str(config_file), config_file.parent)
