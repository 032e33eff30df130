//! Rust -> Python: an error of this crate as an instance of the client's
//! class, built as the client builds it, with its causes.

use std::error::Error as StdError;
use std::io;

use pyo3::exceptions::{PyBaseException, PyException, PyOSError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString, PyTuple, PyType};

use crate::class::hierarchy::for_each_class;
use crate::class::{ArgsRule, Attr, ExceptionType, Init, Params, STATUS_CODE_SINCE};
use crate::error::chain::exception_of;
use crate::error::erased::Error;
use crate::error::traits::RedisErrorExt;
use crate::instance::state::State;
use crate::parse::call::rebuild_call;

use super::from_python::{is_copy_of, snapshot};
use super::package::try_fast;
use super::{lock_name, table, value_to_py, Client, MAX_CAUSES};

fn error_type_member<'py>(
    py: Python<'py>,
    t: Option<ExceptionType>,
    client: Client,
) -> PyResult<Bound<'py, PyAny>> {
    match t {
        Some(t) => match &table(py, client)?.exception_type {
            Some(enum_type) => match table(py, client)?.member(t) {
                Some(m) => Ok(m.bind(py).clone()),
                None => enum_type.bind(py).call1((t.value(),)),
            },
            // Releases before 7.2 have no enum: the value itself.
            None => Ok(PyString::new(py, t.value()).into_any()),
        },
        None => Ok(py.None().into_bound(py)),
    }
}

/// The Python instance for `e` of `client`'s classes, with its causes.
fn to_instance<'py>(
    py: Python<'py>,
    e: &dyn RedisErrorExt,
    depth: usize,
    client: Client,
) -> PyResult<Bound<'py, PyBaseException>> {
    let state = e.__state();
    let source = state.__source();
    if let Some(original) = source.and_then(|s| s.downcast_ref::<PyErr>()) {
        // An error that came from Python unchanged goes back as itself:
        // its Python subclass, traceback and extra attributes included.
        // Only one read from that exception by `from_py` (not one given it
        // as a cause: `raise X from e`), and only while its values are
        // still those `from_py` read, and of the client asked for.
        if came_from_python(state) && is_copy_of(py, state, original, client) {
            return Ok(original.value(py).clone());
        }
    }
    let class = state.class;
    let ty = class.py_type_as(py, client)?;
    let (init, _) = class.init();
    // The client's own class, unpatched: built without the call, as the
    // call would leave it (the package's fast build, when registered).
    let obj = match try_fast(py, client, state, &ty)? {
        Some(obj) => obj,
        None => call_instance(py, e, &ty, client)?,
    };
    // A `status_code` attribute the `__init__` sets without taking it as a
    // keyword (the `LockError` family: `RedisError.__init__` sets `None`),
    // on a release that has the attribute.
    if let Some(code) = state.status_code() {
        if init.sets(Attr::StatusCode)
            && init.keyword_of(Attr::StatusCode).is_none()
            && table(py, client)?.release >= STATUS_CODE_SINCE
        {
            obj.setattr("status_code", code)?;
        }
    }
    // An `error_type` the instance's release sets and the built instance
    // lacks (changed after construction); an instance of a release without
    // the attribute leaves what the running class's `__init__` set.
    if state.sets(Attr::ErrorType) && state.error_type != class.default_error_type() {
        obj.setattr(
            "error_type",
            error_type_member(py, state.error_type, client)?,
        )?;
    }
    let obj = obj.cast_into::<PyBaseException>()?;
    if let Some(source) = source {
        let cause = cause_to_py(py, source, depth + 1, client)?;
        obj.setattr("__cause__", cause)?;
    }
    Ok(obj)
}

