//! fred errors to redis-py classes (`From<fred::error::Error> for Error`).
//!
//! The first byte picks fred's `ErrorKind`, the rest is the error's text
//! (UTF-8 with replacement, as fred decodes replies). Checked for every
//! input:
//!
//! - nothing panics (`From`, `from_fred_error_at`, `Display`, `Debug`,
//!   `py_repr`, `reply_code`);
//! - the error fred makes for an error reply of that text (its
//!   `pretty_error`, modelled below) is what `parse_error` gives the reply,
//!   or, for one of fred's own messages it cannot tell from a reply, a class
//!   redis-py does not retry, without a reply code;
//! - a class redis-py retries is given to a possible reply only where
//!   `parse_error` gives one too;
//! - a text that cannot be a reply never gets a reply code.
#![no_main]

use fred::error::{Error as FredError, ErrorKind};
use libfuzzer_sys::fuzz_target;
use redis_exceptions::{parse_error, Error, RedisErrorExt, RETRY_SUPPORTED_ERRORS};

const KINDS: [ErrorKind; 16] = [
    ErrorKind::Config,
    ErrorKind::Auth,
    ErrorKind::Routing,
    ErrorKind::IO,
    ErrorKind::InvalidCommand,
    ErrorKind::InvalidArgument,
    ErrorKind::Url,
    ErrorKind::Protocol,
    ErrorKind::Canceled,
    ErrorKind::Unknown,
    ErrorKind::Timeout,
    ErrorKind::Cluster,
    ErrorKind::Parse,
    ErrorKind::Sentinel,
    ErrorKind::NotFound,
    ErrorKind::Backpressure,
];

/// fred 10.1's `pretty_error` (src/protocol/utils.rs), which is private.
fn pretty_error(resp: &str) -> FredError {
    let mut parts = resp.split_whitespace();
    let kind = match parts.next().unwrap_or("") {
        "" => ErrorKind::Unknown,
        "ERR" if resp.contains("instance has cluster support disabled") => ErrorKind::Config,
        "ERR" => ErrorKind::Unknown,
        "WRONGTYPE" => ErrorKind::InvalidArgument,
        "NOAUTH" | "WRONGPASS" => ErrorKind::Auth,
        "MOVED" | "ASK" | "CLUSTERDOWN" => ErrorKind::Cluster,
        "Invalid" => match parts.next().unwrap_or("") {
            "argument(s)" | "Argument" => ErrorKind::InvalidArgument,
            "command" | "Command" => ErrorKind::InvalidCommand,
            _ => ErrorKind::Unknown,
        },
        _ => ErrorKind::Unknown,
    };
    let details = if resp.is_empty() {
        "No response!".to_owned()
    } else {
        resp.to_owned()
    };
    FredError::new(kind, details)
}

fn touch(e: &Error) {
    let _ = (e.to_string(), format!("{e:?}"), e.py_repr(), e.reply_code());
}

fuzz_target!(|data: &[u8]| {
    let Some((&k, rest)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(rest).into_owned();
    let kind = KINDS[usize::from(k) % KINDS.len()].clone();

    // Any kind, any text.
    let err = FredError::new(kind.clone(), text.clone());
    let e = Error::from(err.clone());
    touch(&e);
    touch(&Error::from_fred_error_at(&err, "h", 6379));
    let reply_err = pretty_error(&text);
    if *reply_err.kind() != kind {
        // Cannot be a reply: no reply code is invented.
        assert_eq!(e.reply_code(), None, "{kind:?} {text:?}: {e:?}");
    }

    // The error of an error reply of that text.
    let e = Error::from(reply_err.clone());
    touch(&e);
    let reply = parse_error(if text == "No response!" { "" } else { &text });
    let same = std::ptr::eq(e.class(), reply.class()) && e.args() == reply.args();
    let own = !RETRY_SUPPORTED_ERRORS.matches(&e) && e.reply_code().is_none();
    assert!(
        same || own,
        "{reply_err:?}: {e:?}, parse_error gives {reply:?}"
    );
    if RETRY_SUPPORTED_ERRORS.matches(&e) {
        assert!(
            RETRY_SUPPORTED_ERRORS.matches(&reply),
            "{reply_err:?}: {e:?} would be retried"
        );
    }
});
