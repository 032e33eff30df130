//! The `fred` feature: fred errors converted into redis-py's classes.
//!
//! The first part builds fred errors offline, as fred 10.1 builds them; the
//! `live_` tests run once per server of the live matrix (`<test>::redis_7_0`,
//! `::valkey_8_1`, `::redis_6_2`; see `tests/live/servers.rs`): each starts
//! throw-away servers of that kind (the tests fail, naming the server, when
//! its binary is missing) and provokes real errors through a fred client.
//! Expected classes, messages and status codes come from what redis-py
//! raised for the same replies: for Redis 7.0 `tests/fixtures/live_replies.json`
//! (the reference redis-py's clients against redis-server 7.0), for the others
//! `tests/fixtures/live/<server>/replies.json` (`parse_error` on that
//! server's reply); `error_type` from `tests/fixtures/classes.json`.
#![cfg(feature = "fred")]

mod common;
#[path = "live/resp.rs"]
#[allow(
    dead_code,
    reason = "the live harness's client; the server start uses part of it"
)]
mod resp;
#[path = "live/servers.rs"]
#[allow(
    dead_code,
    reason = "the live harness's server management, used in part"
)]
mod servers;

use std::future::Future;
use std::io;
use std::time::Duration;

use fred::error::{Error as FredError, ErrorKind};
use fred::prelude::{ClientLike, Config, EventInterface, ServerConfig, Value};
use fred::types::{Builder, ClusterHash, CustomCommand};
use redis_exceptions::{
    parse_error, AuthenticationError, ConnectionError, DataError, Error, ExceptionClass,
    InvalidResponse, MaxConnectionsError, MovedError, RedisClusterException, RedisErrorExt,
    ResponseError, TimeoutError, ValueError,
};
use serde_json::Value as Json;

use servers::{Kind, Ready, Server, TempDir};

// --------------------------------------------------------------------------
// expectations from redis-py
// --------------------------------------------------------------------------

/// What redis-py raised: class, `str()`, `status_code`, `error_type`.
#[derive(Debug, PartialEq)]
struct Raised {
    class: String,
    text: String,
    status_code: Option<String>,
    error_type: Option<String>,
}

