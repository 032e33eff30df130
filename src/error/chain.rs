//! Finding this crate's errors inside other error types.

use std::error::Error as StdError;

use crate::class::Class;
use crate::error::erased::{Carrier, Error};
use crate::error::traits::RedisErrorExt;

/// The links of `err`'s chain, each at least once: `err` itself, then each
/// `source()` (for an `io::Error` wrapping another error, that error),
/// stopping at the end or where the chain loops.
///
/// A chain can loop (an error whose `source()` is itself, or an earlier
/// link): a cycle is detected by pointer identity (a link is the same
/// `&dyn Error`, data pointer and vtable, as one seen before; Brent's
/// algorithm, no allocation), having returned every link of the cycle at
/// least once. A chain of `n` distinct links, cyclic or not, costs at most
/// `3n + 2` steps, one `source()` call each.
pub(crate) fn links<'a>(
    err: &'a (dyn StdError + 'static),
) -> impl Iterator<Item = &'a (dyn StdError + 'static)> {
    Links::new(err)
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
