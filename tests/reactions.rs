//! The crate's reactions (`RedisPy::reaction`) and class sets
//! (`RedisPy::class_set`) against what each release's real clients did
//! (`tests/fixtures/reactions/*.json`, recorded by
//! `scripts/fixtures/gen_reactions.py` against a fake cluster): every
//! scenario of every client of every recorded release, row by row.

use redis_exceptions::{
    Class, ConnectionError, Error, ExceptionClass, Next, PolicySet, PyClient, Reaction,
    RedisErrorExt, RedisPy, Refresh, ResponseError, Sleep, TimeoutError, ValkeyPy,
};
use serde_json::Value;
use std::collections::BTreeSet;

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/reactions");

/// The releases whose fixtures must be there: the rows of
/// `src/class/releases.txt` whose uses include `reactions` (CI records these
/// again), as `redis-py-X.Y.Z` / `valkey-py-X.Y.Z`.
fn required() -> Vec<String> {
    let table = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/src/class/releases.txt"
    ))
    .expect("src/class/releases.txt");
    table
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            let uses = f.get(7)?;
            uses.split(',')
                .any(|u| u == "reactions")
                .then(|| format!("{}-{}", f[0], f[2]))
        })
        .collect()
}

/// Where a recorded client surfaced a Python error of its own instead of
/// the class it was given or the value: redis-py bugs, recorded as they are
/// (the crate's rows say what happened before it: see `class/reaction.rs`).
/// (client, first release, first release without it, what surfaced.)
const CLIENT_BUGS: &[(PyClient, RedisPy, RedisPy, &str)] = &[
    // `... object has no attribute 'host'` after the backoff.
    (
        PyClient::ClusterTransaction,
        RedisPy::V6_1,
        RedisPy::V7_0,
        "AttributeError",
    ),
    // `cannot unpack non-iterable ExecAbortError object` after a retry.
    (
        PyClient::ClusterTransaction,
        RedisPy::V6_1,
        RedisPy::V8_2,
        "TypeError",
    ),
];

/// redis-py's `TRYAGAIN` wait, in seconds.
const TRY_AGAIN_WAIT: f64 = 0.05;

/// The builtins of a class set that are not exceptions of this crate.
const PYTHON_ONLY: &[&str] = &["OSError", "UnicodeDecodeError", "RecursionError"];

#[derive(Clone, Copy, Debug)]
enum Release {
    RedisPy(RedisPy),
    ValkeyPy(ValkeyPy),
}

impl Release {
    fn reaction(self, client: PyClient, class: &'static Class) -> Option<Reaction> {
        match self {
            Release::RedisPy(r) => r.reaction(client, class),
            Release::ValkeyPy(v) => v.reaction(client, class),
        }
    }

    fn redis_py(self) -> RedisPy {
        match self {
            Release::RedisPy(r) => r,
            Release::ValkeyPy(v) => v.redis_py(),
        }
    }

    fn parse(self, client: PyClient, reply: &str) -> Error {
        match (self, client) {
            (Release::RedisPy(r), PyClient::Redis) => r.parse_error(reply),
            (Release::RedisPy(r), _) => r.cluster().parse_error(reply),
            (Release::ValkeyPy(v), PyClient::Redis) => v.parse_error(reply),
            (Release::ValkeyPy(v), _) => v.cluster().parse_error(reply),
        }
    }

    /// The crate's class of a name in this client's exceptions module.
    fn class(self, name: &str) -> &'static Class {
        let found = match self {
            Release::RedisPy(_) => Class::by_name(name),
            Release::ValkeyPy(_) => Class::all().find(|c| c.valkey_name() == name),
        };
        found.unwrap_or_else(|| panic!("{self:?}: no class {name}"))
    }

    fn name(self, class: &Class) -> &'static str {
        match self {
            Release::RedisPy(_) => class.name(),
            Release::ValkeyPy(_) => class.valkey_name(),
        }
    }
}

