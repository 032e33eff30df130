# shellcheck shell=bash
# Hook of scripts/test.sh: the Python that tests/pyo3.rs embeds.
#
# Debian's python3.11 with its shared libpython (libpython3.11-dev) is what
# the build links against (PYO3_PYTHON in .cargo/config.toml) and what the
# dynamic loader finds at run time; scripts/env/pyo3_env.sh explains why it is
# not the suite's venv (target/py-venv, made from whatever `python3` is
# first on PATH) and makes a venv of its own with the reference redis-py.

pyo3_base_ok() {
  [ -x /usr/bin/python3.11 ] && /usr/bin/python3.11 - <<'PY'
import os, sys, sysconfig, venv, ensurepip
lib = os.path.join(sysconfig.get_config_var("LIBDIR"), sysconfig.get_config_var("LDLIBRARY"))
sys.exit(0 if os.path.exists(lib) else 1)
PY
}
require pyo3_base_ok python3.11 python3.11-venv libpython3.11-dev

pyo3_env() {
  # Exports PYO3_PYTHON and REDIS_EXCEPTIONS_PYO3_VENV for cargo test.
  eval "$(bash scripts/env/pyo3_env.sh)"
}
on_setup pyo3_env "the Python tests/pyo3.rs embeds (scripts/env/pyo3_env.sh)"
