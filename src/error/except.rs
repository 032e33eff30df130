//! Python's `try`/`except` in Rust: the `except!` macro, `Error::except`,
//! and named class sets that mirror redis-py's retry policies.

use std::error::Error as StdError;
use std::fmt;
use std::marker::PhantomData;

use crate::class::hierarchy::for_each_class;
use crate::class::Class;
use crate::error::chain::carried;
use crate::error::erased::{Carrier, Error};
use crate::error::structs::*;
use crate::error::traits::{ExceptionClass, RedisErrorExt};

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

/// What [`except!`](crate::except!) can match on: this crate's [`Error`], any class
/// struct, what converts into an [`Error`] (`std::io::Error`, and the
/// `redis`/`fred` errors with their features), `Box<dyn Error (+ Send +
/// Sync)>`, and `anyhow::Error` (feature `anyhow`).
///
/// For a boxed or anyhow error, the clauses look at the exception of this
/// crate it holds (an [`Error`] or a class struct; for anyhow also under
/// `.context(...)` layers), or, with the features `redis`/`redis2`/`fred`,
/// at the `redis::RedisError` or `fred::error::Error` that `?` put there,
/// seen as the class it converts to; an error no clause matches is handed
/// back as it came, of its own type. An exception deeper in the `source()`
/// chain is not matched, as Python's `except` does not look at
/// `__cause__`: find it with [`find`](crate::find) and match
/// `found.to_error()`.
#[diagnostic::on_unimplemented(
    message = "`except!` cannot match on `{Self}`",
    label = "not an error `except!` can look into",
    note = "`except!` takes a `redis_exceptions::Error`, a class struct, a type that converts into `Error`, a `Box<dyn std::error::Error (+ Send + Sync)>`, or an `anyhow::Error` (feature `anyhow`)",
    note = "for an exception inside another error, use `redis_exceptions::find(&err).map(|e| e.to_error())` and match that"
)]
pub trait Catch: Sized {
    /// What the clauses look at.
    #[doc(hidden)]
    type Subject: Subject;

    #[doc(hidden)]
    fn __subject(self) -> Self::Subject;
}

impl<E: Into<Error>> Catch for E {
    type Subject = Error;

    #[inline]
    fn __subject(self) -> Error {
        self.into()
    }
}

/// The clauses' side of [`Catch`]; not part of the API.
#[doc(hidden)]
pub trait Subject: Sized {
    /// What an unmatched error is handed back as.
    type Rest: From<Error>;

    /// `isinstance(subject, T)`.
    fn __is_a<T: ExceptionClass>(&self) -> bool;

    /// `isinstance(subject, set)`.
    fn __in(&self, set: &ClassSet) -> bool;

    /// The exception, owned (after a clause matched).
    fn __take(self) -> Result<Error, Self::Rest>;

    /// The error handed back unmatched.
    fn __rest(self) -> Self::Rest;
}

impl Subject for Error {
    type Rest = Error;

    #[inline]
    fn __is_a<T: ExceptionClass>(&self) -> bool {
        self.is_a::<T>()
    }

    #[inline]
    fn __in(&self, set: &ClassSet) -> bool {
        set.matches(self)
    }

    #[inline]
    fn __take(self) -> Result<Error, Error> {
        Ok(self)
    }

    #[inline]
    fn __rest(self) -> Error {
        self
    }
}

/// `downcast` of a boxed error, for both trait objects `except!` takes.
pub(crate) trait DowncastBox: Sized {
    fn downcast_box<T: StdError + 'static>(self) -> Result<Box<T>, Self>;
    fn as_error(&self) -> &(dyn StdError + 'static);
}

impl DowncastBox for Box<dyn StdError + Send + Sync> {
    fn downcast_box<T: StdError + 'static>(self) -> Result<Box<T>, Self> {
        self.downcast::<T>()
    }
    fn as_error(&self) -> &(dyn StdError + 'static) {
        &**self
    }
}

impl DowncastBox for Box<dyn StdError> {
    fn downcast_box<T: StdError + 'static>(self) -> Result<Box<T>, Self> {
        self.downcast::<T>()
    }
    fn as_error(&self) -> &(dyn StdError + 'static) {
        &**self
    }
}

