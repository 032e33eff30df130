//! The installed `parse_error` of the redis-exceptions-rs package: the
//! client's `BaseParser.parse_error`, variant by variant, answered in Rust
//! on the live table, or "not mine" (the caller runs the original).

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PySlice, PyString};
use pyo3::PyTypeInfo;
use redis_exceptions::__private::pyo3_package::{self as core, is_status_word, LONGEST_STATUS};
use redis_exceptions::{Client, ExceptionClass, RedisPy, ResponseError};

use crate::direct::{build_fast, proofs, Fast, FastValues};

/// Which `BaseParser.parse_error` a client release has; the package tells
/// them apart by their source.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ParseErrorVariant {
    /// redis-py 5.0 to 7.1, valkey-py 6.2: `cls(rest)`, `ResponseError(response)`.
    Plain,
    /// redis-py 7.2 to 8.1: `cls(rest, status_code=code)`, `ResponseError(response)`.
    Status,
    /// redis-py 8.2: as `Status`, and an unknown code matching
    /// `[A-Z][A-Z0-9_]{0,63}` is `ResponseError(response, status_code=code)`.
    StatusWord,
}

impl ParseErrorVariant {
    /// The variant of `release`'s own `parse_error` (the `parse_error`
    /// column of `src/class/releases.txt`).
    pub(crate) fn of(release: RedisPy) -> Self {
        if release < core::status_parse_since() {
            Self::Plain
        } else if release < core::status_word_since() {
            Self::Status
        } else {
            Self::StatusWord
        }
    }
}

/// How far into a reply the first word is looked for in a copy of its
/// start (the whole reply is never encoded): any status word and its space
/// fit; a longer first word is found by `str.find`.
const CODE_PREFIX: usize = LONGEST_STATUS + 2;

/// From this length (in code points) a rest is looked up in a sub-table
/// by its length first ([`installed_parse_error`]): hashing it costs
/// more than comparing a few lengths.
const LONG_REST: usize = 128;

/// Which body [`installed_parse_error`] runs.
#[derive(Clone, Copy)]
pub(crate) struct Body<'a> {
    /// The client.
    pub(crate) client: Client,
    /// Its release's `parse_error`.
    pub(crate) variant: ParseErrorVariant,
    /// The module's `_ERROR_CODE_PATTERN` at install, when it spells the
    /// status-word rule.
    pub(crate) pattern: Option<&'a Py<PyAny>>,
    /// Whether to make the original's last call, `cls(rest, ...)`, where
    /// Rust cannot build its instance (else `None`: a probe calls nothing).
    pub(crate) finish: bool,
}

