//! Finding this crate's errors inside other error types.

use std::error::Error as StdError;

use crate::class::Class;
use crate::error::erased::{Carrier, Error};
use crate::error::traits::RedisErrorExt;

/// The first exception of this crate in `err`'s chain (`err` itself, then
/// each `source()`), as a trait object: works on what a library returned
/// through `Box<dyn Error>`, `anyhow::Error` or `std::io::Error::other`.
///
/// It recognises the erased [`Error`], every built-in class struct, and
/// user classes registered with [`Class::register`]; it also looks inside
/// `std::io::Error`s that wrap another error (whose `source()` skips it).
/// The walk is a loop, not a recursion: any depth of nesting is fine.
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
pub fn find<'a>(err: &'a (dyn StdError + 'static)) -> Option<&'a dyn RedisErrorExt> {
    let mut next = Some(err);
    while let Some(e) = next {
        if let Some(found) = exception_of(e) {
            return Some(found);
        }
        // An `io::Error` wrapping another error reports the inner error's
        // `source()` as its own: the inner error is the next link.
        next = match e
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
        {
            Some(inner) => Some(inner),
            None => e.source(),
        };
    }
    None
}

/// The exception of this crate that `e` itself is (not its sources).
pub(crate) fn exception_of<'a>(e: &'a (dyn StdError + 'static)) -> Option<&'a dyn RedisErrorExt> {
    carried(e).map(|(_, found)| found)
}

/// The exception `e` itself is, and the struct that carries it: the erased
/// [`Error`], then each known class's struct (built-in, then registered),
/// in one loop that allocates nothing.
pub(crate) fn carried<'a>(
    e: &'a (dyn StdError + 'static),
) -> Option<(Option<Carrier>, &'a dyn RedisErrorExt)> {
    if let Some(erased) = e.downcast_ref::<Error>() {
        return Some((None, erased.as_dyn()));
    }
    Class::find_known(|class| {
        let carrier = Carrier::of(class);
        carrier.cast(e).map(|found| (Some(carrier), found))
    })
}
