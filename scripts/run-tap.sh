#!/usr/bin/env bash
# Runs tap over test/**/*.test.ts of the current directory (or the files/options given, passed
# through to tap) and ends with the line `tests: N passed, N failed[, N skipped]`
# (scripts/tap-summary.ts). Exits non-zero when anything failed or nothing ran.
# Environment: HOSTAGENT_TEST_TIMEOUT seconds per test file (default 300);
# HOSTAGENT_EXTRA_FAILED failures found before tap ran (a failed typecheck), added to the count.
set -euo pipefail
# One function, parsed whole before it runs: editing this file during a run cannot derail it.
main() {
  local here
  here="$(cd "$(dirname "$0")" && pwd)"

  tap_args=(--timeout="${HOSTAGENT_TEST_TIMEOUT:-300}" --include='test/**/*.test.ts')
  # The human report: tap's default on a terminal; in logs the failures-only one, since the
  # progress lines below name every file anyway. Any -R/--reporter argument wins.
  reporter_given=0
  for a in "$@"; do
    case "$a" in -R*|--reporter|--reporter=*) reporter_given=1 ;; esac
  done
  if [ "$reporter_given" = 0 ] && [ ! -t 1 ]; then tap_args+=(--reporter=min); fi

  raw="$(mktemp "${TMPDIR:-/tmp}/hostagent-tap.XXXXXX")"
  trap 'rm -f "$raw"' EXIT
  tap_status=0
  if [ -t 1 ]; then
    node_modules/.bin/tap "${tap_args[@]}" --output-file="$raw" "$@" || tap_status=$?
  else
    # In a log, print each test file's result line as it finishes, so a long run shows progress.
    node_modules/.bin/tap "${tap_args[@]}" --output-file="$raw" "$@" &
    tap_pid=$!
    tail --pid="$tap_pid" -n +1 -F "$raw" 2>/dev/null | grep -a --line-buffered -E '^(not )?ok [0-9]+ - ' || true
    wait "$tap_pid" || tap_status=$?
  fi

  summary_status=0
  node "$here/tap-summary.ts" "$raw" --extra-failed "${HOSTAGENT_EXTRA_FAILED:-0}" || summary_status=$?
  if [ "$tap_status" -ne 0 ] || [ "$summary_status" -ne 0 ]; then exit 1; fi
}
main "$@"
