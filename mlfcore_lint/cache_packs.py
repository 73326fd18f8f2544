"""Facts-cache entries written many to a file: packs, and the catalog that says where each entry lies.

A run that analyses many files (a first run, a branch switch) would otherwise create one file per entry, and
creating a file is the costliest thing a cold run asks of some file systems: on an ext4 disk of a virtual
machine, up to a millisecond of kernel time each once thousands are created in a burst, more than analysing
the file. The process that starts the helpers writes what they analysed into one new *pack* instead, one
sealed entry after another, exactly as each would lie in a file of its own (``cache.seal``, under the entry's
own name): an entry read from a pack is checked as one read from its file. A *catalog* per rule set (sealed
with the user's key, like the entries) says in which pack, at which offset and length, each entry lies.

What may not be trusted is a miss, never an error: a pack that is not a regular file of the cache, a catalog
not sealed with the key or not exactly of the shape written here, an entry whose seal does not open. A
catalog is written whole to a temporary name and renamed into place; two runs writing at once lose each
other's additions (a miss next time). Packs that no catalog entry names any more are removed once they are
older than ``ORPHAN_SECONDS`` (a concurrent run may be about to name its new pack).
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import stat
import time
from pathlib import Path

from .cache import SealedEntries, read_entries

CATALOG_FORMAT = 1
PACKS_FOLDER = "packs"
ORPHAN_SECONDS = 600
_KEY = re.compile(r"[0-9a-f]{64}\Z")
_PACK = re.compile(r"[0-9a-f]{32}-[0-9a-f]{16}\Z")
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
_CREATE_FLAGS = (os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0))

Location = tuple[str, int, int]  # pack, offset, length


class Catalog(SealedEntries):
    """Where the entries of one rule set lie in the packs of one project's cache folder (read on first use)."""

    def __init__(self, folder: Path, salt: bytes, secret: bytes, limit: int):
        self.folder = folder / PACKS_FOLDER
        self.stem = hashlib.sha256(salt).hexdigest()[:32]  # the catalog's name, and the first part of its packs'
        self.path = self.folder / f"{self.stem}.json"
        self._secret, self._limit = secret, limit
        self._entries: dict[str, list] | None = None
        self._added: dict[str, list] = {}  # entries this process wrote, not in the catalog on disk yet
        self._written: set[str] = set()  # the keys of every entry this process wrote (kept by ``save``)
        self._descriptors: dict[str, int | None] = {}  # open packs (None: one that cannot be read)

    def __getstate__(self) -> dict:
        """What a helper started without fork receives: no open packs, nothing added."""
        return {**self.__dict__, "_entries": None, "_added": {}, "_written": set(), "_descriptors": {}}

    def _load(self) -> dict[str, list]:
        key, pack, stem, limit = _KEY.match, _PACK.match, self.stem, self._limit
        return read_entries(self._secret, self.path, {"format": CATALOG_FORMAT}, lambda name, entry: (
            key(name) and type(entry) is list and len(entry) == 3 and type(entry[0]) is str and pack(entry[0])
            and entry[0].startswith(stem) and type(entry[1]) is int and type(entry[2]) is int and entry[1] >= 0
            and 0 < entry[2] <= limit))

    def read(self, key: str) -> bytes | None:
        """The sealed entry ``key`` as its pack holds it (unchecked: the caller opens the seal); ``None`` where
        the catalog does not know it or its pack cannot be read."""
        entry = self.entries.get(key)
        if entry is None:
            return None
        pack, offset, length = entry
        descriptor = self._descriptors.get(pack, -1)
        if descriptor == -1:
            descriptor = self._descriptors[pack] = self._open(pack)
        if descriptor is None:
            return None
        try:
            content = os.pread(descriptor, length, offset)
        except OSError:
            return None
        return content if len(content) == length else None

    def _open(self, pack: str) -> int | None:
        try:
            descriptor = os.open(self.folder / f"{pack}.pack", _OPEN_FLAGS)
        except OSError:
            return None
        try:
            info = os.fstat(descriptor)
            if stat.S_ISREG(info.st_mode) and (not hasattr(os, "geteuid") or info.st_uid == os.geteuid()):
                return descriptor
        except OSError:
            pass
        os.close(descriptor)  # a link's target, a FIFO, a device, someone else's file: not read
        return None

    def close(self) -> None:
        """Close the packs read (a long-lived editor process opens them again when it needs them)."""
        for pack in list(self._descriptors):
            self._forget(pack)

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # noqa: BLE001 - at interpreter exit, the os module may be gone already
            pass

    def _forget(self, pack: str) -> None:
        descriptor = self._descriptors.pop(pack, None)
        if descriptor is not None:
            try:
                os.close(descriptor)
            except OSError:
                pass

    def writer(self) -> PackWriter | None:
        """A new pack to write entries into; ``None`` where none can be made (the entries then go to files)."""
        try:
            self.folder.mkdir(mode=0o700, exist_ok=True)
            return PackWriter(self, f"{self.stem}-{secrets.token_hex(8)}")
        except OSError:
            return None

    def added(self, key: str, location: Location) -> None:
        self._added[key] = list(location)
        self._written.add(key)
        if self._entries is not None:
            self._entries[key] = self._added[key]

    def save(self, store, live: set[str] | None) -> None:
        """Write the catalog: the one on disk now (another run may have written it meanwhile) with this process's
        additions, less the entries whose keys are not in ``live`` (the keys some file of the project has
        now; ``None``: keep all) and that this process did not write. Then remove the packs no entry names."""
        if not self._added:
            return
        self._entries = None
        merged = {**self.entries, **self._added}
        if live is not None:
            merged = {key: entry for key, entry in merged.items() if key in live or key in self._written}
        store(self.path, {"format": CATALOG_FORMAT, "entries": merged})
        self._added.clear()
        self._entries = merged
        self._remove_orphans({entry[0] for entry in merged.values()})

    def _remove_orphans(self, named: set[str]) -> None:
        old = time.time() - ORPHAN_SECONDS
        try:
            listed = list(os.scandir(self.folder))
        except OSError:
            return
        for item in listed:
            pack = item.name.removesuffix(".pack")
            if pack == item.name or pack in named or not pack.startswith(self.stem) or not _PACK.match(pack):
                continue
            try:
                if item.stat(follow_symlinks=False).st_mtime < old:
                    os.unlink(item.path)
                    self._forget(pack)
            except OSError:
                pass


class PackWriter:
    """One new pack, written by appending sealed entries (``add`` says where each lies)."""

    def __init__(self, catalog: Catalog, name: str):
        self.name = name
        self._catalog = catalog
        self._handle = os.fdopen(os.open(catalog.folder / f"{name}.pack", _CREATE_FLAGS, 0o600), "wb")
        self._offset = 0

    def add(self, key: str, sealed: bytes) -> None:
        """Append the sealed entry ``key``; a write that fails leaves it out (a miss next time)."""
        if self._handle is None:
            return
        try:
            self._handle.write(sealed)
        except OSError:
            self.close()
            return
        self._catalog.added(key, (self.name, self._offset, len(sealed)))
        self._offset += len(sealed)

    def close(self) -> None:
        if self._handle is not None:
            try:
                self._handle.close()
            except OSError:
                pass
            self._handle = None
