//! Rust -> Python without the `__init__` call: the client's own, unpatched
//! classes built as their `__init__` would leave them, proven per class
//! when the classes are read.

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString, PyTuple, PyType};

use crate::class::{Attr, Class, Params, STATUS_CODE_SINCE};
use crate::instance::state::State;
use crate::pyrt::value::PyValue;

use super::{value_to_py, Client, Table, TABLES};

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
pub(super) struct Fast {
    /// The `__init__` chain as it was when the table was read: the class
    /// and what it resolves as `__init__`, then for each `__init__` of the
    /// client's that chains up (`super().__init__`), the class after its
    /// owner in the MRO and what that resolves, up to Python's own.
    chain: Vec<(Py<PyAny>, Py<PyAny>)>,
    /// The `__new__` it resolved: Python's own, called as `__new__(cls, *args)`.
    new: Py<PyAny>,
    /// The attributes the `__init__` sets, in order, and their names.
    pub(super) attrs: Vec<(Attr, Py<PyString>)>,
    /// The `error_type` it sets, when it sets one.
    error_type: Option<Py<PyAny>>,
}

/// The values a fast build sets besides `args`.
pub(super) struct FastValues<'a, 'py> {
    /// `status_code`: the code, or `None`.
    pub(super) status: Bound<'py, PyAny>,
    /// `(slot_id, host, port)` of a redirect payload, as `int()` read them.
    pub(super) redirect: Option<(i64, &'a str, i64)>,
}

impl Table {
    /// The [`Fast`] build of class `i`, while `ty` (its Python class)
    /// still resolves the `__init__` and `__new__` it was proven with.
    pub(super) fn fast_for(
        &self,
        py: Python<'_>,
        i: usize,
        ty: &Bound<'_, PyAny>,
    ) -> Option<&Fast> {
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
pub(super) fn build_fast<'py>(
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
pub(super) fn prove_fast(
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
pub(super) fn try_fast<'py>(
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
