//! Feature `pyo3`: this crate's errors cross into CPython as instances of
//! redis-py's own classes, and redis-py's exceptions come back as this
//! crate's classes.
//!
//! Rust -> Python makes an instance of the class found in the running
//! interpreter's `redis.exceptions`, as the call redis-py itself makes
//! with the arguments the Rust instance holds would leave it, so the
//! instance is redis-py's in every detail. Where the class is the running
//! release's own and unpatched (its `__new__` Python's, its `__init__`
//! chain the client's own functions, still the very objects seen when the
//! classes were read, and one real call then left what the build leaves),
//! the instance is built without running `__init__`:
//! `BaseException.__new__(cls, *args)` and the attributes that release's
//! `__init__` sets, in order. Any other class is called.
//! [`Error::to_py_as`] with [`Client::ValkeyPy`] does the same with
//! valkey-py's `valkey.exceptions`. Python -> Rust reads the instance's
//! `args` and attributes (of either client's classes) and keeps the
//! original exception as the cause.

use std::borrow::Cow;
use std::cell::Cell;
use std::error::Error as StdError;
use std::io;
use std::sync::Mutex;

use once_cell::sync::Lazy;
use pyo3::exceptions::{
    PyBaseException, PyException, PyImportError, PyOSError, PyRuntimeError, PyValueError,
};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBytes, PyDict, PyInt, PyModule, PyString, PyTuple, PyType};

use crate::class::hierarchy::for_each_class;
use crate::class::{
    ArgsRule, Attr, Class, ExceptionType, Init, Params, RedisPy, ValkeyPy, STATUS_CODE_SINCE,
};
use crate::error::chain::exception_of;
use crate::error::erased::Error;
use crate::error::traits::RedisErrorExt;
use crate::instance::state::{Args, State};
use crate::parse::call::rebuild_call;
use crate::pyrt::value::PyValue;

/// What the `ImportError` tells the user to install, for redis-py.
const INSTALL_HINT: &str = "pip install redis==8.2.0";

/// What the `ImportError` tells the user to install, for valkey-py.
const VALKEY_INSTALL_HINT: &str = "pip install valkey==6.2.0";

/// The Python client whose exception classes a conversion builds:
/// redis-py (`redis.exceptions.MovedError`, ...) or its fork valkey-py
/// (`valkey.exceptions.MovedError`, `valkey.exceptions.ValkeyError` for
/// [`RedisError`](crate::RedisError), ...).
///
/// [`Error::to_py`] and `From<Error> for PyErr` build redis-py's classes;
/// [`Error::to_py_as`] and [`Class::py_type_as`] take the client.
/// [`Error::from_py`] reads both.
///
/// ```ignore
/// use redis_exceptions::{parse_error, Client};
///
/// let e = parse_error("MOVED 3999 127.0.0.1:6381").to_py_as(py, Client::ValkeyPy)?;
/// assert_eq!(e.get_type().module()?.to_str()?, "valkey.exceptions");
/// ```
#[cfg_attr(docsrs, doc(cfg(feature = "pyo3")))]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Client {
    /// redis-py (`import redis`), 5.0 to 8.2.
    #[default]
    RedisPy,
    /// valkey-py (`import valkey`), 6.2: redis-py 5.2's classes, with
    /// [`Class::valkey_name`] and [`Class::valkey_module`].
    ValkeyPy,
}

impl Client {
    /// Both clients, in the order of their class tables.
    const ALL: [Client; 2] = [Client::RedisPy, Client::ValkeyPy];

    const fn index(self) -> usize {
        match self {
            Client::RedisPy => 0,
            Client::ValkeyPy => 1,
        }
    }

    /// The top-level package: `redis` or `valkey`.
    const fn package(self) -> &'static str {
        match self {
            Client::RedisPy => "redis",
            Client::ValkeyPy => "valkey",
        }
    }

    /// The exceptions module: `redis.exceptions` or `valkey.exceptions`.
    const fn exceptions_module(self) -> &'static str {
        match self {
            Client::RedisPy => "redis.exceptions",
            Client::ValkeyPy => "valkey.exceptions",
        }
    }

    /// The class's module in this client.
    fn module_of(self, class: &Class) -> Cow<'static, str> {
        match self {
            Client::RedisPy => Cow::Borrowed(class.module()),
            Client::ValkeyPy => class.valkey_module(),
        }
    }

    /// The class's name in this client.
    fn name_of(self, class: &Class) -> &'static str {
        match self {
            Client::RedisPy => class.name(),
            Client::ValkeyPy => class.valkey_name(),
        }
    }

    /// The client's name, for messages: `redis-py` or `valkey-py`.
    const fn label(self) -> &'static str {
        match self {
            Client::RedisPy => "redis-py",
            Client::ValkeyPy => "valkey-py",
        }
    }
}

/// The longest `source()` chain turned into `__cause__`s; deeper causes are
/// cut off (a chain that long is a cycle through some wrapper type).
const MAX_CAUSES: usize = 64;

/// One client's classes in the running interpreter, in [`Class::all`]
/// order, and redis-py's `ExceptionType` enum. Filled on the first
/// successful import.
struct Table {
    /// The running redis-py release, or the one the running valkey-py
    /// release classifies as ([`ValkeyPy::redis_py`]).
    release: RedisPy,
    /// Each class's Python class; for a class the running release lacks,
    /// the Python class of its nearest ancestor it has.
    types: Vec<Py<PyType>>,
    /// `redis.exceptions.ExceptionType` (redis-py 7.2 and newer; valkey-py
    /// 6.2 has none).
    exception_type: Option<Py<PyAny>>,
    /// Its members, read once (`ExceptionType("server")` is always the
    /// same object).
    members: Vec<(ExceptionType, Py<PyAny>)>,
    /// Per class, by index: how to build an instance without calling its
    /// `__init__`, for the classes where that was proven to give what the
    /// call gives ([`Fast`]).
    fast: Vec<Option<Fast>>,
    /// `(address of the Python class, class index)` of each class the
    /// running release has, sorted by address: a Python class back to this
    /// crate's class by identity.
    by_type: Vec<(usize, usize)>,
}

