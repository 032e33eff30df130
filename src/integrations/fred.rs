//! `fred` (fred 10.x, the async client) errors to redis-py classes.
//!
//! The mapping is documented on `impl From<fred::error::Error> for Error`
//! (the module itself is private); this module only holds the code.
//!
//! A fred error is a kind plus a text (`details()`), nothing else: fred
//! keeps no cause, no address and no `std::io::Error`. What the text holds,
//! as fred 10.1 builds it:
//!
//! * **server replies**: the whole reply as received, code word included
//!   (`"WRONGTYPE Operation against ..."`), with a kind chosen from its first
//!   word (fred's `pretty_error`): `InvalidArgument` for `WRONGTYPE`, `Auth`
//!   for `NOAUTH`/`WRONGPASS`, `Cluster` for `MOVED`/`ASK`/`CLUSTERDOWN`,
//!   `Config` for `ERR ...instance has cluster support disabled`,
//!   `InvalidCommand`/`InvalidArgument` for replies starting
//!   `Invalid command`/`Invalid argument(s)`, `Unknown` for everything else.
//!   An empty reply becomes `"No response!"`;
//! * **I/O errors**: the `Debug` form of the `std::io::Error`
//!   (`Os { code: 111, kind: ConnectionRefused, message: "..." }`,
//!   `Kind(TimedOut)`, ...), which keeps the OS error number, or one of
//!   fred's own texts (`"Connection closed."`, ...);
//! * **everything else**: fred's own message.

use std::io;

use ::fred::error::{Error as FredError, ErrorKind};

use crate::Error;
use crate::{
    parse_error, AuthenticationError, ConnectionError, DataError, InvalidResponse, IoPhase,
    MaxConnectionsError, RedisClusterException, RedisError, ValueError, RETRY_SUPPORTED_ERRORS,
};

/// fred's text for an empty error reply.
const EMPTY_REPLY: &str = "No response!";

/// fred's text when its unresponsive-connection timer fires.
const UNRESPONSIVE: &str = "Unresponsive connection.";

/// A class constructor from a message.
type Make = fn(String) -> Error;

