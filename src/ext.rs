//! The shared trait, the static side of a class, and the instance state every
//! class struct carries.

use std::any::Any;
use std::borrow::Cow;
use std::fmt;

use crate::class::{Class, ExceptionType, Init};
use crate::py::{self, PyValue};
use crate::redirect::{Redirect, Spans};

/// A boxed error kept as an exception's cause (`raise X from cause`).
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Where an instance came from, for [`RedisErrorExt::reply`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum Origin {
    /// Built by a constructor.
    #[default]
    Constructed,
    /// Parsed from a server reply; `space` says whether a known code was
    /// followed by a space (`"MOVED"` vs `"MOVED "`). When the reply was
    /// not valid UTF-8 its bytes are kept in [`Rare::raw`].
    Reply { space: bool },
}

/// The exception's arguments: Python's `args` tuple.
#[derive(Clone, Debug, Default)]
pub(crate) enum Args {
    #[default]
    Empty,
    One(PyValue),
    Many(Vec<PyValue>),
}

impl Args {
    pub(crate) fn as_slice(&self) -> &[PyValue] {
        match self {
            Args::Empty => &[],
            Args::One(v) => std::slice::from_ref(v),
            Args::Many(v) => v,
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
    /// A reply that was not valid UTF-8, as received.
    pub(crate) raw: Option<Box<[u8]>>,
    /// The cause.
    pub(crate) source: Option<BoxError>,
}

/// The state of one exception instance: what Python keeps in `args` and
/// `__dict__`, plus the cause and where it came from.
#[doc(hidden)]
pub struct State {
    pub(crate) class: &'static Class,
    pub(crate) args: Args,
    pub(crate) status_code: Option<Cow<'static, str>>,
    pub(crate) error_type: Option<ExceptionType>,
    /// `AskError`/`MovedError`: the parsed payload, `None` where redis-py
    /// would have raised while parsing it (and for every other class).
    pub(crate) redirect: Option<Spans>,
    pub(crate) origin: Origin,
    pub(crate) rare: Option<Box<Rare>>,
}

impl State {
    /// The state `Class(message)` gives, without the cause.
    #[doc(hidden)]
    pub fn __with_message(class: &'static Class, message: PyValue) -> State {
        crate::call::lenient(class, Args::One(message), None)
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
            error_type: class.default_error_type(),
            redirect: None,
            origin: Origin::Constructed,
            rare: None,
        }
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
        }
    }

    #[doc(hidden)]
    pub fn __set_source(&mut self, source: BoxError) {
        self.rare_mut().source = Some(source);
    }

    pub(crate) fn rare_mut(&mut self) -> &mut Rare {
        self.rare.get_or_insert_with(Box::default)
    }

    fn rare(&self) -> Option<&Rare> {
        self.rare.as_deref()
    }

    pub(crate) fn raw(&self) -> Option<&[u8]> {
        self.rare()?.raw.as_deref()
    }

    #[doc(hidden)]
    pub fn __source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.rare()?
            .source
            .as_deref()
            .map(|s| s as &(dyn std::error::Error + 'static))
    }

    #[doc(hidden)]
    pub fn __fmt_str(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        py::fmt_args_str(self.args.as_slice(), f)
    }

    #[doc(hidden)]
    pub fn __fmt_debug(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct(self.class.name());
        d.field("args", &self.args.as_slice());
        if let Some(code) = &self.status_code {
            d.field("status_code", code);
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

    fn lock_name(&self) -> Option<&PyValue> {
        static NONE: PyValue = PyValue::None;
        (self.class.init().0 == Init::Lock).then(|| {
            self.rare()
                .and_then(|r| r.lock_name.as_ref())
                .unwrap_or(&NONE)
        })
    }

    pub(crate) fn message_str(&self) -> Option<&str> {
        self.args.as_slice().first().and_then(PyValue::as_str)
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
            error_type: self.error_type,
            redirect: self.redirect,
            origin: self.origin,
            rare: self.rare().map(|r| {
                Box::new(Rare {
                    lock_name: r.lock_name.clone(),
                    raw: r.raw.clone(),
                    source: None,
                })
            }),
        }
    }
}

/// The instance attributes [`RedisErrorExt::getattr`] knows, in the order
/// redis-py's classes set them.
pub const ATTRIBUTES: [&str; 7] = [
    "message",
    "lock_name",
    "status_code",
    "error_type",
    "slot_id",
    "host",
    "port",
];

/// The static side of an exception class: its metadata as a constant, so
/// that `is_a::<T>()` can name a class by its type.
pub trait ExceptionClass: RedisErrorExt + Sized {
    /// The class's metadata.
    const CLASS: &'static Class;

    /// The class's bit in the built-in classes' ancestor sets; 0 for a
    /// class declared outside this crate.
    #[doc(hidden)]
    const __BIT: u64 = 0;

    /// The ancestor set of a built-in class; 0 for user classes.
    #[doc(hidden)]
    const __ANCESTORS: u64 = 0;

    /// Wraps a state built for this class.
    #[doc(hidden)]
    fn __from_state(state: State) -> Self;

    /// Takes the state back out.
    #[doc(hidden)]
    fn __into_state(self) -> State;

    /// Erases the struct.
    #[doc(hidden)]
    fn __into_error(self) -> crate::Error;
}

/// The shared trait of every exception: class metadata, Python's
/// `isinstance`, and the attributes redis-py gives its instances.
///
/// It is implemented by every class struct and by the erased [`crate::Error`],
/// and it is object safe. `is_a::<T>()` (Python's `isinstance`) is an
/// inherent method of every struct, of [`crate::Error`] and of
/// `dyn RedisErrorExt`; generic code (`E: RedisErrorExt`) gets it from
/// [`IsA`], which every implementor has.
///
/// ```
/// use redis_exceptions::{AuthenticationError, ConnectionError, RedisErrorExt, ResponseError};
///
/// let e = AuthenticationError::new("invalid password").with_status_code("ERR");
/// assert!(e.is_a::<ConnectionError>());
/// assert!(!e.is_a::<ResponseError>());
/// assert_eq!(e.to_string(), "invalid password");
/// assert_eq!(e.py_repr(), "auth:AuthenticationError");
/// assert_eq!(e.status_code(), Some("ERR"));
///
/// let dynamic: &dyn RedisErrorExt = &e;
/// assert!(dynamic.is_a::<ConnectionError>());
/// ```
pub trait RedisErrorExt: std::error::Error + Send + Sync + 'static {
    /// The instance state.
    #[doc(hidden)]
    fn __state(&self) -> &State;

    /// The instance state, mutably.
    #[doc(hidden)]
    fn __state_mut(&mut self) -> &mut State;

    /// The state, out of a box.
    #[doc(hidden)]
    fn __into_state_boxed(self: Box<Self>) -> State;

    /// `self` as `Any`, for downcasting.
    #[doc(hidden)]
    fn __as_any(&self) -> &dyn Any;

    /// `self` as `Any`, for downcasting.
    #[doc(hidden)]
    fn __as_any_mut(&mut self) -> &mut dyn Any;

    /// `type(e)`: the class of this instance.
    fn class(&self) -> &'static Class {
        self.__state().class
    }

    /// `isinstance(e, class)` with the class given as a value.
    #[inline]
    fn is_instance(&self, class: &Class) -> bool {
        self.class().is_subclass_of(class)
    }

    /// `e.args`.
    fn args(&self) -> &[PyValue] {
        self.__state().args.as_slice()
    }

    /// `e.message` when it is a `str`: the instance attribute of `LockError`,
    /// `ClusterDownError`, `AskError` and their subclasses, or the class
    /// attribute of `ClusterCrossSlotError`.
    fn message(&self) -> Option<&str> {
        let state = self.__state();
        if state.class.init().0.has_message() {
            state.message_str()
        } else {
            state.class.class_message()
        }
    }

    /// `e.status_code`: the reply's error code for errors parsed from a
    /// server reply, `None` when unset or when the class has no such attribute.
    fn status_code(&self) -> Option<&str> {
        self.__state().status_code.as_deref()
    }

    /// `e.error_type`; `None` for classes outside redis-py's `__init__`s
    /// (the builtins, `ChildDeadlockedError`, `IncorrectPolicyType`).
    fn error_type(&self) -> Option<ExceptionType> {
        self.__state().error_type
    }

    /// `e.lock_name` (`LockError` and subclasses), `None` elsewhere.
    fn lock_name(&self) -> Option<&PyValue> {
        self.__state().lock_name()
    }

    /// The redirect of an `AskError`/`MovedError` whose payload parsed.
    fn redirect(&self) -> Option<Redirect<'_>> {
        self.__state().redirect_view()
    }

    /// `repr(e)`: `network:ConnectionError` for redis-py's classes,
    /// `ValueError('msg')` for Python's.
    fn py_repr(&self) -> String {
        let state = self.__state();
        match (state.class.redis_repr(), state.error_type) {
            (true, Some(t)) => format!("{}:{}", t.value(), state.class.name()),
            _ => {
                let mut out = String::from(state.class.name());
                out.push('(');
                py::join_reprs(state.args.as_slice(), &mut out);
                out.push(')');
                out
            }
        }
    }

    /// The leading word of the server reply this error was parsed from:
    /// `"WRONGTYPE"` for `WRONGTYPE Operation against a key ...`, even though
    /// redis-py gives that reply no `status_code`. `None` for errors not
    /// parsed from a reply, or an empty reply.
    fn reply_code(&self) -> Option<&str> {
        let state = self.__state();
        match state.origin {
            Origin::Constructed => None,
            _ => match &state.status_code {
                Some(code) => Some(code),
                None => {
                    let text = state.message_str()?;
                    let code = text.split(' ').next().unwrap_or(text);
                    (!code.is_empty()).then_some(code)
                }
            },
        }
    }

    /// The server reply this error was parsed from, exactly as received
    /// (without the leading `-` and the trailing CRLF), or `None` for
    /// errors built by a constructor.
    fn reply(&self) -> Option<Cow<'_, [u8]>> {
        let state = self.__state();
        if let Some(raw) = state.raw() {
            return Some(Cow::Borrowed(raw));
        }
        match state.origin {
            Origin::Constructed => None,
            Origin::Reply { space } => {
                let message = state.message_str().unwrap_or("");
                Some(match (&state.status_code, space) {
                    (Some(code), true) => Cow::Owned(format!("{code} {message}").into_bytes()),
                    (Some(code), false) => Cow::Owned(code.as_bytes().to_vec()),
                    (None, _) => Cow::Borrowed(message.as_bytes()),
                })
            }
        }
    }

    /// `getattr(e, name, None)` for the attributes redis-py sets (the
    /// names in [`ATTRIBUTES`]). `None` when the instance has no such attribute;
    /// `Some(PyValue::None)` when it has one holding `None`.
    fn getattr(&self, name: &str) -> Option<PyValue> {
        let state = self.__state();
        let (init, _) = state.class.init();
        let redirect = |f: fn(&Redirect<'_>) -> PyValue| self.redirect().map(|r| f(&r));
        match name {
            "message" if init.has_message() => state.args.as_slice().first().cloned(),
            "message" => state.class.class_message().map(PyValue::from),
            "lock_name" => self.lock_name().cloned(),
            "status_code" if init.has_status_code() => {
                Some(PyValue::from(state.status_code.as_deref()))
            }
            "error_type" => state.error_type.map(|t| PyValue::from(t.value())),
            "slot_id" => redirect(|r| r.slot_value()),
            "host" => redirect(|r| PyValue::from(r.host())),
            "port" => redirect(|r| r.port_value()),
            _ => None,
        }
    }
}

