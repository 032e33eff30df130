#!/usr/bin/env bash
# Round-trip real redis-py exceptions through the crate's `serde` feature.
#
#   bash scripts/conformance/serde_roundtrip.sh
#
# 1. a throw-away venv with the reference redis-py prints one instance of each of the 41
#    classes as JSON (python/redis_exceptions_json.py dump-all);
# 2. the Rust example `serde_roundtrip` (features = ["serde"]) reads that list,
#    deserializes every item into the Rust error and serializes it back;
# 3. python/redis_exceptions_json.py check rebuilds every item Rust wrote with
#    redis-py, serializes it again and compares with the Rust output and with
#    the original dump. Exits non-zero on any difference;
# 4. python/redis_exceptions_json.py cases runs tests/serde_cases.json, the
#    edge cases tests/serde.rs runs on the Rust side (duplicate keys, -0,
#    integers beyond 64 bits).
#
# Set PYTHON=/path/to/python to use an interpreter that already has
# the reference redis-py instead of making a venv (see scripts/env/venv.sh).
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck source=scripts/env/venv.sh
source "$repo_root/scripts/env/venv.sh"
cd "$repo_root"

if [ ! -f examples/serde_roundtrip.rs ] && [ ! -f examples/serde_roundtrip/main.rs ]; then
  echo "serde_roundtrip: examples/serde_roundtrip.rs is missing" >&2
  exit 1
fi

tmp="$(mktemp -d -t redis-exc-serde.XXXXXX)"
cleanup() {
  rm -rf -- "$tmp"
}
trap cleanup EXIT

make_venv "$tmp/venv"

in_json="$tmp/from_python.json"
out_json="$tmp/from_rust.json"

"$py" python/redis_exceptions_json.py dump-all > "$in_json"
cargo run --quiet --features serde --example serde_roundtrip -- "$in_json" "$out_json"
"$py" python/redis_exceptions_json.py check "$out_json" --expect "$in_json"
"$py" python/redis_exceptions_json.py cases tests/serde_cases.json
