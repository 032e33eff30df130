//! `std::io::Error` to the class redis-py raises for a socket error.

use std::io;

use crate::error::chain::exception_of;
use crate::error::erased::Error;
use crate::error::except::take_boxed;
use crate::error::structs::{ConnectionError, TimeoutError};
use crate::pyrt::value::{tuple_repr, PyValue};

/// Where a socket error happened; each phase has redis-py's own message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IoPhase<'a> {
    /// Opening the connection (`Connection.connect`).
    Connect {
        /// The server's host.
        host: &'a str,
        /// The server's port.
        port: u16,
    },
    /// Reading a reply (`Connection.read_response`).
    Read {
        /// The server's host.
        host: &'a str,
        /// The server's port.
        port: u16,
    },
    /// Sending a command (`Connection.send_packed_command`).
    Write,
    /// Not known, and no address: what `From<io::Error>` uses. An error
    /// that only connecting can give (a refused connection, an address not
    /// available, a host or network unreachable) gets the `Connect` message with `server` for the address,
    /// one that only writing can give (a broken pipe) the `Write` message;
    /// any other is a read from the socket buffer (the parser's
    /// `SocketBuffer`), host unknown.
    Socket,
}

/// The phase a message is written for: the caller's, or for
/// [`IoPhase::Socket`] the only one the error can come from.
#[derive(Clone, Copy)]
enum Phase<'a> {
    /// Connecting; the address when known.
    Connect(Option<(&'a str, u16)>),
    Read(&'a str, u16),
    Write,
    Socket,
}

impl<'a> Phase<'a> {
    fn of(phase: IoPhase<'a>, err: &io::Error) -> Self {
        match phase {
            IoPhase::Connect { host, port } => Phase::Connect(Some((host, port))),
            IoPhase::Read { host, port } => Phase::Read(host, port),
            IoPhase::Write => Phase::Write,
            IoPhase::Socket if only_when_connecting(err) => Phase::Connect(None),
            IoPhase::Socket if only_when_writing(err) => Phase::Write,
            IoPhase::Socket => Phase::Socket,
        }
    }
}

/// The errors only opening a connection gives: refused, address not
/// available, host or network unreachable.
fn only_when_connecting(err: &io::Error) -> bool {
    matches!(
        err.kind(),
        io::ErrorKind::ConnectionRefused
            | io::ErrorKind::AddrNotAvailable
            | io::ErrorKind::HostUnreachable
            | io::ErrorKind::NetworkUnreachable
    )
}

/// The errors only writing gives: a broken pipe.
fn only_when_writing(err: &io::Error) -> bool {
    err.kind() == io::ErrorKind::BrokenPipe
}

/// Whether redis-py would see `socket.timeout` for this error.
fn is_timeout(err: &io::Error) -> bool {
    matches!(
        err.kind(),
        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock
    )
}

/// The OS's text for an error number, as Python's `os.strerror` gives it
/// (std's `Display` without its " (os error N)" suffix).
pub(crate) fn strerror(code: i32) -> String {
    let text = io::Error::from_raw_os_error(code).to_string();
    let suffix = format!(" (os error {code})");
    text.strip_suffix(&suffix).unwrap_or(&text).to_owned()
}

/// Python's `OSError.args`: `(errno, strerror)` for an OS error, else the
/// message alone.
fn os_args(err: &io::Error) -> Vec<PyValue> {
    match err.raw_os_error() {
        Some(code) => vec![PyValue::Int(i64::from(code)), PyValue::Str(strerror(code))],
        None => vec![PyValue::Str(err.to_string())],
    }
}

impl Error {
    /// The error redis-py raises for a socket error in `phase`:
    /// `TimeoutError` for a timeout, `ConnectionError` with redis-py's
    /// message otherwise. The io error is kept as `source()`.
    ///
    /// ```
    /// use redis_exceptions::{ConnectionError, Error, IoPhase, RedisErrorExt};
    ///
    /// let io = std::io::Error::from_raw_os_error(111);
    /// let e = Error::from_io(io, IoPhase::Connect { host: "localhost", port: 6379 });
    /// assert!(e.is_a::<ConnectionError>());
    /// assert_eq!(e.to_string(), "Error 111 connecting to localhost:6379. Connection refused.");
    /// assert!(std::error::Error::source(&e).is_some());
    /// ```
    pub fn from_io(err: io::Error, phase: IoPhase<'_>) -> Error {
        let timeout = is_timeout(&err);
        let message = match (Phase::of(phase, &err), timeout) {
            (Phase::Connect(_), true) => "Timeout connecting to server".to_owned(),
            (Phase::Read(host, port), true) => format!("Timeout reading from {host}:{port}"),
            (Phase::Write, true) => "Timeout writing to socket".to_owned(),
            (Phase::Socket, true) => "Timeout reading from socket".to_owned(),
            (Phase::Connect(addr), false) => {
                let to = match addr {
                    Some((host, port)) => format!("{host}:{port}"),
                    None => "server".to_owned(),
                };
                match os_args(&err).as_slice() {
                    [one] => format!("Error {one} connecting to {to}."),
                    [errno, strerror, ..] => {
                        format!("Error {errno} connecting to {to}. {strerror}.")
                    }
                    [] => format!("Error connecting to {to}."),
                }
            }
            (Phase::Read(host, port), false) => format!(
                "Error while reading from {host}:{port} : {}",
                tuple_repr(&os_args(&err))
            ),
            (Phase::Write, false) => match os_args(&err).as_slice() {
                [errno, strerror, ..] => {
                    format!("Error {errno} while writing to socket. {strerror}.")
                }
                [one] => format!("Error UNKNOWN while writing to socket. {one}."),
                [] => "Error UNKNOWN while writing to socket. .".to_owned(),
            },
            (Phase::Socket, false) => format!(
                "Error while reading from socket: {}",
                tuple_repr(&os_args(&err))
            ),
        };
        if timeout {
            TimeoutError::new(message).with_source(err).into()
        } else {
            ConnectionError::new(message).with_source(err).into()
        }
    }
}

/// redis-py's message for a server that closed the connection
/// (`SERVER_CLOSED_CONNECTION_ERROR`).
#[cfg(any(feature = "redis", feature = "redis2", feature = "fred"))]
pub(crate) const SERVER_CLOSED: &str = "Connection closed by server.";

#[cfg(feature = "fred")]
impl<'a> IoPhase<'a> {
    /// The phase a client's I/O error implies when the client knows only
    /// the server's address: connecting or writing for the errors only
    /// those give, else reading; [`IoPhase::Socket`] without an address.
    pub(crate) fn implied(err: &io::Error, addr: Option<(&'a str, u16)>) -> Self {
        match addr {
            Some((host, port)) if only_when_connecting(err) => IoPhase::Connect { host, port },
            Some(_) if only_when_writing(err) => IoPhase::Write,
            Some((host, port)) => IoPhase::Read { host, port },
            None => IoPhase::Socket,
        }
    }
}

#[cfg(any(feature = "redis", feature = "redis2", feature = "fred"))]
impl Error {
    /// [`Error::from_io`] for an error a Redis client reports: an end of
    /// file that is not the OS's, outside connecting, is the server closing
    /// the connection, which redis-py reports as `ConnectionError("Connection
    /// closed by server.")`.
    pub(crate) fn from_client_io(err: io::Error, phase: IoPhase<'_>) -> Error {
        if err.kind() == io::ErrorKind::UnexpectedEof
            && err.raw_os_error().is_none()
            && !matches!(phase, IoPhase::Connect { .. })
        {
            return ConnectionError::new(SERVER_CLOSED).into();
        }
        Error::from_io(err, phase)
    }
}

impl From<io::Error> for Error {
    /// [`Error::from_io`] with [`IoPhase::Socket`]: `TimeoutError("Timeout
    /// reading from socket")`, `ConnectionError("Error while reading from
    /// socket: (errno, 'strerror')")`, or for the errors only connecting or
    /// writing gives, `"Error 111 connecting to server. Connection
    /// refused."` and `"Error 32 while writing to socket. Broken pipe."`.
    ///
    /// An `io::Error` that wraps an error of this crate
    /// (`io::Error::other(e)`, as [`find`](crate::find) sees it) gives that
    /// error back, with its own cause (a user class as a copy without its
    /// cause, difference 7).
    fn from(err: io::Error) -> Self {
        if err.get_ref().and_then(|e| exception_of(e)).is_none() {
            return Error::from_io(err, IoPhase::Socket);
        }
        let kind = err.kind();
        match err.into_inner().map(take_boxed) {
            Some(Ok(found)) => found,
            Some(Err(inner)) => Error::from_io(io::Error::new(kind, inner), IoPhase::Socket),
            None => Error::from_io(io::Error::from(kind), IoPhase::Socket),
        }
    }
}
