//! `docs/reactions.md`: for each server reply (and connection error),
//! redis-py 8.2's reaction beside redis-rs's `RedisError::retry_method()`,
//! with every disagreement flagged. The table is generated here from the
//! crate's data and redis-rs itself; this test fails when the committed
//! file is not what it generates now (`REGENERATE_DOCS=1 cargo test
//! --features redis --test reactions_redis_rs` rewrites it).
#![cfg(feature = "redis")]

use std::fmt::Write as _;
use std::io;

use redis::RetryMethod;
use redis_exceptions::{Error, Next, PyClient, Reaction, RedisErrorExt, RedisPy, Refresh, Sleep};

const DOC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/reactions.md");

/// The replies of the reaction fixtures, as a server sends them: the
/// server errors of the newest release's recording
/// (`tests/fixtures/reactions/`), in its order, with its placeholders filled
/// (`{slot}` 3999, `{n2}` a node's address, `{p2}` its port). Injected
/// classes (`raise X`) and a closed connection (`close`) are not replies.
fn replies() -> Vec<String> {
    let path = format!(
        "{}/tests/fixtures/reactions/redis-py-{}.json",
        env!("CARGO_MANIFEST_DIR"),
        RedisPy::LATEST.__pinned()
    );
    let text = std::fs::read_to_string(&path).expect("the reference's reaction fixture");
    let json: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    let mut out: Vec<String> = Vec::new();
    for s in json["scenarios"].as_array().expect("scenarios") {
        let error = s["error"].as_str().expect("error");
        if error == "close" || error.starts_with("raise ") {
            continue;
        }
        let reply = error
            .replace("{slot}", "3999")
            .replace("{n2}", "127.0.0.1:6381")
            .replace("{p2}", "6381");
        if !out.contains(&reply) {
            out.push(reply);
        }
    }
    assert!(!out.is_empty(), "no server reply in {path}");
    out
}

/// The redis-rs error for a RESP error frame, as a connection returns it.
fn from_reply(reply: &str) -> redis::RedisError {
    redis::parse_redis_value(format!("-{reply}\r\n").as_bytes())
        .expect("a RESP frame")
        .extract_error()
        .expect_err("an error frame")
}

/// A reaction in a few words.
fn describe(r: &Reaction) -> String {
    let mut parts: Vec<String> = Vec::new();
    if let Some(sleep) = r.sleep {
        let ms = sleep.duration().as_millis();
        parts.push(match sleep {
            Sleep::Always(_) => format!("sleep {ms} ms"),
            Sleep::AfterHalfTtl(_) => format!("sleep {ms} ms past half the TTL"),
            _ => format!("sleep {ms} ms"),
        });
    }
    match r.refresh {
        Refresh::Now => parts.push("refresh slots".into()),
        Refresh::Requested => parts.push("mark slots stale".into()),
        Refresh::EveryNthRedirect => parts.push("move slot (refresh every 5th)".into()),
        _ => {}
    }
    if r.disconnect {
        parts.push("disconnect".into());
    }
    if r.mark_failed {
        parts.push("node last".into());
    }
    if r.fill_redirect_host {
        parts.push("fill empty host".into());
    }
    if r.backoff {
        parts.push("backoff".into());
    }
    parts.push(
        match r.next {
            Next::Raise => "raise",
            Next::Retry => "retry",
            Next::Redirect => "redirect",
            Next::RedirectAsking => "ASKING + redirect",
            _ => "other",
        }
        .into(),
    );
    parts.join(", ")
}

fn method(m: &RetryMethod) -> &'static str {
    match m {
        RetryMethod::Reconnect => "Reconnect",
        RetryMethod::NoRetry => "NoRetry",
        RetryMethod::RetryImmediately => "RetryImmediately",
        RetryMethod::WaitAndRetry => "WaitAndRetry",
        RetryMethod::AskRedirect => "AskRedirect",
        RetryMethod::MovedRedirect => "MovedRedirect",
        RetryMethod::ReconnectFromInitialConnections => "ReconnectFromInitialConnections",
        RetryMethod::RefreshSlotsAndRetry => "RefreshSlotsAndRetry",
        _ => "(newer variant)",
    }
}

/// Where the two disagree, in words; empty when they agree. Compared:
/// whether the command is sent again, whether it is redirected (and with
/// `ASKING`), whether the slot map is refreshed first.
fn disagreement(r: &Reaction, m: &RetryMethod) -> String {
    let rs_retries = !matches!(m, RetryMethod::NoRetry);
    if r.retries() != rs_retries {
        return if r.retries() {
            "redis-py retries, redis-rs does not".into()
        } else {
            "redis-rs retries, redis-py raises".into()
        };
    }
    let py_redirect = match r.next {
        Next::Redirect => Some("MOVED"),
        Next::RedirectAsking => Some("ASK"),
        _ => None,
    };
    let rs_redirect = match m {
        RetryMethod::MovedRedirect => Some("MOVED"),
        RetryMethod::AskRedirect => Some("ASK"),
        _ => None,
    };
    if py_redirect != rs_redirect {
        return format!(
            "redirect: redis-py {}, redis-rs {}",
            py_redirect.unwrap_or("none"),
            rs_redirect.unwrap_or("none")
        );
    }
    let py_refresh = r.refresh == Refresh::Now;
    let rs_refresh = matches!(
        m,
        RetryMethod::RefreshSlotsAndRetry | RetryMethod::ReconnectFromInitialConnections
    );
    if r.retries() && py_refresh != rs_refresh {
        return format!(
            "slot refresh first: redis-py {}, redis-rs {}",
            if py_refresh { "yes" } else { "no" },
            if rs_refresh { "yes" } else { "no" }
        );
    }
    String::new()
}

