//! Server error replies: redis-py's reply table, allocation-free
//! classification, `parse_error`, and RESP frames.

use std::borrow::Cow;

use snafu::Snafu;

use crate::class::{Class, RedisPy, ValkeyPy, CLUSTER_CODES_IN_BASE_SINCE};
use crate::error::erased::Error;
use crate::error::structs::*;
use crate::error::traits::ExceptionClass;
use crate::instance::redirect::{self, Redirect, Spans};
use crate::instance::state::{Args, Origin, State};
use crate::pyrt::scan;
use crate::pyrt::value as py;

/// The releases of redis-py a reply rule belongs to, and whether its base
/// parser has it or only the cluster client's.
#[derive(Clone, Copy)]
struct Releases {
    /// The first release with the rule.
    since: RedisPy,
    /// The first release without it, if one dropped it.
    until: Option<RedisPy>,
    /// The first release whose base parser has it; before, only the
    /// cluster client's parser (`ClusterParser`) does.
    base_since: RedisPy,
}

impl Releases {
    /// Every release, every parser.
    const ALWAYS: Releases = Releases {
        since: RedisPy::OLDEST,
        until: None,
        base_since: RedisPy::OLDEST,
    };

    const fn since(release: RedisPy) -> Releases {
        Releases {
            since: release,
            until: None,
            base_since: release,
        }
    }

    const fn until(release: RedisPy) -> Releases {
        Releases {
            since: RedisPy::OLDEST,
            until: Some(release),
            base_since: RedisPy::OLDEST,
        }
    }

    /// Every release; in the base parser from `release` on.
    const fn base_since(release: RedisPy) -> Releases {
        Releases {
            since: RedisPy::OLDEST,
            until: None,
            base_since: release,
        }
    }

    #[inline(always)]
    fn apply(self, parser: Parser) -> bool {
        let r = parser.release;
        self.since <= r
            && self.until.is_none_or(|u| r < u)
            && (parser.cluster || self.base_since <= r)
    }
}

