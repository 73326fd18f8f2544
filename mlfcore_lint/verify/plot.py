"""The report's figure, after the mlf-core study's: spread between runs and run time, per setup.

One row of panels per framework.  Left: the largest absolute difference between runs of each fixture in
each setup (identical runs sit on the "0" line at the left).  Right: the median run time per setup.
Machines are told apart by marker shape, setups by colour.
"""

from __future__ import annotations

import math
from pathlib import Path

from .merge import Merged
from .setups import FRAMEWORKS, SETUP_TITLES, SETUPS

COLOURS = {"no-seeds": "#d62728", "seeds": "#ff7f0e", "deterministic": "#2ca02c"}
MARKERS = "osD^vP*X"
ZERO = 1e-12  # where a difference of exactly 0 is drawn on the log axis


def infinite_position(merged: Merged, framework: str) -> float:
    """Where a change of shape or a NaN is drawn: two decades right of the largest finite difference."""
    finite = [r.max_abs_diff for _, _, _, r in _points(merged, framework)
              if r.max_abs_diff is not None and not math.isinf(r.max_abs_diff)]
    return 10.0 ** (math.ceil(math.log10(max(finite + [1.0]))) + 2)


def _points(merged: Merged, framework: str):
    rows = merged.rows[framework]
    columns = merged.columns[framework]
    for column_index, column in enumerate(columns):
        machine_offset = (column_index - (len(columns) - 1) / 2) * 0.06
        for row_index, row in enumerate(rows):
            outcome = merged.cells.get((row, column))
            if outcome is None:
                continue
            for setup_index, setup in enumerate(SETUPS):
                offset = (setup_index - 1) * 0.25 + machine_offset
                yield column_index, setup, row_index + offset, outcome.setups[setup]


def render_plot(merged: Merged, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    # SVG (text, so the repository holds no generated binary), with fixed ids and no date: the same results
    # always render to the same file.
    matplotlib.rcParams["svg.hashsalt"] = "mlfcore-lint"

    frameworks = merged.frameworks()
    heights = [max(2.0, 0.38 * len(merged.rows[f]) + 1.2) for f in frameworks] or [2.0]
    figure, axes = plt.subplots(len(heights), 2, figsize=(13, sum(heights) + 0.8), squeeze=False,
                                gridspec_kw={"height_ratios": heights})
    for line, framework in enumerate(frameworks):
        spread, timing = axes[line]
        rows = merged.rows[framework]
        infinite = infinite_position(merged, framework)
        for column_index, setup, y, result in _points(merged, framework):
            marker = MARKERS[column_index % len(MARKERS)]
            if result.max_abs_diff is not None:
                value = result.max_abs_diff if result.max_abs_diff > 0 else ZERO
                value = infinite if math.isinf(value) else value
                spread.scatter(value, y, color=COLOURS[setup], marker=marker, s=22)
            if result.median_seconds is not None:
                timing.scatter(result.median_seconds, y, color=COLOURS[setup], marker=marker, s=22)
        labels = [f"{r.rule} {r.name.split('_', 1)[1]}{' (alt)' if r.variant == 'alternative' else ''}" for r in rows]
        for axis in (spread, timing):
            axis.set_yticks(range(len(rows)), labels if axis is spread else [""] * len(rows), fontsize=7)
            axis.set_ylim(len(rows) - 0.5, -0.5)
            axis.set_xscale("log")
            axis.grid(axis="x", alpha=0.3)
        for position, text in ((ZERO, "0"), (infinite, "∞")):
            spread.axvline(position, color="grey", linewidth=0.5)
            spread.annotate(text, (position, 1.0), xycoords=("data", "axes fraction"), fontsize=8,
                            ha="center", va="bottom")
        spread.set_title(f"{FRAMEWORKS[framework].title}: largest difference between runs", fontsize=9, pad=12)
        timing.set_title(f"{FRAMEWORKS[framework].title}: median run time per setup (s)", fontsize=9, pad=12)
    handles = [plt.Line2D([], [], color=COLOURS[s], marker="o", linestyle="", label=SETUP_TITLES[s]) for s in SETUPS]
    machines = {c.title: i for cs in merged.columns.values() for i, c in enumerate(cs)}
    handles += [plt.Line2D([], [], color="black", marker=MARKERS[i % len(MARKERS)], linestyle="", label=title)
                for title, i in machines.items()]
    figure.legend(handles=handles, loc="lower center", ncol=min(len(handles), 4), fontsize=8)
    figure.tight_layout(rect=(0, 0.06, 1, 1))
    figure.savefig(path, format="svg", metadata={"Date": None})
    plt.close(figure)
