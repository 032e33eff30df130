//! What the features `redis` (redis-rs 1.x) and `redis2` (redis-rs 2.0)
//! share: how a redis-rs `RedisError` is read, written once.
//!
//! redis-rs 2.0.0-rc.2 kept 1.8's error API: `RedisError`, `ErrorKind`,
//! `ServerErrorKind` and `ServerError` have the same variants and methods
//! (its `src/errors` differs from 1.8.1's in one `cfg` feature name). The
//! two are distinct crates to the compiler, so the conversion is a macro
//! that `redis.rs` and `redis2.rs` each expand with their crate's name.

/// `conversion!(redis)` defines, in the calling module, `convert(&err,
/// phase)`: the class and message of the crate `redis`'s `RedisError`,
/// without the cause (in a private module `conversion`, with its helpers).
macro_rules! conversion {
    ($redis:ident) => {
        mod conversion {
            use std::error::Error as StdError;
            use std::io;
            use std::sync::Arc;

            use $redis::{ErrorKind, ServerError};

            use crate::error::erased::Error;
            use crate::error::io::IoPhase;
            use crate::error::structs::*;
            use crate::parse::reply::parse_error;

            /// The class and message, without the cause.
            pub(super) fn convert(err: &$redis::RedisError, phase: IoPhase<'_>) -> Error {
                if let Some(first) = first_server_error(err) {
                    return parse_error(&server_reply(first.code(), first.details()));
                }
                let kind = err.kind();
                match kind {
                    ErrorKind::Server(_) => {
                        let code = err.code().unwrap_or("ERR");
                        let text = match err.detail() {
                            Some(detail) => detail.to_owned(),
                            None => {
                                general_parts(err).map_or_else(|| err.to_string(), |(desc, _)| desc)
                            }
                        };
                        parse_error(&server_reply(code, Some(&text)))
                    }
                    ErrorKind::Io => match io_error(err) {
                        Some(io) => Error::from_client_io(rebuild_io(io), phase),
                        None => ConnectionError::new(text(err)).into(),
                    },
                    ErrorKind::Parse | ErrorKind::UnexpectedReturnType => {
                        InvalidResponse::new(text(err)).into()
                    }
                    ErrorKind::AuthenticationFailed => AuthenticationError::new(text(err)).into(),
                    ErrorKind::InvalidClientConfig => ValueError::new(text(err)).into(),
                    ErrorKind::Client if err.source().is_some() => {
                        ConnectionError::new(text(err)).into()
                    }
                    ErrorKind::Client => RedisError::new(text(err)).into(),
                    ErrorKind::Extension => ResponseError::new(text(err)).into(),
                    ErrorKind::MasterNameNotFoundBySentinel
                    | ErrorKind::NoValidReplicasFoundBySentinel
                    | ErrorKind::EmptySentinelList => ConnectionError::new(text(err)).into(),
                    ErrorKind::ClusterConnectionNotFound => {
                        RedisClusterException::new(text(err)).into()
                    }
                    ErrorKind::RESP3NotSupported => {
                        ResponseError::new(text(err)).with_status_code("ERR").into()
                    }
                    // `Serialize` exists only with redis' `json` feature; its category
                    // names it without naming the variant.
                    _ if err.category() == "serializing" => DataError::new(text(err)).into(),
                    _ => RedisError::new(text(err)).into(),
                }
            }

            /// The first server error a redis-rs error carries: the reply itself, or the
            /// first failed command of a pipeline or aborted transaction.
            fn first_server_error(err: &$redis::RedisError) -> Option<ServerError> {
                let items = err.clone().into_server_errors()?;
                items.first().map(|(_, e)| e.clone())
            }

            /// The reply text as received: redis-rs splits it at the first space.
            fn server_reply(code: &str, detail: Option<&str>) -> String {
                match detail {
                    Some(detail) => format!("{code} {detail}"),
                    None => code.to_owned(),
                }
            }

            /// `(description, detail)` of an error built from `(ErrorKind, &str[, String])`,
            /// recovered from its `Display` (`"<desc> - <Kind>[: <detail>]"`); `None` for
            /// errors of another shape.
            fn general_parts(err: &$redis::RedisError) -> Option<(String, Option<String>)> {
                if err.source().is_some() {
                    return None;
                }
                let display = err.to_string();
                let detail = err.detail();
                let suffix = match detail {
                    Some(d) => format!(" - {:?}: {d}", err.kind()),
                    None => format!(" - {:?}", err.kind()),
                };
                let desc = display.strip_suffix(&suffix)?;
                Some((desc.to_owned(), detail.map(str::to_owned)))
            }

            /// The message of a non-server error: `"<desc>"` or `"<desc>: <detail>"`
            /// for errors built from a kind and a description, else redis-rs' `Display`.
            fn text(err: &$redis::RedisError) -> String {
                match general_parts(err) {
                    Some((desc, Some(detail))) => format!("{desc}: {detail}"),
                    Some((desc, None)) => desc,
                    None => err.to_string(),
                }
            }

            /// The `std::io::Error` behind an `Io` error: redis-rs keeps it in an
            /// `Arc<dyn Error + Send + Sync>`, which is what `source()` returns.
            fn io_error(err: &$redis::RedisError) -> Option<&io::Error> {
                let source = err.source()?;
                if let Some(io) = source.downcast_ref::<io::Error>() {
                    return Some(io);
                }
                let shared = source.downcast_ref::<Arc<dyn StdError + Send + Sync>>()?;
                shared.downcast_ref::<io::Error>()
            }

            /// A copy of an `io::Error` (which is not `Clone`) with what
            /// `Error::from_io` reads: the OS error code, else the kind and the text.
            fn rebuild_io(err: &io::Error) -> io::Error {
                match err.raw_os_error() {
                    Some(code) => io::Error::from_raw_os_error(code),
                    None => io::Error::new(err.kind(), err.to_string()),
                }
            }
        }
        use conversion::convert;
    };
}

pub(super) use conversion;
