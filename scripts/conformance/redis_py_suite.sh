#!/usr/bin/env bash
# A client's own test suite as referee for the Python package
# (python/redis_exceptions_rs): the same tests, plain and with install(),
# must give the same results, parser by parser.
#
#   bash scripts/conformance/redis_py_suite.sh                    # the reference redis-py: RESP2, RESP3, hiredis, cluster
#   bash scripts/conformance/redis_py_suite.sh --async            # the reference's asyncio tests: RESP2, RESP3, hiredis
#   bash scripts/conformance/redis_py_suite.sh --release X.Y.Z    # an older redis-py: RESP2, hiredis
#   bash scripts/conformance/redis_py_suite.sh --client valkey    # valkey-py on Valkey 8.1.8: RESP2, RESP3, libvalkey
#   bash scripts/conformance/client_suites.sh                     # all of them (the matrix), then the self-checks
#   bash scripts/conformance/redis_py_suite.sh --server valkey-8.1  # the reference redis-py against Valkey 8.1.8
#   bash scripts/conformance/redis_py_suite.sh --self-check [...] # the referee must see a broken parser
#   bash scripts/conformance/redis_py_suite.sh --bench            # step 1 only, then scripts/bench/pyo3_bench.py
#   bash scripts/conformance/redis_py_suite.sh --only "resp3 cluster"  # only those runs
#
# --client redis|valkey: whose suite (redis-py, the default, or valkey-py;
#   for valkey-py the plugin runs with REDIS_EXCEPTIONS_RS_CLIENT=valkey and
#   installs with install("valkey")).
# --release X.Y.Z: the client release whose sdist tests run: the reference
#   (the default) or a row marked `suite` of src/class/releases.txt (for
#   valkey-py, the newest valkey-py row by default).
# --async: the release's asyncio tests (tests/test_asyncio/) instead.
# --server NAME picks the server of the live matrix (CONTRIBUTING.md,
#   "Servers"): redis-7.0 (the default for redis-py: REDIS_SERVER /
#   REDIS_CLI, else redis-server / redis-cli on PATH), valkey-8.1 (the
#   default for valkey-py), redis-6.2, valkey-9.1 or redis-8.2 (their
#   binaries from scripts/env/servers.sh, installed on first use).
# --self-check: instead of the full comparison, each run of the
#   configuration on a few tests (SELF_CHECK_TESTS below), plain and with
#   REDIS_EXCEPTIONS_RS_SABOTAGE=1 (the plugin's deliberately broken
#   parser: every error reply a plain ResponseError); fails unless the
#   comparer reports different outcomes for every run.
#
# 1. a venv per client release ($WORK/venvs/CLIENT-py-X.Y.Z) with the
#    client, the suite's test requirements (pinned below) and its C parser
#    (hiredis; libvalkey for valkey-py); the package built once as a wheel
#    (maturin build --release, in $WORK/venvs/build) and pip-installed into
#    it, and for redis-py its own tests run (python/redis_exceptions_rs/tests);
# 2. the release's sdist from PyPI (pip download --no-binary :all:) kept in
#    $WORK/sdists; its tests/ (and pyproject.toml: the pytest settings)
#    unpacked once into $WORK/suites/CLIENT-py-X.Y.Z;
# 3. per run (below), two pytest runs of the selected files, each against
#    a fresh server on a free loopback port: plain (the client's
#    parse_error) and with `-p redis_exceptions_rs.pytest_plugin`
#    (install()); the tests listed in the suite's section of
#    scripts/conformance/redis_py_suite.deselect are deselected;
#      the reference redis-py: resp2 (--protocol=2), resp3 (--protocol=3), both with
#        hiredis hidden; hiredis (--protocol=2 with hiredis); cluster
#        (tests/test_cluster.py against a fresh 3-master cluster, RESP2;
#        REDIS_PY_SUITE_CLUSTER=0 skips it);
#      --async: resp2, resp3, hiredis on the asyncio files;
#      older redis-py: resp2, hiredis;
#      valkey-py: resp2, resp3 (libvalkey hidden), libvalkey (with --async
#        on valkey-py's asyncio parsers);
# 4. scripts/conformance/redis_py_suite_compare.py compares each pair of
#    JUnit reports.
#
# Fails unless every pair has identical pass/fail/skip sets, the plain run
# made no Rust call and the install() run made some (the counts are
# printed), on the expected parser. Results go to $WORK/results/ID, ID
# naming the configuration (redis-py-X.Y.Z, redis-py-X.Y.Z-async,
# valkey-py-X.Y.Z, redis-py-X.Y.Z-on-valkey-8.1, ...; -self-check appended).
# Several configurations may run at once (CI does): set-up is serialized by
# a lock, each server's port is checked to be its own.
#
# WORK defaults to target/redis-py-suite (kept between runs: venvs, the wheel
# build venv and the sdists are reused). Needs python3 with venv,
# redis-server, cargo, PyPI.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$repo_root"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$repo_root/target}"
export MATURIN_NO_INSTALL_RUST=1
WORK="${REDIS_PY_SUITE_DIR:-$repo_root/target/redis-py-suite}"
DESELECT_FILE="scripts/conformance/redis_py_suite.deselect"
MATURIN="maturin==1.16.0"

