//! `examples/cluster_retry.rs` against a live three-node cluster (Debian's
//! `redis-server`, or `$REDIS_SERVER`, with `--cluster-enabled yes` on free
//! loopback ports: two masters and a replica): the loop follows redis-py
//! 8.2's reactions through a slot migration (`ASK`, then `MOVED`), a
//! failover (`CLUSTER FAILOVER` on the replica: the demoted master answers
//! `MOVED`) and a slot that loses its owner for a while (`CLUSTERDOWN`, then
//! a slot map without the slot), and every read gets the value. Servers are stopped and their directories removed, also
//! when the test fails.
#![cfg(feature = "redis")]

#[allow(dead_code, reason = "the example's main is not called here")]
#[path = "../examples/cluster_retry.rs"]
mod example;

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

use example::{key_slot, Cluster};

struct Node {
    port: u16,
    child: Child,
}

/// The three servers; dropped, they are killed (by their own handles) and
/// their directory removed.
struct Servers {
    dir: PathBuf,
    nodes: Vec<Node>,
}

impl Drop for Servers {
    fn drop(&mut self) {
        for n in &mut self.nodes {
            let _ = n.child.kill();
            let _ = n.child.wait();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A port nothing listens on, whose cluster bus port (+10000) is free too;
/// in 21000-21999 + 31000-31999, below the ephemeral range.
fn free_port(taken: &[u16]) -> u16 {
    let start = (std::process::id() % 1000) as u16;
    for i in 0..1000u16 {
        let port = 21000 + (start + i * 7) % 1000;
        if taken.contains(&port) {
            continue;
        }
        if TcpListener::bind(("127.0.0.1", port)).is_ok()
            && TcpListener::bind(("127.0.0.1", port + 10000)).is_ok()
        {
            return port;
        }
    }
    panic!("no free loopback port in 21000-21999 with its bus port free")
}

fn raw(port: u16) -> redis::Connection {
    redis::Client::open(format!("redis://127.0.0.1:{port}/"))
        .unwrap()
        .get_connection_with_timeout(Duration::from_secs(2))
        .unwrap_or_else(|e| panic!("connect to 127.0.0.1:{port}: {e}"))
}

fn call(port: u16, args: &[&str]) -> redis::Value {
    let mut cmd = redis::cmd(args[0]);
    for a in &args[1..] {
        cmd.arg(*a);
    }
    cmd.query(&mut raw(port))
        .unwrap_or_else(|e| panic!("{args:?} on {port}: {e}"))
}

fn text(v: redis::Value) -> String {
    redis::from_redis_value(v).unwrap()
}

fn wait_until(what: &str, limit: Duration, mut ok: impl FnMut() -> bool) {
    let deadline = Instant::now() + limit;
    while !ok() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        sleep(Duration::from_millis(50));
    }
}

fn start() -> Servers {
    let server = std::env::var("REDIS_SERVER").unwrap_or_else(|_| "redis-server".into());
    let dir = std::env::temp_dir().join(format!("redis-exc-cluster-retry-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let mut servers = Servers {
        dir: dir.clone(),
        nodes: Vec::new(),
    };
    let mut ports = Vec::new();
    for i in 0..3 {
        let port = free_port(&ports);
        ports.push(port);
        let node_dir = dir.join(format!("n{i}"));
        std::fs::create_dir_all(&node_dir).unwrap();
        let log = std::fs::File::create(node_dir.join("log")).unwrap();
        let child = Command::new(&server)
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args([
                "--cluster-enabled",
                "yes",
                "--cluster-config-file",
                "nodes.conf",
            ])
            .args([
                "--cluster-node-timeout",
                "2000",
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .arg("--dir")
            .arg(&node_dir)
            .stdout(Stdio::from(log.try_clone().unwrap()))
            .stderr(Stdio::from(log))
            .spawn()
            .unwrap_or_else(|e| panic!("{server}: {e} (install redis-server or set REDIS_SERVER)"));
        servers.nodes.push(Node { port, child });
    }
    for &p in &ports {
        wait_until(&format!("PING on {p}"), Duration::from_secs(10), || {
            redis::Client::open(format!("redis://127.0.0.1:{p}/"))
                .and_then(|c| c.get_connection_with_timeout(Duration::from_millis(200)))
                .and_then(|mut c| redis::cmd("PING").query::<String>(&mut c))
                .is_ok()
        });
    }
    // Two masters (0-8191, 8192-16383) and a replica of the second.
    call(ports[0], &["CLUSTER", "ADDSLOTSRANGE", "0", "8191"]);
    call(ports[1], &["CLUSTER", "ADDSLOTSRANGE", "8192", "16383"]);
    for &p in &ports[1..] {
        call(ports[0], &["CLUSTER", "MEET", "127.0.0.1", &p.to_string()]);
    }
    let id1 = text(call(ports[1], &["CLUSTER", "MYID"]));
    wait_until("node 2 to know node 1", Duration::from_secs(30), || {
        text(call(ports[2], &["CLUSTER", "NODES"])).contains(&id1)
    });
    call(ports[2], &["CLUSTER", "REPLICATE", &id1]);
    for &p in &ports {
        wait_until(
            &format!("cluster_state:ok on {p}"),
            Duration::from_secs(30),
            || text(call(p, &["CLUSTER", "INFO"])).contains("cluster_state:ok"),
        );
        wait_until(
            &format!("two slot ranges on {p}"),
            Duration::from_secs(30),
            || matches!(call(p, &["CLUSTER", "SLOTS"]), redis::Value::Array(a) if a.len() == 2),
        );
    }
    wait_until("the replica in sync", Duration::from_secs(30), || {
        text(call(ports[2], &["INFO", "replication"])).contains("master_link_status:up")
    });
    servers
}

fn role(port: u16) -> String {
    match call(port, &["ROLE"]) {
        redis::Value::Array(parts) => text(parts[0].clone()),
        other => panic!("ROLE: {other:?}"),
    }
}

fn get(c: &mut Cluster, key: &str) -> String {
    c.query::<String>(redis::cmd("GET").arg(key), key.as_bytes())
        .unwrap_or_else(|e| panic!("GET {key}: {} {e}; events {:?}", e.py_repr(), c.events))
}

use redis_exceptions::RedisErrorExt;

#[test]
fn the_loop_survives_a_migration_a_failover_and_a_lost_slot_on_a_live_cluster() {
    let servers = start();
    let port = |i: usize| servers.nodes[i].port;
    let id = |i: usize| text(call(port(i), &["CLUSTER", "MYID"]));
    let (id0, id1) = (id(0), id(1));

    let key = "k"; // slot 7629: node 0
    let slot = key_slot(key.as_bytes());
    assert_eq!(slot, 7629);
    let slot_s = slot.to_string();
    let mut c = Cluster::connect(&[("127.0.0.1".to_string(), port(0))]).expect("slot map");
    c.query::<()>(redis::cmd("SET").arg(key).arg("v"), key.as_bytes())
        .expect("SET");
    assert_eq!(get(&mut c, key), "v");
    c.events.clear();

    // A migration from node 0 to node 1, key moved: node 0 answers ASK.
    call(port(1), &["CLUSTER", "SETSLOT", &slot_s, "IMPORTING", &id0]);
    call(port(0), &["CLUSTER", "SETSLOT", &slot_s, "MIGRATING", &id1]);
    let p1 = port(1).to_string();
    call(
        port(0),
        &["MIGRATE", "127.0.0.1", &p1, "", "0", "5000", "KEYS", key],
    );
    assert_eq!(get(&mut c, key), "v");
    assert!(
        c.events.iter().any(|e| e == "AskError -> RedirectAsking"),
        "{:?}",
        c.events
    );
    c.events.clear();

    // The migration ends: node 0 answers MOVED, the slot moves in the map.
    for i in [1, 0] {
        call(port(i), &["CLUSTER", "SETSLOT", &slot_s, "NODE", &id1]);
    }
    assert_eq!(get(&mut c, key), "v");
    assert!(
        c.events.iter().any(|e| e == "MovedError -> Redirect"),
        "{:?}",
        c.events
    );
    assert_eq!(get(&mut c, key), "v");
    c.events.clear();

    // A failover: node 2 takes over from node 1, which the map still names;
    // node 1, now a replica, answers MOVED.
    wait_until("the key on the replica", Duration::from_secs(10), || {
        text(call(port(2), &["INFO", "keyspace"])).contains("keys=1")
    });
    call(port(2), &["CLUSTER", "FAILOVER"]);
    wait_until("node 2 to be a master", Duration::from_secs(30), || {
        role(port(2)) == "master"
    });
    wait_until("node 1 to be a replica", Duration::from_secs(30), || {
        role(port(1)) == "slave"
    });
    c.query::<()>(redis::cmd("SET").arg(key).arg("w"), key.as_bytes())
        .unwrap_or_else(|e| panic!("SET after the failover: {e}; events {:?}", c.events));
    assert_eq!(get(&mut c, key), "w");
    assert!(
        c.events.iter().any(|e| e == "MovedError -> Redirect"),
        "{:?}",
        c.events
    );
    c.events.clear();

    // The slot loses its owner for a while: CLUSTERDOWN (sleep, refresh,
    // retry with backoff), then a map without the slot (SlotNotCoveredError,
    // the same), until node 2 serves it again.
    for i in [2, 0] {
        call(port(i), &["CLUSTER", "DELSLOTS", &slot_s]);
    }
    let back = std::thread::spawn({
        let p = port(2);
        move || {
            sleep(Duration::from_millis(700));
            call(p, &["CLUSTER", "ADDSLOTS", &slot.to_string()]);
        }
    });
    assert_eq!(get(&mut c, key), "w");
    back.join().unwrap();
    assert!(
        c.events.iter().any(|e| e == "ClusterDownError -> Retry"),
        "{:?}",
        c.events
    );
    println!("cluster_retry: events {:?}", c.events);
    drop(servers);
}
