//! The `serde` feature: the JSON form of `python/redis_exceptions_json.py`,
//! round trips, and rejection of what Python's `from_json` refuses.
#![cfg(feature = "serde")]

use redis_exceptions::{
    construct, parse_error, parse_error_bytes, AskError, Class, ClusterCrossSlotError, Error,
    ExceptionClass, LockError, MovedError, PyValue, RedisErrorExt, ResponseError,
};
use serde_json::{json, Value};

/// Serializes, deserializes, serializes again; both forms must agree and the
/// rebuilt error must have the same Python-visible state.
fn round_trip(e: &Error) -> (Value, Error) {
    let json = serde_json::to_value(e).unwrap();
    let back: Error = serde_json::from_value(json.clone())
        .unwrap_or_else(|err| panic!("{json} does not deserialize: {err}"));
    assert_eq!(serde_json::to_value(&back).unwrap(), json, "{e:?}");
    assert_same(e, &back);
    // Through text as well, as a file would.
    let text = serde_json::to_string(e).unwrap();
    let again: Error = serde_json::from_str(&text).unwrap();
    assert_same(e, &again);
    (json, back)
}

fn assert_same(a: &Error, b: &Error) {
    assert!(std::ptr::eq(a.class(), b.class()), "{a:?} vs {b:?}");
    assert_eq!(a.args(), b.args());
    assert_eq!(a.to_string(), b.to_string());
    assert_eq!(a.py_repr(), b.py_repr());
    assert_eq!(a.status_code(), b.status_code());
    assert_eq!(a.error_type(), b.error_type());
    assert_eq!(a.lock_name(), b.lock_name());
    assert_eq!(a.redirect(), b.redirect());
    for attr in redis_exceptions::ATTRIBUTES {
        assert_eq!(a.getattr(attr), b.getattr(attr), "{attr} of {a:?}");
    }
}

