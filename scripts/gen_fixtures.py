#!/usr/bin/env python3
"""Regenerate the test fixtures of this crate from redis-py itself.

    python scripts/gen_fixtures.py [--out DIR]   # write tests/fixtures/*.json
    python scripts/gen_fixtures.py --check       # regenerate in a temp dir, diff

Needs a Python (CPython 3.11: builtin error messages are part of the data)
with ``redis==8.1.0`` installed, e.g. ``scripts/regen_check.sh`` sets one up.
No Redis server is needed.

Files written (UTF-8, ``json.dumps(indent=1, ensure_ascii=False)`` plus a
trailing newline, byte-identical on every run):

classes.json
    The 36 exception classes of ``redis.exceptions`` (definition order),
    preceded by the builtins in their MROs (root first): bases, MRO, the
    default ``error_type`` of an instance, the class-level ``message`` where a
    class body defines one, and ``subclass_of`` (the issubclass matrix).
instances.json
    What constructing each class with a fixed list of arguments gives: str,
    repr, args, vars and a getattr probe, or the exception the call raised.
public_corpus.json
    ``BaseParser.parse_error`` run on every input of
    ``scripts/corpus_inputs.json``.
live_replies.json
    The error replies captured from a real redis-server
    (``scripts/live_captured.json``), with ``redispy.parse_error`` recomputed
    here and checked against what was captured.
"""

from __future__ import annotations

import argparse
import base64
import difflib
import enum
import inspect
import json
import sys
import tempfile
import traceback
from pathlib import Path

PINNED_REDIS_PY = "8.1.0"
EXPECTED_PYTHON = (3, 11)

SCRIPTS_DIR = Path(__file__).resolve().parent
REPO_ROOT = SCRIPTS_DIR.parent
DEFAULT_OUT = REPO_ROOT / "tests" / "fixtures"
CORPUS_INPUTS = SCRIPTS_DIR / "corpus_inputs.json"
LIVE_CAPTURED = SCRIPTS_DIR / "live_captured.json"

FIXTURE_NAMES = (
    "classes.json",
    "instances.json",
    "public_corpus.json",
    "live_replies.json",
)

# Attributes read with getattr() on every constructed instance.
PROBED = (
    "message",
    "lock_name",
    "status_code",
    "error_type",
    "slot_id",
    "host",
    "port",
    "node_addr",
)

# How a class's "default" instance is built: the first call that works wins.
# AskError/MovedError only accept a "<slot> <host>:<port>" payload.
DEFAULT_CALLS = ((), ("some message",), ("0 127.0.0.1:6379",))

# Every class is built these four ways first: (args, kwargs).
GENERIC_CALLS = (
    ((), {}),
    (("some message",), {}),
    (("msg",), {"status_code": "ERR"}),
    (("first", "second"), {}),
)


def _c(cls, *args, why, **kwargs):
    return (cls, args, kwargs, why)


