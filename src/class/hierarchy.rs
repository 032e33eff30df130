//! The one table: every exception class a redis-py program can catch
//! (`redis.exceptions` and the client's other modules, redis-py 5.0 to 8.2)
//! and the three builtins in their MROs, declared once.
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
//! * `since`, `until`: the redis-py release that added the class, and the
//!   one that removed it (absent: 5.0, and still there).
//! * `name`: the Python name, where the Rust name must differ (two
//!   modules define classes of the same name).
//! * `valkey`: the class's name in valkey-py (`valkey.exceptions`), where
//!   it differs; the Rust alias of that name is made from it.
//!
//! Rows are in Python's definition order (builtins first, root first), then
//! the other modules' classes, by module.
//!
//! Who reads it, through [`for_each_class!`]:
//!
//! | form | gives the callback | used by |
//! |---|---|---|
//! | `for_each_class!(cb)` | whole rows | `class/mod.rs`: the [`crate::Class`] statics, the only reader of the columns |
//! | `for_each_class!(structs: cb)` | docs, name, bases, module | `error/structs.rs`: the structs and their per-class tests |
//! | `for_each_class!(names: cb)` | the names | `error/erased.rs` (the erased error's storage) and the integrations that need one function per struct |
//! | `for_each_class!(valkey: cb)` | `Alias = Struct` per `valkey` column | `error/structs.rs`: the valkey-py names as type aliases |

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
        RedisError(Exception) in redis.exceptions { init: Status, error_type: Server, repr: own, valkey: ValkeyError };
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
        NoSuchFieldsetError(ResponseError) in redis.exceptions { since: 8.1 };
        /// A lock could not be acquired, extended or released.
        LockError(RedisError, ValueError) in redis.exceptions { init: Lock };
        /// The lock is no longer owned by this client.
        LockNotOwnedError(LockError) in redis.exceptions;
        /// A child process deadlocked after `fork()`.
        ChildDeadlockedError(Exception) in redis.exceptions;
        /// `AUTH` was sent with the wrong number of arguments.
        AuthenticationWrongNumberOfArgsError(ResponseError) in redis.exceptions { init: Status, error_type: Auth };
        /// Base of the cluster client's own errors; `repr` is `error_type:ClassName`.
        RedisClusterException(Exception) in redis.exceptions { init: Star, error_type: Server, repr: own, valkey: ValkeyClusterException };
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
        /// The cluster client found no reachable node to start from.
        RedisClusterUnreachableError(RedisClusterException) in redis.exceptions { since: 8.2 };
        /// The connection pool reached its connection limit.
        MaxConnectionsError(ConnectionError) in redis.exceptions;
        /// The server refused the connection: too many clients (`ERR max number of clients reached`).
        MaxClientsReachedError(ConnectionError) in redis.exceptions { since: 8.2 };
        /// A cluster transaction's keys do not share one slot.
        CrossSlotTransactionError(RedisClusterException) in redis.exceptions { since: 6.1 };
        /// A cluster pipeline got a reply of unexpected length.
        InvalidPipelineStack(RedisClusterException) in redis.exceptions { since: 6.1 };
        /// An external authentication provider failed.
        ExternalAuthProviderError(ConnectionError) in redis.exceptions { since: 7.0 };
        /// A command policy type is not one the client knows.
        IncorrectPolicyType(Exception) in redis.exceptions { since: 7.1 };
        /// Sentinel knows no master by that name, or none is reachable.
        MasterNotFoundError(ConnectionError) in redis.sentinel;
        /// Sentinel has no reachable replica of that master (`ReplicaNotFoundError` since 8.1).
        SlaveNotFoundError(ConnectionError) in redis.sentinel;
        /// The asyncio client's twin of `redis.sentinel.MasterNotFoundError`: a distinct class.
        AsyncMasterNotFoundError(ConnectionError) in redis.asyncio.sentinel { name: "MasterNotFoundError" };
        /// The asyncio client's twin of `redis.sentinel.SlaveNotFoundError`: a distinct class.
        AsyncSlaveNotFoundError(ConnectionError) in redis.asyncio.sentinel { name: "SlaveNotFoundError" };
        /// A graph module reply came from a version the client does not support.
        VersionMismatchException(Exception) in redis.commands.graph.exceptions { init: Version, until: 6.0 };
        /// Requesting a token from an identity provider failed.
        RequestTokenErr(Exception) in redis.auth.err { init: PlainStar, since: 5.3 };
        /// A token lacks fields the client needs.
        InvalidTokenSchemaErr(Exception) in redis.auth.err { init: MissingFields, since: 5.3 };
        /// Renewing a token failed.
        TokenRenewalErr(Exception) in redis.auth.err { init: PlainStar, since: 5.3 };
        /// An exception carried with the event during which it was raised.
        EventException(Exception) in redis.event { init: Event, since: 5.3 };
        /// An HTTP request of the client's REST helper failed.
        HttpError(Exception) in redis.http.http_client { init: Http, since: 7.0 };
        /// A multi-database client has no healthy database to use.
        NoValidDatabaseException(Exception) in redis.multidb.exception { since: 7.0 };
        /// A database of a multi-database client failed its health check.
        UnhealthyDatabaseException(Exception) in redis.multidb.exception { init: Unhealthy, since: 7.0 };
        /// Every database of a multi-database client is briefly unavailable.
        TemporaryUnavailableException(Exception) in redis.multidb.exception { since: 7.0 };
        /// The first health check of a multi-database client failed.
        InitialHealthCheckFailedError(Exception) in redis.multidb.exception { since: 7.1 };
        }
    };
}

