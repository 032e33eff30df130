# The generator of the `pyo3_convert` fuzz target: a Python exception
# object built from the fuzz bytes, and the model of what `Error::from_py`
# reads from it. Loaded into the embedded interpreter by the target.
import builtins
import math
import redis.exceptions as rx

MISSING = object()
ATTRS = ("status_code", "error_type", "lock_name", "message", "slot_id",
         "host", "port", "node_addr", "args")
CLASSES = []  # filled by the target: the Python class of every Class::all()
FOREIGN = [KeyError, builtins.ConnectionError, OSError, ValueError,
           Exception, BaseException, RuntimeError, TimeoutError,
           KeyboardInterrupt, StopIteration]


class Reader:
    def __init__(self, data):
        self.data = data
        self.pos = 0

    def byte(self):
        if self.pos >= len(self.data):
            return 0
        b = self.data[self.pos]
        self.pos += 1
        return b

    def pick(self, seq):
        return seq[self.byte() % len(seq)]

    def chunk(self, n):
        n = min(n, len(self.data) - self.pos)
        out = self.data[self.pos:self.pos + n]
        self.pos += n
        return out


class StrRaises:
    def __str__(self):
        raise RuntimeError("__str__ raises")


class StrRaisesBase:
    def __str__(self):
        raise KeyboardInterrupt("__str__ raises KeyboardInterrupt")


class StrNotStr:
    def __str__(self):
        return 42


class StrSub(str):
    def __str__(self):
        return "overridden"


class IntSub(int):
    pass


class BytesSub(bytes):
    pass


class StrRecurses:
    def __str__(self):
        return str(self)


class Valued:
    """An `error_type` look-alike: `.value` of any type."""

    def __init__(self, value):
        self.value = value


class ValueRaises:
    @property
    def value(self):
        raise RuntimeError("value raises")


SURROGATES = ["\ud800", "\udfff", "\udbff\udc00", "\udc00\ud800"]
WORDS = ["MOVED", "ASK", "ERR", "WRONGTYPE", "NOSCRIPT", "BUSY", "LOADING",
         "READONLY", "CLUSTERDOWN", "TRYAGAIN", "NOPERM", "OOM", "EXECABORT"]


def text(r):
    raw = r.chunk(r.byte() % 24)
    kind = r.byte() % 8
    if kind == 0:
        return raw.decode("latin-1")
    if kind == 1:
        return raw.decode("utf-8", "replace")
    if kind == 2:
        return raw.decode("latin-1") + r.pick(SURROGATES)
    if kind == 3:
        return r.pick(WORDS) + " " + raw.decode("latin-1")
    if kind == 4:
        # A redirect: `<slot> <host>:<port>`, sometimes broken.
        return "%d %s:%d" % (r.byte() * 67 - 1000, raw.decode("latin-1"), r.byte() * 300)
    if kind == 5:
        return "\U0001f600" + raw.decode("latin-1") + "\x00"
    if kind == 6:
        return ""
    return raw.decode("utf-16-le", "surrogatepass") if len(raw) % 2 == 0 else raw.decode("latin-1")


def value(r, depth=0):
    kind = r.byte() % 24
    if kind < 5:
        return text(r)
    if kind == 5:
        return r.chunk(r.byte() % 16)
    if kind == 6:
        return r.byte() - 128
    if kind == 7:
        return r.pick([2**63 - 1, -2**63, 2**63, -2**63 - 1, 2**64, 0])
    if kind == 8:
        # Beyond Python's int -> str digit limit (4300) as well.
        return (-1) ** r.byte() * 7 ** (r.byte() * 40)
    if kind == 9:
        return r.pick([0.0, -0.0, 1.5, math.inf, -math.inf, math.nan, 1e308])
    if kind == 10:
        return None
    if kind == 11:
        return r.pick([True, False])
    if kind == 12 and depth < 3:
        return tuple(value(r, depth + 1) for _ in range(r.byte() % 4))
    if kind == 13 and depth < 3:
        return [value(r, depth + 1) for _ in range(r.byte() % 3)]
    if kind == 14:
        return r.pick([StrRaises(), StrRaisesBase(), StrNotStr(), StrRecurses()])
    if kind == 15:
        return StrSub(text(r))
    if kind == 16:
        return IntSub(r.byte())
    if kind == 17:
        return BytesSub(r.chunk(4))
    if kind == 18:
        return r.pick([rx.ResponseError("inner"), KeyError("k"), ValueError()])
    if kind == 19:
        return bytearray(r.chunk(4))
    if kind == 20:
        return r.pick([{}, {"a": 1}, set(), object(), Ellipsis, NotImplemented, 1j])
    if kind == 21:
        return r.pick(["x" * 5000, b"y" * 5000])
    if kind == 22:
        return "\ud800" * (r.byte() % 5)
    return r.byte()


