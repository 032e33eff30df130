//! Calling a class the way Python does: argument binding, the `TypeError`s
//! of a bad call, and the state each `__init__` leaves behind.

use std::borrow::Cow;

use snafu::Snafu;

use crate::class::{ArgsRule, Attr, Class, Init, OtherKeywords, Params, Piece};
use crate::error::erased::Error;
use crate::instance::redirect;
use crate::instance::state::{Args, State};
use crate::pyrt::call_error::{CallError, PyErrorKind};
use crate::pyrt::value::PyValue;

/// `Class(*args, **kwargs)` by class name, with Python's call semantics:
/// the instance Python would build, or the exception it would raise.
/// An unknown class name is Python's `NameError`, reported as a
/// [`ConstructError::UnknownClass`].
///
/// ```
/// use redis_exceptions::{construct, PyValue, RedisErrorExt};
///
/// let e = construct("LockError", &["Cannot extend an unlocked lock".into()],
///                   &[("lock_name", "my-lock".into())]).unwrap();
/// assert_eq!(e.lock_name(), Some(&PyValue::from("my-lock")));
///
/// let err = construct("AskError", &["3999".into()], &[]).unwrap_err();
/// assert_eq!(err.to_string(), "ValueError: not enough values to unpack (expected 2, got 1)");
/// ```
pub fn construct(
    name: &str,
    args: &[PyValue],
    kwargs: &[(&str, PyValue)],
) -> Result<Error, ConstructError> {
    let class = Class::by_name(name).ok_or_else(|| ConstructError::UnknownClass {
        name: name.to_owned(),
    })?;
    class.call(args, kwargs).map_err(ConstructError::from)
}

/// Why [`construct`] returned no instance.
#[derive(Clone, Debug, PartialEq, Eq, Snafu)]
pub enum ConstructError {
    /// No class of that name is known (see [`Class::register`]).
    #[snafu(display("NameError: name '{name}' is not defined"))]
    UnknownClass {
        /// The name asked for.
        name: String,
    },
    /// The class's `__init__` raised.
    #[snafu(transparent)]
    Raised {
        /// What Python raised.
        source: CallError,
    },
}

impl ConstructError {
    /// The Python exception type's name: `"NameError"` or the raised one.
    pub fn py_type(&self) -> &'static str {
        match self {
            ConstructError::UnknownClass { .. } => "NameError",
            ConstructError::Raised { source } => source.py_type(),
        }
    }
}

impl Class {
    /// `self(*args, **kwargs)` with Python's call semantics: binds the
    /// arguments to the `__init__` the class inherits, raising the same
    /// `TypeError`/`ValueError`/`AttributeError` Python would.
    ///
    /// `kwargs` are the keywords as a call site spells them, in order
    /// (`Class(status_code=c, **more)`): a name given twice is the
    /// `TypeError` Python raises while collecting them, before any
    /// `__init__` runs, e.g. `redis.exceptions.RedisError() got multiple
    /// values for keyword argument 'status_code'`.
    pub fn call(
        &'static self,
        args: &[PyValue],
        kwargs: &[(&str, PyValue)],
    ) -> Result<Error, CallError> {
        collect_keywords(self, kwargs)?;
        bind(self, args, kwargs).map(Error::from_state)
    }
}

/// CPython's name of a callable in call errors (`_PyObject_FunctionStr`):
/// `module.Name()`, or `Name()` for the builtins.
fn function_str(class: &Class) -> String {
    match class.module() {
        "builtins" => format!("{}()", class.name()),
        _ => format!("{}()", class.qualified_name()),
    }
}

/// The call site's collection of keywords into one dict: the first name
/// seen a second time is a `TypeError` (for every class alike).
fn collect_keywords(class: &Class, kwargs: &[(&str, PyValue)]) -> Result<(), CallError> {
    let repeated = if kwargs.len() <= 16 {
        kwargs
            .iter()
            .enumerate()
            .find(|(i, (key, _))| kwargs[..*i].iter().any(|(k, _)| k == key))
            .map(|(_, (key, _))| *key)
    } else {
        let mut seen = std::collections::HashSet::with_capacity(kwargs.len());
        kwargs
            .iter()
            .map(|(key, _)| *key)
            .find(|key| !seen.insert(*key))
    };
    match repeated {
        None => Ok(()),
        Some(key) => Err(CallError::type_error(format!(
            "{} got multiple values for keyword argument '{key}'",
            function_str(class)
        ))),
    }
}

fn unexpected(owner: &Class, key: &str) -> CallError {
    CallError::type_error(format!(
        "{}.__init__() got an unexpected keyword argument '{key}'",
        owner.name()
    ))
}

