# shellcheck shell=bash
# One Python with redis-py for the scripts in scripts/: source this file, then
# call `make_venv DIR`.
#
#   source "$(dirname "${BASH_SOURCE[0]}")/venv.sh"
#   tmp="$(mktemp -d -t redis-exc-mine.XXXXXX)"
#   trap 'rm -rf -- "$tmp"' EXIT
#   make_venv "$tmp/venv"        # sets $py
#   "$py" scripts/something.py
#
# make_venv DIR
#   Sets the variable `py` to a python3 that has redis==$REDIS_PY_VERSION
#   (the reference release of src/class/releases.txt) and
#   valkey==$VALKEY_PY_VERSION (the valkey-py dialect, same table):
#   * $PYTHON when it is set (an interpreter that already has that version;
#     DIR is then not touched);
#   * otherwise a new venv made in DIR (DIR should not exist yet; the caller
#     removes it, e.g. with a trap on a temp dir), with redis installed from
#     PyPI.
#   Then checks that `import redis` and `import valkey` give exactly those
#   versions. Returns
#   non-zero on any failure, so a caller under `set -e` stops there.
#   Needs python3 with the venv module and access to PyPI (unless $PYTHON).
#
# ensure_venv DIR [BASE_PYTHON [NAME==VERSION ...]]
#   Makes DIR a venv of BASE_PYTHON (default python3) with
#   redis==$REDIS_PY_VERSION, valkey==$VALKEY_PY_VERSION and the further
#   exact pins given, keeping one that already is (a venv kept across runs,
#   e.g. target/py-venv), and sets `py` to its python. A venv whose installed
#   versions differ from the pins is made anew.
#
# Also sets REDIS_PY_VERSION and VALKEY_PY_VERSION, for scripts that print
# or record them.

# shellcheck source=scripts/env/releases.sh
source "$(dirname "${BASH_SOURCE[0]}")/releases.sh" || return
REDIS_PY_VERSION="$REFERENCE_REDIS_PY"

# True when DIR is a venv of BASE_PYTHON with the pinned redis-py and the
# further pins NAME==VERSION given after BASE_PYTHON.
venv_ok() {
  local dir="$1" base_exe
  [ -x "$dir/bin/python" ] || return 1
  # The interpreter behind BASE_PYTHON (a pyenv shim is a script).
  base_exe="$("$2" -c 'import os, sys; print(os.path.realpath(sys.executable))')" || return 1
  "$dir/bin/python" - "$REDIS_PY_VERSION" "$base_exe" "${@:3}" <<'EOF' >/dev/null 2>&1
import os, sys
from importlib.metadata import version
import redis
want, base, pins = sys.argv[1], sys.argv[2], sys.argv[3:]
assert redis.__version__ == want, redis.__version__
assert os.path.realpath(sys._base_executable) == base
for pin in pins:
    name, _, wanted = pin.partition("==")
    assert version(name) == wanted, (pin, version(name))
EOF
}

ensure_venv() {
  local dir="${1:?ensure_venv: give a directory for the venv}" base="${2:-python3}"
  local pins=("valkey==${VALKEY_PY_VERSION}" "${@:3}")
  if ! venv_ok "$dir" "$base" "${pins[@]}"; then
    echo "== venv of $base with redis==${REDIS_PY_VERSION} ${pins[*]} in ${dir}" >&2
    rm -rf -- "$dir"
    "$base" -m venv "$dir" >&2 || return
    "$dir/bin/python" -m pip install --quiet --disable-pip-version-check \
      "redis==${REDIS_PY_VERSION}" "${pins[@]}" >&2 || return
    venv_ok "$dir" "$base" "${pins[@]}" || {
      echo "the venv at $dir does not import redis==${REDIS_PY_VERSION} ${pins[*]}" >&2
      return 1
    }
  fi
  py="$dir/bin/python"
}

make_venv() {
  local dir="${1:?make_venv: give a directory for the venv}"
  if [ -n "${PYTHON:-}" ]; then
    py="$PYTHON"
  else
    ensure_venv "$dir" || return
  fi
  "$py" -c "import redis, valkey; assert (redis.__version__, valkey.__version__) == \
('${REDIS_PY_VERSION}', '${VALKEY_PY_VERSION}'), (redis.__version__, valkey.__version__)" \
    || return
}
