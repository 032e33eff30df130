//! Round-trips a JSON list of errors through the `serde` feature.
//!
//! ```sh
//! cargo run --features serde --example serde_roundtrip -- IN OUT
//! ```
//!
//! Reads a JSON list from `IN` (e.g. the output of
//! `python python/redis_exceptions_json.py dump-all`), deserializes every
//! item into a `redis_exceptions::Error`, serializes it back and writes the
//! list to `OUT`. `scripts/conformance/serde_roundtrip.sh` runs the whole loop with
//! redis-py on both ends.

use std::process::ExitCode;

use anyhow::{bail, Context};
use redis_exceptions::Error;

fn run() -> anyhow::Result<usize> {
    let mut paths = std::env::args_os().skip(1);
    let (Some(input), Some(output), None) = (paths.next(), paths.next(), paths.next()) else {
        bail!("usage: serde_roundtrip IN OUT");
    };
    let text = std::fs::read_to_string(&input)
        .with_context(|| format!("reading {}", input.to_string_lossy()))?;
    let items: Vec<serde_json::Value> =
        serde_json::from_str(&text).context("IN must hold a JSON list")?;
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.into_iter().enumerate() {
        let label = item
            .get("class")
            .and_then(serde_json::Value::as_str)
            .unwrap_or("?")
            .to_owned();
        let error: Error = serde_json::from_value(item)
            .with_context(|| format!("item #{i} ({label}) does not deserialize"))?;
        out.push(serde_json::to_value(&error)?);
    }
    let mut json = serde_json::to_string_pretty(&out)?;
    json.push('\n');
    std::fs::write(&output, json)
        .with_context(|| format!("writing {}", output.to_string_lossy()))?;
    Ok(out.len())
}

fn main() -> ExitCode {
    match run() {
        Ok(n) => {
            println!("{n} errors round-tripped");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("serde_roundtrip: {e:#}");
            ExitCode::FAILURE
        }
    }
}
