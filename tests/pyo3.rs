//! Feature `pyo3`: errors into an embedded CPython and back, against the
//! reference redis-py and the valkey-py (`src/class/releases.txt`) of the
//! venv made by `scripts/env/pyo3_env.sh`.
//!
//! Every test first proves which interpreter it runs (the mapped
//! libpython, `sys.version`, `sys.prefix`, `redis.__file__`,
//! `valkey.__file__`): a test
//! binary can load another libpython or another `site-packages` than the
//! build used.
//!
//! Without that venv each test is skipped, saying why, unless the test
//! command requires it (`REDIS_EXCEPTIONS_REQUIRE_SERVERS=1`): then it fails.
#![cfg(feature = "pyo3")]

mod common;

use std::ffi::CString;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use pyo3::exceptions::PyKeyError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyModule, PyString, PyTuple};
use redis_exceptions::{
    construct, exception, parse_error, Class, Client, ConnectionError, Error, ExceptionClass,
    MovedError, PyValue, RedisErrorExt, ResponseError, ValkeyPy,
};

const HINT: &str = "run `bash scripts/env/pyo3_env.sh` first (or `bash scripts/test.sh \
                    --setup-only`, which runs it): it installs Debian's python3.11 and \
                    libpython3.11-dev and makes the venv with the reference redis-py and the \
                    valkey-py of src/class/releases.txt these tests embed";

/// The redis-py of the venv: the reference release, pinned.
fn redis_pin() -> &'static str {
    redis_exceptions::RedisPy::REFERENCE.__pinned()
}

/// The valkey-py of the venv: the newest valkey-py release, pinned.
fn valkey_pin() -> &'static str {
    ValkeyPy::ALL[ValkeyPy::ALL.len() - 1].__pinned()
}

/// The venv the tests embed: `$REDIS_EXCEPTIONS_PYO3_VENV`, else the
/// default of `scripts/env/pyo3_env.sh`.
fn venv_dir() -> PathBuf {
    if let Some(v) = std::env::var_os("REDIS_EXCEPTIONS_PYO3_VENV") {
        return PathBuf::from(v);
    }
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cache")))
        .expect("HOME or XDG_CACHE_HOME");
    cache.join("redis-exceptions").join("pyo3-venv")
}

/// Set by the test command (`scripts/test.sh`, and so CI): without the
/// venv the tests FAIL, naming `scripts/env/pyo3_env.sh`. Unset (a plain
/// `cargo test --all-features`), they are skipped, saying why.
const REQUIRE_VAR: &str = "REDIS_EXCEPTIONS_REQUIRE_SERVERS";

/// Whether `test` is skipped: the venv the tests embed is missing and the
/// test command did not require it (a line on stderr says so).
fn skipped(test: &str) -> bool {
    let venv = venv_dir();
    if venv.join("bin").join("python3").exists()
        || std::env::var_os(REQUIRE_VAR).is_some_and(|v| !v.is_empty() && v != "0")
    {
        return false;
    }
    use std::io::Write as _;
    let _ = writeln!(
        std::io::stderr(),
        "skipped: {test}: no venv at {} ({HINT}; set {REQUIRE_VAR}=1 to fail instead)",
        venv.display()
    );
    true
}

fn realpath(p: &str) -> String {
    std::fs::canonicalize(p)
        .map(|p| p.display().to_string())
        .unwrap_or_else(|_| p.to_owned())
}

/// Lines printed by `exe -c code`.
fn ask(exe: &Path, code: &str) -> Vec<String> {
    let out = Command::new(exe)
        .args(["-c", code])
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}; {HINT}", exe.display()));
    assert!(
        out.status.success(),
        "{} failed: {}; {HINT}",
        exe.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_owned)
        .collect()
}

/// What the tests proved about the interpreter they run.
#[derive(Debug)]
struct Proof {
    libpython: String,
    version: String,
    executable: String,
    prefix: String,
    redis_version: String,
    redis_file: String,
    valkey_version: String,
    valkey_file: String,
}

const BUILD_FACTS: &str = "import os, sys, sysconfig\n\
print(sys.version)\n\
print(os.path.realpath(os.path.join(sysconfig.get_config_var('LIBDIR'), sysconfig.get_config_var('INSTSONAME'))))\n\
print(os.path.realpath(sys.base_prefix))";

/// Starts the embedded interpreter inside the venv (as `PATH` activation
/// does: CPython finds `python3` on `PATH`, then the venv's `pyvenv.cfg`)
/// and proves what it runs. Panics, naming `scripts/env/pyo3_env.sh`, when
/// the environment is not the one the tests need.
fn proof() -> &'static Proof {
    static PROOF: OnceLock<Proof> = OnceLock::new();
    PROOF.get_or_init(|| {
        let venv = venv_dir();
        let venv_python = venv.join("bin").join("python3");
        assert!(
            venv_python.exists(),
            "no venv at {}: {HINT}",
            venv.display()
        );
        let build_python = option_env!("PYO3_PYTHON").unwrap_or_else(|| {
            panic!("PYO3_PYTHON was not set at build time (.cargo/config.toml sets it); {HINT}")
        });
        let build = ask(Path::new(build_python), BUILD_FACTS);
        let (build_version, build_lib, build_base) = (&build[0], &build[1], &build[2]);

        // Activate the venv the way a shell does, before the interpreter starts.
        let path = std::env::var_os("PATH").unwrap_or_default();
        let mut dirs = vec![venv.join("bin")];
        dirs.extend(std::env::split_paths(&path));
        std::env::set_var("PATH", std::env::join_paths(dirs).expect("PATH"));
        std::env::remove_var("PYTHONHOME");
        std::env::remove_var("PYTHONPATH");
        std::env::set_var("PYTHONNOUSERSITE", "1");
        Python::initialize();

        let facts: Vec<String> = Python::attach(|py| {
            let code = c"import sys, os, redis, valkey\n\
facts = [sys.version, sys.executable, os.path.realpath(sys.prefix), os.path.realpath(sys.base_prefix), redis.__version__, os.path.realpath(redis.__file__), valkey.__version__, os.path.realpath(valkey.__file__)]";
            let m = PyModule::from_code(py, code, c"proof.py", c"proof")
                .unwrap_or_else(|e| {
                    panic!("embedded Python cannot import redis and valkey: {e}; {HINT}")
                });
            m.getattr("facts").unwrap().extract().unwrap()
        });
        let maps = std::fs::read_to_string("/proc/self/maps").expect("/proc/self/maps");
        let mut libs: Vec<String> = maps
            .lines()
            .filter_map(|l| l.split_whitespace().nth(5))
            .filter(|p| p.contains("libpython"))
            .map(realpath)
            .collect();
        libs.sort();
        libs.dedup();
        let venv_real = realpath(&venv.display().to_string());
        let proof = Proof {
            libpython: libs.join(", "),
            version: facts[0].clone(),
            executable: facts[1].clone(),
            prefix: facts[2].clone(),
            redis_version: facts[4].clone(),
            redis_file: facts[5].clone(),
            valkey_version: facts[6].clone(),
            valkey_file: facts[7].clone(),
        };
        assert_eq!(
            libs,
            std::slice::from_ref(build_lib),
            "the test loaded another libpython than {build_python} describes; {HINT}"
        );
        assert_eq!(
            &proof.version, build_version,
            "embedded sys.version differs from the build interpreter {build_python}; {HINT}"
        );
        assert_eq!(&facts[3], build_base, "sys.base_prefix; {HINT}");
        assert_eq!(proof.prefix, venv_real, "sys.prefix is not the venv; {HINT}");
        assert_eq!(
            realpath(&proof.executable),
            realpath(&venv_python.display().to_string()),
            "sys.executable; {HINT}"
        );
        assert_eq!(proof.redis_version, redis_pin(), "redis.__version__; {HINT}");
        assert!(
            proof.redis_file.starts_with(&venv_real),
            "redis imported from {} instead of the venv; {HINT}",
            proof.redis_file
        );
        assert_eq!(proof.valkey_version, valkey_pin(), "valkey.__version__; {HINT}");
        assert!(
            proof.valkey_file.starts_with(&venv_real),
            "valkey imported from {} instead of the venv; {HINT}",
            proof.valkey_file
        );
        common::report(&format!(
            "pyo3: embedded CPython {} from {} (built for {build_python}), sys.prefix {}, \
             redis {} from {}, valkey {} from {}",
            proof.version.split_whitespace().next().unwrap_or(""),
            proof.libpython,
            proof.prefix,
            proof.redis_version,
            proof.redis_file,
            proof.valkey_version,
            proof.valkey_file
        ));
        proof
    })
}

/// Python helpers: building with redis-py, and describing an instance
/// field by field.
const HELPERS: &str = r#"
import builtins
import redis.exceptions as rx
from redis._parsers.base import BaseParser

MISSING = object()
PROBES = ("message", "lock_name", "status_code", "error_type", "slot_id", "host", "port", "node_addr")
BUILTINS = ("BaseException", "Exception", "ValueError")

def cls(name):
    return getattr(builtins, name) if name in BUILTINS else getattr(rx, name)