# Constructions modelled on redis-py's own call sites and on edge cases,
# after the generic ones.  (class, args, kwargs, why)
SPECIFIC_CALLS = (
    # builtins
    _c("BaseException", "some message", why="builtin"),
    _c("Exception", "some message", why="builtin"),
    _c("ValueError", "some message", why="builtin"),
    # RedisError and the connection family
    _c("RedisError", "Error while reading from socket", why="typical message"),
    _c("RedisError", "", status_code="", why="empty message and code"),
    _c("RedisError", None, why="None message"),
    _c("RedisError", b"bytes message", why="bytes message"),
    _c("ConnectionError", "Connection closed by server.",
       why="SERVER_CLOSED_CONNECTION_ERROR"),
    _c("ConnectionError",
       "Error 111 connecting to localhost:6379. Connection refused.",
       why="connection.py style"),
    _c("ConnectionError", "max number of clients reached", status_code="ERR",
       why="parse_error"),
    _c("TimeoutError", "Timeout reading from socket", why="_parsers/socket.py"),
    _c("TimeoutError", "Timeout connecting to server", why="connection.py"),
    _c("AuthenticationError", "invalid password", status_code="ERR",
       why="parse_error"),
    _c("AuthenticationError",
       "invalid username-password pair or user is disabled.",
       status_code="WRONGPASS", why="parse_error"),
    _c("AuthenticationError", "Authentication required.", status_code="NOAUTH",
       why="parse_error"),
    _c("AuthorizationError",
       "you are not authorized to view this ocsp certificate", why="ocsp.py"),
    _c("BusyLoadingError", "Redis is loading the dataset in memory",
       status_code="LOADING", why="parse_error"),
    _c("InvalidResponse", "Protocol Error: b'?'", why="_parsers/resp2.py"),
    # ResponseError family
    _c("ResponseError",
       "WRONGTYPE Operation against a key holding the wrong kind of value",
       why="parse_error fallback (no code)"),
    _c("ResponseError", "syntax error", status_code="ERR",
       why="parse_error ERR fallback"),
    _c("DataError",
       "Invalid input of type: 'NoneType'. Convert to a bytes, string, int "
       "or float first.",
       why="_parsers/encoders.py"),
    _c("PubSubError", "Channel: 'foo' has no handler registered",
       why="client.py"),
    _c("WatchError", "Watched variable changed.", why="client.py"),
    _c("NoScriptError", "No matching script. Please use EVAL.",
       status_code="NOSCRIPT", why="parse_error"),
    _c("OutOfMemoryError", "command not allowed when used memory > 'maxmemory'.",
       status_code="OOM", why="parse_error"),
    _c("ExecAbortError", "Transaction discarded because of previous errors.",
       status_code="EXECABORT", why="parse_error"),
    _c("ReadOnlyError", "You can't write against a read only replica.",
       status_code="READONLY", why="parse_error"),
    _c("NoPermissionError",
       "this user has no permissions to run the 'get' command",
       status_code="NOPERM", why="parse_error"),
    _c("ModuleError",
       "Error loading the extension. Please check the server logs.",
       status_code="ERR", why="parse_error"),
    _c("NoSuchFieldsetError", "no such fieldset", status_code="ERR",
       why="parse_error"),
    # locks
    _c("LockError", why="no args"),
    _c("LockError", "lock is not owned", "my-lock",
       why="positional message + lock_name"),
    _c("LockError", "Unable to acquire lock within the time specified",
       lock_name="my-lock", why="lock.py __enter__"),
    _c("LockError", "Cannot extend an unlocked lock", lock_name="my-lock",
       why="lock.py extend"),
    _c("LockError", "Unable to acquire lock within the time specified",
       why="asyncio/lock.py"),
    _c("LockError", message="kw message", lock_name="kw-lock",
       why="keyword form"),
    _c("LockError", None, "only-a-name", why="lock_name without message"),
    _c("LockError", "m", "n", "extra", why="too many positional args"),
    _c("LockNotOwnedError", "Cannot release a lock that's no longer owned",
       lock_name="my-lock", why="lock.py do_release"),
    _c("LockNotOwnedError", "Cannot extend a lock that's no longer owned",
       why="asyncio/lock.py"),
    _c("ChildDeadlockedError", "Child process deadlocked after fork()",
       why="connection pool"),
    _c("AuthenticationWrongNumberOfArgsError",
       "wrong number of arguments for 'auth' command", status_code="ERR",
       why="parse_error"),
    # cluster
    _c("RedisClusterException", "Cluster mode is not enabled on this node",
       why="cluster.py"),
    _c("RedisClusterException", "x", status_code="ERR",
       why="status_code kwarg not accepted"),
    _c("ClusterError", "TTL exhausted.", why="cluster.py"),
    _c("ClusterDownError", "The cluster is down", why="brief"),
    _c("ClusterDownError", "The cluster is down", status_code="CLUSTERDOWN",
       why="parse_error"),
    _c("ClusterDownError", "Hash slot not served", status_code="CLUSTERDOWN",
       why="parse_error"),
    _c("AskError", "3999 127.0.0.1:6381", why="brief"),
    _c("AskError", "3999 127.0.0.1:6381", status_code="ASK", why="parse_error"),
    _c("AskError", "3999 [::1]:6381", status_code="ASK", why="bracketed IPv6"),
    _c("AskError", "3999 ::1:6381", status_code="ASK", why="unbracketed IPv6"),
    _c("AskError", "3999", status_code="ASK", why="missing node"),
    _c("AskError", "x 127.0.0.1:6381", status_code="ASK",
       why="non-integer slot"),
    _c("AskError", None, why="None payload"),
    _c("TryAgainError", "x", why="brief"),
    _c("TryAgainError", "Multiple keys request during rehashing of slot",
       status_code="TRYAGAIN", why="parse_error"),
    _c("TryAgainError", "x", status_code="TRYAGAIN", unexpected=1,
       why="**kwargs are swallowed"),
    _c("ClusterCrossSlotError", why="brief"),
    _c("ClusterCrossSlotError", "Keys in request don't hash to the same slot",
       status_code="CROSSSLOT", why="parse_error"),
    _c("MovedError", "3999 127.0.0.1:6381", why="brief"),
    _c("MovedError", "3999 127.0.0.1:6381", status_code="MOVED",
       why="parse_error"),
    _c("MovedError", "3999 [::1]:6381", why="brief: bracketed IPv6"),
    _c("MovedError", "3999 ::1:6381", why="unbracketed IPv6"),
    _c("MovedError", "12182 redis-node-3.cluster.local:6379",
       status_code="MOVED", why="hostname"),
    _c("MovedError", "0 10.0.0.1:0", status_code="MOVED", why="slot 0 port 0"),
    _c("MovedError", "16383 10.0.0.1:65535", status_code="MOVED",
       why="slot 16383 port 65535"),
    _c("MovedError", "3999 :6381", status_code="MOVED", why="empty host"),
    _c("MovedError", "3999", status_code="MOVED", why="missing node"),
    _c("MovedError", "3999 127.0.0.1:6381 extra", status_code="MOVED",
       why="extra field"),
    _c("MovedError", "", status_code="MOVED", why="empty payload"),
    _c("MasterDownError",
       "Link with MASTER is down and replica-serve-stale-data is set to 'no'.",
       status_code="MASTERDOWN", why="parse_error"),
    _c("SlotNotCoveredError", 'Slot "3999" is not covered by the cluster.',
       why="cluster.py"),
    _c("MaxConnectionsError", why="asyncio/cluster.py"),
    _c("MaxConnectionsError", "Too many connections", why="connection.py"),
    _c("CrossSlotTransactionError",
       "All keys involved in a cluster transaction must map to the same slot",
       why="cluster.py"),
    _c("InvalidPipelineStack",
       "Unexpected response length for cluster pipeline EXEC.",
       why="cluster.py"),
    _c("ExternalAuthProviderError", "problem with LDAP service",
       status_code="ERR", why="parse_error"),
    _c("IncorrectPolicyType", "Incorrect request policy type: foo",
       why="_parsers/commands.py"),
)


# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------


def plain(value):
    """JSON-safe copy: tuples -> lists, enums -> value, bytes -> marker."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, bytes):
        return {"__bytes_repr__": repr(value)}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return {"__repr__": repr(value)}


def type_label(value):
    """Python type name; tuples spell their items: tuple[str, int]."""
    if isinstance(value, tuple):
        return "tuple[%s]" % ", ".join(type_label(v) for v in value)
    return type(value).__name__


def python_tag():
    return "%d.%d" % sys.version_info[:2]


def dump_json(data):
    return json.dumps(data, indent=1, ensure_ascii=False) + "\n"


def header(name, redis):
    return {
        "generator": "scripts/gen_fixtures.py",
        "fixture": name,
        "redis_py_version": redis.__version__,
        "python": python_tag(),
    }


def class_list(rex):
    """Builtins in the MROs (root first) + redis.exceptions classes in order."""
    own = []
    for name, obj in vars(rex).items():
        if (
            isinstance(obj, type)
            and issubclass(obj, BaseException)
            and obj.__module__ == rex.__name__
        ):
            if obj.__name__ != name:
                raise SystemExit("alias in redis.exceptions: %s = %s" % (name, obj.__name__))
            own.append(obj)
    outside = []
    for cls in own:
        for base in cls.__mro__:
            if base is object or base.__module__ == rex.__name__:
                continue
            if base not in outside:
                outside.append(base)
    outside.sort(key=lambda c: (len(c.__mro__), c.__name__))
    return outside + own, len(own)


# --------------------------------------------------------------------------
# classes.json
# --------------------------------------------------------------------------


def class_data_attrs(cls):
    """Non-dunder, non-callable data attributes defined in the class body."""
    found = {}
    for key, val in cls.__dict__.items():
        if key.startswith("__") or callable(val):
            continue
        if isinstance(val, (classmethod, staticmethod, property)):
            continue
        if inspect.isdatadescriptor(val) or inspect.ismethoddescriptor(val):
            continue
        found[key] = val
    return found


def default_instance(cls):
    for args in DEFAULT_CALLS:
        try:
            return cls(*args), list(args)
        except Exception:  # noqa: BLE001 - try the next form
            continue
    raise SystemExit("no default construction works for %s" % cls.__name__)


def build_classes(redis, rex):
    classes, n_own = class_list(rex)
    names = [c.__name__ for c in classes]
    if len(set(names)) != len(names):
        raise SystemExit("duplicate class names: %r" % names)

    entries = []
    true_pairs = 0
    for cls in classes:
        inst, used = default_instance(cls)
        entry = {
            "name": cls.__name__,
            "module": cls.__module__,
            "bases": [b.__name__ for b in cls.__bases__ if b is not object],
            "mro": [b.__name__ for b in cls.__mro__ if b is not object],
            "default_args": used,
            "error_type": plain(getattr(inst, "error_type", None)),
            "has_error_type": hasattr(inst, "error_type"),
        }
        if cls.__module__ == rex.__name__:
            attrs = class_data_attrs(cls)
            unexpected = sorted(set(attrs) - {"message"})
            if unexpected:
                raise SystemExit(
                    "%s defines class attributes %r: extend the fixture format"
                    % (cls.__name__, unexpected)
                )
            if "message" in attrs:
                entry["message"] = plain(attrs["message"])
        supers = sorted(b.__name__ for b in classes if issubclass(cls, b))
        true_pairs += len(supers)
        entry["subclass_of"] = supers
        entries.append(entry)

    data = header("classes", redis)
    data.update(
        {
            "class_count": {
                "redis_exceptions": n_own,
                "builtins_in_mros": len(classes) - n_own,
                "total": len(classes),
            },
            "class_order": names,
            "exception_type_enum": [
                {"name": m.name, "value": m.value} for m in rex.ExceptionType
            ],
            "true_pairs": true_pairs,
            "total_pairs": len(classes) ** 2,
            "classes": entries,
        }
    )
    return data


# --------------------------------------------------------------------------
# instances.json
# --------------------------------------------------------------------------


def construction_record(cls, args, kwargs):
    rec = {
        "class": cls.__name__,
        "args_given": plain(list(args)),
        "kwargs_given": plain(dict(kwargs)),
    }
    try:
        inst = cls(*args, **kwargs)
    except Exception as exc:  # noqa: BLE001 - the failure is the data
        rec["ok"] = False
        rec["raised"] = {"type": type(exc).__name__, "message": str(exc)}
        return rec
    own = vars(inst)
    probe = {}
    for attr in PROBED:
        if hasattr(inst, attr):
            val = getattr(inst, attr)
            probe[attr] = {
                "value": plain(val),
                "type": type_label(val),
                "in_vars": attr in own,
            }
    rec.update(
        ok=True,
        str=str(inst),
        repr=repr(inst),
        # the last line of a traceback: `{:#}` in Rust
        traceback=traceback.format_exception_only(type(inst), inst)[-1].rstrip("\n"),
        args=plain(inst.args),
        vars=plain(own),
        getattr=probe,
    )
    return rec


def build_instances(redis, rex):
    classes, _ = class_list(rex)
    by_name = {c.__name__: c for c in classes}
    unknown = sorted({name for name, *_ in SPECIFIC_CALLS} - set(by_name))
    if unknown:
        raise SystemExit("SPECIFIC_CALLS names unknown classes: %r" % unknown)

    plan = []
    for cls in classes:
        for args, kwargs in GENERIC_CALLS:
            plan.append(("generic", cls, args, kwargs, None))
    for name, args, kwargs, why in SPECIFIC_CALLS:
        plan.append(("specific", by_name[name], args, kwargs, why))

    records = []
    for n, (case, cls, args, kwargs, why) in enumerate(plan, 1):
        rec = {"id": "inst-%03d" % n, "case": case}
        rec.update(construction_record(cls, args, kwargs))
        if why is not None:
            rec["why"] = why
        records.append(rec)

    raised_types = {}
    for r in records:
        if not r["ok"]:
            t = r["raised"]["type"]
            raised_types[t] = raised_types.get(t, 0) + 1

    data = header("instances", redis)
    data.update(
        {
            "probe_attrs": list(PROBED),
            "counts": {
                "classes": len(classes),
                "records": len(records),
                "ok": sum(1 for r in records if r["ok"]),
                "raised": sum(1 for r in records if not r["ok"]),
                "raised_by_type": dict(sorted(raised_types.items())),
            },
            "instances": records,
        }
    )
    return data


# --------------------------------------------------------------------------
# public_corpus.json
# --------------------------------------------------------------------------


def check_corpus_coverage(base_parser, inputs):
    """Every code and every ERR sub-message of the parser table is exercised."""
    present = set(inputs)
    missing = []
    for code, target in base_parser.EXCEPTION_CLASSES.items():
        if isinstance(target, dict):
            missing += ["%s %s" % (code, sub) for sub in target
                        if "%s %s" % (code, sub) not in present]
        elif not any(s.split(" ")[0] == code for s in present):
            missing.append(code)
    if missing:
        raise SystemExit("corpus_inputs.json misses parser entries: %r" % missing)


def parse_record(base_parser, text):
    try:
        exc = base_parser.parse_error(text)
    except Exception as err:  # noqa: BLE001 - parse_error itself can raise
        return {
            "outcome": "raised",
            "class": None,
            "raised": {"type": type(err).__name__, "message": str(err)},
        }
    own = vars(exc)
    rec = {
        "outcome": "returned",
        "class": type(exc).__name__,
        "raised": None,
        "str": str(exc),
        "repr": repr(exc),
        "args": plain(exc.args),
        "status_code": getattr(exc, "status_code", None),
        "error_type": plain(getattr(exc, "error_type", None)),
    }
    if "message" in own:
        rec["message"] = plain(own["message"])
    if all(k in own for k in ("slot_id", "host", "port")):
        rec["redirect"] = {
            "slot_id": own["slot_id"],
            "host": own["host"],
            "port": own["port"],
            # Python ints are unbounded: decimal strings for the Rust side
            "slot_id_str": str(own["slot_id"]),
            "port_str": str(own["port"]),
        }
    else:
        rec["redirect"] = None
    rec["vars"] = plain(own)
    return rec


def build_corpus(redis, base_parser):
    source = json.loads(CORPUS_INPUTS.read_text(encoding="utf-8"))
    cases = source["cases"]
    inputs = [c["input"] for c in cases]
    seen = set()
    dups = sorted({s for s in inputs if s in seen or seen.add(s)})
    if dups:
        raise SystemExit("duplicate corpus inputs: %r" % dups)
    check_corpus_coverage(base_parser, inputs)

    records = []
    by_result = {}
    by_kind = {}
    for n, case in enumerate(cases, 1):
        text = case["input"]
        rec = {
            "id": "pub-%03d" % n,
            "kind": case["kind"],
            "input": text,
            "input_b64": base64.b64encode(text.encode("utf-8")).decode("ascii"),
        }
        rec.update(parse_record(base_parser, text))
        records.append(rec)
        key = rec["class"] if rec["outcome"] == "returned" else "raised:" + rec["raised"]["type"]
        by_result[key] = by_result.get(key, 0) + 1
        by_kind[case["kind"]] = by_kind.get(case["kind"], 0) + 1

    data = header("public_corpus", redis)
    data.update(
        {
            "function": "redis._parsers.base.BaseParser.parse_error",
            "counts": {
                "cases": len(records),
                "returned": sum(1 for r in records if r["outcome"] == "returned"),
                "raised": sum(1 for r in records if r["outcome"] == "raised"),
                "by_result": dict(sorted(by_result.items())),
                "by_kind": by_kind,
            },
            "cases": records,
        }
    )
    return data


# --------------------------------------------------------------------------
# live_replies.json
# --------------------------------------------------------------------------

LIVE_FIELDS = (
    "name",
    "category",
    "topology",
    "server",
    "node",
    "setup",
    "command",
    "request_b64",
    "raw_reply_b64",
    "raw_reply_escaped",
    "error_text",
    "error_code",
    "nested_errors",
    "redispy",
)
LIVE_OPTIONAL = {"node", "nested_errors"}


def escape_bytes(raw):
    """\\r \\n \\t \\\\ and \\xNN escapes, printable ASCII as is."""
    named = {0x5C: "\\\\", 0x0D: "\\r", 0x0A: "\\n", 0x09: "\\t"}
    out = []
    for b in raw:
        if b in named:
            out.append(named[b])
        elif 0x20 <= b < 0x7F:
            out.append(chr(b))
        else:
            out.append("\\x%02x" % b)
    return "".join(out)


def live_parse_record(base_parser, text):
    """redispy.parse_error in the capture's format."""
    if text is None:
        return None
    raised = False
    try:
        exc = base_parser.parse_error(text)
    except Exception as err:  # noqa: BLE001
        exc, raised = err, True
    rec = {
        "class": type(exc).__name__,
        "module": type(exc).__module__,
        "mro": [c.__name__ for c in type(exc).__mro__
                if c not in (object, BaseException, Exception)],
        "str": str(exc),
        "status_code": getattr(exc, "status_code", None),
    }
    for attr in ("slot_id", "host", "port"):
        if hasattr(exc, attr):
            rec[attr] = getattr(exc, attr)
    if raised:
        rec["raised"] = True
        rec["note"] = "BaseParser.parse_error raised instead of returning an exception"
    return rec


