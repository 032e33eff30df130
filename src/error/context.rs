//! Wrapping another error as an exception's cause: snafu context selectors
//! for every class, and [`RedisResultExt`], which needs no snafu import.

use std::marker::PhantomData;

use snafu::IntoError;

use crate::error::traits::ExceptionClass;
use crate::instance::state::{BoxError, State};
use crate::pyrt::value::PyValue;

/// A context selector for class `C`, made by `C::context(message)`: it turns
/// a `Result`'s error into `C(message)` with that error as the cause
/// (`raise C(message) from e`). The message is converted only on error.
///
/// Use it with [`RedisResultExt::redis_context`], or with snafu's
/// `ResultExt::context` through the re-exported [`snafu`](crate::snafu)
/// (so that the snafu versions always match):
///
/// ```
/// use redis_exceptions::snafu::ResultExt;
/// use redis_exceptions::{ConnectionError, RedisErrorExt};
///
/// fn connect() -> Result<(), ConnectionError> {
///     let io = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "refused");
///     Err(io).context(ConnectionError::context("Error 111 connecting to localhost:6379. Connection refused."))
/// }
///
/// let e = connect().unwrap_err();
/// assert_eq!(e.py_repr(), "network:ConnectionError");
/// assert_eq!(std::error::Error::source(&e).unwrap().to_string(), "refused");
/// ```
pub struct Selector<C, M, S> {
    message: M,
    marker: PhantomData<fn() -> (C, S)>,
}

impl<C, M, S> Selector<C, M, S> {
    /// A selector for `C(message)`.
    pub fn new(message: M) -> Self {
        Selector {
            message,
            marker: PhantomData,
        }
    }
}

impl<C, M, S> Selector<C, M, S>
where
    C: ExceptionClass,
    M: Into<PyValue>,
    S: Into<BoxError>,
{
    /// `C(message)` with `source` as the cause.
    fn build(self, source: S) -> C {
        let mut state = State::__with_message(C::CLASS, self.message.into());
        state.__set_source(source.into());
        C::__from_state(state)
    }
}

impl<C, M, S> IntoError<C> for Selector<C, M, S>
where
    C: ExceptionClass + snafu::ErrorCompat,
    M: Into<PyValue>,
    S: Into<BoxError>,
{
    type Source = S;

    fn into_error(self, source: S) -> C {
        self.build(source)
    }
}

/// `raise C(message) from e` on a `Result`'s error, under names no other
/// error crate uses.
///
/// `result.redis_context(ConnectionError::context("msg"))` does what snafu's
/// `result.context(...)` does with the same selector, but it needs no snafu
/// import and it cannot be confused with `anyhow::Context::context` (with
/// both `context` methods in scope Rust cannot choose, E0034; with only
/// anyhow's, the selector is taken for an anyhow context message). It is in
/// the [`prelude`](crate::prelude).
///
/// ```
/// use anyhow::Context as _; // anyhow's `.context` may be in scope too
/// use redis_exceptions::{ConnectionError, RedisErrorExt, RedisResultExt};
///
/// fn connect(port: u16) -> Result<(), ConnectionError> {
///     let io = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "refused");
///     Err(io).redis_context(ConnectionError::context("Error connecting"))?;
///     Err(std::io::Error::other("reset"))
///         .with_redis_context(|| ConnectionError::context(format!("Error reading from port {port}")))
/// }
///
/// let e = connect(6379).unwrap_err();
/// assert_eq!(e.to_string(), "Error connecting");
/// assert_eq!(std::error::Error::source(&e).unwrap().to_string(), "refused");
///
/// // anyhow's own `.context` still works on anything else
/// let n: anyhow::Result<u16> = "x".parse::<u16>().context("not a port");
/// assert!(n.is_err());
/// ```
///
/// snafu's own `.context(..)` takes the same selectors. Import snafu from
/// this crate (`redis_exceptions::snafu`) so the versions match (another
/// version gives E0277); with `anyhow::Context` also in scope, name the trait:
///
/// ```
/// use anyhow::Context as _;
/// use redis_exceptions::snafu::ResultExt;
/// use redis_exceptions::ConnectionError;
///
/// let io: Result<(), std::io::Error> = Err(std::io::Error::other("refused"));
/// let e = ResultExt::context(io, ConnectionError::context("Error connecting")).unwrap_err();
/// assert_eq!(e.to_string(), "Error connecting");
/// ```
pub trait RedisResultExt<T, E> {
    /// On error, `C(message)` with the error as the cause; the selector
    /// comes from `C::context(message)`.
    fn redis_context<C, M>(self, selector: Selector<C, M, E>) -> Result<T, C>
    where
        C: ExceptionClass,
        M: Into<PyValue>,
        E: Into<BoxError>;

    /// As [`redis_context`](Self::redis_context), with the selector made
    /// only on error (for a message that costs something to build).
    fn with_redis_context<C, M, F>(self, selector: F) -> Result<T, C>
    where
        C: ExceptionClass,
        M: Into<PyValue>,
        E: Into<BoxError>,
        F: FnOnce() -> Selector<C, M, E>;
}

impl<T, E> RedisResultExt<T, E> for Result<T, E> {
    fn redis_context<C, M>(self, selector: Selector<C, M, E>) -> Result<T, C>
    where
        C: ExceptionClass,
        M: Into<PyValue>,
        E: Into<BoxError>,
    {
        self.map_err(|e| selector.build(e))
    }

    fn with_redis_context<C, M, F>(self, selector: F) -> Result<T, C>
    where
        C: ExceptionClass,
        M: Into<PyValue>,
        E: Into<BoxError>,
        F: FnOnce() -> Selector<C, M, E>,
    {
        self.map_err(|e| selector().build(e))
    }
}
