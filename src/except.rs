//! Python's `try`/`except` in Rust: the `except!` macro, `Error::except`,
//! and named class sets that mirror redis-py's retry policies.

use std::fmt;

use crate::class::Class;
use crate::classes::*;
use crate::error::Error;
use crate::traits::{ExceptionClass, RedisErrorExt};

impl Error {
    /// `except T as e`: the error as a `T` if it is an instance of `T` (or
    /// of a subclass), else the error itself, to re-raise.
    ///
    /// For an instance of a subclass the `T` is a view with `T`'s methods;
    /// its [`class()`](RedisErrorExt::class) stays the instance's own class,
    /// as `type(e)` does in Python, and erasing it again gives the same
    /// error back.
    ///
    /// ```
    /// use redis_exceptions::{parse_error, AskError, RedisErrorExt};
    ///
    /// let e = parse_error("MOVED 3999 127.0.0.1:6381").except::<AskError>().unwrap();
    /// assert_eq!(e.class().name(), "MovedError");
    /// assert_eq!(e.port(), Some(6381));
    /// ```
    pub fn except<T: ExceptionClass>(self) -> Result<T, Error> {
        if self.is_a::<T>() {
            Ok(T::__from_state(self.into_state()))
        } else {
            Err(self)
        }
    }
}

/// A named tuple of classes, as in `except (ConnectionError, TimeoutError)`.
#[derive(Clone, Copy)]
pub struct ClassSet {
    name: &'static str,
    classes: &'static [&'static Class],
}

impl ClassSet {
    /// A set from classes; `name` says where it comes from.
    pub const fn new(name: &'static str, classes: &'static [&'static Class]) -> Self {
        ClassSet { name, classes }
    }

    /// Where the set comes from, e.g. `"RedisCluster.ERRORS_ALLOW_RETRY"`.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The classes, in order.
    pub fn classes(&self) -> &'static [&'static Class] {
        self.classes
    }

    /// `isinstance(e, tuple)`: whether `e` is an instance of any class.
    pub fn matches(&self, e: &(impl RedisErrorExt + ?Sized)) -> bool {
        self.classes.iter().any(|c| e.is_instance(c))
    }

    /// `type(e) in tuple`: the exact class is one of them (redis-py's
    /// `RedisCluster` command loop tests this way).
    pub fn contains_type(&self, e: &(impl RedisErrorExt + ?Sized)) -> bool {
        self.classes.iter().any(|c| std::ptr::eq(*c, e.class()))
    }
}

impl fmt::Debug for ClassSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.classes.iter().map(|c| c.name()).collect();
        write!(f, "{}({})", self.name, names.join(", "))
    }
}

/// `Retry`'s default `supported_errors`: `(ConnectionError, TimeoutError,
/// socket.timeout)`; `socket.timeout` is Python's builtin `TimeoutError`,
/// which this crate maps to redis-py's (see [`crate::IoPhase`]).
pub static RETRY_SUPPORTED_ERRORS: ClassSet = ClassSet::new(
    "Retry.supported_errors",
    &[ConnectionError::CLASS, TimeoutError::CLASS],
);

/// `RedisCluster.ERRORS_ALLOW_RETRY`.
pub static CLUSTER_ERRORS_ALLOW_RETRY: ClassSet = ClassSet::new(
    "RedisCluster.ERRORS_ALLOW_RETRY",
    &[
        ConnectionError::CLASS,
        TimeoutError::CLASS,
        ClusterDownError::CLASS,
        SlotNotCoveredError::CLASS,
    ],
);

/// `ClusterPipeline.ERRORS_ALLOW_RETRY`.
pub static CLUSTER_PIPELINE_ERRORS_ALLOW_RETRY: ClassSet = ClassSet::new(
    "ClusterPipeline.ERRORS_ALLOW_RETRY",
    &[
        ConnectionError::CLASS,
        TimeoutError::CLASS,
        MovedError::CLASS,
        AskError::CLASS,
        TryAgainError::CLASS,
    ],
);

/// `ClusterPipeline.SLOT_REDIRECT_ERRORS`.
pub static SLOT_REDIRECT_ERRORS: ClassSet = ClassSet::new(
    "ClusterPipeline.SLOT_REDIRECT_ERRORS",
    &[AskError::CLASS, MovedError::CLASS],
);

