//! Allocation budgets, counted by a global allocator that wraps `System`.
//!
//! * `classify` allocates nothing, over every reply of the public corpus that
//!   redis-py answers with an exception;
//! * `is_a` allocates nothing on any receiver (struct, `dyn RedisErrorExt`,
//!   `Error`), for built-in and user-declared targets;
//! * `parse_error` allocates at most two blocks: the message and the error's
//!   box, no more than `message.len()` plus the box (itself at most 256 bytes).
//!
//! The counters are per thread and only run between `measure`'s toggles, so
//! the test harness's other threads (and its own bookkeeping) do not count.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use redis_exceptions::{
    classify, exception, parse_error, AskError, AuthenticationError, Class, ConnectionError, Error,
    MasterDownError, MovedError, RedisError, RedisErrorExt, ResponseError,
};

// ---------------------------------------------------------------------------
// The counting allocator.
// ---------------------------------------------------------------------------

/// What the current thread allocated while counting was on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Counts {
    /// Allocations, reallocations included.
    blocks: usize,
    /// Bytes requested by those calls.
    bytes: usize,
    /// The largest single request.
    largest: usize,
}

thread_local! {
    // `const` initialisers and no destructors: touching these from inside
    // the allocator never allocates or registers anything.
    static COUNTING: Cell<bool> = const { Cell::new(false) };
    static COUNTS: Cell<Counts> = const {
        Cell::new(Counts { blocks: 0, bytes: 0, largest: 0 })
    };
}

fn record(size: usize) {
    let _ = COUNTING.try_with(|on| {
        if on.get() {
            let _ = COUNTS.try_with(|c| {
                let mut n = c.get();
                n.blocks += 1;
                n.bytes += size;
                n.largest = n.largest.max(size);
                c.set(n);
            });
        }
    });
}

struct CountingAlloc;

// SAFETY: every call is forwarded unchanged to `System`; the bookkeeping only
// touches thread-local `Cell`s that need no allocation.
unsafe impl GlobalAlloc for CountingAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        record(layout.size());
        // SAFETY: the caller's contract is `System.alloc`'s.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        record(layout.size());
        // SAFETY: as above.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        record(new_size);
        // SAFETY: `ptr` came from this allocator, that is from `System`.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from this allocator, that is from `System`.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: CountingAlloc = CountingAlloc;

/// Runs `f` with counting on for this thread; the result is returned (and so
/// dropped) outside the measured window.
fn measure<R>(f: impl FnOnce() -> R) -> (R, Counts) {
    COUNTS.with(|c| c.set(Counts::default()));
    COUNTING.with(|on| on.set(true));
    let out = f();
    COUNTING.with(|on| on.set(false));
    (out, COUNTS.with(Cell::get))
}

#[test]
fn the_counter_counts() {
    let (v, n) = measure(|| vec![0u8; 100]);
    assert_eq!(v.len(), 100);
    assert_eq!((n.blocks, n.bytes, n.largest), (1, 100, 100));
    let (_, n) = measure(|| 1 + 1);
    assert_eq!(n, Counts::default());
}

// ---------------------------------------------------------------------------
// The corpus.
// ---------------------------------------------------------------------------

/// (replies redis-py returns an exception for, replies it raises on).
fn corpus() -> (Vec<String>, Vec<String>) {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/public_corpus.json"
    );
    let text = std::fs::read_to_string(path).expect("read public_corpus.json");
    let json: serde_json::Value = serde_json::from_str(&text).expect("parse public_corpus.json");
    let (mut returned, mut raised) = (Vec::new(), Vec::new());
    for case in json["cases"].as_array().expect("cases") {
        let input = case["input"].as_str().expect("input").to_owned();
        match case["outcome"].as_str() {
            Some("returned") => returned.push(input),
            _ => raised.push(input),
        }
    }
    assert_eq!((returned.len(), raised.len()), (127, 6));
    (returned, raised)
}

fn assert_classify_allocates_nothing(replies: &[String]) {
    for reply in replies {
        let (c, n) = measure(|| {
            let c = classify(reply.as_bytes());
            // Use every accessor, as a caller would.
            std::hint::black_box((
                c.class(),
                c.status_code(),
                c.reply_code(),
                c.message(),
                c.redirect(),
                c.is_a::<ConnectionError>(),
                c.is_a::<AskError>(),
            ));
            c
        });
        assert_eq!(n, Counts::default(), "classify({reply:?}) allocated");
        assert_eq!(c.reply(), reply.as_bytes());
    }
}

#[test]
fn classify_allocates_nothing_over_the_corpus() {
    let (returned, _) = corpus();
    assert_classify_allocates_nothing(&returned);
}

/// The six replies redis-py raises `ValueError` on (lone `MOVED`/`ASK`,
/// double spaces, a tab, a trailing space) are malformed `ASK`/`MOVED`
/// payloads; so are the extra ones here (a bad literal, more digits than
/// CPython converts, non-ASCII digits). Rejecting them must not build the
/// `ValueError` text.
#[test]
fn classify_allocates_nothing_over_the_raising_replies() {
    let (_, mut raised) = corpus();
    raised.push("MOVED x h:1".to_owned());
    raised.push(format!("MOVED {} h:1", "1".repeat(4301)));
    raised.push("ASK \u{663}\u{669} h:x".to_owned());
    assert_classify_allocates_nothing(&raised);
}

// ---------------------------------------------------------------------------
// is_a.
// ---------------------------------------------------------------------------

