//! Property tests of the reply parser over arbitrary byte strings.
//!
//! The generators mix plain random bytes with inputs biased toward the shapes
//! that matter: the codes of redis-py's table (and near misses) followed by
//! random payloads, `ERR` sub-messages, redirect-like payloads built from
//! digits, colons, brackets, spaces and tabs, invalid UTF-8 and long strings.
//!
//! Every property runs `PROPTEST_CASES` cases (default 1024); failures are
//! shrunk but not persisted to disk.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::OnceLock;

use proptest::prelude::*;
use proptest::test_runner::Config;
use redis_exceptions::{
    classify, construct, frame_payload, parse_error, parse_error_bytes, parse_frame, AskError,
    Class, Error, ExceptionClass, MovedError, PyValue, RedisErrorExt, ResponseError,
};

// ---------------------------------------------------------------------------
// Generators
// ---------------------------------------------------------------------------

/// Every code of the table plus near misses and other real server codes.
const CODES: &[&str] = &[
    "ERR",
    "OOM",
    "WRONGPASS",
    "EXECABORT",
    "LOADING",
    "NOSCRIPT",
    "READONLY",
    "NOAUTH",
    "NOPERM",
    "ASK",
    "TRYAGAIN",
    "MOVED",
    "CLUSTERDOWN",
    "CROSSSLOT",
    "MASTERDOWN",
    // near misses and codes redis-py does not map
    "",
    "ER",
    "ERROR",
    "err",
    "Err",
    "MOVEDX",
    "ASKING",
    "moved",
    "-ERR",
    "WRONGTYPE",
    "BUSY",
    "NOGROUP",
    "\u{c9}RR",
    "ERR\t",
    "MOVED\u{0}",
];

/// Separators between the code and the payload.
const SEPARATORS: &[&str] = &[" ", "", "  ", "\t", " \t", "\r\n", " \u{a0}"];

/// Pieces redirect-like payloads are made of.
const PIECES: &[&str] = &[
    "0",
    "1",
    "9",
    "3999",
    "16383",
    "65535",
    "65536",
    "99999999999999999999",
    "-1",
    "+7",
    "0_1",
    "1__0",
    "_",
    "\u{663}\u{669}",
    ":",
    "::",
    "[",
    "]",
    "[::1]",
    "::1",
    " ",
    "  ",
    "\t",
    "\u{a0}",
    "\u{2003}",
    "\u{1c}",
    "127.0.0.1",
    "h",
    "host.example",
    "\u{fffd}",
    "\u{e9}",
    "x",
    "\r",
    "\n",
];

/// Raw byte snippets, many of them invalid UTF-8.
const RAW: &[&[u8]] = &[
    b"\xff",
    b"\xfe",
    b"\xc3",
    b"\xc3\xa9",
    b"\xe2\x82",
    b"\xf0\x9f\x9a\x80",
    b"\xf0\x9f",
    b"\x80",
    b"\xed\xa0\x80",
    b"\xc0\xaf",
    b"\x00",
    b" ",
    b":",
    b"1",
    b"\r",
    b"\n",
];

/// The release whose `EXCEPTION_CLASSES` the model reads: the reference
/// (`redis-py-X.Y.Z`).
fn model_release() -> String {
    format!(
        "redis-py-{}",
        redis_exceptions::RedisPy::REFERENCE.__pinned()
    )
}

/// What `EXCEPTION_CLASSES` maps a code to: a class, or (`ERR`) a table of
/// exact messages.
enum Entry {
    Class(&'static Class),
    ByMessage(HashMap<String, &'static Class>),
}

/// redis-py's `BaseParser.EXCEPTION_CLASSES`, read from the release fixture
/// (`tests/fixtures/releases/<the reference>/replies.json`, dumped by
/// running that redis-py), not from the crate's own table.
fn exception_classes() -> &'static HashMap<String, Entry> {
    static TABLE: OnceLock<HashMap<String, Entry>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let path = format!(
            "{}/tests/fixtures/releases/{}/replies.json",
            env!("CARGO_MANIFEST_DIR"),
            model_release()
        );
        let text = std::fs::read_to_string(&path).expect("the release fixture");
        let json: serde_json::Value = serde_json::from_str(&text).expect("JSON");
        let table = json["tables"]
            .as_array()
            .expect("tables")
            .iter()
            .find(|t| t["owner"] == "redis._parsers.base.BaseParser")
            .expect("BaseParser's table");
        let class = |qualname: &serde_json::Value| -> &'static Class {
            let q = qualname.as_str().expect("a qualified name");
            let (module, name) = q.rsplit_once('.').expect("module.Name");
            assert_eq!(module, "redis.exceptions", "{q}");
            Class::by_name(name).unwrap_or_else(|| panic!("{q} is a class of the crate"))
        };
        table["table"]
            .as_object()
            .expect("code -> class")
            .iter()
            .map(|(code, target)| {
                let entry = match target.as_object() {
                    Some(messages) => Entry::ByMessage(
                        messages
                            .iter()
                            .map(|(m, q)| (m.clone(), class(q)))
                            .collect(),
                    ),
                    None => Entry::Class(class(target)),
                };
                (code.clone(), entry)
            })
            .collect()
    })
}

