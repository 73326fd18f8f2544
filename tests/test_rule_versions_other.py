"""Version logic of the TensorFlow/Keras, XGBoost, Lightning and scikit-learn rules, through the real CLI.

Each case writes one module into a fresh project and runs ``mlfcore-lint check --format json`` with the
targets a user would give; the question is only whether the rule's code is reported, and with which
versions in its message.
"""

from __future__ import annotations

import json

import pytest
from packaging.specifiers import SpecifierSet

from mlfcore_lint.ruleset.schema import VersionRange
from mlfcore_lint.ruleset.versions import evaluate

from .conftest import run_cli

UPSAMPLING_TF_KERAS = "import tensorflow as tf\nup = tf.keras.layers.UpSampling2D(size=(2, 2))\n"
UPSAMPLING_KERAS = "from keras.layers import UpSampling2D\nup = UpSampling2D()\n"
UPSAMPLING_TF_KERAS_2 = "import tf_keras\nup = tf_keras.layers.UpSampling2D()\n"
SEED_ONLY_TF = 'import tensorflow as tf\nif __name__ == "__main__":\n    tf.random.set_seed(0)\n    model.fit(x, y)\n'
SEGMENT_SUM_WITH_SWITCH = (
    "import tensorflow as tf\n"
    'if __name__ == "__main__":\n'
    "    tf.keras.utils.set_random_seed(0)\n"
    "    tf.config.experimental.enable_op_determinism()\n"
    "    y = tf.math.unsorted_segment_sum(data, ids, 10)\n"
)
DATA_NOT_DETERMINISTIC = (
    "import tensorflow as tf\n"
    'if __name__ == "__main__":\n'
    "    tf.keras.utils.set_random_seed(0)\n"
    "    tf.config.experimental.enable_op_determinism()\n"
    "    ds = tf.data.Dataset.range(8).map(f, num_parallel_calls=4, deterministic=False)\n"
)
GPU_HIST = 'from xgboost import XGBClassifier as C\nmodel = C(tree_method="gpu_hist", random_state=0)\n'
GPU_HIST_PARAMS = 'import xgboost as xgb\nbooster = xgb.train({"tree_method": "gpu_hist"}, dtrain)\n'
GPU_RANKER = 'import xgboost as xgb\nranker = xgb.XGBRanker(tree_method="gpu_hist", random_state=0)\n'
SAMPLING = "import xgboost as xgb\nmodel = xgb.XGBRegressor(subsample=0.5, random_state=0)\n"
# Programs that train: a seed matters there.
SEED_EVERYTHING = "import lightning as L\nL.seed_everything()\nL.Trainer().fit(model)\n"
SEED_EVERYTHING_PL = "from pytorch_lightning import seed_everything\nseed_everything(None)\ntrainer.fit(model)\n"


def findings(tmp_path, source: str, *targets: str) -> list[dict]:
    (tmp_path / "train.py").write_text(source)
    args = [part for target in targets for part in ("--target", target)]
    # hints too (MLF305, MLF341 are reported only when selected)
    result = run_cli("check", "--no-cache", "--format", "json", "--extend-select", "HINT", *args, "train.py",
                     cwd=tmp_path)
    assert result.returncode in (0, 1), result.stderr
    return json.loads(result.stdout)


def codes(tmp_path, source: str, *targets: str) -> set[str]:
    return {item["code"] for item in findings(tmp_path, source, *targets)}


@pytest.mark.parametrize(
    ("source", "targets", "reported"),
    [
        # Keras 2 resizes with TensorFlow's nearest-neighbour kernel; Keras 3 repeats rows and columns.
        (UPSAMPLING_TF_KERAS, ["tensorflow==2.15"], True),
        (UPSAMPLING_TF_KERAS, ["tensorflow==2.7"], True),
        (UPSAMPLING_TF_KERAS, ["tensorflow==2.16"], False),
        (UPSAMPLING_TF_KERAS, ["tensorflow>=2.17"], False),
        (UPSAMPLING_TF_KERAS, ["keras==3.5"], False),
        (UPSAMPLING_TF_KERAS, ["tensorflow>=2.14"], True),  # 2.14 and 2.15 are still Keras 2
        (UPSAMPLING_KERAS, ["keras==2.12"], True),
        (UPSAMPLING_KERAS, ["keras==3.5"], False),
        (UPSAMPLING_KERAS, ["tensorflow==2.16"], False),
        (UPSAMPLING_TF_KERAS_2, ["tensorflow==2.16"], True),  # tf_keras stays Keras 2
    ],
)
def test_upsampling2d_nearest_follows_the_keras_version(tmp_path, source, targets, reported):
    assert ("MLF221" in codes(tmp_path, source, *targets)) is reported


