//! How each captured scenario is provoked on a live server.
//!
//! Mirrors /work/shared/live/capture.py (the script that produced the
//! fixture): the same server groups and options, the same setup commands and
//! probes, in the same order within a group (later scenarios depend on the
//! state earlier ones leave behind). The table [`SPECS`] maps scenario name ->
//! (server group, setup steps, probe, clean-up steps); the few scenarios that
//! need concurrency or timing (blocked clients, busy scripts, reloads) use a
//! `Custom` probe function.
//!
//! Arguments of the form `$name` are replaced by values the group computed at
//! start (ports, cluster keys and node ids, binary payloads). Connections are
//! named `"<server>"` or `"<server>/<label>"`; each name is one lazily opened
//! TCP connection to that server.

use crate::resp::{self, decode, info_field, Conn, Res};
use crate::servers::{self, free_port, wait_for, Kind, Ready, Server, TempDir};
use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

// ---------------------------------------------------------------------------
// groups
// ---------------------------------------------------------------------------

#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash, PartialOrd, Ord)]
pub enum Group {
    Main,
    Auth,
    Oom,
    Replication,
    MaxClients,
    Busy,
    Loading,
    Misconf,
    Cluster,
}

pub const GROUPS: &[Group] = &[
    Group::Main,
    Group::Auth,
    Group::Oom,
    Group::Replication,
    Group::MaxClients,
    Group::Busy,
    Group::Loading,
    Group::Misconf,
    Group::Cluster,
];

impl Group {
    pub fn name(self) -> &'static str {
        match self {
            Group::Main => "main",
            Group::Auth => "auth",
            Group::Oom => "oom",
            Group::Replication => "replication",
            Group::MaxClients => "maxclients",
            Group::Busy => "busy",
            Group::Loading => "loading",
            Group::Misconf => "misconf",
            Group::Cluster => "cluster",
        }
    }

    /// Starts the group's servers (of kind `kind`) and computes its `$vars`.
    fn init(self, kind: &'static Kind) -> Res<Ctx> {
        let mut ctx = Ctx::new(kind, self.name())?;
        match self {
            Group::Main => {
                ctx.start(
                    "main",
                    &[
                        "--enable-debug-command",
                        "local",
                        "--enable-module-command",
                        "local",
                    ],
                )?;
                // Sparse HLL whose opcodes cover 1 register instead of 16384,
                // cached cardinality marked invalid (capture.py: bad_hll).
                let mut bad = b"HYLL\x01\x00\x00\x00".to_vec();
                bad.extend_from_slice(&[0; 7]);
                bad.extend_from_slice(b"\x80\x00");
                ctx.set_var("bad_hll", bad);
                // MIGRATE target: a loopback port nothing listens on.
                let closed = free_port()?;
                ctx.set_var("closed_port", closed.to_string().into_bytes());
            }
            Group::Auth => {
                ctx.start("auth", &["--requirepass", AUTH_PASS])?;
            }
            Group::Oom => {
                ctx.start(
                    "oom",
                    &["--maxmemory", "1mb", "--maxmemory-policy", "noeviction"],
                )?;
                ctx.set_var("big", vec![b'x'; 2 * 1024 * 1024]);
                // Open both connections before anything else, like capture.py.
                ctx.conn("oom/a")?;
                ctx.conn("oom/b")?;
            }
            Group::Replication => {
                let m = ctx
                    .start("master", &["--repl-diskless-sync-delay", "0"])?
                    .to_string();
                ctx.start("replica", &["--replicaof", "127.0.0.1", &m])?;
                ctx.start(
                    "nostale",
                    &[
                        "--replicaof",
                        "127.0.0.1",
                        &m,
                        "--replica-serve-stale-data",
                        "no",
                    ],
                )?;
                for r in ["replica", "nostale"] {
                    wait_link(&mut ctx, r, "up")?;
                }
            }
            Group::MaxClients => {
                ctx.start_with("maxclients", &["--maxclients", "1"], false, Ready::Log)?;
            }
            Group::Busy => {
                ctx.start("busy", &["--busy-reply-threshold", "100"])?;
            }
            Group::Loading => {
                ctx.start("loading", &["--enable-debug-command", "local"])?;
            }
            Group::Misconf => {
                ctx.start("misconf", &[])?;
            }
            Group::Cluster => init_cluster(&mut ctx)?,
        }
        Ok(ctx)
    }
}

pub const AUTH_PASS: &str = "secretpass";

// ---------------------------------------------------------------------------
// context
// ---------------------------------------------------------------------------

/// Per-group state. Field order is drop order: connections, then servers
/// (SIGTERM/SIGKILL), then the temporary directory.
pub struct Ctx {
    kind: &'static Kind,
    conns: HashMap<String, Conn>,
    servers: BTreeMap<String, Server>,
    vars: HashMap<String, Vec<u8>>,
    /// Setup-step transcript of the current scenario (for diagnostics).
    pub transcript: Vec<String>,
    base: TempDir,
}

impl Ctx {
    fn new(kind: &'static Kind, label: &str) -> Res<Ctx> {
        Ok(Ctx {
            kind,
            conns: HashMap::new(),
            servers: BTreeMap::new(),
            vars: HashMap::new(),
            transcript: Vec::new(),
            base: TempDir::new(&format!("{}-{label}", kind.name))?,
        })
    }

    fn start(&mut self, name: &str, extra: &[&str]) -> Res<u16> {
        self.start_with(name, extra, false, Ready::Ping)
    }

