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
