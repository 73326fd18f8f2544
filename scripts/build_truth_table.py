"""Rebuild ``tests/data/determinism_truth_table.csv`` from the frameworks' own releases.

Each row is one fact read from one release: what the framework says (or does) about an operation under its
determinism switch, and where it was read (release tag, file, line).  The sources are local copies of the
releases, given on the command line; nothing is downloaded:

    python scripts/build_truth_table.py --torch DIR --tensorflow DIR --xgboost DIR [--out FILE]

``DIR`` is either a bare or ordinary git directory of the framework (files are read at its release tags,
``v2.1.0``), or a folder of the framework's release wheels (``torch-2.1.0-*.whl``; the Python files of a
wheel are those of the tagged source, line for line).  What is read:

torch, every release 1.7-2.13
    ``torch/__init__.py``: the bullets of the ``use_deterministic_algorithms`` docstring (``set_deterministic``
    in 1.7), each with the list it is in; ``torch/nn/functional.py``: every branch taken when
    ``torch.are_deterministic_algorithms_enabled()`` is true, with the tests that lead to it (the mode, the
    rank) and the function it calls instead.
tensorflow, every release 2.1-2.21
    whether ``enable_op_determinism`` exists and what its docstring names as not covered
    (``tensorflow/python/framework/config.py``), and the messages of the exceptions that op determinism
    raises (``OpDeterminismRequired`` in the C++ kernels of a git tree, or the same strings in a wheel's
    shared libraries).
xgboost
    the ``NEWS.md`` / ``doc/changes/*.rst`` items the rules cite (found by their pull-request numbers).

The script is ours and runs offline; CI does not run it (it needs the releases), but
``tests/test_truth_table.py`` checks the rules against the table it wrote.
"""

from __future__ import annotations

import argparse
import ast
import csv
import io
import re
import subprocess
import sys
import zipfile
from pathlib import Path

TORCH_RELEASES = tuple(f"1.{m}" for m in range(7, 14)) + tuple(f"2.{m}" for m in range(0, 14))
TF_RELEASES = tuple(f"2.{m}" for m in range(1, 22))
COLUMNS = ("framework", "release", "item", "status", "condition", "tag", "file", "line")

# Statuses of a row (the first two are the rules' own words):
DETERMINISTIC_WITH_SWITCH = "deterministic-with-switch"  # listed / branched to a deterministic path
NONDETERMINISTIC = "nondeterministic"  # listed as raising under the switch
RAISES = "raises-under-switch"  # TensorFlow: an exception op determinism raises
NOT_COVERED = "not-covered-by-switch"  # named by the switch's docs as outside what it covers
SWITCH = "switch-available"  # the release has the switch
CHANGELOG = "changelog"  # a release note the rules rely on
REQUIRED = "required-by-switch"  # a setting the switch needs (torch: CUBLAS_WORKSPACE_CONFIG up to 2.9)


# --------------------------------------------------------------------------- reading a release


class Release:
    """The files of one release: from a git tag or from a wheel."""

    def __init__(self, framework: str, version: str, tag: str, read):
        self.framework, self.version, self.tag, self._read = framework, version, tag, read

    def text(self, path: str) -> str | None:
        return self._read(path)


def _git_reader(git_dir: Path, tag: str):
    def read(path: str) -> str | None:
        result = subprocess.run(
            ["git", f"--git-dir={git_dir}", "show", f"{tag}:{path}"], capture_output=True, check=False
        )
        return result.stdout.decode("utf-8", "replace") if result.returncode == 0 else None

    return read


def _wheel_reader(wheel: Path):
    archive = zipfile.ZipFile(wheel)
    names = set(archive.namelist())

    def read(path: str) -> str | None:
        return archive.read(path).decode("utf-8", "replace") if path in names else None

    read.archive = archive  # the shared libraries are searched by tensorflow_rows
    return read


def _git_dir(path: Path) -> Path | None:
    if (path / "HEAD").is_file() and (path / "objects").is_dir():
        return path
    if (path / ".git").is_dir():
        return path / ".git"
    return None


def _git_tags(git_dir: Path) -> set[str]:
    result = subprocess.run(["git", f"--git-dir={git_dir}", "tag", "--list"], capture_output=True, text=True,
                            check=True)
    return set(result.stdout.split())


