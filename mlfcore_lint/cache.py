"""The user's cache: per-file facts of each project, and validated rule sets.

Where: ``$XDG_CACHE_HOME/mlfcore-lint`` (default ``~/.cache/mlfcore-lint``), a folder of the user's own
(mode 0700), never inside the checked project, so a repository cannot commit entries and the linter never
writes into a folder a link in the project points at. Each project has a folder named after a hash of its
root. What makes an entry trusted:

- its name is an HMAC of what it describes (file content, rule set, engine version) under a secret key kept
  in the cache folder (created 0600), so nobody without the key can name the entry a file would look up;
- its content is sealed with an HMAC of its name and data under the same key (:func:`seal`), so an entry
  written without the key, or another entry's content moved to this name, is a miss;
- it holds JSON only (no pickle: reading an entry never runs code), records its own key, and its data is
  checked against the exact shape of :class:`~mlfcore_lint.engine.facts.FileFacts` before use;
- it is read only from a regular file of bounded size (a FIFO or a link to ``/dev/zero`` planted in the
  cache is a miss, never a hang).

A cache that cannot be used (a folder owned by someone else, a read-only home) costs time, never a result.
Each entry is written to a temporary name and renamed into place, so concurrent runs never see half an entry;
what the engine's helper processes analyse is written many entries to a file instead (cache_packs.py), each
entry sealed as in a file of its own.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

from . import __version__
from .engine.facts import FACTS_FORMAT, FACTS_SHAPE, FileFacts, has_shape
from .files import NotReadable, read_regular

CACHE_FOLDER_NAME = "mlfcore-lint"
KEY_FILE = "key"
KEY_BYTES = 32
MAX_ENTRY_BYTES = 64 * 1024 * 1024


def user_cache_root() -> Path:
    """``$XDG_CACHE_HOME/mlfcore-lint`` (an absolute ``XDG_CACHE_HOME`` only, as the specification says), else
    ``~/.cache/mlfcore-lint``."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):
        base = os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / CACHE_FOLDER_NAME


def _own_folder(path: Path) -> bool:
    """Create ``path`` (mode 0700) if needed; whether it is a real folder of this user that no one else can
    write to."""
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = os.lstat(path)
    except OSError:
        return False
    if not stat.S_ISDIR(info.st_mode):
        return False  # a link: the cache is not followed elsewhere
    if hasattr(os, "geteuid") and (info.st_uid != os.geteuid() or info.st_mode & 0o022):
        return False
    return True


def secret_key(root: Path | None = None) -> bytes | None:
    """The user's cache key (``root/key``, 32 random bytes, mode 0600), created on first use; ``None`` where
    there is no trustworthy one (the cache is then not used)."""
    root = root or user_cache_root()
    if not _own_folder(root):
        return None
    path = root / KEY_FILE
    for _ in range(2):
        try:
            info = os.lstat(path)
        except FileNotFoundError:
            _create_key(root, path)
            continue
        except OSError:
            return None
        if (not stat.S_ISREG(info.st_mode) or info.st_mode & 0o077
                or (hasattr(os, "geteuid") and info.st_uid != os.geteuid())):
            return None
        try:
            key = read_regular(path, 4096)
        except NotReadable:
            return None
        return key if len(key) == KEY_BYTES else None
    return None


def _create_key(root: Path, path: Path) -> None:
    """Write a new key under a temporary name, then link it into place: a process that loses the race reads
    the winner's key, and no process ever reads half a key."""
    try:
        descriptor, temporary = tempfile.mkstemp(dir=root, prefix=".key-")  # mode 0600
    except OSError:
        return
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(secrets.token_bytes(KEY_BYTES))
        os.link(temporary, path)
    except OSError:
        pass  # another process made the key first (or the folder is read-only)
    finally:
        try:
            os.unlink(temporary)
        except OSError:
            pass


def seal(secret: bytes, name: str, payload: bytes) -> bytes:
    """An entry's file content: an HMAC of its name and payload under the user's key, a newline, the payload.
    Another entry's content moved to this name, or content written without the key, does not open."""
    return _mac(secret, name, payload).encode() + b"\n" + payload


def unseal(secret: bytes, name: str, content: bytes) -> bytes | None:
    """The payload of a sealed entry named ``name``; ``None`` unless its HMAC is right."""
    mac, newline, payload = content.partition(b"\n")
    if not newline or not hmac.compare_digest(mac, _mac(secret, name, payload).encode()):
        return None
    return payload


def read_sealed(secret: bytes, path: Path, limit: int = MAX_ENTRY_BYTES) -> object | None:
    """The JSON data of the sealed entry at ``path``: ``None`` where it is missing, not a regular file, too
    large, not sealed with the key, or not JSON (never an error: a bad entry is a miss)."""
    try:
        content = read_regular(path, limit)
    except OSError:
        return None
    return open_sealed(secret, path.name, content)


