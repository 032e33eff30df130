//! Porting a redis-py `except` chain: `RedisCluster._execute_command`'s
//! retry loop (redis-py 8.1.0, `redis/cluster.py`), shown side by side.
//!
//!     cargo run --example port_from_python
//!
//! The Python, trimmed of logging and metrics:
//!
//! ```python
//! while ttl > 0:
//!     ttl -= 1
//!     try:
//!         if asking:
//!             target_node = self.get_node(node_name=redirect_addr)
//!         elif moved:
//!             target_node = self.nodes_manager.get_node_from_slot(slot)
//!             moved = False
//!         ...
//!         return response
//!     except AuthenticationError:
//!         raise
//!     except MaxConnectionsError:
//!         raise
//!     except (ConnectionError, TimeoutError) as e:
//!         self.nodes_manager.initialize(last_failed_node_name=target_node.name)
//!         raise e
//!     except MovedError as e:
//!         self.nodes_manager.move_slot(e)        # uses e.slot_id, e.host, e.port
//!         moved = True
//!     except TryAgainError:
//!         if ttl < self.RedisClusterRequestTTL / 2:
//!             time.sleep(0.05)
//!     except AskError as e:
//!         redirect_addr = get_node_name(host=e.host, port=e.port)
//!         asking = True
//!     except (ClusterDownError, SlotNotCoveredError):
//!         time.sleep(0.25)
//!         self.nodes_manager.initialize()
//!         raise
//! raise ClusterError("TTL exhausted.")
//! ```
//!
//! Clause order matters exactly as in Python: `AuthenticationError` and
//! `MaxConnectionsError` are subclasses of `ConnectionError` and must come
//! first; `MovedError` is a subclass of `AskError` and must come before it.

use std::collections::VecDeque;

use redis_exceptions::{
    except, parse_error, AskError, AuthenticationError, ClusterDownError, ClusterError,
    ConnectionError, Error, MaxConnectionsError, MovedError, RedisErrorExt, SlotNotCoveredError,
    TimeoutError, TryAgainError,
};

const REQUEST_TTL: u32 = 16;

/// Stands in for the network: each call pops the next scripted reply.
struct Node {
    replies: VecDeque<Result<&'static str, Error>>,
}

impl Node {
    fn execute(&mut self, target: &str) -> Result<String, Error> {
        let reply = self.replies.pop_front().unwrap_or(Ok("OK"));
        reply.map(|r| format!("{r} (from {target})"))
    }
}

fn execute_command(node: &mut Node, slot: u16) -> Result<String, Error> {
    let mut ttl = REQUEST_TTL;
    let mut target = String::from("127.0.0.1:7000");
    let mut redirect_addr: Option<String> = None;
    let mut asking = false;
    let mut moved = false;
    while ttl > 0 {
        ttl -= 1;
        if asking {
            target = redirect_addr.clone().unwrap_or(target);
        } else if moved {
            // get_node_from_slot(slot): the slot table was updated below.
            moved = false;
        }
        let err = match node.execute(&target) {
            Ok(response) => return Ok(response),
            Err(err) => err,
        };
        println!("  slot {slot} on {target}: {}: {err}", err.class().name());
        except!(err,
            AuthenticationError as e => return Err(e.into()),
            MaxConnectionsError as e => return Err(e.into()),
            (ConnectionError, TimeoutError) as e => {
                // nodes_manager.initialize(last_failed_node_name=target)
                return Err(e);
            },
            MovedError as e => {
                // nodes_manager.move_slot(e): the new owner of e.slot_id.
                if let Some(addr) = e.redirect().and_then(|r| r.addr()) {
                    target = addr;
                }
                moved = true;
            },
            TryAgainError => {
                if ttl < REQUEST_TTL / 2 {
                    std::thread::sleep(std::time::Duration::from_millis(50));
                }
            },
            AskError as e => {
                redirect_addr = e.redirect().and_then(|r| r.addr());
                asking = true;
            },
            (ClusterDownError, SlotNotCoveredError) as e => {
                std::thread::sleep(std::time::Duration::from_millis(250));
                return Err(e);
            },
        )?; // anything else: re-raised, as Python's bare `raise` would
    }
    Err(ClusterError::new("TTL exhausted.").into())
}

fn main() {
    let scripts: Vec<(&str, Vec<Result<&'static str, Error>>)> = vec![
        (
            "moved, then try again, then ok",
            vec![
                Err(parse_error("MOVED 3999 127.0.0.1:7001")),
                Err(parse_error(
                    "TRYAGAIN Multiple keys request during rehashing of slot",
                )),
                Ok("OK"),
            ],
        ),
        (
            "ask redirect",
            vec![Err(parse_error("ASK 3999 [::1]:7002")), Ok("OK")],
        ),
        (
            "cluster down",
            vec![Err(parse_error("CLUSTERDOWN The cluster is down"))],
        ),
        (
            "wrong password",
            vec![Err(parse_error("WRONGPASS invalid username-password pair"))],
        ),
        (
            "a plain error is re-raised",
            vec![Err(parse_error("WRONGTYPE Operation against a key"))],
        ),
    ];
    for (what, replies) in scripts {
        println!("{what}:");
        let mut node = Node {
            replies: replies.into(),
        };
        match execute_command(&mut node, 3999) {
            Ok(r) => println!("  -> {r}"),
            Err(e) => println!("  -> raised {} ({})", e.class().name(), e.py_repr()),
        }
    }
}
