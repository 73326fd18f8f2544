"""Measure mlfcore-lint's findings on the evaluation set against judgments made by hand.

    python benchmarks/evaluation/evaluate.py                       # fetch what is missing, run, report
    python benchmarks/evaluation/evaluate.py --sources DIR         # projects already unpacked as DIR/<name>
    python benchmarks/evaluation/evaluate.py --json report.json    # the same report as JSON as well
    python benchmarks/evaluation/evaluate.py --unjudged-csv new.csv  # rows to judge, ready for judgments.csv

The projects (``projects.toml``) are checked one by one as a user would: ``python -m mlfcore_lint check .
--format json --no-cache`` run from the project's root, so that the project's own configuration and pins
apply.  The linter is imported from this repository (``PYTHONPATH`` is set to it), run by ``--python``
(default: the interpreter running this script).

Matching.  A finding matches a judgment of the same project, file and code whose ``line_sha1`` (the sha1 of
the stripped source line) is that of the finding's line; where several judgments share that key, the one
nearest in line number is taken.  A finding that matches no judgment that way matches one of the same
project, file and code at the same line number (the line changed).  Last, where a file has exactly one
finding and one judgment of a code left unmatched, they match (a program rule whose anchor line moved).
A judgment with a ``subject`` (the
first name the message puts in backticks, such as the distribution of MLF060: several findings of one rule
can share a line) matches only a finding whose message names that subject.  Each judgment matches at most
one finding.  ``judged_on`` names the linter revision whose finding was
judged; the right findings kept are also counted per revision, since a finding judged on a later engine
was never reported by an earlier one.

Misses.  A miss names what a reviewer wants reported: ``expected`` is a code (``MLF160``), a family given
as a prefix ending in ``*`` (``MLF16*``: any of MLF160-MLF169), or several of these separated by ``|``.
``scope`` says where a finding must be to catch it: ``line``: at the miss's line (found by ``line_sha1``,
else by its number) in its file; ``file``: anywhere in its file (a program-level rule reported for the
program whose entry point is that file).

Precision is right / (right + wrong); debatable and unjudged findings are left out of it and counted
apart.  Exit status: 0 when the report was made, 1 when ``--targets`` is given and a target of issue 10 is
not met, 2 when the data is bad (a malformed row, a duplicate, an unknown project, code or verdict) or a
project cannot be fetched or checked.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
# outside this repository: its .gitignore would hide fetched projects (their .git is removed) from the linter
DEFAULT_WORK = Path(tempfile.gettempdir()) / "mlfcore-lint-evaluation"
GIT_URL = "https://github.com/{repo}.git"
VERDICTS = ("right", "wrong", "debatable")
JUDGMENT_COLUMNS = ("project", "version", "file", "line", "code", "verdict", "reason", "line_sha1", "judged_on",
                    "subject")
#: Rules whose findings on one line differ by what they name (MLF060's distributions at line 1 of a file).
SUBJECT_CODES = frozenset({"MLF060", "MLF062"})
SUBJECT = re.compile(r"`([^`]+)`")
MISS_COLUMNS = ("project", "file", "line", "expected", "scope", "reason", "line_sha1")
CODE = re.compile(r"MLF\d{3}")
EXPECTED = re.compile(r"MLF\d{1,3}\*?")
FRAMEWORKS = ("torch", "tensorflow", "tensorflow-cpu", "keras", "xgboost", "lightning", "pytorch-lightning",
              "scikit-learn")


class DataError(Exception):
    """Bad evaluation data, or a project that cannot be fetched or checked."""


def line_sha1(text: str) -> str:
    return hashlib.sha1(text.strip().encode("utf-8")).hexdigest()


# ---------------------------------------------------------------------------------------------- data


@dataclass
class Project:
    name: str
    source: str
    commit: str
    framework: str
    kind: str
    absent: list[str] = field(default_factory=list)

    @property
    def version(self) -> str:
        return self.commit[:12] if self.source.startswith("github:") else self.commit


@dataclass
class Judgment:
    row: int
    project: str
    version: str
    file: str
    line: int
    code: str
    verdict: str
    reason: str
    sha1: str
    judged_on: str
    subject: str = ""  # empty: any finding of that place

    def fits(self, finding: dict) -> bool:
        return not self.subject or self.subject == finding.get("subject")


@dataclass
class Miss:
    row: int
    project: str
    file: str
    line: int
    expected: str
    scope: str
    reason: str
    sha1: str

    def wants(self, code: str) -> bool:
        for part in self.expected.split("|"):
            if part.endswith("*") and code.startswith(part[:-1]) or code == part:
                return True
        return False


def read_projects(path: Path) -> list[Project]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise DataError(f"{path}: {error}") from error
    projects = []
    for index, entry in enumerate(data.get("project", []), 1):
        missing = [key for key in ("name", "source", "commit", "framework", "kind") if not entry.get(key)]
        if missing:
            raise DataError(f"{path}: project #{index} lacks {', '.join(missing)}")
        source = entry["source"]
        if not (source.startswith("github:") and source.count("/") == 1 or source.startswith("pypi:")):
            raise DataError(f"{path}: project {entry['name']}: source must be github:owner/name or pypi:name")
        if source.startswith("github:") and not re.fullmatch(r"[0-9a-f]{40}", entry["commit"]):
            raise DataError(f"{path}: project {entry['name']}: a github source needs a 40-digit commit")
        projects.append(Project(entry["name"], source, entry["commit"], entry["framework"], entry["kind"],
                                list(entry.get("absent", []))))
    names = Counter(project.name for project in projects)
    if not projects or any(count > 1 for count in names.values()):
        raise DataError(f"{path}: no projects, or a name given twice: {[n for n, c in names.items() if c > 1]}")
    return projects


def read_rows(path: Path, columns: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise DataError(f"{path}: {error}") from error
    reader = csv.DictReader(io.StringIO(text))
    if tuple(reader.fieldnames or ()) != columns:
        raise DataError(f"{path}: the header must be {','.join(columns)}, not {','.join(reader.fieldnames or ())}")
    rows = []
    for row in reader:
        if None in row or any(value is None for value in row.values()):
            raise DataError(f"{path}:{reader.line_num}: the row does not have {len(columns)} fields")
        rows.append((reader.line_num, {key: value.strip() for key, value in row.items()}))
    return rows


def positive_line(path: Path, number: int, value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise DataError(f"{path}:{number}: line must be a positive number, not {value!r}")
    return int(value)


def read_judgments(path: Path, projects: dict[str, Project]) -> list[Judgment]:
    judgments = []
    for number, row in read_rows(path, JUDGMENT_COLUMNS):
        if row["project"] not in projects:
            raise DataError(f"{path}:{number}: unknown project {row['project']!r}")
        if row["version"] != projects[row["project"]].version:
            raise DataError(f"{path}:{number}: version {row['version']!r} is not the project's "
                            f"{projects[row['project']].version!r}")
        if not CODE.fullmatch(row["code"]):
            raise DataError(f"{path}:{number}: {row['code']!r} is not a rule code")
        if row["verdict"] not in VERDICTS:
            raise DataError(f"{path}:{number}: verdict must be one of {', '.join(VERDICTS)}, not {row['verdict']!r}")
        if not row["reason"]:
            raise DataError(f"{path}:{number}: a judgment needs a reason")
        if not re.fullmatch(r"[0-9a-f]{40}", row["line_sha1"]):
            raise DataError(f"{path}:{number}: line_sha1 must be 40 hex digits")
        if not row["judged_on"]:
            raise DataError(f"{path}:{number}: judged_on must name the linter that reported the finding")
        judgments.append(Judgment(number, row["project"], row["version"], row["file"],
                                  positive_line(path, number, row["line"]), row["code"], row["verdict"],
                                  row["reason"], row["line_sha1"], row["judged_on"], row["subject"]))
    # One line can hold two findings of one rule (two calls): one row each, so a key may repeat, but a
    # row repeated word for word is a slip.
    rows = Counter((j.project, j.file, j.line, j.code, j.verdict, j.reason, j.subject) for j in judgments)
    twice = [key for key, count in rows.items() if count > 1]
    if twice:
        raise DataError(f"{path}: the same judgment twice: {twice[0][:4]}")
    return judgments


def read_misses(path: Path, projects: dict[str, Project]) -> list[Miss]:
    misses = []
    for number, row in read_rows(path, MISS_COLUMNS):
        if row["project"] not in projects:
            raise DataError(f"{path}:{number}: unknown project {row['project']!r}")
        if not row["expected"] or not all(EXPECTED.fullmatch(part) for part in row["expected"].split("|")):
            raise DataError(f"{path}:{number}: expected must be codes or prefixes like MLF16*, "
                            f"separated by |, not {row['expected']!r}")
        if row["scope"] not in ("line", "file"):
            raise DataError(f"{path}:{number}: scope must be line or file, not {row['scope']!r}")
        if not row["reason"]:
            raise DataError(f"{path}:{number}: a miss needs a reason")
        if not re.fullmatch(r"[0-9a-f]{40}", row["line_sha1"]):
            raise DataError(f"{path}:{number}: line_sha1 must be 40 hex digits")
        misses.append(Miss(number, row["project"], row["file"], positive_line(path, number, row["line"]),
                           row["expected"], row["scope"], row["reason"], row["line_sha1"]))
    keys = Counter((m.project, m.file, m.line, m.expected) for m in misses)
    twice = [key for key, count in keys.items() if count > 1]
    if twice:
        raise DataError(f"{path}: miss listed twice: {twice[0]}")
    return misses


# ---------------------------------------------------------------------------------------------- fetching


def run_quiet(command: list[str], cwd: Path) -> None:
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    if result.returncode:
        raise DataError(f"{' '.join(command)} failed in {cwd}: {result.stderr.strip()[-400:]}")


def fetch(project: Project, work: Path, git_url: str = GIT_URL) -> Path:
    """Fetch the project's pinned source into work/<name> (atomically: a half-fetched tree is never left)."""
    target = work / project.name
    if target.is_dir():
        return target
    partial = work / f".{project.name}.partial"
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    print(f"fetching {project.name} ({project.source} {project.version})", file=sys.stderr)
    try:
        unpack(project, partial, work, git_url)
    except (DataError, OSError, shutil.ReadError) as error:
        shutil.rmtree(partial, ignore_errors=True)
        raise DataError(f"cannot fetch {project.name}: {error}") from error
    for relative in project.absent:
        (partial / relative).unlink(missing_ok=True)
    partial.rename(target)
    return target