/// What a reply code maps to: one class, or (for `ERR`) a table of exact
/// messages with `ResponseError` for any other message.
#[derive(Clone, Copy)]
enum Target {
    Class(&'static Class),
    ByMessage(&'static [(&'static str, &'static Class, Releases)]),
}

/// The `ERR` entries of redis-py's `BaseParser.EXCEPTION_CLASSES`: exact
/// messages, in the newest release's order, each with the releases that
/// have it.
#[rustfmt::skip]
static ERR_MESSAGES: &[(&str, &Class, Releases)] = &[
    ("max number of clients reached", MaxClientsReachedError::CLASS, Releases::since(RedisPy::V8_2)),
    ("max number of clients reached", ConnectionError::CLASS, Releases::until(RedisPy::V8_2)),
    ("invalid password", AuthenticationError::CLASS, Releases::ALWAYS),
    ("wrong number of arguments for 'auth' command", AuthenticationWrongNumberOfArgsError::CLASS, Releases::ALWAYS),
    ("wrong number of arguments for 'AUTH' command", AuthenticationWrongNumberOfArgsError::CLASS, Releases::ALWAYS),
    ("Error loading the extension. Please check the server logs.", ModuleError::CLASS, Releases::ALWAYS),
    ("Error unloading module: the module exports one or more module-side data types, can't unload", ModuleError::CLASS, Releases::ALWAYS),
    ("Error unloading module: no such module with that name", ModuleError::CLASS, Releases::ALWAYS),
    ("Error unloading module: operation not possible.", ModuleError::CLASS, Releases::ALWAYS),
    ("AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?", AuthenticationError::CLASS, Releases::ALWAYS),
    ("Client sent AUTH, but no password is set", AuthenticationError::CLASS, Releases::ALWAYS),
    ("problem with LDAP service", ExternalAuthProviderError::CLASS, Releases::since(RedisPy::V7_0)),
    ("no such fieldset", NoSuchFieldsetError::CLASS, Releases::since(RedisPy::V8_1)),
];

/// The codes redis-py maps, in the newest release's table order, each with
/// the releases (and parsers) that have it: before 6.0 only the cluster
/// client's parser has the cluster codes.
#[rustfmt::skip]
static CODES: &[(&str, Target, Releases)] = &[
    ("ERR", Target::ByMessage(ERR_MESSAGES), Releases::ALWAYS),
    ("OOM", Target::Class(OutOfMemoryError::CLASS), Releases::ALWAYS),
    ("WRONGPASS", Target::Class(AuthenticationError::CLASS), Releases::ALWAYS),
    ("EXECABORT", Target::Class(ExecAbortError::CLASS), Releases::ALWAYS),
    ("LOADING", Target::Class(BusyLoadingError::CLASS), Releases::ALWAYS),
    ("NOSCRIPT", Target::Class(NoScriptError::CLASS), Releases::ALWAYS),
    ("READONLY", Target::Class(ReadOnlyError::CLASS), Releases::ALWAYS),
    ("NOAUTH", Target::Class(AuthenticationError::CLASS), Releases::ALWAYS),
    ("NOPERM", Target::Class(NoPermissionError::CLASS), Releases::ALWAYS),
    ("ASK", Target::Class(AskError::CLASS), Releases::base_since(CLUSTER_CODES_IN_BASE_SINCE)),
    ("TRYAGAIN", Target::Class(TryAgainError::CLASS), Releases::base_since(CLUSTER_CODES_IN_BASE_SINCE)),
    ("MOVED", Target::Class(MovedError::CLASS), Releases::base_since(CLUSTER_CODES_IN_BASE_SINCE)),
    ("CLUSTERDOWN", Target::Class(ClusterDownError::CLASS), Releases::base_since(CLUSTER_CODES_IN_BASE_SINCE)),
    ("CROSSSLOT", Target::Class(ClusterCrossSlotError::CLASS), Releases::base_since(CLUSTER_CODES_IN_BASE_SINCE)),
    ("MASTERDOWN", Target::Class(MasterDownError::CLASS), Releases::base_since(CLUSTER_CODES_IN_BASE_SINCE)),
];

/// The length of the longest code in [`CODES`].
const LONGEST_CODE: usize = {
    let mut i = 0;
    let mut longest = 0;
    while i < CODES.len() {
        if CODES[i].0.len() > longest {
            longest = CODES[i].0.len();
        }
        i += 1;
    }
    longest
};

/// The longest code redis-py 8.2 keeps as `status_code` when it is not in
/// its table (`[A-Z][A-Z0-9_]{0,63}`).
pub const LONGEST_STATUS: usize = 64;

/// One of redis-py's error-reply parsers, as one release has it: the base
/// parser every connection uses ([`RedisPy::parser`]) or the cluster
/// client's ([`RedisPy::cluster`], which differs before 6.0).
///
/// ```
/// use redis_exceptions::{MovedError, RedisPy, ResponseError};
///
/// // redis-py 5.2: a plain client does not know MOVED; RedisCluster does.
/// assert!(RedisPy::V5_2.parse_error("MOVED 1 h:1").is::<ResponseError>());
/// assert!(RedisPy::V5_2.cluster().parse_error("MOVED 1 h:1").is::<MovedError>());
/// assert!(RedisPy::V6_0.parse_error("MOVED 1 h:1").is::<MovedError>());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Parser {
    release: RedisPy,
    cluster: bool,
}

impl Parser {
    /// The newest release's base parser.
    pub const LATEST: Parser = Parser {
        release: RedisPy::LATEST,
        cluster: false,
    };

    /// The reference release's base parser ([`RedisPy::REFERENCE`]): what
    /// [`parse_error`], [`parse_error_bytes`] and [`classify`] use.
    pub const REFERENCE: Parser = Parser {
        release: RedisPy::REFERENCE,
        cluster: false,
    };

    /// The release whose parser this is.
    pub fn release(self) -> RedisPy {
        self.release
    }

    /// Whether this is the cluster client's parser.
    pub fn is_cluster(self) -> bool {
        self.cluster
    }

    /// [`classify`] as this parser does.
    pub fn classify(self, reply: &[u8]) -> Classified<'_> {
        classify_with(self, reply)
    }

    /// [`parse_error`] as this parser does.
    #[inline]
    pub fn parse_error(self, reply: &str) -> Error {
        let c = classify_with(self, reply.as_bytes());
        build(&c, Args::message(&reply[c.message_start..]), self.release)
    }

    /// [`parse_error_bytes`] as this parser does.
    pub fn parse_error_bytes(self, reply: &[u8]) -> Error {
        parse_bytes_with(self, reply)
    }

    /// Every rule of this parser's reply table, in the newest release's
    /// order (one row per `ERR` message). Any reply no rule matches is a
    /// `ResponseError`.
    pub fn rules(self) -> impl Iterator<Item = ReplyRule> {
        CODES
            .iter()
            .filter(move |(_, _, r)| r.apply(self))
            .flat_map(move |&(code, target, _)| {
                let rows: Vec<ReplyRule> = match target {
                    Target::Class(class) => vec![ReplyRule {
                        code,
                        message: None,
                        class,
                    }],
                    Target::ByMessage(table) => table
                        .iter()
                        .filter(|(_, _, r)| r.apply(self))
                        .map(|&(m, class, _)| ReplyRule {
                            code,
                            message: Some(m),
                            class,
                        })
                        .collect(),
                };
                rows
            })
    }
}

