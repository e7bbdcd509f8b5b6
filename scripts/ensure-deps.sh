#!/usr/bin/env bash
# Installs node_modules from package-lock.json when it is missing or stale (npm ci), or rebuilds
# native addons when the node ABI changed. Run after scripts/bootstrap-node.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

# One install at a time per node_modules (worktrees may share one through a symlink, and
# bin/agentctl runs may overlap): npm ci empties the tree another run is using or filling.
modules="$(readlink -f node_modules)"
exec 9>"${TMPDIR:-/tmp}/hostagent-deps-$(printf '%s' "$modules" | cksum | cut -d' ' -f1).lock"
if command -v flock >/dev/null 2>&1; then flock 9; fi

state=0
node scripts/deps-state.ts check || state=$?
case "$state" in
  0) exit 0 ;;
  10) echo "ensure-deps: npm ci" >&2
      npm ci --no-audit --no-fund --loglevel=error >/dev/null ;;
  11) echo "ensure-deps: npm rebuild (node $(node -v))" >&2
      npm rebuild --loglevel=error >/dev/null ;;
  *) echo "ensure-deps: scripts/deps-state.ts failed ($state)" >&2; exit 1 ;;
esac
node scripts/deps-state.ts write
