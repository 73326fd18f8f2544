"""What the walker knows about an argument from the same function: numbers, one-dimensional targets, values passed
in by the caller, and dicts built there and unpacked with ``**``."""

from __future__ import annotations

import pytest

from ..conftest import lint_snippet

TARGETS = ("torch==2.13", "lightning==2.6")


def codes(source, ruleset):
    return sorted({f.code for f in lint_snippet(source, ruleset, TARGETS)})


def scattering(body: str, value: str) -> str:
    """A function that runs ``body``, then scatters ``value`` into a tensor (MLF131 where it is a tensor)."""
    return (
        "import torch\n"
        "def place(out, index, src, scale, weights, on_value=1.0):\n"
        f"{body}"
        f"    return out.scatter_(0, index, {value})\n"
    )


@pytest.mark.parametrize(
    ("value", "reported"),
    [
        ("1.0", False),
        ("-(2 * 0.5)", False),
        ("float(scale) / 2", False),
        ("on_value", False),  # a parameter whose default is a number
        ("weights.item()", False),
        ("src", True),  # a parameter without a default
        ("noise", True),  # a tensor made above
    ],
)
def test_a_number_is_not_a_tensor_source(value, reported, ruleset):
    source = scattering("    noise = torch.randn(4)\n", value)
    assert ("MLF131" in codes(source, ruleset)) == reported


def test_a_rebound_parameter_loses_its_default(ruleset):
    source = (
        "import torch\n"
        "def place(out, index, on_value=1.0):\n"
        "    on_value = torch.full_like(out, 2.0)\n"
        "    return out.scatter_(0, index, on_value)\n"
    )
    assert codes(source, ruleset) == ["MLF131"]


@pytest.mark.parametrize(
    ("target", "reported"),
    [
        ("labels.view(-1)", False),
        ("labels.reshape(-1)", False),
        ("labels.flatten()", False),
        ("torch.flatten(labels)", False),
        ("flat", False),
        ("torch.arange(len(logits))", False),
        ("labels", True),
        ("labels.view(-1, 4)", True),
        ("labels.flatten(1)", True),
    ],
)
def test_a_one_dimensional_target_means_classification_input(target, reported, ruleset):
    source = (
        "import torch\nimport torch.nn.functional as F\n"
        "def loss(logits, labels):\n"
        "    flat = labels.view(-1)\n"
        f"    return F.cross_entropy(logits, {target}, ignore_index=255)\n"
    )
    assert ("MLF112" in codes(source, ruleset)) == reported


@pytest.mark.parametrize(
    ("value", "reported"),
    [("benchmark", False), ("self.benchmark", False), ("config.benchmark", True), ("True", True)],
)
def test_a_value_passed_in_is_the_callers_choice(value, reported, ruleset):
    source = (
        "import torch\n"
        "class Setup:\n"
        "    def apply(self, config, benchmark=None):\n"
        f"        torch.backends.cudnn.benchmark = {value}\n"
    )
    assert ("MLF140" in codes(source, ruleset)) == reported


@pytest.mark.parametrize(
    ("building", "reported"),
    [
        ("options = dict(max_epochs=3)", False),
        ("options = {'max_epochs': 3}\n    options['devices'] = 2", False),
        ("options = dict(max_epochs=3, benchmark=True)", True),
        ("options = {'max_epochs': 3}\n    options['benchmark'] = True", True),
        ("options = dict(max_epochs=3)\n    options[name] = value", True),  # a key that cannot be read
        ("options = dict(max_epochs=3)\n    options.update(extra)", True),
        ("options = dict(max_epochs=3, **extra)", True),
        ("options = make_options()", True),
    ],
)
def test_a_dict_built_in_the_function_is_read_through_unpacking(building, reported, ruleset):
    source = (
        "import lightning as L\n"
        "def fit(model, name, value, extra):\n"
        f"    {building}\n"
        "    return L.Trainer(**options)\n"
    )
    assert ("MLF406" in codes(source, ruleset)) == reported


def test_module_level_dicts_are_not_followed(ruleset):
    # any function may change a module's dict before the call runs: its keys stay unknown ("possible")
    source = "import lightning as L\noptions = dict(max_epochs=3)\nL.Trainer(**options).fit(model)\n"
    assert [code for code in codes(source, ruleset) if code.startswith("MLF40")] == ["MLF404", "MLF406"]


@pytest.mark.parametrize(
    ("table", "reported"),
    [
        ("torch.arange(8)", False),
        ("torch.zeros(4, 8).float().view(-1, 2)", False),
        ("(torch.arange(8) * 2).unsqueeze(0)", False),
        ("torch.cat([torch.zeros(2), torch.ones(2)])", False),
        ("weights.argsort()", False),
        ("weights.to(torch.long)", False),
        ("weights.detach()", False),
        ("constant", False),  # a local made by a factory
        ("torch.zeros(8, requires_grad=True)", True),
        ("weights", True),
        ("weights.view(-1)", True),
        ("constant * weights", True),
        ("torch.cat([constant, weights])", True),
    ],
)
def test_an_input_autograd_does_not_record_has_no_backward(table, reported, ruleset):
    source = (
        "import torch\n"
        "def pick(weights, index):\n"
        "    constant = torch.linspace(0, 1, 8)\n"
        f"    return ({table}).gather(0, index), torch.gather({table}, 0, index)\n"
    )
    found = [f.code for f in lint_snippet(source, ruleset, TARGETS)]
    assert found == (["MLF126", "MLF126"] if reported else [])


