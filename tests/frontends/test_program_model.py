"""The program model on a project shaped like real ones, through the command, flake8 and pylint.

Each file is one class of finding that was wrong or missing on real projects (issue 10): where a program
starts (module-level scripts, console-script functions, Lightning-only and notebook programs), what a program
does (``__main__`` smoke tests, summaries and one-gradient demos that never train, a script named like a test
that holds none, a PyTorch script on the CPU), what is differentiated (a ``Dataset``, a
transform, a ``no_grad`` caller, a model's ``forward``), indirection (subclasses, classes picked by name),
receivers that are not tensors, tests, and hints.
"""

from __future__ import annotations

import json
import textwrap

import pytest

from .conftest import flake8, message_lines, pylint, run_tool
from .projects import write_project

FILES = {
    # a package whose __init__ the pre-filter skips: its multi-line relative import still links the modules
    "pkg/__init__.py": "from . import (\n    model,  # the network\n    data,\n)\n",
    "pkg/model.py": """\
        import torch
        import torch.nn as nn
        import torch.nn.functional as F


        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.conv = nn.Conv2d(3, 3, 3)

            def forward(self, x):
                return F.interpolate(self.conv(x), scale_factor=2, mode="bilinear")


        def resize_for_export(x):
            return F.interpolate(x, scale_factor=2, mode="bicubic")


        if __name__ == "__main__":
            # a smoke test: one forward pass on random input, nothing trains
            print(Net()(torch.rand(1, 3, 8, 8)).shape)
        """,
    "pkg/data.py": """\
        import torch
        import torch.nn.functional as F
        from torch.utils.data import Dataset


        def augment(image, index):
            return torch.gather(image, 0, index)


        class Volumes(Dataset):
            def __getitem__(self, i):
                image = F.interpolate(self.images[i], size=(64, 64), mode="bilinear")
                return augment(image, self.order)
        """,
    "pkg/run.py": """\
        import torch
        import torch.nn as nn
        from pkg.model import Net


        class RobustCE(nn.CrossEntropyLoss):
            pass


        def run_training_entry():
            model = Net().cuda()
            optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
            criterion = RobustCE(ignore_index=255)
            for images, masks in loader:
                loss = criterion(model(images), masks)
                loss.backward()
                optimizer.step()


        @torch.no_grad()
        def evaluate(model, images):
            return model(images)


        if __name__ == "__main__":
            evaluate(Net(), None)
        """,
    "train_script.py": """\
        import torch
        import torch.nn as nn
        from pkg.model import Net

        model = Net().to("cuda")
        rnn = getattr(nn, "LSTM")(8, 8)
        optimizer = torch.optim.Adam(model.parameters())
        for batch in range(10):
            loss = model(torch.ones(1, 3, 8, 8)).sum()
            loss.backward()
            optimizer.step()
        """,
    "cpu_script.py": """\
        import torch

        # names no device and uses no framework that picks a GPU by itself: PyTorch runs it on the CPU
        model = torch.nn.Linear(2, 2)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        for step in range(3):
            loss = model(torch.randn(4, 2)).sum()
            loss.backward()
            optimizer.step()
        """,
    "grad_demo.py": """\
        import tensorflow as tf

        # prints one gradient: it differentiates, but applies nothing, so it trains nothing
        x = tf.random.normal([3])
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = tf.reduce_sum(x * x)
        print(tape.gradient(y, x))
        """,
    "train_evaluate_test.py": """\
        import torch

        # named like a test, but it holds no test: a training script
        model = torch.nn.Linear(2, 2).cuda()
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        model(torch.ones(1, 2).cuda()).sum().backward()
        optimizer.step()
        """,
    "ddp_script.py": """\
        import torch

        # a device the user picks: the process's GPU
        model = torch.nn.Linear(2, 2).to(local_rank)
        model(torch.ones(1, 2)).sum().backward()
        """,
    "lit.py": """\
        import lightning as L

        trainer = L.Trainer(max_epochs=1)
        trainer.fit(L.LightningModule())
        """,
    "summary.py": """\
        import torch
        from pkg.model import Net

        if __name__ == "__main__":
            print(sum(p.numel() for p in Net().parameters()))
        """,
    "pool.py": """\
        import torch


        class Histogram:
            def histc(self, values):
                return values


        def counts(values):
            h = Histogram()
            return h.histc(values)
        """,
    "tests/test_model.py": """\
        import numpy as np
        import torch

        def test_forward():
            rng = np.random.default_rng()
            torch.backends.cudnn.benchmark = True
        """,
}

