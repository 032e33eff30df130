//! A client's error seen as the class it converts to: [`find`] over a
//! `source()` chain and [`except!`](crate::except!) on a boxed error, for
//! `redis::RedisError` (features `redis`, `redis2`) and `fred::error::Error`
//! (feature `fred`). Here, above the error layer, because the conversions
//! are the integrations' own; without those features only this crate's
//! exceptions are seen.

use std::borrow::Cow;
use std::error::Error as StdError;

use crate::error::chain::{exception_of, links};
use crate::error::erased::Error;
use crate::error::except::{take_boxed, Catch, ClassSet, Subject};
use crate::error::traits::{ExceptionClass, RedisErrorExt};

/// Something a client's error can be taken out of by type: a `dyn Error`
/// (`downcast_ref`), or an `anyhow::Error`, whose own `downcast_ref` also
/// sees through `.context(...)` layers.
#[cfg_attr(
    not(any(feature = "redis", feature = "redis2", feature = "fred")),
    allow(dead_code)
)]
pub(crate) trait Downcast {
    /// The error of type `T` held here, if any.
    fn get<T: StdError + Send + Sync + 'static>(&self) -> Option<&T>;
}

impl Downcast for dyn StdError + 'static {
    fn get<T: StdError + Send + Sync + 'static>(&self) -> Option<&T> {
        self.downcast_ref::<T>()
    }
}

/// The class a client's error converts to, when `e` itself (not its
/// sources) is one: `redis::RedisError` of redis-rs 1.x (feature `redis`)
/// or 2.0 (feature `redis2`), or `fred::error::Error` (feature `fred`).
/// The converted error keeps the client's error as its `source()`.
pub(crate) fn client_error<D: Downcast + ?Sized>(e: &D) -> Option<Error> {
    #[cfg(feature = "redis")]
    if let Some(err) = e.get::<redis::RedisError>() {
        return Some(Error::from_redis_error(err));
    }
    #[cfg(feature = "redis2")]
    if let Some(err) = e.get::<redis2::RedisError>() {
        return Some(Error::from_redis2_error(err));
    }
    #[cfg(feature = "fred")]
    if let Some(err) = e.get::<fred::error::Error>() {
        return Some(Error::from_fred_error(err));
    }
    let _ = e;
    None
}

