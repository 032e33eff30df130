//! Every construction of `instances.json`, replayed through construction by
//! name: the same `str`, `repr`, `args` and attributes, or the same Python
//! exception type.

mod common;

use redis_exceptions::{construct, PyValue, RedisErrorExt};
use serde_json::Value;

fn check(rec: &Value) -> Result<(), String> {
    let class = rec["class"].as_str().unwrap();
    let (args, kwargs_owned) = common::record_call(rec);
    let kwargs: Vec<(&str, PyValue)> = kwargs_owned
        .iter()
        .map(|(k, v)| (k.as_str(), v.clone()))
        .collect();
    let result = construct(class, &args, &kwargs);
    if rec["ok"] == Value::Bool(false) {
        let raised = &rec["raised"];
        return match result {
            Ok(e) => Err(format!("built {e:?}, Python raised {raised}")),
            Err(err) if err.py_type() != raised["type"] => {
                Err(format!("raised {err}, Python raised {raised}"))
            }
            Err(err) => {
                let want = format!(
                    "{}: {}",
                    raised["type"].as_str().unwrap(),
                    raised["message"].as_str().unwrap()
                );
                (err.to_string() == want)
                    .then_some(())
                    .ok_or(format!("message {err:?} != {want:?}"))
            }
        };
    }
    let e = result.map_err(|err| format!("raised {err}, Python built it"))?;
    let mut diffs = Vec::new();
    if e.to_string() != rec["str"] {
        diffs.push(format!("str {:?} != {}", e.to_string(), rec["str"]));
    }
    if e.py_repr() != rec["repr"] {
        diffs.push(format!("repr {:?} != {}", e.py_repr(), rec["repr"]));
    }
    // `{:#}`: traceback.format_exception_only's last line; the struct and
    // the erased error print the same.
    let line = format!("{e:#}");
    if line != rec["traceback"] {
        diffs.push(format!("traceback {line:?} != {}", rec["traceback"]));
    }
    if format!("{:#}", e.as_dyn()) != line {
        diffs.push("{:#} differs through dyn RedisErrorExt".to_owned());
    }
    let args: Vec<Value> = e.args().iter().map(common::to_json).collect();
    if Value::Array(args.clone()) != rec["args"] {
        diffs.push(format!("args {args:?} != {}", rec["args"]));
    }
    let probes = rec["getattr"].as_object().unwrap();
    for name in redis_exceptions::ATTRIBUTES {
        let ours = e.getattr(name).map(|v| common::to_json(&v));
        let theirs = probes.get(name).map(|p| p["value"].clone());
        if ours != theirs {
            diffs.push(format!("{name}: {ours:?} != {theirs:?}"));
        }
    }
    let node_addr = e
        .redirect()
        .and_then(|r| r.node_addr())
        .map(|(h, p)| serde_json::json!([h, p]));
    if node_addr != probes.get("node_addr").map(|p| p["value"].clone()) {
        diffs.push(format!("node_addr {node_addr:?}"));
    }
    let status_code = probes.get("status_code").and_then(|p| p["value"].as_str());
    if e.status_code() != status_code {
        diffs.push(format!(
            "status_code() {:?} != {status_code:?}",
            e.status_code()
        ));
    }
    let error_type = probes.get("error_type").and_then(|p| p["value"].as_str());
    if e.error_type().map(|t| t.value()) != error_type {
        diffs.push(format!("error_type() {:?}", e.error_type()));
    }
    if diffs.is_empty() {
        Ok(())
    } else {
        Err(diffs.join("; "))
    }
}

#[test]
fn every_recorded_construction() {
    let fx = common::fixture("instances");
    let records = fx["instances"].as_array().unwrap();
    let mut failures = Vec::new();
    let (mut built, mut raised) = (0, 0);
    for rec in records {
        match check(rec) {
            Ok(()) if rec["ok"] == Value::Bool(true) => built += 1,
            Ok(()) => raised += 1,
            Err(why) => failures.push(format!(
                "{} {}({}): {why}",
                rec["id"], rec["class"], rec["args_given"]
            )),
        }
    }
    common::report(&format!(
        "instances: {}/{} matched ({built} built, {raised} raised the same Python error)",
        built + raised,
        records.len()
    ));
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
    // The fixture's own counts: every record read, built or raised as recorded.
    let counts = &fx["counts"];
    assert_eq!(records.len() as u64, counts["records"].as_u64().unwrap());
    assert_eq!(built as u64, counts["ok"].as_u64().unwrap());
    assert_eq!(raised as u64, counts["raised"].as_u64().unwrap());
}
