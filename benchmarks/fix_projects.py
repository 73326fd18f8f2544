"""``mlfcore-fix`` on whole real projects: what a careful user checks after running it.

For each project folder given (unpacked sources, e.g. the evaluation set's ``--sources DIR``), on a copy:
the safe fixes are applied; every changed Python file must compile; a second run must change nothing;
``check`` afterwards must report no finding that has a safe fix; and no changed module may need a framework
it did not need before: one it did not load when imported (itself, or through the project modules it
imports at its top level) and did not name (``torch.cuda`` after a star import). Nothing of the projects
is committed.

    python benchmarks/fix_projects.py DIR/nanoGPT DIR/detr ...        # a table; exit 1 where a check fails
    python benchmarks/fix_projects.py --evaluation-set                # fetch the evaluation set's 11 projects

``--evaluation-set`` fetches the projects of ``benchmarks/evaluation/projects.toml`` at their pinned commits
(as ``evaluate.py`` does, into ``--work``; a project already there is not fetched again) and fixes them too.
"""

from __future__ import annotations

import argparse
import ast
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from measuring import mlfcore_env

sys.path.insert(0, str(Path(__file__).resolve().parent / "evaluation"))
import evaluate  # noqa: E402 - the evaluation set's projects and how they are fetched

FRAMEWORKS = {"torch", "tensorflow", "keras", "xgboost", "numpy", "jax", "lightning", "pytorch_lightning"}


def tool(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", *args], cwd=cwd, env=mlfcore_env(), capture_output=True,
                          text=True, timeout=1800, check=False)


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(path.relative_to(root)): path.read_bytes() for path in sorted(root.rglob("*"))
            if path.is_file() and not path.is_symlink() and ".git" not in path.parts}


def top_imports(source: bytes) -> set[str]:
    """The modules a module imports at its top level (where it does not parse: none)."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return set()
    names = set()
    for node in tree.body:
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


def needed(root: Path, name: str, files: dict[str, bytes], seen: set[str] | None = None) -> set[str]:
    """The frameworks the module ``name`` (a path below ``root``) loads when it is imported: those it imports
    at its top level, and those the project modules it imports that way load, transitively."""
    seen = set() if seen is None else seen
    if name in seen or name not in files:
        return set()
    seen.add(name)
    found = set()
    folder = Path(name).parent
    for module in top_imports(files[name]):
        found.add(module.split(".")[0])
        relative = module.replace(".", "/")
        for candidate in (folder / f"{relative}.py", folder / relative / "__init__.py", Path(f"{relative}.py"),
                          Path(relative) / "__init__.py"):
            found |= needed(root, str(candidate), files, seen)
    return found & FRAMEWORKS


def named(source: bytes) -> set[str]:
    """The frameworks a module's code names (``torch.cuda``): it needs them to run, however they arrive."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return set()
    return {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)} & FRAMEWORKS


def fix_project(source: Path) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / source.name
        shutil.copytree(source, root, symlinks=True, ignore=shutil.ignore_patterns(".git"))
        before = snapshot(root)
        findings = json.loads(tool("mlfcore_lint", "check", ".", "--no-cache", "--format", "json",
                                   "--exit-zero", cwd=root).stdout or "[]")
        first = tool("mlfcore_lint.fix.cli", ".", "--no-cache", cwd=root)
        after = snapshot(root)
        changed = sorted(name for name in after if before.get(name) != after[name])
        python = [name for name in changed if name.endswith(".py")]
        broken = []
        for name in python:
            try:
                compile(after[name], name, "exec")
            except SyntaxError:
                broken.append(name)
        second = tool("mlfcore_lint.fix.cli", ".", "--no-cache", cwd=root)
        again = snapshot(root)
        left = json.loads(tool("mlfcore_lint", "check", ".", "--no-cache", "--format", "json", "--exit-zero",
                               cwd=root).stdout or "[]")
        safe_left = [f for f in left if (f.get("fix") or {}).get("applicability") == "safe"]
        new_imports = [name for name in python
                       if needed(root, name, after) - needed(root, name, before) - named(before.get(name, b""))]
        return {
            "project": source.name, "python_files": sum(name.endswith(".py") for name in before),
            "findings": len(findings), "left": len(left), "files_changed": len(changed),
            "exit": first.returncode, "error": first.stderr.strip().splitlines()[-1:] if first.returncode > 1 else [],
            "broken": broken, "second_run_changes": sorted(n for n in again if again[n] != after.get(n)),
            "second_exit": second.returncode, "safe_left": len(safe_left), "new_framework_imports": new_imports,
        }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("projects", nargs="*", type=Path, help="project folders (unpacked sources)")
    parser.add_argument("--evaluation-set", action="store_true",
                        help="also fetch and fix the evaluation set's projects, at their pinned commits")
    parser.add_argument("--work", type=Path, default=evaluate.DEFAULT_WORK,
                        help="where --evaluation-set keeps the fetched projects")
    parser.add_argument("--json", type=Path, help="write the rows here too")
    args = parser.parse_args()
    folders = list(args.projects)
    if args.evaluation_set:
        try:
            folders += [evaluate.fetch(project, args.work)
                        for project in evaluate.read_projects(evaluate.HERE / "projects.toml")]
        except evaluate.DataError as error:
            print(f"fix_projects: {error}", file=sys.stderr)
            return 2
    if not folders:
        parser.error("give project folders, or --evaluation-set")
    rows = [fix_project(project) for project in folders]
    print("| Project | Python files | Findings | Files changed | Left | Changed files compile | Second run "
          "| Safe fix left | New framework imports |")
    print("|---|---|---|---|---|---|---|---|---|")
    failed = False
    for row in rows:
        ok = not (row["broken"] or row["second_run_changes"] or row["safe_left"] or row["new_framework_imports"]
                  or row["error"])
        failed = failed or not ok
        print(f"| {row['project']} | {row['python_files']} | {row['findings']} | {row['files_changed']} "
              f"| {row['left']} | {'yes' if not row['broken'] else ', '.join(row['broken'])} "
              f"| {'no change' if not row['second_run_changes'] else ', '.join(row['second_run_changes'])} "
              f"| {row['safe_left']} | {len(row['new_framework_imports'])} |")
        if row["error"]:
            print(f"  {row['project']}: the fixer failed: {row['error'][0]}", file=sys.stderr)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2), encoding="utf-8")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