def unpack(project: Project, partial: Path, work: Path, git_url: str) -> None:
    """Put the project's files into ``partial``: a shallow fetch of the commit, or the sdist unpacked."""
    if project.source.startswith("github:"):
        repo = project.source.removeprefix("github:")
        url = git_url.format(repo=repo, owner=repo.split("/")[0], name=repo.split("/")[1])
        run_quiet(["git", "init", "-q"], partial)
        run_quiet(["git", "fetch", "-q", "--depth", "1", url, project.commit], partial)
        run_quiet(["git", "checkout", "-q", "FETCH_HEAD"], partial)
        shutil.rmtree(partial / ".git")
    else:
        download = work / f".{project.name}.sdist"
        shutil.rmtree(download, ignore_errors=True)
        name = project.source.removeprefix("pypi:")
        run_quiet([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--no-binary", ":all:",
                   "-d", str(download), f"{name}=={project.commit}"], work)
        archives = list(download.iterdir())
        if len(archives) != 1:
            raise DataError(f"pip download of {name}=={project.commit} gave {len(archives)} files, not one sdist")
        shutil.unpack_archive(archives[0], partial)
        shutil.rmtree(download)
        inner = [path for path in partial.iterdir()]
        if len(inner) == 1 and inner[0].is_dir():
            inner[0].rename(partial.with_suffix(".inner"))
            partial.rmdir()
            partial.with_suffix(".inner").rename(partial)