/// The `error_type` redis-py gives a class by default (`classes.json`).
fn default_error_type(class: &str) -> Option<String> {
    let classes = common::fixture("classes");
    let row = classes["classes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == class)
        .unwrap_or_else(|| panic!("{class} is not in classes.json"));
    row["error_type"].as_str().map(str::to_owned)
}

/// A scenario of `live_replies.json` by name.
fn scenario(name: &str) -> Json {
    let doc = common::fixture("live_replies");
    doc["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == name)
        .unwrap_or_else(|| panic!("{name} is not in live_replies.json"))
        .clone()
}

/// What redis-py raised in scenario `name`, as `key` recorded it
/// (`client_resp2`, `parse_error`, `pipeline_transaction_resp2`, ...).
fn raised(name: &str, key: &str) -> Raised {
    let record = &scenario(name)["redispy"][key];
    assert!(record.is_object(), "{name}: no {key}");
    assert_ne!(record["raised"], false, "{name}/{key} did not raise");
    let class = record["class"].as_str().unwrap().to_owned();
    Raised {
        error_type: default_error_type(&class),
        text: record["str"].as_str().unwrap().to_owned(),
        status_code: record["status_code"].as_str().map(str::to_owned),
        class,
    }
}

/// What redis-py raised for the reply `server` gave in scenario `name`
/// (`tests/fixtures/live/<server>/replies.json`); `nested`: the error
/// element at that index of an array reply instead.
fn raised_on(server: &str, name: &str, nested: Option<u64>) -> Raised {
    let doc = common::fixture(&format!("live/{server}/replies"));
    let s = doc["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == name)
        .unwrap_or_else(|| panic!("{name} is not in live/{server}/replies.json"));
    let record = match nested {
        None => &s["redispy"]["parse_error"],
        Some(i) => &s["nested_errors"]
            .as_array()
            .unwrap_or_else(|| panic!("{server} {name}: no nested errors"))
            .iter()
            .find(|n| n["index"] == i)
            .unwrap_or_else(|| panic!("{server} {name}: no nested error {i}"))["parse_error"],
    };
    assert!(record.is_object(), "{server} {name}: not an error reply");
    let class = record["class"].as_str().unwrap().to_owned();
    Raised {
        error_type: default_error_type(&class),
        text: record["str"].as_str().unwrap().to_owned(),
        status_code: record["status_code"].as_str().map(str::to_owned),
        class,
    }
}

/// What redis-py raised in scenario `name` on server `kind`: for Redis 7.0
/// the client verdict `key` of `live_replies.json`, for the others
/// `parse_error` on that server's recorded reply.
fn expected(kind: &Kind, name: &str, key: &str) -> Raised {
    if kind.name == "redis-7.0" {
        raised(name, key)
    } else {
        raised_on(kind.name, name, None)
    }
}

servers::on_every_server!(
    live_server_errors_match_redis_py,
    live_transactions_match_redis_py,
    live_auth_errors_match_redis_py,
    live_connection_refused_is_a_connection_error,
    live_timeouts_and_closed_connections,
);

#[test]
fn every_server_has_a_module() {
    // The macro above names the servers; it must name all of the matrix.
    let names: Vec<&str> = servers::MATRIX.iter().map(|k| k.name).collect();
    assert_eq!(
        names,
        [
            "redis-7.0",
            "valkey-8.1",
            "redis-6.2",
            "valkey-9.1",
            "redis-8.2"
        ]
    );
}

/// The same four values of a converted error.
fn got(e: &Error) -> Raised {
    Raised {
        class: e.class().name().to_owned(),
        text: e.to_string(),
        status_code: e.status_code().map(str::to_owned),
        error_type: e.error_type().map(|t| t.value().to_owned()),
    }
}

/// The converted error keeps fred's error, unchanged, as its source.
fn assert_source(e: &Error, err: &FredError) {
    let source = std::error::Error::source(e).expect("a source");
    let kept = source.downcast_ref::<FredError>().expect("the fred error");
    assert_eq!(kept, err);
}

/// Converts `err` both ways and checks both against redis-py.
fn assert_raised(err: &FredError, expected: &Raised, port: u16) -> Error {
    let e = Error::from(err.clone());
    assert_eq!(&got(&e), expected, "fred: {err:?}");
    assert_source(&e, err);
    let at = Error::from_fred_error_at(err, "127.0.0.1", port);
    assert_eq!(&got(&at), expected, "fred (with the address): {err:?}");
    e
}

// --------------------------------------------------------------------------
// offline: fred errors as fred 10.1 builds them
// --------------------------------------------------------------------------

#[test]
fn replies_go_through_parse_error_whatever_their_kind() {
    // The kinds fred's `pretty_error` gives these replies.
    let replies = [
        (
            ErrorKind::InvalidArgument,
            "WRONGTYPE Operation against a key holding the wrong kind of value",
        ),
        (ErrorKind::Auth, "NOAUTH Authentication required."),
        (
            ErrorKind::Auth,
            "WRONGPASS invalid username-password pair or user is disabled.",
        ),
        (ErrorKind::Cluster, "MOVED 3999 127.0.0.1:6381"),
        (ErrorKind::Cluster, "ASK 12 [::1]:7000"),
        (ErrorKind::Cluster, "CLUSTERDOWN The cluster is down"),
        (
            ErrorKind::Config,
            "ERR This instance has cluster support disabled",
        ),
        (
            ErrorKind::Unknown,
            "NOSCRIPT No matching script. Please use EVAL.",
        ),
        (ErrorKind::Unknown, "ERR max number of clients reached"),
        (ErrorKind::Unknown, "ERR unknown command 'FOO'"),
        (ErrorKind::Unknown, "BUSY Redis is busy running a script."),
        (
            ErrorKind::Unknown,
            "EXECABORT Transaction discarded because of previous errors.",
        ),
        (ErrorKind::Unknown, "just some words"),
    ];
    for (kind, reply) in replies {
        let err = FredError::new(kind, reply);
        let e = Error::from(err.clone());
        let expected = parse_error(reply);
        assert!(std::ptr::eq(e.class(), expected.class()), "{reply}: {e:?}");
        assert_eq!(e.args(), expected.args(), "{reply}");
        assert_eq!(e.status_code(), expected.status_code(), "{reply}");
        assert_eq!(e.reply_code(), expected.reply_code(), "{reply}");
        assert_eq!(e.redirect(), expected.redirect(), "{reply}");
        assert_source(&e, &err);
    }
    let e = Error::from(FredError::new(
        ErrorKind::Cluster,
        "MOVED 3999 127.0.0.1:6381",
    ));
    assert_eq!(
        e.downcast_ref::<MovedError>().unwrap().node_addr(),
        Some(("127.0.0.1", 6381))
    );
    // fred's text for an empty error reply.
    let e = Error::from(FredError::new(ErrorKind::Unknown, "No response!"));
    assert!(e.is::<ResponseError>());
    assert_eq!((e.to_string().as_str(), e.status_code()), ("", None));
}

#[test]
fn io_errors_keep_their_errno() {
    // fred keeps an io::Error as its Debug text; the errno comes back.
    let err = FredError::from(io::Error::from_raw_os_error(111));
    let e = Error::from(err.clone());
    assert!(e.is::<ConnectionError>(), "{e:?}");
    // Only connecting refuses: not a read, even without the address.
    assert_eq!(
        e.to_string(),
        "Error 111 connecting to server. Connection refused."
    );
    assert_source(&e, &err);
    let e = Error::from_fred_error_at(&err, "localhost", 6379);
    assert_eq!(
        e.to_string(),
        "Error 111 connecting to localhost:6379. Connection refused."
    );
    // A reset after connecting is a read.
    let err = FredError::from(io::Error::from_raw_os_error(104));
    let e = Error::from_fred_error_at(&err, "h", 1);
    assert_eq!(
        e.to_string(),
        "Error while reading from h:1 : (104, 'Connection reset by peer')"
    );
    // A broken pipe only comes from writing, with or without the address.
    let err = FredError::from(io::Error::from_raw_os_error(32));
    for e in [
        Error::from(err.clone()),
        Error::from_fred_error_at(&err, "h", 1),
    ] {
        assert_eq!(
            e.to_string(),
            "Error 32 while writing to socket. Broken pipe."
        );
    }

    for kind in [io::ErrorKind::TimedOut, io::ErrorKind::WouldBlock] {
        let err = FredError::from(io::Error::from(kind));
        let e = Error::from(err.clone());
        assert!(e.is::<TimeoutError>(), "{kind:?}");
        assert_eq!(e.to_string(), "Timeout reading from socket");
        let e = Error::from_fred_error_at(&err, "h", 1);
        assert_eq!(e.to_string(), "Timeout reading from h:1");
    }
    let err = FredError::from(io::Error::from(io::ErrorKind::UnexpectedEof));
    assert_eq!(Error::from(err).to_string(), "Connection closed by server.");

    // fred's own IO texts.
    for text in ["Connection closed.", "Connection Closed"] {
        let e = Error::from(FredError::new(ErrorKind::IO, text));
        assert!(e.is::<ConnectionError>());
        assert_eq!(e.to_string(), "Connection closed by server.");
    }
    let err = FredError::new(ErrorKind::IO, "Unresponsive connection.");
    assert!(Error::from(err.clone()).is::<TimeoutError>());
    assert_eq!(
        Error::from_fred_error_at(&err, "h", 1).to_string(),
        "Timeout reading from h:1"
    );
    let e = Error::from(FredError::new(ErrorKind::IO, "Failed to resolve nosuch:1"));
    assert!(e.is::<ConnectionError>());
    assert_eq!(e.to_string(), "Failed to resolve nosuch:1");
}

#[test]
fn client_side_kinds() {
    let cases: &[(ErrorKind, &str, &redis_exceptions::Class)] = &[
        (
            ErrorKind::Timeout,
            "Request timed out.",
            TimeoutError::CLASS,
        ),
        (ErrorKind::Auth, "no password", AuthenticationError::CLASS),
        (
            ErrorKind::Protocol,
            "Expected string.",
            InvalidResponse::CLASS,
        ),
        (
            ErrorKind::Parse,
            "Invalid integer string.",
            InvalidResponse::CLASS,
        ),
        (
            ErrorKind::NotFound,
            "Cannot convert nil to number.",
            InvalidResponse::CLASS,
        ),
        (ErrorKind::InvalidArgument, "Missing key.", DataError::CLASS),
        (
            ErrorKind::InvalidCommand,
            "Empty transaction.",
            redis_exceptions::RedisError::CLASS,
        ),
        (ErrorKind::Url, "InvalidPort", ValueError::CLASS),
        (
            ErrorKind::Config,
            "Invalid or missing host.",
            ValueError::CLASS,
        ),
        (
            ErrorKind::Config,
            "Expected clustered config.",
            redis_exceptions::RedisError::CLASS,
        ),
        (
            ErrorKind::Cluster,
            "Failed connecting to any cluster node.",
            RedisClusterException::CLASS,
        ),
        (
            ErrorKind::Routing,
            "Failed to route command.",
            ConnectionError::CLASS,
        ),
        (
            ErrorKind::Routing,
            "Too many redirections.",
            RedisClusterException::CLASS,
        ),
        (
            ErrorKind::Sentinel,
            "Invalid role response.",
            ConnectionError::CLASS,
        ),
        (ErrorKind::Canceled, "Canceled.", ConnectionError::CLASS),
        (
            ErrorKind::Canceled,
            "Max reconnection attempts reached.",
            ConnectionError::CLASS,
        ),
        (
            ErrorKind::Backpressure,
            "Max in-flight commands reached.",
            MaxConnectionsError::CLASS,
        ),
        (
            ErrorKind::Unknown,
            "Unknown frame error.",
            InvalidResponse::CLASS,
        ),
        (
            ErrorKind::Unknown,
            "Max redirections exceeded",
            RedisClusterException::CLASS,
        ),
        (
            ErrorKind::Unknown,
            "Expected OK, found PONG",
            InvalidResponse::CLASS,
        ),
        (
            ErrorKind::Unknown,
            "Spawn Error: JoinError::Panic",
            redis_exceptions::RedisError::CLASS,
        ),
    ];
    for &(ref kind, text, class) in cases {
        let err = FredError::new(kind.clone(), text);
        let e = Error::from(err.clone());
        assert!(std::ptr::eq(e.class(), class), "{kind:?} {text}: {e:?}");
        if !e.is_a::<TimeoutError>() {
            assert_eq!(e.to_string(), text, "{kind:?}");
        }
        assert_eq!(e.status_code(), None, "{kind:?} {text}");
        assert_source(&e, &err);
    }
    // A real URL error from fred.
    let err = Config::from_url("redis://127.0.0.1:notaport").unwrap_err();
    let e = Error::from(err);
    assert!(e.is::<ValueError>(), "{e:?}");
    assert_eq!(e.py_repr(), format!("ValueError('{e}')"));
}

// --------------------------------------------------------------------------
// live: a real redis-server and a fred client
// --------------------------------------------------------------------------

/// Runs a future on a current-thread tokio runtime (fred spawns its tasks
/// there).
fn block_on<F: Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}

/// A server of kind `kind` with `extra` options, in its own temporary
/// directory; both go away on drop (the server by PID).
struct Live {
    server: Server,
    _dir: TempDir,
}

impl Live {
    fn start(kind: &'static Kind, name: &str, extra: &[&str]) -> Live {
        let dir = TempDir::new(&format!("fred-{}-{name}", kind.name)).unwrap();
        let extra: Vec<String> = extra.iter().map(|s| s.to_string()).collect();
        let server = Server::start(kind, dir.path(), name, &extra, false, Ready::Ping)
            .unwrap_or_else(|e| panic!("fred: {e}"));
        Live { server, _dir: dir }
    }

    fn port(&self) -> u16 {
        self.server.port
    }
}

/// A fred client for `127.0.0.1:port`, without reconnection (so that the
/// first error is the one returned), RESP2, built but not connected.
fn client(port: u16, password: Option<&str>, timeout: Duration) -> fred::prelude::Client {
    let config = Config {
        server: ServerConfig::new_centralized("127.0.0.1", port),
        password: password.map(str::to_owned),
        ..Config::default()
    };
    let mut builder = Builder::from_config(config);
    builder
        .with_connection_config(|c| {
            c.connection_timeout = Duration::from_secs(5);
            c.max_command_attempts = 1;
        })
        .with_performance_config(|p| p.default_command_timeout = timeout);
    builder.build().unwrap()
}

/// A connected client.
async fn connected(port: u16, password: Option<&str>) -> fred::prelude::Client {
    let c = client(port, password, Duration::from_secs(10));
    c.init().await.expect("connect");
    c
}

fn command(name: &str, blocking: bool) -> CustomCommand {
    CustomCommand::new(name.to_owned(), ClusterHash::FirstKey, blocking)
}

/// Runs a fixture command line through fred.
async fn run(c: &fred::prelude::Client, line: &[String]) -> Result<Value, FredError> {
    c.custom(command(&line[0], false), line[1..].to_vec()).await
}

fn strings(v: &Json) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_owned())
        .collect()
}

