"""mlfcore-lint: static analysis that makes machine-learning code deterministic."""

__version__ = "0.1.0"
