"""The Python package against the running redis-py itself.

The native parse_error/classify answer as the reference redis-py release
(src/class/releases.txt) does: the tests comparing them with redis-py run on
that release only (``needs_reference``); the install() tests run on every
supported release.

Every reply of tests/fixtures/public_corpus.json goes through redis-py's
``BaseParser.parse_error`` (live, in this interpreter) and through the
package; the corpus only supplies the inputs. Run by
scripts/conformance/redis_py_suite.sh before redis-py's own suite:

    python -m pytest python/redis_exceptions_rs/tests -p no:cacheprovider
"""

import base64
import inspect
import json
import pathlib

import pytest
import redis
import redis.exceptions
from redis._parsers.base import BaseParser

import redis_exceptions_rs as rs

REFERENCE = rs._native._releases()["reference"]
EXACT_REFERENCE = redis.__version__.split(".")[:2] == REFERENCE.split(".")[:2]
needs_reference = pytest.mark.skipif(not EXACT_REFERENCE, reason=f"the native functions mirror redis-py {REFERENCE}")
CORPUS = pathlib.Path(__file__).resolve().parents[3] / "tests" / "fixtures" / "public_corpus.json"
CASES = json.loads(CORPUS.read_text(encoding="utf-8"))["cases"]
# redis-py's own classmethod, taken before any test can install().
ORIGINAL = BaseParser.__dict__["parse_error"]


def redis_py(reply):
    """redis-py's parse_error: ("returned", instance) or ("raised", exception)."""
    try:
        return "returned", ORIGINAL.__func__(BaseParser, reply)
    except Exception as e:  # noqa: BLE001 - whatever redis-py raises is the oracle
        return "raised", e


def reply_bytes(case):
    return base64.b64decode(case["input_b64"])


def reply_str(case):
    # As redis-py's parsers decode a reply: UTF-8 with replacement.
    return reply_bytes(case).decode("utf-8", "replace")


def snapshot(e):
    """Everything observable of an instance that redis-py sets."""
    # vars() as a list: the keys' order too, and each value's type.
    return (type(e), e.args, str(e), repr(e), list(vars(e).items()), [type(v) for v in vars(e).values()])


def native_ok():
    try:
        rs.classify(b"ERR x")
    except ImportError:
        return False
    return True


NATIVE = native_ok()
RETURNED = [c for c in CASES if redis_py(reply_str(c))[0] == "returned"]
RAISED = [c for c in CASES if redis_py(reply_str(c))[0] == "raised"]
ids = lambda cases: [c["id"] for c in cases]  # noqa: E731


@pytest.fixture(autouse=True)
def restore():
    """Each test starts and ends with redis-py's own parse_error."""
    rs.uninstall()
    yield
    rs.uninstall()


def test_corpus_covers_both_outcomes():
    assert RETURNED
    assert RAISED or "MOVED" not in BaseParser.EXCEPTION_CLASSES  # 5.x: cluster parsers only
    # The corpus input is the str redis-py parsed when it was generated.
    for c in CASES:
        assert c["input"] == reply_str(c), c["id"]


@needs_reference
@pytest.mark.parametrize("case", RETURNED, ids=ids(RETURNED))
def test_parse_error_str_matches_redis_py(case):
    s = reply_str(case)
    _, expected = redis_py(s)
    assert snapshot(rs.parse_error(s)) == snapshot(expected)


@needs_reference
@pytest.mark.parametrize("case", RETURNED, ids=ids(RETURNED))
def test_parse_error_bytes_is_the_replace_decoded_str(case):
    b = reply_bytes(case)
    assert snapshot(rs.parse_error(b)) == snapshot(rs.parse_error(b.decode("utf-8", "replace")))


@needs_reference
@pytest.mark.parametrize("case", RAISED, ids=ids(RAISED))
def test_malformed_redirect_returns_the_named_class(case):
    # Difference 1 (src/lib.rs): redis-py raises ValueError from
    # AskError.__init__; the package returns the class the server named,
    # with the instance __init__ had built (difference 9).
    s = reply_str(case)
    outcome, raised = redis_py(s)
    assert outcome == "raised" and type(raised) is ValueError
    e = rs.parse_error(s)
    code, _, message = s.partition(" ")
    assert type(e).__name__ == {"MOVED": "MovedError", "ASK": "AskError"}[code]
    assert e.args == (message,)
    assert e.status_code == code
    assert not hasattr(e, "node_addr")


@needs_reference
def test_parse_error_bytes_invalid_utf8():
    for raw in [b"ERR bad \xff\xfe byte", b"NOAUTH \xc3", b"\xff\xff", b"MOVED 1 h\x80:1"]:
        text = raw.decode("utf-8", "replace")
        _, expected = redis_py(text)
        assert snapshot(rs.parse_error(raw)) == snapshot(expected), raw
        assert snapshot(rs.parse_error(raw)) == snapshot(rs.parse_error(text)), raw


def test_parse_error_rejects_other_types():
    for value in [None, 1, bytearray(b"ERR x"), ["ERR x"]]:
        with pytest.raises(TypeError):
            rs.parse_error(value)


LONE_SURROGATES = ["ERR bad \udcff byte", "\udc80", "NOAUTH \ud800", "MOVED 1 h\udcc3:1"]


@needs_reference
def test_lone_surrogates_native_raises_unicode_encode_error():
    # Not UTF-8 text: the native function refuses it (as str.encode does).
    for s in LONE_SURROGATES:
        with pytest.raises(UnicodeEncodeError):
            rs.parse_error(s)


