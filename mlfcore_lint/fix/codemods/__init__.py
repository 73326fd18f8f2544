"""One codemod per rule code whose fix is more than its declared edits (``declared``); importing this package
registers them all."""

from . import dataloader, deterministic_algorithms, modes, tensorflow
from .base import CODEMODS, Codemod, Site

#: The modules whose import registers their codemods in :data:`CODEMODS`.
MODULES = (dataloader, deterministic_algorithms, modes, tensorflow)

__all__ = ["CODEMODS", "MODULES", "Codemod", "Site"]
