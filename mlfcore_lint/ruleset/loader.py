"""Loading rule files: the built-in ``rules/`` folder plus the files a user adds."""

from __future__ import annotations

import hashlib
import os
import pickle
import re
import tempfile
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from .schema import RuleError, RuleSet, _Reader, read_rule

FRAMEWORKS_FILE = "frameworks.yaml"


def builtin_rules_dir() -> Path:
    """The rule files shipped with the package (inside the wheel) or, in a checkout, ``rules/``."""
    packaged = Path(__file__).resolve().parent.parent / "_rules"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent.parent / "rules"


def _read_yaml(path: Path) -> tuple[object, bytes]:
    import yaml  # only when rule files are (re)loaded; a cached rule set needs no YAML parser

    safe_loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C loader is several times faster
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise RuleError(str(path), None, None, f"cannot read rule file: {error.strerror or error}") from None
    try:
        return yaml.load(raw, Loader=safe_loader), raw
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise RuleError(str(path), None, None, f"invalid YAML{where}: {problem}") from None


def _read_frameworks(path: Path, data: object, ruleset: RuleSet) -> None:
    reader = _Reader(str(path), None, data)
    reader.check_keys({"frameworks", "reexports"})
    frameworks = reader.child("frameworks", data.get("frameworks", {}))
    for name, entry in frameworks.data.items():
        item = frameworks.child(name, entry)
        item.check_keys({"modules", "releases", "switch"})
        ruleset.framework_modules[name.lower()] = item.str_list("modules")
        releases = item.data.get("releases", [])
        if not isinstance(releases, list) or not all(isinstance(r, str) for r in releases):
            item.fail("releases", "must be a list of version strings (quote them: '2.10')")
        ruleset.releases[name.lower()] = tuple(releases)
        if "switch" in item.data:
            ruleset.switches[name.lower()] = item.str("switch")
    reexports = reader.child("reexports", data.get("reexports", {}))
    pairs = []
    for prefix, canonical in reexports.data.items():
        if not isinstance(canonical, str):
            reexports.fail(prefix, "must map a module path to the public path it re-exports")
        pairs.append((prefix, canonical))
    # Longest prefix first, so ``torch.nn.modules.pooling`` wins over ``torch.nn.modules``.
    ruleset.reexports = tuple(sorted(pairs, key=lambda p: -len(p[0])))


def _compiled_cache_path(files: list[Path]) -> Path | None:
    """Where the validated rule set of exactly these files (by path, size and mtime) is kept.

    The cache lives in the user's cache folder, never in the checked project, so a project cannot plant a
    rule set (a pickle) that the linter would load.
    """
    from .. import __version__

    digest = hashlib.sha256(__version__.encode())
    for path in files:
        try:
            stat = path.stat()
        except OSError:
            return None
        digest.update(f"{path.resolve()}\0{stat.st_size}\0{stat.st_mtime_ns}\0".encode())
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "mlfcore-lint" / f"ruleset-{digest.hexdigest()[:24]}.pickle"


def load_ruleset(extra_files: Iterable[str | Path] = (), rules_dir: Path | None = None,
                 use_cache: bool = True) -> RuleSet:
    """Load and validate the built-in rules and ``extra_files``; raise RuleError on the first problem.

    A validated rule set is kept in the user's cache folder and reused while no rule file changes.
    """
    directory = rules_dir or builtin_rules_dir()
    files = sorted(directory.glob("*.yaml"))
    files += [Path(f) for f in extra_files]
    cache_path = _compiled_cache_path(files) if use_cache else None
    if cache_path is not None:
        try:
            with open(cache_path, "rb") as handle:
                cached = pickle.load(handle)
            if isinstance(cached, RuleSet):
                return cached
        except Exception:  # noqa: BLE001 - a missing, stale or corrupt cache only costs a reload
            pass
    ruleset = _load_files(files, directory)
    if cache_path is not None:
        try:
            cache_path.parent.mkdir(parents=True, exist_ok=True)
            descriptor, temporary = tempfile.mkstemp(dir=cache_path.parent, prefix=".tmp-")
            with os.fdopen(descriptor, "wb") as handle:
                pickle.dump(ruleset, handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, cache_path)
        except OSError:
            pass
    return ruleset


def _load_files(files: list[Path], directory: Path) -> RuleSet:
    ruleset = RuleSet()
    digest = hashlib.sha256()
    symbols: dict[str, str] = {}
    for path in files:
        data, raw = _read_yaml(path)
        digest.update(path.name.encode() + b"\0" + raw)
        if path.name == FRAMEWORKS_FILE and path.parent == directory:
            _read_frameworks(path, data, ruleset)
            continue
        reader = _Reader(str(path), None, data if data is not None else {})
        reader.check_keys({"framework", "rules"})
        entries = reader.data.get("rules", [])
        if not isinstance(entries, list):
            reader.fail("rules", "must be a list of rules")
        default_framework = reader.data.get("framework")
        for index, entry in enumerate(entries):
            if not isinstance(entry, dict):
                raise RuleError(str(path), f"#{index + 1}", None, "a rule must be a mapping")
            rule = read_rule(str(path), entry, default_framework)
            if rule.code in ruleset.rules:
                other = ruleset.rules[rule.code].source_file
                raise RuleError(str(path), rule.code, "code", f"duplicate code (also defined in {other})")
            if rule.symbol in symbols:
                other = symbols[rule.symbol]
                raise RuleError(str(path), rule.code, "symbol", f"duplicate symbol (also used by {other})")
            symbols[rule.symbol] = rule.code
            ruleset.rules[rule.code] = rule
    _check_references(ruleset)
    ruleset.fingerprint = digest.hexdigest()[:16]
    return ruleset


def _check_references(ruleset: RuleSet) -> None:
    for distribution, code in ruleset.switches.items():
        if code not in ruleset.rules:
            raise RuleError(FRAMEWORKS_FILE, None, f"frameworks.{distribution}.switch", f"no rule {code}")
    known = set(ruleset.framework_modules)
    for rule in ruleset:
        for versions in [rule.versions] + [m.versions or () for m in rule.matchers]:
            for version_range in versions:
                if known and version_range.distribution not in known:
                    raise RuleError(
                        rule.source_file, rule.code, "versions",
                        f"unknown distribution {version_range.distribution!r} (declare it in {FRAMEWORKS_FILE})",
                    )


@lru_cache(maxsize=8)
def _cached(extra: tuple[str, ...]) -> RuleSet:
    return load_ruleset(extra)


def default_ruleset(extra_files: Iterable[str | Path] = ()) -> RuleSet:
    """The rule set for these extra files, loaded once per process."""
    return _cached(tuple(str(Path(f).resolve()) for f in extra_files))


def split_codes(text: str) -> list[str]:
    return [c for c in re.split(r"[\s,]+", text.strip()) if c]
