//! The erased error: size, downcasting, `source()`, conversions.

use redis_exceptions::{
    parse_error, AskError, ConnectionError, Error, ExceptionClass, IsA, LockError, MovedError,
    RedisError, RedisErrorExt, ResponseError,
};
use snafu::{ResultExt, Snafu};

#[test]
fn one_pointer_wide() {
    assert_eq!(std::mem::size_of::<Error>(), std::mem::size_of::<usize>());
    assert_eq!(
        std::mem::size_of::<Result<(), Error>>(),
        std::mem::size_of::<usize>()
    );
    assert_eq!(
        std::mem::size_of::<Option<Error>>(),
        std::mem::size_of::<usize>()
    );
}

#[test]
fn downcast_exact_and_isinstance() {
    let mut e = parse_error("MOVED 3999 127.0.0.1:6381");
    assert!(e.is_a::<AskError>() && e.is_a::<RedisError>() && !e.is_a::<ConnectionError>());
    assert!(e.is::<MovedError>() && !e.is::<AskError>());
    assert!(e.downcast_ref::<AskError>().is_none());
    assert!(e.downcast_mut::<MovedError>().is_some());
    let e = e.downcast::<AskError>().unwrap_err();
    let moved = e.downcast::<MovedError>().unwrap();
    assert_eq!(moved.slot_id(), Some(3999));
    assert_eq!(moved.status_code(), Some("MOVED"));
}

#[test]
fn through_box_dyn_error_and_question_mark() {
    fn inner() -> Result<(), Error> {
        Err(parse_error("NOSCRIPT No matching script."))
    }
    fn outer() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
        inner()?;
        Ok(())
    }
    let boxed = outer().unwrap_err();
    let e = boxed.downcast_ref::<Error>().unwrap();
    assert!(e.is_a::<ResponseError>());
    assert_eq!(e.class().name(), "NoScriptError");
}

#[test]
fn generic_code_uses_isa() {
    fn kind<E: RedisErrorExt + ?Sized>(e: &E) -> &'static str {
        if e.is_a::<ConnectionError>() {
            "connection"
        } else {
            "other"
        }
    }
    assert_eq!(kind(&ConnectionError::new("x")), "connection");
    assert_eq!(kind(parse_error("NOAUTH x").as_dyn()), "connection");
    assert_eq!(kind(&parse_error("ERR x")), "other");
}

#[test]
fn source_is_kept() {
    let io = std::io::Error::new(std::io::ErrorKind::BrokenPipe, "pipe");
    let e: Error = ConnectionError::new("Connection closed by server.")
        .with_source(io)
        .into();
    let source = std::error::Error::source(&e).unwrap();
    assert_eq!(source.to_string(), "pipe");
    // Clones drop the cause, and say so in the docs.
    assert!(std::error::Error::source(&e.clone()).is_none());
}

#[derive(Debug, Snafu)]
enum AppError {
    #[snafu(display("redis failed"))]
    Redis { source: Error },
}

#[test]
fn snafu_selectors_and_wrapping() {
    let r: Result<(), std::io::Error> = Err(std::io::Error::other("refused"));
    let e = r
        .context(ConnectionError::context("Error connecting"))
        .unwrap_err();
    assert_eq!(e.to_string(), "Error connecting");
    assert_eq!(
        std::error::Error::source(&e).unwrap().to_string(),
        "refused"
    );

    let r: Result<(), Error> = Err(parse_error("OOM command not allowed"));
    let app = r.context(RedisSnafu).unwrap_err();
    let found = redis_exceptions::find(&app).unwrap();
    assert_eq!(found.class().name(), "OutOfMemoryError");

    #[allow(
        clippy::result_large_err,
        reason = "whatever! needs the concrete class; Error is one word"
    )]
    fn release() -> Result<(), LockError> {
        snafu::ensure_whatever!(false, "Cannot release an unlocked lock");
        Ok(())
    }
    assert_eq!(
        release().unwrap_err().to_string(),
        "Cannot release an unlocked lock"
    );
    let io: Result<(), std::io::Error> = Err(std::io::Error::other("gone"));
    let e = snafu::ResultExt::whatever_context::<_, ConnectionError>(io, "Connection closed")
        .unwrap_err();
    assert_eq!(std::error::Error::source(&e).unwrap().to_string(), "gone");
}

#[test]
fn class_constants_are_the_registry_entries() {
    for class in redis_exceptions::Class::all() {
        assert!(std::ptr::eq(
            redis_exceptions::Class::by_name(class.name()).unwrap(),
            class
        ));
    }
    assert!(std::ptr::eq(MovedError::CLASS.bases()[0], AskError::CLASS));
}