class SealedEntries:
    """A sealed file of ``entries`` (the stat index, the packs' catalog), read on first use (``_load``)."""

    _entries: dict | None = None

    @property
    def entries(self) -> dict:
        if self._entries is None:
            self._entries = self._load()
        return self._entries

    def _load(self) -> dict:
        raise NotImplementedError


def read_entries(secret: bytes, path: Path, header: dict, valid) -> dict:
    """The ``entries`` mapping of the sealed file at ``path`` (the stat index, the packs' catalog) whose other
    fields are those of ``header``; empty where the file is missing or not sealed with the key, another header's,
    or where one entry is not ``valid(name, entry)``: trust none of them."""
    data = read_sealed(secret, path)
    if not (isinstance(data, dict) and isinstance(data.get("entries"), dict)
            and all(data.get(field) == value for field, value in header.items())):
        return {}
    entries = data["entries"]
    for name, entry in entries.items():
        if not valid(name, entry):
            return {}
    return entries


def open_sealed(secret: bytes, name: str, content: bytes) -> object | None:
    """The JSON data of the sealed entry ``content`` named ``name``; ``None`` unless it is sealed with the key and
    holds JSON."""
    try:
        payload = unseal(secret, name, content)
        return None if payload is None else json.loads(payload)
    except (ValueError, RecursionError):
        return None


#: Bytes of a sealed entry's first line: the HMAC's hex digest and a newline (see ``seal``).
_SEAL_LINE_BYTES = 2 * hashlib.sha256().digest_size + 1
#: A mapping below the top of an entry with this many items or more is written item by item (``_json_pieces``).
_LARGE_MAPPING = 256
#: Characters of JSON text gathered before they are written.
_WRITE_CHUNK = 1 << 16
_ENCODE = json.JSONEncoder(separators=(",", ":")).encode


def write_sealed(secret: bytes, path: Path, data: object) -> None:
    """Write JSON data as a sealed entry, atomically (a temporary name renamed into place); raises OSError.

    The text is written in pieces as it is encoded (the result memo of a large project is megabytes of it),
    the HMAC updated with each, and the first line written last, once the HMAC is known: the whole text is never
    held, neither as a string nor as bytes."""
    mac = _new_mac(secret, path.name)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(b"\n".rjust(_SEAL_LINE_BYTES))  # the seal line's place
            gathered: list[str] = []
            size = 0
            for piece in _json_pieces(data):
                gathered.append(piece)
                size += len(piece)
                if size >= _WRITE_CHUNK:
                    _write_piece(handle, mac, gathered)
                    size = 0
            _write_piece(handle, mac, gathered)
            handle.seek(0)
            handle.write(mac.hexdigest().encode() + b"\n")
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


def _write_piece(handle, mac, gathered: list[str]) -> None:
    payload = "".join(gathered).encode()
    gathered.clear()
    mac.update(payload)
    handle.write(payload)


def _json_pieces(data: object, top: bool = True) -> Iterator[str]:
    """``json.dumps(data, separators=(",", ":"))`` in pieces, each encoded by the C encoder: the top mapping item
    by item, and so any mapping in it with ``_LARGE_MAPPING`` items or more."""
    if type(data) is dict and (top or len(data) >= _LARGE_MAPPING) and all(type(key) is str for key in data):
        separator = "{"
        for key, value in data.items():
            yield separator + _ENCODE(key) + ":"
            separator = ","
            yield from _json_pieces(value, top=False)
        yield "{}" if separator == "{" else "}"
    else:
        yield _ENCODE(data)


def _new_mac(secret: bytes, name: str):
    return hmac.new(secret, name.encode() + b"\0", hashlib.sha256)


def _mac(secret: bytes, name: str, payload: bytes) -> str:
    mac = _new_mac(secret, name)
    mac.update(payload)
    return mac.hexdigest()


def project_cache_folder(project_root: Path, cache_root: Path | None = None) -> Path:
    """The facts folder of the project at ``project_root``: one per user and project root."""
    root = cache_root or user_cache_root()
    digest = hashlib.sha256(os.path.abspath(project_root).encode("utf-8", "surrogateescape")).hexdigest()[:24]
    return root / "facts" / digest


