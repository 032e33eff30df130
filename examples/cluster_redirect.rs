//! Following `MOVED`/`ASK` redirects the way a cluster client does.
//!
//!     cargo run --example cluster_redirect
//!
//! A toy "cluster" of three nodes answers with redirects until the command
//! reaches the node that owns the slot; the client classifies each reply
//! and follows it, as redis-py's `RedisCluster._execute_command` does.

use std::collections::HashMap;

use redis_exceptions::{
    except, parse_error, AskError, Error, MovedError, RedisErrorExt, TryAgainError,
};

/// The toy cluster: which node serves which slot, and which one is migrating.
struct Cluster {
    owner: HashMap<u16, &'static str>,
    migrating: HashMap<u16, &'static str>,
}

impl Cluster {
    /// A node's reply to a command on `slot`: `Ok` or a server error reply.
    fn call(&self, node: &str, slot: u16, asking: bool) -> Result<String, Error> {
        let owner = self.owner[&slot];
        if let Some(target) = self.migrating.get(&slot) {
            if node == owner {
                return Err(parse_error(&format!("ASK {slot} {target}")));
            }
            if node == *target && asking {
                return Ok(format!("OK from {node} (importing)"));
            }
        }
        if node != owner {
            return Err(parse_error(&format!("MOVED {slot} {owner}")));
        }
        Ok(format!("OK from {node}"))
    }
}

fn execute(cluster: &Cluster, mut node: String, slot: u16) -> Result<String, Error> {
    let mut asking = false;
    for attempt in 1..=5 {
        let err = match cluster.call(&node, slot, asking) {
            Ok(reply) => return Ok(reply),
            Err(err) => err,
        };
        asking = false;
        println!(
            "  attempt {attempt} on {node}: {} {}",
            err.class().name(),
            err
        );
        except!(err,
            MovedError as e => {
                // The slot map is stale: remember the new owner and go there.
                node = e.redirect().and_then(|r| r.addr()).unwrap_or(node);
            },
            AskError as e => {
                // One-off: send ASKING to the target, then the command.
                node = e.redirect().and_then(|r| r.addr()).unwrap_or(node);
                asking = true;
            },
            TryAgainError => std::thread::sleep(std::time::Duration::from_millis(10)),
        )?;
    }
    Err(redis_exceptions::ClusterError::new("TTL exhausted.").into())
}

fn main() {
    let cluster = Cluster {
        owner: HashMap::from([(3999, "10.0.0.2:7001"), (12182, "[::1]:7002")]),
        migrating: HashMap::from([(12182, "10.0.0.3:7003")]),
    };
    for slot in [3999, 12182] {
        println!("slot {slot}:");
        match execute(&cluster, "10.0.0.1:7000".into(), slot) {
            Ok(reply) => println!("  -> {reply}"),
            Err(e) => println!("  -> failed: {}", e.py_repr()),
        }
    }
}
