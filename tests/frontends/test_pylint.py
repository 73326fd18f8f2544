"""The pylint plugin, through the real pylint."""

from __future__ import annotations

import json
import pkgutil

import pytest
from pylint import extensions as pylint_extensions

from mlfcore_lint.frontends.pylint_checker import PLUGIN_ERROR_ID, PLUGIN_ERROR_SYMBOL, message_id, message_symbol

from .conftest import PYLINT_PLUGIN, PYLINT_TEMPLATE, RULESET, message_lines, pylint, run_tool
from .projects import MODEL, SEEDED_TRAIN, training_project, write_project

# Each test starts pylint, several times: slow (the quick loop leaves it to CI).
pytestmark = pytest.mark.slow

BENCHMARK = RULESET.get("MLF140")
MAX_POOL = RULESET.get("MLF101")


def reported(result) -> list[str]:
    """``line:column: id symbol`` of the plugin's messages in pylint's text output (template of the conftest)."""
    found = []
    for line in message_lines(result.stdout):
        _, row, column, rest = line.split(":", 3)
        identifier = rest.split()[0]
        if identifier[1] == "7":  # the plugin's checker ids, 70 to 79
            found.append(f"{row}:{column}: {identifier} {rest.rsplit('(', 1)[1].rstrip(')')}")
    return found


def test_one_message_per_rule_beside_every_pylint_extension(tmp_path):
    extensions = [f"pylint.extensions.{m.name}" for m in pkgutil.iter_modules(pylint_extensions.__path__)
                  if not m.name.startswith("_")]
    result = run_tool("pylint", f"--load-plugins={PYLINT_PLUGIN},{','.join(extensions)}", "--list-msgs",
                      cwd=tmp_path)
    assert result.returncode == 0 and result.stderr == "", result.stderr
    for rule in RULESET:
        assert f":{message_symbol(rule)} ({message_id(rule)}):" in result.stdout, rule.code
    assert f":{PLUGIN_ERROR_SYMBOL} ({PLUGIN_ERROR_ID})" in result.stdout


def test_ids_are_the_severity_letter_seven_and_the_code_digits():
    for rule in RULESET:
        identifier = message_id(rule)
        assert identifier == {"error": "E", "warning": "W", "info": "I"}[rule.severity] + "7" + rule.code[3:]
    assert len({message_id(r) for r in RULESET}) == len({message_symbol(r) for r in RULESET}) == len(RULESET)


def test_findings_in_a_project(tmp_path):
    project = training_project(tmp_path / "project")
    result = pylint("train.py", "model.py", cwd=project)
    assert result.stderr == ""
    assert reported(result) == [
        f"7:22: {message_id(BENCHMARK)} {BENCHMARK.symbol}",
        f"8:42: {message_id(MAX_POOL)} {MAX_POOL.symbol}",
        "5:0: E7160 missing-torch-seed",
        "5:0: E7161 missing-torch-deterministic-algorithms",
    ]


def test_from_stdin_lints_the_buffer_not_the_file_on_disk(tmp_path):
    project = training_project(tmp_path / "project")
    buffer = MODEL.replace("benchmark = True", "benchmark = False") + "pool = nn.MaxPool3d(3)\n"
    result = pylint("--from-stdin", "model.py", cwd=project, input=buffer)
    assert result.stderr == ""
    assert reported(result) == [f"8:42: {message_id(MAX_POOL)} {MAX_POOL.symbol}",
                                f"9:7: {message_id(MAX_POOL)} {MAX_POOL.symbol}"]


def test_from_stdin_entry_point_buffer_replaces_it_in_the_program(tmp_path):
    project = training_project(tmp_path / "project", 'target = ["torch==2.13"]\n')
    assert len(reported(pylint("train.py", cwd=project))) == 2
    result = pylint("--from-stdin", "train.py", cwd=project, input=SEEDED_TRAIN)
    assert result.stdout.strip() == "" and result.stderr == ""


def test_json2_output(tmp_path):
    project = training_project(tmp_path / "project")
    result = pylint("--output-format=json2", "model.py", cwd=project)
    data = json.loads(result.stdout)  # nothing else on standard output
    [benchmark, pool] = data["messages"]
    assert (benchmark["messageId"], benchmark["symbol"], benchmark["type"]) == (
        message_id(BENCHMARK), BENCHMARK.symbol, "error")
    assert (benchmark["line"], benchmark["column"], benchmark["confidence"]) == (7, 22, "HIGH")
    assert benchmark["message"].startswith(BENCHMARK.summary)
    assert (pool["endLine"], pool["endColumn"]) == (8, 57)  # 0-based, after `nn.MaxPool3d(2)`


