"""Every kind of bad input gets a clear finding or error, never a traceback, and the run goes on."""

from __future__ import annotations

import json
import os
import sys

import pytest

from ..conftest import run_cli

GOOD = "import torch\ntorch.backends.cudnn.benchmark = True\n"


def lint(tmp_path, *args):
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n')
    (tmp_path / "good.py").write_text(GOOD)
    result = run_cli("check", "--no-cache", "--format", "json", "--target", "torch==2.11", *args, cwd=tmp_path)
    assert "Traceback" not in result.stderr, result.stderr
    return result, json.loads(result.stdout or "[]")


def codes_by_path(findings):
    return {(f["path"], f["code"]) for f in findings}


def assert_reported(tmp_path, name, content, code, message_part):
    path = tmp_path / name
    path.write_bytes(content) if isinstance(content, bytes) else path.write_text(content, encoding="utf-8")
    result, findings = lint(tmp_path)
    assert result.returncode == 1
    assert ("good.py", "MLF140") in codes_by_path(findings), "one bad file must not stop the rest"
    problem = [f for f in findings if f["path"] == name]
    assert [f["code"] for f in problem] == [code], findings
    assert message_part in problem[0]["message"]
    return problem[0]


def test_syntax_error(tmp_path):
    finding = assert_reported(tmp_path, "broken.py", "import torch\ntorch.manual_seed(0)\ndef f(:\n    pass\n", "MLF902", "cannot parse")
    assert (finding["line"], finding["column"]) == (3, 7) and "invalid syntax" in finding["message"]


def test_non_utf8_file(tmp_path):
    assert_reported(tmp_path, "latin.py", "import torch\nname = 'café'\n".encode("latin-1"), "MLF901", "not valid utf-8")


def test_declared_encoding_is_honoured(tmp_path):
    (tmp_path / "latin.py").write_bytes("# -*- coding: latin-1 -*-\nimport torch\nname = 'café'\n".encode("latin-1"))
    result, findings = lint(tmp_path)
    assert not [f for f in findings if f["path"] == "latin.py"]


def test_binary_file(tmp_path):
    assert_reported(tmp_path, "blob.py", b"\x89PNG\r\n\x1a\n\x00\x00torch", "MLF901", "binary")


def test_bom_and_crlf_are_fine(tmp_path):
    (tmp_path / "bom.py").write_bytes(b"\xef\xbb\xbfimport torch\r\ntorch.backends.cudnn.benchmark = True\r\n")
    result, findings = lint(tmp_path)
    assert [(f["line"], f["column"], f["code"]) for f in findings if f["path"] == "bom.py"] == [(2, 1, "MLF140")]


def test_empty_file(tmp_path):
    (tmp_path / "empty.py").write_text("")
    result, findings = lint(tmp_path)
    assert not [f for f in findings if f["path"] == "empty.py"]


def test_very_deep_expression(tmp_path):
    deep = "import torch\ntorch.manual_seed(0)\nx = " + "(" * 5000 + "1" + ")" * 5000 + "\n"
    assert_reported(tmp_path, "deep.py", deep, "MLF904", "nested")


def test_very_long_expression_chain(tmp_path):
    chain = "import torch\ntorch.backends.cudnn.benchmark = True\nx = " + " + ".join(["1"] * 3000) + "\n"
    (tmp_path / "chain.py").write_text(chain)
    result, findings = lint(tmp_path)
    assert [f["code"] for f in findings if f["path"] == "chain.py"] == ["MLF140"]


def test_very_large_file(tmp_path):
    big = "import torch\ntorch.manual_seed(0)\n" + "x = 1\n" * (2 * 1024 * 1024)
    assert_reported(tmp_path, "big.py", big, "MLF904", "larger than")


def test_invalid_notebook(tmp_path):
    assert_reported(tmp_path, "nb.ipynb", "{not json", "MLF903", "not valid JSON")


@pytest.mark.skipif(sys.platform == "win32" or os.geteuid() == 0, reason="root reads every file")
def test_unreadable_file(tmp_path):
    path = tmp_path / "secret.py"
    path.write_text(GOOD)
    path.chmod(0)
    result, findings = lint(tmp_path)
    assert ("secret.py", "MLF901") in codes_by_path(findings)


def test_unreadable_file_via_dangling_symlink(tmp_path):
    (tmp_path / "dangling.py").symlink_to(tmp_path / "missing-target.py")
    result, findings = lint(tmp_path)
    [problem] = [f for f in findings if f["path"] == "dangling.py"]
    assert problem["code"] == "MLF901" and "cannot read" in problem["message"]


def test_symlink_loop(tmp_path):
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "loop").symlink_to(tmp_path / "pkg", target_is_directory=True)
    (tmp_path / "pkg" / "m.py").write_text(GOOD)
    result, findings = lint(tmp_path)
    assert result.returncode == 1
    assert codes_by_path(findings) == {("good.py", "MLF140"), ("pkg/m.py", "MLF140")}


def test_the_linter_never_runs_the_code(tmp_path):
    marker = tmp_path / "ran"
    (tmp_path / "evil.py").write_text(f"import torch\nopen({str(marker)!r}, 'w').write('x')\nimport evil_missing_module\n")
    lint(tmp_path)
    assert not marker.exists()


def test_fifo_named_like_a_module_is_skipped(tmp_path):
    os.mkfifo(tmp_path / "pipe.py")
    result, findings = lint(tmp_path)
    assert codes_by_path(findings) == {("good.py", "MLF140")}