say() { printf '\n== redis_py_suite%s: %s\n' "${id:+ [$id]}" "$*"; }

client=redis
release=""
server_name=""
bench=""
async=""
self_check=""
only="${REDIS_PY_SUITE_ONLY:-}"
while [ "$#" -gt 0 ]; do
  case "$1" in
    --bench) bench=1 ;;
    --async) async=1 ;;
    --self-check) self_check=1 ;;
    --client) client="${2:?redis_py_suite.sh: --client needs redis or valkey}"; shift ;;
    --release) release="${2:?redis_py_suite.sh: --release needs a version}"; shift ;;
    --server) server_name="${2:?redis_py_suite.sh: --server needs a name}"; shift ;;
    --only) only="${2:?redis_py_suite.sh: --only needs run names}"; shift ;;
    *) echo "redis_py_suite.sh: unknown argument '$1'" >&2; exit 64 ;;
  esac
  shift
done

# --- the configurations ----------------------------------------------------------
# Each release's test requirements: its dev_requirements.txt without the
# linters, build tools and the packages only other test files import,
# pinned to versions checked with that release's tests.
# shellcheck source=scripts/env/releases.sh
source scripts/env/releases.sh
COMMON=("pytest==9.2.0" "pytest-asyncio==1.5.0" "pytest-timeout==2.4.0" "packaging==26.4" "ujson==6.1.0")
case "$client" in
  redis)
    release="${release:-$REFERENCE_REDIS_PY}"
    server_name="${server_name:-redis-7.0}"
    c_parser=hiredis
    url_option=--redis-url
    scheme=redis
    cluster_option=--redis-cluster-nodes
    known="$( (echo "$REFERENCE_REDIS_PY"; releases_pinned redis-py suite) | sort -uV | tr '\n' ' ')"
    case " $known " in
      *" $release "*) ;;
      *) echo "redis_py_suite.sh: redis-py $release is not set up here (${known% })" >&2; exit 64 ;;
    esac
    # The test requirements: xxhash from redis-py 7.4 on.
    if [ "$(printf '%s\n' 7.4 "$release" | sort -V | head -n 1)" = 7.4 ]; then
      REQUIREMENTS=("${COMMON[@]}" "numpy==2.4.6" "xxhash==3.6.0" "hiredis==3.5.0")
    else
      REQUIREMENTS=("${COMMON[@]}" "numpy==2.4.6" "hiredis==3.5.0")
    fi
    ;;
  valkey)
    release="${release:-$VALKEY_PY_VERSION}"
    server_name="${server_name:-valkey-8.1}"
    c_parser=libvalkey
    url_option=--valkey-url
    scheme=valkey
    cluster_option=--valkey-cluster-nodes
    known="$(releases_pinned valkey-py suite | tr '\n' ' ')"
    case " $known " in
      *" $release "*) ;;
      *) echo "redis_py_suite.sh: valkey-py $release is not set up here (${known% })" >&2; exit 64 ;;
    esac
    # The reference redis-py too: the package imports redis-py (it checks
    # for it at import time); valkey-py's tests never import it.
    REQUIREMENTS=("${COMMON[@]}" "libvalkey==4.2.1" "redis==$REFERENCE_REDIS_PY")
    ;;
  *) echo "redis_py_suite.sh: unknown client '$client' (redis, valkey)" >&2; exit 64 ;;
