"""Which facts-cache entry holds each file's facts, known without reading the file.

A warm run looks each file up by what ``os.stat`` says of it (size, modification and change times, inode):
where those are as when its facts were stored, the entry's key is taken from here and the file is neither
read nor hashed; where anything differs, the file is read and hashed as before (the content hash stays the
cache's key, so a file changed back finds its old entry). One index per project root and rule set, beside
the facts cache's entries, sealed with the user's key like them (see cache.py) and written to a temporary name
renamed into place. An index that cannot be read, is not sealed with the key, or whose shape is not exactly
the one written here, is an empty index: it only costs the hashing again.

A file modified within the same clock tick as the stat that indexed it could keep its times; like git's
"racily clean" entries, a file whose times are less than ``RACY_SECONDS`` old is not indexed, so it is hashed
again next time.
"""

from __future__ import annotations

import hashlib
import os
import re
import time
from pathlib import Path

from .cache import FactsCache, SealedEntries, read_entries

INDEX_FORMAT = 1
RACY_SECONDS = 2
_KEY = re.compile(r"[0-9a-f]{64}\Z")

Signature = tuple[int, int, int, int]  # size, mtime_ns, ctime_ns, inode


def signature(stat: os.stat_result) -> Signature:
    return stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino


class StatIndex(SealedEntries):
    """Facts-cache keys of a project's files by path, valid while the file's ``signature`` is unchanged."""

    def __init__(self, cache: FactsCache, root: Path):
        self._cache = cache
        self.root = str(root)
        self._prefix = os.path.join(self.root, "")
        self._salt = hashlib.sha256(cache.salt).hexdigest()
        self.path = cache.beside("index", self.root)
        self._entries: dict[str, list] | None = None  # read on first use
        self._changed = False

    def name(self, path: Path | str) -> str:
        """How the index names ``path``: relative to the root where it lies below it, else absolute."""
        text = str(path)
        return text[len(self._prefix):] if text.startswith(self._prefix) else text

    def _load(self) -> dict[str, list]:
        match = _KEY.match
        # Sealed with the user's key: never planted. The names are JSON keys, so strings. Each entry is checked
        # field by field, without ``all(...)``: a warm run checks every file's entry.
        return read_entries(self._cache.secret, self.path,
                            {"format": INDEX_FORMAT, "root": self.root, "salt": self._salt}, lambda _, entry: (
                                type(entry) is list and len(entry) == 5 and type(entry[0]) is int
                                and type(entry[1]) is int and type(entry[2]) is int and type(entry[3]) is int
                                and type(entry[4]) is str and match(entry[4])))

    def key(self, path: Path | str, stat: os.stat_result | None) -> str | None:
        """The cache key of ``path``'s facts, where its signature is the one indexed."""
        if stat is None:
            return None
        entry = self.entries.get(self.name(path))
        if entry is None or entry[0] != stat.st_size or entry[1] != stat.st_mtime_ns or entry[2] != stat.st_ctime_ns \
                or entry[3] != stat.st_ino:  # ``signature``, compared without building it (a warm run asks per file)
            return None
        return entry[4]

    def record(self, path: Path | str, stat: os.stat_result | None, key: str) -> None:
        """``path`` had the signature ``stat`` (taken before it was read) when its content hashed to ``key``."""
        name = self.name(path)
        if stat is None or stat.st_mtime_ns > time.time_ns() - RACY_SECONDS * 10**9:
            if self.entries.pop(name, None) is not None:
                self._changed = True
            return
        entry = [*signature(stat), key]
        if self.entries.get(name) != entry:
            self.entries[name] = entry
            self._changed = True

    def keys(self) -> set[str]:
        """The cache keys of every file indexed."""
        return {entry[4] for entry in self.entries.values()}

    def save(self) -> None:
        if self._changed:
            self._cache.store(self.path, {"format": INDEX_FORMAT, "root": self.root, "salt": self._salt,
                                          "entries": self.entries})
            self._changed = False

    def release(self) -> None:
        """Let go of the entries (saved first where they changed): the project step does not need them, and they
        are read again should a file be looked up after it."""
        self.save()
        self._entries = None


def stat_of(path: Path | str) -> os.stat_result | None:
    try:
        return os.stat(path)
    except OSError:
        return None