def test_lone_surrogates_installed_fall_back_to_redis_py():
    rs.install()
    for s in LONE_SURROGATES:
        outcome, expected = redis_py(s)
        before_calls, before_classes = rs.calls(), rs.classes()
        if outcome == "returned":
            assert snapshot(BaseParser.parse_error(s)) == snapshot(expected), ascii(s)
        else:
            with pytest.raises(type(expected)):
                BaseParser.parse_error(s)
        assert rs.calls() == before_calls and rs.classes() == before_classes, ascii(s)


@needs_reference
@pytest.mark.parametrize("case", CASES, ids=ids(CASES))
def test_classify_consistent_with_parse_error(case):
    b = reply_bytes(case)
    cls, status_code, message = rs.classify(b)
    e = rs.parse_error(b)
    assert cls is type(e)
    assert status_code == getattr(e, "status_code", None)
    assert type(message) is bytes
    assert (message.decode("utf-8", "replace"),) == e.args
    # and with redis-py where it returns an instance
    outcome, expected = redis_py(reply_str(case))
    if outcome == "returned":
        assert cls is type(expected)
        assert status_code == getattr(expected, "status_code", None)
        assert (message.decode("utf-8", "replace"),) == expected.args


@needs_reference
def test_classify_classes_are_redis_py_classes():
    exported = {
        obj
        for obj in vars(redis.exceptions).values()
        if inspect.isclass(obj) and issubclass(obj, BaseException)
    }
    seen = {rs.classify(reply_bytes(c))[0] for c in CASES}
    assert seen <= exported, seen - exported
    assert len(seen) > 10


def test_classify_takes_bytes_only():
    with pytest.raises(TypeError):
        rs.classify("ERR x")


@needs_reference
def test_install_routes_through_rust():
    assert BaseParser.__dict__["parse_error"] is ORIGINAL
    assert not rs.installed()
    rs.install()
    assert rs.installed()
    assert BaseParser.__dict__["parse_error"] is not ORIGINAL
    for case in RETURNED:
        s = reply_str(case)
        before = rs.calls()
        got = BaseParser.parse_error(s)
        assert rs.calls() == before + 1, case["id"]
        assert snapshot(got) == snapshot(redis_py(s)[1]), case["id"]
    # The parsers call it on an instance's class, too.
    before = rs.calls()
    from redis._parsers import _RESP2Parser, _RESP3Parser

    for parser in (_RESP2Parser, _RESP3Parser):
        got = parser(socket_read_size=65536).parse_error("NOSCRIPT No matching script.")
        assert type(got) is redis.exceptions.NoScriptError
    assert rs.calls() == before + 2


@needs_reference
def test_classes_counts_what_install_returned():
    rs.install()
    before = rs.classes()
    expected = dict(before)
    for case in RETURNED:
        name = type(BaseParser.parse_error(reply_str(case))).__name__
        expected[name] = expected.get(name, 0) + 1
    assert rs.classes() == expected
    assert set(expected) - set(before) <= {
        n for n, o in vars(redis.exceptions).items() if inspect.isclass(o)
    }
    # classes() is a copy, not the live counter
    snap = rs.classes()
    snap["ResponseError"] = -1
    assert rs.classes() != snap


def test_own_table_is_read_live():
    # A parser class with a table of its own (as 5.x's cluster parsers
    # have): the installed parser reads cls.EXCEPTION_CLASSES, so Rust
    # answers from that table, with redis-py's answer.
    rs.install()
    before = rs.calls()

    class OwnTable(BaseParser):
        EXCEPTION_CLASSES = dict(BaseParser.EXCEPTION_CLASSES, NOAUTH=redis.exceptions.ResponseError)

    got = OwnTable.parse_error("NOAUTH x")
    assert snapshot(got) == snapshot(ORIGINAL.__func__(OwnTable, "NOAUTH x"))
    assert type(got) is redis.exceptions.ResponseError
    assert rs.calls() == before + 1


def test_not_text_keeps_redis_py():
    rs.install()
    before_calls, before_classes = rs.calls(), rs.classes()

    class Text(str):
        pass

    for reply in (Text("NOAUTH x"), b"NOAUTH x"):
        assert outcome_of(BaseParser.parse_error, reply) == outcome_of(lambda r: ORIGINAL.__func__(BaseParser, r), reply)
    assert rs.calls() == before_calls and rs.classes() == before_classes


def outcome_of(f, reply):
    try:
        e = f(reply)
    except Exception as x:  # noqa: BLE001 - whatever redis-py does
        return ("raised", type(x), str(x))
    return ("returned", snapshot(e))


def test_uninstall_restores_the_original_exactly():
    rs.install()
    rs.uninstall()
    assert not rs.installed()
    restored = BaseParser.__dict__["parse_error"]
    assert restored is ORIGINAL
    assert type(restored) is classmethod
    assert BaseParser.parse_error.__func__ is ORIGINAL.__func__
    before = rs.calls()
    BaseParser.parse_error("ERR x")
    assert rs.calls() == before


def test_install_and_uninstall_are_idempotent():
    rs.install()
    first = BaseParser.__dict__["parse_error"]
    rs.install()
    assert BaseParser.__dict__["parse_error"] is first and rs.installed()
    before = rs.calls()
    BaseParser.parse_error("ERR x")
    assert rs.calls() == before + (1 if rs.uses_rust() else 0)  # wrapped once, not twice
    rs.uninstall()
    rs.uninstall()
    assert BaseParser.__dict__["parse_error"] is ORIGINAL and not rs.installed()


def test_install_keeps_the_docstring():
    rs.install()
    assert BaseParser.parse_error.__doc__ == ORIGINAL.__func__.__doc__


@needs_reference
def test_reset_calls():
    rs.install()
    BaseParser.parse_error("ERR x")
    n = rs.calls()
    assert n >= 1
    assert rs.reset_calls() == n
    assert rs.calls() == 0
