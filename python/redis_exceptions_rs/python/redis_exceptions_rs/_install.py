"""install()/uninstall(): the parse_error that goes through Rust only where
the answer is provably redis-py's own.

State lives here and on the installed object, not in the package's
``__init__``: ``importlib.reload(redis_exceptions_rs)`` re-runs that module
but leaves this one (and what is installed) alone.
"""

from __future__ import annotations

import collections
import hashlib
import inspect
from typing import Any, Callable, Optional

from redis._parsers.base import BaseParser
from redis.exceptions import AskError, ResponseError

from . import _native

# Sources of redis-py's own BaseParser.parse_error (sha256 of
# inspect.getsource, first 16 hex digits, as tests/fixtures/releases/*/
# replies.json record them) whose table hits are `cls(rest,
# status_code=code)`, as the Rust side builds them.
# The value says whether the release keeps an unknown code's upper-case
# word as status_code, as the Rust side (redis-py 8.2) does:
#   66c735931d7e365a: 7.2 .. 8.1; an unknown code gives ResponseError(response)
#   f1424ee7638e318f: 8.2; an unknown code [A-Z][A-Z0-9_]{0,63} is the status_code
# 5.0 .. 7.1 (b465d52011ff2f49) call `cls(rest)`: never Rust.
_STATUS_CODE_SOURCES = {"66c735931d7e365a": False, "f1424ee7638e318f": True}

_MARK = "_redis_exceptions_rs_state"

# What the installed parser answered with Rust, by class name. Shared by
# every object install() made in this process (calls() is its sum).
COUNTS: "collections.Counter[str]" = collections.Counter()


class _State:
    """One install(): what it replaced, and whether it is still in effect."""

    __slots__ = ("replaced", "active")

    def __init__(self, replaced: Any) -> None:
        self.replaced = replaced
        self.active = True


def _source_sha(func: Any) -> Optional[str]:
    try:
        src = inspect.getsource(func)
    except (OSError, TypeError):
        return None
    return hashlib.sha256(src.encode("utf-8")).hexdigest()[:16]


def _is_redis_py_own(func: Any) -> bool:
    return (
        getattr(func, "__module__", None) == "redis._parsers.base"
        and getattr(func, "__qualname__", None) == "BaseParser.parse_error"
    )


def _rust_usable() -> bool:
    """Whether the Rust side can build this redis-py's classes at all (a
    release it does not cover refuses)."""
    try:
        _native.classify(b"ERR probe")
    except ImportError:
        return False
    return True


def state_of(obj: Any) -> Optional[_State]:
    """The _State of an object install() made, else None."""
    state = getattr(getattr(obj, "__func__", obj), _MARK, None)
    return state if isinstance(state, _State) else None


def _rust_parse_error(
    state: _State, orig: Callable[..., Any], keeps_status_words: bool
) -> Callable[..., Any]:
    """The classmethod body for redis-py's own parse_error `orig`."""
    native = _native.parse_error
    counts = COUNTS
    response_error = ResponseError
    redirect = AskError  # MovedError derives from it

    def parse_error(cls: Any, response: Any) -> Any:
        if not state.active or type(response) is not str:
            return orig(cls, response)
        table = cls.EXCEPTION_CLASSES
        if type(table) is not dict:
            return orig(cls, response)
        try:
            e = native(response)
        except Exception:  # lone surrogates (UnicodeEncodeError), anything odd
            return orig(cls, response)
        c = type(e)
        code = getattr(e, "status_code", None)
        word = response.partition(" ")[0]
        if code is None or (c is response_error and code == word and word not in table):
            # Rust found no code of its table (`code` is then the status
            # word redis-py 8.2 keeps, or None): redis-py's answer is the
            # same only if the live table has none either, and the release
            # keeps such a word as Rust does (or there is none).
            if c is not response_error or word in table or e.args != (response,):
                # (Rust's own table had the code when it kept less than the
                # whole reply: a table that lacks it answers otherwise.)
                return orig(cls, response)
            if code is not None and not keeps_status_words:
                return orig(cls, response)
        else:
            entry = table.get(code)
            if type(entry) is dict:
                entry = entry.get(response[len(code) + 1 :], response_error)
            if entry is not c:
                return orig(cls, response)
            if issubclass(c, redirect) and not hasattr(e, "node_addr"):
                # A redirect whose payload did not parse: redis-py raises
                # from the class's __init__; so does the original.
                return orig(cls, response)
        counts[c.__name__] += 1
        return e

    return parse_error


def _passthrough(replaced: Any, state: _State) -> Any:
    """An object of the same kind as `replaced` that only calls it."""
    if isinstance(replaced, classmethod):
        inner = replaced.__func__

        def parse_error_cm(cls: Any, *args: Any, **kwargs: Any) -> Any:
            return inner(cls, *args, **kwargs)

        setattr(parse_error_cm, _MARK, state)
        return classmethod(parse_error_cm)
    if isinstance(replaced, staticmethod) or not hasattr(replaced, "__get__"):
        target = replaced.__func__ if isinstance(replaced, staticmethod) else replaced

        def parse_error_sm(*args: Any, **kwargs: Any) -> Any:
            return target(*args, **kwargs)

        setattr(parse_error_sm, _MARK, state)
        return staticmethod(parse_error_sm)

    # A plain function (or another descriptor): bound as it would be.
    def parse_error_fn(*args: Any, **kwargs: Any) -> Any:
        return replaced(*args, **kwargs)

    if inspect.isfunction(replaced):
        setattr(parse_error_fn, _MARK, state)
        return parse_error_fn
    return None  # an unknown descriptor: leave it alone


# Every install() of this process, for uninstall() of one stacked under
# another library's patch.
_ALL: "list[_State]" = []


def install() -> None:
    current = BaseParser.__dict__.get("parse_error")
    if current is None:
        raise RuntimeError("redis-exceptions-rs: redis-py's BaseParser has no parse_error")
    state = state_of(current)
    if state is not None:
        state.active = True
        return
    state = _State(current)
    new: Any = None
    func = getattr(current, "__func__", None)
    if isinstance(current, classmethod) and _is_redis_py_own(func):
        sha = _source_sha(func)
        if sha in _STATUS_CODE_SOURCES and _rust_usable():
            body = _rust_parse_error(state, func, _STATUS_CODE_SOURCES[sha])
            body.__doc__ = func.__doc__
            setattr(body, _MARK, state)
            setattr(body, "_redis_exceptions_rs_rust", True)
            new = classmethod(body)
    if new is None:
        new = _passthrough(current, state)
        if new is None:  # a kind of object this cannot wrap exactly
            return
        try:
            getattr(new, "__func__", new).__doc__ = getattr(current, "__doc__", None)
        except (AttributeError, TypeError):
            pass
    _ALL.append(state)
    BaseParser.parse_error = new


def uninstall() -> None:
    current = BaseParser.__dict__.get("parse_error")
    state = state_of(current)
    if state is not None:
        state.active = False
        BaseParser.parse_error = state.replaced
    # Also any install() that another library's patch has since wrapped:
    # it stays in that chain but only passes through.
    for s in _ALL:
        s.active = False
    _ALL.clear()


def installed() -> bool:
    state = state_of(BaseParser.__dict__.get("parse_error"))
    return state is not None and state.active


def uses_rust() -> bool:
    """Whether the installed parser answers with Rust where it can."""
    current = BaseParser.__dict__.get("parse_error")
    return installed() and getattr(getattr(current, "__func__", None), "_redis_exceptions_rs_rust", False)
