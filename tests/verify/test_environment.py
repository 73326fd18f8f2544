"""The environment is recorded without importing frameworks; setups set exactly their variables."""

from __future__ import annotations

import json
import subprocess
import sys

from mlfcore_lint.verify.setups import FRAMEWORKS, entry_program, setup_environment


def test_capture_imports_no_framework():
    code = ("import sys, json; from mlfcore_lint.verify.environment import capture; info = capture(); "
            "print(json.dumps([info['versions'].get('torch'), sorted(m for m in ('torch', 'tensorflow', 'xgboost') "
            "if m in sys.modules)]))")
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    version, imported = json.loads(completed.stdout)
    assert version and imported == []


def test_setup_environments():
    base = {"PATH": "/bin", "CUBLAS_WORKSPACE_CONFIG": ":16:8", "PYTHONHASHSEED": "7"}
    torch = FRAMEWORKS["torch"]
    assert setup_environment(torch, "no-seeds", base) == {"PATH": "/bin", "PYTHONHASHSEED": "random"}
    assert setup_environment(torch, "seeds", base) == {"PATH": "/bin", "PYTHONHASHSEED": "0"}
    assert setup_environment(torch, "deterministic", base)["CUBLAS_WORKSPACE_CONFIG"] == ":4096:8"


def test_entry_programs_seed_and_switch_only_where_their_setup_says():
    torch = FRAMEWORKS["torch"]
    assert "manual_seed" not in entry_program(torch, "no-seeds", "MLF101_x")
    seeds = entry_program(torch, "seeds", "MLF101_x")
    assert "torch.manual_seed(SEED)" in seeds and "use_deterministic_algorithms" not in seeds
    assert "torch.use_deterministic_algorithms(True)" in entry_program(torch, "deterministic", "MLF101_x")
    compile(seeds, "entry.py", "exec")
