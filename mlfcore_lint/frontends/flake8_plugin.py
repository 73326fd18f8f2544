"""The flake8 plugin: ``MLF`` codes beside pyflakes' and pycodestyle's.

flake8 hands the plugin the lines it read (from the file, standard input or an editor's buffer), so the
plugin lints those lines, never the file on disk. flake8 wants 0-based columns from plugins and prints
them plus one, and applies ``# noqa`` to plugin results itself, so the engine leaves ``# noqa`` alone here.

The project's facts are read once, before flake8 starts its jobs (``prepare``). Where flake8 then forks jobs,
the objects alive at that moment are moved out of the garbage collector's sight (``gc.freeze``, as Python's
documentation advises before a fork): otherwise every job's collections would traverse the project's facts
again and again, and write to their pages, which the fork shares until then. They stay alive to the end of the
flake8 run anyway.
"""

from __future__ import annotations

import gc
import io
import os
import sys
import tokenize
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

from .. import __version__
from ..config import ConfigError
from ..engine.source import MAX_FILE_BYTES
from ..files import NotReadable, is_regular_file, read_regular
from .context import OPTIONS, Overrides, check_module, prepare

CODE_PREFIX = "MLF"


class MlfcoreChecker:
    name = "mlfcore-lint"
    version = __version__

    overrides: ClassVar[Overrides] = Overrides()
    # False when flake8's selection leaves out every MLF code (``flake8 --select=F``): nothing to compute.
    active: ClassVar[bool] = True

    def __init__(self, tree, lines: list[str], filename: str):
        self.tree = tree  # flake8's own parse of ``lines``: the engine walks it instead of parsing again
        self.lines = lines
        self.filename = filename

    @classmethod
    def add_options(cls, manager) -> None:
        for option in OPTIONS:
            manager.add_option(
                f"--{option.flag}", metavar=option.metavar, default="", parse_from_config=True,
                comma_separated_list=True, normalize_paths=option.is_path, help=f"mlfcore-lint: {option.help}",
            )

    @classmethod
    def parse_options(cls, manager, options, args) -> None:
        del manager, args
        cls.overrides = Overrides.from_values(
            {option.key: getattr(options, option.flag.replace("-", "_")) for option in OPTIONS}
        )
        cls.active = _selects_prefix(options, CODE_PREFIX)
        if not cls.active:
            return
        try:
            prepare(cls.overrides, getattr(options, "filenames", None) or ())
        except ConfigError as error:
            sys.stderr.write(f"flake8: error: mlfcore-lint: {error}\n")
            raise SystemExit(2) from None
        if _forks_jobs(options):
            gc.freeze()

    def run(self) -> Iterator[tuple[int, int, str, type]]:
        if not self.active or self.filename.endswith(".ipynb"):  # flake8 reads notebooks as Python text
            return
        source = "".join(self.lines)
        raw = file_bytes_behind(self.filename, source)  # the engine decodes the file itself, as the command does
        try:
            findings = check_module(Path(self.filename), source if raw is None else raw, self.overrides,
                                    honour_noqa=False, tree=self.tree)
        except ValueError as error:  # ConfigError, RuleError: the configuration of the project holding the file
            from flake8.exceptions import ExecutionError  # flake8 reports it and stops, without a traceback

            raise ExecutionError(f"mlfcore-lint: {error}") from None
        for finding in findings:
            yield finding.line, finding.column - 1, f"{finding.code} {finding.message}", type(self)


def file_bytes_behind(filename: str, text: str) -> bytes | None:
    """The bytes of the file flake8 read ``text`` from, where ``text`` is that file's content; ``None`` for
    standard input or a file that changed since.

    flake8 decodes a file by its coding cookie, else as UTF-8, else as Latin-1, and reads it with universal
    newlines; the engine is handed the bytes themselves, so that it decodes (or refuses) a file exactly as
    the command and the pylint plugin do.
    """
    if filename in ("stdin", "-") or not is_regular_file(filename):
        return None
    try:
        raw = read_regular(filename, MAX_FILE_BYTES + 1)
    except NotReadable:
        return None
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(raw).readline)
        decoded = raw.decode(encoding)
    except (SyntaxError, LookupError, UnicodeDecodeError):
        decoded = raw.decode("latin-1")
    return raw if _lines(decoded.removeprefix("\ufeff")) == _lines(text.removeprefix("\ufeff")) else None


def _lines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _forks_jobs(options) -> bool:
    """Whether flake8 runs its checks in processes of their own (``--jobs``: a number above one, or ``auto`` on
    a machine of several cores)."""
    jobs = getattr(options, "jobs", None)
    if jobs is None or getattr(options, "filenames", None) == ["-"]:
        return False
    if getattr(jobs, "is_auto", False):
        return (os.cpu_count() or 1) > 1
    return getattr(jobs, "n_jobs", 1) > 1


def _selects_prefix(options, prefix: str) -> bool:
    """Whether flake8's ``--select``/``--ignore`` (and their ``extend-`` forms) can report any code of ``prefix``."""
    try:
        from flake8.style_guide import Decision, DecisionEngine
    except ImportError:  # pragma: no cover - a flake8 without the decision engine: run always
        return True
    decide = DecisionEngine(options).decision_for
    return any(decide(f"{prefix}{number:03d}") is Decision.Selected for number in range(1000))