    fn start_with(&mut self, name: &str, extra: &[&str], cluster: bool, ready: Ready) -> Res<u16> {
        let extra: Vec<String> = extra.iter().map(|s| s.to_string()).collect();
        let srv = Server::start(self.kind, self.base.path(), name, &extra, cluster, ready)?;
        let port = srv.port;
        self.servers.insert(name.to_string(), srv);
        Ok(port)
    }

    pub fn server(&mut self, name: &str) -> Res<&mut Server> {
        self.servers
            .get_mut(name)
            .ok_or_else(|| format!("no server named {name:?}"))
    }

    pub fn port(&self, server: &str) -> Res<u16> {
        self.servers
            .get(server)
            .map(|s| s.port)
            .ok_or_else(|| format!("no server named {server:?}"))
    }

    pub fn set_var(&mut self, k: &str, v: Vec<u8>) {
        self.vars.insert(k.to_string(), v);
    }

    pub fn var(&self, k: &str) -> Res<&[u8]> {
        self.vars
            .get(k)
            .map(|v| v.as_slice())
            .ok_or_else(|| format!("no ${k} (an earlier step failed?)"))
    }

    /// The named connection, opened on first use.
    pub fn conn(&mut self, name: &str) -> Res<&mut Conn> {
        if !self.conns.contains_key(name) {
            let server = name.split('/').next().unwrap_or(name);
            let c = Conn::connect(self.port(server)?)?;
            self.conns.insert(name.to_string(), c);
        }
        Ok(self.conns.get_mut(name).expect("just inserted"))
    }

    pub fn close(&mut self, name: &str) {
        self.conns.remove(name);
    }

    /// `$var` substitution (a lone `$` is literal, e.g. XGROUP's `$`).
    pub fn subst(&self, args: &[&str]) -> Res<Vec<Vec<u8>>> {
        args.iter()
            .map(|a| match a.strip_prefix('$') {
                Some(v) if !v.is_empty() => self.var(v).map(|b| b.to_vec()),
                _ => Ok(a.as_bytes().to_vec()),
            })
            .collect()
    }

    /// Sends `args` (after substitution) on connection `conn`, returns the raw reply.
    pub fn cmd(&mut self, conn: &str, args: &[&str]) -> Res<Vec<u8>> {
        let a = self.subst(args)?;
        let refs: Vec<&[u8]> = a.iter().map(|v| v.as_slice()).collect();
        let reply = self
            .conn(conn)?
            .call(&refs)
            .map_err(|e| format!("{} on {conn}: {e}", shown(args)))?;
        self.transcript.push(format!(
            "[{conn}] {} -> {}",
            shown(args),
            trunc(&resp::escape(&reply), 100)
        ));
        Ok(reply)
    }

    fn send(&mut self, conn: &str, args: &[&str]) -> Res<()> {
        let a = self.subst(args)?;
        let refs: Vec<&[u8]> = a.iter().map(|v| v.as_slice()).collect();
        self.transcript
            .push(format!("[{conn}] {} -> (reply pending)", shown(args)));
        self.conn(conn)?.send(&refs)
    }

    fn run_step(&mut self, step: &Step) -> Res<()> {
        match step {
            Step::Cmd(conn, args) => self.cmd(conn, args).map(|_| ()),
            Step::Do(f) => f(self),
        }
    }

    fn run_probe(&mut self, probe: &Probe) -> Res<Vec<u8>> {
        match probe {
            Probe::Cmd(conn, args) => self.cmd(conn, args),
            Probe::RawUntilClose(server, req) => {
                let mut c = Conn::connect(self.port(server)?)?;
                c.send_raw(req)?;
                Ok(c.read_until_close(Duration::from_secs(3)))
            }
            Probe::Custom(f) => f(self),
        }
    }
}

fn shown(args: &[&str]) -> String {
    args.iter()
        .map(|a| trunc(a, 60))
        .collect::<Vec<_>>()
        .join(" ")
}

fn trunc(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        format!("{}...", s.chars().take(n).collect::<String>())
    }
}

// ---------------------------------------------------------------------------
// the table
// ---------------------------------------------------------------------------