/// A realistic instance of `class`, built by name with Python's semantics.
fn instance(class: &'static Class) -> Error {
    let name = class.name();
    let is = |t: &Class| class.is_subclass_of(t);
    let result = if is(AskError::CLASS) {
        construct(
            name,
            &["3999 127.0.0.1:6381".into()],
            &[("status_code", "MOVED".into())],
        )
    } else if is(LockError::CLASS) {
        construct(
            name,
            &["Cannot release an unlocked lock".into()],
            &[("lock_name", "my-lock".into())],
        )
    } else if name == "ClusterDownError" || name == "MasterDownError" {
        construct(
            name,
            &["The cluster is down".into()],
            &[("status_code", "CLUSTERDOWN".into())],
        )
    } else {
        let message: PyValue = format!("a {name}").into();
        construct(
            name,
            std::slice::from_ref(&message),
            &[("status_code", "ERR".into())],
        )
        .or_else(|_| construct(name, &[message], &[]))
    };
    result.unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
fn every_class_round_trips() {
    // The classes of `redis.exceptions` and the builtins: the form the
    // Python helper shares.
    let classes: Vec<_> = Class::all()
        .filter(|c| matches!(c.module(), "builtins" | "redis.exceptions"))
        .collect();
    assert_eq!(classes.len(), 41);
    for class in classes {
        let e = instance(class);
        let (json, back) = round_trip(&e);
        assert_eq!(json["class"], class.name());
        assert_eq!(json["module"], class.module());
        assert_eq!(back.class().name(), class.name());
        // Keys present exactly when the instance has the attribute.
        let obj = json.as_object().unwrap();
        assert_eq!(
            obj.contains_key("status_code"),
            e.getattr("status_code").is_some(),
            "{json}"
        );
        assert_eq!(
            obj.contains_key("error_type"),
            e.error_type().is_some(),
            "{json}"
        );
        assert_eq!(
            obj.contains_key("lock_name"),
            e.lock_name().is_some(),
            "{json}"
        );
        assert_eq!(
            obj.contains_key("slot_id"),
            e.redirect().is_some(),
            "{json}"
        );
    }
}

#[test]
fn moved_error_has_the_python_form() {
    let e = parse_error("MOVED 3999 127.0.0.1:6381");
    let (json, back) = round_trip(&e);
    assert_eq!(
        json,
        json!({"class": "MovedError", "module": "redis.exceptions",
               "args": ["3999 127.0.0.1:6381"], "status_code": "MOVED", "error_type": "server",
               "message": "3999 127.0.0.1:6381", "slot_id": 3999, "host": "127.0.0.1", "port": 6381})
    );
    // The key order is the Python helper's.
    assert_eq!(
        serde_json::to_string(&e).unwrap(),
        r#"{"class":"MovedError","module":"redis.exceptions","args":["3999 127.0.0.1:6381"],"status_code":"MOVED","error_type":"server","message":"3999 127.0.0.1:6381","slot_id":3999,"host":"127.0.0.1","port":6381}"#
    );
    let moved = back.downcast::<MovedError>().unwrap();
    assert_eq!(moved.node_addr(), Some(("127.0.0.1", 6381)));
    // Where it came from is not part of the form.
    assert!(e.reply().is_some());
    assert_eq!(moved.reply(), None);
}

#[test]
fn parsed_errors_round_trip() {
    for reply in [
        "ASK 3999 [::1]:6381",
        "MOVED 16383 redis-node-3.cluster.local:65535",
        "WRONGTYPE Operation against a key holding the wrong kind of value",
        "NOSCRIPT No matching script. Please use EVAL.",
        "ERR wrong number of arguments for 'get' command",
        "ERR invalid password",
        "ERR no such fieldset",
        "CLUSTERDOWN The cluster is down",
        "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.",
        "CROSSSLOT Keys in request don't hash to the same slot",
        "LOADING Redis is loading the dataset in memory",
        "NOPERM this user has no permissions to run the 'get' command",
        "EXECABORT Transaction discarded because of previous errors.",
        "TRYAGAIN Multiple keys request during rehashing of slot",
        "OOM command not allowed when used memory > 'maxmemory'.",
        "",
        "ERR",
        "café ✓ 🚀",
    ] {
        let e = parse_error(reply);
        round_trip(&e);
    }
    // ClusterCrossSlotError's class-level message is not written.
    let json = serde_json::to_value(parse_error("CROSSSLOT Keys")).unwrap();
    assert!(json.get("message").is_none(), "{json}");
    assert_eq!(
        ClusterCrossSlotError::CLASS.class_message(),
        Some("Keys in request don't hash to the same slot")
    );
}

#[test]
fn raw_bytes_reply_round_trips() {
    let e = parse_error_bytes(b"ERR bad \xff\xfe byte");
    assert!(e.is::<ResponseError>());
    let (json, back) = round_trip(&e);
    assert_eq!(json["args"], json!(["bad \u{fffd}\u{fffd} byte"]));
    assert_eq!(json["status_code"], "ERR");
    assert_eq!(back.reply(), None);

    let e = parse_error_bytes(b"MOVED 12 h\xff:7000");
    assert!(e.is::<MovedError>());
    let (json, _) = round_trip(&e);
    assert_eq!(json["host"], "h\u{fffd}");
    assert_eq!(json["port"], 7000);
}

#[test]
fn unusual_values_round_trip() {
    let cases: Vec<Error> = vec![
        construct(
            "RedisError",
            &[PyValue::Bytes(b"bytes message \xff".to_vec())],
            &[],
        )
        .unwrap(),
        construct("RedisError", &[PyValue::None], &[]).unwrap(),
        construct("RedisError", &["".into()], &[("status_code", "".into())]).unwrap(),
        construct(
            "ConnectionError",
            &[PyValue::Int(111), "Connection refused".into()],
            &[],
        )
        .unwrap(),
        construct(
            "ConnectionError",
            &[PyValue::Int(i64::MIN), PyValue::Int(i64::MAX)],
            &[],
        )
        .unwrap(),
        construct("ResponseError", &[], &[]).unwrap(),
        construct("LockError", &[], &[]).unwrap(),
        construct("LockError", &[PyValue::None, "only-a-name".into()], &[]).unwrap(),
        construct(
            "LockNotOwnedError",
            &[PyValue::Bytes(vec![])],
            &[("lock_name", PyValue::Bytes(b"\x00".to_vec()))],
        )
        .unwrap(),
        construct("ClusterDownError", &["The cluster is down".into()], &[]).unwrap(),
        construct(
            "MovedError",
            &["0 10.0.0.1:0".into()],
            &[("status_code", "MOVED".into())],
        )
        .unwrap(),
        construct("TryAgainError", &["a".into(), "b".into()], &[]).unwrap(),
        construct(
            "RedisClusterException",
            &["first".into(), "second".into()],
            &[],
        )
        .unwrap(),
        construct("BaseException", &[], &[]).unwrap(),
        construct("ValueError", &[PyValue::Int(-1)], &[]).unwrap(),
    ];
    for e in &cases {
        round_trip(e);
    }
    let json = serde_json::to_value(&cases[0]).unwrap();
    assert_eq!(json["args"], json!([{"bytes_b64": "Ynl0ZXMgbWVzc2FnZSD/"}]));
    let json = serde_json::to_value(&cases[6]).unwrap();
    assert_eq!(
        json,
        json!({"class": "LockError", "module": "redis.exceptions", "args": [null],
               "status_code": null, "error_type": "server", "message": null, "lock_name": null})
    );
    let json = serde_json::to_value(&cases[8]).unwrap();
    assert_eq!(json["lock_name"], json!({"bytes_b64": "AA=="}));
    assert_eq!(json["args"], json!([{"bytes_b64": ""}]));
}

#[test]
fn class_structs_serialize_and_deserialize() {
    let moved = MovedError::new("3999 127.0.0.1:6381").with_status_code("MOVED");
    let json = serde_json::to_value(&moved).unwrap();
    assert_eq!(
        json,
        serde_json::to_value(Error::from(moved.clone())).unwrap()
    );
    let back: MovedError = serde_json::from_value(json.clone()).unwrap();
    assert_eq!(back.port(), Some(6381));

    // Exactly the class named: a MovedError is not an AskError struct.
    let err = serde_json::from_value::<AskError>(json).unwrap_err();
    assert_eq!(
        err.to_string(),
        "expected a AskError object, got MovedError"
    );

    let dynamic: &dyn RedisErrorExt = &back;
    let via_dyn = serde_json::to_value(dynamic).unwrap();
    assert_eq!(via_dyn["class"], "MovedError");
}

#[test]
fn defaults_and_ignored_keys() {
    // Only "class" is required; the redundant keys are ignored, not checked.
    let e: Error = serde_json::from_value(json!({"class": "ResponseError"})).unwrap();
    assert!(e.is::<ResponseError>());
    assert!(e.args().is_empty());
    assert_eq!(e.status_code(), None);

    let e: Error = serde_json::from_value(json!({
        "class": "MovedError", "args": ["3999 127.0.0.1:6381"], "status_code": "MOVED",
        "error_type": "network", "message": "something else", "slot_id": 1, "host": "x", "port": 2,
        "unknown": {"nested": [1, 2]}
    }))
    .unwrap();
    assert_eq!(e.error_type().unwrap().value(), "server");
    assert_eq!(e.redirect().unwrap().node_addr(), Some(("127.0.0.1", 6381)));
    assert_eq!(e.getattr("message"), Some("3999 127.0.0.1:6381".into()));

    // status_code on a class without one is ignored, as from_json does.
    let e: Error = serde_json::from_value(json!({"class": "ValueError", "module": "builtins",
        "args": ["x"], "status_code": "ERR"}))
    .unwrap();
    assert_eq!(e.getattr("status_code"), None);
}

fn rejection(value: Value) -> String {
    match serde_json::from_value::<Error>(value.clone()) {
        Ok(e) => panic!("{value} was accepted as {e:?}"),
        Err(err) => err.to_string(),
    }
}

#[test]
fn bad_input_is_rejected() {
    let cases = [
        (
            json!({"class": "MovedError", "args": ["3999"], "status_code": "MOVED"}),
            "ValueError: not enough values to unpack (expected 2, got 1)",
        ),
        (
            json!({"class": "AskError", "args": ["x h:1"]}),
            "ValueError: invalid literal for int() with base 10: 'x'",
        ),
        (
            json!({"class": "AskError", "args": [null]}),
            "AttributeError: 'NoneType' object has no attribute 'split'",
        ),
        (
            json!({"class": "MovedError", "args": []}),
            "ValueError: MovedError takes exactly one argument, got []",
        ),
        (
            json!({"class": "ClusterDownError", "args": ["a", {"bytes_b64": "Yg=="}]}),
            "ValueError: ClusterDownError takes exactly one argument, got ['a', b'b']",
        ),
        (
            json!({"class": "LockError", "args": ["a", "b"]}),
            "ValueError: LockError takes one message argument, got ['a', 'b']",
        ),
        (
            json!({"class": "NoSuchClass"}),
            "ValueError: redis.exceptions.NoSuchClass is not an exception class",
        ),
        (
            json!({"class": "ValueError"}),
            "ValueError: redis.exceptions.ValueError is not an exception class",
        ),
        (
            json!({"class": "MovedError", "module": "builtins"}),
            "ValueError: builtins.MovedError is not an exception class",
        ),
        (
            json!({"class": "MovedError", "module": "redis"}),
            "ValueError: unknown module 'redis'",
        ),
        (
            json!({"class": "RedisError", "args": [true]}),
            "ValueError: bool values are not part of the form: True",
        ),
        (
            json!({"class": "RedisError", "args": [1.5]}),
            "ValueError: not a valid argument value: 1.5",
        ),
        (
            json!({"class": "RedisError", "args": [[1]]}),
            "ValueError: not a valid argument value: a list",
        ),
        (
            json!({"class": "RedisError", "args": [{"bytes": "AA=="}]}),
            "ValueError: not a valid argument value: an object with key \"bytes\"",
        ),
        (
            json!({"class": "RedisError", "args": [{"bytes_b64": "AA==", "x": 1}]}),
            "ValueError: not a valid argument value: an object with keys \"bytes_b64\" and \"x\"",
        ),
        (
            json!({"class": "RedisError", "args": [{"bytes_b64": "AA"}]}),
            "binascii.Error: Incorrect padding",
        ),
        (
            json!({"class": "RedisError", "args": [18446744073709551615u64]}),
            "ValueError: integer out of range (a 64-bit int; written with a fraction or an exponent, below 2**53 in magnitude)",
        ),
    ];
    for (value, expected) in cases {
        assert_eq!(rejection(value), expected);
    }

    assert!(rejection(json!({"args": []})).contains("missing field `class`"));
    assert!(rejection(json!({"class": 3})).contains("invalid type"));
    assert!(rejection(json!({"class": "RedisError", "args": "x"})).contains("invalid type"));
    assert!(rejection(json!(["MovedError"])).contains("a redis-py exception object"));
    let err = serde_json::from_str::<Error>(r#"{"class": "RedisError", "class": "ResponseError"}"#)
        .unwrap_err();
    assert!(err.to_string().contains("duplicate field `class`"), "{err}");
    let err =
        serde_json::from_str::<Error>(r#"{"class": "AskError", "args": ["1 h:"]}"#).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("ValueError: invalid literal for int() with base 10: ''"),
        "{err}"
    );
}

#[test]
fn lenient_parses_serialize_but_do_not_deserialize() {
    // parse_error keeps a malformed MOVED (redis-py would raise); the form
    // has no redirect keys and Python's constructor refuses it.
    let e = parse_error("MOVED 3999");
    let json = serde_json::to_value(&e).unwrap();
    assert!(json.get("slot_id").is_none());
    assert_eq!(
        serde_json::from_value::<Error>(json)
            .unwrap_err()
            .to_string(),
        "ValueError: not enough values to unpack (expected 2, got 1)"
    );
}

// --------------------------------------------------------------------------
// against redis-py: tests/fixtures/instances.json
// --------------------------------------------------------------------------

fn fixture_value(v: &Value) -> Option<PyValue> {
    Some(match v {
        Value::Null => PyValue::None,
        Value::String(s) => PyValue::Str(s.clone()),
        Value::Number(n) => PyValue::Int(n.as_i64()?),
        _ => return None, // bytes are given as repr text there; covered above
    })
}

/// What `to_json` writes for a fixture record: `class`, `module`, `args`,
/// `status_code`/`error_type` when `hasattr`, the special attributes in `vars`.
fn expected_form(record: &Value) -> Value {
    let class = Class::by_name(record["class"].as_str().unwrap()).unwrap();
    let mut out = serde_json::Map::new();
    out.insert("class".into(), json!(class.name()));
    out.insert("module".into(), json!(class.module()));
    out.insert("args".into(), record["args"].clone());
    for attr in ["status_code", "error_type"] {
        if let Some(found) = record["getattr"].get(attr) {
            out.insert(attr.into(), found["value"].clone());
        }
    }
    for attr in ["message", "lock_name", "slot_id", "host", "port"] {
        if let Some(v) = record["vars"].get(attr) {
            out.insert(attr.into(), v.clone());
        }
    }
    Value::Object(out)
}

#[test]
fn redis_py_instances_have_the_same_form() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/instances.json");
    let fixture: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut checked = 0;
    for record in fixture["instances"].as_array().unwrap() {
        if record["ok"] != json!(true) {
            continue;
        }
        let args: Option<Vec<PyValue>> = record["args_given"]
            .as_array()
            .unwrap()
            .iter()
            .map(fixture_value)
            .collect();
        let kwargs: Option<Vec<(&str, PyValue)>> = record["kwargs_given"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| Some((k.as_str(), fixture_value(v)?)))
            .collect();
        let (Some(args), Some(kwargs)) = (args, kwargs) else {
            continue;
        };
        if record["args"].to_string().contains("__bytes_repr__")
            || record["vars"].to_string().contains("__bytes_repr__")
        {
            continue;
        }
        let id = record["id"].as_str().unwrap();
        let e = construct(record["class"].as_str().unwrap(), &args, &kwargs)
            .unwrap_or_else(|err| panic!("{id}: {err}"));
        let expected = expected_form(record);
        assert_eq!(serde_json::to_value(&e).unwrap(), expected, "{id}");
        // from_json(expected) gives the same form back.
        let back: Error = serde_json::from_value(expected.clone())
            .unwrap_or_else(|err| panic!("{id}: {expected} does not deserialize: {err}"));
        assert_eq!(serde_json::to_value(&back).unwrap(), expected, "{id}");
        checked += 1;
    }
    assert!(checked > 150, "only {checked} records checked");
}

/// Issue 11: a deserialization error quotes a bounded excerpt of a huge
/// input plus its length, not the input; Python's own messages keep
/// CPython's bound (`int()` quotes at most 200 characters of the repr).
#[test]
fn deserialization_errors_quote_an_excerpt_of_huge_values() {
    let big = "x".repeat(589_000);
    let cases = [
        json!({"class": "LockError", "args": [big, "y"]}),
        json!({"class": "AskError", "args": [big, big]}),
        json!({"class": "RedisError", "args": big}),
        json!({"class": big}),
        json!({"class": "RedisError", "module": big}),
        json!({"class": "RedisError", "args": [{ big.clone(): 1 }]}),
        json!({"class": "RedisError", "args": [{ "bytes_b64": "QQ==", big.clone(): 1 }]}),
    ];
    for case in cases {
        for err in [
            serde_json::from_value::<Error>(case.clone()).unwrap_err(),
            serde_json::from_str::<Error>(&case.to_string()).unwrap_err(),
        ] {
            let text = err.to_string();
            assert!(text.len() < 1024, "{} bytes: {}", text.len(), &text[..300]);
            assert!(text.contains("589000"), "the length is given: {text}");
        }
    }
    // Python's message, with CPython's own bound.
    let err = serde_json::from_value::<Error>(
        json!({"class": "MovedError", "args": [format!("{big} h:1")]}),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "ValueError: invalid literal for int() with base 10: '{}",
            &big[..199]
        )
    );
    // Short values are quoted whole, as before.
    let err = serde_json::from_value::<Error>(json!({"class": "Nope"})).unwrap_err();
    assert_eq!(
        err.to_string(),
        "ValueError: redis.exceptions.Nope is not an exception class"
    );
}

/// The edge cases `python/redis_exceptions_json.py cases` runs too
/// (`tests/serde_cases.json`): duplicate keys are refused, `-0` and other
/// integral numbers are `int`s, integers beyond 64 bits are refused
/// without quoting float-rounded digits.
#[test]
fn the_cases_python_agrees_on() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/serde_cases.json");
    let file: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let cases = file["cases"].as_array().unwrap();
    assert!(cases.len() >= 10);
    for case in cases {
        let text = case["json"].as_str().unwrap();
        let expect = &case["expect"];
        match serde_json::from_str::<Error>(text) {
            Ok(e) => {
                assert_eq!(expect["accepted"], true, "{text}: accepted as {e:?}");
                let back = serde_json::to_value(&e).unwrap();
                assert_eq!(back["args"], expect["args"], "{text}");
            }
            Err(err) => {
                assert_eq!(expect["accepted"], false, "{text}: refused: {err}");
                let want = expect["error"].as_str().unwrap();
                assert!(
                    err.to_string().contains(want),
                    "{text}: {err} lacks {want:?}"
                );
            }
        }
    }
}
