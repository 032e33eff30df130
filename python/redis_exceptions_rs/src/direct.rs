//! Rust -> Python without the `__init__` call: the client's own, unpatched
//! classes built as their `__init__` would leave them, proven per class on
//! first use. Registered with the core crate at import
//! (`set_fast_build`), so that `Error::to_py` builds this way too.

use std::cell::Cell;
use std::sync::atomic::{AtomicBool, Ordering};

use pyo3::exceptions::{PyAttributeError, PyException, PyRuntimeError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyString, PyTuple, PyType};
use redis_exceptions::__private::pyo3_package::{
    self as core, FastAttr, FastRequest, InitFacts, Table,
};
use redis_exceptions::{Class, Client};

use crate::reads::Reads;

/// How to build an instance of one of the client's own classes without
/// calling it: `__new__(cls, *args)` (the `BaseException.__new__` the class
/// resolves), then the attributes its `__init__` sets on the running
/// release, in order.
///
/// Made only for a class whose resolved `__init__` is the client's own
/// (a function of the client's package, defined by a class of the MRO
/// under its own name, in its module's file, or Python's own), whose
/// `__new__` is Python's, and for which one real call, made when the
/// proofs were made, left the same `args` and the same `vars()` (keys in
/// the same order) as the build. Used only while the class still resolves
/// those very `__init__` and `__new__` objects: a class patched since then
/// is called.
pub(crate) struct Fast {
    /// The `__init__` chain as it was when proven: the class and what it
    /// resolves as `__init__`, then for each `__init__` of the client's
    /// that chains up (`super().__init__`), the class after its owner in
    /// the MRO and what that resolves, up to Python's own; with the code
    /// object of each `__init__` that has one (an in-place `__code__` swap
    /// keeps the function object).
    chain: Vec<Link>,
    /// The `__new__` it resolved: Python's own, called as `__new__(cls, *args)`.
    new: Py<PyAny>,
    /// The attributes the `__init__` sets, in order, and their names.
    pub(crate) attrs: Vec<(FastAttr, Py<PyString>)>,
    /// The `error_type` it sets, when it sets one.
    error_type: Option<Py<PyAny>>,
    /// Its name in its `Enum` class, when it is a member of one.
    error_type_name: Option<Py<PyString>>,
    /// Whether the last check at `install()` found a read changed: not used.
    stale: AtomicBool,
    /// Whether the `__init__` takes `status_code=`.
    pub(crate) takes_status_code: bool,
    /// Whether the `__init__` reads an `ASK`/`MOVED` payload.
    pub(crate) parses_redirect: bool,
}

/// One link of a [`Fast`] chain: a class, the `__init__` it resolves, and
/// what that function reads at call time (its code, names, cells,
/// defaults; none for Python's own).
type Link = (Py<PyAny>, Py<PyAny>, Option<Reads>);

/// The values a fast build sets besides `args`.
pub(crate) struct FastValues<'a, 'py> {
    /// `status_code`: the code, or `None`.
    pub(crate) status: Bound<'py, PyAny>,
    /// `(slot_id, host, port)` of a redirect payload, as `int()` read them.
    pub(crate) redirect: Option<(i64, &'a str, i64)>,
    /// Whether the call this build stands for leaves a defaulted parameter
    /// out (`status_code=`): then `__defaults__`/`__kwdefaults__` count.
    pub(crate) defaulted: bool,
}

impl Fast {
    /// Whether `ty` (the class's Python class) still resolves the
    /// `__init__` and `__new__` it was proven with.
    ///
    /// `defaults`: whether the call it stands for leaves a defaulted
    /// parameter out (then `__defaults__` and `__kwdefaults__` are checked
    /// too; the installed parser from redis-py 7.2 passes `status_code=`).
    pub(crate) fn in_force(&self, py: Python<'_>, ty: &Bound<'_, PyAny>, defaults: bool) -> bool {
        let Ok(new) = ty.getattr(pyo3::intern!(py, "__new__")) else {
            return false;
        };
        if !new.is(&self.new) {
            return false;
        }
        let Some((first, _, _)) = self.chain.first() else {
            return false;
        };
        if !first.is(ty) {
            return false;
        }
        if self.stale.load(Ordering::Relaxed) {
            return false;
        }
        self.chain.iter().all(|(class, init, reads)| {
            let Ok(now) = class.bind(py).getattr(pyo3::intern!(py, "__init__")) else {
                return false;
            };
            now.is(init)
                && reads.as_ref().is_none_or(|r| {
                    r.hold(py).unwrap_or(false)
                        && (!defaults || r.defaults_hold(py).unwrap_or(false))
                })
        })
    }

