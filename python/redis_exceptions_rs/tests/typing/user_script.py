"""A user's script, checked with `mypy --strict` (scripts/conformance/package_releases.sh)."""

import redis.exceptions

import redis_exceptions_rs as rs

rs.install()
assert rs.installed() and isinstance(rs.uses_rust(), bool)
e: BaseException = rs.parse_error("NOSCRIPT No matching script.")
cls, code, message = rs.classify(b"NOAUTH Authentication required.")
if issubclass(cls, redis.exceptions.AuthenticationError):
    print(code, message.decode())
n: int = rs.calls()
by_class: dict[str, int] = rs.classes()
assert rs.reset_calls() == n and sum(by_class.values()) == n
version: str = rs.__version__
rs.uninstall()