fn status_text(value: &PyValue) -> Option<Cow<'static, str>> {
    match value {
        PyValue::None => None,
        PyValue::Str(s) => Some(Cow::Owned(s.clone())),
        other => Some(Cow::Owned(other.to_string())),
    }
}

/// Binds `args`/`kwargs` (distinct names) to named parameters, in CPython's
/// order of checks: keywords (unknown, repeating a positional argument), then
/// too many positionals, then missing ones.
fn bind_named<'a>(
    owner: &Class,
    params: &[&str],
    required: usize,
    args: &'a [PyValue],
    kwargs: &'a [(&str, PyValue)],
) -> Result<Vec<Option<&'a PyValue>>, CallError> {
    let mut slots: Vec<Option<&PyValue>> = vec![None; params.len()];
    for (slot, arg) in slots.iter_mut().zip(args) {
        *slot = Some(arg);
    }
    for (key, value) in kwargs {
        let Some(i) = params.iter().position(|p| p == key) else {
            return Err(unexpected(owner, key));
        };
        if slots[i].is_some() {
            return Err(CallError::type_error(format!(
                "{}.__init__() got multiple values for argument '{key}'",
                owner.name()
            )));
        }
        slots[i] = Some(value);
    }
    if args.len() > params.len() {
        return Err(CallError::type_error(format!(
            "{}.__init__() takes from {} to {} positional arguments but {} were given",
            owner.name(),
            required + 1,
            params.len() + 1,
            args.len() + 1
        )));
    }
    let missing: Vec<&str> = params[..required]
        .iter()
        .zip(&slots)
        .filter(|(_, s)| s.is_none())
        .map(|(p, _)| *p)
        .collect();
    if !missing.is_empty() {
        // CPython's list: 'a'; 'a' and 'b'; 'a', 'b', and 'c'.
        let quoted: Vec<String> = missing.iter().map(|m| format!("'{m}'")).collect();
        let list = match quoted.as_slice() {
            [one] => one.clone(),
            [a, b] => format!("{a} and {b}"),
            [rest @ .., last] => format!("{}, and {last}", rest.join(", ")),
            [] => String::new(),
        };
        let n = missing.len();
        return Err(CallError::type_error(format!(
            "{}.__init__() missing {n} required positional argument{}: {list}",
            owner.name(),
            if n == 1 { "" } else { "s" }
        )));
    }
    Ok(slots)
}

/// Binds a call to the class's `__init__`, as its description says
/// (`class/init.rs`): the `TypeError`s of a bad call, then the state.
fn bind(
    class: &'static Class,
    args: &[PyValue],
    kwargs: &[(&str, PyValue)],
) -> Result<State, CallError> {
    let (init, owner) = class.init();
    let mut state = State::new(class, Args::Empty, None);
    match init.params {
        Params::Star {
            keywords,
            other_keywords,
        } => {
            for (key, value) in kwargs {
                if keywords.contains(key) {
                    set_keyword(&mut state, init, key, Some(value));
                    continue;
                }
                match other_keywords {
                    OtherKeywords::NoneAccepted => {
                        return Err(CallError::type_error(format!(
                            "{}() takes no keyword arguments",
                            class.name()
                        )))
                    }
                    OtherKeywords::Unexpected => return Err(unexpected(owner, key)),
                    OtherKeywords::Ignored => {}
                }
            }
            state.args = Args::from_vec(args.to_vec());
        }
        Params::Named { names, required } => {
            let slots = bind_named(owner, names, required, args, kwargs)?;
            let first = slots
                .first()
                .copied()
                .flatten()
                .cloned()
                .unwrap_or_default();
            for (name, slot) in names.iter().zip(&slots).skip(1) {
                set_keyword(&mut state, init, name, *slot);
            }
            for name in init.params_kept() {
                if let Some(i) = names.iter().position(|n| *n == name) {
                    let value = slots[i].cloned().unwrap_or_default();
                    state.set_param(name, value);
                }
            }
            if init.parses_redirect() {
                state.redirect = Some(redirect_of(&first)?);
            }
            state.args = match init.args {
                ArgsRule::Positional => Args::from_vec(args.to_vec()),
                ArgsRule::First => Args::One(first),
                ArgsRule::Joined { prefix, sep } => {
                    // `missing_fields=[]` when not given.
                    let given = slots.first().copied().flatten();
                    Args::One(PyValue::Str(joined(prefix, sep, given)?))
                }
                ArgsRule::MessageOr { template } => {
                    let message = slots.last().copied().flatten().filter(|m| m.is_truthy());
                    Args::One(match message {
                        Some(m) => m.clone(),
                        None => PyValue::Str(fill(template, &slots)),
                    })
                }
            };
        }
    }
    Ok(state)
}

