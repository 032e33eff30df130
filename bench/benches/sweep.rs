//! The length sweep: every reply shape of `tests/common/shapes.rs` at every
//! size from 16 B to 1 MiB, timed with this crate's entry points and with
//! redis-rs's `parse_redis_value` on the same frames, in one run.
//! `scripts/bench/bench_sweep.sh` runs it next to redis-py and turns the
//! results into the table (ns per byte) and plot of `bench/README.md`.
//!
//! ```sh
//! cargo bench -p redis-exceptions-bench --bench sweep
//! ```
//!
//! Benchmark ids are `sweep_<shape>/<function>/<size>`, one reply per
//! iteration. Functions: `classify`, `parse_error` (valid UTF-8 shapes
//! only), `parse_error_bytes`, `parse_frame_resp2` (`-<reply>\r\n`),
//! `parse_frame_resp3` (`!<len>\r\n<reply>\r\n`), `redis_rs_resp2` and
//! `redis_rs_resp3` (`redis::parse_redis_value` on the same frames), and
//! for the invalid UTF-8 shape `parse_error_bytes_args` (`parse_error_bytes`
//! and then `args()`, which decodes the message) and `std_from_utf8_lossy`
//! (`String::from_utf8_lossy(reply).into_owned()`, the decoding baseline).
//!
//! Short warm-up and measurement (the machine has two noisy cores), and
//! flat sampling with the minimum of 10 samples from 64 KiB up.

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, SamplingMode};
use redis_exceptions::{classify, parse_error, parse_error_bytes, parse_frame, RedisErrorExt};
use redis_exceptions_bench::shapes::{resp2_frame, resp3_frame, SHAPES, SIZES};

fn bench_sweep(c: &mut Criterion) {
    for shape in SHAPES {
        let mut g = c.benchmark_group(format!("sweep_{}", shape.name));
        for size in SIZES {
            let reply = (shape.build)(size);
            let resp2 = resp2_frame(&reply);
            let resp3 = resp3_frame(&reply);

            // Every entry point must agree before it is timed.
            let expected = classify(&reply).class();
            assert!(std::ptr::eq(parse_error_bytes(&reply).class(), expected));
            for frame in [&resp2, &resp3] {
                let e = parse_frame(frame).expect("our parser accepts the frame");
                assert!(std::ptr::eq(e.class(), expected), "{}", shape.name);
            }
            match redis::parse_redis_value(&resp3) {
                Ok(redis::Value::ServerError(_)) => {}
                other => panic!("redis-rs on {} {size}: {other:?}", shape.name),
            }

            if size >= 64 << 10 {
                g.sampling_mode(SamplingMode::Flat).sample_size(10);
            } else {
                g.sampling_mode(SamplingMode::Auto).sample_size(20);
            }
            g.bench_function(BenchmarkId::new("classify", size), |b| {
                b.iter(|| black_box(classify(black_box(&reply))))
            });
            if let Ok(text) = std::str::from_utf8(&reply) {
                g.bench_function(BenchmarkId::new("parse_error", size), |b| {
                    b.iter(|| parse_error(black_box(text)))
                });
            }
            g.bench_function(BenchmarkId::new("parse_error_bytes", size), |b| {
                b.iter(|| parse_error_bytes(black_box(&reply)))
            });
            g.bench_function(BenchmarkId::new("parse_frame_resp2", size), |b| {
                b.iter(|| parse_frame(black_box(&resp2)))
            });
            g.bench_function(BenchmarkId::new("parse_frame_resp3", size), |b| {
                b.iter(|| parse_frame(black_box(&resp3)))
            });
            g.bench_function(BenchmarkId::new("redis_rs_resp2", size), |b| {
                b.iter(|| redis::parse_redis_value(black_box(&resp2)))
            });
            g.bench_function(BenchmarkId::new("redis_rs_resp3", size), |b| {
                b.iter(|| redis::parse_redis_value(black_box(&resp3)))
            });
            if !shape.utf8 {
                // The message of a reply that is not UTF-8 is decoded when
                // first asked for: timed here with `args()`.
                g.bench_function(BenchmarkId::new("parse_error_bytes_args", size), |b| {
                    b.iter(|| {
                        let e = parse_error_bytes(black_box(&reply));
                        black_box(e.args().len());
                        e
                    })
                });
                g.bench_function(BenchmarkId::new("std_from_utf8_lossy", size), |b| {
                    b.iter(|| String::from_utf8_lossy(black_box(&reply)).into_owned())
                });
            }
        }
        g.finish();
    }
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_millis(200))
        .measurement_time(Duration::from_millis(400))
        .without_plots()
}

criterion_group! {
    name = benches;
    config = config();
    targets = bench_sweep
}
criterion_main!(benches);
