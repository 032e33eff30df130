//! The class tuples redis-py's clients decide by, per release, as
//! [`ClassSet`]s; each release's default `Retry`; and
//! [`Error::reaction`]. The reactions themselves are class metadata
//! (`class/reaction.rs`); the sets need the class structs, so they live
//! here, beside the retry sets of `except.rs`.

use std::fmt;
use std::time::Duration;

use crate::class::{PyClient, Reaction, RedisPy};
use crate::error::erased::Error;
use crate::error::except::ClassSet;
use crate::error::structs::*;
use crate::error::traits::{ExceptionClass, RedisErrorExt};

impl Error {
    /// What `client` of the newest redis-py release does about this error
    /// ([`RedisPy::reaction`] with the error's class).
    ///
    /// ```
    /// use redis_exceptions::{parse_error, Next, PyClient, Refresh};
    ///
    /// let r = parse_error("CLUSTERDOWN The cluster is down").reaction(PyClient::RedisCluster).unwrap();
    /// assert_eq!((r.next, r.refresh), (Next::Retry, Refresh::Now));
    /// assert_eq!(r.sleep.unwrap().duration().as_millis(), 250);
    /// ```
    pub fn reaction(&self, client: PyClient) -> Option<Reaction> {
        RedisPy::LATEST.reaction(client, self.class())
    }
}

/// A class tuple a redis-py client decides by. Builtins of a tuple that
/// are not exceptions of this crate (`OSError`, `UnicodeDecodeError`,
/// `RecursionError`) are named in the variant's documentation and left out
/// of the [`ClassSet`]; Python's `socket.timeout` is its builtin
/// `TimeoutError`, which this crate maps to redis-py's.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PolicySet {
    /// `RedisCluster.ERRORS_ALLOW_RETRY`: what the cluster client's
    /// command loop retries (`type(e) in ...`: subclasses are not retried).
    ErrorsAllowRetry,
    /// `RedisCluster.NOT_NODE_FAILURE_ERRORS` (8.2): connection errors that
    /// do not mean the node failed; raised at once, no refresh.
    NotNodeFailureErrors,
    /// `ClusterPipeline.ERRORS_ALLOW_RETRY`.
    PipelineErrorsAllowRetry,
    /// The cluster transaction's `SLOT_REDIRECT_ERRORS` (`TransactionStrategy`, 6.1+).
    SlotRedirectErrors,
    /// The cluster transaction's `CONNECTION_ERRORS` (`TransactionStrategy`,
    /// 6.1+), and `OSError`.
    ConnectionErrors,
    /// `redis._parsers.base.UNRECOVERABLE_PARSE_ERRORS` (8.2): the
    /// connection is dropped after them; and `UnicodeDecodeError`,
    /// `RecursionError`.
    UnrecoverableParseErrors,
    /// The `supported_errors` of the `Retry` that `Redis` makes by default.
    RetrySupportedErrors,
    /// The `supported_errors` of the `Retry` that `RedisCluster` makes by
    /// default (none before 6.0: the client had no `Retry`).
    ClusterRetrySupportedErrors,
}

/// A row: the set of the releases `since..until`.
struct SetRow {
    set: PolicySet,
    since: RedisPy,
    until: Option<RedisPy>,
    classes: ClassSet,
}

macro_rules! set_rows {
    ($($set:ident $name:literal [$since:ident .. $($until:ident)?] = [$($class:ident),* $(,)?];)*) => {
        static SET_ROWS: &[SetRow] = &[$(
            SetRow {
                set: PolicySet::$set,
                since: RedisPy::$since,
                until: set_rows!(@until $($until)?),
                classes: ClassSet::new($name, &[$($class::CLASS),*]),
            },
        )*];
    };
    (@until) => { None };
    (@until $until:ident) => { Some(RedisPy::$until) };
}

set_rows! {
    ErrorsAllowRetry "RedisCluster.ERRORS_ALLOW_RETRY" [V5_0 .. V5_3] =
        [ConnectionError, TimeoutError, ClusterDownError];
    ErrorsAllowRetry "RedisCluster.ERRORS_ALLOW_RETRY" [V5_3 ..] =
        [ConnectionError, TimeoutError, ClusterDownError, SlotNotCoveredError];
    NotNodeFailureErrors "RedisCluster.NOT_NODE_FAILURE_ERRORS" [V8_2 ..] =
        [AuthenticationError, MaxConnectionsError, MaxClientsReachedError];
    PipelineErrorsAllowRetry "ClusterPipeline.ERRORS_ALLOW_RETRY" [V5_0 ..] =
        [ConnectionError, TimeoutError, MovedError, AskError, TryAgainError];
    SlotRedirectErrors "TransactionStrategy.SLOT_REDIRECT_ERRORS" [V6_1 ..] =
        [AskError, MovedError];
    ConnectionErrors "TransactionStrategy.CONNECTION_ERRORS" [V6_1 .. V8_2] =
        [ConnectionError, ClusterDownError, SlotNotCoveredError];
    ConnectionErrors "TransactionStrategy.CONNECTION_ERRORS" [V8_2 ..] =
        [ConnectionError, TimeoutError, ClusterDownError, SlotNotCoveredError];
    UnrecoverableParseErrors "UNRECOVERABLE_PARSE_ERRORS" [V8_2 ..] =
        [InvalidResponse];
    RetrySupportedErrors "Redis Retry.supported_errors" [V5_0 ..] =
        [ConnectionError, TimeoutError];
    ClusterRetrySupportedErrors "RedisCluster Retry.supported_errors" [V6_0 ..] =
        [ConnectionError, TimeoutError];
}

