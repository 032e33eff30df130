//! What one of the client's functions (`parse_error`, an `__init__`) reads
//! at call time, as it was when the installed parser was made or the fast
//! build proven: its code, the objects its global and builtin names resolve
//! to, its closure cells' contents (`super()`'s `__class__`), its
//! `__defaults__` and `__kwdefaults__` (issue 23, "close the class").
//!
//! Two checks. [`Reads::hold`], on every call, is cheap: the code, each
//! name its module's globals held (by identity), and the size of those
//! globals (a builtin shadowed there adds a key; then every name is
//! resolved again). [`Reads::hold_fully`] adds what costs more than it is
//! worth per call (about 200 ns, most of the speed-up on a short reply): a
//! name rebound in the `builtins` module itself and the closure cells; it
//! runs at each `install()`, and a function that fails it is never built
//! for again (its class is called: the client's own code).
//!
//! The names come from the function's bytecode
//! (`redis_exceptions_rs._install._global_names`, the same derivation the
//! package's tests check against every supported release).

use std::sync::atomic::{AtomicUsize, Ordering};

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString, PyTuple};

/// A function's call-time reads, as proven.
pub(crate) struct Reads {
    /// The function.
    func: Py<PyAny>,
    /// Its `__code__`: an in-place swap keeps the function object.
    code: Py<PyAny>,
    /// Its `__globals__` and `__builtins__`, where its names resolve.
    globals: Py<PyDict>,
    builtins: Py<PyDict>,
    /// Each name it loads, and what it resolved to (`None`: to nothing).
    names: Vec<(Py<PyString>, Option<Py<PyAny>>)>,
    /// The names its globals held, and their values.
    module_names: Vec<(Py<PyString>, Py<PyAny>)>,
    /// The size of its globals when every name last resolved as proven.
    globals_len: AtomicUsize,
    /// Its closure cells (`__closure__` cannot be rebound) and their
    /// contents, in order.
    cells: Vec<(Py<PyAny>, Py<PyAny>)>,
    /// Its `__defaults__` (a tuple or `None`: compared by identity).
    defaults: Py<PyAny>,
    /// Whether `__defaults__` can fill a parameter: it has a positional
    /// one besides `self` (with only `self` and `*args`, none ever).
    positional: bool,
    /// Its `__kwdefaults__` (a dict: its items, compared by identity).
    kwdefaults: Option<Items>,
}

/// A dict's items.
type Items = Vec<(Py<PyAny>, Py<PyAny>)>;

/// `d.get(name)` through `PyDict`, `None` when absent.
fn resolve<'py>(
    globals: &Bound<'py, PyDict>,
    builtins: &Bound<'py, PyDict>,
    name: &Bound<'py, PyString>,
) -> PyResult<Option<Bound<'py, PyAny>>> {
    match globals.get_item(name)? {
        Some(v) => Ok(Some(v)),
        None => builtins.get_item(name),
    }
}

/// The items of a `__kwdefaults__` value (`None` for `None`).
fn kw_items(value: &Bound<'_, PyAny>) -> PyResult<Option<Items>> {
    if value.is_none() {
        return Ok(None);
    }
    let d = value.cast::<PyDict>()?;
    Ok(Some(
        d.iter().map(|(k, v)| (k.unbind(), v.unbind())).collect(),
    ))
}

/// `func.__closure__`'s cells and their contents, in order (an empty cell
/// raises `ValueError`).
fn cells(func: &Bound<'_, PyAny>) -> PyResult<Vec<(Py<PyAny>, Py<PyAny>)>> {
    let py = func.py();
    let closure = func.getattr(pyo3::intern!(py, "__closure__"))?;
    if closure.is_none() {
        return Ok(Vec::new());
    }
    closure
        .cast::<PyTuple>()?
        .iter()
        .map(|cell| {
            let now = cell.getattr(pyo3::intern!(py, "cell_contents"))?;
            Ok((cell.unbind(), now.unbind()))
        })
        .collect()
}