    /// What [`in_force`](Self::in_force) leaves out as too dear per call
    /// ([`Reads::hold_fully`], the `ExceptionType` member): checked at each
    /// `install()`; a build that fails it is not used until one passes it.
    pub(crate) fn recheck(&self, py: Python<'_>) -> PyResult<()> {
        let mut holds = self.error_type_holds(py);
        for (_, _, reads) in &self.chain {
            if let Some(r) = reads {
                holds = holds && r.hold_fully(py)?;
            }
        }
        self.stale.store(!holds, Ordering::Relaxed);
        Ok(())
    }
}

impl Fast {
    /// Whether the `ExceptionType` member the build sets is still what
    /// its class gives under that name (`type.__setattr__` can rebind an
    /// `Enum` member).
    fn error_type_holds(&self, py: Python<'_>) -> bool {
        let Some(member) = &self.error_type else {
            return true;
        };
        let Some(name) = &self.error_type_name else {
            // Not an enum member (a release without `ExceptionType`).
            return true;
        };
        let member = member.bind(py);
        member
            .get_type()
            .getattr(name.bind(py))
            .is_ok_and(|now| now.is(member))
    }
}

/// The number a client is known by here (its proofs' slot).
pub(crate) fn client_slot(client: Client) -> usize {
    match client {
        Client::RedisPy => 0,
        Client::ValkeyPy => 1,
    }
}

/// Per client, per class of `Class::all()`: its [`Fast`] build, if proven.
static PROOFS: [PyOnceLock<Vec<Option<Fast>>>; 2] = [PyOnceLock::new(), PyOnceLock::new()];

thread_local! {
    /// Whether this thread is making a client's proofs, one bit per slot.
    static PROVING: Cell<u8> = const { Cell::new(0) };
}

/// Clears the client's bit of [`PROVING`] however the proofs end.
struct Proving(usize);

impl Drop for Proving {
    fn drop(&mut self) {
        let bit = 1 << self.0;
        PROVING.with(|b| b.set(b.get() & !bit));
    }
}

/// The client's proofs on its table `t`, made on first use; `None` while
/// they are being made on this thread (a call from inside a probe: the
/// class is called).
pub(crate) fn proofs(
    py: Python<'_>,
    client: Client,
    t: &Table,
) -> PyResult<Option<&'static [Option<Fast>]>> {
    let slot = client_slot(client);
    if let Some(p) = PROOFS[slot].get(py) {
        return Ok(Some(p.as_slice()));
    }
    let bit = 1 << slot;
    if PROVING.with(|b| b.replace(b.get() | bit)) & bit != 0 {
        return Ok(None);
    }
    let guard = Proving(slot);
    let made = Class::all()
        .enumerate()
        .map(|(i, class)| match t.py_type(i) {
            Some(ty) if t.has_own(i) => prove_fast(py, t, client, class, ty.bind(py)),
            _ => Ok(None),
        })
        .collect::<PyResult<Vec<Option<Fast>>>>();
    drop(guard);
    // A failed proof (an interrupt) is not kept: the next call tries again.
    let made = made?;
    // Another thread may have finished first: its proofs are kept.
    let _ = PROOFS[slot].set(py, made);
    Ok(PROOFS[slot].get(py).map(Vec::as_slice))
}

/// [`Fast::recheck`] on each of the client's proven builds (none when
/// they are not made yet: they will be proven on what is there then).
pub(crate) fn recheck(py: Python<'_>, client: Client) -> PyResult<()> {
    if let Some(p) = PROOFS[client_slot(client)].get(py) {
        for fast in p.iter().flatten() {
            fast.recheck(py)?;
        }
    }
    Ok(())
}

/// Builds the instance as [`Fast`] describes, with `args` as given.
pub(crate) fn build_fast<'py>(
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
            FastAttr::ErrorType => match &fast.error_type {
                Some(t) => t.bind(py).clone(),
                None => py.None().into_bound(py),
            },
            FastAttr::StatusCode => values.status.clone(),
            FastAttr::Message => match args.first() {
                Some(m) => m.clone(),
                None => py.None().into_bound(py),
            },
            FastAttr::SlotId | FastAttr::NodeAddr | FastAttr::Host | FastAttr::Port => {
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
                    FastAttr::SlotId => slot.into_pyobject(py)?.into_any(),
                    FastAttr::NodeAddr => PyTuple::new(py, [host_obj, port_obj])?.into_any(),
                    FastAttr::Host => host_obj,
                    _ => port_obj,
                }
            }
        };
        obj.setattr(name.bind(py), value)?;
    }
    Ok(obj)
}
/// `obj.name`, or `None` when it has no such attribute; any other error
/// (an interrupt, a failing descriptor) propagates.
fn attr<'py>(obj: &Bound<'py, PyAny>, name: &str) -> PyResult<Option<Bound<'py, PyAny>>> {
    match obj.getattr(name) {
        Ok(v) => Ok(Some(v)),
        Err(e) if e.is_instance_of::<PyAttributeError>(obj.py()) => Ok(None),
        Err(e) => Err(e),
    }
}