def build(name, args, kwargs):
    try:
        return True, cls(name)(*args, **kwargs)
    except Exception as e:
        return False, (type(e).__name__, str(e))

def parse(text):
    try:
        return True, BaseParser.parse_error(text)
    except Exception as e:
        return False, (type(e).__name__, str(e))

def describe(e):
    return {
        "type": type(e),
        "args": repr(e.args),
        "str": str(e),
        "repr": repr(e),
        "vars": [(k, type(v).__name__, repr(v)) for k, v in vars(e).items()],
        "probes": [(a, repr(getattr(e, a, MISSING)) if hasattr(e, a) else "-") for a in PROBES],
        "cause": repr(e.__cause__),
        "context": repr(e.__context__),
        "suppress_context": e.__suppress_context__,
    }

def diff(a, b):
    da, db = describe(a), describe(b)
    return ["%s: %r != %r" % (k, da[k], db[k]) for k in da if da[k] != db[k]]

def raise_it(e):
    raise e
"#;

/// Runs `f` attached to the proven interpreter.
fn with_python<R>(f: impl for<'py> FnOnce(Python<'py>) -> R) -> R {
    proof();
    Python::attach(f)
}

fn helpers(py: Python<'_>) -> Bound<'_, PyModule> {
    proof();
    let code = CString::new(HELPERS).unwrap();
    PyModule::from_code(py, &code, c"helpers.py", c"helpers").expect("helpers compile")
}

fn to_py<'py>(py: Python<'py>, v: &PyValue) -> Bound<'py, PyAny> {
    match v {
        PyValue::None => py.None().into_bound(py),
        PyValue::Str(s) => PyString::new(py, s).into_any(),
        PyValue::Bytes(b) => PyBytes::new(py, b).into_any(),
        PyValue::Int(i) => i.into_pyobject(py).unwrap().into_any(),
    }
}

fn diff(h: &Bound<'_, PyModule>, a: &Bound<'_, PyAny>, b: &Bound<'_, PyAny>) -> Vec<String> {
    h.getattr("diff")
        .unwrap()
        .call1((a, b))
        .unwrap()
        .extract()
        .unwrap()
}

/// What `from_py` must keep, compared on the Rust side.
fn rust_fields(e: &dyn RedisErrorExt) -> String {
    let attrs: Vec<_> = redis_exceptions::ATTRIBUTES
        .iter()
        .map(|a| (a, e.getattr(a)))
        .collect();
    format!(
        "{} {:?} {:?} {:?} {:?} {:?} {} {}",
        e.class().qualified_name(),
        e.args(),
        e.status_code(),
        e.error_type(),
        e.lock_name(),
        attrs,
        e,
        e.py_repr()
    )
}

/// Rust -> Python equals redis-py's instance `theirs`, and
/// redis-py -> Rust -> Python gives it back: the very object while the
/// Rust error is unchanged, an identical new instance from a copy.
fn round_trip(
    py: Python<'_>,
    h: &Bound<'_, PyModule>,
    ours: &Error,
    theirs: &Bound<'_, PyAny>,
) -> Result<(), String> {
    let made = ours.to_py(py).map_err(|e| format!("to_py raised {e}"))?;
    let d = diff(h, made.as_any(), theirs);
    if !d.is_empty() {
        return Err(format!("Rust -> Python: {}", d.join("; ")));
    }
    let err = PyErr::from_value(theirs.clone());
    let is_redis = ours.class().module() != "builtins";
    let back = match Error::from_py(py, err) {
        Ok(back) if is_redis => back,
        Ok(back) => return Err(format!("a builtin came back as {back:?}")),
        Err(same) if !is_redis && same.value(py).is(theirs) => return Ok(()),
        Err(other) => return Err(format!("from_py refused it: {other}")),
    };
    if rust_fields(&back) != rust_fields(ours) {
        return Err(format!(
            "Python -> Rust: {} != {}",
            rust_fields(&back),
            rust_fields(ours)
        ));
    }
    let source = std::error::Error::source(&back).and_then(|s| s.downcast_ref::<PyErr>());
    if !source.is_some_and(|s| s.value(py).is(theirs)) {
        return Err("source() is not the original PyErr".into());
    }
    if !back.to_py(py).unwrap().is(theirs) {
        return Err("unchanged error did not go back as the same object".into());
    }
    let copy = back.clone().to_py(py).map_err(|e| e.to_string())?;
    let d = diff(h, copy.as_any(), theirs);
    if !d.is_empty() {
        return Err(format!("Python -> Rust -> Python: {}", d.join("; ")));
    }
    Ok(())
}

#[test]
fn embedded_interpreter_is_the_venv() {
    if skipped("embedded_interpreter_is_the_venv") {
        return;
    }
    let p = proof();
    assert!(p.libpython.contains("libpython3"));
    with_python(|py| {
        // The interpreter that runs is the one the proof describes.
        let sys = py.import("sys").unwrap();
        let version: String = sys.getattr("version").unwrap().extract().unwrap();
        assert_eq!(version, p.version);
        let path: Vec<String> = sys.getattr("path").unwrap().extract().unwrap();
        assert!(
            !path.iter().any(|d| d.contains("dist-packages")),
            "system site-packages on sys.path: {path:?}"
        );
    });
}