/// One class table per client, by [`Client::index`].
static TABLES: [PyOnceLock<Table>; 2] = [PyOnceLock::new(), PyOnceLock::new()];

/// The Python classes made for user classes ([`crate::exception!`]), keyed
/// by the class metadata's address. A process embeds one interpreter
/// (PyO3 does not run in sub-interpreters), so one cache serves it.
static USER_TYPES: Lazy<Mutex<Vec<UserType>>> = Lazy::new(|| Mutex::new(Vec::new()));

/// A user class, the client whose classes its bases are, and the Python
/// class made for it.
type UserType = (&'static Class, Client, Py<PyType>);

/// The running release of `client`, from `redis.__version__` (or
/// `valkey.__version__`, as the redis-py release it classifies as); an
/// `ImportError` naming the covered range for one this crate does not cover.
fn running_release(py: Python<'_>, client: Client) -> PyResult<RedisPy> {
    let package = client.package();
    let module = py.import(package).map_err(|cause| {
        missing_client(py, client, cause, &format!("`import {package}` failed"))
    })?;
    let version: String = module
        .getattr("__version__")
        .and_then(|v| v.extract())
        .map_err(|cause| {
            missing_client(py, client, cause, &format!("{package} has no __version__"))
        })?;
    let parsed = match client {
        Client::RedisPy => version.parse::<RedisPy>(),
        Client::ValkeyPy => version.parse::<ValkeyPy>().map(ValkeyPy::redis_py),
    };
    parsed.map_err(|e| {
        PyImportError::new_err(format!(
            "redis-exceptions cannot build {} {version}'s exceptions: {e}",
            client.label()
        ))
    })
}

thread_local! {
    /// Whether this thread is reading a client's classes into [`TABLES`],
    /// one bit per [`Client::index`].
    static BUILDING: Cell<u8> = const { Cell::new(0) };
}

/// Clears the client's bit of [`BUILDING`] however the build ends.
struct Building(Client);

impl Drop for Building {
    fn drop(&mut self) {
        let bit = 1 << self.0.index();
        BUILDING.with(|b| b.set(b.get() & !bit));
    }
}

/// The classes of the running interpreter, read on first use.
///
/// Reading them runs Python code (the module's attribute lookups, which a
/// module `__getattr__` can override), so no lock is held meanwhile: two
/// threads may both read them, the first to finish is kept. A call from
/// inside that code on the same thread (a module `__getattr__` that builds
/// an exception of this crate) gets a `RuntimeError` instead of waiting on
/// itself.
fn table(py: Python<'_>, client: Client) -> PyResult<&'static Table> {
    let slot = &TABLES[client.index()];
    if let Some(t) = slot.get(py) {
        return Ok(t);
    }
    let bit = 1 << client.index();
    if BUILDING.with(|b| b.replace(b.get() | bit)) & bit != 0 {
        return Err(PyRuntimeError::new_err(format!(
            "redis-exceptions: the classes of {} were asked for while \
             they were being read (a re-entrant call, e.g. from a module __getattr__)",
            client.exceptions_module()
        )));
    }
    let guard = Building(client);
    let built = read_table(py, client);
    drop(guard);
    let built = built?;
    // Another thread may have finished first: its table is kept.
    let _ = slot.set(py, built);
    slot.get(py)
        .ok_or_else(|| PyRuntimeError::new_err("redis-exceptions: class table not set"))
}

/// Reads the classes of the running release of `client`, each from its
/// own module.
fn read_table(py: Python<'_>, client: Client) -> PyResult<Table> {
    {
        let release = running_release(py, client)?;
        let exceptions = py.import(client.exceptions_module()).map_err(|cause| {
            let what = format!("`import {}` failed", client.exceptions_module());
            missing_client(py, client, cause, &what)
        })?;
        let mut modules: Vec<(Cow<'static, str>, Bound<'_, PyModule>)> = Vec::new();
        let mut types: Vec<Py<PyType>> = Vec::with_capacity(Class::all().len());
        let mut by_type: Vec<(usize, usize)> = Vec::new();
        for class in Class::all() {
            let own = if class.exists_in(release) {
                let home = client.module_of(class);
                let name = client.name_of(class);
                let module = match modules.iter().find(|(m, _)| *m == home) {
                    Some((_, m)) => Some(m.clone()),
                    None => py.import(&*home).ok().inspect(|m| {
                        modules.push((home.clone(), m.clone()));
                    }),
                };
                match module {
                    Some(m) => Some(
                        m.getattr(name)
                            .and_then(|t| t.cast_into::<PyType>().map_err(PyErr::from))
                            .map_err(|cause| {
                                let what = format!(
                                    "{home} ({} {}.{}) has no class {name}",
                                    client.label(),
                                    release.major(),
                                    release.minor(),
                                );
                                missing_client(py, client, cause, &what)
                            })?,
                    ),
                    // A module whose import needs an optional dependency.
                    None => None,
                }
            } else {
                None
            };
            let found = match own {
                Some(t) => {
                    by_type.push((t.as_ptr() as usize, types.len()));
                    t.unbind()
                }
                // The nearest ancestor the running release has: every
                // base comes before its subclasses in `Class::all`.
                None => class
                    .mro()
                    .iter()
                    .skip(1)
                    .find_map(|c| c.index().and_then(|i| types.get(i)))
                    .map(|t| t.clone_ref(py))
                    .ok_or_else(|| {
                        PyImportError::new_err(format!("no Python class for {}", class.name()))
                    })?,
            };
            types.push(found);
        }
        let exception_type = exceptions.getattr("ExceptionType").ok().map(Bound::unbind);
        let mut members = Vec::new();
        if let Some(enum_type) = &exception_type {
            for t in [
                ExceptionType::Network,
                ExceptionType::Tls,
                ExceptionType::Auth,
                ExceptionType::Server,
            ] {
                if let Ok(m) = enum_type.bind(py).call1((t.value(),)) {
                    members.push((t, m.unbind()));
                }
            }
        }
        by_type.sort_unstable();
        by_type.dedup_by_key(|(address, _)| *address);
        let mut table = Table {
            release,
            types,
            exception_type,
            members,
            fast: Vec::new(),
            by_type,
        };
        table.fast = Class::all()
            .enumerate()
            .map(|(i, class)| {
                let own = table.by_type.iter().any(|&(_, j)| j == i);
                let ty = table.types[i].bind(py);
                own.then(|| prove_fast(py, &table, client, class, ty))
                    .flatten()
            })
            .collect();
        Ok(table)
    }
}

/// The `ImportError` for a missing or unexpected redis-py (or valkey-py),
/// chained to `cause`.
fn missing_client(py: Python<'_>, client: Client, cause: PyErr, what: &str) -> PyErr {
    let (oldest, latest, hint) = match client {
        Client::RedisPy => (
            (RedisPy::OLDEST.major(), RedisPy::OLDEST.minor()),
            (RedisPy::LATEST.major(), RedisPy::LATEST.minor()),
            INSTALL_HINT,
        ),
        Client::ValkeyPy => {
            let all = ValkeyPy::ALL;
            let (first, last) = (all[0], all[all.len() - 1]);
            (
                (first.major(), first.minor()),
                (last.major(), last.minor()),
                VALKEY_INSTALL_HINT,
            )
        }
    };
    let label = client.label();
    let range = if oldest == latest {
        format!("{}.{}", oldest.0, oldest.1)
    } else {
        format!("{}.{} to {}.{}", oldest.0, oldest.1, latest.0, latest.1)
    };
    let err = PyImportError::new_err(format!(
        "redis-exceptions needs {label}'s classes to build Python exceptions, and {what}: \
         install {label} {range} ({hint})"
    ));
    err.set_cause(py, Some(cause));
    err
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Class {
    /// The Python class for this class in the running interpreter:
    /// `redis.exceptions.<name>` for redis-py's classes, Python's own
    /// `BaseException`, `Exception` and `ValueError`, and for a class
    /// declared with [`crate::exception!`] a subclass of its bases' Python
    /// classes with the same name, made once and cached.
    ///
    /// An `ImportError` when redis-py cannot be imported.
    #[cfg_attr(docsrs, doc(cfg(feature = "pyo3")))]
    pub fn py_type<'py>(&'static self, py: Python<'py>) -> PyResult<Bound<'py, PyType>> {
        self.py_type_as(py, Client::RedisPy)
    }

    /// [`Class::py_type`] for `client`: with [`Client::ValkeyPy`], the
    /// class of valkey-py (`valkey.exceptions.ValkeyError` for
    /// `RedisError`, ...; a class valkey-py lacks is its nearest ancestor
    /// valkey-py has), and for a class declared with [`crate::exception!`]
    /// a subclass of its bases' valkey-py classes.
    ///
    /// An `ImportError` when the client cannot be imported, or its release
    /// is not one this crate covers.
    #[cfg_attr(docsrs, doc(cfg(feature = "pyo3")))]
    pub fn py_type_as<'py>(
        &'static self,
        py: Python<'py>,
        client: Client,
    ) -> PyResult<Bound<'py, PyType>> {
        match self.index() {
            Some(i) if self.module() == "builtins" => match TABLES[client.index()].get(py) {
                Some(t) => Ok(t.types[i].bind(py).clone()),
                // Python's own classes need no redis-py.
                None => Ok(py
                    .import("builtins")?
                    .getattr(self.name())?
                    .cast_into::<PyType>()?),
            },
            Some(i) => Ok(table(py, client)?.types[i].bind(py).clone()),
            None => user_type(py, self, client),
        }
    }
}

/// The Python class of a user class for `client`, made from its bases on
/// first use.
fn user_type<'py>(
    py: Python<'py>,
    class: &'static Class,
    client: Client,
) -> PyResult<Bound<'py, PyType>> {
    let cached = |py: Python<'py>| {
        lock(&USER_TYPES)
            .iter()
            .find(|(c, k, _)| std::ptr::eq(*c, class) && *k == client)
            .map(|(_, _, t)| t.bind(py).clone())
    };
    if let Some(t) = cached(py) {
        return Ok(t);
    }
    let bases = class
        .bases()
        .iter()
        .map(|b| b.py_type_as(py, client))
        .collect::<PyResult<Vec<_>>>()?;
    let namespace = PyDict::new(py);
    namespace.set_item("__module__", class.module())?;
    namespace.set_item("__qualname__", class.name())?;
    if !class.doc().is_empty() {
        namespace.set_item("__doc__", class.doc())?;
    }
    // `type(name, bases, namespace)`: Python checks the MRO here and
    // raises its TypeError for bases that cannot be linearized.
    let made = py
        .get_type::<PyType>()
        .call1((class.name(), PyTuple::new(py, bases)?, namespace))?
        .cast_into::<PyType>()?;
    let mut list = lock(&USER_TYPES);
    if let Some((_, _, t)) = list
        .iter()
        .find(|(c, k, _)| std::ptr::eq(*c, class) && *k == client)
    {
        return Ok(t.bind(py).clone());
    }
    list.push((class, client, made.clone().unbind()));
    Ok(made)
}