/// The exact `ERR` messages of the fixture's table.
fn err_messages() -> Vec<&'static str> {
    exception_classes()
        .values()
        .flat_map(|e| match e {
            Entry::ByMessage(m) => m.keys().map(String::as_str).collect(),
            Entry::Class(_) => Vec::new(),
        })
        .collect()
}

fn piece() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        4 => prop::sample::select(PIECES).prop_map(|s| s.as_bytes().to_vec()),
        2 => prop::sample::select(RAW).prop_map(<[u8]>::to_vec),
        1 => prop::collection::vec(any::<u8>(), 0..4),
    ]
}

/// A payload: random bytes, an `ERR` sub-message (maybe altered), or pieces.
fn payload() -> impl Strategy<Value = Vec<u8>> {
    let messages = err_messages();
    prop_oneof![
        3 => prop::collection::vec(any::<u8>(), 0..48),
        2 => prop::collection::vec(piece(), 0..10).prop_map(|p| p.concat()),
        2 => (prop::sample::select(messages), 0usize..4, piece()).prop_map(|(m, how, extra)| {
            let mut m = m.as_bytes().to_vec();
            match how {
                0 => {}
                1 => m.extend_from_slice(&extra),
                2 => {
                    m.splice(0..0, extra);
                }
                _ => {
                    let at = extra.len() % (m.len() + 1);
                    m.splice(at..at, extra);
                }
            }
            m
        }),
        2 => redirect_ish(),
        1 => (any::<u8>(), 256usize..4096).prop_map(|(b, n)| vec![b; n]),
        1 => prop::collection::vec(any::<u8>(), 256..2048),
    ]
}

/// `<slot> <host>:<port>`, mostly well formed, sometimes not.
fn redirect_ish() -> impl Strategy<Value = Vec<u8>> {
    (
        piece(),
        piece(),
        prop::sample::select(&[" ", "  ", "\t", ""][..]),
        piece(),
        piece(),
    )
        .prop_map(|(slot, host, sep, colon_or_not, port)| {
            let mut v = slot;
            v.extend_from_slice(sep.as_bytes());
            v.extend_from_slice(&host);
            if colon_or_not.len() % 3 != 0 {
                v.push(b':');
            }
            v.extend_from_slice(&port);
            v
        })
}

/// Replies of any shape.
fn reply() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        3 => prop::collection::vec(any::<u8>(), 0..64),
        6 => (prop::sample::select(CODES), prop::sample::select(SEPARATORS), payload()).prop_map(
            |(code, sep, payload)| {
                let mut v = code.as_bytes().to_vec();
                v.extend_from_slice(sep.as_bytes());
                v.extend_from_slice(&payload);
                v
            }
        ),
        1 => prop::sample::select(CODES).prop_map(|c| c.as_bytes().to_vec()),
        1 => prop::collection::vec(any::<u8>(), 512..8192),
    ]
}

/// Replies as text: valid UTF-8 versions of [`reply`] and arbitrary strings.
fn reply_text() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => reply().prop_map(|b| String::from_utf8_lossy(&b).into_owned()),
        1 => any::<String>(),
    ]
}

fn config() -> Config {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(1024);
    Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    }
}

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

/// Names `getattr` is probed with besides `redis_exceptions::ATTRIBUTES`.
const PROBES: &[&str] = &["args", "node_addr", "", "MESSAGE", "__class__"];

