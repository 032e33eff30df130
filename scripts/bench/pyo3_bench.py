"""Costs of the Python bridge, side by side in one run.

    bash scripts/conformance/redis_py_suite.sh --bench   (builds the package into a venv, runs this)

1. Rust -> Python: `Error::to_py` and `PyErr::from(Error)` (the `?` path),
   timed in Rust, against redis-py building the same instance in Python
   (`MovedError("3999 127.0.0.1:6381", status_code="MOVED")`, ...), which
   the conversion itself calls.
2. Python -> Rust: `Error::from_py` of redis-py's instance, timed in Rust.
3. `parse_error`: redis_exceptions_rs.parse_error against redis-py's
   `BaseParser.parse_error`, per reply, over the corpus replies redis-py
   parses without raising, and for three single replies.

Figures are the best of 7 repeats, in ns per call.
"""

import json
import os
import sys
import timeit

import redis
from redis._parsers.base import BaseParser

import redis_exceptions_rs as rs
from redis_exceptions_rs import _native

REPEAT = 7
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SAMPLES = [
    "MOVED 3999 127.0.0.1:6381",
    "ERR unknown command 'FOO', with args beginning with: ",
    "NOAUTH Authentication required.",
]


def py_ns(stmt, n, glb):
    return min(timeit.repeat(stmt, number=n, repeat=REPEAT, globals=glb)) / n * 1e9


def main():
    print("python %s, redis-py %s" % (sys.version.split()[0], redis.__version__))
    print("\n%-56s %12s %12s %12s %9s" % ("reply", "redis-py", "to_py", "PyErr::from", "from_py"))
    for reply in SAMPLES:
        theirs = BaseParser.parse_error(reply)
        cls, args = type(theirs), theirs.args
        kwargs = {"status_code": theirs.status_code} if getattr(theirs, "status_code", None) else {}
        build = py_ns("cls(*args, **kwargs)", 20000, {"cls": cls, "args": args, "kwargs": kwargs})
        to_py = _native._bench_to_py(reply, 20000, REPEAT)
        into = _native._bench_into_pyerr(reply, 20000, REPEAT)
        from_py = _native._bench_from_py(theirs, 20000, REPEAT)
        print("%-56s %12.0f %12.0f %12.0f %9.0f" % (reply[:56], build, to_py, into, from_py))
    print("(redis-py: building the same instance in Python; to_py, PyErr::from, from_py timed in Rust)")

    corpus = json.load(open(os.path.join(ROOT, "tests", "fixtures", "public_corpus.json")))
    replies = [c["input"] for c in corpus["cases"] if c["outcome"] == "returned"]
    glb = {"replies": replies, "ours": rs.parse_error, "theirs": BaseParser.parse_error}
    loop = "for r in replies: f(r)"
    n = 200
    theirs = py_ns(loop, n, dict(glb, f=glb["theirs"])) / len(replies)
    ours = py_ns(loop, n, dict(glb, f=glb["ours"])) / len(replies)
    print("\nparse_error over %d corpus replies (mean per reply):" % len(replies))
    print("  redis-py BaseParser.parse_error   %8.0f ns" % theirs)
    print("  redis_exceptions_rs.parse_error   %8.0f ns   (redis-py / ours = %.2fx)" % (ours, theirs / ours))
    for reply in SAMPLES:
        t = py_ns("f(r)", 20000, {"f": BaseParser.parse_error, "r": reply})
        o = py_ns("f(r)", 20000, {"f": rs.parse_error, "r": reply})
        print("  %-40s redis-py %6.0f ns, ours %6.0f ns (%.2fx)" % (reply[:40], t, o, t / o))


if __name__ == "__main__":
    main()