exception! {
    /// A user class under a built-in one.
    pub struct CacheRejected(ResponseError);
    /// A user class with a user base and a second built-in base.
    pub struct CacheLinkLost(CacheRejected, ConnectionError);
}

/// Every answer of `is_a` for the targets used below, in a fixed order.
fn answers<F: Fn(u8) -> bool>(ask: F) -> [bool; 7] {
    [ask(0), ask(1), ask(2), ask(3), ask(4), ask(5), ask(6)]
}

macro_rules! targets {
    ($e:expr) => {
        |t: u8| match t {
            0 => $e.is_a::<ConnectionError>(),
            1 => $e.is_a::<RedisError>(),
            2 => $e.is_a::<ResponseError>(),
            3 => $e.is_a::<AskError>(),
            4 => $e.is_a::<MovedError>(),
            5 => $e.is_a::<CacheRejected>(),
            _ => $e.is_a::<CacheLinkLost>(),
        }
    };
}

#[test]
fn is_a_allocates_nothing() {
    // One erased instance of each of the 39 classes, and the user classes.
    let mut errors: Vec<Error> = Class::all()
        .map(|class| {
            class
                .call(&["x".into()], &[])
                .or_else(|_| class.call(&["3999 127.0.0.1:6381".into()], &[]))
                .expect("construct")
        })
        .collect();
    errors.push(CacheRejected::new("rejected").into());
    errors.push(CacheLinkLost::new("link lost").into());

    for e in &errors {
        let (on_error, n) = measure(|| answers(targets!(e)));
        assert_eq!(
            n,
            Counts::default(),
            "{}: Error::is_a allocated",
            e.class().name()
        );
        let d: &dyn RedisErrorExt = e.as_dyn();
        let (on_dyn, n) = measure(|| answers(targets!(d)));
        assert_eq!(
            n,
            Counts::default(),
            "{}: dyn is_a allocated",
            e.class().name()
        );
        assert_eq!(on_error, on_dyn);
    }

    // Concrete structs.
    let conn = ConnectionError::new("Connection closed by server.");
    let auth = AuthenticationError::new("invalid password").with_status_code("ERR");
    let master = MasterDownError::new("Link with MASTER is down").with_status_code("MASTERDOWN");
    let moved = MovedError::new("3999 127.0.0.1:6381");
    let user = CacheLinkLost::new("link lost");
    let (got, n) = measure(|| {
        [
            answers(targets!(conn)),
            answers(targets!(auth)),
            answers(targets!(master)),
            answers(targets!(moved)),
            answers(targets!(user)),
        ]
    });
    assert_eq!(n, Counts::default(), "struct is_a allocated");
    assert_eq!(got[0], [true, true, false, false, false, false, false]);
    assert_eq!(got[1], [true, true, false, false, false, false, false]);
    assert_eq!(got[2], [false, true, true, false, false, false, false]);
    assert_eq!(got[3], [false, true, true, true, true, false, false]);
    assert_eq!(got[4], [true, true, true, false, false, true, true]);
}

// ---------------------------------------------------------------------------
// parse_error.
// ---------------------------------------------------------------------------

/// The most `parse_error` may allocate for the error's box, whatever class.
const BOX_LIMIT: usize = 256;

fn parse_counts(reply: &str) -> Counts {
    let (e, n) = measure(|| parse_error(reply));
    drop(e);
    n
}

#[test]
fn parse_error_allocates_the_message_and_the_box() {
    let (returned, _) = corpus();
    // Class metadata (MRO, inherited `__init__`) is resolved once per class
    // on first use: warm every class up before counting.
    for reply in &returned {
        drop(parse_error(reply));
    }

    // The box alone: an empty reply gives an empty message, which owns no
    // heap block.
    let tiny = parse_counts("");
    assert_eq!(tiny.blocks, 1, "parse_error(\"\"): {tiny:?}");
    let boxed = tiny.bytes;
    assert!(boxed <= BOX_LIMIT, "the error's box is {boxed} bytes");
    // A one-word message: exactly the box plus the message.
    let moved = parse_counts("MOVED 3999 127.0.0.1:6381");
    assert_eq!(
        (moved.blocks, moved.bytes),
        (2, boxed + "3999 127.0.0.1:6381".len())
    );

    for reply in &returned {
        let message_len = classify(reply.as_bytes()).message().len();
        let n = parse_counts(reply);
        assert!(
            n.blocks <= 2,
            "parse_error({reply:?}) made {} blocks: {n:?}",
            n.blocks
        );
        assert!(
            n.bytes <= message_len + boxed,
            "parse_error({reply:?}) took {} bytes for a {message_len}-byte message and a \
             {boxed}-byte box",
            n.bytes
        );
        assert!(n.largest <= message_len.max(BOX_LIMIT), "{reply:?}: {n:?}");
    }
}

/// The same budget for the six replies redis-py raises on: today `classify`
/// (run by `parse_error`) formats a discarded `ValueError` text for them, a
/// third block.
#[test]
fn parse_error_allocates_the_message_and_the_box_for_raising_replies() {
    let (_, raised) = corpus();
    for reply in &raised {
        drop(parse_error(reply));
    }
    let boxed = parse_counts("").bytes;
    for reply in &raised {
        let message_len = classify(reply.as_bytes()).message().len();
        let n = parse_counts(reply);
        assert!(
            n.blocks <= 2 && n.bytes <= message_len + boxed,
            "{reply:?}: {n:?}"
        );
    }
}
