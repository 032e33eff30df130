//! A small cluster-aware retry loop on redis-rs's low-level connection
//! (`redis::Connection`, no cluster feature) that does what redis-py 8.2's
//! `RedisCluster` does about each error, read from the crate's data:
//! `RedisPy::V8_2.reaction(PyClient::RedisCluster, class)` says whether to
//! redirect (with `ASKING` or not), sleep, refresh the slot map, back off
//! (`retry_policy`), drop the connection, or give up.
//!
//! ```text
//! cargo run --example cluster_retry --features redis -- 127.0.0.1:7000
//! ```
//!
//! sets and reads a few keys through the cluster whose node is given.
//! `tests/cluster_retry.rs` runs this loop against a live three-node
//! cluster through a slot migration (`ASK`, then `MOVED`), a failover (the
//! demoted master answers `MOVED`) and a slot left without owner
//! (`CLUSTERDOWN`, then a slot map without it). A `READONLY` reply is raised,
//! as redis-py 8.2's `RedisCluster` raises it.

use std::collections::HashMap;
use std::thread::sleep;
use std::time::Duration;

use redis::{Cmd, FromRedisValue};
use redis_exceptions::{
    ClusterError, Error, Next, PyClient, RedisErrorExt, RedisPy, Refresh, Sleep,
    SlotNotCoveredError,
};

/// redis-py's `RedisClusterRequestTTL`: redirections and retries of one
/// command inside the command loop.
const REQUEST_TTL: u32 = 16;
/// `reinitialize_steps`: a refresh every this many `MOVED`.
const REINITIALIZE_STEPS: u32 = 5;

type Node = (String, u16);

/// The client: a slot map and one connection per node.
pub struct Cluster {
    seeds: Vec<Node>,
    slots: Vec<(u16, u16, Node)>,
    conns: HashMap<Node, redis::Connection>,
    moved: u32,
    stale: bool,
    /// What happened, for whoever watches: `"MovedError -> Redirect"`, ...
    pub events: Vec<String>,
}

impl Cluster {
    /// Connects to the first seed that answers `CLUSTER SLOTS`.
    pub fn connect(seeds: &[Node]) -> Result<Cluster, Error> {
        let mut c = Cluster {
            seeds: seeds.to_vec(),
            slots: Vec::new(),
            conns: HashMap::new(),
            moved: 0,
            stale: false,
            events: Vec::new(),
        };
        c.refresh()?;
        Ok(c)
    }

    fn conn(&mut self, node: &Node) -> Result<&mut redis::Connection, Error> {
        if !self.conns.contains_key(node) {
            let client = redis::Client::open(format!("redis://{}:{}/", node.0, node.1))?;
            let conn = client.get_connection_with_timeout(Duration::from_secs(2))?;
            self.conns.insert(node.clone(), conn);
        }
        Ok(self.conns.get_mut(node).expect("just inserted"))
    }

    /// Asks the known nodes, then the seeds, for the slot map.
    pub fn refresh(&mut self) -> Result<(), Error> {
        self.events.push("refresh".into());
        let mut candidates: Vec<Node> = self.slots.iter().map(|s| s.2.clone()).collect();
        candidates.extend(self.seeds.iter().cloned());
        candidates.dedup();
        let mut last = None;
        for node in candidates {
            let reply: Result<Vec<redis::Value>, Error> = self
                .conn(&node)
                .and_then(|c| Ok(redis::cmd("CLUSTER").arg("SLOTS").query(c)?));
            match reply {
                Ok(entries) => {
                    self.slots = parse_slots(&entries, &node.0);
                    self.stale = false;
                    return Ok(());
                }
                Err(e) => {
                    self.conns.remove(&node);
                    last = Some(e);
                }
            }
        }
        Err(last.unwrap_or_else(|| ClusterError::new("no node to ask").into()))
    }

    /// The node the map gives `slot` to; redis-py raises
    /// `SlotNotCoveredError` when there is none.
    fn owner(&self, slot: u16) -> Result<Node, Error> {
        self.slots
            .iter()
            .find(|(lo, hi, _)| (*lo..=*hi).contains(&slot))
            .map(|s| s.2.clone())
            .ok_or_else(|| {
                SlotNotCoveredError::new(format!("Slot {slot} is not covered by the cluster."))
                    .into()
            })
    }

    fn send<T: FromRedisValue>(
        &mut self,
        node: &Node,
        cmd: &Cmd,
        asking: bool,
    ) -> Result<T, Error> {
        let conn = self.conn(node)?;
        if asking {
            redis::cmd("ASKING").query::<()>(conn)?;
        }
        Ok(cmd.query::<T>(conn)?)
    }

