"""Every op that the `torch.use_deterministic_algorithms` docstring lists has a rule with the right status.

Two sources: the docstring of the installed torch, and ``tests/data/determinism_truth_table.csv``, which
records the lists of every release from 1.7 to 2.13 as read from each release's ``torch/__init__.py``. An op is covered for a release when a rule matches its
name (or the public path the name re-exports, or its method form) and the rule's versions give that
release the status the docstring does: "throws" is ``nondeterministic``, "acts deterministically" is
``deterministic-with-switch``. Where one release lists an op under both (``put_`` with and without
``accumulate``), the worse status is expected, because the condition that separates them is seldom visible
in the source.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from packaging.specifiers import SpecifierSet
from packaging.version import Version

from mlfcore_lint.ruleset.schema import (
    DETERMINISTIC,
    DETERMINISTIC_WITH_SWITCH,
    NONDETERMINISTIC,
    CallMatcher,
)
from mlfcore_lint.ruleset.versions import evaluate

from .test_truth_table import BRANCHES, INDEX, ROWS, RULESET, TORCH_RELEASES

_RANK = {DETERMINISTIC: 0, DETERMINISTIC_WITH_SWITCH: 1, NONDETERMINISTIC: 2}

# Ops the docstring lists that no per-use rule reports, on purpose.
LEFT_TO_THE_SWITCH = {
    **{f"torch.nn.{layer}": "cuDNN picks the convolution algorithm; the switch fixes it, and MLF161 reports a "
                            "program that never turns it on, instead of every convolution layer"
       for layer in ("Conv1d", "Conv2d", "Conv3d", "ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d")},
    "torch.bmm": "only sparse-dense CUDA bmm is listed, and sparsity cannot be seen in the source; dense bmm is "
                 "a cuBLAS algorithm choice left to MLF161 (and MLF162 for the workspace)",
    "torch.Tensor.__getitem__": "advanced indexing `x[[i, j]]` is subscript syntax, not a call; its CPU backward "
                                "is deterministic under the switch, which MLF161 requires",
    "torch.__getitem__": "the 1.8 name of torch.Tensor.__getitem__",
    **{f"torch.{name}": "returns uninitialized memory, which the switch fills from 2.1 (MLF161); turning the "
                        "fill off is MLF146"
       for name in ("empty", "empty_like", "empty_strided", "empty_permuted")},
}

# Modules whose forward goes through a wrapper with a deterministic branch: where the release has the branch
# (tests/data/determinism_truth_table.csv), the source decides, not the docstring. name -> the branch's call.
SOURCE_DECIDES = {
    # `_ReplicationPadNd.forward` is `F.pad(input, self.padding, "replicate")` (torch/nn/modules/padding.py).
    "torch.nn.ReplicationPad1d": 'torch.nn.functional.pad(x, (1, 1), mode="replicate")',
    "torch.nn.ReplicationPad3d": 'torch.nn.functional.pad(x, (1, 1), mode="replicate")',
}

# Releases where a rule is deliberately more severe than the docstring: (name, release) -> reason.
STRICTER_THAN_LISTED = {
    ("torch.index_put", "1.8"): "1.8 lists only accumulate=True on CPU; accumulate=False (the default) had no "
                                "deterministic path before 1.9, so MLF130 reports it as nondeterministic",
}


@dataclass(frozen=True)
class Listing:
    name: str
    status: str
    releases: SpecifierSet


def read_matrix() -> tuple[tuple[str, ...], list[Listing]]:
    """The docstring rows of the truth table, one listing per release."""
    listings = [Listing(row["item"], row["status"], SpecifierSet(f"=={row['release']}"))
                for row in ROWS if row["framework"] == "torch" and row["file"] == "torch/__init__.py"
                and row["status"] in _RANK and row["item"] != "torch.compile"]
    # Only the bullets of the two lists: the CUBLAS_WORKSPACE_CONFIG requirement and the Inductor sentence
    # (torch.compile) are checked in test_truth_table.py.
    for item in listings:
        assert item.status in _RANK, item
    return tuple(TORCH_RELEASES), listings


def source_decides(name: str, release: str) -> bool:
    call = SOURCE_DECIDES.get(name)
    return call is not None and any(row["item"] == call and row["release"] == release for row in BRANCHES)


def docstring_listings(docstring: str, release: str) -> list[Listing]:
    """The ops named in the bullets of the docstring, with the status of the list they are in."""
    listings = []
    status = None
    for paragraph in re.split(r"\n\s*\n", docstring):
        text = " ".join(paragraph.split())
        if text.startswith("The following"):  # the sentence that introduces a list
            status = DETERMINISTIC_WITH_SWITCH if "act deterministically" in text else NONDETERMINISTIC
            continue
        listings.extend(_bullets(paragraph, status, release))
    return listings


def _bullets(paragraph: str, status: str | None, release: str) -> list[Listing]:
    listings = []
    for line in paragraph.splitlines():
        bullet = re.match(r"\s*\*\s*:(?:class|func|meth|attr):`(torch\.[\w.]+)`", line)
        if bullet and status is not None:
            listings.append(Listing(bullet.group(1), status, SpecifierSet(f"=={release}")))
    return listings


def expected_status(listings: list[Listing], name: str, release: str) -> str | None:
    statuses = [item.status for item in listings if item.name == name and item.releases.contains(release)]
    return max(statuses, key=_RANK.__getitem__) if statuses else None


def covers(matcher: CallMatcher, name: str) -> bool:
    canonical = INDEX.canonical(name)
    return (
        any(INDEX.canonical(api) == canonical for api in matcher.apis)
        or name.rsplit(".", 1)[-1] in matcher.methods
    )


def rule_status(name: str, release: str) -> tuple[str, list[str]]:
    """The worst status the rules that match ``name`` give ``release``, and those rules' codes."""
    worst, codes = DETERMINISTIC, []
    targets = {"torch": SpecifierSet(f"=={release}")}
    for rule in RULESET:
        for matcher in rule.matchers:
            if rule.framework != "torch" or not isinstance(matcher, CallMatcher) or not covers(matcher, name):
                continue
            status = evaluate(matcher.versions or rule.versions, targets, RULESET.releases).status
            codes.append(rule.code)
            if _RANK[status] > _RANK[worst]:
                worst = status
    return worst, sorted(set(codes))


