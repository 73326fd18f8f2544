"""Packs: a run with helper processes writes its cache entries into one file, read back through a catalog."""

from __future__ import annotations

import os
import shutil
import time

import pytest

import mlfcore_lint.runner as runner
from mlfcore_lint.cache import FactsCache, project_cache_folder
from mlfcore_lint.cache_packs import ORPHAN_SECONDS, PACKS_FOLDER
from mlfcore_lint.runner import check_paths

from .test_cache import make_project

FILES = 40


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A project the engine's own helpers analyse (the size a pool pays for is lowered to these small files)."""
    monkeypatch.setattr(runner, "POOL_MIN_BYTES", 0)
    return make_project(tmp_path, files=FILES)


def folder_of(settings):
    return project_cache_folder(settings.root)


def entry_files(settings):
    return [p for p in folder_of(settings).glob("??/*.json")]


def packs(settings):
    return sorted((folder_of(settings) / PACKS_FOLDER).glob("*.pack"))


def forget_files(settings):
    """Drop what spares a run reading its entries (the stat index and the result memo): every file is read,
    hashed and looked up by its key again."""
    for kind in ("index", "results", "changes", "listing"):
        shutil.rmtree(folder_of(settings) / kind, ignore_errors=True)


def test_a_run_with_helpers_writes_one_pack_and_reads_its_entries_back(project, ruleset):
    first = check_paths([project.root], project, ruleset, jobs=2)
    assert first.parsed == FILES
    assert entry_files(project) == [] and len(packs(project)) == 1
    assert not list(folder_of(project).rglob(".tmp-*"))
    forget_files(project)
    second = check_paths([project.root], project, ruleset, jobs=2)
    assert second.parsed == 0 and second.findings == first.findings
    third = check_paths([project.root], project, ruleset, jobs=1)  # through the stat index, in this process
    assert third.parsed == 0 and third.findings == first.findings


