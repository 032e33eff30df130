"""redis-py's side of scripts/bench/bench_sweep.sh, the sweep's table and its plot.

    python bench_sweep.py time   INPUTS_DIR OUT.json       # needs the reference redis-py
    python bench_sweep.py report PY.json INPUTS_DIR CRITERION_DIR OUT.json
    python bench_sweep.py plot   SWEEP.json OUT.png        # needs matplotlib

`time` reads the replies that `sweep_inputs` wrote (`<shape>_<size>.bin`,
`shapes.json`) and times the reference redis-py's `BaseParser.parse_error` on each,
with timeit (autorange loop count, best of REPEATS): `parse_error` on the
decoded `str`, and `decode` + `parse_error` on the raw bytes (what redis-py's
RESP2 parser does with an error reply). A `ValueError` raised by
`parse_error` (unparseable `MOVED`/`ASK`) is caught inside the timed call.

`report` joins those figures with criterion's results for the `sweep` bench
(`<id>/new/benchmark.json` + `estimates.json`, mean point estimate), prints
the markdown table in ns per byte and the issue's targets, and writes every
figure to OUT.json. `plot` draws time against size, one panel per shape.
"""

import json
import sys
import timeit
from pathlib import Path

# Our entry points and the peers, as named in the sweep bench's ids.
OURS = ["classify", "parse_error", "parse_error_bytes", "parse_frame_resp2", "parse_frame_resp3"]
PEERS = ["redis_rs_resp2", "redis_rs_resp3"]
BASELINE = "std_from_utf8_lossy"
DECODED = "parse_error_bytes_args"


def load_inputs(inputs_dir):
    d = Path(inputs_dir)
    meta = json.loads((d / "shapes.json").read_text(encoding="utf-8"))
    return meta, lambda shape, size: (d / f"{shape}_{size}.bin").read_bytes()


# ---------------------------------------------------------------------------
# redis-py
# ---------------------------------------------------------------------------


def ns_per_op(stmt, namespace, repeats):
    timer = timeit.Timer(stmt, globals=namespace)
    loops, _ = timer.autorange()
    return min(timer.repeat(repeat=repeats, number=loops)) / loops * 1e9


def time_redis_py(inputs_dir, out_path):
    import redis
    from redis._parsers.base import BaseParser

    parse = BaseParser.parse_error

    def parse_str(text):
        try:
            return parse(text)
        except ValueError:
            return None

    def parse_bytes(raw):
        try:
            return parse(raw.decode("utf-8", errors="replace"))
        except ValueError:
            return None

    meta, read = load_inputs(inputs_dir)
    results = {}
    for shape in meta["shapes"]:
        for size in meta["sizes"]:
            raw = read(shape["name"], size)
            ns = {"parse_str": parse_str, "parse_bytes": parse_bytes, "raw": raw,
                  "text": raw.decode("utf-8", errors="replace")}
            repeats = 5 if size <= 4096 else 3
            key = f"{shape['name']}/{size}"
            results[key] = {
                "parse_error": ns_per_op("parse_str(text)", ns, repeats),
                "decode_parse_error": ns_per_op("parse_bytes(raw)", ns, repeats),
            }
            print(f"  redis-py {key:32s} {results[key]['decode_parse_error']:14.1f} ns",
                  file=sys.stderr)
    data = {
        "redis_py": redis.__version__,
        "method": "timeit, autorange loop count, best of 5 (3 from 64 KiB), ns per call",
        "ns": results,
    }
    Path(out_path).write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")


# ---------------------------------------------------------------------------
# The report
# ---------------------------------------------------------------------------


def read_criterion(root):
    found = {}
    for bench_json in Path(root).glob("**/new/benchmark.json"):
        estimates = bench_json.with_name("estimates.json")
        if estimates.exists():
            full_id = json.loads(bench_json.read_text())["full_id"]
            found[full_id] = json.loads(estimates.read_text())["mean"]["point_estimate"]
    return found


def size_label(size):
    if size >= 1 << 20:
        return f"{size >> 20} MiB"
    if size >= 1 << 10:
        return f"{size >> 10} KiB"
    return f"{size} B"


def fmt(v):
    if v is None:
        return "-"
    if v < 0.1:
        return f"{v:.3f}"
    if v < 10:
        return f"{v:.2f}"
    return f"{v:.1f}"


def ratio(a, b):
    if a is None or b is None or b == 0:
        return None
    return a / b