impl RedisPy {
    /// The base parser of this release (`BaseParser.parse_error`), which
    /// every connection uses.
    pub const fn parser(self) -> Parser {
        Parser {
            release: self,
            cluster: false,
        }
    }

    /// The cluster client's parser of this release: `ClusterParser` in
    /// `redis.cluster` (and its asyncio twin) up to 5.3, which adds the
    /// cluster codes the base parser then lacks; from 6.0 the base parser.
    pub const fn cluster(self) -> Parser {
        Parser {
            release: self,
            cluster: true,
        }
    }
}

impl ValkeyPy {
    /// The base parser of this release: that of the redis-py release it
    /// was forked from.
    pub const fn parser(self) -> Parser {
        self.redis_py().parser()
    }

    /// The cluster client's parser of this release (`valkey.cluster.ClusterParser`).
    pub const fn cluster(self) -> Parser {
        self.redis_py().cluster()
    }
}

/// The base parser's entry points on a release value (`RedisPy`, `ValkeyPy`).
macro_rules! release_entry_points {
    ($($release:ty),*) => {$(
        impl $release {
            /// [`parse_error`] as this release's base parser does: the class,
            /// `args`, `str()`, attributes (`status_code`, `error_type`) and
            /// `repr` that release gives.
            pub fn parse_error(self, reply: &str) -> Error {
                self.parser().parse_error(reply)
            }

            /// [`parse_error_bytes`] as this release's base parser does.
            pub fn parse_error_bytes(self, reply: &[u8]) -> Error {
                self.parser().parse_error_bytes(reply)
            }

            /// [`classify`] as this release's base parser does.
            pub fn classify(self, reply: &[u8]) -> Classified<'_> {
                self.parser().classify(reply)
            }
        }
    )*};
}

release_entry_points!(RedisPy, ValkeyPy);

/// One row of the reply table, for documentation and tests.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReplyRule {
    /// The reply's code word, e.g. `"MOVED"`.
    pub code: &'static str,
    /// For `ERR` rows: the exact message that selects the class.
    pub message: Option<&'static str>,
    /// The class redis-py raises.
    pub class: &'static Class,
}

/// Every rule of the reference redis-py's reply table, in the newest
/// release's order (one row per `ERR` message). Any reply no rule matches
/// is a `ResponseError`.
pub fn reply_rules() -> impl Iterator<Item = ReplyRule> {
    Parser::REFERENCE.rules()
}

/// A reply classified without allocating: the class redis-py would raise,
/// with borrowed views of the message and redirect.
///
/// ```
/// use redis_exceptions::{classify, ExceptionClass, MovedError};
///
/// let c = classify(b"MOVED 3999 127.0.0.1:6381");
/// assert!(std::ptr::eq(c.class(), MovedError::CLASS));
/// assert_eq!(c.status_code(), Some("MOVED"));
/// assert_eq!(c.message(), b"3999 127.0.0.1:6381");
/// assert_eq!(c.redirect().unwrap().port(), Some(6381));
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Classified<'a> {
    class: &'static Class,
    release: RedisPy,
    code: Option<&'static str>,
    reply: &'a [u8],
    message_start: usize,
    redirect: Option<Spans>,
}

