"""The seeding block follows the engine's program model and never changes what a program can run."""

from __future__ import annotations

import os
import re

import pytest

from mlfcore_lint.fix.cli import main

from .helpers import fix_snippet
from .test_codemods import RULESET

TRAINS = "    model = torch.nn.Linear(2, 2).cuda()\n    model(torch.ones(2)).sum().backward()\n"


def fix_project(root, capsys, *args):
    os.chdir(root)
    code = main(["--no-cache", *args, "."])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def fixed_file(root, capsys, name: str, source: str, targets: str, select: str) -> str:
    """``name`` holding ``source``, alone in ``root`` with ``targets``, after ``mlfcore-fix --select select``."""
    write(root, {name: source}, targets)
    fix_project(root, capsys, "--select", select)
    return (root / name).read_text(encoding="utf-8")


def write(root, files: dict[str, str], targets='["torch==2.13"]', extra=""):
    (root / "pyproject.toml").write_text(f"{extra}[tool.mlfcore-lint]\ntarget = {targets}\n", encoding="utf-8")
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")


def test_no_switch_where_an_operation_of_the_program_raises_under_it(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    train = ("import torch\n\nif __name__ == \"__main__\":\n    pool = torch.nn.MaxPool3d(2).cuda()\n"
             "    pool(torch.ones(1, 1, 4, 4, 4, device=\"cuda\", requires_grad=True)).sum().backward()\n")
    write(tmp_path, {"train.py": train}, '["torch==2.11"]')
    code, out, err = fix_project(tmp_path, capsys, "--select", "MLF101,MLF160,MLF161")
    fixed = (tmp_path / "train.py").read_text(encoding="utf-8")
    assert "torch.manual_seed(SEED)" in fixed and "use_deterministic_algorithms" not in fixed
    assert re.search(r"MLF161 .*; first replace what raises under it in the targeted versions: "
                     r"train.py:\d+ torch.nn.MaxPool3d \(MLF101\)", out)
    assert code == 1 and "2 without an automatic fix" in out
    # on a torch where the pooling has a deterministic backward, the switch goes in
    write(tmp_path, {"train.py": train}, '["torch==2.13"]')
    fix_project(tmp_path, capsys, "--select", "MLF101,MLF160,MLF161")
    assert "torch.use_deterministic_algorithms(True)" in (tmp_path / "train.py").read_text(encoding="utf-8")


@pytest.mark.parametrize("handed_over", [
    "class Net(torch.nn.Module):\n    def __init__(self, pool=torch.nn.MaxPool3d):\n"
    "        super().__init__()\n        self.pool = pool(2)\n",
    "POOLS = {\"max\": torch.nn.MaxPool3d}\n",
    "import functools\nmake_pool = functools.partial(torch.nn.MaxPool3d, 2)\n",
])
def test_an_operation_handed_over_uncalled_keeps_the_switch_out(tmp_path, capsys, monkeypatch, handed_over):
    """A class handed over uncalled (a parameter's default, a registry, ``partial``) runs where the linter cannot
    see: it is reported as possible, and counts among what raises under the switch."""
    monkeypatch.chdir(tmp_path)
    train = f"import torch\n\n{handed_over}\nif __name__ == \"__main__\":\n{TRAINS}"
    write(tmp_path, {"train.py": train}, '["torch==2.11"]')
    code, out, _ = fix_project(tmp_path, capsys, "--select", "MLF101,MLF160,MLF161")
    fixed = (tmp_path / "train.py").read_text(encoding="utf-8")
    assert "torch.manual_seed(SEED)" in fixed and "use_deterministic_algorithms" not in fixed
    assert re.search(r"MLF101 .*\[possible: handed over uncalled", out)
    assert re.search(r"MLF161 .*first replace what raises under it .*torch.nn.MaxPool3d \(MLF101\)", out)


def test_a_fix_that_makes_the_switch_strict_waits_for_what_raises_under_it(tmp_path, capsys, monkeypatch):
    """``warn_only=True`` is a determinism break (MLF143), but dropping it makes the 3-D pooling's backward raise on
    torch 2.11: the finding stays, without its fix."""
    monkeypatch.chdir(tmp_path)
    train = ("import torch\n\ntorch.manual_seed(0)\ntorch.use_deterministic_algorithms(True, warn_only=True)\n"
             "\nif __name__ == \"__main__\":\n    pool = torch.nn.MaxPool3d(2).cuda()\n"
             "    pool(torch.ones(1, 1, 4, 4, 4, device=\"cuda\", requires_grad=True)).sum().backward()\n")
    write(tmp_path, {"train.py": train}, '["torch==2.11"]')
    code, out, _ = fix_project(tmp_path, capsys, "--select", "MLF101,MLF143")
    assert (tmp_path / "train.py").read_text(encoding="utf-8") == train
    assert re.search(r"MLF143 .*first replace what raises under the strict switch in the targeted versions: "
                     r"train.py:7 torch.nn.MaxPool3d \(MLF101\)", out)
    write(tmp_path, {"train.py": train}, '["torch==2.13"]')
    fix_project(tmp_path, capsys, "--select", "MLF101,MLF143")
    assert "warn_only" not in (tmp_path / "train.py").read_text(encoding="utf-8")


def test_a_lazily_imported_framework_is_seeded_where_it_is_imported(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    source = ('import sys\n\n\ndef export(path):\n    import tensorflow as tf\n\n'
              '    model = tf.keras.Sequential([tf.keras.layers.Dense(2)])\n'
              '    model.compile(optimizer="adam", loss="mse")\n    model.fit([[1.0]], [[1.0, 2.0]])\n\n\n'
              'if __name__ == "__main__":\n    export(sys.argv[1])\n')
    fixed = fixed_file(tmp_path, capsys, "export.py", source, '["tensorflow==2.15"]', "MLF201,MLF203")
    assert fixed.startswith("import sys\n\nSEED = 0\n\n\ndef export(path):\n    import tensorflow as tf\n"
                            "    # Seeds and determinism switches (added by mlfcore-fix).\n"
                            "    tf.keras.utils.set_random_seed(SEED)\n"
                            "    tf.config.experimental.enable_op_determinism()\n")
    assert "import tensorflow\n" not in fixed and fixed.count("import tensorflow") == 1
    assert fix_project(tmp_path, capsys, "--select", "MLF201,MLF203,MLF210")[0] == 0


def test_draws_before_a_lazy_import_are_seeded_where_the_program_starts(tmp_path, capsys, monkeypatch):
    """Keras's seeder seeds Python and NumPy too, but after a function's own import of TensorFlow it runs after
    the draws the ``__main__`` block made before calling it: those get their own seeds where the program starts."""
    monkeypatch.chdir(tmp_path)
    train = ("import random\n\nimport numpy as np\n\n\ndef fit(x, y):\n    import tensorflow as tf\n\n"
             "    model = tf.keras.Sequential([tf.keras.layers.Dense(1)])\n    model.compile(\"sgd\", \"mse\")\n"
             "    model.fit(x, y, epochs=1)\n\n\nif __name__ == \"__main__\":\n    rows = list(range(100))\n"
             "    random.shuffle(rows)\n    fit(np.random.rand(100, 4)[rows], np.ones(100))\n")
    fixed = fixed_file(tmp_path, capsys, "train.py", train, '["tensorflow==2.15"]', "MLF001,MLF002,MLF201,MLF203")
    assert ('    import tensorflow as tf\n    # Seeds and determinism switches (added by mlfcore-fix).\n'
            "    tf.keras.utils.set_random_seed(SEED)\n") in fixed
    assert ('if __name__ == "__main__":\n    # Seeds and determinism switches (added by '
            "mlfcore-fix).\n    random.seed(SEED)\n    np.random.seed(SEED)\n    rows = list(range(100))\n") in fixed
    assert fixed.count("SEED = 0") == 1
    assert fix_project(tmp_path, capsys, "--select", "MLF001,MLF002,MLF201,MLF203")[0] == 0


def test_a_framework_a_called_function_of_another_module_imports_is_seeded_where_it_is_imported(
        tmp_path, capsys, monkeypatch):
    """``helpers.fit_torch`` imports torch itself and trains: the program that calls it needs torch's seed and
    switch. They go after that import, in ``helpers.py``; the entry point gets only NumPy's seed and no torch."""
    monkeypatch.chdir(tmp_path)
    helpers = ("def fit_torch(x):\n    import torch\n\n    model = torch.nn.Linear(4, 1).cuda()\n"
               "    model(torch.from_numpy(x).cuda()).sum().backward()\n")
    train = "import numpy as np\n\nfrom helpers import fit_torch\n\nif __name__ == \"__main__\":\n" \
            "    fit_torch(np.random.rand(32, 4).astype(\"float32\"))\n"
    write(tmp_path, {"helpers.py": helpers, "train.py": train}, '["torch==2.11"]')
    code, out, err = fix_project(tmp_path, capsys, "--select", "MLF002,MLF160,MLF161")
    assert code == 0 and "not fixed" not in err
    fixed_train = (tmp_path / "train.py").read_text(encoding="utf-8")
    assert fixed_train.count("np.random.seed(SEED)") == 1 and "import torch" not in fixed_train
    assert (tmp_path / "helpers.py").read_text(encoding="utf-8") == (
        "SEED = 0\n\n\ndef fit_torch(x):\n    import torch\n"
        "    # Seeds and determinism switches (added by mlfcore-fix).\n"
        "    torch.manual_seed(SEED)\n    torch.use_deterministic_algorithms(True)\n\n"
        "    model = torch.nn.Linear(4, 1).cuda()\n    model(torch.from_numpy(x).cuda()).sum().backward()\n")
    assert fix_project(tmp_path, capsys, "--select", "MLF002,MLF160,MLF161")[0] == 0


def test_a_console_script_is_seeded_where_its_function_starts(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    cli = ('import torch\n\n\ndef run_training_entry():\n    """Train."""\n' + TRAINS +
           '\n\nif __name__ == "__main__":\n    print("use the console script")\n')
    write(tmp_path, {"pkg/__init__.py": "", "pkg/cli.py": cli},
          extra='[project]\nname = "pkg"\nversion = "0"\n[project.scripts]\ntrain-it = "pkg.cli:run_training_entry"\n')
    assert fix_project(tmp_path, capsys, "--select", "MLF160,MLF161")[0] == 0
    fixed = (tmp_path / "pkg" / "cli.py").read_text(encoding="utf-8")
    assert ('def run_training_entry():\n    """Train."""\n'
            "    # Seeds and determinism switches (added by mlfcore-fix).\n"
            "    torch.manual_seed(SEED)\n    torch.use_deterministic_algorithms(True)\n") in fixed
    assert fixed.endswith('if __name__ == "__main__":\n    print("use the console script")\n')


def test_a_main_block_that_runs_the_console_scripts_function_gets_no_block_of_its_own(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    cli = 'import torch\n\n\ndef train():\n' + TRAINS + '\n\nif __name__ == "__main__":\n    train()\n'
    write(tmp_path, {"pkg/__init__.py": "", "pkg/cli.py": cli},
          extra='[project]\nname = "pkg"\nversion = "0"\n[project.scripts]\ntrain-it = "pkg.cli:train"\n')
    assert fix_project(tmp_path, capsys, "--select", "MLF160,MLF161")[0] == 0
    fixed = (tmp_path / "pkg" / "cli.py").read_text(encoding="utf-8")
    assert fixed.count("SEED = 0") == 1 and fixed.count("torch.manual_seed(SEED)") == 1
    assert ("def train():\n    # Seeds and determinism switches (added by mlfcore-fix).\n"
            "    torch.manual_seed(SEED)\n") in fixed
    assert fixed.endswith('if __name__ == "__main__":\n    train()\n')


@pytest.mark.parametrize(("header", "seed"), [
    ("RANDOM_SEED = 7\n", "RANDOM_SEED"),
    ("seed = 42\n", "seed"),
    ("from config import SEED\n", "SEED"),  # the project's seed, kept in one place
    ("from random import seed\n", "SEED"),  # a function, not a seed
])
def test_an_existing_seed_constant_is_reused(header, seed):
    source = f'import torch\n{header}\nif __name__ == "__main__":\n' + TRAINS
    fixed = fix_snippet(source, RULESET, ["torch==2.13"], select=["MLF160"]).text
    assert f"torch.manual_seed({seed})" in fixed
    assert ("SEED = 0" in fixed) == (seed == "SEED" and "config" not in header)


@pytest.mark.parametrize(("options", "parse", "seed"), [
    ('parser.add_argument("--manualSeed", type=int, default=1)', "opt = parser.parse_args()", "opt.manualSeed"),
    ('parser.add_argument("--manual-seed", dest="manual_seed")', "opt = parser.parse_args()", "opt.manual_seed"),
    ('parser.add_argument("--seed", type=int)', "args = get_args()", "args.seed"),
])
def test_the_command_lines_seed_is_used(options, parse, seed):
    source = ("import argparse\nimport torch\n\n\ndef get_args():\n    parser = argparse.ArgumentParser()\n"
              f"    {options}\n    return parser.parse_args()\n\n\nif __name__ == \"__main__\":\n"
              f"    parser = argparse.ArgumentParser()\n    {options}\n    {parse}\n" + TRAINS)
    fixed = fix_snippet(source, RULESET, ["torch==2.13"], select=["MLF160"]).text
    assert f"    {parse}\n    # Seeds and determinism switches (added by mlfcore-fix).\n" \
           f"    torch.manual_seed({seed})\n" in fixed
    assert "SEED" not in fixed


@pytest.mark.parametrize(("target", "layer", "fixed"), [
    ("torch==2.1", "ReflectionPad2d", False), ("torch==2.2", "ReflectionPad2d", True),
    ("torch==2.2", "ReflectionPad3d", False), ("torch==2.3", "ReflectionPad3d", True),
])
def test_reflection_padding_becomes_replication_only_where_that_is_deterministic(target, layer, fixed):
    source = (f"import torch\n\nif __name__ == \"__main__\":\n    pad = torch.nn.{layer}(1).cuda()\n"
              "    pad(torch.ones(1, 1, 4, 4, 4, device=\"cuda\", requires_grad=True)).sum().backward()\n")
    outcome = fix_snippet(source, RULESET, [target], unsafe=True, select=["MLF109"])
    assert ("ReplicationPad" in outcome.text) == fixed


def test_a_parameter_that_shadows_an_import_is_not_rewritten():
    source = ('import tensorflow as tf\n\n\ndef reseed(tf, seed):\n    tf.random.set_seed(seed)\n\n\n'
              'if __name__ == "__main__":\n    tf.random.set_seed(1)\n'
              '    model = tf.keras.Sequential([tf.keras.layers.Dense(2)])\n'
              '    model.fit(x, y)\n')
    fixed = fix_snippet(source, RULESET, select=["MLF202"]).text
    assert "def reseed(tf, seed):\n    tf.random.set_seed(seed)\n" in fixed
    assert "    tf.keras.utils.set_random_seed(1)\n" in fixed


def test_no_seed_constant_where_the_block_seeds_nothing():
    source = 'import torch\n\ntorch.manual_seed(3)\n\nif __name__ == "__main__":\n' + TRAINS
    fixed = fix_snippet(source, RULESET, ["torch==2.13"], select=["MLF160", "MLF161"]).text
    assert "torch.use_deterministic_algorithms(True)" in fixed and "SEED" not in fixed


def test_new_imports_sort_with_the_files_imports():
    source = ('"""Train."""\nimport json\nimport sys\n\nimport numpy as np\nimport torch\n\n'
              'if __name__ == "__main__":\n    random_thing = np.random.rand(3)\n' + TRAINS)
    fixed = fix_snippet(source, RULESET, ["torch==2.9"], select=["MLF161", "MLF162"]).text
    assert fixed.startswith('"""Train."""\nimport json\nimport os\nimport sys\n\nimport numpy as np\nimport torch\n')


@pytest.mark.parametrize(("configuration", "wrapped"), [
    ("", True),  # 88, black's and ruff's default
    ("[tool.ruff]\nline-length = 200\n", False),
    ("[tool.black]\nline-length = 150\n", False),
    ("[tool.ruff]\nline-length = 79\n", True),  # flake8's default: the helper's docstring fits too
])
def test_a_call_the_fix_makes_too_long_is_laid_out_one_argument_a_line(tmp_path, capsys, monkeypatch,
                                                                         configuration, wrapped):
    monkeypatch.chdir(tmp_path)
    source = ("import torch\nfrom torch.utils.data import DataLoader\n\n\ndef make(dataset):\n"
              "    return DataLoader(dataset, batch_size=4, num_workers=2)\n")
    write(tmp_path, {"data.py": source}, extra=configuration)
    fix_project(tmp_path, capsys, "--select", "MLF163")
    fixed = (tmp_path / "data.py").read_text(encoding="utf-8")
    laid_out = ("    return DataLoader(\n        dataset,\n        batch_size=4,\n        num_workers=2,\n"
                "        generator=torch.Generator().manual_seed(torch.initial_seed()),\n"
                "        worker_init_fn=seed_worker,\n    )\n")
    assert fixed.endswith(laid_out) == wrapped
    assert max(len(line) for line in fixed.splitlines()) <= (79 if "79" in configuration else 88 if wrapped else 200)


def test_a_configuration_of_the_wrong_shape_means_the_default_line_length(tmp_path):
    from mlfcore_lint.fix.layout import DEFAULT_LINE_LENGTH, project_line_length

    (tmp_path / "pyproject.toml").write_text('tool = 3\n', encoding="utf-8")
    (tmp_path / "setup.cfg").write_text("[metadata]\nname = ours\n", encoding="utf-8")
    assert project_line_length(tmp_path) == DEFAULT_LINE_LENGTH


@pytest.mark.parametrize(("text", "problem"), [
    ("[flake8\nmax-line-length = 100\n", "setup.cfg: cannot read its \\[flake8\\] max-line-length: File contains no "
                                         "section headers"),
    ("[flake8]\nmax-line-length = many\n", "setup.cfg: \\[flake8\\] max-line-length is not a positive whole "
                                           "number: 'many'"),
])
def test_a_line_length_the_fixer_cannot_read_is_named_in_one_line(tmp_path, capsys, monkeypatch, text, problem):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, {"train.py": "import torch\ntorch.backends.cudnn.benchmark = True\n"})
    (tmp_path / "setup.cfg").write_text(text, encoding="utf-8")
    code, _, err = fix_project(tmp_path, capsys, "--select", "MLF140")
    assert code == 0
    warning = [line for line in err.splitlines() if "warning" in line]
    assert len(warning) == 1 and re.search(problem + "; lines are kept to 88 columns$", warning[0])
    assert (tmp_path / "train.py").read_text(encoding="utf-8").endswith("= False\n")


def test_comments_right_above_that_name_what_the_fix_changed_go():
    source = ("import torch\n\n# cuDNN benchmark: autotuned kernels\n\n# The cudnn benchmark speeds training up\n"
              "# (measured on a V100)\ntorch.backends.cudnn.benchmark = True\n")
    fixed = fix_snippet(source, RULESET, ["torch==2.13"], select=["MLF140"]).text
    # a blank line parts the first comment from the statement; the second names what changed
    assert fixed == ("import torch\n\n# cuDNN benchmark: autotuned kernels\n\n# (measured on a V100)\n"
                     "torch.backends.cudnn.benchmark = False\n")


def test_a_notebooks_seeds_go_before_its_first_cell_that_does_work(tmp_path, capsys, monkeypatch):
    """The program's findings point at a later cell, but the second cell already draws the model's weights: the
    block goes at the top of that cell, after the first cell's imports, with no blank line opening it."""
    import json

    monkeypatch.chdir(tmp_path)
    cells = ["import torch\nimport torch.nn as nn", 'model = nn.Linear(4, 1).cuda()\nx = torch.randn(8, 4, device="cuda")',
             "model(x).sum().backward()"]
    notebook = {"cells": [{"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
                           "source": text.splitlines(keepends=True)} for text in cells],
                "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    write(tmp_path, {"train.ipynb": json.dumps(notebook, indent=1) + "\n"}, '["torch==2.13"]')
    assert fix_project(tmp_path, capsys, "--select", "MLF160,MLF161")[0] == 0
    fixed = ["".join(cell["source"]) for cell in json.loads((tmp_path / "train.ipynb").read_text())["cells"]]
    assert fixed[0] == cells[0] and fixed[2] == cells[2]
    assert fixed[1] == ("SEED = 0\n\n# Seeds and determinism switches (added by mlfcore-fix).\n"
                        "torch.manual_seed(SEED)\ntorch.use_deterministic_algorithms(True)\n\n" + cells[1])


@pytest.mark.parametrize(("imports", "fixed_import", "seed"), [
    ("import config\n", "import config\n", "config.SEED"),
    ("from config import LR\n", "from config import LR, SEED\n", "SEED"),  # isort: constants by name
])
def test_the_projects_seed_in_a_module_the_program_loads_is_reused(tmp_path, capsys, monkeypatch, imports,
                                                                    fixed_import, seed):
    """``config.py`` keeps the project's seed (no framework in it: the pre-filter skips it, and still sees the
    constant); every entry point that imports it is seeded with it, instead of a ``SEED = 0`` of its own."""
    monkeypatch.chdir(tmp_path)
    train = f"import torch\n\n{imports}\nif __name__ == \"__main__\":\n" + TRAINS
    write(tmp_path, {"config.py": "SEED = 7\nLR = 0.1\n", "train.py": train})
    assert fix_project(tmp_path, capsys, "--select", "MLF160")[0] == 0
    fixed = (tmp_path / "train.py").read_text(encoding="utf-8")
    assert f"\n{fixed_import}" in fixed and f"torch.manual_seed({seed})" in fixed and "SEED = 0" not in fixed


def test_entry_points_that_import_one_project_module_share_one_seed_kept_there(tmp_path, capsys, monkeypatch):
    """Two training scripts that both import ``common`` get one ``SEED``, in ``common.py``, imported by each;
    a script that imports no module of the project keeps a constant of its own. A second run changes nothing."""
    monkeypatch.chdir(tmp_path)
    common = "import torch\n\n\ndef build():\n    return torch.nn.Linear(2, 2)\n"
    entry = ("import torch\n\nfrom common import build\n\n\nif __name__ == \"__main__\":\n"
             "    build().cuda()(torch.ones(2)).sum().backward()\n")
    alone = "import torch\n\nif __name__ == \"__main__\":\n" + TRAINS
    write(tmp_path, {"common.py": common, "train.py": entry, "finetune.py": entry, "alone.py": alone})
    assert fix_project(tmp_path, capsys, "--select", "MLF160")[0] == 0
    assert (tmp_path / "common.py").read_text(encoding="utf-8") == (
        "import torch\n\nSEED = 0\n\n\ndef build():\n    return torch.nn.Linear(2, 2)\n")
    for name in ("train.py", "finetune.py"):
        fixed = (tmp_path / name).read_text(encoding="utf-8")
        assert "from common import SEED, build\n" in fixed and "SEED = 0" not in fixed
        assert "    torch.manual_seed(SEED)\n" in fixed
    assert "SEED = 0" in (tmp_path / "alone.py").read_text(encoding="utf-8")
    before = {name: (tmp_path / name).read_bytes() for name in ("common.py", "train.py", "finetune.py", "alone.py")}
    assert fix_project(tmp_path, capsys, "--select", "MLF160")[0] == 0
    assert before == {name: (tmp_path / name).read_bytes() for name in before}
