#!/usr/bin/env bash
# redis-py's own test suite as referee for the Python package
# (python/redis_exceptions_rs): the same tests, plain and with install(),
# must give the same results, on the RESP2, RESP3 and hiredis parsers.
#
#   bash scripts/conformance/redis_py_suite.sh
#   bash scripts/conformance/redis_py_suite.sh --bench   # steps 1 only, then scripts/bench/pyo3_bench.py
#   bash scripts/conformance/redis_py_suite.sh --server valkey-8.1
#
# --server NAME picks the server of the live matrix (CONTRIBUTING.md,
# "Servers"): redis-7.0 (the default: REDIS_SERVER / REDIS_CLI, else
# redis-server / redis-cli on PATH), valkey-8.1 or redis-6.2 (their
# binaries from scripts/env/servers.sh, installed on first use). Results of
# another server than redis-7.0 go to $WORK/results-NAME.
#
# 1. a venv ($WORK/venv) with redis==8.2.0, the suite's test requirements,
#    hiredis and maturin; the package built into it (maturin develop --release)
#    and its own tests run (python/redis_exceptions_rs/tests, under a second);
# 2. the redis==8.2.0 sdist from PyPI (pip download --no-binary :all:); its
#    tests/ and pyproject.toml (pytest settings) unpacked into $WORK/suite;
# 3. for each parser (RESP2: --protocol=2, RESP3: --protocol=3, both with
#    hiredis hidden; hiredis: --protocol=2 with hiredis), two runs of
#    test_exceptions, test_commands, test_pipeline, test_scripting,
#    test_lock and test_connection, each against a fresh redis-server on a
#    free loopback port: plain (redis-py's parse_error) and with
#    `-p redis_exceptions_rs.pytest_plugin` (install()); the tests listed
#    in scripts/conformance/redis_py_suite.deselect are deselected;
#    then the same pair for tests/test_cluster.py against a fresh 3-master
#    cluster (RESP2 parser; REDIS_PY_SUITE_CLUSTER=0 skips it);
# 4. scripts/conformance/redis_py_suite_compare.py compares each pair of JUnit reports.
#
# Fails unless every pair has identical pass/fail/skip sets, the plain run
# made no Rust call and the install() run made some (the counts are
# printed), on the expected parser.
#
# WORK defaults to target/redis-py-suite (kept between runs: the venv and
# the sdist are reused). Needs python3 with venv, redis-server, cargo, PyPI.
set -euo pipefail

REDIS_PY_VERSION="8.2.0"
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$repo_root"
WORK="${REDIS_PY_SUITE_DIR:-$repo_root/target/redis-py-suite}"
REDIS_SERVER="${REDIS_SERVER:-redis-server}"
REDIS_CLI="${REDIS_CLI:-redis-cli}"
server_name="redis-7.0"
TESTS=(tests/test_exceptions.py tests/test_commands.py tests/test_pipeline.py
       tests/test_scripting.py tests/test_lock.py tests/test_connection.py)
# The suite's test requirements (dev_requirements.txt, without the linters,
# build tools and the packages only other test files import), pinned to
# the versions this script was checked with.
REQUIREMENTS=(
  "redis==$REDIS_PY_VERSION" "pytest==9.2.0" "pytest-asyncio==1.5.0" "pytest-timeout==2.4.0"
  "packaging==26.4" "ujson==6.1.0" "numpy==2.4.6" "xxhash==3.6.0"
  "hiredis==3.5.0" "maturin==1.16.0"
)

say() { printf '\n== redis_py_suite: %s\n' "$*"; }

bench=""
while [ "$#" -gt 0 ]; do
  case "$1" in
    --bench) bench=1 ;;
    --server)
      server_name="${2:?redis_py_suite.sh: --server needs a name}"
      shift
      ;;
    *) echo "redis_py_suite.sh: unknown argument '$1'" >&2; exit 64 ;;
  esac
  shift
done
case "$server_name" in
  redis-7.0) ;;
  valkey-8.1 | redis-6.2)
    eval "$(bash scripts/env/servers.sh)"
    if [ "$server_name" = valkey-8.1 ]; then
      REDIS_SERVER="$VALKEY_SERVER" REDIS_CLI="$VALKEY_CLI"
    else
      REDIS_SERVER="$REDIS62_SERVER" REDIS_CLI="$REDIS62_CLI"
    fi
    ;;
  *)
    echo "redis_py_suite.sh: unknown server '$server_name' (redis-7.0, valkey-8.1, redis-6.2)" >&2
    exit 64
    ;;
esac
echo "redis_py_suite: server $server_name: $("$REDIS_SERVER" --version) ($REDIS_SERVER)"

mkdir -p "$WORK"
server_pids=()
cleanup() {
  local pid
  for pid in "${server_pids[@]+"${server_pids[@]}"}"; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
}
trap cleanup EXIT

