//! Every redis-py release covered, against what that release itself does
//! (`tests/fixtures/releases/redis-py-X.Y.Z/`, made by
//! `scripts/fixtures/all_releases.sh` under a venv with that pip release):
//! the classes that exist, their bases, MROs and every `issubclass` pair,
//! and the class, `args` and `str()` its base parser and its cluster
//! client's parser give for every reply of the corpus.

mod common;

use std::collections::BTreeSet;
use std::path::PathBuf;

use redis_exceptions::{Class, RedisErrorExt, RedisPy};
use serde_json::Value;

/// Every redis-py fixture directory, with its release.
fn releases() -> Vec<(String, RedisPy, PathBuf)> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/releases");
    let mut out: Vec<_> = std::fs::read_dir(&root)
        .expect("tests/fixtures/releases")
        .map(|e| e.expect("an entry").path())
        .filter_map(|dir| {
            let name = dir.file_name()?.to_str()?.to_owned();
            let version = name.strip_prefix("redis-py-")?.to_owned();
            let release: RedisPy = version.parse().expect("a covered release");
            Some((version, release, dir))
        })
        .collect();
    out.sort_by_key(|(_, r, _)| *r);
    out
}

fn load(dir: &std::path::Path, file: &str) -> Value {
    let text = std::fs::read_to_string(dir.join(file)).expect("a fixture file");
    serde_json::from_str(&text).expect("JSON")
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .expect("a list")
        .iter()
        .map(|s| s.as_str().expect("a string").to_owned())
        .collect()
}