/// Touches every read-only accessor of an error (panics are the failure).
fn exercise(e: &Error) {
    let _ = e.to_string();
    let _ = format!("{e:?}");
    let _ = e.py_repr();
    let _ = e.args();
    let _ = e.message();
    let _ = e.status_code();
    let _ = e.error_type();
    let _ = e.reply_code();
    let _ = e.reply();
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
    let _ = e.is_a::<ResponseError>();
    let _ = e.clone();
}

fn exercise_classified(b: &[u8]) {
    let c = classify(b);
    let _ = (
        c.class(),
        c.status_code(),
        c.message(),
        c.reply_code(),
        c.reply(),
    );
    let _ = c.is_a::<AskError>();
    if let Some(r) = c.redirect() {
        let _ = (
            r.slot_id(),
            r.host(),
            r.port(),
            r.node_addr(),
            r.addr(),
            r.ip(),
            r.to_string(),
        );
    }
}

fn resp2(s: &[u8]) -> Vec<u8> {
    [b"-", s, b"\r\n"].concat()
}

fn resp3(s: &[u8]) -> Vec<u8> {
    [format!("!{}\r\n", s.len()).as_bytes(), s, b"\r\n"].concat()
}

fn same_class(a: &'static Class, b: &'static Class) -> bool {
    std::ptr::eq(a, b)
}

/// The observable result of parsing, for comparing two errors.
fn observe(
    e: &Error,
) -> (
    &'static str,
    Option<String>,
    String,
    Vec<PyValue>,
    Option<Vec<u8>>,
) {
    (
        e.class().name(),
        e.status_code().map(str::to_owned),
        e.to_string(),
        e.args().to_vec(),
        e.reply().map(Cow::into_owned),
    )
}

/// redis-py's `BaseParser.parse_error`, written independently of the
/// crate, over the table redis-py itself holds (the release fixture): the
/// class, `status_code` and `str()` it gives for `response`.
fn model(response: &str) -> (&'static Class, Option<&str>, String) {
    // error_code = response.split(" ")[0]
    let error_code = response.split(' ').next().unwrap_or("");
    let Some(entry) = exception_classes().get(error_code) else {
        // status_code = error_code if _ERROR_CODE_PATTERN.fullmatch(error_code) else None
        // with _ERROR_CODE_PATTERN = re.compile(r"[A-Z][A-Z0-9_]{0,63}")
        let mut chars = error_code.chars();
        let fullmatch = chars.next().is_some_and(|c| c.is_ascii_uppercase())
            && error_code.chars().count() <= 64
            && chars.all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
        // (from redis-py 8.2 on; before it, None)
        let kept =
            fullmatch && redis_exceptions::RedisPy::REFERENCE >= redis_exceptions::RedisPy::V8_2;
        return (
            ResponseError::CLASS,
            kept.then_some(error_code),
            response.to_owned(),
        );
    };
    // response = response[len(error_code) + 1 :]
    let rest = response.get(error_code.len() + 1..).unwrap_or("");
    let class = match entry {
        Entry::Class(class) => class,
        // exception_class.get(response, ResponseError)
        Entry::ByMessage(messages) => messages.get(rest).copied().unwrap_or(ResponseError::CLASS),
    };
    (class, Some(error_code), rest.to_owned())
}

fn check_model(input: &str, e: &Error) -> Result<(), TestCaseError> {
    let (class, code, text) = model(input);
    prop_assert!(
        same_class(e.class(), class),
        "class {} != model {} for {:?}",
        e.class().name(),
        class.name(),
        input
    );
    prop_assert_eq!(e.status_code(), code, "status_code for {:?}", input);
    prop_assert_eq!(e.to_string(), text.clone(), "str for {:?}", input);
    prop_assert_eq!(e.args(), &[PyValue::Str(text)][..], "args for {:?}", input);
    Ok(())
}

