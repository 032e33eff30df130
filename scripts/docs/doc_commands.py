#!/usr/bin/env python3
"""Runs every shell block of the READMEs and docs as a user would.

    python3 scripts/docs/doc_commands.py [--list] [FILTER]

The blocks: the code blocks marked ```sh, ```bash or ```shell in README.md,
python/**/*.md and docs/*.md. Each runs with `bash -euo pipefail`, from the
root of a scratch copy of the checkout (the files git tracks or would track,
edits included, in target/doc-commands/repo, made anew each run), so that a wrong path or a command that fails makes this
script fail. The scratch copy's `target/` and the Python package's
`python/redis_exceptions_rs/target/` are links to this checkout's own two,
so that builds reuse their cache.

A block that cannot run here says why, on the line right before its fence
(the whole block, or some of its lines, counted from 1):

    <!-- doc-commands: skip: a synopsis, not a command -->
    <!-- doc-commands: skip line 2: the whole test command, CI's own step -->

--list prints the blocks and exits; FILTER runs only the blocks whose
`file:line` contains it. Exits 1 when a block fails, or when a skip marker
gives no reason.
"""

from __future__ import annotations

import argparse
import glob
import os
import re
import shutil
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PATTERNS = ["README.md", "python/**/*.md", "docs/*.md"]
SHELLS = {"sh", "bash", "shell"}
SKIP = re.compile(r"^<!--\s*doc-commands:\s*skip(?:\s+lines?\s+([\d,\s]+))?:\s*(.*?)\s*-->\s*$")
# Where a build in the scratch copy finds this checkout's cache: each target
# directory links to the checkout's own (not all to one: a README that names
# the wrong one must fail here as it does for a user).
TARGET_LINKS = ["target", "python/redis_exceptions_rs/target"]


def blocks():
    """(file, line, code, skip reason or None) for every shell block."""
    files = sorted({f for p in PATTERNS for f in glob.glob(os.path.join(ROOT, p), recursive=True)})
    for path in files:
        rel = os.path.relpath(path, ROOT)
        if "/target/" in rel or rel.startswith("target/"):
            continue
        with open(path, encoding="utf-8") as f:
            lines = f.read().split("\n")
        i = 0
        while i < len(lines):
            fence = re.match(r"^```(\w+)", lines[i])
            if not fence:
                i += 1
                continue
            start = i
            j = i + 1
            while j < len(lines) and not lines[j].startswith("```"):
                j += 1
            if fence.group(1) in SHELLS:
                code = lines[start + 1:j]
                marker = SKIP.match(lines[start - 1]) if start > 0 else None
                reason = None
                if marker:
                    reason = marker.group(2)
                    if not reason:
                        sys.exit("%s:%d: a skip marker must say why" % (rel, start))
                    if marker.group(1):
                        # Some lines only: the rest of the block runs.
                        drop = {int(n) for n in re.split(r"[,\s]+", marker.group(1).strip())}
                        if not drop <= set(range(1, len(code) + 1)):
                            sys.exit("%s:%d: no such line in the block" % (rel, start))
                        code = ["# skipped (%s): %s" % (reason, c) if n in drop else c
                                for n, c in enumerate(code, 1)]
                        reason = None
                yield rel, start + 1, "\n".join(code) + "\n", reason
            i = j + 1


def scratch_copy(dest):
    """The checkout's files (tracked, or untracked and not ignored) in dest."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT, check=True, capture_output=True).stdout.decode().split("\0")
    for rel in filter(None, listed):
        src = os.path.join(ROOT, rel)
        if not os.path.isfile(src):
            continue
        out = os.path.join(dest, rel)
        os.makedirs(os.path.dirname(out), exist_ok=True)
        shutil.copy2(src, out, follow_symlinks=False)
    for link in TARGET_LINKS:
        os.makedirs(os.path.join(ROOT, link), exist_ok=True)
        os.symlink(os.path.join(ROOT, link), os.path.join(dest, link))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--list", action="store_true")
    ap.add_argument("filter", nargs="?", default="")
    opts = ap.parse_args(argv)
    found = [b for b in blocks() if opts.filter in "%s:%d" % b[:2]]
    if opts.list:
        for rel, line, code, reason in found:
            print("%s:%d %s" % (rel, line, "skip: " + reason if reason else "run"))
            print("    " + code.rstrip().replace("\n", "\n    "))
        return 0
    failed = 0
    # A scratch copy at the same place every run, its files with their
    # mtimes: cargo's fingerprints (paths and mtimes) then match the last
    # run's, and nothing already built is built again.
    tmp = os.path.join(ROOT, "target", "doc-commands")
    if os.path.lexists(tmp):
        shutil.rmtree(tmp)
    os.makedirs(tmp)
    repo = os.path.join(tmp, "repo")
    scratch_copy(repo)
    env = dict(os.environ)
    env.pop("CARGO_TARGET_DIR", None)
    env.pop("VIRTUAL_ENV", None)
    for rel, line, code, reason in found:
        where = "%s:%d" % (rel, line)
        if reason:
            print("skip %s: %s" % (where, reason), flush=True)
            continue
        t0 = time.monotonic()
        run = subprocess.run(["bash", "-euo", "pipefail", "-c", code], cwd=repo, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        took = time.monotonic() - t0
        if run.returncode == 0:
            print("ok   %s (%.0f s)" % (where, took), flush=True)
        else:
            failed += 1
            print("FAIL %s (exit %d, %.0f s):\n%s\n--- output:\n%s" % (
                where, run.returncode, took, code,
                run.stdout.decode(errors="replace")[-4000:]), flush=True)
    print("doc commands: %d blocks, %d failed" % (len(found), failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