esac
REQUIREMENTS=("$client==$release" "${REQUIREMENTS[@]}")

# The runs: NAME PROTOCOL HIDE_C_PARSER EXPECTED_PARSER.
if [ "$client" = valkey ] && [ -n "$async" ]; then
  specs=("resp2 2 1 _AsyncRESP2Parser" "resp3 3 1 _AsyncRESP3Parser" "libvalkey 2 0 _AsyncLibvalkeyParser")
elif [ "$client" = valkey ]; then
  specs=("resp2 2 1 _RESP2Parser" "resp3 3 1 _RESP3Parser" "libvalkey 2 0 _LibvalkeyParser")
elif [ -n "$async" ]; then
  specs=("resp2 2 1 _AsyncRESP2Parser" "resp3 3 1 _AsyncRESP3Parser" "hiredis 2 0 _AsyncHiredisParser")
elif [ "$release" = "$REFERENCE_REDIS_PY" ]; then
  specs=("resp2 2 1 _RESP2Parser" "resp3 3 1 _RESP3Parser" "hiredis 2 0 _HiredisParser")
  # MOVED, ASK and CLUSTERDOWN only come from a cluster.
  [ "${REDIS_PY_SUITE_CLUSTER:-1}" = 1 ] && specs+=("cluster 2 1 _RESP2Parser")
else
  specs=("resp2 2 1 _RESP2Parser" "hiredis 2 0 _HiredisParser")
fi

# The files: the error replies' paths (commands, pipelines with EXECABORT,
# scripts with NOSCRIPT, locks, connections with AUTH), those that exist.
if [ -n "$async" ]; then
  candidates=(tests/test_asyncio/test_commands.py tests/test_asyncio/test_pipeline.py
              tests/test_asyncio/test_scripting.py tests/test_asyncio/test_lock.py
              tests/test_asyncio/test_connection.py)
else
  candidates=(tests/test_exceptions.py tests/test_commands.py tests/test_pipeline.py
              tests/test_scripting.py tests/test_lock.py tests/test_connection.py)
fi
# --self-check: a few tests each run's sabotaged parser must trip: NOSCRIPT
# replies become plain ResponseErrors (test_scripting's `pytest.raises(
# NoScriptError)`). The cluster run uses test_scripting.py against the
# cluster too (redis-py's conftest then gives a RedisCluster client):
# test_cluster.py itself does not notice the sabotage (its one CLUSTERDOWN
# reply is checked by `except ResponseError: assert "CLUSTERDOWN" in ...`,
# and a stable cluster sends no MOVED or ASK).
SELF_CHECK_TESTS=(tests/test_scripting.py)
[ -n "$async" ] && SELF_CHECK_TESTS=(tests/test_asyncio/test_scripting.py)
SELF_CHECK_CLUSTER=(tests/test_scripting.py)

suite_name="$client-py $release${async:+ asyncio}"
id="$client-py-$release${async:+-async}"
[ "$server_name" = "$([ "$client" = valkey ] && echo valkey-8.1 || echo redis-7.0)" ] || id="$id-on-$server_name"
[ -n "$self_check" ] && id="$id-self-check"

