"""pytest plugin: run a test suite with the client's error replies parsed in Rust.

    pytest -p redis_exceptions_rs.pytest_plugin ...

installs the Rust parser before any test runs and, at the end, prints how
many replies Rust parsed. Environment:

REDIS_EXCEPTIONS_RS_INSTALL=0
    leave the client's own parse_error in place (a reference run).
REDIS_EXCEPTIONS_RS_CLIENT=redis|valkey
    the client whose suite runs (default redis: redis-py; valkey: valkey-py,
    installed with ``install("valkey")``; its options are --valkey-url).
REDIS_EXCEPTIONS_RS_ASYNC=1
    the suite is the asyncio one: the reported parser is that of the
    client's asyncio Connection.
REDIS_EXCEPTIONS_RS_SABOTAGE=1
    a deliberately broken parser, for checking that the referee notices:
    after install(), every error reply becomes a plain ResponseError
    (MOVED, NOSCRIPT, NOAUTH, EXECABORT... all lose their class). The Rust
    parser is still called first, so the Rust path counts as taken. Only a
    referee that reports a difference for this run is a referee.
REDIS_EXCEPTIONS_RS_REPORT=path
    also write a JSON report there: {"installed", "calls", "parser",
    "classes", "client", "sabotaged"}, where "parser" is the parser class of
    a connection opened with the suite's --redis-url (--valkey-url) and
    --protocol options (the suite's conftest), when it has them.
"""

import asyncio
import importlib
import inspect
import json
import os

import redis_exceptions_rs


def _client():
    return os.environ.get("REDIS_EXCEPTIONS_RS_CLIENT", "redis")


def _takes_client(func):
    return bool(inspect.signature(func).parameters)


def _installed(client):
    if client == "redis":
        return redis_exceptions_rs.installed()
    return _takes_client(redis_exceptions_rs.installed) and redis_exceptions_rs.installed(client)


def _sabotage(client):
    """Replace the installed parse_error by one that calls it, then answers
    a plain ResponseError with the reply's text, whatever the reply."""
    base = importlib.import_module(client + "._parsers.base").BaseParser
    exceptions = importlib.import_module(client + ".exceptions")
    installed = base.__dict__["parse_error"]
    inner = installed.__func__ if isinstance(installed, (classmethod, staticmethod)) else installed
    bound = isinstance(installed, classmethod)

    def parse_error(cls, response):
        err = inner(cls, response) if bound else inner(response)
        return exceptions.ResponseError(response if isinstance(response, str) else str(err))

    base.parse_error = classmethod(parse_error)


_INSTALLED = []  # installed() before the sabotage, which hides it


def pytest_configure(config):
    client = _client()
    if os.environ.get("REDIS_EXCEPTIONS_RS_INSTALL", "1") != "0":
        if client == "redis":
            redis_exceptions_rs.install()
        elif _takes_client(redis_exceptions_rs.install):
            redis_exceptions_rs.install(client)
        else:
            # A package before install(client): the run goes on without
            # install(), and its report says so (installed false, 0 calls).
            print("\nredis_exceptions_rs: this package has no install(client); "
                  "%s runs without install()" % client)
        if os.environ.get("REDIS_EXCEPTIONS_RS_SABOTAGE", "0") == "1":
            _INSTALLED.append(_installed(client))
            _sabotage(client)


def _parser(config, client):
    connection = importlib.import_module(client + ".connection")
    exceptions = importlib.import_module(client + ".exceptions")
    try:
        url = config.getoption("--%s-url" % client)
        protocol = int(config.getoption("--protocol"))
    except (ValueError, TypeError):
        return connection.DefaultParser.__name__
    kwargs = dict(connection.parse_url(url), protocol=protocol)
    if os.environ.get("REDIS_EXCEPTIONS_RS_ASYNC", "0") == "1":
        aio = importlib.import_module(client + ".asyncio.connection")

        async def probe():
            conn = aio.Connection(**kwargs)
            try:
                await conn.connect()
                return type(conn._parser).__name__
            finally:
                await conn.disconnect()

        try:
            return asyncio.run(probe())
        except exceptions.RedisError if client == "redis" else exceptions.ValkeyError as e:
            return "unknown (%s)" % e
    conn = connection.Connection(**kwargs)
    try:
        conn.connect()
        return type(conn._parser).__name__
    except exceptions.RedisError if client == "redis" else exceptions.ValkeyError as e:
        return "unknown (%s)" % e
    finally:
        conn.disconnect()


def pytest_unconfigure(config):
    client = _client()
    parser = _parser(config, client)  # its connection's replies count too
    report = {
        "installed": _INSTALLED[0] if _INSTALLED else _installed(client),
        "calls": redis_exceptions_rs.calls(),
        "parser": parser,
        "classes": redis_exceptions_rs.classes(),
        "client": client,
        "sabotaged": os.environ.get("REDIS_EXCEPTIONS_RS_SABOTAGE", "0") == "1",
    }
    path = os.environ.get("REDIS_EXCEPTIONS_RS_REPORT")
    if path:
        with open(path, "w") as f:
            json.dump(report, f)
    print("\nredis_exceptions_rs: %(calls)d error replies parsed in Rust "
          "(client: %(client)s, installed: %(installed)s, parser: %(parser)s, "
          "sabotaged: %(sabotaged)s)" % report)
