//! What the Python package (`python/redis_exceptions_rs`) reads from this
//! crate, behind `__private`: the running client's class table, the facts
//! of each class's `__init__` that its fast build and its installed
//! `parse_error` need, the reply rules they share with
//! [`parse_error`](crate::parse_error), and the hook through which the
//! package makes [`Error::to_py`](crate::Error::to_py) build instances
//! without the `__init__` call. None of it is API.

use std::sync::OnceLock;

use pyo3::prelude::*;
use pyo3::types::PyType;

use crate::class::{
    Attr, Class, ExceptionType, Params, RedisPy, STATUS_CODE_SINCE, STATUS_PARSE_SINCE,
    STATUS_WORD_SINCE,
};
use crate::instance::state::State;
use crate::pyrt::value::PyValue;

pub use crate::parse::reply::{is_status_word, LONGEST_STATUS, STATUS_WORD_PATTERN};

pub use super::value_to_py;
pub use super::Table;
use super::{table, Client, TABLES};

impl Table {
    /// The running release of the table's client (for valkey-py, the
    /// redis-py release it classifies as).
    #[inline]
    pub fn release(&self) -> RedisPy {
        self.release
    }

    /// The Python class of class `i` of [`Class::all`] (for a class the
    /// running release lacks, its nearest ancestor's).
    #[inline]
    pub fn py_type(&self, i: usize) -> Option<&Py<PyType>> {
        self.types.get(i)
    }

    /// Whether class `i` is one the running release has as its own.
    pub fn has_own(&self, i: usize) -> bool {
        self.by_type.iter().any(|&(_, j)| j == i)
    }

    /// The class index of a Python class the running release has, by
    /// identity.
    #[inline]
    pub fn class_index(&self, ty: &Bound<'_, PyAny>) -> Option<usize> {
        self.index_of(ty)
    }

    /// The cached `ExceptionType` member of `t` (redis-py 7.2 and newer).
    pub fn error_type_member(&self, t: ExceptionType) -> Option<&Py<PyAny>> {
        self.member(t)
    }
}

/// The client's class table, when it has been read.
#[inline]
pub fn loaded_table(py: Python<'_>, client: Client) -> Option<&'static Table> {
    TABLES[client.index()].get(py)
}

/// The client's class table, read now if it was not.
pub fn load_table(py: Python<'_>, client: Client) -> PyResult<&'static Table> {
    table(py, client)
}

/// The client's top-level package: `redis` or `valkey`.
pub fn package_of(client: Client) -> &'static str {
    client.package()
}

/// The first release whose `__init__`s take `status_code=`.
pub fn status_code_since() -> RedisPy {
    STATUS_CODE_SINCE
}

/// The first release whose `parse_error` passes `status_code=`
/// (`src/class/releases.txt`, its `parse_error` column).
pub fn status_parse_since() -> RedisPy {
    STATUS_PARSE_SINCE
}

/// The first release whose `parse_error` keeps an unknown status word as
/// `status_code` (`src/class/releases.txt`, its `parse_error` column).
pub fn status_word_since() -> RedisPy {
    STATUS_WORD_SINCE
}

/// An attribute an `__init__` sets that a fast build can set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FastAttr {
    /// `error_type`: the class's default.
    ErrorType,
    /// `status_code`: the code, or `None`.
    StatusCode,
    /// `message`: the first argument.
    Message,
    /// `slot_id` of a redirect.
    SlotId,
    /// `node_addr` of a redirect: `(host, port)`.
    NodeAddr,
    /// `host` of a redirect.
    Host,
    /// `port` of a redirect.
    Port,
}

