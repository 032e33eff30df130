//! Side-by-side micro-benchmarks: this crate against the floor (a `matches!`
//! on a plain `Copy` enum of the same 39 classes), against std's
//! `dyn Error::downcast_ref`, and against redis-rs's own parsing of the same
//! error frames. redis-py's figures come from `scripts/bench/bench_vs_python.sh`,
//! which runs this bench and reads criterion's `estimates.json` files.
//!
//! ```sh
//! cargo bench -p redis-exceptions-bench --bench hierarchy -- \
//!     --warm-up-time 1 --measurement-time 2
//! ```
//!
//! Benchmark ids (`group/function/parameter`), one operation per iteration
//! unless the parameter says `corpus` (one iteration = every reply of the
//! corpus, in order; divide by the count printed at start, 127 for the
//! "returned" replies, 6 for `raised_corpus`):
//!
//! * `is_a/{struct,dyn,error}/{true_exact,true_subclass,false,deep,user_true_builtin_base,user_true_user_base,user_false}`,
//!   `is_a/{floor,floor_boxed,floor_dyn}/{true_exact,true_subclass,false,deep}`
//!   (`floor_boxed`/`floor_dyn`: the floor behind a pointer / a vtable call),
//!   `is_a/{error,floor}/mixed39`;
//! * `downcast_ref/{error,dyn,std_dyn_error}/{hit,miss}`;
//! * `parse/{parse_error,classify,parse_frame,redis_rs_parse_redis_value}/{corpus,raised_corpus,moved}`,
//!   `parse/two_blocks_floor/corpus` (only the message copy and a 120-byte box);
//! * `construct/moved_error_new/moved`: `MovedError::new("3999 127.0.0.1:6381")`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use redis_exceptions::{
    classify, exception, parse_error, parse_frame, AuthenticationError, Class, ConnectionError,
    Error, MasterDownError, MovedError, RedisError, RedisErrorExt, ResponseError,
};
use redis_exceptions_bench::{load_corpus, shapes::resp2_frame};

exception! {
    /// A user class under a built-in one.
    pub struct CacheRejected(ResponseError);
    /// A user class with a user base and a second built-in base.
    pub struct CacheLinkLost(CacheRejected, ConnectionError);
}

// ---------------------------------------------------------------------------
// The floor: the same 39 classes as a plain `Copy` enum, ancestry by `matches!`.
// ---------------------------------------------------------------------------

/// Declares the floor's enum of the 39 classes (in the crate's, Python's
/// definition order) and `Kind::ALL`, from one list.
macro_rules! kinds {
    ($($name:ident),* $(,)?) => {
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        #[allow(clippy::enum_variant_names, reason = "variants are Python class names")]
        enum Kind {
            $($name,)*
        }

        impl Kind {
            const ALL: [Kind; 39] = [$(Kind::$name,)*];
        }
    };
}

kinds!(
    BaseException,
    Exception,
    ValueError,
    RedisError,
    ConnectionError,
    TimeoutError,
    AuthenticationError,
    AuthorizationError,
    BusyLoadingError,
    InvalidResponse,
    ResponseError,
    DataError,
    PubSubError,
    WatchError,
    NoScriptError,
    OutOfMemoryError,
    ExecAbortError,
    ReadOnlyError,
    NoPermissionError,
    ModuleError,
    NoSuchFieldsetError,
    LockError,
    LockNotOwnedError,
    ChildDeadlockedError,
    AuthenticationWrongNumberOfArgsError,
    RedisClusterException,
    ClusterError,
    ClusterDownError,
    AskError,
    TryAgainError,
    ClusterCrossSlotError,
    MovedError,
    MasterDownError,
    SlotNotCoveredError,
    MaxConnectionsError,
    CrossSlotTransactionError,
    InvalidPipelineStack,
    ExternalAuthProviderError,
    IncorrectPolicyType,
);