#: (path, code, line, certainty) of every finding the command reports by default.
EXPECTED = {
    ("pkg/model.py", "MLF102", 12, "certain"),  # a module's forward: differentiated
    ("pkg/model.py", "MLF102", 16, "inferred"),  # nothing in the project calls it: possible
    ("pkg/run.py", "MLF112", 13, "certain"),  # a project subclass of CrossEntropyLoss, void label 255
    ("pkg/run.py", "MLF160", 10, "certain"),  # the console-script function is where the program starts
    ("pkg/run.py", "MLF161", 10, "certain"),
    ("train_script.py", "MLF160", 8, "certain"),  # a module-level script: at its first statement that runs
    ("train_script.py", "MLF161", 8, "certain"),
    ("train_script.py", "MLF165", 8, "certain"),  # nn.LSTM picked by name
    ("cpu_script.py", "MLF160", 6, "certain"),  # seeds matter on the CPU too; the switch (MLF161) does not
    ("train_evaluate_test.py", "MLF160", 6, "certain"),  # where it trains
    ("train_evaluate_test.py", "MLF161", 6, "certain"),
    ("ddp_script.py", "MLF160", 5, "certain"),
    ("ddp_script.py", "MLF161", 5, "certain"),
    ("lit.py", "MLF160", 4, "certain"),  # Lightning only, no `import torch`
    ("lit.py", "MLF161", 4, "certain"),  # Lightning's accelerator is "auto": a GPU where there is one
}

NOTEBOOK = {
    "cells": [
        {"cell_type": "markdown", "metadata": {}, "source": ["# Train"]},
        {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
         "source": ["%matplotlib inline\n", "import torch\n", "model = torch.nn.Linear(2, 2).cuda()\n"]},
        {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
         "source": ["try:\n", "    import chemprop\n", "except ImportError:\n", "    !pip install chemprop\n",
                    "model(torch.ones(2)).sum().backward()\n"]},
    ],
    "metadata": {}, "nbformat": 4, "nbformat_minor": 5,
}


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    root = write_project(
        tmp_path_factory.mktemp("program") / "project",
        {path: textwrap.dedent(text) for path, text in FILES.items()},
    )
    pyproject = root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace(
        'dependencies = ["torch==2.11"]\n',
        'dependencies = ["torch==2.11", "lightning==2.5"]\n\n[project.scripts]\nrun-train = "pkg.run:run_training_entry"\n',
    ), encoding="utf-8")
    (root / "notebooks").mkdir()
    (root / "notebooks" / "train.ipynb").write_text(json.dumps(NOTEBOOK), encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def check_json(project):
    result = run_tool("mlfcore_lint", "check", "--no-cache", "--format", "json", ".", cwd=project)
    assert result.returncode == 1, result.stderr
    return json.loads(result.stdout)


def test_the_command_reports_what_each_program_breaks(check_json):
    python = {(f["path"], f["code"], f["line"], f["certainty"]) for f in check_json if f["path"].endswith(".py")}
    assert python == EXPECTED


def test_a_notebook_that_trains_is_a_program(check_json):
    notebook = [(f["code"], f.get("cell"), f["line"]) for f in check_json if f["path"].endswith(".ipynb")]
    # the magic in the `except` block does not make the notebook unparsable
    assert sorted(notebook) == [("MLF160", 3, 5), ("MLF161", 3, 5)]  # where it first runs code


def test_hints_are_reported_when_selected(project):
    result = run_tool("mlfcore_lint", "check", "--no-cache", "--format", "json", "--extend-select", "HINT",
                      "pool.py", "pkg/data.py", "tests/test_model.py", cwd=project)
    assert json.loads(result.stdout) == []  # no hint applies there; and nothing else appears


def test_flake8_reports_the_same_findings(project, check_json):
    python = sorted(f"{f['path']}:{f['line']}:{f['column']}: {f['code']}" for f in check_json
                    if f["path"].endswith(".py"))
    paths = sorted({path for path in FILES} | {"pkg/__init__.py"})
    result = flake8("--select=MLF", *paths, cwd=project)
    assert sorted(line.split(" ", 2)[0] + " " + line.split(" ", 2)[1] for line in message_lines(result.stdout)) \
        == python, result.stderr


def test_pylint_reports_the_same_findings(project, check_json):
    python = sorted((f["path"], f["line"], f["column"] - 1) for f in check_json if f["path"].endswith(".py"))
    result = pylint(*sorted(FILES), cwd=project)
    found = sorted((line.split(":")[0], int(line.split(":")[1]), int(line.split(":")[2]))
                   for line in message_lines(result.stdout) if ":" in line)
    assert found == python, result.stdout + result.stderr


def test_pylint_confidence_follows_certainty(project):
    result = pylint("--output-format=json2", "pkg/model.py", cwd=project)
    messages = json.loads(result.stdout)["messages"]
    assert {(m["line"], m["confidence"]) for m in messages} == {(12, "HIGH"), (16, "INFERENCE")}