/// fred 10.1's own messages (not server replies) of the kinds that also
/// carry replies, or that get a class other than their kind's, with the
/// class redis-py raises in the same situation. A `*` stands for any text
/// (what fred formats in). Every `Unknown` message fred 10.1 builds is
/// here: `Unknown` is also the kind of most error replies, and a text not
/// listed would be taken as one (tests/fred.rs checks the list against
/// fred's source).
const OWN_MESSAGES: &[(ErrorKind, &str, Make)] = &[
    // `Unknown`: client-side failures of every sort.
    (ErrorKind::Unknown, "Cannot use NaN as zrange field.", |m| {
        DataError::new(m).into()
    }),
    (ErrorKind::Unknown, "Client is not initialized.", |m| {
        ConnectionError::new(m).into()
    }),
    (
        ErrorKind::Unknown,
        "Client is not using a clustered deployment.",
        redis_error,
    ),
    (
        ErrorKind::Unknown,
        "Connection is not blocked.",
        redis_error,
    ),
    (
        ErrorKind::Unknown,
        "Could not convert * to floating point value.",
        invalid_response,
    ),
    (
        ErrorKind::Unknown,
        "Could not convert to map.",
        invalid_response,
    ),
    (
        ErrorKind::Unknown,
        "Expected an even number of elements.",
        invalid_response,
    ),
    (
        ErrorKind::Unknown,
        "Expected an even number of redis values.",
        invalid_response,
    ),
    (
        ErrorKind::Unknown,
        "Expected array of redis values.",
        invalid_response,
    ),
    (ErrorKind::Unknown, "Expected OK, found *", invalid_response),
    (
        ErrorKind::Unknown,
        "Failed to create backchannel connection.",
        connection_error,
    ),
    (
        ErrorKind::Unknown,
        "Failed to find backchannel server.",
        connection_error,
    ),
    (
        ErrorKind::Unknown,
        "Failed to read connection ID.",
        invalid_response,
    ),
    (
        ErrorKind::Unknown,
        "Failed to route command.",
        connection_error,
    ),
    (
        ErrorKind::Unknown,
        "Failed to send command to router.",
        connection_error,
    ),
    (
        ErrorKind::Unknown,
        "Invalid buffer response index.",
        invalid_response,
    ),
    (
        ErrorKind::Unknown,
        "Invalid redis command. Expected HSCAN, SSCAN, or ZSCAN.",
        redis_error,
    ),
    (
        ErrorKind::Unknown,
        "Max attempts exceeded",
        connection_error,
    ),
    (
        ErrorKind::Unknown,
        "Max redirections exceeded",
        cluster_exception,
    ),
    (
        ErrorKind::Unknown,
        "Missing expected connection.",
        connection_error,
    ),
    (
        ErrorKind::Unknown,
        "Missing lua script contents.",
        redis_error,
    ),
    (ErrorKind::Unknown, "Missing response.", invalid_response),
    (
        ErrorKind::Unknown,
        "No connections are blocked.",
        redis_error,
    ),
    (ErrorKind::Unknown, "Pool is full.", |m| {
        MaxConnectionsError::new(m).into()
    }),
    (ErrorKind::Unknown, "Signed integer too large.", |m| {
        DataError::new(m).into()
    }),
    (ErrorKind::Unknown, "Spawn Error: *", redis_error),
    (
        ErrorKind::Unknown,
        "Too many failed write attempts.",
        connection_error,
    ),
    (
        ErrorKind::Unknown,
        "Unexpected DISCARD response.",
        invalid_response,
    ),
    (ErrorKind::Unknown, "Unimplemented.", redis_error),
    (ErrorKind::Unknown, "Unknown error.", redis_error),
    (ErrorKind::Unknown, "Unknown frame error.", invalid_response),
    (
        ErrorKind::Unknown,
        "Unknown or invalid error from buffered frames.",
        invalid_response,
    ),
    (ErrorKind::Unknown, "Unsigned integer too large.", |m| {
        DataError::new(m).into()
    }),
    // Channel and formatting failures inside the client (`Display`/`Debug`
    // of the futures, tokio and fmt errors fred converts).
    (ErrorKind::Unknown, "channel closed", connection_error),
    (ErrorKind::Unknown, "channel lagged by *", redis_error),
    (
        ErrorKind::Unknown,
        "receiving on a closed channel",
        connection_error,
    ),
    (
        ErrorKind::Unknown,
        "send failed because *",
        connection_error,
    ),
    (ErrorKind::Unknown, "Error", redis_error),
    // `IO` texts without an `std::io::Error` behind them.
    (ErrorKind::IO, "Connection closed.", server_closed),
    (ErrorKind::IO, "Connection Closed", server_closed),
    // `Routing`: no node to send to, except a redirection loop.
    (
        ErrorKind::Routing,
        "Too many redirections.",
        cluster_exception,
    ),
    // `Config`: the client used in a way its configuration does not allow.
    (
        ErrorKind::Config,
        "Client tracking requires RESP3.",
        redis_error,
    ),
    (ErrorKind::Config, "Expected *", redis_error),
    (
        ErrorKind::Config,
        "Redis client is already initialized.",
        redis_error,
    ),
];

fn redis_error(m: String) -> Error {
    RedisError::new(m).into()
}

fn connection_error(m: String) -> Error {
    ConnectionError::new(m).into()
}

fn invalid_response(m: String) -> Error {
    InvalidResponse::new(m).into()
}

fn cluster_exception(m: String) -> Error {
    RedisClusterException::new(m).into()
}

fn server_closed(_: String) -> Error {
    ConnectionError::new(crate::error::io::SERVER_CLOSED).into()
}

/// redis-py's timeout message for a read from `addr` (or the socket).
fn timeout(addr: Option<(&str, u16)>) -> Error {
    let phase = match addr {
        Some((host, port)) => IoPhase::Read { host, port },
        None => IoPhase::Socket,
    };
    Error::from_io(io::Error::from(io::ErrorKind::TimedOut), phase)
}