/// `obj.name` as a `str`, or `None` when it is absent or not a `str`.
fn str_attr(obj: &Bound<'_, PyAny>, name: &str) -> PyResult<Option<String>> {
    Ok(attr(obj, name)?.and_then(|v| v.extract::<String>().ok()))
}

/// Whether `func` is a function of the client's package that `owner`
/// defines as its `__init__`, in the file of its module. A missing
/// attribute makes it not one; any other error propagates.
fn own_function(
    py: Python<'_>,
    client: Client,
    owner: &Bound<'_, PyAny>,
    func: &Bound<'_, PyAny>,
) -> PyResult<bool> {
    let Some(module) = str_attr(owner, "__module__")? else {
        return Ok(false);
    };
    let package = core::package_of(client);
    if module != package && !module.starts_with(&format!("{package}.")) {
        return Ok(false);
    }
    let (Some(func_module), Some(qualname), Some(owner_qualname)) = (
        str_attr(func, "__module__")?,
        str_attr(func, "__qualname__")?,
        str_attr(owner, "__qualname__")?,
    ) else {
        return Ok(false);
    };
    let Some(code) = attr(func, "__code__")? else {
        return Ok(false);
    };
    let Some(filename) = str_attr(&code, "co_filename")? else {
        return Ok(false);
    };
    let modules = py.import("sys")?.getattr("modules")?;
    let Some(home) = modules.cast::<PyDict>()?.get_item(&module)? else {
        return Ok(false);
    };
    let Some(file) = str_attr(&home, "__file__")? else {
        return Ok(false);
    };
    Ok(func_module == module
        && qualname == format!("{owner_qualname}.__init__")
        && filename == file)
}