def source_of(project: Project, sources: Path | None, work: Path, git_url: str = GIT_URL) -> Path:
    if sources is not None:
        root = sources / project.name
        if not root.is_dir():
            raise DataError(f"{root}: no source of {project.name} (fetch it, or leave out --sources)")
        present = [relative for relative in project.absent if (root / relative).exists()]
        if present:
            print(f"note: {project.name}: {', '.join(present)} present but not judged (absent when judged)",
                  file=sys.stderr)
        return root
    return fetch(project, work, git_url)


# ---------------------------------------------------------------------------------------------- running


def linter_env(linter: Path = REPO) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(linter), env.get("PYTHONPATH", "")]))
    return env


def installed_versions(python: str) -> dict[str, str]:
    script = ("import importlib.metadata as m, json\n"
              f"names = {list(FRAMEWORKS)!r}\n"
              "out = {}\n"
              "for n in names:\n"
              "    try: out[n] = m.version(n)\n"
              "    except m.PackageNotFoundError: pass\n"
              "print(json.dumps(out))")
    result = subprocess.run([python, "-c", script], capture_output=True, text=True, check=False)
    return json.loads(result.stdout) if result.returncode == 0 else {}


def check(project: Project, root: Path, python: str, linter: Path = REPO) -> list[dict]:
    command = [python, "-m", "mlfcore_lint", "check", ".", "--format", "json", "--no-cache"]
    result = subprocess.run(command, cwd=root, env=linter_env(linter), capture_output=True, text=True, check=False)
    if result.returncode not in (0, 1):
        raise DataError(f"mlfcore-lint on {project.name} exited {result.returncode}: {result.stderr.strip()[-400:]}")
    try:
        findings = json.loads(result.stdout)
    except json.JSONDecodeError as error:
        raise DataError(f"mlfcore-lint on {project.name} did not print JSON: {error}") from error
    lines_of: dict[str, list[tuple[tuple[int, int], str]]] = {}
    for finding in findings:
        path = Path(finding["path"])
        relative = (path if path.is_absolute() else root / path).resolve().relative_to(root.resolve()).as_posix()
        finding["project"] = project.name
        finding["file"] = relative
        if relative not in lines_of:
            lines_of[relative] = numbered_lines(root / relative)
        # A notebook's findings say cell and line in cell; the evaluation numbers the code cells' lines
        # one after another (as read_lines does), so that a line is one number in every file.
        place = (finding.get("cell") or 0, finding["line"])
        numbers = {where: index for index, (where, _) in enumerate(lines_of[relative], 1)}
        if "cell" in finding:
            finding["line_in_cell"] = finding["line"]
            finding["line"] = numbers.get(place, finding["line"])
            finding["end_line"] = finding["line"]
        lines = lines_of[relative]
        finding["source"] = lines[finding["line"] - 1][1].strip() if 0 < finding["line"] <= len(lines) else ""
        finding["line_sha1"] = line_sha1(finding["source"])
        named = SUBJECT.search(finding.get("message", "")) if finding["code"] in SUBJECT_CODES else None
        finding["subject"] = named.group(1) if named else ""
    return findings


