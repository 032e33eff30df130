//! Shared inputs of the benchmarks in `benches/`: the public corpus and the
//! length sweep's shapes (the same table `tests/alloc.rs` checks memory on).
//!
//! ```sh
//! cargo bench -p redis-exceptions-bench --bench hierarchy
//! cargo bench -p redis-exceptions-bench --bench sweep
//! ```
//!
//! `scripts/bench/bench_vs_python.sh` and `scripts/bench/bench_sweep.sh` run
//! them next to redis-py and print the tables of `bench/README.md`.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

#[path = "../../tests/common/shapes.rs"]
pub mod shapes;

/// The public corpus of server replies, split by what redis-py's
/// `parse_error` does with them.
pub struct Corpus {
    /// Replies redis-py's `parse_error` returns an exception for (127).
    pub returned: Vec<String>,
    /// Replies redis-py's `parse_error` raises `ValueError` on (6).
    pub raised: Vec<String>,
}

/// Reads `tests/fixtures/public_corpus.json` of the main crate.
pub fn load_corpus() -> Corpus {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/fixtures/public_corpus.json"
    );
    let text = std::fs::read_to_string(path).expect("read public_corpus.json");
    let json: serde_json::Value = serde_json::from_str(&text).expect("parse public_corpus.json");
    let mut corpus = Corpus {
        returned: Vec::new(),
        raised: Vec::new(),
    };
    for case in json["cases"].as_array().expect("cases") {
        let input = case["input"].as_str().expect("input").to_owned();
        match case["outcome"].as_str() {
            Some("returned") => corpus.returned.push(input),
            Some("raised") => corpus.raised.push(input),
            other => panic!("unexpected outcome {other:?}"),
        }
    }
    assert_eq!(
        corpus.returned.len(),
        127,
        "redis-py's figure is over 127 replies"
    );
    assert_eq!(corpus.raised.len(), 6);
    corpus
}