impl Error {
    /// The error redis-py would raise where fred returned `err`; `err`
    /// (cloned: fred's `Error` is `Clone`) is kept as `source()`.
    ///
    /// fred's error does not say which server it came from, so I/O errors
    /// get the messages of [`IoPhase::Socket`]; see
    /// [`Error::from_fred_error_at`] to give the address, and the table on
    /// `impl From<fred::error::Error> for Error` for the whole mapping.
    ///
    /// ```
    /// use fred::error::{Error as FredError, ErrorKind};
    /// use redis_exceptions::{Error, NoScriptError, RedisErrorExt};
    ///
    /// // What fred returns for a `-NOSCRIPT ...` reply.
    /// let err = FredError::new(ErrorKind::Unknown, "NOSCRIPT No matching script. Please use EVAL.");
    /// let e = Error::from_fred_error(&err);
    /// assert!(e.is::<NoScriptError>());
    /// assert_eq!(e.status_code(), Some("NOSCRIPT"));
    /// assert_eq!(e.to_string(), "No matching script. Please use EVAL.");
    /// ```
    #[cfg_attr(docsrs, doc(cfg(feature = "fred")))]
    pub fn from_fred_error(err: &FredError) -> Error {
        convert(err, None).with_source(err.clone())
    }

    /// [`Error::from_fred_error`] for a client connected to `host:port`,
    /// for redis-py's exact I/O wording: an error only connecting can give
    /// (connection refused, host or network unreachable, address not
    /// available) is [`IoPhase::Connect`], giving
    /// `"Error 111 connecting to localhost:6379. Connection refused."`;
    /// a broken pipe, which only writing gives, is [`IoPhase::Write`];
    /// other I/O errors and timeouts are [`IoPhase::Read`]
    /// (`"Timeout reading from localhost:6379"`). Everything else is as
    /// without the address.
    ///
    /// ```
    /// use fred::error::{Error as FredError, ErrorKind};
    /// use redis_exceptions::{ConnectionError, Error, RedisErrorExt};
    ///
    /// // fred keeps an io::Error as its Debug text.
    /// let err = FredError::from(std::io::Error::from_raw_os_error(111));
    /// let e = Error::from_fred_error_at(&err, "localhost", 6379);
    /// assert!(e.is::<ConnectionError>());
    /// assert_eq!(e.to_string(), "Error 111 connecting to localhost:6379. Connection refused.");
    /// ```
    #[cfg_attr(docsrs, doc(cfg(feature = "fred")))]
    pub fn from_fred_error_at(err: &FredError, host: &str, port: u16) -> Error {
        convert(err, Some((host, port))).with_source(err.clone())
    }
}