fn qualified(classes: &[&'static Class]) -> Vec<String> {
    classes.iter().map(|c| c.qualified_name()).collect()
}

#[test]
fn every_release_is_covered_and_nothing_else() {
    let found: Vec<RedisPy> = releases().iter().map(|(_, r, _)| *r).collect();
    assert_eq!(found, RedisPy::ALL, "one fixture set per covered release");
    for (version, release, _) in releases() {
        assert_eq!(version.parse::<RedisPy>(), Ok(release));
    }
    let refused = "4.6.0".parse::<RedisPy>().unwrap_err().to_string();
    assert_eq!(
        refused,
        "redis-py 4.6 is not supported: this crate covers redis-py 5.0 to 8.2"
    );
    for bad in [
        "", "8", "8.", "8.2.", "8.2.1.1", "v8.2", "8.2rc1", "8.x", "99999.2",
    ] {
        let e = bad.parse::<RedisPy>().unwrap_err().to_string();
        assert!(e.contains("5.0 to 8.2"), "{bad:?}: {e}");
    }
}

#[test]
fn classes_bases_mros_and_issubclass_per_release() {
    let mut lines = Vec::new();
    for (version, release, dir) in releases() {
        let fx = load(&dir, "classes.json");
        let records = fx["classes"].as_array().expect("classes");
        let theirs: BTreeSet<String> = records
            .iter()
            .map(|c| c["qualname"].as_str().unwrap().to_owned())
            .collect();
        let ours: BTreeSet<String> = Class::all()
            .filter(|c| c.exists_in(release) && c.module() != "builtins")
            .map(Class::qualified_name)
            .collect();
        assert_eq!(ours, theirs, "redis-py {version}: the classes");
        let mut pairs = 0;
        for c in records {
            let name = c["qualname"].as_str().unwrap();
            let class = Class::by_qualified_name(name).unwrap();
            assert_eq!(
                qualified(class.bases()),
                strings(&c["bases"]),
                "{version} {name}"
            );
            assert_eq!(
                qualified(class.mro()),
                strings(&c["mro"]),
                "{version} {name}"
            );
            let supers = strings(&c["subclass_of"]);
            for other in Class::all().filter(|o| o.exists_in(release)) {
                let want = supers.contains(&other.qualified_name());
                assert_eq!(
                    class.is_subclass_of(other),
                    want,
                    "redis-py {version}: issubclass({name}, {})",
                    other.qualified_name()
                );
                pairs += 1;
            }
        }
        lines.push(format!(
            "redis-py {version}: {} classes, {pairs} issubclass pairs",
            records.len()
        ));
    }
    common::report(&lines.join("; "));
}

/// The class, `args` and `str()` of one parse, or `None` for a reply that
/// makes redis-py raise (a malformed redirect: difference 1).
fn outcome(record: &Value) -> Option<(String, Vec<Value>, String)> {
    if record.get("raised").is_some() {
        return None;
    }
    Some((
        record["class"].as_str().unwrap().to_owned(),
        record["args"].as_array().unwrap().clone(),
        record["str"].as_str().unwrap().to_owned(),
    ))
}

fn ours(e: &redis_exceptions::Error) -> (String, Vec<Value>, String) {
    (
        e.class().qualified_name(),
        e.args().iter().map(common::to_json).collect(),
        e.to_string(),
    )
}

#[test]
fn corpus_per_release_and_parser() {
    let mut lines = Vec::new();
    for (version, release, dir) in releases() {
        let fx = load(&dir, "replies.json");
        let mut matched = [0usize; 2];
        let mut raised = 0;
        for case in fx["cases"].as_array().expect("cases") {
            let input = case["input"].as_str().unwrap();
            let id = case["id"].as_str().unwrap();
            // The cluster client's parser: its own record, or (from 6.0,
            // `null`) the base parser's.
            let cluster = if case["cluster"].is_null() {
                &case["base"]
            } else {
                &case["cluster"]
            };
            for (k, (parser, record)) in [
                (release.parser(), &case["base"]),
                (release.cluster(), cluster),
            ]
            .into_iter()
            .enumerate()
            {
                let e = parser.parse_error(input);
                match outcome(record) {
                    Some(want) => {
                        assert_eq!(
                            ours(&e),
                            want,
                            "redis-py {version} {parser:?} {id} {input:?}"
                        );
                        // Bytes in, the same instance out.
                        let b = parser.parse_error_bytes(input.as_bytes());
                        assert_eq!(ours(&b), want, "{version} bytes {id}");
                        assert!(std::ptr::eq(
                            parser.classify(input.as_bytes()).class(),
                            e.class()
                        ));
                        matched[k] += 1;
                    }
                    None => {
                        // redis-py raised ValueError inside the redirect's
                        // `__init__`: the crate keeps the class the code
                        // names, the reply as its message, no redirect.
                        let code = input.split(' ').next().unwrap();
                        let rule = parser.rules().find(|r| r.code == code).unwrap();
                        assert!(std::ptr::eq(e.class(), rule.class), "{version} {id}");
                        assert!(e.redirect().is_none(), "{version} {id}");
                        raised += 1;
                    }
                }
            }
        }
        let total = fx["cases"].as_array().unwrap().len();
        lines.push(format!(
            "redis-py {version}: base {}/{total}, cluster {}/{total} matched, {raised} raise in redis-py (difference 1)",
            matched[0], matched[1]
        ));
    }
    common::report(&lines.join("; "));
}

#[test]
fn the_newest_release_builds_every_class_as_redis_py_does() {
    let (version, release, dir) = releases().pop().unwrap();
    assert_eq!(release, RedisPy::LATEST);
    let fx = load(&dir, "classes.json");
    let mut checked = 0;
    for c in fx["classes"].as_array().unwrap() {
        let name = c["qualname"].as_str().unwrap();
        let class = Class::by_qualified_name(name).unwrap();
        let call = &c["call_m"];
        let result = class.call(&["m".into()], &[]);
        if call["ok"].as_bool().unwrap() {
            let e = result.unwrap_or_else(|err| panic!("{version} {name}('m'): {err}"));
            let args: Vec<Value> = e.args().iter().map(common::to_json).collect();
            assert_eq!(&Value::from(args), &call["args"], "{name} args");
            assert_eq!(e.to_string(), call["str"].as_str().unwrap(), "{name} str");
            assert_eq!(e.py_repr(), call["repr"].as_str().unwrap(), "{name} repr");
            for (attr, value) in call["vars"].as_object().unwrap() {
                let got = e.getattr(attr);
                assert!(got.is_some(), "{name}.{attr} missing");
                if !value.is_object() {
                    assert_eq!(common::to_json(&got.unwrap()), *value, "{name}.{attr}");
                }
            }
        } else {
            let err = result
                .err()
                .unwrap_or_else(|| panic!("{name}('m') should raise"));
            let raised = &call["raised"];
            assert_eq!(
                format!("builtins.{}", err.py_type()),
                raised["type"].as_str().unwrap(),
                "{name}"
            );
            assert_eq!(err.message(), raised["message"].as_str().unwrap(), "{name}");
        }
        checked += 1;
    }
    common::report(&format!(
        "redis-py {version}: Cls('m') matched for {checked} classes"
    ));
}
