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
            redis_exceptions::Class::by_qualified_name(&class.qualified_name()).unwrap(),
            class
        ));
        // A name shared by two modules finds the first in the table.
        let first = redis_exceptions::Class::all().find(|c| c.name() == class.name());
        assert!(std::ptr::eq(
            redis_exceptions::Class::by_name(class.name()).unwrap(),
            first.unwrap()
        ));
    }
    assert!(std::ptr::eq(MovedError::CLASS.bases()[0], AskError::CLASS));
}

#[test]
fn equality_compares_class_args_and_attributes_not_the_cause() {
    let parsed = parse_error("MOVED 3999 127.0.0.1:6381");
    let built = MovedError::new("3999 127.0.0.1:6381").with_status_code("MOVED");
    assert_eq!(parsed, Error::from(built.clone()));
    assert_eq!(parsed.downcast_ref::<MovedError>(), Some(&built));
    // The cause is not compared.
    let caused = built.clone().with_source(std::io::Error::other("x"));
    assert_eq!(caused, built);
    // Class, args and each attribute are.
    assert_ne!(
        Error::from(AskError::new("3999 127.0.0.1:6381").with_status_code("MOVED")),
        parsed
    );
    assert_ne!(
        MovedError::new("3999 127.0.0.1:6382").with_status_code("MOVED"),
        built
    );
    assert_ne!(MovedError::new("3999 127.0.0.1:6381"), built);
    let lock = LockError::new("m");
    assert_ne!(
        lock.clone().with_lock_name("a"),
        lock.clone().with_lock_name("b")
    );
    assert_eq!(
        lock.clone().with_lock_name(redis_exceptions::PyValue::None),
        lock
    );
    // A subclass view is not equal to the base class's instance.
    let view: AskError = parsed.clone().except::<AskError>().unwrap();
    assert_ne!(
        view,
        AskError::new("3999 127.0.0.1:6381").with_status_code("MOVED")
    );
}

#[test]
fn class_hashes_by_identity() {
    use std::collections::HashSet;
    let set: HashSet<&redis_exceptions::Class> = redis_exceptions::Class::all().collect();
    assert_eq!(set.len(), redis_exceptions::Class::all().count());
    assert!(set.contains(MovedError::CLASS));
    let mro: HashSet<_> = MovedError::CLASS.mro().iter().copied().collect();
    assert!(mro.contains(AskError::CLASS) && !mro.contains(ConnectionError::CLASS));
}

#[test]
fn found_errors_become_owned() {
    let io = std::io::Error::other(
        ConnectionError::new("Error connecting").with_source(std::io::Error::other("refused")),
    );
    let owned: Error = redis_exceptions::find(&io).unwrap().to_error();
    drop(io);
    assert!(owned.is::<ConnectionError>());
    assert_eq!(owned.to_string(), "Error connecting");
    // The cause is not kept.
    assert!(std::error::Error::source(&owned).is_none());
}
