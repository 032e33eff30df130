//! Allocation budgets, counted by a global allocator that wraps `System`.
//!
//! * `classify` allocates nothing, over every reply of the public corpus that
//!   redis-py answers with an exception;
//! * `is_a` allocates nothing on any receiver (struct, `dyn RedisErrorExt`,
//!   `Error`), for built-in and user-declared targets;
//! * `parse_error` allocates one block, the error's box (at most 256 bytes),
//!   for a message of up to 64 bytes, and at most two for any reply: the box
//!   and the message, no more than `message.len()` plus the box;
//! * `size_of::<Error>()` is one pointer.
//!
//! * at 1 MiB, every shape of the length sweep (`tests/common/shapes.rs`):
//!   `classify` allocates nothing; `parse_error`, `parse_error_bytes` and
//!   `parse_frame` make at most two blocks for valid UTF-8 and never hold
//!   more than the message plus the box; for invalid UTF-8 the peak is the
//!   decoded message plus the raw bytes (plus the boxes), and so is what the
//!   error and its clone keep;
//! * a RESP3 frame whose length line is hostile keeps a bounded excerpt.
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

/// Bytes held, counted from the start of the window (frees of blocks made
/// before it count as negative).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Held {
    /// Held now.
    now: isize,
    /// The most held at any moment of the window.
    peak: isize,
}

thread_local! {
    // `const` initialisers and no destructors: touching these from inside
    // the allocator never allocates or registers anything.
    static COUNTING: Cell<bool> = const { Cell::new(false) };
    static COUNTS: Cell<Counts> = const {
        Cell::new(Counts { blocks: 0, bytes: 0, largest: 0 })
    };
    static HELD: Cell<Held> = const { Cell::new(Held { now: 0, peak: 0 }) };
}

/// Adds `delta` to the bytes held, while counting.
fn hold(delta: isize) {
    let _ = COUNTING.try_with(|on| {
        if on.get() {
            let _ = HELD.try_with(|h| {
                let mut v = h.get();
                v.now += delta;
                v.peak = v.peak.max(v.now);
                h.set(v);
            });
        }
    });
}