/// The first exception of this crate in `err`'s chain (`err` itself, then
/// each `source()`): works on what a library returned through
/// `Box<dyn Error>`, `anyhow::Error` or `std::io::Error::other`. Borrowed
/// from the chain ([`Cow::Borrowed`]), or, for a client's error, converted
/// ([`Cow::Owned`], see below); either way it reads as a
/// `dyn RedisErrorExt`, and `into_owned()` gives an [`Error`].
///
/// It recognises the erased [`Error`], every built-in class struct, and
/// user classes registered with [`Class::register`](crate::Class::register);
/// it also looks inside `std::io::Error`s that wrap another error (whose
/// `source()` skips it). The walk is a loop, not a recursion: any depth of
/// nesting is fine.
///
/// ```
/// use redis_exceptions::{find, parse_error, ConnectionError, ResponseError};
///
/// let boxed: Box<dyn std::error::Error + Send + Sync> =
///     Box::new(std::io::Error::other(parse_error("NOAUTH Authentication required.")));
/// let found = find(&*boxed).expect("inside the io::Error");
/// assert!(found.is_a::<ConnectionError>() && !found.is_a::<ResponseError>());
/// ```
///
/// # A client's own error in the chain
///
/// With the features `redis` (redis-rs 1.x), `redis2` (redis-rs 2.0) or
/// `fred`, a `redis::RedisError` or `fred::error::Error` in the chain
/// (held directly, in an `io::Error::other`, or as any link's `source()`)
/// counts as the class it converts to (`Error::from_redis_error(&e)`,
/// `Error::from_redis2_error(&e)`, `Error::from_fred_error(&e)`): a
/// `MOVED` that reached a `Box<dyn Error>` from redis-rs through `?` is
/// found as a `MovedError`, converted on the spot, with the client's error
/// as its `source()`. An exception of this crate earlier in the chain comes
/// first. Without these features a client's error is not seen.
///
/// ```
/// # #[cfg(feature = "redis")] {
/// use std::borrow::Cow;
/// use redis_exceptions::{find, MovedError, RedisErrorExt};
///
/// fn get() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
///     redis::parse_redis_value(b"-MOVED 3999 127.0.0.1:6381\r\n")?.extract_error()?;
///     Ok(())
/// }
/// let err = get().unwrap_err();
/// let found = find(&*err).expect("redis-rs's error, converted");
/// assert!(matches!(found, Cow::Owned(_)) && found.is_a::<MovedError>());
/// assert_eq!(found.downcast_ref::<MovedError>().unwrap().port(), Some(6381));
/// # }
/// ```
///
/// # Wrappers that hide the error: thiserror's `#[error(transparent)]`
///
/// `find` sees what `source()` hands out, and a transparent variant hands
/// out nothing of itself: `#[error(transparent)] Redis(Error)` forwards both
/// `Display` *and* `source()` to the wrapped error, so the chain goes from
/// the wrapper straight to the wrapped error's own cause and this crate's
/// error is never in it. `find` returns `None` (or a deeper error of this
/// crate, such as the cause of the hidden one).
///
/// It cannot be detected from outside: through `std::error::Error` a
/// transparent wrapper is indistinguishable from an error with the same
/// text and cause, so `find` cannot tell that it skipped anything.
///
/// What works: keep the error as the variant's source, with a message of
/// the wrapper's own,
///
/// ```text
/// #[derive(Debug, thiserror::Error)]
/// enum AppError {
///     #[error("redis: {0}")]
///     Redis(#[from] redis_exceptions::Error),     // or #[source]
/// }
/// ```
///
/// (`#[from]` implies `#[source]`: `source()` returns the error, and `find`
/// gets it). With a transparent variant, match the variant itself
/// (`AppError::Redis(e) => ...`) instead of calling `find`.
///
/// # Cycles
///
/// A `source()` chain can loop (an error whose `source()` is itself, or an
/// earlier link). The walk detects a cycle by pointer identity (a link is
/// the same `&dyn Error`, data pointer and vtable, as one seen before;
/// Brent's algorithm, no allocation) and stops there, having checked every
/// link of the cycle at least once. A chain of `n` distinct links, cyclic
/// or not, costs at most `3n + 2` steps, one `source()` call each. There is
/// no bound on the length of a chain that does not loop.
///
/// ```
/// use redis_exceptions::find;
///
/// #[derive(Debug)]
/// struct Loop;
/// impl std::fmt::Display for Loop {
///     fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
///         f.write_str("loop")
///     }
/// }
/// impl std::error::Error for Loop {
///     fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
///         Some(self)
///     }
/// }
/// assert!(find(&Loop).is_none());
/// ```
pub fn find<'a>(err: &'a (dyn StdError + 'static)) -> Option<Cow<'a, dyn RedisErrorExt>> {
    links(err).find_map(|e| match exception_of(e) {
        Some(found) => Some(Cow::Borrowed(found)),
        None => client_error(e).map(Cow::Owned),
    })
}

/// A `Box<dyn Error (+ Send + Sync)>` under `except!`, with the client
/// error it holds converted; not part of the API.
#[doc(hidden)]
pub struct BoxSubject<B> {
    err: B,
    client: Option<Error>,
}

impl<B> BoxSubject<B> {
    fn new(err: B, as_error: impl Fn(&B) -> &(dyn StdError + 'static)) -> Self {
        // A client's error is converted once, when the box does not hold an
        // exception of this crate (which the clauses look at first).
        let e = as_error(&err);
        let client = match exception_of(e) {
            Some(_) => None,
            None => client_error(e),
        };
        BoxSubject { err, client }
    }
}

/// `Box<dyn Error>` with and without `Send + Sync`.
macro_rules! boxed_subject {
    ($($dyn:ty),*) => {$(
        impl Catch for Box<$dyn> {
            type Subject = BoxSubject<Self>;

            fn __subject(self) -> BoxSubject<Self> {
                BoxSubject::new(self, |b| &**b)
            }
        }

        impl BoxSubject<Box<$dyn>> {
            fn exception(&self) -> Option<&dyn RedisErrorExt> {
                match &self.client {
                    Some(e) => Some(e.as_dyn()),
                    None => exception_of(&*self.err),
                }
            }
        }

        impl Subject for BoxSubject<Box<$dyn>> {
            type Rest = Box<$dyn>;

            fn __is_a<T: ExceptionClass>(&self) -> bool {
                self.exception().is_some_and(|e| e.is_a::<T>())
            }

            fn __in(&self, set: &ClassSet) -> bool {
                self.exception().is_some_and(|e| set.matches(e))
            }

            fn __take(self) -> Result<Error, Box<$dyn>> {
                match self.client {
                    // The converted error keeps the client's error as `source()`.
                    Some(e) => Ok(e),
                    // A user class struct: a copy, without its cause.
                    None => take_boxed(self.err),
                }
            }

            fn __rest(self) -> Box<$dyn> {
                self.err
            }
        }
    )*};
}

boxed_subject!(dyn StdError + Send + Sync, dyn StdError);
