//! What redis-py's clients do about each error class, per release: send the
//! command again (where, after what), refresh the slot map, drop the
//! connection, or raise. Class metadata, like the table in `hierarchy.rs`;
//! read by [`RedisPy::reaction`].
//!
//! The rows below were read off recordings of the clients themselves
//! (`scripts/fixtures/gen_reactions.py` drives each release's real clients
//! against a fake cluster), and `tests/reactions.rs` checks every row
//! against those recordings: what is sent next and where, `ASKING`, the
//! pauses, the backoff, a refresh before the next attempt (and a requested
//! one over the retries), a new connection when the command is sent again,
//! an empty redirect host followed. What the recordings cannot show follows
//! redis-py's code: `mark_failed`, and `disconnect` or `Refresh::Requested`
//! when nothing is sent after the error.

use std::fmt;
use std::time::Duration;

use super::statics;
use super::{Class, RedisPy, ValkeyPy};

/// A redis-py client whose command loop reacts to errors in its own way.
///
/// (Named `PyClient` because `Client` is taken by the `pyo3` feature,
/// where it picks redis-py or valkey-py.)
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum PyClient {
    /// `redis.Redis`, with the `Retry` it makes by default.
    Redis,
    /// `redis.cluster.RedisCluster`.
    RedisCluster,
    /// `RedisCluster.pipeline()`: a `ClusterPipeline` without a transaction.
    ClusterPipeline,
    /// `RedisCluster.pipeline(transaction=True)` (redis-py 6.1 and later).
    ClusterTransaction,
    /// `redis.asyncio.cluster.RedisCluster`.
    AsyncRedisCluster,
}

impl PyClient {
    /// Every client, in this order.
    pub const ALL: [PyClient; 5] = [
        PyClient::Redis,
        PyClient::RedisCluster,
        PyClient::ClusterPipeline,
        PyClient::ClusterTransaction,
        PyClient::AsyncRedisCluster,
    ];

    /// How a Python program makes it, e.g. `"RedisCluster.pipeline(transaction=True)"`.
    pub const fn python(self) -> &'static str {
        match self {
            PyClient::Redis => "Redis",
            PyClient::RedisCluster => "RedisCluster",
            PyClient::ClusterPipeline => "RedisCluster.pipeline()",
            PyClient::ClusterTransaction => "RedisCluster.pipeline(transaction=True)",
            PyClient::AsyncRedisCluster => "redis.asyncio.RedisCluster",
        }
    }

    /// The first release that has it: cluster transactions came with 6.1.
    pub const fn since(self) -> RedisPy {
        match self {
            PyClient::ClusterTransaction => RedisPy::V6_1,
            _ => RedisPy::OLDEST,
        }
    }

    /// Whether `release` has this client.
    pub fn exists_in(self, release: RedisPy) -> bool {
        self.since() <= release
    }

    /// The name the fixtures use, e.g. `"ClusterTransaction"`.
    pub const fn name(self) -> &'static str {
        match self {
            PyClient::Redis => "Redis",
            PyClient::RedisCluster => "RedisCluster",
            PyClient::ClusterPipeline => "ClusterPipeline",
            PyClient::ClusterTransaction => "ClusterTransaction",
            PyClient::AsyncRedisCluster => "AsyncRedisCluster",
        }
    }
}

impl fmt::Display for PyClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.python())
    }
}

/// What the client sends after the error.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Next {
    /// Nothing: the error reaches the caller.
    Raise,
    /// The command again, to the node that owns the slot (the same node,
    /// unless a refresh moved the slot).
    Retry,
    /// The command again, to the node the `MOVED` names (redis-py moves the
    /// slot to it in its map first).
    Redirect,
    /// `ASKING`, then the command, to the node the `ASK` names; the slot map
    /// is left as it is.
    RedirectAsking,
}

/// A pause redis-py takes itself, outside the `Retry` backoff.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Sleep {
    /// Every time, before going on (`CLUSTERDOWN`: 0.25 s).
    Always(Duration),
    /// Only once half of the request's 16 redirections and retries are used
    /// up (`TRYAGAIN`: 0.05 s).
    AfterHalfTtl(Duration),
}

