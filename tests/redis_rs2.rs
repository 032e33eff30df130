//! The `redis2` feature: redis-rs 2.0 (`redis` 2.0.0-rc.2) errors converted
//! into redis-py's classes.
//!
//! * offline: every error reply of every server's live fixture
//!   (`tests/fixtures/live/<server>/replies.json`), as redis-rs 2.0 reads the
//!   RESP frame, converts to what the reference redis-py raised for it (class,
//!   `str()`, `status_code`, redirect), and the kinds redis-rs builds itself
//!   to the classes `docs/redis-rs.md` gives;
//! * live, once per server of the matrix (`<test>::redis_7_0`, ...;
//!   binaries as `tests/live/servers.rs` finds them: skipped, saying why,
//!   under plain `cargo test` when one is missing, failing under the test
//!   command): a throw-away server, real errors through a redis-rs 2.0
//!   connection, each checked against what redis-py raised for that
//!   server's reply.
#![cfg(feature = "redis2")]

mod common;
#[path = "live/resp.rs"]
#[allow(dead_code, reason = "needed by the live harness's servers.rs")]
mod resp;
#[path = "live/servers.rs"]
#[allow(
    dead_code,
    reason = "the live harness's server management; part of it is used"
)]
mod servers;

use std::time::Duration;

use redis2::{ErrorKind, RedisError as Rs2Error};
use redis_exceptions::{
    AuthenticationError, ConnectionError, Error, ExecAbortError, InvalidResponse, NoScriptError,
    RedisClusterException, RedisErrorExt, ResponseError, TimeoutError, ValueError,
};
use serde_json::Value as Json;
use servers::{Kind, Ready, Server, TempDir};

/// The redis-rs 2.0 error for a RESP error frame, as a connection returns it.
fn from_frame(frame: &[u8]) -> Rs2Error {
    redis2::parse_redis_value(frame)
        .expect("a RESP frame")
        .extract_error()
        .expect_err("an error frame")
}

/// (class, `str()`, `status_code`, redirect `(slot_id, host, port)`) of a
/// converted error.
type Seen = (
    String,
    String,
    Option<String>,
    Option<(Option<i64>, String, Option<u64>)>,
);

fn seen(e: &Error) -> Seen {
    (
        e.class().name().to_owned(),
        e.to_string(),
        e.status_code().map(str::to_owned),
        e.redirect().map(|r| {
            (
                r.slot_id_i64(),
                r.host().to_owned(),
                r.port().map(u64::from),
            )
        }),
    )
}

/// The same four values, as redis-py's `parse_error` gave them.
fn raised(pe: &Json) -> Seen {
    (
        pe["class"].as_str().unwrap_or("?").to_owned(),
        pe["str"].as_str().unwrap_or("?").to_owned(),
        pe["status_code"].as_str().map(str::to_owned),
        pe.get("slot_id").map(|slot| {
            (
                slot.as_i64(),
                pe["host"].as_str().unwrap_or("?").to_owned(),
                pe["port"].as_u64(),
            )
        }),
    )
}

/// Every (error text, redis-py's verdict) of a server's fixture: the error
/// replies and the error elements of array replies (EXEC). Replies
/// redis-py's parse_error itself raised on (a malformed redirect) are left
/// out: no class to compare.
fn recorded_errors(server: &str) -> Vec<(String, Json)> {
    let doc = common::fixture(&format!("live/{server}/replies"));
    let mut out = Vec::new();
    for s in doc["scenarios"].as_array().expect("scenarios") {
        let nested = s
            .get("nested_errors")
            .and_then(Json::as_array)
            .cloned()
            .unwrap_or_default();
        let items = std::iter::once(s.clone()).chain(nested);
        for item in items {
            let (Some(text), Some(pe)) = (
                item["error_text"].as_str(),
                item.get("redispy")
                    .map_or(item.get("parse_error"), |r| r.get("parse_error")),
            ) else {
                continue;
            };
            if pe.is_object() && pe.get("raised") != Some(&Json::Bool(true)) {
                out.push((text.to_owned(), pe.clone()));
            }
        }
    }
    out
}