def releases(framework: str, root: Path, wanted: tuple[str, ...], distribution: str) -> list[Release]:
    """One Release per wanted minor version found under ``root`` (its first patch release)."""
    found: list[Release] = []
    git_dir = _git_dir(root)
    if git_dir is not None:
        tags = _git_tags(git_dir)
        for version in wanted:
            for tag in (f"v{version}.0", f"v{version}", f"{version}.0"):
                if tag in tags:
                    found.append(Release(framework, version, tag, _git_reader(git_dir, tag)))
                    break
        return found
    wheels = sorted(root.glob(f"{distribution.replace('-', '_')}-*.whl"))
    for version in wanted:
        pattern = re.compile(rf"^{re.escape(distribution.replace('-', '_'))}-{re.escape(version)}\.(\d+)[-+]")
        matching = sorted((int(m.group(1)), wheel) for wheel in wheels if (m := pattern.match(wheel.name)))
        if matching:
            patch, wheel = matching[0]
            found.append(Release(framework, version, f"v{version}.{patch}", _wheel_reader(wheel)))
    return found


# --------------------------------------------------------------------------- torch


_LIST_HEADS = (("act deterministically", DETERMINISTIC_WITH_SWITCH), ("throw", NONDETERMINISTIC))
_MORE_NAMES = re.compile(r"^\s*,?\s*(?:and\s+)?:(?:class|func|meth|attr):`~?(torch\.[\w.]+)`")
_BULLET = re.compile(r"^(\s*)\*\s*:(?:class|func|meth|attr):`~?(torch\.[\w.]+)`\s*(.*)$")


def _switch_docstring(tree: ast.Module) -> ast.Constant | None:
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name in ("use_deterministic_algorithms", "set_deterministic"):
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                return first.value
    return None


def torch_docstring_rows(release: Release) -> list[dict]:
    path = "torch/__init__.py"
    source = release.text(path)
    if source is None:
        return []
    docstring = _switch_docstring(ast.parse(source))
    if docstring is None:
        return []
    # The docstring's lines are the file's lines from the one that opens the string.
    lines = source.splitlines()
    start = docstring.lineno - 1
    end = docstring.end_lineno
    rows: list[dict] = []
    status, in_list = None, False
    current: list[dict] = []
    indent = 0
    for number in range(start, end):
        line = lines[number]
        text = line.strip()
        if text.startswith("The following"):  # the sentence that opens a list names its status
            paragraph = " ".join(lines[n].strip() for n in range(number, min(number + 3, end)))
            status = next((s for head, s in _LIST_HEADS if head in paragraph), None)
            current, in_list = [], False
            continue
        bullet = _BULLET.match(line)
        if bullet and status is not None:
            rest = bullet.group(3)
            names = [bullet.group(2)]
            current = [{"framework": "torch", "release": release.version, "item": name, "status": status,
                        "condition": rest.strip(), "tag": release.tag, "file": path, "line": number + 1}
                       for name in names]
            indent = len(bullet.group(1))
            rows += current
            in_list = True
        elif current and text and len(line) - len(line.lstrip()) > indent:
            for row in current:  # a wrapped line or a sub-list (the modes of interpolate)
                row["condition"] = f"{row['condition']} {text}"
        elif text and in_list:  # prose after the list
            current, status, in_list = [], None, False
    # Up to 2.9 the docstring makes cuBLAS ops raise under the switch unless CUBLAS_WORKSPACE_CONFIG is set.
    for number in range(start, end):
        if "CUBLAS_WORKSPACE_CONFIG" in lines[number]:
            rows.append({"framework": "torch", "release": release.version, "item": "CUBLAS_WORKSPACE_CONFIG",
                         "status": REQUIRED, "condition": " ".join(lines[number].split()), "tag": release.tag,
                         "file": path, "line": number + 1})
            break
    # From 2.10 the docstring says the switch also turns on Inductor's deterministic mode (torch.compile).
    for number in range(start, end):
        if "Inductor deterministic mode" in lines[number]:
            rows.append({"framework": "torch", "release": release.version, "item": "torch.compile",
                         "status": DETERMINISTIC_WITH_SWITCH, "condition": " ".join(lines[number].split()),
                         "tag": release.tag, "file": path, "line": number + 1})
            break
    # One bullet can name several ops, over wrapped lines: "torch.empty, torch.empty_like, ... will fill ...".
    named = []
    for row in rows:
        rest, names = row["condition"], [row["item"]]
        while more := _MORE_NAMES.match(rest):
            names.append(more.group(1))
            rest = rest[more.end():]
        condition = " ".join(rest.replace("``", "`").split()).rstrip(".")
        named += [{**row, "item": name, "condition": condition} for name in names]
    return named