#[test]
fn every_instance_record() {
    if skipped("every_instance_record") {
        return;
    }
    let fx = common::fixture("instances");
    let records = fx["instances"].as_array().unwrap();
    let (mut built, mut raised, mut failures) = (0, 0, Vec::new());
    with_python(|py| {
        let h = helpers(py);
        for rec in records {
            let name = rec["class"].as_str().unwrap();
            let (args, kwargs) = common::record_call(rec);
            let py_args = PyTuple::new(py, args.iter().map(|a| to_py(py, a))).unwrap();
            let py_kwargs = PyDict::new(py);
            for (k, v) in &kwargs {
                py_kwargs.set_item(k, to_py(py, v)).unwrap();
            }
            let (ok, theirs): (bool, Bound<'_, PyAny>) = h
                .getattr("build")
                .unwrap()
                .call1((name, py_args, py_kwargs))
                .unwrap()
                .extract()
                .unwrap();
            let kw: Vec<(&str, PyValue)> = kwargs
                .iter()
                .map(|(k, v)| (k.as_str(), v.clone()))
                .collect();
            let outcome = match (construct(name, &args, &kw), ok) {
                (Ok(ours), true) => round_trip(py, &h, &ours, &theirs).map(|()| built += 1),
                (Err(e), false) => {
                    let (t, m): (String, String) = theirs.extract().unwrap();
                    if (t.as_str(), m.as_str()) == (e.py_type(), &e.to_string()[t.len() + 2..]) {
                        raised += 1;
                        Ok(())
                    } else {
                        Err(format!("Rust raised {e}, Python {t}: {m}"))
                    }
                }
                (Ok(e), false) => Err(format!("Rust built {e:?}, Python raised {theirs}")),
                (Err(e), true) => Err(format!("Rust raised {e}, Python built it")),
            };
            if let Err(why) = outcome {
                failures.push(format!("{} {name}: {why}", rec["id"]));
            }
        }
    });
    common::report(&format!(
        "pyo3 instances: {}/{} identical through Python ({built} built and round-tripped, \
         {raised} raised the same error in both)",
        built + raised,
        records.len()
    ));
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(
        records.len() as u64,
        fx["counts"]["records"].as_u64().unwrap()
    );
}

/// The servers of the live matrix (tests/live/servers.rs), whose recorded
/// replies go through the embedded redis-py too.
const SERVERS: &[&str] = &[
    "redis-7.0",
    "valkey-8.1",
    "redis-6.2",
    "valkey-9.1",
    "redis-8.2",
];

/// The reply texts of the public corpus, of the live capture, and of every
/// server's recorded replies (`tests/fixtures/live/<server>/replies.json`,
/// error replies and the error elements of array replies; id
/// `<server>:<scenario>`).
fn replies() -> Vec<(String, String)> {
    let corpus = common::fixture("public_corpus");
    let live = common::fixture("live_replies");
    let mut out: Vec<(String, String)> = corpus["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["id"].as_str().unwrap().to_owned(),
                c["input"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    out.extend(
        live["scenarios"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|s| {
                Some((
                    s["name"].as_str()?.to_owned(),
                    s["error_text"].as_str()?.to_owned(),
                ))
            }),
    );
    for server in SERVERS {
        let doc = common::fixture(&format!("live/{server}/replies"));
        for s in doc["scenarios"].as_array().unwrap() {
            let id = format!("{server}:{}", s["name"].as_str().unwrap());
            if let Some(text) = s["error_text"].as_str() {
                out.push((id.clone(), text.to_owned()));
            }
            for n in s["nested_errors"].as_array().into_iter().flatten() {
                out.push((
                    format!("{id}#{}", n["index"]),
                    n["error_text"].as_str().unwrap().to_owned(),
                ));
            }
        }
    }
    out
}

#[test]
fn every_corpus_reply() {
    if skipped("every_corpus_reply") {
        return;
    }
    let cases = replies();
    let (mut same, mut partial, mut failures) = (0, 0, Vec::new());
    with_python(|py| {
        let h = helpers(py);
        for (id, input) in &cases {
            let ours = parse_error(input);
            let (ok, theirs): (bool, Bound<'_, PyAny>) = h
                .getattr("parse")
                .unwrap()
                .call1((input,))
                .unwrap()
                .extract()
                .unwrap();
            let outcome = if ok {
                round_trip(py, &h, &ours, &theirs).map(|()| same += 1)
            } else {
                // redis-py raises inside AskError.__init__ (crate docs,
                // difference 1): the Python instance is the one that
                // __init__ had built when it raised, without the redirect.
                let made = ours.to_py(py).unwrap();
                let code = input.split(' ').next().unwrap();
                let payload = input.get(code.len() + 1..).unwrap_or("");
                let expect = format!(
                    "{code} {:?} {payload:?} {payload:?} false",
                    made.get_type().name().unwrap().to_string()
                );
                let got = format!(
                    "{} {:?} {:?} {:?} {}",
                    made.getattr("status_code").unwrap(),
                    made.get_type().name().unwrap().to_string(),
                    made.getattr("message").unwrap().to_string(),
                    made.str().unwrap().to_string(),
                    made.hasattr("slot_id").unwrap()
                );
                let back = Error::from_py(py, PyErr::from_value(made.clone().into_any())).unwrap();
                let copy = back.clone().to_py(py).unwrap();
                let d = diff(&h, copy.as_any(), made.as_any());
                if got == expect && d.is_empty() && ours.redirect().is_none() {
                    partial += 1;
                    Ok(())
                } else {
                    Err(format!("{got} != {expect}; {d:?}"))
                }
            };
            if let Err(why) = outcome {
                failures.push(format!("{id} {input:?}: {why}"));
            }
        }
    });
    for server in SERVERS {
        let prefix = format!("{server}:");
        let total = cases.iter().filter(|c| c.0.starts_with(&prefix)).count();
        let failed = failures.iter().filter(|f| f.starts_with(&prefix)).count();
        common::report(&format!(
            "pyo3 replies of {server}: {}/{total} the same through the embedded redis-py",
            total - failed
        ));
        assert!(total > 80, "{server}: only {total} recorded replies");
    }
    common::report(&format!(
        "pyo3 replies: {}/{} through Python ({same} identical to redis-py's parse_error and \
         round-tripped, {partial} where redis-py raises: documented difference 1)",
        same + partial,
        cases.len()
    ));
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(cases.len() >= 133 + 80);
}

exception! {
    /// The cache refused a write.
    pub struct CacheRejected(ResponseError);
    /// A lost link to the cache, also a refusal.
    pub struct CacheLinkLost(CacheRejected, ConnectionError);
}

#[test]
fn user_classes_become_python_subclasses() {
    if skipped("user_classes_become_python_subclasses") {
        return;
    }
    with_python(|py| {
        let h = helpers(py);
        let rx = py.import("redis.exceptions").unwrap();
        let e = CacheLinkLost::new("lost").with_status_code("ERR");
        let obj = PyErr::from(e.clone()).into_value(py).into_bound(py);
        let ty = obj.get_type();
        assert_eq!(ty.name().unwrap().to_string(), "CacheLinkLost");
        assert_eq!(
            ty.module().unwrap().to_string(),
            CacheLinkLost::CLASS.module()
        );
        for base in ["ConnectionError", "ResponseError", "RedisError"] {
            assert!(
                obj.is_instance(&rx.getattr(base).unwrap()).unwrap(),
                "{base}"
            );
        }
        let mro: Vec<String> = ty
            .mro()
            .iter()
            .map(|t| t.getattr("__name__").unwrap().extract().unwrap())
            .collect();
        let rust: Vec<&str> = CacheLinkLost::CLASS
            .mro()
            .iter()
            .map(|c| c.name())
            .collect();
        assert_eq!(mro[..mro.len() - 1], rust[..], "MRO, object aside");
        // Made once: the same class object every time.
        let again = CacheLinkLost::CLASS.py_type(py).unwrap();
        assert!(again.is(&ty));
        // Instances are what the inherited __init__ makes.
        assert_eq!(obj.getattr("status_code").unwrap().to_string(), "ERR");
        assert_eq!(obj.repr().unwrap().to_string(), e.py_repr());
        // `except ConnectionError:` in Python catches it.
        let catch = PyModule::from_code(
            py,
            c"import redis.exceptions as rx\n\
def catch(e):\n    try:\n        raise e\n    except rx.ConnectionError as caught:\n        return caught\n",
            c"catch.py",
            c"catch",
        )
        .unwrap();
        let caught = catch.getattr("catch").unwrap().call1((&obj,)).unwrap();
        assert!(caught.is(&obj));
        assert!(diff(&h, obj.as_any(), &caught).is_empty());
        let back = Error::from_py(py, PyErr::from_value(obj.clone().into_any())).unwrap();
        assert!(back.downcast_ref::<CacheLinkLost>().is_some(), "{back:?}");
        assert!(back.to_py(py).unwrap().is(&obj));
    });
}

#[pyfunction]
fn fail(kind: &str) -> PyResult<()> {
    match kind {
        "moved" => Err(MovedError::new("3999 127.0.0.1:6381")
            .with_status_code("MOVED")
            .into()),
        "noauth" => Err(parse_error("NOAUTH Authentication required.").into()),
        "user" => Err(CacheLinkLost::new("link lost").into()),
        "io" => {
            let io = std::io::Error::from_raw_os_error(111);
            let e = redis_exceptions::Error::from_io(
                io,
                redis_exceptions::IoPhase::Connect {
                    host: "localhost",
                    port: 6379,
                },
            );
            Err(e)?
        }
        _ => Ok(()),
    }
}

#[test]
fn question_mark_in_a_pyfunction_raises_redis_py_classes() {
    if skipped("question_mark_in_a_pyfunction_raises_redis_py_classes") {
        return;
    }
    with_python(|py| {
        helpers(py);
        let f = wrap_pyfunction!(fail, py).unwrap();
        let m = PyModule::from_code(
            py,
            c"import redis.exceptions as rx
def run(fail):
    out = []
    try:
        fail('moved')
    except rx.MovedError as e:
        out.append((type(e).__name__, e.slot_id, e.host, e.port, e.status_code, repr(e)))
    try:
        fail('noauth')
    except rx.ConnectionError as e:
        out.append((type(e).__name__, str(e), e.status_code, repr(e)))
    try:
        fail('user')
    except rx.ConnectionError as e:
        out.append((type(e).__name__, str(e), repr(e)))
    try:
        fail('io')
    except rx.ConnectionError as e:
        c = e.__cause__
        out.append((type(e).__name__, str(e), type(c).__name__, c.errno, c.strerror, e.__suppress_context__))
    return repr(out)
",
            c"run.py",
            c"run",
        )
        .unwrap();
        let out: String = m
            .getattr("run")
            .unwrap()
            .call1((f,))
            .unwrap()
            .extract()
            .unwrap();
        assert_eq!(
            out,
            "[('MovedError', 3999, '127.0.0.1', 6381, 'MOVED', 'server:MovedError'), \
             ('AuthenticationError', 'Authentication required.', 'NOAUTH', 'auth:AuthenticationError'), \
             ('CacheLinkLost', 'link lost', 'network:CacheLinkLost'), \
             ('ConnectionError', 'Error 111 connecting to localhost:6379. Connection refused.', \
             'ConnectionRefusedError', 111, 'Connection refused', True)]"
        );
    });
}

#[test]
fn causes_keep_their_classes() {
    if skipped("causes_keep_their_classes") {
        return;
    }
    with_python(|py| {
        helpers(py);
        // A crate error as the cause keeps its class; its own cause follows.
        let inner = ConnectionError::new("link down")
            .with_source(std::io::Error::new(std::io::ErrorKind::TimedOut, "slow"));
        let outer: Error = ResponseError::new("outer").with_source(inner).into();
        let obj = outer.to_py(py).unwrap();
        let cause = obj.getattr("__cause__").unwrap();
        assert_eq!(cause.repr().unwrap().to_string(), "network:ConnectionError");
        assert_eq!(cause.str().unwrap().to_string(), "link down");
        let io = cause.getattr("__cause__").unwrap();
        assert_eq!(io.get_type().name().unwrap().to_string(), "TimeoutError");
        assert_eq!(io.str().unwrap().to_string(), "slow");
        assert!(obj
            .getattr("__suppress_context__")
            .unwrap()
            .extract::<bool>()
            .unwrap());
        // Anything else: Exception(str(e)).
        let fmt: Error = ResponseError::new("x").with_source(std::fmt::Error).into();
        let c = fmt.to_py(py).unwrap().getattr("__cause__").unwrap();
        assert_eq!(
            c.repr().unwrap().to_string(),
            "Exception('an error occurred when formatting an argument')"
        );
        // A Python exception as the cause is that object.
        let key = PyKeyError::new_err("k");
        let key_obj = key.value(py).clone();
        let e: Error = ResponseError::new("x").with_source(key).into();
        assert!(e
            .to_py(py)
            .unwrap()
            .getattr("__cause__")
            .unwrap()
            .is(&key_obj));
        // errno mapping: Python's own subclass for each errno.
        for (errno, name) in [
            (111, "ConnectionRefusedError"),
            (104, "ConnectionResetError"),
            (32, "BrokenPipeError"),
            (110, "TimeoutError"),
        ] {
            let e: Error = ConnectionError::new("x")
                .with_source(std::io::Error::from_raw_os_error(errno))
                .into();
            let c = e.to_py(py).unwrap().getattr("__cause__").unwrap();
            assert_eq!(c.get_type().name().unwrap().to_string(), name);
            assert_eq!(c.getattr("errno").unwrap().extract::<i32>().unwrap(), errno);
        }
    });
}

#[test]
fn python_subclasses_and_foreign_exceptions() {
    if skipped("python_subclasses_and_foreign_exceptions") {
        return;
    }
    with_python(|py| {
        helpers(py);
        let m = PyModule::from_code(
            py,
            c"import builtins, redis.exceptions as rx
class MyMoved(rx.MovedError):
    pass
sub = MyMoved('12 10.0.0.1:7000', status_code='MOVED')
sub.extra = 'kept'
builtin_conn = builtins.ConnectionError('not redis')
key = KeyError('k')
lock = rx.LockNotOwnedError('Cannot release a lock that is no longer owned', lock_name='L')
",
            c"sub.py",
            c"sub",
        )
        .unwrap();
        let sub = m.getattr("sub").unwrap();
        let e = Error::from_py(py, PyErr::from_value(sub.clone())).unwrap();
        assert!(e.is::<MovedError>());
        let r = e.redirect().unwrap();
        assert_eq!(
            (r.slot_id(), r.host(), r.port()),
            (Some(12), "10.0.0.1", Some(7000))
        );
        assert_eq!(e.status_code(), Some("MOVED"));
        // Unchanged, it goes back as itself (subclass and extra attribute kept).
        assert!(e.to_py(py).unwrap().is(&sub));
        // Changed in Rust: a new instance of the Rust class, raised from the original.
        let changed: Error = e
            .downcast::<MovedError>()
            .unwrap()
            .with_status_code("ASK")
            .into();
        let obj = changed.to_py(py).unwrap();
        assert_eq!(obj.get_type().name().unwrap().to_string(), "MovedError");
        assert_eq!(obj.getattr("status_code").unwrap().to_string(), "ASK");
        assert!(obj.getattr("__cause__").unwrap().is(&sub));
        for name in ["builtin_conn", "key"] {
            let v = m.getattr(name).unwrap();
            let back = Error::from_py(py, PyErr::from_value(v.clone())).unwrap_err();
            assert!(back.value(py).is(&v), "{name} handed back unchanged");
        }
        let lock = Error::from_py(py, PyErr::from_value(m.getattr("lock").unwrap())).unwrap();
        assert_eq!(lock.lock_name(), Some(&PyValue::from("L")));
        assert_eq!(lock.class().name(), "LockNotOwnedError");
        // TryFrom is from_py.
        let key = PyErr::from_value(m.getattr("key").unwrap());
        assert!(Error::try_from(key).is_err());
    });
}

/// The child process of `without_redis_py_an_import_error`, which runs it
/// alone in a fresh interpreter (this one hides redis-py from itself).
#[test]
#[ignore = "run by without_redis_py_an_import_error in a child process"]
fn no_redis_child() {
    assert!(
        std::env::var_os("REDIS_EXCEPTIONS_PYO3_CHILD").is_some(),
        "run only as the child of without_redis_py_an_import_error"
    );
    proof();
    with_python(|py| {
        // Hide redis-py from this interpreter: `import redis` now fails.
        py.run(c"import sys\nfor k in [m for m in sys.modules if m == 'redis' or m.startswith('redis.')]:\n    del sys.modules[k]\nsys.modules['redis'] = None\n", None, None)
            .unwrap();
        let err = PyErr::from(parse_error("MOVED 1 h:1"));
        assert!(err.is_instance_of::<pyo3::exceptions::PyImportError>(py));
        let text = err.value(py).str().unwrap().to_string();
        assert!(
            text.contains(&format!("pip install redis=={}", redis_pin())),
            "{text}"
        );
        let cause = err.cause(py).expect("chained to the import failure");
        assert!(cause.is_instance_of::<pyo3::exceptions::PyImportError>(py));
        // Python's own classes need no redis-py.
        let v = PyErr::from(redis_exceptions::ValueError::new("v"));
        assert!(v.is_instance_of::<pyo3::exceptions::PyValueError>(py));
        // Python -> Rust hands foreign errors back.
        let k = PyKeyError::new_err("k");
        assert!(Error::from_py(py, k).is_err());
        println!("NO-REDIS-CHILD-OK");
    });
}

/// Runs the ignored test `name` in a child process of this test binary
/// (a fresh interpreter and class table) and checks it printed `marker`.
fn run_child(name: &str, marker: &str) {
    proof();
    let out = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            name,
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("REDIS_EXCEPTIONS_PYO3_CHILD", "1")
        .output()
        .unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && text.contains(marker),
        "{name}: {text}"
    );
}

#[test]
fn without_redis_py_an_import_error() {
    if skipped("without_redis_py_an_import_error") {
        return;
    }
    run_child("no_redis_child", "NO-REDIS-CHILD-OK");
}

#[test]
fn class_py_type_is_redis_py_class() {
    if skipped("class_py_type_is_redis_py_class") {
        return;
    }
    with_python(|py| {
        helpers(py);
        // The running release (the reference) has every class but those removed.
        for c in Class::all().filter(|c| c.exists_in(redis_exceptions::RedisPy::REFERENCE)) {
            let home = py.import(c.module()).unwrap();
            assert!(
                c.py_type(py).unwrap().is(home.getattr(c.name()).unwrap()),
                "{}",
                c.qualified_name()
            );
        }
        // A class the running release lacks is its nearest ancestor it has.
        let gone = redis_exceptions::Class::by_name("VersionMismatchException").unwrap();
        assert!(!gone.exists_in(redis_exceptions::RedisPy::REFERENCE));
        let exception = py.import("builtins").unwrap().getattr("Exception").unwrap();
        assert!(gone.py_type(py).unwrap().is(exception));
    });
}

// ---------------------------------------------------------------------------
// Hostile use (issue 18).
// ---------------------------------------------------------------------------

/// `source()` calls made by the chain types below.
static SOURCE_CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// An error whose `source()` is itself.
#[derive(Debug)]
struct Loop;

impl std::fmt::Display for Loop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("loop")
    }
}

impl std::error::Error for Loop {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        SOURCE_CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Some(self)
    }
}

