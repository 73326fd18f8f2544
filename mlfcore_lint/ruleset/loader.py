"""Loading rule files: the built-in ``rules/`` folder plus the files a user adds."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from ..files import MAX_CONFIG_BYTES, NotReadable, read_regular
from .schema import RuleError, RuleSet, _Reader, read_rule

FRAMEWORKS_FILE = "frameworks.yaml"
#: The largest parsed rule file kept in the cache (its aliases written out).
_MAX_ENTRY_BYTES = 4 * MAX_CONFIG_BYTES


def builtin_rules_dir() -> Path:
    """The rule files shipped with the package (inside the wheel) or, in a checkout, ``rules/``."""
    packaged = Path(__file__).resolve().parent.parent / "_rules"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent.parent / "rules"


def _read_yaml(path: Path, cache: _ParsedRules | None = None) -> tuple[object, bytes]:
    """A rule file's data and bytes; its data from ``cache`` where these bytes were parsed before."""
    try:
        raw = read_regular(path, MAX_CONFIG_BYTES)
    except NotReadable as error:
        raise RuleError(str(path), None, None, f"cannot read rule file: {error.reason}") from None
    if cache is not None:
        found = cache.get(raw)
        if found is not None:
            return found[0], raw
    import yaml  # only when a rule file is parsed; rule data served from the cache needs no YAML parser

    safe_loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C loader is several times faster
    try:
        data = yaml.load(raw, Loader=safe_loader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise RuleError(str(path), None, None, f"invalid YAML{where}: {problem}") from None
    except (RecursionError, ValueError, TypeError, OverflowError) as error:
        raise RuleError(str(path), None, None, f"invalid YAML: {type(error).__name__}") from None
    if cache is not None:
        cache.put(raw, data)
    return data, raw


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


class _ParsedRules:
    """Rule files' parsed YAML, kept as JSON in the user's cache (see :mod:`mlfcore_lint.cache`) under an HMAC of
    the file's bytes: parsing is most of the cost of loading rules. What is read back is plain data (no pickle:
    a planted entry runs no code), and is validated again like freshly parsed YAML, so a planted entry can at
    worst be another valid rule file's data, and only under a name that needs the user's secret key."""

    def __init__(self, secret: bytes, folder: Path):
        self.secret, self.folder = secret, folder

    @classmethod
    def for_user(cls) -> _ParsedRules | None:
        from ..cache import secret_key, user_cache_root

        root = user_cache_root()
        secret = secret_key(root)
        return None if secret is None else cls(secret, root / "rules")

    def _path(self, raw: bytes) -> Path:
        from .. import __version__

        digest = hmac.new(self.secret, __version__.encode() + b"\0" + raw, hashlib.sha256).hexdigest()
        return self.folder / f"{digest}.json"

    def get(self, raw: bytes) -> tuple[object] | None:
        from ..cache import read_sealed

        entry = read_sealed(self.secret, self._path(raw), _MAX_ENTRY_BYTES)
        return (entry["data"],) if isinstance(entry, dict) and entry.keys() == {"data"} else None

    def put(self, raw: bytes, data: object) -> None:
        from ..cache import write_sealed

        if not _expands_within(data):
            return  # aliases that expand past what a rule file holds: parsed each time
        try:
            text = json.dumps(data)
            if len(text) > _MAX_ENTRY_BYTES or json.loads(text) != data:
                return  # more than is read back, or YAML values JSON does not keep (dates, keys that are not
                # strings): parsed each time
        except (TypeError, ValueError, RecursionError):
            return
        try:
            self.folder.mkdir(mode=0o700, exist_ok=True)
            write_sealed(self.secret, self._path(raw), {"data": data})
        except OSError:
            pass


def _expands_within(data: object, limit: int = 1_000_000) -> bool:
    """Whether YAML data, its aliases written out as JSON writes them, holds at most ``limit`` values: a rule
    file's few aliases (a shared version range) are kept, a few lines of nested aliases that expand to billions
    of values are not (the walk stops at ``limit`` visits, however the aliases nest)."""
    visits = 0
    pending = [data]
    while pending:
        value = pending.pop()
        if isinstance(value, (dict, list)):
            visits += 1
            if visits > limit:
                return False
            pending.extend(value.values() if isinstance(value, dict) else value)
    return True


def load_ruleset(extra_files: Iterable[str | Path] = (), rules_dir: Path | None = None,
                 use_cache: bool = True) -> RuleSet:
    """Load and validate the built-in rules and ``extra_files``; raise RuleError on the first problem.

    The parsed YAML of each file is kept in the user's cache folder and reused while the file's bytes are
    unchanged; the rules are validated on every load.
    """
    directory = rules_dir or builtin_rules_dir()
    files = sorted(directory.glob("*.yaml"))
    files += [Path(f) for f in extra_files]
    return _load_files(files, directory, _ParsedRules.for_user() if use_cache else None)


def _load_files(files: list[Path], directory: Path, cache: _ParsedRules | None = None) -> RuleSet:
    ruleset = RuleSet()
    digest = hashlib.sha256()
    symbols: dict[str, str] = {}
    for path in files:
        data, raw = _read_yaml(path, cache)
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
    return _cached(tuple(os.path.abspath(f) for f in extra_files))


def split_codes(text: str) -> list[str]:
    return [c for c in re.split(r"[\s,]+", text.strip()) if c]
