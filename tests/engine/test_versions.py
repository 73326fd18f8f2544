"""The version logic: a range counts as non-deterministic when any targeted version in it is."""

from __future__ import annotations

from packaging.specifiers import SpecifierSet

from mlfcore_lint.ruleset.schema import VersionRange
from mlfcore_lint.ruleset.versions import candidate_versions, evaluate

RELEASES = {"torch": ("2.10", "2.11", "2.12", "2.13")}
MAXPOOL = (
    VersionRange("torch", SpecifierSet("<2.13"), "nondeterministic"),
    VersionRange("torch", SpecifierSet(">=2.13"), "deterministic-with-switch"),
)


def test_candidates_include_versions_the_target_names():
    assert candidate_versions(RELEASES["torch"], SpecifierSet("==2.14")) == ("2.14",)
    assert candidate_versions(RELEASES["torch"], SpecifierSet(">=2.11,<2.13")) == ("2.11", "2.12")
    assert candidate_versions(RELEASES["torch"], None) == RELEASES["torch"]
    assert candidate_versions(RELEASES["torch"], SpecifierSet("==2.13.*")) == ("2.13",)


def test_worst_status_over_the_targets_names_its_versions():
    verdict = evaluate(MAXPOOL, {"torch": SpecifierSet(">=2.11")}, RELEASES)
    assert verdict.status == "nondeterministic"
    assert verdict.versions == ("2.11", "2.12") and verdict.versions_text == "torch<2.13"
    assert evaluate(MAXPOOL, {"torch": SpecifierSet("==2.13")}, RELEASES).status == "deterministic-with-switch"
    assert evaluate(MAXPOOL, {}, RELEASES).status == "nondeterministic"


def test_versions_outside_every_range_are_deterministic():
    fixed = (VersionRange("torch", SpecifierSet("<2.10"), "nondeterministic"),)
    assert evaluate(fixed, {"torch": SpecifierSet("==2.13")}, RELEASES).status == "deterministic"


def test_rule_without_ranges_always_applies():
    assert evaluate((), {}, RELEASES).status == "nondeterministic"
