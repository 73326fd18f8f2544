"""Output formats: text (``text.py``), JSON (the stable contract), SARIF 2.1.0 (``sarif.py``) and GitHub
workflow annotations."""

from __future__ import annotations

import json

from .report import Report
from .sarif import format_sarif, path_in_repository, repository_root
from .text import format_statistics, format_text

GITHUB_LEVEL = {"error": "error", "warning": "warning", "info": "notice"}

__all__ = ["format_github", "format_json", "format_report", "format_sarif", "format_statistics", "format_text"]


def format_json(report: Report) -> str:
    return json.dumps([f.to_json() for f in report.findings], indent=2) + "\n"


def _escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(value: str) -> str:
    return _escape_data(value).replace(":", "%3A").replace(",", "%2C")


def format_github(report: Report) -> str:
    """``::error file=...,line=...::message``, the file relative to the repository root (where GitHub looks
for it); a notebook finding at its cell's line in the ``.ipynb`` text."""
    lines, base = [], repository_root(report.root)
    for f in report.findings:
        line, column, end_line, end_column = report.lines.stored_position(f)
        where = "" if f.cell is None else f" (cell {f.cell}, line {f.line})"
        lines.append(
            f"::{GITHUB_LEVEL[f.severity]} title={_escape_property(f'{f.code} {f.symbol}{where}')},"
            f"file={_escape_property(path_in_repository(f.path, base) or f.path)},line={line},col={column},"
            f"endLine={end_line},endColumn={end_column}::{_escape_data(f'{f.code} {f.message}{where}')}"
        )
    return "".join(line + "\n" for line in lines)


def format_report(report: Report, output_format: str, quiet: bool = False, statistics: bool = False) -> str:
    if statistics:
        return format_statistics(report, as_json=output_format == "json")
    if output_format == "json":
        return format_json(report)
    if output_format == "sarif":
        return format_sarif(report)
    if output_format == "github":
        return format_github(report)
    return format_text(report, quiet)
