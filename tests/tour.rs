//! The tour (`examples/tour.rs`) says only what the reference redis-py says: every
//! line it prints is checked against the reference release's fixtures
//! (`tests/fixtures/public_corpus.json`, `instances.json` and
//! `releases/redis-py-*/classes.json`), and a line no check recognises fails
//! the test, so that a new line comes with its check.

#[allow(dead_code, reason = "the example's `main` is not called here")]
#[path = "../examples/tour.rs"]
mod tour;

mod common;

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde_json::Value;

/// The reference release, whose fixtures the tour is checked against:
/// `redis-py-X.Y.Z` (`src/class/releases.txt`).
fn reference() -> String {
    format!(
        "redis-py-{}",
        redis_exceptions::RedisPy::REFERENCE.__pinned()
    )
}

/// One class of a release fixture: module and bases (short names).
#[derive(Debug)]
struct Row {
    bases: Vec<String>,
    mro: Vec<String>,
}

fn short(qualname: &str) -> String {
    qualname.rsplit('.').next().unwrap_or(qualname).to_owned()
}

fn module_of(qualname: &str) -> &str {
    qualname.rsplit_once('.').map_or("", |(m, _)| m)
}

/// A release fixture's classes by `(name, module)`.
type Classes = BTreeMap<(String, String), Row>;

/// Every release fixture's classes, oldest release first.
fn releases() -> Vec<(String, Classes)> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/releases");
    let mut out = Vec::new();
    for entry in std::fs::read_dir(&root).expect("tests/fixtures/releases") {
        let dir = entry.expect("a release").path();
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let Some(version) = name.strip_prefix("redis-py-") else {
            continue;
        };
        let text = std::fs::read_to_string(dir.join("classes.json")).expect("classes.json");
        let json: Value = serde_json::from_str(&text).expect("classes.json is JSON");
        let mut classes = BTreeMap::new();
        for c in json["classes"].as_array().expect("classes") {
            let strings = |v: &Value| -> Vec<String> {
                v.as_array()
                    .expect("a list")
                    .iter()
                    .map(|s| short(s.as_str().expect("a name")))
                    .collect()
            };
            classes.insert(
                (
                    c["name"].as_str().unwrap().to_owned(),
                    c["module"].as_str().unwrap().to_owned(),
                ),
                Row {
                    bases: strings(&c["bases"]),
                    mro: strings(&c["mro"]),
                },
            );
            // The builtins in the MROs, by their qualified names.
            for (base, q) in strings(&c["mro"]).iter().zip(c["mro"].as_array().unwrap()) {
                let q = q.as_str().unwrap();
                if module_of(q) == "builtins" {
                    let key = (base.clone(), "builtins".to_owned());
                    classes.entry(key).or_insert_with(|| Row {
                        bases: builtin_base(base).into_iter().map(str::to_owned).collect(),
                        mro: Vec::new(),
                    });
                }
            }
        }
        out.push((version.to_owned(), classes));
    }
    let key = |v: &str| -> Vec<u32> { v.split('.').map(|p| p.parse().unwrap()).collect() };
    out.sort_by_key(|(v, _)| key(v));
    out
}

/// The base of the three builtins in redis-py's MROs.
fn builtin_base(name: &str) -> Option<&'static str> {
    match name {
        "BaseException" => None,
        "Exception" => Some("BaseException"),
        "ValueError" => Some("Exception"),
        other => panic!("a builtin no redis-py MRO had: {other}"),
    }
}

fn tour_output() -> String {
    let mut out = Vec::new();
    tour::tour(&mut out).expect("the tour writes");
    String::from_utf8(out).expect("UTF-8")
}

