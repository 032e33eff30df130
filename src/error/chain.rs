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
/// # A client's own error in the chain
///
/// A `redis::RedisError` or `fred::error::Error` is not an exception of this
/// crate until it is converted, and `find` only borrows: it does not see
/// one. Convert it where it comes out of the client (`Error::from`, `?`
/// into a function returning [`Error`], or `Error::from_redis_error(&e)` /
/// `Error::from_fred_error(&e)` by reference); `except!` on an
/// `anyhow::Error` that holds one does convert it (features `anyhow` and
/// `redis`/`fred`).
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
pub fn find<'a>(err: &'a (dyn StdError + 'static)) -> Option<&'a dyn RedisErrorExt> {
    for e in Links::new(err) {
        if let Some(found) = exception_of(e) {
            return Some(found);
        }
    }
    None
}

/// The link after `e`: for an `io::Error` wrapping another error, the
/// inner error (whose `source()` the `io::Error` reports as its own), else
/// `source()`.
fn next_link<'a>(e: &'a (dyn StdError + 'static)) -> Option<&'a (dyn StdError + 'static)> {
    match e
        .downcast_ref::<std::io::Error>()
        .and_then(|io| io.get_ref())
    {
        Some(inner) => Some(inner),
        None => e.source(),
    }
}

/// The links of a chain, each at least once, ending at the end of the
/// chain or at the first link seen again (Brent's cycle detection: `mark` is a link
/// passed earlier, moved forward at powers of two).
struct Links<'a> {
    next: Option<&'a (dyn StdError + 'static)>,
    mark: Option<*const (dyn StdError + 'static)>,
    power: usize,
    steps: usize,
}

impl<'a> Links<'a> {
    fn new(first: &'a (dyn StdError + 'static)) -> Self {
        Links {
            next: Some(first),
            mark: None,
            power: 1,
            steps: 0,
        }
    }
}

impl<'a> Iterator for Links<'a> {
    type Item = &'a (dyn StdError + 'static);

    fn next(&mut self) -> Option<Self::Item> {
        let e = self.next.take()?;
        let here: *const (dyn StdError + 'static) = e;
        if self.mark.is_some_and(|m| std::ptr::eq(m, here)) {
            // Back at a link already returned: the rest is a cycle.
            return None;
        }
        if self.steps == self.power {
            self.mark = Some(here);
            self.power = self.power.saturating_mul(2);
            self.steps = 0;
        }
        self.steps += 1;
        self.next = next_link(e);
        Some(e)
    }
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
