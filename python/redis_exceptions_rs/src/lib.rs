//! `redis_exceptions_rs._native`: redis-py's `parse_error` and `classify`
//! in Rust, returning instances of redis-py's own classes.
#![forbid(unsafe_code)]

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Instant;

use pyo3::exceptions::{PyBaseException, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyString, PyType};
use redis_exceptions::__private::pyo3_package::{set_fast_build, STATUS_WORD_PATTERN};
use redis_exceptions::{classify as rust_classify, parse_error_bytes, Class, Client, Error};

mod direct;
mod installed;
mod reads;
mod releases;

use installed::{installed_parse_error, Body, ParseErrorVariant};
use reads::Reads;

/// The crate has at most 64 classes (their ancestor sets are `u64`s).
const MAX_CLASSES: usize = 64;

/// How many replies the installed `parse_error` answered in Rust, per
/// client (redis-py, valkey-py) and class (index in `Class::all()`).
static COUNTS: [[AtomicU64; MAX_CLASSES]; 2] =
    [const { [const { AtomicU64::new(0) }; MAX_CLASSES] }; 2];

/// The clients, by the number `_install.py` passes.
const CLIENTS: [Client; 2] = [Client::RedisPy, Client::ValkeyPy];

/// The `parse_error` variants, by the number `_install.py` passes.
const VARIANTS: [ParseErrorVariant; 3] = [
    ParseErrorVariant::Plain,
    ParseErrorVariant::Status,
    ParseErrorVariant::StatusWord,
];

/// The body of the installed `parse_error` classmethod for the client's
/// own `parse_error` `orig` of `variant` (the `parse_error` column of
/// `src/class/releases.txt`: 0 plain, 1 status, 2 status-word): `__call__(cls, response)` (or
/// `_parse_error_body(body, cls, response)`) answers in Rust, on the live
/// `cls.EXCEPTION_CLASSES`, where that is provably `orig`'s answer, and
/// calls `orig(cls, response)` otherwise, or always once `active` is false.
#[pyclass(frozen, dict, module = "redis_exceptions_rs._native")]
struct InstalledParseError {
    orig: Py<PyAny>,
    /// What `orig` reads at call time, as at install (its code, names,
    /// defaults): where any differs, the original runs.
    reads: Reads,
    globals: Py<PyAny>,
    /// The module's `_ERROR_CODE_PATTERN` at install, when it spells the
    /// status-word rule (`None`: a status word is never answered in Rust).
    pattern: Option<Py<PyAny>>,
    variant: ParseErrorVariant,
    client: usize,
    active: AtomicBool,
    /// Whether a check at `install()` found the original's reads changed.
    stale: AtomicBool,
}

#[pymethods]
impl InstalledParseError {
    #[new]
    fn new(orig: Bound<'_, PyAny>, variant: usize, client: usize) -> PyResult<Self> {
        let variant = *VARIANTS
            .get(variant)
            .ok_or_else(|| PyTypeError::new_err("no such parse_error variant"))?;
        if client >= CLIENTS.len() {
            return Err(PyTypeError::new_err("no such client"));
        }
        let globals = orig.getattr("__globals__")?;
        let reads = Reads::of(orig.py(), &orig)?
            .ok_or_else(|| PyTypeError::new_err("parse_error is not a Python function"))?;
        let pattern = status_word_pattern(orig.py(), &globals)?;
        Ok(InstalledParseError {
            orig: orig.unbind(),
            reads,
            globals: globals.unbind(),
            pattern,
            variant,
            client,
            active: AtomicBool::new(true),
            stale: AtomicBool::new(false),
        })
    }

    fn __call__<'py>(
        &self,
        py: Python<'py>,
        cls: &Bound<'py, PyAny>,
        response: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.answer(py, cls, response)
    }

    /// Whether it answers in Rust (else it only calls the original).
    #[getter]
    fn get_active(&self) -> bool {
        self.active.load(Ordering::Relaxed)
    }

    #[setter]
    fn set_active(&self, value: bool) {
        self.active.store(value, Ordering::Relaxed);
    }

    /// The check of what is too dear to check per call (the `builtins`
    /// module, closure cells: see `reads.rs`), run at each `install()`:
    /// where the original's reads or a proven class's changed, Rust does
    /// not answer for them until a later `install()` finds them as proven.
    fn recheck(&self, py: Python<'_>) -> PyResult<()> {
        let holds = self.reads.hold_fully(py)?;
        self.stale.store(!holds, Ordering::Relaxed);
        direct::recheck(py, CLIENTS[self.client])
    }

    /// The original `parse_error` function it falls back to.
    #[getter]
    fn original<'py>(&self, py: Python<'py>) -> Bound<'py, PyAny> {
        self.orig.bind(py).clone()
    }
}

