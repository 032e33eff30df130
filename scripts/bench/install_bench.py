"""install() against plain redis-py, per reply shape: ns per
`BaseParser.parse_error(reply)` (best of 7 x 20,000 calls), plain and
installed, in the same interpreter.

    target/pkg-venvs/redis-8.1.0/bin/python scripts/bench/install_bench.py

(any venv with the package installed, e.g. from
scripts/conformance/package_releases.sh).
"""

import sys
import timeit

import redis
from redis._parsers.base import BaseParser

import redis_exceptions_rs as rs

N, REPEAT = 20_000, 7

SHAPES = [
    ("short ERR", "ERR x"),
    ("long ASCII ERR", "ERR " + "abcdefghij" * 200),
    ("2 KB non-ASCII", "ERR " + "é漢字🙂" * 200),
    ("unknown code", "FOO bar baz"),
    ("MOVED", "MOVED 3999 127.0.0.1:6381"),
    ("ASK", "ASK 3999 127.0.0.1:6381"),
]
for code, entry in BaseParser.EXCEPTION_CLASSES.items():
    if isinstance(entry, dict):
        for rest in list(entry)[:3]:
            SHAPES.append(("ERR sub: " + rest[:28], code + " " + rest))
    elif code not in ("MOVED", "ASK"):
        SHAPES.append((code, code + " some message"))


def best(reply):
    f = BaseParser.parse_error
    return min(timeit.repeat(lambda: f(reply), number=N, repeat=REPEAT)) / N * 1e9


def main():
    print(f"redis-py {redis.__version__}, Python {sys.version.split()[0]}, "
          f"best of {REPEAT} x {N:,} calls, ns per call")
    print(f"{'shape':36} {'plain':>8} {'installed':>10} {'ratio':>6}  rust")
    slower = 0
    for name, reply in SHAPES:
        rs.uninstall()
        plain = best(reply)
        rs.install()
        rs.reset_calls()
        BaseParser.parse_error(reply)
        by_rust = rs.calls() == 1
        inst = best(reply)
        rs.uninstall()
        ratio = inst / plain
        slower += ratio > 1.0
        print(f"{name:36} {plain:8.0f} {inst:10.0f} {ratio:6.2f}  {'yes' if by_rust else 'no'}")
    print(f"installed slower on {slower} of {len(SHAPES)} shapes")


if __name__ == "__main__":
    main()
