"""Entries planted in every place a cache lives cannot change a finding or run code."""

from __future__ import annotations

import hashlib
import json
import os
import pickle
from pathlib import Path

import pytest

from mlfcore_lint import __version__
from mlfcore_lint.cache import KEY_FILE, FactsCache, project_cache_folder
from mlfcore_lint.engine.facts import FACTS_FORMAT, FileFacts
from mlfcore_lint.ruleset import load_ruleset

from .harness import GOOD, run

MODEL = "import torch.nn as nn\npool = nn.MaxPool3d(2)\n"  # MLF101 with torch 2.11


class _RunsCode:
    """A pickle that creates a file when it is loaded."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


@pytest.fixture
def setting(tmp_path, monkeypatch):
    cache_home = tmp_path / "xdg"
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache_home))
    project = tmp_path / "project"
    project.mkdir()
    (project / "pyproject.toml").write_text('[project]\nname = "x"\n')
    (project / "good.py").write_text(GOOD)
    (project / "model.py").write_text(MODEL)
    (project / "clean.py").write_text("import torch\n\ndef f(x):\n    return torch.relu(x)\n")
    return project, cache_home / "mlfcore-lint"


def _findings(project: Path) -> dict[str, set]:
    return {front_end: run(front_end, project).findings for front_end in ("check", "flake8")}


def _plant_in_project(project: Path) -> None:
    """Entries a repository could commit where the cache used to live: empty facts under the old key."""
    fingerprint = load_ruleset().fingerprint
    folder = project / ".mlfcore_lint_cache"
    for name in ("good.py", "model.py"):
        raw = (project / name).read_bytes()
        key = hashlib.sha256(f"{__version__}\0{FACTS_FORMAT}\0{fingerprint}\0".encode() + b"py\0" + raw).hexdigest()
        (folder / key[:2]).mkdir(parents=True, exist_ok=True)
        (folder / key[:2] / f"{key}.json").write_text(json.dumps(FileFacts().to_json()))


def test_planted_entries_change_no_finding_and_run_no_code(setting, tmp_path):
    project, cache_root = setting
    _plant_in_project(project)
    marker = tmp_path / "code-ran"
    cache_root.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256(b"any").hexdigest()[:24]
    (cache_root / f"ruleset-{digest}.pickle").write_bytes(pickle.dumps(_RunsCode(marker)))
    expected = _findings(project)
    assert {f[3] for f in expected["check"]} == {"MLF140", "MLF101"}

    entries = sorted((project_cache_folder(project.resolve(), cache_root)).rglob("*.json"))
    rule_entries = sorted((cache_root / "rules").glob("*.json"))
    assert len(entries) >= 3 and rule_entries
    empty = json.dumps({"key": "", "facts": FileFacts().to_json()}).encode()
    contents = [entry.read_bytes() for entry in entries]
    plants = [
        lambda number: contents[(number + 1) % len(contents)],  # another file's sealed entry, moved
        lambda number: empty,  # facts of the right shape, not sealed with the key
        lambda number: b"0" * 64 + b"\n" + empty,  # a forged seal
        lambda number: b"[" * 200_000,  # deep JSON
    ]
    for plant in plants:
        for number, entry in enumerate(entries):
            entry.write_bytes(plant(number))
        for entry in rule_entries:
            entry.write_bytes(b"0" * 64 + b'\n{"data": {"rules": []}}')
        assert _findings(project) == expected
    # special files where entries and the lock are: no read may wait on them
    for entry in entries:
        entry.unlink()
        os.mkfifo(entry)
    lock = project_cache_folder(project.resolve(), cache_root) / ".lock"
    lock.unlink(missing_ok=True)
    os.mkfifo(lock)
    for entry in rule_entries:
        entry.unlink()
        entry.symlink_to("/dev/zero")
    assert _findings(project) == expected
    assert not marker.exists()
    assert not (project / ".gitignore").exists()
    # The control: the cache is consulted, and the user's key is what guards it. An entry written with the key
    # (as only this user's own runs can) does stand for the file.
    cache = FactsCache.for_project(project.resolve(), load_ruleset().fingerprint)
    for entry in entries:
        entry.unlink()
    cache.put(cache.key((project / "good.py").read_bytes(), False), FileFacts())
    assert {f[0] for f in run("check", project).findings} == {"model.py"}


def test_a_key_others_can_read_or_replace_turns_the_cache_off(setting):
    project, cache_root = setting
    expected = _findings(project)
    key = cache_root / KEY_FILE
    key.chmod(0o644)
    assert _findings(project) == expected
    key.unlink()
    os.mkfifo(key)
    assert _findings(project) == expected  # and no hang on the FIFO


def test_a_linked_cache_folder_is_not_written_through(setting, tmp_path):
    project, cache_root = setting
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    folder = project_cache_folder(project.resolve(), cache_root)
    folder.parent.mkdir(parents=True)
    folder.symlink_to(elsewhere, target_is_directory=True)
    expected_codes = {("good.py", "MLF140"), ("model.py", "MLF101")}
    assert {(f[0], f[3]) for f in run("check", project).findings} == expected_codes
    assert list(elsewhere.iterdir()) == []
    assert not list(tmp_path.rglob(".gitignore"))
