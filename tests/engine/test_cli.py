"""The ``mlfcore-lint`` command through a real subprocess: formats, exit codes, configuration, suppression."""

from __future__ import annotations

import json
import re

import pytest

from ..conftest import run_cli

BAD = (
    "import torch\n"
    "import torch.nn as nn\n"
    "torch.backends.cudnn.benchmark = True\n"
    "pool = nn.MaxPool3d(2)\n"
)


@pytest.fixture
def project(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "demo"\n')
    (tmp_path / "model.py").write_text(BAD)
    (tmp_path / "clean.py").write_text("import os\nprint(os.getcwd())\n")
    return tmp_path


def check(project, *args):
    return run_cli("check", "--no-cache", "--target", "torch==2.11", *args, cwd=project)


def test_text_output_and_exit_code(project):
    result = check(project)
    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "model.py:3:1: MLF140 error: cuDNN benchmark mode picks convolution algorithms by timing, which differs from run to run"
    assert re.match(r"model\.py:4:8: MLF101 error: The CUDA backward of 3-D max pooling is not deterministic in torch<2\.13 \(targeted: torch==2\.11\)", lines[1])
    assert lines[-1] == "Found 2 findings (2 errors) in 2 files checked."


def test_no_findings_exits_zero(project):
    result = check(project, "clean.py")
    assert result.returncode == 0
    assert result.stdout.strip() == "No findings in 1 file checked."


def test_json_contract(project):
    result = check(project, "--format", "json")
    data = json.loads(result.stdout)
    assert {tuple(sorted(item)) for item in data} == {tuple(sorted([
        "path", "line", "column", "end_line", "end_column", "code", "symbol", "message", "severity", "api", "fix", "url",
        "certainty"]))}
    benchmark = next(item for item in data if item["code"] == "MLF140")
    assert benchmark["api"] == "torch.backends.cudnn.benchmark"
    assert benchmark["fix"]["applicability"] == "safe"
    assert benchmark["symbol"] == "cudnn-benchmark-enabled"
    assert benchmark["url"].endswith("/rules/MLF140.html")
    assert (benchmark["line"], benchmark["column"], benchmark["end_line"]) == (3, 1, 3)


def test_sarif_output(project):
    data = json.loads(check(project, "--format", "sarif").stdout)
    assert data["version"] == "2.1.0"
    run = data["runs"][0]
    rule_ids = {rule["id"] for rule in run["tool"]["driver"]["rules"]}
    assert {"MLF101", "MLF140"} <= rule_ids
    for rule in run["tool"]["driver"]["rules"]:
        assert rule["shortDescription"]["text"] and rule["help"]["text"] and rule["helpUri"]
    results = run["results"]
    assert {r["ruleId"] for r in results} == {"MLF101", "MLF140"}
    for result in results:
        location = result["locations"][0]["physicalLocation"]
        assert location["artifactLocation"]["uri"] == "model.py"
        assert location["region"]["startLine"] >= 1
        assert result["partialFingerprints"]["primaryLocationLineHash"]
        assert run["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == result["ruleId"]


def test_github_annotations(project):
    lines = check(project, "--format", "github").stdout.splitlines()
    assert lines[0].startswith("::error title=MLF140 cudnn-benchmark-enabled,file=model.py,line=3,col=1,")
    assert len(lines) == 2


def test_output_file_and_show_source(project):
    result = check(project, "--output", "report.txt", "--show-source")
    assert result.stdout == ""
    report = (project / "report.txt").read_text()
    assert "    pool = nn.MaxPool3d(2)\n           ^^^^^^^^^^^^^^^\n" in report


def test_statistics_print_only_the_counts(project):
    (project / "more.py").write_text(BAD)
    result = check(project, "--statistics", "--show-fixes")
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "    2  MLF101       error    max-pool3d-nondeterministic-backward",
        "    2  MLF140  [*]  error    cudnn-benchmark-enabled",
    ]
    rows = json.loads(check(project, "--statistics", "--format", "json").stdout)
    assert rows == [
        {"code": "MLF101", "name": "max-pool3d-nondeterministic-backward", "severity": "error", "count": 2, "fixable": False},
        {"code": "MLF140", "name": "cudnn-benchmark-enabled", "severity": "error", "count": 2, "fixable": True},
    ]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("--select", "MLF14"), {"MLF140"}),
        (("--ignore", "MLF140"), {"MLF101"}),
        # the more specific code wins, as in flake8 and ruff
        (("--select", "MLF101,MLF140", "--ignore", "MLF1"), {"MLF101", "MLF140"}),
        (("--select", "MLF1", "--ignore", "MLF101"), {"MLF140"}),
    ],
)
def test_select_and_ignore(project, args, expected):
    data = json.loads(check(project, "--format", "json", *args).stdout)
    assert {item["code"] for item in data} == expected