/// The instance for `e` made by calling its Python class `ty` as redis-py
/// does, or as the `__init__` left it where it raises.
fn call_instance<'py>(
    py: Python<'py>,
    e: &dyn RedisErrorExt,
    ty: &Bound<'py, PyType>,
    client: Client,
) -> PyResult<Bound<'py, PyAny>> {
    let state = e.__state();
    let class = state.class;
    let ty = ty.clone();
    let args = PyTuple::new(
        py,
        state
            .args
            .as_slice()
            .iter()
            .map(|v| value_to_py(py, v))
            .collect::<PyResult<Vec<_>>>()?,
    )?;
    let (init, _) = class.init();
    // The call that rebuilds the instance, from its `__init__` description.
    let (positional, keywords) = rebuild_call(state);
    let call_args = PyTuple::new(
        py,
        positional
            .iter()
            .map(|v| value_to_py(py, v))
            .collect::<PyResult<Vec<_>>>()?,
    )?;
    let kwargs = PyDict::new(py);
    // Releases before 7.2 take no `status_code=` (valkey-py 6.2 is
    // redis-py 5.2's).
    let old_release = !keywords.is_empty() && table(py, client)?.release < STATUS_CODE_SINCE;
    for (key, value) in &keywords {
        if old_release && init.keyword_of(Attr::StatusCode) == Some(*key) {
            continue;
        }
        kwargs.set_item(*key, value_to_py(py, value)?)?;
    }
    // The call redis-py makes for the same construction (`parse_error`
    // calls `exception_class(response, status_code=error_code)`). Where
    // the `__init__` signature cannot take the arguments the Rust instance
    // holds (set after construction), it is not called: the instance is
    // the one it would have left when it raised (difference 9).
    let obj = if refuses_arity(init, state) {
        partial_instance(py, &ty, &args, state, init, client)?
    } else {
        match ty.call(&call_args, Some(&kwargs)) {
            Ok(obj) => obj,
            // The `ValueError` of `AskError.__init__` for a payload the
            // Rust instance could not parse either (difference 1): the
            // instance as `__init__` had left it. Anything else raised in
            // `__init__` (`KeyboardInterrupt`, `MemoryError`, a patched
            // class's own error) is the caller's.
            Err(err)
                if init.parses_redirect()
                    && e.redirect().is_none()
                    && err.is_instance_of::<PyValueError>(py) =>
            {
                partial_instance(py, &ty, &args, state, init, client)?
            }
            Err(err) => return Err(err),
        }
    };
    Ok(obj)
}

/// Whether redis-py's `__init__` for `init` cannot take the arguments of
/// `state` at all (a `TypeError` for their number).
fn refuses_arity(init: &Init, state: &State) -> bool {
    let n = state.args.as_slice().len();
    match (init.params, init.args) {
        (Params::Star { .. }, _) => false,
        // `__init__(self, resp, ...)` and the like: `args` is `(first,)`.
        (Params::Named { .. }, ArgsRule::First) => n != 1,
        (Params::Named { names, .. }, ArgsRule::Positional) => n > names.len(),
        // `args` computed from what the instance does not keep (the fields
        // `InvalidTokenSchemaErr` joined, `HttpError`'s `message or
        // "HTTP {status} for {url}"`): the call cannot give them back.
        (Params::Named { .. }, ArgsRule::Joined { .. } | ArgsRule::MessageOr { .. }) => true,
    }
}

/// Whether the cause of `state` is the Python exception `from_py` read it
/// from, and was not replaced since.
fn came_from_python(state: &State) -> bool {
    state.rare.as_ref().is_some_and(|r| r.from_python)
}

/// `cls.__new__(cls, *args)` and the attributes each `__init__` sets, in
/// its order, up to where redis-py's `AskError.__init__` raises.
fn partial_instance<'py>(
    py: Python<'py>,
    ty: &Bound<'py, PyType>,
    args: &Bound<'py, PyTuple>,
    state: &State,
    init: &Init,
    client: Client,
) -> PyResult<Bound<'py, PyAny>> {
    let mut new_args = vec![ty.clone().into_any()];
    new_args.extend(args.iter());
    let obj = ty.call_method1("__new__", PyTuple::new(py, new_args)?)?;
    let message = || -> PyResult<Bound<'py, PyAny>> {
        match state.args.as_slice().first() {
            Some(v) => value_to_py(py, v),
            None => Ok(py.None().into_bound(py)),
        }
    };
    let error_type = || error_type_member(py, state.error_type, client);
    // What this release's `__init__` sets (nothing of `error_type` and
    // `status_code` before 7.2), as the direct build does.
    for attr in init.attributes_in(table(py, client)?.release) {
        let value = match attr {
            Attr::ErrorType => error_type()?,
            Attr::StatusCode => match state.status_code() {
                Some(code) => PyString::new(py, code).into_any(),
                None => py.None().into_bound(py),
            },
            Attr::Message => message()?,
            Attr::LockName => match lock_name(state) {
                Some(v) => value_to_py(py, v)?,
                None => py.None().into_bound(py),
            },
            Attr::Param(name) => match state.param(name) {
                Some(v) => value_to_py(py, v)?,
                None => py.None().into_bound(py),
            },
            // Where `AskError.__init__` raises: the rest is never set.
            Attr::SlotId | Attr::NodeAddr | Attr::Host | Attr::Port => break,
        };
        obj.setattr(attr.name(), value)?;
    }
    Ok(obj)
}

