//! The state of one exception instance: its class, `args`, the attributes
//! redis-py sets, the cause, and where it came from.

use std::borrow::Cow;
use std::fmt;

use crate::class::{Attr, Class, ExceptionType, Params, RedisPy};
use crate::instance::redirect::{self, Redirect, Spans};
use crate::pyrt::value::{self as py, PyValue};

/// A boxed error kept as an exception's cause (`raise X from cause`).
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Where an instance came from, for [`crate::RedisErrorExt::reply`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum Origin {
    /// Built by a constructor.
    #[default]
    Constructed,
    /// Parsed from a server reply; `space` says whether a known code was
    /// followed by a space (`"MOVED"` vs `"MOVED "`). When the reply was
    /// not valid UTF-8 its bytes are kept in [`Args::Lossy`].
    Reply { space: bool },
}

/// The exception's arguments: Python's `args` tuple.
#[derive(Clone, Debug, Default)]
pub(crate) enum Args {
    #[default]
    Empty,
    One(PyValue),
    Many(Vec<PyValue>),
    /// One short `str`, kept in the state itself: a parsed reply of a
    /// typical size then costs one heap block, the error's box.
    Inline(InlineStr),
    /// A reply that was not valid UTF-8: its bytes, and its message decoded
    /// with replacement on first use.
    Lossy(Box<LossyStr>),
}

/// The bytes of a reply that is not valid UTF-8 (all of it, as received),
/// where its message starts, and the message decoded with replacement, made
/// on the first call that needs it: until then the error keeps the bytes
/// alone, and after it the bytes and the decoded message, nothing more.
pub(crate) struct LossyStr {
    raw: Box<[u8]>,
    start: usize,
    value: once_cell::race::OnceBox<PyValue>,
}

impl LossyStr {
    fn message(&self) -> &[u8] {
        self.raw.get(self.start..).unwrap_or_default()
    }

    fn value(&self) -> &PyValue {
        self.value
            .get_or_init(|| Box::new(PyValue::Str(py::decode_lossy(self.message()))))
    }

    /// The decoded message, written without keeping it.
    fn write(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(PyValue::Str(s)) = self.value.get() {
            return f.write_str(s);
        }
        for chunk in self.message().utf8_chunks() {
            f.write_str(chunk.valid())?;
            if !chunk.invalid().is_empty() {
                f.write_str("\u{FFFD}")?;
            }
        }
        Ok(())
    }
}

impl Clone for LossyStr {
    /// Copies the bytes; the clone decodes its own message when asked.
    fn clone(&self) -> Self {
        LossyStr {
            raw: self.raw.clone(),
            start: self.start,
            value: once_cell::race::OnceBox::new(),
        }
    }
}

impl fmt::Debug for LossyStr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.value(), f)
    }
}

/// The longest message [`Args::Inline`] holds, in bytes.
pub(crate) const INLINE: usize = 64;

/// A `str` of at most [`INLINE`] bytes stored in place, and the Python value
/// `args` hands out, made on the first call that needs it.
pub(crate) struct InlineStr {
    len: u8,
    bytes: [u8; INLINE],
    value: once_cell::race::OnceBox<PyValue>,
}

impl InlineStr {
    fn new(text: &str) -> Option<InlineStr> {
        let len = u8::try_from(text.len())
            .ok()
            .filter(|&n| usize::from(n) <= INLINE)?;
        let mut bytes = [0; INLINE];
        bytes[..text.len()].copy_from_slice(text.as_bytes());
        Some(InlineStr {
            len,
            bytes,
            value: once_cell::race::OnceBox::new(),
        })
    }

    /// The same from bytes that are ASCII (so valid UTF-8) and short
    /// enough; `None` otherwise. The ASCII test is cheaper than UTF-8
    /// validation on the short messages that fit.
    fn ascii(bytes: &[u8]) -> Option<InlineStr> {
        if bytes.len() > INLINE || !bytes.is_ascii() {
            return None;
        }
        let mut inline = [0; INLINE];
        inline[..bytes.len()].copy_from_slice(bytes);
        Some(InlineStr {
            len: u8::try_from(bytes.len()).ok()?,
            bytes: inline,
            value: once_cell::race::OnceBox::new(),
        })
    }

    fn as_str(&self) -> &str {
        // Copied from a `str`, so the check cannot fail.
        std::str::from_utf8(&self.bytes[..usize::from(self.len)]).unwrap_or_default()
    }

    fn value(&self) -> &PyValue {
        self.value
            .get_or_init(|| Box::new(PyValue::Str(self.as_str().to_owned())))
    }
}

