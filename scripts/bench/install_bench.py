"""install() against the plain client, per reply shape: ns per
`BaseParser.parse_error(reply)`, plain and installed, in the same
interpreter, with their ratio (installed / plain: below 1 is faster) and
whether Rust answered.

    target/pkg-venvs/redis-X.Y.Z/bin/python scripts/bench/install_bench.py
    target/pkg-venvs/valkey-X.Y.Z/bin/python scripts/bench/install_bench.py --client valkey

(any venv with the package installed, e.g. from
scripts/conformance/package_releases.sh). Plain and installed are timed
alternately, REPEAT rounds of N calls each, and the best round of each is
kept, so that a noisy machine slows both alike. The last row is the whole
public corpus (tests/fixtures/public_corpus.json) parsed in a loop: the
mean ns per reply. Replies redis-py raises for (malformed MOVED/ASK
payloads) are caught on both sides, in every row; their `rust` column is
"no" (no instance is returned).
"""

import argparse
import base64
import importlib
import json
import pathlib
import sys
import time

import redis_exceptions_rs as rs

ROOT = pathlib.Path(__file__).resolve().parents[2]


def shapes(table):
    out = [
        ("short ERR", "ERR x"),
        ("long ASCII ERR (2 KB)", "ERR " + "abcdefghij" * 200),
        ("long non-ASCII ERR (2 KB)", "ERR " + "é漢字🙂" * 200),
        ("long non-ASCII, spaces", "ERR " + "é漢字 🙂" * 160),
        ("unknown code", "FOO bar baz"),
        ("unknown code, long", "WRONGTYPE Operation against a key holding the wrong kind of value"),
        ("unknown lower-case word", "foo bar"),
        ("no space", "NOSPACE"),
    ]
    for code, entry in table.items():
        if isinstance(entry, dict):
            for rest in entry:
                out.append((f"{code} sub: {rest[:24]}", f"{code} {rest}"))
            out.append((f"{code} other message", f"{code} unknown command 'FOO'"))
        elif code in ("MOVED", "ASK"):
            out.append((code, f"{code} 3999 127.0.0.1:6381"))
            out.append((f"{code} IPv6", f"{code} 16383 [2001:db8::1]:7000"))
            # Payloads redis-py's __init__ refuses (ValueError; issue 23, item 10).
            out.append((f"{code} malformed: no port", f"{code} 3999 127.0.0.1"))
            out.append((f"{code} malformed: slot not int", f"{code} abc 127.0.0.1:6381"))
            out.append((f"{code} malformed: three words", f"{code} 1 2 3"))
            out.append((f"{code} malformed: empty", f"{code} "))
        else:
            out.append((code, f"{code} some message"))
    return out


def corpus():
    cases = json.loads((ROOT / "tests" / "fixtures" / "public_corpus.json").read_text("utf-8"))["cases"]
    return [base64.b64decode(c["input_b64"]).decode("utf-8", "replace") for c in cases]


def timer(f, reply, n):
    def run():
        t = time.perf_counter_ns()
        for _ in range(n):
            try:
                f(reply)
            except ValueError:
                pass
        return (time.perf_counter_ns() - t) / n

    return run


def corpus_timer(f, replies, n):
    rounds = max(1, n // len(replies))

    def run():
        t = time.perf_counter_ns()
        for _ in range(rounds):
            for r in replies:
                try:
                    f(r)
                except ValueError:
                    pass
        return (time.perf_counter_ns() - t) / (rounds * len(replies))

    return run


def compare(client, make, n, repeat):
    """(plain ns, installed ns, answered by Rust) with `make(f)` a timer."""
    base = importlib.import_module(f"{client}._parsers.base").BaseParser
    rs.uninstall(client)
    plain_f = base.parse_error  # the original, bound: unaffected by install()
    rs.install(client)
    inst_f = base.parse_error
    plain_run, inst_run = make(plain_f), make(inst_f)
    plain_run()
    inst_run()  # warm up
    best_p = best_i = float("inf")
    for _ in range(repeat):
        best_p = min(best_p, plain_run())
        best_i = min(best_i, inst_run())
    rs.uninstall(client)
    return best_p, best_i


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--client", default="redis", choices=["redis", "valkey"])
    ap.add_argument("-n", type=int, default=20_000)
    ap.add_argument("--repeat", type=int, default=7)
    a = ap.parse_args()
    top = importlib.import_module(a.client)
    base = importlib.import_module(f"{a.client}._parsers.base").BaseParser
    print(f"{a.client} {top.__version__}, Python {sys.version.split()[0]} ({sys.executable}), "
          f"best of {a.repeat} x {a.n:,} calls, alternating, ns per call")
    print(f"{'shape':40} {'plain':>8} {'installed':>10} {'ratio':>6}  rust")
    rows = shapes(base.EXCEPTION_CLASSES)
    slower = 0
    ratios = []
    for name, reply in rows:
        rs.install(a.client)
        rs.reset_calls()
        try:
            base.parse_error(reply)
        except ValueError:
            pass
        by_rust = rs.calls() == 1
        rs.uninstall(a.client)
        plain, inst = compare(a.client, lambda f, r=reply: timer(f, r, a.n), a.n, a.repeat)
        ratio = inst / plain
        ratios.append(ratio)
        slower += ratio > 1.0
        print(f"{name:40} {plain:8.0f} {inst:10.0f} {ratio:6.2f}  {'yes' if by_rust else 'no'}")
    replies = corpus()
    rs.install(a.client)
    rs.reset_calls()
    for r in replies:
        try:
            base.parse_error(r)
        except ValueError:
            pass
    answered = rs.calls()
    rs.uninstall(a.client)
    plain, inst = compare(a.client, lambda f: corpus_timer(f, replies, a.n), a.n, a.repeat)
    print(f"{f'corpus mean ({len(replies)} replies)':40} {plain:8.0f} {inst:10.0f} {inst / plain:6.2f}  "
          f"{answered}/{len(replies)}")
    print(f"installed slower on {slower} of {len(rows)} shapes; "
          f"worst ratio {max(ratios):.2f}, corpus speed-up {plain / inst:.2f}x")


if __name__ == "__main__":
    main()
