#!/usr/bin/env bash
# The quick loop while developing: every test that is not marked `slow`, in parallel (target: under two
# minutes on two cores). CI (`.ci/run` -> scripts/test.sh) still runs everything.
#
#   bash scripts/quick.sh                      # the quick suite
#   bash scripts/quick.sh tests/cli -x         # pytest arguments pass through
#
# It uses the virtual environment scripts/test.sh makes (MLFCORE_TEST_VENV overrides it) and runs this
# checkout's code (PYTHONPATH), so there is nothing to reinstall between edits.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${MLFCORE_TEST_VENV:-.venv-test}"
if [[ ! -x "$VENV/bin/python" ]]; then
  echo "scripts/quick.sh: no $VENV: run 'bash scripts/test.sh' once to create it" >&2
  exit 2
fi
jobs=$(python3 -c 'import os; print(min(4, os.cpu_count() or 1))')
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
exec "$VENV/bin/python" -m pytest -m "not slow" -n "$jobs" -q -p no:cacheprovider "$@"
