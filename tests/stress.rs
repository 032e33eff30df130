//! Stress tests of the class registry and of class metadata:
//!
//! * 8 threads registering, looking up and constructing classes at once;
//! * random user hierarchies (multiple bases, diamonds, more than 64 classes)
//!   checked against a model of Python's C3 linearization, with the work of
//!   each `issubclass` query counted in classes visited.
//!
//! User classes are normally declared at compile time with `exception!`; a
//! random hierarchy needs classes made at run time, so these tests build
//! `Class` values with the hidden constructor the macro itself calls
//! (`Class::__new`), leaked to get the `&'static` a class always is. The
//! metadata code under test (bases, MRO, `issubclass`, the registry) is the
//! same for both; only the instance struct differs (here the struct of the
//! nearest built-in ancestor carries the state).

mod common;

use std::collections::HashSet;
use std::sync::{Arc, Barrier};

use proptest::prelude::*;
use proptest::test_runner::Config;
use redis_exceptions::{
    construct, Class, ConnectionError, ExceptionClass, RedisErrorExt, ResponseError,
};

/// A class made at run time (see `common::runtime_class`).
fn runtime_class(name: &str, bases: &[&'static Class]) -> &'static Class {
    common::runtime_class("stress", name, bases)
}

// ---------------------------------------------------------------------------
// The registry under contention.
// ---------------------------------------------------------------------------

#[test]
fn eight_threads_register_look_up_and_construct() {
    const THREADS: usize = 8;
    const NAMES: usize = 200;
    // Each thread makes its own class for every name; all race to register.
    let classes: Vec<Vec<&'static Class>> = (0..THREADS)
        .map(|t| {
            (0..NAMES)
                .map(|n| {
                    let base = if t % 2 == 0 {
                        ResponseError::CLASS
                    } else {
                        ConnectionError::CLASS
                    };
                    runtime_class(&format!("StressRace{n}"), &[base])
                })
                .collect()
        })
        .collect();
    let barrier = Arc::new(Barrier::new(THREADS));
    let workers: Vec<_> = classes
        .iter()
        .cloned()
        .map(|mine| {
            let barrier = Arc::clone(&barrier);
            std::thread::spawn(move || {
                barrier.wait();
                let mut won = Vec::new();
                for (n, class) in mine.iter().enumerate() {
                    let name = class.name();
                    match Class::register(class) {
                        Ok(()) => won.push(n),
                        Err(winner) => assert!(!std::ptr::eq(winner, *class)),
                    }
                    // Once registered (by anyone), a name resolves, and always
                    // to the same class.
                    let found = Class::by_name(name).expect("registered");
                    assert!(std::ptr::eq(Class::by_name(name).unwrap(), found));
                    let e = construct(name, &["m".into()], &[]).expect("constructs");
                    assert!(std::ptr::eq(e.class(), found));
                    assert!(Class::register(found).is_ok(), "the winner again is fine");
                    // Look up some other names as well.
                    let other = format!("StressRace{}", (n * 7) % NAMES);
                    if let Some(c) = Class::by_name(&other) {
                        assert_eq!(c.name(), other);
                    }
                }
                won
            })
        })
        .collect();
    let wins: Vec<Vec<usize>> = workers.into_iter().map(|w| w.join().unwrap()).collect();
    for n in 0..NAMES {
        let winners: Vec<usize> = (0..THREADS).filter(|t| wins[*t].contains(&n)).collect();
        assert_eq!(winners.len(), 1, "StressRace{n} registered by {winners:?}");
        let found = Class::by_name(&format!("StressRace{n}")).unwrap();
        let winner = &classes[winners[0]];
        assert!(std::ptr::eq(found, winner[n]));
    }
}

// ---------------------------------------------------------------------------
// Random hierarchies against a C3 model.
// ---------------------------------------------------------------------------

/// C3 over class indexes: `bases[i]` are the bases of class `i` (each base
/// index smaller than `i`); `None` where Python refuses the class.
fn model_mros(bases: &[Vec<usize>]) -> Vec<Option<Vec<usize>>> {
    let mut mros: Vec<Option<Vec<usize>>> = Vec::with_capacity(bases.len());
    for (i, own) in bases.iter().enumerate() {
        let mut seqs: Vec<Vec<usize>> = Vec::new();
        let mut ok = true;
        for &b in own {
            match &mros[b] {
                Some(m) => seqs.push(m.clone()),
                None => ok = false,
            }
        }
        if !ok {
            mros.push(None);
            continue;
        }
        seqs.push(own.clone());
        let mut out = vec![i];
        let merged = loop {
            seqs.retain(|s| !s.is_empty());
            if seqs.is_empty() {
                break Some(out);
            }
            let head = seqs
                .iter()
                .map(|s| s[0])
                .find(|c| !seqs.iter().any(|s| s[1..].contains(c)));
            let Some(head) = head else { break None };
            out.push(head);
            for s in &mut seqs {
                if s[0] == head {
                    s.remove(0);
                }
            }
        };
        mros.push(merged);
    }
    mros
}

/// Every class reachable through bases, the class itself included.
fn model_ancestors(bases: &[Vec<usize>]) -> Vec<HashSet<usize>> {
    let mut out: Vec<HashSet<usize>> = Vec::with_capacity(bases.len());
    for (i, own) in bases.iter().enumerate() {
        let mut set = HashSet::from([i]);
        for &b in own {
            set.extend(out[b].iter().copied());
        }
        out.push(set);
    }
    out
}

/// Bases for `n` classes: class 0 has none of the random ones; each later
/// class has 1 to 3 distinct earlier classes, picked from the last few so
/// that diamonds (two bases sharing an ancestor) are common.
fn hierarchy() -> impl Strategy<Value = Vec<Vec<usize>>> {
    (65usize..100).prop_flat_map(|n| {
        let picks: Vec<_> = (1..n)
            .map(|i| prop::collection::vec(0..i, 1..=3.min(i)))
            .collect();
        picks.prop_map(|mut lists| {
            for (i, list) in lists.iter_mut().enumerate() {
                let i = i + 1;
                // One class in eight keeps its bases in random order, which
                // often admits no C3 order; the others list the most derived
                // base first, as working code does.
                let shuffled = list[0] % 8 == 0;
                for b in list.iter_mut() {
                    // Mostly near neighbours: deep, overlapping chains.
                    *b = i - 1 - (*b % 4).min(i - 1);
                }
                let mut seen = HashSet::new();
                list.retain(|b| seen.insert(*b));
                if !shuffled {
                    list.sort_unstable_by(|a, b| b.cmp(a));
                }
            }
            let mut all = vec![Vec::new()];
            all.extend(lists);
            all
        })
    })
}

static SEQ: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

proptest! {
    #![proptest_config(Config { cases: 32, failure_persistence: None, ..Config::default() })]

    #[test]
    fn random_hierarchies_follow_c3(bases in hierarchy()) {
        let run = SEQ.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        // Class 0 derives from ResponseError; the others from earlier classes.
        let mut classes: Vec<&'static Class> = Vec::with_capacity(bases.len());
        for (i, own) in bases.iter().enumerate() {
            let own: Vec<&'static Class> = if own.is_empty() {
                vec![ResponseError::CLASS]
            } else {
                own.iter().map(|&b| classes[b]).collect()
            };
            classes.push(runtime_class(&format!("R{run}_{i}"), &own));
        }
        let model = model_mros(&bases);
        let ancestors = model_ancestors(&bases);
        let tail: Vec<&str> = ResponseError::CLASS.mro().iter().map(|c| c.name()).collect();
        let index_of = |c: &Class| classes.iter().position(|k| std::ptr::eq(*k, c));

        for (i, class) in classes.iter().enumerate() {
            // The first query on a class builds its MRO (its ancestors' are
            // mostly built already): polynomial work, counted in classes
            // examined, MRO construction included.
            let before = redis_exceptions::__private::mro_work();
            // Against a user class (a built-in is a bit test), itself.
            let first = class.is_subclass_of(class);
            let work = redis_exceptions::__private::mro_work() - before;
            let bound = common::mro_work_bound(class) + class.mro().len() as u64;
            prop_assert!(first);
            prop_assert!(work <= bound, "class {}: {} examined, bound {}", i, work, bound);
            prop_assert!(work > 0, "class {}: its MRO was built before the first query", i);
            // mro() / try_mro() against the model.
            match (&model[i], class.try_mro()) {
                (Some(expected), Ok(mro)) => {
                    let names: Vec<&str> = mro.iter().map(|c| c.name()).collect();
                    let mut want: Vec<&str> = expected.iter().map(|&k| classes[k].name()).collect();
                    want.extend(&tail);
                    prop_assert_eq!(names, want);
                    prop_assert!(std::ptr::eq(class.mro().as_ptr(), mro.as_ptr()));
                }
                (None, Err(_)) => {
                    // The fallback order still lists every ancestor once.
                    let mro = class.mro();
                    let listed: HashSet<usize> = mro.iter().filter_map(|c| index_of(c)).collect();
                    prop_assert_eq!(&listed, &ancestors[i]);
                    prop_assert_eq!(mro.len(), ancestors[i].len() + tail.len());
                }
                (m, r) => prop_assert!(false, "class {}: model {:?}, crate {:?}", i, m, r.map(|m| m.len())),
            }
            // issubclass against every other class, built-ins included:
            // nothing more to build, at most one pass over the MRO.
            let bound = class.mro().len() as u64;
            for (j, other) in classes.iter().enumerate() {
                let before = redis_exceptions::__private::mro_work();
                let answer = class.is_subclass_of(other);
                let visited = redis_exceptions::__private::mro_work() - before;
                prop_assert_eq!(answer, ancestors[i].contains(&j), "{} vs {}", i, j);
                prop_assert!(visited <= bound, "{} vs {}: {} examined, MRO {}", i, j, visited, bound);
            }
            for other in Class::all() {
                let before = redis_exceptions::__private::mro_work();
                let answer = class.is_subclass_of(other);
                let visited = redis_exceptions::__private::mro_work() - before;
                prop_assert_eq!(answer, tail.contains(&other.name()));
                prop_assert!(visited <= bound);
            }
            // isinstance on an instance agrees.
            let e = class.call(&["m".into()], &[]).unwrap();
            prop_assert!(std::ptr::eq(e.class(), *class));
            prop_assert!(e.is_a::<ResponseError>() && !e.is_a::<ConnectionError>());
            for (j, other) in classes.iter().enumerate().step_by(7) {
                prop_assert_eq!(e.is_instance(other), ancestors[i].contains(&j));
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Hostile `source()` chains: cycles and long chains, work counted.
// ---------------------------------------------------------------------------

/// `source()` calls made by `Node`s.
static SOURCE_CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// A chain of nodes: node `i`'s source is node `next[i]`, and the last
/// node's, `end` (an error of this crate, or none).
struct Chain {
    next: Vec<Option<usize>>,
    end: Option<redis_exceptions::Error>,
    nodes: std::sync::OnceLock<Vec<Node>>,
}

struct Node {
    i: usize,
    chain: &'static Chain,
}

/// A chain for `next` (leaked: a test's worth of nodes).
fn chain(next: Vec<Option<usize>>, end: Option<redis_exceptions::Error>) -> &'static [Node] {
    let c: &'static Chain = Box::leak(Box::new(Chain {
        next,
        end,
        nodes: std::sync::OnceLock::new(),
    }));
    c.nodes
        .get_or_init(|| (0..c.next.len()).map(|i| Node { i, chain: c }).collect())
}

impl std::fmt::Debug for Node {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Node({})", self.i)
    }
}

