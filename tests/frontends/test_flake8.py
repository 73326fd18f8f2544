"""The flake8 plugin, through the real flake8."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from mlfcore_lint.cache import project_cache_folder

from .conftest import flake8, message_lines, run_tool
from .projects import MODEL, SEEDED_TRAIN, TRAIN, training_project, write_project


def codes(result) -> list[tuple[str, str]]:
    """(location, code) of each flake8 line."""
    return [(line.rsplit(":", 1)[0].split(": ")[0], line.split(": ", 1)[1].split()[0])
            for line in message_lines(result.stdout)]


def test_lines_are_the_commands_text_lines(tmp_path):
    project = training_project(tmp_path / "project")
    command = run_tool("mlfcore_lint", "check", "--no-cache", "train.py", "model.py", cwd=project)
    result = flake8("--select=MLF", "train.py", "model.py", cwd=project)
    assert command.returncode == 1 and result.returncode == 1, (command.stderr, result.stderr)
    lines = message_lines(result.stdout)
    # the command's lines are flake8's with the severity after the code
    assert lines == [re.sub(r"(: MLF\d{3}) (?:error|warning|info): ", r"\1 ", line) for line in message_lines(command.stdout)]
    assert all(re.search(r": MLF\d{3} (?:error|warning|info): ", line) for line in message_lines(command.stdout))
    # the columns of the statement after `label = "Fläche"; ` and of `nn.MaxPool3d`, 1-based
    assert "model.py:7:23: MLF140" in "\n".join(lines)
    assert "model.py:8:43: MLF101" in "\n".join(lines)


def test_mlf_codes_appear_beside_pyflakes_and_pycodestyle(tmp_path):
    project = write_project(tmp_path / "project", {"train.py": TRAIN + "import os\nx=1\n", "model.py": MODEL})
    result = flake8("train.py", cwd=project)
    found = {code for _, code in codes(result)}
    assert {"F401", "E225", "MLF160", "MLF161"} <= found


def test_select_without_mlf_does_no_work(tmp_path):
    project = training_project(tmp_path / "project")
    result = flake8("--select=F", "train.py", "model.py", cwd=project)
    assert result.stderr == ""
    assert {code[0] for _, code in codes(result)} == {"F"}
    facts_cache = project_cache_folder(project.resolve())
    assert not facts_cache.exists()  # the engine never ran
    flake8("--select=F,MLF", "train.py", "model.py", cwd=project)
    assert facts_cache.is_dir()


def test_whole_program_requirements_only_on_the_entry_point_once(tmp_path):
    project = training_project(tmp_path / "project")
    result = flake8("--select=MLF16", ".", cwd=project)
    assert codes(result) == [("./train.py:5:1", "MLF160"), ("./train.py:5:1", "MLF161")]


def test_the_switch_in_the_entry_point_is_seen_from_the_imported_module(tmp_path):
    project = write_project(tmp_path / "project", {"train.py": SEEDED_TRAIN, "model.py": MODEL},
                            'target = ["torch==2.13"]\n')
    result = flake8("--select=MLF", "model.py", cwd=project)
    # MaxPool3d is deterministic under the switch in 2.13; the benchmark flag is reported anyway
    assert codes(result) == [("model.py:7:23", "MLF140")]


def test_stdin_lints_the_buffer_not_the_file_on_disk(tmp_path):
    project = training_project(tmp_path / "project")
    buffer = MODEL.replace("benchmark = True", "benchmark = False") + "pool = nn.MaxPool3d(3)\n"
    result = flake8("--select=MLF", "--stdin-display-name=model.py", "-", cwd=project, input=buffer)
    assert codes(result) == [("model.py:8:43", "MLF101"), ("model.py:9:8", "MLF101")]
    plain = flake8("--select=MLF", "-", cwd=project, input=buffer)
    assert [code for _, code in codes(plain)] == ["MLF101", "MLF101"]
    assert message_lines(plain.stdout)[0].startswith("stdin:8:43: ")


def test_stdin_buffer_of_the_entry_point_replaces_it_in_the_program(tmp_path):
    project = training_project(tmp_path / "project")
    result = flake8("--select=MLF16", "--stdin-display-name=train.py", "-", cwd=project, input=SEEDED_TRAIN)
    assert result.returncode == 0 and result.stdout == "", result.stderr


def test_noqa_is_applied_by_flake8(tmp_path):
    silenced = MODEL.replace("benchmark = True", "benchmark = True  # noqa: MLF140")
    project = write_project(tmp_path / "project", {"train.py": TRAIN, "model.py": silenced})
    assert [code for _, code in codes(flake8("--select=MLF", "model.py", cwd=project))] == ["MLF101"]
    everything = flake8("--select=MLF", "--disable-noqa", "model.py", cwd=project)
    assert [code for _, code in codes(everything)] == ["MLF140", "MLF101"]
    other_code = MODEL.replace("benchmark = True", "benchmark = True  # noqa: E501")
    (project / "model.py").write_text(other_code, encoding="utf-8")
    assert [code for _, code in codes(flake8("--select=MLF", "model.py", cwd=project))] == ["MLF140", "MLF101"]


@pytest.mark.parametrize("where", ["command line", "setup.cfg", "tox.ini", ".flake8", "pyproject.toml"])
def test_target_option_and_pyproject_table_agree(tmp_path, where):
    project = training_project(tmp_path / "project")
    args = ["--select=MLF101", "model.py"]
    assert codes(flake8(*args, cwd=project)) == [("model.py:8:43", "MLF101")]  # pinned torch==2.11
    if where == "command line":
        result = run_tool("flake8", "--mlf-target=torch==2.13", *args, cwd=project)
    elif where == "pyproject.toml":
        with (project / "pyproject.toml").open("a", encoding="utf-8") as handle:
            handle.write('target = ["torch==2.13"]\n')
        result = run_tool("flake8", *args, cwd=project)
    else:
        (project / where).write_text("[flake8]\nmlf-target = torch==2.13\n", encoding="utf-8")
        result = run_tool("flake8", *args, cwd=project)
    # 2.13 has a deterministic MaxPool3d under the switch, which the program does not turn on
    assert "under" not in result.stderr
    [line] = message_lines(result.stdout)
    assert line.startswith("model.py:8:43: MLF101 ") and "torch==2.13" in line


def test_entry_points_option(tmp_path):
    project = write_project(tmp_path / "project", {"jobs/run.py": "import torch\nmodel = torch.nn.Linear(2, 2).cuda()\nmodel(x).sum().backward()\n",
                                                          "jobs/__init__.py": "from . import run\n"})
    assert flake8("--select=MLF", "jobs/run.py", cwd=project).stdout == ""
    result = flake8("--select=MLF", "--mlf-entry-points=jobs/*.py", "jobs/run.py", cwd=project)
    assert [code for _, code in codes(result)] == ["MLF160", "MLF161"]


@pytest.mark.parametrize(("option", "problem"), [
    ("--mlf-target=torch>>2", "'torch>>2' is not a PEP 508 requirement"),
    ("--mlf-extend-rules=missing.yaml", "missing.yaml: cannot read rule file"),
])
def test_bad_value_is_one_line_error(tmp_path, option, problem):
    project = training_project(tmp_path / "project")
    result = flake8("--select=MLF", option, "model.py", cwd=project)
    assert result.returncode == 2
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith("flake8: error: mlfcore-lint: ") and problem in result.stderr


def test_bad_pyproject_table_is_one_line_error(tmp_path):
    project = training_project(tmp_path / "project", 'colour = "blue"\n')
    result = flake8("--select=MLF", "model.py", cwd=project)
    assert result.returncode == 2 and len(result.stderr.splitlines()) == 1
    assert "unknown key 'colour'" in result.stderr


def test_extend_rules_from_setup_cfg_are_relative_to_it(tmp_path):
    rule = """\