impl<'a> Classified<'a> {
    /// The class redis-py's `parse_error` returns for this reply.
    #[inline]
    pub fn class(&self) -> &'static Class {
        self.class
    }

    /// `isinstance` of the would-be error.
    #[inline]
    pub fn is_a<T: ExceptionClass>(&self) -> bool {
        crate::error::traits::is_instance_of::<T>(self.class)
    }

    /// The `status_code` the parser's release gives: the code when it is
    /// in its table, else the reply's first word when it is an upper-case
    /// code word (`WRONGTYPE`; `[A-Z][A-Z0-9_]{0,63}`, as redis-py 8.2
    /// keeps it; before 8.2, `None`). `None` on a release before 7.2, which
    /// has no such attribute.
    pub fn status_code(&self) -> Option<&'a str> {
        if !self.release.sets_status_attributes() {
            return None;
        }
        match self.code {
            Some(code) => Some(code),
            None if self.release.keeps_status_word() => {
                std::str::from_utf8(self.reply.get(..usize::from(status_word(self.reply)))?)
                    .ok()
                    .filter(|w| !w.is_empty())
            }
            None => None,
        }
    }

    /// The reply's leading word (up to the first space), whether or not
    /// redis-py knows it; `None` for an empty reply.
    pub fn reply_code(&self) -> Option<&'a [u8]> {
        let end = scan::find(self.reply, b' ').unwrap_or(self.reply.len());
        (end > 0).then(|| &self.reply[..end])
    }

    /// The message redis-py keeps as `args[0]`: the reply after a known
    /// code and its space, else the whole reply.
    pub fn message(&self) -> &'a [u8] {
        self.reply.get(self.message_start..).unwrap_or_default()
    }

    fn has_space(&self) -> bool {
        self.message_start > self.code.map_or(0, str::len)
    }

    /// The whole reply as given.
    pub fn reply(&self) -> &'a [u8] {
        self.reply
    }

    /// The redirect of an `ASK`/`MOVED` reply whose payload parses (and is
    /// UTF-8).
    pub fn redirect(&self) -> Option<Redirect<'a>> {
        let spans = self.redirect?;
        let message = std::str::from_utf8(self.message()).ok()?;
        Some(spans.view(message))
    }
}

/// Classifies a reply (the text after `-`, without CRLF) as redis-py's
/// `parse_error` would, without allocating.
pub fn classify(reply: &[u8]) -> Classified<'_> {
    classify_with(Parser::REFERENCE, reply)
}

#[inline(always)]
fn classify_with(parser: Parser, reply: &[u8]) -> Classified<'_> {
    // A known code is at most `LONGEST_CODE` bytes, so only that many and
    // the space after them are searched: a long reply with no early space
    // has no known code, whatever follows.
    let head = &reply[..reply.len().min(LONGEST_CODE + 1)];
    let code_end = head.iter().position(|&b| b == b' ');
    let code = &reply[..code_end.unwrap_or(reply.len())];
    // The newest release's base parser takes the first row of a code (the
    // tables list the newest row of a key first; a test checks it); another
    // release checks a row's releases once its code matched.
    let found = if parser == Parser::LATEST {
        CODES.iter().find(|(c, _, _)| c.as_bytes() == code)
    } else {
        CODES
            .iter()
            .find(|(c, _, r)| c.as_bytes() == code && r.apply(parser))
    };
    let Some(&(code, target, _)) = found else {
        return Classified {
            class: ResponseError::CLASS,
            release: parser.release,
            code: None,
            reply,
            message_start: 0,
            redirect: None,
        };
    };
    let message_start = code_end.map_or(reply.len(), |i| i + 1);
    let message = &reply[message_start..];
    let class = match target {
        Target::Class(class) => class,
        Target::ByMessage(table) if parser == Parser::LATEST => table
            .iter()
            .find(|(m, _, _)| m.as_bytes() == message)
            .map_or(ResponseError::CLASS, |&(_, class, _)| class),
        Target::ByMessage(table) => table
            .iter()
            .find(|(m, _, r)| m.as_bytes() == message && r.apply(parser))
            .map_or(ResponseError::CLASS, |&(_, class, _)| class),
    };

    let redirect = if class.is_subclass_of(AskError::CLASS) {
        redirect::parse_lenient_bytes(message)
    } else {
        None
    };
    Classified {
        class,
        release: parser.release,
        code: Some(code),
        reply,
        message_start,
        redirect,
    }
}

/// The bytes of a status word after its first: `[A-Z0-9_]`.
static STATUS_BYTE: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = c.is_ascii_uppercase() || c.is_ascii_digit() || c == b'_';
        b += 1;
    }
    table
};

/// The length of the reply's first word when redis-py 8.2 keeps it as the
/// `status_code` of an unknown code (`[A-Z][A-Z0-9_]{0,63}`, the whole word
/// up to the first space); 0 otherwise. At most 65 bytes are read.
#[inline]
fn status_word(reply: &[u8]) -> u8 {
    if !matches!(reply.first(), Some(b'A'..=b'Z')) {
        return 0;
    }
    let head = &reply[..reply.len().min(LONGEST_STATUS + 1)];
    let end = scan::find(head, b' ').unwrap_or(head.len());
    if end > LONGEST_STATUS || !head[..end].iter().all(|&b| STATUS_BYTE[usize::from(b)]) {
        return 0;
    }
    u8::try_from(end).unwrap_or(0)
}

/// redis-py 8.2's `_ERROR_CODE_PATTERN`, as Python spells the rule
/// [`is_status_word`] implements (the installed `parse_error` answers only
/// while the module's pattern is this one).
#[cfg_attr(not(feature = "pyo3"), allow(dead_code))]
pub const STATUS_WORD_PATTERN: &str = "[A-Z][A-Z0-9_]{0,63}";