impl InstalledParseError {
    /// `__call__`: Rust's answer where it is provably the original's.
    fn answer<'py>(
        &self,
        py: Python<'py>,
        cls: &Bound<'py, PyAny>,
        response: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let orig = self.orig.bind(py);
        if self.active.load(Ordering::Relaxed)
            && !self.stale.load(Ordering::Relaxed)
            && response.is_exact_instance_of::<PyString>()
            && self.reads.hold(py)?
        {
            let table = cls.getattr(pyo3::intern!(py, "EXCEPTION_CLASSES"))?;
            let body = Body {
                client: CLIENTS[self.client],
                variant: self.variant,
                pattern: self.pattern.as_ref(),
                finish: true,
            };
            let answer = installed_parse_error(py, body, &table, response, self.globals.bind(py))?;
            if let Some((obj, i)) = answer {
                if let Some(n) = i.and_then(|i| COUNTS[self.client].get(i)) {
                    n.fetch_add(1, Ordering::Relaxed);
                }
                return Ok(obj);
            }
        }
        orig.call1((cls, response))
    }
}

/// The module's `_ERROR_CODE_PATTERN` (redis-py 8.2), when it is a
/// compiled `re` pattern spelling the status-word rule with the default
/// flags.
pub(crate) fn status_word_pattern(
    py: Python<'_>,
    globals: &Bound<'_, PyAny>,
) -> PyResult<Option<Py<PyAny>>> {
    let Some(pattern) = globals.cast::<PyDict>()?.get_item("_ERROR_CODE_PATTERN")? else {
        return Ok(None);
    };
    let re = py.import("re")?;
    let same = pattern.get_type().is(&re.getattr("Pattern")?)
        && pattern
            .getattr("pattern")?
            .extract::<String>()
            .ok()
            .as_deref()
            == Some(STATUS_WORD_PATTERN)
        && pattern.getattr("flags")?.eq(re.getattr("UNICODE")?)?;
    Ok(same.then(|| pattern.unbind()))
}

/// `body(cls, response)`: the installed classmethod's body is
/// `functools.partial(_parse_error_body, body)` (a vectorcall all the way:
/// no argument tuple per reply, unlike calling `body` itself).
#[pyfunction]
fn _parse_error_body<'py>(
    py: Python<'py>,
    body: &Bound<'py, InstalledParseError>,
    cls: &Bound<'py, PyAny>,
    response: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    body.get().answer(py, cls, response)
}

/// Reads the classes of `client` (0: redis-py, 1: valkey-py) now: an
/// `ImportError` when its release is not one the crate covers.
#[pyfunction]
fn _load(py: Python<'_>, client: usize) -> PyResult<()> {
    let which = CLIENTS
        .get(client)
        .copied()
        .ok_or_else(|| PyTypeError::new_err("no such client"))?;
    // Any class reads the whole table.
    Class::all()
        .find(|c| c.name() == "ResponseError")
        .map_or(Ok(()), |c| c.py_type_as(py, which).map(drop))
}

/// `BaseParser.parse_error(response)`: the redis-py exception for a server
/// error reply (the text after `-`, without CRLF), as an instance of
/// redis-py's class. `str` as redis-py takes it; `bytes` are decoded as
/// redis-py decodes replies (UTF-8 with replacement).
#[pyfunction]
fn parse_error<'py>(
    py: Python<'py>,
    response: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyBaseException>> {
    let e: Error = if let Ok(s) = response.cast::<PyString>() {
        redis_exceptions::parse_error(s.to_str()?)
    } else if let Ok(b) = response.cast::<PyBytes>() {
        parse_error_bytes(b.as_bytes())
    } else {
        return Err(PyTypeError::new_err(format!(
            "parse_error() takes str or bytes, not {}",
            response.get_type().name()?
        )));
    };
    e.to_py(py)
}

/// `(cls, status_code, message)` for a reply, without building an
/// exception: redis-py's class, the `status_code` it would get (or `None`),
/// and the message bytes that would become `args[0]`.
#[pyfunction]
fn classify<'py>(py: Python<'py>, reply: &[u8]) -> PyResult<Classification<'py>> {
    let c = rust_classify(reply);
    Ok((
        c.class().py_type(py)?,
        c.status_code().map(|code| PyString::new(py, code)),
        PyBytes::new(py, c.message()),
    ))
}

/// What `classify` returns: the class, its `status_code`, the message bytes.
type Classification<'py> = (
    Bound<'py, PyType>,
    Option<Bound<'py, PyString>>,
    Bound<'py, PyBytes>,
);

/// The number of replies the installed `parse_error` answered in Rust.
#[pyfunction]
fn calls() -> u64 {
    COUNTS
        .iter()
        .flatten()
        .map(|n| n.load(Ordering::Relaxed))
        .sum()
}

