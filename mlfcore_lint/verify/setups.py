"""The three setups of the mlf-core study, per framework, as the program each fixture run executes.

* ``no-seeds``: nothing is seeded (Python's hash seed is random);
* ``seeds``: Python, NumPy and the framework are seeded and ``PYTHONHASHSEED`` is fixed;
* ``deterministic``: the seeds plus the framework's determinism switch.

For every (fixture, setup) the runner writes an entry program (:func:`entry_program`) that imports the
fixture, and runs it in a process of its own.  The static fixture test lints the fixture as part of the
same program, so the linter judges exactly the code the hardware ran.
"""

from __future__ import annotations

from dataclasses import dataclass, field

NO_SEEDS, SEEDS, DETERMINISTIC = "no-seeds", "seeds", "deterministic"
SETUPS = (NO_SEEDS, SEEDS, DETERMINISTIC)
SETUP_TITLES = {NO_SEEDS: "no seeds", SEEDS: "seeds", DETERMINISTIC: "seeds + switch"}
SEED = 0

#: Variables that change determinism; recorded with every result.
DETERMINISM_VARIABLES = (
    "PYTHONHASHSEED", "CUBLAS_WORKSPACE_CONFIG", "CUDA_LAUNCH_BLOCKING", "TF_DETERMINISTIC_OPS",
    "TF_CUDNN_DETERMINISTIC", "TF_CUDNN_USE_AUTOTUNE", "TF_CUDNN_USE_FRONTEND", "TF_ENABLE_ONEDNN_OPTS",
    "XLA_FLAGS", "OMP_NUM_THREADS", "MKL_NUM_THREADS",
)
#: The ones the setups control: removed from the child's environment unless its setup sets them.
CONTROLLED_VARIABLES = ("PYTHONHASHSEED", "CUBLAS_WORKSPACE_CONFIG", "TF_DETERMINISTIC_OPS", "TF_CUDNN_DETERMINISTIC")


@dataclass(frozen=True)
class FrameworkSetup:
    directory: str  # the fixtures folder and the framework's name in results
    title: str
    module: str  # what ``import`` names
    distributions: tuple[str, ...]  # where its version is read, first installed wins
    imports: tuple[str, ...]
    seeding: tuple[str, ...]  # statements of the seeds setup
    switch: tuple[str, ...]  # statements that turn the determinism switch on (empty: there is none)
    switch_environment: dict[str, str] = field(default_factory=dict)
    raised_markers: tuple[str, ...] = ()  # text of an error the framework raises under its switch


FRAMEWORKS = {
    "torch": FrameworkSetup(
        directory="torch", title="PyTorch", module="torch", distributions=("torch",),
        imports=("import random", "import numpy", "import torch"),
        seeding=("random.seed(SEED)", "numpy.random.seed(SEED)", "torch.manual_seed(SEED)"),
        switch=("torch.use_deterministic_algorithms(True)", "torch.backends.cudnn.benchmark = False"),
        switch_environment={"CUBLAS_WORKSPACE_CONFIG": ":4096:8"},  # required by torch < 2.10 on CUDA
        raised_markers=("does not have a deterministic implementation",),
    ),
    "tensorflow": FrameworkSetup(
        directory="tensorflow", title="TensorFlow / Keras", module="tensorflow",
        distributions=("tensorflow", "tensorflow-cpu", "tensorflow-gpu", "tensorflow-macos"),
        imports=("import random", "import numpy", "import tensorflow as tf"),
        seeding=("random.seed(SEED)", "numpy.random.seed(SEED)", "tf.random.set_seed(SEED)"),
        switch=("tf.config.experimental.enable_op_determinism()",),
        switch_environment={"TF_DETERMINISTIC_OPS": "1"},  # the switch before TensorFlow 2.8
        raised_markers=("determinism", "deterministic"),
    ),
    "xgboost": FrameworkSetup(
        directory="xgboost", title="XGBoost", module="xgboost", distributions=("xgboost", "xgboost-cpu"),
        imports=("import random", "import numpy", "import xgboost"),
        seeding=("random.seed(SEED)", "numpy.random.seed(SEED)"),
        switch=(),  # XGBoost has no switch: its deterministic setup is the seeds setup
    ),
}


def setup_statements(framework: FrameworkSetup, setup: str) -> tuple[str, ...]:
    if setup == NO_SEEDS:
        return ()
    if setup == SEEDS:
        return framework.seeding
    return framework.seeding + framework.switch


def setup_environment(framework: FrameworkSetup, setup: str, base: dict[str, str]) -> dict[str, str]:
    """The child's environment: ``base`` without the controlled variables, plus what the setup sets."""
    environment = {k: v for k, v in base.items() if k not in CONTROLLED_VARIABLES}
    environment["PYTHONHASHSEED"] = "random" if setup == NO_SEEDS else str(SEED)
    if setup == DETERMINISTIC:
        environment.update(framework.switch_environment)
    return environment


def entry_program(framework: FrameworkSetup, setup: str, fixture_module: str) -> str:
    """The program that runs ``fixture_module`` in ``setup``: ``prepare()`` runs before every repeat."""
    body = setup_statements(framework, setup) or ("pass",)
    lines = [
        f'"""mlfcore-lint verify: {fixture_module} in the {setup} setup (generated)."""',
        *framework.imports,
        "",
        f"import {fixture_module} as fixture",
        "from mlfcore_lint.verify import worker",
        "",
        f"SEED = {SEED}",
        "",
        "",
        "def prepare():",
        *(f"    {statement}" for statement in body),
        "",
        "",
        'if __name__ == "__main__":',
        f"    worker.main(fixture, prepare, {framework.directory!r}, {setup!r})",
        "",
    ]
    return "\n".join(lines)
