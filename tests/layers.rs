//! The crate's floors go one way: each module of `src/` may name modules of
//! its own layer or below, never one above. This test reads the sources,
//! finds every `crate::` path (doc comments and comments skipped), resolves
//! it to a module (through `lib.rs`'s re-exports for root-level names) and
//! fails on any upward reference or on a module missing from the table.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

/// The layers, bottom first. A new module must be placed here.
const LAYERS: &[(&str, &[&str])] = &[
    (
        "Python values",
        &["py", "py_error", "unicode_tables", "scan"],
    ),
    ("class metadata", &["hierarchy", "class"]),
    ("instance state", &["state", "redirect"]),
    (
        "erased error, traits, class structs",
        &[
            "traits", "error", "classes", "declare", "context", "chain", "except", "io",
        ],
    ),
    ("parsing and calling", &["call", "reply"]),
    (
        "integrations",
        &["anyhow_impl", "fred", "redis_rs", "serde_impl", "python"],
    ),
];

fn layer_of(module: &str) -> Option<usize> {
    if module == "lib" {
        return Some(LAYERS.len());
    }
    LAYERS.iter().position(|(_, mods)| mods.contains(&module))
}

fn layer_name(layer: usize) -> &'static str {
    LAYERS.get(layer).map_or("the crate root", |(name, _)| name)
}

fn src() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// The source without comments: `//` to the end of the line (doc comments
/// included) and `/* ... */`; string literals are kept as they are.
fn strip_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    let mut in_str = false;
    while let Some(c) = chars.next() {
        if in_str {
            out.push(c);
            if c == '\\' {
                if let Some(n) = chars.next() {
                    out.push(n);
                }
            } else if c == '"' {
                in_str = false;
            }
            continue;
        }
        match (c, chars.peek()) {
            ('\'', Some(&n)) => {
                // A char literal (`'"'`, `'\''`) is copied whole; a lifetime
                // is only its quote.
                out.push(c);
                let mut ahead = chars.clone();
                let lit = if n == '\\' {
                    ahead.next();
                    ahead.next();
                    ahead.position(|x| x == '\'').map(|p| p + 3)
                } else {
                    ahead.nth(1).filter(|&x| x == '\'').map(|_| 2)
                };
                for _ in 0..lit.unwrap_or(0) {
                    if let Some(x) = chars.next() {
                        out.push(x);
                    }
                }
            }
            ('"', _) => {
                in_str = true;
                out.push(c);
            }
            ('/', Some('/')) => {
                for n in chars.by_ref() {
                    if n == '\n' {
                        out.push('\n');
                        break;
                    }
                }
            }
            ('/', Some('*')) => {
                let mut prev = ' ';
                for n in chars.by_ref() {
                    if prev == '*' && n == '/' {
                        break;
                    }
                    prev = n;
                }
            }
            _ => out.push(c),
        }
    }
    out
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

fn ident_at(text: &str) -> &str {
    let end = text.find(|c| !is_ident(c)).unwrap_or(text.len());
    &text[..end]
}

/// Every path after `crate::` (also `$crate::`), as the list of first
/// segments it names: `crate::{a, b::c}` gives `a` and `b`, and
/// `crate::__private::X` gives `__private::X`.
fn crate_paths(code: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = code;
    while let Some(i) = rest.find("crate::") {
        let before = rest[..i].chars().next_back();
        rest = &rest[i + "crate::".len()..];
        if before.is_some_and(is_ident) {
            continue;
        }
        let trimmed = rest.trim_start();
        if let Some(group) = trimmed.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            for part in group[..end].split(',') {
                let name = ident_at(part.trim());
                if !name.is_empty() {
                    out.push(name.to_owned());
                }
            }
            continue;
        }
        let name = ident_at(trimmed);
        if name == "__private" {
            let after = trimmed[name.len()..].trim_start_matches("::");
            out.push(format!("__private::{}", ident_at(after)));
        } else if !name.is_empty() {
            out.push(name.to_owned());
        }
    }
    out
}

