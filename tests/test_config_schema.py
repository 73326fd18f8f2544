"""The JSON schema of ``[tool.mlfcore-lint]`` agrees with what the configuration reader reads and accepts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mlfcore_lint.config import CONFIG_KEYS, ConfigError, Settings, apply_table
from mlfcore_lint.config_schema import config_schema, keys_read

from .conftest import REPO

SCHEMA = json.loads((REPO / "mlfcore-lint.schema.json").read_text(encoding="utf-8"))


def test_schema_file_is_current():
    assert SCHEMA == config_schema(), "run: python -m mlfcore_lint.config_schema > mlfcore-lint.schema.json"
    pytest.importorskip("jsonschema").Draft7Validator.check_schema(SCHEMA)


def test_schema_names_exactly_the_keys_the_reader_reads():
    assert set(SCHEMA["properties"]) == set(keys_read()) == CONFIG_KEYS


@pytest.mark.parametrize("table", [
    {"select": ["MLF1", "MLF160"], "ignore": "MLF140", "extend-select": ["ALL"]},
    {"per-file-ignores": {"tests/*": ["MLF1"], "legacy/**": "MLF"}},
    {"exclude": ["vendor"], "extend-exclude": "build2", "entry-points": ["jobs/*.py"]},
    {"target": ["torch==2.11", "tensorflow>=2.14,<2.17"], "extend-rules": "rules/ours.yaml"},
])
def test_what_the_reader_accepts_the_schema_accepts(table, tmp_path):
    apply_table(Settings(), table, "pyproject.toml", Path(tmp_path))
    pytest.importorskip("jsonschema").validate(table, SCHEMA)


@pytest.mark.parametrize("table", [
    {"selekt": ["MLF1"]},
    {"select": ["MLF1x"]},
    {"ignore": 3},
    {"per-file-ignores": ["tests/*"]},
    {"per-file-ignores": {"tests/*": ["E501"]}},
    {"exclude": [1]},
])
def test_what_the_reader_refuses_the_schema_refuses(table, tmp_path):
    with pytest.raises(ConfigError):
        apply_table(Settings(), table, "pyproject.toml", Path(tmp_path))
    jsonschema = pytest.importorskip("jsonschema")
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(table, SCHEMA)