# --- 1. venv -----------------------------------------------------------------
venv="$WORK/venv"
py="$venv/bin/python"
want="$(printf '%s\n' "${REQUIREMENTS[@]}" | sort | tr '\n' ' ')"
if [ ! -x "$py" ] || [ "$(cat "$venv/.requirements" 2>/dev/null)" != "$want" ] ||
  ! "$py" -c "import redis, sys; sys.exit(redis.__version__ != '$REDIS_PY_VERSION')" 2>/dev/null; then
  say "venv $venv"
  rm -rf -- "$venv"
  python3 -m venv "$venv"
  "$py" -m pip install --quiet --disable-pip-version-check "${REQUIREMENTS[@]}"
  printf '%s' "$want" > "$venv/.requirements"
fi
if ! "$py" -c "import redis, sys; sys.exit(redis.__version__ != '$REDIS_PY_VERSION')"; then
  echo "redis_py_suite: the venv's redis is not $REDIS_PY_VERSION" >&2
  exit 1
fi

say "building python/redis_exceptions_rs into the venv (maturin develop --release)"
(
  cd python/redis_exceptions_rs
  VIRTUAL_ENV="$venv" PATH="$venv/bin:$PATH" maturin develop --release --quiet
)
"$py" -c "import redis_exceptions_rs as r; assert r.parse_error('NOAUTH x').__class__.__name__ == 'AuthenticationError'"

say "the package's own tests against redis-py (python/redis_exceptions_rs/tests)"
# parse_error (str, bytes, lone surrogates), classify, install(),
# uninstall(), installed(), classes() against redis-py's parse_error on
# every reply of tests/fixtures/public_corpus.json. A failure stops here.
"$py" -m pytest python/redis_exceptions_rs/tests -p no:cacheprovider -p no:asyncio -q

if [ -n "$bench" ]; then
  say "costs of the Python bridge (scripts/bench/pyo3_bench.py)"
  "$py" scripts/bench/pyo3_bench.py
  exit 0
fi

# --- 2. the suite from the sdist ----------------------------------------------
sdist="$WORK/redis-$REDIS_PY_VERSION.tar.gz"
if [ ! -f "$sdist" ]; then
  say "downloading the redis==$REDIS_PY_VERSION sdist"
  "$py" -m pip download --quiet --disable-pip-version-check --no-binary :all: --no-deps \
    -d "$WORK" "redis==$REDIS_PY_VERSION"
fi
suite="$WORK/suite"
rm -rf -- "$suite"
mkdir -p "$suite"
# Only tests/ and the pytest settings: without the sdist's redis/ source
# tree, `import redis` is the venv's installed package.
tar xzf "$sdist" -C "$suite" --strip-components=1 \
  "redis-$REDIS_PY_VERSION/tests" "redis-$REDIS_PY_VERSION/pyproject.toml"

deselect=()
while read -r node _; do
  case "$node" in "" | "#"*) continue ;; esac
  [ -f "$suite/${node%%::*}" ] || { echo "deselect list: no file for $node" >&2; exit 1; }
  deselect+=(--deselect "$node")
done < scripts/conformance/redis_py_suite.deselect

# A directory that hides hiredis (its `import hiredis` raises ImportError),
# for the runs on redis-py's own RESP2/RESP3 parsers.
no_hiredis="$WORK/no-hiredis"
mkdir -p "$no_hiredis/hiredis"
echo 'raise ImportError("hidden by scripts/conformance/redis_py_suite.sh")' > "$no_hiredis/hiredis/__init__.py"

# --- 3. servers and runs ---------------------------------------------------------
# Starts a redis-server on a free loopback port: sets $port and $server_pid.
start_server() {
  local attempt tries
  for attempt in $(seq 1 20); do
    port=$(( 20000 + (RANDOM % 20000) ))
    local dir="$WORK/data/$port"
    rm -rf -- "$dir"
    mkdir -p "$dir"
    "$REDIS_SERVER" --port "$port" --bind 127.0.0.1 --save "" --appendonly no \
      --dir "$dir" --enable-debug-command yes --enable-module-command yes \
      --logfile "$dir/server.log" ${REDIS_EXTRA_ARGS:-} &
    server_pid=$!
    server_pids+=("$server_pid")
    for tries in $(seq 1 50); do
      if ! kill -0 "$server_pid" 2>/dev/null; then
        break
      fi
      if [ "$("$REDIS_CLI" -p "$port" ping 2>/dev/null)" = "PONG" ]; then
        return 0
      fi
      sleep 0.1
    done
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  done
  echo "redis_py_suite: no $server_name ($REDIS_SERVER) came up in 20 attempts" >&2
  return 1
}

stop_server() {
  kill "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
}

