"""The rules' version ranges agree with ``tests/data/determinism_truth_table.csv``, the facts read from the
frameworks' releases by ``scripts/build_truth_table.py``.

Two kinds of torch rows decide a release's status:

- the lists of the ``torch.use_deterministic_algorithms`` docstring (``torch/__init__.py``), checked op by op
  in ``test_torch_docstring_coverage.py`` against this table;
- the deterministic branches of ``torch/nn/functional.py``: a call that takes a branch under the switch
  (``interpolate(x, mode="bilinear")`` from 2.1) must be deterministic-with-switch in that release, and
  non-deterministic in a release without the branch, whatever the docstring says.
"""

from __future__ import annotations

import ast
import csv
import re
from pathlib import Path

import pytest
from packaging.specifiers import SpecifierSet

from mlfcore_lint.engine.analyze import analyze_source
from mlfcore_lint.engine.index import build_index
from mlfcore_lint.engine.judge import rule_verdict
from mlfcore_lint.ruleset import load_ruleset
from mlfcore_lint.ruleset.schema import DETERMINISTIC, DETERMINISTIC_WITH_SWITCH, NONDETERMINISTIC

RULESET = load_ruleset()
INDEX = build_index(RULESET)

TABLE = Path(__file__).resolve().parent / "data" / "determinism_truth_table.csv"
COLUMNS = ["framework", "release", "item", "status", "condition", "tag", "file", "line"]
TORCH_RELEASES = [f"1.{m}" for m in range(7, 14)] + [f"2.{m}" for m in range(0, 14)]
_RANK = {DETERMINISTIC: 0, DETERMINISTIC_WITH_SWITCH: 1, NONDETERMINISTIC: 2}

# Releases where a rule is more severe than a branch, on purpose: (call, release) -> reason.
STRICTER_THAN_THE_SOURCE = {
    ('torch.nn.functional.pad(x, (1, 1, 1, 1), mode="replicate")', "2.2"):
        "2.2 takes the deterministic path only for four padding sizes on 3-D or 4-D input; MLF111 does not "
        "count the padding sizes, so it reports every replicate pad of 2.2",
}


# A branch that applies to more calls than another: (wider call, narrower call).
WIDER = {
    'torch.nn.functional.pad(x, (1, 1), mode="replicate")':
        'torch.nn.functional.pad(x, (1, 1, 1, 1), mode="replicate")',  # any padding sizes cover four
}


def read_table(path: Path = TABLE) -> list[dict]:
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    rows = list(csv.DictReader(lines))
    assert rows and list(rows[0]) == COLUMNS, f"{path.name}: header is not {COLUMNS}"
    return rows


ROWS = read_table()
BRANCHES = [row for row in ROWS if row["framework"] == "torch" and row["file"] == "torch/nn/functional.py"]


def call_status(call: str, release: str) -> tuple[str, list[str]]:
    """The worst status the rules give ``call`` (a line of code) under ``torch==release``, and their codes."""
    facts = analyze_source(f"import torch\nimport torch.nn.functional\ny = {call}\n", INDEX)
    targets = {"torch": SpecifierSet(f"=={release}")}
    worst, codes = DETERMINISTIC, []
    for candidate in facts.candidates:
        rule = RULESET.get(candidate.code)
        if rule is None or rule.framework != "torch":
            continue
        codes.append(rule.code)
        status = rule_verdict(rule, candidate.matcher, targets, RULESET.releases).status
        worst = max(worst, status, key=_RANK.__getitem__)
    return worst, sorted(set(codes))


def test_the_table_is_well_formed_and_says_where_each_row_was_read():
    for number, row in enumerate(ROWS, start=3):
        assert row["framework"] in ("torch", "tensorflow", "xgboost"), number
        assert row["item"] and row["status"] and row["tag"] and row["file"], number
        assert row["line"].isdigit(), number
        assert not row["file"].startswith("/") and ":" not in row["file"], number  # a path inside the release
    torch_releases = {row["release"] for row in ROWS if row["framework"] == "torch"}
    assert torch_releases == set(TORCH_RELEASES), sorted(set(TORCH_RELEASES) ^ torch_releases)


def test_the_branches_have_the_history_of_the_releases():
    first = {}
    for row in BRANCHES:
        first.setdefault(row["item"], row["release"])
    assert first['torch.nn.functional.interpolate(x, mode="bilinear", antialias=False)'] == "2.1"
    assert first['torch.nn.functional.interpolate(x, mode="trilinear")'] == "2.9"
    assert first['torch.nn.functional.pad(x, (1, 1, 1, 1), mode="replicate")'] == "2.2"
    assert first['torch.nn.functional.pad(x, (1, 1), mode="replicate")'] == "2.3"
    assert first['torch.nn.functional.max_pool3d(x, 2, return_indices=True)'] == "2.13"


