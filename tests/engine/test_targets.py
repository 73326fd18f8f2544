"""Where target versions come from: --target, then the configuration, the project's pins, installed metadata."""

from __future__ import annotations

import json

from packaging.specifiers import SpecifierSet

from mlfcore_lint.config import Settings, load_settings
from mlfcore_lint.targets import installed_versions, own_release, project_pins, resolve_targets

from ..conftest import run_cli


def test_pins_from_every_kind_of_file(tmp_path):
    (tmp_path / "requirements.txt").write_text("# training\ntorch==2.11.0  # pinned\n-r other.txt\nnumpy\n")
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\ndependencies = ["tensorflow>=2.15,<2.16", "torch==9"]\n')
    (tmp_path / "environment.yml").write_text(
        "dependencies:\n  - python=3.11\n  - conda-forge::py-xgboost=1.7.6\n  - pip:\n    - keras==2.15.0\n")
    (tmp_path / "setup.cfg").write_text("[options]\ninstall_requires =\n    lightning>=2.2\n")
    pins = project_pins(tmp_path)
    assert pins["torch"] == SpecifierSet("==2.11.0")  # requirements files come first
    assert pins["tensorflow"] == SpecifierSet(">=2.15,<2.16")
    assert pins["xgboost"] == SpecifierSet("==1.7.6")
    assert pins["keras"] == SpecifierSet("==2.15.0")
    assert pins["lightning"] == SpecifierSet(">=2.2")
    assert "numpy" not in pins  # unpinned


def test_order_cli_then_config_then_pins(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.mlfcore-lint]\ntarget = ["torch==2.12", "xgboost==2.0"]\n')
    (tmp_path / "requirements.txt").write_text("torch==2.10\nxgboost==1.0\ntensorflow==2.15\n")
    settings = load_settings(None, [tmp_path], ["torch==2.13"])
    targets = resolve_targets(settings, ["torch", "xgboost", "tensorflow"])
    assert targets["torch"] == SpecifierSet("==2.13")
    assert targets["xgboost"] == SpecifierSet("==2.0")
    assert targets["tensorflow"] == SpecifierSet("==2.15")


def test_a_framework_checked_as_its_own_project_targets_its_own_release(tmp_path):
    (tmp_path / "PKG-INFO").write_text("Metadata-Version: 2.4\nName: pytorch-lightning\nVersion: 2.6.6\n\nName: body\n")
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "lightning"\ndynamic = ["version"]\n')
    assert own_release(tmp_path) == ("lightning", SpecifierSet("==2.6.6"))
    settings = load_settings(None, [tmp_path], [])
    assert resolve_targets(settings, ["lightning"])["lightning"] == SpecifierSet("==2.6.6")
    assert "pytorch-lightning" not in resolve_targets(settings, ["torch"])


def test_a_static_project_version_is_read_from_pyproject(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "XGBoost"\nversion = "3.2.0"\n')
    assert own_release(tmp_path) == ("xgboost", SpecifierSet("==3.2.0"))
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "trainer"\n')
    assert own_release(tmp_path) is None


def test_installed_metadata_is_read_without_importing(monkeypatch):
    import sys

    before = set(sys.modules)
    found = installed_versions(["packaging", "surely-not-installed-dist"])
    assert "packaging" in found and "surely-not-installed-dist" not in found
    assert not {m for m in set(sys.modules) - before if m.startswith("torch")}


def test_no_source_means_every_version(tmp_path):
    settings = Settings(root=tmp_path, discover_targets=False)
    assert resolve_targets(settings, ["torch"]) == {}


def test_pins_decide_the_findings(tmp_path):
    source = "import torch.nn as nn\npool = nn.MaxPool3d(2)\n"
    (tmp_path / "model.py").write_text(source)
    (tmp_path / "requirements.txt").write_text("torch==2.11\n")
    old = json.loads(run_cli("check", "--no-cache", "--format", "json", cwd=tmp_path).stdout)
    assert [f["code"] for f in old] == ["MLF101"] and "targeted: torch==2.11" in old[0]["message"]


def test_installed_versions_are_those_importlib_metadata_reads_without_loading_it():
    """``installed_version`` reads a ``{name}-{version}.dist-info`` folder's name: for every distribution installed
    here it gives the version ``importlib.metadata`` gives, and a check does not load ``importlib.metadata``."""
    import importlib.metadata
    import subprocess
    import sys

    from mlfcore_lint.targets import installed_version

    names = {distribution.metadata["Name"] for distribution in importlib.metadata.distributions()}
    assert len(names) > 20
    for name in sorted(names):
        assert installed_version(name) == importlib.metadata.version(name), name
    assert installed_version("surely-not-installed-dist") is None
    probe = ("import sys; from mlfcore_lint.targets import installed_versions; "
             "found = installed_versions(['torch', 'tensorflow', 'xgboost', 'surely-not-installed-dist']); "
             "print('importlib.metadata' in sys.modules, sorted(found))")
    output = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert output.startswith("False ")


def test_a_distribution_installed_while_the_process_runs_is_seen(tmp_path, monkeypatch):
    """An editor's or pylint's process lives on while frameworks are installed: a ``sys.path`` folder is listed
    again once it changed."""
    import os

    from mlfcore_lint.targets import installed_version

    monkeypatch.syspath_prepend(str(tmp_path))
    assert installed_version("surely-new-dist") is None
    (tmp_path / "surely_new_dist-1.2.3.dist-info").mkdir()
    os.utime(tmp_path, ns=(1, 10**18))  # a folder changed within the same clock tick as its last listing
    assert installed_version("surely-new-dist") == "1.2.3"
    (tmp_path / "legacy_dist.egg-info").mkdir()  # no version in the name: importlib.metadata decides (not found)
    os.utime(tmp_path, ns=(1, 2 * 10**18))
    assert installed_version("legacy-dist") is None