impl Clone for InlineStr {
    /// Copies the text; the clone makes its own Python value when asked.
    fn clone(&self) -> Self {
        InlineStr {
            len: self.len,
            bytes: self.bytes,
            value: once_cell::race::OnceBox::new(),
        }
    }
}

impl fmt::Debug for InlineStr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl Args {
    /// `args` as Python values (an inline message is turned into one on the
    /// first call).
    pub(crate) fn as_slice(&self) -> &[PyValue] {
        match self {
            Args::Empty => &[],
            Args::One(v) => std::slice::from_ref(v),
            Args::Many(v) => v,
            Args::Inline(s) => std::slice::from_ref(s.value()),
            Args::Lossy(s) => std::slice::from_ref(s.value()),
        }
    }

    /// The message of a reply that was not valid UTF-8: `raw` is the whole
    /// reply, the message starts at `start`.
    pub(crate) fn lossy(raw: Box<[u8]>, start: usize) -> Args {
        Args::Lossy(Box::new(LossyStr {
            raw,
            start,
            value: once_cell::race::OnceBox::new(),
        }))
    }

    pub(crate) fn is_lossy(&self) -> bool {
        matches!(self, Args::Lossy(_))
    }

    /// One `str` argument: in place when it is short, else on the heap.
    pub(crate) fn message(text: &str) -> Args {
        InlineStr::new(text).map_or_else(|| Args::One(PyValue::Str(text.to_owned())), Args::Inline)
    }

    /// One `str` argument from bytes, in place, when they are short and
    /// ASCII; `None` otherwise (the caller validates them as UTF-8).
    pub(crate) fn short_ascii(bytes: &[u8]) -> Option<Args> {
        InlineStr::ascii(bytes).map(Args::Inline)
    }

    /// The first argument when it is a `str`, without making Python values.
    pub(crate) fn first_str(&self) -> Option<&str> {
        match self {
            Args::Inline(s) => Some(s.as_str()),
            _ => self.as_slice().first().and_then(PyValue::as_str),
        }
    }

    pub(crate) fn from_vec(mut v: Vec<PyValue>) -> Self {
        match v.len() {
            0 => Args::Empty,
            1 => Args::One(v.pop().unwrap_or_default()),
            _ => Args::Many(v),
        }
    }
}

/// The parts of an instance that few instances have, boxed to keep every
/// struct small.
#[derive(Default)]
pub(crate) struct Rare {
    /// `LockError.lock_name` when it is not `None`.
    pub(crate) lock_name: Option<PyValue>,
    /// The cause.
    pub(crate) source: Option<BoxError>,
    /// Attributes that hold a parameter as given (`HttpError.status`, ...),
    /// in the order the `__init__` sets them.
    pub(crate) params: Vec<(&'static str, PyValue)>,
    /// Whether `source` is the Python exception this instance was read
    /// from (feature `pyo3`, `Error::from_py`); cleared when the cause is
    /// replaced.
    pub(crate) from_python: bool,
}

/// The state of one exception instance: what Python keeps in `args` and
/// `__dict__`, plus the cause and where it came from.
#[doc(hidden)]
pub struct State {
    pub(crate) class: &'static Class,
    pub(crate) args: Args,
    pub(crate) status_code: Option<Cow<'static, str>>,
    /// When `status_code` is unset: the length of the message's first
    /// word, which is the status code (a reply with a code redis-py's table
    /// lacks, whose message is the whole reply); 0 for none.
    pub(crate) status_prefix: u8,
    pub(crate) error_type: Option<ExceptionType>,
    /// `AskError`/`MovedError`: the parsed payload, `None` where redis-py
    /// would have raised while parsing it (and for every other class).
    pub(crate) redirect: Option<Spans>,
    pub(crate) origin: Origin,
    /// The redis-py release whose instance this is: which attributes it
    /// has and its `repr` are that release's (the release columns of
    /// `class/init.rs` and `class/release.rs`).
    pub(crate) release: RedisPy,
    pub(crate) rare: Option<Box<Rare>>,
}

impl State {
    /// The state `Class(message)` gives, without the cause.
    #[doc(hidden)]
    pub fn __with_message(class: &'static Class, message: PyValue) -> State {
        State::lenient(class, Args::One(message), None)
    }

