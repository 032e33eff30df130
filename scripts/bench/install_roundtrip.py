"""install() end to end against a real server: the time of N
`execute_command(...)` calls that get an error reply, plain redis-py
against installed, on one connection (RESP2, the default parser: hiredis
when it is installed, else redis-py's own).

    target/pkg-venvs/redis-X.Y.Z/bin/python scripts/bench/install_roundtrip.py
    ... install_roundtrip.py --client valkey     # valkey-py, same server

Starts `redis-server` (on PATH) on a free loopback port with no
persistence, and stops it at the end. Plain and installed alternate,
REPEAT rounds of N calls each; the best round of each is kept. The error
reply is a server error of the table (`NOSCRIPT`, from EVALSHA of an
unknown script) and an unknown command (`ERR unknown command`).
"""

import argparse
import importlib
import shutil
import socket
import subprocess
import sys
import tempfile
import time

import redis_exceptions_rs as rs


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server():
    exe = shutil.which("redis-server")
    if exe is None:
        sys.exit("install_roundtrip: redis-server is not on PATH")
    port = free_port()
    workdir = tempfile.mkdtemp(prefix="install-roundtrip-")
    proc = subprocess.Popen(
        [exe, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", workdir, "--protected-mode", "no"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            return proc, port
        except OSError:
            time.sleep(0.025)
    proc.kill()
    sys.exit("install_roundtrip: redis-server did not start")


COMMANDS = [
    ("NOSCRIPT (EVALSHA)", ("EVALSHA", "0" * 40, "0")),
    ("ERR unknown command", ("FOO",)),
]


def run(client, args, n):
    t = time.perf_counter_ns()
    for _ in range(n):
        try:
            client.execute_command(*args)
        except Exception:  # noqa: BLE001 - the error reply is the point
            pass
    return (time.perf_counter_ns() - t) / n


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--client", default="redis", choices=["redis", "valkey"])
    ap.add_argument("-n", type=int, default=5_000)
    ap.add_argument("--repeat", type=int, default=5)
    a = ap.parse_args()
    lib = importlib.import_module(a.client)
    proc, port = start_server()
    try:
        cls = lib.Redis if a.client == "redis" else lib.Valkey
        hiredis = getattr(importlib.import_module(f"{a.client}.utils"), "HIREDIS_AVAILABLE", False)

        def connected():
            # A new connection each time: hiredis binds parse_error when it connects.
            c = cls(host="127.0.0.1", port=port)
            c.ping()
            return c

        print(f"{a.client} {lib.__version__}, Python {sys.version.split()[0]}, "
              f"parser {'hiredis' if hiredis else a.client + '-py RESP2'}, "
              f"best of {a.repeat} x {a.n:,} round trips, alternating, us per call")
        print(f"{'reply':28} {'plain':>8} {'installed':>10} {'ratio':>6}  rust")
        for name, args in COMMANDS:
            best_p = best_i = float("inf")
            by_rust = True
            for _ in range(a.repeat):
                rs.uninstall(a.client)
                c = connected()
                run(c, args, 200)
                best_p = min(best_p, run(c, args, a.n))
                c.close()
                rs.install(a.client)
                c = connected()
                run(c, args, 200)
                rs.reset_calls()
                best_i = min(best_i, run(c, args, a.n))
                by_rust = by_rust and rs.calls() == a.n
                c.close()
            rs.uninstall(a.client)
            print(f"{name:28} {best_p / 1000:8.2f} {best_i / 1000:10.2f} {best_i / best_p:6.2f}  "
                  f"{'yes' if by_rust else 'no'}")
    finally:
        proc.terminate()
        proc.wait(timeout=10)


if __name__ == "__main__":
    main()
