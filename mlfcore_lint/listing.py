"""The project's source files, listed again only where something that decides the list changed.

Discovering a project lists every folder and tests every name against the excludes and ``.gitignore``. A run
after one change (a pre-commit hook, an editor, ``check THAT_FILE``) needs the same list: it is kept beside
the facts cache, sealed with the user's key like the stat index, with what it was made from:

- each folder listed (a name added, removed or renamed in a folder changes its modification time), and each
  folder left out for holding ``pyvenv.cfg`` (whose marker may go);
- where ``.gitignore`` files count: the repository's top, every ``.gitignore`` from the top down to the root
  and in the folders listed, ``.git/info/exclude`` and the index (a tracked file is never ignored);
- the settings.

Where any of these differs, the project is listed again. As for the stat index, a listing made while a folder
or file it depends on was changing within the clock's resolution (``RACY_SECONDS``) is not kept.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

from .cache import FactsCache, read_sealed
from .cache_index import RACY_SECONDS, signature
from .config import Settings
from .discovery import FILE, UNLISTED

LISTING_FORMAT = 1
_ABSENT = [-1, -1, -1, -1]


def project_listing(root: Path, settings: Settings, cache: FactsCache, list_again: Callable[[list[str]], list]) -> list:
    """The entries of discovery below ``root`` (the project root): the kept listing where nothing it depends on
    changed, else ``list_again(folders)`` (which fills ``folders`` with the folders it listed), kept for next
    time."""
    real = os.path.realpath(root)
    path = cache.beside("listing", real)
    top = _repository_top(root, settings)
    stored = read_sealed(cache.secret, path)
    if _valid(stored, real, root, settings, top):
        return [tuple(entry) for entry in stored["entries"]]
    folders: list[str] = []
    started = time.time_ns()
    entries = list_again(folders)
    if any(kind == UNLISTED for kind, _ in entries) or not cache.writable():
        return entries  # a folder that cannot be listed is reported each time
    stamps = {os.path.abspath(folder): _signature(folder) for folder in folders}
    files = {}
    if top is not None:
        files = {name: _signature(name) for name in _ignore_files(root, top, list(stamps))}
    racy = started - RACY_SECONDS * 10**9
    if any(max(stamp[1], stamp[2]) > racy for stamp in [*stamps.values(), *files.values()]):
        return entries
    cache.store(path, {"format": LISTING_FORMAT, "root": real, "settings": repr(settings),
                       "top": None if top is None else str(top), "folders": stamps, "files": files,
                       "entries": [list(entry) for entry in entries]})
    return entries


def _valid(stored, real: str, root: Path, settings: Settings, top: Path | None) -> bool:
    """Whether a stored listing (of the root whose real path is ``real``) is of the same shape, settings and
    repository, and nothing it depends on changed."""
    if not (isinstance(stored, dict) and stored.get("format") == LISTING_FORMAT and stored.get("root") == real
            and stored.get("settings") == repr(settings) and stored.get("top") == (None if top is None else str(top))):
        return False
    folders, files, entries = stored.get("folders"), stored.get("files"), stored.get("entries")
    if not (isinstance(folders, dict) and isinstance(files, dict) and isinstance(entries, list)
            and all(isinstance(e, list) and len(e) == 2 and e[0] == FILE and isinstance(e[1], str) for e in entries)):
        return False
    if top is not None and set(files) != set(_ignore_files(root, top, list(folders), known=files)):
        return False  # a .gitignore appeared or went above the root
    return all(_signature(name) == stamp for name, stamp in [*folders.items(), *files.items()])


def _repository_top(root: Path, settings: Settings) -> Path | None:
    if not settings.respect_gitignore:
        return None
    from .gitignore import repository_top

    return repository_top(Path(os.path.abspath(root)))


def _ignore_files(root: Path, top: Path, folders: list[str], known: dict | None = None) -> list[str]:
    """The files git's ignore rules come from for the files below ``root``: the ``.gitignore`` of each folder
    from ``top`` down to the root and of each folder listed, the repository's exclude file and index, and a
    ``.git`` file (a worktree's pointer). Where ``known`` (a stored listing's) is given, a listed folder's
    ``.gitignore`` counts where it was known: one that appeared since changed its folder's time."""
    from .gitignore import git_folder

    found = [str(top / ".git" / "info" / "exclude"), str(git_folder(top) / "index")]
    if os.path.isfile(top / ".git"):
        found.append(str(top / ".git"))
    above = Path(os.path.abspath(root))
    chain = [above, *[parent for parent in above.parents if parent == top or top in parent.parents]]
    found += [str(folder / ".gitignore") for folder in chain if os.path.lexists(folder / ".gitignore")]
    for folder in folders:
        name = os.path.join(folder, ".gitignore")
        if (name in known) if known is not None else os.path.lexists(name):
            found.append(name)
    return list(dict.fromkeys(found))


def _signature(name: str) -> list[int]:
    """The stat index's signature of a folder or file (size, modification and change times, inode: a folder's
    entries, a file's content and modes), as JSON; ``_ABSENT`` where there is none."""
    try:
        return list(signature(os.stat(name)))
    except OSError:
        return _ABSENT
