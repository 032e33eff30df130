//! `ASK`/`MOVED` payloads: `"<slot> <host>:<port>"`, read the way redis-py's
//! `AskError.__init__` reads them.

use std::fmt;
use std::net::IpAddr;

use crate::pyrt::call_error::CallError;
use crate::pyrt::scan;
use crate::pyrt::value::{
    py_int, py_int_accepts, py_int_bytes, py_int_str, truncated_repr, Excerpt, PyInt, PyValue,
    MAX_STR_DIGITS,
};

/// Where the parts of a redirect payload sit in the message, and the two
/// integers as Python's `int()` read them (`None`: outside `i64`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Spans {
    space: u32,
    colon: u32,
    slot: Option<i64>,
    port: Option<i64>,
}

/// Why redis-py's `AskError.__init__` raises `ValueError` for a payload:
/// found without allocating, formatted only when asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Failure<'a> {
    /// Unpacking got one part where it wanted two.
    NotEnough,
    /// Unpacking got more than two parts.
    TooMany,
    /// `int()` refused this text.
    Literal(&'a str),
    /// `int()` refused this many digits.
    Digits(usize),
    /// An offset does not fit the `u32` the spans are kept in (over 4 GiB).
    TooLong,
}

impl Failure<'_> {
    fn into_call_error(self) -> CallError {
        CallError::value(match self {
            Failure::NotEnough => "not enough values to unpack (expected 2, got 1)".to_owned(),
            Failure::TooMany => "too many values to unpack (expected 2)".to_owned(),
            // CPython quotes at most 200 characters of the repr (`%.200R`).
            Failure::Literal(text) => format!(
                "invalid literal for int() with base 10: {}",
                truncated_repr(text, 200)
            ),
            Failure::Digits(count) => format!(
                "Exceeds the limit ({MAX_STR_DIGITS} digits) for integer string conversion: \
                 value has {count} digits; use sys.set_int_max_str_digits() to increase the limit"
            ),
            Failure::TooLong => "redirect payload too long".to_owned(),
        })
    }
}

/// `int(text)`; with `exact` false the count of a too-long literal is only a
/// lower bound (see [`py_int_accepts`]), which callers that drop the
/// failure do not need.
fn int(text: &str, exact: bool) -> Result<Option<i64>, Failure<'_>> {
    let outcome = if exact {
        py_int(text)
    } else {
        py_int_accepts(text)
    };
    match outcome {
        PyInt::Valid(v) => Ok(v),
        PyInt::Invalid => Err(Failure::Literal(text)),
        PyInt::TooManyDigits(count) => Err(Failure::Digits(count)),
    }
}

/// redis-py's reading of a payload, in its order of checks:
/// `slot_id, new_node = resp.split(" ")`, `host, port =
/// new_node.rsplit(":", 1)`, `int(slot_id)`, `int(port)`.
fn read_payload(payload: &str, exact: bool) -> Result<Spans, Failure<'_>> {
    let space = payload.find(' ').ok_or(Failure::NotEnough)?;
    let node = &payload[space + 1..];
    if node.contains(' ') {
        return Err(Failure::TooMany);
    }
    let colon = space + 1 + node.rfind(':').ok_or(Failure::NotEnough)?;
    let slot = int(&payload[..space], exact)?;
    let port = int(&payload[colon + 1..], exact)?;
    Ok(Spans {
        space: u32::try_from(space).map_err(|_| Failure::TooLong)?,
        colon: u32::try_from(colon).map_err(|_| Failure::TooLong)?,
        slot,
        port,
    })
}

/// Parses `payload` as redis-py does, or says which `ValueError` redis-py
/// raises for it.
pub(crate) fn parse_strict(payload: &str) -> Result<Spans, CallError> {
    read_payload(payload, true).map_err(Failure::into_call_error)
}

/// The same rules for classification: no error, no allocation, and a
/// number is read no further than the digit limit.
pub(crate) fn parse_lenient(payload: &str) -> Option<Spans> {
    read_payload(payload, false).ok()
}

/// Up to this length a payload's space and colon are searched byte by byte
/// from where they usually stand (the start, the end), not a block at a time.
const SHORT_PAYLOAD: usize = 64;

