"""The environment readers on bad input: any bytes, any YAML or TOML shape, never an exception; a file that
cannot be used is one problem on one line (MLF905), naming the line where the parser says."""

from __future__ import annotations

import json
import os
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mlfcore_lint.environment.docker import read_dockerfile
from mlfcore_lint.environment.files import MAX_BYTES
from mlfcore_lint.environment.locks import read_lock
from mlfcore_lint.environment.manifests import (
    read_conda_environment,
    read_mlproject,
    read_pyproject,
    read_python_env,
    read_setup_cfg,
    read_setup_py,
)
from mlfcore_lint.environment.model import ProjectEnvironment
from mlfcore_lint.environment.requirements import read_requirements
from mlfcore_lint.environment.scan import scan
from mlfcore_lint.environment.variables import read_dotenv, read_noxfile, read_tox_ini, read_workflow

READERS = {
    "requirements.txt": lambda path, found: read_requirements(path, found.pins, found.problems, set()),
    "pyproject.toml": read_pyproject,
    "setup.cfg": read_setup_cfg,
    "setup.py": read_setup_py,
    "environment.yml": read_conda_environment,
    "MLproject": lambda path, found: read_mlproject(path, found, lambda p: read_conda_environment(p, found)),
    "python_env.yaml": read_python_env,
    "uv.lock": read_lock,
    "conda-lock.yml": read_lock,
    "Dockerfile": read_dockerfile,
    ".env": read_dotenv,
    "tox.ini": read_tox_ini,
    "noxfile.py": read_noxfile,
    "train.yml": read_workflow,
}
KEYS = ["dependencies", "pip", "variables", "docker_env", "image", "environment", "conda_env", "python_env",
        "jobs", "steps", "env", "container", "package", "name", "version", "project", "tool", "poetry",
        "optional-dependencies", "group", "build_dependencies"]
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
                    st.text(max_size=12), st.sampled_from(["torch>=2.1", "pytorch=2.1", "torch", "-r x.txt", "..."]))
SHAPES = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=5), inner, max_size=4)),
    max_leaves=20)
FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def read(tmp_path: Path, name: str, raw: bytes) -> ProjectEnvironment:
    path = tmp_path / name
    path.write_bytes(raw)
    found = ProjectEnvironment()
    READERS[name](path, found)
    for problem in found.problems:
        assert "\n" not in problem.message and problem.place.line >= 1
    return found


@FAST
@given(name=st.sampled_from(sorted(READERS)), raw=st.binary(max_size=300))
def test_any_bytes(tmp_path, name, raw):
    read(tmp_path, name, raw)


@FAST
@given(name=st.sampled_from(sorted(READERS)), text=st.text(max_size=300))
def test_any_text(tmp_path, name, text):
    read(tmp_path, name, text.encode("utf-8", "surrogatepass"))


@FAST
@given(name=st.sampled_from(["environment.yml", "MLproject", "python_env.yaml", "conda-lock.yml", "train.yml"]),
       data=SHAPES)
def test_any_yaml_shape(tmp_path, name, data):
    read(tmp_path, name, yaml.safe_dump(data).encode())


@FAST
@given(data=st.dictionaries(st.sampled_from(KEYS), SHAPES, max_size=4))
def test_any_toml_shape(tmp_path, data):
    lines = [f"{key} = {json.dumps(value)}" for key, value in data.items()
             if value is not None and not isinstance(value, dict)]
    for name in ("pyproject.toml", "uv.lock"):
        read(tmp_path, name, "\n".join(lines).encode())


def test_problems_name_the_line(tmp_path):
    assert read(tmp_path, "environment.yml", b"name: x\ndependencies:\n  - [a\n").problems[0].place.line == 4
    assert read(tmp_path, "pyproject.toml", b"[project]\nname = \n").problems[0].place.line == 2
    assert read(tmp_path, "requirements.txt", b"torch\n\xff\n").problems[0].place.line == 2
    problem = read(tmp_path, "requirements.txt", b"-r nowhere.txt\n").problems[0]
    assert "nowhere.txt" in problem.message and problem.place.line == 1


def test_only_regular_files_of_bounded_size(tmp_path):
    os.mkfifo(tmp_path / "requirements-fifo.txt")  # would block a reader
    (tmp_path / "requirements-big.txt").write_bytes(b"#" * (MAX_BYTES + 1))
    (tmp_path / "requirements.txt").write_text("-r requirements-fifo.txt\n-r requirements.txt\ntorch\n")
    found = scan(tmp_path)
    messages = sorted(problem.message for problem in found.problems)
    assert messages == [f"file is larger than {MAX_BYTES // (1024 * 1024)} MiB; not read", "not a regular file (a FIFO)"]
    assert [pin.text for pin in found.pins] == ["torch"]  # the include cycle is read once


def test_deeply_nested_yaml_is_a_problem_not_a_crash(tmp_path):
    found = read(tmp_path, "environment.yml", b"a: " + b"[" * 5000 + b"]" * 5000 + b"\n")
    assert len(found.problems) <= 1


def test_every_place_a_pyproject_declares_requirements(tmp_path):
    found = read(tmp_path, "pyproject.toml", (
        b'[project]\nname = "x"\ndependencies = [\n  "numpy>=1.26",\n]\n\n[project.optional-dependencies]\n'
        b'gpu = ["jax[cuda12]>=0.4 ; sys_platform == \\"linux\\""]\n\n[dependency-groups]\ntrain = ["torch>=2.1"]\n\n'
        b'[tool.poetry.group.ml.dependencies]\nxgboost = "~2.0"\n'))
    placed = {(pin.distribution, str(pin.specifier), pin.place.line) for pin in found.pins}
    assert placed == {("numpy", ">=1.26", 4), ("jax", ">=0.4", 8), ("torch", ">=2.1", 11), ("xgboost", "<2.1,>=2.0", 14)}


def test_install_requires_is_read_from_the_syntax_tree_of_setup_py(tmp_path):
    found = read(tmp_path, "setup.py", (
        b'from setuptools import setup\nREQUIRED = [\n    "numpy",\n    "torch>=2.2",\n]\n'
        b'setup(name="x", install_requires=REQUIRED + extra)\nsetuptools.setup(install_requires=["xgboost==2.0.3"])\n'))
    # a list bound to a module-level name, or written in the call; a computed value is not a pin we can read
    assert {(pin.distribution, str(pin.specifier), pin.place.line, pin.place.column) for pin in found.pins} == {
        ("xgboost", "==2.0.3", 7, 37)}
    found = read(tmp_path, "setup.py", b'from setuptools import setup\nREQ = ["numpy", "torch>=2.2"]\n'
                                       b'setup(install_requires=REQ)\n')
    assert {(pin.distribution, pin.place.line, pin.place.column) for pin in found.pins} == {
        ("numpy", 2, 9), ("torch", 2, 18)}
    assert read(tmp_path, "setup.py", b"setup(install_requires=[\n").pins == []  # the Python file reports it


def test_a_dockerfile_install_takes_the_version_of_an_arg(tmp_path):
    found = read(tmp_path, "Dockerfile", b"FROM python:3.11\nARG XGB=3.0.5\nARG LATER\n"
                                         b"RUN pip install -I xgboost==${XGB} torch==${LATER}\n")
    assert [(pin.distribution, str(pin.specifier), pin.text) for pin in found.container_installs] == [
        ("xgboost", "==3.0.5", "xgboost==${XGB}")]  # a version the build passes in is not known here
