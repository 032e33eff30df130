//! The `redis` feature: redis-rs errors converted into redis-py's classes.
//!
//! The first part builds redis-rs errors offline; the `live_` tests run
//! once per server of the live matrix (`<test>::redis_7_0`, `::valkey_8_1`,
//! `::redis_6_2`; binaries as `tests/live/servers.rs` finds them, the test
//! fails naming the server when one is missing): each starts a throw-away
//! server of that kind and provokes real errors through a redis-rs
//! connection, expecting what redis-py raised for that server's reply
//! (`tests/fixtures/live/<server>/replies.json`).
#![cfg(feature = "redis")]

mod common;
#[path = "live/resp.rs"]
#[allow(dead_code, reason = "needed by the live harness's servers.rs")]
mod resp;
#[path = "live/servers.rs"]
#[allow(
    dead_code,
    reason = "the live harness's server management; only the matrix is used"
)]
mod servers;

use std::io;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use servers::Kind;

use redis::{ErrorKind, ServerErrorKind};
use redis_exceptions::{
    parse_error, reply_rules, AskError, AuthenticationError, BusyLoadingError, Class,
    ClusterCrossSlotError, ClusterDownError, ConnectionError, Error, ExceptionClass,
    ExecAbortError, InvalidResponse, IoPhase, MasterDownError, MaxClientsReachedError, MovedError,
    NoPermissionError, NoScriptError, OutOfMemoryError, ReadOnlyError, RedisClusterException,
    RedisErrorExt, ResponseError, TimeoutError, TryAgainError, ValueError,
};

/// The redis-rs error for a RESP error frame, as a connection returns it.
fn from_frame(frame: &[u8]) -> redis::RedisError {
    redis::parse_redis_value(frame)
        .expect("a RESP frame")
        .extract_error()
        .expect_err("an error frame")
}

/// The converted error has the class, text and attributes `parse_error`
/// gives the same reply, and keeps the redis-rs error as its source.
fn assert_like_reply(err: redis::RedisError, reply: &str) -> Error {
    let expected = parse_error(reply);
    let e = Error::from(err.clone());
    assert!(
        std::ptr::eq(e.class(), expected.class()),
        "{reply:?}: {e:?} vs {expected:?}"
    );
    assert_eq!(e.args(), expected.args(), "{reply:?}");
    assert_eq!(e.status_code(), expected.status_code(), "{reply:?}");
    assert_eq!(e.reply_code(), expected.reply_code(), "{reply:?}");
    assert_eq!(e.reply(), expected.reply(), "{reply:?}");
    assert_eq!(e.redirect(), expected.redirect(), "{reply:?}");
    assert_source(&e, &err);
    e
}

fn assert_source(e: &Error, err: &redis::RedisError) {
    let source = std::error::Error::source(e).expect("a source");
    let kept = source
        .downcast_ref::<redis::RedisError>()
        .expect("the redis-rs error");
    assert_eq!(kept.to_string(), err.to_string());
}

#[test]
fn redirects_keep_their_target() {
    let e = assert_like_reply(
        from_frame(b"-MOVED 3999 127.0.0.1:6381\r\n"),
        "MOVED 3999 127.0.0.1:6381",
    );
    assert!(e.is::<MovedError>() && e.is_a::<AskError>() && e.is_a::<ResponseError>());
    assert_eq!(e.to_string(), "3999 127.0.0.1:6381");
    assert_eq!(e.status_code(), Some("MOVED"));
    let moved = e.downcast_ref::<MovedError>().unwrap();
    assert_eq!(
        (moved.slot_id(), moved.node_addr()),
        (Some(3999), Some(("127.0.0.1", 6381)))
    );

    let e = assert_like_reply(from_frame(b"-ASK 12 [::1]:7000\r\n"), "ASK 12 [::1]:7000");
    assert!(e.is::<AskError>());
    assert_eq!(e.redirect().unwrap().addr().as_deref(), Some("[::1]:7000"));

    // A payload redis-py cannot parse keeps the class, without a redirect.
    let e = assert_like_reply(from_frame(b"-MOVED 3999\r\n"), "MOVED 3999");
    assert!(e.is::<MovedError>() && e.redirect().is_none());
    let e = assert_like_reply(from_frame(b"-MOVED\r\n"), "MOVED");
    assert_eq!((e.status_code(), e.args().len()), (Some("MOVED"), 1));
}

