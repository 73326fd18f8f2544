"""One codemod per rule code; importing this package registers them all."""

from .base import CODEMODS, Codemod, Site
from . import cudnn, dataloader, deterministic_algorithms, interpolation, tensorflow, xgboost  # noqa: F401

__all__ = ["CODEMODS", "Codemod", "Site"]