fn fixtures() -> Vec<(String, Release, Value)> {
    let mut out = Vec::new();
    let mut names: Vec<String> = std::fs::read_dir(DIR)
        .expect("tests/fixtures/reactions/")
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".json"))
        .collect();
    names.sort();
    for name in names {
        let stem = name.trim_end_matches(".json").to_string();
        let release = if let Some(v) = stem.strip_prefix("redis-py-") {
            Release::RedisPy(v.parse().unwrap())
        } else if let Some(v) = stem.strip_prefix("valkey-py-") {
            Release::ValkeyPy(v.parse().unwrap())
        } else {
            panic!("unexpected fixture {name}")
        };
        let text = std::fs::read_to_string(format!("{DIR}/{name}")).unwrap();
        out.push((stem, release, serde_json::from_str(&text).unwrap()));
    }
    out
}

fn client(name: &str) -> PyClient {
    *PyClient::ALL
        .iter()
        .find(|c| c.name() == name)
        .unwrap_or_else(|| panic!("no client {name}"))
}

/// What one recording shows, in the terms of a [`Reaction`].
#[derive(Debug, PartialEq)]
struct Seen {
    resent: bool,
    other_node: bool,
    asking: bool,
    refresh_now: bool,
    fixed_sleep: Option<f64>,
    backoff: bool,
    disconnect: bool,
}

/// A recording's trace, `"n1 GET *3"` spelled out as three entries.
fn trace(s: &Value) -> Vec<&str> {
    let mut out = Vec::new();
    for entry in s["trace"].as_array().unwrap() {
        let entry = entry.as_str().unwrap();
        match entry
            .rsplit_once(" *")
            .and_then(|(e, n)| Some((e, n.parse::<usize>().ok()?)))
        {
            Some((e, n)) => out.extend(std::iter::repeat_n(e, n)),
            None => out.push(entry),
        }
    }
    out
}

