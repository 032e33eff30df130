//! Reads `src/class/releases.txt`, the one table of the releases this
//! crate covers, and writes `$OUT_DIR/releases.rs`: the `RedisPy` and
//! `ValkeyPy` constants, the reference, each release's pinned patch
//! version and the releases since which each parser fact holds. A
//! malformed table stops the build with the line it could not read.

use std::env;
use std::fmt::Write as _;
use std::fs;
use std::path::PathBuf;

const TABLE: &str = "src/class/releases.txt";

/// The values of a column that changes once, oldest to newest.
const PARSE_ERROR: [&str; 3] = ["plain", "status", "status-word"];
const INITS: [&str; 2] = ["plain", "status"];
const CLUSTER: [&str; 2] = ["cluster", "base"];

struct Row {
    line: usize,
    client: String,
    major: u8,
    minor: u8,
    pinned: String,
    parse_error: usize,
    inits: usize,
    cluster: usize,
    fork: Option<(u8, u8)>,
    uses: Vec<String>,
}

fn fail(line: usize, what: &str) -> ! {
    panic!("{TABLE}:{line}: {what}")
}

fn major_minor(line: usize, text: &str) -> (u8, u8) {
    let parts: Vec<&str> = text.split('.').collect();
    let number = |p: &str| -> u8 {
        if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) {
            fail(line, &format!("{text:?} is not MAJOR.MINOR"));
        }
        p.parse()
            .unwrap_or_else(|_| fail(line, &format!("{text:?}: a number above 255")))
    };
    match parts.as_slice() {
        [major, minor] => (number(major), number(minor)),
        _ => fail(line, &format!("{text:?} is not MAJOR.MINOR")),
    }
}

fn column(line: usize, name: &str, values: &[&str], text: &str) -> usize {
    values.iter().position(|v| *v == text).unwrap_or_else(|| {
        fail(
            line,
            &format!("{name} is {text:?}, not one of {}", values.join(", ")),
        )
    })
}

fn read(text: &str) -> Vec<Row> {
    let mut rows = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        let raw = raw.trim();
        if raw.is_empty() || raw.starts_with('#') {
            continue;
        }
        let f: Vec<&str> = raw.split_whitespace().collect();
        if f.len() != 8 {
            fail(line, &format!("{} columns, not 8", f.len()));
        }
        let (major, minor) = major_minor(line, f[1]);
        let pin_ok = f[2]
            .strip_prefix(&format!("{}.", f[1]))
            .is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
        if !pin_ok {
            fail(line, &format!("pinned {:?} is not {}.PATCH", f[2], f[1]));
        }
        let uses = match f[7] {
            "-" => Vec::new(),
            u => u.split(',').map(str::to_owned).collect(),
        };
        for u in &uses {
            if !["reference", "package", "suite", "reactions"].contains(&u.as_str()) {
                fail(line, &format!("unknown use {u:?}"));
            }
        }
        let row = match f[0] {
            "redis-py" => {
                if f[6] != "-" {
                    fail(line, "a redis-py row has no fork");
                }
                Row {
                    line,
                    client: f[0].to_owned(),
                    major,
                    minor,
                    pinned: f[2].to_owned(),
                    parse_error: column(line, "parse_error", &PARSE_ERROR, f[3]),
                    inits: column(line, "inits", &INITS, f[4]),
                    cluster: column(line, "cluster", &CLUSTER, f[5]),
                    fork: None,
                    uses,
                }
            }
            "valkey-py" => {
                if f[3..6] != ["-", "-", "-"] {
                    fail(
                        line,
                        "a valkey-py row takes its parser columns from its fork: write -",
                    );
                }
                if uses.iter().any(|u| u == "reference") {
                    fail(line, "the reference is a redis-py release");
                }
                Row {
                    line,
                    client: f[0].to_owned(),
                    major,
                    minor,
                    pinned: f[2].to_owned(),
                    parse_error: 0,
                    inits: 0,
                    cluster: 0,
                    fork: Some(major_minor(line, f[6])),
                    uses,
                }
            }
            other => fail(line, &format!("unknown client {other:?}")),
        };
        rows.push(row);
    }
    rows
}

/// The first release whose column value is `value`, after checking that
/// the column never goes back.
fn since(redis: &[&Row], name: &str, get: impl Fn(&Row) -> usize, value: usize) -> String {
    for w in redis.windows(2) {
        if get(w[1]) < get(w[0]) {
            fail(w[1].line, &format!("{name} goes back to an older value"));
        }
    }
    match redis.iter().find(|r| get(r) >= value) {
        Some(r) => format!("RedisPy::V{}_{}", r.major, r.minor),
        None => panic!("{TABLE}: no release has {name} at its newest value"),
    }
}