/// A cause as Python sees it: a Python exception as itself, this crate's
/// errors as their classes, an `io::Error` as the `OSError` subclass for
/// its errno, anything else as `Exception(str(e))`. This crate's errors are
/// instances of `client`'s classes, as the error they are the cause of.
fn cause_to_py<'py>(
    py: Python<'py>,
    e: &(dyn StdError + 'static),
    depth: usize,
    client: Client,
) -> PyResult<Bound<'py, PyBaseException>> {
    if let Some(err) = e.downcast_ref::<PyErr>() {
        return Ok(err.value(py).clone());
    }
    // This link alone: each link costs the same whatever follows it.
    if depth < MAX_CAUSES {
        if let Some(ours) = exception_of(e) {
            return to_instance(py, ours, depth, client);
        }
    }
    let obj = match e.downcast_ref::<io::Error>() {
        Some(io_err) => match (io_err.raw_os_error(), io_err.get_ref()) {
            // An `io::Error` wrapping a Python exception or an error of
            // this crate (`io::Error::other(e)`): the wrapped error, with
            // its own causes (the `io::Error`'s `source()` is theirs).
            (_, Some(inner))
                if inner.is::<PyErr>() || (depth < MAX_CAUSES && exception_of(inner).is_some()) =>
            {
                return cause_to_py(py, inner, depth, client);
            }
            (Some(code), _) => {
                // `OSError(errno, strerror)`: Python picks the subclass
                // (`ConnectionRefusedError` for 111, ...).
                py.get_type::<PyOSError>()
                    .call1((code, crate::error::io::strerror(code)))?
                    .cast_into::<PyBaseException>()?
            }
            // PyO3's mapping by `ErrorKind`, the message as the argument.
            (None, _) => PyErr::from(io::Error::new(io_err.kind(), io_err.to_string()))
                .into_value(py)
                .into_bound(py),
        },
        None => PyErr::new::<PyException, _>(e.to_string())
            .into_value(py)
            .into_bound(py),
    };
    if depth < MAX_CAUSES {
        if let Some(next) = e.source() {
            obj.setattr("__cause__", cause_to_py(py, next, depth + 1, client)?)?;
        }
    }
    Ok(obj)
}

fn into_pyerr(e: &dyn RedisErrorExt) -> PyErr {
    Python::attach(|py| match to_instance(py, e, 0, Client::RedisPy) {
        Ok(obj) => PyErr::from_value(obj.into_any()),
        Err(failed) => failed,
    })
}

impl Error {
    /// The Python exception for this error: an instance of redis-py's class
    /// (`redis.exceptions.MovedError`, ...) built the way redis-py builds
    /// it, with `source()` as `__cause__`. An error that came from Python
    /// through [`Error::from_py`] and was not changed is that same Python
    /// object.
    ///
    /// The instance is one of the running redis-py's classes, so it has
    /// the attributes that release's `__init__` sets. An instance made by
    /// another release ([`RedisErrorExt::release`], e.g.
    /// `RedisPy::V5_2.parse_error`) is built as its own release calls the
    /// class: `cls(message)` where that release passes no `status_code=`
    /// (before 7.2, or an unknown code before 8.2), so the attributes the
    /// running class sets anyway (`status_code = None`, its `error_type`)
    /// are its defaults, and nothing the instance's release lacks is
    /// invented. [`Error::from_py`] of the result is an instance of the
    /// running release.
    ///
    /// `Err` is what the conversion raised, e.g. the `ImportError` (with
    /// the import failure as its `__cause__`) when redis-py is not
    /// installed.
    #[cfg_attr(docsrs, doc(cfg(feature = "pyo3")))]
    pub fn to_py<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBaseException>> {
        to_instance(py, self.as_dyn(), 0, Client::RedisPy)
    }