/// Link `i` of a chain of `LINKS`, each the source of the one before.
#[derive(Debug)]
struct Nth(usize);

const LINKS: usize = 100_000;

fn links() -> &'static [Nth] {
    static ALL: OnceLock<Vec<Nth>> = OnceLock::new();
    ALL.get_or_init(|| (0..LINKS).map(Nth).collect())
}

impl std::fmt::Display for Nth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "link {}", self.0)
    }
}

impl std::error::Error for Nth {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        SOURCE_CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        links()
            .get(self.0 + 1)
            .map(|n| n as &(dyn std::error::Error + 'static))
    }
}

/// Wraps a link of the static chain (a source must be owned).
#[derive(Debug)]
struct Head(&'static Nth);

impl std::fmt::Display for Head {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("head")
    }
}

impl std::error::Error for Head {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(self.0)
    }
}

/// The depth of `__cause__`s under `obj`.
fn cause_depth(obj: &Bound<'_, PyAny>) -> usize {
    let mut n = 0;
    let mut at = obj.getattr("__cause__").unwrap();
    while !at.is_none() {
        n += 1;
        at = at.getattr("__cause__").unwrap();
    }
    n
}

/// A cyclic chain ends, and a long one costs what is emitted (64
/// causes), not a walk of the whole chain per link.
#[test]
fn to_py_walks_cyclic_and_long_chains_in_bounded_work() {
    if skipped("to_py_walks_cyclic_and_long_chains_in_bounded_work") {
        return;
    }
    use std::sync::atomic::Ordering::Relaxed;
    with_python(|py| {
        helpers(py);
        let e = Error::from(ResponseError::new("x")).with_source(Loop);
        let before = SOURCE_CALLS.load(Relaxed);
        let obj = e.to_py(py).unwrap();
        let calls = SOURCE_CALLS.load(Relaxed) - before;
        assert_eq!(cause_depth(&obj), 64, "64 causes");
        assert!(calls <= 70, "{calls} source() calls for 64 causes");

        let e = Error::from(ResponseError::new("x")).with_source(Head(&links()[0]));
        let before = SOURCE_CALLS.load(Relaxed);
        let obj = e.to_py(py).unwrap();
        let calls = SOURCE_CALLS.load(Relaxed) - before;
        assert!(cause_depth(&obj) <= 66);
        assert!(calls <= 70, "{calls} source() calls for 64 causes");
    });
}

