#!/usr/bin/env bash
# Creates (idempotently) the virtualenv for the Python-client fidelity test:
# onecodex==1.2.0 (the official client), pandas, pytest. Prints the venv's python path.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
VENV="${ONECODEX_PYENV:-$ROOT/.cache/pyenv}"
STAMP="$VENV/.onecodex-1.2.0-ready"
if [ ! -f "$STAMP" ]; then
  python3 -m venv "$VENV" >&2
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "onecodex==1.2.0" pandas pytest >&2
  touch "$STAMP"
fi
echo "$VENV/bin/python"