/// Takes a built-in class struct by value out of a box, by the class's
/// index; the box back when it holds another type.
macro_rules! take_by_index {
    ($($name:ident),*) => {
        fn take_builtin<B: DowncastBox>(index: usize, boxed: B) -> Result<Error, B> {
            let takes: [fn(B) -> Result<Error, B>; [$(stringify!($name)),*].len()] =
                [$(|b| b.downcast_box::<$name>().map(|e| Error::from(*e))),*];
            match takes.get(index) {
                Some(take) => take(boxed),
                None => Err(boxed),
            }
        }
    };
}

for_each_class!(names: take_by_index);

/// The exception a box holds, by value: an [`Error`] or a built-in class
/// struct as it is; a user class struct as a copy, without its cause.
pub(crate) fn take_boxed<B: DowncastBox>(boxed: B) -> Result<Error, B> {
    let boxed = match boxed.downcast_box::<Error>() {
        Ok(e) => return Ok(*e),
        Err(other) => other,
    };
    match carried(boxed.as_error()) {
        Some((Some(Carrier::Builtin(index)), _)) => take_builtin(index, boxed),
        Some((_, found)) => Ok(found.to_error()),
        None => Err(boxed),
    }
}

/// The type of the error `except!` hands back, for inference; not part of
/// the API.
#[doc(hidden)]
pub fn except_hint<S: Subject>(_: &S) -> PhantomData<S::Rest> {
    PhantomData
}

/// A clause's value as the chain's result; not part of the API.
#[doc(hidden)]
#[inline(always)]
pub fn except_ok<T, R>(_: PhantomData<R>, value: T) -> Result<T, R> {
    Ok(value)
}

/// A matched error that could not be taken, handed back; not part of the
/// API (it does not happen: a clause only runs after its test passed).
#[doc(hidden)]
pub fn except_back<R: From<Error>>(_: PhantomData<R>, e: Error) -> R {
    R::from(e)
}

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
/// | `except:` (last) | `_ => ...` | |
/// | `except BaseException as e:` (last) | `_ as e => ...` | the error as it came (an [`Error`] for this crate's errors) |
///
/// Bodies are plain expressions (not closures): `return`, `break`,
/// `continue` and `?` work as in the surrounding function.
///
/// The error may be anything [`Catch`] takes: an [`Error`], a class struct
/// or what converts into an [`Error`] (the result's `Err` is then an
/// [`Error`]), a `Box<dyn Error (+ Send + Sync)>` or an `anyhow::Error`
/// (feature `anyhow`), handed back unchanged when no clause matches.
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
///
/// // A boxed error: matched when it holds an exception of this crate,
/// // handed back as it came otherwise; `_` catches the rest.
/// let boxed: Box<dyn std::error::Error + Send + Sync> = Box::new(parse_error("MOVED 1 h:1"));
/// let slot = except!(boxed, MovedError as e => e.slot_id()).unwrap();
/// assert_eq!(slot, Some(1));
/// let other: Box<dyn std::error::Error + Send + Sync> = "not redis".into();
/// let r: Result<&str, _> = except!(other, MovedError => "moved");
/// assert_eq!(r.unwrap_err().to_string(), "not redis");
/// let other: Box<dyn std::error::Error + Send + Sync> = "not redis".into();
/// assert_eq!(except!(other, MovedError => "moved", _ => "anything else").unwrap(), "anything else");
/// ```
///
/// A type `except!` cannot look into is a compile error that says so:
///
/// ```compile_fail
/// let err = String::from("boom");
/// let _ = redis_exceptions::except!(err, redis_exceptions::ResponseError => ());
/// // error: `except!` cannot match on `String`
/// ```
#[macro_export]
macro_rules! except {
    ($err:expr, $($clauses:tt)*) => {{
        let __subject = $crate::Catch::__subject($err);
        let __hint = $crate::__private::except_hint(&__subject);
        $crate::__except_clauses!(__subject, __hint; $($clauses)*)
    }};
}

