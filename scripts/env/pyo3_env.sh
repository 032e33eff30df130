#!/usr/bin/env bash
# The Python that the `pyo3` feature's tests (tests/pyo3.rs) embed.
#
#   bash scripts/env/pyo3_env.sh            # set up (idempotent), print the exports
#   eval "$(bash scripts/env/pyo3_env.sh)"  # and apply them to this shell
#
# Why Debian's python3.11 and not pyenv's: an embedded interpreter is the
# shared library `libpython3.11.so.1.0` that the test binary loads at run
# time, and the dynamic loader finds Debian's copy through ld.so.cache
# whatever interpreter the build was configured with. Building against
# pyenv's 3.11.7 (also a shared build here) would link against one
# libpython and run another, with another standard library. Debian's
# python3.11 + libpython3.11-dev is what the loader finds anyway, so the
# build (PYO3_PYTHON, pinned in .cargo/config.toml) and the run agree
# without LD_LIBRARY_PATH or rpath tricks. tests/pyo3.rs proves it at run
# time: the mapped libpython, sys.version, sys.prefix and redis.__file__.
#
# What it does:
#   1. installs python3.11, python3.11-venv and libpython3.11-dev with apt
#      when missing (needs root);
#   2. creates the venv $REDIS_EXCEPTIONS_PYO3_VENV (default
#      ${XDG_CACHE_HOME:-$HOME/.cache}/redis-exceptions/pyo3-venv, shared
#      by every checkout on the machine) from /usr/bin/python3.11 and
#      installs the reference redis-py and valkey-py of
#      src/class/releases.txt (valkey-py, for
#      `Client::ValkeyPy`) into it; a venv with other versions is made anew;
#   3. prints `export ...` lines on stdout (everything else goes to stderr).
set -euo pipefail

# ensure_venv, REDIS_PY_VERSION and VALKEY_PY_VERSION (the pins: every venv
# it makes has both clients).
# shellcheck source=scripts/env/venv.sh
source "$(dirname "${BASH_SOURCE[0]}")/venv.sh"
BASE_PY="${REDIS_EXCEPTIONS_PYO3_BASE:-/usr/bin/python3.11}"
VENV="${REDIS_EXCEPTIONS_PYO3_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/redis-exceptions/pyo3-venv}"

log() { printf 'pyo3_env: %s\n' "$*" >&2; }

have_base() {
  [ -x "$BASE_PY" ] || return 1
  "$BASE_PY" -c 'import venv, ensurepip' >/dev/null 2>&1 || return 1
  # The shared library the linker needs (`-lpython3.11`).
  "$BASE_PY" - <<'EOF' >/dev/null 2>&1
import os, sys, sysconfig
lib = os.path.join(sysconfig.get_config_var("LIBDIR"), sysconfig.get_config_var("LDLIBRARY"))
sys.exit(0 if os.path.exists(lib) and sysconfig.get_config_var("Py_ENABLE_SHARED") else 1)
EOF
}

if ! have_base; then
  if [ "$(id -u)" != 0 ]; then
    log "need $BASE_PY with venv and libpython3.11-dev: apt-get install python3.11 python3.11-venv libpython3.11-dev"
    exit 1
  fi
  log "installing python3.11 python3.11-venv libpython3.11-dev (apt)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >&2
  apt-get install -y -q --no-install-recommends python3.11 python3.11-venv libpython3.11-dev >&2
  have_base || { log "$BASE_PY still unusable after apt-get"; exit 1; }
fi

mkdir -p "$(dirname "$VENV")"
exec 9>"$VENV.lock"
flock 9
ensure_venv "$VENV" "$BASE_PY" >&2
flock -u 9

log "ok: $("$VENV/bin/python" -c 'import sys, redis, valkey; print(sys.version.split()[0], "redis", redis.__version__, "valkey", valkey.__version__)') in $VENV"
printf 'export PYO3_PYTHON=%q\n' "$BASE_PY"
printf 'export REDIS_EXCEPTIONS_PYO3_VENV=%q\n' "$VENV"
