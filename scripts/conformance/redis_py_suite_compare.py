"""Compare two JUnit reports of redis-py's suite: plain and with install().

    python scripts/conformance/redis_py_suite_compare.py NAME PLAIN.xml PLAIN.json RUST.xml RUST.json EXPECT_PARSER

Exits 0 when both runs have the same outcome (passed / failed / skipped /
error) for every test, the plain run used the client's parser (0 Rust
calls), the install() run used Rust (calls > 0), and both used
EXPECT_PARSER. Otherwise the exit status has bit 1 set when outcomes differ
and bit 2 when the Rust path or the parser was not as expected (the
--self-check of redis_py_suite.sh needs bit 1 for a sabotaged parser).
"""

import collections
import json
import sys
import xml.etree.ElementTree as ET


def outcomes(path):
    out = {}
    for tc in ET.parse(path).iter("testcase"):
        node = "%s::%s" % (tc.get("classname"), tc.get("name"))
        if tc.find("error") is not None:
            kind = "error"
        elif tc.find("failure") is not None:
            kind = "failed"
        elif tc.find("skipped") is not None:
            kind = "skipped"
        else:
            kind = "passed"
        # A test id can appear twice (setup error + call): keep the worst.
        if out.get(node) not in ("error", "failed"):
            out[node] = kind
    return out


def main():
    name, plain_xml, plain_json, rust_xml, rust_json, parser = sys.argv[1:7]
    plain, rust = outcomes(plain_xml), outcomes(rust_xml)
    plain_r, rust_r = json.load(open(plain_json)), json.load(open(rust_json))
    problems, differ = [], []
    for node in sorted(set(plain) | set(rust)):
        a, b = plain.get(node, "absent"), rust.get(node, "absent")
        if a != b:
            differ.append("%s: plain %s, install() %s" % (node, a, b))
    if plain_r["installed"] or plain_r["calls"] != 0:
        problems.append("plain run used Rust: %r" % plain_r)
    if not rust_r["installed"] or rust_r["calls"] <= 0:
        problems.append("install() run made no Rust calls: %r" % rust_r)
    for r in (plain_r, rust_r):
        if r["parser"] != parser:
            problems.append("parser %s, expected %s" % (r["parser"], parser))
    counts = collections.Counter(plain.values())
    summary = ", ".join("%d %s" % (counts[k], k) for k in ("passed", "failed", "error", "skipped"))
    status = "IDENTICAL" if not problems and not differ else "DIFFERENT"
    print("%-9s %s (%s): %d tests (%s) in the plain run; Rust parsed %d error replies (plain run: %d)"
          % (name, status, rust_r["parser"], len(plain), summary, rust_r["calls"], plain_r["calls"]))
    classes = sorted(rust_r.get("classes", {}).items(), key=lambda kv: (-kv[1], kv[0]))
    print("         with install(): " + ", ".join("%s %d" % kv for kv in classes))
    rust_counts = collections.Counter(rust.values())
    if rust_counts != counts:
        print("         install() run: " + ", ".join(
            "%d %s" % (rust_counts[k], k) for k in ("passed", "failed", "error", "skipped")))
    for p in differ[:20] + problems:
        print("    " + p)
    if len(differ) > 20:
        print("    ... and %d more tests differ" % (len(differ) - 20))
    return (1 if differ else 0) | (2 if problems else 0)


if __name__ == "__main__":
    sys.exit(main())
