//! Writes the sweep's replies to a directory, for redis-py's side of
//! `scripts/bench/bench_sweep.sh`: `<shape>_<size>.bin` for every shape and size,
//! and `shapes.json` describing them.
//!
//! ```sh
//! cargo run -p redis-exceptions-bench --bin sweep_inputs -- DIR
//! ```

use std::path::PathBuf;

use redis_exceptions_bench::shapes::{SHAPES, SIZES};

fn main() -> std::io::Result<()> {
    let dir = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| {
        eprintln!("usage: sweep_inputs DIR");
        std::process::exit(2)
    }));
    std::fs::create_dir_all(&dir)?;
    let mut shapes = Vec::new();
    for shape in SHAPES {
        for size in SIZES {
            std::fs::write(
                dir.join(format!("{}_{size}.bin", shape.name)),
                (shape.build)(size),
            )?;
        }
        shapes.push(serde_json::json!({
            "name": shape.name,
            "what": shape.what,
            "utf8": shape.utf8,
            "ascii": shape.ascii,
        }));
    }
    let meta = serde_json::json!({ "sizes": SIZES, "shapes": shapes });
    std::fs::write(dir.join("shapes.json"), format!("{meta:#}\n"))?;
    Ok(())
}