fn generate() -> String {
    // The newest release, whatever the reference: the page is about it.
    let release = RedisPy::LATEST;
    let mut rows: Vec<(String, Option<String>, redis::RedisError)> = replies()
        .into_iter()
        .map(|r| (format!("`{r}`"), Some(r.clone()), from_reply(&r)))
        .collect();
    for (label, kind) in [
        ("connection refused (I/O)", io::ErrorKind::ConnectionRefused),
        ("connection reset (I/O)", io::ErrorKind::ConnectionReset),
        ("read timed out (I/O)", io::ErrorKind::TimedOut),
    ] {
        rows.push((
            label.to_string(),
            None,
            redis::RedisError::from(io::Error::from(kind)),
        ));
    }
    let mut out = String::new();
    out.push_str(
        "# What redis-py does about each error, beside redis-rs\n\n\
         <!-- Generated by tests/reactions_redis_rs.rs from the crate's reaction table\n     \
         (src/class/reaction.rs) and redis-rs; do not edit. Regenerate with\n     \
         REGENERATE_DOCS=1 cargo test --features redis --test reactions_redis_rs -->\n\n\
         For each server reply (and three I/O errors), the class redis-py 8.2 raises\n\
         for it (through `Error::from(redis::RedisError)`, which keeps the redis-rs\n\
         error as its source), what redis-py 8.2's `RedisCluster` and `Redis` do\n\
         about it (`RedisPy::V8_2.reaction(..)`, checked against recordings of\n\
         redis-py's own clients: `tests/reactions.rs`), and redis-rs's\n\
         `RedisError::retry_method()`.\n\n\
         The last column flags where the two clients disagree on the cluster\n\
         client: whether the command is sent again, whether it is redirected (and\n\
         with `ASKING`), and whether the slot map is refreshed before the retry.\n\
         redis-py's answer is never adjusted to agree: the table shows a porter\n\
         where the two clients differ.\n\n\
         Checked against the recordings: what is sent next (and where, with\n\
         `ASKING` or not), the pauses, the backoff, a refresh before the next\n\
         attempt, the dropped connection (seen when the command is sent again),\n\
         the filled-in host. Not visible to the recorder, and taken from\n\
         redis-py 8.2's cluster module: `mark slots stale` (a refresh asked for\n\
         later) and `node last` (the node moved to the end of the startup nodes).\n\n\
         | error | redis-py class | `RedisCluster` (8.2) | `Redis` (8.2) | redis-rs `retry_method()` | differs |\n\
         |---|---|---|---|---|---|\n",
    );
    let mut differing = 0;
    for (label, reply, err) in &rows {
        // The class `release` gives the reply (`Error::from` gives the
        // reference's, the same while the reference is the newest).
        let class = match reply {
            Some(r) => release.parse_error(r).class(),
            None => Error::from(err.clone()).class(),
        };
        let cluster = release.reaction(PyClient::RedisCluster, class).unwrap();
        let plain = release.reaction(PyClient::Redis, class).unwrap();
        let m = err.retry_method();
        let diff = disagreement(&cluster, &m);
        if !diff.is_empty() {
            differing += 1;
        }
        writeln!(
            out,
            "| {label} | `{}` | {} | {} | `{}` | {} |",
            class.name(),
            describe(&cluster),
            describe(&plain),
            method(&m),
            if diff.is_empty() {
                String::new()
            } else {
                format!("**{diff}**")
            }
        )
        .unwrap();
    }
    writeln!(
        out,
        "\n{differing} of {} rows differ.\n\n\
         Other clients and releases: `RedisPy::reaction(PyClient::.., class)` for\n\
         `Redis`, `RedisCluster`, `ClusterPipeline`, `ClusterTransaction` and\n\
         `AsyncRedisCluster`, redis-py 5.0 to 8.2 (and `ValkeyPy::reaction`);\n\
         `RedisPy::class_set` for the class tuples the clients decide by, and\n\
         `RedisPy::retry_policy` for the default `Retry`.",
        rows.len()
    )
    .unwrap();
    out
}

#[test]
fn docs_reactions_md_is_what_the_generator_makes() {
    let made = generate();
    if std::env::var_os("REGENERATE_DOCS").is_some() {
        std::fs::write(DOC, &made).unwrap();
    }
    let committed = std::fs::read_to_string(DOC).unwrap_or_default();
    assert!(
        committed == made,
        "docs/reactions.md is not what tests/reactions_redis_rs.rs makes now; \
         regenerate: REGENERATE_DOCS=1 cargo test --features redis --test reactions_redis_rs"
    );
}

#[test]
fn the_conversion_keeps_both_answers() {
    let err = from_reply("READONLY You can't write against a read only replica.");
    let e = Error::from(err.clone());
    // redis-py: a ResponseError subclass, raised at once by the cluster client...
    let r = e.reaction(PyClient::RedisCluster).unwrap();
    assert_eq!(r.next, Next::Raise);
    // ...while the redis-rs error kept as the source has its own opinion.
    let source = std::error::Error::source(&e)
        .and_then(|s| s.downcast_ref::<redis::RedisError>())
        .expect("the redis-rs error is the source");
    assert_eq!(method(&source.retry_method()), method(&err.retry_method()));
}
