//! `redis_exceptions_rs._native`: redis-py's `parse_error` and `classify`
//! in Rust, returning instances of redis-py's own classes.
#![forbid(unsafe_code)]

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use pyo3::exceptions::{PyBaseException, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyString, PyType};
use redis_exceptions::{classify as rust_classify, parse_error_bytes, Error};

/// How many replies went through `parse_error` since the module loaded.
static CALLS: AtomicU64 = AtomicU64::new(0);

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
    CALLS.fetch_add(1, Ordering::Relaxed);
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

/// The number of `parse_error` calls answered by Rust.
#[pyfunction]
fn calls() -> u64 {
    CALLS.load(Ordering::Relaxed)
}

/// Sets the `calls()` counter back to 0 and returns what it was.
#[pyfunction]
fn reset_calls() -> u64 {
    CALLS.swap(0, Ordering::Relaxed)
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
/// (`Error::to_py`) of the error `parse_error(reply)` gives, timed in Rust.
#[pyfunction]
fn _bench_to_py(py: Python<'_>, reply: &str, n: u32, repeat: u32) -> PyResult<f64> {
    let e = redis_exceptions::parse_error(reply);
    best_ns(n, repeat, || e.to_py(py).map(drop))
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
    m.add_function(wrap_pyfunction!(parse_error, m)?)?;
    m.add_function(wrap_pyfunction!(classify, m)?)?;
    m.add_function(wrap_pyfunction!(calls, m)?)?;
    m.add_function(wrap_pyfunction!(reset_calls, m)?)?;
    m.add_function(wrap_pyfunction!(_bench_to_py, m)?)?;
    m.add_function(wrap_pyfunction!(_bench_into_pyerr, m)?)?;
    m.add_function(wrap_pyfunction!(_bench_from_py, m)?)?;
    Ok(())
}
