#!/usr/bin/env bash
# The check step of action.yml (also runs on its own: tests/cli/test_action.py runs it on the example project).
# Writes the SARIF report, prints the findings as annotations on the run, and sets the step's outputs
# `findings` and `sarif-file`. Exits 0 with findings (a later step decides), 2 when the linter could not run.
set -uo pipefail
read -r -a paths <<< "${INPUT_PATHS:-.}"
read -r -a args <<< "${INPUT_ARGS:-}"
sarif="${INPUT_SARIF_FILE:-mlfcore-lint.sarif}"
read -r -a lint <<< "${MLFCORE_LINT_COMMAND:-mlfcore-lint}"

"${lint[@]}" check --format sarif --output "$sarif" "${args[@]}" "${paths[@]}"
status=$?
if [ "$status" -gt 1 ]; then
  echo "::error::mlfcore-lint could not check the project (exit $status)"
  exit "$status"
fi
# The same findings as workflow annotations (served from the cache the first run wrote), and the counts.
"${lint[@]}" check --format github "${args[@]}" "${paths[@]}"
findings=$("${lint[@]}" check --format json --exit-zero "${args[@]}" "${paths[@]}" | python3 -c 'import json, sys; print(len(json.load(sys.stdin)))')
{
  echo "findings=$findings"
  echo "sarif-file=$sarif"
} >> "${GITHUB_OUTPUT:-/dev/null}"
if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
  {
    echo "### mlfcore-lint: $findings findings"
    echo
    echo '```'
    "${lint[@]}" check --statistics --exit-zero "${args[@]}" "${paths[@]}"
    echo '```'
  } >> "$GITHUB_STEP_SUMMARY"
fi
echo "mlfcore-lint: $findings findings; SARIF report in $sarif"
exit 0