def test_disable_pragma_and_configuration(tmp_path):
    pragma = MODEL.replace("benchmark = True", f"benchmark = True  # pylint: disable={BENCHMARK.symbol}")
    project = write_project(tmp_path / "project", {"model.py": pragma})
    assert reported(pylint("model.py", cwd=project)) == [f"8:42: {message_id(MAX_POOL)} {MAX_POOL.symbol}"]
    by_id = pylint(f"--disable={message_id(MAX_POOL)}", "model.py", cwd=project)
    assert reported(by_id) == []
    with (project / "pyproject.toml").open("a", encoding="utf-8") as handle:
        handle.write(f'\n[tool.pylint."messages control"]\ndisable = ["{MAX_POOL.symbol}"]\n')
    from_configuration = run_tool("pylint", f"--load-plugins={PYLINT_PLUGIN}", f"--msg-template={PYLINT_TEMPLATE}",
                                  "--score=n", "--persistent=n", "model.py", cwd=project)
    assert "(missing-module-docstring)" in from_configuration.stdout  # pylint's own checks ran
    assert reported(from_configuration) == []


def test_load_plugins_from_pyproject_and_pylintrc(tmp_path):
    project = training_project(tmp_path / "project")
    text_of = (project / "pyproject.toml").read_text(encoding="utf-8")
    (project / "pyproject.toml").write_text(
        text_of + f'\n[tool.pylint.main]\nload-plugins = ["{PYLINT_PLUGIN}"]\n', encoding="utf-8")
    from_pyproject = run_tool("pylint", "--disable=all", "--enable=mlfcore-lint", "model.py", cwd=project)
    assert f"({BENCHMARK.symbol})" in from_pyproject.stdout, from_pyproject.stderr
    (project / "pyproject.toml").write_text(text_of, encoding="utf-8")
    (project / ".pylintrc").write_text(f"[MAIN]\nload-plugins={PYLINT_PLUGIN}\n", encoding="utf-8")
    from_pylintrc = run_tool("pylint", "--disable=all", "--enable=mlfcore-lint", "model.py", cwd=project)
    assert f"({BENCHMARK.symbol})" in from_pylintrc.stdout, from_pylintrc.stderr


def test_target_option(tmp_path):
    project = training_project(tmp_path / "project")
    pinned = pylint("--output-format=json2", f"--enable={MAX_POOL.symbol}", "model.py", cwd=project)
    targeted = pylint("--output-format=json2", "--mlf-target=torch==2.13", "model.py", cwd=project)
    [pinned_pool] = [m for m in json.loads(pinned.stdout)["messages"] if m["symbol"] == MAX_POOL.symbol]
    [targeted_pool] = [m for m in json.loads(targeted.stdout)["messages"] if m["symbol"] == MAX_POOL.symbol]
    assert "torch==2.11" in pinned_pool["message"] and "torch==2.13" in targeted_pool["message"]


def test_a_configuration_it_cannot_read_is_a_message_not_a_crash(tmp_path):
    project = training_project(tmp_path / "project", 'colour = "blue"\n')
    result = pylint("--output-format=json2", "train.py", "model.py", cwd=project)
    assert "Traceback" not in result.stderr
    messages = json.loads(result.stdout)["messages"]
    assert sorted((m["path"], m["messageId"], m["symbol"]) for m in messages) == [
        ("model.py", PLUGIN_ERROR_ID, PLUGIN_ERROR_SYMBOL), ("train.py", PLUGIN_ERROR_ID, PLUGIN_ERROR_SYMBOL)]
    assert "unknown key 'colour'" in messages[0]["message"]
    assert result.returncode & 1  # pylint's exit status bit for a fatal message


def test_a_problem_in_one_module_does_not_stop_the_others(tmp_path):
    project = training_project(tmp_path / "project")
    write_project(project / "sub", {"bad.py": "import torch\n"}, "entry-points = 3\n")
    result = pylint("--output-format=json2", "model.py", "sub/bad.py", cwd=project)
    messages = json.loads(result.stdout)["messages"]
    assert [m["symbol"] for m in messages if m["path"] == "sub/bad.py"] == [PLUGIN_ERROR_SYMBOL]
    assert {m["symbol"] for m in messages if m["path"] == "model.py"} == {BENCHMARK.symbol, MAX_POOL.symbol}


def test_parallel_jobs_report_the_same(tmp_path):
    project = training_project(tmp_path / "project")
    for number in range(6):
        (project / f"layer{number}.py").write_text(MODEL, encoding="utf-8")
    files = sorted(p.name for p in project.glob("*.py"))
    serial = pylint("-j", "1", *files, cwd=project)
    parallel = pylint("-j", "3", *files, cwd=project)
    assert message_lines(parallel.stdout) == message_lines(serial.stdout)
    assert len(message_lines(serial.stdout)) == 2 + 2 * 7


def test_a_module_in_a_declared_encoding_is_read_as_python_reads_it(tmp_path):
    project = training_project(tmp_path / "project")
    source = "# -*- coding: latin-1 -*-\nimport torch\nname = 'café'\ntorch.backends.cudnn.benchmark = True\n"
    (project / "legacy.py").write_bytes(source.encode("latin-1"))
    result = pylint("legacy.py", cwd=project)
    assert result.stderr == ""
    assert reported(result) == [f"4:0: {message_id(BENCHMARK)} {BENCHMARK.symbol}"]
