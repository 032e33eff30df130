"""What the tests compare against: the client's own parse_error, and the
replies to feed it (shared by test_install.py, test_fast.py and
test_valkey.py; pytest puts this folder on sys.path)."""

import base64
import importlib
import json
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[3]
CASES = json.loads((ROOT / "tests" / "fixtures" / "public_corpus.json").read_text("utf-8"))["cases"]
# The public corpus as str replies, decoded as the clients decode them.
CORPUS = [base64.b64decode(c["input_b64"]).decode("utf-8", "replace") for c in CASES]


def parsers(package, base_parser):
    """Every parser class with a reply table: the BaseParser, and the cluster
    parsers of `package` that have one (their own EXCEPTION_CLASSES, the
    BaseParser's parse_error)."""
    found = [base_parser]
    for mod in (f"{package}.cluster", f"{package}.asyncio.cluster"):
        cls = getattr(importlib.import_module(mod), "ClusterParser", None)
        if cls is not None:
            found.append(cls)
    return found


def release_replies(client, version):
    """The inputs of tests/fixtures/releases/<client>-<version>/replies.json
    (every release the crate knows has one), else none."""
    path = ROOT / "tests" / "fixtures" / "releases" / f"{client}-{version}" / "replies.json"
    if not path.exists():
        return []
    return [c["input"] for c in json.loads(path.read_text("utf-8"))["cases"]]


def table_replies(table):
    """Well-formed replies for every code of `table` and every ERR
    sub-message (each of which the installed parser answers in Rust)."""
    out = []
    for code, entry in table.items():
        if isinstance(entry, dict):
            out += [f"{code} {rest}" for rest in entry] + [f"{code} something else"]
        elif code in ("MOVED", "ASK"):
            out += [f"{code} 3999 127.0.0.1:6381", f"{code} 0 [::1]:1", f"{code} 16383 host.example:65535"]
        else:
            out += [f"{code} some message", f"{code}", f"{code} "]
    return out


def outcome(f, reply):
    """What f(reply) does: ("returned", everything observable) or ("raised", type, str)."""
    try:
        e = f(reply)
    except Exception as x:  # noqa: BLE001 - the oracle is whatever the client does
        return ("raised", type(x), str(x))
    # vars() as a list: the keys' order too, and each value's type.
    items = list(vars(e).items())
    return ("returned", type(e), e.args, str(e), repr(e), items, [type(v) for _, v in items])


def reference(original, parser, reply):
    """The client's own parse_error (`original`, the classmethod as it was at
    import) on `reply`, as `parser` would call it."""
    return outcome(lambda r: original.__func__(parser, r), reply)
