"""A cache of per-file facts keyed by file content, rule set and engine version.

Each entry is its own file, written to a temporary name and renamed into place, so concurrent runs never
see half an entry; an entry that cannot be read or decoded is treated as missing, never as an error.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from . import __version__
from .engine.facts import FACTS_FORMAT, FileFacts

CACHE_DIR_NAME = ".mlfcore_lint_cache"
LOCK_WAIT_SECONDS = 60  # past this, a process works on without the lock rather than hang


class FactsCache:
    def __init__(self, directory: Path, ruleset_fingerprint: str):
        self.directory = directory
        self.salt = f"{__version__}\0{FACTS_FORMAT}\0{ruleset_fingerprint}\0".encode()
        self._prepared = False  # the folder and its .gitignore exist

    def key(self, raw: bytes, notebook: bool) -> str:
        return hashlib.sha256(self.salt + (b"nb\0" if notebook else b"py\0") + raw).hexdigest()

    def _path(self, key: str) -> Path:
        return self.directory / key[:2] / f"{key}.json"

    def get(self, key: str) -> FileFacts | None:
        try:
            with open(self._path(key), encoding="utf-8") as handle:
                return FileFacts.from_json(json.load(handle))
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            return None

    def put(self, key: str, facts: FileFacts) -> None:
        self.put_json(key, facts.to_json())

    def put_json(self, key: str, data: dict) -> None:
        """Store facts already turned into JSON data (``FileFacts.to_json``)."""
        path = self._path(key)
        try:
            self._prepare()
            path.parent.mkdir(exist_ok=True)
            descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
            with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
                json.dump(data, handle, separators=(",", ":"))
            os.replace(temporary, path)
        except OSError:
            pass  # a cache that cannot be written only costs time

    def _prepare(self) -> None:
        if not self._prepared:
            self.directory.mkdir(parents=True, exist_ok=True)
            gitignore = self.directory / ".gitignore"
            if not gitignore.exists():
                gitignore.write_text("# created by mlfcore-lint\n*\n", encoding="utf-8")
            self._prepared = True

    @contextmanager
    def exclusive(self):
        """Hold the cache's lock while reading many files, so that processes starting together (flake8's or
        pylint's jobs) do not each analyse the same project: the first fills the cache, the others then read
        it. Works on without the lock where it cannot be taken (no ``fcntl``, a read-only folder, a long wait).
        """
        try:
            import fcntl

            self._prepare()
            handle = open(self.directory / ".lock", "a+b")  # noqa: SIM115 - closed below, after the wait
        except (ImportError, OSError):
            yield
            return
        with handle:
            deadline = time.monotonic() + LOCK_WAIT_SECONDS
            while True:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        break
                    time.sleep(0.01)
            yield  # the lock goes with the file handle
