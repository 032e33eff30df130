//! `redis` (redis-rs 1.x) errors to redis-py classes.
//!
//! The mapping is documented on `impl From<redis::RedisError> for Error`
//! (the module itself is private); this module only holds the public
//! conversions. The reading of a `RedisError` is the same for redis-rs 2.0
//! (feature `redis2`) and is written once, in `redis_rs.rs`.
//!
//! How the parts of a `RedisError` are read (redis-rs 1.8 keeps its
//! representation private, so everything goes through its public API):
//!
//! * **server replies**: `into_server_errors()` (on a clone) gives the
//!   `ServerError`s of a single reply, a pipeline or an aborted transaction;
//!   `code()` and `details()` are the reply split at its first space (redis-rs
//!   parses with `splitn(2, ' ')`), so `"<code> <details>"` is the reply as
//!   received and goes through [`crate::parse_error`];
//! * **I/O errors**: `source()` is the `Arc<dyn Error + Send + Sync>` redis-rs
//!   stores, whose inner error is the `std::io::Error`;
//! * **other errors** (`(ErrorKind, &'static str[, String])` values): the text
//!   is the description, plus `": <detail>"` when there is a detail, recovered
//!   from `Display` (`"<desc> - <Kind>[: <detail>]"`).

use crate::error::erased::Error;
use crate::error::io::IoPhase;

impl Error {
    /// The error redis-py would raise where redis-rs returned `err`; `err`
    /// (cloned: `RedisError` is `Clone`) is kept as `source()`.
    ///
    /// I/O errors get the messages of [`IoPhase::Socket`]: the phase the
    /// error implies (a refused connection is a connect, a broken pipe a
    /// write, anything else a read). redis-rs does not keep the address of a
    /// connection that failed, so a refused connection reads `Error 111
    /// connecting to server. Connection refused.`; see
    /// [`Error::from_redis_error_at`] to name the phase and the address, and
    /// the table on `impl From<redis::RedisError> for Error` for the whole
    /// mapping.
    ///
    /// ```
    /// use redis_exceptions::{Error, MovedError, RedisErrorExt};
    ///
    /// let reply = redis::parse_redis_value(b"-MOVED 3999 127.0.0.1:6381\r\n").unwrap();
    /// let err = reply.extract_error().unwrap_err();
    /// let e = Error::from_redis_error(&err);
    /// assert!(e.is::<MovedError>());
    /// assert_eq!(e.status_code(), Some("MOVED"));
    /// assert_eq!(e.redirect().unwrap().node_addr(), Some(("127.0.0.1", 6381)));
    /// ```
    #[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
    pub fn from_redis_error(err: &redis::RedisError) -> Error {
        Error::from_redis_error_at(err, IoPhase::Socket)
    }

    /// [`Error::from_redis_error`], with the phase an I/O error happened in,
    /// for redis-py's exact messages: a refused connection made by
    /// `Client::get_connection` is
    /// `IoPhase::Connect { host, port }`, giving
    /// `"Error 111 connecting to localhost:6379. Connection refused."`.
    /// The phase only matters for I/O errors.
    ///
    /// ```
    /// use redis_exceptions::{ConnectionError, Error, IoPhase, RedisErrorExt};
    ///
    /// let err = redis::RedisError::from(std::io::Error::from_raw_os_error(111));
    /// let e = Error::from_redis_error_at(&err, IoPhase::Connect { host: "localhost", port: 6379 });
    /// assert!(e.is::<ConnectionError>());
    /// assert_eq!(e.to_string(), "Error 111 connecting to localhost:6379. Connection refused.");
    /// ```
    #[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
    pub fn from_redis_error_at(err: &redis::RedisError, phase: IoPhase<'_>) -> Error {
        convert(err, phase).with_source(err.clone())
    }
}

