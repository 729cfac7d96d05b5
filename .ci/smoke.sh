#!/usr/bin/env bash
# Smoke test of a Keyframe server command: `bash .ci/smoke.sh NAME COMMAND...` starts COMMAND with a
# temporary DATA_DIR on free ports, waits for /healthz and /readyz to answer 200, fetches the console's
# page and two of its files, sends SIGTERM to the server process, and requires it (and so COMMAND,
# e.g. `npm start`) to exit 0.
# Node 24 must be on PATH (source scripts/node24.sh).
set -euo pipefail

name=$1
shift

free_port() { node -e 'const s = require("node:net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close() })'; }

dir=$(mktemp -d)
port=$(free_port)
ws_port=$(free_port)
url="http://127.0.0.1:$port"
log="$dir/server.log"
echo "$name: starting \`$*\` (PORT=$port WS_PORT=$ws_port DATA_DIR=$dir)"
# its own session, so that everything it starts can be found (and cleaned up) by session id
DATA_DIR=$dir PORT=$port WS_PORT=$ws_port setsid "$@" >"$log" 2>&1 &
pid=$!

# The server is the leaf of the command's process tree (npm -> sh -> [npx/shim ->] node or deno):
# SIGTERM goes to it, as a container runtime or process manager sends it; npm passes its status on.
server_pid() {
  ps -o pid=,ppid= --sid "$pid" | awk '{ pid[NR] = $1; parent[$2] = 1 } END { for (i in pid) if (!(pid[i] in parent)) print pid[i] }' | head -1
}
cleanup() { kill -KILL -- "-$pid" 2>/dev/null || true; }
trap cleanup EXIT

fail() {
  echo "$name: $1"
  echo "----- server output -----"
  cat "$log"
  exit 1
}

for path in /healthz /readyz; do
  code=000
  for ((i = 0; i < 240; i++)); do # up to 60 s (the first PGlite open runs initdb)
    code=$(curl -s -o "$dir/body" -w '%{http_code}' "$url$path" || true)
    [ "$code" = 200 ] && break
    kill -0 "$pid" 2>/dev/null || fail "exited before $path answered"
    sleep 0.25
  done
  [ "$code" = 200 ] || fail "$path did not answer 200 (last status: $code)"
  echo "$name: GET $path -> 200 $(cat "$dir/body")"
done

# the console: its page, one of its modules (compiled from TypeScript on the fly) and a vendored client,
# each through this runtime's file reader (src/runtime/ProjectFiles.ts)
for asset in "/ text/html" "/console/src/console/main.ts text/javascript" "/console/vendor/tus.js text/javascript"; do
  read -r path type <<<"$asset"
  got=$(curl -s -o "$dir/body" -w '%{http_code} %{content_type}' "$url$path" || true)
  case "$got" in "200 $type"*) ;; *) fail "GET $path answered \"$got\" (expected 200 $type)" ;; esac
  [ -s "$dir/body" ] || fail "GET $path answered an empty body"
  echo "$name: GET $path -> $got ($(wc -c <"$dir/body") bytes)"
done

server=$(server_pid)
echo "$name: SIGTERM to the server process $server ($(ps -o args= -p "$server"))"
kill -TERM "$server"
rc=0
wait "$pid" || rc=$?
leftover=$(ps -o pid=,args= --sid "$pid" || true)
echo "----- server output -----"
cat "$log"
echo "-------------------------"
[ "$rc" -eq 0 ] || { echo "$name: exit status $rc after SIGTERM (expected 0)"; exit 1; }
[ -z "$leftover" ] || { echo "$name: processes left behind: $leftover"; exit 1; }
if port_busy=$(curl -s -o /dev/null -w '%{http_code}' "$url/healthz"); [ "$port_busy" != 000 ]; then
  echo "$name: still answering on port $port after exit"
  exit 1
fi
echo "$name: clean shutdown (exit 0)"
rm -rf "$dir"