/// `isinstance` on class metadata, with the built-in fast path.
#[doc(hidden)]
#[inline(always)]
pub fn is_instance_of<T: ExceptionClass>(class: &Class) -> bool {
    if T::__BIT != 0 {
        // A compile-time constant: one load and one test.
        class.__ancestors() & T::__BIT != 0
    } else {
        class.is_subclass_of(T::CLASS)
    }
}

/// `isinstance` for generic code: `fn f<E: RedisErrorExt>(e: &E) { e.is_a::<T>() }`.
///
/// Implemented for every [`RedisErrorExt`] type, sized or not. Concrete
/// structs, [`crate::Error`] and `dyn RedisErrorExt` have the same method
/// inherently, so it is only needed in generic code.
///
/// ```
/// use redis_exceptions::{ConnectionError, IsA, RedisErrorExt, TimeoutError};
///
/// fn retryable<E: RedisErrorExt + ?Sized>(e: &E) -> bool {
///     e.is_a::<ConnectionError>() || e.is_a::<TimeoutError>()
/// }
/// assert!(retryable(&TimeoutError::new("Timeout reading from socket")));
/// ```
pub trait IsA {
    /// `isinstance(self, T)`.
    fn is_a<T: ExceptionClass>(&self) -> bool;
}

impl<E: RedisErrorExt + ?Sized> IsA for E {
    #[inline]
    fn is_a<T: ExceptionClass>(&self) -> bool {
        is_instance_of::<T>(self.class())
    }
}

macro_rules! dyn_is_a {
    ($($t:ty),*) => {$(
        impl $t {
            /// `isinstance(e, T)` on a trait object.
            #[inline]
            pub fn is_a<T: ExceptionClass>(&self) -> bool {
                is_instance_of::<T>(self.class())
            }

            /// Returns a reference to the concrete class struct, if it is `T`.
            pub fn downcast_ref<T: ExceptionClass>(&self) -> Option<&T> {
                self.__as_any().downcast_ref::<T>()
            }

            /// Returns a mutable reference to the concrete class struct, if it is `T`.
            pub fn downcast_mut<T: ExceptionClass>(&mut self) -> Option<&mut T> {
                self.__as_any_mut().downcast_mut::<T>()
            }
        }
    )*};
}

dyn_is_a!(dyn RedisErrorExt);
