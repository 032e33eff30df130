//! Regression tests for the defects of issue 11 ("Hardening"), one test per
//! defect, each named after what it pins. Every one of them failed on the
//! code before the fix (see CHANGELOG.md, "Fixed").
//!
//! The stress tests (concurrency, random hierarchies) are in `tests/stress.rs`,
//! the memory bounds in `tests/alloc.rs`, the `serde` and `redis` parts in
//! their feature's file.

use std::io;
use std::sync::{Arc, Barrier};

use redis_exceptions::{
    construct, except, exception, find, parse_error, Class, ConnectionError, Error, ExceptionClass,
    RedisErrorExt, ResponseError,
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

/// A class built at run time with the constructor `exception!` uses; with
/// no hooks of its own, its instances are carried by the struct of its
/// nearest built-in ancestor.
fn runtime_class(name: &str, bases: &[&'static Class]) -> &'static Class {
    let name: &'static str = Box::leak(name.to_owned().into_boxed_str());
    let bases: &'static [&'static Class] = Box::leak(bases.to_vec().into_boxed_slice());
    Box::leak(Box::new(Class::__new(
        name,
        "hardening",
        bases,
        "",
        redis_exceptions::__private::NO_INDEX,
        Class::__ancestors_of(bases),
        None,
        None,
        false,
        None,
        &(),
    )))
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
fn is_a_on_a_diamond_ladder_visits_each_class_once() {
    use ladder::*;
    // The reproducer took 6 s at k = 28 (it doubles per level);
    // k = 40 would take hours. Work is counted in classes visited.
    let top = A40::CLASS;
    let mro = top.mro();
    assert_eq!(mro.len(), 2 * 40 + 2 + 3);
    assert!(!A40::new("m").is_a::<Unrelated>());
    assert!(A40::new("m").is_a::<B0>());
    let e: Error = A40::new("m").into();
    assert!(!e.is_a::<Unrelated>() && e.is_a::<A0>());
    assert!(!e.is_instance(Unrelated::CLASS));
    assert!(!redis_exceptions::ClassSet::new("s", &[Unrelated::CLASS]).matches(&e));
    assert!(except!(e, Unrelated => (), B0 => ()).is_ok());
    for target in [Unrelated::CLASS, B0::CLASS, A0::CLASS, B39::CLASS] {
        let (answer, visited) = top.__is_subclass_of_counted(target);
        assert_eq!(answer, mro.iter().any(|c| std::ptr::eq(*c, target)));
        assert!(
            visited <= mro.len(),
            "{} visited {visited} classes",
            target.name()
        );
    }
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
