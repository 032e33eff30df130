//! Fixture loading shared by the conformance tests.
#![allow(dead_code, reason = "each test file uses part of the helpers")]

use redis_exceptions::PyValue;
use serde_json::Value;

/// Reads `tests/fixtures/<name>.json`.
pub fn fixture(name: &str) -> Value {
    let path = format!("{}/tests/fixtures/{name}.json", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// A JSON value of the fixtures as a Python value.
pub fn py_value(v: &Value) -> PyValue {
    match v {
        Value::Null => PyValue::None,
        Value::String(s) => PyValue::Str(s.clone()),
        Value::Number(n) => PyValue::Int(n.as_i64().expect("an i64")),
        Value::Object(o) if o.contains_key("__bytes_repr__") => {
            PyValue::Bytes(parse_bytes_repr(o["__bytes_repr__"].as_str().unwrap()))
        }
        other => panic!("no Python value for {other}"),
    }
}

/// The bytes of a Python `b'...'` literal (the escapes `repr` produces).
fn parse_bytes_repr(lit: &str) -> Vec<u8> {
    let inner = &lit[2..lit.len() - 1];
    let mut out = Vec::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c as u8);
            continue;
        }
        match chars.next() {
            Some('n') => out.push(b'\n'),
            Some('r') => out.push(b'\r'),
            Some('t') => out.push(b'\t'),
            Some('x') => {
                let hex: String = chars.by_ref().take(2).collect();
                out.push(u8::from_str_radix(&hex, 16).unwrap());
            }
            Some(other) => out.push(other as u8),
            None => {}
        }
    }
    out
}

/// The call an `instances.json` record made: its positional arguments and
/// its keywords, in the record's order.
pub fn record_call(rec: &Value) -> (Vec<PyValue>, Vec<(String, PyValue)>) {
    let args = rec["args_given"]
        .as_array()
        .unwrap()
        .iter()
        .map(py_value)
        .collect();
    let kwargs = rec["kwargs_given"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), py_value(v)))
        .collect();
    (args, kwargs)
}

/// A class made at run time with the constructor `exception!` uses, leaked
/// to be `'static`; with no hooks of its own, its instances are carried by
/// the struct of its nearest built-in ancestor.
pub fn runtime_class(
    module: &'static str,
    name: &str,
    bases: &[&'static redis_exceptions::Class],
) -> &'static redis_exceptions::Class {
    use redis_exceptions::Class;
    let name: &'static str = Box::leak(name.to_owned().into_boxed_str());
    let bases: &'static [&'static Class] = Box::leak(bases.to_vec().into_boxed_slice());
    Box::leak(Box::new(
        redis_exceptions::__private::ClassDef {
            name,
            module,
            bases,
            doc: "",
            hooks: None,
        }
        .build(),
    ))
}

/// A Python value as the fixtures' JSON.
pub fn to_json(v: &PyValue) -> Value {
    match v {
        PyValue::None => Value::Null,
        PyValue::Str(s) => Value::String(s.clone()),
        PyValue::Int(i) => Value::from(*i),
        PyValue::Bytes(_) => serde_json::json!({ "__bytes_repr__": v.py_repr() }),
    }
}

/// Prints a conformance count where `cargo test` shows it (the harness
/// captures `println!`, not direct writes to stderr).
pub fn report(line: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "conformance: {line}");
}

/// An upper bound on the classes a query on `class` may examine
/// (`Class::__work`) while building every MRO it needs, from C3's cost.
///
/// For a class with `b` bases and an MRO of `L` classes, the merge copies
/// at most `b * L` classes in, then makes at most `L` steps; a step tries at
/// most `b + 1` heads, each against at most `b * L` tail classes, and checks
/// `b + 1` lists twice: at most `b*L + L*(b+1)*(b*L + 3)`, which is at most
/// `4 * (b+1)^2 * L^2`. When the merge fails, the depth-first fallback pops
/// at most `1 + B*L` classes (`B` the most bases any class has), each
/// compared with at most `L`: at most `4 * (B+1)^2 * L^2` more. A query may
/// have to build the MRO of every class of `class`'s MRO, so the bound is
/// that sum over them: polynomial (cubic in the number of classes for a
/// ladder whose MROs grow by two classes a level), where a naive recursion
/// through the bases is exponential.
pub fn mro_work_bound(class: &'static redis_exceptions::Class) -> u64 {
    use redis_exceptions::Class;
    let square = |b: usize, l: usize| 4 * ((b as u64 + 1) * l as u64).pow(2);
    let most_bases = Class::all()
        .chain(class.mro().iter().copied())
        .map(|c| c.bases().len())
        .max()
        .unwrap_or(0);
    class
        .mro()
        .iter()
        .map(|c| {
            let l = c.mro().len();
            let fallback = if c.try_mro().is_err() {
                square(most_bases, l)
            } else {
                0
            };
            square(c.bases().len(), l) + fallback
        })
        .sum()
}
