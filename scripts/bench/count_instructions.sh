#!/usr/bin/env bash
# Instructions per call (valgrind's callgrind), for the per-call and
# per-byte performance targets: unlike times, the counts do not move with
# the load of a shared machine. Compare two checkouts by running this in
# each.
#
#   bash scripts/bench/count_instructions.sh [N]
#   bash scripts/bench/count_instructions.sh frames
#
# Builds `call_loop` (bench/src/bin/call_loop.rs) in release into
# $CARGO_TARGET_DIR (default /tmp/bench-target), runs each case with 0 and
# N (default 100) iterations under callgrind, and prints (Ir(N) - Ir(0)) / N:
# per corpus reply for the corpus cases, per call otherwise. Needs valgrind
# (apt-get install -y valgrind).
#
# `frames`: parse_frame against redis-rs's parse_redis_value on the same
# `-` and `!` frames, for every shape of the sweep (tests/common/shapes.rs)
# from 256 B to 1 MiB, with the ratio (ours / redis-rs; at most 1 is the
# target). About 4 minutes.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/tmp/bench-target}"
n="${1:-100}"
cd "$repo_root"
cargo build --release -q -p redis-exceptions-bench --bin call_loop
bin="$CARGO_TARGET_DIR/release/call_loop"

refs() {
  valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bin" "$1" "$2" 2>&1 |
    sed -n 's/.*I *refs: *//p' | tr -d ','
}

per_call() {
  local zero many
  zero="$(refs "$1" 0)"
  many="$(refs "$1" "$2")"
  echo $(((many - zero) / $2))
}

if [ "$n" = frames ]; then
  shapes="$(sed -n 's/^ *name: "\([a-z0-9_]*\)",$/\1/p' tests/common/shapes.rs)"
  printf '| shape | size | frame `-` | redis-rs `-` | ratio | frame `!` | redis-rs `!` | ratio |\n'
  printf '|---|--:|--:|--:|--:|--:|--:|--:|\n'
  for shape in $shapes; do
    for size in 256 4096 65536 1048576; do
      iters=20
      [ "$size" -ge 65536 ] && iters=3
      ours2="$(per_call "$shape:parse_frame:$size" "$iters")"
      peer2="$(per_call "$shape:redis_rs_resp2:$size" "$iters")"
      ours3="$(per_call "$shape:parse_frame_resp3:$size" "$iters")"
      peer3="$(per_call "$shape:redis_rs_resp3:$size" "$iters")"
      printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$shape" "$size" \
        "$ours2" "$peer2" "$(awk -v a="$ours2" -v b="$peer2" 'BEGIN { printf "%.2f", a / b }')" \
        "$ours3" "$peer3" "$(awk -v a="$ours3" -v b="$peer3" 'BEGIN { printf "%.2f", a / b }')"
    done
  done
  exit 0
fi

printf '| case | instructions per call |\n|---|--:|\n'
for case in corpus:classify corpus:parse_error corpus:parse_frame \
  moved:classify moved:parse_error moved:parse_frame \
  bare_code:parse_error:4096 bare_code:parse_frame:4096 \
  moved_long_host:parse_error:4096 moved_long_host:parse_frame:4096 \
  long_digits:parse_error:4096 long_digits:parse_frame:4096 \
  one_word:parse_error:4096 one_word:parse_frame:4096 \
  invalid_utf8:args:4096 invalid_utf8:std_lossy:4096; do
  zero="$(refs "$case" 0)"
  many="$(refs "$case" "$n")"
  per=$(((many - zero) / n))
  case "$case" in
    corpus:*) per=$((per / 127)) ;;
  esac
  printf '| %s | %s |\n' "$case" "$per"
done
