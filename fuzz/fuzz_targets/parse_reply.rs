//! Fuzzes the server-reply parser: `parse_error_bytes`, `parse_error`,
//! `classify`, `parse_frame`, and everything readable from the result.
//!
//! The input is used three ways: as a reply (the text after `-`), as a raw
//! frame, and wrapped into a RESP2 (`-...\r\n`, when it has no CR/LF) and a
//! RESP3 (`!<len>\r\n...\r\n`) frame. Invariants checked on every input:
//!
//! * nothing panics (Display, Debug, `py_repr`, `getattr`, `redirect()`, ...);
//! * `parse_error_bytes(b).class()` is `classify(b).class()` (same pointer)
//!   and the `status_code`s agree;
//! * the reply is recoverable: `reply()` gives back the input bytes;
//! * class, `status_code` and `str()` follow redis-py's `parse_error` rules
//!   (an independent model over `reply_rules()`);
//! * the framed inputs parse exactly as the bare reply does.
#![no_main]

use std::borrow::Cow;

use libfuzzer_sys::fuzz_target;
use redis_exceptions::{
    classify, frame_payload, parse_error, parse_error_bytes, parse_frame, reply_rules, AskError,
    Class, Error, ExceptionClass, MovedError, PyValue, RedisErrorExt, ResponseError,
};

/// Names `getattr` is probed with besides `redis_exceptions::ATTRIBUTES`.
const PROBES: &[&str] = &["args", ""];

fn exercise(e: &Error) {
    let _ = e.to_string();
    let _ = format!("{e:?}");
    let _ = e.py_repr();
    let _ = (
        e.args(),
        e.message(),
        e.status_code(),
        e.error_type(),
        e.reply_code(),
    );
    let _ = e.lock_name();
    for name in redis_exceptions::ATTRIBUTES.iter().chain(PROBES) {
        let _ = e.getattr(name).map(|v| (v.to_string(), v.py_repr()));
    }
    if let Some(r) = e.redirect() {
        let _ = (
            r.slot_id(),
            r.host(),
            r.port(),
            r.node_addr(),
            r.slot_text(),
            r.port_text(),
        );
        let _ = (r.connect_host(), r.ip(), r.addr(), r.to_string());
    }
    if let Some(m) = e.downcast_ref::<MovedError>() {
        let _ = (m.slot_id(), m.host(), m.port(), m.node_addr());
    }
    if let Some(a) = e.downcast_ref::<AskError>() {
        let _ = (a.slot_id(), a.host(), a.port(), a.node_addr());
    }
    let _ = e.clone().to_string();
}

/// redis-py's `BaseParser.parse_error`: class, `status_code`, `str()`.
fn model(response: &str) -> (&'static Class, Option<&'static str>, &str) {
    let error_code = response.split(' ').next().unwrap_or("");
    let mut rules = reply_rules().filter(|r| r.code == error_code).peekable();
    let Some(first) = rules.peek().copied() else {
        return (ResponseError::CLASS, None, response);
    };
    let rest = response.get(error_code.len() + 1..).unwrap_or("");
    let class = if first.message.is_some() {
        rules
            .find(|r| r.message == Some(rest))
            .map_or(ResponseError::CLASS, |r| r.class)
    } else {
        first.class
    };
    (class, Some(first.code), rest)
}

/// Class name, `status_code`, `str()`, `args` and `reply()` of an error.
type Observed<'a> = (
    &'static str,
    Option<&'a str>,
    String,
    &'a [PyValue],
    Option<Cow<'a, [u8]>>,
);

fn observe(e: &Error) -> Observed<'_> {
    (
        e.class().name(),
        e.status_code(),
        e.to_string(),
        e.args(),
        e.reply(),
    )
}

/// The invariants of one parsed reply `b`.
fn check(b: &[u8], e: &Error) {
    exercise(e);
    let c = classify(b);
    assert!(
        std::ptr::eq(e.class(), c.class()),
        "class: parse {} vs classify {}",
        e.class().name(),
        c.class().name()
    );
    assert_eq!(e.status_code(), c.status_code(), "status_code");
    assert_eq!(e.reply().as_deref(), Some(b), "reply not recoverable");
    assert_eq!(
        String::from_utf8_lossy(c.message()),
        e.to_string(),
        "message"
    );
    if let Some(r) = c.redirect() {
        assert_eq!(e.redirect(), Some(r), "redirect");
    }
    let text = String::from_utf8_lossy(b);
    let (class, code, str_) = model(&text);
    assert!(
        std::ptr::eq(e.class(), class),
        "class: parse {} vs model {}",
        e.class().name(),
        class.name()
    );
    assert_eq!(e.status_code(), code, "status_code vs model");
    assert_eq!(e.to_string(), str_, "str vs model");
}

fuzz_target!(|data: &[u8]| {
    // As a reply.
    let e = parse_error_bytes(data);
    check(data, &e);
    let c = classify(data);
    let _ = (c.reply_code(), c.message(), c.is_a::<AskError>());
    if let Some(r) = c.redirect() {
        let _ = (
            r.slot_id(),
            r.host(),
            r.port(),
            r.addr(),
            r.ip(),
            r.to_string(),
        );
    }
    if let Ok(text) = std::str::from_utf8(data) {
        let t = parse_error(text);
        check(data, &t);
        assert_eq!(observe(&t), observe(&e), "text vs bytes");
    }

    // As a raw frame.
    match parse_frame(data) {
        Ok(f) => {
            let payload = frame_payload(data).expect("parse_frame Ok but frame_payload Err");
            check(payload, &f);
        }
        Err(err) => {
            let _ = (err.to_string(), format!("{err:?}"));
        }
    }

    // Wrapped in frames: same error as the bare reply.
    if !data.iter().any(|&b| b == b'\r' || b == b'\n') {
        let frame = [b"-", data, b"\r\n"].concat();
        let f = parse_frame(&frame).expect("RESP2 frame refused");
        check(data, &f);
        assert_eq!(observe(&f), observe(&e), "RESP2 frame vs reply");
    }
    let frame = [format!("!{}\r\n", data.len()).as_bytes(), data, b"\r\n"].concat();
    let f = parse_frame(&frame).expect("RESP3 frame refused");
    check(data, &f);
    assert_eq!(observe(&f), observe(&e), "RESP3 frame vs reply");
});