def _calls_switch(node: ast.AST) -> bool:
    return any(
        isinstance(sub, ast.Call)
        and isinstance(sub.func, (ast.Attribute, ast.Name))
        and (sub.func.attr if isinstance(sub.func, ast.Attribute) else sub.func.id)
        in ("are_deterministic_algorithms_enabled", "_are_deterministic_algorithms_enabled")
        for sub in ast.walk(node)
    )


def _decomposition(body: list[ast.stmt]) -> str:
    """The name of the function a deterministic branch returns the result of (``_upsample_linear_vec``)."""
    for node in ast.walk(ast.Module(body=body, type_ignores=[])):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            inner = node.func.value
            if isinstance(inner, ast.Call) and isinstance(inner.func, ast.Attribute) \
                    and inner.func.attr == "import_module" and inner.args \
                    and isinstance(inner.args[0], ast.Constant):
                return f"{inner.args[0].value}.{node.func.attr}"
            if isinstance(inner, ast.Attribute) and ast.unparse(inner).startswith("torch._decomp"):
                return f"{ast.unparse(inner)}.{node.func.attr}"
    for node in ast.walk(ast.Module(body=body, type_ignores=[])):
        if isinstance(node, ast.Attribute) and ast.unparse(node).startswith("torch._decomp.decompositions."):
            return ast.unparse(node)
    return "?"


_MODE_TEST = re.compile(r"""mode\s*==\s*['"](\w+)['"]""")
_DIM_TEST = re.compile(r"input\.dim\(\)\s*==\s*(\d)")


def _branch_item(function: str, tests: list[str], body_tests: list[str]) -> str:
    """A call that takes the branch, written as the rules' examples would: ``...interpolate(x, mode="bilinear")``."""
    text = " and ".join(tests + body_tests)
    arguments = ["x"]
    if function == "pad":
        arguments.append("(1, 1, 1, 1)" if "len(pad) == 4" in text else "(1, 1)")
    elif function.startswith("max_pool"):
        arguments.append("2")
    mode = _MODE_TEST.search(text)
    if mode:
        arguments.append(f'mode="{mode.group(1)}"')
    if mode and mode.group(1) in ("bilinear", "bicubic") and "not (antialias)" in text:
        arguments.append("antialias=False")
    if function == "max_pool3d_with_indices":
        function, arguments = "max_pool3d", [*arguments, "return_indices=True"]
    return f"torch.nn.functional.{function}({', '.join(arguments)})"


def torch_branch_rows(release: Release) -> list[dict]:
    path = "torch/nn/functional.py"
    source = release.text(path)
    if source is None:
        return []
    tree = ast.parse(source)
    rows = []
    for function in (n for n in tree.body if isinstance(n, ast.FunctionDef)):
        # Walk down the function keeping the chain of `if` tests that lead to each statement.
        stack: list[tuple[list[ast.stmt], list[str]]] = [(function.body, [])]
        while stack:
            body, tests = stack.pop()
            tests = list(tests)
            for statement in body:
                if not isinstance(statement, ast.If):
                    for field in ("body", "orelse", "finalbody"):
                        inner = getattr(statement, field, None)
                        if isinstance(inner, list) and inner and isinstance(inner[0], ast.stmt):
                            stack.append((inner, tests))
                    continue
                test = ast.unparse(statement.test)
                if _calls_switch(statement.test):
                    nested = [s for s in statement.body if isinstance(s, ast.If)]
                    body_tests = [ast.unparse(s.test) for s in nested] or [""]
                    for body_test, branch in zip(body_tests, nested or [statement], strict=True):
                        chain = [t for t in tests if t == "not (antialias)" or (
                            not t.startswith("not (") and "is_scripting" not in t)]
                        condition = " and ".join([*chain, test, *([body_test] if body_test else [])])
                        rows.append({
                            "framework": "torch", "release": release.version,
                            "item": _branch_item(function.name, chain, [test, body_test]),
                            "status": DETERMINISTIC_WITH_SWITCH,
                            "condition": f"{condition} -> {_decomposition(branch.body)}",
                            "tag": release.tag, "file": path, "line": statement.lineno,
                        })
                    continue
                stack.append((statement.body, [*tests, test]))
                stack.append((statement.orelse, [*tests, f"not ({test})"]))
                if statement.body and isinstance(statement.body[-1], (ast.Return, ast.Raise)):
                    tests.append(f"not ({test})")  # what follows an early return runs only when the test fails
    return rows