/// A clause's value; a body may diverge (`continue`, `return`).
#[doc(hidden)]
#[macro_export]
macro_rules! __except_ok {
    ($hint:ident, $body:expr) => {{
        #[allow(
            unreachable_code,
            clippy::diverging_sub_expression,
            reason = "a clause body may diverge"
        )]
        let __value = $crate::__private::except_ok($hint, $body);
        #[allow(unreachable_code, reason = "a clause body may diverge")]
        __value
    }};
}

/// Takes the matched error and binds it as an [`Error`].
#[doc(hidden)]
#[macro_export]
macro_rules! __except_take {
    ($s:ident, $hint:ident, $e:ident => $body:expr) => {
        match $crate::__private::Subject::__take($s) {
            ::core::result::Result::Ok($e) => $crate::__except_ok!($hint, $body),
            ::core::result::Result::Err(__rest) => ::core::result::Result::Err(__rest),
        }
    };
}

/// The clauses of [`except!`](crate::except!), one at a time.
#[doc(hidden)]
#[macro_export]
macro_rules! __except_clauses {
    ($s:ident, $hint:ident; $(,)?) => {
        ::core::result::Result::Err($crate::__private::Subject::__rest($s))
    };
    ($s:ident, $hint:ident; _ => $body:expr $(,)?) => {{
        ::core::mem::drop($s);
        $crate::__except_ok!($hint, $body)
    }};
    ($s:ident, $hint:ident; _ as $e:ident => $body:expr $(,)?) => {{
        let $e = $crate::__private::Subject::__rest($s);
        $crate::__except_ok!($hint, $body)
    }};
    ($s:ident, $hint:ident; _ $(as $e:ident)? => $body:expr, $($rest:tt)+) => {
        ::core::compile_error!("`_` catches every error: it must be the last clause of `except!`")
    };
    ($s:ident, $hint:ident; in $set:path as $e:ident => $body:expr $(, $($rest:tt)*)?) => {
        if $crate::__private::Subject::__in(&$s, &$set) {
            $crate::__except_take!($s, $hint, $e => $body)
        } else {
            $crate::__except_clauses!($s, $hint; $($($rest)*)?)
        }
    };
    ($s:ident, $hint:ident; ($($class:path),+ $(,)?) as $e:ident => $body:expr $(, $($rest:tt)*)?) => {
        if false $(|| $crate::__private::Subject::__is_a::<$class>(&$s))+ {
            $crate::__except_take!($s, $hint, $e => $body)
        } else {
            $crate::__except_clauses!($s, $hint; $($($rest)*)?)
        }
    };
    ($s:ident, $hint:ident; ($($class:path),+ $(,)?) => $body:expr $(, $($rest:tt)*)?) => {
        if false $(|| $crate::__private::Subject::__is_a::<$class>(&$s))+ {
            $crate::__except_ok!($hint, $body)
        } else {
            $crate::__except_clauses!($s, $hint; $($($rest)*)?)
        }
    };
    ($s:ident, $hint:ident; $class:path as $e:ident => $body:expr $(, $($rest:tt)*)?) => {
        if $crate::__private::Subject::__is_a::<$class>(&$s) {
            match $crate::__private::Subject::__take($s) {
                ::core::result::Result::Ok(__error) => match __error.except::<$class>() {
                    ::core::result::Result::Ok($e) => $crate::__except_ok!($hint, $body),
                    ::core::result::Result::Err(__error) => ::core::result::Result::Err(
                        $crate::__private::except_back($hint, __error),
                    ),
                },
                ::core::result::Result::Err(__rest) => ::core::result::Result::Err(__rest),
            }
        } else {
            $crate::__except_clauses!($s, $hint; $($($rest)*)?)
        }
    };
    ($s:ident, $hint:ident; $class:path => $body:expr $(, $($rest:tt)*)?) => {
        if $crate::__private::Subject::__is_a::<$class>(&$s) {
            $crate::__except_ok!($hint, $body)
        } else {
            $crate::__except_clauses!($s, $hint; $($($rest)*)?)
        }
    };
}
