#!/usr/bin/env bash
# The benchmarks' peers, which tests do not need (run by `npm run bench`; idempotent):
# - ml-pca (npm), the JS peer for PCA, in .cache/bench-npm;
# - the `unifrac` package (Striped UniFrac, C++) in .cache/bench-unifrac, where it installs: PyPI
#   has only its sdist, whose build needs a conda environment (CONDA_PREFIX, unifrac-binaries).
#   A failed attempt is recorded in .cache/bench-unifrac.failed with its reason, not retried.
set -uo pipefail
cd "$(dirname "$0")/.."
say() { echo "bench/setup: $*" >&2; }

if [ ! -d .cache/bench-npm/node_modules/ml-pca ]; then
  say "installing ml-pca into .cache/bench-npm"
  mkdir -p .cache/bench-npm
  npm install --prefix .cache/bench-npm --no-audit --no-fund --loglevel=error ml-pca@4 >&2 || say "ml-pca did not install: PCA is shown without its JS peer"
fi

if [ ! -x .cache/bench-unifrac/bin/python ] && [ ! -f .cache/bench-unifrac.failed ]; then
  say "trying to install the unifrac package (Striped UniFrac) into .cache/bench-unifrac"
  python3 -m venv .cache/bench-unifrac.tmp &&
    .cache/bench-unifrac.tmp/bin/pip install -q numpy cython setuptools wheel >&2 &&
    log=$(.cache/bench-unifrac.tmp/bin/pip install --no-build-isolation unifrac 2>&1)
  if [ $? = 0 ]; then
    mv .cache/bench-unifrac.tmp .cache/bench-unifrac
  else
    reason=$(printf '%s\n' "${log:-venv or build tools failed}" | grep -E "Error|error:" | grep -v "subprocess-exited" | tail -1 | sed 's/^ *//')
    printf 'the unifrac package does not install here: PyPI has only its sdist, whose build needs conda (%s)\n' "$reason" > .cache/bench-unifrac.failed
    rm -rf .cache/bench-unifrac.tmp
    say "$(cat .cache/bench-unifrac.failed)"
  fi
fi
exit 0