fn check_agreement(b: &[u8], e: &Error) -> Result<(), TestCaseError> {
    let c = classify(b);
    prop_assert!(
        same_class(e.class(), c.class()),
        "parse {} != classify {} for {:?}",
        e.class().name(),
        c.class().name(),
        String::from_utf8_lossy(b)
    );
    prop_assert_eq!(e.status_code(), c.status_code());
    let recovered = e.reply();
    prop_assert_eq!(recovered.as_deref(), Some(b), "reply not recoverable");
    prop_assert_eq!(
        String::from_utf8_lossy(c.message()).into_owned(),
        e.to_string(),
        "classify message vs str"
    );
    if let Some(r) = c.redirect() {
        let er = e.redirect();
        prop_assert_eq!(er, Some(r), "classify redirect vs error redirect");
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------

proptest! {
    #![proptest_config(config())]

    /// Nothing panics, whatever the bytes, through every entry point.
    #[test]
    fn no_panic(b in reply()) {
        let e = parse_error_bytes(&b);
        exercise(&e);
        exercise_classified(&b);
        let s = String::from_utf8_lossy(&b);
        exercise(&parse_error(&s));
        for frame in [b.clone(), resp2(&b), resp3(&b), [b"!", &b[..]].concat()] {
            let _ = frame_payload(&frame);
            match parse_frame(&frame) {
                Ok(e) => exercise(&e),
                Err(err) => {
                    let _ = (err.to_string(), format!("{err:?}"));
                }
            }
        }
    }

    /// `parse_error_bytes` and `classify` agree, and the bytes come back.
    #[test]
    fn bytes_agree_with_classify(b in reply()) {
        let e = parse_error_bytes(&b);
        check_agreement(&b, &e)?;
    }

    /// `parse_error` and `classify` agree, and the text comes back.
    #[test]
    fn text_agrees_with_classify(s in reply_text()) {
        let e = parse_error(&s);
        check_agreement(s.as_bytes(), &e)?;
        // Valid UTF-8 given as bytes parses the same.
        prop_assert_eq!(observe(&parse_error_bytes(s.as_bytes())), observe(&e));
    }

    /// Class, `status_code` and `str()` follow redis-py's rules.
    #[test]
    fn matches_model(b in reply()) {
        let text = String::from_utf8_lossy(&b);
        check_model(&text, &parse_error_bytes(&b))?;
        check_model(&text, &parse_error(&text))?;
    }

    /// A RESP2 simple error frame parses as its text does.
    #[test]
    fn resp2_frame(b in reply()) {
        let s: Vec<u8> = b.into_iter().filter(|&c| c != b'\r' && c != b'\n').collect();
        let frame = resp2(&s);
        prop_assert_eq!(frame_payload(&frame), Ok(&s[..]));
        let e = parse_frame(&frame).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let direct = parse_error_bytes(&s);
        prop_assert!(same_class(e.class(), direct.class()));
        prop_assert_eq!(observe(&e), observe(&direct));
        check_agreement(&s, &e)?;
    }

    /// A RESP3 blob error frame parses as its payload does, any payload.
    #[test]
    fn resp3_frame(b in reply()) {
        let frame = resp3(&b);
        prop_assert_eq!(frame_payload(&frame), Ok(&b[..]));
        let e = parse_frame(&frame).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let direct = parse_error_bytes(&b);
        prop_assert!(same_class(e.class(), direct.class()));
        prop_assert_eq!(observe(&e), observe(&direct));
        check_agreement(&b, &e)?;
    }

    /// A RESP2 frame holding CR or LF inside, or a blob with the wrong
    /// length, is refused rather than misread.
    #[test]
    fn bad_frames_refused(b in reply(), extra in 1usize..4) {
        if b.iter().any(|&c| c == b'\r' || c == b'\n') {
            prop_assert!(parse_frame(&resp2(&b)).is_err());
        }
        let wrong = [format!("!{}\r\n", b.len() + extra).as_bytes(), &b[..], b"\r\n"].concat();
        prop_assert!(parse_frame(&wrong).is_err());
        // A frame cut short is never read as a whole one.
        let whole = resp3(&b);
        for cut in [1, 2, 3] {
            prop_assert!(parse_frame(&whole[..whole.len() - cut]).is_err());
        }
    }

    /// Valid `MOVED`/`ASK` payloads give back their slot, host and port,
    /// with the host split at the last colon.
    #[test]
    fn redirect_parts(
        moved in any::<bool>(),
        slot in any::<u16>(),
        port in any::<u16>(),
        host in "[^ ]{0,40}",
        slot_style in 0usize..5,
        port_style in 0usize..5,
    ) {
        let style = |n: u16, how: usize| match how {
            0 | 1 => n.to_string(),
            2 => format!("{n:06}"),
            3 => format!("+{n}"),
            _ => format!("\t{n}\t"),
        };
        let code = if moved { "MOVED" } else { "ASK" };
        let payload = format!("{} {host}:{}", style(slot, slot_style), style(port, port_style));
        let reply = format!("{code} {payload}");
        let check = |e: &Error| -> Result<(), TestCaseError> {
            let right_class = if moved { e.is::<MovedError>() } else { e.is::<AskError>() };
            prop_assert!(right_class);
            prop_assert_eq!(e.status_code(), Some(code));
            prop_assert_eq!(e.to_string(), payload.clone());
            let r = e.redirect().ok_or_else(|| TestCaseError::fail("no redirect"))?;
            prop_assert_eq!(r.slot_id(), Some(slot));
            prop_assert_eq!(r.host(), host.as_str());
            prop_assert_eq!(r.port(), Some(port));
            prop_assert_eq!(r.node_addr(), Some((host.as_str(), port)));
            prop_assert_eq!(e.getattr("slot_id"), Some(PyValue::Int(slot.into())));
            prop_assert_eq!(e.getattr("host"), Some(PyValue::from(host.as_str())));
            prop_assert_eq!(e.getattr("port"), Some(PyValue::Int(port.into())));
            let recovered = e.reply();
            prop_assert_eq!(recovered.as_deref(), Some(reply.as_bytes()));
            Ok(())
        };
        check(&parse_error(&reply))?;
        check(&parse_error_bytes(reply.as_bytes()))?;
        check(&parse_frame(&resp3(reply.as_bytes())).map_err(|e| TestCaseError::fail(e.to_string()))?)?;
        if !reply.contains(['\r', '\n']) {
            check(&parse_frame(&resp2(reply.as_bytes())).map_err(|e| TestCaseError::fail(e.to_string()))?)?;
        }
        let c = classify(reply.as_bytes());
        prop_assert_eq!(c.status_code(), Some(code));
        let r = c.redirect().ok_or_else(|| TestCaseError::fail("classify: no redirect"))?;
        prop_assert_eq!((r.slot_id(), r.host(), r.port()), (Some(slot), host.as_str(), Some(port)));
        if moved {
            let m = parse_error(&reply).downcast::<MovedError>().map_err(|_| TestCaseError::fail("not MovedError"))?;
            prop_assert_eq!((m.slot_id(), m.host(), m.port()), (Some(slot), Some(host.as_str()), Some(port)));
        }
    }

    /// A redirect whose host bytes are not UTF-8: the error reads the
    /// decoded payload as redis-py does; `classify` (borrowing the bytes)
    /// has no redirect to give.
    #[test]
    fn redirect_invalid_utf8_host(
        slot in any::<u16>(),
        port in any::<u16>(),
        host in prop::collection::vec(any::<u8>().prop_filter("no space", |&b| b != b' '), 0..24),
    ) {
        let reply = [format!("MOVED {slot} ").as_bytes(), &host, format!(":{port}").as_bytes()].concat();
        let e = parse_error_bytes(&reply);
        prop_assert!(e.is::<MovedError>());
        let decoded = String::from_utf8_lossy(&host);
        let r = e.redirect().ok_or_else(|| TestCaseError::fail("no redirect"))?;
        prop_assert_eq!((r.slot_id(), r.host(), r.port()), (Some(slot), &*decoded, Some(port)));
        let recovered = e.reply();
        prop_assert_eq!(recovered.as_deref(), Some(&reply[..]));
        let c = classify(&reply);
        prop_assert!(same_class(c.class(), MovedError::CLASS));
        prop_assert_eq!(c.redirect().is_some(), std::str::from_utf8(&host).is_ok());
    }
}

/// The public corpus (redis-py's own answers) passes the same checks.
#[test]
fn corpus_inputs_hold_the_properties() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/public_corpus.json"
    ))
    .expect("corpus fixture");
    let corpus: serde_json::Value = serde_json::from_str(&text).expect("corpus json");
    let cases = corpus["cases"].as_array().expect("cases");
    assert!(!cases.is_empty());
    for case in cases {
        let input = case["input"].as_str().expect("input");
        let e = parse_error(input);
        exercise(&e);
        check_agreement(input.as_bytes(), &e).unwrap();
        check_model(input, &e).unwrap();
        if case["outcome"] == "returned" {
            assert_eq!(e.class().name(), case["class"], "{input:?}");
            assert_eq!(e.to_string(), case["str"], "{input:?}");
        }
        let frame = resp3(input.as_bytes());
        assert_eq!(observe(&parse_frame(&frame).unwrap()), observe(&e));
    }
}