case "$server_name" in
  redis-7.0)
    REDIS_SERVER="${REDIS_SERVER:-redis-server}"
    REDIS_CLI="${REDIS_CLI:-redis-cli}"
    ;;
  valkey-8.1 | redis-6.2 | valkey-9.1 | redis-8.2)
    mkdir -p "$WORK"
    eval "$(flock "$WORK/setup.lock" bash scripts/env/servers.sh)"
    case "$server_name" in
      valkey-8.1) REDIS_SERVER="$VALKEY_SERVER" REDIS_CLI="$VALKEY_CLI" ;;
      redis-6.2) REDIS_SERVER="$REDIS62_SERVER" REDIS_CLI="$REDIS62_CLI" ;;
      valkey-9.1) REDIS_SERVER="$VALKEY91_SERVER" REDIS_CLI="$VALKEY91_CLI" ;;
      redis-8.2) REDIS_SERVER="$REDIS82_SERVER" REDIS_CLI="$REDIS82_CLI" ;;
    esac
    ;;
  *)
    echo "redis_py_suite.sh: unknown server '$server_name' (redis-7.0, valkey-8.1, redis-6.2, valkey-9.1, redis-8.2)" >&2
    exit 64
    ;;
esac
echo "redis_py_suite: $suite_name, server $server_name: $("$REDIS_SERVER" --version) ($REDIS_SERVER)"

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

pip_q() { "$1/bin/python" -m pip install --quiet --disable-pip-version-check "${@:2}"; }

# Makes or reuses a venv for exactly these requirements (written into it).
ensure_venv() {
  local dir="$1" want
  shift
  want="$(printf '%s\n' "$@" | sort | tr '\n' ' ')"
  if [ ! -x "$dir/bin/python" ] || [ "$(cat "$dir/.requirements" 2>/dev/null)" != "$want" ]; then
    say "venv $dir"
    rm -rf -- "$dir"
    python3 -m venv "$dir"
    pip_q "$dir" "$@"
    printf '%s' "$want" > "$dir/.requirements"
  fi
}

# --- 1. venv, wheel; 2. sdist (serialized: runs may go in parallel) -------------
venv="$WORK/venvs/$client-py-$release"
py="$venv/bin/python"
suite="$WORK/suites/$client-py-$release"
sdist="$WORK/sdists/$client-$release.tar.gz"
setup() {
  ensure_venv "$venv" "${REQUIREMENTS[@]}"
  "$py" -c "import $client, sys; sys.exit($client.__version__ != '$release')" || {
    echo "redis_py_suite: the venv's $client is not $release" >&2
    return 1
  }
  ensure_venv "$WORK/venvs/build" "$MATURIN"
  say "building python/redis_exceptions_rs (maturin build --release) into $venv"
  rm -rf -- "$WORK/wheel"
  (cd python/redis_exceptions_rs &&
    "$WORK/venvs/build/bin/maturin" build --release --quiet \
      -i "$WORK/venvs/build/bin/python" --out "$WORK/wheel")
  pip_q "$venv" --no-deps --force-reinstall "$(ls "$WORK"/wheel/*.whl)"
  if [ ! -f "$sdist" ]; then
    say "downloading the $client==$release sdist"
    mkdir -p "$WORK/sdists"
    "$py" -m pip download --quiet --disable-pip-version-check --no-binary :all: --no-deps \
      -d "$WORK/sdists" "$client==$release"
  fi
  if [ ! -f "$suite/.unpacked" ]; then
    rm -rf -- "$suite"
    mkdir -p "$suite"
    # Only tests/ and the pytest settings: without the sdist's source tree,
    # `import redis` is the venv's installed package. (redis-py 5.2 has no
    # pyproject.toml, nor pytest settings.)
    tar xzf "$sdist" -C "$suite" --strip-components=1 "$client-$release/tests"
    tar xzf "$sdist" -C "$suite" --strip-components=1 "$client-$release/pyproject.toml" 2>/dev/null || true
    touch "$suite/.unpacked"
  fi
}
mkdir -p "$WORK/venvs"
exec 9>"$WORK/setup.lock"
flock 9
setup
flock -u 9
"$py" -c "import redis_exceptions_rs as r; assert r.parse_error('NOAUTH x').__class__.__name__ == 'AuthenticationError'"