# Starts a 3-master cluster (three servers as start_server starts them, then
# `redis-cli --cluster create`): sets $port (the first node) and
# $cluster_pids.
start_cluster() {
  local extra=(--cluster-enabled yes --cluster-config-file nodes.conf --cluster-node-timeout 5000)
  local nodes=() i tries
  cluster_pids=()
  for i in 1 2 3; do
    REDIS_EXTRA_ARGS="${extra[*]}" start_server
    nodes+=("127.0.0.1:$port")
    cluster_pids+=("$server_pid")
  done
  port="${nodes[0]#*:}"
  echo yes | "$REDIS_CLI" --cluster create "${nodes[@]}" --cluster-replicas 0 \
    > "$results/cluster-create.log" 2>&1
  for tries in $(seq 1 100); do
    if [ "$("$REDIS_CLI" -p "$port" cluster info 2>/dev/null | tr -d '\r' | grep -c '^cluster_state:ok$')" = 1 ] \
      && [ "$("$REDIS_CLI" -p "$port" cluster nodes 2>/dev/null | grep -c master)" = 3 ]; then
      return 0
    fi
    sleep 0.1
  done
  echo "redis_py_suite: the cluster did not reach cluster_state:ok" >&2
  return 1
}

stop_cluster() {
  for server_pid in "${cluster_pids[@]}"; do
    stop_server
  done
}

results="$WORK/results"
[ "$server_name" = redis-7.0 ] || results="$WORK/results-$server_name"
rm -rf -- "$results"
mkdir -p "$results"

# run NAME PROTOCOL HIDE_HIREDIS MODE
run() {
  local name="$1" protocol="$2" hide="$3" mode="$4"
  local tests=("${TESTS[@]}") options=()
  if [ "$name" = cluster ]; then
    start_cluster
    tests=(tests/test_cluster.py)
    options=(--redis-cluster-nodes=3)
    say "$name, $mode: ${tests[*]} against a 3-node cluster from 127.0.0.1:$port (protocol $protocol)"
  else
    start_server
    say "$name, $mode: ${#tests[@]} files against redis-server on 127.0.0.1:$port (protocol $protocol)"
  fi
  local install=0
  [ "$mode" = install ] && install=1
  local status=0
  (
    cd "$suite"
    if [ "$hide" = 1 ]; then
      export PYTHONPATH="$no_hiredis"
    else
      unset PYTHONPATH
    fi
    REDIS_EXCEPTIONS_RS_INSTALL="$install" \
    REDIS_EXCEPTIONS_RS_REPORT="$results/$name-$mode.json" \
      "$py" -m pytest "${tests[@]}" "${deselect[@]}" "${options[@]+"${options[@]}"}" \
        --redis-url="redis://127.0.0.1:$port/0" --protocol="$protocol" \
        -p redis_exceptions_rs.pytest_plugin -p no:cacheprovider \
        -q -rfE --junitxml="$results/$name-$mode.xml" > "$results/$name-$mode.log" 2>&1
  ) || status=$?
  if [ "$name" = cluster ]; then
    stop_cluster
  else
    stop_server
  fi
  tail -n 3 "$results/$name-$mode.log"
  # pytest: 0 all passed, 1 some failed (compared below); others are errors.
  if [ "$status" -gt 1 ]; then
    echo "redis_py_suite: pytest exited with $status (see $results/$name-$mode.log)" >&2
    return 1
  fi
}

start=$SECONDS
failed=0
summary=()
specs=("resp2 2 1 _RESP2Parser" "resp3 3 1 _RESP3Parser" "hiredis 2 0 _HiredisParser")
# The cluster run: MOVED, ASK and CLUSTERDOWN only come from a cluster.
[ "${REDIS_PY_SUITE_CLUSTER:-1}" = 1 ] && specs+=("cluster 2 1 _RESP2Parser")
for spec in "${specs[@]}"; do
  read -r name protocol hide parser <<< "$spec"
  # REDIS_PY_SUITE_ONLY="resp3 cluster": only those (for working on one).
  case " ${REDIS_PY_SUITE_ONLY:-$name} " in *" $name "*) ;; *) continue ;; esac
  run "$name" "$protocol" "$hide" plain
  run "$name" "$protocol" "$hide" install
  if ! out="$("$py" scripts/conformance/redis_py_suite_compare.py "$name" \
    "$results/$name-plain.xml" "$results/$name-plain.json" \
    "$results/$name-install.xml" "$results/$name-install.json" "$parser")"; then
    failed=1
  fi
  summary+=("$out")
done

say "results ($(( SECONDS - start ))s; reports in $results)"
printf '%s\n' "${summary[@]}"
if [ "$failed" != 0 ]; then
  echo "redis_py_suite: FAILED (runs differ, or the Rust path was not taken)" >&2
  exit 1
fi
echo "redis_py_suite: identical with and without install() (${#specs[@]} parsers/topologies)"