/// `calls()` by class name (valkey-py's classes by their valkey-py names).
#[pyfunction]
fn classes(py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
    let d = PyDict::new(py);
    for (client, counts) in COUNTS.iter().enumerate() {
        for (class, n) in Class::all().zip(counts.iter()) {
            let n = n.load(Ordering::Relaxed);
            if n == 0 {
                continue;
            }
            let name = if client == 0 {
                class.name()
            } else {
                class.valkey_name()
            };
            let before: u64 = match d.get_item(name)? {
                Some(v) => v.extract()?,
                None => 0,
            };
            d.set_item(name, before + n)?;
        }
    }
    Ok(d)
}

/// Sets `calls()` and `classes()` back to zero and returns the old `calls()`.
#[pyfunction]
fn reset_calls() -> u64 {
    COUNTS
        .iter()
        .flatten()
        .map(|n| n.swap(0, Ordering::Relaxed))
        .sum()
}

/// Best of `repeat` timings of `n` calls of `f`, in ns per call.
fn best_ns(n: u32, repeat: u32, mut f: impl FnMut() -> PyResult<()>) -> PyResult<f64> {
    let mut best = f64::INFINITY;
    for _ in 0..repeat.max(1) {
        let start = Instant::now();
        for _ in 0..n {
            f()?;
        }
        best = best.min(start.elapsed().as_nanos() as f64 / f64::from(n.max(1)));
    }
    Ok(best)
}

/// For scripts/bench/pyo3_bench.py: ns per Rust -> Python conversion
/// (`Error::to_py`) of the error `parse_error(reply)` gives, timed in Rust;
/// `fast=False`: without this package's fast build, as a plain pyo3
/// extension on the core crate gets it (the class called).
#[pyfunction]
#[pyo3(signature = (reply, n, repeat, fast = true))]
fn _bench_to_py(py: Python<'_>, reply: &str, n: u32, repeat: u32, fast: bool) -> PyResult<f64> {
    let e = redis_exceptions::parse_error(reply);
    direct::TO_PY_FAST.store(fast, Ordering::Relaxed);
    let ns = best_ns(n, repeat, || e.to_py(py).map(drop));
    direct::TO_PY_FAST.store(true, Ordering::Relaxed);
    ns
}

/// For scripts/bench/pyo3_bench.py: ns per `PyErr::from(Error)`, the `?` path
/// (includes the `Error` clone it consumes).
#[pyfunction]
fn _bench_into_pyerr(py: Python<'_>, reply: &str, n: u32, repeat: u32) -> PyResult<f64> {
    let e = redis_exceptions::parse_error(reply);
    best_ns(n, repeat, || {
        let err = PyErr::from(e.clone());
        drop(err.into_value(py));
        Ok(())
    })
}

/// For scripts/bench/pyo3_bench.py: ns per Python -> Rust conversion
/// (`Error::from_py`) of the exception `exc`, timed in Rust.
#[pyfunction]
fn _bench_from_py(
    py: Python<'_>,
    exc: Bound<'_, PyBaseException>,
    n: u32,
    repeat: u32,
) -> PyResult<f64> {
    best_ns(n, repeat, || {
        Error::from_py(py, PyErr::from_value(exc.clone().into_any()))
            .map(drop)
            .map_err(|e| PyTypeError::new_err(format!("not a redis-py exception: {e}")))
    })
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    // `Error::to_py` builds the client's own, unpatched classes without
    // the `__init__` call, as proven here (once per process).
    set_fast_build(direct::fast_build);
    m.add_function(wrap_pyfunction!(parse_error, m)?)?;
    m.add_function(wrap_pyfunction!(classify, m)?)?;
    m.add_function(wrap_pyfunction!(calls, m)?)?;
    m.add_function(wrap_pyfunction!(classes, m)?)?;
    m.add_function(wrap_pyfunction!(_load, m)?)?;
    m.add_class::<InstalledParseError>()?;
    m.add_function(wrap_pyfunction!(_parse_error_body, m)?)?;
    m.add_function(wrap_pyfunction!(reset_calls, m)?)?;
    m.add_function(wrap_pyfunction!(_bench_to_py, m)?)?;
    m.add_function(wrap_pyfunction!(_bench_into_pyerr, m)?)?;
    m.add_function(wrap_pyfunction!(_bench_from_py, m)?)?;
    m.add_function(wrap_pyfunction!(releases::_releases, m)?)?;
    m.add_function(wrap_pyfunction!(releases::_variant, m)?)?;
    m.add_function(wrap_pyfunction!(releases::_probe_replies, m)?)?;
    m.add_function(wrap_pyfunction!(releases::_probe, m)?)?;
    Ok(())
}