/// `slice(start, stop)`, made by calling Python's `slice` type.
///
/// Not pyo3's `PySlice::new`: it hands three new ints to `PySlice_New`,
/// which takes no ownership of them, so each call leaks them (32 bytes a
/// call past the small-int cache, a reference to a cached small int
/// below it).
fn slice(py: Python<'_>, start: isize, stop: isize) -> PyResult<Bound<'_, PyAny>> {
    PySlice::type_object(py).call1((start, stop))
}

/// `slice(0, CODE_PREFIX)`, made once.
fn prefix_slice(py: Python<'_>) -> PyResult<&Bound<'_, PyAny>> {
    static PREFIX: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    PREFIX
        .get_or_try_init(py, || slice(py, 0, CODE_PREFIX as isize).map(Bound::unbind))
        .map(|s| s.bind(py))
}

/// The client's `BaseParser.parse_error(cls, response)` of `variant`,
/// answered in Rust with the table `cls.EXCEPTION_CLASSES` (`table`) and
/// the parser module's globals (`globals`, for its `ResponseError`):
/// `Some((instance, class index in Class::all()))` (no index where it
/// made the original's own last call, `cls(rest, ...)`, itself: only with
/// `finish`), or `None` when the
/// answer is not provably the one the original gives (a table or sub-table
/// that is not exactly a `dict`, a class that is not the running release's
/// own or is patched, a redirect payload its `__init__` would refuse, a
/// release whose `parse_error` is not `variant`, ...): then call the
/// original.
///
/// The instance is built as the original's call would leave it: the same
/// class, `args`, and `vars()` in the same order.
pub(crate) fn installed_parse_error<'py>(
    py: Python<'py>,
    body: Body<'_>,
    table: &Bound<'py, PyAny>,
    response: &Bound<'py, PyAny>,
    globals: &Bound<'py, PyAny>,
) -> PyResult<Option<(Bound<'py, PyAny>, Option<usize>)>> {
    let Body {
        client,
        variant,
        pattern,
        finish,
    } = body;
    let (Ok(table), Ok(response), Ok(globals)) = (
        table.cast_exact::<PyDict>(),
        response.cast_exact::<PyString>(),
        globals.cast_exact::<PyDict>(),
    ) else {
        return Ok(None);
    };
    let Some(t) = core::loaded_table(py, client) else {
        return Ok(None);
    };
    if ParseErrorVariant::of(t.release()) != variant {
        return Ok(None);
    }
    let Some(proofs) = proofs(py, client, t)? else {
        return Ok(None);
    };
    let Some(response_error) = t.py_type(response_error_index()) else {
        return Ok(None);
    };
    // Where the original falls back to its module's `ResponseError`, that
    // must be the client's own.
    let default_is_own = || -> PyResult<bool> {
        Ok(globals
            .get_item(pyo3::intern!(py, "ResponseError"))?
            .is_some_and(|g| g.is(response_error)))
    };
    // `code = response.split(" ")[0]`, found in a copy of the start.
    let length = response.len()?;
    let prefix = if length <= CODE_PREFIX {
        response.clone()
    } else {
        response
            .get_item(prefix_slice(py)?)?
            .cast_into::<PyString>()?
    };
    let Ok(text) = prefix.to_str() else {
        // Lone surrogates: not UTF-8.
        return Ok(None);
    };
    let (code, code_chars): (Bound<'py, PyString>, usize) = match text.find(' ') {
        Some(at) => (PyString::new(py, &text[..at]), text[..at].chars().count()),
        None if length <= CODE_PREFIX => (response.clone(), length),
        None => {
            let at: isize = response
                .call_method1(pyo3::intern!(py, "find"), (" ",))?
                .extract()?;
            if at < 0 {
                (response.clone(), length)
            } else {
                let code = response
                    .get_item(slice(py, 0, at)?)?
                    .cast_into::<PyString>()?;
                (code, at as usize)
            }
        }
    };
    let status_of = |code: &Bound<'py, PyString>| -> Bound<'py, PyAny> {
        match variant {
            ParseErrorVariant::Plain => py.None().into_bound(py),
            _ => code.clone().into_any(),
        }
    };
    let Some(entry) = table.get_item(&code)? else {
        // `ResponseError(response)`; 8.2: `status_code=code` for a status word.
        let status = match variant {
            ParseErrorVariant::StatusWord => {
                // The original reads its module's `_ERROR_CODE_PATTERN`
                // now: only the one seen at install (and checked to spell
                // the rule) is answered for.
                let now = globals.get_item(pyo3::intern!(py, "_ERROR_CODE_PATTERN"))?;
                if !pattern.is_some_and(|p| now.is_some_and(|n| n.is(p))) {
                    return Ok(None);
                }
                if code.to_str().is_ok_and(|c| is_status_word(c.as_bytes())) {
                    code.into_any()
                } else {
                    py.None().into_bound(py)
                }
            }
            _ => py.None().into_bound(py),
        };
        if !default_is_own()? {
            return Ok(None);
        }
        let i = response_error_index();
        let ty = response_error.bind(py).as_any();
        // Before 8.2 an unknown code is `ResponseError(response)`:
        // `status_code` left to its default.
        let values = FastValues {
            status,
            redirect: None,
            defaulted: variant != ParseErrorVariant::StatusWord,
        };
        let obj = answer(py, proofs, variant, i, ty, response.as_any(), &values)?;
        return Ok(obj.map(|o| (o, Some(i))));
    };
    // `response = response[len(code) + 1:]`
    let start = isize::try_from(code_chars + 1).unwrap_or(isize::MAX);
    let stop = isize::try_from(length).unwrap_or(isize::MAX);
    let rest = if length <= CODE_PREFIX {
        // The whole reply is `text`: the rest is made from it.
        let at = text
            .char_indices()
            .nth(code_chars)
            .map_or(text.len(), |(at, _)| at);
        PyString::new(py, text.get(at + 1..).unwrap_or("")).into_any()
    } else {
        response.get_item(slice(py, start, stop)?)?
    };
    let cls = if entry.is_exact_instance_of::<PyDict>() {
        let sub = entry.cast_exact::<PyDict>()?;
        // `sub.get(rest)`. A long rest that no key can equal (every key
        // an exact `str` of another length: no `__eq__` of anyone's runs)
        // is a miss without hashing it.
        let rest_len = length.saturating_sub(code_chars + 1);
        let miss = rest_len > LONG_REST
            && sub.iter().all(|(k, _)| {
                k.is_exact_instance_of::<PyString>() && k.len().is_ok_and(|n| n != rest_len)
            });
        let found = if miss { None } else { sub.get_item(&rest)? };
        match found {
            Some(c) => c,
            None if default_is_own()? => response_error.bind(py).clone().into_any(),
            None => return Ok(None),
        }
    } else if entry.is_instance_of::<PyDict>() {
        // A dict subclass: its `get` may be its own.
        return Ok(None);
    } else {
        entry
    };
    // From here on the original only calls `cls`: where Rust cannot build
    // the instance, that call is made here (not counted as answered).
    let call = || {
        if !finish {
            return Ok(None);
        }
        original_call(py, variant, &cls, &rest, &code).map(|o| Some((o, None)))
    };
    let Some(i) = t.class_index(&cls) else {
        return call();
    };
    let Some(fast) = proofs.get(i).and_then(Option::as_ref) else {
        return call();
    };
    let redirect = if fast.parses_redirect {
        // As `AskError.__init__` reads it; anything it would refuse, or
        // read as integers beyond `i64`, is the original's.
        let Some(r) = rest
            .cast::<PyString>()?
            .to_str()
            .ok()
            .and_then(core::redirect_ints)
        else {
            // A payload `__init__` refuses (or reads beyond `i64`): with
            // the class unpatched, its `__init__`'s own reading steps
            // (`_install._redirect_refusal`) raise what it would raise,
            // without making the instance it would throw away (issue 23,
            // item 10); else, or where they accept it (integers beyond
            // `i64`), the original's very call.
            if finish && fast.in_force(py, &cls, false) {
                redirect_refusal(py)?.call1((&rest,))?;
            }
            return call();
        };
        Some(r)
    } else {
        None
    };
    let values = FastValues {
        status: status_of(&code),
        redirect,
        defaulted: variant == ParseErrorVariant::Plain,
    };
    match answer(py, proofs, variant, i, &cls, &rest, &values)? {
        Some(o) => Ok(Some((o, Some(i)))),
        None => call(),
    }
}

/// The instance the original's call `ty(arg)` (or `ty(arg,
/// status_code=code)`) makes, for class `i` of the table, or `None` when
/// it cannot be made without that call.
///
/// A class whose `__init__` sets nothing, called without keywords (redis-py
/// before 7.2, valkey-py): the original's very call, `ty(arg)`, which runs
/// Python's own `BaseException.__new__` and `__init__` in C (a patched
/// class runs its patch, as in the original). Else the [`Fast`] build,
/// while the class is unpatched.
fn answer<'py>(
    py: Python<'py>,
    proofs: &[Option<Fast>],
    variant: ParseErrorVariant,
    i: usize,
    ty: &Bound<'py, PyAny>,
    arg: &Bound<'py, PyAny>,
    values: &FastValues<'_, 'py>,
) -> PyResult<Option<Bound<'py, PyAny>>> {
    let Some(fast) = proofs.get(i).and_then(Option::as_ref) else {
        return Ok(None);
    };
    // From 7.2 the original passes `status_code=`: a class that does not
    // take it raises there (`TypeError`), the original's to raise.
    if variant != ParseErrorVariant::Plain && !fast.takes_status_code {
        return Ok(None);
    }
    if fast.attrs.is_empty() && variant == ParseErrorVariant::Plain {
        return ty.call1((arg,)).map(Some);
    }
    if !fast.in_force(py, ty, values.defaulted) {
        return Ok(None);
    }
    build_fast(py, fast, ty, std::slice::from_ref(arg), values).map(Some)
}