impl Kind {
    /// `issubclass(self, base)`, written out by hand.
    #[inline(always)]
    fn is_a(self, base: Kind) -> bool {
        use Kind::*;
        self == base
            || match base {
                BaseException | Exception => !matches!(self, BaseException),
                ValueError => matches!(self, LockError | LockNotOwnedError),
                RedisError => matches!(
                    self,
                    ConnectionError
                        | TimeoutError
                        | AuthenticationError
                        | AuthorizationError
                        | BusyLoadingError
                        | InvalidResponse
                        | ResponseError
                        | DataError
                        | PubSubError
                        | WatchError
                        | NoScriptError
                        | OutOfMemoryError
                        | ExecAbortError
                        | ReadOnlyError
                        | NoPermissionError
                        | ModuleError
                        | NoSuchFieldsetError
                        | LockError
                        | LockNotOwnedError
                        | AuthenticationWrongNumberOfArgsError
                        | ClusterError
                        | ClusterDownError
                        | AskError
                        | TryAgainError
                        | ClusterCrossSlotError
                        | MovedError
                        | MasterDownError
                        | MaxConnectionsError
                        | ExternalAuthProviderError
                ),
                ConnectionError => matches!(
                    self,
                    AuthenticationError
                        | AuthorizationError
                        | BusyLoadingError
                        | MaxConnectionsError
                        | ExternalAuthProviderError
                ),
                ResponseError => matches!(
                    self,
                    NoScriptError
                        | OutOfMemoryError
                        | ExecAbortError
                        | ReadOnlyError
                        | NoPermissionError
                        | ModuleError
                        | NoSuchFieldsetError
                        | AuthenticationWrongNumberOfArgsError
                        | ClusterDownError
                        | AskError
                        | TryAgainError
                        | ClusterCrossSlotError
                        | MovedError
                        | MasterDownError
                ),
                LockError => matches!(self, LockNotOwnedError),
                RedisClusterException => matches!(
                    self,
                    SlotNotCoveredError | CrossSlotTransactionError | InvalidPipelineStack
                ),
                ClusterError => matches!(self, ClusterDownError | MasterDownError),
                ClusterDownError => matches!(self, MasterDownError),
                AskError => matches!(self, MovedError),
                _ => false,
            }
    }
}

/// A value that reports its kind through a vtable: the floor's `dyn` shape.
trait KindOf {
    fn kind(&self) -> Kind;
}

struct Plain(Kind);

impl KindOf for Plain {
    fn kind(&self) -> Kind {
        self.0
    }
}

/// The floor must answer exactly as the crate does, for all 39 x 39 pairs.
fn check_floor() {
    let all: Vec<&'static Class> = Class::all().collect();
    assert_eq!(all.len(), Kind::ALL.len());
    for (a, ka) in all.iter().zip(Kind::ALL) {
        assert_eq!(a.name(), format!("{ka:?}"));
        for (b, kb) in all.iter().zip(Kind::ALL) {
            assert_eq!(
                a.is_subclass_of(b),
                ka.is_a(kb),
                "floor disagrees: issubclass({}, {})",
                a.name(),
                b.name()
            );
        }
    }
}

/// Both parsers must accept every frame, so that they do the same work.
fn check_frames(frames: &[Vec<u8>]) {
    for f in frames {
        parse_frame(f).expect("parse_frame accepts the frame");
        match redis::parse_redis_value(f) {
            Ok(redis::Value::ServerError(_)) | Err(_) => {}
            Ok(other) => panic!("redis-rs gave {other:?} for {f:?}"),
        }
    }
}

// ---------------------------------------------------------------------------
// The benchmarks.
// ---------------------------------------------------------------------------

/// The `is_a` answer as a full register. Returned as a `bool`, the answer
/// is written with a partial-register move (`mov $1, %r9b`) into the
/// register that last held black_box's reload, which chains every iteration
/// of the "true" path through memory (~2 ns on this machine, the "false"
/// path zeroes the register and escapes it). Every receiver, the floor
/// included, goes through this.
#[inline(always)]
fn widen(answer: bool) -> u64 {
    u64::from(answer)
}

const MASTER_DOWN: &str = "Link with MASTER is down and replica-serve-stale-data is set to 'no'.";

/// The instances the `is_a` cases ask about.
struct Instances {
    conn: ConnectionError,
    auth: AuthenticationError,
    resp: ResponseError,
    master: MasterDownError,
    user: CacheLinkLost,
    user_resp: ResponseError,
}

