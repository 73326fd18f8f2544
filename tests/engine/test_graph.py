"""The project step's summaries: what every node reaches, added up once per node, cycles included."""

from __future__ import annotations

import random

from mlfcore_lint.config import Settings
from mlfcore_lint.engine import project as project_module
from mlfcore_lint.engine.graph import Bits, Summaries
from mlfcore_lint.runner import ProjectContext


def walk(graph: dict[int, list[int]], start: int) -> set[int]:
    seen, queue = {start}, [start]
    while queue:
        for target in graph[queue.pop()]:
            if target not in seen:
                seen.add(target)
                queue.append(target)
    return seen


def test_summaries_agree_with_a_walk_from_each_node_on_graphs_with_cycles():
    for seed in range(30):
        generator = random.Random(seed)
        size = generator.randint(1, 40)
        graph = {node: generator.sample(range(size), generator.randint(0, min(4, size))) for node in range(size)}
        summaries = Summaries(lambda node, graph=graph: graph[node], lambda node: 1 << node)
        for node in generator.sample(range(size), size):  # questions in any order
            assert summaries.summary(node) == sum(1 << other for other in walk(graph, node)), (seed, node)


def test_each_node_is_expanded_once_however_many_questions_are_asked():
    # a chain with a cycle at its end, asked about from every node
    graph = {node: [node + 1] for node in range(200)}
    graph[200] = [150]
    asked: dict[int, int] = {}

    def successors(node):
        asked[node] = asked.get(node, 0) + 1
        return graph[node]

    summaries = Summaries(successors, lambda node: 1 if node == 200 else 0)
    assert all(summaries.summary(node) == 1 for node in reversed(range(201)))
    assert set(asked.values()) == {1}


def test_bits_name_what_a_mask_holds():
    bits = Bits()
    mask = bits.of(["MLF101", "MLF102"]) | bits.of(["MLF103"])
    assert bits.names(mask) == {"MLF101", "MLF102", "MLF103"}
    assert bits.names(bits.of(["MLF102"])) == {"MLF102"}


def test_the_project_step_resolves_each_module_s_imports_once(tmp_path, ruleset, monkeypatch):
    # many entry points sharing a chain of modules: before, every entry point resolved the chain again
    (tmp_path / "pyproject.toml").write_text("[tool.mlfcore-lint]\n")
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    for number in range(20):
        following = f"from . import m{number + 1}\n" if number < 19 else "import torch\n"
        (package / f"m{number}.py").write_text(following + "def run():\n    return 1\n")
    (package / "m19.py").write_text("import torch\nfrom . import m0\n\ndef train(model, loss):\n"
                                    "    loss.backward()\n")
    for number in range(15):
        (tmp_path / f"train_{number}.py").write_text(
            "import torch\nfrom pkg import m0, m19\n\nif __name__ == '__main__':\n    m19.train(None, None)\n")
    calls: dict[tuple[str, bool], int] = {}
    original = project_module.local_imports

    def counting(facts, module, is_package, modules, loaded_only=False):
        calls[(module, loaded_only)] = calls.get((module, loaded_only), 0) + 1
        return original(facts, module, is_package, modules, loaded_only)

    monkeypatch.setattr(project_module, "local_imports", counting)
    context = ProjectContext(Settings(root=tmp_path, discover_targets=False), ruleset, use_cache=False, jobs=1)
    context.findings_for([tmp_path / "train_0.py"])
    project = context.project()
    assert len(project.programs) == 15
    assert all(program.trains for program in project.programs)
    members = {source.relative for source in project.programs[0].files}
    assert members == {"train_0.py", "pkg/__init__.py"} | {f"pkg/m{number}.py" for number in range(20)}
    # once where the command chooses what to read, once in the project step: never once per entry point
    assert max(calls.values()) == 2


def test_checking_one_file_sums_up_only_the_programs_that_run_it(tmp_path, ruleset):
    (tmp_path / "pyproject.toml").write_text('[tool.mlfcore-lint]\ntarget = ["torch==2.11"]\n')
    (tmp_path / "model.py").write_text("import torch.nn as nn\npool = nn.MaxPool3d(2)\n")
    (tmp_path / "train.py").write_text("import model\nif __name__ == '__main__':\n    loss.cuda().backward()\n")
    for number in range(5):
        (tmp_path / f"tool_{number}.py").write_text("import torch\nif __name__ == '__main__':\n    print(1)\n")
    context = ProjectContext(Settings(root=tmp_path, discover_targets=False), ruleset, use_cache=False, jobs=1)
    findings = context.check_buffer(tmp_path / "model.py", (tmp_path / "model.py").read_text())
    assert [finding.code for finding in findings] == ["MLF101"]
    asked = {program.entry.relative for program in context.project().programs if program._done is not None}
    assert asked == {"train.py"}
