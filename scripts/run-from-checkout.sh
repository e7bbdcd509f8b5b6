#!/usr/bin/env bash
# Runs bin/<command>.ts from a checkout the way the README's scripts do: a Node >= 22.18 first on
# PATH (fetched into ~/.cache/hostagent when the machine's is older) and node_modules installed.
# bin/hostagentd and bin/agentctl call it; what they print to stdout stays the command's own.
#
#   scripts/run-from-checkout.sh hostagentd|agentctl [ARG...]
set -euo pipefail
repo="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
command="${1:?usage: run-from-checkout.sh hostagentd|agentctl [ARG...]}"
shift
source "$repo/scripts/bootstrap-node.sh" >&2 || exit 1
bash "$repo/scripts/ensure-deps.sh" >&2
exec node "$repo/bin/$command.ts" "$@"
