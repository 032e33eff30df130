//! The one table: every class of `redis.exceptions` (redis-py 8.1.0) and the
//! three builtins in their MROs, declared once.
//!
//! A row reads like the Python class statement, then the module, then the
//! facts that differ from the defaults, as named columns:
//!
//! ```text
//! /// One line of docs.
//! Name(Base, ...) in module.path { column: value, ... };
//! ```
//!
//! * `init`: the `__init__` the class defines itself, by kind (see
//!   [`crate::class::Init`]); a class without it inherits its base's.
//! * `error_type`: the [`crate::ExceptionType`] its own `__init__` assigns.
//! * `repr: own`: the class defines `__repr__` (redis-py's
//!   `error_type:ClassName`).
//! * `message`: a class-level `message` attribute.
//!
//! Rows are in Python's definition order (builtins first, root first).
//!
//! Who reads it, through [`for_each_class!`]:
//!
//! | form | gives the callback | used by |
//! |---|---|---|
//! | `for_each_class!(cb)` | whole rows | `class/mod.rs`: the [`crate::Class`] statics, the only reader of the columns |
//! | `for_each_class!(structs: cb)` | docs, name, bases, module | `error/structs.rs`: the structs and their per-class tests |
//! | `for_each_class!(names: cb)` | the names | `error/erased.rs` (the erased error's storage) and the integrations that need one function per struct |