#[test]
fn every_server_reply_follows_the_reply_table() {
    let frames: &[(&[u8], &str, &Class)] = &[
        (b"-NOSCRIPT No matching script. Please use EVAL.\r\n", "NOSCRIPT", NoScriptError::CLASS),
        (b"-TRYAGAIN Multiple keys request during rehashing of slot\r\n", "TRYAGAIN", TryAgainError::CLASS),
        (b"-CLUSTERDOWN The cluster is down\r\n", "CLUSTERDOWN", ClusterDownError::CLASS),
        (b"-CROSSSLOT Keys in request don't hash to the same slot\r\n", "CROSSSLOT", ClusterCrossSlotError::CLASS),
        (b"-MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.\r\n", "MASTERDOWN", MasterDownError::CLASS),
        (b"-READONLY You can't write against a read only replica.\r\n", "READONLY", ReadOnlyError::CLASS),
        (b"-EXECABORT Transaction discarded because of previous errors.\r\n", "EXECABORT", ExecAbortError::CLASS),
        (b"-LOADING Redis is loading the dataset in memory\r\n", "LOADING", BusyLoadingError::CLASS),
        (b"-NOPERM this user has no permissions to run the 'get' command\r\n", "NOPERM", NoPermissionError::CLASS),
        (b"-OOM command not allowed when used memory > 'maxmemory'.\r\n", "OOM", OutOfMemoryError::CLASS),
        (b"-NOAUTH Authentication required.\r\n", "NOAUTH", AuthenticationError::CLASS),
        (b"-WRONGPASS invalid username-password pair or user is disabled.\r\n", "WRONGPASS", AuthenticationError::CLASS),
        (b"-ERR invalid password\r\n", "ERR", AuthenticationError::CLASS),
        (b"-ERR max number of clients reached\r\n", "ERR", MaxClientsReachedError::CLASS),
        (b"-ERR unknown command 'FOO'\r\n", "ERR", ResponseError::CLASS),
    ];
    for &(frame, code, class) in frames {
        let err = from_frame(frame);
        let reply = std::str::from_utf8(&frame[1..frame.len() - 2]).unwrap();
        let e = assert_like_reply(err, reply);
        assert!(std::ptr::eq(e.class(), class), "{reply}: {:?}", e.class());
        assert_eq!(e.status_code(), Some(code), "{reply}");
    }

    // Every rule of redis-py's table, through redis-rs' parser.
    for rule in reply_rules() {
        let reply = format!("{} {}", rule.code, rule.message.unwrap_or("some detail"));
        let e = assert_like_reply(from_frame(format!("-{reply}\r\n").as_bytes()), &reply);
        assert!(std::ptr::eq(e.class(), rule.class), "{reply}");
    }
}

#[test]
fn codes_outside_the_table_are_response_errors() {
    for reply in [
        "WRONGTYPE Operation against a key holding the wrong kind of value",
        "BUSY Redis is busy running a script.",
        "NOTBUSY No scripts in execution right now.",
        "NOSUB 'unsubscribe' command executed not in subscribed mode",
        "NOPROTO unsupported protocol version",
        "ERR",
        "ERR ",
        "",
    ] {
        let e = assert_like_reply(from_frame(format!("-{reply}\r\n").as_bytes()), reply);
        assert!(e.is::<ResponseError>(), "{reply}");
    }
    let e = Error::from(from_frame(
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    ));
    // redis-py 8.2 keeps an upper-case code word as `status_code`.
    assert_eq!(e.status_code(), Some("WRONGTYPE"));
    assert_eq!(e.reply_code(), Some("WRONGTYPE"));
    assert_eq!(
        e.to_string(),
        "WRONGTYPE Operation against a key holding the wrong kind of value"
    );

    // RESP3 blob errors and errors made with redis-rs' own constructors.
    let e = assert_like_reply(
        from_frame(b"!21\r\nSYNTAX invalid syntax\r\n"),
        "SYNTAX invalid syntax",
    );
    assert_eq!(e.reply_code(), Some("SYNTAX"));
    let err = redis::make_extension_error("NOSCRIPT".into(), Some("gone".into()));
    assert!(Error::from(err).is::<NoScriptError>());
    let err = redis::make_extension_error("CUSTOM".into(), None);
    assert_like_reply(err, "CUSTOM");
}

