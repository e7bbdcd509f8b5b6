#!/usr/bin/env bash
# Builds dist/hostagent_<version>_<arch>.deb: compiled JavaScript, production node_modules and
# its own Node 24 (Debian 12 ships Node 18) under /usr/lib/hostagent, wrappers in /usr/bin, the
# default config as a conffile, the schema, and the systemd unit, sysusers and tmpfiles files.
#
#   bash packaging/build-deb.sh
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$PWD"

source scripts/bootstrap-node.sh || exit 1
bash scripts/ensure-deps.sh

version="$(node -p 'require("./package.json").version')"
arch="$(dpkg --print-architecture)"
stage="$(mktemp -d "${TMPDIR:-/tmp}/hostagent-deb.XXXXXX")"
trap 'rm -rf "$stage"' EXIT
chmod 0755 "$stage"

rm -rf dist
npm run --silent build

lib="$stage/usr/lib/hostagent"
mkdir -p "$lib/node/bin" "$stage/usr/bin" "$stage/etc/hostagent" "$stage/usr/share/hostagent" \
  "$stage/usr/share/doc/hostagent" "$stage/lib/systemd/system" "$stage/usr/lib/sysusers.d" \
  "$stage/usr/lib/tmpfiles.d" "$stage/DEBIAN"

cp -a dist "$lib/dist"
cp package.json package-lock.json "$lib/"
# Production dependencies only, built (sd-notify) against the node that ships with them.
(cd "$lib" && npm ci --omit=dev --no-audit --no-fund --loglevel=error >/dev/null)
rm -f "$lib/package-lock.json" "$lib/node_modules/.hostagent-deps.json"
install -m 0755 "$(command -v node)" "$lib/node/bin/node"

for cmd in hostagentd agentctl; do
  printf '#!/bin/sh\nexec /usr/lib/hostagent/node/bin/node /usr/lib/hostagent/dist/bin/%s.js "$@"\n' "$cmd" > "$stage/usr/bin/$cmd"
  chmod 0755 "$stage/usr/bin/$cmd"
done

install -m 0644 etc/hostagent/agent.json "$stage/etc/hostagent/agent.json"
install -m 0644 etc/hostagent/agent.schema.json "$stage/usr/share/hostagent/agent.schema.json"
# agent.json names "./agent.schema.json" for editors.
ln -s /usr/share/hostagent/agent.schema.json "$stage/etc/hostagent/agent.schema.json"
install -m 0644 systemd/hostagent.service "$stage/lib/systemd/system/hostagent.service"
install -m 0644 systemd/hostagent.sysusers.conf "$stage/usr/lib/sysusers.d/hostagent.conf"
install -m 0644 systemd/hostagent.tmpfiles.conf "$stage/usr/lib/tmpfiles.d/hostagent.conf"
[ -f README.md ] && install -m 0644 README.md "$stage/usr/share/doc/hostagent/README.md"
[ -d docs ] && cp -r docs "$stage/usr/share/doc/hostagent/docs"

cat > "$stage/DEBIAN/control" <<CONTROL
Package: hostagent
Version: $version
Architecture: $arch
Maintainer: hostagent maintainers <root@localhost>
Section: admin
Priority: optional
Depends: libc6, libstdc++6, systemd
Recommends: mariadb-client, postgresql-client, zstd, pigz
Installed-Size: $(du -sk "$stage" | cut -f1)
Description: backup agent for web-hosting nodes
 hostagentd takes account snapshots (home files, SQL dumps, mail, DNS zones), serves tenant
 downloads, runs schedules to off-host storage and restores, driven over JSON-RPC 2.0 on
 Unix sockets by the hosting panel and the agentctl client.
CONTROL
echo /etc/hostagent/agent.json > "$stage/DEBIAN/conffiles"

cat > "$stage/DEBIAN/postinst" <<'SCRIPT'
#!/bin/sh
set -e
if [ "$1" = configure ]; then
  systemd-sysusers hostagent.conf || true
  systemd-tmpfiles --create hostagent.conf || true
  if [ -d /run/systemd/system ]; then
    systemctl daemon-reload
    systemctl enable hostagent.service >/dev/null
    # deb-systemd-invoke honours policy-rc.d (containers, image builds).
    deb-systemd-invoke restart hostagent.service || true
  fi
fi
SCRIPT
cat > "$stage/DEBIAN/prerm" <<'SCRIPT'
#!/bin/sh
set -e
if [ -d /run/systemd/system ] && [ "$1" = remove ]; then
  deb-systemd-invoke stop hostagent.service || true
fi
SCRIPT
cat > "$stage/DEBIAN/postrm" <<'SCRIPT'
#!/bin/sh
set -e
if [ -d /run/systemd/system ]; then systemctl daemon-reload || true; fi
if [ "$1" = purge ]; then systemctl disable hostagent.service >/dev/null 2>&1 || true; fi
SCRIPT
chmod 0755 "$stage/DEBIAN/postinst" "$stage/DEBIAN/prerm" "$stage/DEBIAN/postrm"

out="$repo/dist/hostagent_${version}_${arch}.deb"
dpkg-deb --root-owner-group -Zxz --build "$stage" "$out" >/dev/null
echo "$out"