/// The class tree: each class under one of its bases, with all its bases
/// when it has several, its module, and the release that added or removed
/// it, as the release fixtures have them.
fn check_tree<'a>(lines: &mut impl Iterator<Item = &'a str>) {
    let releases = releases();
    let reference = &releases
        .iter()
        .find(|(v, _)| format!("redis-py-{v}") == reference())
        .expect("the reference release's fixture")
        .1;
    let mut seen: BTreeMap<(String, String), usize> = BTreeMap::new();
    let mut parents: Vec<String> = Vec::new();
    for line in lines.by_ref() {
        if line.is_empty() {
            break;
        }
        let depth = (line.len() - line.trim_start().len()) / 4;
        let mut parts = line.trim_start().split("  ");
        let name = parts.next().unwrap().to_owned();
        let (mut listed, mut module, mut since, mut until) = (None, None, None, None);
        for part in parts {
            if let Some(m) = part.strip_prefix('[').and_then(|p| p.strip_suffix(']')) {
                module = Some(m.to_owned());
            } else if let Some(r) = part
                .strip_prefix("(since redis-py ")
                .and_then(|p| p.strip_suffix(')'))
            {
                since = Some(r.to_owned());
            } else if let Some(r) = part
                .strip_prefix("(until redis-py ")
                .and_then(|p| p.strip_suffix(')'))
            {
                until = Some(r.to_owned());
            } else if let Some(b) = part.strip_prefix('(').and_then(|p| p.strip_suffix(')')) {
                listed = Some(b.split(", ").map(str::to_owned).collect::<Vec<_>>());
            } else {
                panic!("unknown part {part:?} of tree line {line:?}");
            }
        }
        parents.truncate(depth.saturating_sub(1));
        let parent = parents.last().cloned();
        parents.push(name.clone());
        let module = module.unwrap_or_else(|| {
            if reference.contains_key(&(name.clone(), "builtins".into())) {
                "builtins".into()
            } else {
                "redis.exceptions".into()
            }
        });
        let key = (name.clone(), module.clone());
        // The releases that have the class, oldest first.
        let having: Vec<&str> = releases
            .iter()
            .filter(|(_, classes)| classes.contains_key(&key))
            .map(|(v, _)| v.as_str())
            .collect();
        assert!(!having.is_empty(), "{line:?}: no release has {key:?}");
        let newest_having = having.last().unwrap();
        let row = &releases.iter().find(|(v, _)| v == newest_having).unwrap().1[&key];
        if let Some(parent) = &parent {
            assert!(
                row.bases.contains(parent),
                "{line:?}: {parent} is no base of {name} ({row:?})"
            );
        }
        if row.bases.len() > 1 {
            assert_eq!(listed.as_ref(), Some(&row.bases), "{line:?}");
        } else {
            assert_eq!(listed, None, "{line:?}");
        }
        *seen.entry(key.clone()).or_default() += 1;
        // `since`/`until` name the first release with the class and the
        // first without it (by minor version).
        let minor = |v: &str| {
            v.rsplit_once('.')
                .map_or(v.to_owned(), |(m, _)| m.to_owned())
        };
        match (&since, &until) {
            (Some(s), None) => {
                assert_eq!(&minor(having[0]), s, "{line:?}");
                // The reference has it unless it came after the reference.
                let after_reference = s.parse::<redis_exceptions::RedisPy>().unwrap()
                    > redis_exceptions::RedisPy::REFERENCE;
                assert_eq!(reference.contains_key(&key), !after_reference, "{line:?}");
            }
            (None, Some(u)) => {
                assert!(!reference.contains_key(&key), "{line:?}");
                let first_without = releases
                    .iter()
                    .map(|(v, _)| v.as_str())
                    .find(|v| minor(v) > minor(newest_having))
                    .expect("a release after the last one with the class");
                assert_eq!(&minor(first_without), u, "{line:?}");
            }
            (None, None) => {
                assert!(reference.contains_key(&key), "{line:?}");
                assert_eq!(
                    having[0], releases[0].0,
                    "{line:?}: added after the oldest release"
                );
            }
            _ => panic!("{line:?}: both since and until"),
        }
    }
    // Every class of the reference release, once on each path from the
    // root (a class with two bases is printed under each).
    fn paths(reference: &Classes, row: &Row) -> usize {
        if row.bases.is_empty() {
            return 1;
        }
        row.bases
            .iter()
            .map(|base| {
                let base = reference
                    .iter()
                    .find(|((n, m), _)| n == base && (m == "builtins" || m == "redis.exceptions"))
                    .unwrap_or_else(|| panic!("base {base}"))
                    .1;
                paths(reference, base)
            })
            .sum()
    }
    for (key, row) in reference {
        assert_eq!(
            seen.get(key).copied(),
            Some(paths(reference, row)),
            "{key:?} in the tree"
        );
    }
}

