//! Feature `pyo3`: this crate's errors cross into CPython as instances of
//! redis-py's own classes, and redis-py's exceptions come back as this
//! crate's classes.
//!
//! Rust -> Python makes an instance of the class found in the running
//! interpreter's `redis.exceptions`, as the call redis-py itself makes
//! with the arguments the Rust instance holds would leave it, so the
//! instance is redis-py's in every detail: the class is called. The Python
//! package (`redis_exceptions_rs`) registers a faster build through
//! `package.rs`: where the class is the running release's own and
//! unpatched, it builds the instance without running `__init__`, proven
//! per class to leave what the call leaves.
//! [`Error::to_py_as`](crate::Error::to_py_as) with [`Client::ValkeyPy`] does the same with
//! valkey-py's `valkey.exceptions`. Python -> Rust reads the instance's
//! `args` and attributes (of either client's classes) and keeps the
//! original exception as the cause.

mod from_python;
pub mod package;
mod to_python;

use std::borrow::Cow;
use std::cell::Cell;
use std::sync::Mutex;

use once_cell::sync::Lazy;
use pyo3::exceptions::{
    PyAttributeError, PyImportError, PyRuntimeError, PyTypeError, PyValueError,
};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBytes, PyDict, PyModule, PyString, PyTuple, PyType};

use crate::class::{Class, ExceptionType, RedisPy, ValkeyPy};
use crate::instance::state::State;
use crate::pyrt::value::PyValue;

pub use to_python::{__PyErr, __user_into_pyerr};

/// The Python client whose exception classes a conversion builds:
/// redis-py (`redis.exceptions.MovedError`, ...) or its fork valkey-py
/// (`valkey.exceptions.MovedError`, `valkey.exceptions.ValkeyError` for
/// [`RedisError`](crate::RedisError), ...).
///
/// [`Error::to_py`](crate::Error::to_py) and `From<Error> for PyErr` build redis-py's classes;
/// [`Error::to_py_as`](crate::Error::to_py_as) and [`Class::py_type_as`] take the client.
/// [`Error::from_py`](crate::Error::from_py) reads both.
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
/// let e = parse_error("MOVED 3999 127.0.0.1:6381").to_py_as(py, Client::ValkeyPy)?;
/// assert_eq!(e.get_type().module()?.to_str()?, "valkey.exceptions");
/// # Ok(())
/// # }).unwrap();
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
pub struct Table {
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
    /// `(address of the Python class, class index)` of each class the
    /// running release has, sorted by address: a Python class back to this
    /// crate's class by identity.
    by_type: Vec<(usize, usize)>,
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
                    // A module whose import needs an optional dependency
                    // is absent (`ImportError`); any other error (an
                    // interrupt) propagates, and nothing is kept.
                    None => match py.import(&*home) {
                        Ok(m) => {
                            modules.push((home.clone(), m.clone()));
                            Some(m)
                        }
                        Err(e) if e.is_instance_of::<PyImportError>(py) => None,
                        Err(e) => return Err(e),
                    },
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
        let exception_type = match exceptions.getattr("ExceptionType") {
            Ok(t) => Some(t.unbind()),
            // Releases before 7.2 have no enum.
            Err(e) if e.is_instance_of::<PyAttributeError>(py) => None,
            Err(e) => return Err(e),
        };
        let mut members = Vec::new();
        if let Some(enum_type) = &exception_type {
            for t in [
                ExceptionType::Network,
                ExceptionType::Tls,
                ExceptionType::Auth,
                ExceptionType::Server,
            ] {
                match enum_type.bind(py).call1((t.value(),)) {
                    Ok(m) => members.push((t, m.unbind())),
                    // A member the release lacks.
                    Err(e) if e.is_instance_of::<PyValueError>(py) => {}
                    Err(e) => return Err(e),
                }
            }
        }
        by_type.sort_unstable();
        by_type.dedup_by_key(|(address, _)| *address);
        Ok(Table {
            release,
            types,
            exception_type,
            members,
            by_type,
        })
    }
}

/// The `ImportError` for a missing or unexpected redis-py (or valkey-py),
/// chained to `cause` when `cause` says something is absent (`ImportError`,
/// `AttributeError`, or pyo3's `TypeError` for a name that is not a class);
/// any other error (an interrupt while importing) is `cause` unchanged.
fn missing_client(py: Python<'_>, client: Client, cause: PyErr, what: &str) -> PyErr {
    let absent = cause.is_instance_of::<PyImportError>(py)
        || cause.is_instance_of::<PyAttributeError>(py)
        || cause.is_instance_of::<PyTypeError>(py);
    if !absent {
        return cause;
    }
    let (oldest, latest, hint) = match client {
        Client::RedisPy => (
            (RedisPy::OLDEST.major(), RedisPy::OLDEST.minor()),
            (RedisPy::LATEST.major(), RedisPy::LATEST.minor()),
            // What the `ImportError` tells the user to install: the reference.
            format!("pip install redis=={}", RedisPy::REFERENCE.__pinned()),
        ),
        Client::ValkeyPy => {
            let all = ValkeyPy::ALL;
            let (first, last) = (all[0], all[all.len() - 1]);
            (
                (first.major(), first.minor()),
                (last.major(), last.minor()),
                format!("pip install valkey=={}", last.__pinned()),
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

/// An argument value as the Python object the class would be called with.
pub fn value_to_py<'py>(py: Python<'py>, v: &PyValue) -> PyResult<Bound<'py, PyAny>> {
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
