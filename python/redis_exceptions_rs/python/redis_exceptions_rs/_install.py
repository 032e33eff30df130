"""install()/uninstall(): the parse_error that goes through Rust only where
the answer is provably the client's own (redis-py's or valkey-py's).

State lives here and on the installed object, not in the package's
``__init__``: ``importlib.reload(redis_exceptions_rs)`` re-runs that module
but leaves this one (and what is installed) alone.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import re
import sys
from typing import Any, Callable, Optional

from . import _native

# The clients: their top-level package, the number the native side knows
# them by, and the releases install() supports.
CLIENTS = {"redis": ("redis", 0, "redis-py 5.0 to 8.2"), "valkey": ("valkey", 1, "valkey-py 6.2")}

# Which parse_error body a release has is a fact of src/class/releases.txt
# (its `parse_error` column), read through the native module
# (_native._variant). Before answering in Rust, install() checks that the
# client's own BaseParser.parse_error behaves as that body: on probe
# replies derived from the release's reply table (_native._probe_replies:
# each code, each ERR message, an unknown status word, an unknown ERR
# message, a reply without a code) it must give what the Rust body gives
# (same class, args and vars(), in order). A changed comment or docstring
# changes nothing; a parse_error that behaves otherwise (patched, or a
# future release) is wrapped but never answered in Rust.

# What redis-py's parse_error and each __init__ in the chain of a class it
# builds read at call time, as derived from their code objects by
# `reads()` (tests/test_reads.py derives it on every supported release and
# fails on a read not named here), and how the installed parser stands to
# each: "checked" - compared on every call with what was proven, else
# redis-py's own code runs; "checked at install" - a check that would eat
# the speed-up per call (about 200 ns of a short reply's 700: corpus mean
# 2.1x -> 1.5x, bench/README.md), made at each install() instead: call
# install() again after such a change, and until an install() finds it
# undone redis-py's own code runs for what it touches; "read" - read live on every call; "passed" -
# the installed path passes every argument, so a default is never used;
# "immutable" - an attribute of a built-in type (str, dict, re.Pattern),
# which no program can change.
READS = {
    # Names a function loads (its module's globals, then its builtins):
    # each its module's globals hold is checked on every call by identity,
    # and the size of those globals (a builtin shadowed there); a name
    # rebound in the builtins module itself is checked at install.
    "name": "checked",
    # The function's code (an in-place __code__ swap), its closure cells
    # (super()'s __class__), and its __defaults__ / __kwdefaults__.
    "__code__": "checked",
    "cell": "checked at install",
    # Checked where the call leaves a defaulted parameter out (redis-py
    # before 7.2, Error::to_py); from 7.2 parse_error passes status_code=.
    "__defaults__": "checked",
    "__kwdefaults__": "checked",
    # Attributes, by name.
    "attr:EXCEPTION_CLASSES": "read",
    "attr:__init__": "checked",  # super().__init__: the chain of __init__s
    # ExceptionType's members (redis-py 7.2+): EnumType refuses to rebind
    # them; type.__setattr__ can, which is checked at install.
    "attr:SERVER": "checked at install",
    "attr:AUTH": "checked at install",
    "attr:NETWORK": "checked at install",
    "attr:split": "immutable",
    "attr:rsplit": "immutable",
    "attr:get": "immutable",
    "attr:fullmatch": "immutable",
}


def reads(func: Any) -> "list[str]":
    """What `func`'s code reads at call time, from its bytecode (nested
    code objects included): "name:N" for each global or builtin it loads,
    "attr:N" for each attribute it loads, "cell:N" for each closure
    variable; and "__code__", "__defaults__", "__kwdefaults__" (every
    function's). In first-read order, without repeats."""
    import dis

    out: "list[str]" = ["__code__", "__defaults__", "__kwdefaults__"]

    def walk(code: Any) -> None:
        # A free variable is read even where no instruction names it:
        # zero-argument super() reads the __class__ cell from the frame.
        out.extend(f"cell:{name}" for name in code.co_freevars)
        for ins in dis.get_instructions(code):
            if ins.opname == "LOAD_GLOBAL":
                out.append(f"name:{ins.argval}")
            elif ins.opname in ("LOAD_ATTR", "LOAD_METHOD", "LOAD_SUPER_ATTR"):
                out.append(f"attr:{ins.argval}")
            elif ins.opname in ("LOAD_DEREF", "LOAD_CLASSDEREF", "LOAD_CLOSURE"):
                out.append(f"cell:{ins.argval}")
        for const in code.co_consts:
            if inspect.iscode(const):
                walk(const)

    walk(func.__code__)
    return list(dict.fromkeys(out))


def _global_names(func: Any) -> "list[str]":
    """The names `func` loads from its globals or builtins (the native side
    checks each on every call)."""
    return [r[5:] for r in reads(func) if r.startswith("name:")]


def _redirect_refusal(resp: str) -> None:
    """What `AskError.__init__` (and `MovedError`'s, the same) does to read
    a redirect payload, in the same steps on every release (5.0 to 8.2,
    valkey-py 6.2): raises the ValueError it raises, or returns where it
    would read the payload. The installed parser calls it, for the client's
    own unpatched class, on a payload Rust does not read (issue 23, item
    10): the instance the class would make and throw away is never made."""
    slot_id, new_node = resp.split(" ")
    _host, port = new_node.rsplit(":", 1)
    int(slot_id)
    int(port)


class _State:
    """One install(): what it replaced, what it put in its place (`made`),
    whether that answers in Rust, and whether it is still in effect (kept
    in the native body too, which reads it on every call)."""

    __slots__ = ("replaced", "_active", "native", "made", "rust")

    def __init__(self, replaced: Any) -> None:
        self.replaced = replaced
        self._active = True
        self.native: Any = None
        self.made: Any = None
        self.rust = False

    @property
    def active(self) -> bool:
        return self._active

    @active.setter
    def active(self, value: bool) -> None:
        self._active = value
        if self.native is not None:
            self.native.active = value


def _client(client: str) -> "tuple[str, int, str]":
    try:
        return CLIENTS[client]
    except (KeyError, TypeError):
        raise ValueError(f"redis-exceptions-rs: client must be one of {sorted(CLIENTS)}, not {client!r}") from None


def _base_parser(client: str) -> Any:
    """The client's BaseParser; an ImportError naming the supported releases
    when the client is missing or not one of them."""
    package, _, supported = _client(client)
    try:
        top = importlib.import_module(package)
    except ImportError as e:
        raise ImportError(f"redis-exceptions-rs supports {supported}; found no {package} (pip install {package})") from e
    version = str(getattr(top, "__version__", "unknown"))
    m = re.match(r"(\d+)\.(\d+)", version)
    # redis-py: the package refused older releases at import; a newer one
    # is installed as a pass-through (the crate knows no variant for it).
    # valkey-py: the releases the crate covers.
    covered = [(r[0], r[1]) for r in _native._releases()[client]]
    ok = m is not None and (
        covered[0] <= (int(m.group(1)), int(m.group(2)))
        if client == "redis"
        else (int(m.group(1)), int(m.group(2))) in covered
    )
    if not ok:
        raise ImportError(f"redis-exceptions-rs supports {supported}; found {package} {version}")
    try:
        base = importlib.import_module(f"{package}._parsers.base")
    except ImportError as e:
        raise ImportError(f"redis-exceptions-rs supports {supported}; found {package} {version} without {package}._parsers") from e
    return base.BaseParser


def _is_own(func: Any, package: str) -> bool:
    """Whether `func` is the client's own function, not a wrapper that
    copied its name (`functools.wraps` copies `__module__`, `__qualname__`
    and `__wrapped__`, never `__globals__`)."""
    module = sys.modules.get(f"{package}._parsers.base")
    return (
        inspect.isfunction(func)
        and getattr(func, "__module__", None) == f"{package}._parsers.base"
        and getattr(func, "__qualname__", None) == "BaseParser.parse_error"
        and "__wrapped__" not in func.__dict__
        and module is not None
        and func.__globals__ is module.__dict__
    )


def _rust_usable(number: int) -> bool:
    """Whether the Rust side can build this client release's classes at all
    (a release it does not cover refuses)."""
    try:
        _native._load(number)
    except ImportError:
        return False
    return True


def _same(a: Any, b: Any) -> bool:
    """The same exception as far as parse_error's caller can tell: class,
    args and the attributes in the order they were set."""
    return type(a) is type(b) and a.args == b.args and list(vars(a).items()) == list(vars(b).items())


def _checked_variant(base_parser: Any, func: Any, number: int, version: str) -> Optional[int]:
    """The parse_error variant of the running release (releases.txt) if the
    client's own `func` answers the release's probe replies as the Rust
    body of that variant does; None if it does not (or the release is not
    covered). Run once per install(): a few dozen calls."""
    variant = _native._variant(number, version)
    if variant is None:
        return None
    probes = _native._probe_replies(number, version)
    answered = 0
    for reply in probes:
        ours = _native._probe(number, variant, base_parser, func, reply)
        if ours is None:
            continue  # the Rust body would call func itself for this reply
        try:
            theirs = func(base_parser, reply)
        except Exception:
            return None
        if not _same(theirs, ours):
            return None
        answered += 1
    # Every probe is one the Rust body answers on the client's own table; a
    # table patched so far that it answers few is left to the original.
    return variant if 2 * answered > len(probes) else None


# Every object install() put on a BaseParser and has not taken back, by
# id, with its state. Ownership is identity: an attribute would be copied
# onto a foreign wrapper (functools.wraps copies __dict__). The entry keeps
# the object alive, so its id is not reused while it is here.
_MADE: "dict[int, _State]" = {}


def state_of(obj: Any) -> Optional[_State]:
    """The _State of the very object install() made, else None."""
    state = _MADE.get(id(obj))
    return state if state is not None and state.made is obj else None


def _rust_parse_error(state: _State, orig: Callable[..., Any], variant: int, number: int) -> Any:
    """The classmethod body for the client's own parse_error `orig`: a
    native callable, `(cls, response)`, that answers in Rust only where the
    answer is provably `orig`'s, and else calls `orig(cls, response)`
    (always, once `state.active` is false). A partial of a native function
    rather than the native object itself: called with vectorcall, no
    argument tuple per reply."""
    token = _native.InstalledParseError(orig, variant, number)
    state.native = token
    return functools.partial(_native._parse_error_body, token)


def _introspect_as(obj: Any, func: Any) -> None:
    """Gives `obj` (the installed body) `func`'s name, module and docstring,
    and `func` as `__wrapped__` (for inspect.getsource): logging and
    tracing tools, and pickle (a bound method pickles as getattr(cls,
    __name__)), read them. Plain attributes: no frame per call."""
    for name in ("__module__", "__name__", "__qualname__", "__doc__"):
        try:
            setattr(obj, name, getattr(func, name))
        except (AttributeError, TypeError):
            pass
    try:
        obj.__wrapped__ = func
    except (AttributeError, TypeError):
        pass


def _passthrough(replaced: Any, state: _State) -> Any:
    """An object of the same kind as `replaced` that only calls it."""
    if isinstance(replaced, classmethod):
        inner = replaced.__func__

        def parse_error_cm(cls: Any, *args: Any, **kwargs: Any) -> Any:
            return inner(cls, *args, **kwargs)

        _introspect_as(parse_error_cm, inner)
        return classmethod(parse_error_cm)
    if isinstance(replaced, staticmethod) or not hasattr(replaced, "__get__"):
        target = replaced.__func__ if isinstance(replaced, staticmethod) else replaced

        def parse_error_sm(*args: Any, **kwargs: Any) -> Any:
            return target(*args, **kwargs)

        return staticmethod(parse_error_sm)

    # A plain function (or another descriptor): bound as it would be.
    def parse_error_fn(*args: Any, **kwargs: Any) -> Any:
        return replaced(*args, **kwargs)

    if inspect.isfunction(replaced):
        return parse_error_fn
    return None  # an unknown descriptor: leave it alone


# Every install() of this process, per client, for uninstall() of one
# stacked under another library's patch.
_ALL: "dict[str, list[_State]]" = {}


def install(client: str = "redis") -> None:
    package, number, _ = _client(client)
    base_parser = _base_parser(client)
    current = base_parser.__dict__.get("parse_error")
    if current is None:
        raise RuntimeError(f"redis-exceptions-rs: {package}'s BaseParser has no parse_error")
    state = state_of(current)
    if state is not None:
        state.active = True
        if state.native is not None:
            # What is too dear to check per call (READS_AT_INSTALL).
            state.native.recheck()
        return
    state = _State(current)
    new: Any = None
    func = getattr(current, "__func__", None)
    if isinstance(current, classmethod) and _is_own(func, package) and _rust_usable(number):
        version = str(importlib.import_module(package).__version__)
        variant = _checked_variant(base_parser, func, number, version)
        if variant is not None:
            body = _rust_parse_error(state, func, variant, number)
            state.native.recheck()
            _introspect_as(body, func)
            state.rust = True
            new = classmethod(body)
    if new is None:
        new = _passthrough(current, state)
        if new is None:  # a kind of object this cannot wrap exactly
            return
        try:
            getattr(new, "__func__", new).__doc__ = getattr(current, "__doc__", None)
        except (AttributeError, TypeError):
            pass
    state.made = new
    _MADE[id(new)] = state
    _ALL.setdefault(client, []).append(state)
    base_parser.parse_error = new


def _loaded_base_parser(client: str) -> Any:
    """The client's BaseParser if its parsers module is imported, else None
    (nothing of it can be installed then)."""
    package = _client(client)[0]
    module = sys.modules.get(f"{package}._parsers.base")
    return getattr(module, "BaseParser", None)


def uninstall(client: str = "redis") -> None:
    base_parser = _loaded_base_parser(client)
    states = _ALL.pop(client, [])
    if base_parser is not None:
        current = base_parser.__dict__.get("parse_error")
        state = state_of(current)
        if state is not None:
            state.active = False
            base_parser.parse_error = state.replaced
    # Also any install() that another library's patch has since wrapped:
    # it stays in that chain but only passes through.
    for s in states:
        s.active = False
        _MADE.pop(id(s.made), None)


def installed(client: str = "redis") -> bool:
    base_parser = _loaded_base_parser(client)
    if base_parser is None:
        return False
    state = state_of(base_parser.__dict__.get("parse_error"))
    return state is not None and state.active


def uses_rust(client: str = "redis") -> bool:
    """Whether the installed parser answers with Rust where it can."""
    if not installed(client):
        return False
    state = state_of(_loaded_base_parser(client).__dict__.get("parse_error"))
    return state is not None and state.rust