def test_noqa_is_honoured(project):
    (project / "model.py").write_text(BAD.replace("= True\n", "= True  # noqa: MLF140\n").replace("(2)\n", "(2)  # noqa\n"))
    result = check(project)
    assert result.returncode == 0, result.stdout


def test_noqa_for_another_code_does_not_suppress(project):
    (project / "model.py").write_text(BAD.replace("= True\n", "= True  # noqa: E501\n"))
    assert "MLF140" in check(project).stdout


def test_config_in_pyproject(project):
    (project / "pyproject.toml").write_text(
        '[tool.mlfcore-lint]\nignore = ["MLF101"]\ntarget = ["torch==2.11"]\n'
        'per-file-ignores = {"legacy/*" = ["MLF140"]}\n'
    )
    (project / "legacy").mkdir()
    (project / "legacy" / "old.py").write_text(BAD)
    data = json.loads(run_cli("check", "--no-cache", "--format", "json", cwd=project).stdout)
    assert {(item["path"], item["code"]) for item in data} == {("model.py", "MLF140")}


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('selekt = ["MLF1"]', "unknown key 'selekt'"),
        ('select = "MLF1x"', "'select': 'MLF1x' is not a code or prefix"),
        ('target = ["torch=>2.1"]', "'target': 'torch=>2.1' is not a PEP 508 requirement"),
        ('target = ["torch==2.11", "torch==2.13"]', "'target': torch is named twice ('torch==2.11' and 'torch==2.13')"),
        ("ignore = 3", "'ignore' must be a list of codes or prefixes"),
    ],
)
def test_bad_configuration_is_a_one_line_error(project, table, message):
    (project / "pyproject.toml").write_text(f"[tool.mlfcore-lint]\n{table}\n")
    result = run_cli("check", cwd=project)
    assert result.returncode == 2
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1
    assert message in result.stderr and "pyproject.toml" in result.stderr


def test_invalid_toml_names_the_file(project):
    (project / "pyproject.toml").write_text("[tool.mlfcore-lint\n")
    result = run_cli("check", "--config", "pyproject.toml", cwd=project)
    assert result.returncode == 2
    assert "pyproject.toml: invalid TOML" in result.stderr


@pytest.mark.parametrize(
    ("rule_text", "message"),
    [
        ("rules:\n  - code: MLF9999\n", "rule MLF9999: field 'code': 'MLF9999' is not MLF followed by three digits"),
        ("rules: [\n", "invalid YAML"),
        ("rules:\n  - code: MLF801\n    symbol: x\n    message: m\n    why: w\n    alternative: a\n"
         "    match: [{call: {api: [torch.x]}}]\n    severity: fatal\n"
         "    examples: {flagged: ['a'], clean: ['b']}\n",
         "rule MLF801: field 'severity': 'fatal' is not one of error, warning, info"),
        ("rules:\n  - code: MLF801\n    symbol: x\n    message: m\n    why: w\n    alternative: a\n"
         "    match: [{call: {api: [torch.x], arguments: [{keyword: mode, one_of: [{a: 1}]}]}}]\n"
         "    examples: {flagged: ['a'], clean: ['b']}\n",
         "rule MLF801: field 'match[0].call.arguments[0].one_of': {'a': 1} is not a literal value"),
    ],
)
def test_bad_rule_file_names_file_rule_and_field(project, rule_text, message):
    (project / "extra.yaml").write_text(rule_text)
    (project / "pyproject.toml").write_text('[tool.mlfcore-lint]\nextend-rules = ["extra.yaml"]\n')
    result = run_cli("check", cwd=project)
    assert result.returncode == 2, result.stdout
    assert "extra.yaml" in result.stderr and message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_user_rule_file_adds_a_rule(project):
    (project / "extra.yaml").write_text(
        "rules:\n  - code: MLF801\n    symbol: my-custom-op\n    message: Custom op is non-deterministic\n"
        "    framework: torch\n    why: w\n    alternative: a\n    match: [{call: {api: [torch.custom_op]}}]\n"
        "    examples: {flagged: ['import torch\\ntorch.custom_op()\\n'], clean: ['import torch\\n']}\n"
    )
    (project / "pyproject.toml").write_text('[tool.mlfcore-lint]\nextend-rules = ["extra.yaml"]\n')
    (project / "model.py").write_text("import torch\ntorch.custom_op(1)\n")
    result = run_cli("check", "--no-cache", cwd=project)
    assert re.search(r"^model\.py:2:1: MLF801 \w+: Custom op is non-deterministic$", result.stdout, re.M)


def test_missing_path_and_unknown_code_are_usage_errors(project):
    result = run_cli("check", "nowhere", cwd=project)
    assert result.returncode == 2 and "nowhere: no such file or directory" in result.stderr
    result = run_cli("check", "--select", "MLF777", cwd=project)
    assert result.returncode == 2 and "MLF777" in result.stderr