/// `redis_exceptions_rs._install._redirect_refusal`: the steps by which
/// `AskError.__init__` reads its payload, raising where it raises.
fn redirect_refusal(py: Python<'_>) -> PyResult<&Bound<'_, PyAny>> {
    static REFUSAL: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    REFUSAL
        .get_or_try_init(py, || {
            py.import("redis_exceptions_rs._install")?
                .getattr("_redirect_refusal")
                .map(Bound::unbind)
        })
        .map(|f| f.bind(py))
}

/// The original's own last step, `cls(rest)` (`cls(rest,
/// status_code=code)` from redis-py 7.2), for a reply whose code, class and
/// rest are found exactly as the original finds them.
fn original_call<'py>(
    py: Python<'py>,
    variant: ParseErrorVariant,
    cls: &Bound<'py, PyAny>,
    rest: &Bound<'py, PyAny>,
    code: &Bound<'py, PyString>,
) -> PyResult<Bound<'py, PyAny>> {
    if variant == ParseErrorVariant::Plain {
        return cls.call1((rest,));
    }
    let kwargs = PyDict::new(py);
    kwargs.set_item(pyo3::intern!(py, "status_code"), code)?;
    cls.call((rest,), Some(&kwargs))
}

/// The index of `ResponseError` in `Class::all()`.
fn response_error_index() -> usize {
    core::class_index(ResponseError::CLASS).unwrap_or(usize::MAX)
}