def test_a_targeted_distribution_decides_over_an_untargeted_one():
    keras_2 = (VersionRange("tensorflow", SpecifierSet("<2.16"), "nondeterministic"),
               VersionRange("keras", SpecifierSet("<3.0"), "nondeterministic"))
    releases = {"tensorflow": ("2.15", "2.16"), "keras": ("2.15", "3.0")}
    assert evaluate(keras_2, {"tensorflow": SpecifierSet("==2.16")}, releases).status == "deterministic"
    assert evaluate(keras_2, {"keras": SpecifierSet("==3.0")}, releases).status == "deterministic"
    assert evaluate(keras_2, {}, releases).status == "nondeterministic"  # nothing targeted: every release
    both = {"tensorflow": SpecifierSet("==2.16"), "keras": SpecifierSet("==2.15")}
    assert evaluate(keras_2, both, releases).status == "nondeterministic"  # the worst targeted one counts


def test_upsampling2d_message_names_the_keras_2_range(tmp_path):
    found = [f for f in findings(tmp_path, UPSAMPLING_TF_KERAS, "tensorflow==2.15") if f["code"] == "MLF221"]
    assert found and "tensorflow<2.16 (targeted: tensorflow==2.15)" in found[0]["message"]
    assert (found[0]["line"], found[0]["severity"]) == (2, "error")


@pytest.mark.parametrize(
    ("targets", "reported"),
    [
        (["tensorflow==2.15", "keras==2.15"], False),
        (["tensorflow==2.16"], True),
        (["keras==3.5"], True),
        (["tensorflow==2.15", "keras==3.0"], True),  # Keras 3 installed next to TF 2.15 replaces tf.keras
    ],
)
def test_tensorflow_seed_alone_matters_only_under_keras_3(tmp_path, targets, reported):
    assert ("MLF202" in codes(tmp_path, SEED_ONLY_TF, *targets)) is reported


@pytest.mark.parametrize(
    ("source", "code", "fixed_in"),
    [(SEGMENT_SUM_WITH_SWITCH, "MLF228", "2.7"), (DATA_NOT_DETERMINISTIC, "MLF242", "2.8")],
)
def test_tensorflow_op_determinism_covers_an_op_from_its_release(tmp_path, source, code, fixed_in):
    before = f"tensorflow=={fixed_in[:2]}{int(fixed_in[2:]) - 1}"
    assert code in codes(tmp_path, source, before)
    assert code not in codes(tmp_path, source, f"tensorflow=={fixed_in}")


def test_tensorflow_switch_is_needed_from_the_release_that_fixes_the_op(tmp_path):
    without_switch = SEGMENT_SUM_WITH_SWITCH.replace("    tf.config.experimental.enable_op_determinism()\n", "")
    found = [f for f in findings(tmp_path, without_switch, "tensorflow==2.10") if f["code"] == "MLF228"]
    assert found and "unless tensorflow.config.experimental.enable_op_determinism is on" in found[0]["message"]


@pytest.mark.parametrize(
    ("source", "target", "reported"),
    [
        (GPU_HIST, "xgboost==1.0", True),
        (GPU_HIST, "xgboost==0.90", True),
        (GPU_HIST, "xgboost==1.1", False),
        (GPU_HIST, "xgboost==1.5", False),
        (GPU_HIST_PARAMS, "xgboost==1.0", True),
        (GPU_HIST_PARAMS, "xgboost==1.5", False),
    ],
)
def test_gpu_hist_is_deterministic_from_xgboost_1_1(tmp_path, source, target, reported):
    assert ("MLF302" in codes(tmp_path, source, target)) is reported