/// Calls `$callback!` with the hierarchy, whole or projected (see the module docs).
macro_rules! for_each_class {
    ($callback:ident) => {
        $crate::class::hierarchy::for_each_class! { [] $callback }
    };
    ($form:ident : $callback:ident) => {
        $crate::class::hierarchy::for_each_class! { [$form] $callback }
    };
    ([$($form:ident)?] $callback:ident) => {
        $crate::class::hierarchy::project! { [$($form)?] $callback
        /// Python's root of all exceptions.
        BaseException() in builtins { init: Builtin };
        /// Python's base of all ordinary exceptions.
        Exception(BaseException) in builtins { init: Builtin };
        /// Python's error for a right type but a wrong value.
        ValueError(Exception) in builtins { init: Builtin };
        /// Base of the client's errors; `repr` is `error_type:ClassName`.
        RedisError(Exception) in redis.exceptions { init: Status, error_type: Server, repr: own };
        /// The connection to the server failed or broke.
        ConnectionError(RedisError) in redis.exceptions { init: Status, error_type: Network };
        /// A socket operation timed out.
        TimeoutError(RedisError) in redis.exceptions { init: Status, error_type: Network };
        /// The server refused the credentials (`WRONGPASS`, `NOAUTH`, ...).
        AuthenticationError(ConnectionError) in redis.exceptions { init: Status, error_type: Auth };
        /// Not authorized (OCSP stapling checks).
        AuthorizationError(ConnectionError) in redis.exceptions { init: Status, error_type: Auth };
        /// The server is loading its dataset (`LOADING`).
        BusyLoadingError(ConnectionError) in redis.exceptions { init: Status, error_type: Network };
        /// The server sent bytes that are not valid RESP.
        InvalidResponse(RedisError) in redis.exceptions;
        /// The server answered with an error reply.
        ResponseError(RedisError) in redis.exceptions;
        /// A value could not be encoded for the server.
        DataError(RedisError) in redis.exceptions;
        /// Misuse of publish/subscribe.
        PubSubError(RedisError) in redis.exceptions;
        /// A watched key changed before `EXEC`.
        WatchError(RedisError) in redis.exceptions;
        /// `EVALSHA` named an unknown script (`NOSCRIPT`).
        NoScriptError(ResponseError) in redis.exceptions;
        /// The server is out of memory under its eviction policy (`OOM`).
        OutOfMemoryError(ResponseError) in redis.exceptions;
        /// A transaction was discarded (`EXECABORT`).
        ExecAbortError(ResponseError) in redis.exceptions;
        /// A write was sent to a read-only replica (`READONLY`).
        ReadOnlyError(ResponseError) in redis.exceptions;
        /// The ACL user may not run the command (`NOPERM`).
        NoPermissionError(ResponseError) in redis.exceptions { init: Status, error_type: Auth };
        /// A module command failed to load or unload a module.
        ModuleError(ResponseError) in redis.exceptions;
        /// `HIMPORT SET` named a fieldset this connection did not prepare.
        NoSuchFieldsetError(ResponseError) in redis.exceptions;
        /// A lock could not be acquired, extended or released.
        LockError(RedisError, ValueError) in redis.exceptions { init: Lock };
        /// The lock is no longer owned by this client.
        LockNotOwnedError(LockError) in redis.exceptions;
        /// A child process deadlocked after `fork()`.
        ChildDeadlockedError(Exception) in redis.exceptions;
        /// `AUTH` was sent with the wrong number of arguments.
        AuthenticationWrongNumberOfArgsError(ResponseError) in redis.exceptions { init: Status, error_type: Auth };
        /// Base of the cluster client's own errors; `repr` is `error_type:ClassName`.
        RedisClusterException(Exception) in redis.exceptions { init: Star, error_type: Server, repr: own };
        /// Cluster errors exhausted the command's retry budget.
        ClusterError(RedisError) in redis.exceptions { init: Status, error_type: Server };
        /// The cluster cannot serve requests (`CLUSTERDOWN`).
        ClusterDownError(ClusterError, ResponseError) in redis.exceptions { init: Resp, error_type: Server };
        /// The slot is migrating: ask the named node once (`ASK`).
        AskError(ResponseError) in redis.exceptions { init: Redirect };
        /// Try the command again later (`TRYAGAIN`).
        TryAgainError(ResponseError) in redis.exceptions { init: StatusKw };
        /// The keys of a request hash to different slots (`CROSSSLOT`).
        ClusterCrossSlotError(ResponseError) in redis.exceptions { init: Status, error_type: Server, message: "Keys in request don't hash to the same slot" };
        /// The slot now lives on another node (`MOVED`).
        MovedError(AskError) in redis.exceptions;
        /// The replica lost its master and will not serve stale data (`MASTERDOWN`).
        MasterDownError(ClusterDownError) in redis.exceptions;
        /// No known node covers the slot.
        SlotNotCoveredError(RedisClusterException) in redis.exceptions;
        /// The connection pool reached its connection limit.
        MaxConnectionsError(ConnectionError) in redis.exceptions;
        /// A cluster transaction's keys do not share one slot.
        CrossSlotTransactionError(RedisClusterException) in redis.exceptions;
        /// A cluster pipeline got a reply of unexpected length.
        InvalidPipelineStack(RedisClusterException) in redis.exceptions;
        /// An external authentication provider failed.
        ExternalAuthProviderError(ConnectionError) in redis.exceptions;
        /// A command policy type is not one the client knows.
        IncorrectPolicyType(Exception) in redis.exceptions;
        }
    };
}

/// The projections of [`for_each_class!`]: the one place besides the class
/// statics that reads the row grammar.
macro_rules! project {
    ([] $callback:ident $($rows:tt)*) => {
        $callback! { $($rows)* }
    };
    ([names] $callback:ident $(
        $(#[doc = $doc:literal])*
        $name:ident ( $($base:ident),* ) in $m0:ident $(. $m:ident)* $({ $($key:ident : $value:tt),* $(,)? })?;
    )*) => {
        $callback! { $($name),* }
    };
    ([structs] $callback:ident $(
        $(#[doc = $doc:literal])*
        $name:ident ( $($base:ident),* ) in $m0:ident $(. $m:ident)* $({ $($key:ident : $value:tt),* $(,)? })?;
    )*) => {
        $callback! { $(
            $(#[doc = $doc])*
            $name ( $($base),* ) concat!(stringify!($m0) $(, ".", stringify!($m))*);
        )* }
    };
}

pub(crate) use {for_each_class, project};