fn seen(s: &Value, fixed: Option<f64>) -> Seen {
    let trace = trace(s);
    let gets: Vec<&str> = trace
        .iter()
        .copied()
        .filter(|t| t.ends_with(" GET"))
        .collect();
    let sleeps: Vec<f64> = s["sleeps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    let first_fixed = sleeps.first().copied().filter(|v| Some(*v) == fixed);
    Seen {
        resent: gets.len() >= 2,
        other_node: gets.len() >= 2 && !gets[1].starts_with("n1 "),
        asking: trace.iter().any(|t| t.ends_with(" ASKING")),
        refresh_now: trace.iter().any(|t| t.contains(" CLUSTER ")),
        fixed_sleep: first_fixed,
        backoff: sleeps
            .iter()
            .enumerate()
            .any(|(i, v)| *v > 0.0 && !(i == 0 && first_fixed.is_some())),
        disconnect: s["reconnects"][1].as_bool().unwrap(),
    }
}

/// What the reaction says a recording with the error once must show.
fn expected(r: &Reaction) -> Seen {
    let fixed = match r.sleep {
        Some(Sleep::Always(d)) => Some(d.as_secs_f64()),
        _ => None,
    };
    Seen {
        resent: r.retries(),
        other_node: matches!(r.next, Next::Redirect | Next::RedirectAsking),
        asking: r.next == Next::RedirectAsking,
        refresh_now: r.refresh == Refresh::Now,
        fixed_sleep: fixed,
        backoff: r.backoff,
        // Seen only when the command is sent again: the node that answered
        // gets a new connection.
        disconnect: r.retries()
            && r.disconnect
            && !matches!(r.next, Next::Redirect | Next::RedirectAsking),
    }
}

#[test]
fn the_pinned_releases_are_recorded() {
    let names: Vec<String> = fixtures().into_iter().map(|f| f.0).collect();
    let required_releases = required();
    assert!(
        !required_releases.is_empty(),
        "no row of releases.txt has the use `reactions`"
    );
    for required in &required_releases {
        assert!(
            names.iter().any(|n| n == required),
            "missing fixture {required}.json: run scripts/fixtures/gen_reactions.sh"
        );
    }
}

#[test]
fn every_recorded_scenario_matches_the_crate_reaction() {
    let mut checked = 0usize;
    let mut failures = Vec::new();
    for (stem, release, doc) in fixtures() {
        for s in doc["scenarios"].as_array().unwrap() {
            let client = client(s["client"].as_str().unwrap());
            let error = s["error"].as_str().unwrap();
            let once = s["times"] == "once";
            let reply = (!error.starts_with("raise ") && error != "close").then(|| {
                error
                    .replace("{slot}", "7629")
                    .replace("{n2}", "127.0.0.1:30002")
                    .replace("{p2}", "30002")
            });
            let class: &'static Class = match (&reply, error.strip_prefix("raise ")) {
                (Some(reply), _) => release.parse(client, reply).class(),
                (None, Some(name)) => release.class(name),
                (None, None) => ConnectionError::CLASS, // "close": the server hung up
            };
            let Some(reaction) = release.reaction(client, class) else {
                failures.push(format!(
                    "{stem} {client:?}: recorded but the crate has no such client"
                ));
                continue;
            };
            let outcome = s["outcome"].as_str().unwrap();
            let empty_host = error.contains(" :{p2}");
            let label = format!(
                "{stem} {} {error:?} ({}) x{}",
                client.name(),
                class.name(),
                if once { "1" } else { "all" }
            );
            let r = release.redis_py();
            let bug = CLIENT_BUGS
                .iter()
                .any(|b| b.0 == client && b.1 <= r && r < b.2 && b.3 == outcome);
            let fixed = match reaction.sleep {
                Some(Sleep::Always(d)) => Some(d.as_secs_f64()),
                _ => None,
            };
            let got = seen(s, fixed);
            checked += 1;
            if empty_host {
                // Followed as it is, `:30002` is a connection to host "":
                // what happens then is the connection error's reaction.
                let followed = got.resent && got.other_node;
                if reaction.retries() && followed != reaction.fill_redirect_host {
                    failures.push(format!(
                        "{label}: fill_redirect_host {} but followed: {followed}",
                        reaction.fill_redirect_host
                    ));
                }
                continue;
            }
            if once {
                let mut want = expected(&reaction);
                // A class that never comes from a reply or a socket (raised
                // here from the parser, where the connection drops itself
                // after any such error) says nothing of the client's own
                // disconnect.
                let from_wire = [
                    ResponseError::CLASS,
                    ConnectionError::CLASS,
                    TimeoutError::CLASS,
                ]
                .iter()
                .any(|c| class.is_subclass_of(c));
                if !from_wire {
                    want.disconnect = got.disconnect;
                }
                if got != want {
                    failures.push(format!(
                        "{label}:\n  recorded {got:?}\n  crate    {want:?}\n  {reaction:?}"
                    ));
                }
                let want_outcome = if reaction.retries() {
                    "ok"
                } else {
                    release.name(class)
                };
                if outcome != want_outcome && !bug {
                    failures.push(format!(
                        "{label}: surfaced {outcome}, the crate says {want_outcome}"
                    ));
                }
            } else {
                // The error every time: a raise is one attempt; a retry is more,
                // and the sleep that waits for half the TTL shows up.
                if got.resent != reaction.retries() {
                    failures.push(format!(
                        "{label}: resent {} but the crate says {}",
                        got.resent,
                        reaction.retries()
                    ));
                }
                // A refresh asked for (now, or for later once it is due)
                // shows up over the retries.
                let refreshed = trace(s).iter().any(|t| t.contains(" CLUSTER "));
                if reaction.retries()
                    && matches!(reaction.refresh, Refresh::Now | Refresh::Requested)
                    && !refreshed
                {
                    failures.push(format!("{label}: no refresh over the retries"));
                }
                // The wait past half the TTL (0.05 s for TRYAGAIN) shows up
                // exactly where the reaction has it; a pipeline's second
                // attempt goes through the cluster client's own loop, so
                // only its presence is checked there.
                let half_ttl = match reaction.sleep {
                    Some(Sleep::AfterHalfTtl(d)) => Some(d.as_secs_f64()),
                    _ => None,
                };
                let waited = |d: f64| {
                    s["sleeps"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .any(|v| v.as_f64() == Some(d))
                };
                match half_ttl {
                    Some(d) if !waited(d) => failures.push(format!("{label}: no sleep of {d} s")),
                    None if client != PyClient::ClusterPipeline && waited(TRY_AGAIN_WAIT) => {
                        failures.push(format!(
                            "{label}: slept {TRY_AGAIN_WAIT} s past half the TTL"
                        ))
                    }
                    _ => {}
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {checked} scenarios differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
    println!("reactions: {checked} recorded scenarios match");
}

#[test]
fn class_sets_match_the_recorded_tuples() {
    let sets = [
        (
            PolicySet::ErrorsAllowRetry,
            "RedisCluster.ERRORS_ALLOW_RETRY",
        ),
        (
            PolicySet::NotNodeFailureErrors,
            "RedisCluster.NOT_NODE_FAILURE_ERRORS",
        ),
        (
            PolicySet::PipelineErrorsAllowRetry,
            "ClusterPipeline.ERRORS_ALLOW_RETRY",
        ),
        (
            PolicySet::SlotRedirectErrors,
            "TransactionStrategy.SLOT_REDIRECT_ERRORS",
        ),
        (
            PolicySet::ConnectionErrors,
            "TransactionStrategy.CONNECTION_ERRORS",
        ),
        (
            PolicySet::UnrecoverableParseErrors,
            "UNRECOVERABLE_PARSE_ERRORS",
        ),
        (
            PolicySet::RetrySupportedErrors,
            "Redis.retry.supported_errors",
        ),
        (
            PolicySet::ClusterRetrySupportedErrors,
            "RedisCluster.retry.supported_errors",
        ),
    ];
    for (stem, release, doc) in fixtures() {
        let recorded = &doc["class_sets"];
        for (set, key) in sets {
            let crate_set = release.redis_py().class_set(set);
            let Some(names) = recorded.get(key) else {
                assert!(
                    crate_set.is_none(),
                    "{stem}: {key} is not recorded, the crate has {crate_set:?}"
                );
                continue;
            };
            let want: BTreeSet<String> = names
                .as_array()
                .unwrap()
                .iter()
                .map(|n| n.as_str().unwrap())
                .filter(|n| !PYTHON_ONLY.contains(n))
                .map(|n| release.name(release.class(n)).to_string())
                .collect();
            let crate_set =
                crate_set.unwrap_or_else(|| panic!("{stem}: {key} recorded, the crate has none"));
            let got: BTreeSet<String> = crate_set
                .classes()
                .iter()
                .map(|c| release.name(c).to_string())
                .collect();
            assert_eq!(got, want, "{stem}: {key}");
            assert_eq!(
                crate_set.name(),
                key.replace(".retry.supported_errors", " Retry.supported_errors"),
                "{stem}"
            );
        }
    }
}

#[test]
fn retry_policies_match_the_recorded_defaults() {
    for (stem, release, doc) in fixtures() {
        let recorded = &doc["class_sets"];
        for (client, key) in [
            (PyClient::Redis, "Redis"),
            (PyClient::RedisCluster, "RedisCluster"),
        ] {
            let policy = release.redis_py().retry_policy(client);
            let Some(retries) = recorded.get(format!("{key}.retry.retries")) else {
                assert!(
                    policy.is_none(),
                    "{stem} {key}: no Retry recorded, the crate has {policy:?}"
                );
                continue;
            };
            let policy = policy
                .unwrap_or_else(|| panic!("{stem} {key}: a Retry recorded, the crate has none"));
            assert_eq!(
                policy.retries.to_string(),
                retries[0].as_str().unwrap(),
                "{stem} {key}"
            );
            assert_eq!(
                policy.backoff.to_string(),
                recorded[format!("{key}.retry.backoff")][0]
                    .as_str()
                    .unwrap(),
                "{stem} {key}"
            );
        }
    }
}

#[test]
fn the_newest_release_reactions_read_from_an_error() {
    let e = redis_exceptions::parse_error("MOVED 3999 :6381");
    let r = e.reaction(PyClient::RedisCluster).unwrap();
    assert_eq!(
        r,
        RedisPy::LATEST
            .reaction(PyClient::RedisCluster, e.class())
            .unwrap()
    );
    assert_eq!(r.next, Next::Redirect);
}