@pytest.mark.parametrize("call", sorted({row["item"] for row in BRANCHES}))
def test_a_call_with_a_deterministic_branch_has_the_status_of_its_release(call):
    ast.parse(call)  # each branch row names a call the rules can be run on
    present = {row["release"] for row in BRANCHES if call in (row["item"], WIDER.get(row["item"]))}
    problems = []
    for release in TORCH_RELEASES:
        expected = DETERMINISTIC_WITH_SWITCH if release in present else NONDETERMINISTIC
        if (call, release) in STRICTER_THAN_THE_SOURCE:
            expected = NONDETERMINISTIC
        actual, codes = call_status(call, release)
        if not codes:
            problems.append(f"torch {release}: no rule matches {call}")
        elif actual != expected:
            problems.append(f"torch {release}: the source says {expected}, rules {codes} say {actual}")
    assert not problems, "\n".join(problems)


def test_a_rule_that_disagrees_with_a_branch_is_reported():
    # The check above must be able to fail: a call with no deterministic branch in any release.
    status, codes = call_status('torch.nn.functional.interpolate(x, mode="bicubic")', "2.13")
    assert (status, codes) == (NONDETERMINISTIC, ["MLF102"])
    status, _ = call_status('torch.nn.functional.interpolate(x, mode="bilinear")', "2.0")
    assert status == NONDETERMINISTIC


def test_xgboost_rows_the_rules_rely_on():
    facts = {(row["item"], row["release"]) for row in ROWS if row["framework"] == "xgboost"}
    assert ("#12043", "3.3.0") in facts  # the release that ended the shared random generator
    assert ("#7180", "1.5.0") in facts  # GPU hist always deterministic
    samples = {row["item"] for row in ROWS if row["status"] == "samples-by-default"}
    assert samples == {"xgboost.XGBRFClassifier", "xgboost.XGBRFRegressor"}
    for item in samples:  # MLF305 reports the wrappers with their defaults before 3.3, not from 3.3
        call = f"import xgboost\nforest = {item}(random_state=0)\n"
        codes = [(c.code, c.matcher) for c in analyze_source(call, INDEX).candidates if c.code == "MLF305"]
        assert len(codes) == 1, (item, codes)
        rule = RULESET.get("MLF305")
        verdict = rule_verdict(rule, codes[0][1], {"xgboost": SpecifierSet("==3.2")}, RULESET.releases)
        assert verdict.status == NONDETERMINISTIC
        verdict = rule_verdict(rule, codes[0][1], {"xgboost": SpecifierSet("==3.3")}, RULESET.releases)
        assert verdict.status == DETERMINISTIC


def _first(framework: str, item_part: str, status: str | None = None) -> str:
    releases = [row["release"] for row in ROWS if row["framework"] == framework and item_part in row["item"]
                and (status is None or row["status"] == status)]
    assert releases, (framework, item_part, status)
    return min(releases, key=lambda r: tuple(int(p) for p in r.split(".")))


def _first_status_change(code: str, distribution: str, status: str) -> str:
    """The lowest release of the range in which the rule ``code`` has ``status``."""
    rule = RULESET.get(code)
    ranges = [r for r in [*rule.versions, *(v for m in rule.matchers for v in (m.versions or ()))]
              if r.distribution == distribution and r.status == status]
    assert ranges, (code, status)
    return min(str(s.version) for r in ranges for s in r.specifier if s.operator == ">=")


def test_tensorflow_rows_agree_with_the_rules():
    rows = [row for row in ROWS if row["framework"] == "tensorflow"]
    assert {row["release"] for row in rows} == {f"2.{m}" for m in range(1, 22)}
    # The switch: the environment variable from 2.1 (MLF203, MLF234), the exported function from 2.8 (MLF210).
    assert _first("tensorflow", "TF_DETERMINISTIC_OPS", "switch-available") == "2.1"
    assert _first_status_change("MLF203", "tensorflow", NONDETERMINISTIC) == "2.1"
    assert _first("tensorflow", "tf.nn.bias_add", DETERMINISTIC_WITH_SWITCH) == "2.1"
    assert _first_status_change("MLF234", "tensorflow", DETERMINISTIC_WITH_SWITCH) == "2.1"
    assert _first("tensorflow", "enable_op_determinism", "switch-available") == "2.8"
    assert _first_status_change("MLF210", "tensorflow", NONDETERMINISTIC) == "2.8"
    # tf.data's deterministic=False is overridden by the switch from 2.8 (MLF242, MLF246).
    assert _first("tensorflow", "experimental_deterministic", "overridden-by-switch") == "2.8"
    for code in ("MLF242", "MLF246"):
        assert _first_status_change(code, "tensorflow", DETERMINISTIC_WITH_SWITCH) == "2.8"
    # The sources the switch does not cover, named by its docstring (MLF245).
    assert _first("tensorflow", "tf.compat.v1.Session", "not-covered-by-switch") == "2.8"
    assert _first("tensorflow", "ParameterServerStrategy", "not-covered-by-switch") == "2.8"
    # Segment reductions (and so the gather backward, MLF233) raise under the switch from 2.5 and have a
    # deterministic kernel from 2.7 on.
    assert _first("tensorflow", "unsorted segment reduction op not available") == "2.5"
    assert _first_status_change("MLF228", "tensorflow", DETERMINISTIC_WITH_SWITCH) == "2.7"
    assert _first_status_change("MLF233", "tensorflow", DETERMINISTIC_WITH_SWITCH) == "2.7"
    # Unseeded random ops raise under the switch from 2.7 (MLF201's why).
    assert _first("tensorflow", "random ops must have a seed specified") == "2.7"
    assert "TF 2.7" in RULESET.get("MLF201").why


