//! README.md and the crate docs (`src/lib.rs`, the docs.rs front page) are
//! the same guide: README's examples are the crate docs' (which run as
//! doctests), the porting table and the feature table are the same rows, the
//! feature table names every feature of Cargo.toml, and every file a page
//! links to exists.

use std::fs;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(rel: &str) -> String {
    fs::read_to_string(root().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// The crate-level docs of `src/lib.rs` as Markdown (its leading `//!` lines).
fn crate_docs() -> String {
    let lib = read("src/lib.rs");
    let mut out = String::new();
    for line in lib.lines().take_while(|l| l.starts_with("//!")) {
        let text = line.strip_prefix("//!").unwrap_or(line);
        out.push_str(text.strip_prefix(' ').unwrap_or(text));
        out.push('\n');
    }
    assert!(out.len() > 1000, "src/lib.rs has no crate docs");
    out
}

/// The ```rust blocks of a page, in order. In the crate docs, rustdoc's
/// hidden lines (`# ...`) are left out: README shows none.
fn rust_blocks(page: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in page.lines() {
        match current.as_mut() {
            None if line.trim_end() == "```rust" => current = Some(String::new()),
            None => {}
            Some(_) if line.trim_end() == "```" => blocks.push(current.take().unwrap()),
            Some(_) if line == "#" || line.starts_with("# ") => {}
            Some(block) => {
                block.push_str(line);
                block.push('\n');
            }
        }
    }
    assert!(current.is_none(), "a ```rust block is not closed");
    blocks
}

/// Links as plain text: `[text](target)` and `[text]` give `text`.
fn unlinked(cell: &str) -> String {
    let mut out = String::new();
    let mut rest = cell;
    while let Some(open) = rest.find('[') {
        let Some(close) = rest[open..].find(']').map(|c| open + c) else {
            break;
        };
        out.push_str(&rest[..open]);
        out.push_str(&rest[open + 1..close]);
        rest = &rest[close + 1..];
        if rest.starts_with('(') {
            if let Some(end) = rest.find(')') {
                rest = &rest[end + 1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The rows (cells, links as text) of the table whose header row is `header`.
fn table(page: &str, header: &str, what: &str) -> Vec<Vec<String>> {
    let mut lines = page.lines().skip_while(|l| l.trim_end() != header);
    assert!(lines.next().is_some(), "{what}: no table headed {header:?}");
    assert!(lines.next().is_some_and(|l| l.starts_with("|---")));
    let rows: Vec<Vec<String>> = lines
        .take_while(|l| l.starts_with('|'))
        .map(|l| {
            l.trim_matches('|')
                .split(" | ")
                .map(|c| unlinked(c.trim()))
                .collect()
        })
        .collect();
    assert!(rows.len() > 3, "{what}: table headed {header:?} is short");
    rows
}

#[test]
fn readme_examples_are_the_crate_docs_examples() {
    let readme = rust_blocks(&read("README.md"));
    let docs = rust_blocks(&crate_docs());
    assert!(readme.len() >= 5, "README.md: {} rust blocks", readme.len());
    // In the same order; the crate docs may show more (feature-gated ones).
    let mut at = 0;
    for block in &readme {
        match docs[at..].iter().position(|d| d == block) {
            Some(i) => at += i + 1,
            None => panic!(
                "README.md's example is not in src/lib.rs's crate docs (or not in the same \
                 order); keep them the same:\n{block}"
            ),
        }
    }
}

#[test]
fn the_porting_tables_are_the_same() {
    let header = "| Python | Rust |";
    assert_eq!(
        table(&read("README.md"), header, "README.md"),
        table(&crate_docs(), header, "src/lib.rs"),
        "README.md's and the crate docs' porting tables differ"
    );
}

#[test]
fn the_feature_tables_are_the_same_and_name_every_feature() {
    let header = "| feature | what it adds | details |";
    // The feature and what it adds; the details column links to a file in
    // README and to a page of the docs on docs.rs.
    let two = |rows: Vec<Vec<String>>| -> Vec<Vec<String>> {
        rows.into_iter().map(|r| r[..2].to_vec()).collect()
    };
    let readme = two(table(&read("README.md"), header, "README.md"));
    assert_eq!(
        readme,
        two(table(&crate_docs(), header, "src/lib.rs")),
        "README.md's and the crate docs' feature tables differ"
    );

    let manifest = read("Cargo.toml");
    let features: Vec<String> = manifest
        .lines()
        .skip_while(|l| l.trim() != "[features]")
        .skip(1)
        .take_while(|l| !l.starts_with('['))
        .filter_map(|l| l.split_once(" = ").map(|(name, _)| name.trim()))
        .filter(|name| !name.starts_with('#') && *name != "default")
        .map(|name| format!("`{name}`"))
        .collect();
    assert!(features.len() >= 5, "Cargo.toml: features {features:?}");
    let mut features = features;
    features.sort();
    let mut named: Vec<String> = readme.iter().map(|r| r[0].clone()).collect();
    named.sort();
    assert_eq!(
        named, features,
        "the feature table vs Cargo.toml's [features]"
    );
}

/// Every relative link of the Markdown pages points to a file that exists.
#[test]
fn relative_links_resolve() {
    let mut pages = vec![PathBuf::from("README.md")];
    for entry in fs::read_dir(root().join("docs")).expect("docs/") {
        let path = entry.expect("docs/ entry").path();
        if path.extension().is_some_and(|e| e == "md") {
            pages.push(path.strip_prefix(root()).unwrap().to_owned());
        }
    }
    let mut checked = 0;
    for page in &pages {
        let text = read(page.to_str().unwrap());
        let dir = page.parent().unwrap_or(Path::new(""));
        for (at, _) in text.match_indices("](") {
            let target = &text[at + 2..];
            let target = &target[..target.find(')').expect("unclosed link")];
            let file = target.split('#').next().unwrap();
            if file.is_empty() || file.contains("://") {
                continue;
            }
            assert!(
                root().join(dir).join(file).exists(),
                "{}: link to {target:?}, which does not exist",
                page.display()
            );
            checked += 1;
        }
    }
    assert!(checked >= 5, "only {checked} relative links found");
    assert!(read("README.md").contains("(docs/differences.md)"));
    assert!(crate_docs().contains("[`docs::differences`]"));
}