fn main() {
    println!("cargo:rerun-if-changed={TABLE}");
    println!("cargo:rerun-if-changed=build.rs");
    let root = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let text = fs::read_to_string(root.join(TABLE))
        .unwrap_or_else(|e| panic!("{TABLE}: cannot read it: {e}"));
    let rows = read(&text);
    let redis: Vec<&Row> = rows.iter().filter(|r| r.client == "redis-py").collect();
    let valkey: Vec<&Row> = rows.iter().filter(|r| r.client == "valkey-py").collect();
    if redis.is_empty() || valkey.is_empty() {
        panic!("{TABLE}: needs a redis-py row and a valkey-py row");
    }
    for w in redis.windows(2).chain(valkey.windows(2)) {
        if (w[1].major, w[1].minor) <= (w[0].major, w[0].minor) {
            fail(w[1].line, "releases go oldest to newest, each once");
        }
    }
    let reference: Vec<&&Row> = redis
        .iter()
        .filter(|r| r.uses.iter().any(|u| u == "reference"))
        .collect();
    let [reference] = reference.as_slice() else {
        panic!("{TABLE}: exactly one redis-py row has the use `reference`");
    };

    let mut out = String::from("// Generated by build.rs from src/class/releases.txt.\n");
    out.push_str("releases! {\n");
    for r in &redis {
        let _ = writeln!(
            out,
            "    V{0}_{1} = {0}, {1}, {2:?};",
            r.major, r.minor, r.pinned
        );
    }
    out.push_str("}\n\nvalkey_releases! {\n");
    for r in &valkey {
        let (fm, fn_) = r.fork.expect("a valkey-py row has a fork");
        if !redis.iter().any(|x| (x.major, x.minor) == (fm, fn_)) {
            fail(r.line, &format!("fork {fm}.{fn_} is not a redis-py row"));
        }
        let _ = writeln!(
            out,
            "    V{0}_{1} = {0}, {1}, {2:?}, RedisPy::V{3}_{4};",
            r.major, r.minor, r.pinned, fm, fn_
        );
    }
    let (oldest, latest) = (redis[0], redis[redis.len() - 1]);
    let _ = write!(
        out,
        "}}\n\nimpl RedisPy {{\n    \
         /// The oldest release covered.\n    \
         pub const OLDEST: RedisPy = RedisPy::V{}_{};\n\n    \
         /// The newest release covered.\n    \
         pub const LATEST: RedisPy = RedisPy::V{}_{};\n\n    \
         /// The reference release: what the crate's own API\n    \
         /// ([`parse_error`](crate::parse_error), [`Parser::REFERENCE`](crate::Parser::REFERENCE))\n    \
         /// follows, and the release the fixtures of `tests/fixtures/*.json` come from.\n    \
         pub const REFERENCE: RedisPy = RedisPy::V{}_{};\n}}\n\n",
        oldest.major, oldest.minor, latest.major, latest.minor, reference.major, reference.minor
    );
    let facts = [
        (
            "STATUS_PARSE_SINCE",
            "The first release whose `parse_error` passes `status_code=code`.",
            since(&redis, "parse_error", |r| r.parse_error, 1),
        ),
        (
            "STATUS_WORD_SINCE",
            "The first release whose `parse_error` keeps an unknown status word as `status_code`.",
            since(&redis, "parse_error", |r| r.parse_error, 2),
        ),
        (
            "STATUS_INIT_SINCE",
            "The first release whose `__init__`s take `status_code=` (and set `error_type`).",
            since(&redis, "inits", |r| r.inits, 1),
        ),
        (
            "CLUSTER_CODES_IN_BASE_SINCE",
            "The first release whose base parser has the cluster codes.",
            since(&redis, "cluster", |r| r.cluster, 1),
        ),
    ];
    for (name, doc, value) in facts {
        let _ = writeln!(
            out,
            "#[allow(dead_code)]\n#[doc = {doc:?}]\npub(crate) const {name}: RedisPy = {value};"
        );
    }
    let out_dir = PathBuf::from(env::var_os("OUT_DIR").expect("OUT_DIR"));
    fs::write(out_dir.join("releases.rs"), out).expect("write $OUT_DIR/releases.rs");
}