/// The projections of [`for_each_class!`]: the one place besides the class
/// statics that reads the row grammar.
macro_rules! project {
    ([] $callback:ident $($rows:tt)*) => {
        $callback! { $($rows)* }
    };
    ([valkey] $callback:ident $($rows:tt)*) => {
        $crate::class::hierarchy::valkey_aliases! { $callback $($rows)* }
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
            $name ( $($base),* )
            concat!(stringify!($m0) $(, ".", stringify!($m))*),
            $crate::class::hierarchy::python_name!($name; $($($key $value)*)?),
            $crate::class::hierarchy::releases_text!($($($key $value)*)?);
        )* }
    };
}

/// The `valkey` column of each row that has one, as `Alias = Struct`.
macro_rules! valkey_aliases {
    ($callback:ident $(
        $(#[doc = $doc:literal])*
        $name:ident ( $($base:ident),* ) in $m0:ident $(. $m:ident)* $({ $($key:ident : $value:tt),* $(,)? })?;
    )*) => {
        $($crate::class::hierarchy::valkey_alias!($callback $name; $($($key $value)*)?);)*
    };
}

/// One row's `valkey` column, if any, handed to `$callback!(Alias = Struct)`.
macro_rules! valkey_alias {
    ($callback:ident $name:ident;) => {};
    ($callback:ident $name:ident; valkey $alias:ident $($rest:tt)*) => { $callback!($alias = $name); };
    ($callback:ident $name:ident; $key:ident $value:tt $($rest:tt)*) => {
        $crate::class::hierarchy::valkey_alias!($callback $name; $($rest)*);
    };
}

/// A row's Python name: its `name` column, else the Rust name.
macro_rules! python_name {
    ($name:ident;) => { stringify!($name) };
    ($name:ident; name $value:literal $($rest:tt)*) => { $value };
    ($name:ident; $key:ident $value:tt $($rest:tt)*) => { $crate::class::hierarchy::python_name!($name; $($rest)*) };
}

/// A row's releases for its docs: `" (since redis-py 8.2)"`, `" (redis-py
/// 5.0 to 5.3; removed in 6.0)"`, or nothing for a class of every release.
macro_rules! releases_text {
    () => { "" };
    (since $since:literal $($rest:tt)*) => {
        concat!(" Since redis-py ", stringify!($since), ".", $crate::class::hierarchy::releases_text!($($rest)*))
    };
    (until $until:literal $($rest:tt)*) => {
        concat!(" Removed in redis-py ", stringify!($until), ".", $crate::class::hierarchy::releases_text!($($rest)*))
    };
    ($key:ident $value:tt $($rest:tt)*) => { $crate::class::hierarchy::releases_text!($($rest)*) };
}

pub(crate) use {
    for_each_class, project, python_name, releases_text, valkey_alias, valkey_aliases,
};
