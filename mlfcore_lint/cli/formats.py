"""Output formats: text, JSON (the stable contract), SARIF 2.1.0 and GitHub workflow annotations."""

from __future__ import annotations

import hashlib
import json
from collections import Counter

from .. import __version__
from ..model import Finding
from ..ruleset.schema import RuleSet

SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}
SARIF_RANK = {"certain": 90.0, "inferred": 50.0}
GITHUB_LEVEL = {"error": "error", "warning": "warning", "info": "notice"}


def format_text(findings: list[Finding], files: int, show_source: bool = False, statistics: bool = False,
                read_line=None) -> str:
    lines = []
    for finding in findings:
        lines.append(f"{finding.location}: {finding.code} {finding.message}")
        if show_source and read_line is not None:
            source_line = read_line(finding)
            if source_line is not None:
                lines.append(f"    {source_line.rstrip()}")
                lines.append("    " + " " * (finding.column - 1) + "^")
    if statistics and findings:
        counts = Counter((f.code, f.symbol) for f in findings)
        for (code, symbol), count in sorted(counts.items()):
            lines.append(f"{count:<5} {code} {symbol}")
    noun = "finding" if len(findings) == 1 else "findings"
    where = "file" if files == 1 else "files"
    lines.append(f"Found {len(findings)} {noun} in {files} {where} checked." if findings
                 else f"No findings in {files} {where} checked.")
    return "\n".join(lines) + "\n"


def format_json(findings: list[Finding]) -> str:
    return json.dumps([f.to_json() for f in findings], indent=2) + "\n"


def fingerprint(finding: Finding) -> str:
    text = f"{finding.path}\0{finding.code}\0{finding.api}\0{finding.cell or 0}\0{finding.line}"
    return hashlib.sha256(text.encode()).hexdigest()


def format_sarif(findings: list[Finding], ruleset: RuleSet) -> str:
    used = sorted({f.code for f in findings} | set(ruleset.rules))
    rule_index = {code: i for i, code in enumerate(used)}
    rules = []
    for code in used:
        rule = ruleset.get(code)
        if rule is None:
            continue
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
    results = []
    for finding in findings:
        region = {
            "startLine": finding.line, "startColumn": finding.column,
            "endLine": max(finding.end_line, finding.line),
            "endColumn": max(finding.end_column, 1),
        }
        result = {
            "ruleId": finding.code,
            "level": SARIF_LEVEL[finding.severity],
            "message": {"text": finding.message},
            "locations": [{"physicalLocation": {
                "artifactLocation": {"uri": finding.path.replace("\\", "/").lstrip("./") or finding.path},
                "region": region,
            }}],
            "partialFingerprints": {"primaryLocationLineHash": fingerprint(finding)},
            # GitHub code scanning orders alerts by rank: a finding seen for certain above an inferred one.
            "rank": SARIF_RANK[finding.certainty],
        }
        if finding.code in rule_index:
            result["ruleIndex"] = rule_index[finding.code]
        if finding.cell is not None:
            result["properties"] = {"cell": finding.cell}
        results.append(result)
    document = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "mlfcore-lint", "version": __version__,
                "informationUri": "https://mlfcore-lint.readthedocs.io/", "rules": rules,
            }},
            "results": results,
        }],
    }
    return json.dumps(document, indent=2) + "\n"


def _escape_property(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A").replace(":", "%3A").replace(",", "%2C")


def format_github(findings: list[Finding]) -> str:
    lines = []
    for f in findings:
        message = f"{f.code} {f.message}".replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        lines.append(
            f"::{GITHUB_LEVEL[f.severity]} title={_escape_property(f.code + ' ' + f.symbol)},"
            f"file={_escape_property(f.path)},line={f.line},col={f.column},"
            f"endLine={max(f.end_line, f.line)},endColumn={f.end_column}::{message}"
        )
    return "\n".join(lines) + ("\n" if lines else "")
