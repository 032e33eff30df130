//! `redis2` (redis-rs 2.0, the `redis` crate 2.0.0-rc.2) errors to redis-py
//! classes: the same mapping as the 1.x feature `redis` (redis-rs 2.0 kept
//! 1.8's error API), read by the code both share (`redis_rs.rs`).

use crate::error::erased::Error;
use crate::error::io::IoPhase;

impl Error {
    /// [`Error::from`] for a redis-rs 2.0 error, by reference: the error
    /// redis-py would raise where redis-rs 2.0 returned `err`, kept (cloned)
    /// as `source()`. The mapping is redis-rs 1.x's (feature `redis`, the
    /// table on `impl From<redis::RedisError> for Error` and in
    /// `docs/redis-rs.md`).
    ///
    /// ```
    /// use redis_exceptions::{Error, MovedError, RedisErrorExt};
    ///
    /// let reply = redis2::parse_redis_value(b"-MOVED 3999 127.0.0.1:6381\r\n").unwrap();
    /// let err = reply.extract_error().unwrap_err();
    /// let e = Error::from_redis2_error(&err);
    /// assert!(e.is::<MovedError>());
    /// assert_eq!(e.redirect().unwrap().node_addr(), Some(("127.0.0.1", 6381)));
    /// ```
    #[cfg_attr(docsrs, doc(cfg(feature = "redis2")))]
    pub fn from_redis2_error(err: &redis2::RedisError) -> Error {
        Error::from_redis2_error_at(err, IoPhase::Socket)
    }

    /// [`Error::from_redis2_error`], with the phase an I/O error happened
    /// in, for redis-py's exact messages (only I/O errors read it).
    ///
    /// ```
    /// use redis_exceptions::{ConnectionError, Error, IoPhase, RedisErrorExt};
    ///
    /// let err = redis2::RedisError::from(std::io::Error::from_raw_os_error(111));
    /// let e = Error::from_redis2_error_at(&err, IoPhase::Connect { host: "localhost", port: 6379 });
    /// assert!(e.is::<ConnectionError>());
    /// assert_eq!(e.to_string(), "Error 111 connecting to localhost:6379. Connection refused.");
    /// ```
    #[cfg_attr(docsrs, doc(cfg(feature = "redis2")))]
    pub fn from_redis2_error_at(err: &redis2::RedisError, phase: IoPhase<'_>) -> Error {
        convert(err, phase).with_source(err.clone())
    }
}

/// Converts a redis-rs 2.0 error into the class redis-py raises for the same
/// situation, exactly as the 1.x conversion does (feature `redis`; its
/// table is in `docs/redis-rs.md`); the `RedisError` is kept as `source()`.
///
/// ```
/// use redis2::{ErrorKind, RedisError};
/// use redis_exceptions::{AuthenticationError, Error, InvalidResponse, RedisErrorExt};
///
/// let e = Error::from(RedisError::from((ErrorKind::AuthenticationFailed, "Password authentication failed")));
/// assert!(e.is::<AuthenticationError>());
/// assert_eq!(e.to_string(), "Password authentication failed");
///
/// let e = Error::from(RedisError::from((ErrorKind::UnexpectedReturnType, "ping request", "PANG".to_owned())));
/// assert!(e.is::<InvalidResponse>());
/// assert!(std::error::Error::source(&e).unwrap().is::<RedisError>());
/// ```
#[cfg_attr(docsrs, doc(cfg(feature = "redis2")))]
impl From<redis2::RedisError> for Error {
    fn from(err: redis2::RedisError) -> Self {
        convert(&err, IoPhase::Socket).with_source(err)
    }
}

// `convert` and its helpers, for redis-rs 2.0 (written once for 1.x and
// 2.0 in redis_rs.rs).
super::redis_rs::conversion!(redis2);