/// Root-level names and where they come from, read from `lib.rs`:
/// `pub use module::{A, B}` and, inside `__private`, `pub use crate::module::X`.
/// A glob (`pub use classes::*`) is recorded under `*`.
fn reexports(lib: &str) -> BTreeMap<String, String> {
    let mut map = BTreeMap::new();
    let code = strip_comments(lib);
    let mut in_private = false;
    for stmt in code.split(';') {
        let stmt = stmt.trim();
        if stmt.contains("pub mod __private") {
            in_private = true;
        }
        let Some(use_at) = stmt.find("pub use ") else {
            continue;
        };
        let path = stmt[use_at + "pub use ".len()..].trim();
        let path = path.strip_prefix("crate::").unwrap_or(path);
        let module = ident_at(path).to_owned();
        if module.is_empty() {
            // `pub use crate::{...}` re-exports what is already mapped.
            continue;
        }
        let tail = path[module.len()..].trim_start_matches("::").trim();
        let prefix = if in_private { "__private::" } else { "" };
        let names: Vec<&str> = match tail.strip_prefix('{') {
            Some(group) => group.trim_end_matches('}').split(',').collect(),
            None if tail.is_empty() => vec![module.as_str()],
            None => vec![tail],
        };
        for name in names {
            let name = name.trim();
            let name = name.rsplit("::").next().unwrap_or(name);
            if !name.is_empty() {
                map.entry(format!("{prefix}{name}"))
                    .or_insert_with(|| module.clone());
            }
        }
    }
    map
}

/// The module a path's first segment refers to, `None` for what lies
/// outside the layers (a macro variable such as `$name`, or `snafu`).
fn resolve(name: &str, reexports: &BTreeMap<String, String>) -> Option<String> {
    if layer_of(name).is_some() {
        return Some(name.to_owned());
    }
    if let Some(module) = reexports.get(name) {
        return Some(module.clone());
    }
    // What `lib.rs` defines itself (`prelude`, an item of `__private`) is the top.
    if name.starts_with("__private::") || name == "prelude" {
        return Some("lib".to_owned());
    }
    // A class struct, re-exported by the glob `pub use classes::*`.
    if name.starts_with(|c: char| c.is_ascii_uppercase()) && reexports.get("*").is_some() {
        return reexports.get("*").cloned();
    }
    None
}

#[test]
fn imports_only_go_down() {
    let lib = fs::read_to_string(src().join("lib.rs")).expect("src/lib.rs");
    let reexports = reexports(&lib);
    assert!(
        reexports.contains_key("Error"),
        "lib.rs re-exports were not read"
    );
    let mut files: Vec<_> = fs::read_dir(src())
        .expect("src/")
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "rs"))
        .collect();
    files.sort();
    let mut problems = Vec::new();
    let mut seen = 0;
    for path in files {
        let module = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default();
        if module == "lib" {
            continue;
        }
        let Some(own) = layer_of(module).filter(|&l| l < LAYERS.len()) else {
            problems.push(format!("src/{module}.rs is in no layer of tests/layers.rs"));
            continue;
        };
        seen += 1;
        let code = strip_comments(&fs::read_to_string(&path).expect("a source file"));
        for name in crate_paths(&code) {
            let Some(target) = resolve(&name, &reexports) else {
                continue;
            };
            let Some(theirs) = layer_of(&target) else {
                continue;
            };
            if theirs > own {
                problems.push(format!(
                    "src/{module}.rs ({}) names `crate::{name}` in src/{target}.rs ({})",
                    layer_name(own),
                    layer_name(theirs)
                ));
            }
        }
    }
    let listed: usize = LAYERS.iter().map(|(_, m)| m.len()).sum();
    assert_eq!(seen, listed, "a module of the table has no file in src/");
    problems.sort();
    problems.dedup();
    assert!(
        problems.is_empty(),
        "upward references:\n{}",
        problems.join("\n")
    );
}

#[test]
fn the_scanner_sees_what_it_must() {
    let code = strip_comments(
        "/// crate::doc\nuse crate::{a, b::c};\n// crate::gone\nfn f() { $crate::__private::State; crate::x::y; \"crate::\"; }",
    );
    assert_eq!(
        crate_paths(&code),
        ["a", "b", "__private::State", "x"],
        "from {code:?}"
    );
    let map = reexports("pub use a::{B, C};\npub mod __private { pub use crate::d::E; }");
    assert_eq!(map.get("B").map(String::as_str), Some("a"));
    assert_eq!(map.get("__private::E").map(String::as_str), Some("d"));
}