/// CPython's `int()` strips only ASCII whitespace (` \t\n\v\f\r`) and
/// non-ASCII Unicode whitespace; U+001C..U+001F, though `str.isspace()`,
/// make it raise. redis-py 8.2 on Python 3.11:
/// `MovedError("\x1c1 h:1")` raises
/// `ValueError: invalid literal for int() with base 10: '\x1c1'`.
#[test]
fn int_does_not_strip_information_separators() {
    for payload in [
        "\u{1c}1 h:1",
        "1 h:1\u{1f}",
        "\u{1d}\u{661} h:1",
        "1 h:\u{a0}1\u{1e}",
    ] {
        let e = parse_error(&format!("MOVED {payload}"));
        assert!(e.is::<MovedError>());
        assert!(e.redirect().is_none(), "{payload:?}: {:?}", e.redirect());
        let err = construct("MovedError", &[payload.into()], &[]).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("ValueError: invalid literal for int()"),
            "{err}"
        );
    }
    // Whitespace int() does strip.
    for payload in ["\u{b}1 h:1", "\u{85}1 h:1\u{a0}", "\u{3000}1 h:1"] {
        assert_eq!(
            parse_error(&format!("MOVED {payload}"))
                .redirect()
                .and_then(|r| r.slot_id()),
            Some(1)
        );
    }
}