#[test]
fn server_kinds_without_a_reply_are_rebuilt() {
    // What redis-rs builds when SELECT fails during connection setup.
    let err = redis::RedisError::from((
        ErrorKind::Server(ServerErrorKind::ResponseError),
        "Redis server refused to switch database",
        "DB index is out of range".to_owned(),
    ));
    let e = Error::from(err.clone());
    assert!(e.is::<ResponseError>());
    assert_eq!(
        (e.to_string().as_str(), e.status_code()),
        ("DB index is out of range", Some("ERR"))
    );
    assert_source(&e, &err);

    let err =
        redis::RedisError::from((ErrorKind::Server(ServerErrorKind::ClusterDown), "no detail"));
    let e = Error::from(err);
    assert!(e.is::<ClusterDownError>());
    assert_eq!(
        (e.to_string().as_str(), e.status_code()),
        ("no detail", Some("CLUSTERDOWN"))
    );

    let err = redis::RedisError::from((
        ErrorKind::Server(ServerErrorKind::Moved),
        "moved",
        "7 h:1".to_owned(),
    ));
    assert_eq!(
        Error::from(err).redirect().unwrap().node_addr(),
        Some(("h", 1))
    );
}

#[test]
fn io_errors_follow_redis_py() {
    let err = redis::RedisError::from(io::Error::from_raw_os_error(111));
    let e = Error::from(err.clone());
    assert!(e.is::<ConnectionError>());
    assert_eq!(
        e.to_string(),
        "Error 111 connecting to server. Connection refused."
    );
    assert_eq!(e.error_type().map(|t| t.value()), Some("network"));
    assert_source(&e, &err);
    // The chain goes on to the io::Error.
    let rs = std::error::Error::source(&e).unwrap();
    assert!(std::error::Error::source(rs).is_some());

    let e = Error::from_redis_error_at(
        &err,
        IoPhase::Connect {
            host: "localhost",
            port: 6379,
        },
    );
    assert_eq!(
        e.to_string(),
        "Error 111 connecting to localhost:6379. Connection refused."
    );
    assert_source(&e, &err);

    for kind in [io::ErrorKind::TimedOut, io::ErrorKind::WouldBlock] {
        let err = redis::RedisError::from(io::Error::from(kind));
        assert!(err.is_timeout());
        let e = Error::from(err.clone());
        assert!(e.is::<TimeoutError>());
        assert_eq!(e.to_string(), "Timeout reading from socket");
        let e = Error::from_redis_error_at(&err, IoPhase::Read { host: "h", port: 1 });
        assert_eq!(e.to_string(), "Timeout reading from h:1");
        let e = Error::from_redis_error_at(&err, IoPhase::Connect { host: "h", port: 1 });
        assert_eq!(e.to_string(), "Timeout connecting to server");
    }

    // redis-rs reports a closed connection as an unexpected EOF.
    let err = redis::RedisError::from(io::Error::from(io::ErrorKind::UnexpectedEof));
    let e = Error::from(err);
    assert!(e.is::<ConnectionError>());
    assert_eq!(e.to_string(), "Connection closed by server.");

    let err = redis::RedisError::from(io::Error::new(io::ErrorKind::BrokenPipe, "broken pipe"));
    let e = Error::from_redis_error_at(&err, IoPhase::Write);
    assert_eq!(
        e.to_string(),
        "Error UNKNOWN while writing to socket. broken pipe."
    );

    // An Io kind without an io::Error behind it.
    let e = Error::from(redis::RedisError::from((
        ErrorKind::Io,
        "Couldn't find a connection",
    )));
    assert!(e.is::<ConnectionError>());
    assert_eq!(e.to_string(), "Couldn't find a connection");
    let e = Error::from(redis::RedisError::from((
        ErrorKind::Io,
        "SSL Handshake error",
        "bad cert".to_owned(),
    )));
    assert_eq!(e.to_string(), "SSL Handshake error: bad cert");
}