impl Reads {
    /// The reads of `func` now; `None` when it is not a Python function
    /// whose globals and builtins are plain dicts.
    pub(crate) fn of(py: Python<'_>, func: &Bound<'_, PyAny>) -> PyResult<Option<Self>> {
        let (Ok(code), Ok(globals), Ok(builtins)) = (
            func.getattr(pyo3::intern!(py, "__code__")),
            func.getattr(pyo3::intern!(py, "__globals__")),
            func.getattr(pyo3::intern!(py, "__builtins__")),
        ) else {
            return Ok(None);
        };
        let builtins = if builtins.is_exact_instance_of::<PyDict>() {
            builtins
        } else {
            builtins.getattr(pyo3::intern!(py, "__dict__"))?
        };
        let (Ok(globals), Ok(builtins)) = (
            globals.cast_into_exact::<PyDict>(),
            builtins.cast_into_exact::<PyDict>(),
        ) else {
            return Ok(None);
        };
        let listed = py
            .import("redis_exceptions_rs._install")?
            .getattr("_global_names")?
            .call1((func,))?;
        let mut names = Vec::new();
        let mut module_names = Vec::new();
        for name in listed.try_iter()? {
            let name = name?.cast_into::<PyString>()?;
            let name = PyString::intern(py, name.to_str()?);
            if let Some(v) = globals.get_item(&name)? {
                module_names.push((name.clone().unbind(), v.unbind()));
            }
            let now = resolve(&globals, &builtins, &name)?;
            names.push((name.unbind(), now.map(Bound::unbind)));
        }
        let globals_len = AtomicUsize::new(globals.len());
        let cells = cells(func)?;
        let defaults = func.getattr(pyo3::intern!(py, "__defaults__"))?.unbind();
        let positional = code.getattr("co_argcount")?.extract::<usize>()? > 1;
        let kwdefaults = kw_items(&func.getattr(pyo3::intern!(py, "__kwdefaults__"))?)?;
        Ok(Some(Reads {
            func: func.clone().unbind(),
            code: code.unbind(),
            globals: globals.unbind(),
            builtins: builtins.unbind(),
            names,
            module_names,
            globals_len,
            cells,
            defaults,
            positional,
            kwdefaults,
        }))
    }

    /// The check of every call: its code, and each name its globals held
    /// (by identity); where the globals changed size, every name resolved
    /// again as proven.
    pub(crate) fn hold(&self, py: Python<'_>) -> PyResult<bool> {
        let func = self.func.bind(py);
        if !func.getattr(pyo3::intern!(py, "__code__"))?.is(&self.code) {
            return Ok(false);
        }
        let globals = self.globals.bind(py);
        let len = globals.len();
        if len != self.globals_len.load(Ordering::Relaxed) {
            if !self.names_hold(py)? {
                return Ok(false);
            }
            self.globals_len.store(len, Ordering::Relaxed);
        }
        for (name, then) in &self.module_names {
            if !globals.get_item(name.bind(py))?.is_some_and(|n| n.is(then)) {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// Whether every name still resolves (globals, then builtins) to what
    /// it did.
    fn names_hold(&self, py: Python<'_>) -> PyResult<bool> {
        let (globals, builtins) = (self.globals.bind(py), self.builtins.bind(py));
        for (name, then) in &self.names {
            let now = resolve(globals, builtins, name.bind(py))?;
            let same = match (&now, then) {
                (Some(n), Some(t)) => n.is(t),
                (None, None) => true,
                _ => false,
            };
            if !same {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// [`hold`](Self::hold), and every name through the `builtins`
    /// module too, and the closure cells' contents (run at `install()`).
    pub(crate) fn hold_fully(&self, py: Python<'_>) -> PyResult<bool> {
        if !self.hold(py)? || !self.names_hold(py)? {
            return Ok(false);
        }
        for (cell, then) in &self.cells {
            match cell.bind(py).getattr(pyo3::intern!(py, "cell_contents")) {
                Ok(now) if now.is(then) => {}
                Ok(_) => return Ok(false),
                // An emptied cell: the function raises there itself.
                Err(e) if e.is_instance_of::<pyo3::exceptions::PyValueError>(py) => {
                    return Ok(false)
                }
                Err(e) => return Err(e),
            }
        }
        Ok(true)
    }

    /// Whether its `__defaults__` and `__kwdefaults__` are still what they
    /// were (needed only where a call leaves a defaulted parameter out).
    pub(crate) fn defaults_hold(&self, py: Python<'_>) -> PyResult<bool> {
        let func = self.func.bind(py);
        if self.positional
            && !func
                .getattr(pyo3::intern!(py, "__defaults__"))?
                .is(&self.defaults)
        {
            return Ok(false);
        }
        let kw = func.getattr(pyo3::intern!(py, "__kwdefaults__"))?;
        Ok(match (&self.kwdefaults, kw.cast::<PyDict>()) {
            (None, _) => kw.is_none(),
            (Some(then), Ok(now)) => {
                now.len() == then.len()
                    && then.iter().all(|(k, v)| {
                        now.get_item(k.bind(py))
                            .ok()
                            .flatten()
                            .is_some_and(|n| n.is(v))
                    })
            }
            (Some(_), Err(_)) => false,
        })
    }
}