/// The [`Fast`] build of `class`, whose Python class `ty` is the running
/// release's own, when it can be proven to give what calling `ty` gives.
///
/// Python errors propagate (an interrupt while proving is the caller's),
/// but for one case: the probe call raising an `Exception` means no fast
/// build (the class is then always called, and raises the same itself).
fn prove_fast(
    py: Python<'_>,
    table: &Table,
    client: Client,
    class: &'static Class,
    ty: &Bound<'_, PyType>,
) -> PyResult<Option<Fast>> {
    let release = table.release();
    let InitFacts {
        attrs,
        takes_status_code,
        parses_redirect,
        error_type,
    } = core::init_facts(class, release);
    let Some(attrs) = attrs else {
        return Ok(None);
    };
    let new_obj = ty.getattr(pyo3::intern!(py, "__new__"))?;
    let mro: Vec<Bound<'_, PyAny>> = ty.mro().iter().collect();
    let defines = |base: &Bound<'_, PyAny>, name: &str, f: &Bound<'_, PyAny>| -> PyResult<bool> {
        Ok(base
            .getattr(pyo3::intern!(py, "__dict__"))?
            .get_item(name)
            .is_ok_and(|g| g.is(f)))
    };
    let is_builtin = |base: &Bound<'_, PyAny>| -> PyResult<bool> {
        Ok(str_attr(base, "__module__")?.is_some_and(|m| m == "builtins"))
    };
    let position = |from: usize, name: &str, f: &Bound<'_, PyAny>| -> PyResult<Option<usize>> {
        for (k, b) in mro.iter().enumerate().skip(from) {
            if defines(b, name, f)? {
                return Ok(Some(k));
            }
        }
        Ok(None)
    };
    // `__new__`: Python's own, found first in a builtin class of the MRO.
    let Some(new_owner) = position(0, "__new__", &new_obj)? else {
        return Ok(None);
    };
    if !is_builtin(&mro[new_owner])? {
        return Ok(None);
    }
    // `__init__`: from the class on, each resolved `__init__` is Python's
    // own (the end of the chain) or the client's, which chains up to the
    // class after its owner.
    let mut chain: Vec<Link> = Vec::new();
    let mut at = 0;
    loop {
        let Some(from) = mro.get(at) else {
            return Ok(None);
        };
        let init = from.getattr(pyo3::intern!(py, "__init__"))?;
        let Some(owner) = position(at, "__init__", &init)? else {
            return Ok(None);
        };
        // Python's own classes cannot be patched: no check needed there.
        if !is_builtin(from)? {
            let reads = if attr(&init, "__code__")?.is_some() {
                match Reads::of(py, &init)? {
                    Some(r) => Some(r),
                    None => return Ok(None),
                }
            } else {
                None
            };
            chain.push((from.clone().unbind(), init.clone().unbind(), reads));
        }
        if is_builtin(&mro[owner])? {
            break;
        }
        if !own_function(py, client, &mro[owner], &init)? {
            return Ok(None);
        }
        at = owner + 1;
    }
    let error_type = error_type.map(|t| match table.error_type_member(t) {
        Some(m) => m.clone_ref(py),
        None => PyString::new(py, t.value()).into_any().unbind(),
    });
    let error_type_name = match &error_type {
        Some(m) => attr(m.bind(py), "_name_")?
            .and_then(|n| n.cast_into::<PyString>().ok())
            .map(|n| PyString::intern(py, n.to_str().unwrap_or_default()).unbind()),
        None => None,
    };
    let fast = Fast {
        chain,
        error_type_name,
        stale: AtomicBool::new(false),
        new: new_obj.unbind(),
        attrs: attrs
            .iter()
            .map(|&(a, name)| (a, PyString::intern(py, name).unbind()))
            .collect(),
        error_type,
        takes_status_code,
        parses_redirect,
    };
    // One real call against the build: same type, `args` and `vars()`,
    // keys in the same order.
    let redirect = parses_redirect;
    let probe = if redirect {
        "3999 127.0.0.1:6381"
    } else {
        "probe"
    };
    let message = PyString::new(py, probe).into_any();
    let kwargs = PyDict::new(py);
    let takes_status = takes_status_code && release >= core::status_code_since();
    let status = if takes_status {
        kwargs.set_item("status_code", "PROBE")?;
        PyString::new(py, "PROBE").into_any()
    } else {
        py.None().into_bound(py)
    };
    let real = match ty.call((message.clone(),), Some(&kwargs)) {
        Ok(real) => real,
        Err(e) if e.is_instance_of::<PyException>(py) => return Ok(None),
        Err(e) => return Err(e),
    };
    let values = FastValues {
        status,
        redirect: redirect.then_some((3999, "127.0.0.1", 6381)),
        defaulted: !takes_status,
    };
    let built = build_fast(
        py,
        &fast,
        ty.as_any(),
        std::slice::from_ref(&message),
        &values,
    )?;
    let keys = |d: &Bound<'_, PyAny>| -> PyResult<Vec<Option<String>>> {
        d.try_iter()?
            .map(|k| Ok(k?.extract::<String>().ok()))
            .collect()
    };
    let same = real.get_type().is(ty)
        && built.get_type().is(ty)
        && real
            .getattr(pyo3::intern!(py, "args"))?
            .eq(built.getattr(pyo3::intern!(py, "args"))?)?
        && {
            let (a, b) = (
                real.getattr(pyo3::intern!(py, "__dict__"))?,
                built.getattr(pyo3::intern!(py, "__dict__"))?,
            );
            keys(&a)? == keys(&b)? && a.eq(&b)?
        };
    Ok(same.then_some(fast))
}

/// Whether [`fast_build`] answers (off only while the bench times what a
/// plain pyo3 extension gets: the class called).
pub(crate) static TO_PY_FAST: AtomicBool = AtomicBool::new(true);

/// The fast build the core crate's `Error::to_py` asks for (registered at
/// import): `Ok(None)` when the class is not the running release's own,
/// unpatched one (then it is called).
pub(crate) fn fast_build<'py>(
    py: Python<'py>,
    client: Client,
    request: &FastRequest<'_>,
    ty: &Bound<'py, PyType>,
) -> PyResult<Option<Bound<'py, PyAny>>> {
    if !TO_PY_FAST.load(Ordering::Relaxed) {
        return Ok(None);
    }
    let Some(t) = core::loaded_table(py, client) else {
        return Ok(None);
    };
    if !t.py_type(request.index).is_some_and(|x| x.bind(py).is(ty)) {
        return Ok(None);
    }
    let Some(proofs) = proofs(py, client, t)? else {
        return Ok(None);
    };
    let Some(fast) = proofs.get(request.index).and_then(Option::as_ref) else {
        return Ok(None);
    };
    if !fast.in_force(py, ty.as_any(), true) {
        return Ok(None);
    }
    let status = match request.status_code {
        Some(code) => PyString::new(py, code).into_any(),
        None => py.None().into_bound(py),
    };
    let args = request
        .args
        .iter()
        .map(|v| core::value_to_py(py, v))
        .collect::<PyResult<Vec<_>>>()?;
    let values = FastValues {
        status,
        redirect: request.redirect,
        defaulted: true,
    };
    build_fast(py, fast, ty.as_any(), &args, &values).map(Some)
}