    /// A new instance of `class` with `args`: the `error_type` its
    /// `__init__` chain sets, and `status_code` when the class has that
    /// attribute. Class-specific attributes are the caller's to fill.
    pub(crate) fn new(
        class: &'static Class,
        args: Args,
        status_code: Option<Cow<'static, str>>,
    ) -> State {
        State {
            class,
            args,
            status_code: status_code.filter(|_| class.init().0.has_status_code()),
            status_prefix: 0,
            error_type: class.default_error_type(),
            redirect: None,
            origin: Origin::Constructed,
            release: RedisPy::LATEST,
            rare: None,
        }
    }

    /// Makes this instance one of `release`, as that release's `__init__`
    /// leaves it: without the `error_type` it does not set. (The stored
    /// code stays, for [`crate::RedisErrorExt::reply`]; `status_code()`
    /// hides it where the release has no such attribute.)
    pub(crate) fn in_release(&mut self, release: RedisPy) {
        self.release = release;
        if !self.sets(Attr::ErrorType) {
            self.error_type = None;
        }
    }

    /// Whether this instance has the attribute `attr` that an `__init__`
    /// sets: its class's `__init__` sets it on the instance's release.
    pub(crate) fn sets(&self, attr: Attr) -> bool {
        self.class.init().0.sets_in(attr, self.release)
    }

    /// Whether `repr()` is redis-py's `error_type:ClassName` form on the
    /// instance's release.
    pub(crate) fn redis_repr(&self) -> bool {
        self.class.redis_repr_in(self.release)
    }

    /// The never-failing constructor behind `Class::new(message)` and the
    /// reply parser: Python's call with `args` (and `status_code=`), except
    /// that a redirect payload that does not parse leaves the redirect absent.
    pub(crate) fn lenient(
        class: &'static Class,
        args: Args,
        status_code: Option<Cow<'static, str>>,
    ) -> State {
        let mut state = State::new(class, args, status_code);
        let init = class.init().0;
        if init.has_lock_name() {
            // `LockError(message)`: `args` is `(message,)`.
            state.args = Args::One(state.args.as_slice().first().cloned().unwrap_or_default());
        }
        if init.parses_redirect() {
            state.redirect = state.message_str().and_then(redirect::parse_lenient);
        }
        // A first parameter the instance keeps as an attribute
        // (`VersionMismatchException(version)`) gets the message.
        if let Params::Named {
            names: [first, ..], ..
        } = init.params
        {
            if init.params_kept().any(|p| p == *first) {
                let value = state.args.as_slice().first().cloned().unwrap_or_default();
                state.set_param(first, value);
            }
        }
        state
    }

    #[doc(hidden)]
    #[inline(always)]
    pub fn __class(&self) -> &'static Class {
        self.class
    }

    #[doc(hidden)]
    pub fn __set_status_code(&mut self, code: Cow<'static, str>) {
        if self.class.init().0.has_status_code() {
            self.status_code = Some(code);
            self.status_prefix = 0;
        }
    }

    #[doc(hidden)]
    pub fn __set_source(&mut self, source: BoxError) {
        let rare = self.rare_mut();
        rare.source = Some(source);
        rare.from_python = false;
    }

    pub(crate) fn rare_mut(&mut self) -> &mut Rare {
        self.rare.get_or_insert_with(Box::default)
    }

    fn rare(&self) -> Option<&Rare> {
        self.rare.as_deref()
    }

    pub(crate) fn raw(&self) -> Option<&[u8]> {
        match &self.args {
            Args::Lossy(s) => Some(&s.raw),
            _ => None,
        }
    }

