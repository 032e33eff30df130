//! redis-py's exception hierarchy in Rust, class for class, and the
//! server-error parser that goes with it: redis-py 8.2.0 by default, every
//! minor release from 5.0 through [`RedisPy`], and valkey-py through
//! [`ValkeyPy`].
//!
//! See the README for the guide; the API in brief:
//!
//! * one struct per Python class, same names ([`MovedError`],
//!   [`ConnectionError`], ...), all implementing [`RedisErrorExt`];
//! * [`is_a`](Error::is_a) is Python's `isinstance` over the MRO
//!   (multiple inheritance included), [`Class`] gives `__bases__`,
//!   `__mro__` and `issubclass`;
//! * [`Error`] holds any class, one pointer wide, and downcasts back;
//! * [`parse_error`] is redis-py's `BaseParser.parse_error`, [`classify`]
//!   its allocation-free core, [`parse_frame`] the RESP-level entry;
//! * [`construct`] / [`Class::call`] build an instance by class name with
//!   Python's call semantics;
//! * [`RedisPy::V5_2`](RedisPy)`.parse_error(..)` and `.cluster()` classify
//!   as an older release's parsers do; an instance's attributes
//!   (`status_code`, `error_type`, `repr`) are the newest release's.
//!
//! ```
//! use redis_exceptions::{parse_error, ConnectionError, MovedError, RedisErrorExt, ResponseError};
//!
//! let e = parse_error("MOVED 3999 127.0.0.1:6381");
//! assert!(e.is_a::<ResponseError>() && !e.is_a::<ConnectionError>());
//! if let Some(moved) = e.downcast_ref::<MovedError>() {
//!     assert_eq!(moved.node_addr(), Some(("127.0.0.1", 6381)));
//! }
//! assert_eq!(e.py_repr(), "server:MovedError");
//! ```
//!
//! # Differences from redis-py
//!
//! Every deliberate difference, in one place:
//!
//! 1. **Malformed `ASK`/`MOVED` payloads do not raise.** redis-py's
//!    `parse_error` raises `ValueError` from inside `AskError.__init__` for
//!    `MOVED`, `MOVED 3999`, `MOVED x h:1`, a double space or a trailing
//!    space. [`parse_error`] (and `MovedError::new`) return the class the
//!    server named, with the message kept, `status_code` set, and
//!    [`RedisErrorExt::redirect`] `None`: a reply is never lost to a crash.
//!    [`Class::call`] / [`construct`] keep Python's behaviour and return the
//!    `ValueError`.
//! 2. **Integers are bounded.** redis-py's `slot_id` and `port` are Python
//!    ints (up to CPython's 4,300-digit conversion limit, which this crate
//!    applies too); [`Redirect::slot_id`] and [`Redirect::port`] are
//!    `u16` and `None` when the value does not fit (the text is kept, see
//!    [`Redirect::slot_text`]). `getattr` gives `int` values within `i64`
//!    (beyond it, the decimal text `str(int(...))` would print). A redirect payload over 4 GiB is not parsed.
//! 3. **Bytes are kept.** redis-py decodes replies with replacement and the
//!    original bytes are gone; [`parse_error_bytes`] decodes the same way
//!    and keeps the bytes ([`RedisErrorExt::reply`]).
//! 4. **`status_code` is text.** A non-`str` `status_code=` argument is
//!    stored as its `str()`.
//! 5. **No class-creation time.** Python refuses a class whose bases admit no
//!    C3 order when the class statement runs; a Rust struct exists at
//!    compile time, so [`Class::try_mro`] reports that `TypeError` and
//!    [`Class::mro`] falls back to a depth-first order.
//! 6. **Builder methods are lenient.** `with_status_code` on a class whose
//!    `__init__` takes no `status_code` (the builtins, the
//!    `RedisClusterException` family) is a no-op where Python raises
//!    `TypeError`; [`Class::call`] raises it.
//! 7. **Causes are not cloned.** `Clone` on an error drops its `source()`,
//!    and so does `to_error` ([`Error::to_error`]).
//! 8. **Python values outside `PyValue`** (feature `pyo3`). An exception
//!    coming from Python keeps `None`, `str`, `bytes` and `int` (within
//!    `i64`) arguments and attributes as they are; any other value (a
//!    `float`, a `bool`, a larger `int`, an object) becomes its `str()`.
//!    A `str` with lone surrogates (`'\ud800x'`), which a Rust `String`
//!    cannot hold, gets one U+FFFD for each of them.
//!    The original exception is kept as `source()` and, while the Rust
//!    error is unchanged (same values, same cause), is what goes back to
//!    Python; an equal error built in Rust with that exception as its
//!    cause (`raise ResponseError('boom') from e`) is a new exception.
//! 9. **Half-built Python instances** (feature `pyo3`). For an error that
//!    redis-py's `__init__` would refuse (difference 1, or arguments set on
//!    the instance afterwards), the Python instance is the one that
//!    `__init__` had built when it raised: for `AskError`/`MovedError`,
//!    `args`, `error_type`, `status_code` and `message`, without `slot_id`,
//!    `host`, `port` and `node_addr`. Only the `ValueError` that
//!    `AskError.__init__` raises for a payload the Rust instance could not
//!    parse either leads there (and an argument count the `__init__`
//!    signature cannot take, which is known without calling it); anything
//!    else raised in `__init__` (`KeyboardInterrupt`, `MemoryError`, a
//!    patched class's error) is returned as the conversion's `Err`.
//! 10. **An I/O error without its phase gets the one it implies.** redis-py
//!     always knows whether it was connecting, reading or writing;
//!     `From<std::io::Error>` (and the `redis` feature's `From`) does not,
//!     so a refused connection is reported as connecting, with `server` in
//!     place of the address it does not know (`Error 111 connecting to
//!     server. Connection refused.`), a broken pipe as writing, anything else
//!     as a read from the socket buffer ([`IoPhase::Socket`]).
//! 11. **Long values are quoted as excerpts.** `Debug` of an error, and the
//!     messages of a refused deserialization (feature `serde`; the Python
//!     helper quotes whole values), show a long `str` or `bytes` as its
//!     first 200 bytes and its length, and at most 8 values of a list.
//!     Python's own messages keep CPython's bound (`int()` quotes 200
//!     characters of the repr).
//! 12. **Equality is by value.** Python's exceptions compare by identity;
//!     `==` on [`Error`] and the class structs compares the class, `args`
//!     and the attributes redis-py sets (`status_code`, `error_type`,
//!     `lock_name`), not the cause, nor the raw bytes of a reply that was
//!     not UTF-8 (two such replies that decode to the same text are equal;
//!     [`RedisErrorExt::reply`] tells them apart).
//! 13. **An `error_type` that is not an `ExceptionType` member** (feature
//!     `pyo3`): an exception from Python whose `error_type` has no
//!     `.value` (a plain `str`, or deleted) comes back with
//!     [`RedisErrorExt::error_type`] `None`. Python's `repr()` of it raises
//!     `AttributeError`; [`RedisErrorExt::py_repr`], which cannot fail,
//!     gives the `BaseException` form, `ResponseError('x')`.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod class;
mod error;
mod instance;
mod integrations;
mod parse;
mod pyrt;