/// Replays scenario `name` of the fixture (its setup, then its command) on
/// one fred connection and checks the error against what redis-py raised
/// for it on that server (`client_resp2` on Redis 7.0).
async fn replay(kind: &Kind, c: &fred::prelude::Client, name: &str, port: u16) -> Error {
    let s = scenario(name);
    for step in s["setup"].as_array().unwrap() {
        assert!(
            step.get("node").is_none(),
            "{name}: a setup on another connection"
        );
        let _ = run(c, &strings(&step["command"])).await;
    }
    let err = match run(c, &strings(&s["command"])).await {
        Ok(v) => panic!("{}: {name}: the command should fail, got {v:?}", kind.name),
        Err(e) => e,
    };
    assert_raised(&err, &expected(kind, name, "client_resp2"), port)
}

fn live_server_errors_match_redis_py(kind: &'static Kind) {
    let live = Live::start(kind, "plain", &[]);
    let port = live.port();
    block_on(async {
        let c = connected(port, None).await;
        for name in [
            "standalone/wrongtype",
            "standalone/unknown_command",
            "standalone/wrong_number_of_args",
            "standalone/syntax_error",
            "standalone/noscript",
            "standalone/not_an_integer",
            "standalone/exec_without_multi",
            "standalone/select_out_of_range",
            "standalone/cluster_support_disabled",
            "standalone/busygroup",
            "standalone/nogroup",
            "standalone/busykey",
            "standalone/notbusy",
            "standalone/script_error_reply_no_code",
            "standalone/script_error_reply_custom_code",
            "standalone/script_wrongtype_inside_script",
            "standalone/execabort",
        ] {
            let e = replay(kind, &c, name, port).await;
            assert!(
                e.is_a::<ResponseError>() || e.is_a::<ConnectionError>(),
                "{}: {name}",
                kind.name
            );
            eprintln!(
                "fred[{}]: {name}: {} {:?}",
                kind.name,
                e.py_repr(),
                e.to_string()
            );
        }
        // fred's codec turns this reply into +OK, so there is no error where
        // redis-py raises AuthenticationError.
        let name = "standalone/auth_no_password_configured";
        assert_eq!(
            expected(kind, name, "client_resp2").class,
            "AuthenticationError"
        );
        let reply = run(&c, &strings(&scenario(name)["command"])).await;
        assert_eq!(reply, Ok(Value::from("OK")), "{}: {name}", kind.name);

        // The connection still works after all of that.
        let pong: String = c
            .custom(command("PING", false), Vec::<String>::new())
            .await
            .unwrap();
        assert_eq!(pong, "PONG");
        c.quit().await.unwrap();
    });
}

