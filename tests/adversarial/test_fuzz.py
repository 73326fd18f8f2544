"""A fuzz job with a fixed budget: generated programs (hypothesmith) and mutated real files (the example
project), checked in-process by the engine and then as one project by the command, the fixer, flake8 and
pylint. No crash anywhere, and the front ends agree on every file Python can compile.

The budget: ``MLFCORE_FUZZ_EXAMPLES`` generated programs (default 25) and as many mutants of each example
file, from a fixed seed, so that a run is repeatable and takes about a minute (``tox -e fuzz`` raises it).
"""

from __future__ import annotations

import io
import os
import random
import tokenize
import warnings
from pathlib import Path

import hypothesmith
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mlfcore_lint.config import Settings
from mlfcore_lint.engine.analyze import analyze_bytes
from mlfcore_lint.ruleset import load_ruleset
from mlfcore_lint.runner import check_source, index_for

from ..conftest import REPO
from .harness import TARGET, only, run_all

EXAMPLES = int(os.environ.get("MLFCORE_FUZZ_EXAMPLES", "25"))
SEED = 13
RULESET = load_ruleset()
FLAGGED = sorted({example.code for rule in RULESET for example in rule.flagged_examples
                  if not dict(example.settings).get("notebook") and not rule.code.startswith("MLF9")})
SOURCES = sorted((REPO / "examples").rglob("*.py"))


def mutants(raw: bytes, count: int, rng: random.Random) -> list[bytes]:
    """``count`` damaged copies of a file: bytes flipped, cut, repeated, a foreign coding cookie, NULs."""
    found = []
    for _ in range(count):
        data = bytearray(raw)
        for _ in range(rng.randint(1, 4)):
            kind = rng.randrange(7)
            at = rng.randrange(len(data) + 1)
            if kind == 0 and data:
                data[min(at, len(data) - 1)] = rng.randrange(256)
            elif kind == 1:
                data = data[:at]
            elif kind == 2:
                end = min(len(data), at + rng.randint(1, 200))
                data[at:at] = data[at:end] * rng.randint(1, 30)
            elif kind == 3:
                # (not ``# coding: utf-16``: flake8 itself dies on such a file, in its own report step)
                data[0:0] = rng.choice([b"# -*- coding: latin-1 -*-\n", b"# coding: cp1252\n", b"\xef\xbb\xbf",
                                        b"# coding: nonsense\n"])
            elif kind == 4:
                data[at:at] = rng.choice([b"(" * 300, b"\x00", b"\r", b"\t\f", b"\xff\xfe", b"\\\n", b'"""'])
            elif kind == 5:
                lines = bytes(data).splitlines(keepends=True)
                rng.shuffle(lines)
                data = bytearray(b"".join(lines))
            else:
                data[at:at] = b"\n    " * rng.randint(1, 50)
        found.append(bytes(data))
    return found


def _compiles(raw: bytes) -> bool:
    """Whether Python reads the file (flake8 and pylint hand only such files to plugins)."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(raw).readline)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(raw.decode(encoding), "fuzz", "exec", dont_inherit=True)
    except (SyntaxError, ValueError, LookupError, UnicodeDecodeError, RecursionError, MemoryError):
        return False
    return True


def _generated_programs() -> list[str]:
    programs: list[str] = []
    index = index_for(RULESET)
    lint_settings = Settings(discover_targets=False)

    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(program=hypothesmith.from_grammar() | hypothesmith.from_node(), flagged=st.sampled_from(FLAGGED))
    def collect(program, flagged):
        source = program + ("\n" if not program.endswith("\n") else "") + flagged
        analyze_bytes(source.encode("utf-8", "surrogatepass"), index)  # the engine alone, in this process
        check_source(source, lint_settings, RULESET, "fuzz.py")
        programs.append(source)

    collect()
    return programs


@pytest.mark.slow
@pytest.mark.fuzz
def test_fuzzed_programs_through_every_front_end(tmp_path):
    project = tmp_path / "project"
    project.mkdir()
    (project / "pyproject.toml").write_text(f'[tool.mlfcore-lint]\ntarget = ["{TARGET}"]\n')
    files: dict[str, bytes] = {}
    for number, source in enumerate(_generated_programs()):
        files[f"generated_{number:03d}.py"] = source.encode("utf-8", "surrogatepass")
    rng = random.Random(SEED)
    for source in SOURCES:
        for number, mutant in enumerate(mutants(source.read_bytes(), EXAMPLES, rng)):
            files[f"{source.stem}_mutant_{number:03d}.py"] = mutant
    for name, raw in files.items():
        Path(project / name).write_bytes(raw)
    runs = run_all(project)
    check = runs["check"]
    assert check.returncode in (0, 1), check.output
    assert len({f[0] for f in check.findings}) > len(SOURCES), "the mutants keep findings to compare"
    readable = [name for name, raw in files.items() if _compiles(raw)]
    assert runs["fix"].returncode in (0, 1), runs["fix"].output
    assert {f for f in runs["fix"].findings if f[3].startswith("MLF9")} == \
           {f for f in check.findings if f[3].startswith("MLF9")}
    expected = only(check.findings, readable)
    for front_end in ("flake8", "pylint"):
        assert only(runs[front_end].findings, readable) == expected, front_end