/// Converts a redis-rs error into the class redis-py raises for the same
/// situation (through [`Error::from_redis_error`]); the `RedisError` is kept
/// as `source()`.
///
/// Server error replies are rebuilt as `"<code> <detail>"` and classified by
/// [`crate::parse_error`], so they follow redis-py's reply table exactly
/// (`status_code`, redirects, the `ERR` messages that select
/// `AuthenticationError` or `ModuleError`, ...). Everything else is mapped by
/// [`redis::ErrorKind`](https://docs.rs/redis/1/redis/enum.ErrorKind.html):
///
/// | redis-rs `ErrorKind` | redis-py class | message / notes |
/// | --- | --- | --- |
/// | `Server(ResponseError)` (`ERR ...`) | `ResponseError`, or the class redis-py's table gives the exact message (`AuthenticationError`, `AuthenticationWrongNumberOfArgsError`, `ConnectionError` for `max number of clients reached`, `ModuleError`, `ExternalAuthProviderError`, `NoSuchFieldsetError`) | `status_code` `"ERR"` |
/// | `Server(ExecAbort)` (`EXECABORT`) | `ExecAbortError` | for an aborted `MULTI`/`EXEC`, the first queued command's error, as redis-py re-raises it (see below) |
/// | `Server(BusyLoading)` (`LOADING`) | `BusyLoadingError` | |
/// | `Server(NoScript)` (`NOSCRIPT`) | `NoScriptError` | |
/// | `Server(Moved)` (`MOVED`) | `MovedError` | with `slot_id`/`host`/`port` |
/// | `Server(Ask)` (`ASK`) | `AskError` | with `slot_id`/`host`/`port` |
/// | `Server(TryAgain)` (`TRYAGAIN`) | `TryAgainError` | |
/// | `Server(ClusterDown)` (`CLUSTERDOWN`) | `ClusterDownError` | |
/// | `Server(CrossSlot)` (`CROSSSLOT`) | `ClusterCrossSlotError` | |
/// | `Server(MasterDown)` (`MASTERDOWN`) | `MasterDownError` | |
/// | `Server(ReadOnly)` (`READONLY`) | `ReadOnlyError` | |
/// | `Server(NoPerm)` (`NOPERM`) | `NoPermissionError` | |
/// | `Server(NotBusy)` (`NOTBUSY`), `Server(NoSub)` (`NOSUB`) | `ResponseError` | not in redis-py's table: `status_code` `None`, the code stays in the message and in `reply_code()` |
/// | `Extension` (any other code: `WRONGTYPE`, `NOAUTH`, `WRONGPASS`, `OOM`, `BUSY`, `NOPROTO`, ...) | what redis-py's table gives: `AuthenticationError` for `NOAUTH`/`WRONGPASS`, `OutOfMemoryError` for `OOM`, else `ResponseError` | e.g. `ResponseError("WRONGTYPE Operation against ...")`, `reply_code()` `"WRONGTYPE"` |
/// | `Io`, holding an `std::io::Error` | `TimeoutError` for `TimedOut`/`WouldBlock`, else `ConnectionError` | [`Error::from_io`] with the phase given (default [`IoPhase::Socket`]); an `UnexpectedEof` (redis-rs' "server closed the connection") outside `Connect` is `ConnectionError("Connection closed by server.")`, redis-py's message for it |
/// | `Io`, other causes (`"Couldn't find a connection"`, TLS handshake text, ...) | `ConnectionError` | the redis-rs text |
/// | `Parse` (RESP decoding failures and `FromRedisValue` conversions, `ParsingError`) | `InvalidResponse` | redis-rs' `Display`, e.g. `"Incompatible type - ..."`; redis-py raises `InvalidResponse` for replies it cannot decode |
/// | `UnexpectedReturnType` | `InvalidResponse` | the reply was well formed but not of the shape the client needs: still a reply the client cannot use, so not `DataError` (redis-py's `DataError` is about encoding the *arguments*) nor `ResponseError` (an error *reply*) |
/// | `AuthenticationFailed` | `AuthenticationError` | e.g. `"Password authentication failed"` (redis-rs drops the server's text) |
/// | `InvalidClientConfig` | `ValueError` | a bad URL, database number or node string: redis-py's `from_url`/`parse_url` raise `ValueError` |
/// | `Client` | `RedisError`; `ConnectionError` when it wraps a TLS library error | redis-py raises plain `RedisError` for client-side misuse, `ConnectionError` for TLS failures |
/// | `MasterNameNotFoundBySentinel`, `NoValidReplicasFoundBySentinel`, `EmptySentinelList` | `ConnectionError` | the base of redis-py's `MasterNotFoundError`/`SlaveNotFoundError` (`redis.sentinel`, not modelled here) |
/// | `ClusterConnectionNotFound` | `RedisClusterException` | what redis-py raises when its cluster client has no usable node (`SlotNotCoveredError`, `"Redis Cluster cannot be connected..."`) |
/// | `RESP3NotSupported` | `ResponseError`, `status_code` `"ERR"` | redis-py gets the server's `ERR unknown command 'HELLO'` reply and raises it |
/// | `Serialize` (redis' `json` feature) | `DataError` | a value could not be encoded for the server |
/// | any future kind | `RedisError` | the redis-rs text |
///
/// A server kind without a reply behind it (redis-rs builds some, e.g.
/// `"Redis server refused to switch database"` with the server's detail) is
/// rebuilt as `"<code> <detail, else the description>"` and parsed the same
/// way.
///
/// **Pipelines and transactions**: redis-rs reports every failed command of
/// a pipeline (and the queued commands of an aborted `MULTI`/`EXEC`);
/// redis-py raises the first one, and so does this conversion. redis-py also
/// prefixes the message with `"Command # N (CMD ...) of pipeline caused
/// error: "`; redis-rs does not keep the commands, so the message is the
/// reply's own. The full list stays available from the source `RedisError`
/// (`into_server_errors()`).
///
/// ```
/// use redis::{ErrorKind, RedisError};
/// use redis_exceptions::{AuthenticationError, Error, InvalidResponse, RedisErrorExt, ValueError};
///
/// let e = Error::from(RedisError::from((ErrorKind::AuthenticationFailed, "Password authentication failed")));
/// assert!(e.is::<AuthenticationError>());
/// assert_eq!(e.to_string(), "Password authentication failed");
///
/// let e = Error::from(RedisError::from((ErrorKind::InvalidClientConfig, "Invalid database number")));
/// assert!(e.is::<ValueError>());
///
/// let e = Error::from(RedisError::from((ErrorKind::UnexpectedReturnType, "ping request", "PANG".to_owned())));
/// assert!(e.is::<InvalidResponse>());
/// assert_eq!(e.to_string(), "ping request: PANG");
/// assert!(std::error::Error::source(&e).unwrap().is::<RedisError>());
/// ```
#[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
impl From<redis::RedisError> for Error {
    fn from(err: redis::RedisError) -> Self {
        convert(&err, IoPhase::Socket).with_source(err)
    }
}

// `convert` and its helpers, for redis-rs 1.x (written once for 1.x and
// 2.0 in redis_rs.rs).
super::redis_rs::conversion!(redis);
