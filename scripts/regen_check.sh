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
# already has redis==8.1.0 instead of making a venv (see scripts/venv.sh).
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/venv.sh
source "$repo_root/scripts/venv.sh"

tmp="$(mktemp -d -t redis-exc-regen.XXXXXX)"
cleanup() {
  rm -rf -- "$tmp"
}
trap cleanup EXIT

make_venv "$tmp/venv"

"$py" "$repo_root/scripts/gen_fixtures.py" --check --out "$repo_root/tests/fixtures"