// --------------------------------------------------------------------------
// Rust -> Python
// --------------------------------------------------------------------------

fn value_to_py<'py>(py: Python<'py>, v: &PyValue) -> PyResult<Bound<'py, PyAny>> {
    Ok(match v {
        PyValue::None => py.None().into_bound(py),
        PyValue::Str(s) => PyString::new(py, s).into_any(),
        PyValue::Bytes(b) => PyBytes::new(py, b).into_any(),
        PyValue::Int(i) => i.into_pyobject(py)?.into_any(),
    })
}

fn lock_name(state: &State) -> Option<&PyValue> {
    state
        .rare
        .as_ref()
        .and_then(|r| r.lock_name.as_ref())
        .filter(|v| !v.is_none())
}

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
        if from_python(state) && is_copy_of(py, state, original, client) {
            return Ok(original.value(py).clone());
        }
    }
    let class = state.class;
    let ty = class.py_type_as(py, client)?;
    let (init, _) = class.init();
    // The client's own class, unpatched: built without the call, as the
    // call would leave it ([`Fast`]).
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
    if state.error_type != class.default_error_type() {
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
fn from_python(state: &State) -> bool {
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
    for attr in init.attributes {
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
    /// `Err` is what the conversion raised, e.g. the `ImportError` (with
    /// the import failure as its `__cause__`) when redis-py is not
    /// installed.
    #[cfg_attr(docsrs, doc(cfg(feature = "pyo3")))]
    pub fn to_py<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBaseException>> {
        to_instance(py, self.as_dyn(), 0, Client::RedisPy)
    }

    /// [`Error::to_py`] for `client`: with [`Client::RedisPy`] the same,
    /// with [`Client::ValkeyPy`] an instance of valkey-py's class (module
    /// [`Class::valkey_module`], name [`Class::valkey_name`]:
    /// `valkey.exceptions.ValkeyError` for a `RedisError`), built the way
    /// valkey-py builds it. The running valkey-py (`valkey.__version__`)
    /// must be one this crate covers ([`ValkeyPy`]); its classes are
    /// those of the redis-py release it classifies as
    /// ([`ValkeyPy::redis_py`]): a class it lacks is its nearest ancestor
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
    /// ```ignore
    /// use redis_exceptions::{parse_error, Client};
    ///
    /// let e = parse_error("NOSCRIPT No matching script.").to_py_as(py, Client::ValkeyPy)?;
    /// assert_eq!(e.get_type().name()?.to_str()?, "NoScriptError");  // valkey.exceptions
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
    /// by [`Class::valkey_module`] and [`Class::valkey_name`], so
    /// `valkey.exceptions.ValkeyError` is a `RedisError`), with `args`,
    /// `status_code`, `error_type` and `lock_name`, and the redirect of an
    /// `AskError`/`MovedError`. The original exception is kept as
    /// `source()` (a [`PyErr`](https://docs.rs/pyo3/0.30/pyo3/struct.PyErr.html)).
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

// --------------------------------------------------------------------------
// Python -> Rust
// --------------------------------------------------------------------------

/// A Python value as an argument value: `None`, `str`, `bytes` and `int`
/// (within `i64`) as themselves, anything else as its `str()`.
fn value_from_py(obj: &Bound<'_, PyAny>) -> PyValue {
    if obj.is_none() {
        PyValue::None
    } else if let Ok(s) = obj.cast_exact::<PyString>() {
        PyValue::Str(str_from_py(s))
    } else if let Ok(b) = obj.cast_exact::<PyBytes>() {
        PyValue::Bytes(b.as_bytes().to_vec())
    } else if let Some(i) = obj
        .cast_exact::<PyInt>()
        .ok()
        .and_then(|i| i.extract::<i64>().ok())
    {
        PyValue::Int(i)
    } else {
        PyValue::Str(obj.str().map(|s| str_from_py(&s)).unwrap_or_default())
    }
}

/// A Python `str` as Rust text: exact when it is valid Unicode, else one
/// U+FFFD for each lone surrogate (a Rust `String` cannot hold them).
fn str_from_py(s: &Bound<'_, PyString>) -> String {
    if let Ok(text) = s.to_str() {
        return text.to_owned();
    }
    // Code point by code point: UTF-32 with the surrogates passed through.
    let units = s
        .call_method1("encode", ("utf-32-le", "surrogatepass"))
        .ok()
        .and_then(|b| b.cast_into::<PyBytes>().ok());
    match units {
        Some(b) => b
            .as_bytes()
            .chunks_exact(4)
            .map(|u| {
                let u = u32::from_le_bytes([u[0], u[1], u[2], u[3]]);
                char::from_u32(u).unwrap_or(char::REPLACEMENT_CHARACTER)
            })
            .collect(),
        None => s.to_string_lossy().into_owned(),
    }
}

/// The class of this crate a Python class stands for, and the client it is
/// of, by identity with the classes this module hands out, else by
/// `__module__` and `__name__` (valkey-py's by their valkey names).
fn known_class(py: Python<'_>, ty: &Bound<'_, PyType>) -> Option<(&'static Class, Client)> {
    for client in Client::ALL {
        if let Some(t) = TABLES[client.index()].get(py) {
            if let Some(i) = t.types.iter().position(|k| k.is(ty)) {
                return Class::all().nth(i).map(|c| (c, client));
            }
        }
    }
    if let Some((c, client, _)) = lock(&USER_TYPES).iter().find(|(_, _, k)| k.is(ty)) {
        return Some((c, *client));
    }
    let module = ty.module().ok()?;
    let module = module.to_str().ok()?;
    if module == "builtins" {
        return None;
    }
    let name = ty.name().ok()?;
    let name = name.to_str().ok()?;
    if module == "valkey" || module.starts_with("valkey.") {
        return Class::find_known(|c| {
            (c.is_builtin() && c.valkey_name() == name && c.valkey_module() == module)
                .then_some((c, Client::ValkeyPy))
        });
    }
    Class::find_known(|c| {
        (c.module() == module && c.name() == name).then_some((c, Client::RedisPy))
    })
}

/// The state of the Rust instance for a Python exception, and the client
/// whose class it was read as, or `None` when no class along its MRO is
/// one of redis-py's or valkey-py's (or a registered user class).
fn snapshot(py: Python<'_>, value: &Bound<'_, PyBaseException>) -> Option<(State, Client)> {
    let mro = value.get_type().mro();
    let (class, client) = mro.iter().find_map(|t| {
        let t = t.cast_into::<PyType>().ok()?;
        known_class(py, &t).filter(|(c, _)| c.module() != "builtins")
    })?;
    let args = value
        .getattr("args")
        .ok()?
        .cast_into::<PyTuple>()
        .ok()?
        .iter()
        .map(|a| value_from_py(&a))
        .collect::<Vec<_>>();
    let attr = |name: &str| value.getattr_opt(name).ok().flatten();
    let (init, _) = class.init();
    let status_code = if init.has_status_code() {
        attr("status_code")
            .map(|v| value_from_py(&v))
            .and_then(|v| match v {
                PyValue::None => None,
                PyValue::Str(s) => Some(Cow::Owned(s)),
                other => Some(Cow::Owned(other.to_string())),
            })
    } else {
        None
    };
    // `error_type.value`, as redis-py's `__repr__` reads it: a plain `str`
    // or a missing attribute has none (difference 13).
    let error_type = attr("error_type").and_then(|t| {
        let value = t.getattr_opt("value").ok().flatten()?;
        ExceptionType::from_value(value.cast::<PyString>().ok()?.to_str().ok()?)
    });
    // `lenient` gives a `LockError` the `(message,)` its `__init__` makes;
    // from Python, the `args` it has are kept, whatever their number
    // (difference 8; `to_py` of a changed copy, difference 9).
    let kept = init.has_lock_name().then(|| args.clone());
    let mut state = State::lenient(class, Args::from_vec(args), status_code);
    if let Some(args) = kept {
        state.args = Args::from_vec(args);
    }
    state.error_type = error_type;
    if init.has_lock_name() {
        if let Some(name) = attr("lock_name").map(|v| value_from_py(&v)) {
            if !name.is_none() {
                state.rare_mut().lock_name = Some(name);
            }
        }
    }
    Some((state, client))
}

/// Whether `state` is what [`Error::from_py`] makes of `original`, and
/// `original` is of `client`'s classes.
fn is_copy_of(py: Python<'_>, state: &State, original: &PyErr, client: Client) -> bool {
    let Some((copy, of)) = snapshot(py, original.value(py)) else {
        return false;
    };
    of == client
        && std::ptr::eq(copy.class, state.class)
        && copy.args.as_slice() == state.args.as_slice()
        && copy.status_code() == state.status_code()
        && copy.error_type == state.error_type
        && lock_name(&copy) == lock_name(state)
}

// --------------------------------------------------------------------------
// Rust -> Python without the `__init__` call
// --------------------------------------------------------------------------

/// How to build an instance of one of the client's own classes without
/// calling it: `__new__(cls, *args)` (the `BaseException.__new__` the class
/// resolves), then the attributes its `__init__` sets on the running
/// release, in order ([`Init::attributes_in`]).
///
/// Made only for a class whose resolved `__init__` is the client's own
/// (a function of the client's package, defined by a class of the MRO
/// under its own name, in its module's file, or Python's own), whose
/// `__new__` is Python's, and for which one real call, made when the
/// table was read, left the same `args` and the same `vars()` (keys in
/// the same order) as the build. Used only while the class still resolves
/// those very `__init__` and `__new__` objects: a class patched since then
/// is called.
struct Fast {
    /// The `__init__` chain as it was when the table was read: the class
    /// and what it resolves as `__init__`, then for each `__init__` of the
    /// client's that chains up (`super().__init__`), the class after its
    /// owner in the MRO and what that resolves, up to Python's own.
    chain: Vec<(Py<PyAny>, Py<PyAny>)>,
    /// The `__new__` it resolved: Python's own, called as `__new__(cls, *args)`.
    new: Py<PyAny>,
    /// The attributes the `__init__` sets, in order, and their names.
    attrs: Vec<(Attr, Py<PyString>)>,
    /// The `error_type` it sets, when it sets one.
    error_type: Option<Py<PyAny>>,
}

/// The values a fast build sets besides `args`.
struct FastValues<'a, 'py> {
    /// `status_code`: the code, or `None`.
    status: Bound<'py, PyAny>,
    /// `(slot_id, host, port)` of a redirect payload, as `int()` read them.
    redirect: Option<(i64, &'a str, i64)>,
}

impl Table {
    /// The cached `ExceptionType` member.
    fn member(&self, t: ExceptionType) -> Option<&Py<PyAny>> {
        self.members.iter().find(|(k, _)| *k == t).map(|(_, m)| m)
    }

    /// The class index of a Python class the running release has, by identity.
    fn index_of(&self, ty: &Bound<'_, PyAny>) -> Option<usize> {
        let address = ty.as_ptr() as usize;
        self.by_type
            .binary_search_by_key(&address, |&(a, _)| a)
            .ok()
            .map(|k| self.by_type[k].1)
    }

    /// The [`Fast`] build of class `i`, while `ty` (its Python class)
    /// still resolves the `__init__` and `__new__` it was proven with.
    fn fast_for(&self, py: Python<'_>, i: usize, ty: &Bound<'_, PyAny>) -> Option<&Fast> {
        let fast = self.fast.get(i)?.as_ref()?;
        let new = ty.getattr(pyo3::intern!(py, "__new__")).ok()?;
        if !new.is(&fast.new) {
            return None;
        }
        let (first, _) = fast.chain.first()?;
        if !first.is(ty) {
            return None;
        }
        for (class, init) in &fast.chain {
            let now = class.bind(py).getattr(pyo3::intern!(py, "__init__")).ok()?;
            if !now.is(init) {
                return None;
            }
        }
        Some(fast)
    }
}

/// Builds the instance as [`Fast`] describes, with `args` as given.
fn build_fast<'py>(
    py: Python<'py>,
    fast: &Fast,
    ty: &Bound<'py, PyAny>,
    args: &[Bound<'py, PyAny>],
    values: &FastValues<'_, 'py>,
) -> PyResult<Bound<'py, PyAny>> {
    let mut new_args = Vec::with_capacity(args.len() + 1);
    new_args.push(ty.clone());
    new_args.extend(args.iter().cloned());
    let obj = fast.new.bind(py).call1(PyTuple::new(py, new_args)?)?;
    let mut redirect: Option<(Bound<'py, PyAny>, Bound<'py, PyAny>)> = None;
    for (attr, name) in &fast.attrs {
        let value = match attr {
            Attr::ErrorType => match &fast.error_type {
                Some(t) => t.bind(py).clone(),
                None => py.None().into_bound(py),
            },
            Attr::StatusCode => values.status.clone(),
            Attr::Message => match args.first() {
                Some(m) => m.clone(),
                None => py.None().into_bound(py),
            },
            Attr::SlotId | Attr::NodeAddr | Attr::Host | Attr::Port => {
                let Some((slot, host, port)) = values.redirect else {
                    return Err(PyRuntimeError::new_err(
                        "redis-exceptions: a redirect built without its payload",
                    ));
                };
                let (host_obj, port_obj) = redirect
                    .get_or_insert_with(|| {
                        (
                            PyString::new(py, host).into_any(),
                            port.into_pyobject(py)
                                .map(Bound::into_any)
                                .unwrap_or_else(|_| py.None().into_bound(py)),
                        )
                    })
                    .clone();
                match attr {
                    Attr::SlotId => slot.into_pyobject(py)?.into_any(),
                    Attr::NodeAddr => PyTuple::new(py, [host_obj, port_obj])?.into_any(),
                    Attr::Host => host_obj,
                    _ => port_obj,
                }
            }
            Attr::LockName | Attr::Param(_) => {
                return Err(PyRuntimeError::new_err(
                    "redis-exceptions: no fast build for this __init__",
                ))
            }
        };
        obj.setattr(name.bind(py), value)?;
    }
    Ok(obj)
}

/// Whether `func` is a function of the client's package that `owner`
/// defines as its `__init__`, in the file of its module.
fn own_function(
    py: Python<'_>,
    client: Client,
    owner: &Bound<'_, PyAny>,
    func: &Bound<'_, PyAny>,
) -> Option<bool> {
    let module: String = owner.getattr("__module__").ok()?.extract().ok()?;
    let package = client.package();
    if module != package && !module.starts_with(&format!("{package}.")) {
        return Some(false);
    }
    let func_module: String = func.getattr("__module__").ok()?.extract().ok()?;
    let qualname: String = func.getattr("__qualname__").ok()?.extract().ok()?;
    let owner_qualname: String = owner.getattr("__qualname__").ok()?.extract().ok()?;
    let filename: String = func
        .getattr("__code__")
        .ok()?
        .getattr("co_filename")
        .ok()?
        .extract()
        .ok()?;
    let file: String = py
        .import("sys")
        .ok()?
        .getattr("modules")
        .ok()?
        .get_item(&module)
        .ok()?
        .getattr("__file__")
        .ok()?
        .extract()
        .ok()?;
    Some(
        func_module == module
            && qualname == format!("{owner_qualname}.__init__")
            && filename == file,
    )
}

/// The [`Fast`] build of `class`, whose Python class `ty` is the running
/// release's own, when it can be proven to give what calling `ty` gives.
fn prove_fast(
    py: Python<'_>,
    table: &Table,
    client: Client,
    class: &'static Class,
    ty: &Bound<'_, PyType>,
) -> Option<Fast> {
    let (init, _) = class.init();
    let attrs: Vec<Attr> = init.attributes_in(table.release).collect();
    if attrs
        .iter()
        .any(|a| matches!(a, Attr::LockName | Attr::Param(_)))
    {
        return None;
    }
    let new_obj = ty.getattr("__new__").ok()?;
    let mro: Vec<Bound<'_, PyAny>> = ty.mro().iter().collect();
    let defines = |base: &Bound<'_, PyAny>, name: &str, f: &Bound<'_, PyAny>| -> Option<bool> {
        Some(
            base.getattr("__dict__")
                .ok()?
                .get_item(name)
                .is_ok_and(|g| g.is(f)),
        )
    };
    let is_builtin = |base: &Bound<'_, PyAny>| -> Option<bool> {
        Some(base.getattr("__module__").ok()?.extract::<String>().ok()? == "builtins")
    };
    // `__new__`: Python's own, found first in a builtin class of the MRO.
    let new_owner = mro
        .iter()
        .position(|b| defines(b, "__new__", &new_obj) == Some(true))?;
    if !is_builtin(&mro[new_owner])? {
        return None;
    }
    // `__init__`: from the class on, each resolved `__init__` is Python's
    // own (the end of the chain) or the client's, which chains up to the
    // class after its owner.
    let mut chain: Vec<(Py<PyAny>, Py<PyAny>)> = Vec::new();
    let mut at = 0;
    loop {
        let from = mro.get(at)?;
        let init = from.getattr("__init__").ok()?;
        let owner = at
            + mro[at..]
                .iter()
                .position(|b| defines(b, "__init__", &init) == Some(true))?;
        // Python's own classes cannot be patched: no check needed there.
        if !is_builtin(from)? {
            chain.push((from.clone().unbind(), init.clone().unbind()));
        }
        if is_builtin(&mro[owner])? {
            break;
        }
        if !own_function(py, client, &mro[owner], &init)? {
            return None;
        }
        at = owner + 1;
    }
    let error_type = match class.default_error_type() {
        Some(t) if attrs.contains(&Attr::ErrorType) => Some(match table.member(t) {
            Some(m) => m.clone_ref(py),
            None => PyString::new(py, t.value()).into_any().unbind(),
        }),
        _ => None,
    };
    let fast = Fast {
        chain,
        new: new_obj.unbind(),
        attrs: attrs
            .iter()
            .map(|a| (*a, PyString::intern(py, a.name()).unbind()))
            .collect(),
        error_type,
    };
    // One real call against the build: same type, `args` and `vars()`,
    // keys in the same order.
    let redirect = init.parses_redirect();
    let probe = if redirect {
        "3999 127.0.0.1:6381"
    } else {
        "probe"
    };
    let message = PyString::new(py, probe).into_any();
    let kwargs = PyDict::new(py);
    let takes_status =
        init.keyword_of(Attr::StatusCode).is_some() && table.release >= STATUS_CODE_SINCE;
    let status = if takes_status {
        kwargs.set_item("status_code", "PROBE").ok()?;
        PyString::new(py, "PROBE").into_any()
    } else {
        py.None().into_bound(py)
    };
    let real = ty.call((message.clone(),), Some(&kwargs)).ok()?;
    let values = FastValues {
        status,
        redirect: redirect.then_some((3999, "127.0.0.1", 6381)),
    };
    let built = build_fast(
        py,
        &fast,
        ty.as_any(),
        std::slice::from_ref(&message),
        &values,
    )
    .ok()?;
    let same = real.get_type().is(ty)
        && built.get_type().is(ty)
        && real
            .getattr("args")
            .ok()?
            .eq(built.getattr("args").ok()?)
            .ok()?
        && {
            let (a, b) = (
                real.getattr("__dict__").ok()?,
                built.getattr("__dict__").ok()?,
            );
            let keys = |d: &Bound<'_, PyAny>| -> Option<Vec<String>> {
                d.try_iter()
                    .ok()?
                    .map(|k| k.ok()?.extract::<String>().ok())
                    .collect()
            };
            keys(&a)? == keys(&b)? && a.eq(&b).ok()?
        };
    same.then_some(fast)
}

/// [`to_instance`]'s build of `state` without the `__init__` call, when
/// its class has a [`Fast`] build still in force and the call would take
/// the arguments (`None`: call the class).
fn try_fast<'py>(
    py: Python<'py>,
    client: Client,
    state: &State,
    ty: &Bound<'py, PyType>,
) -> PyResult<Option<Bound<'py, PyAny>>> {
    let Some(i) = state.class.index() else {
        return Ok(None);
    };
    let Some(t) = TABLES[client.index()].get(py) else {
        return Ok(None);
    };
    if !t.types[i].bind(py).is(ty) {
        return Ok(None);
    }
    let Some(fast) = t.fast_for(py, i, ty.as_any()) else {
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
    let status = match state.status_code() {
        Some(code) if init.keyword_of(Attr::StatusCode).is_some() => {
            PyString::new(py, code).into_any()
        }
        _ => py.None().into_bound(py),
    };
    let args = args
        .iter()
        .map(|v| value_to_py(py, v))
        .collect::<PyResult<Vec<_>>>()?;
    let values = FastValues { status, redirect };
    build_fast(py, fast, ty.as_any(), &args, &values).map(Some)
}