exception! {
    /// A class whose Python `__init__` one test patches (no other test
    /// uses it or derives from it: tests run in parallel).
    pub struct InitPatched(ResponseError);
}

/// Patches the Python class of `InitPatched` so that its `__init__`
/// raises `exc`, runs `f`, and restores it.
fn with_init_raising<R>(py: Python<'_>, exc: &std::ffi::CStr, f: impl FnOnce() -> R) -> R {
    let ty = InitPatched::CLASS.py_type(py).unwrap();
    let m = PyModule::from_code(
        py,
        &CString::new(format!(
            "def init(self, *a, **k):\n    raise {}\n",
            exc.to_str().unwrap()
        ))
        .unwrap(),
        c"patch.py",
        c"patch",
    )
    .unwrap();
    ty.setattr("__init__", m.getattr("init").unwrap()).unwrap();
    let out = f();
    ty.delattr("__init__").unwrap();
    out
}

/// What `__init__` raises reaches the caller: `KeyboardInterrupt` above
/// all, and any error other than a redirect payload's own `ValueError`.
#[test]
fn exceptions_raised_in_init_propagate() {
    if skipped("exceptions_raised_in_init_propagate") {
        return;
    }
    with_python(|py| {
        helpers(py);
        for exc in [
            c"KeyboardInterrupt",
            c"MemoryError('m')",
            c"ValueError('v')",
        ] {
            let err = with_init_raising(py, exc, || {
                Error::from(InitPatched::new("x")).to_py(py).unwrap_err()
            });
            let name = err.get_type(py).name().unwrap().to_string();
            assert!(exc.to_str().unwrap().starts_with(&name), "{exc:?}: {name}");
        }
        // The same through `?` in a #[pyfunction] (`From<Error> for PyErr`).
        let err = with_init_raising(py, c"KeyboardInterrupt", || {
            PyErr::from(Error::from(InitPatched::new("x")))
        });
        assert!(err.is_instance_of::<pyo3::exceptions::PyKeyboardInterrupt>(py));
        // Difference 9 still holds: a payload neither side parses.
        let obj = Error::from(MovedError::new("not a payload"))
            .to_py(py)
            .unwrap();
        assert_eq!(obj.get_type().name().unwrap().to_string(), "MovedError");
        assert!(obj.getattr_opt("slot_id").unwrap().is_none());
    });
}

/// A crate error wrapped in `io::Error::other` is a cause of its own class.
#[test]
fn io_wrapped_crate_error_keeps_its_class_as_a_cause() {
    if skipped("io_wrapped_crate_error_keeps_its_class_as_a_cause") {
        return;
    }
    with_python(|py| {
        helpers(py);
        let io = std::io::Error::other(parse_error("MOVED 1 h:1"));
        let e = Error::from(ResponseError::new("x")).with_source(io);
        let cause = e.to_py(py).unwrap().getattr("__cause__").unwrap();
        assert_eq!(cause.get_type().name().unwrap().to_string(), "MovedError");
        assert_eq!(
            cause.getattr("slot_id").unwrap().extract::<i64>().unwrap(),
            1
        );
        // `From<io::Error>`: the wrapped error itself.
        let back = Error::from(std::io::Error::other(parse_error("MOVED 1 h:1")));
        assert!(back.is::<MovedError>(), "{back:?}");
        assert_eq!(
            back.to_py(py)
                .unwrap()
                .getattr("port")
                .unwrap()
                .extract::<u16>()
                .unwrap(),
            1
        );
    });
}

/// "raise X from e" with X equal to e: a new exception whose cause is e,
/// not e itself; only what `from_py` read goes back as the same object.
#[test]
fn came_from_python_is_decided_by_origin() {
    if skipped("came_from_python_is_decided_by_origin") {
        return;
    }
    with_python(|py| {
        helpers(py);
        let rx = py.import("redis.exceptions").unwrap();
        let original = rx
            .getattr("ResponseError")
            .unwrap()
            .call1(("boom",))
            .unwrap();
        let e = Error::from(ResponseError::new("boom"))
            .with_source(PyErr::from_value(original.clone()));
        let obj = e.to_py(py).unwrap();
        assert!(!obj.is(&original));
        assert!(obj.getattr("__cause__").unwrap().is(&original));

        let read = Error::from_py(py, PyErr::from_value(original.clone())).unwrap();
        assert!(read.to_py(py).unwrap().is(&original));
        // Its cause replaced by another, equal exception: a new one again.
        let other = rx
            .getattr("ResponseError")
            .unwrap()
            .call1(("boom",))
            .unwrap();
        let replaced = read.with_source(PyErr::from_value(other.clone()));
        let obj = replaced.to_py(py).unwrap();
        assert!(!obj.is(&original) && !obj.is(&other));
        assert!(obj.getattr("__cause__").unwrap().is(&other));
    });
}

/// A lone surrogate is one U+FFFD (difference 8).
#[test]
fn from_py_lone_surrogates() {
    if skipped("from_py_lone_surrogates") {
        return;
    }
    with_python(|py| {
        helpers(py);
        let m = PyModule::from_code(
            py,
            c"import redis.exceptions as rx
sur = rx.ResponseError('\\ud800x', '\\udfff\\ud800')
obj = rx.ResponseError(3.5)
",
            c"hostile.py",
            c"hostile",
        )
        .unwrap();
        let e = Error::from_py(py, PyErr::from_value(m.getattr("sur").unwrap())).unwrap();
        assert_eq!(
            e.args(),
            &[
                PyValue::from("\u{FFFD}x"),
                PyValue::from("\u{FFFD}\u{FFFD}")
            ]
        );
        let e = Error::from_py(py, PyErr::from_value(m.getattr("obj").unwrap())).unwrap();
        assert_eq!(e.args(), &[PyValue::from("3.5")]);
    });
}

/// An `error_type` without `.value` is no `error_type`: Python's `repr()`
/// fails on it, `py_repr()` gives the `BaseException` form (difference 13).
#[test]
fn from_py_error_type_without_value() {
    if skipped("from_py_error_type_without_value") {
        return;
    }
    with_python(|py| {
        helpers(py);
        let m = PyModule::from_code(
            py,
            c"import redis.exceptions as rx
plain = rx.ResponseError('x')
plain.error_type = 'network'
gone = rx.ResponseError('x')
del gone.error_type
",
            c"hostile_et.py",
            c"hostile_et",
        )
        .unwrap();
        for name in ["plain", "gone"] {
            let v = m.getattr(name).unwrap();
            assert!(v.repr().is_err(), "{name}: Python's repr() raises");
            let e = Error::from_py(py, PyErr::from_value(v)).unwrap();
            assert_eq!(e.error_type(), None, "{name}");
            assert_eq!(e.py_repr(), "ResponseError('x')", "{name}");
        }
    });
}

#[pyfunction]
fn reenter() -> PyResult<()> {
    Err(parse_error("MOVED 1 h:1").into())
}

/// A module `__getattr__` that builds an exception of this crate while the
/// class table is being read: a Python exception, not a deadlock.
#[test]
fn reentrant_class_table_is_an_error() {
    if skipped("reentrant_class_table_is_an_error") {
        return;
    }
    run_child("reentrant_child", "REENTRANT-CHILD-OK");
}

/// The child of `reentrant_class_table_is_an_error` (a fresh class table).
#[test]
#[ignore = "run by reentrant_class_table_is_an_error in a child process"]
fn reentrant_child() {
    assert!(std::env::var_os("REDIS_EXCEPTIONS_PYO3_CHILD").is_some());
    with_python(|py| {
        let f = wrap_pyfunction!(reenter, py).unwrap();
        let m = PyModule::from_code(
            py,
            c"import redis.exceptions as rx
del rx.NoSuchFieldsetError
def install(f):
    def __getattr__(name):
        f()
        raise AttributeError(name)
    rx.__getattr__ = __getattr__
",
            c"reenter.py",
            c"reenter_setup",
        )
        .unwrap();
        m.getattr("install").unwrap().call1((f,)).unwrap();
        // The re-entrant call's error, raised from the module `__getattr__`,
        // propagates unchanged (issue 23: only "absent" becomes ImportError).
        let err = PyErr::from(parse_error("MOVED 1 h:1"));
        assert!(
            err.is_instance_of::<pyo3::exceptions::PyRuntimeError>(py),
            "{err}"
        );
        assert!(err.to_string().contains("re-entrant"), "{err}");
        println!("REENTRANT-CHILD-OK");
    });
}

/// An interrupt while the class table is read (here from a module
/// `__getattr__`) propagates unchanged, and the failed read is not kept:
/// the next conversion reads the table and succeeds.
#[test]
fn interrupt_while_reading_the_classes_propagates() {
    run_child("interrupt_child", "INTERRUPT-CHILD-OK");
}

