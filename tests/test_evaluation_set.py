"""The evaluation set of real projects: its data is valid, and evaluate.py matches, counts and refuses as documented."""

from __future__ import annotations

import csv
import hashlib
import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SCRIPT = REPO / "benchmarks" / "evaluation" / "evaluate.py"
DATA = REPO / "benchmarks" / "evaluation"
JUDGMENT_HEADER = "project,version,file,line,code,verdict,reason,line_sha1,judged_on,subject\n"
MISS_HEADER = "project,file,line,expected,scope,reason,line_sha1\n"
COMMIT = "0" * 40

PROGRAM = """import torch


def build():
    return torch.nn.Linear(2, 2)


if __name__ == "__main__":
    model = build().cuda()
    x = torch.nn.functional.interpolate(torch.ones(1, 1, 2, 2), scale_factor=2, mode="bilinear")
    model(x).sum().backward()
"""


def sha1(text: str) -> str:
    return hashlib.sha1(text.strip().encode("utf-8")).hexdigest()


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True, check=False)


def evaluate_module():
    sys.path.insert(0, str(SCRIPT.parent))
    try:
        import evaluate
    finally:
        sys.path.remove(str(SCRIPT.parent))
    return evaluate


def test_committed_data_is_valid():
    evaluate = evaluate_module()
    projects = {project.name: project for project in evaluate.read_projects(DATA / "projects.toml")}
    judgments = evaluate.read_judgments(DATA / "judgments.csv", projects)
    misses = evaluate.read_misses(DATA / "misses.csv", projects)
    assert len(projects) >= 10
    assert {j.project for j in judgments} <= set(projects)
    assert {m.project for m in misses} <= set(projects)
    assert all(j.verdict in ("right", "wrong", "debatable") and j.reason for j in judgments)


def demo_set(tmp_path: Path, program: str = PROGRAM) -> tuple[Path, Path]:
    data = tmp_path / "data"
    data.mkdir()
    (data / "projects.toml").write_text(
        f'[[project]]\nname = "demo"\nsource = "github:someone/demo"\ncommit = "{COMMIT}"\n'
        'framework = "pytorch"\nkind = "a guarded training script"\n', encoding="utf-8")
    guard = 'if __name__ == "__main__":'
    call = 'x = torch.nn.functional.interpolate(torch.ones(1, 1, 2, 2), scale_factor=2, mode="bilinear")'
    (data / "judgments.csv").write_text(
        JUDGMENT_HEADER
        + f"demo,{COMMIT[:12]},train.py,8,MLF160,right,trains without a seed,{sha1(guard)},v1,\n"
        + f"demo,{COMMIT[:12]},train.py,8,MLF161,wrong,runs on the CPU only,{sha1(guard)},v1,\n"
        + f"demo,{COMMIT[:12]},train.py,10,MLF102,right,bilinear upsampling in training,{sha1(call)},v2,\n",
        encoding="utf-8")
    (data / "misses.csv").write_text(
        MISS_HEADER
        + f"demo,train.py,5,MLF16*,file,a program rule for this file,{sha1('return torch.nn.Linear(2, 2)')}\n"
        + f"demo,train.py,5,MLF112,line,not reported here,{sha1('return torch.nn.Linear(2, 2)')}\n",
        encoding="utf-8")
    sources = tmp_path / "sources"
    (sources / "demo").mkdir(parents=True)
    (sources / "demo" / "train.py").write_text(program, encoding="utf-8")
    (sources / "demo" / "requirements.txt").write_text("torch==2.13.0\n", encoding="utf-8")  # pinned (MLF060)
    return data, sources


def report_of(data: Path, sources: Path, tmp_path: Path) -> dict:
    result = run("--data", str(data), "--sources", str(sources), "--json", str(tmp_path / "report.json"))
    assert result.returncode == 0, result.stderr
    return json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))


def test_findings_are_matched_counted_and_misses_caught(tmp_path):
    data, sources = demo_set(tmp_path)
    report = report_of(data, sources, tmp_path)
    verdicts = {(f["code"], f["line"]): f["verdict"] for f in report["findings"]}
    assert verdicts[("MLF160", 8)] == "right"
    assert verdicts[("MLF161", 8)] == "wrong"
    total = report["per_rule"]["total"]
    assert (total.get("right", 0), total.get("wrong", 0)) == (2, 1)
    assert report["right_kept"] == report["right_total"] == 2
    assert report["right_kept_by_judged_on"] == {"v1": [1, 1], "v2": [1, 1]}
    caught = {m["expected"]: m["caught_by"] for m in report["misses"]}
    assert caught["MLF16*"]["code"] in ("MLF160", "MLF161")
    assert caught["MLF112"] is None
    assert [f["code"] for f in report["still_wrong"]] == ["MLF161"]