// --------------------------------------------------------------------------
// The installed `parse_error` (the redis-exceptions-rs package)
// --------------------------------------------------------------------------

/// Which `BaseParser.parse_error` a client release has; the package tells
/// them apart by their source.
#[doc(hidden)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum __ParseErrorVariant {
    /// redis-py 5.0 to 7.1, valkey-py 6.2: `cls(rest)`, `ResponseError(response)`.
    Plain,
    /// redis-py 7.2 to 8.1: `cls(rest, status_code=code)`, `ResponseError(response)`.
    Status,
    /// redis-py 8.2: as `Status`, and an unknown code matching
    /// `[A-Z][A-Z0-9_]{0,63}` is `ResponseError(response, status_code=code)`.
    StatusWord,
}

impl __ParseErrorVariant {
    /// The variant of `release`'s own `parse_error`.
    fn of(release: RedisPy) -> Self {
        if release < STATUS_CODE_SINCE {
            Self::Plain
        } else if release < RedisPy::V8_2 {
            Self::Status
        } else {
            Self::StatusWord
        }
    }
}

/// How far into a reply the first word is looked for in a copy of its
/// start (the whole reply is never encoded); a longer first word is found
/// by `str.find`.
const CODE_PREFIX: usize = 66;

/// From this length (in code points) a rest is looked up in a sub-table
/// by its length first ([`__installed_parse_error`]): hashing it costs
/// more than comparing a few lengths.
const LONG_REST: usize = 128;