if [ "$client" = redis ] && [ -z "$self_check" ]; then
  say "the package's own tests against redis-py $release (python/redis_exceptions_rs/tests)"
  # parse_error (str, bytes, lone surrogates), classify, install(),
  # uninstall(), installed(), classes() against redis-py's parse_error on
  # every reply of tests/fixtures/public_corpus.json. A failure stops here.
  "$py" -m pytest python/redis_exceptions_rs/tests -p no:cacheprovider -p no:asyncio -q | tail -n 1
fi

if [ -n "$bench" ]; then
  say "costs of the Python bridge (scripts/bench/pyo3_bench.py)"
  "$py" scripts/bench/pyo3_bench.py
  exit 0
fi

TESTS=()
for f in "${candidates[@]}"; do
  [ -f "$suite/$f" ] && TESTS+=("$f")
done

# The deselect list: one file, a section per suite by release ("[redis-py
# 8.2]", "[redis-py 8.2 asyncio]", "[valkey-py 6.2]", ...); the lines of
# this suite's section, each a node id then `# reason` (the reason is
# required).
section_name="$client-py ${release%.*}${async:+ asyncio}"
deselect=()
section=""
while IFS= read -r line; do
  case "$line" in
    "" | "#"*) continue ;;
    "["*"]") section="${line#[}"; section="${section%]}"; continue ;;
  esac
  [ "$section" = "$section_name" ] || continue
  node="${line%%[[:space:]]*}"
  case "$line" in *"  # "?*) ;; *) echo "deselect list: no reason for $node ([$section])" >&2; exit 1 ;; esac
  [ -f "$suite/${node%%::*}" ] || { echo "deselect list: no file for $node ([$section])" >&2; exit 1; }
  deselect+=(--deselect "$node")
done < "$DESELECT_FILE"

# A directory that hides the C parser (its import raises ImportError), for
# the runs on the client's own RESP2/RESP3 parsers.
no_c_parser="$WORK/no-c-parser"
mkdir -p "$no_c_parser/hiredis" "$no_c_parser/libvalkey"
for m in hiredis libvalkey; do
  echo "raise ImportError(\"hidden by scripts/conformance/redis_py_suite.sh\")" > "$no_c_parser/$m/__init__.py"
done

results="$WORK/results/$id"
rm -rf -- "$results"
mkdir -p "$results"

