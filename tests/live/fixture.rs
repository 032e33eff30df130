//! The captured data (tests/fixtures/live_replies.json) and the text helpers
//! used to compare live replies with it.

use crate::resp::{decode, Value};
use serde_json::Value as Json;
use std::path::{Path, PathBuf};

/// The Redis 7.0.15 capture with redis-py's client verdicts (read by
/// `tests/fred.rs` and `tests/pyo3.rs` too).
pub fn fixture_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("fixtures")
        .join("live_replies.json")
}

/// The replies of one server of the matrix, with redis-py's verdicts
/// (written by `scripts/fixtures/capture_live.sh`).
pub fn server_fixture_path(server: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("fixtures")
        .join("live")
        .join(server)
        .join("replies.json")
}

/// The whole JSON document at `p`.
pub fn load_doc(p: &Path) -> Json {
    let txt = std::fs::read_to_string(p)
        .unwrap_or_else(|e| panic!("cannot read fixture {}: {e}", p.display()));
    serde_json::from_str(&txt)
        .unwrap_or_else(|e| panic!("fixture {} is not JSON: {e}", p.display()))
}

/// The scenario records of `live_replies.json`.
pub fn load_scenarios() -> Vec<Json> {
    load_scenarios_at(&fixture_path())
}

/// The scenario records: the file is either the capture document
/// (`{"scenarios": [...], ...}`) or a bare array of the same records.
pub fn load_scenarios_at(p: &Path) -> Vec<Json> {
    let doc = load_doc(p);
    let list = match &doc {
        Json::Array(a) => a.clone(),
        Json::Object(o) => match o.get("scenarios") {
            Some(Json::Array(a)) => a.clone(),
            _ => panic!("fixture {} has no \"scenarios\" array", p.display()),
        },
        _ => panic!("fixture {} is neither an array nor an object", p.display()),
    };
    assert!(
        !list.is_empty(),
        "fixture {} holds no scenarios",
        p.display()
    );
    list
}

/// Standard base64 with padding, as the fixtures write `raw_reply_b64`.
pub fn b64encode(b: &[u8]) -> String {
    base64::Engine::encode(&base64::engine::general_purpose::STANDARD, b)
}

/// A Python value of the crate as the fixtures write it (`args`).
pub fn py_json(v: &redis_exceptions::PyValue) -> Json {
    use redis_exceptions::PyValue;
    match v {
        PyValue::None => Json::Null,
        PyValue::Str(s) => Json::String(s.clone()),
        PyValue::Int(i) => Json::from(*i),
        PyValue::Bytes(_) => serde_json::json!({ "__bytes_repr__": v.py_repr() }),
    }
}

/// The inverse of [`b64encode`] (Python's `base64.b64encode` output).
pub fn b64decode(s: &str) -> Result<Vec<u8>, String> {
    base64::Engine::decode(&base64::engine::general_purpose::STANDARD, s).map_err(|e| e.to_string())
}

/// What redis-py hands to parse_error: reply minus '-' and the CRLF
/// (UTF-8, invalid bytes replaced), or None when it is not an error reply.
pub fn error_text(reply: &[u8]) -> Option<String> {
    if reply.len() >= 3 && reply[0] == b'-' && reply.ends_with(b"\r\n") {
        Some(String::from_utf8_lossy(&reply[1..reply.len() - 2]).into_owned())
    } else {
        None
    }
}

