"""Every front end run on a hostile project under a time limit: the command, the fixer, flake8 and pylint.

What each run must show (issue 13): no traceback, no hang, and either findings (with ``MLF9xx`` for what
could not be read) or exit code 2 with one line that names the file at fault.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from mlfcore_lint.frontends.pylint_checker import PLUGIN_ERROR_SYMBOL, message_symbol
from mlfcore_lint.ruleset import load_ruleset

#: Seconds one front end may take on one case (the machines that run the tests are slow and shared).
TIME_LIMIT = 120
TARGET = "torch==2.11"
GOOD = "import torch\ntorch.backends.cudnn.benchmark = True\n"  # MLF140 at 2:1
CODE_OF_SYMBOL = {message_symbol(rule): rule.code for rule in load_ruleset()}
FRONT_ENDS = ("check", "fix", "flake8", "pylint")
_LOCATED = re.compile(r"^(?:\./)?(?P<path>.+?):(?P<line>\d+):(?P<column>\d+): (?P<code>[A-Z]+\d+) ")

Finding = tuple[str, int, int, str]  # path, line, column (1-based), code


@dataclass
class Run:
    front_end: str
    returncode: int
    stdout: str
    stderr: str
    findings: set[Finding] = field(default_factory=set)

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    def codes_by_path(self) -> set[tuple[str, str]]:
        return {(path, code) for path, _, _, code in self.findings}


def command(front_end: str, project: Path, rcfile: Path) -> list[str]:
    if front_end == "check":
        return ["mlfcore_lint", "check", "--format", "json", "--target", TARGET, "."]
    if front_end == "fix":
        return ["mlfcore_lint.fix.cli", "--diff", "--target", TARGET, "."]
    if front_end == "flake8":
        return ["flake8", "--isolated", "--select=MLF", f"--mlf-target={TARGET}", "."]
    return ["pylint", f"--rcfile={rcfile}", "--load-plugins=mlfcore_lint.pylint_plugin", "--disable=all",
            "--enable=mlfcore-lint", "--msg-template={path}:{line}:{column}: {msg_id} {symbol} {msg}", "--score=n",
            "--persistent=n", "--recursive=y", f"--mlf-target={TARGET}", "."]


def run(front_end: str, project: Path, prefix: tuple[str, ...] = ()) -> Run:
    """One front end on ``project`` (``prefix``: a command that runs it, such as ``setpriv ...``); fails the
    test on a hang or a traceback."""
    rcfile = project.parent / "pylintrc"  # pylint reads its own settings from here, not from the project
    if not rcfile.exists():
        rcfile.write_text("[MAIN]\n")
    try:
        result = subprocess.run([*prefix, sys.executable, "-m", *command(front_end, project, rcfile)], cwd=project,
                                capture_output=True, timeout=TIME_LIMIT, check=False)
    except subprocess.TimeoutExpired:
        pytest.fail(f"{front_end} hung (more than {TIME_LIMIT} s) on {project.name}")
    stdout = result.stdout.decode("utf-8", "backslashreplace")
    stderr = result.stderr.decode("utf-8", "backslashreplace")
    outcome = Run(front_end, result.returncode, stdout, stderr)
    assert "Traceback" not in outcome.output, f"{front_end}: {outcome.output[-3000:]}"
    assert "internal error" not in outcome.output, f"{front_end}: {outcome.output[-3000:]}"
    outcome.findings = _findings(outcome)
    return outcome


def _findings(outcome: Run) -> set[Finding]:
    if outcome.front_end == "check":
        if outcome.returncode == 2:
            return set()
        return {(f["path"], f["line"], f["column"], f["code"]) for f in json.loads(outcome.stdout)}
    found = set()
    text = outcome.stderr if outcome.front_end == "fix" else outcome.stdout
    for line in text.splitlines():
        match = _LOCATED.match(line)
        if match is None:
            continue
        path, number, column, code = match["path"], int(match["line"]), int(match["column"]), match["code"]
        if outcome.front_end == "pylint":
            symbol = line[match.end():].split(" ", 1)[0]
            if symbol == PLUGIN_ERROR_SYMBOL:
                code = "F7900"
            elif symbol in CODE_OF_SYMBOL:
                code, column = CODE_OF_SYMBOL[symbol], column + 1
            else:
                continue  # pylint's own messages (a file it cannot parse)
        found.add((path, number, column, code))
    if outcome.front_end == "fix":  # what the fixer would fix is reported in its diff, not as a finding
        found |= {(path, 0, 0, "fixed") for path in re.findall(r"^\+\+\+ b/(.+)$", outcome.stdout, re.MULTILINE)}
    return found


def run_all(project: Path, front_ends=FRONT_ENDS, prefix: tuple[str, ...] = ()) -> dict[str, Run]:
    return {front_end: run(front_end, project, prefix) for front_end in front_ends}


def only(findings: set[Finding], paths) -> set[Finding]:
    paths = set(paths)
    return {finding for finding in findings if finding[0] in paths}


def assert_one_line_error(outcome: Run, names: str) -> None:
    """Exit 2 (pylint: its fatal message) with one line that names the file at fault."""
    if outcome.front_end == "pylint":
        errors = [f for f in outcome.findings if f[3] == "F7900"]
        assert errors and names in outcome.stdout, outcome.output
        assert not [f for f in outcome.findings if f[3].startswith("MLF")], outcome.output
        return
    assert outcome.returncode == 2, f"{outcome.front_end}: {outcome.returncode} {outcome.output}"
    lines = [line for line in outcome.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and names in lines[0], f"{outcome.front_end}: {outcome.stderr}"
