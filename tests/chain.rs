//! Finding an exception anywhere in another error's chain.

use redis_exceptions::{find, parse_error, ConnectionError, Error, TimeoutError};

#[test]
fn through_anyhow() {
    let e = anyhow::Error::new(parse_error(
        "LOADING Redis is loading the dataset in memory",
    ))
    .context("fetching user 42")
    .context("handling request");
    let found = find(e.as_ref()).expect("found in the anyhow chain");
    assert!(found.is_a::<ConnectionError>());
    assert_eq!(found.class().name(), "BusyLoadingError");
    assert!(e.downcast_ref::<Error>().is_some());
}

#[test]
fn through_box_and_io_other() {
    let boxed: Box<dyn std::error::Error + Send + Sync> = Box::new(std::io::Error::other(
        TimeoutError::new("Timeout reading from socket"),
    ));
    let found = find(&*boxed).expect("inside io::Error::other");
    assert!(found.is_a::<TimeoutError>());
    assert!(found.downcast_ref::<TimeoutError>().is_some());
}

#[test]
fn through_sources() {
    #[derive(Debug)]
    struct Wrapper(Error);
    impl std::fmt::Display for Wrapper {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("wrapper")
        }
    }
    impl std::error::Error for Wrapper {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            Some(&self.0)
        }
    }
    let w = Wrapper(parse_error(
        "READONLY You can't write against a read only replica.",
    ));
    assert_eq!(find(&w).unwrap().class().name(), "ReadOnlyError");
    let unrelated = std::io::Error::other("plain");
    assert!(find(&unrelated).is_none());
}

/// What the docs of `find` say about thiserror: a transparent variant hides
/// the error from the chain; `#[from]` (or `#[source]`) with a message of
/// its own keeps it there.
#[test]
fn thiserror_transparent_hides_the_error_and_from_keeps_it() {
    #[derive(Debug, thiserror::Error)]
    enum Hidden {
        #[error(transparent)]
        Redis(Error),
    }
    #[derive(Debug, thiserror::Error)]
    enum Kept {
        #[error("redis: {0}")]
        Redis(#[from] Error),
    }
    #[derive(Debug, thiserror::Error)]
    enum KeptBySource {
        #[error("redis")]
        Redis(#[source] Error),
    }

    let reply = || parse_error("READONLY You can't write against a read only replica.");
    let hidden = Hidden::Redis(reply());
    assert_eq!(hidden.to_string(), reply().to_string());
    assert!(find(&hidden).is_none());
    // The transparent wrapper forwards source() past the error, to its cause.
    let hidden = Hidden::Redis(Error::from(TimeoutError::new("t")).with_source(reply()));
    assert_eq!(find(&hidden).unwrap().class().name(), "ReadOnlyError");

    let kept = Kept::from(reply());
    assert_eq!(find(&kept).unwrap().class().name(), "ReadOnlyError");
    let kept = KeptBySource::Redis(reply());
    assert_eq!(find(&kept).unwrap().class().name(), "ReadOnlyError");
}
