#!/usr/bin/env bash
# The whole referee matrix of scripts/conformance/redis_py_suite.sh: each
# client suite plain and with install(), then each configuration's
# sabotage self-check; up to JOBS configurations at once (each on its own
# servers and ports, set-up serialized by redis_py_suite.sh's lock).
#
#   bash scripts/conformance/client_suites.sh              # the matrix below, 2 at once
#   bash scripts/conformance/client_suites.sh --jobs 1
#   bash scripts/conformance/client_suites.sh --self-check-only
#   bash scripts/conformance/client_suites.sh --with-valkey-server   # + the reference redis-py on Valkey 8.1.8
#
# The matrix (release x parser, each plain and with install()); the
# releases are those of src/class/releases.txt:
#   the reference redis-py           RESP2, RESP3, hiredis, cluster (test_cluster)
#   the reference redis-py --async   RESP2, RESP3, hiredis (tests/test_asyncio/)
#   each other redis-py row marked `suite`, newest first   RESP2, hiredis
#   each valkey-py row marked `suite` (Valkey 8.1.8)  RESP2, RESP3, libvalkey; and its asyncio tests
# then --self-check of each (and of the reference redis-py on Valkey 8.1.8 with
# --with-valkey-server). Logs: $WORK/logs/ID.log; prints each
# configuration's summary, the wall time, and fails if any failed.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$repo_root"
WORK="${REDIS_PY_SUITE_DIR:-$repo_root/target/redis-py-suite}"
jobs=2
full=1
with_valkey_server=""
while [ "$#" -gt 0 ]; do
  case "$1" in
    --jobs) jobs="${2:?client_suites.sh: --jobs needs a number}"; shift ;;
    --self-check-only) full="" ;;
    --with-valkey-server) with_valkey_server=1 ;;
    *) echo "client_suites.sh: unknown argument '$1'" >&2; exit 64 ;;
  esac
  shift
done

# shellcheck source=scripts/env/releases.sh
source scripts/env/releases.sh
configs=("" "--async")
for v in $(releases_pinned redis-py suite | sort -rV); do
  [ "$v" = "$REFERENCE_REDIS_PY" ] || configs+=("--release $v")
done
for v in $(releases_pinned valkey-py suite | sort -rV); do
  if [ "$v" = "$VALKEY_PY_VERSION" ]; then
    configs+=("--client valkey" "--client valkey --async")
  else
    configs+=("--client valkey --release $v" "--client valkey --release $v --async")
  fi
done
[ -n "$with_valkey_server" ] && configs+=("--server valkey-8.1")

runs=()
if [ -n "$full" ]; then
  for c in "${configs[@]}"; do runs+=("$c"); done
fi
for c in "${configs[@]}"; do runs+=("$c --self-check"); done

logs="$WORK/logs"
mkdir -p "$logs"
start=$SECONDS
names=() pids=()
# target/redis-py-suite/logs/release_X.Y.Z_self-check.log, ...; default.log
log_of() {
  local n
  n="$(echo ${1:-} | sed 's/--//g; s/ /_/g')"
  echo "$logs/${n:-default}.log"
}

running=0
for r in "${runs[@]}"; do
  while [ "$running" -ge "$jobs" ]; do
    wait -n || true
    running=$((running - 1))
  done
  log="$(log_of "$r")"
  rm -f "$log.rc"
  # shellcheck disable=SC2086 # $r holds the arguments
  (
    status=0
    bash scripts/conformance/redis_py_suite.sh $r > "$log" 2>&1 || status=$?
    echo "$status" > "$log.rc"
  ) &
  pids+=($!) names+=("${r:-(default)}")
  running=$((running + 1))
  echo "client_suites: started redis_py_suite.sh ${r:-(default)} ($log)"
done

wait
failed=0
for i in "${!pids[@]}"; do
  log="$(log_of "${runs[$i]}")"
  status="$(cat "$log.rc" 2>/dev/null || echo lost)"
  printf '\n== redis_py_suite.sh %s: %s\n' "${names[$i]}" "$([ "$status" = 0 ] && echo ok || echo "FAILED ($status)")"
  sed -n '/== redis_py_suite.*: results (/,$p' "$log" | tail -n +2
  if [ "$status" != 0 ]; then
    failed=1
    grep -q 'results (' "$log" || tail -n 20 "$log"
  fi
done
printf '\nclient_suites: %d configurations in %ds, %s\n' "${#runs[@]}" "$(( SECONDS - start ))" \
  "$([ "$failed" = 0 ] && echo 'all passed' || echo 'SOME FAILED (above)')"
exit "$failed"