    /// Runs `cmd` (whose key is `key`) as redis-py 8.2's `RedisCluster`
    /// would: the command loop of `_execute_command` inside the retry loop
    /// of `execute_command`.
    pub fn query<T: FromRedisValue>(&mut self, cmd: &Cmd, key: &[u8]) -> Result<T, Error> {
        let release = RedisPy::V8_2;
        let policy = release
            .retry_policy(PyClient::RedisCluster)
            .expect("RedisCluster makes a Retry");
        let slot = key_slot(key);
        let mut failures = 0u32;
        let mut ttl = REQUEST_TTL;
        let mut redirect: Option<(Node, bool)> = None;
        loop {
            if ttl == 0 {
                return Err(ClusterError::new("TTL exhausted.").into());
            }
            ttl -= 1;
            if self.stale {
                self.refresh()?;
            }
            let target = match redirect.take() {
                Some((node, asking)) => Ok((node, asking)),
                None => self.owner(slot).map(|n| (n, false)),
            };
            let (error, node) = match target {
                Err(e) => (e, None),
                Ok((node, asking)) => match self.send::<T>(&node, cmd, asking) {
                    Ok(value) => return Ok(value),
                    Err(e) => (e, Some(node)),
                },
            };
            let class = error.class();
            let reaction = release
                .reaction(PyClient::RedisCluster, class)
                .expect("redis-py 8.2 has RedisCluster");
            self.events
                .push(format!("{} -> {:?}", class.name(), reaction.next));
            if reaction.disconnect {
                if let Some(node) = &node {
                    self.conns.remove(node);
                }
            }
            match reaction.sleep {
                Some(Sleep::Always(d)) => sleep(d),
                Some(Sleep::AfterHalfTtl(d)) if ttl < REQUEST_TTL / 2 => sleep(d),
                _ => {}
            }
            match reaction.refresh {
                Refresh::Now => self.refresh()?,
                Refresh::Requested => self.stale = true,
                Refresh::EveryNthRedirect => {
                    self.moved += 1;
                    if self.moved.is_multiple_of(REINITIALIZE_STEPS) {
                        self.stale = true;
                    }
                }
                _ => {}
            }
            match reaction.next {
                Next::Redirect | Next::RedirectAsking => {
                    let Some(to) =
                        redirect_target(&error, node.as_ref(), reaction.fill_redirect_host)
                    else {
                        return Err(error);
                    };
                    if reaction.next == Next::Redirect {
                        // `move_slot`: the slot belongs to the node named now.
                        self.slots
                            .retain(|(lo, hi, _)| !(*lo..=*hi).contains(&slot));
                        self.slots.push((slot, slot, to.clone()));
                    }
                    redirect = Some((to, reaction.next == Next::RedirectAsking));
                }
                Next::Retry => {
                    // Retries inside the command loop (TRYAGAIN) go again at
                    // once; those of the outer loop count against the
                    // `Retry` and wait out its backoff.
                    if reaction.backoff {
                        failures += 1;
                        if failures > policy.retries {
                            return Err(error);
                        }
                        // Half the jitter's bound: a stand-in for the random wait.
                        sleep(policy.backoff.max_delay(failures) / 2);
                    }
                }
                _ => return Err(error),
            }
        }
    }
}

/// Where a `MOVED`/`ASK` sends the command: its node, with the host of the
/// node that answered when the reply left it empty and redis-py fills it in.
fn redirect_target(error: &Error, answered: Option<&Node>, fill_host: bool) -> Option<Node> {
    let r = error.redirect()?;
    let port = r.port()?;
    let host = r.connect_host();
    if host.is_empty() {
        if !fill_host {
            return None;
        }
        return answered.map(|n| (n.0.clone(), port));
    }
    Some((host.to_string(), port))
}

/// `CLUSTER SLOTS` entries as `(first, last, master)`; an empty host means
/// the node that answered.
fn parse_slots(entries: &[redis::Value], asked_host: &str) -> Vec<(u16, u16, Node)> {
    let mut out = Vec::new();
    for entry in entries {
        let redis::Value::Array(parts) = entry else {
            continue;
        };
        let (Some(lo), Some(hi), Some(redis::Value::Array(master))) =
            (parts.first(), parts.get(1), parts.get(2))
        else {
            continue;
        };
        let (Ok(lo), Ok(hi)) = (u16::from_redis_value_ref(lo), u16::from_redis_value_ref(hi))
        else {
            continue;
        };
        let (Some(host), Some(port)) = (master.first(), master.get(1)) else {
            continue;
        };
        let (Ok(host), Ok(port)) = (
            String::from_redis_value_ref(host),
            u16::from_redis_value_ref(port),
        ) else {
            continue;
        };
        let host = if host.is_empty() {
            asked_host.to_string()
        } else {
            host
        };
        out.push((lo, hi, (host, port)));
    }
    out
}

/// The hash slot of a key (CRC16/XMODEM of the key or of its `{tag}`).
pub fn key_slot(key: &[u8]) -> u16 {
    let hashed = match key.iter().position(|&b| b == b'{') {
        Some(open) => match key[open + 1..].iter().position(|&b| b == b'}') {
            Some(len) if len > 0 => &key[open + 1..open + 1 + len],
            _ => key,
        },
        None => key,
    };
    let mut crc: u16 = 0;
    for &b in hashed {
        crc ^= (b as u16) << 8;
        for _ in 0..8 {
            crc = if crc & 0x8000 != 0 {
                (crc << 1) ^ 0x1021
            } else {
                crc << 1
            };
        }
    }
    crc % 16384
}

#[allow(
    dead_code,
    reason = "the test that includes this file has its own main"
)]
fn main() {
    let seeds: Vec<Node> = std::env::args()
        .skip(1)
        .filter_map(|a| {
            let (h, p) = a.rsplit_once(':')?;
            Some((h.to_string(), p.parse().ok()?))
        })
        .collect();
    if seeds.is_empty() {
        eprintln!("usage: cluster_retry HOST:PORT [HOST:PORT ...]");
        std::process::exit(2);
    }
    let mut cluster = match Cluster::connect(&seeds) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("cannot reach the cluster: {e}");
            std::process::exit(1);
        }
    };
    for i in 0..10 {
        let key = format!("cluster_retry:{i}");
        let set = redis::cmd("SET").arg(&key).arg(i).clone();
        let get = redis::cmd("GET").arg(&key).clone();
        let result = cluster
            .query::<()>(&set, key.as_bytes())
            .and_then(|()| cluster.query::<i64>(&get, key.as_bytes()));
        match result {
            Ok(v) => println!("{key} = {v} (slot {})", key_slot(key.as_bytes())),
            Err(e) => println!("{key}: {} ({e})", e.class().name()),
        }
    }
    println!("events: {:?}", cluster.events);
}
