"""redis-py's error replies parsed in Rust (the redis-exceptions crate).

    install()         -> redis-py's parsers answer error replies with Rust
                         wherever that gives exactly redis-py's answer
                         (install("valkey"): valkey-py's)
    uninstall()       -> put back what install() replaced
    installed()       -> whether install() is in effect
    uses_rust()       -> whether the installed parser answers with Rust
    parse_error(str)  -> the redis-py exception instance (not raised)
    classify(bytes)   -> (cls, status_code, message bytes)
    calls()           -> how many replies the installed parser answered with Rust
    classes()         -> the same, by class name
    reset_calls()     -> set both back to zero; returns the old calls()

Supports redis-py 5.0 to 8.2 and valkey-py 6.2. parse_error() and classify() answer as
the crate's reference redis-py release does (src/class/releases.txt; pinned as
``_native._releases()["reference"]``); on an older release a class it lacks is
its nearest ancestor that it has.
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

from . import _install, _native  # noqa: E402
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


def install(client: str = "redis") -> None:
    """Route the client's error replies through Rust, exactly.

    ``client`` is ``"redis"`` (redis-py 5.0 to 8.2) or ``"valkey"``
    (valkey-py 6.2). Replaces the client's ``BaseParser.parse_error``
    (every parser of the client calls it, cluster parsers with their own
    table included). Each reply is answered by Rust, which builds the
    client's own, unmodified class without running its Python
    ``__init__``, only when that is provably the instance the original
    gives: the parser class's live ``EXCEPTION_CLASSES`` is exactly a
    ``dict`` naming the client's own, unpatched class, and the release's
    ``parse_error`` is one whose source Rust mirrors; anything else (an
    edited table, a class of your own, a patched ``__init__``, a malformed
    redirect, another library's ``parse_error``) gets exactly what was there
    before. Idempotent. ``ImportError`` when the client is missing or not
    a supported release.
    """
    _install.install(client)


def uninstall(client: str = "redis") -> None:
    """Put back what ``install(client)`` replaced. Connections opened while
    installed (hiredis keeps a reference) answer as the client from now on.
    Idempotent."""
    _install.uninstall(client)


def installed(client: str = "redis") -> bool:
    """Whether ``install(client)`` is in effect."""
    return _install.installed(client)


def uses_rust(client: str = "redis") -> bool:
    """Whether the installed parser can answer with Rust on this release of
    the client (every supported release, unless its ``parse_error`` is not
    the release's own)."""
    return _install.uses_rust(client)


def calls() -> int:
    """How many replies the installed parsers answered with Rust."""
    return _native.calls()


def classes() -> dict[str, int]:
    """``calls()`` by class name (a copy)."""
    return _native.classes()


def reset_calls() -> int:
    """Set ``calls()`` and ``classes()`` back to zero; returns the old ``calls()``."""
    return _native.reset_calls()
