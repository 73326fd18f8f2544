"""How the cost grows with the project and with the change: a scaling series, one file changed, pre-commit.

Trees of about 500, 2,000 and 6,000+ ``.py`` files are built by combining whole project trees (the last one
cut where the size is reached; past the sum of the projects, they are taken again under another folder).
For each tree, in the same run:

- ``flake8 --isolated --select=F`` (the baseline) and a *floor*: a script that only reads and parses every
  file with CPython's ``ast``, in as many processes as the jobs;
- ``check`` cold (empty facts cache) and warm (the same run again, nothing changed);
- after one file changes (a comment appended; a module of the first project, so it is in every tree):
  ``check THAT_FILE`` (what a pre-commit hook runs) against the same file alone in an empty folder, and
  ``check`` of the whole tree again.

``TARGETS`` are the issue's; ``benchmarks/documented.json`` holds the figures ``docs/performance.md``
shows (written by ``--record``). A figure worse than the documented one by more than ``TOLERANCE`` (the
noise of a shared two-core machine) makes the run fail.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from measuring import Measurement, assert_checks_all, best_of, in_turn, measure, mlfcore_env

DEFAULT_SIZES = (500, 2000, 6000)
DOCUMENTED = Path(__file__).resolve().parent / "documented.json"
PERFORMANCE_PAGE = Path(__file__).resolve().parent.parent / "docs" / "performance.md"
BEGIN, END = "<!-- scaling: begin (run_benchmark.py --only scaling --docs) -->", "<!-- scaling: end -->"
TOLERANCE = 0.25

#: figure -> (target, what it measures); every figure is "lower is better".
TARGETS = {
    "cold / flake8 (largest tree)": (0.12, "check with an empty cache / flake8 --select=F"),
    "cold / floor (largest tree)": (1.3, "check with an empty cache / reading and parsing every file"),
    "cold per file, largest / smallest": (1.2, "cold cost per file at 6,000+ files / at 500"),
    "warm per file, largest / smallest": (1.2, "unchanged re-run per file at 6,000+ files / at 500"),
    "warm / flake8 cold (2,000)": (0.01, "unchanged re-run of the 2,000-file tree / flake8 on it"),
    "one change, largest / 2,000": (1.5, "re-check after one file changed, 6,000+ files / 2,000 files"),
    "check THAT_FILE / alone (largest)": (3.0, "check of the changed file / the file alone in an empty folder"),
    "peak MB, largest process": (100.0, "resident memory of the largest process, largest tree"),
}

FLOOR = """
import ast, sys
from multiprocessing import Pool
from pathlib import Path

def parse(path):
    try:
        ast.parse(Path(path).read_bytes())
    except (SyntaxError, ValueError, RecursionError):
        pass

files = [str(p) for p in Path(sys.argv[1]).rglob("*.py")]
jobs = int(sys.argv[2])
if jobs > 1:
    with Pool(jobs) as pool:
        pool.map(parse, files, chunksize=16)
else:
    for path in files:
        parse(path)
