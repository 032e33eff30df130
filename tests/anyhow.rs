//! Feature `anyhow`: `except!` on an `anyhow::Error`.
#![cfg(feature = "anyhow")]

use redis_exceptions::{
    except, parse_error, AskError, ConnectionError, MovedError, RedisErrorExt, ResponseError,
};

#[test]
fn matches_through_context_and_hands_back_the_rest_unchanged() {
    let e = anyhow::Error::new(parse_error("MOVED 3999 127.0.0.1:6381")).context("GET k");
    let slot = except!(e, ConnectionError => None, AskError as a => a.slot_id()).unwrap();
    assert_eq!(slot, Some(3999));

    // A bare struct, not erased.
    let e = anyhow::Error::new(MovedError::new("1 h:2"));
    assert_eq!(except!(e, MovedError as m => m.port()).unwrap(), Some(2));

    // Unmatched: the same anyhow error, context and all.
    let e = anyhow::Error::new(parse_error("WRONGTYPE x")).context("GET k");
    let back = except!(e, ConnectionError => ()).unwrap_err();
    assert_eq!(format!("{back:#}"), "GET k: WRONGTYPE x");
    assert!(back
        .downcast_ref::<redis_exceptions::Error>()
        .unwrap()
        .is_a::<ResponseError>());

    // Not an exception of this crate at all.
    let e = anyhow::anyhow!("plain");
    let back = except!(e, ResponseError => ()).unwrap_err();
    assert_eq!(back.to_string(), "plain");
    let e = anyhow::anyhow!("plain");
    assert_eq!(except!(e, ResponseError => 1, _ => 2).unwrap(), 2);
}

/// A crate error behind `anyhow::Error::from_boxed` or `anyhow!(boxed)`,
/// which anyhow's `as_ref()` and `source()` do not show.
#[test]
fn boxed_errors_are_found() {
    let boxed =
        || -> Box<dyn std::error::Error + Send + Sync> { Box::new(parse_error("MOVED 1 h:1")) };
    let a = anyhow::Error::from_boxed(boxed());
    assert_eq!(except!(a, MovedError => "moved").unwrap(), "moved");
    let a = anyhow::anyhow!(boxed());
    assert_eq!(
        except!(a, ResponseError as m => m.redirect().map(|r| r.port())).unwrap(),
        Some(Some(1))
    );
    // By value, with its cause.
    let inner: Box<dyn std::error::Error + Send + Sync> = Box::new(
        redis_exceptions::Error::from(ResponseError::new("x")).with_source(std::fmt::Error),
    );
    let a = anyhow::Error::from_boxed(inner);
    let e = except!(a, ResponseError as e => e).unwrap();
    assert!(std::error::Error::source(&e).is_some());
    // Under context.
    let a = anyhow::Error::from_boxed(boxed()).context("GET k");
    assert_eq!(except!(a, MovedError => 1, _ => 2).unwrap(), 1);
    // A box holding something else is handed back as it was.
    let other: Box<dyn std::error::Error + Send + Sync> = "plain".into();
    let back = except!(anyhow::Error::from_boxed(other), ResponseError => ()).unwrap_err();
    assert_eq!(back.to_string(), "plain");
}

/// A redis-rs error that reached anyhow through `?` (a real `MOVED` reply,
/// parsed by redis-rs): `except!` sees it as the class it converts to, also
/// under context; the bound error keeps redis-rs's error as `source()`.
#[cfg(feature = "redis")]
#[test]
fn a_redis_rs_error_is_seen_as_its_class() {
    fn get(reply: &[u8]) -> anyhow::Result<()> {
        let value = redis::parse_redis_value(reply)?;
        value.extract_error()?;
        Ok(())
    }
    let err = get(b"-MOVED 3999 127.0.0.1:6381\r\n").unwrap_err();
    let addr = except!(err, ConnectionError => None, MovedError as e => e.node_addr().map(|(h, p)| format!("{h}:{p}")));
    assert_eq!(addr.unwrap().as_deref(), Some("127.0.0.1:6381"));

    let err = get(b"-MOVED 3999 127.0.0.1:6381\r\n")
        .unwrap_err()
        .context("GET k");
    let e = except!(err, AskError as e => e).unwrap();
    assert_eq!(e.class().name(), "MovedError");
    let source = std::error::Error::source(&e).expect("the redis-rs error");
    assert!(source.downcast_ref::<redis::RedisError>().is_some());

    // Unmatched: the anyhow error as it came, context and all.
    let err = get(b"-NOSCRIPT No matching script.\r\n")
        .unwrap_err()
        .context("EVALSHA");
    let back = except!(err, MovedError => ()).unwrap_err();
    assert_eq!(back.to_string(), "EVALSHA");
    assert!(back.downcast_ref::<redis::RedisError>().is_some());
    // The same class as `parse_error` gives.
    let err = get(b"-NOSCRIPT No matching script.\r\n").unwrap_err();
    assert_eq!(
        except!(err, redis_exceptions::NoScriptError as e => e.to_string()).unwrap(),
        parse_error("NOSCRIPT No matching script.").to_string()
    );
    // An I/O error of redis-rs is redis-py's ConnectionError.
    let io: anyhow::Error = redis::RedisError::from(std::io::Error::from_raw_os_error(111)).into();
    assert_eq!(except!(io, ConnectionError => "retry").unwrap(), "retry");
}

/// The same for fred's errors.
#[cfg(feature = "fred")]
#[test]
fn a_fred_error_is_seen_as_its_class() {
    use fred::error::{Error as FredError, ErrorKind};
    let err: anyhow::Error = FredError::new(ErrorKind::Cluster, "MOVED 3999 127.0.0.1:6381").into();
    let err = err.context("GET k");
    assert_eq!(
        except!(err, ResponseError => None, MovedError as e => e.port()).unwrap(),
        None,
        "the first matching clause wins"
    );
    let err: anyhow::Error = FredError::new(ErrorKind::Cluster, "MOVED 3999 127.0.0.1:6381").into();
    assert_eq!(
        except!(err, MovedError as e => e.port()).unwrap(),
        Some(6381)
    );
    let err: anyhow::Error = FredError::new(ErrorKind::Unknown, "WRONGTYPE x").into();
    assert!(except!(err, MovedError => ())
        .unwrap_err()
        .downcast_ref::<FredError>()
        .is_some());
}

/// The same for redis-rs 2.0's errors (feature `redis2`).
#[cfg(feature = "redis2")]
#[test]
fn a_redis_rs_2_error_is_seen_as_its_class() {
    fn get(reply: &[u8]) -> anyhow::Result<()> {
        let value = redis2::parse_redis_value(reply)?;
        value.extract_error()?;
        Ok(())
    }
    let err = get(b"-MOVED 3999 127.0.0.1:6381\r\n")
        .unwrap_err()
        .context("GET k");
    assert_eq!(
        except!(err, ConnectionError => None, MovedError as e => e.port()).unwrap(),
        Some(6381)
    );
    let err = get(b"-NOSCRIPT No matching script.\r\n").unwrap_err();
    let back = except!(err, MovedError => ()).unwrap_err();
    assert!(back.downcast_ref::<redis2::RedisError>().is_some());
    assert_eq!(
        except!(back, redis_exceptions::NoScriptError as e => e.to_string()).unwrap(),
        parse_error("NOSCRIPT No matching script.").to_string()
    );
}
