"""pytest plugin: run a test suite with redis-py's error replies parsed in Rust.

    pytest -p redis_exceptions_rs.pytest_plugin ...

installs the Rust parser before any test runs (REDIS_EXCEPTIONS_RS_INSTALL=0
leaves redis-py's own in place, for a reference run) and, at the end,
prints how many replies Rust parsed. With REDIS_EXCEPTIONS_RS_REPORT=path it
also writes a JSON report there: {"installed", "calls", "parser", "classes"}, where
"parser" is the parser class of a connection opened with the suite's
--redis-url and --protocol options (redis-py's conftest), when it has them.
"""

import json
import os

import redis.connection

import redis_exceptions_rs


def pytest_configure(config):
    if os.environ.get("REDIS_EXCEPTIONS_RS_INSTALL", "1") != "0":
        redis_exceptions_rs.install()


def _parser(config):
    try:
        url = config.getoption("--redis-url")
        protocol = int(config.getoption("--protocol"))
    except (ValueError, TypeError):
        return redis.connection.DefaultParser.__name__
    conn = redis.connection.Connection(protocol=protocol, **redis.connection.parse_url(url))
    try:
        conn.connect()
        return type(conn._parser).__name__
    except redis.exceptions.RedisError as e:
        return "unknown (%s)" % e
    finally:
        conn.disconnect()


def pytest_unconfigure(config):
    parser = _parser(config)  # its connection's replies count too
    report = {
        "installed": redis_exceptions_rs.installed(),
        "calls": redis_exceptions_rs.calls(),
        "parser": parser,
        "classes": redis_exceptions_rs.classes(),
    }
    path = os.environ.get("REDIS_EXCEPTIONS_RS_REPORT")
    if path:
        with open(path, "w") as f:
            json.dump(report, f)
    print("\nredis_exceptions_rs: %(calls)d error replies parsed in Rust "
          "(installed: %(installed)s, parser: %(parser)s)" % report)