# --------------------------------------------------------------------------- tensorflow

# Words that open or sit in the exceptions op determinism raises; a message is the NUL-terminated string of a
# shared library that holds one of them.
_TF_ANCHORS = (b"TF_DETERMINISTIC_OPS", b"eterministic GPU implementation", b"eterminism is not yet supported",
               b"determinism is enabled", b"does not have a deterministic", b"deterministic implementation",
               b"not deterministic")


def _library_messages(data: bytes) -> set[str]:
    found = set()
    for anchor in _TF_ANCHORS:
        position = data.find(anchor)
        while position != -1:
            start = data.rfind(b"\0", 0, position) + 1
            end = data.find(b"\0", position)
            text = data[start:end]
            if anchor == b"TF_DETERMINISTIC_OPS" and text != anchor:
                position = data.find(anchor, end)
                continue  # only the variable's name itself, not code that mentions it
            printable = all(32 <= byte < 127 or byte in (9, 10) for byte in text)
            if printable and (20 <= len(text) <= 400 or text == b"TF_DETERMINISTIC_OPS"):
                found.add(" ".join(text.decode("ascii").split()))
            position = data.find(anchor, end)
    return found


_TF_CONFIG = "tensorflow/python/framework/config.py"
OVERRIDDEN = "overridden-by-switch"  # a setting the switch overrides (tf.data's deterministic=False)
# What the enable_op_determinism docstring says of these names.
_TF_DOCSTRING_ITEMS = {
    "tf.compat.v1.Session": NOT_COVERED,
    "ParameterServerStrategy": NOT_COVERED,
    "experimental_deterministic": OVERRIDDEN,
    "`deterministic` argument is overridden": OVERRIDDEN,
}


def _tf_source(release: Release, path: str) -> tuple[str | None, str]:
    """A Python file of a TensorFlow release, and its path there (2.1 ships it under ``tensorflow_core/``)."""
    for candidate in (path, path.replace("tensorflow/", "tensorflow_core/", 1)):
        text = release.text(candidate)
        if text is not None:
            return text, candidate
    return None, path


def _exported(node: ast.FunctionDef) -> bool:
    """Whether the function is part of the public API (``@tf_export(...)``)."""
    return any(isinstance(d, ast.Call) and ast.unparse(d.func).endswith("tf_export") for d in node.decorator_list)


def tensorflow_rows(release: Release) -> list[dict]:
    rows = []
    rows += _tf_python_switch_rows(release)
    config, config_path = _tf_source(release, _TF_CONFIG)
    if config is None:
        return rows
    tree = ast.parse(config)
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and node.name == "enable_op_determinism" and _exported(node):
            rows.append(_tf_row(release, "tf.config.experimental.enable_op_determinism", SWITCH,
                                "exported with tf_export", config_path, node.lineno))
            # The sources it names as outside what it covers ("Do not use `tf.compat.v1.Session` and ...").
            first, last = node.body[0].lineno, node.body[0].end_lineno
            for offset, line in enumerate(config.splitlines()[first - 1:last]):
                for name, status in _TF_DOCSTRING_ITEMS.items():
                    if name in line and not any(r["item"] == name for r in rows):
                        rows.append(_tf_row(release, name, status, " ".join(line.split()), config_path,
                                            first + offset))
    reader = release._read
    archive = getattr(reader, "archive", None)
    messages: dict[str, tuple[str, int]] = {}
    if archive is not None:  # a wheel: the messages are strings in its shared libraries
        for name in archive.namelist():
            if not name.endswith(".so") and ".so." not in name:
                continue
            with archive.open(name) as handle:
                for text in _library_messages(handle.read()):
                    messages.setdefault(text, (name, 0))
    for text, (name, line) in sorted(messages.items()):
        if text == "TF_DETERMINISTIC_OPS":  # the environment variable the release reads
            rows.append(_tf_row(release, text, SWITCH, "the release's binary reads the variable", name, line))
        else:
            rows.append(_tf_row(release, text, RAISES, "message in the release's binary", name, line))
    return rows