/// redis-py 8.2's `_ERROR_CODE_PATTERN.fullmatch(code)`: `[A-Z][A-Z0-9_]{0,63}`.
fn is_status_word(code: &str) -> bool {
    let b = code.as_bytes();
    (1..=64).contains(&b.len())
        && b[0].is_ascii_uppercase()
        && b[1..]
            .iter()
            .all(|&c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == b'_')
}

/// The client's `BaseParser.parse_error(cls, response)` of `variant`,
/// answered in Rust with the table `cls.EXCEPTION_CLASSES` (`table`) and
/// the parser module's globals (`globals`, for its `ResponseError`):
/// `Some((instance, class index in Class::all()))`, or `None` when the
/// answer is not provably the one the original gives (a table or sub-table
/// that is not exactly a `dict`, a class that is not the running release's
/// own or is patched, a redirect payload its `__init__` would refuse, a
/// release whose `parse_error` is not `variant`, ...): then call the
/// original.
///
/// The instance is built as the original's call would leave it: the same
/// class, `args`, and `vars()` in the same order.
#[doc(hidden)]
pub fn __installed_parse_error<'py>(
    py: Python<'py>,
    client: Client,
    variant: __ParseErrorVariant,
    table: &Bound<'py, PyAny>,
    response: &Bound<'py, PyAny>,
    globals: &Bound<'py, PyAny>,
) -> PyResult<Option<(Bound<'py, PyAny>, usize)>> {
    let (Ok(table), Ok(response), Ok(globals)) = (
        table.cast_exact::<PyDict>(),
        response.cast_exact::<PyString>(),
        globals.cast_exact::<PyDict>(),
    ) else {
        return Ok(None);
    };
    let Some(t) = TABLES[client.index()].get(py) else {
        return Ok(None);
    };
    if __ParseErrorVariant::of(t.release) != variant {
        return Ok(None);
    }
    let response_error = &t.types[response_error_index()];
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
            .get_item(pyo3::types::PySlice::new(py, 0, CODE_PREFIX as isize, 1))?
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
                    .get_item(pyo3::types::PySlice::new(py, 0, at, 1))?
                    .cast_into::<PyString>()?;
                (code, at as usize)
            }
        }
    };
    let status_of = |code: &Bound<'py, PyString>| -> Bound<'py, PyAny> {
        match variant {
            __ParseErrorVariant::Plain => py.None().into_bound(py),
            _ => code.clone().into_any(),
        }
    };
    let Some(entry) = table.get_item(&code)? else {
        // `ResponseError(response)`; 8.2: `status_code=code` for a status word.
        let status = match variant {
            __ParseErrorVariant::StatusWord if code.to_str().is_ok_and(is_status_word) => {
                code.into_any()
            }
            _ => py.None().into_bound(py),
        };
        if !default_is_own()? {
            return Ok(None);
        }
        let i = response_error_index();
        let ty = response_error.bind(py).as_any();
        let values = FastValues {
            status,
            redirect: None,
        };
        let obj = answer(py, t, variant, i, ty, response.as_any(), &values)?;
        return Ok(obj.map(|o| (o, i)));
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
        response.get_item(pyo3::types::PySlice::new(py, start, stop, 1))?
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
    let Some(i) = t.index_of(&cls) else {
        return Ok(None);
    };
    let (init, _) = Class::all()
        .nth(i)
        .map(Class::init)
        .ok_or_else(|| PyRuntimeError::new_err("redis-exceptions: no such class"))?;
    let rest_text;
    let redirect = if init.parses_redirect() {
        // As `AskError.__init__` reads it; anything it would refuse, or
        // read as integers beyond `i64`, is the original's.
        rest_text = rest.cast::<PyString>()?.to_str().ok();
        let Some(payload) = rest_text else {
            return Ok(None);
        };
        let Ok(spans) = crate::instance::redirect::parse_strict(payload) else {
            return Ok(None);
        };
        let r = spans.view(payload);
        match (r.slot_value(), r.port_value()) {
            (PyValue::Int(slot), PyValue::Int(port)) => Some((slot, r.host(), port)),
            _ => return Ok(None),
        }
    } else {
        None
    };
    let values = FastValues {
        status: status_of(&code),
        redirect,
    };
    let obj = answer(py, t, variant, i, &cls, &rest, &values)?;
    Ok(obj.map(|o| (o, i)))
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
    t: &Table,
    variant: __ParseErrorVariant,
    i: usize,
    ty: &Bound<'py, PyAny>,
    arg: &Bound<'py, PyAny>,
    values: &FastValues<'_, 'py>,
) -> PyResult<Option<Bound<'py, PyAny>>> {
    let Some(fast) = t.fast.get(i).and_then(Option::as_ref) else {
        return Ok(None);
    };
    // From 7.2 the original passes `status_code=`: a class that does not
    // take it raises there (`TypeError`), the original's to raise.
    let takes_status = Class::all()
        .nth(i)
        .is_some_and(|c| c.init().0.keyword_of(Attr::StatusCode).is_some());
    if variant != __ParseErrorVariant::Plain && !takes_status {
        return Ok(None);
    }
    if fast.attrs.is_empty() && variant == __ParseErrorVariant::Plain {
        return ty.call1((arg,)).map(Some);
    }
    let Some(fast) = t.fast_for(py, i, ty) else {
        return Ok(None);
    };
    build_fast(py, fast, ty, std::slice::from_ref(arg), values).map(Some)
}

/// The index of `ResponseError` in [`Class::all`].
fn response_error_index() -> usize {
    use crate::error::traits::ExceptionClass;
    crate::ResponseError::CLASS.index().unwrap_or(usize::MAX)
}