def read_lines(path: Path) -> list[str]:
    """The lines of a file; for a notebook, the lines of its code cells one after another."""
    return [text for _, text in numbered_lines(path)]


def numbered_lines(path: Path) -> list[tuple[tuple[int, int], str]]:
    """Each line with where the linter places it: (0, line) in a file, (cell, line in cell) in a notebook."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []
    if path.suffix != ".ipynb":
        return [((0, number), line) for number, line in enumerate(text.splitlines(), 1)]
    try:
        cells = json.loads(text).get("cells", [])
    except (json.JSONDecodeError, AttributeError):
        return []
    lines = []
    for cell_number, cell in enumerate(cells, 1):
        if isinstance(cell, dict) and cell.get("cell_type") == "code":
            source = cell.get("source", "")
            source = "".join(source) if isinstance(source, list) else str(source)
            lines.extend(((cell_number, number), line) for number, line in enumerate(source.splitlines(), 1))
    return lines


# ---------------------------------------------------------------------------------------------- matching


def match(findings: list[dict], judgments: list[Judgment]) -> dict[int, Judgment]:
    """Finding index -> judgment, by line hash first (nearest line wins), then by line number."""
    by_hash: dict[tuple, list[Judgment]] = defaultdict(list)
    for judgment in judgments:
        by_hash[(judgment.project, judgment.file, judgment.code, judgment.sha1)].append(judgment)
    used: set[int] = set()
    matched: dict[int, Judgment] = {}
    order = sorted(range(len(findings)),
                   key=lambda i: (findings[i]["project"], findings[i]["file"], findings[i]["line"]))
    for index in order:
        finding = findings[index]
        candidates = [j for j in by_hash.get((finding["project"], finding["file"], finding["code"],
                                               finding["line_sha1"]), []) if j.row not in used and j.fits(finding)]
        if candidates:
            best = min(candidates, key=lambda j: abs(j.line - finding["line"]))
            used.add(best.row)
            matched[index] = best
    by_line: dict[tuple, list[Judgment]] = defaultdict(list)
    for judgment in judgments:
        by_line[(judgment.project, judgment.file, judgment.code, judgment.line)].append(judgment)
    for index in order:
        if index in matched:
            continue
        finding = findings[index]
        free = [j for j in by_line.get((finding["project"], finding["file"], finding["code"], finding["line"]), [])
                if j.row not in used and j.fits(finding)]
        if free:
            used.add(free[0].row)
            matched[index] = free[0]
    # A program rule may move to another line of its file when the engine picks another anchor: where a file
    # has exactly one unmatched finding and one unmatched judgment of a code, they are the same report.
    left_findings: dict[tuple, list[int]] = defaultdict(list)
    for index in order:
        if index not in matched:
            finding = findings[index]
            left_findings[(finding["project"], finding["file"], finding["code"])].append(index)
    left_judgments: dict[tuple, list[Judgment]] = defaultdict(list)
    for judgment in judgments:
        if judgment.row not in used:
            left_judgments[(judgment.project, judgment.file, judgment.code)].append(judgment)
    for key, indexes in left_findings.items():
        if len(indexes) == 1 and len(left_judgments.get(key, [])) == 1 and left_judgments[key][0].fits(
                findings[indexes[0]]):
            matched[indexes[0]] = left_judgments[key][0]
    return matched


def miss_line(miss: Miss, lines: list[str]) -> int:
    """The miss's line now: the line with its hash nearest to the recorded number, else the number."""
    hits = [number for number, text in enumerate(lines, 1) if line_sha1(text) == miss.sha1]
    return min(hits, key=lambda number: abs(number - miss.line)) if hits else miss.line


