#!/usr/bin/env python3
"""Seeds fuzz/corpus/parse_reply from tests/fixtures/public_corpus.json.

Each fixture input (the RESP error text after '-', without CRLF) is written
three ways: bare, as a RESP2 simple error frame and as a RESP3 blob error
frame, so the raw-frame path of the target starts from valid frames too.
Idempotent: files are named after the fixture id. Standard library only.
"""
import base64
import json
import pathlib

here = pathlib.Path(__file__).resolve().parent
fixture = here.parent / "tests" / "fixtures" / "public_corpus.json"
out = here / "corpus" / "parse_reply"
out.mkdir(parents=True, exist_ok=True)

cases = json.loads(fixture.read_text(encoding="utf-8"))["cases"]
for case in cases:
    raw = base64.b64decode(case["input_b64"])
    (out / f"{case['id']}").write_bytes(raw)
    if b"\r" not in raw and b"\n" not in raw:
        (out / f"{case['id']}-resp2").write_bytes(b"-" + raw + b"\r\n")
    (out / f"{case['id']}-resp3").write_bytes(b"!%d\r\n" % len(raw) + raw + b"\r\n")
print(f"seeded {out} from {len(cases)} fixture inputs")
