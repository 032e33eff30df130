//! The table of releases, `src/class/releases.txt`, against the crate
//! (the constants build.rs makes from it) and against redis-py itself:
//! each row's parser columns must be what the release's fixtures
//! (`tests/fixtures/releases/redis-py-<pinned>/replies.json`, made under
//! that pip release) show.

use std::collections::BTreeMap;
use std::path::PathBuf;

use redis_exceptions::{RedisPy, ValkeyPy};
use serde_json::Value;

struct Row {
    client: String,
    release: String,
    pinned: String,
    parse_error: String,
    inits: String,
    cluster: String,
    fork: String,
    uses: Vec<String>,
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The rows, read as the scripts read them: spaces between columns, `#`
/// comments.
fn rows() -> Vec<Row> {
    let text = std::fs::read_to_string(root().join("src/class/releases.txt")).unwrap();
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            assert_eq!(f.len(), 8, "{l}");
            Row {
                client: f[0].into(),
                release: f[1].into(),
                pinned: f[2].into(),
                parse_error: f[3].into(),
                inits: f[4].into(),
                cluster: f[5].into(),
                fork: f[6].into(),
                uses: f[7].split(',').map(String::from).collect(),
            }
        })
        .collect()
}

fn replies(row: &Row) -> Value {
    let path = root().join(format!(
        "tests/fixtures/releases/{}-{}/replies.json",
        row.client, row.pinned
    ));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    serde_json::from_str(&text).unwrap()
}

/// The base parser's record of the first case whose input is `input`.
fn case<'a>(fx: &'a Value, input: &str) -> &'a Value {
    &fx["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["input"] == input)
        .unwrap_or_else(|| panic!("no case {input:?}"))["base"]
}

#[test]
fn the_constants_are_the_rows() {
    let rows = rows();
    let redis: Vec<&Row> = rows.iter().filter(|r| r.client == "redis-py").collect();
    let valkey: Vec<&Row> = rows.iter().filter(|r| r.client == "valkey-py").collect();
    assert_eq!(redis.len() + valkey.len(), rows.len());

    let ours: Vec<(String, &str)> = RedisPy::ALL
        .iter()
        .map(|r| (format!("{}.{}", r.major(), r.minor()), r.__pinned()))
        .collect();
    let table: Vec<(String, &str)> = redis
        .iter()
        .map(|r| (r.release.clone(), r.pinned.as_str()))
        .collect();
    assert_eq!(ours, table);
    assert_eq!(Some(&RedisPy::LATEST), RedisPy::ALL.last());
    assert_eq!(Some(&RedisPy::OLDEST), RedisPy::ALL.first());

    let reference: Vec<&&Row> = redis
        .iter()
        .filter(|r| r.uses.iter().any(|u| u == "reference"))
        .collect();
    assert_eq!(reference.len(), 1, "one reference");
    assert_eq!(
        reference[0].release.parse::<RedisPy>(),
        Ok(RedisPy::REFERENCE)
    );
    assert_eq!(
        redis_exceptions::Parser::REFERENCE.release(),
        RedisPy::REFERENCE
    );

    let ours: Vec<(String, &str, RedisPy)> = ValkeyPy::ALL
        .iter()
        .map(|v| {
            (
                format!("{}.{}", v.major(), v.minor()),
                v.__pinned(),
                v.redis_py(),
            )
        })
        .collect();
    let table: Vec<(String, &str, RedisPy)> = valkey
        .iter()
        .map(|r| {
            (
                r.release.clone(),
                r.pinned.as_str(),
                r.fork.parse().unwrap(),
            )
        })
        .collect();
    assert_eq!(ours, table);
}

/// Each parser column against what the pinned release does: `inits`
/// (does an instance get `error_type`), `parse_error` (is a known code's
/// status kept, and an unknown status word's), `cluster` (does the base
/// parser know MOVED); and one `parse_error` value is one source of
/// redis-py's `BaseParser.parse_error`.
#[test]
fn the_parser_columns_are_what_each_release_does() {
    let mut sources: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for row in rows().iter().filter(|r| r.client == "redis-py") {
        let fx = replies(row);
        let what = format!("redis-py {}", row.pinned);
        assert_eq!(fx["version"], row.pinned.as_str(), "{what}");

        let noscript = case(&fx, "NOSCRIPT No matching script. Please use EVAL.");
        assert_eq!(
            noscript["vars"].get("error_type").is_some(),
            row.inits == "status",
            "{what}: inits"
        );
        assert_eq!(
            noscript["vars"].get("status_code") == Some(&Value::from("NOSCRIPT")),
            row.parse_error != "plain",
            "{what}: parse_error"
        );
        let wrongtype = case(
            &fx,
            "WRONGTYPE Operation against a key holding the wrong kind of value",
        );
        assert_eq!(
            wrongtype["vars"].get("status_code") == Some(&Value::from("WRONGTYPE")),
            row.parse_error == "status-word",
            "{what}: parse_error"
        );
        let moved = case(&fx, "MOVED 3999 127.0.0.1:6381");
        assert_eq!(
            moved["class"] == "redis.exceptions.MovedError",
            row.cluster == "base",
            "{what}: cluster"
        );

        let sha = fx["tables"][0]["parse_error_source_sha256_16"]
            .as_str()
            .unwrap_or("")
            .to_owned();
        let group = sources.entry(row.parse_error.clone()).or_default();
        if !group.contains(&sha) {
            group.push(sha);
        }
    }
    // One `parse_error` value, one source; three values, three sources.
    let all: Vec<&String> = sources.values().flatten().collect();
    assert!(
        sources.values().all(|g| g.len() == 1) && all.len() == sources.len(),
        "{sources:?}"
    );
}