impl std::fmt::Display for Node {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "node {}", self.i)
    }
}

impl std::error::Error for Node {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        SOURCE_CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        match self.chain.next[self.i] {
            Some(j) => self.chain.nodes.get()?.get(j).map(|n| n as _),
            None => self.chain.end.as_ref().map(|e| e as _),
        }
    }
}

/// `source()` calls made by `f`. Tests run in parallel threads, so each
/// test counts under this lock.
fn count_calls(f: impl FnOnce()) -> usize {
    static ONE: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _one = ONE.lock().unwrap_or_else(|e| e.into_inner());
    let before = SOURCE_CALLS.load(std::sync::atomic::Ordering::Relaxed);
    f();
    SOURCE_CALLS.load(std::sync::atomic::Ordering::Relaxed) - before
}

/// `tail` nodes, then a cycle of `cycle` nodes.
fn cyclic(tail: usize, cycle: usize) -> &'static [Node] {
    let n = tail + cycle;
    chain(
        (0..n)
            .map(|i| Some(if i + 1 < n { i + 1 } else { tail }))
            .collect(),
        None,
    )
}

#[test]
fn find_ends_on_cycles() {
    for (tail, cycle) in [
        (0, 1),
        (0, 2),
        (1, 1),
        (5, 3),
        (3, 64),
        (100, 1),
        (1000, 1000),
    ] {
        let nodes = cyclic(tail, cycle);
        let calls = count_calls(|| assert!(redis_exceptions::find(&nodes[0]).is_none()));
        let n = tail + cycle;
        assert!(
            calls <= 3 * n + 2,
            "tail {tail}, cycle {cycle}: {calls} calls"
        );
        assert!(calls >= n, "every link is seen");
    }
}

#[test]
fn find_reaches_the_end_of_a_long_chain_once() {
    const N: usize = 200_000;
    let end = redis_exceptions::parse_error("MOVED 1 h:1");
    let nodes = chain((1..N).map(Some).chain([None]).collect(), Some(end));
    let calls = count_calls(|| {
        let found = redis_exceptions::find(&nodes[0]).expect("at the end");
        assert_eq!(found.class().name(), "MovedError");
    });
    assert_eq!(calls, N);
}

proptest! {
    #![proptest_config(Config { cases: 64, failure_persistence: None, ..Config::default() })]

    #[test]
    fn find_work_on_any_cycle_is_linear(tail in 0usize..300, cycle in 1usize..300) {
        let nodes = cyclic(tail, cycle);
        let start = tail.min(3);
        let calls = count_calls(|| assert!(redis_exceptions::find(&nodes[start]).is_none()));
        let n = tail - start + cycle;
        prop_assert!(calls <= 3 * n + 2, "tail {}, cycle {}: {} calls", tail, cycle, calls);
    }
}