def coverage_problems(listings: list[Listing], releases: tuple[str, ...]) -> list[str]:
    problems = []
    for name in sorted({item.name for item in listings}):
        if name in LEFT_TO_THE_SWITCH:
            continue
        for release in releases:
            expected = expected_status(listings, name, release)
            if expected is None or (name, release) in STRICTER_THAN_LISTED:
                continue
            if source_decides(name, release):
                expected = DETERMINISTIC_WITH_SWITCH
            actual, codes = rule_status(name, release)
            if not codes:
                problems.append(f"{name}: no rule matches it (listed as {expected} in torch {release})")
                break
            if actual != expected:
                problems.append(f"{name} in torch {release}: listed as {expected}, rules {codes} say {actual}")
    return problems


def test_every_op_of_every_release_in_the_matrix_is_covered():
    releases, listings = read_matrix()
    assert set(releases) <= set(RULESET.releases["torch"])
    problems = coverage_problems(listings, releases)
    assert not problems, "\n".join(problems)


@pytest.mark.slow
def test_every_op_of_the_installed_docstring_is_covered():
    torch = pytest.importorskip("torch")
    release = ".".join(str(part) for part in Version(torch.__version__).release[:2])
    listings = docstring_listings(torch.use_deterministic_algorithms.__doc__, release)
    assert len(listings) >= 20, "the docstring's bullet lists were not found"
    problems = coverage_problems(listings, (release,))
    assert not problems, "\n".join(problems)


def test_the_matrix_agrees_with_the_installed_docstring():
    torch = pytest.importorskip("torch")
    release = ".".join(str(part) for part in Version(torch.__version__).release[:2])
    releases, listings = read_matrix()
    if release not in releases:
        pytest.skip(f"the matrix does not record torch {release}")
    from_docstring = {(item.name, item.status) for item in docstring_listings(
        torch.use_deterministic_algorithms.__doc__, release)}
    from_matrix = {(item.name, item.status) for item in listings if item.releases.contains(release)}
    assert from_docstring == from_matrix


def test_the_source_overrides_the_docstring_only_where_the_branch_is():
    assert not source_decides("torch.nn.ReplicationPad1d", "2.2")
    assert source_decides("torch.nn.ReplicationPad1d", "2.3")
    assert rule_status("torch.nn.ReplicationPad1d", "2.2") == (NONDETERMINISTIC, ["MLF111"])
    assert rule_status("torch.nn.ReplicationPad3d", "2.3") == (DETERMINISTIC_WITH_SWITCH, ["MLF111"])


def test_exclusions_name_listed_ops_and_give_reasons():
    _, listings = read_matrix()
    listed = {item.name for item in listings}
    for name, reason in LEFT_TO_THE_SWITCH.items():
        assert name in listed, f"{name} is excluded but not listed"
        assert len(reason) > 20
    for (name, release), reason in STRICTER_THAN_LISTED.items():
        actual, _ = rule_status(name, release)
        assert expected_status(listings, name, release) == DETERMINISTIC_WITH_SWITCH
        assert actual == NONDETERMINISTIC, reason


def test_max_pool3d_has_the_classic_history():
    assert rule_status("torch.nn.MaxPool3d", "2.11") == (NONDETERMINISTIC, ["MLF101"])
    assert rule_status("torch.nn.MaxPool3d", "2.12") == (NONDETERMINISTIC, ["MLF101"])  # 2.12 still lists it
    assert rule_status("torch.nn.MaxPool3d", "2.13") == (DETERMINISTIC_WITH_SWITCH, ["MLF101"])


def test_a_missing_rule_and_a_wrong_status_are_reported():
    listings = [
        Listing("torch.not_an_op", NONDETERMINISTIC, SpecifierSet(">=1.7")),
        Listing("torch.nn.MaxPool3d", NONDETERMINISTIC, SpecifierSet("==2.13")),
    ]
    problems = coverage_problems(listings, ("2.11", "2.13"))
    assert problems == [
        "torch.nn.MaxPool3d in torch 2.13: listed as nondeterministic, rules ['MLF101'] say deterministic-with-switch",
        "torch.not_an_op: no rule matches it (listed as nondeterministic in torch 2.11)",
    ]
