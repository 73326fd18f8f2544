"""Reading a file as text and writing it back atomically, with its encoding, BOM and mode kept."""

from __future__ import annotations

import codecs
import io
import os
import stat
import tempfile
import tokenize
from dataclasses import dataclass
from pathlib import Path


class StaleFile(Exception):
    """The file changed on disk after it was read; it is left as it is."""


@dataclass(frozen=True)
class FileSnapshot:
    path: Path  # the file the bytes live in (a symlink's target)
    raw: bytes
    mtime_ns: int
    mode: int

    @classmethod
    def read(cls, path: Path) -> FileSnapshot:
        real = Path(os.path.realpath(path))
        with open(real, "rb") as handle:
            status = os.fstat(handle.fileno())
            raw = handle.read()
        return cls(real, raw, status.st_mtime_ns, stat.S_IMODE(status.st_mode))


@dataclass(frozen=True)
class PythonText:
    """Source text as the parser sees it, and how to turn it back into the same kind of bytes."""

    text: str
    encoding: str
    bom: bool

    @classmethod
    def decode(cls, raw: bytes) -> PythonText:
        """Decode as the interpreter does (BOM, coding cookie, UTF-8); raises ``ValueError`` if it cannot."""
        try:
            encoding, _ = tokenize.detect_encoding(io.BytesIO(raw).readline)
        except SyntaxError as error:
            raise ValueError(f"cannot decode: {error}") from None
        bom = raw.startswith(codecs.BOM_UTF8)
        body = raw[len(codecs.BOM_UTF8):] if bom else raw
        if encoding == "utf-8-sig":
            encoding = "utf-8"
        try:
            return cls(body.decode(encoding), encoding, bom)
        except (UnicodeDecodeError, LookupError) as error:
            raise ValueError(f"not valid {encoding} text: {error}") from None

    def encode(self, text: str) -> bytes:
        return (codecs.BOM_UTF8 if self.bom else b"") + text.encode(self.encoding)


def write_atomically(original: FileSnapshot, content: bytes) -> None:
    """Replace the file's bytes by ``content`` through a temporary file in the same folder and a rename.

    The rename happens only if the file still holds the bytes (and modification time) it was read with;
    otherwise :class:`StaleFile` is raised and nothing changes.  An interrupted run leaves the old file or
    the new one, never a mix: at worst a temporary file is left behind next to it.
    """
    folder = original.path.parent
    descriptor, temporary = tempfile.mkstemp(prefix=f".{original.path.name}.", suffix=".mlfcore-fix", dir=folder)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, original.mode)
        _ensure_unchanged(original)
        os.replace(temporary, original.path)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise


def _ensure_unchanged(original: FileSnapshot) -> None:
    try:
        now = FileSnapshot.read(original.path)
    except OSError as error:
        raise StaleFile(f"cannot read it again: {error.strerror or error}") from None
    if now.mtime_ns != original.mtime_ns or now.raw != original.raw:
        raise StaleFile("it changed on disk while it was being fixed; left as it is")
