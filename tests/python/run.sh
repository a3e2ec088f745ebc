#!/usr/bin/env bash
# Runs the Python-client fidelity test: creates the virtualenv if needed (setup_env.sh) and uses
# $ONECODEX_SERVER_BIN, or the release binary scripts/server.mjs builds (rebuilt when stale).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
PY="$("$HERE/setup_env.sh")"
if [ -z "${ONECODEX_SERVER_BIN:-}" ]; then
  ONECODEX_SERVER_BIN="$(cd "$ROOT" && node --input-type=module -e \
    'const m = await import("./scripts/server.mjs"); console.log(m.serverBinary({ quiet: true }));')"
  export ONECODEX_SERVER_BIN
fi
exec "$PY" -m pytest -q -p no:cacheprovider "$HERE/test_fidelity.py" "$@"