@pytest.mark.parametrize(
    ("source", "code", "reported_in", "clean_in"),
    [
        (GPU_RANKER, "MLF304", "xgboost==1.7", "xgboost==2.0"),  # GPU ranking
        (GPU_HIST, "MLF340", "xgboost==3.1", "xgboost==1.7"),  # deprecated in 2.0, removed in 3.1
        (SAMPLING, "MLF305", "xgboost==3.2", "xgboost==3.3"),  # one sampling RNG per process
    ],
)
def test_xgboost_rules_follow_the_release_notes(tmp_path, source, code, reported_in, clean_in):
    assert code in codes(tmp_path, source, reported_in)
    assert code not in codes(tmp_path, source, clean_in)


def test_xgboost_seed_hint_is_info_only(tmp_path):
    found = findings(tmp_path, "import xgboost as xgb\nmodel = xgb.XGBRegressor()\n", "xgboost==3.2")
    assert [(f["code"], f["severity"]) for f in found] == [("MLF341", "info")]


@pytest.mark.parametrize(
    ("source", "target", "reported"),
    [
        (SEED_EVERYTHING, "lightning==2.1", True),
        (SEED_EVERYTHING, "lightning<2.2", True),
        (SEED_EVERYTHING, "lightning==2.2", False),
        (SEED_EVERYTHING, "lightning>=2.2", False),
        (SEED_EVERYTHING_PL, "lightning==1.9", True),
        (SEED_EVERYTHING_PL, "lightning==2.6", False),
    ],
)
def test_seed_everything_without_seed_is_random_before_lightning_2_2(tmp_path, source, target, reported):
    assert ("MLF403" in codes(tmp_path, source, target)) is reported


def test_rule_without_versions_applies_to_every_release(tmp_path):
    source = "from sklearn.model_selection import train_test_split\nparts = train_test_split(X, y)\n"
    assert "MLF402" in codes(tmp_path, source, "scikit-learn==1.0")
    assert "MLF402" in codes(tmp_path, source, "scikit-learn==1.9")


RULE_HEAD = "rules:\n  - code: MLF801\n    symbol: x\n    message: m\n    why: w\n    alternative: a\n"
EXAMPLES = "    examples: {flagged: ['a'], clean: ['b']}\n"


@pytest.mark.parametrize(
    ("match", "message"),
    [
        ("[{mapping: {keys: [{keyword: updater, one_of: [shotgun], default: shotgun}]}}]",
         "field 'match[0].mapping.keys': at least one key condition must need its key"),
        ("[{mapping: {keys: [{position: 0, one_of: [gblinear]}]}}]",
         "field 'match[0].mapping.keys[0]': a key condition names its key with `keyword` (no position)"),
        ("[{iteration: {over: dict-keys}}]", "field 'match[0].iteration.over': 'dict-keys' is not one of string-set"),
        ("[{environment: {variable: [XLA_FLAGS], value: {contains: [1]}}}]",
         "field 'match[0].environment.value.contains': must be a string or a list of strings"),
        ("[{call: {api: [random.Random], seeded_by_method: [re-seed]}}]",
         "field 'match[0].call.seeded_by_method': must be a list of method names"),
        ("[{call: {api: [sklearn.decomposition.PCA], possible: [a]}}]",
         "field 'match[0].call.possible': must be a non-empty string"),
    ],
)
def test_match_kinds_of_these_rules_refuse_bad_definitions(tmp_path, match, message):
    (tmp_path / "extra.yaml").write_text(RULE_HEAD + f"    match: {match}\n" + EXAMPLES)
    (tmp_path / "pyproject.toml").write_text('[tool.mlfcore-lint]\nextend-rules = ["extra.yaml"]\n')
    result = run_cli("check", cwd=tmp_path)
    assert result.returncode == 2, result.stdout
    assert "extra.yaml: rule MLF801: " + message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