/// A pipeline holding a recorded scenario's set-up commands (a `MULTI`
/// and what it queues) followed by `EXEC`, not yet sent.
async fn queued_transaction(
    c: &fred::prelude::Client,
    name: &str,
) -> fred::clients::Pipeline<fred::prelude::Client> {
    let p = c.pipeline();
    for step in scenario(name)["setup"].as_array().unwrap() {
        let line = strings(&step["command"]);
        let _: () = p
            .custom(command(&line[0], false), line[1..].to_vec())
            .await
            .unwrap();
    }
    let _: () = p
        .custom(command("EXEC", false), Vec::<String>::new())
        .await
        .unwrap();
    p
}

fn live_transactions_match_redis_py(kind: &'static Kind) {
    let live = Live::start(kind, "trx", &[]);
    let port = live.port();
    block_on(async {
        let c = connected(port, None).await;

        // A command refused while queueing: fred's pipeline returns the first
        // error, as redis-py's transaction pipeline raises it (redis-py adds
        // "Command # 1 (FOOBAR) of pipeline caused error: ", which fred does
        // not keep).
        let p = queued_transaction(&c, "standalone/execabort").await;
        let err = p
            .all::<Value>()
            .await
            .expect_err("the transaction should fail");
        let e = Error::from(err.clone());
        // On another server: what redis-py raised for that server's reply
        // to the same FOOBAR (no arguments) outside a transaction.
        let queued = if kind.name == "redis-7.0" {
            let whole = raised("standalone/execabort", "pipeline_transaction_resp2");
            let (prefix, text) = whole.text.split_once("caused error: ").unwrap();
            assert!(prefix.starts_with("Command # 1 (FOOBAR)"), "{prefix}");
            Raised {
                text: text.to_owned(),
                ..whole
            }
        } else {
            // FOOBAR with no arguments was recorded before AUTH. Valkey 9.1
            // answers that one with NOAUTH (the others: ERR unknown
            // command), so its verdict for the unknown-command reply comes
            // from a server that recorded it (the same text).
            let before_auth =
                |server: &str| raised_on(server, "standalone/unknown_command_before_auth", None);
            std::iter::once(kind.name)
                .chain(servers::MATRIX.iter().map(|k| k.name))
                .map(before_auth)
                .find(|r| r.status_code.as_deref() == Some("ERR"))
                .expect("a server that answered FOOBAR with ERR unknown command")
        };
        assert_eq!(got(&e), queued, "{}: {err:?}", kind.name);
        assert_source(&e, &err);
        // The EXEC reply itself, as a plain client gets it.
        let last = p.last::<Value>().await.expect_err("EXEC should fail");
        assert_raised(
            &last,
            &expected(kind, "standalone/execabort", "client_resp2"),
            port,
        );

        // An error inside EXEC's reply: fred fails the whole reply with it.
        let p = queued_transaction(&c, "standalone/exec_with_runtime_error").await;
        let err = p.last::<Value>().await.expect_err("EXEC holds an error");
        let element = if kind.name == "redis-7.0" {
            let whole = raised(
                "standalone/exec_with_runtime_error",
                "pipeline_transaction_resp2",
            );
            let (_, text) = whole.text.split_once("caused error: ").unwrap();
            Raised {
                text: text.to_owned(),
                ..whole
            }
        } else {
            raised_on(kind.name, "standalone/exec_with_runtime_error", Some(1))
        };
        let e = Error::from(err.clone());
        assert_eq!(got(&e), element, "{}: {err:?}", kind.name);
        c.quit().await.unwrap();
    });
}

