//! Every redis-py release covered, against what that release itself does
//! (`tests/fixtures/releases/redis-py-X.Y.Z/`, made by
//! `scripts/fixtures/all_releases.sh` under a venv with that pip release):
//! the classes that exist, their bases, MROs and every `issubclass` pair,
//! and the class, `args`, `str()`, `repr()` and every attribute its base
//! parser and its cluster client's parser give for every reply of the
//! corpus (valkey-py's fixture too).

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use redis_exceptions::{Class, Error, Parser, RedisErrorExt, RedisPy, ValkeyPy, ATTRIBUTES};
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

/// Every fixture set of replies: redis-py's releases and valkey-py's, each
/// with its base parser, its cluster client's parser, and the prefix of
/// its classes' modules.
fn reply_fixtures() -> Vec<(String, [Parser; 2], PathBuf, &'static str)> {
    let mut out: Vec<_> = releases()
        .into_iter()
        .map(|(version, r, dir)| {
            (
                format!("redis-py {version}"),
                [r.parser(), r.cluster()],
                dir,
                "redis",
            )
        })
        .collect();
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/releases");
    for v in ValkeyPy::ALL {
        let dir = std::fs::read_dir(&root)
            .expect("tests/fixtures/releases")
            .map(|e| e.expect("an entry").path())
            .find(|d| {
                let name = d.file_name().unwrap().to_str().unwrap();
                name.strip_prefix("valkey-py-")
                    .and_then(|x| x.parse::<ValkeyPy>().ok())
                    == Some(*v)
            })
            .unwrap_or_else(|| panic!("no fixture for {v}"));
        out.push((v.to_string(), [v.parser(), v.cluster()], dir, "valkey"));
    }
    out
}

/// The crate's class for a class a fixture names (`redis.exceptions.X`,
/// or valkey-py's `valkey.exceptions.X`).
fn fixture_class(qualname: &str, client: &str) -> &'static Class {
    Class::all()
        .find(|c| qualified_as(c, client) == qualname)
        .unwrap_or_else(|| panic!("{qualname}: no such class"))
}

/// A class's qualified name in `client`'s package.
fn qualified_as(class: &Class, client: &str) -> String {
    if client == "valkey" {
        format!("{}.{}", class.valkey_module(), class.valkey_name())
    } else {
        class.qualified_name()
    }
}