#[test]
fn the_tour_says_what_redis_py_says() {
    let out = tour_output();
    let corpus = common::fixture("public_corpus");
    let instances = common::fixture("instances");
    assert_eq!(
        corpus["redis_py_version"],
        reference().trim_start_matches("redis-py-")
    );
    assert_eq!(
        instances["redis_py_version"],
        reference().trim_start_matches("redis-py-")
    );
    let releases = releases();
    let reference = &releases
        .iter()
        .find(|(v, _)| format!("redis-py-{v}") == reference())
        .unwrap()
        .1;
    let mro_of = |name: &str| -> &Vec<String> {
        &reference
            .iter()
            .find(|((n, m), _)| n == name && m == "redis.exceptions")
            .unwrap_or_else(|| panic!("{name} in the reference fixture"))
            .1
            .mro
    };

    let mut lines = out.lines();
    let header = lines.next().unwrap();
    assert!(header.starts_with("The class tree ("), "{header}");
    check_tree(&mut lines);

    // The case (or instance) the lines being read are about.
    let mut case: Option<&Value> = None;
    let mut class: Option<String> = None;
    let mut checked = 0;
    let section = lines.next();
    assert_eq!(section, Some("Parsing server replies:"));
    for line in lines {
        checked += 1;
        if line.is_empty() {
            case = None;
            continue;
        }
        if line == "Multiple inheritance:" {
            continue;
        }
        if let Some((reply, name)) = line.strip_prefix('"').and_then(|l| l.split_once("\" -> ")) {
            let found = corpus["cases"]
                .as_array()
                .unwrap()
                .iter()
                .find(|c| c["input"] == reply)
                .unwrap_or_else(|| panic!("{reply:?} is in the public corpus"));
            assert_eq!(found["outcome"], "returned");
            assert_eq!(found["class"], name, "{line}");
            case = Some(found);
            class = Some(name.to_owned());
        } else if let Some(rest) = line.strip_prefix("  str=") {
            if case.is_none() {
                // The multiple-inheritance instance: the fixture instance
                // of the same class and message.
                let message = rest.split(" repr=").next().unwrap();
                let message: String = serde_json::from_str(message).expect("a quoted str");
                let found = instances["instances"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|i| {
                        i["class"] == "LockError"
                            && i["ok"] == true
                            && i["args_given"] == serde_json::json!([message])
                            && i["kwargs_given"] == serde_json::json!({})
                    })
                    .unwrap_or_else(|| panic!("a LockError({message:?}) instance fixture"));
                case = Some(found);
                class = Some("LockError".into());
            }
            let c = case.unwrap();
            let status = match c["vars"]["status_code"].as_str() {
                Some(s) => format!("Some({s:?})"),
                None => "None".to_owned(),
            };
            let expected = format!(
                "  str={:?} repr={} status_code={status}",
                c["str"].as_str().unwrap(),
                c["repr"].as_str().unwrap()
            );
            assert_eq!(line, expected);
        } else if let Some(mro) = line.strip_prefix("  mro: ") {
            let mro: Vec<&str> = mro.split(" -> ").collect();
            assert_eq!(&mro, mro_of(class.as_deref().unwrap()), "{line}");
        } else if let Some(flags) = line.strip_prefix("  isinstance: ") {
            let mro = mro_of(class.as_deref().unwrap());
            for flag in flags.split(' ') {
                let (base, value) = flag.split_once('=').unwrap();
                assert_eq!(value == "true", mro.iter().any(|m| m == base), "{line}");
            }
        } else if let Some(rest) = line.strip_prefix("  isinstance(e, ") {
            let (base, value) = rest.split_once(") = ").unwrap();
            let mro = mro_of(class.as_deref().unwrap());
            assert_eq!(value == "true", mro.iter().any(|m| m == base), "{line}");
        } else if line.starts_with("  downcast to MovedError: ") {
            let r = &case.unwrap()["redirect"];
            let expected = format!(
                "  downcast to MovedError: slot Some({}) at Some(({:?}, {}))",
                r["slot_id"],
                r["host"].as_str().unwrap(),
                r["port"]
            );
            assert_eq!(line, expected);
        } else if let Some(code) = line.strip_prefix("  no rule for reply_code=") {
            let c = case.unwrap();
            assert_eq!(c["class"], "ResponseError", "{line}");
            assert_eq!(c["args"][0], c["input"], "{line}");
            let word = c["input"].as_str().unwrap().split(' ').next().unwrap();
            assert_eq!(code, format!("Some({word:?}): args[0] is the whole reply"));
        } else {
            panic!("no check for the tour's line {line:?}");
        }
    }
    assert!(
        checked > 20,
        "the tour printed {checked} lines after the tree"
    );
}