/// [`parse_lenient`] on bytes, for classification, a block at a time: the first
/// space, no second one, the node's last colon, then the two numbers where
/// they stand. The host is not decoded: a space or a colon is never part of
/// a multi-byte UTF-8 character, so the offsets are those of the `str`
/// rules, and a caller that needs the host as text checks it then (a reply
/// that is not UTF-8 is read again from its decoded message).
pub(crate) fn parse_lenient_bytes(payload: &[u8]) -> Option<Spans> {
    let space = if payload.len() <= SHORT_PAYLOAD {
        // A typical payload: the slot is a few bytes, read one at a time.
        payload.iter().position(|&b| b == b' ')?
    } else {
        scan::find(payload, b' ')?
    };
    let node = &payload[space + 1..];
    if scan::find(node, b' ').is_some() {
        return None;
    }
    let colon = space
        + 1
        + if node.len() <= SHORT_PAYLOAD {
            // The port is a few bytes from the end.
            node.iter().rposition(|&b| b == b':')?
        } else {
            scan::rfind(node, b':')?
        };
    let (slot_bytes, port_bytes) = (&payload[..space], &payload[colon + 1..]);
    // `int()` of each number, read from the bytes (`None`: `int()` raises).
    let number = |digits: &[u8]| -> Option<Option<i64>> {
        match py_int_bytes(digits) {
            PyInt::Valid(v) => Some(v),
            PyInt::Invalid | PyInt::TooManyDigits(_) => None,
        }
    };
    let slot = number(slot_bytes)?;
    let port = number(port_bytes)?;
    Some(Spans {
        space: u32::try_from(space).ok()?,
        colon: u32::try_from(colon).ok()?,
        slot,
        port,
    })
}

impl Spans {
    pub(crate) fn view<'a>(&self, message: &'a str) -> Redirect<'a> {
        let (space, colon) = (self.space as usize, self.colon as usize);
        Redirect {
            slot_text: message.get(..space).unwrap_or(""),
            host: message.get(space + 1..colon).unwrap_or(""),
            port_text: message.get(colon + 1..).unwrap_or(""),
            slot: self.slot,
            port: self.port,
        }
    }
}

/// The target of an `ASK` or `MOVED` redirect, as redis-py reads it from
/// `"<slot> <host>:<port>"`.
///
/// [`host`](Redirect::host) and the integers are exactly redis-py's
/// `host`, `slot_id` and `port` attributes (`"[::1]"` keeps its brackets;
/// the address is split at the last colon). [`addr`](Redirect::addr) is the
/// form a client connects to.
///
/// ```
/// use redis_exceptions::{parse_error, RedisErrorExt};
///
/// let e = parse_error("MOVED 3999 [::1]:6381");
/// let r = e.redirect().unwrap();
/// assert_eq!((r.slot_id(), r.host(), r.port()), (Some(3999), "[::1]", Some(6381)));
/// assert_eq!(r.connect_host(), "::1");
/// assert_eq!(r.addr().as_deref(), Some("[::1]:6381"));
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Redirect<'a> {
    slot_text: &'a str,
    host: &'a str,
    port_text: &'a str,
    slot: Option<i64>,
    port: Option<i64>,
}

impl<'a> Redirect<'a> {
    /// `slot_id`, when it fits a `u16`: a slot of the cluster's 16384.
    /// redis-py accepts any integer, and a real server sends one that does
    /// not fit: Valkey's `MOVED -1 host:port` (a redirect that names no
    /// slot) gives `None` here; [`slot_id_i64`](Redirect::slot_id_i64) says
    /// what redis-py says for it.
    pub fn slot_id(&self) -> Option<u16> {
        self.slot.and_then(|s| u16::try_from(s).ok())
    }