/// Benchmarks every `is_a` case (`id: instance => target`) on the three
/// receivers: the concrete struct, `&dyn RedisErrorExt` and the erased
/// `Error` (the instance still goes through `black_box`).
macro_rules! is_a_cases {
    ($g:ident, $inst:ident; $($case:literal: $field:ident => $target:ty),* $(,)?) => {$({
        let s = &$inst.$field;
        let d: &dyn RedisErrorExt = s;
        let e: Error = s.clone().into();
        assert_eq!(s.is_a::<$target>(), d.is_a::<$target>());
        assert_eq!(s.is_a::<$target>(), e.is_a::<$target>());
        $g.bench_function(BenchmarkId::new("struct", $case), |b| {
            b.iter(|| widen(black_box(s).is_a::<$target>()))
        });
        $g.bench_function(BenchmarkId::new("dyn", $case), |b| {
            b.iter(|| widen(black_box(d).is_a::<$target>()))
        });
        $g.bench_function(BenchmarkId::new("error", $case), |b| {
            b.iter(|| widen(black_box(&e).is_a::<$target>()))
        });
    })*};
}

fn bench_is_a(c: &mut Criterion) {
    check_floor();

    let inst = Instances {
        conn: ConnectionError::new("Connection closed by server."),
        auth: AuthenticationError::new("invalid password").with_status_code("ERR"),
        resp: ResponseError::new("syntax error").with_status_code("ERR"),
        master: MasterDownError::new(MASTER_DOWN).with_status_code("MASTERDOWN"),
        user: CacheLinkLost::new("link lost"),
        user_resp: ResponseError::new("syntax error"),
    };

    let mut g = c.benchmark_group("is_a");
    is_a_cases!(g, inst;
        "true_exact": conn => ConnectionError,
        "true_subclass": auth => ConnectionError,
        "false": resp => ConnectionError,
        "deep": master => RedisError,
        "user_true_builtin_base": user => ConnectionError,
        "user_true_user_base": user => CacheRejected,
        "user_false": user_resp => CacheRejected,
    );

    // The floor: the instance is a black-boxed enum value, the target a
    // constant. The same shapes as our receivers, for reading the ratios:
    // the kind behind one pointer (as `Error` is) and behind a vtable call
    // (as `dyn RedisErrorExt` is). The target is against `floor`.
    let floors = [
        ("true_exact", Kind::ConnectionError, Kind::ConnectionError),
        (
            "true_subclass",
            Kind::AuthenticationError,
            Kind::ConnectionError,
        ),
        ("false", Kind::ResponseError, Kind::ConnectionError),
        ("deep", Kind::MasterDownError, Kind::RedisError),
    ];
    for (name, kind, base) in floors {
        assert_eq!(kind.is_a(base), name != "false");
        let boxed = Box::new(kind);
        let plain = Plain(kind);
        let dyn_kind: &dyn KindOf = &plain;
        // The base is matched to a constant so that it folds, as the
        // crate's type parameter does.
        macro_rules! floor_shapes {
            ($($base:ident),*) => {
                match base {
                    $(Kind::$base => {
                        g.bench_function(BenchmarkId::new("floor", name), |b| {
                            b.iter(|| widen(black_box(kind).is_a(Kind::$base)))
                        });
                        g.bench_function(BenchmarkId::new("floor_boxed", name), |b| {
                            b.iter(|| widen((**black_box(&boxed)).is_a(Kind::$base)))
                        });
                        g.bench_function(BenchmarkId::new("floor_dyn", name), |b| {
                            b.iter(|| widen(black_box(dyn_kind).kind().is_a(Kind::$base)))
                        });
                    })*
                    other => unreachable!("no floor case for {other:?}"),
                }
            };
        }
        floor_shapes!(RedisError, ConnectionError);
    }

    // Mixed: one erased error per class, vs the floor over one kind per class.
    let all_errors: Vec<Error> = Class::all()
        .map(|class| {
            // AskError and MovedError need a payload that parses.
            class
                .call(&["mixed".into()], &[])
                .or_else(|_| class.call(&["3999 127.0.0.1:6381".into()], &[]))
                .expect("construct")
        })
        .collect();
    g.bench_function(BenchmarkId::new("error", "mixed39"), |b| {
        b.iter(|| {
            black_box(&all_errors)
                .iter()
                .filter(|e| e.is_a::<ConnectionError>())
                .count()
        })
    });
    g.bench_function(BenchmarkId::new("floor", "mixed39"), |b| {
        b.iter(|| {
            black_box(&Kind::ALL)
                .iter()
                .filter(|k| k.is_a(Kind::ConnectionError))
                .count()
        })
    });
    g.finish();
}

