//! The one table: every class of `redis.exceptions` (redis-py 8.1.0) and the
//! three builtins in their MROs, declared once.
//!
//! Each row reads like the Python `class Name(Base, ...):` line, followed by
//! the facts the rest of the crate derives everything from:
//!
//! ```text
//! Name(Bases...) module, init, error_type, repr, message;
//! ```
//!
//! * `module`: `builtins` or `redis` (`redis.exceptions`).
//! * `init`: the `__init__` the class defines itself, `-` when it inherits one
//!   (see [`crate::class::Init`] for what each kind binds and sets).
//! * `error_type`: the [`crate::ExceptionType`] its own `__init__` assigns, or `-`.
//! * `repr`: `repr` when the class defines `__repr__` itself, else `-`.
//! * `message`: a class-level `message` attribute, or `-`.
//!
//! Rows are in Python's definition order (builtins first, root first). The
//! table is read through [`for_each_class!`], which hands all rows to another
//! macro: `class.rs` makes the [`crate::Class`] statics from it, `classes.rs`
//! the structs, and `error.rs` the erased error's storage.

/// Calls `$callback! { rows }` with the whole hierarchy.
macro_rules! for_each_class {
    ($callback:ident) => {
        $callback! {
            /// Python's root of all exceptions.
            BaseException() builtins, Builtin, -, -, -;
            /// Python's base of all ordinary exceptions.
            Exception(BaseException) builtins, Builtin, -, -, -;
            /// Python's error for a right type but a wrong value.
            ValueError(Exception) builtins, Builtin, -, -, -;
            /// Base of the client's errors; `repr` is `error_type:ClassName`.
            RedisError(Exception) redis, Status, Server, repr, -;
            /// The connection to the server failed or broke.
            ConnectionError(RedisError) redis, Status, Network, -, -;
            /// A socket operation timed out.
            TimeoutError(RedisError) redis, Status, Network, -, -;
            /// The server refused the credentials (`WRONGPASS`, `NOAUTH`, ...).
            AuthenticationError(ConnectionError) redis, Status, Auth, -, -;
            /// Not authorized (OCSP stapling checks).
            AuthorizationError(ConnectionError) redis, Status, Auth, -, -;
            /// The server is loading its dataset (`LOADING`).
            BusyLoadingError(ConnectionError) redis, Status, Network, -, -;
            /// The server sent bytes that are not valid RESP.
            InvalidResponse(RedisError) redis, -, -, -, -;
            /// The server answered with an error reply.
            ResponseError(RedisError) redis, -, -, -, -;
            /// A value could not be encoded for the server.
            DataError(RedisError) redis, -, -, -, -;
            /// Misuse of publish/subscribe.
            PubSubError(RedisError) redis, -, -, -, -;
            /// A watched key changed before `EXEC`.
            WatchError(RedisError) redis, -, -, -, -;
            /// `EVALSHA` named an unknown script (`NOSCRIPT`).
            NoScriptError(ResponseError) redis, -, -, -, -;
            /// The server is out of memory under its eviction policy (`OOM`).
            OutOfMemoryError(ResponseError) redis, -, -, -, -;
            /// A transaction was discarded (`EXECABORT`).
            ExecAbortError(ResponseError) redis, -, -, -, -;
            /// A write was sent to a read-only replica (`READONLY`).
            ReadOnlyError(ResponseError) redis, -, -, -, -;
            /// The ACL user may not run the command (`NOPERM`).
            NoPermissionError(ResponseError) redis, Status, Auth, -, -;
            /// A module command failed to load or unload a module.
            ModuleError(ResponseError) redis, -, -, -, -;
            /// `HIMPORT SET` named a fieldset this connection did not prepare.
            NoSuchFieldsetError(ResponseError) redis, -, -, -, -;
            /// A lock could not be acquired, extended or released.
            LockError(RedisError, ValueError) redis, Lock, -, -, -;
            /// The lock is no longer owned by this client.
            LockNotOwnedError(LockError) redis, -, -, -, -;
            /// A child process deadlocked after `fork()`.
            ChildDeadlockedError(Exception) redis, -, -, -, -;
            /// `AUTH` was sent with the wrong number of arguments.
            AuthenticationWrongNumberOfArgsError(ResponseError) redis, Status, Auth, -, -;
            /// Base of the cluster client's own errors; `repr` is `error_type:ClassName`.
            RedisClusterException(Exception) redis, Star, Server, repr, -;
            /// Cluster errors exhausted the command's retry budget.
            ClusterError(RedisError) redis, Status, Server, -, -;
            /// The cluster cannot serve requests (`CLUSTERDOWN`).
            ClusterDownError(ClusterError, ResponseError) redis, Resp, Server, -, -;
            /// The slot is migrating: ask the named node once (`ASK`).
            AskError(ResponseError) redis, Redirect, -, -, -;
            /// Try the command again later (`TRYAGAIN`).
            TryAgainError(ResponseError) redis, StatusKw, -, -, -;
            /// The keys of a request hash to different slots (`CROSSSLOT`).
            ClusterCrossSlotError(ResponseError) redis, Status, Server, -, "Keys in request don't hash to the same slot";
            /// The slot now lives on another node (`MOVED`).
            MovedError(AskError) redis, -, -, -, -;
            /// The replica lost its master and will not serve stale data (`MASTERDOWN`).
            MasterDownError(ClusterDownError) redis, -, -, -, -;
            /// No known node covers the slot.
            SlotNotCoveredError(RedisClusterException) redis, -, -, -, -;
            /// The connection pool reached its connection limit.
            MaxConnectionsError(ConnectionError) redis, -, -, -, -;
            /// A cluster transaction's keys do not share one slot.
            CrossSlotTransactionError(RedisClusterException) redis, -, -, -, -;
            /// A cluster pipeline got a reply of unexpected length.
            InvalidPipelineStack(RedisClusterException) redis, -, -, -, -;
            /// An external authentication provider failed.
            ExternalAuthProviderError(ConnectionError) redis, -, -, -, -;
            /// A command policy type is not one the client knows.
            IncorrectPolicyType(Exception) redis, -, -, -, -;
        }
    };
}

/// The Python module named by a row's `module` column.
macro_rules! module_name {
    (builtins) => {
        "builtins"
    };
    (redis) => {
        "redis.exceptions"
    };
}

pub(crate) use {for_each_class, module_name};
