"""The report's figure, after the mlf-core study's: spread between runs and run time, per setup.

One row of panels per framework.  Left: the largest absolute difference between runs of each fixture in
each setup, on a log axis with three columns of their own that no number can reach: "raised" (the framework
refused the operation under its determinism switch), "0" (identical runs), two decades left of the smallest
difference, and "∞" (a change of shape or a NaN).  Right: the median run time per setup.  Setups are told
apart by colour; each machine (a column of the report) has a marker of its own, the same in every panel
and in the legend.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from .merge import Merged
from .results import RAISED
from .setups import FRAMEWORKS, SETUP_TITLES, SETUPS

COLOURS = {"no-seeds": "#d62728", "seeds": "#ff7f0e", "deterministic": "#2ca02c"}
MARKERS = "osD^vP*X<>ph"


@dataclass(frozen=True)
class SpreadAxis:
    """Where the left panel draws its special values, and its ticks."""

    raised: float
    zero: float
    infinite: float
    ticks: tuple[float, ...]
    labels: tuple[str, ...]


def _finite_differences(merged: Merged, framework: str) -> list[float]:
    return [r.max_abs_diff for _, _, _, r in _points(merged, framework)
            if r.max_abs_diff is not None and 0 < r.max_abs_diff < math.inf]


def spread_axis(merged: Merged, framework: str) -> SpreadAxis:
    """Decade ticks over the measured differences; "0" two decades below the smallest of them, "raised" two
    more below, "∞" two decades above the largest: never on a decade that a difference could take."""
    finite = _finite_differences(merged, framework)
    low = math.floor(math.log10(min(finite))) if finite else -8
    high = max(math.ceil(math.log10(max(finite))) if finite else 0, low + 1)
    step = max(1, math.ceil((high - low) / 6))
    decades = list(range(low, high + 1, step))
    raised, zero, infinite = 10.0 ** (low - 4), 10.0 ** (low - 2), 10.0 ** (high + 2)
    return SpreadAxis(raised, zero, infinite, (raised, zero, *(10.0 ** d for d in decades), infinite),
                      ("raised", "0", *(f"1e{d}" for d in decades), "∞"))


def machine_markers(merged: Merged) -> dict[str, tuple[str, bool]]:
    """Each report column's title -> (marker, filled): distinct over the whole figure, so a legend entry
    names one machine only (hollow markers once the shapes run out)."""
    titles = list(dict.fromkeys(c.title for columns in merged.columns.values() for c in columns))
    return {title: (MARKERS[i % len(MARKERS)], i < len(MARKERS)) for i, title in enumerate(titles)}


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
                yield column, setup, row_index + offset, outcome.setups[setup]


def spread_position(result, axis: SpreadAxis) -> float | None:
    """Where a setup's outcome sits on the left panel (None: nothing to draw)."""
    if result.status == RAISED:
        return axis.raised
    if result.max_abs_diff is None:
        return None
    if math.isinf(result.max_abs_diff) or math.isnan(result.max_abs_diff):
        return axis.infinite
    return result.max_abs_diff if result.max_abs_diff > 0 else axis.zero


def render_plot(merged: Merged, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch
    from matplotlib.ticker import NullLocator

    # SVG (text, so the repository holds no generated binary), with fixed ids and no date: the same results
    # always render to the same file.
    matplotlib.rcParams["svg.hashsalt"] = "mlfcore-lint"

    frameworks = merged.frameworks()
    markers = machine_markers(merged)
    heights = [max(2.0, 0.38 * len(merged.rows[f]) + 1.2) for f in frameworks] or [2.0]
    figure, axes = plt.subplots(len(heights), 2, figsize=(13, sum(heights) + 1.0), squeeze=False,
                                gridspec_kw={"height_ratios": heights})

    def draw(axis, x, y, setup, column):
        marker, filled = markers[column.title]
        colour = COLOURS[setup]
        axis.scatter(x, y, marker=marker, s=24, facecolors=colour if filled else "none", edgecolors=colour)

    for line, framework in enumerate(frameworks):
        spread, timing = axes[line]
        rows = merged.rows[framework]
        special = spread_axis(merged, framework)
        for column, setup, y, result in _points(merged, framework):
            position = spread_position(result, special)
            if position is not None:
                draw(spread, position, y, setup, column)
            if result.median_seconds is not None:
                draw(timing, result.median_seconds, y, setup, column)
        labels = [f"{r.rule} {r.name.split('_', 1)[1]}{' (alt)' if r.variant == 'alternative' else ''}" for r in rows]
        for axis in (spread, timing):
            axis.set_yticks(range(len(rows)), labels if axis is spread else [""] * len(rows), fontsize=7)
            axis.set_ylim(len(rows) - 0.5, -0.5)
            axis.set_xscale("log")
            axis.grid(axis="x", alpha=0.3)
        spread.set_xticks(special.ticks, special.labels, fontsize=7)
        spread.xaxis.set_minor_locator(NullLocator())
        spread.set_xlim(special.raised / 10, special.infinite * 10)
        for position in (special.raised, special.zero, special.infinite):
            spread.axvline(position, color="grey", linewidth=0.5)
        # the axis is broken between "0" and the first decade, and before "∞"
        for position in (special.zero * 10, special.infinite / 10):
            spread.axvline(position, color="grey", linewidth=0.8, linestyle=(0, (2, 2)))
        spread.set_title(f"{FRAMEWORKS[framework].title}: largest difference between runs", fontsize=9, pad=8)
        timing.set_title(f"{FRAMEWORKS[framework].title}: median run time per setup (s)", fontsize=9, pad=8)
    handles = [Patch(facecolor=COLOURS[s], edgecolor=COLOURS[s], label=SETUP_TITLES[s]) for s in SETUPS]
    handles += [plt.Line2D([], [], marker=marker, linestyle="", color="black",
                           markerfacecolor="black" if filled else "none", label=title)
                for title, (marker, filled) in markers.items()]
    figure.legend(handles=handles, loc="lower center", ncol=min(len(handles), 4), fontsize=8)
    figure.tight_layout(rect=(0, 0.07, 1, 1))
    figure.savefig(path, format="svg", metadata={"Date": None})
    plt.close(figure)