def report(py_path, inputs_dir, criterion_dir, out_path):
    py = json.loads(Path(py_path).read_text(encoding="utf-8"))["ns"]
    meta, _ = load_inputs(inputs_dir)
    crit = read_criterion(criterion_dir)
    sizes = meta["sizes"]

    rows = []
    for shape in meta["shapes"]:
        for size in sizes:
            name = shape["name"]
            ns = {f: crit.get(f"sweep_{name}/{f}/{size}")
                  for f in OURS + PEERS + [BASELINE, DECODED]}
            pyns = py.get(f"{name}/{size}", {})
            ns["redis_py_parse_error"] = pyns.get("parse_error")
            ns["redis_py_decode_parse_error"] = pyns.get("decode_parse_error")
            rows.append({"shape": name, "what": shape["what"], "utf8": shape["utf8"],
                         "ascii": shape["ascii"], "size": size, "ns": ns})

    cols = [
        ("classify", "classify"),
        ("parse_error", "parse_error"),
        ("parse_error_bytes", "parse_error_bytes"),
        ("parse_frame_resp2", "frame `-`"),
        ("parse_frame_resp3", "frame `!`"),
        ("redis_rs_resp2", "redis-rs `-`"),
        ("redis_rs_resp3", "redis-rs `!`"),
        ("redis_py_decode_parse_error", "redis-py"),
    ]
    out = ["| shape | size | " + " | ".join(label for _, label in cols) + " |",
           "|---|--:|" + "--:|" * len(cols)]
    for r in rows:
        cells = [fmt(ratio(r["ns"].get(k), r["size"])) for k, _ in cols]
        out.append(f"| {r['shape']} | {size_label(r['size'])} | " + " | ".join(cells) + " |")
    out.append("")
    out.append("ns per byte of the reply (mean time of one call divided by the reply's "
               "size). `frame`: `parse_frame` on `-<reply>\\r\\n` and `!<len>\\r\\n<reply>\\r\\n`; "
               "redis-rs: `parse_redis_value` on the same frames (it refuses a `-` frame that is "
               "not UTF-8, after scanning it); redis-py: `reply.decode('utf-8', 'replace')` and "
               "`BaseParser.parse_error`.")
    lossy = [r for r in rows if not r["utf8"]]
    if lossy:
        out.append("Invalid UTF-8, with the message decoded (`parse_error_bytes` then `args()`) "
                   "against `String::from_utf8_lossy(reply).into_owned()`, ns per byte: " +
                   "; ".join(f"{size_label(r['size'])}: {fmt(ratio(r['ns'].get(DECODED), r['size']))}"
                             f" / {fmt(ratio(r['ns'].get(BASELINE), r['size']))}" for r in lossy) + ".")
        out.append("")

    # The targets.
    targets = []

    def target(name, checks):
        failed = [c for c in checks if not c[1]]
        worst = max(checks, key=lambda c: c[2]) if checks else None
        targets.append({"target": name, "met": bool(checks) and not failed,
                        "checks": len(checks), "failed": [c[0] for c in failed],
                        "worst": worst[0] if worst else None,
                        "worst_value": worst[2] if worst else None})

    def ours_all(r):
        return [(f, r["ns"].get(f)) for f in OURS if r["ns"].get(f) is not None]

    # Faster than redis-rs (same frame type) and redis-py, every shape and size.
    checks = []
    for r in rows:
        key = f"{r['shape']}/{r['size']}"
        for ours, peer in [("parse_frame_resp2", "redis_rs_resp2"),
                           ("parse_frame_resp3", "redis_rs_resp3"),
                           ("parse_error_bytes", "redis_py_decode_parse_error"),
                           ("parse_error", "redis_py_parse_error")]:
            o, p = r["ns"].get(ours), r["ns"].get(peer)
            if o is not None and p is not None:
                # value: ours / peer, must be < 1
                checks.append((f"{key} {ours} vs {peer}", o < p, o / p))
    target("faster than redis-rs and redis-py on every shape and size (worst: ours / peer)", checks)

    checks = []
    for r in rows:
        if r["ascii"] and r["size"] >= 4096:
            for f, v in ours_all(r):
                nb = v / r["size"]
                checks.append((f"{r['shape']}/{r['size']} {f}", nb <= 0.1, nb))
    target("ASCII shapes from 4 KiB: at most 0.1 ns/byte (worst ns/byte)", checks)

    checks = []
    for r in rows:
        if r["utf8"] and r["size"] >= 4096:
            for f, v in ours_all(r):
                nb = v / r["size"]
                checks.append((f"{r['shape']}/{r['size']} {f}", nb <= 1.0, nb))
    target("valid UTF-8 shapes from 4 KiB: at most 1 ns/byte (worst ns/byte)", checks)

    checks = []
    for r in rows:
        if not r["utf8"]:
            v = ratio(r["ns"].get(DECODED), r["ns"].get(BASELINE))
            if v is not None:
                checks.append((f"{r['shape']}/{r['size']}", v <= 1.2, v))
    target("invalid UTF-8: parse_error_bytes + args() (the decode) within 1.2x of "
           "String::from_utf8_lossy (worst ratio)", checks)

    checks = []
    for r in rows:
        if r["size"] <= 256:
            v = ratio(r["ns"].get("redis_py_parse_error"), r["ns"].get("parse_error"))
            if v is not None:
                # value: 1 / speed-up, so that the worst is the largest
                checks.append((f"{r['shape']}/{r['size']} ({v:.1f}x)", v >= 40, 1 / v))
    target("parse_error at least 40x redis-py up to 256 B (worst: 1 / speed-up)", checks)

    out.append("| target | met | checks | worst | failed |")
    out.append("|---|---|--:|---|---|")
    for t in targets:
        failed = ", ".join(t["failed"][:8]) + (" ..." if len(t["failed"]) > 8 else "")
        out.append(f"| {t['target']} | {'MET' if t['met'] else 'MISSED'} | {t['checks']} | "
                   f"{t['worst']}: {t['worst_value']:.3g} | {failed or '-'} |")
    print("\n".join(out))
    Path(out_path).write_text(json.dumps({"sizes": sizes, "rows": rows, "targets": targets},
                                         indent=1) + "\n", encoding="utf-8")


