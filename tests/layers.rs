//! The crate's floors go one way. `src/` holds `lib.rs` and one folder per
//! layer; a file may name its own layer's files and lower layers, never a
//! higher one, and the files' imports form no circle. This test reads the
//! sources, finds every `crate::` and `super::` path (comments skipped),
//! resolves it to a file (root-level names through `lib.rs`'s re-exports,
//! an exported macro, `$crate::name!`, to the file whose `macro_rules!`
//! defines it)
//! and fails on an upward reference, a circle, a file outside the layers'
//! folders, or a folder that is no layer.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

/// The layers, bottom first: each is a folder of `src/`.
const LAYERS: &[(&str, &str)] = &[
    ("pyrt", "CPython's rules"),
    ("class", "class metadata"),
    ("instance", "instance state"),
    ("error", "exception types"),
    ("parse", "parsing and calling"),
    ("integrations", "integrations"),
];

fn layer_of(folder: &str) -> Option<usize> {
    LAYERS.iter().position(|(f, _)| *f == folder)
}

fn layer_name(layer: usize) -> &'static str {
    LAYERS.get(layer).map_or("the crate root", |(_, name)| name)
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

/// Every path after `crate::` (also `$crate::`) and `super::`, as its
/// segments up to the first that is not a lower-case name: `crate::{a, b::c}`
/// gives `a` and `b::c`, `crate::x::y::Z` gives `x::y`, `super::f::g` gives
/// `super::f`. `crate::__private::X` gives `__private::X`.
fn crate_paths(code: &str) -> Vec<String> {
    let mut out = Vec::new();
    for root in ["crate::", "super::"] {
        let mut rest = code;
        while let Some(i) = rest.find(root) {
            let before = rest[..i].chars().next_back();
            rest = &rest[i + root.len()..];
            if before.is_some_and(|c| is_ident(c) || c == ':') {
                continue;
            }
            let prefix = if root == "super::" { "super::" } else { "" };
            let trimmed = rest.trim_start();
            if let Some(group) = trimmed.strip_prefix('{') {
                let end = group.find('}').unwrap_or(group.len());
                for part in group[..end].split(',') {
                    let path = module_path(part.trim());
                    if !path.is_empty() {
                        out.push(format!("{prefix}{path}"));
                    }
                }
                continue;
            }
            let name = ident_at(trimmed);
            if name == "__private" {
                let after = trimmed[name.len()..].trim_start_matches("::");
                out.push(format!("__private::{}", ident_at(after)));
            } else if !name.is_empty() {
                // `super::Item` and `super::*` come from inline modules
                // (`mod tests`) to their own file: not an import.
                if root == "super::" && !name.starts_with(|c: char| c.is_ascii_lowercase()) {
                    continue;
                }
                out.push(format!("{prefix}{}", module_path(trimmed)));
            }
        }
    }
    out
}

/// The leading segments of a path that name modules (lower-case), or the
/// first segment when it names an item (`Error`).
fn module_path(path: &str) -> String {
    let mut segments = Vec::new();
    let mut rest = path;
    loop {
        let name = ident_at(rest);
        if name.is_empty() || name == "self" {
            break;
        }
        let is_module = name.starts_with(|c: char| c.is_ascii_lowercase() || c == '_');
        if !is_module {
            if segments.is_empty() {
                segments.push(name);
            }
            break;
        }
        segments.push(name);
        match rest[name.len()..].strip_prefix("::") {
            Some(next) if !next.starts_with('{') => rest = next,
            _ => break,
        }
    }
    segments.join("::")
}

/// Root-level names and the module path they come from, read from
/// `lib.rs`: `pub use a::b::{C, D}` maps `C` and `D` to `a::b`; inside
/// `__private`, `pub use crate::a::b::X` maps `__private::X` to `a::b`. A
/// glob (`pub use a::b::*`) is recorded under `*`.
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
        let (module, tail) = match path.rfind("::") {
            Some(at) => (&path[..at], path[at + 2..].trim()),
            None => continue,
        };
        let (module, tail) = match module.find("::{") {
            Some(at) => (&module[..at], &path[at + 2..]),
            None => (module, tail),
        };
        let prefix = if in_private { "__private::" } else { "" };
        let names: Vec<&str> = match tail.strip_prefix('{') {
            Some(group) => group.trim_end_matches('}').split(',').collect(),
            None => vec![tail],
        };
        for name in names {
            let name = name.trim();
            let name = name.rsplit("::").next().unwrap_or(name);
            if !name.is_empty() {
                map.entry(format!("{prefix}{name}"))
                    .or_insert_with(|| module.to_owned());
            }
        }
    }
    map
}

