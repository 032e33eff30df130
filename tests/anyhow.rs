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