fn bench_downcast(c: &mut Criterion) {
    let moved = MovedError::new("3999 127.0.0.1:6381");
    let erased: Error = moved.clone().into();
    let as_dyn: &dyn RedisErrorExt = &moved;
    let std_box: Box<dyn std::error::Error + Send + Sync> = Box::new(moved.clone());
    let std_dyn: &(dyn std::error::Error + 'static) = &*std_box;

    assert!(erased.downcast_ref::<MovedError>().is_some());
    assert!(as_dyn.downcast_ref::<MovedError>().is_some());
    assert!(std_dyn.downcast_ref::<MovedError>().is_some());

    let mut g = c.benchmark_group("downcast_ref");
    macro_rules! receivers {
        ($($id:literal: $recv:expr),*) => {$(
            g.bench_function(BenchmarkId::new($id, "hit"), |b| {
                b.iter(|| black_box($recv).downcast_ref::<MovedError>().is_some())
            });
            g.bench_function(BenchmarkId::new($id, "miss"), |b| {
                b.iter(|| black_box($recv).downcast_ref::<ResponseError>().is_some())
            });
        )*};
    }
    receivers!("error": &erased, "dyn": as_dyn, "std_dyn_error": std_dyn);
    g.finish();
}

fn bench_parse(c: &mut Criterion) {
    let corpus = load_corpus();
    eprintln!(
        "corpus: {} returned replies (timed as `corpus`), {} raised (timed as `raised_corpus`)",
        corpus.returned.len(),
        corpus.raised.len()
    );
    let moved = vec!["MOVED 3999 127.0.0.1:6381".to_owned()];
    // (parameter, replies): one iteration parses every reply of the list.
    let inputs: [(&str, &[String]); 3] = [
        ("corpus", &corpus.returned),
        ("raised_corpus", &corpus.raised),
        ("moved", &moved),
    ];

    let mut g = c.benchmark_group("parse");
    for (param, replies) in inputs {
        let frames: Vec<Vec<u8>> = replies.iter().map(|r| resp2_frame(r.as_bytes())).collect();
        check_frames(&frames);
        g.bench_function(BenchmarkId::new("parse_error", param), |b| {
            b.iter(|| {
                for reply in black_box(replies) {
                    black_box(parse_error(reply));
                }
            })
        });
        g.bench_function(BenchmarkId::new("classify", param), |b| {
            b.iter(|| {
                for reply in black_box(replies) {
                    black_box(classify(reply.as_bytes()));
                }
            })
        });
        g.bench_function(BenchmarkId::new("parse_frame", param), |b| {
            b.iter(|| {
                for frame in black_box(&frames) {
                    let _ = black_box(parse_frame(frame));
                }
            })
        });
        g.bench_function(BenchmarkId::new("redis_rs_parse_redis_value", param), |b| {
            b.iter(|| {
                for frame in black_box(&frames) {
                    let _ = black_box(redis::parse_redis_value(frame));
                }
            })
        });
    }
    // What parse_error cannot avoid: its heap blocks (the message copy and
    // the error's box, 120 bytes in the two-block layout), made and freed,
    // with the message offsets found outside the timing.
    let messages: Vec<(&str, usize)> = corpus
        .returned
        .iter()
        .map(|r| (r.as_str(), r.len() - classify(r.as_bytes()).message().len()))
        .collect();
    g.bench_function(BenchmarkId::new("two_blocks_floor", "corpus"), |b| {
        b.iter(|| {
            for &(reply, start) in black_box(&messages) {
                black_box((Box::new(black_box([0u64; 15])), reply[start..].to_owned()));
            }
        })
    });
    g.finish();

    let mut g = c.benchmark_group("construct");
    assert_eq!(
        MovedError::new("3999 127.0.0.1:6381")
            .redirect()
            .and_then(|r| r.port()),
        Some(6381)
    );
    g.bench_function(BenchmarkId::new("moved_error_new", "moved"), |b| {
        b.iter(|| MovedError::new(black_box("3999 127.0.0.1:6381")))
    });
    g.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(2))
}

criterion_group! {
    name = benches;
    config = config();
    targets = bench_is_a, bench_downcast, bench_parse
}
criterion_main!(benches);