fn live_auth_errors_match_redis_py(kind: &'static Kind) {
    let live = Live::start(kind, "auth", &["--requirepass", "sekret"]);
    let port = live.port();
    block_on(async {
        // No password: the server answers NOAUTH to every command.
        // fred's connection setup sends a command, so connecting fails.
        let c = client(port, None, Duration::from_secs(10));
        let err = c.init().await.expect_err("no password");
        assert_eq!(err.kind(), &ErrorKind::Auth, "{err:?}");
        let e = assert_raised(
            &err,
            &expected(kind, "standalone/noauth", "client_resp2"),
            port,
        );
        assert!(e.is::<AuthenticationError>());

        // A client configured with a wrong password fails to connect.
        let c = client(port, Some("wrongpass"), Duration::from_secs(10));
        let err = c.init().await.expect_err("a wrong password");
        assert_raised(
            &err,
            &expected(
                kind,
                "standalone/wrongpass",
                "connect_with_wrong_password_resp2",
            ),
            port,
        );

        // The right one works; AUTH with a wrong password then fails.
        let c = connected(port, Some("sekret")).await;
        let e = replay(kind, &c, "standalone/wrongpass", port).await;
        assert!(e.is::<AuthenticationError>());
        let pong: String = c
            .custom(command("PING", false), Vec::<String>::new())
            .await
            .unwrap();
        assert_eq!(pong, "PONG");
        c.quit().await.unwrap();
    });
}