/// The child of `interrupt_while_reading_the_classes_propagates`.
#[test]
#[ignore = "run by interrupt_while_reading_the_classes_propagates in a child process"]
fn interrupt_child() {
    assert!(std::env::var_os("REDIS_EXCEPTIONS_PYO3_CHILD").is_some());
    with_python(|py| {
        let m = PyModule::from_code(
            py,
            c"import redis.exceptions as rx
saved = rx.NoSuchFieldsetError
del rx.NoSuchFieldsetError
def __getattr__(name):
    raise KeyboardInterrupt
rx.__getattr__ = __getattr__
def restore():
    del rx.__getattr__
    rx.NoSuchFieldsetError = saved
",
            c"interrupt.py",
            c"interrupt_setup",
        )
        .unwrap();
        let err = PyErr::from(parse_error("MOVED 1 h:1"));
        assert!(
            err.is_instance_of::<pyo3::exceptions::PyKeyboardInterrupt>(py),
            "{err}"
        );
        m.getattr("restore").unwrap().call0().unwrap();
        let err = PyErr::from(parse_error("MOVED 1 h:1"));
        let value = err.value(py);
        assert_eq!(
            value.get_type().name().unwrap().to_str().unwrap(),
            "MovedError",
            "{err}"
        );
        println!("INTERRUPT-CHILD-OK");
    });
}

/// Issue 18, fuzz finding 1 (fuzz/fuzz_targets/pyo3_convert.rs): a
/// `LockError` from Python keeps its `args` as they are (difference 8),
/// whatever their number; `from_py` used to cut them to `(args[0],)`, and
/// `()` to `(None,)`. A changed copy goes back with them (difference 9).
#[test]
fn from_py_lock_error_keeps_its_args() {
    if skipped("from_py_lock_error_keeps_its_args") {
        return;
    }
    with_python(|py| {
        helpers(py);
        let m = PyModule::from_code(
            py,
            c"import redis.exceptions as rx
two = rx.LockError('a', lock_name='L')
two.args = ('a', 'b')
none = rx.LockNotOwnedError.__new__(rx.LockNotOwnedError)
",
            c"fuzz_lock.py",
            c"fuzz_lock",
        )
        .unwrap();
        for (name, want) in [
            ("two", vec![PyValue::from("a"), PyValue::from("b")]),
            ("none", vec![]),
        ] {
            let v = m.getattr(name).unwrap();
            let e = Error::from_py(py, PyErr::from_value(v.clone())).unwrap();
            assert_eq!(e.args(), &want[..], "{name}");
            assert!(e.to_py(py).unwrap().is(&v), "{name}: unchanged, itself");
            let copy = e.clone().to_py(py).unwrap();
            let args: Vec<PyValue> = copy
                .getattr("args")
                .unwrap()
                .cast_into::<PyTuple>()
                .unwrap()
                .iter()
                .map(|a| {
                    if a.is_none() {
                        PyValue::None
                    } else {
                        PyValue::from(a.extract::<String>().unwrap().as_str())
                    }
                })
                .collect();
            assert_eq!(args, want, "{name}: the copy's args");
        }
    });
}

/// Issue 18, fuzz finding 2: an `HttpError` whose `args` are not one
/// truthy message (`HttpError.__new__(HttpError)`, `e.args = ('t', 2)`)
/// goes back from a copy with the `args` redis-py's `__init__` makes,
/// `('HTTP None for None',)` or `('t',)`: `refuses_arity` calls
/// `HttpError(status, url, message)` whenever there are at most three.
#[test]
fn to_py_http_error_keeps_its_args() {
    if skipped("to_py_http_error_keeps_its_args") {
        return;
    }
    with_python(|py| {
        helpers(py);
        let m = PyModule::from_code(
            py,
            c"from redis.http.http_client import HttpError
empty = HttpError.__new__(HttpError)
two = HttpError(404, 'u', 't')
two.args = ('t', 2)
",
            c"fuzz_http.py",
            c"fuzz_http",
        )
        .unwrap();
        for name in ["empty", "two"] {
            let v = m.getattr(name).unwrap();
            let e = Error::from_py(py, PyErr::from_value(v.clone())).unwrap();
            let copy = e.clone().to_py(py).unwrap();
            let back = Error::from_py(py, PyErr::from_value(copy.into_any())).unwrap();
            assert_eq!(back.args(), e.args(), "{name}");
        }
    });
}

/// Issue 18, fuzz finding 3: a `status_code` on an instance of a class
/// whose `__init__` takes no `status_code=` (the `LockError` family; the
/// attribute is `RedisError.__init__`'s) is lost by `to_py` of a copy:
/// the call leaves it `None` and nothing sets it afterwards. The same for
/// `LockError::new(..).with_status_code(..)` made in Rust.
#[test]
fn to_py_keeps_a_status_code_init_cannot_take() {
    if skipped("to_py_keeps_a_status_code_init_cannot_take") {
        return;
    }
    with_python(|py| {
        helpers(py);
        // From Rust alone: `with_status_code` keeps it (the class
        // has the attribute), `to_py` drops it.
        let ours: Error = redis_exceptions::LockError::new("x")
            .with_status_code("ERR")
            .into();
        assert_eq!(ours.status_code(), Some("ERR"));
        let made = ours.to_py(py).unwrap();
        assert_eq!(
            made.getattr("status_code").unwrap().to_string(),
            "ERR",
            "Rust's LockError"
        );
        let m = PyModule::from_code(
            py,
            c"import redis.exceptions as rx
lock = rx.LockError('x')
lock.status_code = 'ERR'
",
            c"fuzz_status.py",
            c"fuzz_status",
        )
        .unwrap();
        let v = m.getattr("lock").unwrap();
        let e = Error::from_py(py, PyErr::from_value(v)).unwrap();
        assert_eq!(e.status_code(), Some("ERR"));
        let copy = e.clone().to_py(py).unwrap();
        assert_eq!(
            copy.getattr("status_code").unwrap().to_string(),
            "ERR",
            "the copy's status_code"
        );
    });
}

// ---------------------------------------------------------------------------
// valkey-py (issue 17): `to_py_as(py, Client::ValkeyPy)` and `from_py`.
// ---------------------------------------------------------------------------

/// Python helpers for valkey-py: its parser, and a class's module-qualified
/// name.
const VALKEY_HELPERS: &str = r#"
from valkey._parsers.base import BaseParser

def parse(text):
    try:
        return True, BaseParser.parse_error(text)
    except Exception as e:
        return False, (type(e).__name__, str(e))

def qualname(e):
    t = type(e)
    return t.__module__ + "." + t.__qualname__
"#;

fn valkey_helpers(py: Python<'_>) -> Bound<'_, PyModule> {
    proof();
    let code = CString::new(VALKEY_HELPERS).unwrap();
    PyModule::from_code(py, &code, c"valkey_helpers.py", c"valkey_helpers")
        .expect("valkey helpers compile")
}

/// valkey-py's own class for `c`: `getattr(importlib.import_module(
/// c.valkey_module()), c.valkey_name())`.
fn valkey_class<'py>(py: Python<'py>, c: &Class) -> Bound<'py, PyAny> {
    py.import("importlib")
        .unwrap()
        .call_method1("import_module", (c.valkey_module().as_ref(),))
        .unwrap()
        .getattr(c.valkey_name())
        .unwrap()
}

/// The Rust error's `args` as a Python tuple.
fn args_tuple<'py>(py: Python<'py>, e: &Error) -> Bound<'py, PyTuple> {
    PyTuple::new(py, e.args().iter().map(|a| to_py(py, a))).unwrap()
}

/// Every class valkey-py 6.2 has converts to exactly valkey-py's class,
/// with the Rust error's `str()` and `args`, and comes back as itself.
#[test]
fn valkey_py_classes_convert_both_ways() {
    if skipped("valkey_py_classes_convert_both_ways") {
        return;
    }
    let release = ValkeyPy::V6_2.redis_py();
    let classes: Vec<&'static Class> = Class::all().filter(|c| c.exists_in(release)).collect();
    let mut failures = Vec::new();
    let mut same = 0;
    with_python(|py| {
        helpers(py);
        for &c in &classes {
            let theirs = valkey_class(py, c);
            // `Cls('m')`, or a redirect payload for the classes whose
            // `__init__` parses one.
            let ours = c
                .call(&["m".into()], &[])
                .or_else(|_| c.call(&["3999 127.0.0.1:6381".into()], &[]))
                .unwrap_or_else(|e| panic!("{}: {e}", c.qualified_name()));
            let outcome = (|| -> Result<(), String> {
                let ty = c
                    .py_type_as(py, Client::ValkeyPy)
                    .map_err(|e| e.to_string())?;
                if !ty.is(&theirs) {
                    return Err(format!("py_type_as is {ty}"));
                }
                let made = ours
                    .to_py_as(py, Client::ValkeyPy)
                    .map_err(|e| format!("to_py_as raised {e}"))?;
                if !made.get_type().is(&theirs) {
                    return Err(format!("type {}", made.get_type()));
                }
                let text = made.str().unwrap().to_string();
                if text != ours.to_string() {
                    return Err(format!("str {text:?} != {:?}", ours.to_string()));
                }
                let args = made.getattr("args").unwrap();
                if !args.eq(args_tuple(py, &ours)).unwrap() {
                    return Err(format!("args {args}"));
                }
                let back = Error::from_py(py, PyErr::from_value(made.clone().into_any()));
                match back {
                    Ok(back) if std::ptr::eq(back.class(), c) => {
                        if !back.to_py_as(py, Client::ValkeyPy).unwrap().is(&made) {
                            return Err("unchanged error is not the same object".into());
                        }
                        // Asked for redis-py's class: a new redis-py instance.
                        let redis = back.to_py(py).unwrap();
                        if redis.is(&made) || !redis.get_type().is(c.py_type(py).unwrap()) {
                            return Err(format!("to_py gave {}", redis.get_type()));
                        }
                        Ok(())
                    }
                    Ok(back) => Err(format!("from_py gave {}", back.class().qualified_name())),
                    // Python's own classes are not valkey-py's.
                    Err(same) if c.module() == "builtins" && same.value(py).is(&made) => Ok(()),
                    Err(e) => Err(format!("from_py refused it: {e}")),
                }
            })();
            match outcome {
                Ok(()) => same += 1,
                Err(why) => failures.push(format!("{}: {why}", c.qualified_name())),
            }
        }
    });
    common::report(&format!(
        "pyo3 valkey-py classes: {same}/{} converted to valkey-py's own class and back",
        classes.len()
    ));
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // valkey-py 6.2: 31 classes of valkey.exceptions, 5 of other modules,
    // and Python's BaseException, Exception and ValueError.
    assert_eq!(classes.len(), 31 + 5 + 3);
}