impl Sleep {
    /// The length of the pause.
    pub const fn duration(self) -> Duration {
        match self {
            Sleep::Always(d) | Sleep::AfterHalfTtl(d) => d,
        }
    }
}

/// When the client asks the cluster for its slot map again.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Refresh {
    /// Not because of this error.
    No,
    /// At once, before the next attempt (or before raising).
    Now,
    /// It marks the map as stale; a later attempt refreshes it, once a
    /// minimum delay since the last refresh has passed (redis-py 8.2).
    Requested,
    /// Every `reinitialize_steps`-th `MOVED` (5 by default); the slot of this
    /// one is moved in the map at once.
    EveryNthRedirect,
}

/// What a redis-py client does about one error: a value to act on.
///
/// Read it with [`RedisPy::reaction`] (or [`crate::Error::reaction`] for an
/// error of the newest release):
///
/// ```
/// use redis_exceptions::{ExceptionClass, MovedError, Next, PyClient, RedisPy, Refresh};
///
/// let r = RedisPy::V8_2.reaction(PyClient::RedisCluster, MovedError::CLASS).unwrap();
/// assert_eq!(r.next, Next::Redirect);
/// assert_eq!(r.refresh, Refresh::EveryNthRedirect);
/// assert!(r.fill_redirect_host); // `MOVED 3999 :6381` goes to the host that answered
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Reaction {
    /// What is sent next.
    pub next: Next,
    /// A pause redis-py takes itself before that.
    pub sleep: Option<Sleep>,
    /// Whether the client's `Retry` backoff is waited out before the next
    /// attempt (see [`RedisPy::retry_policy`] for the rule).
    pub backoff: bool,
    /// When the slot map is asked for again.
    pub refresh: Refresh,
    /// Whether the connection that got the error is closed (the next
    /// attempt, if any, opens a new one).
    pub disconnect: bool,
    /// Whether the node is moved to the end of the startup nodes, so that
    /// the next refresh asks another node first.
    pub mark_failed: bool,
    /// Whether a redirect with an empty host (`MOVED 3999 :6381`) is filled
    /// in with the host of the node that answered before it is followed.
    pub fill_redirect_host: bool,
}

impl Reaction {
    /// Raise at once: nothing else.
    pub const RAISE: Reaction = Reaction {
        next: Next::Raise,
        sleep: None,
        backoff: false,
        refresh: Refresh::No,
        disconnect: false,
        mark_failed: false,
        fill_redirect_host: false,
    };

    /// Whether the client sends the command again (to any node).
    pub const fn retries(&self) -> bool {
        !matches!(self.next, Next::Raise)
    }

    const fn then(mut self, next: Next) -> Self {
        self.next = next;
        self
    }
    const fn backoff(mut self) -> Self {
        self.backoff = true;
        self
    }
    const fn sleep(mut self, sleep: Sleep) -> Self {
        self.sleep = Some(sleep);
        self
    }
    const fn refresh(mut self, refresh: Refresh) -> Self {
        self.refresh = refresh;
        self
    }
    const fn disconnect(mut self) -> Self {
        self.disconnect = true;
        self
    }
    const fn mark_failed(mut self) -> Self {
        self.mark_failed = true;
        self
    }
    const fn fill_host(mut self) -> Self {
        self.fill_redirect_host = true;
        self
    }
}

/// A row: what `client` does about `class` (and its subclasses, unless
/// `exact`) in the releases `since..until`.
struct Row {
    client: PyClient,
    class: &'static Class,
    /// redis-py tests `type(e) in (...)` here: subclasses do not match.
    exact: bool,
    since: RedisPy,
    until: Option<RedisPy>,
    reaction: Reaction,
}

impl Row {
    fn covers(&self, release: RedisPy) -> bool {
        self.since <= release && self.until.is_none_or(|u| release < u)
    }
}