/// Whether `code` (a whole first word, without its space) is one redis-py
/// 8.2 keeps as the `status_code` of an unknown code: its
/// `_ERROR_CODE_PATTERN.fullmatch(code)`, by `status_word`'s rule.
#[inline]
#[cfg_attr(not(feature = "pyo3"), allow(dead_code))]
pub fn is_status_word(code: &[u8]) -> bool {
    !code.is_empty() && usize::from(status_word(code)) == code.len()
}

/// Turns a server error reply into the error redis-py's
/// `BaseParser.parse_error` returns: same class, `str`, `args`,
/// `status_code` and `error_type`.
///
/// `reply` is the text after the `-` of a RESP2 error (or the payload of a
/// RESP3 blob error), without the CRLF. Where redis-py itself raises
/// `ValueError` (an `ASK`/`MOVED` payload that does not parse) this returns
/// the class the server named with the redirect absent; see the crate
/// docs' "Differences from redis-py".
///
/// ```
/// use redis_exceptions::{parse_error, NoScriptError, RedisErrorExt, RedisPy, ResponseError};
///
/// let e = parse_error("NOSCRIPT No matching script. Please use EVAL.");
/// assert!(e.is::<NoScriptError>());
/// assert_eq!(e.to_string(), "No matching script. Please use EVAL.");
/// assert_eq!(e.status_code(), Some("NOSCRIPT"));
///
/// let e = RedisPy::V8_2.parse_error("WRONGTYPE Operation against a key holding the wrong kind of value");
/// assert!(e.is::<ResponseError>());
/// assert_eq!(e.status_code(), Some("WRONGTYPE")); // from redis-py 8.2 on
/// assert_eq!(e.reply_code(), Some("WRONGTYPE")); // always available
/// ```
pub fn parse_error(reply: &str) -> Error {
    Parser::REFERENCE.parse_error(reply)
}

/// [`parse_error`] for raw bytes: decoded as UTF-8 with replacement, as
/// redis-py does; when the bytes were not valid UTF-8 the original bytes stay
/// available through [`RedisErrorExt::reply`](crate::RedisErrorExt::reply).
///
/// Such an error keeps the bytes alone until its message is first asked
/// for as a `str` (`args()`, `message()`, ...; `Display` writes the decoded
/// text without keeping it): then the decoded message is made once, at its
/// exact size, next to the bytes.
pub fn parse_error_bytes(reply: &[u8]) -> Error {
    parse_bytes_with(Parser::REFERENCE, reply)
}

#[inline(always)]
fn parse_bytes_with(parser: Parser, reply: &[u8]) -> Error {
    let c = classify_with(parser, reply);
    // A short ASCII message (the usual reply) is copied in place without
    // UTF-8 validation.
    if let Some(args) = Args::short_ascii(c.message()) {
        return build(&c, args, parser.release);
    }
    // Known codes are ASCII, so the message is valid exactly when the reply is.
    // (Validated first: that is much faster than the lossy decode.)
    match utf8(c.message()) {
        Some(message) => build(&c, Args::message(message), parser.release),
        // The reply as received; its message is decoded on first use.
        None => build(
            &c,
            Args::lossy(reply.into(), c.message_start),
            parser.release,
        ),
    }
}

/// From this length on, [`utf8`] samples a message to pick a validator.
const LONG_MESSAGE: usize = 8192;

/// The bytes [`utf8`] samples.
const SAMPLE: usize = 64;

/// Runs of non-ASCII bytes in the sample from which text counts as mixed.
const MIXED_RUNS: u32 = 5;

/// `bytes` as a `str` when they are UTF-8, validated the faster of std's
/// two ways for their kind of text. `str::from_utf8` skips ASCII a block at
/// a time but costs more per byte than `utf8_chunks` (what the lossy decode
/// of redis-rs uses) on text that switches often between ASCII and
/// multi-byte characters. `utf8_chunks` takes, in instructions per byte
/// against `from_utf8` (callgrind, Rust 1.95): 0.8 to 0.9x for runs of 1 to
/// 8 ASCII bytes between non-ASCII characters, 1.1x for runs of 16, 1.6x
/// for 32, 1.1x on CJK text without ASCII, 15x on ASCII. A long message
/// whose first [`SAMPLE`] bytes hold [`MIXED_RUNS`] or more non-ASCII runs
/// goes through `utf8_chunks`; the rest, through `from_utf8` (a message
/// whose head is ASCII and whose tail is mixed keeps `from_utf8`'s cost).
#[inline]
fn utf8(bytes: &[u8]) -> Option<&str> {
    if bytes.len() >= LONG_MESSAGE {
        return long_utf8(bytes);
    }
    std::str::from_utf8(bytes).ok()
}

