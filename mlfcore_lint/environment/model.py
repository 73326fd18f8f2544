"""What the environment readers find: pins, locked versions, container images, settings, problems."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from packaging.specifiers import SpecifierSet


@dataclass(frozen=True)
class Place:
    path: Path  # absolute
    line: int = 1  # 1-based; 1 where a problem concerns the whole file
    column: int = 1
    end_column: int = 0  # exclusive; 0: to the end of what ``text`` shows

    @property
    def end(self) -> int:
        return self.end_column or self.column + 1


@dataclass(frozen=True)
class Pin:
    """One requirement of a distribution where the project installs from."""

    distribution: str  # normalised (``pytorch`` -> ``torch``)
    specifier: SpecifierSet
    text: str  # as written, e.g. ``torch>=2.1``
    place: Place
    hashed: bool = False  # a requirements line with ``--hash``: pip installs exactly what the hash names
    dialect: str = "pep508"  # how ``text`` is written: ``pep508``, ``conda`` (``pytorch>=2.1``) or ``poetry``

    @property
    def version(self) -> str | None:
        """The one version the specifier admits (``==2.1.0``, ``===2.1.0``), else None."""
        specs = list(self.specifier)
        if len(specs) == 1 and specs[0].operator in ("==", "===") and "*" not in specs[0].version:
            return specs[0].version
        return None

    @property
    def pinned(self) -> bool:
        return self.version is not None or self.hashed


@dataclass(frozen=True)
class Image:
    """A container image a Dockerfile builds from (``FROM``) or an ``MLproject`` runs in."""

    reference: str  # as written, after ARG substitution
    place: Place

    @property
    def moving(self) -> bool:
        """No digest, and no tag or the tag ``latest``: the image changes under the same name."""
        if "@sha256:" in self.reference or "@" in self.reference:
            return False
        last = self.reference.rsplit("/", 1)[-1]
        return ":" not in last or last.rsplit(":", 1)[1] in ("latest", "")


@dataclass(frozen=True)
class Setting:
    """An environment variable set outside Python, where the program is launched."""

    variable: str
    value: str | None  # None: copied from the launching shell, value not known
    place: Place


@dataclass(frozen=True)
class FileProblem:
    place: Place
    message: str  # one line naming the problem


@dataclass
class ProjectEnvironment:
    pins: list[Pin] = field(default_factory=list)
    container_installs: list[Pin] = field(default_factory=list)  # ``RUN pip install`` lines in Dockerfiles
    locked: dict[str, set[str]] = field(default_factory=dict)  # distribution -> versions a lock file names
    locked_in: dict[str, set[str]] = field(default_factory=dict)  # distribution -> names of the locks naming it
    lock_files: list[Path] = field(default_factory=list)
    images: list[Image] = field(default_factory=list)
    settings: list[Setting] = field(default_factory=list)
    problems: list[FileProblem] = field(default_factory=list)
    dockerfiles: list[Path] = field(default_factory=list)
