"""The call graph of the program model: a reference that resolves alike from every caller to many scopes
(``step.apply(x)``: every ``apply`` of the project) is passed once through a hub node, and the verdicts are
those of the graph without hubs."""

from __future__ import annotations

import gc
import textwrap
import weakref
from pathlib import Path

import pytest

from mlfcore_lint.config import find_config, load_settings
from mlfcore_lint.engine import program
from mlfcore_lint.ruleset.loader import default_ruleset
from mlfcore_lint.runner import ProjectContext, check_paths

STEPS = 12  # more than HUB_FANOUT methods of one name


def _write_project(root: Path) -> None:
    steps = ["import random\n\nimport torch.nn.functional as F\n"]
    for number in range(STEPS):
        draw = "        x = x * random.random()\n" if number == 3 else ""  # one step draws from Python's generator
        steps.append(f"class Step{number}:\n    def apply(self, x):\n{draw}"
                     f"        return F.interpolate(x, scale_factor=2, mode=\"bilinear\")\n\n"
                     f"    def describe(self):\n        return \"step {number}\"\n")
    (root / "pipeline").mkdir()
    (root / "pipeline" / "__init__.py").write_text("", encoding="utf-8")
    (root / "pipeline" / "steps.py").write_text("\n\n".join(steps), encoding="utf-8")
    (root / "train.py").write_text(textwrap.dedent("""\
        import torch
        import torch.nn.functional as F
        from pipeline import steps


        def fit(model, pipeline, loader):
            optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
            for x, y in loader:
                for step in pipeline:
                    x = step.apply(x)
                loss = F.mse_loss(model(x), y)
                loss.backward()
                optimizer.step()


        def report(pipeline):
            with torch.no_grad():
                return [step.describe() for step in pipeline]


        if __name__ == "__main__":
            model = torch.nn.Linear(4, 4).cuda()
            pipeline = [getattr(steps, f"Step{i}")() for i in range(12)]
            fit(model, pipeline, [])
            print(report(pipeline))
        """), encoding="utf-8")
    (root / "pyproject.toml").write_text("[tool.mlfcore-lint]\n", encoding="utf-8")


def _check(root: Path):
    settings = load_settings(find_config(root), [root], [])
    return check_paths([root], settings, default_ruleset(settings.extend_rules), jobs=1, use_cache=False).findings


def _as_data(findings) -> list[tuple]:
    return [(f.path, f.line, f.column, f.code, f.message) for f in findings]


@pytest.mark.parametrize("fanout", [1, program.HUB_FANOUT])
def test_hubs_leave_every_verdict_as_the_graph_without_them(tmp_path, monkeypatch, fanout):
    _write_project(tmp_path)
    monkeypatch.setattr(program, "HUB_FANOUT", 10**9)
    without_hubs = _as_data(_check(tmp_path))
    monkeypatch.setattr(program, "HUB_FANOUT", fanout)
    with_hubs = _as_data(_check(tmp_path))
    assert with_hubs == without_hubs
    # the methods reached only through the hub are judged as differentiated: each resize is reported
    resized = [item for item in with_hubs if item[0].endswith("steps.py") and item[3] == "MLF102"]
    assert len(resized) == STEPS


def test_hub_nodes_stand_for_their_targets_and_never_leave_the_model(tmp_path):
    _write_project(tmp_path)
    settings = load_settings(find_config(tmp_path), [tmp_path], [])
    context = ProjectContext(settings, default_ruleset(settings.extend_rules), use_cache=False, jobs=1)
    context.supporting_files()
    model = context.project().model
    fit = ("train.py", "fit")
    loud, silent = model._callees_of(fit)
    hubs = [target for chunk in (*loud, *silent) for target in chunk if target[0] == program.HUB]
    assert hubs == [(program.HUB, ".apply")]
    assert len(model._hub_targets[".apply"]) == STEPS
    reached = model.reach([fit], quiet=False, loads_modules=False)
    assert all(node[0] != program.HUB for node in reached)
    assert {("pipeline/steps.py", f"Step{number}.apply") for number in range(STEPS)} <= reached
    # ``describe`` is called under no_grad only: its hub leads to scopes that are not differentiated
    steps = model.by_path["pipeline/steps.py"]
    assert all(model.context(steps, f"Step{n}.apply") == program.DIFFERENTIATED for n in range(STEPS))
    assert all(model.context(steps, f"Step{n}.describe") != program.DIFFERENTIATED for n in range(STEPS))
    # what the program does is summed through the hub: it trains and draws from the generator Step3 uses
    [main] = [p for p in context.project().programs if p.entry.relative == "train.py"]
    assert main.trains and main.draws == {"MLF001"}



class _Marker(str):
    """A string that can be referred to weakly."""


def test_a_released_project_step_is_freed_without_the_garbage_collector(tmp_path):
    """``ProjectContext.release``: the command lets go of every file's facts and the project step before it
    writes the memo; nothing in them refers back to itself, so they are freed at once even where the garbage
    collector runs rarely (see gc_pacing.py)."""
    _write_project(tmp_path)
    settings = load_settings(find_config(tmp_path), [tmp_path], [])
    context = ProjectContext(settings, default_ruleset(settings.extend_rules), use_cache=False, jobs=1)
    context.findings_for(context.supporting_files())
    project = context.project()
    assert [p.trains for p in project.programs] == [True]  # every lazy part built
    # facts have no room for a weak reference (slots): each holds a marker that is freed with it
    for facts in context.facts.values():
        facts.seed_constant = _Marker(facts.seed_constant)
    del facts
    held = [weakref.ref(project), weakref.ref(project.model), weakref.ref(project.programs[0]),
            *(weakref.ref(source) for source in project.files),
            *(weakref.ref(f.seed_constant) for f in context.facts.values())]
    del project
    gc.disable()
    try:
        context.release()
        assert [ref for ref in held if ref() is not None] == []
    finally:
        gc.enable()