impl RedisPy {
    /// What `client` of this release does when a command fails with an
    /// instance of `class`: the row of the nearest class in `class`'s MRO
    /// (as Python's `except` clauses match), or [`Reaction::RAISE`] when
    /// none has one. `None` when this release has no such client (cluster
    /// transactions before 6.1).
    ///
    /// ```
    /// use redis_exceptions::{ExceptionClass, MasterDownError, ClusterDownError, Next, PyClient, RedisPy};
    ///
    /// // `CLUSTERDOWN`: wait 0.25 s, refresh the slot map, try again...
    /// let down = RedisPy::V8_2.reaction(PyClient::RedisCluster, ClusterDownError::CLASS).unwrap();
    /// assert_eq!(down.next, Next::Retry);
    /// // ...but its subclass `MASTERDOWN` is raised after the same wait and refresh:
    /// // the retry loop tests `type(e) in ERRORS_ALLOW_RETRY`.
    /// let master = RedisPy::V8_2.reaction(PyClient::RedisCluster, MasterDownError::CLASS).unwrap();
    /// assert_eq!(master.next, Next::Raise);
    /// assert_eq!(master.sleep, down.sleep);
    /// ```
    pub fn reaction(self, client: PyClient, class: &'static Class) -> Option<Reaction> {
        if !client.exists_in(self) {
            return None;
        }
        let rows = || {
            REACTIONS
                .iter()
                .filter(move |r| r.client == client && r.covers(self))
        };
        if let Some(row) = rows().find(|r| r.exact && std::ptr::eq(r.class, class)) {
            return Some(row.reaction);
        }
        for ancestor in class.mro() {
            if let Some(row) = rows().find(|r| !r.exact && std::ptr::eq(r.class, *ancestor)) {
                return Some(row.reaction);
            }
        }
        Some(Reaction::RAISE)
    }
}

impl ValkeyPy {
    /// What `client` of this valkey-py release does about `class`: as the
    /// redis-py release it was forked from ([`ValkeyPy::redis_py`]) does;
    /// `tests/reactions.rs` checks valkey-py's own recordings against it.
    pub fn reaction(self, client: PyClient, class: &'static Class) -> Option<Reaction> {
        self.redis_py().reaction(client, class)
    }
}

const RAISE: Reaction = Reaction::RAISE;
const RETRY: Reaction = RAISE.then(Next::Retry);
const REDIRECT: Reaction = RAISE.then(Next::Redirect);
const ASKING: Reaction = RAISE.then(Next::RedirectAsking);
const CLUSTER_DOWN_WAIT: Sleep = Sleep::Always(Duration::from_millis(250));
const TRY_AGAIN_WAIT: Sleep = Sleep::AfterHalfTtl(Duration::from_millis(50));

macro_rules! reactions {
    ($(
        $client:ident : $class:ident $($exact:ident)? [$since:ident .. $($until:ident)?] => $reaction:expr;
    )*) => {
        static REACTIONS: &[Row] = &[$(
            Row {
                client: PyClient::$client,
                class: &statics::$class,
                exact: reactions!(@exact $($exact)?),
                since: RedisPy::$since,
                until: reactions!(@until $($until)?),
                reaction: $reaction,
            },
        )*];
    };
    (@exact) => { false };
    (@exact exact) => { true };
    (@until) => { None };
    (@until $until:ident) => { Some(RedisPy::$until) };
}

