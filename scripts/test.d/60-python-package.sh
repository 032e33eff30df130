# shellcheck shell=bash
# Hook of scripts/test.sh: the Python package (python/redis_exceptions_rs)
# on each redis-py release marked `package` in src/class/releases.txt: one abi3 wheel built
# (and the soak on the oldest and newest of them)
# with the running Rust, installed into a pinned venv per release
# (target/pkg-venvs/), its tests and `mypy --strict` on a user script
# (scripts/conformance/package_releases.sh; about 30 s once the venvs exist).

python_package() {
  bash scripts/conformance/package_releases.sh
}
# Its per-release lines (tests passed and skipped, with the reasons; mypy)
# are printed under the step line.
on_check python_package \
  "the Python package on each redis-py release (scripts/conformance/package_releases.sh)" \
  '^package_releases: '
