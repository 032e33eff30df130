//! What the Python side knows of the releases, read from the crate (whose
//! build reads `src/class/releases.txt`): the pinned reference, each
//! release's `parse_error` variant, and the probe replies `install()`
//! checks a client's own `parse_error` on before it answers in Rust.

use std::str::FromStr;

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use redis_exceptions::{Parser, RedisPy, ValkeyPy};

use crate::installed::{installed_parse_error, Body, ParseErrorVariant};
use crate::{status_word_pattern, CLIENTS, VARIANTS};

/// A redis-py message no rule selects, and a valid `ASK`/`MOVED` payload.
const PROBE_MESSAGE: &str = "0 127.0.0.1:6379";

/// The parser of `client` (0: redis-py, 1: valkey-py) release `version`
/// (`"X.Y"` or `"X.Y.Z"`), if the crate covers it.
fn parser_of(client: usize, version: &str) -> PyResult<Option<Parser>> {
    Ok(match client {
        0 => RedisPy::from_str(version).ok().map(RedisPy::parser),
        1 => ValkeyPy::from_str(version).ok().map(ValkeyPy::parser),
        _ => return Err(PyTypeError::new_err("no such client")),
    })
}

/// The pinned reference redis-py (`"X.Y.Z"`), the pinned valkey-py
/// releases, and the range covered.
#[pyfunction]
pub(crate) fn _releases(py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("reference", RedisPy::REFERENCE.__pinned())?;
    let redis: Vec<(u8, u8, &str)> = RedisPy::ALL
        .iter()
        .map(|r| (r.major(), r.minor(), r.__pinned()))
        .collect();
    d.set_item("redis", redis)?;
    let valkey: Vec<(u8, u8, &str)> = ValkeyPy::ALL
        .iter()
        .map(|r| (r.major(), r.minor(), r.__pinned()))
        .collect();
    d.set_item("valkey", valkey)?;
    Ok(d)
}

/// The `parse_error` variant (0, 1, 2: the numbers `InstalledParseError`
/// takes) of `client` release `version`, or `None` for a release the crate
/// does not cover.
#[pyfunction]
pub(crate) fn _variant(client: usize, version: &str) -> PyResult<Option<usize>> {
    Ok(parser_of(client, version)?.map(|p| {
        let v = ParseErrorVariant::of(p.release());
        VARIANTS.iter().position(|&x| x == v).unwrap_or(0)
    }))
}

/// The replies `install()` tries the client's own `parse_error` on: one
/// per rule of the release's reply table (each code, each `ERR` message),
/// then an unknown status word, an unknown `ERR` message and a reply with
/// no code. Empty for a release the crate does not cover.
#[pyfunction]
pub(crate) fn _probe_replies(client: usize, version: &str) -> PyResult<Vec<String>> {
    let Some(parser) = parser_of(client, version)? else {
        return Ok(Vec::new());
    };
    let mut out: Vec<String> = parser
        .rules()
        .map(|r| format!("{} {}", r.code, r.message.unwrap_or(PROBE_MESSAGE)))
        .collect();
    out.dedup();
    out.push(format!("WRONGTYPE {PROBE_MESSAGE}"));
    out.push(format!("ERR {PROBE_MESSAGE}"));
    out.push(format!("probe {PROBE_MESSAGE}"));
    Ok(out)
}

/// What the installed body of `variant` answers in Rust for `response`,
/// on `cls.EXCEPTION_CLASSES` and `orig`'s module globals, or `None` where
/// it would call the original.
#[pyfunction]
pub(crate) fn _probe<'py>(
    py: Python<'py>,
    client: usize,
    variant: usize,
    cls: &Bound<'py, PyAny>,
    orig: &Bound<'py, PyAny>,
    response: &Bound<'py, PyAny>,
) -> PyResult<Option<Bound<'py, PyAny>>> {
    let (Some(&which), Some(&variant)) = (CLIENTS.get(client), VARIANTS.get(variant)) else {
        return Err(PyTypeError::new_err(
            "no such client or parse_error variant",
        ));
    };
    let table = cls.getattr(pyo3::intern!(py, "EXCEPTION_CLASSES"))?;
    let globals = orig.getattr(pyo3::intern!(py, "__globals__"))?;
    let pattern = status_word_pattern(py, &globals)?;
    let body = Body {
        client: which,
        variant,
        pattern: pattern.as_ref(),
        finish: false,
    };
    Ok(installed_parse_error(py, body, &table, response, &globals)?.map(|(obj, _)| obj))
}
