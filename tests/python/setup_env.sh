#!/usr/bin/env bash
# Creates (idempotently) the virtualenv for the Python-client tests: onecodex[all]==1.2.0 (the
# official client with scikit-bio, scipy, scikit-learn, scikit-posthocs, altair), pandas, pytest,
# every version pinned by constraints.txt. Prints the venv's python path.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
VENV="${ONECODEX_PYENV:-$ROOT/.cache/pyenv}"
# A new stamp whenever constraints.txt changes: an older venv is rebuilt from scratch.
STAMP="$VENV/.onecodex-1.2.0-all-pinned-2"
# A venv without its pyvenv.cfg (a partial copy, a cache restore) runs the bare interpreter: rebuild.
if [ ! -f "$STAMP" ] || [ ! -f "$VENV/pyvenv.cfg" ]; then
  python3 -m venv --clear "$VENV" >&2
  "$VENV/bin/pip" install --quiet --disable-pip-version-check \
    -c "$ROOT/tests/python/constraints.txt" "onecodex[all]==1.2.0" pandas pytest >&2
  touch "$STAMP"
fi
echo "$VENV/bin/python"