/// The class the fixture's own table (that of the parser `key`, `"base"`
/// or `"cluster"`) names for `code`: the class whose `__init__` raised.
fn table_class(fx: &Value, key: &str, code: &str) -> String {
    let owner = fx["parsers"][key]["table_from"]
        .as_str()
        .or_else(|| fx["parsers"]["base"]["table_from"].as_str())
        .expect("a table owner");
    let table = fx["tables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["owner"] == owner)
        .unwrap_or_else(|| panic!("no table of {owner}"));
    table["table"][code]
        .as_str()
        .unwrap_or_else(|| panic!("{owner} has no class for {code}"))
        .to_owned()
}

/// The attributes of `e` that Python's `vars()` lists, with their values
/// in the fixture's form: `error_type` as its `.value`, `node_addr` as
/// `[host, port]`. (A class-level `message`, `ClusterCrossSlotError`'s,
/// is not an instance attribute.)
fn our_vars(e: &Error) -> BTreeMap<String, Value> {
    let mut out = BTreeMap::new();
    for name in ATTRIBUTES {
        if name == "message" && e.class().class_message().is_some() {
            continue;
        }
        if let Some(v) = e.getattr(name) {
            out.insert(name.to_owned(), common::to_json(&v));
        }
    }
    if let (Some(host), Some(port)) = (e.getattr("host"), e.getattr("port")) {
        let pair = Value::from(vec![common::to_json(&host), common::to_json(&port)]);
        out.insert("node_addr".to_owned(), pair);
    }
    out
}

/// The fixture's `vars`, with an enum member (`error_type`) as its value.
fn their_vars(record: &Value) -> BTreeMap<String, Value> {
    record["vars"]
        .as_object()
        .expect("vars")
        .iter()
        .map(|(k, v)| {
            let v = if v.get("__enum__").is_some() {
                v["value"].clone()
            } else {
                v.clone()
            };
            (k.clone(), v)
        })
        .collect()
}

/// Every reply of the corpus, for each release's base and cluster parser,
/// against what that release's own parser gave: class, `args`, `str()`,
/// `repr()`, every attribute of `vars()` (values included, `error_type`
/// too) and the typed accessors. A reply that made the release raise
/// (`ValueError` inside a redirect's `__init__`, difference 1) must give
/// the class that release's own table names for the code, with no redirect.
#[test]
fn corpus_per_release_and_parser() {
    let mut lines = Vec::new();
    let newest = load(&releases().pop().unwrap().2, "replies.json");
    let newest_cases: BTreeMap<&str, &Value> = newest["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["id"].as_str().unwrap(), &c["base"]))
        .collect();
    for (label, parsers, dir, client) in reply_fixtures() {
        let fx = load(&dir, "replies.json");
        let mut matched = [0usize; 2];
        let mut raised = 0;
        let mut attributes = 0;
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
            for (k, (parser, record, key)) in [
                (parsers[0], &case["base"], "base"),
                (parsers[1], cluster, "cluster"),
            ]
            .into_iter()
            .enumerate()
            {
                let at = format!("{label} {key} {id} {input:?}");
                let e = parser.parse_error(input);
                let b = parser.parse_error_bytes(input.as_bytes());
                assert_eq!(e, b, "{at}: bytes in, the same instance out");
                // Whatever the release shows, the reply is all kept.
                assert_eq!(
                    e.reply().as_deref(),
                    Some(input.as_bytes()),
                    "{at}: reply()"
                );
                assert_eq!(e.release(), parser.release(), "{at}: release()");
                assert!(std::ptr::eq(
                    parser.classify(input.as_bytes()).class(),
                    e.class()
                ));
                if record.get("raised").is_some() {
                    let code = input.split(' ').next().unwrap();
                    let want = table_class(&fx, key, code);
                    assert_eq!(qualified_as(e.class(), client), want, "{at}");
                    assert!(e.redirect().is_none(), "{at}");
                    raised += 1;
                    continue;
                }
                let want_class = fixture_class(record["class"].as_str().unwrap(), client);
                assert!(std::ptr::eq(e.class(), want_class), "{at}: class");
                let args: Vec<Value> = e.args().iter().map(common::to_json).collect();
                assert_eq!(&Value::from(args), &record["args"], "{at}: args");
                assert_eq!(e.to_string(), record["str"].as_str().unwrap(), "{at}: str");
                assert_eq!(e.py_repr(), record["repr"].as_str().unwrap(), "{at}: repr");
                let theirs = their_vars(record);
                assert_eq!(our_vars(&e), theirs, "{at}: vars");
                attributes += theirs.len();
                // The typed accessors say the same.
                assert_eq!(
                    e.status_code(),
                    theirs.get("status_code").and_then(Value::as_str),
                    "{at}: status_code()"
                );
                assert_eq!(
                    e.error_type().map(|t| t.value()),
                    theirs.get("error_type").and_then(Value::as_str),
                    "{at}: error_type()"
                );
                assert_eq!(
                    parser.classify(input.as_bytes()).status_code(),
                    e.status_code(),
                    "{at}: Classified::status_code()"
                );
                // `==` with the newest release's instance: equal exactly
                // when redis-py's records of the two are.
                if client == "redis" {
                    if let Some(newest) = newest_cases.get(id).filter(|r| r.get("raised").is_none())
                    {
                        let same = *newest == record;
                        let latest = Parser::LATEST.parse_error(input);
                        assert_eq!(e == latest, same, "{at}: == the newest release's");
                    }
                }
                matched[k] += 1;
            }
        }
        let total = fx["cases"].as_array().unwrap().len();
        lines.push(format!(
            "{label}: base {}/{total}, cluster {}/{total} matched on class, args, str, repr and \
             vars ({attributes} attributes), {raised} raise in the client (difference 1)",
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
            // Every attribute of `vars()`, with its value (an enum member,
            // `error_type`, as its `.value`), and no other.
            let theirs = their_vars(call);
            for (attr, value) in &theirs {
                let got = e.getattr(attr);
                assert!(got.is_some(), "{name}.{attr} missing");
                assert_eq!(common::to_json(&got.unwrap()), *value, "{name}.{attr}");
            }
            for attr in ATTRIBUTES {
                let instance = e.getattr(attr).is_some()
                    && !(attr == "message" && class.class_message().is_some());
                assert_eq!(instance, theirs.contains_key(attr), "{name}.{attr}");
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

/// The serde form of every instance of the corpus, per release and parser:
/// its `status_code`, `error_type`, `message`, `slot_id`, `host` and `port`
/// keys are the attributes that release's instance has (`vars()`), with
/// their values.
#[cfg(feature = "serde")]
#[test]
fn serde_form_per_release() {
    const FORM_ATTRIBUTES: [&str; 6] = [
        "status_code",
        "error_type",
        "message",
        "slot_id",
        "host",
        "port",
    ];
    let mut checked = 0;
    for (label, parsers, dir, _) in reply_fixtures() {
        let fx = load(&dir, "replies.json");
        for case in fx["cases"].as_array().unwrap() {
            let input = case["input"].as_str().unwrap();
            let cluster = if case["cluster"].is_null() {
                &case["base"]
            } else {
                &case["cluster"]
            };
            for (parser, record) in [(parsers[0], &case["base"]), (parsers[1], cluster)] {
                if record.get("raised").is_some() {
                    continue;
                }
                let e = parser.parse_error(input);
                let form = serde_json::to_value(&e).unwrap();
                let theirs = their_vars(record);
                for key in FORM_ATTRIBUTES {
                    assert_eq!(
                        form.get(key),
                        theirs.get(key),
                        "{label} {parser:?} {input:?}: {key}"
                    );
                }
                assert_eq!(form["args"], record["args"], "{label} {input:?}");
                checked += 1;
            }
        }
    }
    common::report(&format!(
        "serde form matched vars() on {checked} instances of every release"
    ));
}
