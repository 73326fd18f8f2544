"""The stat index: a warm run takes unchanged files' facts from the cache without reading them."""

from __future__ import annotations

import json
import os
import time

import pytest

from mlfcore_lint import runner
from mlfcore_lint.cache import project_cache_folder
from mlfcore_lint.runner import check_paths

from .test_cache import make_project


def age(tmp_path, seconds=60, names="*.py"):
    """Set the files' modification times in the past, beyond the index's racy window."""
    past = time.time() - seconds
    for path in tmp_path.glob(names):
        os.utime(path, (past, past))


@pytest.fixture
def reads(monkeypatch):
    read: list = []
    original = runner.read_file

    def counting(path):
        read.append(path.name)
        return original(path)

    monkeypatch.setattr(runner, "read_file", counting)
    return read


def run_and_spoil(tmp_path, ruleset, folder, files, content, damage):
    """A first run over ``files`` modules, then its one file in the cache's ``folder`` replaced by ``content``
    (``"CORRUPT-ENTRY"``: its JSON as ``damage`` changes it); returns the settings and the first result."""
    settings = make_project(tmp_path, files=files)
    age(tmp_path)
    first = check_paths([tmp_path], settings, ruleset, jobs=1)
    [stored] = list((project_cache_folder(tmp_path) / folder).glob("*.json"))
    if content == "CORRUPT-ENTRY":  # its data changed (and so no longer sealed with the user's key)
        data = json.loads(stored.read_bytes().partition(b"\n")[2])
        damage(data)
        content = json.dumps(data)
    stored.write_text(content)
    return settings, first


def index_files(tmp_path):
    return list((project_cache_folder(tmp_path) / "index").glob("*.json"))


def test_a_warm_run_reads_no_unchanged_file(tmp_path, ruleset, reads):
    settings = make_project(tmp_path, files=6)
    age(tmp_path)
    first = check_paths([tmp_path], settings, ruleset, jobs=1)
    assert first.parsed == 6 and len(index_files(tmp_path)) == 1
    reads.clear()
    again = check_paths([tmp_path], settings, ruleset, jobs=1)
    assert reads == [] and again.parsed == 0
    assert again.findings == first.findings


def test_only_the_changed_file_is_read_and_a_file_changed_back_finds_its_entry(tmp_path, ruleset, reads):
    settings = make_project(tmp_path, files=4)
    age(tmp_path)
    check_paths([tmp_path], settings, ruleset, jobs=1)
    original = (tmp_path / "m2.py").read_text()
    (tmp_path / "m2.py").write_text("import torch\n")
    age(tmp_path, 30, "m2.py")
    reads.clear()
    changed = check_paths([tmp_path], settings, ruleset, jobs=1)
    assert sorted(set(reads)) == ["m2.py"] and changed.parsed == 1
    assert sorted(f.path for f in changed.findings) == sorted(str(tmp_path / f"m{n}.py") for n in (0, 1, 3))
    (tmp_path / "m2.py").write_text(original)
    reads.clear()
    back = check_paths([tmp_path], settings, ruleset, jobs=1)
    assert sorted(set(reads)) == ["m2.py"] and back.parsed == 0  # hashed, found in the cache
    assert len(back.findings) == 4


def test_a_file_rewritten_with_its_old_size_and_times_is_read_again(tmp_path, ruleset, reads):
    settings = make_project(tmp_path, files=2)
    age(tmp_path)
    check_paths([tmp_path], settings, ruleset, jobs=1)
    target = tmp_path / "m1.py"
    before = target.stat()
    target.write_text(target.read_text().replace("3d", "1d"))  # MaxPool1d: deterministic, same size
    os.utime(target, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert target.stat().st_size == before.st_size and target.stat().st_mtime_ns == before.st_mtime_ns
    reads.clear()
    result = check_paths([tmp_path], settings, ruleset, jobs=1)
    assert "m1.py" in reads
    assert [f.path for f in result.findings] == [str(tmp_path / "m0.py")]


def test_a_file_modified_just_now_is_not_trusted_to_its_times(tmp_path, ruleset, reads):
    settings = make_project(tmp_path, files=2)  # written just now: inside the racy window
    check_paths([tmp_path], settings, ruleset, jobs=1)
    reads.clear()
    check_paths([tmp_path], settings, ruleset, jobs=1)
    assert sorted(set(reads)) == ["m0.py", "m1.py"]


@pytest.mark.parametrize("content", [
    "not json", "[]", '{"format": 1}', '{"format": 99, "entries": {}}',
    "CORRUPT-ENTRY",
])
def test_an_index_of_the_wrong_shape_is_an_empty_index(tmp_path, ruleset, reads, content):
    def damage(data):
        data["entries"]["m0.py"][4] = "../../elsewhere"

    settings, first = run_and_spoil(tmp_path, ruleset, "index", 3, content, damage)
    reads.clear()
    again = check_paths([tmp_path], settings, ruleset, jobs=1)
    assert sorted(set(reads)) == ["m0.py", "m1.py", "m2.py"]  # hashed again, served by the cache
    assert again.parsed == 0 and again.findings == first.findings
    reads.clear()
    check_paths([tmp_path], settings, ruleset, jobs=1)
    assert reads == []  # the index was written again


def test_no_cache_writes_no_index(tmp_path, ruleset):
    settings = make_project(tmp_path, files=2)
    age(tmp_path)
    check_paths([tmp_path], settings, ruleset, jobs=1, use_cache=False)
    assert not (project_cache_folder(tmp_path)).exists()


def test_small_projects_run_in_this_process(tmp_path, ruleset, monkeypatch):
    settings = make_project(tmp_path, files=5)

    def no_pool(*args, **kwargs):
        raise AssertionError("a pool started for five small files")

    monkeypatch.setattr(runner.multiprocessing, "get_context", no_pool)
    assert check_paths([tmp_path], settings, ruleset, jobs=2, use_cache=False).parsed == 5
    assert runner.pool_pays([100_000] * 40, jobs=2)
    assert not runner.pool_pays([100_000] * 40, jobs=1)
    assert not runner.pool_pays([1_000] * 400, jobs=2)


def test_helpers_analyse_a_large_project_as_this_process_does(tmp_path, ruleset, monkeypatch):
    """Where the pool pays, helper processes analyse the files (largest first) and this process turns what they
    send into the same facts and findings as analysing every file itself."""
    settings = make_project(tmp_path, files=40)
    padding = "# " + "x" * 70 + "\n"
    for number in range(40):  # 40 files, 15 to 24 KB each: past POOL_MIN_FILES and POOL_MIN_BYTES
        module = tmp_path / f"m{number}.py"
        module.write_text(module.read_text() + padding * (200 + 7 * number) + f"pool{number} = nn.MaxPool3d(2)\n")
    assert runner.pool_pays([(tmp_path / f"m{n}.py").stat().st_size for n in range(40)], jobs=2)
    alone = check_paths([tmp_path], settings, ruleset, jobs=1, use_cache=False)
    started = []
    real_share_work = runner.share_work
    monkeypatch.setattr(runner, "share_work", lambda count, helpers, *rest, **named: started.append(helpers) or
                        real_share_work(count, helpers, *rest, **named))
    shared = check_paths([tmp_path], settings, ruleset, jobs=2, use_cache=False)
    assert started == [2]
    assert shared.parsed == alone.parsed == 40
    assert shared.findings == alone.findings and len(shared.findings) == 80