#[test]
fn client_side_kinds() {
    let cases: &[(ErrorKind, &Class)] = &[
        (ErrorKind::Parse, InvalidResponse::CLASS),
        (ErrorKind::UnexpectedReturnType, InvalidResponse::CLASS),
        (ErrorKind::AuthenticationFailed, AuthenticationError::CLASS),
        (ErrorKind::InvalidClientConfig, ValueError::CLASS),
        (ErrorKind::Client, redis_exceptions::RedisError::CLASS),
        (ErrorKind::Extension, ResponseError::CLASS),
        (
            ErrorKind::MasterNameNotFoundBySentinel,
            ConnectionError::CLASS,
        ),
        (
            ErrorKind::NoValidReplicasFoundBySentinel,
            ConnectionError::CLASS,
        ),
        (ErrorKind::EmptySentinelList, ConnectionError::CLASS),
        (
            ErrorKind::ClusterConnectionNotFound,
            RedisClusterException::CLASS,
        ),
        (ErrorKind::RESP3NotSupported, ResponseError::CLASS),
        (ErrorKind::Io, ConnectionError::CLASS),
    ];
    for &(kind, class) in cases {
        let err = redis::RedisError::from((kind, "what happened"));
        let e = Error::from(err.clone());
        assert!(std::ptr::eq(e.class(), class), "{kind:?}: {e:?}");
        assert_eq!(e.to_string(), "what happened", "{kind:?}");
        assert_eq!(e.args().len(), 1);
        assert_source(&e, &err);

        let err = redis::RedisError::from((kind, "what happened", "details".to_owned()));
        assert_eq!(
            Error::from(err).to_string(),
            "what happened: details",
            "{kind:?}"
        );
    }
    let e = Error::from(redis::RedisError::from((
        ErrorKind::AuthenticationFailed,
        "Password authentication failed",
    )));
    assert_eq!(
        (e.status_code(), e.py_repr().as_str()),
        (None, "auth:AuthenticationError")
    );
    let e = Error::from(redis::RedisError::from((
        ErrorKind::RESP3NotSupported,
        "no HELLO",
    )));
    assert_eq!(e.status_code(), Some("ERR"));
    let e = Error::from(redis::RedisError::from((
        ErrorKind::InvalidClientConfig,
        "Redis URL did not parse",
    )));
    assert_eq!(e.py_repr(), "ValueError('Redis URL did not parse')");

    // Parsing errors: conversions and RESP that does not decode.
    let err = redis::RedisError::from(redis::ParsingError::from(
        "Response type not string compatible.",
    ));
    let e = Error::from(err);
    assert!(e.is::<InvalidResponse>());
    assert_eq!(
        e.to_string(),
        "Incompatible type - Response type not string compatible."
    );
    let err = redis::parse_redis_value(b"?what\r\n").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Parse);
    assert!(Error::from(err).is::<InvalidResponse>());

    // A real URL error.
    let err = redis::Client::open("nosuchscheme://x").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidClientConfig);
    assert!(Error::from(err).is::<ValueError>());
}

// --------------------------------------------------------------------------
// live: a real redis-server
// --------------------------------------------------------------------------

/// A server of the matrix on a free loopback port, killed (by its pid) on
/// drop.
struct Server {
    child: Child,
    port: u16,
    dir: PathBuf,
}

servers::on_every_server!(
    live_server_errors_match_redis_py,
    live_connection_errors_match_redis_py,
    live_connection_refused_is_a_connection_error,
);