    /// `slot_id` exactly as redis-py's `int()` reads it, when it fits an
    /// `i64`: `Some(-1)` for Valkey's `MOVED -1 host:port`, as redis-py's
    /// `slot_id` is `-1`. `None` only for a slot beyond `i64` (redis-py's
    /// is then a big `int`; [`slot_text`](Redirect::slot_text) has its
    /// digits).
    ///
    /// ```
    /// use redis_exceptions::{parse_error, RedisErrorExt};
    ///
    /// let e = parse_error("MOVED -1 127.0.0.1:6380");
    /// let r = e.redirect().unwrap();
    /// assert_eq!((r.slot_id_i64(), r.slot_id()), (Some(-1), None));
    /// assert_eq!(r.node_addr(), Some(("127.0.0.1", 6380)));
    /// ```
    pub fn slot_id_i64(&self) -> Option<i64> {
        self.slot
    }

    /// `host`, as redis-py keeps it: brackets of `[::1]` included.
    pub fn host(&self) -> &'a str {
        self.host
    }

    /// `port`, when it fits a `u16` (redis-py accepts any integer).
    pub fn port(&self) -> Option<u16> {
        self.port.and_then(|p| u16::try_from(p).ok())
    }

    /// `node_addr`: `(host, port)`, when the port fits a `u16`.
    pub fn node_addr(&self) -> Option<(&'a str, u16)> {
        Some((self.host, self.port()?))
    }

    /// The slot as the server wrote it (before `int()`).
    pub fn slot_text(&self) -> &'a str {
        self.slot_text
    }

    /// The port as the server wrote it (before `int()`).
    pub fn port_text(&self) -> &'a str {
        self.port_text
    }

    /// The host to connect to: brackets of an IPv6 literal removed.
    pub fn connect_host(&self) -> &'a str {
        self.host
            .strip_prefix('[')
            .and_then(|h| h.strip_suffix(']'))
            .unwrap_or(self.host)
    }

    /// The host as an IP address, when it is one.
    pub fn ip(&self) -> Option<IpAddr> {
        self.connect_host().parse().ok()
    }

    /// `"host:port"` ready for `TcpStream::connect`: IPv6 literals in
    /// brackets.
    ///
    /// `None` when the address cannot be connected to: a port that does not
    /// fit a `u16` or is 0, an empty host, brackets around anything but an
    /// IPv6 literal or unbalanced (`[::1`, `::1]`, `[[::1]]`), a host with a
    /// colon that is not an IPv6 literal, or a host name with characters
    /// or labels DNS does not have (letters, digits, `-` and `_`, labels of
    /// 1 to 63 bytes separated by dots). [`host`](Redirect::host) stays what
    /// redis-py keeps either way.
    pub fn addr(&self) -> Option<String> {
        let port = self.port().filter(|&p| p != 0)?;
        let ipv6 = |h: &str| h.parse::<std::net::Ipv6Addr>().is_ok();
        if let Some(inner) = self.host.strip_prefix('[') {
            let inner = inner.strip_suffix(']').filter(|h| ipv6(h))?;
            return Some(format!("[{inner}]:{port}"));
        }
        if self.host.contains(':') {
            return ipv6(self.host).then(|| format!("[{}]:{port}", self.host));
        }
        is_host_name(self.host).then(|| format!("{}:{port}", self.host))
    }

    /// `slot_id` as a Python value: an `int` within `i64`, else its
    /// decimal text.
    pub(crate) fn slot_value(&self) -> PyValue {
        self.slot
            .map_or_else(|| PyValue::Str(py_int_str(self.slot_text)), PyValue::Int)
    }

    /// `port` as a Python value: an `int` within `i64`, else its decimal text.
    pub(crate) fn port_value(&self) -> PyValue {
        self.port
            .map_or_else(|| PyValue::Str(py_int_str(self.port_text)), PyValue::Int)
    }
}

/// A DNS name (or an IPv4 address, which has the same shape): labels of 1
/// to 63 letters, digits, `-` or `_`, separated by dots, an optional final
/// dot, at most 253 bytes in all.
fn is_host_name(host: &str) -> bool {
    let name = host.strip_suffix('.').unwrap_or(host);
    !name.is_empty()
        && name.len() <= 253
        && name.split('.').all(|label| {
            (1..=63).contains(&label.len())
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
}

impl fmt::Debug for Redirect<'_> {
    /// The parts, long ones as excerpts and their lengths.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Redirect")
            .field("slot_text", &Excerpt(self.slot_text))
            .field("host", &Excerpt(self.host))
            .field("port_text", &Excerpt(self.port_text))
            .field("slot", &self.slot)
            .field("port", &self.port)
            .finish()
    }
}