/// Long redirects (a node over 64 bytes, whose last colon is found a block
/// at a time): fixed payloads around the block edges, with more colons in
/// the host (IPv6-like), in the first or the last block, or none at all.
/// The expected host and port are those the payload was built from
/// (`host, port = new_node.rsplit(":", 1)`).
#[test]
fn long_redirects_fixed_cases() {
    let mut checked = 0;
    for node_len in [
        64usize, 65, 66, 127, 128, 129, 130, 191, 192, 193, 200, 4100,
    ] {
        for port in ["1", "6381", "65535", "0007", ""] {
            let Some(host_len) = node_len.checked_sub(1 + port.len()) else {
                continue;
            };
            // Colons inside the host, by offset: none, the first byte, the
            // byte before the last colon, across the first block edge.
            for extra in [&[][..], &[0], &[62, 63, 64], &[1, 65, 127, 128]] {
                let mut host = vec![b'h'; host_len];
                for &at in extra {
                    if let Some(b) = host.get_mut(at) {
                        *b = b':';
                    }
                }
                if let Some(last) = host.last_mut() {
                    // The same with a colon right before the port's.
                    if extra.len() == 1 {
                        *last = b':';
                    }
                }
                let host = String::from_utf8(host).unwrap();
                let reply = format!("MOVED 3999 {host}:{port}");
                let c = classify(reply.as_bytes());
                assert!(same_class(c.class(), MovedError::CLASS), "{reply:.80}");
                let e = parse_error_bytes(reply.as_bytes());
                let expected_port: Option<u16> = port.parse().ok();
                match expected_port {
                    Some(p) => {
                        let r = c.redirect().expect("a redirect");
                        assert_eq!(
                            (r.slot_id(), r.host(), r.port()),
                            (Some(3999), host.as_str(), Some(p)),
                            "{reply:.80}"
                        );
                        let r = e.redirect().expect("a redirect");
                        assert_eq!((r.host(), r.port()), (host.as_str(), Some(p)));
                    }
                    // `int('')` raises: redis-py has no redirect to give.
                    None => {
                        assert!(c.redirect().is_none(), "{reply:.80}");
                        assert!(e.redirect().is_none(), "{reply:.80}");
                    }
                }
                checked += 1;
            }
        }
    }
    // A long node without any colon, and one whose only colon is in its
    // first block, far from the end.
    let no_colon = format!("MOVED 1 {}", "h".repeat(300));
    assert!(classify(no_colon.as_bytes()).redirect().is_none());
    let early = format!("MOVED 1 h:{}", "7".repeat(300));
    let r = classify(early.as_bytes()).redirect().expect("a redirect");
    assert_eq!((r.host(), r.port_text().len(), r.port()), ("h", 300, None));
    assert!(checked > 200, "{checked}");
}
