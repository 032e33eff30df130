//! `parse_error` against redis-py's `BaseParser.parse_error` over the public
//! corpus (`public_corpus.json`).

mod common;

use redis_exceptions::{classify, parse_error, parse_error_bytes, RedisErrorExt};
use serde_json::Value;

/// Inputs where redis-py raises `ValueError` inside `AskError.__init__`;
/// this crate returns the named class with no redirect instead (crate docs,
/// "Differences from redis-py", item 1).
fn documented_difference(case: &Value, e: &redis_exceptions::Error) -> Result<(), String> {
    let input = case["input"].as_str().unwrap();
    let code = input.split(' ').next().unwrap();
    if case["raised"]["type"] != "ValueError" || !["MOVED", "ASK"].contains(&code) {
        return Err(format!("undocumented raise {}", case["raised"]));
    }
    let ok = e.class().name()
        == if code == "MOVED" {
            "MovedError"
        } else {
            "AskError"
        }
        && e.status_code() == Some(code)
        && e.redirect().is_none()
        && e.to_string() == input.get(code.len() + 1..).unwrap_or("")
        && e.reply().as_deref() == Some(input.as_bytes());
    ok.then_some(())
        .ok_or_else(|| format!("difference not as documented: {e:?}"))
}

fn check(case: &Value) -> Result<(), String> {
    let input = case["input"].as_str().unwrap();
    let e = parse_error(input);
    let c = classify(input.as_bytes());
    if !std::ptr::eq(c.class(), e.class()) {
        return Err(format!(
            "classify says {}, parse_error {}",
            c.class().name(),
            e.class().name()
        ));
    }
    if c.reply_code() != e.reply_code().map(str::as_bytes) || c.status_code() != e.status_code() {
        return Err(format!(
            "classify codes {:?} differ from {:?}",
            c.reply_code(),
            e.reply_code()
        ));
    }
    if parse_error_bytes(input.as_bytes()).to_string() != e.to_string() {
        return Err("parse_error_bytes differs".into());
    }
    if case["outcome"] == "raised" {
        return documented_difference(case, &e);
    }
    let mut diffs = Vec::new();
    let mut eq = |what: &str, ours: Value, theirs: &Value| {
        if &ours != theirs {
            diffs.push(format!("{what}: {ours} != {theirs}"));
        }
    };
    eq("class", e.class().name().into(), &case["class"]);
    eq("str", e.to_string().into(), &case["str"]);
    eq("repr", e.py_repr().into(), &case["repr"]);
    eq(
        "args",
        Value::Array(e.args().iter().map(common::to_json).collect()),
        &case["args"],
    );
    eq("status_code", e.status_code().into(), &case["status_code"]);
    eq(
        "error_type",
        e.error_type().map(|t| t.value()).into(),
        &case["error_type"],
    );
    if let Some(m) = case.get("message") {
        eq("message", e.message().into(), m);
    }
    let redirect = e.redirect().map(|r| {
        serde_json::json!({
            "slot_id": r.slot_id(), "host": r.host(), "port": r.port(),
            "slot_id_str": r.slot_id().map(|s| s.to_string()), "port_str": r.port().map(|p| p.to_string()),
        })
    });
    eq(
        "redirect",
        redirect.unwrap_or(Value::Null),
        &case["redirect"],
    );
    eq(
        "reply",
        e.reply()
            .map(|r| String::from_utf8_lossy(&r).into_owned())
            .into(),
        &case["input"],
    );
    if diffs.is_empty() {
        Ok(())
    } else {
        Err(diffs.join("; "))
    }
}

#[test]
fn public_corpus() {
    let fx = common::fixture("public_corpus");
    let cases = fx["cases"].as_array().unwrap();
    let mut failures = Vec::new();
    let mut documented = 0;
    for case in cases {
        match check(case) {
            Ok(()) => documented += usize::from(case["outcome"] == "raised"),
            Err(why) => failures.push(format!("{} {:?}: {why}", case["id"], case["input"])),
        }
    }
    let matched = cases.len() - failures.len();
    common::report(&format!(
        "public corpus: {matched}/{} matched ({} identical, {documented} documented differences)",
        cases.len(),
        matched - documented
    ));
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(cases.len(), 133);
}

#[test]
fn lossy_replies_and_digit_limits() {
    // A reply that is not UTF-8: decoded with replacement, redirect read
    // from the decoded text, never attached to a class without one.
    let e = parse_error_bytes(b"MOVED 1 h\xff:2");
    let r = e.redirect().expect("MOVED with a lossy host still parses");
    assert_eq!(
        (r.slot_id(), r.host(), r.port()),
        (Some(1), "h\u{fffd}", Some(2))
    );
    assert_eq!(e.reply().as_deref(), Some(&b"MOVED 1 h\xff:2"[..]));
    assert!(parse_error_bytes(b"ERR 1 h:1\xff").redirect().is_none());

    // CPython's 4,300-digit limit: construct raises it, parse_error keeps the class.
    let payload = format!("{} h:1", "1".repeat(4301));
    let err =
        redis_exceptions::construct("MovedError", &[payload.as_str().into()], &[]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "ValueError: Exceeds the limit (4300 digits) for integer string conversion: \
         value has 4301 digits; use sys.set_int_max_str_digits() to increase the limit"
    );
    let e = parse_error(&format!("MOVED {payload}"));
    assert_eq!(e.class().name(), "MovedError");
    assert!(e.redirect().is_none());
    assert!(classify(format!("MOVED {payload}").as_bytes())
        .redirect()
        .is_none());
}