/// A source file of `src/` as its module path (`error/erased.rs` is
/// `error::erased`, `error/mod.rs` is `error`).
fn module_of(path: &Path) -> String {
    let rel = path.strip_prefix(src()).expect("under src/");
    let mut parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_owned())
        .collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    parts.join("::")
}

/// The files of `src/`, as module paths.
fn modules() -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut dirs = vec![src()];
    while let Some(dir) = dirs.pop() {
        for entry in fs::read_dir(&dir).expect("a folder of src/") {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|x| x == "rs") {
                out.insert(module_of(&path));
            }
        }
    }
    out
}

/// The file a path names, from the file `from`: the longest prefix of the
/// path that is a file of `src/`; root names through the re-exports.
/// `None` for what lies outside (a macro variable, `snafu`, an item of
/// `lib.rs`).
fn resolve(
    from: &str,
    path: &str,
    modules: &BTreeSet<String>,
    reexports: &BTreeMap<String, String>,
) -> Option<String> {
    let path = if let Some(rest) = path.strip_prefix("super::") {
        let parent = from.rsplit_once("::").map_or("", |(p, _)| p);
        // `super` of a folder's `mod.rs` is the root; of a file, its folder.
        let base = if modules.contains(&format!("{from}::x")) || !from.contains("::") {
            ""
        } else {
            parent
        };
        if base.is_empty() {
            rest.to_owned()
        } else {
            format!("{base}::{rest}")
        }
    } else {
        path.to_owned()
    };
    let first = path.split("::").next().unwrap_or_default();
    let path = if layer_of(first).is_some() {
        path
    } else if let Some(module) = reexports.get(&path) {
        module.clone()
    } else if path.starts_with(|c: char| c.is_ascii_uppercase()) && reexports.contains_key("*") {
        reexports["*"].clone()
    } else {
        return None;
    };
    let mut candidate = path.as_str();
    loop {
        if modules.contains(candidate) {
            return Some(candidate.to_owned());
        }
        candidate = candidate.rsplit_once("::")?.0;
    }
}

/// Every macro a path names, `crate::name!` or `$crate::name!` (exported
/// macros live at the crate root, wherever they are defined).
fn macro_refs(code: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = code;
    while let Some(i) = rest.find("crate::") {
        let before = rest[..i].chars().next_back();
        rest = &rest[i + "crate::".len()..];
        if before.is_some_and(|c| is_ident(c) || c == ':') {
            continue;
        }
        let name = ident_at(rest);
        if !name.is_empty() && rest[name.len()..].starts_with('!') {
            out.push(name.to_owned());
        }
    }
    out
}

/// The macros a file defines (`macro_rules! name`).
fn macro_defs(code: &str) -> Vec<String> {
    code.split("macro_rules!")
        .skip(1)
        .map(|rest| ident_at(rest.trim_start()).to_owned())
        .filter(|name| !name.is_empty())
        .collect()
}

/// The source of a file of `src/`, given as its module path, without comments.
fn source_of(module: &str) -> String {
    let file = src().join(format!("{}.rs", module.replace("::", "/")));
    let file = if file.exists() {
        file
    } else {
        src().join(module.replace("::", "/")).join("mod.rs")
    };
    strip_comments(&fs::read_to_string(&file).expect("a source file"))
}

/// Every file's references to other files.
fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let lib = fs::read_to_string(src().join("lib.rs")).expect("src/lib.rs");
    let reexports = reexports(&lib);
    assert!(
        reexports.contains_key("Error"),
        "lib.rs re-exports were not read"
    );
    let modules = modules();
    let sources: BTreeMap<&String, String> = modules
        .iter()
        .filter(|m| *m != "lib")
        .map(|m| (m, source_of(m)))
        .collect();
    // A macro may be defined in two files (one per `cfg`): both are named.
    let mut macros: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (module, code) in &sources {
        for name in macro_defs(code) {
            macros.entry(name).or_default().insert((*module).clone());
        }
    }
    let mut out = BTreeMap::new();
    for (module, code) in &sources {
        let mut targets: BTreeSet<String> = crate_paths(code)
            .iter()
            .filter_map(|p| resolve(module, p, &modules, &reexports))
            .collect();
        for name in macro_refs(code) {
            targets.extend(macros.get(&name).into_iter().flatten().cloned());
        }
        targets.remove(*module);
        out.insert((*module).clone(), targets);
    }
    out
}

