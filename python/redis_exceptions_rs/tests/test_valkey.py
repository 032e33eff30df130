"""install("valkey"): valkey-py's parse_error answered in Rust, exactly as
valkey-py answers (same machinery as redis-py's; valkey-py 6.2's cluster
parsers carry their own EXCEPTION_CLASSES). Skipped unless valkey-py is
importable (scripts/conformance/package_releases.sh runs them in
target/pkg-venvs/valkey-X.Y.Z)."""

import functools

import pytest

import _oracle
from _oracle import CORPUS, outcome, table_replies

import redis_exceptions_rs as rs

try:
    import valkey
    import valkey.exceptions
    from valkey._parsers.base import BaseParser
except ImportError:  # pragma: no cover - depends on the venv
    valkey = None

needs_valkey = pytest.mark.skipif(valkey is None, reason="needs valkey-py, which only the valkey-py venv has")


@pytest.mark.skipif(valkey is not None, reason="checks install('valkey') without valkey-py, which this venv has")
def test_install_without_valkey_is_an_import_error():
    with pytest.raises(ImportError, match=r"supports valkey-py 6\.2; found no valkey"):
        rs.install("valkey")
    assert not rs.installed("valkey")
    rs.uninstall("valkey")  # nothing to do, no error


def test_unknown_client_is_a_value_error():
    for bad in ("memcached", None, 1):
        with pytest.raises(ValueError):
            rs.install(bad)  # type: ignore[arg-type]


if valkey is not None:
    ORIGINAL = BaseParser.__dict__["parse_error"]
    parsers = functools.partial(_oracle.parsers, "valkey", BaseParser)
    release_replies = functools.partial(_oracle.release_replies, "valkey-py", valkey.__version__)
    reference = functools.partial(_oracle.reference, ORIGINAL)

    @pytest.fixture(autouse=True)
    def clean():
        tables = {p: dict(p.EXCEPTION_CLASSES) for p in parsers()}
        rs.uninstall("valkey")
        rs.reset_calls()
        yield
        rs.uninstall("valkey")
        BaseParser.parse_error = ORIGINAL
        for p, t in tables.items():
            p.EXCEPTION_CLASSES.clear()
            p.EXCEPTION_CLASSES.update(t)


@needs_valkey
def test_valkey_replies_are_valkey_py_and_answered_in_rust():
    redis_was_installed = rs.installed("redis")
    rs.install("valkey")
    assert rs.installed("valkey") and rs.uses_rust("valkey")
    assert rs.installed("redis") == redis_was_installed  # independent of redis-py's
    malformed = ["MOVED abc", "ASK abc", "MOVED 1 h:x", "ASK 1 h:x"]
    for parser in parsers():
        replies = CORPUS + release_replies() + table_replies(parser.EXCEPTION_CLASSES) + malformed
        for r in replies:
            assert outcome(parser.parse_error, r) == reference(parser, r), (parser, r)
    assert rs.calls() > 0
    assert all(type(getattr(valkey.exceptions, name, None)) is type for name in rs.classes())


@needs_valkey
def test_valkey_every_table_reply_answered_in_rust():
    rs.install("valkey")
    for parser in parsers():
        for r in table_replies(parser.EXCEPTION_CLASSES):
            before = rs.calls()
            parser.parse_error(r)
            assert rs.calls() == before + 1, (parser, r)


@needs_valkey
def test_valkey_patched_init_is_called():
    rs.install("valkey")
    cls = valkey.exceptions.ResponseError
    seen = []

    def patched(self, *args, **kwargs):
        seen.append(args)
        Exception.__init__(self, *args)

    cls.__init__ = patched
    try:
        # valkey-py's parse_error calls `cls(rest)`: Rust makes that very
        # call for a class whose __init__ sets nothing, so the patch runs.
        e = BaseParser.parse_error("FOO bar")
        assert seen and type(e) is cls and e.args == ("FOO bar",)
        assert outcome(BaseParser.parse_error, "FOO bar") == reference(BaseParser, "FOO bar")
        # AskError's own __init__ chains up to the patched one: not built
        # in Rust, the original's call.
        for parser in parsers():
            if "MOVED" in parser.EXCEPTION_CLASSES:
                before = rs.calls()
                assert outcome(parser.parse_error, "MOVED 1 h:2") == reference(parser, "MOVED 1 h:2")
                assert rs.calls() == before
        assert outcome(BaseParser.parse_error, "NOSCRIPT x") == reference(BaseParser, "NOSCRIPT x")
    finally:
        del cls.__init__


@needs_valkey
def test_valkey_uninstall_restores_exactly():
    rs.install("valkey")
    rs.install("valkey")
    rs.uninstall("valkey")
    assert BaseParser.__dict__["parse_error"] is ORIGINAL and not rs.installed("valkey")


@needs_valkey
def test_unsupported_valkey_release_is_an_import_error(monkeypatch):
    monkeypatch.setattr(valkey, "__version__", "6.1.0")
    with pytest.raises(ImportError, match=r"supports valkey-py 6\.2; found valkey 6\.1\.0"):
        rs.install("valkey")
    assert BaseParser.__dict__["parse_error"] is ORIGINAL
