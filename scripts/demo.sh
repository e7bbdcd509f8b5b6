#!/usr/bin/env bash
# The demo command (README): on a fresh machine, gets Node, installs node_modules and runs the
# demo, which starts hostagentd unprivileged under a throwaway directory, calls it and stops it.
#
#   bash scripts/demo.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bootstrap-node.sh || exit 1
bash scripts/ensure-deps.sh
exec node scripts/demo.ts "$@"