def test_rules_and_explain(project):
    listing = json.loads(run_cli("rules", "--format", "json", cwd=project).stdout)
    codes = [rule["code"] for rule in listing]
    assert codes == sorted(codes) and "MLF101" in codes
    page = run_cli("explain", "MLF101", cwd=project)
    assert page.returncode == 0
    for section in ("## What it does", "## Why is this bad?", "## Example", "## Use instead", "## Fix safety", "## Versions"):
        assert section in page.stdout
    assert run_cli("explain", "MLF000", cwd=project).returncode == 2


def test_jobs_give_the_same_findings(project):
    for number in range(12):
        (project / f"m{number}.py").write_text(BAD)
    serial = check(project, "--format", "json", "--jobs", "1").stdout
    parallel = check(project, "--format", "json", "--jobs", "4").stdout
    assert serial == parallel and len(json.loads(serial)) == 26


def test_missing_requirements_reported_once_per_entry_point(project):
    (project / "train.py").write_text("import torch\nimport model\nif __name__ == '__main__':\n    loss.cuda().backward()\n")
    data = json.loads(check(project, "--format", "json").stdout)
    entry = [(d["code"], d["line"], d["api"]) for d in data if d["path"] == "train.py"]
    assert entry == [("MLF160", 3, "torch.manual_seed"), ("MLF161", 3, "torch.use_deterministic_algorithms")]


def test_requirement_satisfied_in_an_imported_project_module(project):
    (project / "setup_run.py").write_text("import torch\ndef prepare():\n    torch.manual_seed(0)\n    torch.use_deterministic_algorithms(True)\n")
    (project / "train.py").write_text("import torch\nfrom setup_run import prepare\nif __name__ == '__main__':\n    prepare()\n")
    data = json.loads(check(project, "--format", "json").stdout)
    assert not [d for d in data if d["path"] == "train.py"]


def test_switch_in_entry_point_silences_switch_dependent_ops(project):
    (project / "model.py").write_text("import torch.nn as nn\npool = nn.MaxPool3d(2)\n")
    (project / "train.py").write_text(
        "import torch\nimport model\nif __name__ == '__main__':\n    torch.manual_seed(0)\n    torch.use_deterministic_algorithms(True)\n"
        "    loss.cuda().backward()\n")
    (project / "requirements.txt").write_text("torch==2.13.0\n")  # a pinned environment (MLF060)
    assert run_cli("check", "--no-cache", "--target", "torch==2.13", cwd=project).returncode == 0
    assert "MLF101" in run_cli("check", "--no-cache", "--target", "torch==2.11", cwd=project).stdout


def test_a_named_folder_is_checked_even_when_the_configuration_excludes_it(project):
    (project / "pyproject.toml").write_text('[tool.mlfcore-lint]\nexclude = ["examples"]\n')
    (project / "examples" / "demo").mkdir(parents=True)
    (project / "examples" / "demo" / "m.py").write_text(BAD)
    everything = json.loads(check(project, "--format", "json").stdout)
    assert not [f for f in everything if f["path"].startswith("examples")]
    named = json.loads(check(project, "--format", "json", "examples/demo").stdout)
    assert {f["path"] for f in named} == {"examples/demo/m.py"}


def test_tooling_scripts_are_not_training_entry_points(project):
    (project / "setup.py").write_text("import torch\nif __name__ == '__main__':\n    loss.cuda().backward()\n")
    assert not [d for d in json.loads(check(project, "--format", "json").stdout) if d["path"] == "setup.py"]
    (project / "pyproject.toml").write_text('[tool.mlfcore-lint]\nentry-points = ["setup.py"]\n')
    codes = {d["code"] for d in json.loads(check(project, "--format", "json").stdout) if d["path"] == "setup.py"}
    assert codes == {"MLF160", "MLF161"}


def _entry_codes(project, path):
    return {d["code"] for d in json.loads(check(project, "--format", "json").stdout) if d["path"] == path}


def test_lazy_and_optional_imports_of_imported_modules_do_not_make_a_program_use_torch(project):
    (project / "pkg").mkdir()
    (project / "pkg" / "__init__.py").write_text("try:\n    from .deep import Net\nexcept ImportError:\n    Net = None\n")
    (project / "pkg" / "deep.py").write_text("import torch\nNet = torch.nn.Linear\n")
    (project / "pkg" / "lazy.py").write_text("def fit():\n    import torch\n    return torch.zeros(1)\n")
    (project / "report.py").write_text("import pkg\nimport pkg.lazy\nif __name__ == '__main__':\n    print(pkg.Net)\n")
    assert _entry_codes(project, "report.py") == set()
    # the entry point's own lazy import runs, and so does what the modules it loads import at their top level
    (project / "train.py").write_text("def main():\n    import torch\n    loss.cuda().backward()\nif __name__ == '__main__':\n    main()\n")
    (project / "tune.py").write_text("from pkg import deep\nif __name__ == '__main__':\n    model.cuda().fit(data)\n")
    assert _entry_codes(project, "train.py") == {"MLF160", "MLF161"}
    assert _entry_codes(project, "tune.py") == {"MLF160", "MLF161"}
