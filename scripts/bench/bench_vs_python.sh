#!/usr/bin/env bash
# Side-by-side timings: the reference redis-py against this crate, the floor and
# redis-rs, in one run, printed as a markdown table with the issue's targets.
#
#   bash scripts/bench/bench_vs_python.sh [extra criterion args...]
#
# 1. Makes a throw-away venv, installs the reference redis-py into it and times
#    redis-py with timeit (best of 7; scripts/bench/bench_vs_python.py time).
#    Set PYTHON=/path/to/python to use an interpreter that already has
#    the reference redis-py instead (see scripts/env/venv.sh).
# 2. Runs `cargo bench -p redis-exceptions-bench --bench hierarchy`
#    (bench/benches/hierarchy.rs) with short
#    criterion settings (1 s warm-up, 2 s measurement: the machine has two
#    noisy cores), into $CARGO_TARGET_DIR (default /tmp/bench-target), after
#    clearing that directory's old criterion results.
# 3. Prints the table (scripts/bench/bench_vs_python.py report) and writes it, with
#    every figure, to $CARGO_TARGET_DIR/bench_vs_python.{md,json}.
#
# Exits 0 even when a target is missed: the table says which.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck source=scripts/env/venv.sh
source "$repo_root/scripts/env/venv.sh"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/tmp/bench-target}"
WARM_UP="${WARM_UP:-1}"
MEASURE="${MEASURE:-2}"

tmp="$(mktemp -d -t redis-exc-bench.XXXXXX)"
cleanup() {
  rm -rf -- "$tmp"
}
trap cleanup EXIT

make_venv "$tmp/venv"

echo "== redis-py timings" >&2
"$py" "$repo_root/scripts/bench/bench_vs_python.py" time "$tmp/redis_py.json"

echo "== cargo bench -p redis-exceptions-bench --bench hierarchy (CARGO_TARGET_DIR=$CARGO_TARGET_DIR)" >&2
rm -rf -- "$CARGO_TARGET_DIR/criterion"
(
  cd "$repo_root"
  cargo bench -p redis-exceptions-bench --bench hierarchy -- \
    --warm-up-time "$WARM_UP" --measurement-time "$MEASURE" --noplot "$@" >&2
)

echo "== machine" >&2
cpu="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//' || true)"
{
  echo "machine: $(nproc) CPUs, ${cpu:-unknown CPU}; $(rustc --version); $("$py" --version 2>&1), redis-py ${REDIS_PY_VERSION}"
  echo
  "$py" "$repo_root/scripts/bench/bench_vs_python.py" report "$tmp/redis_py.json" \
    "$CARGO_TARGET_DIR/criterion" --json "$CARGO_TARGET_DIR/bench_vs_python.json"
} | tee "$CARGO_TARGET_DIR/bench_vs_python.md"
