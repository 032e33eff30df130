#!/usr/bin/env python3
"""redis-py exceptions <-> JSON-friendly dicts (the form of the crate's `serde` feature).

    to_json(exc) -> dict
    from_json(d) -> BaseException

Form (see python/README-json.md)::

    {"class": "MovedError", "module": "redis.exceptions",
     "args": ["3999 127.0.0.1:6381"],
     "status_code": "MOVED",        # omitted when the instance has no status_code
     "error_type": "server",        # omitted when the instance has no error_type
     "message": ..., "lock_name": ..., "slot_id": ..., "host": ..., "port": ...}
                                    # each only when it is an instance attribute

Argument and attribute values are str, null, int, or bytes as
{"bytes_b64": "<base64>"}.

Command line:

    python python/redis_exceptions_json.py dump-all [--edge-cases]
        JSON list with one representative instance of each of the 41 classes
        (--edge-cases appends a few unusual ones: bytes/None/int args, ...).
    python python/redis_exceptions_json.py cases tests/serde_cases.json
        The edge cases the Rust side is tested on too (duplicate keys, -0,
        integers beyond 64 bits): exits 1 unless each gives what it says.
    python python/redis_exceptions_json.py check FILE [--expect ORIGINAL]
        FILE: a JSON list of such dicts (written by the Rust side). Each is
        rebuilt with from_json, serialized again with to_json and compared with
        itself and with the same position of ORIGINAL (default: what dump-all
        prints now). Exits 1 on any mismatch.

Only the standard library and redis-py are needed.
"""

from __future__ import annotations

import argparse
import base64
import builtins
import enum
import json
import sys

import redis.exceptions as rex

# Instance attributes carried over when present (in vars(exc)).
SPECIAL_ATTRS = ("message", "lock_name", "slot_id", "host", "port")

MODULES = {"redis.exceptions": rex, "builtins": builtins}


# --------------------------------------------------------------------------
# values
# --------------------------------------------------------------------------


def encode_value(value):
    """A Python argument/attribute value as JSON: str, null, int or bytes_b64."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        raise TypeError("bool values are not part of the form: %r" % (value,))
    if isinstance(value, int):
        return value
    if isinstance(value, (bytes, bytearray)):
        return {"bytes_b64": base64.b64encode(bytes(value)).decode("ascii")}
    raise TypeError("cannot encode %s value %r" % (type(value).__name__, value))


# The form's integers are 64-bit (the Rust side holds an i64).
INT_MIN, INT_MAX = -2**63, 2**63 - 1
# Floats below 2**53 in magnitude are exact integers; beyond, a float may have
# lost digits (the Rust side gets -9223372036854775809 as -2**63).
FLOAT_EXACT = 2**53
TOO_BIG = ("integer out of range (a 64-bit int; written with a fraction or an exponent, below 2**53 in magnitude)")


def decode_value(value):
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        raise ValueError("bool values are not part of the form: %r" % (value,))
    if isinstance(value, int):
        if not INT_MIN <= value <= INT_MAX:
            raise ValueError(TOO_BIG)
        return value
    # A JSON number is a number, however it is spelled: an integral value
    # (1.0, 1e3) is that int, as the Rust side reads it (serde_json hands it
    # `-0` and integers beyond 64 bits as floats).
    if isinstance(value, float) and value.is_integer():
        if not abs(value) < FLOAT_EXACT:
            raise ValueError(TOO_BIG)
        return int(value)
    if isinstance(value, dict) and set(value) == {"bytes_b64"}:
        return base64.b64decode(value["bytes_b64"], validate=True)
    raise ValueError("not a valid argument value: %r" % (value,))


def _no_duplicates(pairs):
    """object_pairs_hook: an object that names a key twice is refused (as
    the Rust side does), not read as its last value."""
    out = {}
    for key, value in pairs:
        if key in out:
            raise ValueError("duplicate field `%s`" % (key,))
        out[key] = value
    return out


def loads(text: str):
    """json.loads with the form's rule for duplicate keys."""
    return json.loads(text, object_pairs_hook=_no_duplicates)


