"""Name resolution: every alias form resolves to the framework's API; shadowing, comments and strings never do."""

from __future__ import annotations

import pytest

from ..conftest import lint_snippet

OLD = ("torch==2.11",)


def codes(code, ruleset, targets=OLD):
    return [(f.code, f.line) for f in lint_snippet(code, ruleset, targets)]


@pytest.mark.parametrize(
    "source",
    [
        "import torch\ntorch.nn.MaxPool3d(2)\n",
        "import torch.nn as nn\nnn.MaxPool3d(2)\n",
        "from torch import nn as tnn\ntnn.MaxPool3d(2)\n",
        "from torch.nn import MaxPool3d as MP\nMP(2)\n",
        "from torch.nn import MaxPool3d\nMaxPool3d(2)\n",
        "import torch.nn.functional as F\ndef pool(x):\n    return F.max_pool3d(x, 2)\n",
        "from torch.nn import functional as F\ndef pool(x):\n    return F.max_pool3d(x, 2)\n",
        "import torch.nn.modules.pooling as pooling\npooling.MaxPool3d(2)\n",
        "from torch.nn.modules.pooling import MaxPool3d\nMaxPool3d(2)\n",
        "from torch.nn.modules import MaxPool3d\nMaxPool3d(2)\n",
        "import torch\nnn = torch.nn\nnn.MaxPool3d(2)\n",
        "import torch\nPool = torch.nn.MaxPool3d\nPool(2)\n",
        "def build():\n    import torch.nn as nn\n    return nn.MaxPool3d(2)\n",
        "def build():\n    return nn.MaxPool3d(2)\nimport torch.nn as nn\n",
        "from torch.nn import *\nMaxPool3d(2)\n",
        "import torch\nlayers = [torch.nn.MaxPool3d(k) for k in (2, 3)]\n",
        "import torch\nclass Net(torch.nn.Module):\n    def __init__(self):\n        self.pool = torch.nn.MaxPool3d(2)\n",
    ],
)
def test_alias_forms_resolve(source, ruleset):
    # in a script that trains (the module is built for a program that runs its backward)
    assert [c for c, _ in codes(source + "loss.cuda().backward()\n", ruleset) if not c.startswith("MLF16")] == ["MLF101"]


@pytest.mark.parametrize(
    "source",
    [
        "import torch\n# torch.nn.MaxPool3d(2)\n",
        'import torch\ns = "torch.nn.MaxPool3d(2)"\n',
        'import torch\ndef f():\n    """torch.nn.MaxPool3d(2) in a docstring."""\n',
        "import torch\nclass MaxPool3d:\n    pass\nMaxPool3d(2)\n",
        "from torch.nn import MaxPool3d\nclass MaxPool3d:\n    pass\nMaxPool3d(2)\n",
        "from torch.nn import MaxPool3d\ndef MaxPool3d(k):\n    return k\nMaxPool3d(2)\n",
        "import torch.nn as nn\ndef build(nn):\n    return nn.MaxPool3d(2)\n",
        "import torch.nn as nn\nnn = object()\nnn.MaxPool3d(2)\n",
        "import torch.nn as nn\nfor nn in range(3):\n    nn.MaxPool3d(2)\n",
        "import torch.nn as nn\nwith open('f') as nn:\n    nn.MaxPool3d(2)\n",
        "import torch\nlambda torch: torch.nn.MaxPool3d(2)\n",
        "import mylib.nn as nn\nnn.MaxPool3d(2)\n",
        "MaxPool3d(2)\n",
    ],
)
def test_non_framework_names_are_not_reported(source, ruleset):
    assert codes(source, ruleset) == []


def test_attribute_chain_assignment_and_module_alias(ruleset):
    source = "import torch\ncudnn = torch.backends.cudnn\ncudnn.benchmark = True\ntorch.backends.cudnn.benchmark = True\n"
    assert codes(source, ruleset) == [("MLF140", 3), ("MLF140", 4)]


def test_local_object_attribute_is_not_the_framework_setting(ruleset):
    source = "import torch\nclass C:\n    pass\ncudnn = C()\ncudnn.benchmark = True\n"
    assert codes(source, ruleset) == []


def test_positions_are_one_based_and_span_the_call(ruleset):
    [finding] = lint_snippet("import torch.nn as nn\nx = 1; pool = nn.MaxPool3d(2)\n", ruleset, OLD)
    assert (finding.line, finding.column, finding.end_line, finding.end_column) == (2, 15, 2, 30)


def test_keyword_and_positional_argument_conditions(ruleset):
    base = "import torch.nn.functional as F\ndef up(x):\n    return "
    assert codes(base + "F.interpolate(x, None, 2, 'trilinear')\n", ruleset) == [("MLF102", 3)]
    assert codes(base + "F.interpolate(x, scale_factor=2, mode='nearest')\n", ruleset) == []
    assert codes(base + "F.interpolate(x, scale_factor=2)\n", ruleset) == []
    assert codes(base + "F.interpolate(x, **options)\n", ruleset)[0][0] == "MLF102"


def test_unknown_value_is_reported_with_lower_severity(ruleset):
    findings = lint_snippet("import torch.nn.functional as F\ndef up(x, m):\n    return F.interpolate(x, mode=m)\n",
                            ruleset, OLD)
    [finding] = [f for f in findings if f.code == "MLF102"]
    assert finding.severity == "warning"
    assert "not known statically" in finding.message


def test_one_parse_one_traversal_per_file(ruleset, monkeypatch):
    import ast

    from mlfcore_lint.engine import analyze

    calls = []
    original = ast.parse
    monkeypatch.setattr(analyze.ast, "parse", lambda source: calls.append(1) or original(source))
    lint_snippet("import torch.nn as nn\nnn.MaxPool3d(2)\nnn.Upsample(mode='bilinear')\n", ruleset, OLD)
    assert calls == [1]


def test_prefilter_skips_files_that_mention_no_framework(ruleset):
    from mlfcore_lint.engine.analyze import analyze_source
    from mlfcore_lint.engine.index import build_index

    facts = analyze_source("def helper(x):\n    return x + 1\n", build_index(ruleset))
    assert facts.skipped


def test_method_forms_skip_the_class_own_methods(ruleset):
    own = "import torch\nclass Gather(torch.nn.Module):\n    def forward(self, x):\n        return self.gather(x)\n"
    assert [c for c, _ in codes(own, ruleset) if c == "MLF126"] == []
    tensor = "import torch\ndef f(x, index):\n    return x.gather(1, index)\n"
    assert "MLF126" in [c for c, _ in codes(tensor, ruleset)]