/// Converts a fred error into the class redis-py raises for the same
/// situation (through [`Error::from_fred_error`]); the fred error is kept as
/// `source()`.
///
/// fred keeps a server error reply whole, code word included, as the
/// error's text; such a text goes through [`crate::parse_error`], so it
/// follows redis-py's reply table exactly (`status_code`, redirects, the
/// `ERR` messages that select `AuthenticationError` or `ModuleError`, ...),
/// whatever kind fred gave it. Everything else is mapped by
/// [`fred::error::ErrorKind`](https://docs.rs/fred/10/fred/error/enum.ErrorKind.html)
/// and fred's text:
///
/// | fred `ErrorKind` | redis-py class | message / notes |
/// | --- | --- | --- |
/// | any kind fred gives a reply (`Unknown`, `InvalidArgument` for `WRONGTYPE`, `Auth` for `NOAUTH`/`WRONGPASS`, `Cluster` for `MOVED`/`ASK`/`CLUSTERDOWN`, `Config` for `ERR ... cluster support disabled`) | what `parse_error` gives the reply: `ResponseError` (`reply_code()` keeps `WRONGTYPE`, `BUSY`, `BUSYGROUP`, ...), `NoScriptError`, `AuthenticationError`, `MovedError`/`AskError` with the redirect, `ExecAbortError`, ... | an empty reply, which fred turns into `"No response!"`, is `ResponseError("")` as in redis-py |
/// | `IO` holding an `std::io::Error` (fred keeps its `Debug` text) | `TimeoutError` for `TimedOut`/`WouldBlock`, else `ConnectionError` | [`Error::from_io`]; the OS error number is recovered from the text. Without an address: [`IoPhase::Socket`]; with one ([`Error::from_fred_error_at`]), `Connect` for refused/unreachable, `Write` for a broken pipe, else `Read`. An end of file outside connecting is `"Connection closed by server."` |
/// | `IO` `"Connection closed."` | `ConnectionError` | `"Connection closed by server."`, redis-py's message |
/// | `IO` `"Unresponsive connection."` | `TimeoutError` | `"Timeout reading from socket"` (`from <host>:<port>` with the address): fred's unresponsive-connection timer, the analogue of redis-py's `socket_timeout` |
/// | `IO`, other texts (`"Failed to connect."`, `"Failed to resolve h:p"`, DNS errors) | `ConnectionError` | fred's text |
/// | `Timeout` (`"Request timed out."`) | `TimeoutError` | `"Timeout reading from socket"` (`from <host>:<port>` with the address). fred uses the same text for its connection timeout, where redis-py says `"Timeout connecting to server"` |
/// | `Auth` without a reply | `AuthenticationError` | fred's text |
/// | `Protocol`, `Parse`, `NotFound` | `InvalidResponse` | a reply that does not decode or does not convert to the type asked for (`NotFound`: a nil where a value was needed) |
/// | `InvalidArgument` without a reply | `DataError` | redis-py's class for arguments it cannot send |
/// | `InvalidCommand` without a reply | `RedisError` | client misuse (`"Empty transaction."`, a command in subscriber mode) |
/// | `Url` | `ValueError` | as redis-py's `from_url` |
/// | `Config` | `ValueError` for a bad setting; `RedisError` for the client used against its configuration (`"Expected clustered config."`, `"Client tracking requires RESP3."`, `"Redis client is already initialized."`) | |
/// | `Cluster` without a reply | `RedisClusterException` | e.g. `"Failed connecting to any cluster node."` |
/// | `Routing` | `ConnectionError`; `RedisClusterException` for `"Too many redirections."` | no node could take the command |
/// | `Sentinel` | `ConnectionError` | the base of redis-py's `MasterNotFoundError`/`SlaveNotFoundError` |
/// | `Canceled` | `ConnectionError` | fred cancels the commands of a connection that closed or of a client that quit |
/// | `Backpressure` | `MaxConnectionsError` | too many commands in flight: retry later |
/// | `Unknown`, fred's own texts | `RedisError`, or the class of the situation (`"Max redirections exceeded"` `RedisClusterException`, decoding failures `InvalidResponse`, `"Signed integer too large."` `DataError`, ...) | the texts whose class redis-py would retry (`"Pool is full."`, `"Max attempts exceeded"`, `"channel closed"`, ...) are taken as replies, `ResponseError`: see below |
/// | `Tls` (fred's TLS features) | `ConnectionError` | as redis-py's SSL errors |
/// | `Replica`, any future kind | `RedisError` | fred's text |
///
/// What fred drops, that redis-py keeps:
///
/// * the server address, in every error (give it to
///   [`Error::from_fred_error_at`]);
/// * the OS error number of a failed name resolution (redis-py:
///   `"Error -2 connecting to h:6379. Name or service not known."`);
/// * whether a timeout happened while connecting (redis-py:
///   `"Timeout connecting to server"`): fred uses one text for both;
/// * the `ERR AUTH <password> called without any password configured ...`
///   reply (and the older `ERR Client sent AUTH, but no password is set`),
///   which fred's codec replaces by `+OK`: there is no error where redis-py
///   raises `AuthenticationError`;
/// * a connection the server closed: fred reports it on its error stream
///   (`error_rx`, `"Connection closed."`, converted to redis-py's
///   `ConnectionError("Connection closed by server.")`), but without a
///   reconnection policy a command sent afterwards waits for its timeout
///   (`TimeoutError`), where redis-py raises the `ConnectionError`;
/// * the commands of a pipeline: redis-py prefixes the first failed
///   command's error with `"Command # N (...) of pipeline caused error: "`.
///   A pipeline of `MULTI`, commands and `EXEC` gives, with `all()`, the
///   first refused command's error (redis-py's class, status code and text
///   after the prefix) and, with `last()`, the `EXECABORT` reply
///   (`ExecAbortError`). fred's `Transaction::exec(abort_on_error)` (its
///   `transactions` feature) returns the `EXECABORT` reply, or with
///   `abort_on_error` the first refused command's error.
///
/// What fred cannot tell apart: it builds the error of an error reply
/// with the same constructor as its own errors, `Error::new(kind, text)`,
/// with the kind its `pretty_error` picks from the reply's first word, and
/// keeps nothing else (no frame, no call site). An `Unknown` error whose
/// text is one of fred's own `Unknown` messages may be either. It is taken
/// as fred's own, except where fred's class is one redis-py retries
/// (`ConnectionError`, `TimeoutError`, their subclasses): then it is the
/// reply (`ResponseError`), so a script's `redis.error_reply('Pool is
/// full.')` is never retried, and fred's own `"Pool is full."` or `"Max
/// attempts exceeded"` loses its class. Likewise a `-No response!` reply
/// reads as fred's text for the empty reply, `ResponseError("")`. A blank
/// reply (`- `) is `ResponseError(" ")`, as in redis-py.
///
/// A RESP3 blob error that is not UTF-8 is decoded by fred with
/// replacement, as redis-py does, so the text is the same.
///
/// ```
/// use fred::error::{Error as FredError, ErrorKind};
/// use redis_exceptions::{Error, MovedError, RedisErrorExt, ResponseError, TimeoutError};
///
/// let e = Error::from(FredError::new(ErrorKind::InvalidArgument, "WRONGTYPE Operation against a key holding the wrong kind of value"));
/// assert!(e.is::<ResponseError>());
/// assert_eq!(e.reply_code(), Some("WRONGTYPE")); // and `status_code()` as redis-py's
///
/// let e = Error::from(FredError::new(ErrorKind::Cluster, "MOVED 3999 127.0.0.1:6381"));
/// assert_eq!(e.downcast_ref::<MovedError>().unwrap().node_addr(), Some(("127.0.0.1", 6381)));
///
/// let e = Error::from(FredError::new(ErrorKind::Timeout, "Request timed out."));
/// assert!(e.is::<TimeoutError>());
/// assert!(std::error::Error::source(&e).unwrap().is::<FredError>());
/// ```
#[cfg_attr(docsrs, doc(cfg(feature = "fred")))]
impl From<FredError> for Error {
    fn from(err: FredError) -> Self {
        convert(&err, None).with_source(err)
    }
}