    /// [`Error::to_py`] for `client`: with [`Client::RedisPy`] the same,
    /// with [`Client::ValkeyPy`] an instance of valkey-py's class (module
    /// [`Class::valkey_module`](crate::Class::valkey_module), name [`Class::valkey_name`](crate::Class::valkey_name):
    /// `valkey.exceptions.ValkeyError` for a `RedisError`), built the way
    /// valkey-py builds it. The running valkey-py (`valkey.__version__`)
    /// must be one this crate covers ([`ValkeyPy`](crate::ValkeyPy)); its classes are
    /// those of the redis-py release it classifies as
    /// ([`ValkeyPy::redis_py`](crate::ValkeyPy::redis_py)): a class it lacks is its nearest ancestor
    /// it has, no `status_code=` is passed (valkey-py 6.2's `__init__`s
    /// are redis-py 5.2's), and `error_type` is the plain value (valkey-py
    /// 6.2 has no `ExceptionType`). The causes (`source()` as `__cause__`)
    /// that are errors of this crate are valkey-py's classes too.
    ///
    /// An error that came from Python through [`Error::from_py`] unchanged
    /// is that same object only when it is of `client`'s classes.
    ///
    /// `Err` is what the conversion raised, e.g. an `ImportError` (chained
    /// to the import failure) when the client is not installed or its
    /// release is not covered.
    ///
    /// ```
    /// # use pyo3::prelude::*;
    /// # // The venv of scripts/env/pyo3_env.sh (redis-py and valkey-py), put
    /// # // on PATH as activation does, before the interpreter starts.
    /// # let venv = std::env::var_os("REDIS_EXCEPTIONS_PYO3_VENV").map(std::path::PathBuf::from)
    /// #     .unwrap_or_else(|| std::path::Path::new(&std::env::var_os("HOME").unwrap())
    /// #         .join(".cache/redis-exceptions/pyo3-venv"));
    /// # let path = std::env::var_os("PATH").unwrap_or_default();
    /// # let dirs = std::iter::once(venv.join("bin")).chain(std::env::split_paths(&path));
    /// # std::env::set_var("PATH", std::env::join_paths(dirs).unwrap());
    /// # Python::initialize();
    /// # Python::attach(|py| -> PyResult<()> {
    /// use redis_exceptions::{parse_error, Client};
    ///
    /// let e = parse_error("NOSCRIPT No matching script.").to_py_as(py, Client::ValkeyPy)?;
    /// let class = e.get_type();
    /// assert_eq!(class.name()?.to_str()?, "NoScriptError");
    /// assert_eq!(class.module()?.to_str()?, "valkey.exceptions");
    /// # Ok(())
    /// # }).unwrap();
    /// ```
    #[cfg_attr(docsrs, doc(cfg(feature = "pyo3")))]
    pub fn to_py_as<'py>(
        &self,
        py: Python<'py>,
        client: Client,
    ) -> PyResult<Bound<'py, PyBaseException>> {
        to_instance(py, self.as_dyn(), 0, client)
    }

    /// The error of this crate for a Python exception whose class is one
    /// of redis-py's or valkey-py's, or derives from one: the nearest class
    /// along `type(e).__mro__` that this crate knows, matched by module and
    /// name (`builtins.ConnectionError` is not redis-py's; valkey-py's
    /// by [`Class::valkey_module`](crate::Class::valkey_module) and [`Class::valkey_name`](crate::Class::valkey_name), so
    /// `valkey.exceptions.ValkeyError` is a `RedisError`), with `args`,
    /// `status_code`, `error_type` and `lock_name`, and the redirect of an
    /// `AskError`/`MovedError`. The original exception is kept as
    /// `source()` (a [`PyErr`](https://docs.rs/pyo3/0.30/pyo3/struct.PyErr.html)).
    ///
    /// The error is an instance of the running client's release
    /// ([`RedisErrorExt::release`]; valkey-py 6.2's is redis-py 5.2): its
    /// attributes are the ones that release's instances have.
    ///
    /// Any other exception comes back unchanged as `Err`.
    #[cfg_attr(docsrs, doc(cfg(feature = "pyo3")))]
    pub fn from_py(py: Python<'_>, err: PyErr) -> Result<Error, PyErr> {
        match snapshot(py, err.value(py)) {
            Some((mut state, _)) => {
                let rare = state.rare_mut();
                rare.source = Some(Box::new(err));
                rare.from_python = true;
                Ok(Error::from_state(state))
            }
            None => Err(err),
        }
    }
}

impl From<Error> for PyErr {
    /// [`Error::to_py`] as a `PyErr`, for `?` in a `#[pyfunction]`; a
    /// failed conversion is the `PyErr` it raised (never a panic).
    fn from(e: Error) -> PyErr {
        into_pyerr(e.as_dyn())
    }
}

impl TryFrom<PyErr> for Error {
    type Error = PyErr;

    /// [`Error::from_py`].
    fn try_from(err: PyErr) -> Result<Error, PyErr> {
        Python::attach(|py| Error::from_py(py, err))
    }
}

macro_rules! class_into_pyerr {
    ($($name:ident),*) => {$(
        impl From<crate::$name> for PyErr {
            /// The instance of the Python class of the same name; see [`Error::to_py`].
            fn from(e: crate::$name) -> PyErr {
                into_pyerr(&e)
            }
        }
    )*};
}

for_each_class!(names: class_into_pyerr);

/// `From<UserClass> for PyErr`, for [`crate::exception!`].
#[doc(hidden)]
pub fn __user_into_pyerr(e: &dyn RedisErrorExt) -> PyErr {
    into_pyerr(e)
}

/// The `PyErr` type, for the macro below.
#[doc(hidden)]
pub use pyo3::PyErr as __PyErr;

/// `From<$name> for PyErr` for a class declared with [`crate::exception!`].
#[doc(hidden)]
#[macro_export]
macro_rules! __pyo3_into_pyerr {
    ($name:ident) => {
        impl ::core::convert::From<$name> for $crate::__private::__PyErr {
            fn from(e: $name) -> Self {
                $crate::__private::__user_into_pyerr(&e)
            }
        }
    };
}
