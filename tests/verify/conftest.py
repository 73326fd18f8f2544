"""Shared paths and helpers for the fixture-suite tests."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from mlfcore_lint.verify.catalog import discover_fixtures

REPO = Path(__file__).resolve().parents[2]
FIXTURES_DIR = REPO / "fixtures"
DATA = Path(__file__).resolve().parent / "data"
FIXTURES = discover_fixtures(FIXTURES_DIR)


def fixture_id(fixture) -> str:
    return fixture.relative


def import_fixture(fixture):
    """Import a fixture module from its file, or skip when its framework is not installed."""
    from mlfcore_lint.verify.setups import FRAMEWORKS

    framework = FRAMEWORKS[fixture.directory].module
    pytest.importorskip(framework, reason=f"{framework} is not installed")
    name = f"mlfcore_fixture_{fixture.directory}_{fixture.module}"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, fixture.path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    sys.modules[name] = module
    return module