/// The class and message, without the cause.
///
/// fred builds the error of an error reply with the same constructor as
/// its own errors, `Error::new(kind, text)`, the kind chosen from the
/// reply's first word (`pretty_error`); nothing else tells them apart. A
/// text can be a reply only when its kind is the one `pretty_error` gives
/// that text. Then:
///
/// * a text that is not one of fred's own messages is the reply;
/// * one of fred's own messages is fred's, unless its class is one
///   redis-py retries (`ConnectionError`, `TimeoutError` and their
///   subclasses): then it is taken as the reply, so that a script's own
///   `redis.error_reply('Pool is full.')` is never retried.
fn convert(err: &FredError, addr: Option<(&str, u16)>) -> Error {
    let kind = err.kind();
    let text = err.details();
    let may_be_reply = pretty_error_kind(text) == *kind;
    if let Some(make) = own_message(kind, text) {
        let own = make(text.to_owned());
        if !(may_be_reply && RETRY_SUPPORTED_ERRORS.matches(&own)) {
            return own;
        }
        return parse_error(text);
    }
    if may_be_reply {
        // fred's text for the empty reply; a literal `-No response!` reply
        // reads the same and is taken as empty too.
        if text == EMPTY_REPLY {
            return parse_error("");
        }
        return parse_error(text);
    }
    let text = text.to_owned();
    match kind {
        ErrorKind::IO if text == UNRESPONSIVE => timeout(addr),
        ErrorKind::IO => match io_from_debug(&text) {
            Some(io) => from_io(io, addr),
            None => ConnectionError::new(text).into(),
        },
        ErrorKind::Timeout => timeout(addr),
        ErrorKind::Auth => AuthenticationError::new(text).into(),
        ErrorKind::Protocol | ErrorKind::Parse | ErrorKind::NotFound => {
            InvalidResponse::new(text).into()
        }
        ErrorKind::InvalidArgument => DataError::new(text).into(),
        ErrorKind::Url | ErrorKind::Config => ValueError::new(text).into(),
        ErrorKind::Cluster => RedisClusterException::new(text).into(),
        ErrorKind::Routing | ErrorKind::Sentinel | ErrorKind::Canceled => {
            ConnectionError::new(text).into()
        }
        ErrorKind::Backpressure => MaxConnectionsError::new(text).into(),
        // `Tls` and `Replica` exist only with fred features of those names;
        // `to_str` names them without naming the variants.
        _ if kind.to_str() == "TLS Error" => ConnectionError::new(text).into(),
        _ => RedisError::new(text).into(),
    }
}

