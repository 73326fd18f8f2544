"""Merging results of several machines and rendering the report, on stored results files."""

from __future__ import annotations

import json

import pytest

from mlfcore_lint.verify.merge import merge, overhead
from mlfcore_lint.verify.report import format_difference, render_markdown, write_report
from mlfcore_lint.verify.results import ResultsError, dump_results, load_results
from mlfcore_lint.verify.verdicts import rule_verdicts

from .conftest import DATA, REPO

CPU = DATA / "results-cpu.json"
GPU = DATA / "results-gpu-synthetic.json"


def test_results_round_trip(tmp_path):
    results = load_results(GPU)
    dump_results(results, tmp_path / "again.json")
    assert load_results(tmp_path / "again.json") == results


def test_merge_gives_one_column_per_machine_and_framework_version():
    merged = merge([load_results(CPU), load_results(GPU)])
    titles = [column.title for column in merged.columns["torch"]]
    assert titles == ["CPU (AMD EPYC) · torch 2.13.0+cpu", "Synthetic GPU (test data) · torch 2.13.0+cu128"]
    assert [(r.rule, r.variant) for r in merged.rows["torch"]] == [
        ("MLF101", "flagged"), ("MLF101", "alternative"), ("MLF102", "flagged"), ("MLF102", "alternative")]
    assert len(merged.cells) == 8 and merged.any_gpu


def test_a_later_file_replaces_the_same_machines_cells():
    cpu = load_results(CPU)
    newer = load_results(CPU)
    newer.outcomes[0].setups["seeds"].status = "differs"
    merged = merge([cpu, newer])
    assert len(merged.columns["torch"]) == 1
    first_row = merged.rows["torch"][0]
    assert merged.cells[(first_row, merged.columns["torch"][0])].setups["seeds"].status == "differs"


def test_markdown_has_a_row_per_fixture_and_a_cell_per_machine():
    text = render_markdown(merge([load_results(CPU), load_results(GPU)]))
    row = next(line for line in text.splitlines() if line.startswith('| <a id="mlf102"></a>MLF102'))
    assert row.count("|") == 6
    assert "differs / identical / identical" in row and "differs / differs / raised<br>Δ ∞ / –" in row
    assert "(GPU)" in text and "does not have a deterministic implementation" in text
    assert "No result in this report comes from a GPU" not in text


def test_a_cpu_only_report_says_that_nothing_is_confirmed_on_a_gpu():
    merged = merge([load_results(CPU)])
    assert "No result in this report comes from a GPU" in render_markdown(merged)
    verdicts = rule_verdicts(merged, "index.md")
    assert all(not v["gpu_confirmed"] and v["verdict"].endswith("Unconfirmed on a GPU.") for v in verdicts.values())


def test_verdicts_link_each_rule_to_its_row():
    verdicts = rule_verdicts(merge([load_results(CPU), load_results(GPU)]), "index.md")
    mlf102 = verdicts["MLF102"]
    assert mlf102["link"] == "index.md#mlf102" and mlf102["gpu_confirmed"]
    assert mlf102["verdict"].startswith("Synthetic GPU (test data) · torch 2.13.0+cu128 (GPU): flagged op differs with "
                                        "seeds, raised with the switch, alternative identical; CPU (AMD EPYC)")


def test_overhead_and_difference_formatting():
    outcome = load_results(CPU).outcomes[0]
    outcome.setups["seeds"].seconds = [2.0, 1.0, 1.0]
    outcome.setups["deterministic"].seconds = [3.0, 1.5, 1.5]
    assert overhead(outcome) == pytest.approx(0.5)
    assert [format_difference(v) for v in (None, 0.0, float("inf"), 2.5e-7)] == ["–", "0", "∞", "2.5e-07"]


def test_write_report_renders_markdown_plot_and_verdicts(tmp_path):
    written = write_report([load_results(CPU), load_results(GPU)], tmp_path)
    assert [p.name for p in written] == ["index.md", "report.svg", "verdicts.json"]
    assert b"<svg" in (tmp_path / "report.svg").read_bytes()[:2000]
    assert set(json.loads((tmp_path / "verdicts.json").read_text())) == {"MLF101", "MLF102"}


@pytest.mark.slow
def test_the_committed_evidence_renders(tmp_path):
    evidence = sorted((REPO / "docs" / "evidence").glob("results-*.json"))
    assert evidence, "docs/evidence holds no results file"
    write_report([load_results(path) for path in evidence], tmp_path)
    committed = json.loads((REPO / "docs" / "evidence" / "verdicts.json").read_text(encoding="utf-8"))
    rendered = json.loads((tmp_path / "verdicts.json").read_text(encoding="utf-8"))
    assert committed == rendered, "docs/evidence is stale: run `mlfcore-lint verify report` again"


@pytest.mark.parametrize(("content", "problem"), [
    ("{", "not a JSON results file"),
    ('{"format": "other"}', "not an mlfcore-lint verify results file"),
    ('{"format": "mlfcore-lint-verify-results/1", "outcomes": []}', "malformed results"),
])
def test_a_bad_results_file_is_one_clear_error(tmp_path, content, problem):
    path = tmp_path / "results.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ResultsError, match=problem) as raised:
        load_results(path)
    assert str(raised.value).startswith(str(path))


def test_notes_appear_under_the_gpu_statement():
    text = render_markdown(merge([load_results(CPU)]), notes=("TensorFlow needs another GPU machine.",))
    statement = text.index("No result in this report comes from a GPU")
    assert text.index("> TensorFlow needs another GPU machine.") > statement
