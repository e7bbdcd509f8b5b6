#!/usr/bin/env bash
# Installs the Debian packages the tests talk to (scripts/peer-packages.txt), skipping those
# already installed. Tests start their own server instances on private ports and sockets, so
# no system service is started here; the ones a package's postinst would start are held back.
set -euo pipefail
cd "$(dirname "$0")/.."

mapfile -t wanted < <(sed -e 's/#.*//' -e 's/[[:space:]]//g' scripts/peer-packages.txt | grep -v '^$')

missing=()
for pkg in "${wanted[@]}"; do
  status="$(dpkg-query -W -f='${db:Status-Abbrev}' "$pkg" 2>/dev/null || true)"
  [ "${status:0:2}" = "ii" ] || missing+=("$pkg")
done
[ "${#missing[@]}" -eq 0 ] && exit 0

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  if [ -n "${CI:-}" ] && command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO=(sudo -n)
  elif [ -n "${CI:-}" ]; then
    echo "install-peers: missing ${missing[*]}, and CI is not root (no passwordless sudo)" >&2
    exit 1
  else
    echo "install-peers: not root, not installing: ${missing[*]} (tests needing them will skip)" >&2
    exit 0
  fi
fi

echo "install-peers: installing ${missing[*]}" >&2
# policy-rc.d exit 101 tells invoke-rc.d not to start services during this install (the Debian
# way, the same as Docker images do); only ours is removed afterwards.
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
  "${SUDO[@]}" sh -c "printf '#!/bin/sh\nexit 101\n' > $policy && chmod 755 $policy"
  trap '"${SUDO[@]}" rm -f "$policy"' EXIT
fi
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
  -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "${missing[@]}" >/dev/null
echo "install-peers: done" >&2