/// A class's `__init__` as the package's fast build reads it.
#[derive(Clone, Debug)]
pub struct InitFacts {
    /// The attributes it sets on the release, in order, with their names;
    /// `None` when one has no fast build (a lock name, a named parameter).
    pub attrs: Option<Vec<(FastAttr, &'static str)>>,
    /// Whether it takes `status_code=` as a keyword.
    pub takes_status_code: bool,
    /// Whether it reads an `ASK`/`MOVED` payload from its message.
    pub parses_redirect: bool,
    /// The `error_type` it sets, when it sets one.
    pub error_type: Option<ExceptionType>,
}

/// The [`InitFacts`] of `class`'s `__init__` on `release`.
pub fn init_facts(class: &'static Class, release: RedisPy) -> InitFacts {
    let (init, _) = class.init();
    let attrs: Option<Vec<(FastAttr, &'static str)>> = init
        .attributes_in(release)
        .map(|a| {
            let fast = match a {
                Attr::ErrorType => FastAttr::ErrorType,
                Attr::StatusCode => FastAttr::StatusCode,
                Attr::Message => FastAttr::Message,
                Attr::SlotId => FastAttr::SlotId,
                Attr::NodeAddr => FastAttr::NodeAddr,
                Attr::Host => FastAttr::Host,
                Attr::Port => FastAttr::Port,
                Attr::LockName | Attr::Param(_) => return None,
            };
            Some((fast, a.name()))
        })
        .collect();
    let sets_error_type = init.sets(Attr::ErrorType);
    InitFacts {
        attrs,
        takes_status_code: init.keyword_of(Attr::StatusCode).is_some(),
        parses_redirect: init.parses_redirect(),
        error_type: class.default_error_type().filter(|_| sets_error_type),
    }
}

/// `(slot_id, host, port)` of a redirect payload as `AskError.__init__`
/// reads it, when it reads it without raising and both numbers fit an
/// `i64`.
pub fn redirect_ints(payload: &str) -> Option<(i64, &str, i64)> {
    let spans = crate::instance::redirect::parse_strict(payload).ok()?;
    let r = spans.view(payload);
    match (r.slot_value(), r.port_value()) {
        (PyValue::Int(slot), PyValue::Int(port)) => Some((slot, r.host(), port)),
        _ => None,
    }
}

/// What [`Error::to_py`](crate::Error::to_py) asks a fast build for: an
/// instance of class `index` of [`Class::all`] whose Python class is `ty`,
/// as calling it with `args` (and `status_code=` where the release passes
/// it) would leave it.
pub struct FastRequest<'a> {
    /// The class's index in [`Class::all`].
    pub index: usize,
    /// The positional arguments.
    pub args: &'a [PyValue],
    /// `status_code`, for an `__init__` that takes it.
    pub status_code: Option<&'a str>,
    /// `(slot_id, host, port)`, for an `__init__` that reads a redirect.
    pub redirect: Option<(i64, &'a str, i64)>,
}

/// A fast build: `Ok(None)` when it cannot prove its instance is the
/// call's (then the class is called).
pub type FastBuild = for<'py> fn(
    Python<'py>,
    Client,
    &FastRequest<'_>,
    &Bound<'py, PyType>,
) -> PyResult<Option<Bound<'py, PyAny>>>;

/// The fast build the package registered, if any.
static FAST_BUILD: OnceLock<FastBuild> = OnceLock::new();

/// Registers the package's fast build, once per process: `false` when one
/// was already registered.
pub fn set_fast_build(build: FastBuild) -> bool {
    FAST_BUILD.set(build).is_ok()
}

/// `state` built by the registered fast build, when there is one and the
/// call it stands for is one a fast build covers.
pub(super) fn try_fast<'py>(
    py: Python<'py>,
    client: Client,
    state: &State,
    ty: &Bound<'py, PyType>,
) -> PyResult<Option<Bound<'py, PyAny>>> {
    let Some(build) = FAST_BUILD.get() else {
        return Ok(None);
    };
    let Some(index) = state.class.index() else {
        return Ok(None);
    };
    let (init, _) = state.class.init();
    let args = state.args.as_slice();
    if matches!(init.params, Params::Named { .. }) && args.len() != 1 {
        return Ok(None);
    }
    let redirect = if init.parses_redirect() {
        let Some(r) = state.redirect_view() else {
            return Ok(None);
        };
        match (r.slot_value(), r.port_value(), args.first()) {
            (PyValue::Int(slot), PyValue::Int(port), Some(PyValue::Str(_))) => {
                Some((slot, r.host(), port))
            }
            _ => return Ok(None),
        }
    } else {
        None
    };
    let status_code = state
        .status_code()
        .filter(|_| init.keyword_of(Attr::StatusCode).is_some());
    let request = FastRequest {
        index,
        args,
        status_code,
        redirect,
    };
    build(py, client, &request, ty)
}

/// The index of `class` in [`Class::all`] (`None` for a user class).
#[inline]
pub fn class_index(class: &'static Class) -> Option<usize> {
    class.index()
}
