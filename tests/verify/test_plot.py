"""The report's figure: "0", "raised" and "∞" have columns no measured difference can take, and each machine
has one marker, the same in every panel and in the legend."""

from __future__ import annotations

import math
import re
from dataclasses import replace
from pathlib import Path

from mlfcore_lint.verify.merge import merge
from mlfcore_lint.verify.plot import machine_markers, render_plot, spread_axis, spread_position
from mlfcore_lint.verify.results import RAISED, SetupOutcome, load_results

DATA = Path(__file__).parent / "data"


def merged():
    return merge([load_results(DATA / "results-cpu.json"), load_results(DATA / "results-gpu-synthetic.json")])


def test_zero_is_not_drawn_on_a_decade_a_difference_can_take():
    report = merged()
    for framework in report.frameworks():
        axis = spread_axis(report, framework)
        decades = {position: label for position, label in zip(axis.ticks, axis.labels, strict=True)
                   if label not in ("0", "raised", "∞")}
        smallest = min(r.max_abs_diff for _, _, _, r in _points(report, framework)
                       if r.max_abs_diff and r.max_abs_diff < math.inf)
        assert axis.zero < min(decades) <= smallest  # "0" sits apart, left of every decade tick
        assert axis.zero not in decades and math.log10(min(decades) / axis.zero) >= 2
        assert axis.raised < axis.zero and axis.infinite > max(decades)
        assert axis.labels.count("0") == 1 and "1e-12" not in axis.labels


def _points(report, framework):
    from mlfcore_lint.verify.plot import _points as points

    return points(report, framework)


def test_raised_has_a_place_of_its_own():
    axis = spread_axis(merged(), "torch")
    assert spread_position(SetupOutcome(RAISED, detail="RuntimeError"), axis) == axis.raised
    assert spread_position(SetupOutcome("identical", runs=3, max_abs_diff=0.0), axis) == axis.zero
    assert spread_position(SetupOutcome("differs", runs=3, max_abs_diff=math.inf), axis) == axis.infinite
    assert spread_position(SetupOutcome("differs", runs=3, max_abs_diff=2e-6), axis) == 2e-6
    assert spread_position(SetupOutcome("error"), axis) is None


def test_each_machine_has_its_own_legend_marker_in_every_framework():
    report = merged()
    markers = machine_markers(report)
    titles = {c.title for columns in report.columns.values() for c in columns}
    assert set(markers) == titles and len(set(markers.values())) == len(titles) >= 2
    # a second framework's columns start again at index 0, yet keep their own markers
    report.columns["xgboost"] = [replace(c, framework="xgboost") for c in report.columns["torch"]]
    markers = machine_markers(report)
    assert len(set(markers.values())) == len(markers) == 2 * len(titles)


def test_the_figure_shows_the_raised_column_and_one_legend_entry_per_machine(tmp_path):
    report = merged()
    render_plot(report, tmp_path / "report.svg")
    svg = (tmp_path / "report.svg").read_text(encoding="utf-8")
    texts = re.findall(r"<!-- (.*?) -->", svg)
    assert "raised" in texts and "0" in texts and "∞" in texts
    for title in machine_markers(report):
        assert texts.count(title) == 1, title
