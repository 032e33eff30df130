//! The redis-py releases this crate knows, to the minor version, and the
//! error for a version it does not cover.

use std::fmt;
use std::str::FromStr;

/// A redis-py release, to its minor version: 5.0 to 8.2.
///
/// Classes and reply rules record the release that brought them in (and
/// the one that took them out, if any), so a release value answers "which
/// classes exist" and "which class does this reply get" as that release
/// does: see [`RedisPy::parse_error`], [`RedisPy::cluster`] and
/// [`Class::since`](crate::Class::since).
///
/// ```
/// use redis_exceptions::RedisPy;
///
/// let v: RedisPy = "5.2.3".parse().unwrap();
/// assert_eq!(v, RedisPy::V5_2);
/// assert!(RedisPy::V5_2 < RedisPy::LATEST);
/// assert!(RedisPy::REFERENCE <= RedisPy::LATEST);
/// assert_eq!(RedisPy::new(4, 6).unwrap_err().to_string(),
///            "redis-py 4.6 is not supported: this crate covers redis-py 5.0 to 8.2");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RedisPy {
    major: u8,
    minor: u8,
}

macro_rules! releases {
    ($($name:ident = $major:literal, $minor:literal, $pinned:literal;)*) => {
        impl RedisPy {
            $(
                #[doc = concat!("redis-py ", $major, ".", $minor, " (pinned: ", $pinned, ").")]
                pub const $name: RedisPy = RedisPy { major: $major, minor: $minor };
            )*

            /// Every release covered, oldest first.
            pub const ALL: &'static [RedisPy] = &[$(RedisPy::$name),*];

            /// The patch release the fixtures, venvs and suites pin for
            /// this release (`MAJOR.MINOR.PATCH`), from `src/class/releases.txt`.
            #[doc(hidden)]
            pub const fn __pinned(self) -> &'static str {
                $(
                    if self.major == $major && self.minor == $minor {
                        return $pinned;
                    }
                )*
                unreachable!()
            }
        }
    };
}

macro_rules! valkey_releases {
    ($($name:ident = $major:literal, $minor:literal, $pinned:literal, $fork:expr;)*) => {
        impl ValkeyPy {
            $(
                #[doc = concat!("valkey-py ", $major, ".", $minor, " (pinned: ", $pinned,
                                "), forked from ", stringify!($fork), ".")]
                pub const $name: ValkeyPy = ValkeyPy { major: $major, minor: $minor, redis_py: $fork };
            )*

            /// Every valkey-py release covered, oldest first.
            pub const ALL: &'static [ValkeyPy] = &[$(ValkeyPy::$name),*];

            /// The patch release the fixtures, venvs and suites pin for
            /// this release (`MAJOR.MINOR.PATCH`), from `src/class/releases.txt`.
            #[doc(hidden)]
            pub const fn __pinned(self) -> &'static str {
                $(
                    if self.major == $major && self.minor == $minor {
                        return $pinned;
                    }
                )*
                unreachable!()
            }
        }
    };
}

// The constants, the reference and the parser facts, written by build.rs
// from the one table of releases, `src/class/releases.txt`.
include!(concat!(env!("OUT_DIR"), "/releases.rs"));

impl RedisPy {
    /// The release `major.minor`, if this crate covers it.
    pub const fn new(major: u8, minor: u8) -> Result<RedisPy, VersionError> {
        let mut i = 0;
        while i < RedisPy::ALL.len() {
            let r = RedisPy::ALL[i];
            if r.major == major && r.minor == minor {
                return Ok(r);
            }
            i += 1;
        }
        Err(VersionError {
            kind: VersionErrorKind::NotCovered { major, minor },
        })
    }

    /// The major version, e.g. 8.
    pub const fn major(self) -> u8 {
        self.major
    }

    /// The minor version, e.g. 2.
    pub const fn minor(self) -> u8 {
        self.minor
    }

    /// A release from the table's `"8.2"` column text, at compile time; a
    /// malformed or unknown one stops the build.
    pub(crate) const fn from_column(text: &str) -> RedisPy {
        let b = text.as_bytes();
        let mut major = 0u8;
        let mut minor = 0u8;
        let mut i = 0;
        while i < b.len() && b[i] != b'.' {
            major = major * 10 + (b[i] - b'0');
            i += 1;
        }
        i += 1;
        while i < b.len() {
            minor = minor * 10 + (b[i] - b'0');
            i += 1;
        }
        let mut k = 0;
        while k < RedisPy::ALL.len() {
            let r = RedisPy::ALL[k];
            if r.major == major && r.minor == minor {
                return r;
            }
            k += 1;
        }
        panic!("the table names a redis-py release this crate does not cover")
    }
}

impl RedisPy {
    /// Whether this release's classes marked `repr: own` define `__repr__`.
    #[inline]
    pub(crate) fn has_own_repr(self) -> bool {
        // `RedisError.__repr__` is `error_type:ClassName`: it came with the
        // `__init__`s that set `error_type` (the `inits` column).
        STATUS_INIT_SINCE <= self
    }

    /// Whether this release's `parse_error` keeps an unknown upper-case
    /// code word as `status_code`.
    #[inline]
    pub(crate) fn keeps_status_word(self) -> bool {
        STATUS_WORD_SINCE <= self
    }
}

impl fmt::Debug for RedisPy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RedisPy::V{}_{}", self.major, self.minor)
    }
}

