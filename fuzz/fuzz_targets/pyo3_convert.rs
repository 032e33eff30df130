//! Python exceptions to this crate's errors and back (`Error::from_py`,
//! `Error::to_py`, `From<Error> for PyErr`), in the CPython and reference
//! redis-py venv the pyo3 tests embed (`scripts/env/pyo3_env.sh`).
//!
//! `pyo3_gen.py` builds an exception object from the input: a class among
//! the Python classes of every class this crate knows (`Class::all()` and
//! `py_type`) and some foreign ones, maybe a Python subclass of it (a
//! mixin, a property, an `__init__` that does nothing), hostile `args`
//! (lone surrogates, bytes, huge ints, floats, nested tuples, objects whose
//! `__str__` raises, ...) and attributes set or deleted (`status_code`,
//! `error_type`, `lock_name`, `message`, `slot_id`, ...). Checked for every
//! input:
//!
//! - nothing panics;
//! - `from_py` is `Ok` when a class along `type(e).__mro__` is one of this
//!   crate's non-builtin classes (by identity with `py_type`, else module
//!   and name), and its class is the first such one; else `Err` with the
//!   very exception it was given;
//! - `args` are read as the model says: `None`, `str` (lone surrogates as
//!   U+FFFD), `bytes` and `int` within `i64` as themselves, anything else
//!   as its `str()` (empty when that raises); `lock_name`, `error_type`
//!   and a `str` `status_code` likewise;
//! - `to_py` of the result is an instance of the class's Python class (the
//!   original object when unchanged), or a Python exception;
//! - a copy goes to a new instance of exactly that Python class, and
//!   `from_py` of it gives back the same class, `args`, `status_code`,
//!   `error_type` and `lock_name`.
//!
//! A redis-py instance whose `args` is not a tuple (a subclass's property)
//! is not checked for `Ok`: `from_py` hands it back. The three findings of
//! the first runs (README.md, "The pyo3 target") are fixed and checked.
#![no_main]

use std::ffi::CString;
use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyInt, PyList, PyModule, PyString, PyType};
use redis_exceptions::{Class, Error, PyValue, RedisErrorExt};

const GEN: &str = include_str!("pyo3_gen.py");

struct Env {
    module: Py<PyModule>,
    /// Every class of `Class::all()` and its Python class.
    classes: Vec<(&'static Class, Py<PyType>)>,
}

fn venv_dir() -> PathBuf {
    if let Some(v) = std::env::var_os("REDIS_EXCEPTIONS_PYO3_VENV") {
        return PathBuf::from(v);
    }
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .expect("HOME or XDG_CACHE_HOME");
    cache.join("redis-exceptions").join("pyo3-venv")
}

/// Starts the interpreter in the venv (as tests/pyo3.rs `proof` does) and
/// loads the generator.
fn env() -> &'static Env {
    static ENV: OnceLock<Env> = OnceLock::new();
    ENV.get_or_init(|| {
        let venv = venv_dir();
        assert!(
            venv.join("bin/python3").exists(),
            "no venv at {}: run `bash scripts/env/pyo3_env.sh`",
            venv.display()
        );
        let path = std::env::var_os("PATH").unwrap_or_default();
        let mut dirs = vec![venv.join("bin")];
        dirs.extend(std::env::split_paths(&path));
        std::env::set_var("PATH", std::env::join_paths(dirs).expect("PATH"));
        std::env::remove_var("PYTHONHOME");
        std::env::remove_var("PYTHONPATH");
        std::env::set_var("PYTHONNOUSERSITE", "1");
        Python::initialize();
        Python::attach(|py| {
            let redis = py.import("redis").expect("import redis");
            let version: String = redis.getattr("__version__").unwrap().extract().unwrap();
            assert_eq!(version, redis_exceptions::RedisPy::REFERENCE.__pinned(), "redis-py of the venv");
            let prefix: String = py
                .import("sys")
                .unwrap()
                .getattr("prefix")
                .unwrap()
                .extract()
                .unwrap();
            assert_eq!(
                std::fs::canonicalize(&prefix).unwrap(),
                std::fs::canonicalize(&venv).unwrap(),
                "sys.prefix is not the venv"
            );
            let code = CString::new(GEN).unwrap();
            let module =
                PyModule::from_code(py, &code, c"pyo3_gen.py", c"pyo3_gen").expect("generator");
            let list = module
                .getattr("CLASSES")
                .unwrap()
                .cast_into::<PyList>()
                .unwrap();
            let mut classes = Vec::new();
            for class in Class::all() {
                let ty = class.py_type(py).expect("py_type");
                list.append(&ty).unwrap();
                classes.push((class, ty.unbind()));
            }
            eprintln!(
                "pyo3_convert: redis-py {version} in {prefix}, {} classes",
                classes.len()
            );
            Env {
                module: module.unbind(),
                classes,
            }
        })
    })
}