def caught(miss: Miss, findings: list[dict], lines: list[str]) -> dict | None:
    where = miss_line(miss, lines)
    for finding in findings:
        if finding["project"] != miss.project or finding["file"] != miss.file or not miss.wants(finding["code"]):
            continue
        if miss.scope == "file" or finding["line"] <= where <= finding.get("end_line", finding["line"]):
            return finding
    return None


# ---------------------------------------------------------------------------------------------- report


def precision(counts: Counter) -> str:
    judged = counts["right"] + counts["wrong"]
    return f"{counts['right'] / judged:.2f}" if judged else "-"


def table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
             for row in [header, ["-" * w for w in widths], *rows]]
    return "\n".join(lines)


def tally(findings: list[dict], matched: dict[int, Judgment], key) -> dict[str, Counter]:
    groups: dict[str, Counter] = defaultdict(Counter)
    for index, finding in enumerate(findings):
        verdict = matched[index].verdict if index in matched else "unjudged"
        groups[key(finding)][verdict] += 1
        groups["total"][verdict] += 1
    return groups


def rows_of(groups: dict[str, Counter]) -> list[list[str]]:
    names = sorted(name for name in groups if name != "total") + ["total"]
    return [[name, str(sum(groups[name].values())), str(groups[name]["right"]), str(groups[name]["wrong"]),
             str(groups[name]["debatable"]), str(groups[name]["unjudged"]), precision(groups[name])]
            for name in names if name in groups]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sources", type=Path, help="folder holding each project as <name>/ (no fetching)")
    parser.add_argument("--work", type=Path, default=DEFAULT_WORK, help="where fetched projects are kept")
    parser.add_argument("--projects", help="comma-separated names (default: every project)")
    parser.add_argument("--git-url", default=GIT_URL,
                        help="where github sources are fetched from ({repo}, {owner}, {name} are filled in)")
    parser.add_argument("--linter", type=Path, default=REPO,
                        help="checkout whose mlfcore_lint is run (default: the one holding this script)")
    parser.add_argument("--python", default=sys.executable, help="interpreter that runs the linter")
    parser.add_argument("--data", type=Path, default=HERE, help="folder of projects.toml, judgments.csv, misses.csv")
    parser.add_argument("--json", type=Path, help="also write the whole report to this JSON file")
    parser.add_argument("--unjudged-csv", type=Path, help="write rows for the unjudged findings (verdict to fill in)")
    parser.add_argument("--judged-on", default="-", help="judged_on value for the rows of --unjudged-csv")
    parser.add_argument("--quiet", action="store_true", help="print the figures only, not the lists")
    parser.add_argument("--targets", action="store_true",
                        help="also check issue 10's targets (precision >= 0.90 overall and per severity, "
                             ">= 95 %% of right findings kept, >= 85 %% of misses caught); exit 1 if one fails")
    args = parser.parse_args(argv)
    try:
        if not (args.linter / "mlfcore_lint" / "__init__.py").is_file():
            raise DataError(f"{args.linter}: no mlfcore_lint package there")
        projects = read_projects(args.data / "projects.toml")
        by_name = {project.name: project for project in projects}
        judgments = read_judgments(args.data / "judgments.csv", by_name)
        misses = read_misses(args.data / "misses.csv", by_name)
        if args.projects:
            wanted = [name.strip() for name in args.projects.split(",") if name.strip()]
            unknown = [name for name in wanted if name not in by_name]
            if unknown:
                raise DataError(f"unknown project: {', '.join(unknown)}")
            projects = [by_name[name] for name in wanted]
        roots = {project.name: source_of(project, args.sources, args.work, args.git_url) for project in projects}
        findings = [finding for project in projects
                    for finding in check(project, roots[project.name], args.python, args.linter.resolve())]
    except DataError as error:
        print(f"evaluate: {error}", file=sys.stderr)
        return 2
    chosen = {project.name for project in projects}
    judgments = [j for j in judgments if j.project in chosen]
    misses = [m for m in misses if m.project in chosen]
    matched = match(findings, judgments)
    matched_rows = {judgment.row for judgment in matched.values()}
    versions = installed_versions(args.python)
    targeted: dict[str, list[str]] = {}
    for project in projects:
        versions_said = {match.group(1) for f in findings if f["project"] == project.name
                         for match in [re.search(r"targeted: ([^)]*)\)", f["message"])] if match}
        targeted[project.name] = sorted(versions_said)

    by_rule = tally(findings, matched, lambda f: f["code"])
    by_severity = tally(findings, matched, lambda f: f["severity"])
    by_project = tally(findings, matched, lambda f: f["project"])
    # Findings that say how sure they are (a "certainty" key in the JSON) are also counted by it.
    by_certainty = (tally(findings, matched, lambda f: str(f.get("certainty", "-")))
                    if any("certainty" in f for f in findings) else {})
    lost = [j for j in judgments if j.row not in matched_rows and j.verdict == "right"]
    gone_wrong = [j for j in judgments if j.row not in matched_rows and j.verdict == "wrong"]
    still_wrong = [(findings[i], j) for i, j in sorted(matched.items()) if j.verdict == "wrong"]
    unjudged = [finding for index, finding in enumerate(findings) if index not in matched]
    lines_cache: dict[tuple[str, str], list[str]] = {}
    miss_results = []
    for miss in misses:
        key = (miss.project, miss.file)
        if key not in lines_cache:
            lines_cache[key] = read_lines(roots[miss.project] / miss.file)
        finding = caught(miss, findings, lines_cache[key])
        miss_results.append((miss, finding))
    n_caught = sum(1 for _, finding in miss_results if finding is not None)
    # Rows whose line is no longer in the file (the project changed under them): they cannot match by hash.
    stale = []
    for item in [*judgments, *misses]:
        key = (item.project, item.file)
        if key not in lines_cache:
            lines_cache[key] = read_lines(roots[item.project] / item.file)
        if not any(line_sha1(text) == item.sha1 for text in lines_cache[key]):
            stale.append(item)
    right_total = sum(1 for j in judgments if j.verdict == "right")
    right_on = Counter(j.judged_on for j in judgments if j.verdict == "right")
    kept_on = Counter(j.judged_on for j in judgments if j.verdict == "right" and j.row in matched_rows)

    header = ["", "findings", "right", "wrong", "debatable", "unjudged", "precision"]
    out = [f"linter: mlfcore_lint from {args.linter.resolve().name}/, run by {args.python}",
           "installed (targeted where a project pins nothing): "
           + ", ".join(f"{name} {version}" for name, version in sorted(versions.items())),
           "targeted, as each project's findings say (a project's pins win over what is installed):",
           *[f"  {name}: {', '.join(said) or '-'}" for name, said in targeted.items()], "",
           "Per project", table(["project", *header[1:]], rows_of(by_project)), "",
           "Per rule", table(["rule", *header[1:]], rows_of(by_rule)), "",
           "Per severity", table(["severity", *header[1:]], rows_of(by_severity)), "",
           *(["Per certainty", table(["certainty", *header[1:]], rows_of(by_certainty)), ""] if by_certainty else []),
           f"overall precision: {precision(by_rule['total'])} "
           f"({by_rule['total']['right']} right, {by_rule['total']['wrong']} wrong, "
           f"{by_rule['total']['debatable']} debatable, {by_rule['total']['unjudged']} unjudged)",
           f"judged-right findings kept: {right_total - len(lost)} of {right_total}"
           + "".join(f"; judged on {engine}: {kept_on[engine]} of {right_on[engine]}" for engine in sorted(right_on)),
           f"judged-wrong findings gone: {len(gone_wrong)} of {len(gone_wrong) + len(still_wrong)}",
           f"misses caught: {n_caught} of {len(misses)}",
           f"rows whose line is not in the source any more: {len(stale)}"]
    if not args.quiet:
        def where(item) -> str:
            return f"{item.project}/{item.file}:{item.line} {item.code}"
        out += ["", f"Judged right, no longer reported ({len(lost)})"]
        out += [f"  {where(j)}  [{j.verdict}] {j.reason}" for j in lost]
        out += ["", f"Judged wrong, still reported ({len(still_wrong)})"]
        out += [f"  {f['project']}/{f['file']}:{f['line']} {f['code']}  {f['source'][:90]}\n      why wrong: {j.reason}"
                for f, j in still_wrong]
        out += ["", f"Misses ({n_caught} of {len(misses)} caught)"]
        for miss, finding in miss_results:
            state = f"caught by {finding['code']} at line {finding['line']}" if finding else "missed"
            out.append(f"  {miss.project}/{miss.file}:{miss.line} wants {miss.expected} ({miss.scope}): {state}"
                       f"\n      {miss.reason}")
        if stale:
            out += ["", f"Rows whose line is not in the source any more ({len(stale)})"]
            out += [f"  {item.project}/{item.file}:{item.line} ({type(item).__name__.lower()}, row {item.row})"
                    for item in stale]
        out += ["", f"New findings, not judged yet ({len(unjudged)})"]
        out += [f"  {f['project']}/{f['file']}:{f['line']} {f['code']} {f['severity']}  {f['source'][:90]}"
                f"\n      {f['message']}" for f in unjudged]
    failed = []
    if args.targets:
        checks = [("overall precision", by_rule["total"])] + [
            (f"precision of {name}", counts) for name, counts in sorted(by_severity.items()) if name != "total"]
        out += ["", "Targets of issue 10"]
        for label, counts in checks:
            judged = counts["right"] + counts["wrong"]
            value = counts["right"] / judged if judged else 1.0
            out.append(f"  {'ok  ' if value >= 0.90 else 'FAIL'} {label}: {value:.2f} (target 0.90)")
            if value < 0.90:
                failed.append(label)
        for label, have, total, target in (("right findings kept", right_total - len(lost), right_total, 0.95),
                                           ("misses caught", n_caught, len(misses), 0.85)):
            value = have / total if total else 1.0
            out.append(f"  {'ok  ' if value >= target else 'FAIL'} {label}: {have} of {total} = {value:.2f} "
                       f"(target {target:.2f})")
            if value < target:
                failed.append(label)
    print("\n".join(out))
    if args.unjudged_csv:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(JUDGMENT_COLUMNS)
        for f in unjudged:
            writer.writerow([f["project"], by_name[f["project"]].version, f["file"], f["line"], f["code"], "",
                             f["source"], f["line_sha1"], args.judged_on, f["subject"]])
        args.unjudged_csv.write_text(buffer.getvalue(), encoding="utf-8")
    if args.json:
        report = {
            "installed": versions, "targeted": targeted,
            "per_project": {k: dict(v, precision=precision(v)) for k, v in by_project.items()},
            "per_rule": {k: dict(v, precision=precision(v)) for k, v in by_rule.items()},
            "per_severity": {k: dict(v, precision=precision(v)) for k, v in by_severity.items()},
            "per_certainty": {k: dict(v, precision=precision(v)) for k, v in by_certainty.items()},
            "right_kept": right_total - len(lost), "right_total": right_total,
            "right_kept_by_judged_on": {engine: [kept_on[engine], right_on[engine]] for engine in sorted(right_on)},
            "lost_right": [vars(j) for j in lost],
            "still_wrong": [dict(f, verdict=j.verdict, reason=j.reason) for f, j in still_wrong],
            "misses": [dict(vars(m), caught_by=(f and {"code": f["code"], "line": f["line"]}))
                       for m, f in miss_results],
            "unjudged": unjudged,
            "findings": [dict(f, verdict=matched[i].verdict if i in matched else None,
                              reason=matched[i].reason if i in matched else None) for i, f in enumerate(findings)],
        }
        args.json.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    return 1 if failed else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:  # the report piped into head or less that stopped reading
        sys.stderr.close()
        sys.exit(0)