/// What redis-py raised for the reply server `kind` gave in scenario
/// `name`: (class, `str()`, `status_code`).
fn recorded(kind: &Kind, name: &str) -> (String, String, Option<String>) {
    let doc = common::fixture(&format!("live/{}/replies", kind.name));
    let s = doc["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == name)
        .unwrap_or_else(|| panic!("{name} is not in live/{}/replies.json", kind.name));
    let pe = &s["redispy"]["parse_error"];
    assert!(
        pe.is_object(),
        "{}: {name} is not an error reply",
        kind.name
    );
    (
        pe["class"].as_str().unwrap().to_owned(),
        pe["str"].as_str().unwrap().to_owned(),
        pe["status_code"].as_str().map(str::to_owned),
    )
}

/// The converted error is what redis-py raised for `name` on `kind`.
fn assert_recorded(kind: &Kind, e: &Error, name: &str) {
    assert_eq!(
        (
            e.class().name().to_owned(),
            e.to_string(),
            e.status_code().map(str::to_owned)
        ),
        recorded(kind, name),
        "{}: {name}",
        kind.name
    );
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Server {
    fn start(kind: &Kind) -> Server {
        let (exe, _) = kind.binaries();
        let mut last = String::new();
        for attempt in 0..5 {
            let port = free_port();
            let dir = std::env::temp_dir().join(format!(
                "redis-exceptions-redis-rs-{}-{}-{port}-{attempt}",
                std::process::id(),
                kind.name
            ));
            std::fs::create_dir_all(&dir).unwrap();
            let child = Command::new(&exe)
                .arg("--port")
                .arg(port.to_string())
                .args(["--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
                .arg("--dir")
                .arg(&dir)
                .arg("--logfile")
                .arg(dir.join("redis.log"))
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap_or_else(|e| {
                    panic!("cannot start server {} ({}): {e}", kind.name, exe.display())
                });
            let mut server = Server { child, port, dir };
            match server.wait_ready() {
                Ok(()) => return server,
                Err(e) => last = e,
            }
        }
        panic!(
            "server {} ({}) did not start: {last}",
            kind.name,
            exe.display()
        );
    }

    fn wait_ready(&mut self) -> Result<(), String> {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(format!("exited with {status}: {}", self.log()));
            }
            if TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                if let Ok(mut con) = self.client().get_connection() {
                    if redis::cmd("PING").query::<String>(&mut con).is_ok() {
                        return Ok(());
                    }
                }
            }
            if Instant::now() > deadline {
                return Err(format!("no answer on port {}: {}", self.port, self.log()));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("redis.log")).unwrap_or_default()
    }

    fn client(&self) -> redis::Client {
        redis::Client::open(("127.0.0.1", self.port)).unwrap()
    }

    fn connection(&self) -> redis::Connection {
        self.client().get_connection().unwrap()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = remove_dir(&self.dir);
    }
}

fn remove_dir(dir: &Path) -> io::Result<()> {
    std::fs::remove_dir_all(dir)
}

/// The error of a command that must fail.
fn fails(cmd: &mut redis::Cmd, con: &mut redis::Connection) -> redis::RedisError {
    cmd.query::<redis::Value>(con)
        .expect_err("the command should fail")
}

fn live_server_errors_match_redis_py(kind: &'static Kind) {
    let server = Server::start(kind);
    let mut con = server.connection();
    redis::cmd("SET")
        .arg("k")
        .arg("v")
        .query::<()>(&mut con)
        .unwrap();

    // redis-py 8.2: ResponseError('WRONGTYPE Operation against ...'), status_code 'WRONGTYPE'.
    let err = fails(redis::cmd("LPUSH").arg("k").arg("x"), &mut con);
    let e = Error::from(err.clone());
    assert!(e.is::<ResponseError>(), "{e:?}");
    assert_recorded(kind, &e, "standalone/wrongtype");
    assert_eq!(
        (e.status_code(), e.reply_code()),
        (Some("WRONGTYPE"), Some("WRONGTYPE"))
    );
    assert_source(&e, &err);

    // redis-py: NoScriptError (Valkey words it "No matching script."), NOSCRIPT.
    let e = Error::from(fails(
        redis::cmd("EVALSHA").arg("f".repeat(40)).arg(0),
        &mut con,
    ));
    assert!(e.is::<NoScriptError>(), "{e:?}");
    assert_recorded(kind, &e, "standalone/noscript");
    assert_eq!(e.status_code(), Some("NOSCRIPT"));

    // redis-py: ResponseError("wrong number of arguments for 'get' command"), ERR.
    let e = Error::from(fails(&mut redis::cmd("GET"), &mut con));
    assert!(e.is::<ResponseError>(), "{e:?}");
    assert_recorded(kind, &e, "standalone/wrong_number_of_args");

    // redis-py: AuthenticationError (ERR message in its table), and WRONGPASS.
    let e = Error::from(fails(redis::cmd("AUTH").arg("pw"), &mut con));
    assert!(e.is::<AuthenticationError>(), "{e:?}");
    assert_recorded(kind, &e, "standalone/auth_no_password_configured");
    assert!(
        e.to_string()
            .starts_with("AUTH <password> called without any password configured"),
        "{e}"
    );
    let e = Error::from(fails(
        redis::cmd("AUTH").arg("nosuchuser").arg("pw"),
        &mut con,
    ));
    assert!(e.is::<AuthenticationError>(), "{e:?}");
    assert_eq!(e.status_code(), Some("WRONGPASS"));
    assert_eq!(
        e.to_string(),
        "invalid username-password pair or user is disabled."
    );

    // A reply the client cannot convert: InvalidResponse.
    let err = redis::cmd("GET")
        .arg("k")
        .query::<i64>(&mut con)
        .unwrap_err();
    let e = Error::from(err);
    assert!(e.is::<InvalidResponse>(), "{e:?}");

    // Pipelines: redis-py raises the first failed command's error.
    let err = redis::pipe()
        .cmd("SET")
        .arg("a")
        .arg("1")
        .cmd("LPUSH")
        .arg("a")
        .arg("x")
        .query::<redis::Value>(&mut con)
        .unwrap_err();
    let e = Error::from(err);
    assert!(e.is::<ResponseError>(), "{e:?}");
    assert_eq!(e.reply_code(), Some("WRONGTYPE"));

    // Transactions: a command refused while queueing aborts EXEC; redis-py
    // re-raises that command's error.
    let err = redis::pipe()
        .atomic()
        .cmd("SET")
        .arg("b")
        .cmd("GET")
        .arg("b")
        .query::<redis::Value>(&mut con)
        .unwrap_err();
    let e = Error::from(err);
    assert!(
        e.is::<ResponseError>() && !e.is::<ExecAbortError>(),
        "{e:?}"
    );
    assert_eq!(e.to_string(), "wrong number of arguments for 'set' command");
    assert_eq!(e.status_code(), Some("ERR"));

    // The connection still works after all of that.
    assert_eq!(
        redis::cmd("PING").query::<String>(&mut con).unwrap(),
        "PONG"
    );
}

fn live_connection_errors_match_redis_py(kind: &'static Kind) {
    let server = Server::start(kind);

    // redis-py: TimeoutError('Timeout reading from socket').
    let mut con = server.connection();
    con.set_read_timeout(Some(Duration::from_millis(100)))
        .unwrap();
    let err = fails(redis::cmd("BLPOP").arg("empty").arg(2), &mut con);
    assert!(err.is_timeout(), "{err:?}");
    let e = Error::from(err);
    assert!(e.is::<TimeoutError>(), "{e:?}");
    assert_eq!(e.to_string(), "Timeout reading from socket");

    // The server closes the connection: redis-rs reads an unexpected EOF.
    let mut victim = server.connection();
    let id: i64 = redis::cmd("CLIENT").arg("ID").query(&mut victim).unwrap();
    let mut killer = server.connection();
    redis::cmd("CLIENT")
        .arg("KILL")
        .arg("ID")
        .arg(id)
        .query::<()>(&mut killer)
        .unwrap();
    let err = fails(&mut redis::cmd("PING"), &mut victim);
    let e = Error::from(err.clone());
    assert!(e.is::<ConnectionError>(), "{err:?} -> {e:?}");
    assert!(err.is_connection_dropped(), "{err:?}");
    // redis-py's SERVER_CLOSED_CONNECTION_ERROR.
    assert_eq!(e.to_string(), "Connection closed by server.");
}

fn live_connection_refused_is_a_connection_error(kind: &'static Kind) {
    // Checked first so that a missing server binary fails this test too.
    kind.binaries();
    // A port found free may be taken by a server another test starts
    // meanwhile (a reset or a connection, not a refusal): try a few.
    let (port, err) = (0..8)
        .find_map(|_| {
            let port = free_port();
            let client = redis::Client::open(("127.0.0.1", port)).unwrap();
            match client.get_connection() {
                Err(err) if err.is_connection_refusal() => Some((port, err)),
                _ => None,
            }
        })
        .expect("a port nothing listens on refuses the connection");
    assert!(err.is_connection_refusal(), "{err:?}");
    let e = Error::from(err.clone());
    assert!(e.is::<ConnectionError>(), "{e:?}");
    assert_source(&e, &err);
    let with_phase = Error::from_redis_error_at(
        &err,
        IoPhase::Connect {
            host: "127.0.0.1",
            port,
        },
    );
    assert!(with_phase.is::<ConnectionError>());
    if cfg!(target_os = "linux") {
        // Only connecting refuses: not a read (issue 11). redis-rs does not
        // keep the address.
        assert_eq!(
            e.to_string(),
            "Error 111 connecting to server. Connection refused."
        );
        // With the phase, redis-py's exact message.
        assert_eq!(
            with_phase.to_string(),
            format!("Error 111 connecting to 127.0.0.1:{port}. Connection refused.")
        );
    }
}

/// Issue 11: a broken pipe can only come from writing; redis-rs gives it as
/// a bare `io::Error` (an OS error, or its own for a closed connection).
#[cfg(target_os = "linux")]
#[test]
fn broken_pipes_are_writes() {
    let err = redis::RedisError::from(io::Error::from_raw_os_error(32));
    assert_eq!(
        Error::from(err).to_string(),
        "Error 32 while writing to socket. Broken pipe."
    );
    let err = redis::RedisError::from(io::Error::from(io::ErrorKind::BrokenPipe));
    let e = Error::from(err);
    assert!(e.is::<ConnectionError>());
    assert_eq!(
        e.to_string(),
        "Error UNKNOWN while writing to socket. broken pipe."
    );
}
