//! The Python exceptions a call raises instead of returning an instance
//! (`TypeError`, `ValueError`, `AttributeError`), as values.

use std::fmt;

use snafu::Snafu;

/// The Python exception type a failed call raises.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PyErrorKind {
    /// `TypeError`: the arguments do not fit the signature.
    TypeError,
    /// `ValueError`: an `ASK`/`MOVED` payload that does not parse.
    ValueError,
    /// `AttributeError`: a redirect payload that is not a `str` (e.g. `None`).
    AttributeError,
}

impl PyErrorKind {
    /// The Python class name, e.g. `"TypeError"`.
    pub fn name(self) -> &'static str {
        match self {
            PyErrorKind::TypeError => "TypeError",
            PyErrorKind::ValueError => "ValueError",
            PyErrorKind::AttributeError => "AttributeError",
        }
    }
}

impl fmt::Display for PyErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What Python raises instead of returning an instance, e.g.
/// `TypeError: ClusterDownError.__init__() missing 1 required positional argument: 'resp'`.
#[derive(Clone, Debug, PartialEq, Eq, Snafu)]
#[snafu(display("{kind}: {message}"))]
pub struct CallError {
    kind: PyErrorKind,
    message: String,
}

impl CallError {
    pub(crate) fn new(kind: PyErrorKind, message: impl Into<String>) -> Self {
        CallError {
            kind,
            message: message.into(),
        }
    }

    pub(crate) fn value(message: impl Into<String>) -> Self {
        Self::new(PyErrorKind::ValueError, message)
    }

    pub(crate) fn type_error(message: impl Into<String>) -> Self {
        Self::new(PyErrorKind::TypeError, message)
    }

    /// The Python exception type.
    pub fn kind(&self) -> PyErrorKind {
        self.kind
    }

    /// The Python exception type's name, e.g. `"TypeError"`.
    pub fn py_type(&self) -> &'static str {
        self.kind.name()
    }

    /// `str()` of the Python exception.
    pub fn message(&self) -> &str {
        &self.message
    }
}
