"""``mlfcore-lint check`` options as ruff users know them, through the real command."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time

import pytest

from ..conftest import run_cli

BAD = (
    "import torch\n"
    "import torch.nn as nn\n"
    "torch.backends.cudnn.benchmark = True\n"
    "pool = nn.MaxPool3d(2)\n"
)
NO_COLOUR = {"NO_COLOR": "", "FORCE_COLOR": "", "TERM": "xterm"}


@pytest.fixture
def project(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "demo"\n\n[tool.mlfcore-lint]\nextend-exclude = ["vendor"]\n')
    (tmp_path / "model.py").write_text(BAD)
    (tmp_path / "vendor").mkdir()
    (tmp_path / "vendor" / "lib.py").write_text(BAD)
    return tmp_path


def check(project, *args, **kwargs):
    kwargs.setdefault("env", NO_COLOUR)
    return run_cli("check", "--no-cache", "--target", "torch==2.11", *args, cwd=project, **kwargs)


def test_stdin_with_stdin_filename_uses_the_name_and_the_project_configuration(project):
    (project / "pyproject.toml").write_text(
        '[project]\nname = "demo"\n\n[tool.mlfcore-lint]\nper-file-ignores = {"legacy/*" = ["MLF101"]}\n')
    result = check(project, "-", "--stdin-filename", "legacy/old.py", input=BAD)
    assert result.returncode == 1, result.stderr
    assert result.stdout.splitlines() == [
        "legacy/old.py:3:1: MLF140 error: cuDNN benchmark mode picks convolution algorithms by timing, which differs from run to run",
        "Found 1 finding (1 error) in 1 file checked.",
    ]
    mixed = check(project, "-", "model.py", input=BAD)
    assert mixed.returncode == 2 and "checked alone" in mixed.stderr
    # without a name, standard input is "-"
    bare = check(project, "-", "--format", "json", input=BAD)
    assert {(f["path"], f["code"]) for f in json.loads(bare.stdout)} == {("-", "MLF101"), ("-", "MLF140")}


def test_force_exclude_keeps_a_vendored_file_out_when_named_or_piped(project):
    named = check(project, "vendor/lib.py", "model.py", "--format", "json")
    assert {f["path"] for f in json.loads(named.stdout)} == {"vendor/lib.py", "model.py"}
    forced = check(project, "--force-exclude", "vendor/lib.py", "model.py", "--format", "json")
    assert {f["path"] for f in json.loads(forced.stdout)} == {"model.py"}
    piped = check(project, "--force-exclude", "-", "--stdin-filename", "vendor/lib.py", input=BAD)
    assert piped.returncode == 0 and piped.stdout == "No findings in 0 files checked.\n"
    # --fix on an excluded buffer gives it back unchanged
    fixed = check(project, "--force-exclude", "--fix", "-", "--stdin-filename", "vendor/lib.py", input=BAD)
    assert fixed.returncode == 0 and fixed.stdout == BAD


def test_stdin_fix_writes_the_fixed_text_and_reports_what_remains(project):
    result = check(project, "--fix", "-", "--stdin-filename", "model.py", input=BAD)
    assert result.stdout == BAD.replace("benchmark = True", "benchmark = False")
    assert result.returncode == 1
    assert result.stderr.startswith("model.py:4:8: MLF101 error: ")
    diff = check(project, "--diff", "-", "--stdin-filename", "model.py", input=BAD)
    assert diff.returncode == 1
    assert "-torch.backends.cudnn.benchmark = True\n+torch.backends.cudnn.benchmark = False\n" in diff.stdout


def test_exit_zero_and_quiet(project):
    result = check(project, "--exit-zero", "--quiet")
    assert result.returncode == 0
    assert [line.split(":")[0] for line in result.stdout.splitlines()] == ["model.py", "model.py"]
    assert check(project, "--quiet", "model.py").returncode == 1
    # a usage error still fails
    assert check(project, "--exit-zero", "nowhere.py").returncode == 2


@pytest.mark.slow
@pytest.mark.parametrize(("args", "env", "coloured"), [
    ((), NO_COLOUR, False),  # not a terminal
    ((), {**NO_COLOUR, "FORCE_COLOR": "1"}, True),
    ((), {"NO_COLOR": "1", "FORCE_COLOR": "1"}, False),  # NO_COLOR wins over FORCE_COLOR
    (("--color", "always"), {**NO_COLOUR, "NO_COLOR": "1"}, True),  # the option wins over both
    (("--color", "never"), {**NO_COLOUR, "FORCE_COLOR": "1"}, False),
])
def test_colour_follows_the_terminal_and_the_environment(project, args, env, coloured):
    result = check(project, "model.py", *args, env=env)
    assert ("\x1b[" in result.stdout) is coloured
    assert re.sub(r"\x1b\[[0-9;]*m", "", result.stdout) == check(project, "model.py").stdout


@pytest.mark.slow
def test_colour_never_goes_into_a_report_file_or_json(project):
    check(project, "model.py", "-o", "report.txt", env={**NO_COLOUR, "FORCE_COLOR": "1"})
    assert "\x1b[" not in (project / "report.txt").read_text()
    assert "\x1b[" not in check(project, "--format", "json", "--color", "always").stdout


def test_colour_on_a_real_terminal(project):
    """``auto`` colours when standard output is a terminal (a pseudo-terminal here)."""
    import os
    import pty

    leader, follower = pty.openpty()
    process = subprocess.Popen([sys.executable, "-m", "mlfcore_lint", "check", "--no-cache", "model.py"],
                               cwd=project, stdout=follower, stderr=subprocess.DEVNULL,
                               env={**os.environ, **NO_COLOUR})
    os.close(follower)
    output = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:
            break
        if not chunk:
            break
        output += chunk
    os.close(leader)
    assert process.wait(timeout=120) == 1
    assert b"\x1b[1m" in output and b"MLF140" in output


def test_show_fixes_marks_what_a_fix_removes(project):
    lines = check(project, "model.py", "--show-fixes").stdout.splitlines()
    assert lines[0].startswith("model.py:3:1: MLF140 [*] error: ")
    assert lines[1].startswith("model.py:4:8: MLF101 error: ")
    assert lines[-1] == "[*] 1 fixable with `mlfcore-lint check --fix`."


def test_unsafe_fixes_are_marked_and_applied_only_when_asked_for(project):
    (project / "up.py").write_text(
        'import torch.nn as nn\nimport torch.nn.functional as F\nclass Up(nn.Module):\n    def forward(self, x):\n'
        '        y = F.interpolate(x, scale_factor=2, mode="trilinear", align_corners=False)\n        return y\n')
    assert "[*]" not in check(project, "up.py", "--show-fixes").stdout
    marked = check(project, "up.py", "--show-fixes", "--unsafe-fixes").stdout.splitlines()
    assert marked[0].startswith("up.py:5:13: MLF102 [*] error: ")
    assert marked[-1] == "[*] 1 fixable with `mlfcore-lint check --fix --unsafe-fixes`."
    check(project, "up.py", "--fix")
    assert "trilinear" in (project / "up.py").read_text()
    fixed = check(project, "up.py", "--fix", "--unsafe-fixes")
    assert fixed.returncode == 0 and fixed.stdout == "Found 1 finding (1 fixed, 0 remaining) in 1 file checked.\n"
    assert (project / "up.py").read_text().endswith('y = F.interpolate(x, scale_factor=2, mode="nearest")\n        return y\n')


def test_fix_applies_safe_fixes_and_reports_the_rest(project):
    result = check(project, "--fix")
    assert result.returncode == 1, result.stderr
    assert (project / "model.py").read_text() == BAD.replace("= True", "= False")
    assert (project / "vendor" / "lib.py").read_text() == BAD  # excluded: not touched
    assert result.stdout.splitlines()[0].startswith("model.py:4:8: MLF101 error: ")
    assert result.stdout.splitlines()[-1] == "Found 2 findings (1 fixed, 1 remaining: 1 error) in 1 file checked."
    again = check(project, "--fix")
    assert again.stdout.splitlines()[-1] == "Found 1 finding (1 error) in 1 file checked."


def test_diff_writes_nothing_and_exits_one_when_fixes_are_pending(project):
    result = check(project, "--diff")
    assert result.returncode == 1
    assert (project / "model.py").read_text() == BAD
    assert result.stdout.startswith("--- a/model.py\n+++ b/model.py\n")
    assert result.stderr == "Would fix 1 findings in 1 file.\n"
    (project / "model.py").write_text("import os\n")
    clean = check(project, "--diff")
    assert (clean.returncode, clean.stdout) == (0, "")


def test_fix_and_diff_exclude_each_other(project):
    result = check(project, "--fix", "--diff")
    assert result.returncode == 2 and "not allowed with argument" in result.stderr


def test_extend_exclude_and_per_file_ignores_on_the_command_line(project):
    (project / "legacy").mkdir()
    (project / "legacy" / "old.py").write_text(BAD)
    (project / "third_party").mkdir()
    (project / "third_party" / "x.py").write_text(BAD)
    data = json.loads(check(project, "--format", "json", "--extend-exclude", "third_party",
                            "--per-file-ignores", "legacy/*:MLF101,MLF14").stdout)
    assert {(f["path"], f["code"]) for f in data} == {("model.py", "MLF101"), ("model.py", "MLF140")}
    bad = check(project, "--per-file-ignores", "legacy/*")
    assert bad.returncode == 2 and "GLOB:CODES" in bad.stderr
    unknown = check(project, "--per-file-ignores", "legacy/*:MLF777")
    assert unknown.returncode == 2 and "MLF777" in unknown.stderr


def test_show_settings(project):
    result = check(project, "--show-settings", "--per-file-ignores", "tests/*:MLF1", "--extend-exclude", "build2")
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert f"Configuration file: {project / 'pyproject.toml'}" in lines
    assert "extend-exclude: vendor, build2" in lines
    assert "    tests/*: MLF1" in lines
    assert "    torch==2.11" in lines
    assert lines[-2:] == ["Files to check: 1", "    model.py"]


def test_watch_checks_again_when_a_file_changes(project):
    process = subprocess.Popen(
        [sys.executable, "-m", "mlfcore_lint", "check", "--no-cache", "--target", "torch==2.11", "--watch",
         "--watch-runs", "2", "--watch-interval", "0.1", "--format", "json"],
        cwd=project, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    first = ""
    while not first.endswith("]\n"):
        line = process.stdout.readline()
        assert line, process.stderr.read()
        first += line
    assert {f["code"] for f in json.loads(first)} == {"MLF101", "MLF140"}
    time.sleep(0.05)
    (project / "model.py").write_text(BAD.replace("= True", "= False") + "# edited\n")
    second, errors = process.communicate(timeout=300)
    assert process.returncode == 1
    assert {f["code"] for f in json.loads(second)} == {"MLF101"}
    assert errors.count("Watching for changes") == 2


def test_text_output_shows_severity(project):
    (project / "model.py").write_text("import torch\nx = torch.randn(3, device='cuda')\ny = x.index_add_(0, idx, src)\n")
    data = json.loads(check(project, "model.py", "--format", "json").stdout)
    text = check(project, "model.py").stdout.splitlines()
    assert [re.match(r"\S+: MLF\d+ (\w+): ", line).group(1) for line in text[:-1]] == [f["severity"] for f in data]


def test_select_on_the_command_line_replaces_the_configured_ignore_and_extend_select(tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        '[tool.mlfcore-lint]\ntarget = ["torch==2.11"]\nignore = ["MLF140"]\nextend-select = ["MLF101"]\n'
        'per-file-ignores = { "other.py" = ["MLF140"] }\n')
    (tmp_path / "model.py").write_text(BAD)
    (tmp_path / "other.py").write_text(BAD)

    def codes(*args):
        result = run_cli("check", "--no-cache", "--format", "json", *args, ".", cwd=tmp_path)
        return sorted((f["path"], f["code"]) for f in json.loads(result.stdout))

    assert codes() == [("model.py", "MLF101"), ("other.py", "MLF101")]
    # as in ruff: the configuration's ignore belonged to the selection --select replaces
    assert codes("--select", "MLF140") == [("model.py", "MLF140")]  # per-file-ignores still apply
    assert codes("--select", "MLF140", "--ignore", "MLF140") == []


def test_standard_input_is_decoded_as_the_file_would_be(tmp_path):
    """Bytes on standard input are the file's bytes: a coding cookie is honoured, undecodable text is MLF901."""
    (tmp_path / "pyproject.toml").write_text('[tool.mlfcore-lint]\ntarget = ["torch==2.11"]\n')
    latin = "# -*- coding: latin-1 -*-\nimport torch\nx = 'çé'; torch.backends.cudnn.benchmark = True\n"
    (tmp_path / "latin.py").write_bytes(latin.encode("latin-1"))
    on_disk = run_cli("check", "--no-cache", "--format", "json", "latin.py", cwd=tmp_path)
    piped = subprocess.run([sys.executable, "-m", "mlfcore_lint", "check", "--no-cache", "--format", "json",
                    "--stdin-filename", "latin.py", "-"], cwd=tmp_path, input=latin.encode("latin-1"),
                   capture_output=True, timeout=600, check=False)
    assert json.loads(piped.stdout) == json.loads(on_disk.stdout)
    assert [(f["line"], f["column"]) for f in json.loads(on_disk.stdout)] == [(3, 11)]  # characters, not bytes
    broken = subprocess.run([sys.executable, "-m", "mlfcore_lint", "check", "--no-cache", "--format", "json",
                     "--stdin-filename", "broken.py", "-"], cwd=tmp_path, input="import torch\nx = 'é'\n".encode("latin-1"),
                    capture_output=True, timeout=600, check=False)
    assert [f["code"] for f in json.loads(broken.stdout)] == ["MLF901"]