/// The class of one of fred's own messages, from [`OWN_MESSAGES`].
fn own_message(kind: &ErrorKind, text: &str) -> Option<Make> {
    OWN_MESSAGES
        .iter()
        .find(|(k, m, _)| {
            k == kind
                && match m.split_once('*') {
                    Some((head, tail)) => {
                        text.len() >= head.len() + tail.len()
                            && text.starts_with(head)
                            && text.ends_with(tail)
                    }
                    None => text == *m,
                }
        })
        .map(|&(_, _, make)| make)
}

/// The kind fred gives an error reply with this text (fred 10.1's
/// `pretty_error`, word for word: an empty or blank reply is `Unknown`).
fn pretty_error_kind(reply: &str) -> ErrorKind {
    let mut words = reply.split_whitespace();
    match words.next().unwrap_or("") {
        "ERR" if reply.contains("instance has cluster support disabled") => ErrorKind::Config,
        "WRONGTYPE" => ErrorKind::InvalidArgument,
        "NOAUTH" | "WRONGPASS" => ErrorKind::Auth,
        "MOVED" | "ASK" | "CLUSTERDOWN" => ErrorKind::Cluster,
        "Invalid" => match words.next().unwrap_or("") {
            "argument(s)" | "Argument" => ErrorKind::InvalidArgument,
            "command" | "Command" => ErrorKind::InvalidCommand,
            _ => ErrorKind::Unknown,
        },
        _ => ErrorKind::Unknown,
    }
}

/// [`Error::from_io`] in the phase the error and the address give.
fn from_io(err: io::Error, addr: Option<(&str, u16)>) -> Error {
    let phase = IoPhase::implied(&err, addr);
    Error::from_client_io(err, phase)
}

/// The `std::io::Error` fred kept as its `Debug` text:
/// `Os { code: 111, kind: ConnectionRefused, message: "..." }`,
/// `Kind(TimedOut)`, `Error { kind: UnexpectedEof, message: "..." }` or
/// `Custom { kind: Other, error: ... }`. `None` for any other text.
fn io_from_debug(text: &str) -> Option<io::Error> {
    if let Some(rest) = text.strip_prefix("Os { code: ") {
        let end = rest.find(',')?;
        let code = rest[..end].parse::<i32>().ok()?;
        return Some(io::Error::from_raw_os_error(code));
    }
    if let Some(rest) = text.strip_prefix("Kind(") {
        let name = rest.strip_suffix(')')?;
        return Some(io::Error::from(io_kind(name)));
    }
    let (rest, field) = if let Some(rest) = text.strip_prefix("Error { kind: ") {
        (rest, ", message: ")
    } else {
        (text.strip_prefix("Custom { kind: ")?, ", error: ")
    };
    let (name, message) = rest.strip_suffix(" }")?.split_once(field)?;
    Some(io::Error::new(io_kind(name), unquote(message)))
}

/// The `io::ErrorKind` named `name` by its `Debug` form, `Other` when the
/// kind is not one a socket gives.
fn io_kind(name: &str) -> io::ErrorKind {
    use io::ErrorKind::*;
    [
        TimedOut,
        WouldBlock,
        UnexpectedEof,
        ConnectionRefused,
        ConnectionReset,
        ConnectionAborted,
        NotConnected,
        AddrInUse,
        AddrNotAvailable,
        BrokenPipe,
        Interrupted,
        InvalidInput,
        InvalidData,
        PermissionDenied,
        NotFound,
        Unsupported,
        OutOfMemory,
    ]
    .into_iter()
    .find(|k| format!("{k:?}") == name)
    .unwrap_or(Other)
}