class FactsCache:
    def __init__(self, directory: Path, ruleset_fingerprint: str, secret: bytes | None = None):
        self.directory = directory
        # Without the user's key (a cache made for a test, say) entries are keyed by a key of this process.
        self.secret = secret if secret is not None else secrets.token_bytes(KEY_BYTES)
        self.salt = f"{__version__}\0{FACTS_FORMAT}\0{ruleset_fingerprint}\0".encode()
        self._prepared: bool | None = None  # whether the folder exists and is this user's own
        self._folders: set[Path] = set()  # folders this process made or found (a ``mkdir`` costs a system call)
        from .cache_packs import Catalog  # it reads and writes through this module

        self.catalog = Catalog(directory, self.salt, self.secret, MAX_ENTRY_BYTES)
        self._pack = None  # a PackWriter while this process writes one (``put_sealed``)

    @classmethod
    def for_project(cls, project_root: Path, ruleset_fingerprint: str) -> FactsCache | None:
        """The user's cache for the project at ``project_root``; ``None`` where the user has no usable cache."""
        root = user_cache_root()
        key = secret_key(root)
        if key is None:
            return None
        return cls(project_cache_folder(project_root, root), ruleset_fingerprint, key)

    def key(self, raw: bytes, notebook: bool, text: bool = False, imports_only: bool = False) -> str:
        """The entry of a file's bytes (``text``: of text already decoded, given here as UTF-8; ``imports_only``:
        of the facts of its imports alone, see ``analyze_source``)."""
        kind = (b"nb" if notebook else b"py") + (b"-imports" if imports_only else b"") + (b"-text\0" if text else b"\0")
        return hmac.new(self.secret, self.salt + kind + raw, hashlib.sha256).hexdigest()

    def _path(self, key: str) -> Path:
        return self.directory / key[:2] / f"{key}.json"

    def get(self, key: str, shared: dict | None = None) -> FileFacts | None:
        """The facts stored under ``key``, or None (``shared``: see ``FileFacts.from_json``)."""
        try:
            return FileFacts.from_stored(self._stored(key), shared)
        except (TypeError, ValueError, RecursionError):
            return None

    def get_json(self, key: str) -> dict | None:
        """The facts stored under ``key`` as JSON data (``FileFacts.to_json``'s shape, checked), or None."""
        data = self._stored(key)
        return data if has_shape(data, FACTS_SHAPE) else None

    def _stored(self, key: str) -> object:
        """The facts data of the entry ``key``: from its pack where the catalog knows one, else from its file."""
        packed = self.catalog.read(key)
        entry = open_sealed(self.secret, f"{key}.json", packed) if packed is not None else None
        if entry is None:
            entry = read_sealed(self.secret, self._path(key))
        if not isinstance(entry, dict) or entry.keys() != {"key", "facts"} or entry["key"] != key:
            return None
        return entry["facts"]

    def put(self, key: str, facts: FileFacts) -> None:
        self.put_json(key, facts.to_json())

    def put_json(self, key: str, data: dict) -> None:
        """Store facts already turned into JSON data (``FileFacts.to_json``) as an entry file of its own."""
        self.store(self._path(key), {"key": key, "facts": data})

    def sealed(self, key: str, data: dict) -> bytes:
        """The entry ``key`` of facts already turned into JSON data, sealed as its file would hold it (what a
        helper process hands the process that writes the pack: see ``put_sealed``)."""
        return seal(self.secret, f"{key}.json", _ENCODE({"key": key, "facts": data}).encode())

    def put_sealed(self, key: str, sealed: bytes) -> dict:
        """Store the entry ``sealed`` (made by ``sealed``) in this process's pack; returns its facts data."""
        data = json.loads(sealed.partition(b"\n")[2])["facts"]
        if self._pack is None and self.writable():
            self._pack = self.catalog.writer()
        if self._pack is not None:
            self._pack.add(key, sealed)
        else:
            self.put_json(key, data)
        return data

    @property
    def packing(self) -> bool:
        """Whether this process is writing a pack (``finish_pack`` ends it)."""
        return self._pack is not None

    def finish_pack(self, live: set[str] | None) -> None:
        """Close this process's pack and write the catalog that names its entries (``live``: see
        ``Catalog.save``)."""
        if self._pack is not None:
            self._pack.close()
            self._pack = None
            self.catalog.save(self.store, live)

    def beside(self, kind: str, root: str) -> Path:
        """Where the file of ``kind`` (``index``, ``results``, ``listing``) that this cache keeps for the project
        root ``root`` lies, beside the entries (named for the root and this cache's salt)."""
        name = hashlib.sha256("\0".join([root, self.salt.hex()]).encode()).hexdigest()[:32]
        return self.directory / kind / f"{name}.json"

    def store(self, path: Path, data: object) -> None:
        """Write JSON data sealed at ``path`` (an entry, or a file ``beside`` them) where the cache is writable; a
        file that cannot be written only costs time next run."""
        if not self.writable():
            return
        folder = path.parent
        try:
            if folder not in self._folders:
                folder.mkdir(mode=0o700, exist_ok=True)
                self._folders.add(folder)
            write_sealed(self.secret, path, data)
        except OSError:
            self._folders.discard(folder)  # removed meanwhile (``cache clean``)? made again next time

    def writable(self) -> bool:
        """Whether entries (and the stat index and result memo beside them) may be written: the folder exists, or
        was made, as a real folder of this user (never a link: nothing is written through one)."""
        if self._prepared is None:
            self._prepared = _own_folder(self.directory)
        return self._prepared