/// [`utf8`] of a long message, out of the short messages' way.
#[inline(never)]
fn long_utf8(bytes: &[u8]) -> Option<&str> {
    if non_ascii_runs(&bytes[..SAMPLE]) >= MIXED_RUNS {
        let mut chunks = bytes.utf8_chunks();
        let first = chunks.next()?;
        return (first.invalid().is_empty() && chunks.next().is_none()).then(|| first.valid());
    }
    std::str::from_utf8(bytes).ok()
}

/// How many runs of non-ASCII bytes `sample` holds, eight bytes at a time
/// without a branch: a run starts at a byte with its high bit set whose
/// previous byte has it clear.
#[inline]
fn non_ascii_runs(sample: &[u8]) -> u32 {
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let mut runs = 0;
    let mut before = 0u64;
    for word in sample.chunks_exact(8) {
        let high = u64::from_le_bytes(word.try_into().unwrap_or([0; 8])) & HIGH;
        runs += (high & !((high << 8) | (before >> 56))).count_ones();
        before = high;
    }
    runs
}

/// The error for a classified reply, as `release` makes it (the parser's:
/// a constant where the caller's parser is one, so the default release's
/// path has no test).
#[inline(always)]
fn build(c: &Classified<'_>, args: Args, release: RedisPy) -> Error {
    if release == RedisPy::LATEST {
        build_latest(c, args)
    } else {
        build_in(c, args, release)
    }
}

/// The error for a classified reply, as the default release makes it.
fn build_latest(c: &Classified<'_>, args: Args) -> Error {
    Error::from_state(state_of(c, args))
}

/// The state of the default release's instance for a classified reply.
#[inline(always)]
fn state_of(c: &Classified<'_>, args: Args) -> State {
    let lossy = args.is_lossy();
    let mut state = State::new(c.class, args, c.code.map(Cow::Borrowed));
    if c.code.is_none() {
        state.status_prefix = status_word(c.reply);
    }
    state.redirect = if lossy && c.class.is_subclass_of(AskError::CLASS) {
        // Spans index into the message, which a lossy decode may lengthen.
        state.message_str().and_then(redirect::parse_lenient)
    } else {
        c.redirect
    };
    state.origin = Origin::Reply {
        space: c.has_space(),
    };
    state
}

/// The error for a classified reply as another release than the default
/// makes it: the default's instance, without the status word that release
/// does not keep, and with the attributes of that release's `__init__`
/// ([`State::in_release`]).
#[cold]
#[inline(never)]
fn build_in(c: &Classified<'_>, args: Args, release: RedisPy) -> Error {
    let mut state = state_of(c, args);
    if !release.keeps_status_word() {
        state.status_prefix = 0;
    }
    state.in_release(release);
    Error::from_state(state)
}

/// Why [`parse_frame`] refused a frame.
#[derive(Clone, Debug, PartialEq, Eq, Snafu)]
pub enum FrameError {
    /// No bytes at all.
    #[snafu(display("empty frame"))]
    Empty,
    /// The frame is not an error: it starts with another RESP type byte.
    #[snafu(display("not an error frame: starts with {byte:#04x}, expected '-' or '!'"))]
    NotAnError {
        /// The first byte.
        byte: u8,
    },
    /// The frame does not end with CRLF (it may be incomplete).
    #[snafu(display("frame does not end with CRLF"))]
    Unterminated,
    /// A simple error (`-`) holds a CR or LF before its end.
    #[snafu(display("simple error holds a line break at byte {at}"))]
    LineBreak {
        /// Offset of the CR or LF in the frame.
        at: usize,
    },
    /// A blob error's length line is not a decimal length.
    #[snafu(display("blob error length is not a number: {line:?} ({len} bytes)"))]
    BadLength {
        /// The start of the length line, lossily decoded: its first 64
        /// bytes at most, so that a hostile line costs no more than that.
        line: String,
        /// The length of the whole line, in bytes.
        len: usize,
    },
    /// A blob error's payload is not as long as its header says.
    #[snafu(display("blob error declares {declared} bytes but holds {actual}"))]
    LengthMismatch {
        /// The length in the header.
        declared: usize,
        /// The bytes between the header and the final CRLF.
        actual: usize,
    },
}

