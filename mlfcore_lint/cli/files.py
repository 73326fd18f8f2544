"""Writing a file whole or not at all: a temporary file beside it, then an atomic rename."""

from __future__ import annotations

import os
from pathlib import Path


def replace_file(path: str | Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically, keeping the permissions of the file it replaces."""
    path = Path(path)
    temporary = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        mode = path.stat().st_mode & 0o7777
    except OSError:
        mode = None
    try:
        temporary.write_bytes(data)
        if mode is not None:
            os.chmod(temporary, mode)
        os.replace(temporary, path)
    except OSError:
        temporary.unlink(missing_ok=True)
        raise
