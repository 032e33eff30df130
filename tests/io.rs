//! `std::io::Error` to redis-py's socket error classes and messages.

use std::io::{Error as IoError, ErrorKind};

use redis_exceptions::{ConnectionError, Error, IoPhase, RedisErrorExt, TimeoutError};

#[test]
fn timeouts_become_timeout_error() {
    for kind in [ErrorKind::TimedOut, ErrorKind::WouldBlock] {
        let e = Error::from_io(IoError::from(kind), IoPhase::Connect { host: "h", port: 1 });
        assert!(e.is::<TimeoutError>());
        assert_eq!(e.to_string(), "Timeout connecting to server");
    }
    let e = Error::from_io(
        IoError::from(ErrorKind::TimedOut),
        IoPhase::Read {
            host: "h",
            port: 6379,
        },
    );
    assert_eq!(e.to_string(), "Timeout reading from h:6379");
    let e: Error = IoError::from(ErrorKind::TimedOut).into();
    assert_eq!(e.to_string(), "Timeout reading from socket");
    assert_eq!(e.py_repr(), "network:TimeoutError");
}

#[test]
fn os_errors_use_redis_py_messages() {
    let refused = || IoError::from_raw_os_error(111);
    let e = Error::from_io(
        refused(),
        IoPhase::Connect {
            host: "localhost",
            port: 6379,
        },
    );
    assert!(e.is::<ConnectionError>());
    assert_eq!(
        e.to_string(),
        "Error 111 connecting to localhost:6379. Connection refused."
    );
    let e = Error::from_io(refused(), IoPhase::Write);
    assert_eq!(
        e.to_string(),
        "Error 111 while writing to socket. Connection refused."
    );
    let e = Error::from_io(refused(), IoPhase::Read { host: "h", port: 1 });
    assert_eq!(
        e.to_string(),
        "Error while reading from h:1 : (111, 'Connection refused')"
    );
    let e: Error = IoError::other("boom").into();
    assert_eq!(e.to_string(), "Error while reading from socket: ('boom',)");
    let e = Error::from_io(
        IoError::other("boom"),
        IoPhase::Connect { host: "h", port: 2 },
    );
    assert_eq!(e.to_string(), "Error boom connecting to h:2.");
    let source = std::error::Error::source(&e)
        .unwrap()
        .downcast_ref::<IoError>()
        .unwrap();
    assert_eq!(source.to_string(), "boom");
}

#[test]
fn a_real_refused_connection() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let io = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap_err();
    let e = Error::from_io(
        io,
        IoPhase::Connect {
            host: "127.0.0.1",
            port,
        },
    );
    assert!(e.is_a::<ConnectionError>());
    assert!(
        e.to_string()
            .starts_with("Error 111 connecting to 127.0.0.1:"),
        "{e}"
    );
}

/// An error of this crate inside `io::Error::other` comes back as itself,
/// with its cause; other wrapped errors are socket errors as before.
#[test]
fn wrapped_crate_errors_come_back_as_themselves() {
    let e = Error::from(IoError::other(redis_exceptions::parse_error("MOVED 1 h:1")));
    let moved = e
        .downcast_ref::<redis_exceptions::MovedError>()
        .expect("a MovedError");
    assert_eq!(moved.node_addr(), Some(("h", 1)));
    assert_eq!(e.to_string(), "1 h:1");
    let inner = Error::from(redis_exceptions::ResponseError::new("x")).with_source(std::fmt::Error);
    let e = Error::from(IoError::new(ErrorKind::ConnectionReset, inner));
    assert!(e.is::<redis_exceptions::ResponseError>());
    assert!(std::error::Error::source(&e)
        .unwrap()
        .is::<std::fmt::Error>());
    // A bare class struct too.
    let e = Error::from(IoError::other(redis_exceptions::ReadOnlyError::new("ro")));
    assert!(e.is::<redis_exceptions::ReadOnlyError>());
    // Anything else wrapped: the socket error.
    let e = Error::from(IoError::other("plain"));
    assert!(e.is::<ConnectionError>());
    assert_eq!(e.to_string(), "Error while reading from socket: ('plain',)");
}