# --------------------------------------------------------------------------
# exceptions
# --------------------------------------------------------------------------


def to_json(exc: BaseException) -> dict:
    """The JSON-friendly dict of a redis.exceptions (or builtin) exception."""
    cls = type(exc)
    if cls.__module__ not in MODULES:
        raise TypeError("%s.%s is not a redis.exceptions or builtin class"
                        % (cls.__module__, cls.__qualname__))
    out = {
        "class": cls.__name__,
        "module": cls.__module__,
        "args": [encode_value(a) for a in exc.args],
    }
    if hasattr(exc, "status_code"):
        out["status_code"] = encode_value(exc.status_code)
    if hasattr(exc, "error_type"):
        et = exc.error_type
        out["error_type"] = et.value if isinstance(et, enum.Enum) else encode_value(et)
    own = vars(exc)
    for attr in SPECIAL_ATTRS:
        if attr in own:
            out[attr] = encode_value(own[attr])
    return out


def lookup_class(name: str, module: str = "redis.exceptions") -> type:
    mod = MODULES.get(module)
    if mod is None:
        raise ValueError("unknown module %r" % (module,))
    cls = getattr(mod, name, None)
    if not (isinstance(cls, type) and issubclass(cls, BaseException)):
        raise ValueError("%s.%s is not an exception class" % (module, name))
    if cls.__module__ != module:
        raise ValueError("%s is defined in %s, not %s" % (name, cls.__module__, module))
    return cls


def from_json(d: dict) -> BaseException:
    """Rebuild the exception by calling its class the way Python code would.

    - LockError, LockNotOwnedError: cls(message, lock_name=...) with
      message = args[0] (None when args is empty).
    - ClusterDownError, MasterDownError, AskError, MovedError:
      cls(resp, status_code=...) with resp = the single argument.
    - other RedisError subclasses: cls(*args, status_code=...).
    - classes without status_code (builtins, ChildDeadlockedError,
      RedisClusterException and its subclasses, IncorrectPolicyType): cls(*args).

    Nothing is patched afterwards, so to_json(from_json(d)) == d only when d
    is a state the constructor really produces.
    """
    cls = lookup_class(d["class"], d.get("module", "redis.exceptions"))
    args = [decode_value(a) for a in d.get("args", [])]
    status_code = decode_value(d.get("status_code"))

    if issubclass(cls, rex.LockError):
        if len(args) > 1:
            raise ValueError("%s takes one message argument, got %r" % (cls.__name__, args))
        message = args[0] if args else None
        return cls(message, lock_name=decode_value(d.get("lock_name")))
    if issubclass(cls, (rex.ClusterDownError, rex.AskError)):
        if len(args) != 1:
            raise ValueError("%s takes exactly one argument, got %r" % (cls.__name__, args))
        return cls(args[0], status_code=status_code)
    if issubclass(cls, rex.RedisError):
        return cls(*args, status_code=status_code)
    return cls(*args)


# --------------------------------------------------------------------------
# representative instances
# --------------------------------------------------------------------------


def class_order():
    """Builtins in the MROs (root first), then redis.exceptions in definition order."""
    own = [
        obj for obj in vars(rex).values()
        if isinstance(obj, type) and issubclass(obj, BaseException)
        and obj.__module__ == rex.__name__
    ]
    outside = []
    for cls in own:
        for base in cls.__mro__:
            if base is not object and base.__module__ != rex.__name__ and base not in outside:
                outside.append(base)
    outside.sort(key=lambda c: (len(c.__mro__), c.__name__))
    return [c.__name__ for c in outside + own]


