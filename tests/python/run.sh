#!/usr/bin/env bash
# Runs the Python-client fidelity test: creates the virtualenv if needed (setup_env.sh) and uses
# $ONECODEX_SERVER_BIN or the built server binary (building it in release mode if absent).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PY="$("$HERE/setup_env.sh")"
exec "$PY" -m pytest -q -p no:cacheprovider "$HERE/test_fidelity.py" "$@"