/// A `Debug`-quoted string's content (`"a \"b\""` -> `a "b"`); other
/// text as it is.
fn unquote(text: &str) -> String {
    let Some(inner) = text.strip_prefix('"').and_then(|t| t.strip_suffix('"')) else {
        return text.to_owned();
    };
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('t') => out.push('\t'),
            Some('0') => out.push('\0'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::RedisErrorExt;

    /// Every message of the table gets its class, not the kind's default;
    /// a reply's only where the class would be retried.
    #[test]
    fn own_messages_follow_the_table() {
        for (kind, message, make) in OWN_MESSAGES {
            let text = message.replace('*', "x");
            let mut expected = make(text.clone());
            // What could be a reply is never retried: taken as the reply.
            if pretty_error_kind(&text) == *kind && RETRY_SUPPORTED_ERRORS.matches(&expected) {
                expected = parse_error(&text);
            }
            let e = Error::from(FredError::new(kind.clone(), text.clone()));
            assert!(
                std::ptr::eq(e.class(), expected.class()),
                "{kind:?} {text:?}: {e:?}"
            );
            assert_eq!(e.to_string(), expected.to_string(), "{kind:?} {text:?}");
        }
    }

    /// A reply fred gave a kind is parsed whatever the kind; the same text
    /// under another kind is fred's own.
    #[test]
    fn reply_kinds_are_fred_pretty_error() {
        let cases = [
            ("WRONGTYPE Operation", ErrorKind::InvalidArgument),
            ("NOAUTH Authentication required.", ErrorKind::Auth),
            ("WRONGPASS invalid", ErrorKind::Auth),
            ("MOVED 1 h:1", ErrorKind::Cluster),
            ("ASK 1 h:1", ErrorKind::Cluster),
            ("CLUSTERDOWN The cluster is down", ErrorKind::Cluster),
            (
                "ERR This instance has cluster support disabled",
                ErrorKind::Config,
            ),
            ("ERR unknown command", ErrorKind::Unknown),
            ("Invalid argument(s) x", ErrorKind::InvalidArgument),
            ("Invalid command x", ErrorKind::InvalidCommand),
            ("Invalid thing", ErrorKind::Unknown),
            ("just some words", ErrorKind::Unknown),
        ];
        for (text, kind) in cases {
            assert_eq!(pretty_error_kind(text), kind.clone(), "{text}");
            let e = Error::from(FredError::new(kind.clone(), text));
            let expected = parse_error(text);
            assert!(std::ptr::eq(e.class(), expected.class()), "{text}: {e:?}");
            assert_eq!(e.args(), expected.args(), "{text}");
            assert_eq!(e.status_code(), expected.status_code(), "{text}");
        }
        assert_eq!(pretty_error_kind(""), ErrorKind::Unknown);
        assert_eq!(pretty_error_kind(" \t"), ErrorKind::Unknown);
    }

    #[test]
    fn io_debug_texts_are_read_back() {
        let errors = [
            io::Error::from_raw_os_error(111),
            io::Error::from(io::ErrorKind::TimedOut),
            io::Error::from(io::ErrorKind::UnexpectedEof),
            io::Error::new(io::ErrorKind::ConnectionReset, "reset \"by\" peer\n"),
            io::Error::other("plain"),
        ];
        for err in errors {
            let text = format!("{err:?}");
            let back = io_from_debug(&text).unwrap_or_else(|| panic!("{text}"));
            assert_eq!(back.kind(), err.kind(), "{text}");
            assert_eq!(back.raw_os_error(), err.raw_os_error(), "{text}");
            assert_eq!(back.to_string(), err.to_string(), "{text}");
        }
        for text in [
            "Connection closed.",
            "Os { code: x, }",
            "Kind(TimedOut",
            "Custom {",
        ] {
            assert!(io_from_debug(text).is_none(), "{text}");
        }
        assert_eq!(io_kind("NoSuchKind"), io::ErrorKind::Other);
        assert_eq!(unquote("\"a\\\\b\\\"\""), "a\\b\"");
        assert_eq!(unquote("bare"), "bare");
    }
}