    #[doc(hidden)]
    pub fn __source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.rare()?
            .source
            .as_deref()
            .map(|s| s as &(dyn std::error::Error + 'static))
    }

    /// `str(e)`; with `{:#}`, the last line of Python's traceback
    /// (`traceback.format_exception_only`): the class named with its module
    /// unless it is a builtin, then `": "` and `str(e)` unless that is empty.
    #[doc(hidden)]
    pub fn __fmt_str(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if f.alternate() {
            let module = self.class.module();
            if module != "builtins" {
                f.write_str(module)?;
                f.write_str(".")?;
            }
            f.write_str(self.class.name())?;
            let empty = match &self.args {
                Args::Empty => true,
                args => args.first_str() == Some("") && args.as_slice().len() == 1,
            };
            if empty {
                return Ok(());
            }
            f.write_str(": ")?;
        }
        match &self.args {
            // `str(e)` of one `str` argument is that text.
            Args::Inline(s) => f.write_str(s.as_str()),
            Args::Lossy(s) => s.write(f),
            args => py::fmt_args_str(args.as_slice(), f),
        }
    }

    /// What `==` compares: the class (identity), `args`, and the attributes
    /// redis-py sets (`status_code`, `error_type`, `lock_name`; `message`,
    /// `slot_id`, `host` and `port` follow from `args`). The cause and where
    /// the instance came from (constructed or parsed, the raw reply bytes)
    /// are not compared.
    #[doc(hidden)]
    pub fn __eq(&self, other: &State) -> bool {
        std::ptr::eq(self.class, other.class)
            && self.args.as_slice() == other.args.as_slice()
            && self.status_code() == other.status_code()
            && self.error_type == other.error_type
            && self.lock_name() == other.lock_name()
            && self.same_shape(other)
    }

    /// Whether the instances have the same attributes and `repr` form,
    /// as their releases have them (instances of two releases whose
    /// instances look alike are equal).
    fn same_shape(&self, other: &State) -> bool {
        self.release == other.release
            || (self.sets(Attr::StatusCode) == other.sets(Attr::StatusCode)
                && self.sets(Attr::ErrorType) == other.sets(Attr::ErrorType)
                && self.redis_repr() == other.redis_repr())
    }

    /// Sets `lock_name` (classes whose `__init__` is `LockError`'s).
    #[doc(hidden)]
    pub fn __set_lock_name(&mut self, name: PyValue) {
        if !self.class.init().0.has_lock_name() {
            return;
        }
        if name.is_none() {
            if let Some(rare) = self.rare.as_deref_mut() {
                rare.lock_name = None;
            }
        } else {
            self.rare_mut().lock_name = Some(name);
        }
    }

    #[doc(hidden)]
    pub fn __fmt_debug(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct(self.class.name());
        // Long values as excerpts and their lengths: a hostile reply costs
        // a bounded line, whatever its size.
        d.field("args", &py::ValuesExcerpt(self.args.as_slice()));
        if let Some(code) = self.status_code() {
            d.field("status_code", &py::Excerpt(code));
        }
        if let Some(n) = self.lock_name() {
            d.field("lock_name", n);
        }
        if let Some(r) = self.redirect_view() {
            d.field("redirect", &r);
        }
        if let Some(s) = self.rare().and_then(|r| r.source.as_ref()) {
            d.field("source", s);
        }
        d.finish()
    }

    pub(crate) fn redirect_view(&self) -> Option<Redirect<'_>> {
        Some(self.redirect.as_ref()?.view(self.message_str()?))
    }

    /// The attribute `name` that holds a parameter as given, if set.
    pub(crate) fn param(&self, name: &str) -> Option<&PyValue> {
        self.rare()?
            .params
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v)
    }

    /// Sets the attribute `name` that holds a parameter as given.
    pub(crate) fn set_param(&mut self, name: &'static str, value: PyValue) {
        let params = &mut self.rare_mut().params;
        match params.iter_mut().find(|(n, _)| *n == name) {
            Some(slot) => slot.1 = value,
            None => params.push((name, value)),
        }
    }

    pub(crate) fn lock_name(&self) -> Option<&PyValue> {
        static NONE: PyValue = PyValue::None;
        self.class.init().0.has_lock_name().then(|| {
            self.rare()
                .and_then(|r| r.lock_name.as_ref())
                .unwrap_or(&NONE)
        })
    }

    /// `status_code`: as set, or the message's first word for a reply
    /// whose code redis-py's table lacks.
    /// `None` where the instance's release has no such attribute.
    #[inline]
    pub(crate) fn status_code(&self) -> Option<&str> {
        if !self.release.sets_status_attributes() {
            return None;
        }
        match &self.status_code {
            Some(code) => Some(code),
            None if self.status_prefix > 0 => {
                self.message_str()?.get(..usize::from(self.status_prefix))
            }
            None => None,
        }
    }

    pub(crate) fn message_str(&self) -> Option<&str> {
        self.args.first_str()
    }
}

impl Clone for State {
    /// Clones everything but the cause, which is not `Clone`; the clone's
    /// `source()` is `None`.
    fn clone(&self) -> Self {
        State {
            class: self.class,
            args: self.args.clone(),
            status_code: self.status_code.clone(),
            status_prefix: self.status_prefix,
            error_type: self.error_type,
            redirect: self.redirect,
            origin: self.origin,
            release: self.release,
            rare: self.rare().map(|r| {
                Box::new(Rare {
                    lock_name: r.lock_name.clone(),
                    source: None,
                    params: r.params.clone(),
                    from_python: false,
                })
            }),
        }
    }
}
