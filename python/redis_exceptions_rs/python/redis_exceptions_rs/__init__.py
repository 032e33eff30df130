"""redis-py 8.1.0's error replies parsed in Rust (the redis-exceptions crate).

    parse_error(str)  -> the redis-py exception instance (not raised)
    classify(bytes)   -> (cls, status_code, message bytes)
    install()         -> route redis-py's BaseParser.parse_error through Rust
    uninstall()       -> put redis-py's own back
    calls()           -> how many replies Rust has parsed
    classes()         -> how many of each class install() returned
"""

import collections

from redis._parsers.base import BaseParser

from ._native import calls, classify, parse_error, reset_calls

__all__ = [
    "calls",
    "classes",
    "classify",
    "install",
    "installed",
    "parse_error",
    "reset_calls",
    "uninstall",
]

# redis-py's own classmethod and the reply table it reads; Rust mirrors
# exactly that table, so a parser class that brings its own table keeps
# redis-py's implementation.
_ORIGINAL = BaseParser.__dict__["parse_error"]
_TABLE = BaseParser.EXCEPTION_CLASSES


_CLASSES = collections.Counter()


def _parse_error(cls, response):
    if type(response) is not str or cls.EXCEPTION_CLASSES is not _TABLE:
        return _ORIGINAL.__func__(cls, response)
    try:
        e = parse_error(response)
    except UnicodeEncodeError:
        # Lone surrogates (a `surrogateescape` decoder): not UTF-8 text.
        return _ORIGINAL.__func__(cls, response)
    _CLASSES[type(e).__name__] += 1
    return e


def classes():
    """How many instances of each class the installed parser returned."""
    return dict(_CLASSES)


_parse_error.__doc__ = _ORIGINAL.__func__.__doc__
_INSTALLED = classmethod(_parse_error)


def install():
    """Route redis-py's error replies through Rust.

    redis-py sends every error reply through the classmethod
    ``BaseParser.parse_error``: the RESP2 and RESP3 parsers and their async
    versions call it, and the hiredis parser hands it to ``hiredis.Reader``
    as ``replyError`` when a connection opens (so connections opened before
    ``install()`` keep redis-py's). Idempotent.
    """
    BaseParser.parse_error = _INSTALLED


def uninstall():
    """Put redis-py's own ``BaseParser.parse_error`` back. Idempotent."""
    BaseParser.parse_error = _ORIGINAL


def installed():
    """Whether ``install()`` is in effect."""
    return BaseParser.__dict__.get("parse_error") is _INSTALLED
