"""Helpers for the front-end tests: rule examples written as small projects, and the real tools run on them."""

from __future__ import annotations

import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from mlfcore_lint.config import CONFIG_KEYS, parse_target
from mlfcore_lint.frontends.pylint_checker import message_id, message_symbol
from mlfcore_lint.ruleset import load_ruleset

RULESET = load_ruleset()
PYLINT_PLUGIN = "mlfcore_lint.pylint_plugin"
PYLINT_TEMPLATE = "{path}:{line}:{column}: {msg_id} {msg} ({symbol})"
# The rule's code for each pylint symbol, to read pylint's reports back as findings.
CODE_OF_SYMBOL = {message_symbol(rule): rule.code for rule in RULESET}


def run_tool(*args: str, cwd: Path, input: str | None = None) -> subprocess.CompletedProcess:
    """Run this interpreter's ``python -m <tool> ...`` (flake8, pylint, mlfcore_lint, pre_commit)."""
    return subprocess.run(
        [sys.executable, "-m", *args], cwd=cwd, input=input, capture_output=True, text=True, timeout=600, check=False,
    )


def flake8(*args: str, cwd: Path, input: str | None = None) -> subprocess.CompletedProcess:
    """flake8 without any configuration file but the options given (``--isolated``)."""
    return run_tool("flake8", "--isolated", *args, cwd=cwd, input=input)


def pylint(*args: str, cwd: Path, input: str | None = None) -> subprocess.CompletedProcess:
    """pylint with the plugin, reporting only the plugin's messages, one line per message."""
    return run_tool(
        "pylint", f"--load-plugins={PYLINT_PLUGIN}", "--disable=all", "--enable=mlfcore-lint",
        f"--msg-template={PYLINT_TEMPLATE}", "--score=n", "--persistent=n", *args, cwd=cwd, input=input,
    )


def message_lines(output: str) -> list[str]:
    """The finding lines of flake8, pylint or ``check`` text output (no headers, no summary)."""
    other = ("*****", "Found ", "No findings")
    return sorted(line for line in output.splitlines() if line and not line.startswith(other))


@dataclass(frozen=True)
class ExampleFile:
    code: str  # the rule whose flagged example this is
    path: str  # relative to the folder holding the example projects


def write_example_projects(root: Path) -> tuple[list[str], list[ExampleFile]]:
    """Every rule's flagged examples that flake8 and pylint can read (Python files, not the MLF9xx files that
    no parser accepts), in project folders. Returns (project folders, files).

    Each example must be judged as a program of its own, as the rule's own tests judge it. Examples that
    are entry points (a ``__main__`` block) share a project only with other entry points: each is then its
    own program. Examples that are not share one only with others that are not: no entry point can turn a
    switch on for them. Projects differ in configuration too; framework versions an example does not name
    are pinned to "any release", so nothing depends on what is installed on the machine.
    """
    projects: dict[tuple, str] = {}
    files = []
    for rule in RULESET:
        if rule.code.startswith("MLF9") or rule.inspects:
            continue  # MLF9xx files no parser accepts; findings in environment files, which flake8 never sees
        for number, example in enumerate(rule.flagged_examples, start=1):
            settings = dict(example.settings)
            if settings.pop("notebook", False) or example.files:
                continue
            is_entry_point = "__main__" in example.code
            key = (is_entry_point, tuple(example.target), tuple(sorted((k, repr(v)) for k, v in settings.items())))
            if key not in projects:
                projects[key] = f"project{len(projects):02d}"
                _write_project(root / projects[key], example.target, settings)
            name = f"{projects[key]}/{rule.code.lower()}_{number}.py"
            (root / name).write_text(example.code, encoding="utf-8")
            files.append(ExampleFile(rule.code, name))
    return sorted(projects.values()), files


def _toml(value) -> str:
    """A TOML value: JSON's form for strings and lists, an inline table for a dict."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(key)} = {_toml(item)}" for key, item in value.items()) + "}"
    return json.dumps(value)


def _write_project(folder: Path, targets, settings: dict) -> None:
    folder.mkdir(parents=True)
    named = {parse_target(t, "example")[0] for t in targets}
    any_release = [f"{name}>=0" for name in sorted(RULESET.framework_modules) if name not in named]
    # The open ranges above are on purpose: the environment is "pinned elsewhere" (MLF060 reports lines of
    # pyproject.toml, which flake8 and pylint never see).
    table = {"target": list(targets), "pinned-elsewhere": ["*"],
             **{k: v for k, v in settings.items() if k in CONFIG_KEYS}}
    # Hints are reported only when selected.
    table["extend-select"] = ["HINT", *table.get("extend-select", [])]
    lines = ["[project]", f"dependencies = {json.dumps(any_release)}", "", "[tool.mlfcore-lint]"]
    lines += [f"{key} = {_toml(value)}" for key, value in table.items()]
    (folder / "pyproject.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")


@dataclass
class ExampleRun:
    root: Path
    files: list[ExampleFile]
    check_json: list[dict]  # `mlfcore-lint check --format json` findings
    flake8: subprocess.CompletedProcess
    pylint: subprocess.CompletedProcess
    pylint_json: dict


@pytest.fixture(scope="session")
def example_run(tmp_path_factory) -> ExampleRun:
    """All flagged examples, checked once by the command, flake8 and pylint (one run of each per project)."""
    root = tmp_path_factory.mktemp("examples")
    projects, files = write_example_projects(root)
    paths = [f.path for f in files]
    with ThreadPoolExecutor(max_workers=8) as pool:
        json_runs = [pool.submit(run_tool, "mlfcore_lint", "check", "--no-cache", "--format", "json", p, cwd=root)
                     for p in projects]
        flake8_run = pool.submit(flake8, "--select=MLF", *paths, cwd=root)
        pylint_run = pool.submit(pylint, f"--output-format=text,json2:{root / 'pylint.json'}", *paths, cwd=root)
        check_json = []
        for run in json_runs:
            result = run.result()
            assert result.returncode in (0, 1), result.stderr
            check_json += json.loads(result.stdout)
        flake8_result, pylint_result = flake8_run.result(), pylint_run.result()
    pylint_json = json.loads((root / "pylint.json").read_text(encoding="utf-8"))
    return ExampleRun(root, files, check_json, flake8_result, pylint_result, pylint_json)


def flake8_line(finding: dict) -> str:
    """The line flake8 prints for a finding of ``check --format json`` (the command's text line, too)."""
    return f"{finding['path']}:{finding['line']}:{finding['column']}: {finding['code']} {finding['message']}"


def pylint_line(finding: dict) -> str:
    """The line pylint's text output has for a finding of ``check --format json`` (0-based column)."""
    rule = RULESET.get(finding["code"])
    return (f"{finding['path']}:{finding['line']}:{finding['column'] - 1}: {message_id(rule)} "
            f"{finding['message']} ({message_symbol(rule)})")