pub enum Step {
    /// (connection, command)
    Cmd(&'static str, &'static [&'static str]),
    /// Anything else (stop a server, remove a directory, wait for a state).
    Do(fn(&mut Ctx) -> Res<()>),
}

pub enum Probe {
    /// (connection, command): the reply to this command is the scenario's reply.
    Cmd(&'static str, &'static [&'static str]),
    /// Raw request bytes on a fresh connection to that server; the reply is
    /// everything received until the server closes the connection.
    RawUntilClose(&'static str, &'static [u8]),
    /// Provoked by code (concurrency, timing).
    Custom(fn(&mut Ctx) -> Res<Vec<u8>>),
}

pub struct Spec {
    pub name: &'static str,
    pub group: Group,
    pub setup: &'static [Step],
    pub probe: Probe,
    /// Clean-up run after the probe (state later scenarios rely on).
    pub after: &'static [Step],
}

const fn on(
    name: &'static str,
    group: Group,
    conn: &'static str,
    cmd: &'static [&'static str],
) -> Spec {
    Spec {
        name,
        group,
        setup: &[],
        probe: Probe::Cmd(conn, cmd),
        after: &[],
    }
}

const fn custom(name: &'static str, group: Group, f: fn(&mut Ctx) -> Res<Vec<u8>>) -> Spec {
    Spec {
        name,
        group,
        setup: &[],
        probe: Probe::Custom(f),
        after: &[],
    }
}

impl Spec {
    const fn setup(mut self, s: &'static [Step]) -> Spec {
        self.setup = s;
        self
    }
    const fn after(mut self, a: &'static [Step]) -> Spec {
        self.after = a;
        self
    }
}

use Group::*;
use Step::{Cmd as C, Do};

#[rustfmt::skip]
/// `resetchannels`: Redis 6.2's `reset` keeps `allchannels`, and then refuses `&allowed:*`.
const ACL_LIMITED: &[&str] = &[
    "ACL", "SETUSER", "limited", "reset", "resetchannels", "on", ">limitedpass", "~allowed:*", "&allowed:*", "+get", "+publish",
];
const SPIN8: &str = "local s = tonumber(redis.call('TIME')[1]) local i = 0 while tonumber(redis.call('TIME')[1]) - s < 8 and i < 2000000000 do i = i + 1 end return i";
const WSPIN4: &str = "redis.call('set', KEYS[1], '1') local s = tonumber(redis.call('TIME')[1]) local i = 0 while tonumber(redis.call('TIME')[1]) - s < 4 and i < 2000000000 do i = i + 1 end return i";
const SPINLIB: &str = "#!lua name=spinlib\nredis.register_function{function_name='spin', callback=function(keys, args) local s = tonumber(redis.call('TIME')[1]) local i = 0 while tonumber(redis.call('TIME')[1]) - s < 8 and i < 2000000000 do i = i + 1 end return i end, flags={'no-writes'}}";

/// Scenario name -> how to provoke it. Order within a group matters.
#[rustfmt::skip]
pub const SPECS: &[Spec] = &[
    // ----- main: default config + enable-debug-command/enable-module-command local
    on("standalone/wrongtype", Main, "main", &["LPUSH", "wt:str", "x"]).setup(&[C("main", &["SET", "wt:str", "v"])]),
    on("standalone/unknown_command", Main, "main", &["FOOBAR", "a", "b"]),
    on("standalone/wrong_number_of_args", Main, "main", &["GET"]),
    on("standalone/syntax_error", Main, "main", &["SET", "k", "v", "NX", "XX"]),
    on("standalone/noscript", Main, "main", &["EVALSHA", "ffffffffffffffffffffffffffffffffffffffff", "0"]),
    on("standalone/execabort", Main, "main", &["EXEC"]).setup(&[C("main", &["MULTI"]), C("main", &["FOOBAR"])]),
    on("standalone/exec_without_multi", Main, "main", &["EXEC"]),
    on("standalone/not_an_integer", Main, "main", &["INCR", "ni:str"]).setup(&[C("main", &["SET", "ni:str", "abc"])]),
    on("standalone/auth_no_password_configured", Main, "main", &["AUTH", "somepass"]),
    on("standalone/auth_too_many_args", Main, "main", &["AUTH", "a", "b", "c"]),
    on("standalone/auth_no_args", Main, "main", &["AUTH"]),
    on("standalone/auth_user_pass_no_password_configured", Main, "main", &["AUTH", "default", "somepass"]),
    on("standalone/noperm_command", Main, "main/limited", &["SET", "allowed:k", "v"])
        .setup(&[C("main", ACL_LIMITED), C("main/limited", &["AUTH", "limited", "limitedpass"])]),
    on("standalone/noperm_key", Main, "main/limited", &["GET", "other:k"]),
    on("standalone/noperm_channel", Main, "main/limited", &["PUBLISH", "other:chan", "hi"]),
    on("standalone/notbusy", Main, "main", &["SCRIPT", "KILL"]),
    on("standalone/notbusy_function_kill", Main, "main", &["FUNCTION", "KILL"]),
    on("standalone/module_load_missing", Main, "main", &["MODULE", "LOAD", "no-such-module.so"]),
    on("standalone/module_unload_missing", Main, "main", &["MODULE", "UNLOAD", "no-such-module"]),
    on("standalone/unknown_subcommand", Main, "main", &["CLIENT", "FOO"]),
    on("standalone/select_out_of_range", Main, "main", &["SELECT", "99"]),
    on("standalone/cluster_support_disabled", Main, "main", &["CLUSTER", "INFO"]),
    on("standalone/discard_without_multi", Main, "main", &["DISCARD"]),
    on("standalone/multi_nested", Main, "main", &["MULTI"])
        .setup(&[C("main", &["MULTI"])])
        .after(&[C("main", &["DISCARD"])]),
    on("standalone/watch_inside_multi", Main, "main", &["WATCH", "w"])
        .setup(&[C("main", &["MULTI"])])
        .after(&[C("main", &["DISCARD"])]),
    on("standalone/exec_with_runtime_error", Main, "main", &["EXEC"]).setup(&[
        C("main", &["DEL", "txr:str"]),
        C("main", &["MULTI"]),
        C("main", &["SET", "txr:str", "v"]),
        C("main", &["LPUSH", "txr:str", "x"]),
    ]),
    on("standalone/exec_denied_by_acl", Main, "main/acl1", &["EXEC"])
        .setup(&[C("main/acl1", &["AUTH", "limited", "limitedpass"]), C("main/acl1", &["MULTI"])]),
    on("standalone/exec_noperm_acl_changed", Main, "main/acl2", &["EXEC"])
        .setup(&[
            C("main", &["ACL", "SETUSER", "limited", "+multi", "+exec"]),
            C("main/acl2", &["AUTH", "limited", "limitedpass"]),
            C("main/acl2", &["MULTI"]),
            C("main/acl2", &["GET", "allowed:k"]),
            C("main", &["ACL", "SETUSER", "limited", "-get"]),
        ])
        .after(&[C("main", &["ACL", "SETUSER", "limited", "+get", "-multi", "-exec"])]),
    on("standalone/noproto", Main, "main", &["HELLO", "4"]),
    on("standalone/busygroup", Main, "main", &["XGROUP", "CREATE", "xs", "g1", "$", "MKSTREAM"])
        .setup(&[C("main", &["XGROUP", "CREATE", "xs", "g1", "$", "MKSTREAM"])]),
    on("standalone/nogroup", Main, "main", &["XREADGROUP", "GROUP", "nog", "c1", "STREAMS", "xs", ">"]),
    on("standalone/busykey", Main, "main", &["RESTORE", "bk", "0", "$dump"])
        .setup(&[C("main", &["SET", "bk", "v"]), Do(dump_bk)]),
    on("standalone/wrongtype_hyperloglog", Main, "main", &["PFADD", "hll:str", "a"])
        .setup(&[C("main", &["SET", "hll:str", "not-an-hll"])]),
    on("standalone/invalidobj_hyperloglog", Main, "main", &["PFCOUNT", "hll:bad"])
        .setup(&[C("main", &["SET", "hll:bad", "$bad_hll"])]),
    on("standalone/ioerr_migrate", Main, "main", &["MIGRATE", "127.0.0.1", "$closed_port", "mig:k", "0", "1000"])
        .setup(&[C("main", &["SET", "mig:k", "v"])]),
    on("standalone/noreplicas", Main, "main", &["SET", "nr:k", "v"])
        .setup(&[C("main", &["CONFIG", "SET", "min-replicas-to-write", "1"])])
        .after(&[C("main", &["CONFIG", "SET", "min-replicas-to-write", "0"])]),
    custom("standalone/unblocked_client_unblock", Main, unblocked),
    on("standalone/subscribed_context", Main, "main/sub", &["GET", "x"]).setup(&[C("main/sub", &["SUBSCRIBE", "ch"])]),
    Spec {
        name: "standalone/protocol_error_invalid_bulk_length",
        group: Main,
        setup: &[],
        probe: Probe::RawUntilClose("main", b"*1\r\n$abc\r\n"),
        after: &[],
    },
    on("standalone/script_runtime_error", Main, "main", &["EVAL", "return redis.call('nosuchcommand')", "0"]),
    on("standalone/script_compile_error", Main, "main", &["EVAL", "return +", "0"]),
    on("standalone/script_wrongtype_inside_script", Main, "main", &["EVAL", "return redis.call('lpush', KEYS[1], 'x')", "1", "wt:str"]),
    on("standalone/script_error_reply_custom_code", Main, "main", &["EVAL", "return redis.error_reply('MYCODE custom message')", "0"]),
    on("standalone/script_error_reply_no_code", Main, "main", &["EVAL", "return redis.error_reply('just some words')", "0"]),
    on("standalone/script_error_reply_malformed_moved", Main, "main", &["EVAL", "return redis.error_reply('MOVED not-a-slot')", "0"]),
    on("standalone/script_error_reply_max_clients_text", Main, "main", &["EVAL", "return redis.error_reply('ERR max number of clients reached')", "0"]),
    on("standalone/debug_error_loading_text", Main, "main", &["DEBUG", "ERROR", "LOADING fake loading text"]),
    // ----- auth: requirepass; every probe on a fresh, unauthenticated connection
    on("standalone/noauth", Auth, "auth/1", &["GET", "foo"]),
    on("standalone/noauth_hello", Auth, "auth/2", &["HELLO", "3"]),
    on("standalone/wrongpass", Auth, "auth/3", &["AUTH", "wrongpass"]),
    on("standalone/wrongpass_user_form", Auth, "auth/4", &["AUTH", "default", "wrongpass"]),
    on("standalone/wrongpass_hello", Auth, "auth/5", &["HELLO", "3", "AUTH", "default", "wrongpass"]),
    on("standalone/unknown_command_before_auth", Auth, "auth/6", &["FOOBAR"]),
    Spec {
        name: "standalone/protocol_error_unauthenticated_multibulk",
        group: Auth,
        setup: &[],
        probe: Probe::RawUntilClose("auth", b"*20\r\n"),
        after: &[],
    },
    // ----- oom: maxmemory 1mb noeviction (DEBUG / MODULE disabled)
    on("standalone/oom", Oom, "oom/b", &["SET", "oom:big", "$big"])
        .setup(&[C("oom/a", &["MULTI"]), C("oom/a", &["SET", "tx:a", "1"])]),
    on("standalone/execabort_oom", Oom, "oom/a", &["EXEC"]).setup(&[C("oom/b", &["CONFIG", "SET", "maxmemory", "512kb"])]),
    on("standalone/oom_small_write_over_limit", Oom, "oom/b", &["SET", "oom:small", "v"])
        .after(&[C("oom/b", &["CONFIG", "SET", "maxmemory", "1mb"])]),
    on("standalone/debug_command_not_allowed", Oom, "oom/b", &["DEBUG", "SLEEP", "0"]),
    on("standalone/module_command_not_allowed", Oom, "oom/b", &["MODULE", "LOAD", "no-such-module.so"]),
    // ----- replication: master + replica + replica with replica-serve-stale-data no
    on("standalone/readonly", Replication, "replica", &["SET", "foo", "bar"]),
    on("standalone/readonly_script_with_write_flag", Replication, "replica", &["EVAL", "#!lua\nreturn 1", "0"]),
    on("standalone/readonly_inside_legacy_script", Replication, "replica", &["EVAL", "return redis.call('set', KEYS[1], 'v')", "1", "foo"]),
    // Valkey (8.0 and newer): a client that announced `CLIENT CAPA redirect`
    // gets `REDIRECT host:port` (the primary) for a write on a replica;
    // Redis answers the CAPA with an error and the write with READONLY.
    on("standalone/redirect_after_client_capa", Replication, "replica/capa", &["SET", "foo", "bar"])
        .setup(&[C("replica/capa", &["CLIENT", "CAPA", "redirect"])]),
    on("standalone/masterdown", Replication, "nostale", &["GET", "foo"]).setup(&[Do(stop_master)]),
    on("standalone/masterdown_script", Replication, "nostale", &["EVAL", "#!lua flags=no-writes\nreturn 1", "0"]),
    on("standalone/nomasterlink_sync", Replication, "replica", &["SYNC"]),
    // ----- maxclients 1
    custom("standalone/max_clients", MaxClients, max_clients),
    // ----- busy-reply-threshold 100 ms
    custom("standalone/busy_script", Busy, busy_script),
    custom("standalone/script_killed", Busy, script_killed),
    custom("standalone/busy_function", Busy, busy_function),
    custom("standalone/function_killed", Busy, function_killed),
    custom("standalone/unkillable", Busy, unkillable),
    // ----- loading (DEBUG RELOAD of a populated dataset)
    custom("standalone/loading", Loading, loading),
    // ----- misconf (BGSAVE failed, stop-writes-on-bgsave-error yes)
    on("standalone/misconf", Misconf, "misconf", &["SET", "k", "v"])
        .setup(&[C("misconf", &["CONFIG", "SET", "save", "3600 1"]), Do(break_bgsave)]),
    on("standalone/misconf_ping", Misconf, "misconf", &["PING"]).after(&[C("misconf", &["CONFIG", "SET", "save", ""])]),
    // ----- cluster: 3 masters (redis-cli --cluster create) + one fresh node
    on("cluster/moved", Cluster, "n1", &["GET", "$k_far"]).setup(&[C("n3", &["SET", "$k_far", "bar"])]),
    on("cluster/crossslot", Cluster, "n1", &["MSET", "$ka", "1", "$kb", "2"]),
    on("cluster/crossslot_other_node", Cluster, "n1", &["MGET", "$ka", "$k_x"]),
    on("cluster/select_not_allowed", Cluster, "n1", &["SELECT", "1"]),
    on("cluster/execabort_after_moved", Cluster, "n1", &["EXEC"]).setup(&[C("n1", &["MULTI"]), C("n1", &["GET", "$k_far"])]),
    on("cluster/ask", Cluster, "n1", &["GET", "$k_missing"]).setup(&[
        C("n1", &["SET", "$k_present", "v"]),
        C("n2", &["CLUSTER", "SETSLOT", "$s_mig", "IMPORTING", "$id_n1"]),
        C("n1", &["CLUSTER", "SETSLOT", "$s_mig", "MIGRATING", "$id_n2"]),
    ]),
    on("cluster/tryagain", Cluster, "n1", &["MGET", "$k_present", "$k_missing"]),
    on("cluster/ask_multikey_all_missing", Cluster, "n1", &["MGET", "$k_missing", "$k_missing2"]),
    on("cluster/moved_from_importing_node", Cluster, "n2", &["GET", "$k_present"]),
    on("cluster/tryagain_on_importing_node", Cluster, "n2", &["MGET", "$k_missing", "$k_missing2"])
        .setup(&[C("n2", &["ASKING"])])
        .after(&[C("n2", &["CLUSTER", "SETSLOT", "$s_mig", "STABLE"]), C("n1", &["CLUSTER", "SETSLOT", "$s_mig", "STABLE"])]),
    on("cluster/clusterdown_fresh_node", Cluster, "fresh", &["GET", "foo"]),
    custom("cluster/clusterdown_blocked_client", Cluster, clusterdown_blocked_client),
    on("cluster/clusterdown_state_fail", Cluster, "n1", &["GET", "$k_served"]),
    on("cluster/clusterdown_slot_not_served", Cluster, "n1", &["GET", "$k_gone"]),
    on("cluster/clusterdown_readonly", Cluster, "n1", &["SET", "$k_served", "w"])
        .setup(&[C("n1", &["CONFIG", "SET", "cluster-allow-reads-when-down", "yes"])])
        .after(&[C("n1", &["CONFIG", "SET", "cluster-allow-reads-when-down", "no"])]),
];

// ---------------------------------------------------------------------------
// custom steps and probes
// ---------------------------------------------------------------------------

fn dump_bk(ctx: &mut Ctx) -> Res<()> {
    let raw = ctx.cmd("main", &["DUMP", "bk"])?;
    let payload = decode(&raw)?.bulk()?.to_vec();
    ctx.set_var("dump", payload);
    Ok(())
}

/// BLPOP on one connection, CLIENT UNBLOCK <id> ERROR from another.
fn unblocked(ctx: &mut Ctx) -> Res<Vec<u8>> {
    let id = decode(&ctx.cmd("main/blocked", &["CLIENT", "ID"])?)?.int()?;
    ctx.send("main/blocked", &["BLPOP", "ub:empty", "10"])?;
    // Wait (bounded) until the server reports the client as blocked.
    wait_for(
        "BLPOP to block",
        Duration::from_secs(5),
        Duration::from_millis(20),
        || {
            let raw = ctx.cmd("main", &["CLIENT", "LIST", "ID", &id.to_string()])?;
            Ok(decode(&raw)?.bulk_str()?.contains("cmd=blpop"))
        },
    )?;
    let un = ctx.cmd("main", &["CLIENT", "UNBLOCK", &id.to_string(), "ERROR"])?;
    if un != b":1\r\n" {
        return Err(format!("CLIENT UNBLOCK replied {}", resp::escape(&un)));
    }
    let r = ctx.conn("main/blocked")?.read_reply();
    ctx.close("main/blocked");
    r
}

fn max_clients(ctx: &mut Ctx) -> Res<Vec<u8>> {
    let port = ctx.port("maxclients")?;
    // Take the only client slot.
    let mut holder = None;
    wait_for(
        "the maxclients server to answer PING",
        Duration::from_secs(10),
        Duration::from_millis(50),
        || {
            let mut c = Conn::connect(port)?;
            let r = c.call_str(&["PING"])?;
            if r == b"+PONG\r\n" {
                holder = Some(c);
                return Ok(true);
            }
            Ok(false)
        },
    )?;
    let mut second = Conn::connect(port)?;
    let reply = second.read_until_close(Duration::from_secs(3));
    drop(holder);
    Ok(reply)
}

/// Probe on connection B until the reply starts with `want` (the server
/// only turns busy once the script on A has run for busy-reply-threshold).
fn probe_until(ctx: &mut Ctx, conn: &str, args: &[&str], want: &[u8]) -> Res<Vec<u8>> {
    let mut last = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(3);
    for _ in 0..30 {
        std::thread::sleep(Duration::from_millis(150));
        last = ctx.cmd(conn, args)?;
        if last.starts_with(want) || Instant::now() > deadline {
            break;
        }
    }
    Ok(last)
}

/// Spin on A, GET from B (BUSY), kill from B, A gets the "killed" error.
fn run_busy(ctx: &mut Ctx, start: &[&str], kill: &[&str], killed_var: &str) -> Res<Vec<u8>> {
    ctx.conn("busy/a")?.set_timeout(Duration::from_secs(20))?;
    ctx.conn("busy/b")?;
    ctx.send("busy/a", start)?;
    let reply = probe_until(ctx, "busy/b", &["GET", "foo"], b"-BUSY")?;
    let kill_reply = probe_until(ctx, "busy/b", kill, b"+OK")?;
    let a_reply = ctx.conn("busy/a")?.read_reply()?;
    ctx.transcript
        .push(format!("[busy/a] -> {}", resp::escape(&a_reply)));
    if kill_reply != b"+OK\r\n" {
        return Err(format!(
            "{} replied {}",
            kill.join(" "),
            resp::escape(&kill_reply)
        ));
    }
    ctx.set_var(killed_var, a_reply);
    Ok(reply)
}

fn busy_script(ctx: &mut Ctx) -> Res<Vec<u8>> {
    run_busy(
        ctx,
        &["EVAL", SPIN8, "0"],
        &["SCRIPT", "KILL"],
        "script_killed",
    )
}

fn busy_function(ctx: &mut Ctx) -> Res<Vec<u8>> {
    let load = ctx.cmd("busy", &["FUNCTION", "LOAD", "REPLACE", SPINLIB])?;
    if load.starts_with(b"-") {
        // A server without functions (Redis 6.2): its refusal is the reply.
        return Ok(load);
    }
    if load != b"$7\r\nspinlib\r\n" {
        return Err(format!("FUNCTION LOAD replied {}", resp::escape(&load)));
    }
    run_busy(
        ctx,
        &["FCALL", "spin", "0"],
        &["FUNCTION", "KILL"],
        "function_killed",
    )
}

fn script_killed(ctx: &mut Ctx) -> Res<Vec<u8>> {
    take_var(ctx, "script_killed")
}

fn function_killed(ctx: &mut Ctx) -> Res<Vec<u8>> {
    take_var(ctx, "function_killed")
}

fn take_var(ctx: &mut Ctx, k: &str) -> Res<Vec<u8>> {
    ctx.vars
        .remove(k)
        .ok_or_else(|| format!("no reply stored in ${k}: the busy probe before it failed"))
}

/// A script that wrote before spinning cannot be killed.
fn unkillable(ctx: &mut Ctx) -> Res<Vec<u8>> {
    ctx.conn("busy/a")?.set_timeout(Duration::from_secs(20))?;
    ctx.send("busy/a", &["EVAL", WSPIN4, "1", "uk"])?;
    let reply = probe_until(ctx, "busy/b", &["SCRIPT", "KILL"], b"-UNKILLABLE")?;
    ctx.conn("busy/a")?.read_reply()?; // the script ends by itself (4 s)
    Ok(reply)
}

/// GET from connection B while DEBUG RELOAD (save + reload of a populated
/// dataset) runs on connection A. Up to 5 attempts.
fn loading(ctx: &mut Ctx) -> Res<Vec<u8>> {
    const KEYS: &str = "1000000";
    let port = ctx.port("loading")?;
    let mut c = Conn::connect_timeout(port, Duration::from_secs(120))?;
    let pop = c.call_str(&["DEBUG", "POPULATE", KEYS])?;
    ctx.transcript
        .push(format!("DEBUG POPULATE {KEYS} -> {}", resp::escape(&pop)));
    let mut last = Vec::new();
    for attempt in 0..5u64 {
        let mut a = Conn::connect_timeout(port, Duration::from_secs(120))?;
        let mut b = Conn::connect_timeout(port, Duration::from_secs(120))?;
        a.send(&[b"DEBUG", b"RELOAD"])?;
        std::thread::sleep(Duration::from_millis(50 + 50 * attempt));
        last = b.call(&[b"GET", b"foo"])?;
        let r = a.read_reply()?;
        ctx.transcript.push(format!(
            "attempt {attempt}: GET -> {}, DEBUG RELOAD -> {}",
            resp::escape(&last),
            resp::escape(&r)
        ));
        if last.starts_with(b"-LOADING") {
            break;
        }
    }
    Ok(last)
}

fn wait_link(ctx: &mut Ctx, replica: &str, want: &str) -> Res<()> {
    let port = ctx.port(replica)?;
    wait_for(
        &format!("{replica} master_link_status:{want}"),
        Duration::from_secs(30),
        Duration::from_millis(100),
        || {
            let mut c = Conn::connect(port)?;
            Ok(info_field(&mut c, "replication", "master_link_status")?.as_deref() == Some(want))
        },
    )
}

fn stop_master(ctx: &mut Ctx) -> Res<()> {
    ctx.server("master")?.stop();
    ctx.transcript.push("(master stopped)".into());
    for r in ["replica", "nostale"] {
        wait_link(ctx, r, "down")?;
    }
    Ok(())
}

/// Remove the server's --dir, BGSAVE, wait until it failed.
fn break_bgsave(ctx: &mut Ctx) -> Res<()> {
    let dir = ctx.server("misconf")?.dir.clone();
    if !dir.starts_with(ctx.base.path()) || !dir.ends_with("misconf") {
        return Err(format!("refusing to remove {}", dir.display()));
    }
    std::fs::remove_dir_all(&dir).map_err(|e| format!("rm -r {}: {e}", dir.display()))?;
    ctx.transcript.push("(server --dir removed)".into());
    ctx.cmd("misconf", &["BGSAVE"])?;
    let port = ctx.port("misconf")?;
    wait_for(
        "BGSAVE to fail",
        Duration::from_secs(20),
        Duration::from_millis(50),
        || {
            let mut c = Conn::connect(port)?;
            Ok(
                info_field(&mut c, "persistence", "rdb_bgsave_in_progress")?.as_deref()
                    == Some("0")
                    && info_field(&mut c, "persistence", "rdb_last_bgsave_status")?.as_deref()
                        == Some("err"),
            )
        },
    )
}

// ---------------------------------------------------------------------------
// cluster
// ---------------------------------------------------------------------------

fn cluster_state(port: u16) -> Res<String> {
    let mut c = Conn::connect(port)?;
    let txt = decode(&c.call_str(&["CLUSTER", "INFO"])?)?.bulk_str()?;
    Ok(txt
        .lines()
        .find_map(|l| l.strip_prefix("cluster_state:"))
        .unwrap_or("")
        .trim()
        .to_string())
}

fn init_cluster(ctx: &mut Ctx) -> Res<()> {
    let args = [
        "--cluster-enabled",
        "yes",
        "--cluster-config-file",
        "nodes.conf",
        "--cluster-node-timeout",
        "5000",
    ];
    let mut ports = Vec::new();
    for n in ["n1", "n2", "n3", "fresh"] {
        ports.push(ctx.start_with(n, &args, true, Ready::Ping)?);
    }
    let (_, cli) = ctx.kind.binaries();
    let mut cli_args: Vec<String> = vec!["--cluster".into(), "create".into()];
    cli_args.extend(ports[..3].iter().map(|p| format!("127.0.0.1:{p}")));
    cli_args.extend(["--cluster-replicas", "0", "--cluster-yes"].map(String::from));
    let out_file = ctx.base.path().join("logs").join("cluster-create.log");
    let (ok, out) = servers::run_bounded(&cli, &cli_args, &out_file, Duration::from_secs(60))?;
    if !ok {
        return Err(format!("{} --cluster create failed:\n{out}", cli.display()));
    }
    for &p in &ports[..3] {
        wait_for(
            &format!("cluster_state:ok on {p}"),
            Duration::from_secs(30),
            Duration::from_millis(100),
            || Ok(cluster_state(p)? == "ok"),
        )?;
    }
    for (i, n) in ["n1", "n2"].iter().enumerate() {
        let id = decode(&Conn::connect(ports[i])?.call_str(&["CLUSTER", "MYID"])?)?
            .bulk()?
            .to_vec();
        ctx.set_var(&format!("id_{n}"), id);
    }
    // slot ranges -> owner port
    let slots = decode(&ctx.cmd("n1", &["CLUSTER", "SLOTS"])?)?;
    let mut owners: Vec<(i64, i64, u16)> = Vec::new();
    for ent in slots.array()? {
        let e = ent.array()?;
        let node = e
            .get(2)
            .ok_or("CLUSTER SLOTS entry without node")?
            .array()?;
        let port = node
            .get(1)
            .ok_or("CLUSTER SLOTS node without port")?
            .int()?;
        owners.push((e[0].int()?, e[1].int()?, port as u16));
    }
    let owner = |s: i64| {
        owners
            .iter()
            .find(|(lo, hi, _)| *lo <= s && s <= *hi)
            .map(|o| o.2)
    };
    let (n1, n3) = (ports[0], ports[2]);
    // capture.py's find_key: first "<prefix><i>" whose slot is owned by `want`.
    let find_key =
        |ctx: &mut Ctx, prefix: &str, want: u16, exclude: &[i64]| -> Res<(String, i64)> {
            for i in 0..2000 {
                let k = format!("{prefix}{i}");
                let s = decode(&ctx.cmd("n1", &["CLUSTER", "KEYSLOT", &k])?)?.int()?;
                if owner(s) == Some(want) && !exclude.contains(&s) {
                    return Ok((k, s));
                }
            }
            Err(format!("no key {prefix}* owned by {want}"))
        };
    let set = |ctx: &mut Ctx, k: &str, v: &str| ctx.set_var(k, v.as_bytes().to_vec());
    let (k_far, _) = find_key(ctx, "far:", n3, &[])?;
    let (ka, sa) = find_key(ctx, "xa:", n1, &[])?;
    let (kb, _) = find_key(ctx, "xb:", n1, &[sa])?;
    let (k_x, _) = find_key(ctx, "xc:", n3, &[])?;
    let (tag, _) = find_key(ctx, "mig", n1, &[])?;
    let tag = format!("{{{tag}}}");
    let s_mig =
        decode(&ctx.cmd("n1", &["CLUSTER", "KEYSLOT", &format!("{tag}present")])?)?.int()?;
    if owner(s_mig) != Some(n1) {
        return Err(format!("slot {s_mig} of {tag} not on node 1"));
    }
    let (k_served, s_served) = find_key(ctx, "served:", n1, &[s_mig])?;
    let (k_gone, s_gone) = find_key(ctx, "gone:", n1, &[s_mig, s_served])?;
    let (k_blist, _) = find_key(ctx, "blist:", n1, &[s_mig, s_gone])?;
    set(ctx, "k_far", &k_far);
    set(ctx, "ka", &ka);
    set(ctx, "kb", &kb);
    set(ctx, "k_x", &k_x);
    set(ctx, "k_present", &format!("{tag}present"));
    set(ctx, "k_missing", &format!("{tag}missing"));
    set(ctx, "k_missing2", &format!("{tag}missing2"));
    set(ctx, "s_mig", &s_mig.to_string());
    set(ctx, "k_served", &k_served);
    set(ctx, "k_gone", &k_gone);
    set(ctx, "s_gone", &s_gone.to_string());
    set(ctx, "k_blist", &k_blist);
    ctx.transcript
        .push(format!("cluster ports {ports:?}, slots {owners:?}"));
    Ok(())
}

/// BLPOP blocked on node 1, then CLUSTER DELSLOTS turns node 1's state to
/// fail: the server unblocks the client with CLUSTERDOWN.
fn clusterdown_blocked_client(ctx: &mut Ctx) -> Res<Vec<u8>> {
    let n1 = ctx.port("n1")?;
    ctx.conn("n1/blocked")?
        .set_timeout(Duration::from_secs(20))?;
    ctx.send("n1/blocked", &["BLPOP", "$k_blist", "10"])?;
    wait_for(
        "BLPOP to block",
        Duration::from_secs(5),
        Duration::from_millis(20),
        || Ok(info_field(ctx.conn("n1")?, "clients", "blocked_clients")?.as_deref() == Some("1")),
    )?;
    ctx.cmd("n1", &["SET", "$k_served", "v"])?;
    ctx.cmd("n1", &["CLUSTER", "DELSLOTS", "$s_gone"])?;
    wait_for(
        "cluster_state:fail on node 1",
        Duration::from_secs(20),
        Duration::from_millis(50),
        || Ok(cluster_state(n1)? == "fail"),
    )?;
    let r = ctx.conn("n1/blocked")?.read_reply();
    ctx.close("n1/blocked");
    r
}

// ---------------------------------------------------------------------------
// runner
// ---------------------------------------------------------------------------

pub struct Outcome {
    pub name: &'static str,
    /// Raw reply bytes, or why the scenario could not be provoked.
    pub reply: Res<Vec<u8>>,
    /// Setup transcript (diagnostics).
    pub transcript: Vec<String>,
    /// (server name, port) of the group's servers.
    pub ports: Vec<(String, u16)>,
}

fn run_group(group: Group, kind: &'static Kind) -> Vec<Outcome> {
    let specs: Vec<&Spec> = SPECS.iter().filter(|s| s.group == group).collect();
    let mut ctx = match group.init(kind) {
        Ok(c) => c,
        Err(e) => {
            return specs
                .iter()
                .map(|s| Outcome {
                    name: s.name,
                    reply: Err(format!("group {} could not start: {e}", group.name())),
                    transcript: vec![],
                    ports: vec![],
                })
                .collect()
        }
    };
    let mut out = Vec::new();
    for spec in specs {
        ctx.transcript.clear();
        let mut reply = (|| {
            for step in spec.setup {
                ctx.run_step(step)?;
            }
            ctx.run_probe(&spec.probe)
        })();
        for step in spec.after {
            if let Err(e) = ctx.run_step(step) {
                if reply.is_ok() {
                    reply = Err(format!("clean-up step failed: {e}"));
                }
            }
        }
        out.push(Outcome {
            name: spec.name,
            reply,
            transcript: std::mem::take(&mut ctx.transcript),
            ports: vec![],
        });
    }
    let ports: Vec<(String, u16)> = ctx
        .servers
        .iter()
        .map(|(n, s)| (n.clone(), s.port))
        .collect();
    for o in &mut out {
        o.ports = ports.clone();
    }
    out
}

/// Runs every group (each with its own servers) in parallel threads; a
/// panicking group reports all its scenarios as failed (its servers are
/// still stopped: the guards drop while the thread unwinds).
pub fn run_all(kind: &'static Kind) -> Vec<Outcome> {
    let mut all = Vec::new();
    std::thread::scope(|s| {
        let handles: Vec<_> = GROUPS
            .iter()
            .map(|&g| (g, s.spawn(move || run_group(g, kind))))
            .collect();
        for (g, h) in handles {
            match h.join() {
                Ok(v) => all.extend(v),
                Err(p) => {
                    let msg = p
                        .downcast_ref::<String>()
                        .cloned()
                        .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                        .unwrap_or_default();
                    all.extend(SPECS.iter().filter(|s| s.group == g).map(|s| Outcome {
                        name: s.name,
                        reply: Err(format!("group {} panicked: {msg}", g.name())),
                        transcript: vec![],
                        ports: vec![],
                    }));
                }
            }
        }
    });
    all
}