def build_live(redis, base_parser):
    cap = json.loads(LIVE_CAPTURED.read_text(encoding="utf-8"))
    if cap["redis_py_version"] != redis.__version__:
        raise SystemExit(
            "live_captured.json was made with redis-py %s, this is %s"
            % (cap["redis_py_version"], redis.__version__)
        )
    problems = []
    scenarios = []
    for sc in cap["scenarios"]:
        name = sc["name"]
        raw = base64.b64decode(sc["raw_reply_b64"])
        if escape_bytes(raw) != sc["raw_reply_escaped"]:
            problems.append("%s: raw_reply_escaped does not match raw_reply_b64" % name)
        if raw.startswith(b"-") and raw.endswith(b"\r\n"):
            text = raw[1:-2].decode("utf-8", errors="replace")
        else:
            text = None
        if text != sc["error_text"]:
            problems.append("%s: error_text %r, raw reply gives %r" % (name, sc["error_text"], text))
        code = text.split(" ")[0] if text else None
        if code != sc["error_code"]:
            problems.append("%s: error_code %r, expected %r" % (name, sc["error_code"], code))

        captured = sc["redispy"]
        again = live_parse_record(base_parser, sc["error_text"])
        if again != captured["parse_error"]:
            problems.append(
                "%s: parse_error now gives %s, captured %s"
                % (name, json.dumps(again), json.dumps(captured["parse_error"]))
            )
        for nested in sc.get("nested_errors", []):
            if ("-%s\r\n" % nested["error_text"]).encode("utf-8") not in raw:
                problems.append("%s: nested error %d not in the raw reply" % (name, nested["index"]))
            again = live_parse_record(base_parser, nested["error_text"])
            if again != nested["parse_error"]:
                problems.append(
                    "%s: nested %d: parse_error now gives %s, captured %s"
                    % (name, nested["index"], json.dumps(again), json.dumps(nested["parse_error"]))
                )

        out = {}
        for field in LIVE_FIELDS:
            if field in sc:
                out[field] = sc[field]
            elif field not in LIVE_OPTIONAL:
                problems.append("%s: field %s missing from the capture" % (name, field))
        scenarios.append(out)

    if problems:
        raise SystemExit(
            "live_captured.json disagrees with redis-py %s:\n  %s"
            % (redis.__version__, "\n  ".join(problems))
        )

    data = header("live_replies", redis)
    data.update(
        {
            "server_version": cap["server_version"],
            "captured_with_redis_py": cap["redis_py_version"],
            "function": "redis._parsers.base.BaseParser.parse_error",
            "counts": {
                "scenarios": len(scenarios),
                "error_replies": sum(1 for s in scenarios if s["error_text"] is not None),
                "skipped": len(cap["skipped"]),
            },
            "skipped": cap["skipped"],
            "scenarios": scenarios,
        }
    )
    return data


