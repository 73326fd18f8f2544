#!/usr/bin/env bash
# The whole test suite on a fresh machine: a virtual environment with the package (a real, non-editable
# install), its test extras and the frameworks the fixtures run on (CPU builds), then pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${MLFCORE_TEST_VENV:-.venv-test}"
if [[ ! -x "$VENV/bin/python" ]]; then
  python3 -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet --upgrade pip >/dev/null 2>&1 || true
# torch==2.13.0 resolves to the CPU wheel; installing it first keeps pip from pulling CUDA builds.
"$VENV/bin/python" -m pip install --quiet "torch==2.13.0" "xgboost" "numpy"
"$VENV/bin/python" -m pip install --quiet ".[test]"
"$VENV/bin/python" -m pip install --quiet "tensorflow-cpu" || echo "tensorflow-cpu not installed: TensorFlow fixtures will be skipped"
jobs=$(python3 -c 'import os; print(min(4, os.cpu_count() or 1))')
set +e
"$VENV/bin/python" -m pytest -n "$jobs" -p no:cacheprovider "$@"
status=$?
set -e
# pytest's 5 means no test was collected: a broken suite, not a pass.
exit $status
