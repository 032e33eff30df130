//! redis-py's exception hierarchy in Rust, class for class, and the
//! server-error parser that goes with it: the reference redis-py release
//! ([`RedisPy::REFERENCE`]) by default, every
//! minor release from 5.0 through [`RedisPy`], and valkey-py through
//! [`ValkeyPy`].
//!
//! * One struct per Python class, with redis-py's names, bases and MROs
//!   ([`MovedError`], [`ConnectionError`], ...), all implementing
//!   [`RedisErrorExt`]; [`Error`] holds any of them, one pointer wide, and
//!   downcasts back.
//! * [`is_a`](Error::is_a) is Python's `isinstance` over the MRO (multiple
//!   inheritance included); [`Class`] gives `__bases__`, `__mro__` and
//!   `issubclass`.
//! * [`parse_error`] is redis-py's `BaseParser.parse_error`, [`classify`] its
//!   allocation-free core, [`parse_frame`] the RESP-level entry.
//! * [`construct`] / [`Class::call`] build an instance by class name with
//!   Python's call rules.
//! * [`RedisPy::V5_2`](RedisPy)`.parse_error(..)` and `.cluster()` parse
//!   as an older release's parsers do, and the instance is that release's:
//!   its attributes (`status_code`, `error_type`), `repr` and `==` are
//!   the ones that release gives ([`RedisErrorExt::release`]).
//! * Optional [features](#features) for redis-rs, fred, pyo3, serde and
//!   anyhow. No `unsafe` code.
//!
//! Where the crate deliberately differs from redis-py, and why:
//! [`docs::differences`].
//!
//! # Guide
//!
//! ## Classify a reply
//!
//! ```rust
//! use redis_exceptions::{parse_error, ConnectionError, MovedError, RedisErrorExt, ResponseError};
//!
//! let e = parse_error("MOVED 3999 127.0.0.1:6381");       // text after '-', no CRLF
//! assert!(e.is_a::<ResponseError>() && !e.is_a::<ConnectionError>());
//! let moved = e.downcast_ref::<MovedError>().unwrap();
//! assert_eq!(moved.node_addr(), Some(("127.0.0.1", 6381)));
//! assert_eq!(e.redirect().unwrap().addr().as_deref(), Some("127.0.0.1:6381"));
//! ```
//!
//! * [`parse_error_bytes`] decodes as redis-py does (UTF-8 with replacement)
//!   and keeps the bytes ([`reply`](RedisErrorExt::reply)); [`parse_frame`]
//!   takes a whole RESP2 or RESP3 error frame ([`FrameError`] for a
//!   malformed one).
//! * [`classify`] gives class, status code, message and redirect, no
//!   allocation.
//! * [`status_code`](RedisErrorExt::status_code) is redis-py's: the code of
//!   a known reply, or an upper-case first word (`WRONGTYPE`);
//!   [`reply_code`](RedisErrorExt::reply_code) is any first word.
//!
//! ## Catch like Python
//!
//! ```rust
//! use redis_exceptions::{except, parse_error, ConnectionError, Error, MovedError, TimeoutError};
//!
//! fn handle(err: Error) -> Result<&'static str, Error> {
//!     except!(err,
//!         MovedError as e => { let _ = e.slot_id(); "redirect" },   // e: MovedError
//!         (ConnectionError, TimeoutError) as _e => "retry",          // _e: Error
//!     )                                                               // Err(err): re-raise
//! }
//! assert_eq!(handle(parse_error("MOVED 1 h:1")).unwrap(), "redirect");
//! ```
//!
//! A last `_ => ...` is a bare `except:` (`_ as e =>` binds). [`except!`]
//! also takes a `Box<dyn Error (+ Send + Sync)>` and an `anyhow::Error`;
//! unmatched, it comes back unchanged.
//!
//! ```rust
//! use redis_exceptions::{except, parse_error, MovedError};
//!
//! let boxed: Box<dyn std::error::Error + Send + Sync> = Box::new(parse_error("MOVED 1 h:1"));
//! assert_eq!(except!(boxed, MovedError as e => e.slot_id(), _ => None).unwrap(), Some(1));
//! ```
//!
//! redis-py's retry policies are class sets ([`RETRY_SUPPORTED_ERRORS`],
//! ...): [`ClassSet::matches`] is `isinstance(e, tuple)`,
//! [`ClassSet::contains_type`] is `type(e) in tuple`.
//!
//! ## Find it in someone else's error
//!
//! [`find`] walks a `source()` chain (and into `io::Error::other`) for the
//! first exception of this crate, or, with the features `redis`, `redis2`
//! or `fred`, a client's error converted to its class (a `Cow`: borrowed or
//! converted); [`to_error`](Error::to_error) copies it out:
//!
//! ```rust
//! use redis_exceptions::{find, parse_error, ConnectionError, Error, RedisErrorExt};
//!
//! let io = std::io::Error::other(parse_error("NOAUTH Authentication required."));
//! let owned: Error = find(&io).unwrap().to_error();
//! drop(io);
//! assert!(owned.is_a::<ConnectionError>());
//! ```
//!
//! ## Compare and print
//!
//! `==` compares class, `args` and attributes, not the cause; [`Class`] is
//! `Eq + Hash` by identity. `{}` is `str(e)`; `{:#}` is the last line of a
//! Python traceback.
//!
//! ```rust
//! use redis_exceptions::{parse_error, MovedError, RedisError, RedisErrorExt, ValueError};
//!
//! let e = parse_error("MOVED 3999 127.0.0.1:6381");
//! assert_eq!(e, MovedError::new("3999 127.0.0.1:6381").with_status_code("MOVED").into());
//! assert_eq!(format!("{e}"), "3999 127.0.0.1:6381");
//! assert_eq!(format!("{e:#}"), "redis.exceptions.MovedError: 3999 127.0.0.1:6381");
//! assert_eq!(format!("{:#}", ValueError::new("x")), "ValueError: x");
//! assert_eq!(format!("{:#}", RedisError::new("")), "redis.exceptions.RedisError");
//! ```
//!
//! ## Build errors
//!
//! ```rust
//! use redis_exceptions::{construct, ConnectionError, LockError, RedisErrorExt};
//!
//! let e = ConnectionError::new("Connection closed by server.");
//! let lock = LockError::new("Cannot release an unlocked lock").with_lock_name("resource");
//! assert_eq!(lock.lock_name(), Some(&"resource".into()));
//! let by_name = construct("AskError", &["3999 127.0.0.1:6381".into()], &[("status_code", "ASK".into())]);
//! assert_eq!(by_name.unwrap().py_repr(), "server:AskError");
//! ```
//!
//! [`construct`] and [`Class::call`] follow Python's call rules
//! (`ClusterDownError()` is a `TypeError`); [`Error::from_io`]`(err,
//! IoPhase::Connect { .. })` words socket errors as redis-py
//! ([`IoPhase`]).
//!
//! ## Raise from another error
//!
//! `raise ConnectionError("Error connecting") from e` is `.with_source(e)`:
//!
//! ```rust
//! use redis_exceptions::ConnectionError;
//!
//! fn connect() -> Result<(), ConnectionError> {
//!     let io: Result<(), std::io::Error> = Err(std::io::Error::other("refused"));
//!     io.map_err(|e| ConnectionError::new("Error connecting").with_source(e))
//! }
//! let e = connect().unwrap_err();
//! assert_eq!(std::error::Error::source(&e).unwrap().to_string(), "refused");
//! ```
//!
//! On a `Result`: `io.redis_context(ConnectionError::context("Error
//! connecting"))` ([`RedisResultExt`]; `.with_redis_context(|| ...)` builds
//! the message only on error; no clash with `anyhow::Context`). snafu's
//! `.context(..)` works too, with [`redis_exceptions::snafu`](snafu) so the
//! versions match.
//!
//! ## Your own classes
//!
//! ```rust
//! use redis_exceptions::{exception, ConnectionError, ResponseError};
//!
//! exception! {
//!     /// The cache refused a write.
//!     pub struct CacheRejected(ResponseError);
//!     /// Several bases, C3 MRO, like `class X(A, B):`.
//!     pub struct CacheLinkLost(CacheRejected, ConnectionError);
//! }
//! assert!(CacheLinkLost::new("x").is_a::<ConnectionError>());
//! ```
//!
//! [`Class::register`]`(CacheRejected::CLASS)` makes it known to
//! [`Class::by_name`], [`construct`] and [`find`].
//!
//! ## Port a handler from Python
//!
//! ```python
//! try:
//!     value = r.get("k")
//! except MovedError as e:
//!     value = ask_node(e.host, e.port)
//! except (ConnectionError, TimeoutError):
//!     value = None  # retry later
//! ```
//!
//! The same handler, on whatever error the client gives (here a reply
//! parsed by [`parse_error`]):
//!
//! ```rust
//! use redis_exceptions::{except, parse_error, ConnectionError, Error, MovedError, TimeoutError};
//!
//! fn ask_node(host: &str, port: u16) -> Option<String> {
//!     Some(format!("asked {host}:{port}"))
//! }
//! fn get(reply: Result<String, Error>) -> Result<Option<String>, Error> {
//!     let err = match reply {
//!         Ok(value) => return Ok(Some(value)),
//!         Err(err) => err,
//!     };
//!     except!(err,
//!         MovedError as e => e.node_addr().and_then(|(host, port)| ask_node(host, port)),
//!         (ConnectionError, TimeoutError) => None, // retry later
//!     )
//! }
//! let moved = get(Err(parse_error("MOVED 3999 127.0.0.1:6381")));
//! assert_eq!(moved.unwrap().as_deref(), Some("asked 127.0.0.1:6381"));
//! let other = get(Err(parse_error("WRONGTYPE Operation against a key")));
//! assert!(other.is_err()); // no clause matched: raised again
//! ```
//!
//! `examples/port_from_python.rs` ports a whole redis-py program.
//!
//! # Porting from redis-py
//!
//! | Python | Rust |
//! |---|---|
//! | `except ConnectionError:` | `if e.is_a::<ConnectionError>()`, or `except!(e, ConnectionError => ...)` |
//! | `except (ConnectionError, TimeoutError) as e:` | `except!(e, (ConnectionError, TimeoutError) as e => ...)` |
//! | `except MovedError as e:` | `except!(e, MovedError as e => ...)` or `e.except::<MovedError>()` |
//! | `raise` (no clause matched) | `except!(...)?` hands the error back as `Err` |
//! | `except:` / `except BaseException as e:` (last) | `except!(e, ..., _ => ...)` / `_ as e => ...` |
//! | `except` around a redis-rs / fred call | `Error::from(err)` (features `redis`, `fred`), then as above |
//! | `except` through wrapping context | `except!(anyhow_err, MovedError as e => ...)` (feature `anyhow`) |
//! | `isinstance(e, AskError)` | `e.is_a::<AskError>()` |
//! | `type(e) is MovedError` | `e.is::<MovedError>()` |
//! | `issubclass(A, B)` | `A::CLASS.is_subclass_of(B::CLASS)` |
//! | `type(e).__mro__` | `e.class().mro()` |
//! | `type(e).__bases__` / `__name__` | `e.class().bases()` / `e.class().name()` |
//! | `e.args` | `e.args()` (`&[PyValue]`) |
//! | `str(e)` | `e.to_string()` |
//! | `repr(e)` | `e.py_repr()` |
//! | `e.status_code`, `e.error_type` | `e.status_code()`, `e.error_type()` |
//! | `e.slot_id`, `e.host`, `e.port` | `moved.slot_id()`, `moved.host()`, `moved.port()` |
//! | `raise ConnectionError("msg") from e` | `ConnectionError::new("msg").with_source(e)`, or on a `Result` `.redis_context(ConnectionError::context("msg"))` |
//! | `e.__cause__` | `std::error::Error::source(&e)` |
//! | `class MyError(ResponseError): pass` | `exception! { pub struct MyError(ResponseError); }` |
//! | `getattr(redis.exceptions, name)(*args)` | `construct(name, args, kwargs)` |
//!
//! # Features
//!
//! None is on by default; without them the dependencies are `snafu` and
//! `once_cell`.
//!
//! | feature | what it adds | details |
//! |---|---|---|
//! | `redis` | `From<redis::RedisError> for Error` (redis-rs 1.x): the class redis-py raises in the same situation, the original kept as `source()`; `Error::from_redis_error_at(&err, IoPhase)` for redis-py's exact I/O wording | [`docs::redis_rs`] |
//! | `redis2` | `From<redis2::RedisError> for Error` (redis-rs 2.0, `=2.0.0-rc.2`, as the crate `redis2`): the same conversion as `redis`; `Error::from_redis2_error_at` | [`docs::redis_rs`] |
//! | `fred` | `From<fred::error::Error> for Error` (fred 10.1), `Error::from_fred_error_at(&err, host, port)` | [`docs::fred`] |
//! | `pyo3` | `?` into a `PyErr` holding an instance of redis-py's own class, `Error::from_py`, `to_py_as(py, Client::ValkeyPy)` for valkey-py's | [docs/pyo3.md](https://github.com/redis-exceptions/redis-exceptions/blob/main/docs/pyo3.md) |
//! | `serde` | `Serialize`/`Deserialize` for [`Error`] and [`PyValue`], in the form `python/redis_exceptions_json.py` reads and writes for redis-py's exceptions | [python/README-json.md](https://github.com/redis-exceptions/redis-exceptions/blob/main/python/README-json.md) |
//! | `anyhow` | [`except!`] on an `anyhow::Error`, under any `.context(...)`; an unmatched error comes back with its context | below |
//!
//! A redis-rs error is classified as redis-py would classify the reply:
//!
//! ```rust
//! # #[cfg(feature = "redis")]
//! # fn main() {
//! use redis::{ErrorKind, ServerErrorKind};
//! use redis_exceptions::{Error, MovedError, RedisErrorExt};
//!
//! let err = redis::RedisError::from((ErrorKind::Server(ServerErrorKind::Moved), "moved", "7 h:1".to_owned()));
//! let e = Error::from(err);
//! assert!(e.is::<MovedError>() && std::error::Error::source(&e).is_some());
//! assert_eq!(e.redirect().unwrap().node_addr(), Some(("h", 1)));
//! # }
//! # #[cfg(not(feature = "redis"))]
//! # fn main() {}
//! ```
//!
//! `except!` sees through anyhow's context:
//!
//! ```rust
//! # #[cfg(feature = "anyhow")]
//! # fn main() {
//! use redis_exceptions::{except, parse_error, ConnectionError, MovedError};
//!
//! let err = anyhow::Error::new(parse_error("MOVED 3999 127.0.0.1:6381")).context("GET k");
//! assert_eq!(except!(err, MovedError as e => e.slot_id()).unwrap(), Some(3999));
//! let err = anyhow::Error::new(parse_error("WRONGTYPE x")).context("GET k");
//! let back = except!(err, ConnectionError => ()).unwrap_err();
//! assert_eq!(format!("{back:#}"), "GET k: WRONGTYPE x"); // context and all
//! # }
//! # #[cfg(not(feature = "anyhow"))]
//! # fn main() {}
//! ```
//!
//! # Versions
//!
//! The crate's own API ([`parse_error`], the classes) is the reference
//! release, [`RedisPy::REFERENCE`] (redis-py 8.2.0). A
//! [`RedisPy`] or [`ValkeyPy`] value classifies as that release does; the
//! classes and reply rules record the release that brought them
//! ([`Class::since`]):
//!
//! ```rust
//! use redis_exceptions::{MovedError, RedisErrorExt, RedisPy, ResponseError, ValkeyError, ValkeyPy};
//!
//! let v: RedisPy = "5.2.1".parse().unwrap();
//! assert!(v.parse_error("MOVED 1 h:1").is::<ResponseError>()); // a plain client
//! assert!(v.cluster().parse_error("MOVED 1 h:1").is::<MovedError>()); // RedisCluster
//! assert!(ValkeyPy::V6_2.parse_error("NOSCRIPT x").is_a::<ValkeyError>());
//! assert_eq!(v.parse_error("NOSCRIPT x").py_repr(), "NoScriptError('x')"); // no status_code
//! ```
//!
//! The instance is that release's: its attributes, `repr` and `==` are
//! the ones that release gives (redis-py 5.x has no `status_code` or
//! `error_type` and a `ResponseError('msg')` repr; 7.2 to 8.1 keep no
//! `status_code` for an unknown upper-case code), and
//! [`RedisErrorExt::release`] tells which release made it.
//!
//! # Differences from redis-py
//!
//! Each deliberate difference, with its reason, is on its own page:
//! [`docs::differences`]. Among them: malformed `ASK`/`MOVED` payloads do
//! not raise, `slot_id` and `port` are `u16`, raw reply bytes are kept, and
//! `==` compares values, not identity.
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
pub use integrations::client_errors::find;
#[cfg(feature = "pyo3")]
pub use integrations::pyo3::Client;
pub use parse::call::{construct, ConstructError};
pub use parse::reply::{
    classify, frame_payload, parse_error, parse_error_bytes, parse_frame, reply_rules, Classified,
    FrameError, Parser, ReplyRule,
};
pub use pyrt::call_error::{CallError, PyErrorKind};
pub use pyrt::value::PyValue;

/// Pages of the guide that have no item of their own: the files of the
/// repository's `docs/` folder.
pub mod docs {
    pub mod differences {
        #![doc = include_str!("../docs/differences.md")]
        // The page's links name items of the crate root.
        #[allow(unused_imports)]
        use crate::*;
    }
    #[doc = include_str!("../docs/redis-rs.md")]
    pub mod redis_rs {}
    #[doc = include_str!("../docs/fred.md")]
    pub mod fred {}
}

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
    /// What the Python package reads (`python/redis_exceptions_rs`).
    #[cfg(feature = "pyo3")]
    pub use crate::integrations::pyo3::package as pyo3_package;
    pub use snafu;
}