def _tf_python_switch_rows(release: Release) -> list[dict]:
    """TF 2.1 reads ``TF_DETERMINISTIC_OPS`` in Python (``nn_ops.py``) and gives ``bias_add`` a deterministic
    path there; later releases read it in C++ (found in their binaries)."""
    rows = []
    source, path = _tf_source(release, "tensorflow/python/ops/nn_ops.py")
    if source is None or "TF_DETERMINISTIC_OPS" not in source:
        return rows
    tree = ast.parse(source)
    for node in tree.body:
        if not isinstance(node, ast.FunctionDef):
            continue
        reads = [n for n in ast.walk(node) if isinstance(n, ast.Constant) and n.value == "TF_DETERMINISTIC_OPS"]
        if reads:
            rows.append(_tf_row(release, "TF_DETERMINISTIC_OPS", SWITCH, f"read by {node.name}() in Python", path,
                                reads[0].lineno))
        uses = [n for n in ast.walk(node) if isinstance(n, ast.Call) and ast.unparse(n.func) == "_tf_deterministic_ops"]
        exported = [d for d in node.decorator_list if isinstance(d, ast.Call) and d.args
                    and isinstance(d.args[0], ast.Constant) and ast.unparse(d.func).endswith("tf_export")]
        if uses and exported:
            rows.append(_tf_row(release, f"tf.{exported[0].args[0].value}", DETERMINISTIC_WITH_SWITCH,
                                "takes a deterministic path when TF_DETERMINISTIC_OPS is true", path, uses[0].lineno))
    return rows


def tensorflow_git_rows(git_dir: Path, release: Release) -> list[dict]:
    """The exceptions of a git tree: ``OpDeterminismRequired()`` guards and their messages, file and line."""
    result = subprocess.run(
        ["git", f"--git-dir={git_dir}", "grep", "-n", "-A6", "OpDeterminismRequired()", release.tag, "--",
         "tensorflow/core/kernels"], capture_output=True, text=True, check=False)
    rows = []
    current = None
    for line in result.stdout.splitlines():
        match = re.match(rf"^{re.escape(release.tag)}:([^:]+)[:-](\d+)[:-](.*)$", line)
        if not match:
            continue
        path, number, text = match.group(1), int(match.group(2)), match.group(3)
        if "OpDeterminismRequired()" in text:
            current = (path, number)
        quoted = re.search(r'"([^"]*[Dd]eterminis[^"]*)"', text)
        if current and quoted:
            rows.append(_tf_row(release, quoted.group(1), RAISES, "guarded by OpDeterminismRequired()",
                                current[0], current[1]))
            current = None
    return rows


def _tf_row(release: Release, item: str, status: str, condition: str, path: str, line: int) -> dict:
    return {"framework": "tensorflow", "release": release.version, "item": item, "status": status,
            "condition": condition, "tag": release.tag, "file": path, "line": line}


# --------------------------------------------------------------------------- xgboost

# The release notes the rules rely on: (pull request, what the rule takes from it).
XGBOOST_ITEMS = (
    ("#5361", "GPU hist deterministic by pre-rounding (deterministic_histogram)"),
    ("#7180", "GPU hist always deterministic (integer atomics)"),
    ("#7009", "seed_per_iteration no longer configured automatically"),
    ("#12043", "random engine moved into the context: sampling no longer shares one generator"),
    ("#12083", "random engine state saved in the model"),
)