/// A `try`/`except` chain over an error: clauses are tried in order, the
/// first whose class (or one of whose classes) the error is an instance of
/// runs, and its value comes back as `Ok`. No match hands the error back as
/// `Err`, ready to re-raise with `?`.
///
/// Clause forms, as in Python:
///
/// | Python | `except!` clause | `e` is |
/// |---|---|---|
/// | `except MovedError as e:` | `MovedError as e => ...` | `MovedError` (a view for subclasses) |
/// | `except (ConnectionError, TimeoutError) as e:` | `(ConnectionError, TimeoutError) as e => ...` | [`Error`] |
/// | `except ResponseError:` | `ResponseError => ...` | |
/// | `except SET as e:` (a tuple) | `in SET as e => ...` for a [`ClassSet`] | [`Error`] |
///
/// Bodies are plain expressions (not closures): `return`, `break`,
/// `continue` and `?` work as in the surrounding function.
///
/// ```
/// use redis_exceptions::{except, parse_error, ConnectionError, Error, MovedError, RedisErrorExt};
/// use redis_exceptions::{ResponseError, TimeoutError};
///
/// fn handle(err: Error) -> Result<String, Error> {
///     except!(err,
///         MovedError as e => format!("redirect to {}", e.redirect().unwrap().addr().unwrap()),
///         (ConnectionError, TimeoutError) as e => format!("retry after {e}"),
///         redis_exceptions::AskError => "ask".to_owned(),
///     )
/// }
///
/// assert_eq!(handle(parse_error("MOVED 1 [::1]:7000")).unwrap(), "redirect to [::1]:7000");
/// assert_eq!(handle(TimeoutError::new("Timeout").into()).unwrap(), "retry after Timeout");
/// let unmatched = handle(parse_error("WRONGTYPE Operation")).unwrap_err();
/// assert!(unmatched.is::<ResponseError>());
/// ```
#[macro_export]
macro_rules! except {
    ($err:expr, $($clauses:tt)*) => {{
        let __error: $crate::Error = ::core::convert::Into::into($err);
        $crate::__except_clauses!(__error; $($clauses)*)
    }};
}

/// A clause's value; a body may diverge (`continue`, `return`).
#[doc(hidden)]
#[macro_export]
macro_rules! __except_ok {
    ($body:expr) => {{
        #[allow(
            unreachable_code,
            clippy::diverging_sub_expression,
            reason = "a clause body may diverge"
        )]
        let __value = ::core::result::Result::<_, $crate::Error>::Ok($body);
        #[allow(unreachable_code, reason = "a clause body may diverge")]
        __value
    }};
}

/// The clauses of [`except!`], one at a time.
#[doc(hidden)]
#[macro_export]
macro_rules! __except_clauses {
    ($err:ident; $(,)?) => {
        ::core::result::Result::<_, $crate::Error>::Err($err)
    };
    ($err:ident; in $set:path as $e:ident => $body:expr $(, $($rest:tt)*)?) => {
        if $set.matches(&$err) {
            let $e: $crate::Error = $err;
            $crate::__except_ok!($body)
        } else {
            $crate::__except_clauses!($err; $($($rest)*)?)
        }
    };
    ($err:ident; ($($class:path),+ $(,)?) as $e:ident => $body:expr $(, $($rest:tt)*)?) => {
        if false $(|| $err.is_a::<$class>())+ {
            let $e: $crate::Error = $err;
            $crate::__except_ok!($body)
        } else {
            $crate::__except_clauses!($err; $($($rest)*)?)
        }
    };
    ($err:ident; ($($class:path),+ $(,)?) => $body:expr $(, $($rest:tt)*)?) => {
        if false $(|| $err.is_a::<$class>())+ {
            $crate::__except_ok!($body)
        } else {
            $crate::__except_clauses!($err; $($($rest)*)?)
        }
    };
    ($err:ident; $class:path as $e:ident => $body:expr $(, $($rest:tt)*)?) => {
        match $err.except::<$class>() {
            ::core::result::Result::Ok($e) => $crate::__except_ok!($body),
            ::core::result::Result::Err($err) => $crate::__except_clauses!($err; $($($rest)*)?),
        }
    };
    ($err:ident; $class:path => $body:expr $(, $($rest:tt)*)?) => {
        if $err.is_a::<$class>() {
            $crate::__except_ok!($body)
        } else {
            $crate::__except_clauses!($err; $($($rest)*)?)
        }
    };
}
