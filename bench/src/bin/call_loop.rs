//! Calls one entry point in a loop, for counting instructions with
//! callgrind: the counts are stable on a shared, noisy machine where times
//! are not. `scripts/bench/count_instructions.sh` runs it with 0 and with N
//! iterations and prints the difference divided by N.
//!
//! ```sh
//! cargo build --release -p redis-exceptions-bench --bin call_loop
//! valgrind --tool=callgrind target/release/call_loop CASE N
//! ```
//!
//! Cases: `corpus:<f>` (one iteration = the 127 returned corpus replies)
//! and `moved:<f>` (`MOVED 3999 127.0.0.1:6381`), with `<f>` one of
//! `classify`, `parse_error`, `parse_frame`; `<shape>:<f>:<size>` for a
//! shape of the length sweep (`tests/common/shapes.rs`), with `<f>` one of
//! those, `parse_error_bytes`, `args` (`parse_error_bytes` then `args()`),
//! `std_lossy` (`String::from_utf8_lossy(reply).into_owned()`),
//! `parse_frame_resp3` (`parse_frame` on `!<len>\r\n<reply>\r\n`; plain
//! `parse_frame` takes `-<reply>\r\n`) and `redis_rs_resp2`/`redis_rs_resp3`
//! (redis-rs's `parse_redis_value` on the same frames).

use std::hint::black_box;

use redis_exceptions::{classify, parse_error, parse_error_bytes, parse_frame, RedisErrorExt};
use redis_exceptions_bench::load_corpus;
use redis_exceptions_bench::shapes::{resp2_frame, resp3_frame, SHAPES};

/// One call of `f` on `reply` (or on its `-` frame, or its `!` frame).
fn call(f: &str, reply: &[u8], frame: &[u8], frame3: &[u8]) {
    match f {
        "classify" => {
            black_box(classify(black_box(reply)));
        }
        "parse_error" => {
            let text = std::str::from_utf8(reply).expect("parse_error takes UTF-8 replies");
            black_box(parse_error(black_box(text)));
        }
        "parse_error_bytes" => {
            black_box(parse_error_bytes(black_box(reply)));
        }
        "parse_frame" => {
            black_box(parse_frame(black_box(frame)).ok());
        }
        "parse_frame_resp3" => {
            black_box(parse_frame(black_box(frame3)).ok());
        }
        "redis_rs_resp2" => {
            black_box(redis::parse_redis_value(black_box(frame)).ok());
        }
        "redis_rs_resp3" => {
            black_box(redis::parse_redis_value(black_box(frame3)).ok());
        }
        "args" => {
            let e = parse_error_bytes(black_box(reply));
            black_box(e.args().len());
        }
        "std_lossy" => {
            black_box(String::from_utf8_lossy(black_box(reply)).into_owned());
        }
        other => panic!("unknown function {other:?}"),
    }
}

fn main() {
    let mut argv = std::env::args().skip(1);
    let (Some(case), Some(n)) = (argv.next(), argv.next()) else {
        eprintln!("usage: call_loop CASE N");
        std::process::exit(2)
    };
    let n: usize = n.parse().expect("N is a number");
    let parts: Vec<&str> = case.split(':').collect();
    let replies: Vec<Vec<u8>> = match parts.as_slice() {
        ["corpus", _] => load_corpus()
            .returned
            .into_iter()
            .map(String::into_bytes)
            .collect(),
        ["moved", _] => vec![b"MOVED 3999 127.0.0.1:6381".to_vec()],
        [shape, _, size] => {
            let shape = SHAPES
                .iter()
                .find(|s| s.name == *shape)
                .expect("a shape of tests/common/shapes.rs");
            vec![(shape.build)(size.parse().expect("size is a number"))]
        }
        _ => panic!("unknown case {case:?}"),
    };
    let f = parts[1];
    let frames: Vec<(Vec<u8>, Vec<u8>)> = replies
        .iter()
        .map(|r| (resp2_frame(r), resp3_frame(r)))
        .collect();
    for _ in 0..n {
        for (reply, (frame, frame3)) in replies.iter().zip(&frames) {
            call(f, reply, frame, frame3);
        }
    }
}
