//! snafu integration: context selectors for every class.

use std::marker::PhantomData;

use snafu::IntoError;

use crate::py::PyValue;
use crate::state::{BoxError, State};
use crate::traits::ExceptionClass;

/// A snafu context selector for class `C`: made by `C::context(message)`,
/// it turns a `Result`'s error into `C(message)` with that error as the cause.
///
/// ```
/// use redis_exceptions::{ConnectionError, RedisErrorExt};
/// use snafu::ResultExt;
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

impl<C, M, S> IntoError<C> for Selector<C, M, S>
where
    C: ExceptionClass + snafu::ErrorCompat,
    M: Into<PyValue>,
    S: Into<BoxError>,
{
    type Source = S;

    fn into_error(self, source: S) -> C {
        let state = State::__with_message(C::CLASS, self.message.into());
        let mut state = state;
        state.__set_source(source.into());
        C::__from_state(state)
    }
}
