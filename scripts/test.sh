#!/usr/bin/env bash
# The test command (README, .ci/run):
#
#   bash scripts/test.sh                         the whole suite
#   bash scripts/test.sh test/config/x.test.ts   some files; any other argument goes to tap too
#
# Gets Node >= 22.18, installs the Debian peers (as root), node_modules (when stale), typechecks,
# runs tap over test/**/*.test.ts, and ends with one line `tests: N passed, N failed[, N skipped]`.
# Exits non-zero on any failure, a failed typecheck, or when no test ran.
# Environment: HOSTAGENT_TEST_STRICT=1 turns a missing peer into a failure (CI sets it);
# HOSTAGENT_TEST_TIMEOUT seconds per test file (default 300); HOSTAGENT_SKIP_TYPECHECK=1.
set -euo pipefail
# One function, parsed whole before it runs: editing this file during a run cannot derail it.
main() {
  cd "$(dirname "$0")/.."

  source scripts/bootstrap-node.sh || exit 1
  if [ "$(id -u)" -eq 0 ] || [ -n "${CI:-}" ]; then
    bash scripts/install-peers.sh
  fi
  bash scripts/ensure-deps.sh
  echo "setup: node $(node -v), peers and node_modules ready in ${SECONDS}s"

  extra_failed=0
  if [ "${HOSTAGENT_SKIP_TYPECHECK:-}" != 1 ]; then
    if node_modules/.bin/tsc --noEmit -p .; then
      echo "typecheck: ok"
    else
      echo "typecheck: FAILED (counted as one failed test)"
      extra_failed=1
    fi
  fi

  HOSTAGENT_EXTRA_FAILED="$extra_failed" exec bash scripts/run-tap.sh "$@"
}
main "$@"
