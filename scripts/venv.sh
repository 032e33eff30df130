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
#   (8.1.0, the version this crate mirrors):
#   * $PYTHON when it is set (an interpreter that already has that version;
#     DIR is then not touched);
#   * otherwise a new venv made in DIR (DIR should not exist yet; the caller
#     removes it, e.g. with a trap on a temp dir), with redis installed from
#     PyPI.
#   Then checks that `import redis` gives exactly that version. Returns
#   non-zero on any failure, so a caller under `set -e` stops there.
#   Needs python3 with the venv module and access to PyPI (unless $PYTHON).
#
# Also sets REDIS_PY_VERSION, for scripts that print or record it.

REDIS_PY_VERSION="8.1.0"

make_venv() {
  local dir="${1:?make_venv: give a directory for the venv}"
  if [ -n "${PYTHON:-}" ]; then
    py="$PYTHON"
  else
    echo "== venv with redis==${REDIS_PY_VERSION} in ${dir}" >&2
    python3 -m venv "$dir" || return
    "$dir/bin/python" -m pip install --quiet --disable-pip-version-check \
      "redis==${REDIS_PY_VERSION}" || return
    py="$dir/bin/python"
  fi
  "$py" -c "import redis; assert redis.__version__ == '${REDIS_PY_VERSION}', redis.__version__" \
    || return
}
