//! The hierarchy against redis-py: bases, MROs, every `issubclass` pair and
//! every default `error_type` (fixture `classes.json`).

mod common;

use redis_exceptions::{Class, ExceptionType, RedisPy};

/// The classes `classes.json` covers: `redis.exceptions` of the reference
/// release and the builtins in their MROs (the other modules' classes and
/// every release are checked by `tests/releases.rs`).
fn exceptions_module() -> Vec<&'static Class> {
    Class::all()
        .filter(|c| matches!(c.module(), "builtins" | "redis.exceptions"))
        .filter(|c| c.exists_in(RedisPy::REFERENCE))
        .collect()
}

fn names(classes: &[&Class]) -> Vec<String> {
    classes.iter().map(|c| c.name().to_owned()).collect()
}

fn strings(v: &serde_json::Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn same_classes_in_the_same_order() {
    let fx = common::fixture("classes");
    let ours: Vec<&str> = exceptions_module().iter().map(|c| c.name()).collect();
    assert_eq!(ours, strings(&fx["class_order"]));
    assert_eq!(
        ours.len() as u64,
        fx["class_count"]["total"].as_u64().unwrap()
    );
}

#[test]
fn bases_modules_and_mros() {
    let fx = common::fixture("classes");
    let mut checked = 0;
    for c in fx["classes"].as_array().unwrap() {
        let name = c["name"].as_str().unwrap();
        let class = Class::by_name(name).unwrap_or_else(|| panic!("missing {name}"));
        assert_eq!(class.module(), c["module"].as_str().unwrap(), "{name}");
        assert_eq!(names(class.bases()), strings(&c["bases"]), "{name} bases");
        assert_eq!(names(class.mro()), strings(&c["mro"]), "{name} mro");
        assert_eq!(
            names(class.try_mro().unwrap()),
            strings(&c["mro"]),
            "{name} mro"
        );
        checked += 1;
    }
    let count = fx["class_count"]["total"].as_u64().unwrap();
    common::report(&format!(
        "bases and MROs: {checked}/{count} classes matched"
    ));
    assert_eq!(checked as u64, count);
}

#[test]
fn every_issubclass_pair() {
    let fx = common::fixture("classes");
    let mut pairs = 0;
    let mut true_pairs = 0;
    for c in fx["classes"].as_array().unwrap() {
        let a = Class::by_name(c["name"].as_str().unwrap()).unwrap();
        let expected = strings(&c["subclass_of"]);
        for b in exceptions_module() {
            let want = expected.iter().any(|n| n == b.name());
            assert_eq!(
                a.is_subclass_of(b),
                want,
                "issubclass({}, {})",
                a.name(),
                b.name()
            );
            pairs += 1;
            true_pairs += usize::from(want);
        }
    }
    let total = fx["total_pairs"].as_u64().unwrap();
    common::report(&format!(
        "issubclass: {pairs}/{total} pairs matched ({true_pairs} true)"
    ));
    assert_eq!(pairs as u64, total);
    assert_eq!(true_pairs as u64, fx["true_pairs"].as_u64().unwrap());
}

#[test]
fn default_error_types_and_class_messages() {
    let fx = common::fixture("classes");
    for c in fx["classes"].as_array().unwrap() {
        let class = Class::by_name(c["name"].as_str().unwrap()).unwrap();
        let want = c["error_type"]
            .as_str()
            .map(|v| ExceptionType::from_value(v).unwrap());
        assert_eq!(class.default_error_type(), want, "{}", class.name());
        assert_eq!(
            class.class_message(),
            c.get("message").and_then(|m| m.as_str()),
            "{}",
            class.name()
        );
    }
}

#[test]
fn display_and_lookup() {
    let c = Class::by_name("ClusterDownError").unwrap();
    assert_eq!(c.to_string(), "<class 'redis.exceptions.ClusterDownError'>");
    assert_eq!(c.qualified_name(), "redis.exceptions.ClusterDownError");
    assert!(Class::by_name("NoSuchClass").is_none());
    assert!(Class::by_name("ValueError").unwrap().is_builtin());
}