/// The class `from_py` must find: the first along `__mro__` that is one of
/// this crate's non-builtin classes, by identity, else by module and name.
fn expected_class(py: Python<'_>, env: &Env, obj: &Bound<'_, PyAny>) -> Option<&'static Class> {
    for t in obj.get_type().mro().iter() {
        // The first class whose Python class it is: a class redis-py 8.2
        // lacks has its nearest ancestor's (maybe `Exception`), after it.
        if let Some((c, _)) = env.classes.iter().find(|(_, k)| k.bind(py).is(&t)) {
            if c.module() == "builtins" {
                continue;
            }
            return Some(c);
        }
        let t = t.cast_into::<PyType>().ok()?;
        let (Ok(m), Ok(n)) = (t.module(), t.name()) else {
            continue;
        };
        let (Ok(m), Ok(n)) = (m.to_str(), n.to_str()) else {
            continue;
        };
        let by_name = |(c, _): &&(&'static Class, _)| c.module() == m && c.name() == n;
        if let Some((c, _)) = env
            .classes
            .iter()
            .find(by_name)
            .filter(|(c, _)| c.module() != "builtins")
        {
            return Some(c);
        }
    }
    None
}

/// A model value (None, exact str, bytes or int) as a `PyValue`.
fn as_value(v: &Bound<'_, PyAny>) -> PyValue {
    if v.is_none() {
        PyValue::None
    } else if let Ok(s) = v.cast_exact::<PyString>() {
        PyValue::Str(s.to_str().expect("model text is valid").to_owned())
    } else if let Ok(b) = v.cast_exact::<PyBytes>() {
        PyValue::Bytes(b.as_bytes().to_vec())
    } else if let Ok(i) = v.cast_exact::<PyInt>() {
        PyValue::Int(i.extract().expect("model int within i64"))
    } else {
        panic!("model value {v:?}")
    }
}

fn call<'py>(m: &Bound<'py, PyModule>, f: &str, obj: &Bound<'py, PyAny>) -> Bound<'py, PyAny> {
    m.getattr(f).unwrap().call1((obj,)).unwrap()
}

fn fields(e: &Error) -> String {
    format!(
        "{} {:?} {:?} {:?} {:?}",
        e.class().qualified_name(),
        e.args(),
        e.status_code(),
        e.error_type(),
        e.lock_name()
    )
}

fuzz_target!(|data: &[u8]| {
    let env = env();
    Python::attach(|py| {
        let m = env.module.bind(py);
        let obj = m
            .getattr("build")
            .unwrap()
            .call1((PyBytes::new(py, data),))
            .unwrap();
        if obj.is_none() {
            return;
        }
        let what = call(m, "describe", &obj).to_string();
        let expected = expected_class(py, env, &obj);
        let model_args = call(m, "model_args", &obj);
        let err = PyErr::from_value(obj.clone());
        let e = match Error::from_py(py, err) {
            Ok(e) => e,
            Err(back) => {
                assert!(
                    back.value(py).is(&obj),
                    "{what}: another exception came back"
                );
                assert!(
                    expected.is_none() || model_args.is_none(),
                    "{what}: from_py refused an instance of {}",
                    expected.unwrap().qualified_name()
                );
                return;
            }
        };
        let class = expected
            .unwrap_or_else(|| panic!("{what}: from_py took it as {}", e.class().qualified_name()));
        assert!(
            std::ptr::eq(e.class(), class),
            "{what}: class {} != {}",
            e.class().qualified_name(),
            class.qualified_name()
        );
        let want: Vec<PyValue> = model_args
            .cast_into::<PyList>()
            .unwrap_or_else(|_| panic!("{what}: Ok with args not a tuple"))
            .iter()
            .map(|v| as_value(&v))
            .collect();
        assert_eq!(e.args(), &want[..], "{what}: args");
        let attr = |name: &str| {
            m.getattr("model_attr")
                .unwrap()
                .call1((&obj, name))
                .unwrap()
        };
        if let Some(code) = e.status_code() {
            if let Ok(s) = attr("status_code").cast_into::<PyString>() {
                assert_eq!(code, s.to_str().unwrap(), "{what}: status_code");
            }
        }
        if let Some(name) = e.lock_name() {
            assert_eq!(name, &as_value(&attr("lock_name")), "{what}: lock_name");
        }
        let et = call(m, "model_error_type", &obj);
        let want_et = et.extract::<String>().ok();
        assert_eq!(
            e.error_type().map(|t| t.value().to_owned()),
            want_et.filter(|v| redis_exceptions::ExceptionType::from_value(v).is_some()),
            "{what}: error_type"
        );
        // Nothing of these panics.
        let _ = (
            e.to_string(),
            format!("{e:?}"),
            e.py_repr(),
            e.redirect().is_some(),
        );
        for a in redis_exceptions::ATTRIBUTES {
            let _ = e.getattr(a);
        }
        let ty = class.py_type(py).unwrap();
        match e.to_py(py) {
            Ok(back) => assert!(
                back.is_instance(&ty).unwrap(),
                "{what}: to_py gave a {:?}",
                back.get_type()
            ),
            Err(raised) => drop(raised),
        }
        // A copy is no longer the Python object: a new instance of exactly
        // the class, read back the same.
        let copy = e.clone();
        match copy.to_py(py) {
            Ok(made) => {
                assert!(
                    made.get_type().is(&ty),
                    "{what}: copy to_py gave a {:?}",
                    made.get_type()
                );
                let again = Error::from_py(py, PyErr::from_value(made.into_any()))
                    .unwrap_or_else(|back| panic!("{what}: from_py refused the copy: {back}"));
                assert_eq!(fields(&again), fields(&e), "{what}: Rust -> Python -> Rust");
            }
            Err(raised) => drop(raised),
        }
        let _ = PyErr::from(e);
    });
});
