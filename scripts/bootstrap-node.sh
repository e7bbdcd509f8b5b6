# Makes a Node >= 22.18 the first `node` on PATH (sourced by the other scripts).
#
#   source scripts/bootstrap-node.sh || exit 1
#
# hostagent runs its TypeScript natively (type stripping is on by default from 22.18), so an older
# node (Debian 12 ships 18/20) is not enough. In that case the npm registry package
# node-linux-<arch>@24, which carries bin/node and the headers in include/node, is installed into
# a cache once with the npm that is already there, and used from then on.
# Executed instead of sourced, it prints the export lines: eval "$(bash scripts/bootstrap-node.sh)".

hostagent_node_ok() {
  # $1: a node binary. True when it runs and is at least 22.18.
  "$1" -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 22 || (a === 22 && b >= 18) ? 0 : 1)' >/dev/null 2>&1
}

hostagent_bootstrap_node() {
  local cache arch pkg bin current
  cache="${HOSTAGENT_NODE_CACHE:-${HOME:-/tmp}/.cache/hostagent}/node24"
  case "$(uname -m)" in
    x86_64) arch=x64 ;;
    aarch64) arch=arm64 ;;
    *) arch="" ;;
  esac
  pkg="$cache/node_modules/node-linux-$arch"
  bin="$pkg/bin"

  current="$(command -v node || true)"
  if [ -n "$current" ] && [ "$current" != "$bin/node" ] && hostagent_node_ok "$current"; then
    # A new enough node of the machine's own: native addons build against its own headers, not
    # whatever ~/.npmrc says (these machines set nodedir=/usr there).
    current="$(readlink -f "$current")"
    if [ -f "$(dirname "$(dirname "$current")")/include/node/node.h" ]; then
      export npm_config_nodedir
      npm_config_nodedir="$(dirname "$(dirname "$current")")"
    fi
    return 0
  fi

  if ! hostagent_node_ok "$bin/node"; then
    if [ -z "$arch" ]; then
      echo "bootstrap-node: node on PATH is older than 22.18 and there is no Node 24 package for $(uname -m)" >&2
      return 1
    fi
    if ! command -v npm >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" -eq 0 ]; then
      # No npm at all: Debian's (with its older node) is enough to fetch the real one.
      echo "bootstrap-node: no npm; installing Debian's npm to fetch Node 24 with" >&2
      { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends npm; } >/dev/null \
        || { echo "bootstrap-node: apt-get install npm failed" >&2; return 1; }
    fi
    if ! command -v npm >/dev/null 2>&1; then
      echo "bootstrap-node: node on PATH is older than 22.18 and there is no npm to fetch node-linux-$arch@24 with" >&2
      return 1
    fi
    echo "bootstrap-node: installing node-linux-$arch@24 into $cache" >&2
    mkdir -p "$cache" || return 1
    (
      # Two scripts bootstrapping at once must not interleave npm runs in one prefix.
      if command -v flock >/dev/null 2>&1; then flock 9; fi
      hostagent_node_ok "$bin/node" && exit 0
      rm -rf "$cache/node_modules"
      npm install --prefix "$cache" --no-save --no-package-lock --no-audit --no-fund \
        --loglevel=error "node-linux-$arch@24" >/dev/null
    ) 9>"$cache/.lock" || { echo "bootstrap-node: npm install node-linux-$arch@24 failed" >&2; return 1; }
    if ! hostagent_node_ok "$bin/node"; then
      echo "bootstrap-node: $bin/node does not run or is too old" >&2
      return 1
    fi
  fi

  case ":$PATH:" in
    *":$bin:"*) PATH="$bin:$(printf '%s' ":$PATH:" | sed "s#:$bin:#:#g; s#^:##; s#:\$##")" ;;
    *) PATH="$bin:$PATH" ;;
  esac
  export PATH
  # Headers for node-gyp (sd-notify); overrides nodedir=/usr from ~/.npmrc.
  export npm_config_nodedir="$pkg"
  # The upstream binary trusts only its bundled CAs, while Debian's node (which fetched it) and
  # curl/apt trust the system store; keep the two alike, e.g. behind a TLS-inspecting proxy.
  if [ -z "${NODE_EXTRA_CA_CERTS:-}" ] && [ -r /etc/ssl/certs/ca-certificates.crt ]; then
    export NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
  fi
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  # Executed, not sourced: print what a caller should export.
  hostagent_bootstrap_node || exit 1
  printf 'export PATH=%q\n' "$PATH"
  [ -n "${npm_config_nodedir:-}" ] && printf 'export npm_config_nodedir=%q\n' "$npm_config_nodedir"
  [ -n "${NODE_EXTRA_CA_CERTS:-}" ] && printf 'export NODE_EXTRA_CA_CERTS=%q\n' "$NODE_EXTRA_CA_CERTS"
  exit 0
fi
hostagent_bootstrap_node