# ---------------------------------------------------------------------------
# The plot
# ---------------------------------------------------------------------------


def plot(sweep_path, png_path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    data = json.loads(Path(sweep_path).read_text(encoding="utf-8"))
    sizes = data["sizes"]
    shapes = []
    for r in data["rows"]:
        if r["shape"] not in shapes:
            shapes.append(r["shape"])
    lines = [
        ("parse_error_bytes", "ours: parse_error_bytes", "tab:blue", "-"),
        ("classify", "ours: classify", "tab:cyan", "-"),
        ("parse_frame_resp2", "ours: parse_frame `-`", "tab:green", "-"),
        ("parse_error_bytes_args", "ours: parse_error_bytes + args() (decoded)", "tab:brown", "-"),
        ("redis_rs_resp2", "redis-rs: parse_redis_value `-`", "tab:orange", "--"),
        ("redis_rs_resp3", "redis-rs: parse_redis_value `!`", "tab:red", "--"),
        ("redis_py_decode_parse_error", "redis-py: decode + parse_error", "tab:purple", ":"),
    ]
    cols = 5
    rows_n = (len(shapes) + cols - 1) // cols
    fig, axes = plt.subplots(rows_n, cols, figsize=(4 * cols, 3.4 * rows_n), squeeze=False)
    for i, shape in enumerate(shapes):
        ax = axes[i // cols][i % cols]
        by_size = {r["size"]: r["ns"] for r in data["rows"] if r["shape"] == shape}
        for key, label, color, style in lines:
            xs = [s for s in sizes if by_size.get(s, {}).get(key) is not None]
            ys = [by_size[s][key] for s in xs]
            if xs:
                ax.plot(xs, ys, style, color=color, marker="o", markersize=3, label=label)
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_title(shape, fontsize=10)
        ax.set_xticks(sizes, [size_label(s) for s in sizes], fontsize=7)
        ax.tick_params(axis="y", labelsize=7)
        ax.grid(True, which="major", alpha=0.3)
        if i % cols == 0:
            ax.set_ylabel("ns per reply")
    for j in range(len(shapes), rows_n * cols):
        axes[j // cols][j % cols].axis("off")
    handles, labels = axes[0][0].get_legend_handles_labels()
    for row in axes:
        for ax in row:
            for h, lab in zip(*ax.get_legend_handles_labels()):
                if lab not in labels:
                    handles.append(h)
                    labels.append(lab)
    fig.legend(handles, labels, loc="lower center", ncol=4, fontsize=8)
    fig.suptitle("Time per reply against reply size (log-log), one panel per shape")
    fig.tight_layout(rect=(0, 0.08, 1, 0.97))
    fig.savefig(png_path, dpi=90)


def main(argv):
    if len(argv) == 3 and argv[0] == "time":
        time_redis_py(argv[1], argv[2])
        return 0
    if len(argv) == 5 and argv[0] == "report":
        report(*argv[1:])
        return 0
    if len(argv) == 3 and argv[0] == "plot":
        plot(argv[1], argv[2])
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
