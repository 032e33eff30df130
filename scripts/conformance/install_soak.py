"""A soak of the installed parse_error: a million calls over every reply
shape, and nothing that the calls touch may grow.

    target/pkg-venvs/redis-X.Y.Z/bin/python scripts/conformance/install_soak.py
    target/pkg-venvs/redis-X.Y.Z/bin/python scripts/conformance/install_soak.py --calls 200000

(any venv with the package installed; scripts/conformance/install_soak.sh
runs it on the oldest and the newest release the package is tested on.)

Shapes: every code and ERR sub-message of the running release's table,
unknown codes, replies of 257 characters to 1 MB (ASCII and non-ASCII, with
and without spaces), redirects with long hosts, malformed redirects (which
redis-py raises for), lone surrogates. Each shape gets a share of the calls
in proportion to the inverse of its length, so the 1 MB replies are called
at least MIN_CALLS times a phase and the short ones many thousand.

It fails (exit 1) when, between the first and the last fifth of the run:
- the process's RSS grew by more than 1 MiB;
- tracemalloc's traced memory grew by more than 64 KiB;
- the reference count of any sampled object grew by more than 16 (a leak of
  one reference per call would add thousands): the replies themselves, the
  classes of the table, the table and its ERR sub-table, small ints and the
  interned strings the parser reads;
or when the installed method answered for no reply in Rust (nothing was
soaked). It prints one line per phase and a last line with the figures.
"""

import argparse
import array
import gc
import importlib
import resource
import sys
import time
import tracemalloc

import redis_exceptions_rs as rs

MIB = 1024 * 1024
# Each shape is called at least this often per phase (the 1 MB replies too).
MIN_CALLS = 20


def rss_bytes():
    """The current resident set size (Linux: /proc/self/statm)."""
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    return pages * resource.getpagesize()


def shapes(table):
    out = []
    for code, entry in table.items():
        if isinstance(entry, dict):
            out += [f"{code} {rest}" for rest in entry]
            out += [f"{code} something else", f"{code} " + "m" * 300]
        elif code in ("MOVED", "ASK"):
            out += [
                f"{code} 3999 127.0.0.1:6381",
                f"{code} 0 [::1]:1",
                f"{code} 16383 " + "h" * 300 + ".example:65535",
                f"{code} 12 " + "é" * 200 + ":6379",
                f"{code} 3999 127.0.0.1",  # malformed: redis-py raises
                f"{code} x y:z",
            ]
        else:
            out += [f"{code} some message", code, f"{code} " + "w " * 200]
    for n in (257, 1000, 4096, 65536, 1 << 20):
        out += [
            "ERR " + "a" * (n - 4),
            "ERR " + "é漢🙂" * (n // 3),
            "ERR " + "ab " * (n // 3),
            "X" * n,
            "Y" * n + " tail",
            "NOSCRIPT " + "s" * n,
            "BUSYKEY " + "k" * n,
        ]
    out += ["", " ", "FOO bar", "foo bar", "\ud800 lone", "ERR \udfff", "MOVED", "ASK "]
    return out


def run(replies, calls, parse):
    weights = [1.0 / max(len(r), 64) for r in replies]
    total = sum(weights)
    counts = [max(MIN_CALLS, int(calls * w / total)) for w in weights]
    done = 0
    for r, n in zip(replies, counts):
        for _ in range(n):
            try:
                parse(r)
            except Exception:  # noqa: BLE001 - a raising reply raises on both sides
                pass
        done += n
    return done


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--client", default="redis", choices=["redis", "valkey"])
    ap.add_argument("--calls", type=int, default=1_000_000)
    args = ap.parse_args()

    base = importlib.import_module(f"{args.client}._parsers.base").BaseParser
    version = importlib.import_module(args.client).__version__
    rs.install(args.client)
    if not rs.uses_rust(args.client):
        print(f"install_soak: {args.client} {version}: install() does not answer in Rust here", file=sys.stderr)
        return 1
    table = base.EXCEPTION_CLASSES
    replies = shapes(table)
    parse = base.parse_error

    sample = list(replies) + [0, 1, 2, 4, 64, 66, 104, 128, 256, 257, " ", "ERR", "MOVED", "ASK"]
    sample += [table] + [v for v in table.values()]
    if isinstance(table.get("ERR"), dict):
        sample += list(table["ERR"].values())

    start = time.perf_counter()
    rs.reset_calls()
    # Warm up (first call reads the table, caches are filled), then five
    # phases: compare the last with the first.
    run(replies, len(replies) * 4, parse)
    gc.collect()
    phase_calls = args.calls // 5
    tracemalloc.start()
    # The marks are made before the run and filled in place (an array of
    # machine ints): what the soak itself keeps must not count.
    marks = [(array.array("q", [0, 0]), array.array("q", [0] * len(sample))) for _ in range(5)]
    for phase in range(5):
        n = run(replies, phase_calls, parse)
        gc.collect()
        sizes, refs = marks[phase]
        sizes[0] = rss_bytes()
        sizes[1] = tracemalloc.get_traced_memory()[0]
        for i, o in enumerate(sample):
            refs[i] = sys.getrefcount(o)
        worst = max((a - b for a, b in zip(refs, marks[0][1])), default=0)
        print(
            f"install_soak: phase {phase + 1}/5: {n} calls, RSS {sizes[0] / MIB:.1f} MiB, "
            f"traced {sizes[1] / 1024:.0f} KiB, largest refcount growth since phase 1: {worst}",
            flush=True,
        )
    tracemalloc.stop()
    rust = rs.calls()
    elapsed = time.perf_counter() - start

    ((rss0, traced0), refs0), ((rss1, traced1), refs1) = marks[0], marks[-1]
    grown = [(repr(o)[:40], b, a) for o, b, a in zip(sample, refs0, refs1) if a - b > 16]
    failures = []
    if rss1 - rss0 > MIB:
        failures.append(f"RSS grew by {(rss1 - rss0) / 1024:.0f} KiB (at most 1024)")
    if traced1 - traced0 > 64 * 1024:
        failures.append(f"traced memory grew by {(traced1 - traced0) / 1024:.0f} KiB (at most 64)")
    if grown:
        failures.append(f"reference counts grew: {grown[:5]}")
    if not rust:
        failures.append("no call was answered in Rust")
    summary = (
        f"{args.client} {version}: {len(replies)} shapes, {4 * phase_calls} calls measured, "
        f"{rust} answered in Rust; RSS {(rss1 - rss0) / 1024:+.0f} KiB, traced "
        f"{(traced1 - traced0) / 1024:+.1f} KiB, {len(sample)} objects' refcounts "
        f"{'steady' if not grown else 'GROWING'}; {elapsed:.1f} s"
    )
    if failures:
        print(f"install_soak: FAILED: {summary}", file=sys.stderr)
        for f in failures:
            print(f"install_soak:   {f}", file=sys.stderr)
        return 1
    print(f"install_soak: passed: {summary}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
