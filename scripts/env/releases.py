"""The releases this crate covers, read from their one table,
``src/class/releases.txt`` (its header says what each column means).

    from releases import rows, reference, pinned   # with scripts/env on sys.path
    python3 scripts/env/releases.py reference       # the reference, pinned (X.Y.Z)
    python3 scripts/env/releases.py pinned valkey-py 6.2
    python3 scripts/env/releases.py list redis-py [USE]
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import List, NamedTuple

TABLE = Path(__file__).resolve().parents[2] / "src" / "class" / "releases.txt"


class Release(NamedTuple):
    client: str  # redis-py or valkey-py
    release: str  # MAJOR.MINOR
    pinned: str  # MAJOR.MINOR.PATCH
    parse_error: str  # plain, status, status-word ("-" for valkey-py: its fork's)
    inits: str  # plain, status
    cluster: str  # cluster, base
    fork: str  # valkey-py: the redis-py MAJOR.MINOR it was forked from
    uses: tuple  # reference, package, suite


def rows() -> List[Release]:
    out = []
    for line in TABLE.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        f = line.split()
        if len(f) != 8:
            raise ValueError(f"{TABLE}: {line!r} has {len(f)} columns, not 8")
        out.append(Release(*f[:7], tuple(u for u in f[7].split(",") if u != "-")))
    return out


def reference() -> Release:
    (ref,) = [r for r in rows() if "reference" in r.uses]
    return ref


def pinned(client: str, release: str) -> str:
    """The pinned version of ``client``'s release ``MAJOR.MINOR``."""
    for r in rows():
        if r.client == client and release in (r.release, r.pinned):
            return r.pinned
    raise KeyError(f"{client} {release} is not in {TABLE}")


def main(argv: List[str]) -> int:
    if argv[:1] == ["reference"]:
        print(reference().pinned)
    elif argv[:1] == ["pinned"] and len(argv) == 3:
        print(pinned(argv[1], argv[2]))
    elif argv[:1] == ["list"] and len(argv) in (2, 3):
        for r in rows():
            if r.client == argv[1] and (len(argv) == 2 or argv[2] in r.uses):
                print(r.pinned)
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