def test_an_entry_changed_moved_or_cut_in_its_pack_is_a_miss(project, ruleset):
    expected = check_paths([project.root], project, ruleset, jobs=2).findings
    [pack] = packs(project)
    content = bytearray(pack.read_bytes())
    content[len(content) // 2] ^= 0x01  # one entry's payload no longer matches its seal
    pack.write_bytes(bytes(content[: len(content) - 10]))  # and the last one is cut short
    forget_files(project)
    again = check_paths([project.root], project, ruleset, jobs=1)
    assert again.findings == expected and again.parsed == 2


def test_a_pack_replaced_by_a_link_is_not_followed(project, ruleset, tmp_path_factory):
    expected = check_paths([project.root], project, ruleset, jobs=2).findings
    [pack] = packs(project)
    elsewhere = tmp_path_factory.mktemp("elsewhere") / "pack"
    shutil.move(pack, elsewhere)
    pack.symlink_to(elsewhere)
    forget_files(project)
    again = check_paths([project.root], project, ruleset, jobs=1)
    assert again.findings == expected and again.parsed == FILES


@pytest.mark.parametrize("entry", [["../escape", 0, 10], ["0" * 32 + "-" + "0" * 16, -1, 10],
                                   ["0" * 32 + "-" + "0" * 16, 0, 0], "a string", ["x", 0]])
def test_a_catalog_with_one_malformed_entry_is_trusted_in_nothing(project, ruleset, entry):
    from mlfcore_lint.cache import read_sealed

    expected = check_paths([project.root], project, ruleset, jobs=2).findings
    cache = FactsCache.for_project(project.root, ruleset.fingerprint)
    catalog = read_sealed(cache.secret, cache.catalog.path)
    assert len(catalog["entries"]) == FILES
    catalog["entries"]["f" * 64] = entry
    cache.store(cache.catalog.path, catalog)
    forget_files(project)
    again = check_paths([project.root], project, ruleset, jobs=1)
    assert again.findings == expected and again.parsed == FILES


def test_a_catalog_not_sealed_with_the_key_is_a_miss(project, ruleset):
    expected = check_paths([project.root], project, ruleset, jobs=2).findings
    cache = FactsCache.for_project(project.root, ruleset.fingerprint)
    planted = FactsCache(cache.directory, ruleset.fingerprint, secret=b"k" * 32)
    planted.store(cache.catalog.path, {"format": 1, "entries": {}})
    forget_files(project)
    again = check_paths([project.root], project, ruleset, jobs=1)
    assert again.findings == expected and again.parsed == FILES


def test_packs_no_entry_names_are_removed_once_old(project, ruleset):
    check_paths([project.root], project, ruleset, jobs=2)
    [first] = packs(project)
    for path in project.root.glob("m*.py"):  # every file changes: the next run packs all of them anew
        path.write_text(path.read_text() + "# changed\n")
    young = first.with_name(first.name.replace(first.name[33:49], "1" * 16))
    young.write_bytes(b"another run's pack, not named in the catalog yet")
    old = time.time() - ORPHAN_SECONDS - 60
    os.utime(first, (old, old))
    forget_files(project)  # the result memo would analyse the changed files in this process
    check_paths([project.root], project, ruleset, jobs=2)
    left = packs(project)
    assert first not in left and young in left and len(left) == 2
    [new] = [pack for pack in left if pack != young]
    entries = FactsCache.for_project(project.root, ruleset.fingerprint).catalog.entries
    assert len(entries) == FILES and {entry[0] for entry in entries.values()} == {new.stem}  # old contents: gone


def test_without_a_writable_cache_folder_helpers_results_still_count(project, ruleset, monkeypatch):
    monkeypatch.setattr(FactsCache, "writable", lambda self: False)
    first = check_paths([project.root], project, ruleset, jobs=2)
    assert first.parsed == FILES and packs(project) == [] and entry_files(project) == []


def test_copies_of_a_file_analysed_by_helpers_are_analysed_once(project, ruleset):
    """Copies (the same module in several experiment folders) are not in the cache before the pack is written:
    files of one size go to one helper, which analyses the first copy only."""
    for path in sorted(project.root.glob("m*.py")):
        for folder in ("a", "b"):
            (project.root / folder).mkdir(exist_ok=True)
            (project.root / folder / path.name).write_bytes(path.read_bytes())
    result = check_paths([project.root], project, ruleset, jobs=2)
    assert result.files == 3 * FILES and result.parsed == FILES
    forget_files(project)
    assert check_paths([project.root], project, ruleset, jobs=1).findings == result.findings


@pytest.mark.slow
def test_concurrent_runs_that_write_packs_all_report_and_leave_a_catalog_that_serves_everything(tmp_path):
    """Four runs at once, each with helper processes (files large enough for the pool): each writes a pack and
    the catalog; whichever catalog is written last, a run without the stat index and the memo analyses nothing."""
    import json
    import subprocess
    import sys

    settings = make_project(tmp_path, files=FILES)
    for path in tmp_path.glob("m*.py"):
        path.write_text(path.read_text() + "# padding\n" * 1500)  # 40 files of about 15 KB: the pool pays
    command = [sys.executable, "-m", "mlfcore_lint", "check", "--format", "json", "--jobs", "2", "."]
    processes = [subprocess.Popen(command, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for _ in range(4)]
    for process in processes:
        stdout, stderr = process.communicate(timeout=300)
        assert stderr == "" and len(json.loads(stdout)) == FILES
    assert 1 <= len(packs(settings)) <= 4 and entry_files(settings) == []
    assert not list(folder_of(settings).rglob(".tmp-*"))
    forget_files(settings)
    from mlfcore_lint.ruleset.loader import default_ruleset

    again = check_paths([tmp_path], settings, default_ruleset([]), jobs=1)
    assert again.parsed == 0 and len(again.findings) == FILES
