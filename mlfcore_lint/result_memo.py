"""The findings of the last run over the same files, reused while nothing they depend on has changed.

The project step is a function of the files' facts (named by their facts-cache keys), how they are shown,
the settings, the rule set, the targeted versions, the console scripts, the environment files (by their
size and modification time, as :func:`~mlfcore_lint.environment.scan.scan` stamps them) and the engine's
own code. A run whose inputs hash to the key stored here returns the stored findings without building the
project step. One entry per project root and checked set of files, beside the facts cache, written to a
temporary name and renamed into place; an entry of any other shape is no entry.
"""

from __future__ import annotations

import hashlib
import json
import os
from functools import lru_cache
from pathlib import Path

from .cache import FactsCache, read_sealed, write_sealed
from .model import Finding, FixInfo

MEMO_FORMAT = 1
_FIELDS = {
    "path": str, "line": int, "column": int, "end_line": int, "end_column": int, "code": str, "symbol": str,
    "message": str, "severity": str, "api": str, "url": str, "certainty": str,
}


@lru_cache(maxsize=1)
def engine_stamp() -> str:
    """The size and modification time of every module of this package: a changed engine is a new key."""
    package = Path(__file__).resolve().parent
    parts = []
    for directory, _, names in sorted(os.walk(package)):
        for name in sorted(names):
            if name.endswith(".py") or name.endswith(".yaml"):
                info = os.stat(os.path.join(directory, name))
                parts.append(f"{directory}/{name}:{info.st_size}:{info.st_mtime_ns}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def memo_key(parts: list) -> str:
    return hashlib.sha256(json.dumps(parts, default=str, separators=(",", ":")).encode()).hexdigest()


class ResultMemo:
    def __init__(self, cache: FactsCache, root: Path, checked: list[str]):
        name = hashlib.sha256("\0".join([str(root), cache.salt.hex(), *checked]).encode()).hexdigest()[:32]
        self.path = cache.directory / "results" / f"{name}.json"
        self._cache = cache
        self._secret = cache.secret

    def get(self, key: str) -> list[Finding] | None:
        data = read_sealed(self._secret, self.path)  # sealed with the user's key: a planted memo never opens
        if not (isinstance(data, dict) and data.get("format") == MEMO_FORMAT and data.get("key") == key
                and isinstance(data.get("findings"), list)):
            return None
        try:
            return [_finding(item) for item in data["findings"]]
        except (ValueError, TypeError, KeyError):
            return None

    def put(self, key: str, findings: list[Finding]) -> None:
        if not self._cache.writable():
            return
        try:
            self.path.parent.mkdir(mode=0o700, exist_ok=True)
            write_sealed(self._secret, self.path,
                         {"format": MEMO_FORMAT, "key": key, "findings": [f.to_json() for f in findings]})
        except OSError:
            pass  # a memo that cannot be written only costs time


def _finding(item: dict) -> Finding:
    """A finding as ``Finding.to_json`` wrote it; TypeError where its shape differs."""
    if not isinstance(item, dict) or set(item) - {*_FIELDS, "fix", "cell"}:
        raise TypeError("not a finding")
    for name, kind in _FIELDS.items():
        if type(item[name]) is not kind:
            raise TypeError(f"finding field {name}")
    fix, cell = item.get("fix"), item.get("cell")
    if fix is not None:
        if not (isinstance(fix, dict) and set(fix) == {"applicability", "description"}
                and all(isinstance(value, str) for value in fix.values())):
            raise TypeError("finding fix")
        fix = FixInfo(**fix)
    if cell is not None and type(cell) is not int:
        raise TypeError("finding cell")
    return Finding(**{**item, "fix": fix, "cell": cell})