def xgboost_rows(git_dir: Path) -> list[dict]:
    rows = []
    files = subprocess.run(["git", f"--git-dir={git_dir}", "ls-tree", "-r", "--name-only", "HEAD", "--",
                            "NEWS.md", "doc/changes"], capture_output=True, text=True, check=True).stdout.split()
    head = subprocess.run(["git", f"--git-dir={git_dir}", "rev-parse", "--short=12", "HEAD"], capture_output=True,
                          text=True, check=True).stdout.strip()
    for path in files:
        text = subprocess.run(["git", f"--git-dir={git_dir}", "show", f"HEAD:{path}"], capture_output=True,
                              text=True, check=True).stdout
        release = ""
        for number, line in enumerate(text.splitlines(), start=1):
            heading = re.match(r"^#*\s*v?(\d+\.\d+\.\d+)\b|^.*?\b(\d+\.\d+\.\d+)\s+\(\d{4}", line)
            if heading:
                release = heading.group(1) or heading.group(2)
            if path.startswith("doc/changes/") and not release:
                release = Path(path).stem.lstrip("v")
            for pull, meaning in XGBOOST_ITEMS:
                if re.search(rf"(#|:pr:`){pull.lstrip('#')}\b", line):
                    rows.append({"framework": "xgboost", "release": release, "item": pull, "status": CHANGELOG,
                                 "condition": meaning, "tag": head, "file": path, "line": number})
    # The random-forest wrappers sample by default: their constructors' defaults.
    sklearn = subprocess.run(["git", f"--git-dir={git_dir}", "show", "HEAD:python-package/xgboost/sklearn.py"],
                             capture_output=True, text=True, check=False).stdout
    tree = ast.parse(sklearn) if sklearn else ast.Module(body=[], type_ignores=[])
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name in ("XGBRFClassifier", "XGBRFRegressor"):
            init = next((n for n in node.body if isinstance(n, ast.FunctionDef) and n.name == "__init__"), None)
            arguments = init.args.kwonlyargs if init else []
            defaults = init.args.kw_defaults if init else []
            for argument, default in zip(arguments, defaults, strict=True):
                if argument.arg in ("subsample", "colsample_bynode") and default is not None:
                    rows.append({"framework": "xgboost", "release": "HEAD", "item": f"xgboost.{node.name}",
                                 "status": "samples-by-default",
                                 "condition": f"{argument.arg}={ast.unparse(default)}", "tag": head,
                                 "file": "python-package/xgboost/sklearn.py", "line": default.lineno})
    return rows


# --------------------------------------------------------------------------- main


def build(torch_dir: Path | None, tf_dir: Path | None, xgb_dir: Path | None) -> list[dict]:
    rows: list[dict] = []
    if torch_dir is not None:
        for release in releases("torch", torch_dir, TORCH_RELEASES, "torch"):
            rows += torch_docstring_rows(release) + torch_branch_rows(release)
    if tf_dir is not None:
        git_dir = _git_dir(tf_dir)
        for distribution in ("tensorflow", "tensorflow-cpu"):
            found = releases("tensorflow", tf_dir, TF_RELEASES, distribution)
            if found:
                break
        for release in found:
            rows += tensorflow_rows(release)
            if git_dir is not None:
                rows += tensorflow_git_rows(git_dir, release)
    if xgb_dir is not None:
        git_dir = _git_dir(xgb_dir)
        if git_dir is None:
            raise SystemExit(f"{xgb_dir}: not a git directory")
        rows += xgboost_rows(git_dir)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--torch", type=Path, help="pytorch git directory, or a folder of torch wheels")
    parser.add_argument("--tensorflow", type=Path, help="tensorflow git directory, or a folder of its wheels")
    parser.add_argument("--xgboost", type=Path, help="xgboost git directory")
    parser.add_argument("--out", type=Path, default=Path("tests/data/determinism_truth_table.csv"))
    options = parser.parse_args(argv)
    for name in ("torch", "tensorflow", "xgboost"):
        path = getattr(options, name)
        if path is not None and not path.exists():
            print(f"build_truth_table: {path}: no such directory", file=sys.stderr)
            return 2
    rows = build(options.torch, options.tensorflow, options.xgboost)
    buffer = io.StringIO()
    buffer.write("# Facts read from the frameworks' releases by scripts/build_truth_table.py; do not edit by hand.\n")
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    temporary = options.out.with_suffix(".tmp")
    temporary.write_text(buffer.getvalue(), encoding="utf-8")
    temporary.replace(options.out)
    print(f"{options.out}: {len(rows)} rows")
    return 0


if __name__ == "__main__":
    sys.exit(main())
