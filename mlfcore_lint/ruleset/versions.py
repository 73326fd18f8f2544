"""Which status a rule has across the framework versions a project targets."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from packaging.specifiers import SpecifierSet
from packaging.version import InvalidVersion, Version

from .schema import DETERMINISTIC, DETERMINISTIC_WITH_SWITCH, NONDETERMINISTIC, Requirement, VersionRange

_SEVERITY_OF_STATUS = {NONDETERMINISTIC: 2, DETERMINISTIC_WITH_SWITCH: 1, DETERMINISTIC: 0}


@dataclass(frozen=True)
class Verdict:
    status: str
    ranges: tuple[VersionRange, ...]  # the ranges that give this status within the targets
    versions: tuple[str, ...]  # the targeted versions that have it

    @property
    def versions_text(self) -> str:
        return ", ".join(r.text for r in self.ranges)


ALWAYS = Verdict(NONDETERMINISTIC, (), ())


@lru_cache(maxsize=4096)
def _parse(version: str) -> Version | None:
    try:
        return Version(version)
    except InvalidVersion:
        return None


@lru_cache(maxsize=256)
def candidate_versions(releases: tuple[str, ...], target: SpecifierSet | None) -> tuple[str, ...]:
    """The versions a target admits: known releases plus the versions the target itself names (remembered: the
    project step asks for the same distribution's versions for every rule it evaluates)."""
    pool = list(releases)
    if target is not None:
        for spec in target:
            text = spec.version.removesuffix(".*")
            if spec.operator not in ("<", "!=") and _parse(text) is not None:
                pool.append(text)
        pool = [v for v in pool if _parse(v) is not None and target.contains(v, prereleases=True)]
    seen: dict[Version, str] = {}
    for version in pool:
        parsed = _parse(version)
        if parsed is not None:
            seen.setdefault(parsed, version)
    return tuple(seen[v] for v in sorted(seen))


def evaluate(
    ranges: tuple[VersionRange, ...],
    targets: dict[str, SpecifierSet],
    releases: dict[str, tuple[str, ...]],
) -> Verdict:
    """The worst status of ``ranges`` over the targeted versions (``ALWAYS`` when a rule has no ranges).

    A version that no range covers counts as deterministic: the rule does not apply to it.  When the
    ranges name several distributions (``tensorflow`` and ``keras``) and the project targets some of
    them, only the targeted ones decide: an untargeted distribution would admit every release.
    """
    if not ranges:
        return ALWAYS
    by_distribution: dict[str, list[VersionRange]] = {}
    for version_range in ranges:
        by_distribution.setdefault(version_range.distribution, []).append(version_range)
    targeted = {name: found for name, found in by_distribution.items() if name in targets}
    if targeted:
        by_distribution = targeted
    worst = Verdict(DETERMINISTIC, (), ())
    for distribution, dist_ranges in by_distribution.items():
        candidates = candidate_versions(releases.get(distribution, ()), targets.get(distribution))
        hits: dict[str, tuple[list[VersionRange], list[str]]] = {}
        for version in candidates:
            for version_range in dist_ranges:
                if version_range.specifier.contains(version, prereleases=True):
                    used, versions = hits.setdefault(version_range.status, ([], []))
                    if version_range not in used:
                        used.append(version_range)
                    versions.append(version)
                    break
        for status, (used, versions) in hits.items():
            if _SEVERITY_OF_STATUS[status] > _SEVERITY_OF_STATUS[worst.status]:
                worst = Verdict(status, tuple(used), tuple(versions))
    return worst


def missing_api(requirement: Requirement, targets: dict[str, SpecifierSet],
                releases: dict[str, tuple[str, ...]]) -> str:
    """What a requirement's finding names as missing under the targets: from ``missing_by_version``, the API of
    every range that holds a targeted release ("A or B" where the targets span ranges with different APIs);
    the rule's ``missing`` where no listed distribution is targeted by version."""
    for distribution in dict.fromkeys(entry[0] for entry in requirement.missing_by_version):
        target = targets.get(distribution)
        if target is None or not str(target):
            continue
        versions = candidate_versions(releases.get(distribution, ()), target)
        apis = [api for name, specifier, api in requirement.missing_by_version if name == distribution
                and any(specifier.contains(v, prereleases=True) for v in versions)]
        if apis:
            return " or ".join(dict.fromkeys(apis))
    return requirement.missing_api
