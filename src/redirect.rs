//! `ASK`/`MOVED` payloads: `"<slot> <host>:<port>"`, read the way redis-py's
//! `AskError.__init__` reads them.

use std::fmt;
use std::net::IpAddr;

use crate::call::CallError;
use crate::py::{py_int, py_int_str, PyInt, PyValue};

/// Where the parts of a redirect payload sit in the message, and the two
/// integers as Python's `int()` read them ([`BEYOND`] outside `i64`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Spans {
    space: u32,
    colon: u32,
    slot: i64,
    port: i64,
}

/// Marks an integer `int()` accepts but `i64` cannot hold (the one value
/// `i64::MIN` is reported the same way).
const BEYOND: i64 = i64::MIN;

fn packed(v: Option<i64>) -> i64 {
    v.unwrap_or(BEYOND)
}

fn unpacked(v: i64) -> Option<i64> {
    (v != BEYOND).then_some(v)
}

/// Parses `payload` as redis-py does, or says which `ValueError` redis-py
/// raises for it.
pub(crate) fn parse(payload: &str) -> Result<Spans, CallError> {
    let mut parts = payload.split(' ');
    let count = parts.clone().count();
    if count != 2 {
        return Err(unpack_error(count));
    }
    let space = parts.next().map_or(0, str::len);
    let node = &payload[space + 1..];
    let Some(colon_in_node) = node.rfind(':') else {
        return Err(unpack_error(1));
    };
    let colon = space + 1 + colon_in_node;
    let slot_text = &payload[..space];
    let port_text = &payload[colon + 1..];
    let slot = int_or_raise(slot_text)?;
    let port = int_or_raise(port_text)?;
    // Offsets are u32 to keep every struct small; a payload over 4 GiB is
    // reported as not parsed.
    let (Ok(space), Ok(colon)) = (u32::try_from(space), u32::try_from(colon)) else {
        return Err(CallError::value("redirect payload too long"));
    };
    Ok(Spans {
        space,
        colon,
        slot: packed(slot),
        port: packed(port),
    })
}

fn unpack_error(got: usize) -> CallError {
    if got < 2 {
        CallError::value(format!(
            "not enough values to unpack (expected 2, got {got})"
        ))
    } else {
        CallError::value("too many values to unpack (expected 2)")
    }
}

fn int_or_raise(text: &str) -> Result<Option<i64>, CallError> {
    match py_int(text) {
        PyInt::Valid(v) => Ok(v),
        PyInt::Invalid(Some(reason)) => Err(CallError::value(reason)),
        PyInt::Invalid(None) => Err(CallError::value(format!(
            "invalid literal for int() with base 10: {}",
            PyValue::from(text).py_repr()
        ))),
    }
}

/// Classification-time check: the same rules, no error text, no allocation.
pub(crate) fn parses(payload: &str) -> Option<Spans> {
    // `payload.split(' ')` must give exactly two parts.
    let space = payload.find(' ')?;
    let node = &payload[space + 1..];
    if node.contains(' ') {
        return None;
    }
    let colon = space + 1 + node.rfind(':')?;
    let PyInt::Valid(slot) = py_int(&payload[..space]) else {
        return None;
    };
    let PyInt::Valid(port) = py_int(&payload[colon + 1..]) else {
        return None;
    };
    Some(Spans {
        space: u32::try_from(space).ok()?,
        colon: u32::try_from(colon).ok()?,
        slot: packed(slot),
        port: packed(port),
    })
}

/// [`parses`] on bytes, for classification: one pass over the payload.
/// Payloads that are not plain ASCII, or whose numbers are not plain
/// digits, take the full `str` path.
pub(crate) fn parses_bytes(payload: &[u8]) -> Option<Spans> {
    let mut space = None;
    let mut colon = None;
    let mut ascii = true;
    for (i, &b) in payload.iter().enumerate() {
        match b {
            b' ' if space.is_some() => return None,
            b' ' => space = Some(i),
            b':' => colon = Some(i),
            _ => ascii &= b.is_ascii(),
        }
    }
    let plain = |digits: &[u8]| {
        (!digits.is_empty() && digits.len() <= 18 && digits.iter().all(u8::is_ascii_digit)).then(
            || {
                digits
                    .iter()
                    .fold(0i64, |v, &d| v * 10 + i64::from(d - b'0'))
            },
        )
    };
    let (space, colon) = (space?, colon?);
    if ascii && colon > space {
        if let (Some(slot), Some(port)) = (plain(&payload[..space]), plain(&payload[colon + 1..])) {
            return Some(Spans {
                space: u32::try_from(space).ok()?,
                colon: u32::try_from(colon).ok()?,
                slot,
                port,
            });
        }
    }
    parses(std::str::from_utf8(payload).ok()?)
}

impl Spans {
    pub(crate) fn view<'a>(&self, message: &'a str) -> Redirect<'a> {
        let (space, colon) = (self.space as usize, self.colon as usize);
        Redirect {
            slot_text: message.get(..space).unwrap_or(""),
            host: message.get(space + 1..colon).unwrap_or(""),
            port_text: message.get(colon + 1..).unwrap_or(""),
            slot: unpacked(self.slot),
            port: unpacked(self.port),
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
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Redirect<'a> {
    slot_text: &'a str,
    host: &'a str,
    port_text: &'a str,
    slot: Option<i64>,
    port: Option<i64>,
}

impl<'a> Redirect<'a> {
    /// `slot_id`, when it fits a `u16` (redis-py accepts any integer).
    pub fn slot_id(&self) -> Option<u16> {
        self.slot.and_then(|s| u16::try_from(s).ok())
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
    /// brackets. `None` when the host is empty or the port does not fit a `u16`.
    pub fn addr(&self) -> Option<String> {
        let host = self.connect_host();
        let port = self.port()?;
        if host.is_empty() {
            return None;
        }
        Some(if host.contains(':') {
            format!("[{host}]:{port}")
        } else {
            format!("{host}:{port}")
        })
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
        let err = |p: &str| parse(p).unwrap_err().to_string();
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

    #[test]
    fn views() {
        let msg = "3999 ::1:6381";
        let r = parse(msg).unwrap().view(msg);
        assert_eq!(
            (r.host(), r.port(), r.addr().unwrap()),
            ("::1", Some(6381), "[::1]:6381".to_owned())
        );
        let msg = "1 h:99999";
        let r = parse(msg).unwrap().view(msg);
        assert_eq!((r.port(), r.port_value()), (None, PyValue::Int(99999)));
        assert_eq!(r.addr(), None);
    }
}

macro_rules! redirect_accessors {
    ($($class:ident),*) => {$(
        impl crate::$class {
            /// `slot_id`, when the payload parsed and the slot fits a `u16`.
            pub fn slot_id(&self) -> Option<u16> {
                crate::RedisErrorExt::redirect(self)?.slot_id()
            }

            /// `host` (brackets of `[::1]` kept, as in redis-py).
            pub fn host(&self) -> Option<&str> {
                Some(crate::RedisErrorExt::redirect(self)?.host())
            }

            /// `port`, when the payload parsed and the port fits a `u16`.
            pub fn port(&self) -> Option<u16> {
                crate::RedisErrorExt::redirect(self)?.port()
            }

            /// `node_addr`: `(host, port)`.
            pub fn node_addr(&self) -> Option<(&str, u16)> {
                crate::RedisErrorExt::redirect(self)?.node_addr()
            }
        }
    )*};
}

redirect_accessors!(AskError, MovedError);
