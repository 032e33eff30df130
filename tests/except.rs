//! `except!`, `Error::except` and the named class sets.

use redis_exceptions::{
    except, parse_error, AskError, ConnectionError, Error, MovedError, RedisErrorExt,
    ResponseError, TimeoutError, CLUSTER_ERRORS_ALLOW_RETRY, CLUSTER_PIPELINE_ERRORS_ALLOW_RETRY,
    RETRY_SUPPORTED_ERRORS, SLOT_REDIRECT_ERRORS,
};

fn classify(err: Error) -> Result<&'static str, Error> {
    except!(err,
        MovedError as e => { assert_eq!(e.port(), Some(6381)); "moved" },
        AskError as e => { assert!(e.class().name() == "AskError"); "ask" },
        (ConnectionError, TimeoutError) as e => { assert!(e.is_a::<redis_exceptions::RedisError>()); "retry" },
        in SLOT_REDIRECT_ERRORS as _e => "unreachable: redirects matched above",
        redis_exceptions::ClusterDownError => "down",
    )
}

#[test]
fn first_matching_clause_wins() {
    assert_eq!(classify(parse_error("MOVED 1 h:6381")).unwrap(), "moved");
    assert_eq!(classify(parse_error("ASK 1 h:1")).unwrap(), "ask");
    assert_eq!(classify(parse_error("NOAUTH x")).unwrap(), "retry");
    assert_eq!(classify(TimeoutError::new("t").into()).unwrap(), "retry");
    assert_eq!(
        classify(parse_error("MASTERDOWN link down")).unwrap(),
        "down"
    );
}

#[test]
fn unmatched_is_handed_back_unchanged() {
    let err = classify(parse_error("WRONGTYPE Operation")).unwrap_err();
    assert!(err.is::<ResponseError>());
    assert_eq!(err.reply_code(), Some("WRONGTYPE"));
}

#[test]
fn control_flow_in_bodies() {
    let mut attempts = 0;
    let errors = [
        parse_error("TRYAGAIN slot"),
        parse_error("TRYAGAIN slot"),
        parse_error("ERR done"),
    ];
    for err in errors {
        attempts += 1;
        let r = except!(err, redis_exceptions::TryAgainError => continue);
        assert!(r.unwrap_err().is::<ResponseError>());
        break;
    }
    assert_eq!(attempts, 3);
}

#[test]
fn subclass_view_keeps_the_instance_class() {
    let view = parse_error("MOVED 3999 127.0.0.1:6381")
        .except::<AskError>()
        .unwrap();
    assert_eq!(view.class().name(), "MovedError");
    assert!(view.is_a::<MovedError>());
    let back: Error = view.into();
    assert!(back.is::<MovedError>());
    assert!(parse_error("ERR x").except::<AskError>().is_err());
}

#[test]
fn class_sets_mirror_redis_py() {
    let names =
        |s: &redis_exceptions::ClassSet| s.classes().iter().map(|c| c.name()).collect::<Vec<_>>();
    assert_eq!(
        names(&RETRY_SUPPORTED_ERRORS),
        ["ConnectionError", "TimeoutError"]
    );
    assert_eq!(
        names(&CLUSTER_ERRORS_ALLOW_RETRY),
        [
            "ConnectionError",
            "TimeoutError",
            "ClusterDownError",
            "SlotNotCoveredError"
        ]
    );
    assert_eq!(
        names(&CLUSTER_PIPELINE_ERRORS_ALLOW_RETRY),
        [
            "ConnectionError",
            "TimeoutError",
            "MovedError",
            "AskError",
            "TryAgainError"
        ]
    );
    let master_down = parse_error("MASTERDOWN x");
    assert!(CLUSTER_ERRORS_ALLOW_RETRY.matches(&master_down)); // isinstance
    assert!(!CLUSTER_ERRORS_ALLOW_RETRY.contains_type(&master_down)); // type(e) in ...
    assert!(RETRY_SUPPORTED_ERRORS.matches(&parse_error("ERR max number of clients reached")));
}

#[test]
fn catch_all_is_the_last_clause() {
    let e = parse_error("WRONGTYPE Operation");
    assert_eq!(
        except!(e, MovedError => "moved", _ => "anything").unwrap(),
        "anything"
    );
    let e = parse_error("MOVED 1 h:1");
    assert_eq!(
        except!(e, MovedError => "moved", _ => "anything").unwrap(),
        "moved"
    );
    // `_ as e` binds the error itself.
    let e = parse_error("WRONGTYPE Operation");
    let back: Error = except!(e, MovedError => None, _ as e => Some(e))
        .unwrap()
        .unwrap();
    assert_eq!(back.reply_code(), Some("WRONGTYPE"));
}

#[test]
fn boxed_errors_are_matched_and_handed_back_unchanged() {
    type Boxed = Box<dyn std::error::Error + Send + Sync>;
    // An erased Error and a bare struct, inside a box.
    let boxed: Boxed = Box::new(parse_error("MOVED 3999 127.0.0.1:6381"));
    let port = except!(boxed, ConnectionError => None, AskError as a => a.port()).unwrap();
    assert_eq!(port, Some(6381));
    let boxed: Boxed = Box::new(TimeoutError::new("Timeout reading from socket"));
    let taken = except!(boxed, in RETRY_SUPPORTED_ERRORS as e => e).unwrap();
    assert!(taken.is::<TimeoutError>());
    // The cause of a struct taken out of a box is kept.
    let boxed: Boxed = Box::new(
        ConnectionError::new("Error connecting").with_source(std::io::Error::other("refused")),
    );
    let taken = except!(boxed, (ConnectionError, TimeoutError) as e => e).unwrap();
    assert_eq!(
        std::error::Error::source(&taken).unwrap().to_string(),
        "refused"
    );
    // Unmatched: the same box, same error.
    let boxed: Boxed = Box::new(parse_error("WRONGTYPE Operation"));
    let back: Boxed = except!(boxed, ConnectionError => ()).unwrap_err();
    assert!(back.downcast_ref::<Error>().unwrap().is::<ResponseError>());
    let boxed: Boxed = "not an exception".into();
    let back = except!(boxed, ResponseError => ()).unwrap_err();
    assert_eq!(back.to_string(), "not an exception");
    // Without Send + Sync too.
    let local: Box<dyn std::error::Error> = Box::new(parse_error("ASK 1 h:2"));
    assert_eq!(
        except!(local, AskError as a => a.slot_id()).unwrap(),
        Some(1)
    );
}

#[test]
fn what_converts_into_error_is_matched_as_error() {
    let io = std::io::Error::from(std::io::ErrorKind::TimedOut);
    assert_eq!(except!(io, TimeoutError => "timeout").unwrap(), "timeout");
    let io = std::io::Error::from(std::io::ErrorKind::ConnectionReset);
    let back: Error = except!(io, TimeoutError => ()).unwrap_err();
    assert!(back.is::<ConnectionError>());
}