/// (index, error text) of the error elements of a top-level array reply (EXEC).
pub fn nested_errors(reply: &[u8]) -> Vec<(usize, String)> {
    match decode(reply) {
        Ok(Value::Array(Some(items))) => items
            .iter()
            .enumerate()
            .filter_map(|(i, v)| match v {
                Value::Error(t) => Some((i, String::from_utf8_lossy(t).into_owned())),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// Text with run-dependent parts replaced: `<ip>:<port>` ports, 40-hex
/// identifiers (script SHA1s, cluster node ids) and client ids (`id=N`).
pub fn normalise(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < b.len() {
        // a run of hex digits of exactly 40 characters
        if b[i].is_ascii_hexdigit() && (i == 0 || !b[i - 1].is_ascii_alphanumeric()) {
            let j = (i..b.len())
                .find(|&j| !b[j].is_ascii_hexdigit())
                .unwrap_or(b.len());
            if j - i == 40 && (j == b.len() || !b[j].is_ascii_alphanumeric()) {
                out.push_str("<id40>");
                i = j;
                continue;
            }
        }
        // "host:port" -> "host:<port>" (host = dotted quad or 'localhost')
        if b[i] == b':' && i > 0 && (b[i - 1].is_ascii_digit() || s[..i].ends_with("localhost")) {
            let j = (i + 1..b.len())
                .find(|&j| !b[j].is_ascii_digit())
                .unwrap_or(b.len());
            let host_start = s[..i]
                .rfind(|c: char| !(c.is_ascii_digit() || c == '.' || c.is_ascii_alphabetic()))
                .map_or(0, |k| k + 1);
            let host = &s[host_start..i];
            if j > i + 1 && (host == "localhost" || host.split('.').count() == 4) {
                out.push_str(":<port>");
                i = j;
                continue;
            }
        }
        // "id=<digits>" -> "id=<n>"
        if s[i..].starts_with("id=") && (i == 0 || !b[i - 1].is_ascii_alphanumeric()) {
            let j = (i + 3..b.len())
                .find(|&j| !b[j].is_ascii_digit())
                .unwrap_or(b.len());
            if j > i + 3 {
                out.push_str("id=<n>");
                i = j;
                continue;
            }
        }
        let ch = s[i..].chars().next().expect("in bounds");
        out.push(ch);
        i += ch.len_utf8();
    }
    out
}

/// (slot, host, port) of a MOVED/ASK text, parsed the way redis-py does
/// (`host, port = node.rsplit(":", 1)`), or None when it does not parse.
pub fn redirect_parts(text: &str) -> Option<(i64, String, u16)> {
    let mut it = text.splitn(3, ' ');
    let code = it.next()?;
    if code != "MOVED" && code != "ASK" {
        return None;
    }
    let slot = it.next()?.parse().ok()?;
    let (host, port) = it.next()?.rsplit_once(':')?;
    Some((slot, host.to_string(), port.parse().ok()?))
}

/// JSON field as Option<&str>.
pub fn jstr<'a>(v: &'a Json, k: &str) -> Option<&'a str> {
    v.get(k).and_then(Json::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalise_examples() {
        assert_eq!(
            normalise("MOVED 12568 127.0.0.1:17023"),
            "MOVED 12568 127.0.0.1:<port>"
        );
        assert_eq!(normalise("12568 127.0.0.1:23456"), "12568 127.0.0.1:<port>");
        assert_eq!(
            normalise("ERR x script: 60e6252e19199d82f2bea24345497fd1b735ed32, on @user_script:1."),
            "ERR x script: <id40>, on @user_script:1."
        );
        assert_eq!(normalise("a id=17 b"), "a id=<n> b");
        assert_eq!(
            normalise("user_script:1: unexpected"),
            "user_script:1: unexpected"
        );
        assert_eq!(normalise("ünïcode 1.2.3.4:5"), "ünïcode 1.2.3.4:<port>");
    }

    #[test]
    fn b64_roundtrip() {
        assert_eq!(b64decode("LU1PVkVEDQo=").unwrap(), b"-MOVED\r\n");
        assert_eq!(b64decode("YQ==").unwrap(), b"a");
        assert_eq!(b64decode("YWI=").unwrap(), b"ab");
        assert_eq!(b64decode("YWJj").unwrap(), b"abc");
        for s in [
            &b""[..],
            b"a",
            b"ab",
            b"abc",
            b"-MOVED\r\n",
            &[0xff, 0, 0x80, 7],
        ] {
            assert_eq!(b64decode(&b64encode(s)).unwrap(), s);
        }
        assert_eq!(b64encode(b"-MOVED\r\n"), "LU1PVkVEDQo=");
    }
}
