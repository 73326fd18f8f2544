"""The text format, for people: ``path:line:column: CODE [*] severity: message``, a summary, statistics."""

from __future__ import annotations

import json
from collections import Counter

from .report import Report
from .terminal import SEVERITY_STYLE, printable


def finding_line(report: Report, finding) -> str:
    paint = report.palette.paint
    marker = " " + paint("[*]", "cyan") if report.show_fixes and report.is_fixable(finding) else ""
    location = paint(printable(finding.path), "bold") + ":" + finding.location[len(finding.path) + 1:]
    severity = paint(finding.severity, SEVERITY_STYLE.get(finding.severity, "bold"))
    return f"{location}: {paint(finding.code, 'bold', SEVERITY_STYLE.get(finding.severity, 'bold'))}{marker} " \
           f"{severity}: {printable(finding.message)}"


def source_excerpt(report: Report, finding) -> list[str]:
    """The finding's line (in its cell, for a notebook) with a caret under its column."""
    text = report.lines.line(finding)
    if text is None:
        return []
    same_line = finding.end_line == finding.line
    width = max(1, finding.end_column - finding.column if same_line else len(text) - finding.column + 1)
    caret = "    " + " " * (finding.column - 1) + report.palette.paint("^" * width, "red")
    return [f"    {printable(text.rstrip(), keep_tabs=True)}", caret]


def _findings(count: int) -> str:
    return f"{count} finding" if count == 1 else f"{count} findings"


def summary(report: Report) -> str:
    findings, files = report.findings, report.files
    where = "file" if files == 1 else "files"
    if not findings and not report.fixed:
        return f"No findings in {files} {where} checked."
    severities = Counter(f.severity for f in findings)
    by_severity = ", ".join(f"{severities[s]} {s}{'s' if severities[s] != 1 and s != 'info' else ''}"
                            for s in ("error", "warning", "info") if severities[s])
    if report.fixed:
        left = f"{len(findings)} remaining: {by_severity}" if findings else "0 remaining"
        total = _findings(len(findings) + report.fixed)
        text = f"Found {total} ({report.fixed} fixed, {left}) in {files} {where} checked."
    else:
        text = f"Found {_findings(len(findings))} ({by_severity}) in {files} {where} checked."
    fixable = sum(1 for f in findings if report.is_fixable(f))
    if fixable and report.show_fixes:
        option = "--fix --unsafe-fixes" if report.unsafe_fixes else "--fix"
        text += f"\n[*] {fixable} fixable with `mlfcore-lint check {option}`."
    return text


def format_text(report: Report, quiet: bool = False) -> str:
    lines = []
    for finding in report.findings:
        lines.append(finding_line(report, finding))
        if report.show_source:
            lines.extend(source_excerpt(report, finding))
    if not quiet:
        lines.append(summary(report))
    return "".join(line + "\n" for line in lines)


def statistics_rows(report: Report) -> list[dict]:
    counts = Counter(f.code for f in report.findings)
    fixable = Counter(f.code for f in report.findings if report.is_fixable(f))
    symbols = {f.code: f.symbol for f in report.findings}
    severity = {f.code: f.severity for f in report.findings}
    return [{"code": code, "name": symbols[code], "severity": severity[code], "count": count,
             "fixable": fixable[code] > 0} for code, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


def format_statistics(report: Report, as_json: bool = False) -> str:
    """Only the counts per rule (``--statistics``): a table, or a JSON list."""
    rows = statistics_rows(report)
    if as_json:
        return json.dumps(rows, indent=2) + "\n"
    paint = report.palette.paint
    return "".join(
        f"{row['count']:>5}  {paint(row['code'], 'bold')}  {'[*]' if row['fixable'] else '   '}  "
        f"{row['severity']:<7}  {row['name']}\n" for row in rows)
