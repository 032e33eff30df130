"""redis-py's error replies parsed in Rust (the redis-exceptions crate).

    install()         -> redis-py's parsers answer error replies with Rust
                         wherever that gives exactly redis-py's answer
    uninstall()       -> put back what install() replaced
    installed()       -> whether install() is in effect
    parse_error(str)  -> the redis-py exception instance (not raised)
    classify(bytes)   -> (cls, status_code, message bytes)
    calls()           -> how many replies the installed parser answered with Rust
    classes()         -> the same, by class name
    reset_calls()     -> set both back to zero; returns the old calls()

Supports redis-py 5.0 to 8.2. parse_error() and classify() answer as
redis-py 8.2.0 does; on an older release a class it lacks is its nearest
ancestor that it has.
"""

from __future__ import annotations

import re as _re

__version__ = "0.1.0"

SUPPORTED = "redis-py 5.0 to 8.2"


def _refuse(found: str) -> ImportError:
    return ImportError(f"redis-exceptions-rs supports {SUPPORTED}; found {found}")


def _check_redis() -> None:
    try:
        import redis
    except ImportError as e:
        raise _refuse("no redis (pip install 'redis>=5.0')") from e
    version = str(getattr(redis, "__version__", "unknown"))
    m = _re.match(r"(\d+)\.(\d+)", version)
    if m is None or (int(m.group(1)), int(m.group(2))) < (5, 0):
        raise _refuse(version)
    try:
        import redis._parsers.base  # noqa: F401
    except ImportError as e:
        raise _refuse(f"{version} without redis._parsers") from e


_check_redis()

from . import _install  # noqa: E402
from ._native import classify, parse_error  # noqa: E402

__all__ = [
    "__version__",
    "calls",
    "classes",
    "classify",
    "install",
    "installed",
    "parse_error",
    "reset_calls",
    "uninstall",
    "uses_rust",
]


def install() -> None:
    """Route redis-py's error replies through Rust, exactly.

    Replaces ``BaseParser.parse_error`` (every parser of redis-py calls it,
    cluster parsers with their own table included). Each reply is answered
    by Rust only when the parser class's live ``EXCEPTION_CLASSES`` names
    the very class Rust built for it and this release of redis-py builds it
    the same way; anything else (an edited table, a class of your own, a
    malformed redirect, a release Rust does not mirror, another library's
    ``parse_error``) gets exactly what was there before. Idempotent.
    """
    _install.install()


def uninstall() -> None:
    """Put back what ``install()`` replaced. Connections opened while
    installed (hiredis keeps a reference) answer as redis-py from now on.
    Idempotent."""
    _install.uninstall()


def installed() -> bool:
    """Whether ``install()`` is in effect."""
    return _install.installed()


def uses_rust() -> bool:
    """Whether the installed parser can answer with Rust on this redis-py
    (redis-py 7.2 and newer, whose parse_error builds ``cls(rest,
    status_code=code)`` as Rust does; older ones always get redis-py's)."""
    return _install.uses_rust()


def calls() -> int:
    """How many replies the installed parser answered with Rust."""
    return sum(_install.COUNTS.values())


def classes() -> dict[str, int]:
    """``calls()`` by class name (a copy)."""
    return dict(_install.COUNTS)


def reset_calls() -> int:
    """Set ``calls()`` and ``classes()`` back to zero; returns the old ``calls()``."""
    n = calls()
    _install.COUNTS.clear()
    return n
