//! A tiny RESP2 client over `std::net::TcpStream`, just enough for the live
//! conformance test: send an array of bulk strings, read back exactly one
//! reply (any RESP2/RESP3 type, nested arrays included) as raw bytes.
//!
//! Every read is bounded by a socket read timeout and a size limit.

use std::io::{ErrorKind, Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::time::{Duration, Instant};

/// Result type of the harness: errors are plain strings (context included).
pub type Res<T> = Result<T, String>;

pub const HOST: &str = "127.0.0.1";
/// Default read/write timeout of a connection.
pub const IO_TIMEOUT: Duration = Duration::from_secs(10);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Largest reply we are willing to buffer (replies here are tiny; INFO,
/// CLUSTER SLOTS and DUMP payloads are the biggest).
const MAX_REPLY: usize = 16 << 20;
const MAX_DEPTH: usize = 32;

/// RESP2 request: an array of bulk strings.
pub fn encode(args: &[&[u8]]) -> Vec<u8> {
    let mut out = format!("*{}\r\n", args.len()).into_bytes();
    for a in args {
        out.extend_from_slice(format!("${}\r\n", a.len()).as_bytes());
        out.extend_from_slice(a);
        out.extend_from_slice(b"\r\n");
    }
    out
}

/// Printable, unambiguous form of bytes (same escapes as capture.py).
pub fn escape(b: &[u8]) -> String {
    let mut s = String::with_capacity(b.len());
    for &c in b {
        match c {
            b'\\' => s.push_str("\\\\"),
            b'\r' => s.push_str("\\r"),
            b'\n' => s.push_str("\\n"),
            b'\t' => s.push_str("\\t"),
            0x20..=0x7e => s.push(c as char),
            _ => s.push_str(&format!("\\x{c:02x}")),
        }
    }
    s
}

pub struct Conn {
    stream: TcpStream,
    buf: Vec<u8>,
    pub port: u16,
}

impl Conn {
    pub fn connect(port: u16) -> Res<Conn> {
        Self::connect_timeout(port, IO_TIMEOUT)
    }

    pub fn connect_timeout(port: u16, io_timeout: Duration) -> Res<Conn> {
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
        let stream = TcpStream::connect_timeout(&addr, CONNECT_TIMEOUT)
            .map_err(|e| format!("connect {HOST}:{port}: {e}"))?;
        stream.set_nodelay(true).ok();
        let c = Conn {
            stream,
            buf: Vec::new(),
            port,
        };
        c.set_timeout(io_timeout)?;
        Ok(c)
    }

    pub fn set_timeout(&self, t: Duration) -> Res<()> {
        self.stream
            .set_read_timeout(Some(t))
            .and_then(|_| self.stream.set_write_timeout(Some(t)))
            .map_err(|e| format!("set timeout: {e}"))
    }

    pub fn send_raw(&mut self, data: &[u8]) -> Res<()> {
        self.stream
            .write_all(data)
            .map_err(|e| format!("write to port {}: {e}", self.port))
    }

    pub fn send(&mut self, args: &[&[u8]]) -> Res<()> {
        self.send_raw(&encode(args))
    }

    pub fn call(&mut self, args: &[&[u8]]) -> Res<Vec<u8>> {
        self.send(args)?;
        self.read_reply()
    }

    /// `call` with string arguments.
    pub fn call_str(&mut self, args: &[&str]) -> Res<Vec<u8>> {
        let v: Vec<&[u8]> = args.iter().map(|a| a.as_bytes()).collect();
        self.call(&v)
    }

    fn fill(&mut self) -> Res<()> {
        if self.buf.len() > MAX_REPLY {
            return Err(format!(
                "reply from port {} larger than {MAX_REPLY} bytes",
                self.port
            ));
        }
        let mut chunk = [0u8; 65536];
        loop {
            match self.stream.read(&mut chunk) {
                Ok(0) => {
                    return Err(format!(
                        "port {}: server closed the connection (buffered: {})",
                        self.port,
                        escape(&self.buf)
                    ))
                }
                Ok(n) => {
                    self.buf.extend_from_slice(&chunk[..n]);
                    return Ok(());
                }
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(e) => return Err(format!("read from port {}: {e}", self.port)),
            }
        }
    }

    /// Reads exactly one reply and returns its raw bytes.
    pub fn read_reply(&mut self) -> Res<Vec<u8>> {
        // Each fill() either adds at least one byte or fails (timeout / EOF /
        // size limit), so this loop is bounded.
        loop {
            match frame_len(&self.buf, 0, 0)? {
                Some(end) => {
                    let rest = self.buf.split_off(end);
                    return Ok(std::mem::replace(&mut self.buf, rest));
                }
                None => self.fill()?,
            }
        }
    }

    /// Everything the server sends until it closes the connection, bounded
    /// by `limit` (returns what arrived so far when the limit is reached).
    pub fn read_until_close(&mut self, limit: Duration) -> Vec<u8> {
        let deadline = Instant::now() + limit;
        let _ = self
            .stream
            .set_read_timeout(Some(Duration::from_millis(200)));
        let mut chunk = [0u8; 65536];
        while Instant::now() < deadline && self.buf.len() <= MAX_REPLY {
            match self.stream.read(&mut chunk) {
                Ok(0) => break,
                Ok(n) => self.buf.extend_from_slice(&chunk[..n]),
                Err(e)
                    if matches!(
                        e.kind(),
                        ErrorKind::WouldBlock | ErrorKind::TimedOut | ErrorKind::Interrupted
                    ) => {}
                Err(_) => break, // reset by peer etc.: the server is gone
            }
        }
        let _ = self.set_timeout(IO_TIMEOUT);
        std::mem::take(&mut self.buf)
    }
}

fn line_end(buf: &[u8], pos: usize) -> Option<usize> {
    buf.get(pos..)?
        .windows(2)
        .position(|w| w == b"\r\n")
        .map(|i| pos + i)
}

fn parse_len(head: &[u8]) -> Res<i64> {
    std::str::from_utf8(head)
        .ok()
        .and_then(|s| s.parse::<i64>().ok())
        .ok_or_else(|| format!("bad RESP length {:?}", escape(head)))
}

/// Length of the complete RESP frame starting at `pos`, or `None` if the
/// buffer does not hold all of it yet. Understands RESP2 and RESP3 types.
pub fn frame_len(buf: &[u8], pos: usize, depth: usize) -> Res<Option<usize>> {
    if depth > MAX_DEPTH {
        return Err("reply nested too deeply".into());
    }
    let Some(e) = line_end(buf, pos) else {
        return Ok(None);
    };
    let t = buf[pos];
    let head = &buf[pos + 1..e];
    let mut next = e + 2;
    match t {
        b'+' | b'-' | b':' | b'_' | b',' | b'#' | b'(' => Ok(Some(next)),
        b'$' | b'!' | b'=' => {
            let n = parse_len(head)?;
            if n < 0 {
                return Ok(Some(next));
            }
            let end = next + n as usize + 2;
            Ok(if buf.len() >= end { Some(end) } else { None })
        }
        b'*' | b'~' | b'>' | b'%' | b'|' => {
            let mut n = parse_len(head)?;
            if n < 0 {
                return Ok(Some(next));
            }
            if t == b'%' || t == b'|' {
                n *= 2;
            }
            for _ in 0..n {
                match frame_len(buf, next, depth + 1)? {
                    Some(x) => next = x,
                    None => return Ok(None),
                }
            }
            Ok(Some(next))
        }
        _ => Err(format!(
            "unexpected RESP type byte {:?} in {}",
            t as char,
            escape(buf)
        )),
    }
}

/// Decoded RESP2 value (for setup replies: CLUSTER SLOTS, INFO, DUMP ...).
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Simple(String),
    /// Error text without the leading '-' and the CRLF.
    Error(Vec<u8>),
    Int(i64),
    Bulk(Option<Vec<u8>>),
    Array(Option<Vec<Value>>),
}

impl Value {
    pub fn bulk(&self) -> Res<&[u8]> {
        match self {
            Value::Bulk(Some(b)) => Ok(b),
            other => Err(format!("expected a bulk string, got {other:?}")),
        }
    }
    pub fn bulk_str(&self) -> Res<String> {
        Ok(String::from_utf8_lossy(self.bulk()?).into_owned())
    }
    pub fn int(&self) -> Res<i64> {
        match self {
            Value::Int(i) => Ok(*i),
            other => Err(format!("expected an integer, got {other:?}")),
        }
    }
    pub fn array(&self) -> Res<&[Value]> {
        match self {
            Value::Array(Some(v)) => Ok(v),
            other => Err(format!("expected an array, got {other:?}")),
        }
    }
}

pub fn decode(raw: &[u8]) -> Res<Value> {
    fn go(raw: &[u8], pos: usize, depth: usize) -> Res<(Value, usize)> {
        if depth > MAX_DEPTH {
            return Err("reply nested too deeply".into());
        }
        let e = line_end(raw, pos).ok_or_else(|| format!("truncated reply {}", escape(raw)))?;
        let head = &raw[pos + 1..e];
        let next = e + 2;
        Ok(match raw[pos] {
            b'+' => (
                Value::Simple(String::from_utf8_lossy(head).into_owned()),
                next,
            ),
            b'-' => (Value::Error(head.to_vec()), next),
            b':' => (Value::Int(parse_len(head)?), next),
            b'$' => {
                let n = parse_len(head)?;
                if n < 0 {
                    (Value::Bulk(None), next)
                } else {
                    let end = next + n as usize;
                    let b = raw.get(next..end).ok_or("truncated bulk string")?;
                    (Value::Bulk(Some(b.to_vec())), end + 2)
                }
            }
            b'*' => {
                let n = parse_len(head)?;
                if n < 0 {
                    (Value::Array(None), next)
                } else {
                    let mut items = Vec::with_capacity(n as usize);
                    let mut p = next;
                    for _ in 0..n {
                        let (v, q) = go(raw, p, depth + 1)?;
                        items.push(v);
                        p = q;
                    }
                    (Value::Array(Some(items)), p)
                }
            }
            t => return Err(format!("decode: unsupported RESP type {:?}", t as char)),
        })
    }
    Ok(go(raw, 0, 0)?.0)
}

/// `INFO <section>` field value.
pub fn info_field(conn: &mut Conn, section: &str, field: &str) -> Res<Option<String>> {
    let raw = conn.call_str(&["INFO", section])?;
    let txt = decode(&raw)?.bulk_str()?;
    Ok(txt
        .lines()
        .find_map(|l| l.strip_prefix(field).and_then(|r| r.strip_prefix(':')))
        .map(|v| v.trim().to_string()))
}