fn layer_of_module(module: &str) -> Option<usize> {
    layer_of(module.split("::").next().unwrap_or_default())
}

#[test]
fn every_file_is_in_a_layer_folder() {
    let mut problems = Vec::new();
    for module in modules() {
        // `lib`, a layer's `mod.rs` (`folder`) or a file inside a layer folder.
        if module != "lib" && layer_of_module(&module).is_none() {
            problems.push(format!(
                "src/{module} is in no layer folder of tests/layers.rs"
            ));
        }
    }
    for (folder, _) in LAYERS {
        if !src().join(folder).join("mod.rs").exists() {
            problems.push(format!(
                "layer folder src/{folder}/ (with a mod.rs) is missing"
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn imports_only_go_down() {
    let mut problems = Vec::new();
    for (module, targets) in graph() {
        let own = layer_of_module(&module).expect("every file is in a layer");
        for target in targets {
            let Some(theirs) = layer_of_module(&target) else {
                continue;
            };
            if theirs > own {
                problems.push(format!(
                    "src/{module} ({}) names src/{target} ({})",
                    layer_name(own),
                    layer_name(theirs)
                ));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "upward references:\n{}",
        problems.join("\n")
    );
}

/// A folder's `mod.rs` declares and may re-export its files: those edges
/// are structure, not imports, and are left out of the circle search.
#[test]
fn imports_form_no_circle() {
    let graph = graph();
    let edges = |m: &String| -> Vec<String> {
        graph[m]
            .iter()
            .filter(|t| !t.starts_with(&format!("{m}::")))
            .filter(|t| graph.contains_key(*t))
            .cloned()
            .collect()
    };
    // Depth-first search with colours; a grey target closes a circle.
    let mut colour: BTreeMap<String, u8> = BTreeMap::new();
    let mut circles = Vec::new();
    for start in graph.keys() {
        if colour.contains_key(start) {
            continue;
        }
        let mut stack = vec![(start.clone(), edges(start), 0usize)];
        colour.insert(start.clone(), 1);
        while let Some((node, next, i)) = stack.last_mut() {
            if *i == next.len() {
                colour.insert(node.clone(), 2);
                stack.pop();
                continue;
            }
            let target = next[*i].clone();
            *i += 1;
            match colour.get(&target) {
                Some(1) => {
                    let at = stack.iter().position(|(n, _, _)| *n == target).unwrap_or(0);
                    let mut circle: Vec<String> =
                        stack[at..].iter().map(|(n, _, _)| n.clone()).collect();
                    circle.push(target);
                    circles.push(circle.join(" -> "));
                }
                Some(_) => {}
                None => {
                    colour.insert(target.clone(), 1);
                    let e = edges(&target);
                    stack.push((target, e, 0));
                }
            }
        }
    }
    assert!(circles.is_empty(), "circles between files:\n{circles:#?}");
}

#[test]
fn the_scanner_sees_what_it_must() {
    let code = strip_comments(
        "/// crate::doc\nuse crate::{a, b::c};\n// crate::gone\nfn f() { $crate::__private::State; crate::x::y::Z; \"crate::\"; super::s::T; super::Item; }",
    );
    assert_eq!(
        crate_paths(&code),
        ["a", "b::c", "__private::State", "x::y", "super::s"],
        "from {code:?}"
    );
    let map = reexports(
        "pub use a::b::{C, D};\npub use e::F;\npub mod __private { pub use crate::d::g::E; }",
    );
    assert_eq!(map.get("C").map(String::as_str), Some("a::b"));
    assert_eq!(map.get("F").map(String::as_str), Some("e"));
    assert_eq!(map.get("__private::E").map(String::as_str), Some("d::g"));
    let code = strip_comments(
        "macro_rules! m { () => { $crate::__inner!(x); crate::other! {} } }\n// $crate::gone!\n$crate::not_a_macro::X;",
    );
    assert_eq!(macro_refs(&code), ["__inner", "other"], "from {code:?}");
    assert_eq!(macro_defs(&code), ["m"], "from {code:?}");
}

/// The exported macros are part of the graph: the error layer's struct
/// macro is seen from the file that invokes it.
#[test]
fn macro_references_are_edges() {
    let graph = graph();
    let from = &graph["integrations::exception_macro"];
    assert!(from.contains("error::struct_macro"), "{from:?}");
}