impl fmt::Display for Redirect<'_> {
    /// `"<slot> <host>:<port>"` as received.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}:{}", self.slot_text, self.host, self.port_text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_errors() {
        let err = |p: &str| parse_strict(p).unwrap_err().to_string();
        assert_eq!(
            err("3999"),
            "ValueError: not enough values to unpack (expected 2, got 1)"
        );
        assert_eq!(
            err("1 2 3"),
            "ValueError: too many values to unpack (expected 2)"
        );
        assert_eq!(
            err("1 host"),
            "ValueError: not enough values to unpack (expected 2, got 1)"
        );
        assert_eq!(
            err("x h:1"),
            "ValueError: invalid literal for int() with base 10: 'x'"
        );
        assert_eq!(
            err("1 h:"),
            "ValueError: invalid literal for int() with base 10: ''"
        );
    }

    /// The block-at-a-time reading of bytes agrees with the `str` rules,
    /// and the classification's digit cut agrees with the exact `int()`.
    #[test]
    fn bytes_and_str_agree() {
        let long = "7".repeat(4300);
        let longer = "7".repeat(5000);
        let payloads = [
            "3999 127.0.0.1:6381".to_owned(),
            format!("{long} h:{long}"),
            format!("{longer} h:1"),
            format!("1 h:{longer}"),
            format!("1 h:{longer}x"),
            format!("1_{long} h:1"),
            format!(" {long} h:1"),
            "\u{663}\u{669} h:1".to_owned(),
            "1 h\u{e9}te:1".to_owned(),
            "1 h:1 ".to_owned(),
            "1  h:1".to_owned(),
            "1 h:\u{3000}1".to_owned(),
            "1:2 h".to_owned(),
            "1 [::1]:0007".to_owned(),
            "-9223372036854775808 h:9223372036854775808".to_owned(),
            "00000000000000000000000001 h:1".to_owned(),
            "9223372036854775807 h:9223372036854775808".to_owned(),
            format!("{}9223372036854775807 h:1", "0".repeat(40)),
            format!("{} h:{}", "7".repeat(300), "0".repeat(4300)),
            format!("1 h:{}", "0".repeat(4301)),
            format!("1 h:{}", "1".repeat(4300)),
        ];
        // Around one block (the short payloads are read from one block's
        // masks, the others a block at a time).
        let shaped = [
            "1 {}:1", "1:2 {}", " 1 {}:1", "1 {}:", "1 :{}1", "1 a:{}:2", ":1 {}", "1 {}",
            "1 {} :1", "1 :{}",
        ];
        let payloads: Vec<String> = payloads
            .into_iter()
            .chain(
                shaped
                    .iter()
                    .flat_map(|t| (0..40).map(move |n| t.replace("{}", &"h".repeat(n)))),
            )
            .collect();
        for p in &payloads {
            assert_eq!(
                parse_lenient_bytes(p.as_bytes()),
                parse_lenient(p),
                "{p:.40}"
            );
            // Invalid UTF-8 in the host does not change the offsets.
            if let Some(at) = p.rfind(':').filter(|&at| at > 2) {
                let mut bad = p.as_bytes().to_vec();
                bad[at - 1] = 0xff;
                let good = std::str::from_utf8(&bad[..at - 1]).is_ok();
                if good && parse_lenient(p).is_some() && !p[..at].ends_with(' ') {
                    assert!(parse_lenient_bytes(&bad).is_some(), "{p:.40}");
                }
            }
            assert_eq!(parse_lenient(p), parse_strict(p).ok(), "{p:.40}");
        }
    }

    #[test]
    fn views() {
        let msg = "3999 ::1:6381";
        let r = parse_strict(msg).unwrap().view(msg);
        assert_eq!(
            (r.host(), r.port(), r.addr().unwrap()),
            ("::1", Some(6381), "[::1]:6381".to_owned())
        );
        let msg = "1 h:99999";
        let r = parse_strict(msg).unwrap().view(msg);
        assert_eq!((r.port(), r.port_value()), (None, PyValue::Int(99999)));
        assert_eq!(r.addr(), None);
    }
}