def test_an_assignment_reads_the_earlier_value_of_its_own_name(ruleset):
    source = (
        "import torch\n"
        "def random_mask(ids_restore, keep):\n"
        "    mask = torch.zeros(ids_restore.shape)\n"
        "    mask[:, :keep] = 1\n"
        "    mask = torch.gather(mask, dim=1, index=ids_restore)\n"
        "    return mask\n"
    )
    assert codes(source, ruleset) == []
    rebound = source.replace("    mask = torch.gather", "    mask = mask * weights\n    mask = torch.gather")
    assert codes(rebound, ruleset) == ["MLF126"]


@pytest.mark.parametrize(
    ("assignments", "reported"),
    [
        ("    value = 1.0\n", False),
        ("    value = other = 1.0\n", False),  # more than one name at once
        ("    value = on_value\n", False),  # a parameter whose default is a number
        ("    value = src\n", True),
        ("    value = 1.0\n    value = src\n", True),  # the last assignment counts
        ("    value = src\n    value = 1.0\n", False),
        ("    value: float = 1.0\n", False),
    ],
)
def test_a_name_or_literal_assigned_is_known_at_once(assignments, reported, ruleset):
    # a value with nothing in it to walk is remembered without waiting for the walk of the value
    source = scattering(assignments, "value")
    assert ("MLF131" in codes(source, ruleset)) == reported


@pytest.mark.parametrize(
    ("saved", "reported"),
    [
        ("torch.backends.cudnn.benchmark", False),
        ("torch.are_deterministic_algorithms_enabled()", False),
        ("read_option()", True),
        ("options.benchmark", True),
    ],
)
def test_a_setting_saved_earlier_is_restored_not_chosen(saved, reported, ruleset):
    source = (
        "import torch\n"
        "def timed(function, options):\n"
        f"    previous = {saved}\n"
        "    torch.backends.cudnn.benchmark = False\n"
        "    function()\n"
        "    torch.backends.cudnn.benchmark = previous\n"
    )
    assert ("MLF140" in codes(source, ruleset)) == reported


@pytest.mark.parametrize(
    ("source", "reported"),
    [
        # a function defined inside a gradient-free block runs when it is called, in the caller's mode
        ("import torch\nimport torch.nn.functional as F\n@torch.no_grad()\ndef outer(x):\n"
         "    def inner(y):\n        return F.interpolate(y, scale_factor=2, mode='bilinear')\n    return inner\n", True),
        # leaving the block restores recording
        ("import torch\nimport torch.nn.functional as F\ndef f(x):\n    with torch.no_grad():\n        x = x * 2\n"
         "    return F.interpolate(x, scale_factor=2, mode='bilinear')\n", True),
        # a mode that cannot be seen counts as recording
        ("import torch\nimport torch.nn.functional as F\ndef f(x, train):\n    with torch.set_grad_enabled(train):\n"
         "        return F.interpolate(x, scale_factor=2, mode='bilinear')\n", True),
        ("import torch\nimport torch.nn.functional as F\ndef f(x):\n    with torch.inference_mode(False):\n"
         "        return F.interpolate(x, scale_factor=2, mode='bilinear')\n", True),
        ("import torch\nimport torch.nn.functional as F\ndef f(x):\n    with open('log') as log, torch.no_grad():\n"
         "        return F.interpolate(x, scale_factor=2, mode='bilinear')\n", False),
        ("from torch import no_grad\nimport torch.nn.functional as F\n@no_grad()\ndef f(x):\n"
         "    return F.interpolate(x, scale_factor=2, mode='bilinear')\n", False),
    ],
)
def test_gradient_free_blocks_and_functions(source, reported, ruleset):
    assert ("MLF102" in codes(source, ruleset)) is reported


def _clock_chain(first: str, length: int) -> str:
    """A seed computed through ``length`` names, each using the one before four times."""
    lines = ["import random", "import time", "", "", "def main():", f"    s0 = {first}"]
    lines += [f"    s{i} = s{i - 1} + s{i - 1} * s{i - 1} - s{i - 1}" for i in range(1, length + 1)]
    lines += [f"    random.seed(s{length})", "    print(random.random())", "", "",
              "if __name__ == '__main__':", "    main()", ""]
    return "\n".join(lines)


@pytest.mark.parametrize(("first", "seeded"), [("int(time.time())", False), ("42", True)])
def test_a_seed_from_the_clock_is_seen_through_a_chain_of_names(first, seeded, ruleset):
    assert ("MLF007" not in codes(_clock_chain(first, 7), ruleset)) == seeded


def test_each_assigned_value_is_looked_through_once():
    """Names that recur along a chain of assignments are not followed along every path (4 ** 8 of them here)."""
    import ast

    from mlfcore_lint.engine.run_dependent import is_run_dependent

    body = ast.parse(_clock_chain("42", 8)).body[2].body
    values = {statement.targets[0].id: statement.value for statement in body if isinstance(statement, ast.Assign)}
    looked_up = []

    def local_value(node):
        looked_up.append(node.id)
        return values.get(node.id)

    assert not is_run_dependent(values["s8"], lambda node: None, local_value, lambda name: True)
    assert len(looked_up) <= 4 * len(values)