/// The replies of valkey-py 6.2's corpus: the crate's `ValkeyPy::V6_2`
/// classification, built as valkey-py's class, is what valkey-py's own
/// `BaseParser.parse_error` gives in the embedded interpreter; `to_py`
/// still builds redis-py's classes.
#[test]
fn valkey_py_corpus_replies() {
    if skipped("valkey_py_corpus_replies") {
        return;
    }
    let fx = common::fixture(&format!(
        "releases/valkey-py-{}/replies",
        ValkeyPy::V6_2.__pinned()
    ));
    let cases = fx["cases"].as_array().unwrap();
    let (mut same, mut partial, mut failures) = (0, 0, Vec::new());
    with_python(|py| {
        let h = helpers(py);
        let vh = valkey_helpers(py);
        let qualname = |e: &Bound<'_, PyAny>| -> String {
            vh.getattr("qualname")
                .unwrap()
                .call1((e,))
                .unwrap()
                .extract()
                .unwrap()
        };
        for case in cases {
            let (id, input) = (
                case["id"].as_str().unwrap(),
                case["input"].as_str().unwrap(),
            );
            let ours = ValkeyPy::V6_2.parse_error(input);
            let made = match ours.to_py_as(py, Client::ValkeyPy) {
                Ok(made) => made,
                Err(e) => {
                    failures.push(format!("{id} {input:?}: to_py_as raised {e}"));
                    continue;
                }
            };
            let (ok, theirs): (bool, Bound<'_, PyAny>) = vh
                .getattr("parse")
                .unwrap()
                .call1((input,))
                .unwrap()
                .extract()
                .unwrap();
            let outcome = if ok {
                let got = (
                    qualname(made.as_any()),
                    made.getattr("args").unwrap().repr().unwrap().to_string(),
                    made.str().unwrap().to_string(),
                );
                let want = (
                    qualname(&theirs),
                    theirs.getattr("args").unwrap().repr().unwrap().to_string(),
                    theirs.str().unwrap().to_string(),
                );
                let d = diff(&h, made.as_any(), &theirs);
                let recorded = case["base"]["class"].as_str().unwrap();
                if got != want {
                    Err(format!("{got:?} != {want:?}"))
                } else if !d.is_empty() {
                    Err(d.join("; "))
                } else if want.0 != recorded {
                    Err(format!("{} != the fixture's {recorded}", want.0))
                } else {
                    same += 1;
                    Ok(())
                }
            } else {
                // valkey-py raises in AskError/MovedError.__init__
                // (difference 1): the crate gives the redirect class, without
                // a redirect, its message the payload.
                let code = input.split(' ').next().unwrap();
                let payload = input.get(code.len() + 1..).unwrap_or("");
                let name = made.get_type().name().unwrap().to_string();
                let module = made.get_type().module().unwrap().to_string();
                if ["AskError", "MovedError"].contains(&name.as_str())
                    && module == "valkey.exceptions"
                    && made.str().unwrap() == payload
                    && ours.redirect().is_none()
                {
                    partial += 1;
                    Ok(())
                } else {
                    Err(format!(
                        "valkey-py raised {theirs}, the crate gave {module}.{name}"
                    ))
                }
            };
            // `to_py` still builds redis-py's classes.
            let outcome = outcome.and_then(|()| {
                let redis = ours.to_py(py).map_err(|e| format!("to_py raised {e}"))?;
                let module = redis.get_type().module().unwrap().to_string();
                let name = redis.get_type().name().unwrap().to_string();
                if module.starts_with("redis.") && name == ours.class().name() {
                    Ok(())
                } else {
                    Err(format!("to_py gave {module}.{name}"))
                }
            });
            if let Err(why) = outcome {
                failures.push(format!("{id} {input:?}: {why}"));
            }
        }
    });
    common::report(&format!(
        "pyo3 valkey corpus: {}/{} as valkey-py's BaseParser.parse_error ({same} identical, \
         {partial} where valkey-py raises: documented difference 1)",
        same + partial,
        cases.len()
    ));
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(cases.len(), 133);
}

exception! {
    /// A refusal raised as valkey-py's classes in one test.
    pub struct ValkeyRefused(ResponseError);
}

/// `isinstance(e, valkey.exceptions.ValkeyError)`, causes of valkey-py's
/// classes, user classes and Python subclasses of valkey-py's classes.
#[test]
fn valkey_py_instances_causes_and_subclasses() {
    if skipped("valkey_py_instances_causes_and_subclasses") {
        return;
    }
    with_python(|py| {
        helpers(py);
        let vx = py.import("valkey.exceptions").unwrap();
        let valkey_error = vx.getattr("ValkeyError").unwrap();
        let e = Error::from(ResponseError::new("boom"));
        let obj = e.to_py_as(py, Client::ValkeyPy).unwrap();
        assert!(obj.is_instance(&valkey_error).unwrap());
        assert!(obj.get_type().is(vx.getattr("ResponseError").unwrap()));
        // `to_py` and `From<Error> for PyErr` stay redis-py's.
        let redis = e.to_py(py).unwrap();
        assert_eq!(
            redis.get_type().module().unwrap().to_string(),
            "redis.exceptions"
        );
        let err = PyErr::from(e.clone());
        assert!(!err.value(py).is_instance(&valkey_error).unwrap());
        assert_eq!(Client::default(), Client::RedisPy);

        // `valkey.exceptions.ValkeyError` is `RedisError`.
        let raw = valkey_error.call1(("v",)).unwrap();
        let back = Error::from_py(py, PyErr::from_value(raw)).unwrap();
        assert_eq!(back.class().qualified_name(), "redis.exceptions.RedisError");

        // A reply with a status code: valkey-py 6.2 takes no `status_code=`.
        let noscript = parse_error("NOSCRIPT No matching script.");
        assert_eq!(noscript.status_code(), Some("NOSCRIPT"));
        let obj = noscript.to_py_as(py, Client::ValkeyPy).unwrap();
        assert!(obj.get_type().is(vx.getattr("NoScriptError").unwrap()));
        assert_eq!(obj.str().unwrap().to_string(), "No matching script.");
        assert!(!obj.hasattr("status_code").unwrap());

        // Causes use the same client as the instance.
        let io = std::io::Error::other(parse_error("MOVED 1 h:1"));
        let e = Error::from(ResponseError::new("x"))
            .with_source(parse_error("ASK 2 h:2").with_source(io));
        let obj = e.to_py_as(py, Client::ValkeyPy).unwrap();
        let cause = obj.getattr("__cause__").unwrap();
        assert!(cause.get_type().is(vx.getattr("AskError").unwrap()));
        assert_eq!(
            cause.getattr("slot_id").unwrap().extract::<i64>().unwrap(),
            2
        );
        let cause2 = cause.getattr("__cause__").unwrap();
        assert!(cause2.get_type().is(vx.getattr("MovedError").unwrap()));
        let redis_cause = e.to_py(py).unwrap().getattr("__cause__").unwrap();
        assert_eq!(
            redis_cause.get_type().module().unwrap().to_string(),
            "redis.exceptions"
        );

        // A user class: a subclass of its bases' valkey-py classes.
        let obj = Error::from(ValkeyRefused::new("no"))
            .to_py_as(py, Client::ValkeyPy)
            .unwrap();
        assert!(obj
            .is_instance(&vx.getattr("ResponseError").unwrap())
            .unwrap());
        assert!(obj.is_instance(&valkey_error).unwrap());
        let ty = ValkeyRefused::CLASS
            .py_type_as(py, Client::ValkeyPy)
            .unwrap();
        assert!(obj.get_type().is(&ty));
        assert!(!ty.is(ValkeyRefused::CLASS.py_type(py).unwrap()));
        let back = Error::from_py(py, PyErr::from_value(obj.clone().into_any())).unwrap();
        assert!(back.is::<ValkeyRefused>(), "{back:?}");
        assert!(back.to_py_as(py, Client::ValkeyPy).unwrap().is(&obj));

        // A Python subclass of a valkey-py class: its nearest known class.
        let m = PyModule::from_code(
            py,
            c"import valkey.exceptions as vx
class Mine(vx.ClusterDownError):
    pass
mine = Mine('CLUSTERDOWN down')
class Lock(vx.LockNotOwnedError):
    pass
lock = Lock('not owned', lock_name='L')
",
            c"valkey_sub.py",
            c"valkey_sub",
        )
        .unwrap();
        let mine = m.getattr("mine").unwrap();
        let back = Error::from_py(py, PyErr::from_value(mine.clone())).unwrap();
        assert_eq!(back.class().name(), "ClusterDownError");
        assert!(back.to_py_as(py, Client::ValkeyPy).unwrap().is(&mine));
        let lock = Error::from_py(py, PyErr::from_value(m.getattr("lock").unwrap())).unwrap();
        assert_eq!(lock.class().name(), "LockNotOwnedError");
        assert_eq!(lock.lock_name(), Some(&PyValue::from("L")));
    });
}