/// Parses one whole RESP error frame: a RESP2 simple error
/// (`-MOVED 3999 127.0.0.1:6381\r\n`) or a RESP3 blob error
/// (`!21\r\nSYNTAX invalid syntax\r\n`).
///
/// ```
/// use redis_exceptions::{parse_frame, FrameError, MovedError, RedisErrorExt};
///
/// let e = parse_frame(b"-MOVED 3999 127.0.0.1:6381\r\n").unwrap();
/// assert!(e.is::<MovedError>());
/// let e = parse_frame(b"!21\r\nSYNTAX invalid syntax\r\n").unwrap();
/// assert_eq!(e.reply_code(), Some("SYNTAX"));
/// assert_eq!(parse_frame(b"+OK\r\n").unwrap_err(), FrameError::NotAnError { byte: b'+' });
/// ```
pub fn parse_frame(frame: &[u8]) -> Result<Error, FrameError> {
    frame_payload(frame).map(parse_error_bytes)
}

/// How much of a bad length line [`FrameError::BadLength`] keeps.
const FRAME_EXCERPT: usize = 64;

/// The error text inside a frame, without allocating.
pub fn frame_payload(frame: &[u8]) -> Result<&[u8], FrameError> {
    let (&first, rest) = frame.split_first().ok_or(FrameError::Empty)?;
    let body = rest.strip_suffix(b"\r\n").ok_or(FrameError::Unterminated)?;
    match first {
        b'-' => match scan::find_line_break(body) {
            None => Ok(body),
            Some(at) => Err(FrameError::LineBreak { at: at + 1 }),
        },
        b'!' => {
            let line_end = scan::find_crlf(body).ok_or(FrameError::Unterminated)?;
            let line = &body[..line_end];
            let declared = std::str::from_utf8(line)
                .ok()
                .filter(|l| !l.is_empty() && l.bytes().all(|b| b.is_ascii_digit()))
                .and_then(|l| l.parse::<usize>().ok())
                .ok_or_else(|| FrameError::BadLength {
                    line: py::decode_lossy(excerpt(line)),
                    len: line.len(),
                })?;
            let payload = &body[line_end + 2..];
            if payload.len() != declared {
                return Err(FrameError::LengthMismatch {
                    declared,
                    actual: payload.len(),
                });
            }
            Ok(payload)
        }
        byte => Err(FrameError::NotAnError { byte }),
    }
}

/// The first [`FRAME_EXCERPT`] bytes of `bytes`, cut back to the start of a
/// UTF-8 character when the cut falls inside one.
fn excerpt(bytes: &[u8]) -> &[u8] {
    if bytes.len() <= FRAME_EXCERPT {
        return bytes;
    }
    let mut end = FRAME_EXCERPT;
    // At most three continuation bytes precede a character's end.
    while end > FRAME_EXCERPT - 3 && (bytes[end] & 0xC0) == 0x80 {
        end -= 1;
    }
    &bytes[..end]
}

#[cfg(test)]
mod utf8_validation {
    use super::*;

    /// Text of each kind `utf8` tells apart, long enough to be sampled.
    fn texts() -> Vec<Vec<u8>> {
        [
            "h",
            "nœud-ü.例え.",
            "héllo wörld ",
            "日本語のテキスト",
            "é",
            "éa",
        ]
        .iter()
        .flat_map(|fill| {
            [LONG_MESSAGE - 1, LONG_MESSAGE, 3 * LONG_MESSAGE + 5].map(|len| {
                let mut v: Vec<u8> = fill.bytes().cycle().take(len).collect();
                while std::str::from_utf8(&v).is_err() {
                    v.pop();
                }
                v
            })
        })
        .collect()
    }

    /// The runs counted byte by byte.
    fn runs_one_by_one(sample: &[u8]) -> u32 {
        let mut before = 0u8;
        let mut runs = 0;
        for &b in sample {
            runs += u32::from(b >= 0x80 && before < 0x80);
            before = b;
        }
        runs
    }

    #[test]
    fn runs_are_counted_across_words() {
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..2000 {
            let sample: Vec<u8> = (0..SAMPLE)
                .map(|_| {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    // Mostly one kind of byte, so that runs vary in length.
                    if seed.is_multiple_of(3) {
                        0x80 | (seed >> 8) as u8
                    } else {
                        (seed >> 8) as u8 & 0x7f
                    }
                })
                .collect();
            assert_eq!(
                non_ascii_runs(&sample),
                runs_one_by_one(&sample),
                "{sample:?}"
            );
        }
        assert_eq!(non_ascii_runs(&[0x80; SAMPLE]), 1);
        assert_eq!(non_ascii_runs(&[b'a'; SAMPLE]), 0);
    }

