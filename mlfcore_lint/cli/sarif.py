"""SARIF 2.1.0 for GitHub code scanning and other viewers.

URIs are relative to the repository root (or the project root outside a repository) under the base id
``SRCROOT``, whatever folder the command runs in; a file outside it gets an absolute ``file://`` URI.
Fingerprints follow the content of the finding's line, not its number, so inserting lines above a finding
keeps its alert. A notebook finding points at the cell's line inside the ``.ipynb`` text.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from pathlib import Path

from .. import __version__
from .report import Report

SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}
SARIF_RANK = {"certain": 90.0, "inferred": 50.0}
ROOT_ID = "SRCROOT"
FINGERPRINT_KEY = "mlfcoreLint/contextHash/v1"


def repository_root(project_root: Path) -> Path:
    """The folder of the git repository holding ``project_root``, else ``project_root`` itself."""
    root = project_root.resolve()
    for candidate in [root, *root.parents]:
        if (candidate / ".git").exists():
            return candidate
    return root


def path_in_repository(path: str, base: Path) -> str | None:
    """``path`` relative to ``base`` (``/`` separated), or None for a file outside it."""
    absolute = Path(os.path.abspath(path))
    for candidate in (absolute, Path(os.path.realpath(absolute))):
        if candidate.is_relative_to(base):
            return candidate.relative_to(base).as_posix()
    return None


def artifact_location(path: str, base: Path) -> dict:
    relative = path_in_repository(path, base)
    if relative is None:
        return {"uri": Path(os.path.abspath(path)).as_uri()}
    return {"uri": relative, "uriBaseId": ROOT_ID}


def _rules(report: Report) -> tuple[list[dict], dict[str, int]]:
    codes = sorted({f.code for f in report.findings} | set(report.ruleset.rules))
    rules, index = [], {}
    for code in codes:
        rule = report.ruleset.get(code)
        if rule is None:
            continue
        index[code] = len(rules)
        rules.append({
            "id": code,
            "name": rule.symbol,
            "shortDescription": {"text": rule.summary},
            "fullDescription": {"text": rule.why},
            "help": {"text": f"{rule.why}\n\nUse instead: {rule.alternative}",
                     "markdown": f"{rule.why}\n\n**Use instead:** {rule.alternative}"},
            "helpUri": rule.url,
            "defaultConfiguration": {"level": SARIF_LEVEL[rule.severity],
                                     **({"enabled": False} if rule.hint else {})},
            "properties": {"tags": ["determinism", *rule.tags]},
        })
    return rules, index


def fingerprints(report: Report, uris: list[str]) -> list[str]:
    """One per finding: its file, rule, API and the whitespace-normalised text of its line, with the number
    of earlier findings that share all of these (two equal lines in one file stay apart)."""
    seen: Counter = Counter()
    result = []
    for finding, uri in zip(report.findings, uris, strict=True):
        text = " ".join((report.lines.line(finding) or "").split())
        key = (uri, finding.code, finding.api, text)
        seen[key] += 1
        digest = hashlib.sha256("\0".join((*key, str(seen[key]))).encode()).hexdigest()
        result.append(f"{digest[:32]}:{seen[key]}")
    return result


def format_sarif(report: Report) -> str:
    base = repository_root(report.root)
    rules, rule_index = _rules(report)
    locations = [artifact_location(f.path, base) for f in report.findings]
    results = []
    for finding, location, fingerprint in zip(report.findings, locations, fingerprints(
            report, [loc["uri"] for loc in locations]), strict=True):
        line, column, end_line, end_column = report.lines.stored_position(finding)
        message = finding.message if finding.cell is None else \
            f"{finding.message} (cell {finding.cell}, line {finding.line}, column {finding.column})"
        result = {
            "ruleId": finding.code,
            "level": SARIF_LEVEL[finding.severity],
            "message": {"text": message},
            "locations": [{"physicalLocation": {
                "artifactLocation": location,
                "region": {"startLine": line, "startColumn": column, "endLine": end_line, "endColumn": end_column},
            }}],
            # GitHub keeps the alert while this stays the same; its own line hash follows content as well.
            "partialFingerprints": {FINGERPRINT_KEY: fingerprint, "primaryLocationLineHash": fingerprint},
            # Code scanning orders alerts by rank: a finding seen for certain above an inferred one.
            "rank": SARIF_RANK[finding.certainty],
        }
        if finding.code in rule_index:
            result["ruleIndex"] = rule_index[finding.code]
        if finding.cell is not None:
            result["properties"] = {"cell": finding.cell, "cellLine": finding.line, "cellColumn": finding.column}
        results.append(result)
    document = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "mlfcore-lint", "version": __version__, "semanticVersion": __version__,
                "informationUri": "https://mlfcore-lint.readthedocs.io/", "rules": rules,
            }},
            "invocations": [{"executionSuccessful": report.successful}],
            "originalUriBaseIds": {ROOT_ID: {"uri": base.as_uri() + "/"}},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    }
    return json.dumps(document, indent=2) + "\n"