impl RedisPy {
    /// The tuple `set` of this release, or `None` if the release has no
    /// such tuple.
    ///
    /// ```
    /// use redis_exceptions::{parse_error, PolicySet, RedisPy};
    ///
    /// let retry = RedisPy::V8_2.class_set(PolicySet::ErrorsAllowRetry).unwrap();
    /// assert!(retry.contains_type(&parse_error("CLUSTERDOWN The cluster is down")));
    /// assert!(!retry.contains_type(&parse_error("MASTERDOWN Link with MASTER is down")));
    /// assert!(RedisPy::V7_4.class_set(PolicySet::NotNodeFailureErrors).is_none());
    /// ```
    pub fn class_set(self, set: PolicySet) -> Option<ClassSet> {
        SET_ROWS
            .iter()
            .find(|r| r.set == set && r.since <= self && r.until.is_none_or(|u| self < u))
            .map(|r| r.classes)
    }

    /// The `Retry` that `client` makes by default in this release (`Redis`,
    /// `RedisCluster`; the others use their cluster's), or `None` when it
    /// makes none.
    ///
    /// ```
    /// use redis_exceptions::{Backoff, PyClient, RedisPy};
    /// use std::time::Duration;
    ///
    /// let p = RedisPy::V8_2.retry_policy(PyClient::Redis).unwrap();
    /// assert_eq!(p.retries, 10);
    /// assert_eq!(p.backoff, Backoff::ExponentialWithJitter {
    ///     base: Duration::from_millis(10),
    ///     cap: Duration::from_secs(1),
    /// });
    /// ```
    pub fn retry_policy(self, client: PyClient) -> Option<RetryPolicy> {
        let client = match client {
            PyClient::Redis => PyClient::Redis,
            _ => PyClient::RedisCluster,
        };
        RETRY_ROWS
            .iter()
            .find(|r| r.0 == client && r.1 <= self && r.2.is_none_or(|u| self < u))
            .and_then(|r| r.3)
    }
}

/// A default `Retry`: how many retries and how long between them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct RetryPolicy {
    /// `retries`: attempts after the first.
    pub retries: u32,
    /// The wait before each retry.
    pub backoff: Backoff,
}

/// A `Retry`'s backoff rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Backoff {
    /// `NoBackoff()`: no wait.
    None,
    /// `ExponentialWithJitterBackoff(base, cap)`: a random wait between 0
    /// and `min(cap, base * 2 ** failures)`.
    ExponentialWithJitter {
        /// `base`.
        base: Duration,
        /// `cap`.
        cap: Duration,
    },
}

impl Backoff {
    /// The longest wait before retry number `failures` (1 for the first).
    pub fn max_delay(&self, failures: u32) -> Duration {
        match *self {
            Backoff::None => Duration::ZERO,
            Backoff::ExponentialWithJitter { base, cap } => {
                let factor = 2u32.checked_pow(failures.min(31)).unwrap_or(u32::MAX);
                base.checked_mul(factor).map_or(cap, |d| d.min(cap))
            }
        }
    }
}

impl fmt::Display for Backoff {
    /// As the fixtures record it: `NoBackoff(backoff=0)`,
    /// `ExponentialWithJitterBackoff(base=1, cap=10)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secs = |d: Duration| {
            let s = d.as_secs_f64();
            if s.fract() == 0.0 {
                format!("{}", s as u64)
            } else {
                format!("{s}")
            }
        };
        match *self {
            Backoff::None => f.write_str("NoBackoff(backoff=0)"),
            Backoff::ExponentialWithJitter { base, cap } => write!(
                f,
                "ExponentialWithJitterBackoff(base={}, cap={})",
                secs(base),
                secs(cap)
            ),
        }
    }
}

const fn jitter(base_ms: u64, cap_ms: u64) -> Backoff {
    Backoff::ExponentialWithJitter {
        base: Duration::from_millis(base_ms),
        cap: Duration::from_millis(cap_ms),
    }
}

const fn policy(retries: u32, backoff: Backoff) -> Option<RetryPolicy> {
    Some(RetryPolicy { retries, backoff })
}

/// (client, since, until, default Retry).
#[allow(clippy::type_complexity, reason = "a plain table")]
static RETRY_ROWS: &[(PyClient, RedisPy, Option<RedisPy>, Option<RetryPolicy>)] = &[
    (
        PyClient::Redis,
        RedisPy::V5_0,
        Some(RedisPy::V6_0),
        policy(0, Backoff::None),
    ),
    (
        PyClient::Redis,
        RedisPy::V6_0,
        Some(RedisPy::V8_0),
        policy(3, jitter(1000, 10_000)),
    ),
    (
        PyClient::Redis,
        RedisPy::V8_0,
        None,
        policy(10, jitter(10, 1000)),
    ),
    (
        PyClient::RedisCluster,
        RedisPy::V5_0,
        Some(RedisPy::V6_0),
        None,
    ),
    (
        PyClient::RedisCluster,
        RedisPy::V6_0,
        Some(RedisPy::V8_0),
        policy(3, jitter(1000, 10_000)),
    ),
    (
        PyClient::RedisCluster,
        RedisPy::V8_0,
        None,
        policy(10, jitter(10, 1000)),
    ),
];