"""


@dataclass
class SizeRow:
    files: int
    flake8: Measurement
    floor: Measurement
    cold: Measurement
    warm: Measurement
    one_file: Measurement  # check THAT_FILE after it changed
    alone: Measurement  # that file alone in an empty folder
    changed: Measurement  # check of the whole tree after one file changed


def python_files(folder: Path) -> list[Path]:
    skipped = {".git", "__pycache__", ".tox", ".venv", "build", "dist", ".mlfcore_lint_cache"}
    return sorted(p for p in folder.rglob("*.py") if not skipped.intersection(p.relative_to(folder).parts))


def build_tree(sources: list[Path], size: int, destination: Path) -> int:
    """A tree of ``size`` files (or a little more: whole folders are not cut) from ``sources``; returns the count."""
    if destination.is_dir() and (destination / ".complete").is_file():
        return len(python_files(destination))
    shutil.rmtree(destination, ignore_errors=True)
    destination.mkdir(parents=True)
    count, copy = 0, 0
    while count < size:
        for source in sources:
            name = source.name if copy == 0 else f"{source.name}-{copy + 1}"
            for path in python_files(source):
                if count >= size:
                    break
                target = destination / name / path.relative_to(source)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, target)  # the original times: not "just modified" for the stat index
                count += 1
        copy += 1
    (destination / "pyproject.toml").write_text("[tool.mlfcore-lint]\n", encoding="utf-8")
    (destination / ".complete").write_text("", encoding="utf-8")
    return count


def _change(path: Path, counter: list[int]) -> None:
    counter[0] += 1
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(f"\n# changed by the benchmark ({counter[0]})\n")


def _each_after_a_change(repeat: int, path: Path, counter: list[int], command: list[str]) -> Measurement:
    runs = []
    for _ in range(repeat):
        _change(path, counter)
        runs.append(measure(command, env=mlfcore_env()))
    return min(runs, key=lambda run: run.seconds)


def bench_size(tree: Path, changed_file: Path, jobs: int, flake8_bin: Path, repeat: int, work: Path) -> SizeRow:
    files = len(python_files(tree))
    print(f"scaling: {files} files ...", file=sys.stderr)

    def check(*targets: Path, extra: tuple[str, ...] = ()) -> list[str]:
        return [sys.executable, "-m", "mlfcore_lint", "check", *map(str, targets), "--config",
                str(tree / "pyproject.toml"), "--jobs", str(jobs), "--format", "json", *extra]

    from mlfcore_lint.cache import project_cache_folder

    cache = project_cache_folder(Path(os.path.realpath(tree)))  # the user's cache folder, not the tree

    def cold_run() -> Measurement:
        shutil.rmtree(cache, ignore_errors=True)
        return measure(check(tree), env=mlfcore_env())

    flake8, floor, cold = in_turn(
        repeat, partial(measure, [str(flake8_bin / "flake8"), "--isolated", "--select=F", "-j", str(jobs), str(tree)]),
        partial(measure, [sys.executable, "-c", FLOOR, str(tree), str(jobs)]), cold_run)
    warm = best_of(repeat, check(tree), env=mlfcore_env())
    assert_checks_all(check(tree), files, mlfcore_env())
    counter = [0]
    one_file = _each_after_a_change(repeat, changed_file, counter, check(changed_file))
    alone_folder = work / "alone"
    shutil.rmtree(alone_folder, ignore_errors=True)
    alone_folder.mkdir(parents=True)
    (alone_folder / "pyproject.toml").write_text("[tool.mlfcore-lint]\n", encoding="utf-8")
    alone_file = alone_folder / changed_file.name
    shutil.copy2(changed_file, alone_file)
    alone = best_of(repeat, [sys.executable, "-m", "mlfcore_lint", "check", str(alone_file), "--config",
                             str(alone_folder / "pyproject.toml"), "--format", "json", "--no-cache"],
                    env=mlfcore_env())
    changed = _each_after_a_change(repeat, changed_file, counter, check(tree))
    return SizeRow(files, flake8, floor, cold, warm, one_file, alone, changed)


def figures(rows: list[SizeRow]) -> dict[str, float]:
    """The figures ``TARGETS`` names, from a series (smallest tree first)."""
    smallest, largest = rows[0], rows[-1]
    middle = min(rows, key=lambda row: abs(row.files - 2000))

    def per_file(row: SizeRow, kind: str) -> float:
        return getattr(row, kind).seconds / row.files

    return {
        "cold / flake8 (largest tree)": largest.cold.seconds / largest.flake8.seconds,
        "cold / floor (largest tree)": largest.cold.seconds / largest.floor.seconds,
        "cold per file, largest / smallest": per_file(largest, "cold") / per_file(smallest, "cold"),
        "warm per file, largest / smallest": per_file(largest, "warm") / per_file(smallest, "warm"),
        "warm / flake8 cold (2,000)": middle.warm.seconds / middle.flake8.seconds,
        "one change, largest / 2,000": largest.changed.seconds / middle.changed.seconds,
        "check THAT_FILE / alone (largest)": largest.one_file.seconds / largest.alone.seconds,
        "peak MB, largest process": max(m.peak_process_mb for m in (largest.cold, largest.warm, largest.changed)),
    }


def regressions(measured: dict[str, float], documented: dict[str, float]) -> list[str]:
    """The figures worse than the documented ones by more than ``TOLERANCE``."""
    return [f"{name}: {value:.3f}, documented {documented[name]:.3f}" for name, value in measured.items()
            if name in documented and value > documented[name] * (1 + TOLERANCE)]


def read_documented() -> dict[str, float]:
    try:
        data = json.loads(DOCUMENTED.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {k: float(v) for k, v in data.items() if isinstance(v, int | float)} if isinstance(data, dict) else {}


def record(measured: dict[str, float]) -> None:
    DOCUMENTED.write_text(json.dumps({k: round(v, 4) for k, v in measured.items()}, indent=2) + "\n",
                          encoding="utf-8")


def render_scaling(rows: list[SizeRow], format_table) -> list[str]:
    """The series as a plain-text table and the figures against their targets."""
    table = [[str(r.files), f"{r.flake8.seconds:.2f}", f"{r.floor.seconds:.2f}", f"{r.cold.seconds:.2f}",
              f"{1000 * r.cold.seconds / r.files:.2f}", f"{r.cold.seconds / r.flake8.seconds:.3f}",
              f"{r.warm.seconds:.2f}", f"{r.warm.seconds / r.flake8.seconds:.4f}", f"{r.changed.seconds:.2f}",
              f"{r.one_file.seconds:.2f}", f"{r.alone.seconds:.2f}", f"{r.cold.peak_process_mb:.0f}"]
             for r in rows]
    headers = ["files", "flake8", "floor", "cold", "ms/file", "cold/flake8", "warm", "warm/flake8", "1 changed",
               "check FILE", "alone", "peak MB"]
    out = ["Scaling, one file changed, pre-commit (seconds; see benchmarks/scaling.py)",
           format_table(headers, table)]
    documented = read_documented()
    for name, value in figures(rows).items():
        target, _ = TARGETS[name]
        known = f"; documented {documented[name]:.3f}" if name in documented else ""
        out.append(f"  {name} = {value:.3f} (target <= {target}): {'ok' if value <= target else 'MISSED'}{known}")
    return out + [""]


def markdown_scaling(rows: list[SizeRow]) -> str:
    """The series as the Markdown tables of ``docs/performance.md``."""
    lines = ["| `.py` files | flake8 (s) | read + parse floor (s) | cold `check` (s) | ms per file | cold / flake8 "
             "| cold / floor | warm (s) | warm / flake8 | one file changed: `check` (s) | `check THAT_FILE` (s) "
             "| that file alone (s) | peak, largest process (MB) |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r.files:,} | {r.flake8.seconds:.2f} | {r.floor.seconds:.2f} | {r.cold.seconds:.2f} | "
                     f"{1000 * r.cold.seconds / r.files:.2f} | {r.cold.seconds / r.flake8.seconds:.3f} | "
                     f"{r.cold.seconds / r.floor.seconds:.2f} | {r.warm.seconds:.2f} | "
                     f"{r.warm.seconds / r.flake8.seconds:.4f} | {r.changed.seconds:.2f} | {r.one_file.seconds:.2f} | "
                     f"{r.alone.seconds:.2f} | {max(r.cold.peak_process_mb, r.warm.peak_process_mb):.0f} |")
    lines += ["", "| Figure | Target | Measured | |", "|---|---|---|---|"]
    for name, value in figures(rows).items():
        target, meaning = TARGETS[name]
        lines.append(f"| {meaning} | <= {target} | {value:.3f} | {'met' if value <= target else '**missed**'} |")
    return "\n".join(lines) + "\n"


def update_page(rows: list[SizeRow], machine: str, command: str, page: Path = PERFORMANCE_PAGE) -> None:
    """Replace the scaling block of ``docs/performance.md`` with this run's tables."""
    text = page.read_text(encoding="utf-8")
    if BEGIN not in text or END not in text:
        raise ValueError(f"{page.name}: no scaling block ({BEGIN} ... {END})")
    block = f"{BEGIN}\n{machine}\n\n```bash\n{command}\n```\n\n{markdown_scaling(rows)}{END}"
    head, rest = text.split(BEGIN, 1)
    page.write_text(head + block + rest.split(END, 1)[1], encoding="utf-8")