    /// Both validators take the mixed texts: the sample decides.
    #[test]
    fn mixed_text_is_sampled() {
        let mixed = |t: &[u8]| runs_one_by_one(&t[..SAMPLE]) >= MIXED_RUNS;
        let texts = texts();
        assert!(texts.iter().any(|t| t.len() >= LONG_MESSAGE && mixed(t)));
        assert!(texts.iter().any(|t| t.len() >= LONG_MESSAGE && !mixed(t)));
    }

    /// The same answer as `str::from_utf8` on valid text and on text with
    /// a bad byte, a cut character or a lone continuation byte anywhere.
    #[test]
    fn agrees_with_from_utf8() {
        for text in texts() {
            assert_eq!(utf8(&text), std::str::from_utf8(&text).ok());
            for at in [0, 1, SAMPLE, text.len() / 2, text.len() - 1] {
                for bad in [0xFF, 0x80, 0xC3, 0xE4] {
                    let mut broken = text.clone();
                    broken[at] = bad;
                    assert_eq!(
                        utf8(&broken),
                        std::str::from_utf8(&broken).ok(),
                        "{at} {bad}"
                    );
                }
            }
            let cut = &text[..text.len() - 1];
            assert_eq!(utf8(cut), std::str::from_utf8(cut).ok());
        }
    }
}

#[cfg(test)]
mod latest_first {
    use super::*;

    /// The newest release's base parser takes the first row of each code
    /// and of each `ERR` message: that row must be one it has.
    #[test]
    fn the_first_row_of_each_key_is_the_newest_releases() {
        for (i, (code, target, releases)) in CODES.iter().enumerate() {
            let first = CODES.iter().position(|(c, _, _)| c == code).unwrap();
            if first == i {
                assert!(releases.apply(Parser::LATEST), "{code}");
            }
            if let Target::ByMessage(table) = target {
                for (j, (m, _, releases)) in table.iter().enumerate() {
                    let first = table.iter().position(|(x, _, _)| x == m).unwrap();
                    if first == j {
                        assert!(releases.apply(Parser::LATEST), "{code} {m}");
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod status_words {
    use super::*;
    use crate::class::STATUS_WORD_SINCE;
    use crate::error::traits::RedisErrorExt;

    /// redis-py 8.2's `[A-Z][A-Z0-9_]{0,63}`, the whole first word: its
    /// edges, checked against the rule written out.
    #[test]
    fn the_pattern_and_its_edges() {
        let model = |reply: &str| {
            let word = reply.split(' ').next().unwrap_or("");
            let mut chars = word.chars();
            let ok = chars.next().is_some_and(|c| c.is_ascii_uppercase())
                && word.len() <= 64
                && chars.all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
            if ok {
                word.len()
            } else {
                0
            }
        };
        let long = |n: usize| "A".repeat(n);
        for reply in [
            String::new(),
            "WRONGTYPE x".into(),
            "WRONGTYPE".into(),
            "X".into(),
            "X_1 y".into(),
            "1ABC x".into(),
            "_ABC x".into(),
            "Abc x".into(),
            "AB-C x".into(),
            "AB\tC x".into(),
            " LEADING".into(),
            "ÉTAT x".into(),
            long(63),
            long(64),
            long(65),
            format!("{} tail", long(64)),
            format!("{} tail", long(65)),
            format!("{}b tail", long(63)),
        ] {
            assert_eq!(
                usize::from(status_word(reply.as_bytes())),
                model(&reply),
                "{reply:?}"
            );
            let word = reply.split(' ').next().unwrap_or("");
            assert_eq!(
                is_status_word(word.as_bytes()),
                !word.is_empty() && model(word) == word.len(),
                "{word:?}"
            );
            // The first release that keeps the word, and the one before it.
            let since = STATUS_WORD_SINCE.parser();
            let e = since.parse_error(&reply);
            let want = (model(&reply) > 0).then(|| reply.split(' ').next().unwrap());
            assert_eq!(e.status_code(), want, "{reply:?}");
            assert_eq!(
                since.classify(reply.as_bytes()).status_code(),
                want,
                "{reply:?}"
            );
            let i = RedisPy::ALL
                .iter()
                .position(|&r| r == STATUS_WORD_SINCE)
                .unwrap();
            let before = RedisPy::ALL[i - 1].parser();
            assert_eq!(before.parse_error(&reply).status_code(), None, "{reply:?}");
            assert_eq!(
                before.classify(reply.as_bytes()).status_code(),
                None,
                "{reply:?}"
            );
        }
    }
}
