"""One codemod per rule code; importing this package registers them all."""

from . import (
    arguments,
    cudnn,
    dataloader,
    deterministic_algorithms,
    modes,
    tensorflow,
    xgboost,
)
from .base import CODEMODS, Codemod, Site

#: The modules whose import registers their codemods in :data:`CODEMODS`.
MODULES = (arguments, cudnn, dataloader, deterministic_algorithms, modes, tensorflow, xgboost)

__all__ = ["CODEMODS", "MODULES", "Codemod", "Site"]
