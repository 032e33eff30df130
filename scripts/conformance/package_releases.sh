#!/usr/bin/env bash
# The Python package (python/redis_exceptions_rs) on several redis-py
# releases and on valkey-py: the wheel is built once (abi3, maturin build
# --release) and installed into one pinned venv per release,
# target/pkg-venvs/redis-X.Y.Z (CPython from `python3`, or PYTHON3=...);
# `valkey-X.Y.Z` is a venv with that valkey-py beside the reference redis-py
# (the package imports redis-py), where tests/test_valkey.py runs instead of
# skipping. Each runs the package's tests (python/redis_exceptions_rs/tests)
# and `mypy --strict` on tests/typing/user_script.py.
#
#   bash scripts/conformance/package_releases.sh               # the rows of src/class/releases.txt marked `package`
#   bash scripts/conformance/package_releases.sh X.Y.Z ...     # only these redis-py releases
#   bash scripts/conformance/package_releases.sh valkey-X.Y.Z
#
# Then the soak (scripts/conformance/install_soak.py: a million installed
# calls over every reply shape, nothing may grow) on the oldest and the
# newest redis-py release of the list; SOAK_CALLS sets the count (0: none).
#
# Needs cargo (Rust 1.90+); fails at once without it (no toolchain download).
set -euo pipefail

# shellcheck source=scripts/env/releases.sh
source "$(dirname "${BASH_SOURCE[0]}")/../env/releases.sh"
mapfile -t RELEASES < <(releases_pinned redis-py package; releases_pinned valkey-py package | sed 's/^/valkey-/')
VALKEY_REDIS="$REFERENCE_REDIS_PY"  # the redis-py beside valkey-py in its venv
[ $# -gt 0 ] && RELEASES=("$@")
PIP_PINS=("pytest==9.2.0" "hiredis==3.5.0" "mypy==2.4.1")
MATURIN="maturin==1.16.0"

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$repo_root"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$repo_root/target}"
PYTHON3="${PYTHON3:-python3}"
venvs="${PKG_VENVS:-$repo_root/target/pkg-venvs}"  # e.g. target/pkg-venvs-py3.13 with PYTHON3=python3.13
wheels="$repo_root/target/pkg-wheels"

command -v cargo >/dev/null || { echo "package_releases: cargo (Rust 1.90+) is needed" >&2; exit 2; }
export MATURIN_NO_INSTALL_RUST=1

pip_q() { "$1/bin/python" -m pip install --quiet --disable-pip-version-check "${@:2}"; }

# Builds a venv once per pin set (the pins are written into it).
ensure() {
  local dir="$1" want
  shift
  want="$(printf '%s\n' "$@" | sort | tr '\n' ' ')"
  if [ ! -x "$dir/bin/python" ] || [ "$(cat "$dir/.pins" 2>/dev/null)" != "$want" ]; then
    rm -rf -- "$dir"
    "$PYTHON3" -m venv "$dir"
    pip_q "$dir" "$@"
    printf '%s' "$want" > "$dir/.pins"
  fi
}

ensure "$venvs/build" "$MATURIN"
rm -rf -- "$wheels"
(cd python/redis_exceptions_rs &&
  "$venvs/build/bin/maturin" build --release --quiet -i "$venvs/build/bin/python" --out "$wheels")
wheel="$(ls "$wheels"/*.whl)"
echo "package_releases: built $(basename "$wheel")"

# pytest_summary FILE: pytest's closing line (without the time), then what
# was skipped and why, from the -rs lines ("SKIPPED [402] file:line: reason").
pytest_summary() {
  awk '/^SKIPPED \[[0-9]+\] / {
         n = $2; gsub(/[][]/, "", n)
         r = $0; sub(/^SKIPPED \[[0-9]+\] [^ ]+:[0-9]+: /, "", r)
         if (!(r in count)) order[++k] = r
         count[r] += n
       }
       /^[= ]*[0-9]+ (passed|failed|error|errors|skipped)/ { last = $0 }
       END {
         gsub(/=/, "", last); sub(/^ +/, "", last); sub(/ in [0-9.]+s.*$/, "", last)
         printf "%s", (last == "" ? "no pytest summary" : last)
         for (i = 1; i <= k; i++) printf "%s%d: %s", (i == 1 ? " (" : "; "), count[order[i]], order[i]
         if (k) printf ")"
       }' "$1"
}
pytest_out="$(mktemp)"
trap 'rm -f -- "$pytest_out"' EXIT

status=0
for v in "${RELEASES[@]}"; do
  case "$v" in
    valkey-*)
      venv="$venvs/$v"
      ensure "$venv" "valkey==${v#valkey-}" "redis==$VALKEY_REDIS" "${PIP_PINS[@]}"
      pip_q "$venv" --no-deps --force-reinstall "$wheel"
      "$venv/bin/python" -c "import valkey, sys; sys.exit(valkey.__version__ != '${v#valkey-}')"
      label="valkey-py ${v#valkey-} (with redis-py $VALKEY_REDIS)"
      ;;
    *)
      venv="$venvs/redis-$v"
      ensure "$venv" "redis==$v" "${PIP_PINS[@]}"
      pip_q "$venv" --no-deps --force-reinstall "$wheel"
      "$venv/bin/python" -c "import redis, sys; sys.exit(redis.__version__ != '$v')"
      label="redis-py $v"
      ;;
  esac
  printf '\n== %s (%s)\n' "$label" "$("$venv/bin/python" -c 'import sys; print(sys.executable, sys.version.split()[0])')"
  # -rs: one line per skip reason with its count, read back for the summary.
  "$venv/bin/python" -m pytest python/redis_exceptions_rs/tests -p no:cacheprovider -p no:asyncio -q -rs \
    | tee "$pytest_out" || status=1
  mypy_result=ok
  (cd python/redis_exceptions_rs/tests/typing &&
    "$venv/bin/python" -m mypy --strict --no-incremental --python-executable "$venv/bin/python" user_script.py) \
    || { status=1; mypy_result=FAILED; }
  echo "package_releases: $label: $(pytest_summary "$pytest_out"); mypy --strict: $mypy_result"
done
redis_releases=()
for v in "${RELEASES[@]}"; do
  case "$v" in valkey-*) ;; *) redis_releases+=("$v") ;; esac
done
if [ "${SOAK_CALLS:-1000000}" != 0 ] && [ "${#redis_releases[@]}" -gt 0 ]; then
  mapfile -t sorted < <(printf '%s\n' "${redis_releases[@]}" | sort -V)
  for v in $(printf '%s\n' "${sorted[0]}" "${sorted[-1]}" | uniq); do
    "$venvs/redis-$v/bin/python" scripts/conformance/install_soak.py --calls "${SOAK_CALLS:-1000000}" \
      | tail -n 1 || status=1
  done
fi
[ "$status" = 0 ] && echo "package_releases: all passed (${RELEASES[*]})"
exit "$status"