UNSEEDED_TF_PROGRAM = 'import tensorflow as tf\nif __name__ == "__main__":\n    model.fit(x, y)\n'


@pytest.mark.parametrize(("target", "seed_api", "switch_api"), [
    ("tensorflow==2.2", "tensorflow.random.set_seed", "TF_DETERMINISTIC_OPS=1"),
    ("tensorflow==2.7", "tensorflow.keras.utils.set_random_seed", "TF_DETERMINISTIC_OPS=1"),
    ("tensorflow==2.11", "tensorflow.keras.utils.set_random_seed",
     "tensorflow.config.experimental.enable_op_determinism"),
    ("tensorflow>=2.6,<2.9", "tensorflow.keras.utils.set_random_seed or tensorflow.random.set_seed",
     "tensorflow.config.experimental.enable_op_determinism or TF_DETERMINISTIC_OPS=1"),
])
def test_a_missing_tensorflow_call_is_the_one_the_targeted_release_has(tmp_path, target, seed_api, switch_api):
    # tf.keras.utils.set_random_seed arrived in 2.7, enable_op_determinism in 2.8 (MLF201's and MLF203's why).
    found = {item["code"]: item for item in findings(tmp_path, UNSEEDED_TF_PROGRAM, target)}
    assert found["MLF201"]["api"] == seed_api
    assert found["MLF203"]["api"] == switch_api


def test_the_switch_a_tensorflow_message_names_is_the_targeted_release_s(tmp_path):
    source = "import tensorflow as tf\ny = tf.nn.bias_add(x, b)\n"
    messages = {item["code"]: item["message"] for item in findings(tmp_path, source, "tensorflow==2.4")}
    assert "unless TF_DETERMINISTIC_OPS=1 is on" in messages["MLF234"], messages


def test_a_missing_call_by_version_refuses_a_bad_range(tmp_path):
    requirement = ("    requirement: {triggered_by: {imports: [torch]}, satisfied_by: [{call: {api: [torch.a]}}],\n"
                   "                  missing: torch.a, missing_by_version: {torch: [{range: 'new', api: torch.b}]}}\n")
    (tmp_path / "extra.yaml").write_text(RULE_HEAD + requirement + EXAMPLES)
    (tmp_path / "pyproject.toml").write_text('[tool.mlfcore-lint]\nextend-rules = ["extra.yaml"]\n')
    result = run_cli("check", cwd=tmp_path)
    assert result.returncode == 2, result.stdout
    assert ("extra.yaml: rule MLF801: field 'requirement.missing_by_version.torch[0].range': 'new' is not a PEP 440 "
            "specifier") in result.stderr


@pytest.mark.parametrize(("call", "certainty"), [
    ("PCA(n_components=50)", None),  # svd_solver="auto": the data's shape decides; the opt-in hint MLF409
    ("PCA(n_components=50, svd_solver='randomized')", "certain"),
    ("PCA(n_components=0.95)", None),  # a fraction picks the full solver
    ("PCA()", None),
    ("LinearSVC()", "inferred"),  # dual: True before 1.5, "auto" from 1.5
    ("LinearSVC(dual=True)", "certain"),
    ("LinearSVC(penalty='l1', dual=False)", "certain"),  # liblinear's L1 solver shuffles
    ("LinearSVC(dual=False)", None),  # the primal L2 solver (TRON) draws nothing
    ("LogisticRegression(solver='liblinear')", None),
    ("LogisticRegression(solver='liblinear', dual=True)", "certain"),
    ("LogisticRegression()", None),  # lbfgs
])
def test_sklearn_estimators_are_reported_where_their_solver_draws(tmp_path, call, certainty):
    source = ("from sklearn.decomposition import PCA\nfrom sklearn.svm import LinearSVC\n"
              f"from sklearn.linear_model import LogisticRegression\nmodel = {call}\n")
    found = [item for item in findings(tmp_path, source) if item["code"] == "MLF401"]
    assert [item["certainty"] for item in found] == ([certainty] if certainty else []), found
    if certainty == "inferred":
        assert found[0]["severity"] == "info" and "[possible: " in found[0]["message"]
