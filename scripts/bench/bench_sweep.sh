#!/usr/bin/env bash
# The length sweep: every reply shape at 16 B .. 1 MiB, timed with this
# crate, redis-rs and the reference redis-py in one run; prints the table of
# bench/README.md (ns per byte) with the targets and draws its plot.
#
#   bash scripts/bench/bench_sweep.sh [extra criterion args...]
#
# 1. Makes a throw-away venv with the reference redis-py (scripts/env/venv.sh) and
#    matplotlib, or uses PYTHON=/path/to/python when that interpreter has both.
# 2. Writes the sweep's replies to a temporary directory
#    (`cargo run -p redis-exceptions-bench --bin sweep_inputs`), times
#    redis-py on them (scripts/bench/bench_sweep.py time).
# 3. Runs `cargo bench -p redis-exceptions-bench --bench sweep` with short
#    criterion settings (0.2 s warm-up, 0.4 s measurement, 10 flat samples
#    from 64 KiB: two noisy cores; about 5 minutes), into $CARGO_TARGET_DIR
#    (default /tmp/bench-target), after clearing its old sweep results.
# 4. Prints the table (scripts/bench/bench_sweep.py report), writes it to
#    $CARGO_TARGET_DIR/bench_sweep.{md,json}, and draws bench/sweep.png
#    (set PLOT=path to draw elsewhere).
#
# Exits 0 even when a target is missed: the table says which.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck source=scripts/env/venv.sh
source "$repo_root/scripts/env/venv.sh"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/tmp/bench-target}"
PLOT="${PLOT:-$repo_root/bench/sweep.png}"

tmp="$(mktemp -d -t redis-exc-sweep.XXXXXX)"
cleanup() {
  rm -rf -- "$tmp"
}
trap cleanup EXIT

make_venv "$tmp/venv"
if [ -z "${PYTHON:-}" ]; then
  "$py" -m pip install --quiet --disable-pip-version-check matplotlib
fi
"$py" -c "import matplotlib"

cd "$repo_root"
echo "== the sweep's replies" >&2
cargo run --quiet --release -p redis-exceptions-bench --bin sweep_inputs -- "$tmp/inputs"

echo "== redis-py timings" >&2
"$py" scripts/bench/bench_sweep.py time "$tmp/inputs" "$tmp/redis_py.json"

echo "== cargo bench -p redis-exceptions-bench --bench sweep" >&2
rm -rf -- "$CARGO_TARGET_DIR"/criterion/sweep_*
cargo bench -p redis-exceptions-bench --bench sweep -- "$@" >&2

cpu="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//' || true)"
{
  echo "machine: $(nproc) CPUs, ${cpu:-unknown CPU}; $(rustc --version); $("$py" --version 2>&1), redis-py ${REDIS_PY_VERSION}"
  echo
  "$py" scripts/bench/bench_sweep.py report "$tmp/redis_py.json" "$tmp/inputs" \
    "$CARGO_TARGET_DIR/criterion" "$CARGO_TARGET_DIR/bench_sweep.json"
} | tee "$CARGO_TARGET_DIR/bench_sweep.md"
"$py" scripts/bench/bench_sweep.py plot "$CARGO_TARGET_DIR/bench_sweep.json" "$PLOT"
echo "== plot: $PLOT" >&2
