# shellcheck shell=bash
# The releases this crate covers, read from their one table,
# src/class/releases.txt (its header says what each column means). Source
# this file; it sets:
#
#   RELEASES_FILE      the table's path
#   REFERENCE_REDIS_PY the reference redis-py release, pinned (e.g. 8.2.1)
#   VALKEY_PY_VERSION  the newest valkey-py release, pinned (e.g. 6.2.1)
#
# and defines:
#
#   releases_pinned CLIENT [USE]   the pinned versions of CLIENT's rows
#                                  (redis-py, valkey-py), oldest first, one a
#                                  line; with USE (reference, package,
#                                  suite) only the rows that have it
#   release_pinned CLIENT X.Y      the pinned version of release X.Y (fails
#                                  when the table has no such row)
#   release_column CLIENT X.Y N    column N (1-based) of that row

RELEASES_FILE="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/src/class/releases.txt"

releases_pinned() {
  awk -v client="$1" -v use="${2:-}" '
    /^[[:space:]]*(#|$)/ { next }
    $1 == client && (use == "" || ("," $8 ",") ~ ("," use ",")) { print $3 }
  ' "$RELEASES_FILE"
}

release_column() {
  local out
  out="$(awk -v client="$1" -v rel="$2" -v n="$3" '
    /^[[:space:]]*(#|$)/ { next }
    $1 == client && ($2 == rel || $3 == rel) { print $n }
  ' "$RELEASES_FILE")"
  [ -n "$out" ] || { echo "releases.sh: $1 $2 is not in $RELEASES_FILE" >&2; return 1; }
  echo "$out"
}

release_pinned() { release_column "$1" "$2" 3; }

REFERENCE_REDIS_PY="$(releases_pinned redis-py reference)"
VALKEY_PY_VERSION="$(releases_pinned valkey-py | tail -n 1)"
if [ -z "$REFERENCE_REDIS_PY" ] || [ "$(echo "$REFERENCE_REDIS_PY" | wc -l)" != 1 ]; then
  echo "releases.sh: $RELEASES_FILE must mark exactly one redis-py row 'reference'" >&2
  return 1 2>/dev/null || exit 1
fi
