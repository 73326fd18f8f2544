"""The command, flake8 and pylint report the same findings on every rule's flagged examples."""

from __future__ import annotations

import pytest

from .conftest import CODE_OF_SYMBOL, flake8_line, message_lines, pylint_line

# Every rule example through three tools: minutes (the quick loop leaves it to CI).
pytestmark = pytest.mark.slow


def test_every_flagged_example_is_reported(example_run):
    reported = {(f["path"], f["code"]) for f in example_run.check_json}
    missing = [f for f in example_run.files if (f.path, f.code) not in reported]
    assert example_run.files
    assert not missing, f"examples not flagged in a project of their own: {missing}"


def test_flake8_prints_the_commands_findings(example_run):
    assert example_run.flake8.returncode == 1, example_run.flake8.stderr
    assert example_run.flake8.stderr == ""
    assert message_lines(example_run.flake8.stdout) == sorted(flake8_line(f) for f in example_run.check_json)


def test_pylint_prints_the_commands_findings(example_run):
    assert example_run.pylint.stderr == ""
    expected = sorted(pylint_line(f) for f in example_run.check_json)
    assert message_lines(example_run.pylint.stdout) == expected


def test_command_flake8_and_pylint_agree_on_code_line_and_column(example_run):
    command = {(f["path"], f["code"], f["line"], f["column"]) for f in example_run.check_json}
    from_flake8 = set()
    for line in message_lines(example_run.flake8.stdout):
        path, row, column, rest = line.split(":", 3)
        from_flake8.add((path, rest.split()[0], int(row), int(column)))
    from_pylint = {
        (m["path"], CODE_OF_SYMBOL[m["symbol"]], m["line"], m["column"] + 1)
        for m in example_run.pylint_json["messages"]
    }
    assert command == from_flake8 == from_pylint
    assert len(command) >= len(example_run.files)


def test_pylint_confidence_marks_the_findings_the_engine_is_not_sure_of(example_run):
    lowered = {  # inferred (a "possible" finding): one severity lower where the rule is not already `info`
        (f["path"], f["code"], f["line"], f["column"]): f["certainty"] == "inferred"
        for f in example_run.check_json if f["path"].endswith(".py")
    }
    confidences = {
        (m["path"], CODE_OF_SYMBOL[m["symbol"]], m["line"], m["column"] + 1): m["confidence"]
        for m in example_run.pylint_json["messages"]
    }
    assert any(lowered.values())  # some examples use values the engine cannot know statically
    for place, is_lowered in lowered.items():
        assert confidences[place] == ("INFERENCE" if is_lowered else "HIGH"), place