rules:
  - code: MLF499
    symbol: our-shuffle
    message: "Our own shuffle is not seeded"
    severity: warning
    match:
      - call: {api: [ourlib.shuffle]}
    why: "It draws from the clock."
    alternative: "Pass a seed."
    examples:
      flagged: ["import ourlib\\nourlib.shuffle([1])\\n"]
      clean: ["import ourlib\\nourlib.sort([1])\\n"]
"""
    data = "import ourlib\nourlib.shuffle([1])\n"
    project = write_project(tmp_path / "project", {"lint/rules.yaml": rule, "data.py": data})
    (project / "setup.cfg").write_text("[flake8]\nmlf-extend-rules = lint/rules.yaml\n", encoding="utf-8")
    result = run_tool("flake8", "--select=MLF", "data.py", cwd=project)
    assert codes(result) == [("data.py:2:1", "MLF499")], result.stderr


def test_parallel_jobs_report_the_same(tmp_path):
    project = training_project(tmp_path / "project")
    for number in range(8):
        (project / f"layer{number}.py").write_text(MODEL, encoding="utf-8")
    serial = flake8("--select=MLF", "-j", "1", ".", cwd=project)
    parallel = flake8("--select=MLF", "-j", "4", ".", cwd=project)
    assert serial.returncode == parallel.returncode == 1
    assert message_lines(parallel.stdout) == message_lines(serial.stdout)
    assert len(message_lines(serial.stdout)) == 2 + 2 * 9


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_bad_table_of_a_nested_project_stops_flake8_without_a_traceback(tmp_path, jobs):
    project = training_project(tmp_path / "project")
    write_project(project / "sub", {"a.py": MODEL, "b.py": MODEL, "c.py": MODEL}, 'colour = "blue"\n')
    result = flake8("--select=MLF", "-j", jobs, ".", cwd=project)
    assert result.returncode == 1 and "Traceback" not in result.stderr + result.stdout
    assert result.stdout.splitlines()[-1].startswith("mlfcore-lint: ")
    assert "sub/pyproject.toml: unknown key 'colour'" in result.stdout


FREEZE_COUNT = """
import gc, sys
from flake8.main.application import Application
Application().run(["--isolated", "--select=MLF", *sys.argv[1:], "."])
print("frozen", gc.get_freeze_count())
"""


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_objects_read_before_flake8_forks_its_jobs_are_frozen_only_where_it_forks(tmp_path, jobs):
    """Every job's garbage collections would traverse the project's facts read before the fork (and copy their
    pages): where flake8 forks, they are frozen; a serial run leaves the collector as it is."""
    project = training_project(tmp_path / "project")
    result = subprocess.run([sys.executable, "-c", FREEZE_COUNT, "-j", jobs], cwd=project, capture_output=True,
                            text=True, timeout=300, check=False)
    frozen = int(result.stdout.split("frozen ")[-1])
    assert (frozen > 0) == (jobs == "2"), result.stdout + result.stderr
