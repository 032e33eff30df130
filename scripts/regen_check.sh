#!/usr/bin/env bash
# Check that tests/fixtures/*.json are exactly what redis-py 8.1.0 gives.
#
#   bash scripts/regen_check.sh
#
# Makes a throw-away venv in a temp dir, installs redis==8.1.0 into it, runs
# `scripts/gen_fixtures.py --check` (regenerates into another temp dir and
# compares byte for byte), then removes the venv. Exits non-zero when a
# fixture differs. Needs python3 with the venv module and access to PyPI;
# no Redis server. Set PYTHON=/path/to/python to use an interpreter that
# already has redis==8.1.0 instead of making a venv.
set -euo pipefail

REDIS_PY_VERSION="8.1.0"
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

tmp=""
cleanup() {
  if [ -n "$tmp" ]; then
    rm -rf -- "$tmp"
  fi
}
trap cleanup EXIT

if [ -n "${PYTHON:-}" ]; then
  py="$PYTHON"
else
  tmp="$(mktemp -d -t redis-exc-regen.XXXXXX)"
  python3 -m venv "$tmp/venv"
  "$tmp/venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    "redis==${REDIS_PY_VERSION}"
  py="$tmp/venv/bin/python"
fi

"$py" "$repo_root/scripts/gen_fixtures.py" --check --out "$repo_root/tests/fixtures"