// One row per (client, class, releases): what the client does about an
// instance of the class (or of a subclass without a row of its own;
// `exact`: only the class itself, where redis-py tests `type(e) in ...`).
// A class without a row anywhere in its MRO is raised as it is.
// `[V6_0 .. V8_2]` is 6.0 up to, not including, 8.2. Every row is checked
// against the recordings by `tests/reactions.rs`.
reactions! {
    // `Redis`: its default `Retry` (none before 6.0: no retries) retries
    // instances of `ConnectionError` and `TimeoutError` after closing the
    // connection.
    Redis: ConnectionError [V5_0 .. V6_0] => RAISE.disconnect();
    Redis: TimeoutError [V5_0 .. V6_0] => RAISE.disconnect();
    Redis: ConnectionError [V6_0 ..] => RETRY.backoff().disconnect();
    Redis: TimeoutError [V6_0 ..] => RETRY.backoff().disconnect();

    // `RedisCluster._execute_command`, and the retry loop around it, which
    // tests `type(e) in ERRORS_ALLOW_RETRY`: a subclass is raised after the
    // handling of its base.
    RedisCluster: AuthenticationError [V5_0 ..] => RAISE;
    RedisCluster: MaxConnectionsError [V6_3 ..] => RAISE;
    RedisCluster: MaxClientsReachedError [V8_2 ..] => RAISE;
    RedisCluster: ConnectionError exact [V5_0 .. V8_2] => RETRY.disconnect().refresh(Refresh::Now);
    RedisCluster: TimeoutError exact [V5_0 .. V8_2] => RETRY.disconnect().refresh(Refresh::Now);
    RedisCluster: ConnectionError [V5_0 .. V8_2] => RAISE.disconnect().refresh(Refresh::Now);
    RedisCluster: TimeoutError [V5_0 .. V8_2] => RAISE.disconnect().refresh(Refresh::Now);
    RedisCluster: ConnectionError exact [V8_2 ..] => RETRY.backoff().disconnect().mark_failed().refresh(Refresh::Requested);
    RedisCluster: TimeoutError exact [V8_2 ..] => RETRY.backoff().disconnect().mark_failed().refresh(Refresh::Requested);
    RedisCluster: ConnectionError [V8_2 ..] => RAISE.disconnect().mark_failed().refresh(Refresh::Requested);
    RedisCluster: TimeoutError [V8_2 ..] => RAISE.disconnect().mark_failed().refresh(Refresh::Requested);
    RedisCluster: MovedError [V5_0 .. V8_2] => REDIRECT.refresh(Refresh::EveryNthRedirect);
    RedisCluster: MovedError [V8_2 ..] => REDIRECT.refresh(Refresh::EveryNthRedirect).fill_host();
    RedisCluster: AskError [V5_0 .. V8_2] => ASKING;
    RedisCluster: AskError [V8_2 ..] => ASKING.fill_host();
    RedisCluster: TryAgainError [V5_0 ..] => RETRY.sleep(TRY_AGAIN_WAIT);
    RedisCluster: ClusterDownError exact [V5_0 .. V8_2] => RETRY.sleep(CLUSTER_DOWN_WAIT).refresh(Refresh::Now);
    RedisCluster: ClusterDownError exact [V8_2 ..] => RETRY.sleep(CLUSTER_DOWN_WAIT).refresh(Refresh::Now).backoff();
    RedisCluster: ClusterDownError [V5_0 ..] => RAISE.sleep(CLUSTER_DOWN_WAIT).refresh(Refresh::Now);
    RedisCluster: SlotNotCoveredError [V5_3 .. V8_2] => RETRY.sleep(CLUSTER_DOWN_WAIT).refresh(Refresh::Now);
    RedisCluster: SlotNotCoveredError [V8_2 ..] => RETRY.sleep(CLUSTER_DOWN_WAIT).refresh(Refresh::Now).backoff();

    // `RedisCluster.pipeline()`: the commands that failed are sent again one
    // by one through the cluster client (whose own reaction then applies to
    // a second error), to the node the slot map names.
    ClusterPipeline: AuthenticationError [V8_2 ..] => RAISE;
    ClusterPipeline: MaxConnectionsError [V8_2 ..] => RAISE;
    ClusterPipeline: MaxClientsReachedError [V8_2 ..] => RAISE;
    ClusterPipeline: ConnectionError [V5_0 ..] => RETRY.disconnect();
    ClusterPipeline: TimeoutError [V5_0 ..] => RETRY.disconnect();
    ClusterPipeline: AskError [V5_0 ..] => RETRY;
    ClusterPipeline: TryAgainError [V5_0 ..] => RETRY;
    ClusterPipeline: ClusterDownError [V5_0 .. V8_2] => RETRY;
    ClusterPipeline: ClusterDownError exact [V8_2 ..] => RETRY.sleep(CLUSTER_DOWN_WAIT).backoff();
    ClusterPipeline: ClusterDownError [V8_2 ..] => RETRY.backoff();
    ClusterPipeline: SlotNotCoveredError [V6_0 .. V8_2] => RETRY;
    ClusterPipeline: SlotNotCoveredError [V8_2 ..] => RETRY.sleep(CLUSTER_DOWN_WAIT).backoff();

    // `RedisCluster.pipeline(transaction=True)`: the whole transaction is
    // sent again after the `Retry` backoff; after `ASK` too it goes to the
    // named node without `ASKING`. redis-py 6.1 to 6.4 raise
    // `AttributeError` (`... has no attribute 'host'`) after the backoff for
    // a `ConnectionError` itself and the cluster-down errors; 6.1 to 7.4
    // raise `TypeError` after retrying a `MASTERDOWN` queued in it.
    ClusterTransaction: AuthenticationError [V8_2 ..] => RAISE;
    ClusterTransaction: MaxConnectionsError [V8_2 ..] => RAISE;
    ClusterTransaction: MaxClientsReachedError [V8_2 ..] => RAISE;
    ClusterTransaction: ConnectionError exact [V6_1 .. V7_0] => RAISE.backoff();
    ClusterTransaction: ConnectionError [V6_1 ..] => RETRY.backoff().disconnect();
    ClusterTransaction: TimeoutError [V6_1 ..] => RETRY.backoff().disconnect();
    ClusterTransaction: AskError [V6_1 .. V8_2] => REDIRECT.backoff();
    ClusterTransaction: AskError [V8_2 ..] => REDIRECT.backoff().fill_host();
    ClusterTransaction: MasterDownError [V6_1 .. V8_2] => RETRY.backoff();
    ClusterTransaction: ClusterDownError [V6_1 .. V7_0] => RAISE.backoff();
    ClusterTransaction: ClusterDownError [V7_0 ..] => RETRY.backoff().disconnect();
    ClusterTransaction: SlotNotCoveredError [V6_1 .. V7_0] => RAISE.backoff();
    ClusterTransaction: SlotNotCoveredError [V7_0 ..] => RETRY.backoff().disconnect();

    // `redis.asyncio.RedisCluster`: its own loop, `type(e) in ...` for the
    // connection errors too.
    AsyncRedisCluster: ConnectionError exact [V5_0 .. V8_2] => RETRY.disconnect().refresh(Refresh::Now);
    AsyncRedisCluster: TimeoutError exact [V5_0 .. V8_2] => RETRY.disconnect().refresh(Refresh::Now);
    AsyncRedisCluster: ConnectionError exact [V8_2 ..] => RETRY.backoff().disconnect().mark_failed().refresh(Refresh::Requested);
    AsyncRedisCluster: TimeoutError exact [V8_2 ..] => RETRY.backoff().disconnect().mark_failed().refresh(Refresh::Requested);
    AsyncRedisCluster: MovedError [V5_0 .. V8_2] => REDIRECT.refresh(Refresh::EveryNthRedirect);
    AsyncRedisCluster: MovedError [V8_2 ..] => REDIRECT.refresh(Refresh::EveryNthRedirect).fill_host();
    AsyncRedisCluster: AskError [V5_0 .. V8_2] => ASKING;
    AsyncRedisCluster: AskError [V8_2 ..] => ASKING.fill_host();
    AsyncRedisCluster: TryAgainError [V5_0 ..] => RETRY.sleep(TRY_AGAIN_WAIT);
    AsyncRedisCluster: ClusterDownError exact [V5_0 .. V8_2] => RETRY.sleep(CLUSTER_DOWN_WAIT).refresh(Refresh::Now).disconnect();
    AsyncRedisCluster: ClusterDownError exact [V8_2 ..] => RETRY.sleep(CLUSTER_DOWN_WAIT).refresh(Refresh::Now).backoff();
    AsyncRedisCluster: ClusterDownError [V5_0 .. V8_2] => RAISE.sleep(CLUSTER_DOWN_WAIT);
    AsyncRedisCluster: ClusterDownError [V8_2 ..] => RAISE.sleep(CLUSTER_DOWN_WAIT).refresh(Refresh::Now);
    AsyncRedisCluster: SlotNotCoveredError [V5_3 .. V8_2] => RETRY.sleep(CLUSTER_DOWN_WAIT).refresh(Refresh::Now).disconnect();
    AsyncRedisCluster: SlotNotCoveredError [V8_2 ..] => RETRY.sleep(CLUSTER_DOWN_WAIT).refresh(Refresh::Now).backoff();
}