pub use class::{
    Class, ExceptionType, MroError, Next, PyClient, Reaction, RedisPy, Refresh, Sleep, ValkeyPy,
    VersionError,
};
pub use error::chain::find;
pub use error::context::{RedisResultExt, Selector};
pub use error::erased::Error;
pub use error::except::{
    Catch, ClassSet, CLUSTER_ERRORS_ALLOW_RETRY, CLUSTER_PIPELINE_ERRORS_ALLOW_RETRY,
    RETRY_SUPPORTED_ERRORS, SLOT_REDIRECT_ERRORS,
};
pub use error::io::IoPhase;
pub use error::policy::{Backoff, PolicySet, RetryPolicy};
pub use error::structs::*;
pub use error::traits::{ExceptionClass, IsA, RedisErrorExt, ATTRIBUTES};
pub use instance::redirect::Redirect;
pub use instance::state::BoxError;
#[cfg(feature = "pyo3")]
pub use integrations::pyo3::Client;
pub use parse::call::{construct, ConstructError};
pub use parse::reply::{
    classify, frame_payload, parse_error, parse_error_bytes, parse_frame, reply_rules, Classified,
    FrameError, Parser, ReplyRule,
};
pub use pyrt::call_error::{CallError, PyErrorKind};
pub use pyrt::value::PyValue;

/// The traits, for a glob import: `use redis_exceptions::prelude::*;`.
pub mod prelude {
    pub use crate::{ExceptionClass, IsA, RedisErrorExt, RedisResultExt};
}

/// The snafu this crate is built with: its context selectors
/// ([`Selector`]) and `FromString` impls are for this version. Import snafu's
/// traits from here (`use redis_exceptions::snafu::ResultExt;`) and the
/// versions always match, whatever snafu your own `Cargo.toml` names.
pub use snafu;

/// What the macros need; not part of the API.
#[doc(hidden)]
pub mod __private {
    #[cfg(debug_assertions)]
    pub use crate::class::mro_work;
    pub use crate::class::ClassDef;
    pub use crate::error::erased::{custom, from_state, StructHooks};
    pub use crate::error::except::{except_back, except_hint, except_ok, Subject};
    pub use crate::error::traits::{is_instance_of, Instance, Struct};
    pub use crate::instance::state::State;
    #[cfg(feature = "pyo3")]
    pub use crate::integrations::pyo3::__PyErr;
    #[cfg(feature = "pyo3")]
    pub use crate::integrations::pyo3::__user_into_pyerr;
    #[cfg(feature = "pyo3")]
    pub use crate::integrations::pyo3::{__ParseErrorVariant, __installed_parse_error};
    pub use snafu;
}

/// The README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