@pytest.mark.parametrize(("code", "message", "release"), [
    ("MLF220", "ResizeNearestNeighborGrad", "2.7"),
    ("MLF223", "implementation of DenseBincount", "2.7"),
    ("MLF224", "CropAndResizeBackpropImage", "2.6"),
    ("MLF225", "AdjustContrast is", "2.7"),
    ("MLF226", "SparseTensorDenseMatmulOp", "2.6"),
    ("MLF227", "fused batch-norm backprop", "2.7"),
    ("MLF230", "DepthwiseConvBackpropFilter is not currently", "2.7"),
])
def test_a_tensorflow_op_raises_from_the_release_whose_binary_has_its_exception(code, message, release):
    assert _first("tensorflow", message, "raises-under-switch") == release
    assert f"TF {release}" in RULESET.get(code).why, RULESET.get(code).why


def test_the_cublas_requirement_and_inductor_follow_the_docstring():
    cublas = {row["release"] for row in ROWS if row["item"] == "CUBLAS_WORKSPACE_CONFIG"}
    assert cublas == {r for r in TORCH_RELEASES if r not in ("2.10", "2.11", "2.12", "2.13")}
    rule = RULESET.get("MLF162")
    targets = lambda release: {"torch": SpecifierSet(f"=={release}")}  # noqa: E731
    for release in TORCH_RELEASES:
        status = rule_verdict(rule, None, targets(release), RULESET.releases).status
        assert (status != DETERMINISTIC) == (release in cublas), release
    assert _first("torch", "torch.compile", DETERMINISTIC_WITH_SWITCH) == "2.10"
    assert _first_status_change("MLF147", "torch", DETERMINISTIC_WITH_SWITCH) == "2.10"


def test_a_message_states_one_status_under_any_target():
    # The finding appends "in <range> (targeted: ...) unless <switch> is on" to the message of a rule whose
    # range is deterministic-with-switch: the message itself must not deny a deterministic implementation
    # or name the versions, or the sentence would state two statuses at once.
    contradictions = ("no deterministic", "even under", "even with", " before ", " from ", " until ")
    problems = []
    for rule in RULESET:
        ranges = list(rule.versions) + [r for m in rule.matchers for r in (m.versions or ())]
        if any(r.status == DETERMINISTIC_WITH_SWITCH for r in ranges):
            problems += [f"{rule.code}: {rule.summary!r}" for word in contradictions if word in rule.summary]
    assert not problems, "\n".join(problems)


def test_every_rule_says_where_its_fact_comes_from():
    # A rule is a claim about a framework or library: its `why` names the docstring, source file, release note,
    # documentation or truth-table row it rests on. The linter's own MLF9xx findings make no such claim.
    missing = [rule.code for rule in RULESET if not rule.code.startswith("MLF9") and not any(
        marker in rule.why for marker in ("Source:", "docstring", "determinism_truth_table.csv"))]
    assert not missing, missing


def test_a_claim_that_only_a_gpu_can_settle_names_its_fixture():
    # "unconfirmed on a GPU" is followed by the fixture whose deterministic setup settles the claim.
    from mlfcore_lint.verify.catalog import default_fixtures_dir, discover_fixtures

    names = {fixture.name for fixture in discover_fixtures(default_fixtures_dir())}
    problems = []
    for rule in RULESET:
        if "unconfirmed on a GPU" not in rule.why:
            continue
        named = set(re.findall(r"`(MLF\d{3}_[a-z0-9_]+)`", rule.why))
        if not named:
            problems.append(f"{rule.code}: names no fixture")
        problems += [f"{rule.code}: no fixture {name}" for name in sorted(named - names)]
    assert not problems, problems


def test_the_switch_a_tensorflow_finding_asks_for_is_the_one_its_release_has():
    # MLF203 names enable_op_determinism() from the release that exports it, TF_DETERMINISTIC_OPS=1 before.
    from mlfcore_lint.ruleset.versions import missing_api

    requirement = RULESET.get("MLF203").requirement
    function = _first("tensorflow", "enable_op_determinism", "switch-available")
    variable = _first("tensorflow", "TF_DETERMINISTIC_OPS", "switch-available")
    release_key = lambda r: tuple(int(p) for p in r.split("."))  # noqa: E731
    for release in sorted({row["release"] for row in ROWS if row["framework"] == "tensorflow"}, key=release_key):
        named = missing_api(requirement, {"tensorflow": SpecifierSet(f"=={release}")}, RULESET.releases)
        if release_key(release) >= release_key(function):
            assert named == "tensorflow.config.experimental.enable_op_determinism", release
        else:
            assert release_key(release) >= release_key(variable) and named == "TF_DETERMINISTIC_OPS=1", release
