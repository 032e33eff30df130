//! Regression tests for the defects of issue 11 ("Hardening"), one test per
//! defect, each named after what it pins. Every one of them failed on the
//! code before the fix (see CHANGELOG.md, "Fixed").
//!
//! The stress tests (concurrency, random hierarchies) are in `tests/stress.rs`,
//! the memory bounds in `tests/alloc.rs`, the `serde` and `redis` parts in
//! their feature's file.

mod common;

use std::io;
use std::sync::{Arc, Barrier};

use redis_exceptions::{
    construct, except, exception, find, parse_error, parse_error_bytes, Class, ConnectionError,
    Error, ExceptionClass, IoPhase, PyErrorKind, PyValue, RedisErrorExt, ResponseError,
};

// ---------------------------------------------------------------------------
// 1. `Class::register` checks and inserts under one lock.
// ---------------------------------------------------------------------------

mod first {
    redis_exceptions::exception! {
        /// One of two classes with the same name.
        pub struct DupRace(redis_exceptions::ResponseError);
    }
}

mod second {
    redis_exceptions::exception! {
        /// The other one.
        pub struct DupRace(redis_exceptions::ConnectionError);
    }
}

/// A class made at run time (see `common::runtime_class`).
fn runtime_class(name: &str, bases: &[&'static Class]) -> &'static Class {
    common::runtime_class("hardening", name, bases)
}

#[test]
fn register_admits_one_class_per_name_under_contention() {
    // The two compile-time classes of the reproducer.
    let barrier = Arc::new(Barrier::new(2));
    let racers = [first::DupRace::CLASS, second::DupRace::CLASS].map(|class| {
        let barrier = Arc::clone(&barrier);
        std::thread::spawn(move || {
            barrier.wait();
            Class::register(class).is_ok()
        })
    });
    let wins = racers.map(|t| t.join().unwrap());
    assert_eq!(wins.iter().filter(|w| **w).count(), 1, "{wins:?}");
    let winner = if wins[0] {
        first::DupRace::CLASS
    } else {
        second::DupRace::CLASS
    };
    assert!(std::ptr::eq(Class::by_name("DupRace").unwrap(), winner));

    // Many more pairs, with classes made at run time.
    for i in 0..500 {
        let name = format!("HardeningDup{i}");
        let pair = [
            runtime_class(&name, &[ResponseError::CLASS]),
            runtime_class(&name, &[ConnectionError::CLASS]),
        ];
        let barrier = Arc::new(Barrier::new(2));
        let racers = pair.map(|class| {
            let barrier = Arc::clone(&barrier);
            std::thread::spawn(move || {
                barrier.wait();
                Class::register(class)
            })
        });
        let results = racers.map(|t| t.join().unwrap());
        let ok: Vec<usize> = (0..2).filter(|&k| results[k].is_ok()).collect();
        assert_eq!(ok.len(), 1, "pair {i}: both registered");
        let winner = pair[ok[0]];
        let loser = 1 - ok[0];
        assert!(std::ptr::eq(results[loser].unwrap_err(), winner));
        assert!(std::ptr::eq(Class::by_name(&name).unwrap(), winner));
        let built = construct(&name, &["m".into()], &[]).unwrap();
        assert!(std::ptr::eq(built.class(), winner));
    }
}

// ---------------------------------------------------------------------------
// 2. `is_a` / `is_subclass_of` are linear in the MRO (diamond ladders).
// ---------------------------------------------------------------------------

mod ladder {
    use redis_exceptions::ResponseError;
    redis_exceptions::exception! {
    pub struct A0(ResponseError);
    pub struct B0(ResponseError);
    pub struct A1(A0, B0);
    pub struct B1(A0, B0);
    pub struct A2(A1, B1);
    pub struct B2(A1, B1);
    pub struct A3(A2, B2);
    pub struct B3(A2, B2);
    pub struct A4(A3, B3);
    pub struct B4(A3, B3);
    pub struct A5(A4, B4);
    pub struct B5(A4, B4);
    pub struct A6(A5, B5);
    pub struct B6(A5, B5);
    pub struct A7(A6, B6);
    pub struct B7(A6, B6);
    pub struct A8(A7, B7);
    pub struct B8(A7, B7);
    pub struct A9(A8, B8);
    pub struct B9(A8, B8);
    pub struct A10(A9, B9);
    pub struct B10(A9, B9);
    pub struct A11(A10, B10);
    pub struct B11(A10, B10);
    pub struct A12(A11, B11);
    pub struct B12(A11, B11);
    pub struct A13(A12, B12);
    pub struct B13(A12, B12);
    pub struct A14(A13, B13);
    pub struct B14(A13, B13);
    pub struct A15(A14, B14);
    pub struct B15(A14, B14);
    pub struct A16(A15, B15);
    pub struct B16(A15, B15);
    pub struct A17(A16, B16);
    pub struct B17(A16, B16);
    pub struct A18(A17, B17);
    pub struct B18(A17, B17);
    pub struct A19(A18, B18);
    pub struct B19(A18, B18);
    pub struct A20(A19, B19);
    pub struct B20(A19, B19);
    pub struct A21(A20, B20);
    pub struct B21(A20, B20);
    pub struct A22(A21, B21);
    pub struct B22(A21, B21);
    pub struct A23(A22, B22);
    pub struct B23(A22, B22);
    pub struct A24(A23, B23);
    pub struct B24(A23, B23);
    pub struct A25(A24, B24);
    pub struct B25(A24, B24);
    pub struct A26(A25, B25);
    pub struct B26(A25, B25);
    pub struct A27(A26, B26);
    pub struct B27(A26, B26);
    pub struct A28(A27, B27);
    pub struct B28(A27, B27);
    pub struct A29(A28, B28);
    pub struct B29(A28, B28);
    pub struct A30(A29, B29);
    pub struct B30(A29, B29);
    pub struct A31(A30, B30);
    pub struct B31(A30, B30);
    pub struct A32(A31, B31);
    pub struct B32(A31, B31);
    pub struct A33(A32, B32);
    pub struct B33(A32, B32);
    pub struct A34(A33, B33);
    pub struct B34(A33, B33);
    pub struct A35(A34, B34);
    pub struct B35(A34, B34);
    pub struct A36(A35, B35);
    pub struct B36(A35, B35);
    pub struct A37(A36, B36);
    pub struct B37(A36, B36);
    pub struct A38(A37, B37);
    pub struct B38(A37, B37);
    pub struct A39(A38, B38);
    pub struct B39(A38, B38);
    pub struct A40(A39, B39);
    pub struct B40(A39, B39);
        /// Not related to the ladder.
        pub struct Unrelated(ResponseError);
    }
}

#[test]
fn is_a_on_a_diamond_ladder_does_polynomial_work() {
    use ladder::*;
    // The reproducer took 6 s at k = 28 (it doubles per level);
    // k = 40 would take hours. Work is counted in classes examined
    // (`Class::__work`), MRO construction included: a query's first use of
    // a class builds its MRO and those of all its ancestors. Half the ladder
    // first, so that exponential work fails the bound in seconds (about
    // 6 * 2^20 classes against a bound of about 1.1 million) instead of
    // running for hours.
    for top in [A20::CLASS, A40::CLASS] {
        let before = redis_exceptions::__private::mro_work();
        assert!(!top.is_subclass_of(Unrelated::CLASS));
        let first = redis_exceptions::__private::mro_work() - before;
        let mro = top.mro();
        let bound = common::mro_work_bound(top) + mro.len() as u64;
        assert!(
            first <= bound,
            "first query on {}: {first} classes examined, bound {bound}",
            top.name()
        );
        // The MROs were built by that query, not before it.
        assert!(first > (mro.len() * mro.len() / 4) as u64, "{first}");
        // Later queries build nothing and scan at most the MRO once.
        for target in [Unrelated::CLASS, B0::CLASS, A0::CLASS, B19::CLASS, top] {
            let before = redis_exceptions::__private::mro_work();
            let answer = top.is_subclass_of(target);
            let visited = redis_exceptions::__private::mro_work() - before;
            assert_eq!(answer, mro.iter().any(|c| std::ptr::eq(*c, target)));
            assert!(
                visited <= mro.len() as u64,
                "{} vs {}: {visited} classes examined, MRO {}",
                top.name(),
                target.name(),
                mro.len()
            );
        }
    }
    let mro = A40::CLASS.mro();
    assert_eq!(mro.len(), 2 * 40 + 2 + 3);
    let before = redis_exceptions::__private::mro_work();
    assert!(!A40::new("m").is_a::<Unrelated>());
    assert!(A40::new("m").is_a::<B0>());
    let e: Error = A40::new("m").into();
    assert!(!e.is_a::<Unrelated>() && e.is_a::<A0>());
    assert!(!e.is_instance(Unrelated::CLASS));
    assert!(!redis_exceptions::ClassSet::new("s", &[Unrelated::CLASS]).matches(&e));
    assert!(except!(e, Unrelated => (), B0 => ()).is_ok());
    // Eight queries and constructions, none of which builds an MRO.
    let work = redis_exceptions::__private::mro_work() - before;
    assert!(work <= 8 * mro.len() as u64, "{work}");
}

// ---------------------------------------------------------------------------
// 3. `except::<Base>()` then erasing keeps the concrete user class.
// ---------------------------------------------------------------------------

exception! {
    /// A user base.
    pub struct C0(ResponseError);
    /// A user subclass.
    pub struct C5(C0);
}

#[test]
fn except_as_a_user_base_then_erased_keeps_the_concrete_class() {
    let e2: Error = Error::from(C5::new("m")).except::<C0>().unwrap().into();
    assert!(std::ptr::eq(e2.class(), C5::CLASS));
    assert!(e2.is::<C5>() && !e2.is::<C0>());
    assert_eq!(e2.downcast_ref::<C5>().unwrap().to_string(), "m");
    // The same through the macro, and for a built-in base.
    let e3: Error =
        except!(Error::from(C5::new("n")), ResponseError as e => Error::from(e)).unwrap();
    assert!(e3.is::<C5>());
    let e4: Error = Error::new(Error::from(C5::new("o")).except::<ResponseError>().unwrap());
    assert!(e4.downcast::<C5>().is_ok());
}

// ---------------------------------------------------------------------------
// 5. `find` walks a deep `io::Error` nesting without recursion.
// ---------------------------------------------------------------------------

#[test]
fn find_survives_100k_nested_io_errors() {
    // An 8 MiB stack, as a main thread has: the recursive walk overflowed it
    // between 60k and 80k levels.
    let worker = std::thread::Builder::new()
        .stack_size(8 << 20)
        .spawn(|| {
            let mut err = io::Error::other(parse_error("NOAUTH Authentication required."));
            for _ in 0..100_000 {
                err = io::Error::other(err);
            }
            let found = find(&err).map(|e| (e.class().name(), e.to_string()));
            // Take the nesting apart one layer at a time (dropping it whole
            // recurses too).
            let mut layer: Box<dyn std::error::Error + Send + Sync> = Box::new(err);
            while let Ok(io) = layer.downcast::<io::Error>() {
                match io.into_inner() {
                    Some(inner) => layer = inner,
                    None => break,
                }
            }
            found
        })
        .unwrap();
    let found = worker.join().expect("no stack overflow");
    assert_eq!(
        found,
        Some(("AuthenticationError", "Authentication required.".to_owned()))
    );
}

// ---------------------------------------------------------------------------
// 6. `Redirect::addr` is `None` for addresses that cannot be connected to.
// ---------------------------------------------------------------------------

#[test]
fn redirect_addr_is_none_when_it_cannot_be_connected_to() {
    // (payload, redis-py's `host`, the address to connect to)
    let cases: &[(&str, &str, Option<&str>)] = &[
        ("1 [::1:6379", "[::1", None),
        ("1 ::1]:6379", "::1]", None),
        ("1 [:1", "[", None),
        ("1 [[::1]]:6379", "[[::1]]", None),
        ("1 [::1]]:6379", "[::1]]", None),
        ("1 [h]:6379", "[h]", None),
        ("1 :::6379", "::", Some("[::]:6379")),
        ("1 h:0", "h", None),
        ("1 :6379", "", None),
        ("1 ho/st:6379", "ho/st", None),
        ("1 [::1]:6379", "[::1]", Some("[::1]:6379")),
        ("1 ::1:6379", "::1", Some("[::1]:6379")),
        ("1 127.0.0.1:6381", "127.0.0.1", Some("127.0.0.1:6381")),
        (
            "1 redis-1.example_com:7000",
            "redis-1.example_com",
            Some("redis-1.example_com:7000"),
        ),
    ];
    for &(payload, host, addr) in cases {
        let e = parse_error(&format!("MOVED {payload}"));
        let r = e
            .redirect()
            .unwrap_or_else(|| panic!("{payload}: parses in redis-py"));
        assert_eq!(r.host(), host, "{payload}");
        assert_eq!(r.addr().as_deref(), addr, "{payload}");
    }
}

// ---------------------------------------------------------------------------
// 7. A repeated keyword is Python's call-site `TypeError`, for every class.
// ---------------------------------------------------------------------------

/// CPython's `_PyObject_FunctionStr` of a class: `module.Name()`, or
/// `Name()` for the builtins.
fn function_str(class: &Class) -> String {
    match class.module() {
        "builtins" => format!("{}()", class.name()),
        module => format!("{module}.{}()", class.name()),
    }
}

#[test]
fn a_repeated_keyword_is_a_type_error_for_every_class() {
    let dup = [
        ("status_code", PyValue::from("A")),
        ("status_code", "B".into()),
    ];
    for class in Class::all().chain([C0::CLASS, C5::CLASS]) {
        for args in [&[][..], &["1 h:1".into()][..]] {
            let err = class.call(args, &dup).expect_err(class.name());
            assert_eq!(err.kind(), PyErrorKind::TypeError, "{}", class.name());
            assert_eq!(
                err.message(),
                format!(
                    "{} got multiple values for keyword argument 'status_code'",
                    function_str(class)
                )
            );
        }
        // The first key seen twice is the one named, even an unknown one.
        let err = class
            .call(
                &[],
                &[
                    ("x", 1.into()),
                    ("y", 2.into()),
                    ("y", 3.into()),
                    ("x", 4.into()),
                ],
            )
            .unwrap_err();
        assert!(err.message().ends_with("keyword argument 'y'"), "{err}");
    }
    assert_eq!(
        construct("RedisError", &[], &dup).unwrap_err().to_string(),
        "TypeError: redis.exceptions.RedisError() got multiple values for keyword argument 'status_code'"
    );
    assert_eq!(
        construct("ValueError", &[], &dup).unwrap_err().to_string(),
        "TypeError: ValueError() got multiple values for keyword argument 'status_code'"
    );
    // A keyword that repeats a positional argument is the callee's error.
    assert_eq!(
        construct("AskError", &["1 h:1".into()], &[("resp", "x".into())])
            .unwrap_err()
            .to_string(),
        "TypeError: AskError.__init__() got multiple values for argument 'resp'"
    );
}

// ---------------------------------------------------------------------------
// 8. A one-element tuple prints its comma.
// ---------------------------------------------------------------------------

#[test]
fn a_one_element_tuple_prints_its_comma() {
    let e = Error::from(io::Error::from(io::ErrorKind::UnexpectedEof));
    assert_eq!(
        e.to_string(),
        "Error while reading from socket: ('unexpected end of file',)"
    );
    let e = Error::from_io(
        io::Error::other("boom"),
        IoPhase::Read { host: "h", port: 1 },
    );
    assert_eq!(e.to_string(), "Error while reading from h:1 : ('boom',)");
    // str() of an exception with several arguments is the tuple's repr.
    let e = ConnectionError::new("a");
    assert_eq!(e.to_string(), "a");
    let e = construct("ConnectionError", &["a".into(), 1.into()], &[]).unwrap();
    assert_eq!(e.to_string(), "('a', 1)");
    assert_eq!(e.py_repr(), "network:ConnectionError");
    let e = construct("ValueError", &["a".into()], &[]).unwrap();
    assert_eq!(e.py_repr(), "ValueError('a')");
}

// ---------------------------------------------------------------------------
// 9. `From<io::Error>` names the phase the error can only come from.
// ---------------------------------------------------------------------------

#[cfg(target_os = "linux")]
#[test]
fn io_errors_that_only_connecting_or_writing_gives_are_not_reads() {
    let e = Error::from(io::Error::from_raw_os_error(111));
    assert!(e.is::<ConnectionError>());
    assert_eq!(
        e.to_string(),
        "Error 111 connecting to server. Connection refused."
    );
    let e = Error::from(io::Error::from_raw_os_error(32));
    assert_eq!(
        e.to_string(),
        "Error 32 while writing to socket. Broken pipe."
    );
    let e = Error::from(io::Error::from(io::ErrorKind::BrokenPipe));
    assert_eq!(
        e.to_string(),
        "Error UNKNOWN while writing to socket. broken pipe."
    );
    // A real refused connection.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let io = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap_err();
    assert_eq!(
        Error::from(io).to_string(),
        "Error 111 connecting to server. Connection refused."
    );
    // A reset can happen while reading: still a read.
    let e = Error::from(io::Error::from_raw_os_error(104));
    assert_eq!(
        e.to_string(),
        "Error while reading from socket: (104, 'Connection reset by peer')"
    );
}

// ---------------------------------------------------------------------------
// 10. `Debug` of a hostile reply is a bounded excerpt plus the length.
// ---------------------------------------------------------------------------

#[test]
fn debug_of_a_huge_reply_is_bounded() {
    let mut reply = b"MOVED 1 ".to_vec();
    reply.extend(std::iter::repeat_n([0xffu8, 0xfe], 1 << 19).flatten());
    reply.extend_from_slice(b":6379");
    let e = parse_error_bytes(&reply);
    assert!(e.redirect().is_some());
    let debug = format!("{e:?}");
    assert!(debug.len() < 2048, "{} bytes of Debug", debug.len());
    let message_len = e.args()[0].as_str().unwrap().len();
    assert!(debug.contains(&format!("{message_len} bytes")), "{debug}");
    // Short values are printed whole, as before.
    let debug = format!("{:?}", parse_error("MOVED 3999 127.0.0.1:6381"));
    assert!(debug.contains("\"3999 127.0.0.1:6381\""), "{debug}");
    assert!(debug.contains("127.0.0.1"), "{debug}");
}
