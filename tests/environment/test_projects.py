"""Projects shaped like the study's model repositories and like modern ones, checked through the command.

Each folder under ``projects/`` holds a small project and ``expected.txt``: every finding the command must
report, as ``path:line:column: CODE``. The environment findings point into the files that are not Python
(``environment.yml``, ``MLproject``, ``pyproject.toml``, ``Dockerfile``), in every output format.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from ..conftest import run_cli

PROJECTS = Path(__file__).parent / "projects"
#: Versions the command is told where the project does not fix them (so nothing depends on what is
#: installed); the pinned projects target what their files pin.
TARGETS = {
    "study_conda_unpinned": ["--target", "torch==2.9"],
    "modern_docker_latest": ["--target", "torch==2.9"],
    "modern_poetry_ranges": ["--target", "torch==2.9"],
}
NAMES = sorted(path.name for path in PROJECTS.iterdir() if (path / "expected.txt").is_file())


@pytest.fixture(params=NAMES)
def project(request, tmp_path) -> tuple[str, Path]:
    folder = tmp_path / request.param
    shutil.copytree(PROJECTS / request.param, folder, ignore=shutil.ignore_patterns("expected.txt"))
    return request.param, folder


def expected(name: str) -> list[str]:
    return (PROJECTS / name / "expected.txt").read_text(encoding="utf-8").splitlines()


def check(folder: Path, name: str, *options: str):
    return run_cli("check", ".", "--no-cache", *TARGETS.get(name, []), *options, cwd=folder)


def test_text_output_reports_exactly_the_expected_findings(project):
    name, folder = project
    result = check(folder, name)
    lines = [line.split(" MLF")[0] + " MLF" + line.split(" MLF")[1].split()[0]
             for line in result.stdout.splitlines() if " MLF" in line]
    assert lines == expected(name), result.stdout + result.stderr
    assert result.returncode == (1 if expected(name) else 0), result.stderr


def test_json_and_sarif_locations_point_into_the_files(project):
    name, folder = project
    findings = json.loads(check(folder, name, "--format", "json").stdout)
    assert [f"{f['path']}:{f['line']}:{f['column']}: {f['code']}" for f in findings] == expected(name)
    sarif = json.loads(check(folder, name, "--format", "sarif").stdout)
    results = sarif["runs"][0]["results"]
    assert len(results) == len(findings)
    for result, finding in zip(results, findings, strict=True):
        location = result["locations"][0]["physicalLocation"]
        assert location["artifactLocation"]["uri"] == finding["path"]
        assert location["region"]["startLine"] == finding["line"]
        assert location["region"]["startColumn"] == finding["column"]
        assert result["ruleId"] == finding["code"]
        # the line the location names holds what the finding is about
        line = (folder / finding["path"]).read_text(encoding="utf-8").splitlines()[finding["line"] - 1]
        quoted = finding["message"].split("`")[1] if "`" in finding["message"] else ""
        if finding["code"] in ("MLF060", "MLF061", "MLF062"):
            assert quoted and quoted in line, (finding, line)


def test_github_annotations_name_the_files(project):
    name, folder = project
    output = check(folder, name, "--format", "github").stdout
    annotations = [line for line in output.splitlines() if line.startswith("::")]
    places = [f"{a.split('file=')[1].split(',')[0]}:{a.split('line=')[1].split(',')[0]}" for a in annotations]
    assert places == [":".join(line.split(":")[:2]) for line in expected(name)]


def test_a_range_names_the_versions_where_this_projects_verdicts_change(tmp_path):
    shutil.copytree(PROJECTS / "study_conda_unpinned", tmp_path / "p")
    findings = json.loads(check(tmp_path / "p", "study_conda_unpinned", "--format", "json").stdout)
    torch = next(f for f in findings if f["code"] == "MLF060" and "`pytorch`" in f["message"])
    assert "admits torch 1.7 to 2.13" in torch["message"]
    assert "verdicts change at torch 2.13 (MLF101)" in torch["message"]  # MaxPool3d gets a deterministic kernel
    numpy = next(f for f in findings if f["code"] == "MLF060" and "`numpy>=1.19`" in f["message"])
    assert "none of this project's verdicts changes" in numpy["message"]


def test_settings_outside_python_satisfy_mlf162_and_settle_mlf004(tmp_path):
    (tmp_path / "train.py").write_text(
        'import os\nimport torch\nos.environ["PYTHONHASHSEED"] = "0"\nif __name__ == "__main__":\n'
        "    torch.manual_seed(0)\n    torch.use_deterministic_algorithms(True)\n"
        "    model.cuda()(batch).sum().backward()\n", encoding="utf-8")
    (tmp_path / "requirements.txt").write_text("torch==2.9.0\n", encoding="utf-8")

    def codes():
        result = run_cli("check", ".", "--no-cache", "--format", "json", cwd=tmp_path)
        return sorted(f["code"] for f in json.loads(result.stdout))

    assert codes() == ["MLF004", "MLF162"]
    sources = {
        "Dockerfile": "FROM python:3.11.9-slim\nENV CUBLAS_WORKSPACE_CONFIG=:4096:8 PYTHONHASHSEED=0\n",
        ".env": "CUBLAS_WORKSPACE_CONFIG=:4096:8\nPYTHONHASHSEED=0\n",
        "environment.yml": "name: x\ndependencies:\n  - python=3.11\nvariables:\n"
                           "  CUBLAS_WORKSPACE_CONFIG: ':4096:8'\n  PYTHONHASHSEED: 0\n",
        "MLproject": "name: x\ndocker_env:\n  image: x:1.0\n  environment:\n"
                     "    - [CUBLAS_WORKSPACE_CONFIG, ':4096:8']\n    - [PYTHONHASHSEED, '0']\n",
        "tox.ini": "[testenv]\nsetenv =\n    CUBLAS_WORKSPACE_CONFIG = :4096:8\n    PYTHONHASHSEED = 0\n",
        "noxfile.py": 'import nox\n@nox.session\ndef train(session):\n'
                      '    session.env["CUBLAS_WORKSPACE_CONFIG"] = ":4096:8"\n'
                      '    session.run("python", "train.py", env={"PYTHONHASHSEED": "0"})\n',
        ".github/workflows/ci.yml": "on: push\nenv:\n  PYTHONHASHSEED: 0\njobs:\n  t:\n    runs-on: x\n"
                                    "    steps:\n      - run: python train.py\n        env:\n"
                                    "          CUBLAS_WORKSPACE_CONFIG: ':4096:8'\n",
    }
    for name, text in sources.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        assert codes() == [], name
        path.unlink()
    # a value that does not make cuBLAS deterministic, or one copied from the host, does not count
    (tmp_path / "Dockerfile").write_text("FROM python:3.11.9-slim\nENV CUBLAS_WORKSPACE_CONFIG=:4096:2\n")
    assert codes() == ["MLF004", "MLF162"]
    (tmp_path / "MLproject").write_text("name: x\ndocker_env:\n  image: x:1.0\n  environment: [PYTHONHASHSEED]\n")
    assert codes() == ["MLF004", "MLF162"]


def test_pinned_elsewhere_and_set_elsewhere_in_the_configuration(tmp_path):
    (tmp_path / "train.py").write_text(
        'import torch\nif __name__ == "__main__":\n    torch.manual_seed(0)\n'
        "    torch.use_deterministic_algorithms(True)\n    model.cuda()(batch).sum().backward()\n",
        encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\nversion = "1"\ndependencies = ["torch>=2.1"]\n\n[tool.mlfcore-lint]\n'
        'target = ["torch==2.9"]\n', encoding="utf-8")

    def codes():
        result = run_cli("check", ".", "--no-cache", "--format", "json", cwd=tmp_path)
        return sorted(f["code"] for f in json.loads(result.stdout))

    assert codes() == ["MLF060", "MLF162"]
    with (tmp_path / "pyproject.toml").open("a", encoding="utf-8") as handle:
        handle.write('pinned-elsewhere = ["pytorch"]\nset-elsewhere = {CUBLAS_WORKSPACE_CONFIG = ":4096:8"}\n')
    assert codes() == []


def test_the_hardware_rule_is_opt_in(tmp_path):
    (tmp_path / "train.py").write_text('import torch\nif __name__ == "__main__":\n    torch.manual_seed(0)\n'
                                       "    loss.backward()\n")
    (tmp_path / "requirements.txt").write_text("torch==2.9.0\n", encoding="utf-8")
    plain = json.loads(run_cli("check", ".", "--no-cache", "--format", "json", cwd=tmp_path).stdout)
    assert "MLF063" not in [f["code"] for f in plain]
    (tmp_path / "pyproject.toml").write_text('[tool.mlfcore-lint]\nextend-select = ["MLF063"]\n')
    chosen = json.loads(run_cli("check", ".", "--no-cache", "--format", "json", cwd=tmp_path).stdout)
    assert [(f["code"], f["path"], f["line"]) for f in chosen if f["code"] == "MLF063"] == [("MLF063", "train.py", 2)]
    (tmp_path / "hardware.py").write_text(
        "import mlflow\nimport torch\n\ndef record():\n    mlflow.set_tag('gpu', torch.cuda.get_device_name(0))\n")
    (tmp_path / "train.py").write_text(
        'import torch\nfrom hardware import record\nif __name__ == "__main__":\n    torch.manual_seed(0)\n'
        "    record()\n")
    sarif = json.loads(run_cli("check", ".", "--no-cache", "--format", "sarif", cwd=tmp_path).stdout)
    configuration = {r["id"]: r["defaultConfiguration"] for r in sarif["runs"][0]["tool"]["driver"]["rules"]}
    assert configuration["MLF063"]["enabled"] is False and "enabled" not in configuration["MLF060"]
    helped = json.loads(run_cli("check", ".", "--no-cache", "--format", "json", cwd=tmp_path).stdout)
    assert "MLF063" not in [f["code"] for f in helped]  # a record helper of the project's own counts


def test_malformed_project_files_are_one_finding_each(tmp_path):
    (tmp_path / "train.py").write_text("x = 1\n")
    (tmp_path / "environment.yml").write_text("name: x\ndependencies: [python=3.11\n")
    (tmp_path / "uv.lock").write_text("[[package]\nname = 'torch'\n")
    (tmp_path / "Dockerfile").write_bytes(b"FROM python:3.11\0\n")
    (tmp_path / "requirements.txt").write_bytes(b"torch==2.1\n\xff\xfe\n")
    result = run_cli("check", ".", "--no-cache", "--format", "json", cwd=tmp_path)
    findings = json.loads(result.stdout)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert sorted((f["path"], f["line"], f["code"]) for f in findings) == [
        ("Dockerfile", 1, "MLF905"), ("environment.yml", 3, "MLF905"), ("requirements.txt", 2, "MLF905"),
        ("uv.lock", 1, "MLF905")]
    assert all("\n" not in f["message"] for f in findings)


def test_a_false_value_set_outside_python_is_reported_where_it_is_set(tmp_path):
    (tmp_path / "train.py").write_text('import tensorflow as tf\nif __name__ == "__main__":\n'
                                       "    tf.keras.utils.set_random_seed(0)\n    model.fit(x, y)\n")
    (tmp_path / "requirements.txt").write_text("tensorflow==2.15.0\n")
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    (tmp_path / ".github" / "workflows" / "train.yml").write_text(
        "on: push\njobs:\n  train:\n    runs-on: gpu\n    env:\n      TF_CUDNN_DETERMINISTIC: 'false'\n"
        "    steps:\n      - run: python train.py\n")
    findings = json.loads(run_cli("check", ".", "--no-cache", "--format", "json", cwd=tmp_path).stdout)
    outside = [f for f in findings if f["code"] == "MLF212"]
    assert [(f["path"], f["line"]) for f in outside] == [(".github/workflows/train.yml", 6)]
    assert "`TF_CUDNN_DETERMINISTIC=false`" in outside[0]["message"]


TRAIN = ('import torch\nif __name__ == "__main__":\n    torch.manual_seed(0)\n'
         "    torch.use_deterministic_algorithms(True)\n    model.cuda()(batch).sum().backward()\n")


def pins_reported(folder: Path) -> list[tuple[str, int, str]]:
    result = run_cli("check", ".", "--no-cache", "--select", "MLF060", "--format", "json", cwd=folder)
    return sorted((f["path"], f["line"], f["message"].split(": ", 1)[1]) for f in json.loads(result.stdout))


def test_each_example_installs_from_its_own_requirements(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.black]\nline-length = 100\n")  # settings only, no install
    for name, requirements in (("unpinned", "numpy==1.26.4\ntorch\n"), ("pinned", "torch==2.9.1\n"),
                               ("other", "numpy==1.26.4\n")):
        (tmp_path / name / "src").mkdir(parents=True)
        (tmp_path / name / "requirements.txt").write_text(requirements)
        (tmp_path / name / "src" / "train.py").write_text(TRAIN)
    # a program that does not train: its framework's version does not change a training result
    (tmp_path / "pinned" / "predict.py").write_text('import xgboost\nif __name__ == "__main__":\n    print(1)\n')
    assert [(path, line, message.split(" admits")[0].split(" is imported")[0])
            for path, line, message in pins_reported(tmp_path)] == [
        ("other/requirements.txt", 1, "`torch`"),  # not installed where this example installs from
        ("unpinned/requirements.txt", 2, "`torch`"),
    ]
    assert "no project file installs it" in pins_reported(tmp_path)[0][2]


def test_setup_py_and_dockerfiles_below_the_container_folder_pin_too(tmp_path):
    (tmp_path / "train.py").write_text("import xgboost\n" + TRAIN)
    (tmp_path / "setup.cfg").write_text("[metadata]\nname = x\n")
    (tmp_path / "setup.py").write_text('from setuptools import setup\nsetup(install_requires=["torch>=2.2"])\n')
    (tmp_path / "docker" / "3.0" / "base").mkdir(parents=True)
    (tmp_path / "docker" / "3.0" / "base" / "Dockerfile.cpu").write_text(
        "FROM python:3.11\nARG XGBOOST_VERSION=3.0.5\nRUN pip install xgboost==${XGBOOST_VERSION}\n")
    assert [(path, line) for path, line, _ in pins_reported(tmp_path)] == [("setup.py", 2)]  # torch>=2.2