def test_a_judgment_with_a_subject_matches_only_the_finding_that_names_it():
    evaluate = evaluate_module()
    findings = [{"project": "demo", "file": "requirements.txt", "line": 1, "code": "MLF060", "line_sha1": "0" * 40,
                 "subject": subject} for subject in ("numpy", "torch")]
    judgments = [evaluate.Judgment(row, "demo", "v", "requirements.txt", 1, "MLF060", verdict, "why", "0" * 40, "r",
                                   subject) for row, verdict, subject in ((2, "wrong", "tensorflow"),
                                                                          (3, "right", "torch"),
                                                                          (4, "right", "numpy"))]
    matched = evaluate.match(findings, judgments)
    assert {findings[i]["subject"]: j.subject for i, j in matched.items()} == {"numpy": "numpy", "torch": "torch"}


def test_judgments_follow_their_line_when_it_moves(tmp_path):
    data, sources = demo_set(tmp_path, "# a comment\n\n" + PROGRAM)
    report = report_of(data, sources, tmp_path)
    verdicts = {(f["code"], f["line"]): f["verdict"] for f in report["findings"]}
    assert verdicts[("MLF160", 10)] == "right"
    assert verdicts[("MLF102", 12)] == "right"
    assert report["unjudged"] == []


def test_unjudged_findings_are_listed_as_rows_to_fill(tmp_path):
    data, sources = demo_set(tmp_path)
    lines = (data / "judgments.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    (data / "judgments.csv").write_text("".join(lines[:2]), encoding="utf-8")
    result = run("--data", str(data), "--sources", str(sources), "--unjudged-csv", str(tmp_path / "new.csv"))
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader((tmp_path / "new.csv").open(encoding="utf-8")))
    assert {row["code"] for row in rows} == {"MLF161", "MLF102"}
    assert all(row["verdict"] == "" and row["line_sha1"] for row in rows)
    assert "New findings, not judged yet (2)" in result.stdout


def test_bad_data_is_refused_with_one_line(tmp_path):
    data, sources = demo_set(tmp_path)
    text = (data / "judgments.csv").read_text(encoding="utf-8")
    (data / "judgments.csv").write_text(text.replace(",right,trains", ",maybe,trains"), encoding="utf-8")
    result = run("--data", str(data), "--sources", str(sources))
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "judgments.csv:2: verdict must be one of" in result.stderr

    (data / "judgments.csv").write_text(text, encoding="utf-8")
    (data / "misses.csv").write_text(MISS_HEADER + "demo,train.py,5,seeds,file,why,x\n", encoding="utf-8")
    result = run("--data", str(data), "--sources", str(sources))
    assert result.returncode == 2 and "misses.csv:2: expected must be codes" in result.stderr

    (data / "misses.csv").write_text(MISS_HEADER, encoding="utf-8")
    result = run("--data", str(data), "--sources", str(tmp_path / "nowhere"))
    assert result.returncode == 2 and "no source of demo" in result.stderr


def test_targets_fail_with_exit_status_one(tmp_path):
    data, sources = demo_set(tmp_path)
    result = run("--data", str(data), "--sources", str(sources), "--quiet", "--targets")
    assert result.returncode == 1, result.stderr
    assert "FAIL overall precision: 0.67 (target 0.90)" in result.stdout
    assert "ok   right findings kept: 2 of 2" in result.stdout
    assert "FAIL misses caught: 1 of 2" in result.stdout


def test_a_program_finding_whose_anchor_moved_keeps_its_judgment(tmp_path):
    data, sources = demo_set(tmp_path)
    guard_hash = sha1('if __name__ == "__main__":')
    rows = (data / "judgments.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    # MLF160 judged at another line, with another line's hash: only the file and the code still agree.
    rows[1] = rows[1].replace("train.py,8,MLF160", "train.py,3,MLF160").replace(guard_hash, "0" * 40)
    (data / "judgments.csv").write_text("".join(rows), encoding="utf-8")
    report = report_of(data, sources, tmp_path)
    verdicts = {(f["code"], f["line"]): f["verdict"] for f in report["findings"]}
    assert verdicts[("MLF160", 8)] == "right"
    result = run("--data", str(data), "--sources", str(sources))
    assert "rows whose line is not in the source any more: 1" in result.stdout
    assert "demo/train.py:3 (judgment, row 2)" in result.stdout