/// The child of `uncovered_or_missing_valkey_py_an_import_error` (a fresh
/// valkey-py class table).
#[test]
#[ignore = "run by uncovered_or_missing_valkey_py_an_import_error in a child process"]
fn no_valkey_child() {
    assert!(std::env::var_os("REDIS_EXCEPTIONS_PYO3_CHILD").is_some());
    with_python(|py| {
        let e = parse_error("MOVED 1 h:1");
        // A release this crate does not cover: an ImportError naming 6.2.
        py.run(c"import valkey\nvalkey.__version__ = '9.9.0'\n", None, None)
            .unwrap();
        let err = e.to_py_as(py, Client::ValkeyPy).unwrap_err();
        assert!(err.is_instance_of::<pyo3::exceptions::PyImportError>(py));
        let text = err.value(py).str().unwrap().to_string();
        assert!(
            text.contains("valkey-py 9.9 is not supported")
                && text.contains("covers valkey-py 6.2"),
            "{text}"
        );
        // No valkey-py at all: what to install, chained to the failure.
        py.run(c"import sys\nfor k in [m for m in sys.modules if m == 'valkey' or m.startswith('valkey.')]:\n    del sys.modules[k]\nsys.modules['valkey'] = None\n", None, None)
            .unwrap();
        let err = e.to_py_as(py, Client::ValkeyPy).unwrap_err();
        assert!(err.is_instance_of::<pyo3::exceptions::PyImportError>(py));
        let text = err.value(py).str().unwrap().to_string();
        assert!(
            text.contains(&format!("pip install valkey=={}", valkey_pin())),
            "{text}"
        );
        assert!(err.cause(py).is_some(), "chained to the import failure");
        // redis-py's classes are unaffected.
        let obj = e.to_py(py).unwrap();
        assert_eq!(obj.get_type().name().unwrap().to_string(), "MovedError");
        println!("NO-VALKEY-CHILD-OK");
    });
}

#[test]
fn uncovered_or_missing_valkey_py_an_import_error() {
    if skipped("uncovered_or_missing_valkey_py_an_import_error") {
        return;
    }
    run_child("no_valkey_child", "NO-VALKEY-CHILD-OK");
}

/// `to_py` builds redis-py's own classes without calling them (issue 16),
/// but a class whose `__init__` (or one it chains up to, or `__new__`) was
/// patched after the class table was read is called: the patch runs. In a
/// child process: the patch would show in the other tests' instances.
#[test]
fn to_py_calls_a_patched_init() {
    if skipped("to_py_calls_a_patched_init") {
        return;
    }
    run_child("patched_init_child", "PATCHED-INIT-CHILD-OK");
}

/// The child process of `to_py_calls_a_patched_init`.
#[test]
#[ignore = "run by to_py_calls_a_patched_init in a child process"]
fn patched_init_child() {
    assert!(
        std::env::var_os("REDIS_EXCEPTIONS_PYO3_CHILD").is_some(),
        "run only as the child of to_py_calls_a_patched_init"
    );
    proof();
    with_python(|py| {
        helpers(py);
        // The table is read, and the fast build proven, before the patch.
        let before = parse_error("NOSCRIPT x").to_py(py).unwrap();
        assert!(before.getattr("patched").is_err());
        let m = PyModule::from_code(
            py,
            c"import redis.exceptions as rx
seen = []
original = rx.RedisError.__init__
def patched(self, *args, **kwargs):
    seen.append(args)
    original(self, *args, **kwargs)
    self.patched = True
def patch():
    rx.RedisError.__init__ = patched
def unpatch():
    rx.RedisError.__init__ = original
",
            c"patch_init.py",
            c"patch_init",
        )
        .unwrap();
        m.getattr("patch").unwrap().call0().unwrap();
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            // NoScriptError's __init__ is RedisError's, patched.
            let e = parse_error("NOSCRIPT x").to_py(py).unwrap();
            assert!(e.getattr("patched").unwrap().is_truthy().unwrap());
            // MovedError's own __init__ chains up to the patched one.
            let moved = parse_error("MOVED 1 h:2").to_py(py).unwrap();
            assert!(moved.getattr("patched").unwrap().is_truthy().unwrap());
            assert_eq!(m.getattr("seen").unwrap().len().unwrap(), 2);
            let keys: Vec<String> = moved
                .getattr("__dict__")
                .unwrap()
                .try_iter()
                .unwrap()
                .map(|k| k.unwrap().extract().unwrap())
                .collect();
            assert_eq!(
                keys,
                [
                    "error_type",
                    "status_code",
                    "patched",
                    "message",
                    "slot_id",
                    "node_addr",
                    "host",
                    "port"
                ]
            );
        }));
        m.getattr("unpatch").unwrap().call0().unwrap();
        if let Err(p) = result {
            std::panic::resume_unwind(p);
        }
        // Unpatched again: the fast build, redis-py's instance.
        let after = parse_error("NOSCRIPT x").to_py(py).unwrap();
        assert!(after.getattr("patched").is_err());
        assert_eq!(m.getattr("seen").unwrap().len().unwrap(), 2);
        println!("PATCHED-INIT-CHILD-OK");
    });
}

/// An instance an older release made, converted into the running
/// redis-py (the reference): the running release's class, called as the instance's
/// release calls it (`cls(message)` before 7.2, with `status_code=` the
/// code the instance has from 7.2), so its attributes are what the running
/// class's `__init__` sets from what the instance has; nothing of the
/// newest release's parse (`status_code` of an unknown code) is added.
/// Read back, it is an instance of the running release.
#[test]
fn to_py_of_an_older_release_instance() {
    use redis_exceptions::RedisPy;
    with_python(|py| {
        let h = helpers(py);
        let mut checked = 0;
        for release in [RedisPy::V5_2, RedisPy::V7_4] {
            for (parser, reply) in [
                (release.parser(), "NOSCRIPT No matching script."),
                (release.parser(), "WRONGTYPE Operation against a key"),
                (release.parser(), "ERR unknown command"),
                (release.parser(), "LOADING Redis is loading"),
                (release.cluster(), "MOVED 3999 127.0.0.1:6381"),
                (release.cluster(), "CLUSTERDOWN The cluster is down"),
            ] {
                let at = format!("{release} {reply:?}");
                let ours = parser.parse_error(reply);
                assert_eq!(ours.release(), release, "{at}");
                let made = ours.to_py(py).unwrap();
                // The call the instance's release makes, on the running class.
                let kwargs = PyDict::new(py);
                if let Some(code) = ours.status_code() {
                    kwargs.set_item("status_code", code).unwrap();
                }
                let message = to_py(py, &ours.args()[0]);
                let (ok, expected): (bool, Bound<'_, PyAny>) = h
                    .getattr("build")
                    .unwrap()
                    .call1((ours.class().name(), (message,), kwargs))
                    .unwrap()
                    .extract()
                    .unwrap();
                assert!(ok, "{at}");
                let d = diff(&h, made.as_any(), &expected);
                assert!(d.is_empty(), "{at}: {}", d.join("; "));
                let status = made.getattr("status_code").unwrap();
                if release < RedisPy::V7_2 {
                    // The running class sets `status_code`; none is passed.
                    assert!(status.is_none(), "{at}: {status}");
                } else if reply.starts_with("WRONGTYPE") {
                    // 7.4 keeps no unknown code; 8.2 would.
                    assert!(status.is_none(), "{at}: {status}");
                    assert_eq!(
                        RedisPy::V8_2.parse_error(reply).status_code(),
                        Some("WRONGTYPE")
                    );
                }
                let back = Error::from_py(py, PyErr::from_value(made.into_any())).unwrap();
                // The running redis-py is the reference's.
                assert_eq!(back.release(), RedisPy::REFERENCE, "{at}");
                assert_eq!(back.args(), ours.args(), "{at}");
                checked += 1;
            }
        }
        assert_eq!(checked, 12);
    });
}