fn live_connection_refused_is_a_connection_error(kind: &'static Kind) {
    // Checked first so that a missing server binary fails this test too.
    kind.binaries();
    block_on(async {
        // A port found free may be taken by a server another test starts
        // meanwhile: try a few until one refuses.
        let mut refused = None;
        for _ in 0..8 {
            let port = servers::free_port().unwrap();
            let c = client(port, None, Duration::from_secs(10));
            if let Err(err) = c.init().await {
                if err.kind() == &ErrorKind::IO && err.details().contains("refused") {
                    refused = Some((port, err));
                    break;
                }
            }
        }
        let (port, err) = refused.expect("a port nothing listens on refuses the connection");
        assert_eq!(err.kind(), &ErrorKind::IO, "{err:?}");
        let e = Error::from(err.clone());
        assert!(e.is::<ConnectionError>(), "{e:?}");
        assert_eq!(e.error_type(), ConnectionError::CLASS.default_error_type());
        assert_source(&e, &err);
        let at = Error::from_fred_error_at(&err, "127.0.0.1", port);
        assert!(at.is::<ConnectionError>());
        if cfg!(target_os = "linux") {
            // redis-py's Connection.connect wording, errno and strerror
            // recovered from fred's text.
            assert_eq!(
                at.to_string(),
                format!("Error 111 connecting to 127.0.0.1:{port}. Connection refused.")
            );
            // Without the address: still a connect, not a read.
            assert_eq!(
                e.to_string(),
                "Error 111 connecting to server. Connection refused."
            );
        }
    });
}

fn live_timeouts_and_closed_connections(kind: &'static Kind) {
    let live = Live::start(kind, "conn", &[]);
    let port = live.port();
    block_on(async {
        // A blocking command outliving the command timeout.
        let c = client(port, None, Duration::from_millis(200));
        c.init().await.unwrap();
        let err = c
            .custom::<Value, _>(command("BLPOP", true), vec!["empty", "2"])
            .await
            .expect_err("a timeout");
        assert_eq!(err.kind(), &ErrorKind::Timeout, "{err:?}");
        let e = Error::from(err.clone());
        assert!(e.is::<TimeoutError>(), "{e:?}");
        assert_eq!(e.to_string(), "Timeout reading from socket");
        assert_eq!(e.error_type(), TimeoutError::CLASS.default_error_type());
        let at = Error::from_fred_error_at(&err, "127.0.0.1", port);
        assert_eq!(
            at.to_string(),
            format!("Timeout reading from 127.0.0.1:{port}")
        );
        let _ = c.quit().await;

        // The server closes the connection: fred reports it on its error
        // stream.
        let victim = client(port, None, Duration::from_secs(1));
        victim.init().await.unwrap();
        let mut errors = victim.error_rx();
        let id: i64 = victim
            .custom(command("CLIENT", false), vec!["ID"])
            .await
            .unwrap();
        let killer = connected(port, None).await;
        let _: Value = killer
            .custom(
                command("CLIENT", false),
                vec!["KILL".to_owned(), "ID".to_owned(), id.to_string()],
            )
            .await
            .unwrap();
        let (err, _) = tokio::time::timeout(Duration::from_secs(10), errors.recv())
            .await
            .expect("fred reports the closed connection")
            .unwrap();
        let e = Error::from(err.clone());
        assert!(e.is::<ConnectionError>(), "{err:?} -> {e:?}");
        // redis-py's SERVER_CLOSED_CONNECTION_ERROR.
        assert_eq!(e.to_string(), "Connection closed by server.");
        // Without a reconnection policy, a command sent afterwards waits for
        // a connection until its timeout (redis-py: the ConnectionError).
        let err = victim
            .custom::<Value, _>(command("PING", false), Vec::<String>::new())
            .await
            .expect_err("the connection is gone");
        assert_eq!(err.kind(), &ErrorKind::Timeout, "{err:?}");
        assert!(Error::from(err).is::<TimeoutError>());
        let _ = killer.quit().await;
    });
}

// --------------------------------------------------------------------------
// hostile replies: texts that read like fred's own messages (issue 18)
// --------------------------------------------------------------------------

/// fred's own `Unknown` messages whose class redis-py would retry: fred
/// cannot tell them from a reply of the same text, so they are taken as
/// the reply (a script's `redis.error_reply(...)` is never retried).
const TAKEN_AS_REPLIES: &[&str] = &[
    "Client is not initialized.",
    "Failed to create backchannel connection.",
    "Failed to find backchannel server.",
    "Failed to route command.",
    "Failed to send command to router.",
    "Max attempts exceeded",
    "Missing expected connection.",
    "Pool is full.",
    "Too many failed write attempts.",
];