# --- 3. servers and runs ---------------------------------------------------------
# Starts a server on a free loopback port: sets $port and $server_pid.
# Ports come from 10000-19999: below the range of the live tests
# (tests/live/servers.rs: 20000-31999, which CI runs at the same time) and
# of the kernel's ephemeral ports (32768-); a port something listens on is
# skipped, and so is one whose cluster bus port (port + 10000) is taken.
# The server that answers must be this one (its INFO process_id): another
# run may have taken the port in between.
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
start_server() {
  local attempt tries
  for attempt in $(seq 1 20); do
    port=$(( 10000 + (RANDOM % 10000) ))
    if listening "$port" || listening "$((port + 10000))"; then
      continue
    fi
    local dir="$results/data/$port"
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
      if [ "$("$REDIS_CLI" -p "$port" info server 2>/dev/null | tr -d '\r' | sed -n 's/^process_id://p')" = "$server_pid" ]; then
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

# run NAME PROTOCOL HIDE_C_PARSER MODE (plain, install or sabotage)
run() {
  local name="$1" protocol="$2" hide="$3" mode="$4"
  local tests=("${TESTS[@]}") options=()
  [ -n "$self_check" ] && tests=("${SELF_CHECK_TESTS[@]}")
  if [ "$name" = cluster ]; then
    start_cluster
    tests=(tests/test_cluster.py)
    [ -n "$self_check" ] && tests=("${SELF_CHECK_CLUSTER[@]}")
    options=("$cluster_option=3")
    say "$name, $mode: ${tests[*]} against a 3-node cluster from 127.0.0.1:$port (protocol $protocol)"
  else
    start_server
    say "$name, $mode: ${tests[*]} against $server_name on 127.0.0.1:$port (protocol $protocol)"
  fi
  local install=1 sabotage=0
  [ "$mode" = plain ] && install=0
  [ "$mode" = sabotage ] && sabotage=1
  local status=0 t0=$SECONDS
  (
    cd "$suite"
    if [ "$hide" = 1 ]; then
      export PYTHONPATH="$no_c_parser"
    else
      unset PYTHONPATH
    fi
    REDIS_EXCEPTIONS_RS_CLIENT="$client" \
    REDIS_EXCEPTIONS_RS_ASYNC="${async:-0}" \
    REDIS_EXCEPTIONS_RS_INSTALL="$install" \
    REDIS_EXCEPTIONS_RS_SABOTAGE="$sabotage" \
    REDIS_EXCEPTIONS_RS_REPORT="$results/$name-$mode.json" \
      "$py" -m pytest "${tests[@]}" "${deselect[@]+"${deselect[@]}"}" "${options[@]+"${options[@]}"}" \
        "$url_option=$scheme://127.0.0.1:$port/0" --protocol="$protocol" \
        -p redis_exceptions_rs.pytest_plugin -p no:cacheprovider \
        -q -rfE --junitxml="$results/$name-$mode.xml" > "$results/$name-$mode.log" 2>&1
  ) || status=$?
  if [ "$name" = cluster ]; then
    stop_cluster
  else
    stop_server
  fi
  echo "$(( SECONDS - t0 ))" > "$results/$name-$mode.seconds"
  tail -n 2 "$results/$name-$mode.log"
  # pytest: 0 all passed, 1 some failed (compared below); others are errors.
  if [ "$status" -gt 1 ]; then
    echo "redis_py_suite: pytest exited with $status (see $results/$name-$mode.log)" >&2
    return 1
  fi
}

start=$SECONDS
failed=0
summary=()
ran=0
for spec in "${specs[@]}"; do
  read -r name protocol hide parser <<< "$spec"
  # --only "resp3 cluster" (or REDIS_PY_SUITE_ONLY): only those runs.
  case " ${only:-$name} " in *" $name "*) ;; *) continue ;; esac
  ran=$((ran + 1))
  second=install
  [ -n "$self_check" ] && second=sabotage
  run "$name" "$protocol" "$hide" plain
  run "$name" "$protocol" "$hide" "$second"
  status=0
  out="$("$py" scripts/conformance/redis_py_suite_compare.py "$name" \
    "$results/$name-plain.xml" "$results/$name-plain.json" \
    "$results/$name-$second.xml" "$results/$name-$second.json" "$parser")" || status=$?
  out="$out
         wall time: plain $(cat "$results/$name-plain.seconds")s, $second $(cat "$results/$name-$second.seconds")s"
  if [ -n "$self_check" ]; then
    # The comparer's exit status: bit 1 outcomes differ, bit 2 the Rust
    # path or the parser is not as expected. The sabotaged run must differ
    # in outcomes.
    if [ $(( status & 1 )) = 1 ]; then
      out="$out
         self-check: the sabotaged parser was caught"
    else
      out="$out
         self-check: FAILED: the referee saw no difference with the sabotaged parser"
      failed=1
    fi
  elif [ "$status" != 0 ]; then
    failed=1
  fi
  summary+=("$out")
done
[ "$ran" -gt 0 ] || { echo "redis_py_suite: --only '$only' matches no run of $suite_name" >&2; exit 64; }

say "results ($(( SECONDS - start ))s; reports in $results)"
printf '%s\n' "${summary[@]}"
if [ -n "$self_check" ]; then
  if [ "$failed" != 0 ]; then
    echo "redis_py_suite [$id]: SELF-CHECK FAILED (a sabotaged parser went unnoticed)" >&2
    exit 1
  fi
  echo "redis_py_suite [$id]: self-check passed: the sabotaged parser changed the outcomes on $ran runs"
  exit 0
fi
if [ "$failed" != 0 ]; then
  echo "redis_py_suite [$id]: FAILED (runs differ, or the Rust path was not taken)" >&2
  exit 1
fi
echo "redis_py_suite [$id]: identical with and without install() ($ran runs)"