# --------------------------------------------------------------------------
# driver
# --------------------------------------------------------------------------


def import_redis():
    try:
        import redis
        import redis.exceptions as rex
        from redis._parsers.base import BaseParser
    except ImportError as err:
        raise SystemExit(
            "cannot import redis-py (%s): run with a Python that has "
            "redis==%s installed (see scripts/regen_check.sh)" % (err, PINNED_REDIS_PY)
        )
    if redis.__version__ != PINNED_REDIS_PY:
        raise SystemExit(
            "redis-py %s is installed; the fixtures are for redis==%s"
            % (redis.__version__, PINNED_REDIS_PY)
        )
    if sys.version_info[:2] != EXPECTED_PYTHON:
        print(
            "warning: running on Python %s; the fixtures hold CPython %d.%d's "
            "builtin error messages and may come out different"
            % (python_tag(), *EXPECTED_PYTHON),
            file=sys.stderr,
        )
    return redis, rex, BaseParser


def generate(out_dir):
    redis, rex, base_parser = import_redis()
    built = {
        "classes.json": build_classes(redis, rex),
        "instances.json": build_instances(redis, rex),
        "public_corpus.json": build_corpus(redis, base_parser),
        "live_replies.json": build_live(redis, base_parser),
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    for name in FIXTURE_NAMES:
        (out_dir / name).write_bytes(dump_json(built[name]).encode("utf-8"))
    return built


def check(committed_dir):
    bad = []
    with tempfile.TemporaryDirectory(prefix="redis-exc-fixtures-") as tmp:
        fresh_dir = Path(tmp)
        generate(fresh_dir)
        for name in FIXTURE_NAMES:
            fresh = (fresh_dir / name).read_bytes()
            path = committed_dir / name
            if not path.exists():
                bad.append(name)
                print("MISSING %s" % path, file=sys.stderr)
                continue
            old = path.read_bytes()
            if old == fresh:
                print("ok      %s" % name, flush=True)
                continue
            bad.append(name)
            print("DIFFERS %s" % name, file=sys.stderr)
            diff = list(
                difflib.unified_diff(
                    old.decode("utf-8", errors="replace").splitlines(),
                    fresh.decode("utf-8", errors="replace").splitlines(),
                    "committed/" + name,
                    "regenerated/" + name,
                    lineterm="",
                )
            )
            for line in diff[:60]:
                print("    " + line, file=sys.stderr)
            if len(diff) > 60:
                print("    ... (%d more diff lines)" % (len(diff) - 60), file=sys.stderr)
    if bad:
        print(
            "fixtures out of date (%s): regenerate with "
            "`python scripts/gen_fixtures.py` (redis==%s, CPython %d.%d)"
            % (", ".join(bad), PINNED_REDIS_PY, *EXPECTED_PYTHON),
            file=sys.stderr,
        )
        return 1
    print("fixtures up to date: %d files match redis-py %s" % (len(FIXTURE_NAMES), PINNED_REDIS_PY))
    return 0


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT,
                    help="fixture folder (default: tests/fixtures)")
    ap.add_argument("--check", action="store_true",
                    help="regenerate in a temp dir and compare with --out; exit 1 on difference")
    opts = ap.parse_args(argv)
    if opts.check:
        return check(opts.out)
    built = generate(opts.out)
    for name in FIXTURE_NAMES:
        data = built[name]
        n = len(data.get("classes") or data.get("instances") or data.get("cases") or data.get("scenarios"))
        print("wrote %s (%d records)" % (opts.out / name, n))
    return 0


if __name__ == "__main__":
    sys.exit(main())