def representatives():
    """One realistic instance per class, keyed by class name."""
    E = rex
    items = [
        BaseException("some message"),
        Exception("some message"),
        ValueError("invalid literal for int() with base 10: 'x'"),
        E.RedisError("Error while reading from socket"),
        E.ConnectionError("Connection closed by server."),
        E.TimeoutError("Timeout reading from socket"),
        E.AuthenticationError("invalid username-password pair or user is disabled.",
                              status_code="WRONGPASS"),
        E.AuthorizationError("you are not authorized to view this ocsp certificate"),
        E.BusyLoadingError("Redis is loading the dataset in memory", status_code="LOADING"),
        E.InvalidResponse("Protocol Error: b'?'"),
        E.ResponseError("WRONGTYPE Operation against a key holding the wrong kind of value"),
        E.DataError("Invalid input of type: 'NoneType'. "
                    "Convert to a bytes, string, int or float first."),
        E.PubSubError("Channel: 'foo' has no handler registered"),
        E.WatchError("Watched variable changed."),
        E.NoScriptError("No matching script. Please use EVAL.", status_code="NOSCRIPT"),
        E.OutOfMemoryError("command not allowed when used memory > 'maxmemory'.",
                           status_code="OOM"),
        E.ExecAbortError("Transaction discarded because of previous errors.",
                         status_code="EXECABORT"),
        E.ReadOnlyError("You can't write against a read only replica.", status_code="READONLY"),
        E.NoPermissionError("this user has no permissions to run the 'get' command",
                            status_code="NOPERM"),
        E.ModuleError("Error loading the extension. Please check the server logs.",
                      status_code="ERR"),
        E.NoSuchFieldsetError("no such fieldset", status_code="ERR"),
        E.LockError("Cannot release an unlocked lock", lock_name="l"),
        E.LockNotOwnedError("Cannot release a lock that's no longer owned", lock_name="my-lock"),
        E.ChildDeadlockedError("Child process deadlocked after fork()"),
        E.AuthenticationWrongNumberOfArgsError("wrong number of arguments for 'auth' command",
                                               status_code="ERR"),
        E.RedisClusterException("Cluster mode is not enabled on this node"),
        E.ClusterError("TTL exhausted."),
        E.ClusterDownError("The cluster is down", status_code="CLUSTERDOWN"),
        E.AskError("3999 127.0.0.1:6381", status_code="ASK"),
        E.TryAgainError("Multiple keys request during rehashing of slot", status_code="TRYAGAIN"),
        E.ClusterCrossSlotError("Keys in request don't hash to the same slot",
                                status_code="CROSSSLOT"),
        E.MovedError("3999 127.0.0.1:6381", status_code="MOVED"),
        E.MasterDownError("Link with MASTER is down and replica-serve-stale-data is set to 'no'.",
                          status_code="MASTERDOWN"),
        E.SlotNotCoveredError('Slot "3999" is not covered by the cluster.'),
        E.RedisClusterUnreachableError("Redis Cluster cannot be connected."),
        E.MaxConnectionsError("Too many connections"),
        E.MaxClientsReachedError("max number of clients reached", status_code="ERR"),
        E.CrossSlotTransactionError(
            "All keys involved in a cluster transaction must map to the same slot"),
        E.InvalidPipelineStack("Unexpected response length for cluster pipeline EXEC."),
        E.ExternalAuthProviderError("problem with LDAP service", status_code="ERR"),
        E.IncorrectPolicyType("Incorrect request policy type: foo"),
    ]
    by_name = {type(e).__name__: e for e in items}
    order = class_order()
    if len(by_name) != len(items) or set(by_name) != set(order):
        raise AssertionError("representatives do not cover the classes exactly: %r"
                             % sorted(set(order) ^ set(by_name)))
    return [by_name[n] for n in order]


def edge_cases():
    E = rex
    return [
        BaseException(),
        E.RedisError(None),
        E.RedisError(b"bytes message \xff"),
        E.RedisError("", status_code=""),
        E.ConnectionError(111, "Connection refused"),
        E.ResponseError(),
        E.NoScriptError("caf\u00e9 \u2713 \U0001f680", status_code="NOSCRIPT"),
        E.LockError(),
        E.LockError(None, "only-a-name"),
        E.ClusterDownError("The cluster is down"),
        E.MovedError("0 10.0.0.1:0", status_code="MOVED"),
        E.MovedError("16383 redis-node-3.cluster.local:65535", status_code="MOVED"),
        E.AskError("3999 [::1]:6381", status_code="ASK"),
        E.TryAgainError("a", "b"),
        E.RedisClusterException("first", "second"),
    ]


