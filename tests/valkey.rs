//! valkey-py as a dialect, against valkey-py 6.2 itself
//! (`tests/fixtures/releases/valkey-py-X.Y.Z/`, made under a pip
//! `valkey==X.Y.Z`, the release pinned in `src/class/releases.txt`): its classes under their valkey names and modules,
//! bases, MROs, `issubclass`, and the class, `args` and `str()` of its base
//! parser and its cluster parser on every reply of the corpus.

mod common;

use std::collections::BTreeSet;
use std::path::PathBuf;

use redis_exceptions::{
    Class, ExceptionClass, RedisClusterException, RedisError, RedisErrorExt,
    ValkeyClusterException, ValkeyError, ValkeyPy,
};
use serde_json::Value;

fn fixture(file: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join(format!(
            "tests/fixtures/releases/valkey-py-{}",
            ValkeyPy::V6_2.__pinned()
        ))
        .join(file);
    serde_json::from_str(&std::fs::read_to_string(path).expect("fixture")).expect("JSON")
}

/// A class's qualified name in valkey-py.
fn valkey_qualified(class: &Class) -> String {
    if class.module() == "builtins" {
        return class.qualified_name();
    }
    format!("{}.{}", class.valkey_module(), class.valkey_name())
}

fn names(classes: &[&'static Class]) -> Vec<String> {
    classes.iter().map(|c| valkey_qualified(c)).collect()
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_owned())
        .collect()
}

/// The crate's class for a valkey-py qualified name.
fn by_valkey_name(name: &str) -> &'static Class {
    Class::all()
        .find(|c| valkey_qualified(c) == name)
        .unwrap_or_else(|| panic!("no class for {name}"))
}

#[test]
fn the_aliases_are_the_same_classes() {
    assert!(std::ptr::eq(ValkeyError::CLASS, RedisError::CLASS));
    assert!(std::ptr::eq(
        ValkeyClusterException::CLASS,
        RedisClusterException::CLASS
    ));
    assert_eq!(RedisError::CLASS.valkey_name(), "ValkeyError");
    assert_eq!(
        RedisClusterException::CLASS.valkey_name(),
        "ValkeyClusterException"
    );
    assert_eq!(RedisError::CLASS.valkey_module(), "valkey.exceptions");
    let e = redis_exceptions::parse_error("NOSCRIPT No matching script.");
    assert!(e.is_a::<ValkeyError>() && !e.is_a::<ValkeyClusterException>());
    assert_eq!(
        ValkeyPy::V6_2.__pinned().parse::<ValkeyPy>(),
        Ok(ValkeyPy::V6_2)
    );
    let e = "6.1".parse::<ValkeyPy>().unwrap_err().to_string();
    assert_eq!(
        e,
        "valkey-py 6.1 is not supported: this crate covers valkey-py 6.2"
    );
}

#[test]
fn classes_bases_mros_and_issubclass() {
    let release = ValkeyPy::V6_2;
    let fx = fixture("classes.json");
    let records = fx["classes"].as_array().unwrap();
    let theirs: BTreeSet<String> = records
        .iter()
        .map(|c| c["qualname"].as_str().unwrap().to_owned())
        .collect();
    let ours: BTreeSet<String> = Class::all()
        .filter(|c| c.exists_in(release.redis_py()) && c.module() != "builtins")
        .map(valkey_qualified)
        .collect();
    assert_eq!(ours, theirs, "valkey-py 6.2: the classes");
    let mut pairs = 0;
    for c in records {
        let name = c["qualname"].as_str().unwrap();
        let class = by_valkey_name(name);
        assert_eq!(names(class.bases()), strings(&c["bases"]), "{name}");
        assert_eq!(names(class.mro()), strings(&c["mro"]), "{name}");
        let supers = strings(&c["subclass_of"]);
        for other in Class::all().filter(|o| o.exists_in(release.redis_py())) {
            let want = supers.contains(&valkey_qualified(other));
            assert_eq!(
                class.is_subclass_of(other),
                want,
                "issubclass({name}, {})",
                other.name()
            );
            pairs += 1;
        }
    }
    common::report(&format!(
        "valkey-py 6.2: {} classes, {pairs} issubclass pairs",
        records.len()
    ));
}

#[test]
fn corpus_base_and_cluster_parsers() {
    let release = ValkeyPy::V6_2;
    let fx = fixture("replies.json");
    let mut matched = [0; 2];
    let mut raised = 0;
    for case in fx["cases"].as_array().unwrap() {
        let input = case["input"].as_str().unwrap();
        for (k, (parser, record)) in [
            (release.parser(), &case["base"]),
            (release.cluster(), &case["cluster"]),
        ]
        .into_iter()
        .enumerate()
        {
            let e = parser.parse_error(input);
            if record.get("raised").is_some() {
                // Difference 1: the class the code names, no redirect.
                assert!(e.redirect().is_none(), "{input:?}");
                raised += 1;
                continue;
            }
            let args: Vec<Value> = e.args().iter().map(common::to_json).collect();
            assert_eq!(
                valkey_qualified(e.class()),
                record["class"].as_str().unwrap(),
                "{input:?}"
            );
            assert_eq!(Value::from(args), record["args"], "{input:?}");
            assert_eq!(e.to_string(), record["str"].as_str().unwrap(), "{input:?}");
            matched[k] += 1;
        }
    }
    let total = fx["cases"].as_array().unwrap().len();
    common::report(&format!(
        "valkey-py 6.2: base {}/{total}, cluster {}/{total} matched, {raised} raise in valkey-py (difference 1)",
        matched[0], matched[1]
    ));
    assert_eq!(matched[0], total);
}
