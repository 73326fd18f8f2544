"""The report: a Markdown table per framework, a plot, and the ``rule -> verdict`` data for the rule docs."""

from __future__ import annotations

import json
import math
from pathlib import Path

from .merge import Column, Merged, merge, overhead
from .results import ResultFile, SetupOutcome
from .setups import DETERMINISTIC, FRAMEWORKS, SEEDS, SETUP_TITLES, SETUPS
from .verdicts import anchor, rule_verdicts

REPORT_FILE, PLOT_FILE, VERDICTS_FILE = "index.md", "report.svg", "verdicts.json"
INTRO = (
    "Each op rule has a fixture that runs the flagged op and one that runs the deterministic alternative the "
    "rule recommends; each ran several times in three setups (as in the mlf-core study): no seeds, seeds only, "
    "and seeds plus the framework's determinism switch."
)
STATUS_LEGEND = (
    "First line: the outcome of each setup, no seeds / seeds / seeds + switch. `identical`: every run gave the "
    "same bits; `differs`: some output differed; `raised`: the framework raised under its switch (no "
    "deterministic implementation); `error`, `timeout`; `skipped`: framework missing or a version the fixture "
    "is not meant for. With no seeds the random inputs differ, so `differs` there shows that the comparison works."
)
DIFFERENCE_LEGEND = (
    "Second line: Δ, the largest absolute difference between runs with seeds / with seeds + switch, and the "
    "run-time overhead of seeds + switch over seeds only (medians of the runs)."
)


def format_difference(value: float | None) -> str:
    if value is None:
        return "–"
    if math.isinf(value):
        return "∞"
    return "0" if value == 0 else f"{value:.1e}"


def format_overhead(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:+.0f} %"


def _cell(outcome) -> str:
    if outcome is None:
        return "not run"
    statuses = " / ".join(outcome.setups[setup].status for setup in SETUPS)
    differences = " / ".join(format_difference(outcome.setups[s].max_abs_diff) for s in (SEEDS, DETERMINISTIC))
    return f"{statuses}<br>Δ {differences} · {format_overhead(overhead(outcome))}"


def _escape(text: str) -> str:
    return text.replace("|", "\\|")


def _gpu_statement(merged: Merged) -> str:
    if not merged.any_gpu:
        return ("> **No result in this report comes from a GPU.** The CPU kernels of most flagged ops are "
                "deterministic, so an `identical` below says nothing about CUDA: every verdict here is "
                "unconfirmed on a GPU.")
    cpu_only = sorted({c.framework for cs in merged.columns.values() for c in cs}
                      - {c.framework for cs in merged.columns.values() for c in cs if c.on_gpu})
    statement = "> GPU columns are marked **(GPU)**; CPU columns are not evidence for CUDA kernels."
    if cpu_only:
        statement += f" Frameworks with no GPU result: {', '.join(cpu_only)} (their verdicts are unconfirmed on a GPU)."
    return statement


def _build_text(name: str, build: dict) -> str:
    text = f"{name} {build.get('version')}"
    if build.get("cuda"):
        text += f" (CUDA {build['cuda']}" + (f", cuDNN {build['cudnn']})" if build.get("cudnn") else ")")
    return text


def _machines(results: list[ResultFile]) -> list[str]:
    lines = ["| Machine | Device | Sizes | Repeats | CPU | GPUs (driver) | CUDA driver | Framework builds | Recorded |",
             "|---|---|---|---|---|---|---|---|---|"]
    for result in results:
        environment = result.environment
        gpu_text = ", ".join(f"{g['name']} ({g['driver']})" for g in environment.get("gpus", [])) or "none"
        builds = "; ".join(_build_text(name, build) for name, build in sorted(environment.get("builds", {}).items()))
        cpu = f"{environment.get('cpu', '?')} ({environment.get('cpu_count', '?')} cores)"
        cells = [result.label, result.device, result.size, str(result.repeats), cpu, gpu_text,
                 environment.get("cuda_driver") or "–", builds or "–", result.created]
        lines.append("| " + " | ".join(_escape(cell) for cell in cells) + " |")
    return lines


def _table(merged: Merged, framework: str) -> list[str]:
    columns: list[Column] = merged.columns[framework]
    titles = [_escape(c.title) + (" (GPU)" if c.on_gpu else "") for c in columns]
    lines = ["| Rule | Op | Fixture | " + " | ".join(titles) + " |", "|---" * (3 + len(columns)) + "|"]
    seen_rules: set[str] = set()
    for row in merged.rows[framework]:
        rule = row.rule if row.rule in seen_rules else f'<a id="{anchor(row.rule)}"></a>{row.rule}'
        seen_rules.add(row.rule)
        cells = [_cell(merged.cells.get((row, column))) for column in columns]
        lines.append(f"| {rule} | {_escape(row.op)} | {row.variant} (`{row.fixture}`) | " + " | ".join(cells) + " |")
    return lines


def _problems(merged: Merged) -> list[str]:
    lines = []
    ordered = sorted(merged.cells.items(), key=lambda item: (item[0][0].sort_key, item[0][1].title))
    for (row, column), outcome in ordered:
        for setup in SETUPS:
            result: SetupOutcome = outcome.setups[setup]
            if result.detail:
                lines.append(f"- `{row.fixture}`, {SETUP_TITLES[setup]}, {_escape(column.title)}: "
                             f"{result.status}: {_escape(result.detail)}")
    return lines


def render_markdown(merged: Merged, plot_file: str | None = PLOT_FILE, notes: tuple[str, ...] = ()) -> str:
    count = len(merged.results)
    lines = [
        "# Fixture verification report", "",
        f"Generated by `mlfcore-lint verify report` from {count} results file{'s' if count != 1 else ''}. {INTRO}", "",
        _gpu_statement(merged), "",
        *(line for note in notes for line in (f"> {note}", "")),
        "## Machines", "", *_machines(merged.results), "",
        "## How to read a cell", "", STATUS_LEGEND, "", DIFFERENCE_LEGEND, "",
    ]
    if plot_file:
        lines += [f"![Largest difference and run time per setup]({plot_file})", ""]
    for framework in merged.frameworks():
        lines += [f"## {FRAMEWORKS[framework].title}", "", *_table(merged, framework), ""]
    problems = _problems(merged)
    if problems:
        lines += ["## Errors and skips", "", *problems, ""]
    return "\n".join(lines)


def write_report(results: list[ResultFile], folder: Path, notes: tuple[str, ...] = ()) -> list[Path]:
    """Write ``index.md`` (the report), ``report.svg`` and ``verdicts.json`` into ``folder``; return their paths."""
    from .plot import render_plot

    merged = merge(results)
    folder.mkdir(parents=True, exist_ok=True)
    plot_path = folder / PLOT_FILE
    render_plot(merged, plot_path)
    report_path = folder / REPORT_FILE
    report_path.write_text(render_markdown(merged, PLOT_FILE, notes), encoding="utf-8")
    verdicts_path = folder / VERDICTS_FILE
    verdicts_path.write_text(json.dumps(rule_verdicts(merged, REPORT_FILE), indent=1, sort_keys=True) + "\n",
                             encoding="utf-8")
    return [report_path, plot_path, verdicts_path]