def dump_all(with_edge_cases=False):
    items = representatives() + (edge_cases() if with_edge_cases else [])
    out = [to_json(e) for e in items]
    for d in out:  # the Python side must round-trip its own output
        again = to_json(from_json(d))
        if again != d:
            raise AssertionError("python round trip failed: %r -> %r" % (d, again))
    return out


# --------------------------------------------------------------------------
# command line
# --------------------------------------------------------------------------


def _show(d):
    return json.dumps(d, ensure_ascii=False, sort_keys=True)


def check(got, expected):
    """Returns (passed, failures) for a list from the Rust side."""
    failures = []
    passed = 0
    if not isinstance(got, list):
        return 0, ["input is not a JSON list"]
    if len(got) != len(expected):
        failures.append("got %d items, expected %d" % (len(got), len(expected)))
    for i, item in enumerate(got):
        label = "#%d %s" % (i, item.get("class") if isinstance(item, dict) else "?")
        problems = []
        try:
            again = to_json(from_json(item))
        except Exception as exc:  # noqa: BLE001 - report and go on
            problems.append("from_json/to_json raised %s: %s" % (type(exc).__name__, exc))
        else:
            if again != item:
                problems.append("rebuilt %s\n      input %s" % (_show(again), _show(item)))
        if i < len(expected) and item != expected[i]:
            problems.append("differs from the original\n      got      %s\n      original %s"
                            % (_show(item), _show(expected[i])))
        if problems:
            failures.append("%s: %s" % (label, "; ".join(problems)))
        else:
            passed += 1
    return passed, failures


def run_cases(path):
    """Each case's JSON text through loads + from_json: accepted (and its
    args as given), or refused with an error containing the given text."""
    with open(path, encoding="utf-8") as f:
        cases = json.load(f)["cases"]
    failures = 0
    for case in cases:
        try:
            exc = from_json(loads(case["json"]))
            got = {"accepted": True, "args": to_json(exc)["args"]}
        except (ValueError, TypeError) as e:
            got = {"accepted": False, "error": "%s: %s" % (type(e).__name__, e)}
        want = case["expect"]
        ok = got["accepted"] == want["accepted"] and (
            got.get("args") == want["args"] if want["accepted"]
            else want["error"] in got["error"])
        if not ok:
            failures += 1
            print("FAIL %s: %s, expected %s" % (case["json"][:80], got, want), file=sys.stderr)
    print("json cases: %d passed, %d failed" % (len(cases) - failures, failures))
    return 1 if failures else 0


def main(argv=None):
    ap = argparse.ArgumentParser(description="redis-py exceptions <-> JSON")
    sub = ap.add_subparsers(dest="cmd", required=True)
    p_dump = sub.add_parser("dump-all", help="print one instance of every class as a JSON list")
    p_dump.add_argument("--edge-cases", action="store_true",
                        help="append unusual instances (bytes/None/int args, ...)")
    p_check = sub.add_parser("check", help="round-trip a JSON list made by the Rust side")
    p_check.add_argument("file")
    p_check.add_argument("--expect", help="the list originally given to the Rust side "
                         "(default: dump-all without edge cases)")
    p_cases = sub.add_parser("cases", help="run the cases both sides must agree on "
                             "(tests/serde_cases.json)")
    p_cases.add_argument("file")
    opts = ap.parse_args(argv)

    if opts.cmd == "dump-all":
        json.dump(dump_all(opts.edge_cases), sys.stdout, indent=1, ensure_ascii=False)
        sys.stdout.write("\n")
        return 0

    if opts.cmd == "cases":
        return run_cases(opts.file)

    with open(opts.file, encoding="utf-8") as f:
        got = loads(f.read())
    if opts.expect:
        with open(opts.expect, encoding="utf-8") as f:
            expected = loads(f.read())
    else:
        expected = json.loads(json.dumps(dump_all()))
    passed, failures = check(got, expected)
    for line in failures:
        print("FAIL " + line, file=sys.stderr)
    print("roundtrip: %d passed, %d failed" % (passed, len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