/// `prefix + sep.join(value)`, with Python's errors for a value that is
/// not an iterable of `str` (a `str` joins its characters).
fn joined(prefix: &str, sep: &str, value: Option<&PyValue>) -> Result<String, CallError> {
    let mut out = String::from(prefix);
    match value {
        None => {}
        Some(PyValue::Str(s)) => {
            for (i, c) in s.chars().enumerate() {
                if i > 0 {
                    out.push_str(sep);
                }
                out.push(c);
            }
        }
        Some(PyValue::Bytes(b)) if b.is_empty() => {}
        Some(PyValue::Bytes(_)) => {
            return Err(CallError::type_error(
                "sequence item 0: expected str instance, int found",
            ))
        }
        Some(PyValue::None | PyValue::Int(_)) => {
            return Err(CallError::type_error("can only join an iterable"))
        }
    }
    Ok(out)
}

/// A message template with `str()` of the bound parameters.
fn fill(template: &[Piece], slots: &[Option<&PyValue>]) -> String {
    let mut out = String::new();
    for piece in template {
        match piece {
            Piece::Text(t) => out.push_str(t),
            Piece::Param(i) => match slots.get(*i).copied().flatten() {
                Some(v) => out.push_str(&v.to_string()),
                None => out.push_str("None"),
            },
        }
    }
    out
}

/// Sets the attribute a keyword parameter binds (`status_code`, `lock_name`).
fn set_keyword(state: &mut State, init: &Init, key: &str, value: Option<&PyValue>) {
    if init.keyword_of(Attr::StatusCode) == Some(key) {
        state.status_code = value.and_then(status_text);
    } else if init.keyword_of(Attr::LockName) == Some(key) {
        if let Some(name) = value.filter(|n| !n.is_none()) {
            state.rare_mut().lock_name = Some(name.clone());
        }
    }
}

/// The redirect `AskError.__init__` reads from its first argument, or the
/// exception it raises.
fn redirect_of(resp: &PyValue) -> Result<crate::instance::redirect::Spans, CallError> {
    match resp {
        PyValue::Str(s) => redirect::parse_strict(s),
        PyValue::Bytes(_) => Err(CallError::type_error(
            "a bytes-like object is required, not 'str'",
        )),
        other => Err(CallError::new(
            PyErrorKind::AttributeError,
            format!("'{}' object has no attribute 'split'", other.py_type()),
        )),
    }
}

/// The Python call that rebuilds `state`'s instance, derived from its
/// class's `__init__` description: positional arguments and keywords. A
/// value the instance does not keep (the fields `InvalidTokenSchemaErr`
/// joined) is left out; the caller sets `args` afterwards when they differ.
#[cfg(feature = "pyo3")]
pub(crate) fn rebuild_call(state: &State) -> (Vec<PyValue>, Vec<(&'static str, PyValue)>) {
    let (init, _) = state.class.init();
    let args = state.args.as_slice();
    let mut kwargs = Vec::new();
    let status = || state.status_code().map(|c| PyValue::Str(c.to_owned()));
    match init.params {
        Params::Star { keywords, .. } => {
            for &key in keywords {
                if init.keyword_of(Attr::StatusCode) == Some(key) {
                    if let Some(code) = status() {
                        kwargs.push((key, code));
                    }
                }
            }
            (args.to_vec(), kwargs)
        }
        Params::Named { names, .. } => {
            let mut positional = Vec::new();
            for (i, &name) in names.iter().enumerate() {
                let value = if init.keyword_of(Attr::StatusCode) == Some(name) {
                    if let Some(code) = status() {
                        kwargs.push((name, code));
                    }
                    continue;
                } else if init.keyword_of(Attr::LockName) == Some(name) {
                    if let Some(lock) = state.lock_name().filter(|v| !v.is_none()) {
                        kwargs.push((name, lock.clone()));
                    }
                    continue;
                } else if init.params_kept().any(|p| p == name) {
                    state.param(name).cloned().unwrap_or_default()
                } else {
                    match (init.args, i) {
                        (ArgsRule::First | ArgsRule::Positional, 0) => {
                            args.first().cloned().unwrap_or_default()
                        }
                        // `HttpError`'s `message`: the one it kept.
                        (ArgsRule::MessageOr { .. }, _) => {
                            args.first().cloned().unwrap_or_default()
                        }
                        _ => continue,
                    }
                };
                positional.push(value);
            }
            (positional, kwargs)
        }
    }
}