def error_type_value(r):
    kind = r.byte() % 8
    members = list(getattr(rx, "ExceptionType", []))
    if kind < 3 and members:
        return r.pick(members)
    if kind == 3:
        return r.pick(["network", "server", "client", "", "\ud800"])
    if kind == 4:
        return r.byte()
    if kind == 5:
        return Valued(r.pick(["network", "server", "client", "bogus", 3, None, b"network"]))
    if kind == 6:
        return ValueRaises()
    return None


def make_class(r, base):
    """`base` or a Python subclass of it (maybe with a mixin, or a
    hostile attribute)."""
    kind = r.byte() % 10
    try:
        if kind < 4:
            return base
        if kind == 4:
            return type("Sub", (base,), {})
        if kind == 5:
            other = r.pick(CLASSES)
            return type("Multi", (base, other), {})
        if kind == 6:
            return type("Mixin", (ValueError, base), {})
        if kind == 7:
            # An `__init__` that takes nothing and calls no base.
            return type("NoInit", (base,), {"__init__": lambda self, *a, **k: None})
        if kind == 8:
            # A fixed value, read-only (`args` too: then it may be no tuple).
            v = r.pick([1, "s", None, ("t", 2), "\ud800"])
            return type("PropSub", (base,), {r.pick(ATTRS): property(lambda self, v=v: v)})
        return type("Deep", (type("Mid", (base,), {}),), {"extra": 1})
    except TypeError:
        # Bases that cannot be combined (layout or MRO conflict).
        return base


def build(data):
    """The exception for `data`, or None when none could be made."""
    r = Reader(data)
    base = r.pick(CLASSES + FOREIGN) if r.byte() % 8 else r.pick(FOREIGN)
    cls = make_class(r, base)
    args = tuple(value(r) for _ in range(r.byte() % 4))
    kwargs = {}
    if r.byte() % 4 == 0:
        for _ in range(r.byte() % 3):
            kwargs[r.pick(ATTRS[:-1])] = value(r)
    # BaseException: an argument's `__str__` may raise KeyboardInterrupt
    # inside `__init__` (HttpError formats its message).
    try:
        obj = cls(*args, **kwargs)
    except BaseException:
        try:
            obj = cls(*args)
        except BaseException:
            try:
                obj = BaseException.__new__(cls, *args)
            except BaseException:
                return None
    if not isinstance(obj, BaseException):
        return None
    for _ in range(r.byte() % 4):
        name = r.pick(ATTRS)
        how = r.byte() % 4
        try:
            if how == 0:
                delattr(obj, name)
            elif name == "error_type":
                setattr(obj, name, error_type_value(r))
            else:
                setattr(obj, name, value(r))
        except BaseException:
            pass
    if r.byte() % 8 == 0:
        try:
            obj.__cause__ = r.pick([KeyError("cause"), rx.ConnectionError("c"), None])
        except Exception:
            pass
    return obj


def model_text(x):
    """`str(x)` as from_py reads it: "" when it raises, each lone surrogate
    U+FFFD."""
    try:
        s = str(x)
    except BaseException:
        return ""
    return "".join("\ufffd" if 0xD800 <= ord(c) < 0xE000 else c for c in s)


def model_value(x):
    """What `value_from_py` makes of x: None, str, bytes or int."""
    if x is None:
        return None
    if type(x) is str:
        return model_text(x)
    if type(x) is bytes:
        return bytes(x)
    if type(x) is int and -2**63 <= x < 2**63:
        return x
    return model_text(x)


def model_args(obj):
    """The args from_py should read, or None when `obj.args` is no tuple."""
    try:
        a = obj.args
    except BaseException:
        return None
    if not isinstance(a, tuple):
        return None
    return [model_value(x) for x in a]


def attr(obj, name):
    try:
        return getattr(obj, name)
    except BaseException:
        return MISSING


def model_attr(obj, name):
    """The attribute as a value (None when missing or None)."""
    v = attr(obj, name)
    if v is MISSING:
        return None
    return model_value(v)


def model_error_type(obj):
    v = attr(obj, "error_type")
    if v is MISSING:
        return None
    v = attr(v, "value")
    if v is MISSING or not isinstance(v, str):
        return None
    return v


def describe(obj):
    try:
        return "%s.%s%r %r" % (type(obj).__module__, type(obj).__qualname__,
                               tuple(c.__name__ for c in type(obj).__mro__),
                               {k: repr(attr(obj, k))[:80] for k in ATTRS})
    except BaseException as e:
        return "<describe raised %r>" % (e,)