impl fmt::Display for RedisPy {
    /// `redis-py 8.2`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "redis-py {}.{}", self.major, self.minor)
    }
}

impl FromStr for RedisPy {
    type Err = VersionError;

    /// `"8.2"`, `"8.2.1"` or `"5.0.8"` (the patch level is read and
    /// ignored: releases differ here by minor version). Anything else is a
    /// [`VersionError`].
    fn from_str(text: &str) -> Result<RedisPy, VersionError> {
        let (major, minor) = major_minor(text).ok_or_else(|| VersionError {
            kind: VersionErrorKind::Malformed(text.chars().take(64).collect()),
        })?;
        RedisPy::new(major, minor)
    }
}

/// `MAJOR.MINOR` or `MAJOR.MINOR.PATCH`, decimal numbers of at most three
/// digits; the patch level is read and dropped.
fn major_minor(text: &str) -> Option<(u8, u8)> {
    let number = |part: Option<&str>| -> Option<u8> {
        let part = part?;
        if part.is_empty() || part.len() > 3 || !part.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        part.parse().ok()
    };
    let mut parts = text.trim().split('.');
    let major = number(parts.next())?;
    let minor = number(parts.next())?;
    if let Some(patch) = parts.next() {
        number(Some(patch))?;
    }
    if parts.next().is_some() {
        return None;
    }
    Some((major, minor))
}

/// A redis-py version this crate does not cover, or text that is not a
/// version; it names the covered range.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VersionError {
    kind: VersionErrorKind,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum VersionErrorKind {
    NotCovered { major: u8, minor: u8 },
    Malformed(String),
    NotCoveredValkey { major: u8, minor: u8 },
    MalformedValkey(String),
}

impl fmt::Display for VersionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (oldest, latest) = (RedisPy::OLDEST, RedisPy::LATEST);
        let range = format_args!(
            "this crate covers redis-py {}.{} to {}.{}",
            oldest.major, oldest.minor, latest.major, latest.minor
        );
        match &self.kind {
            VersionErrorKind::NotCovered { major, minor } => {
                write!(f, "redis-py {major}.{minor} is not supported: {range}")
            }
            VersionErrorKind::Malformed(text) => write!(
                f,
                "{text:?} is not a redis-py version (MAJOR.MINOR or MAJOR.MINOR.PATCH): {range}"
            ),
            VersionErrorKind::NotCoveredValkey { major, minor } => write!(
                f,
                "valkey-py {major}.{minor} is not supported: this crate covers valkey-py 6.2"
            ),
            VersionErrorKind::MalformedValkey(text) => write!(
                f,
                "{text:?} is not a valkey-py version (MAJOR.MINOR or MAJOR.MINOR.PATCH): \
                 this crate covers valkey-py 6.2"
            ),
        }
    }
}

impl std::error::Error for VersionError {}

/// A valkey-py release: the client forked from redis-py, whose
/// `valkey.exceptions` is redis-py's hierarchy with `ValkeyError` for
/// `RedisError` and `ValkeyClusterException` for `RedisClusterException`
/// ([`Class::valkey_name`](crate::Class::valkey_name)).
///
/// Each release classifies replies as the redis-py release it was forked
/// from does ([`ValkeyPy::redis_py`]): valkey-py 6.2 as redis-py 5.2, base
/// parser and cluster parser alike.
///
/// ```
/// use redis_exceptions::{MovedError, ResponseError, ValkeyError, ValkeyPy};
///
/// let v: ValkeyPy = "6.2.1".parse().unwrap();
/// assert!(v.parse_error("MOVED 1 h:1").is::<ResponseError>());
/// assert!(v.cluster().parse_error("MOVED 1 h:1").is::<MovedError>());
/// assert!(v.parse_error("NOSCRIPT x").is_a::<ValkeyError>());
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ValkeyPy {
    major: u8,
    minor: u8,
    redis_py: RedisPy,
}

impl ValkeyPy {
    /// The release `major.minor`, if this crate covers it.
    pub fn new(major: u8, minor: u8) -> Result<ValkeyPy, VersionError> {
        ValkeyPy::ALL
            .iter()
            .copied()
            .find(|v| v.major == major && v.minor == minor)
            .ok_or(VersionError {
                kind: VersionErrorKind::NotCoveredValkey { major, minor },
            })
    }

    /// The major version.
    pub const fn major(self) -> u8 {
        self.major
    }

    /// The minor version.
    pub const fn minor(self) -> u8 {
        self.minor
    }

    /// The redis-py release whose classes and reply rules this release has.
    pub const fn redis_py(self) -> RedisPy {
        self.redis_py
    }
}

impl fmt::Debug for ValkeyPy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ValkeyPy::V{}_{}", self.major, self.minor)
    }
}

impl fmt::Display for ValkeyPy {
    /// `valkey-py 6.2`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "valkey-py {}.{}", self.major, self.minor)
    }
}

impl FromStr for ValkeyPy {
    type Err = VersionError;

    /// `"6.2"` or `"6.2.1"` (the patch level is read and ignored).
    fn from_str(text: &str) -> Result<ValkeyPy, VersionError> {
        let (major, minor) = major_minor(text).ok_or_else(|| VersionError {
            kind: VersionErrorKind::MalformedValkey(text.chars().take(64).collect()),
        })?;
        ValkeyPy::new(major, minor)
    }
}
