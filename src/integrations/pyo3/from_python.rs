//! Python -> Rust: a redis-py or valkey-py exception as an error of this
//! crate, the original kept as its cause.

use std::borrow::Cow;

use pyo3::exceptions::PyBaseException;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyInt, PyString, PyTuple, PyType};

use crate::class::{Class, ExceptionType};
use crate::instance::state::{Args, State};
use crate::pyrt::value::PyValue;

use super::{lock, lock_name, table, Client, TABLES, USER_TYPES};

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
pub(super) fn snapshot(
    py: Python<'_>,
    value: &Bound<'_, PyBaseException>,
) -> Option<(State, Client)> {
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
    // An instance of the running release: the attributes it has are
    // that release's.
    if let Ok(t) = table(py, client) {
        state.release = t.release;
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
pub(super) fn is_copy_of(py: Python<'_>, state: &State, original: &PyErr, client: Client) -> bool {
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