#[test]
fn every_recorded_reply_converts_as_redis_py_raised_it() {
    let mut checked = 0;
    let mut failures = Vec::new();
    for kind in servers::MATRIX {
        let errors = recorded_errors(kind.name);
        assert!(errors.len() > 50, "{}: {} errors", kind.name, errors.len());
        for (text, pe) in errors {
            let err = from_frame(format!("-{text}\r\n").as_bytes());
            let e = Error::from_redis2_error(&err);
            if seen(&e) != raised(&pe) {
                failures.push(format!(
                    "{}: {text:?}: {:?}, redis-py {:?}",
                    kind.name,
                    seen(&e),
                    raised(&pe)
                ));
            }
            let source = std::error::Error::source(&e).expect("a source");
            assert!(source.is::<Rs2Error>(), "{text:?}: source {source:?}");
            checked += 1;
        }
    }
    common::report(&format!(
        "redis-rs 2.0: {}/{checked} recorded replies of {} servers convert as redis-py raised them",
        checked - failures.len(),
        servers::MATRIX.len()
    ));
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn client_side_kinds_follow_the_table() {
    // docs/redis-rs.md: the class redis-py raises in the same situation.
    let cases: &[(ErrorKind, &str, &str)] = &[
        (
            ErrorKind::AuthenticationFailed,
            "Password authentication failed",
            "AuthenticationError",
        ),
        (
            ErrorKind::InvalidClientConfig,
            "Invalid database number",
            "ValueError",
        ),
        (ErrorKind::Parse, "parse error", "InvalidResponse"),
        (
            ErrorKind::UnexpectedReturnType,
            "Response type not string compatible",
            "InvalidResponse",
        ),
        (
            ErrorKind::ClusterConnectionNotFound,
            "No connection",
            "RedisClusterException",
        ),
        (
            ErrorKind::MasterNameNotFoundBySentinel,
            "Master not found",
            "ConnectionError",
        ),
        (ErrorKind::Client, "misuse", "RedisError"),
    ];
    for &(kind, desc, class) in cases {
        let e = Error::from(Rs2Error::from((kind, desc)));
        assert_eq!((e.class().name(), e.to_string()), (class, desc.to_owned()));
    }
    let e = Error::from(Rs2Error::from((
        ErrorKind::UnexpectedReturnType,
        "ping request",
        "PANG".to_owned(),
    )));
    assert!(e.is::<InvalidResponse>());
    assert_eq!(e.to_string(), "ping request: PANG");
    assert!(Error::from(Rs2Error::from((ErrorKind::InvalidClientConfig, "x"))).is::<ValueError>());
    assert!(
        Error::from(Rs2Error::from((ErrorKind::ClusterConnectionNotFound, "x")))
            .is::<RedisClusterException>()
    );

    // I/O errors: redis-py's socket messages.
    let refused = Rs2Error::from(std::io::Error::from_raw_os_error(111));
    let e = Error::from_redis2_error_at(
        &refused,
        redis_exceptions::IoPhase::Connect {
            host: "localhost",
            port: 6379,
        },
    );
    assert!(e.is::<ConnectionError>());
    assert_eq!(
        e.to_string(),
        "Error 111 connecting to localhost:6379. Connection refused."
    );
    let timeout = Rs2Error::from(std::io::Error::from(std::io::ErrorKind::TimedOut));
    assert!(Error::from(timeout).is::<TimeoutError>());
}

/// With both features, the two releases' errors for the same reply convert
/// alike (one conversion, two crates).
#[cfg(feature = "redis")]
#[test]
fn one_and_two_convert_alike() {
    for (text, _) in recorded_errors("redis-7.0") {
        let frame = format!("-{text}\r\n");
        let one = redis::parse_redis_value(frame.as_bytes())
            .unwrap()
            .extract_error()
            .unwrap_err();
        let two = from_frame(frame.as_bytes());
        assert_eq!(seen(&Error::from(one)), seen(&Error::from(two)), "{text:?}");
    }
}

// ---------------------------------------------------------------------------
// live
// ---------------------------------------------------------------------------

servers::on_every_server!(
    live_server_errors_match_redis_py,
    live_connection_errors_match_redis_py,
);

/// What redis-py raised for the reply server `kind` gave in scenario `name`.
fn recorded(kind: &Kind, name: &str) -> Seen {
    let doc = common::fixture(&format!("live/{}/replies", kind.name));
    let s = doc["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == name)
        .unwrap_or_else(|| panic!("{name} is not in live/{}/replies.json", kind.name))
        .clone();
    raised(&s["redispy"]["parse_error"])
}

/// A throw-away server of `kind` and a redis-rs 2.0 client for it.
struct Live {
    _dir: TempDir,
    server: Server,
}

impl Live {
    fn start(kind: &'static Kind, name: &str) -> Live {
        let dir = TempDir::new(&format!("redis-rs2-{name}")).expect("temp dir");
        let server = Server::start(kind, dir.path(), name, &[], false, Ready::Ping)
            .unwrap_or_else(|e| panic!("{e}"));
        Live { _dir: dir, server }
    }

    fn connection(&self) -> redis2::Connection {
        redis2::Client::open(("127.0.0.1", self.server.port))
            .unwrap()
            .get_connection()
            .unwrap()
    }
}

fn fails(cmd: &mut redis2::Cmd, con: &mut redis2::Connection) -> Rs2Error {
    cmd.query::<redis2::Value>(con)
        .expect_err("the command should fail")
}

fn live_server_errors_match_redis_py(kind: &'static Kind) {
    let live = Live::start(kind, "errors");
    let mut con = live.connection();
    redis2::cmd("SET")
        .arg("k")
        .arg("v")
        .query::<()>(&mut con)
        .unwrap();

    let err = fails(redis2::cmd("LPUSH").arg("k").arg("x"), &mut con);
    let e = Error::from(err.clone());
    assert!(e.is::<ResponseError>(), "{e:?}");
    assert_eq!(seen(&e), recorded(kind, "standalone/wrongtype"));
    assert_eq!(e.reply_code(), Some("WRONGTYPE"));
    let kept = std::error::Error::source(&e)
        .and_then(|s| s.downcast_ref::<Rs2Error>())
        .expect("the redis-rs 2.0 error as source");
    assert_eq!(kept.to_string(), err.to_string());

    let e = Error::from(fails(
        redis2::cmd("EVALSHA").arg("f".repeat(40)).arg(0),
        &mut con,
    ));
    assert!(e.is::<NoScriptError>(), "{e:?}");
    assert_eq!(seen(&e), recorded(kind, "standalone/noscript"));

    let e = Error::from(fails(&mut redis2::cmd("GET"), &mut con));
    assert_eq!(seen(&e), recorded(kind, "standalone/wrong_number_of_args"));

    let e = Error::from(fails(redis2::cmd("AUTH").arg("pw"), &mut con));
    assert!(e.is::<AuthenticationError>(), "{e:?}");
    assert_eq!(
        seen(&e),
        recorded(kind, "standalone/auth_no_password_configured")
    );

    // A reply the client cannot convert.
    let err = redis2::cmd("GET")
        .arg("k")
        .query::<i64>(&mut con)
        .unwrap_err();
    assert!(Error::from(err).is::<InvalidResponse>());

    // Pipelines: the first failed command's error, as redis-py raises it.
    let err = redis2::pipe()
        .cmd("SET")
        .arg("a")
        .arg("1")
        .cmd("LPUSH")
        .arg("a")
        .arg("x")
        .query::<redis2::Value>(&mut con)
        .unwrap_err();
    assert_eq!(Error::from(err).reply_code(), Some("WRONGTYPE"));

    // An aborted transaction: the queued command's error, not EXECABORT.
    let err = redis2::pipe()
        .atomic()
        .cmd("SET")
        .arg("b")
        .cmd("GET")
        .arg("b")
        .query::<redis2::Value>(&mut con)
        .unwrap_err();
    let e = Error::from(err);
    assert!(
        e.is::<ResponseError>() && !e.is::<ExecAbortError>(),
        "{e:?}"
    );
    assert_eq!(e.to_string(), "wrong number of arguments for 'set' command");

    assert_eq!(
        redis2::cmd("PING").query::<String>(&mut con).unwrap(),
        "PONG"
    );
}

fn live_connection_errors_match_redis_py(kind: &'static Kind) {
    let live = Live::start(kind, "connections");

    // redis-py: TimeoutError('Timeout reading from socket').
    let mut con = live.connection();
    con.set_read_timeout(Some(Duration::from_millis(100)))
        .unwrap();
    let err = fails(redis2::cmd("BLPOP").arg("empty").arg(2), &mut con);
    assert!(err.is_timeout(), "{err:?}");
    let e = Error::from(err);
    assert!(e.is::<TimeoutError>(), "{e:?}");
    assert_eq!(e.to_string(), "Timeout reading from socket");

    // The server closes the connection: redis-py's
    // SERVER_CLOSED_CONNECTION_ERROR.
    let mut victim = live.connection();
    let id: i64 = redis2::cmd("CLIENT").arg("ID").query(&mut victim).unwrap();
    let mut killer = live.connection();
    redis2::cmd("CLIENT")
        .arg("KILL")
        .arg("ID")
        .arg(id)
        .query::<()>(&mut killer)
        .unwrap();
    let err = fails(&mut redis2::cmd("PING"), &mut victim);
    let e = Error::from(err.clone());
    assert!(e.is::<ConnectionError>(), "{err:?} -> {e:?}");
    assert_eq!(e.to_string(), "Connection closed by server.");

    // Nothing listens: a refused connection.
    let port = servers::free_port().unwrap();
    let err = redis2::Client::open(("127.0.0.1", port))
        .unwrap()
        .get_connection()
        .map(|_| ())
        .expect_err("nothing listens");
    let e = Error::from(err);
    assert!(e.is::<ConnectionError>(), "{e:?}");
}
