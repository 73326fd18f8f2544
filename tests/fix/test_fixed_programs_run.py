"""Every rule example and fixture, fixed with the safe fixes, still runs on CPU without a new exception: the
seeding block and its switches never make a fixed program raise where the original did not."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from ..conftest import REPO
from .helpers import fix_snippet
from .test_codemods import RULESET

#: Runs each program in a fresh namespace as ``__main__`` (a fixture: then its ``run("cpu", small size)``) and
#: records the first exception, as "Type: message"; the process state the seeding block sets is reset after each.
RUNNER = r'''
import json, os, sys, traceback
cases = json.load(open(sys.argv[1]))
results = []
for source in cases:
    environment = dict(os.environ)
    namespace = {"__name__": "__main__"}
    try:
        exec(compile(source, "<program>", "exec"), namespace)
        if callable(namespace.get("run")) and isinstance(namespace.get("SIZES"), dict):
            namespace["run"]("cpu", namespace["SIZES"].get("small", 4))
        results.append(None)
    except BaseException as error:  # noqa: BLE001 - the exception is the result
        results.append(f"{type(error).__name__}: {error}".splitlines()[0])
    if "torch" in sys.modules:
        sys.modules["torch"].use_deterministic_algorithms(False)
    os.environ.clear()
    os.environ.update(environment)
json.dump(results, open(sys.argv[2], "w"))
'''


def _programs():
    """(name, source, targets) for each rule example with code and each fixture."""
    found = []
    for rule in RULESET:
        for kind, examples in (("flagged", rule.flagged_examples), ("clean", rule.clean_examples)):
            for number, example in enumerate(examples, start=1):
                if example.code and not example.files and not dict(example.settings).get("notebook"):
                    found.append((f"{rule.code}-{kind}-{number}", example.code, example.target))
    for path in sorted((REPO / "fixtures").rglob("*.py")):
        found.append((path.relative_to(REPO).as_posix(), path.read_text(encoding="utf-8"), ()))
    return found


def _uses_tensorflow(source: str) -> bool:
    return "tensorflow" in source or "keras" in source


def _run(sources: list[str], tmp_path, name: str) -> list[str | None]:
    cases, results = tmp_path / f"{name}.json", tmp_path / f"{name}-results.json"
    cases.write_text(json.dumps(sources), encoding="utf-8")
    command = [sys.executable, "-c", RUNNER, str(cases), str(results)]
    completed = subprocess.run(command, capture_output=True, text=True, timeout=900, check=False,
                               env={"CUDA_VISIBLE_DEVICES": "", "TF_CPP_MIN_LOG_LEVEL": "3", "PATH": "/usr/bin:/bin"})
    assert completed.returncode == 0, completed.stderr[-3000:]
    return json.loads(results.read_text(encoding="utf-8"))


@pytest.mark.slow
def test_fixed_programs_raise_nothing_new_on_cpu(tmp_path):
    pairs = []
    for name, source, targets in _programs():
        fixed = fix_snippet(source, RULESET, targets).text
        if fixed != source:
            pairs.append((name, source, fixed))
    assert len(pairs) > 40  # the seeding block goes into most examples
    failures = []
    for group, members in (("torch", [p for p in pairs if not _uses_tensorflow(p[1])]),
                           ("tensorflow", [p for p in pairs if _uses_tensorflow(p[1])])):
        if not members:
            continue
        # originals and fixed programs in processes of their own: an original that assigns over a framework
        # function (MLF211, MLF241) must not break the fixed program that calls it
        originals = _run([source for _, source, _ in members], tmp_path, f"{group}-original")
        fixed_ones = _run([fixed for _, _, fixed in members], tmp_path, f"{group}-fixed")
        for (name, source, fixed), before, after in zip(members, originals, fixed_ones, strict=True):
            if after is not None and after != before:  # an earlier original may have broken it: alone, then
                before = _run([source], tmp_path, f"alone-{len(failures)}-{group}")[0]
            if after is not None and after != before:
                failures.append(f"{name}: {before!r} became {after!r}\n{fixed}")
    assert not failures, "\n\n".join(failures)
