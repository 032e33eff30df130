//! Finding this crate's errors inside other error types.

use std::error::Error as StdError;

use crate::class::Class;
use crate::error::{ClassHooks, Error};
use crate::traits::RedisErrorExt;

/// The first exception of this crate in `err`'s chain (`err` itself, then
/// each `source()`), as a trait object: works on what a library returned
/// through `Box<dyn Error>`, `anyhow::Error` or `std::io::Error::other`.
///
/// It recognises the erased [`Error`], every built-in class struct, and
/// user classes registered with [`Class::register`]; it also looks inside
/// `std::io::Error`s that wrap another error (whose `source()` skips it).
///
/// ```
/// use redis_exceptions::{find, parse_error, ConnectionError, ResponseError};
///
/// let boxed: Box<dyn std::error::Error + Send + Sync> =
///     Box::new(std::io::Error::other(parse_error("NOAUTH Authentication required.")));
/// let found = find(&*boxed).expect("inside the io::Error");
/// assert!(found.is_a::<ConnectionError>() && !found.is_a::<ResponseError>());
/// ```
pub fn find<'a>(err: &'a (dyn StdError + 'static)) -> Option<&'a dyn RedisErrorExt> {
    let mut known: Option<Vec<&'static Class>> = None;
    let mut next = Some(err);
    while let Some(e) = next {
        if let Some(found) = cast(e, &mut known) {
            return Some(found);
        }
        if let Some(inner) = e
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
        {
            let inner: &(dyn StdError + 'static) = inner;
            if let Some(found) = find(inner) {
                return Some(found);
            }
        }
        next = e.source();
    }
    None
}

fn cast<'a>(
    e: &'a (dyn StdError + 'static),
    known: &mut Option<Vec<&'static Class>>,
) -> Option<&'a dyn RedisErrorExt> {
    if let Some(erased) = e.downcast_ref::<Error>() {
        return Some(erased.as_dyn());
    }
    known
        .get_or_insert_with(Class::known)
        .iter()
        .find_map(|class| (ClassHooks::of(class).cast)(e))
}
