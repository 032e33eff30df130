//! `find` and `except!` on a boxed error see a client's error (redis-rs
//! 1.x, redis-rs 2.0, fred) as the class it converts to: held directly, in
//! an `io::Error::other`, or as a link's `source()`.

use std::borrow::Cow;
use std::error::Error as StdError;
use std::fmt;

#[allow(unused_imports, reason = "not every feature uses all")]
use redis_exceptions::{except, find, parse_error, Error, MovedError, RedisErrorExt};

/// An application error whose `source()` is the error it wraps.
#[derive(Debug)]
#[allow(dead_code, reason = "not every feature uses it")]
struct App(Box<dyn StdError + Send + Sync>);

impl fmt::Display for App {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("request failed")
    }
}

impl StdError for App {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        Some(&*self.0)
    }
}

/// What `find` gives for `err`, as class name and text, and whether it was
/// converted (owned) rather than borrowed.
#[allow(dead_code, reason = "not every feature uses it")]
fn found(err: &(dyn StdError + 'static)) -> Option<(&'static str, String, bool)> {
    find(err).map(|e| {
        let owned = matches!(e, Cow::Owned(_));
        (e.class().name(), e.to_string(), owned)
    })
}

#[cfg(feature = "redis")]
mod redis_rs {
    use super::*;

    /// A reply as redis-rs's parser gives it, through `?` into a box.
    fn get(reply: &[u8]) -> Result<(), Box<dyn StdError + Send + Sync>> {
        let value = redis::parse_redis_value(reply)?;
        value.extract_error()?;
        Ok(())
    }

    #[test]
    fn a_moved_reply_in_a_box_is_a_moved_error() {
        let err = get(b"-MOVED 3999 127.0.0.1:6381\r\n").unwrap_err();
        assert!(err.downcast_ref::<redis::RedisError>().is_some());
        let expected = parse_error("MOVED 3999 127.0.0.1:6381");
        let e = find(&*err).expect("redis-rs's error, converted");
        assert!(matches!(e, Cow::Owned(_)));
        assert!(e.is_a::<MovedError>());
        assert_eq!(e.clone().into_owned(), expected);
        let port =
            except!(err, redis_exceptions::ConnectionError => None, MovedError as e => e.port());
        assert_eq!(port.unwrap(), Some(6381), "MOVED is no ConnectionError");

        // The bound error keeps redis-rs's error as its source.
        let err = get(b"-MOVED 3999 127.0.0.1:6381\r\n").unwrap_err();
        let e = except!(err, MovedError as e => e).unwrap();
        let source = StdError::source(&e).expect("the redis-rs error");
        assert!(source.downcast_ref::<redis::RedisError>().is_some());
    }

    #[test]
    fn unmatched_comes_back_as_it_came() {
        let err = get(b"-NOSCRIPT No matching script.\r\n").unwrap_err();
        let back = except!(err, MovedError => ()).unwrap_err();
        assert!(back.downcast_ref::<redis::RedisError>().is_some());
        let class = except!(back, redis_exceptions::NoScriptError as e => e.to_string());
        assert_eq!(
            class.unwrap(),
            parse_error("NOSCRIPT No matching script.").to_string()
        );
    }

    #[test]
    fn in_a_source_chain_and_in_io_other() {
        let inner = get(b"-CLUSTERDOWN The cluster is down\r\n").unwrap_err();
        let expected = parse_error("CLUSTERDOWN The cluster is down");
        let want = Some((expected.class().name(), expected.to_string(), true));
        let app = App(inner);
        assert_eq!(found(&app), want);
        let io = std::io::Error::other(app);
        assert_eq!(found(&io), want);
        // `except!` does not look at the cause, as Python's `except`.
        let boxed: Box<dyn StdError> = Box::new(io);
        assert!(except!(boxed, redis_exceptions::ClusterDownError => ()).is_err());
    }

    #[test]
    fn a_crate_exception_earlier_in_the_chain_comes_first() {
        let client = get(b"-MOVED 1 h:1\r\n").unwrap_err();
        let mine = parse_error("READONLY You can't write against a read only replica.");
        let app = App(Box::new(std::io::Error::other(App(Box::new(
            mine.clone().with_source(App(client)),
        )))));
        let e = find(&app).expect("the crate's own error");
        assert!(matches!(e, Cow::Borrowed(_)));
        assert_eq!(e.into_owned(), mine);
    }

    #[test]
    fn an_io_error_of_redis_rs_is_a_connection_error() {
        let err: Box<dyn StdError> = Box::new(redis::RedisError::from(
            std::io::Error::from_raw_os_error(111),
        ));
        assert_eq!(
            found(&*err).map(|(name, _, _)| name),
            Some(
                Error::from_redis_error(err.downcast_ref().unwrap())
                    .class()
                    .name()
            )
        );
        assert_eq!(
            except!(err, redis_exceptions::ConnectionError => "retry").unwrap(),
            "retry"
        );
    }
}

#[cfg(feature = "redis2")]
#[test]
fn a_redis_rs_2_error_is_seen_as_its_class() {
    fn get(reply: &[u8]) -> Result<(), Box<dyn StdError + Send + Sync>> {
        let value = redis2::parse_redis_value(reply)?;
        value.extract_error()?;
        Ok(())
    }
    let err = get(b"-ASK 3999 127.0.0.1:6381\r\n").unwrap_err();
    let expected = parse_error("ASK 3999 127.0.0.1:6381");
    assert_eq!(
        found(&*err),
        Some((expected.class().name(), expected.to_string(), true))
    );
    let app = App(get(b"-ASK 3999 127.0.0.1:6381\r\n").unwrap_err());
    assert_eq!(found(&app).map(|(name, _, _)| name), Some("AskError"));
    let slot = except!(err, MovedError => None, redis_exceptions::AskError as e => e.slot_id());
    assert_eq!(slot.unwrap(), Some(3999));
}

#[cfg(feature = "fred")]
mod fred_errors {
    use super::*;
    use fred::error::{Error as FredError, ErrorKind};

    #[test]
    fn a_fred_error_inside_io_other() {
        let io = std::io::Error::other(FredError::new(
            ErrorKind::Cluster,
            "MOVED 3999 127.0.0.1:6381",
        ));
        let e = find(&io).expect("fred's error, converted");
        assert!(matches!(e, Cow::Owned(_)));
        assert!(e.is_a::<MovedError>());
        assert_eq!(e.downcast_ref::<MovedError>().unwrap().port(), Some(6381));
        let owned = e.into_owned();
        let source = StdError::source(&owned).expect("fred's error");
        assert!(source.downcast_ref::<FredError>().is_some());

        let app = App(Box::new(io));
        assert_eq!(find(&app).map(|e| e.class().name()), Some("MovedError"));
    }

    #[test]
    fn a_fred_error_in_a_box() {
        let err: Box<dyn StdError + Send + Sync> = Box::new(FredError::new(
            ErrorKind::Cluster,
            "MOVED 3999 127.0.0.1:6381",
        ));
        assert_eq!(
            except!(err, MovedError as e => e.port()).unwrap(),
            Some(6381)
        );
        let err: Box<dyn StdError> = Box::new(FredError::new(ErrorKind::Unknown, "WRONGTYPE x"));
        let back = except!(err, MovedError => ()).unwrap_err();
        assert!(back.downcast_ref::<FredError>().is_some());
        assert_eq!(
            except!(back, redis_exceptions::RedisError as e => e.class().name()).unwrap(),
            Error::from_fred_error(&FredError::new(ErrorKind::Unknown, "WRONGTYPE x"))
                .class()
                .name()
        );
    }
}