fn signed(n: usize) -> isize {
    isize::try_from(n).unwrap_or(isize::MAX)
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
        hold(signed(layout.size()));
        // SAFETY: the caller's contract is `System.alloc`'s.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        record(layout.size());
        hold(signed(layout.size()));
        // SAFETY: as above.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        record(new_size);
        hold(signed(new_size) - signed(layout.size()));
        // SAFETY: `ptr` came from this allocator, that is from `System`.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        hold(-signed(layout.size()));
        // SAFETY: `ptr` came from this allocator, that is from `System`.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: CountingAlloc = CountingAlloc;

/// Runs `f` with counting on for this thread; the result is returned (and so
/// dropped) outside the measured window.
fn measure<R>(f: impl FnOnce() -> R) -> (R, Counts) {
    let (out, counts, _) = measure_held(f);
    (out, counts)
}

/// [`measure`], with the bytes held: at the end of `f` (what its result
/// keeps) and at the peak.
fn measure_held<R>(f: impl FnOnce() -> R) -> (R, Counts, Held) {
    COUNTS.with(|c| c.set(Counts::default()));
    HELD.with(|h| h.set(Held::default()));
    COUNTING.with(|on| on.set(true));
    let out = f();
    COUNTING.with(|on| on.set(false));
    (out, COUNTS.with(Cell::get), HELD.with(Cell::get))
}

#[test]
fn the_counter_counts() {
    let (v, n) = measure(|| vec![0u8; 100]);
    assert_eq!(v.len(), 100);
    assert_eq!((n.blocks, n.bytes, n.largest), (1, 100, 100));
    let (_, n) = measure(|| 1 + 1);
    assert_eq!(n, Counts::default());
    let (_, _, held) = measure_held(|| {
        let mut v = vec![0u8; 100];
        v.reserve_exact(300);
        drop(v);
        vec![0u8; 10]
    });
    assert_eq!(held, Held { now: 10, peak: 400 });
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
    // One erased instance of each class, and the user classes.
    let mut errors: Vec<Error> = Class::all()
        .map(|class| {
            class
                .call(&["x".into()], &[])
                .or_else(|_| class.call(&["3999 127.0.0.1:6381".into()], &[]))
                .or_else(|_| class.call(&["x".into(), "y".into(), "z".into()], &[]))
                .or_else(|_| class.call(&["x".into(), "y".into()], &[]))
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

    assert_eq!(std::mem::size_of::<Error>(), std::mem::size_of::<usize>());
    // The box alone: an empty reply gives an empty message.
    let tiny = parse_counts("");
    assert_eq!(tiny.blocks, 1, "parse_error(\"\"): {tiny:?}");
    let boxed = tiny.bytes;
    assert!(boxed <= BOX_LIMIT, "the error's box is {boxed} bytes");
    // A message of up to 64 bytes is kept in the box: one block.
    let moved = parse_counts("MOVED 3999 127.0.0.1:6381");
    assert_eq!((moved.blocks, moved.bytes), (1, boxed));
    let at_64 = format!("ERR {}", "x".repeat(64));
    assert_eq!(parse_counts(&at_64), tiny);
    // One byte more: the box and the message.
    let at_65 = format!("ERR {}", "x".repeat(65));
    let n = parse_counts(&at_65);
    assert_eq!((n.blocks, n.bytes), (2, boxed + 65));

    for reply in &returned {
        let message_len = classify(reply.as_bytes()).message().len();
        let n = parse_counts(reply);
        let most = if message_len <= 64 { 1 } else { 2 };
        assert!(
            n.blocks <= most,
            "parse_error({reply:?}) made {} blocks for a {message_len}-byte message: {n:?}",
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

// ---------------------------------------------------------------------------
// The length sweep's shapes at 1 MiB.
// ---------------------------------------------------------------------------

#[path = "common/shapes.rs"]
#[allow(dead_code, reason = "the benchmark reads the shapes' other fields")]
mod shapes;

/// The most the error's box and the rare-parts box may take together.
const BOXES_LIMIT: usize = 2 * BOX_LIMIT;

/// One entry point on one reply: the error must keep at most `keep` bytes,
/// and never hold more than `peak` while being built.
fn check_budget(what: &str, e: Error, n: Counts, held: Held, max_blocks: usize, peak: usize) {
    let keep = held.now;
    eprintln!(
        "{what:40} blocks {:2}  peak {:9}  kept {:9}  ({})",
        n.blocks,
        held.peak,
        keep,
        e.class().name()
    );
    assert!(n.blocks <= max_blocks, "{what}: {n:?}");
    assert!(
        held.peak <= signed(peak),
        "{what}: held {} bytes at the peak, budget {peak}",
        held.peak
    );
    // What the error keeps, and what a clone of it keeps, is within the same
    // budget.
    let (c, _, cloned) = measure_held(|| e.clone());
    assert!(
        keep <= signed(peak) && cloned.now <= signed(peak),
        "{what}: {held:?} / clone {cloned:?}"
    );
    drop(c);
}

/// Makes the error's Python `args`, as a caller reading them would.
fn with_args(e: Error) -> Error {
    use redis_exceptions::RedisErrorExt;
    std::hint::black_box(e.args().len());
    e
}

#[test]
fn sweep_shapes_at_one_mebibyte_stay_within_their_budgets() {
    use redis_exceptions::{parse_error_bytes, parse_frame, RedisErrorExt};
    use shapes::{resp2_frame, resp3_frame, SHAPES, SIZES};

    let size = SIZES[SIZES.len() - 1];
    assert_eq!(size, 1 << 20);
    for shape in SHAPES {
        let reply = (shape.build)(size);
        let frames = [resp2_frame(&reply), resp3_frame(&reply)];
        // Warm the class metadata up.
        drop(parse_error_bytes(&reply));

        let (c, n) = measure(|| {
            let c = classify(&reply);
            std::hint::black_box((c.class(), c.message(), c.redirect(), c.reply_code()));
            c
        });
        assert_eq!(n, Counts::default(), "{}: classify allocated", shape.name);

        let raw = c.message().len();
        let decoded = String::from_utf8_lossy(c.message()).len();
        // Valid UTF-8: the message and the box, two blocks. Invalid: the raw
        // reply, its box and the error's box, then (once `args()` asks for
        // it) the decoded message, grown at most twice and then trimmed: four
        // calls. Every call below asks for `args()`.
        let (max_blocks, peak) = if shape.utf8 {
            (2, decoded + BOX_LIMIT)
        } else {
            (7, decoded + reply.len() + BOXES_LIMIT)
        };
        if let Ok(text) = std::str::from_utf8(&reply) {
            let (e, n, held) = measure_held(|| with_args(parse_error(text)));
            check_budget(
                &format!("{} parse_error", shape.name),
                e,
                n,
                held,
                max_blocks,
                peak,
            );
        }
        let (e, n, held) = measure_held(|| with_args(parse_error_bytes(&reply)));
        assert_eq!(e.to_string().len(), decoded);
        if !shape.utf8 {
            assert_eq!(e.reply().as_deref(), Some(&reply[..]), "{}", shape.name);
            assert!(raw <= reply.len());
        }
        check_budget(
            &format!("{} parse_error_bytes", shape.name),
            e,
            n,
            held,
            max_blocks,
            peak,
        );
        for (kind, frame) in ["RESP2", "RESP3"].iter().zip(&frames) {
            let (e, n, held) = measure_held(|| with_args(parse_frame(frame).expect("a frame")));
            check_budget(
                &format!("{} parse_frame {kind}", shape.name),
                e,
                n,
                held,
                max_blocks,
                peak,
            );
        }
    }
}

/// A blob error whose length line is 1 MiB of junk: the error keeps the
/// start of the line and its length, not the line.
#[test]
fn a_hostile_length_line_keeps_a_bounded_excerpt() {
    use redis_exceptions::{parse_frame, FrameError};

    let mut frame = b"!".to_vec();
    frame.resize(1 + (1 << 20), b'\xff');
    frame.extend_from_slice(b"\r\nERR x\r\n");
    let (result, _, held) = measure_held(|| parse_frame(&frame));
    match result {
        Err(FrameError::BadLength { line, len }) => {
            assert_eq!(len, 1 << 20);
            assert!(line.len() <= 64 * 3, "{} bytes kept", line.len());
            assert!(line.starts_with('\u{FFFD}'));
        }
        other => panic!("{other:?}"),
    }
    assert!(held.peak <= 1024, "{held:?}");
}

// ---------------------------------------------------------------------------
// Hostile sizes (issue 11): what an error keeps, and what printing it costs,
// stay bounded whatever the input's size.
// ---------------------------------------------------------------------------

/// The most an error message or a `Debug` line may take for a hostile input.
const EXCERPT_LIMIT: usize = 2048;

/// A 1 MiB `MOVED` reply of invalid UTF-8 whose payload still parses.
fn hostile_reply() -> Vec<u8> {
    let mut reply = b"MOVED 1 ".to_vec();
    reply.extend(std::iter::repeat_n(0xffu8, 1 << 20));
    reply.extend_from_slice(b":6379");
    reply
}

#[test]
fn debug_of_a_hostile_reply_is_bounded() {
    let e = redis_exceptions::parse_error_bytes(&hostile_reply());
    assert!(e.redirect().is_some());
    let (line, n) = measure(|| format!("{e:?}"));
    assert!(line.len() <= EXCERPT_LIMIT, "{} bytes", line.len());
    assert!(n.bytes <= 2 * EXCERPT_LIMIT, "formatting took {n:?}");
}

#[cfg(feature = "serde")]
#[test]
fn a_deserialization_error_keeps_an_excerpt_of_a_hostile_input() {
    let big = "x".repeat(589_000);
    let json = |v: serde_json::Value| v.to_string();
    let inputs = [
        // The helper's "takes one message argument, got [...]".
        json(serde_json::json!({"class": "LockError", "args": [big, "y"]})),
        json(serde_json::json!({"class": "MovedError", "args": [big, big]})),
        // serde's "invalid type: string ...".
        json(serde_json::json!({"class": "RedisError", "args": big})),
        // Unknown classes and modules.
        json(serde_json::json!({"class": big})),
        json(serde_json::json!({"class": "RedisError", "module": big})),
        // A value that is not one of the form's.
        json(serde_json::json!({"class": "RedisError", "args": [{ big.clone(): "x" }]})),
        // int() on a huge slot.
        json(serde_json::json!({"class": "MovedError", "args": [format!("{big} h:1")]})),
        // Many small arguments.
        json(serde_json::json!({"class": "LockError", "args": vec!["y"; 100_000]})),
    ];
    for input in &inputs {
        let (result, _, held) = measure_held(|| serde_json::from_str::<Error>(input));
        let err = result.expect_err("refused");
        let text = err.to_string();
        assert!(
            text.len() <= EXCERPT_LIMIT,
            "{} bytes of message for {} bytes of JSON: {}...",
            text.len(),
            input.len(),
            &text[..200]
        );
        // What the error keeps alive is the message, nothing more.
        assert!(
            held.now <= 2 * EXCERPT_LIMIT as isize,
            "{held:?} kept for a {}-byte message",
            text.len()
        );
    }
}