/// The source directory of the fred this crate was built with, from
/// `Cargo.lock` and the cargo registry.
fn fred_source() -> std::path::PathBuf {
    let manifest = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let lock = std::fs::read_to_string(manifest.join("Cargo.lock")).expect("Cargo.lock");
    let version = lock
        .split("[[package]]")
        .find(|p| p.contains("\nname = \"fred\"\n"))
        .and_then(|p| p.lines().find_map(|l| l.strip_prefix("version = \"")))
        .and_then(|v| v.strip_suffix('"'))
        .expect("fred in Cargo.lock")
        .to_owned();
    let home = std::env::var_os("CARGO_HOME")
        .map(std::path::PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| std::path::Path::new(&h).join(".cargo")))
        .expect("CARGO_HOME or HOME");
    let registry = home.join("registry").join("src");
    std::fs::read_dir(&registry)
        .unwrap_or_else(|e| panic!("{}: {e}", registry.display()))
        .filter_map(|d| d.ok())
        .map(|d| d.path().join(format!("fred-{version}")))
        .find(|p| p.join("src").is_dir())
        .unwrap_or_else(|| panic!("fred-{version} not in {}", registry.display()))
}

/// Every `Error::new(ErrorKind::X, "text")` and
/// `Error::new(ErrorKind::X, format!("text", ..))` in fred's source, with
/// `x` for each formatted value; literals that are only a placeholder (the
/// text of another error type) are left out.
fn fred_messages(dir: &std::path::Path, out: &mut Vec<(String, String)>) {
    for entry in std::fs::read_dir(dir).unwrap().filter_map(|e| e.ok()) {
        let path = entry.path();
        if path.is_dir() {
            fred_messages(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let text = std::fs::read_to_string(&path).unwrap();
            let mut rest = text.as_str();
            while let Some(at) = rest.find("Error::new(") {
                rest = &rest[at + "Error::new(".len()..];
                if let Some(found) = one_message(rest) {
                    out.push(found);
                }
            }
        }
    }
}

/// The kind and text of one `Error::new(` call, from just after the `(`.
fn one_message(call: &str) -> Option<(String, String)> {
    let call = call.trim_start().strip_prefix("ErrorKind::")?;
    let end = call.find(|c: char| !c.is_alphanumeric())?;
    let kind = call[..end].to_owned();
    let call = call[end..].trim_start().strip_prefix(',')?.trim_start();
    let (call, formatted) = match call.strip_prefix("format!(") {
        Some(rest) => (rest.trim_start(), true),
        None => (call, false),
    };
    let mut chars = call.strip_prefix('"')?.chars();
    let mut text = String::new();
    loop {
        match chars.next()? {
            '"' => break,
            '\\' => match chars.next()? {
                'n' => text.push('\n'),
                't' => text.push('\t'),
                '\n' => {
                    // A line continuation: the next line's indent is skipped.
                    let rest = chars.as_str().trim_start();
                    chars = rest.chars();
                }
                c => text.push(c),
            },
            c => text.push(c),
        }
    }
    if formatted {
        // `{}`, `{:?}`, ... stand for a value; `{{` and `}}` are braces.
        let mut out = String::new();
        let mut it = text.chars().peekable();
        while let Some(c) = it.next() {
            match c {
                '{' if it.peek() == Some(&'{') => {
                    it.next();
                    out.push('{');
                }
                '}' if it.peek() == Some(&'}') => {
                    it.next();
                    out.push('}');
                }
                '{' => {
                    for c in it.by_ref() {
                        if c == '}' {
                            break;
                        }
                    }
                    out.push('x');
                }
                c => out.push(c),
            }
        }
        if out == "x" {
            return None;
        }
        text = out;
    }
    Some((kind, text))
}

fn kind_named(name: &str) -> Option<ErrorKind> {
    Some(match name {
        "Config" => ErrorKind::Config,
        "Auth" => ErrorKind::Auth,
        "Routing" => ErrorKind::Routing,
        "IO" => ErrorKind::IO,
        "InvalidCommand" => ErrorKind::InvalidCommand,
        "InvalidArgument" => ErrorKind::InvalidArgument,
        "Url" => ErrorKind::Url,
        "Protocol" => ErrorKind::Protocol,
        "Canceled" => ErrorKind::Canceled,
        "Unknown" => ErrorKind::Unknown,
        "Timeout" => ErrorKind::Timeout,
        "Cluster" => ErrorKind::Cluster,
        "Parse" => ErrorKind::Parse,
        "Sentinel" => ErrorKind::Sentinel,
        "NotFound" => ErrorKind::NotFound,
        "Backpressure" => ErrorKind::Backpressure,
        // `Tls` and `Replica`: kinds of fred features this build lacks.
        _ => return None,
    })
}

/// Each message fred's source builds is fred's own (no reply code, not a
/// server `ResponseError`), except the documented few taken as replies.
#[test]
fn fred_source_messages_are_fred_own() {
    let dir = fred_source();
    let mut messages = Vec::new();
    fred_messages(&dir.join("src"), &mut messages);
    messages.sort();
    messages.dedup();
    assert!(
        messages.len() > 100,
        "{} messages in {}",
        messages.len(),
        dir.display()
    );
    let mut wrong = Vec::new();
    let mut taken = Vec::new();
    for (name, text) in &messages {
        let Some(kind) = kind_named(name) else {
            continue;
        };
        let e = Error::from(FredError::new(kind, text.clone()));
        if name == "Unknown" && TAKEN_AS_REPLIES.contains(&text.as_str()) {
            let reply = parse_error(text);
            if !std::ptr::eq(e.class(), reply.class()) || e.reply_code() != reply.reply_code() {
                wrong.push(format!("{name} {text:?}: {e:?}, not the reply"));
            }
            taken.push(text.as_str());
            continue;
        }
        if e.is_a::<ResponseError>() || e.reply_code().is_some() || e.status_code().is_some() {
            wrong.push(format!(
                "{name} {text:?}: {e:?} (reply code {:?})",
                e.reply_code()
            ));
        }
        if e.is_a::<ConnectionError>() && kind_named(name) == Some(ErrorKind::Unknown) {
            wrong.push(format!("{name} {text:?}: {e:?} would retry a reply"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    taken.sort();
    taken.dedup();
    assert_eq!(taken, TAKEN_AS_REPLIES, "the list is fred's source's");
}

/// Replies that read like fred's messages: never a class redis-py
/// retries; blank replies are replies.
#[test]
fn replies_like_fred_messages_are_never_retried() {
    for text in [
        "Max attempts exceeded",
        "channel closed",
        "send failed because boom",
        "receiving on a closed channel",
        "Pool is full.",
    ] {
        let e = Error::from(FredError::new(ErrorKind::Unknown, text));
        assert!(e.is::<ResponseError>(), "{text}: {e:?}");
        assert_eq!(e.to_string(), text);
        assert!(
            !redis_exceptions::RETRY_SUPPORTED_ERRORS.matches(&e),
            "{text}"
        );
    }
    // fred's own, non-retried classes keep their class (the ambiguity is
    // documented on `From<fred::error::Error>`).
    let e = Error::from(FredError::new(
        ErrorKind::Unknown,
        "Signed integer too large.",
    ));
    assert!(e.is::<DataError>(), "{e:?}");
}

/// fred's own `Unknown` messages, once missing from the table: fred's,
/// with no invented reply code.
#[test]
fn fred_own_unknown_messages_are_not_replies() {
    for text in [
        "Client is not using a clustered deployment.",
        "Invalid redis command. Expected HSCAN, SSCAN, or ZSCAN.",
        "Expected an even number of redis values.",
        "Could not convert abc to floating point value.",
    ] {
        let e = Error::from(FredError::new(ErrorKind::Unknown, text));
        assert!(!e.is_a::<ResponseError>(), "{text}: {e:?}");
        assert_eq!(e.reply_code(), None, "{text}");
    }
}

/// `- \r\n`: a blank reply, as redis-py reads it (fred's kind for it is
/// `Unknown`, as for any reply).
#[test]
fn blank_replies_are_replies() {
    for blank in [" ", "  ", "\t"] {
        let e = Error::from(FredError::new(ErrorKind::Unknown, blank));
        let reply = parse_error(blank);
        assert!(e.is::<ResponseError>(), "{blank:?}: {e:?}");
        assert_eq!(e.args(), reply.args(), "{blank:?}");
    }
}

/// Live: `redis.error_reply(...)` with fred's texts, on every server.
#[test]
fn live_script_replies_like_fred_messages() {
    for kind in servers::MATRIX {
        if !kind.skipped("live_script_replies_like_fred_messages") {
            script_replies_like_fred_messages(kind);
        }
    }
}

fn script_replies_like_fred_messages(kind: &'static Kind) {
    let live = Live::start(kind, "scripts", &[]);
    let port = live.port();
    block_on(async {
        let c = connected(port, None).await;
        for text in [
            "Max attempts exceeded",
            "channel closed",
            "send failed because boom",
            "Pool is full.",
            " ",
        ] {
            let script = format!("return redis.error_reply('{text}')");
            let line = ["EVAL".to_owned(), script, "0".to_owned()];
            let err = run(&c, &line).await.expect_err("an error reply");
            let e = Error::from(err);
            assert!(e.is::<ResponseError>(), "{text:?}: {e:?}");
            assert!(
                !redis_exceptions::RETRY_SUPPORTED_ERRORS.matches(&e),
                "{text:?}"
            );
        }
        c.quit().await.unwrap();
    });
}
