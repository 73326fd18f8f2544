"""Run mlfcore-lint on real projects and list every finding per rule, for judging by hand.

    python benchmarks/evaluate_projects.py --projects lightning,timm,keras-hub,flaml

Downloads the sdists (as ``run_benchmark.py`` does, into ``$TMPDIR/mlfcore-lint-benchmark/``), checks each project as a
project of its own, and prints a count per project and rule, then every finding grouped by rule with its
source line, so each can be judged right or wrong.  ``--json FILE`` keeps the raw findings.  The judgements
and their reasons are in ``docs/evaluation.md``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

from run_benchmark import DEFAULT_WORK, REPO, BenchmarkError, format_table, mlfcore_env, project_source

DEFAULT_PROJECTS = ("lightning", "timm", "keras-hub", "flaml")


def findings_of(source: Path) -> list[dict]:
    command = [sys.executable, "-m", "mlfcore_lint", "check", str(source), "--config",
               str(source / "pyproject.toml"), "--format", "json", "--no-cache"]
    result = subprocess.run(command, cwd=REPO, env=mlfcore_env(), capture_output=True, text=True, check=False)
    if result.returncode not in (0, 1):
        raise BenchmarkError(f"mlfcore-lint on {source.name} exited {result.returncode}: {result.stderr.strip()}")
    findings = json.loads(result.stdout)
    for finding in findings:
        finding["project"] = source.name
        finding["relative"] = (REPO / finding["path"]).resolve().relative_to(source.resolve()).as_posix()
    return findings


def source_line(source: Path, finding: dict) -> str:
    try:
        lines = (source / finding["relative"]).read_text(encoding="utf-8", errors="replace").splitlines()
        return lines[finding["line"] - 1].strip()
    except (OSError, IndexError):
        return ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--projects", default=",".join(DEFAULT_PROJECTS), help="comma-separated PyPI names")
    parser.add_argument("--work", type=Path, default=DEFAULT_WORK)
    parser.add_argument("--json", type=Path, help="write every finding to this JSON file")
    parser.add_argument("--per-rule", type=int, default=0, help="list at most N findings per rule (0: all)")
    args = parser.parse_args(argv)
    try:
        sources = [project_source(name.strip(), args.work) for name in args.projects.split(",") if name.strip()]
        findings = [finding for source in sources for finding in findings_of(source)]
    except BenchmarkError as error:
        print(f"evaluate_projects: {error}", file=sys.stderr)
        return 2
    by_source = {source.name: source for source in sources}
    counts = Counter((f["code"], f["project"]) for f in findings)
    codes = sorted({code for code, _ in counts})
    rows = [[code, *[str(counts[(code, s.name)]) for s in sources], str(sum(counts[(code, s.name)] for s in sources))]
            for code in codes]
    rows.append(["total", *[str(sum(1 for f in findings if f["project"] == s.name)) for s in sources],
                 str(len(findings))])
    print(format_table(["rule", *[s.name for s in sources], "all"], rows))
    grouped: dict[str, list[dict]] = defaultdict(list)
    for finding in findings:
        grouped[finding["code"]].append(finding)
    for code in codes:
        listed = grouped[code] if not args.per_rule else grouped[code][: args.per_rule]
        print(f"\n{code} {grouped[code][0]['symbol']} ({len(grouped[code])})")
        for finding in listed:
            where = f"{finding['project']}/{finding['relative']}:{finding['line']}"
            print(f"  {where}  {source_line(by_source[finding['project']], finding)}")
            print(f"      {finding['message']}")
    if args.json:
        args.json.write_text(json.dumps(findings, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
