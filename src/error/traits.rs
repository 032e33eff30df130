//! The traits every exception implements: [`RedisErrorExt`] (the shared,
//! object-safe one), [`ExceptionClass`] (the static side of a class) and
//! [`IsA`] (`isinstance` for generic code), with the attribute names.

use std::any::Any;
use std::borrow::Cow;

use crate::class::{Attr, Class, ExceptionType, RedisPy};
use crate::instance::redirect::Redirect;
use crate::instance::state::{Origin, State};
use crate::pyrt::value::{self as py, PyValue};

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
///
/// Sealed: implemented by the crate's class structs and by the structs
/// [`exception!`](crate::exception) declares, never by hand.
pub trait ExceptionClass: RedisErrorExt + Struct {
    /// The class's metadata.
    const CLASS: &'static Class;
}

/// What the macros implement for every exception struct: access to the
/// instance state. Not part of the API (it seals [`RedisErrorExt`]).
#[doc(hidden)]
pub trait Instance: std::error::Error + Send + Sync + 'static {
    /// The instance state.
    fn __state(&self) -> &State;

    /// The instance state, mutably.
    fn __state_mut(&mut self) -> &mut State;

    /// The state, out of a box.
    fn __into_state_boxed(self: Box<Self>) -> State;

    /// `self` as `Any`, for downcasting.
    fn __as_any(&self) -> &dyn Any;

    /// `self` as `Any`, for downcasting.
    fn __as_any_mut(&mut self) -> &mut dyn Any;
}

/// What the macros implement for every exception struct's type: the
/// built-in classes' bits and the state's way in and out. Not part of the
/// API (it seals [`ExceptionClass`]).
#[doc(hidden)]
pub trait Struct: Instance + Sized {
    /// The class's bit in the built-in classes' ancestor sets; 0 for a
    /// class declared outside this crate.
    const __BIT: u64 = 0;

    /// The ancestor set of a built-in class; 0 for user classes.
    const __ANCESTORS: u64 = 0;

    /// Wraps a state built for this class (or a subclass).
    fn __from_state(state: State) -> Self;

    /// Takes the state back out.
    fn __into_state(self) -> State;
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
pub trait RedisErrorExt: Instance {
    /// `type(e)`: the class of this instance.
    fn class(&self) -> &'static Class {
        self.__state().class
    }

    /// The redis-py release whose instance this is: its attributes,
    /// `repr` and `==` are that release's. [`parse_error`](crate::parse_error)
    /// makes [`RedisPy::REFERENCE`]'s instances, a release's
    /// [`Parser`](crate::Parser) (or [`RedisPy::parse_error`]) that
    /// release's, and (feature `pyo3`) `Error::from_py` the running
    /// client's; a constructor (`::new`, [`construct`](crate::construct))
    /// builds [`RedisPy::LATEST`]'s. valkey-py 6.2's instances are redis-py
    /// 5.2's ([`ValkeyPy::redis_py`](crate::ValkeyPy::redis_py)).
    ///
    /// ```
    /// use redis_exceptions::{parse_error, RedisErrorExt, RedisPy};
    ///
    /// let old = RedisPy::V5_2.parse_error("NOSCRIPT No matching script.");
    /// assert_eq!(old.release(), RedisPy::V5_2);
    /// assert_eq!(old.py_repr(), "NoScriptError('No matching script.')");
    /// assert_eq!((old.status_code(), old.getattr("status_code")), (None, None));
    /// let new = parse_error("NOSCRIPT No matching script.");
    /// assert_eq!(new.release(), RedisPy::REFERENCE);
    /// assert_eq!(new.py_repr(), "server:NoScriptError");
    /// assert_ne!(old, new);
    /// ```
    fn release(&self) -> RedisPy {
        self.__state().release
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
    /// server reply, `None` when unset or when the instance has no such
    /// attribute (its class has none, or its
    /// [`release`](RedisErrorExt::release) is older than redis-py 7.2).
    fn status_code(&self) -> Option<&str> {
        self.__state().status_code()
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
    /// `ValueError('msg')` for Python's, as the instance's
    /// [`release`](RedisErrorExt::release) has it (before redis-py 7.2,
    /// `ResponseError('msg')` for every class).
    fn py_repr(&self) -> String {
        let state = self.__state();
        match (state.redis_repr(), state.error_type) {
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
            "status_code" if state.sets(Attr::StatusCode) => {
                Some(PyValue::from(state.status_code()))
            }
            "error_type" => state.error_type.map(|t| PyValue::from(t.value())),
            "slot_id" => redirect(|r| r.slot_value()),
            "host" => redirect(|r| PyValue::from(r.host())),
            "port" => redirect(|r| r.port_value()),
            name if init.params_kept().any(|p| p == name) => state.param(name).cloned(),
            _ => None,
        }
    }
}

/// `isinstance` on class metadata, with the built-in fast path.
#[doc(hidden)]
#[inline(always)]
pub fn is_instance_of<T: ExceptionClass>(class: &'static Class) -> bool {
    if T::__BIT != 0 {
        // A compile-time constant: one load and one test.
        class.ancestor_bits() & T::__BIT != 0
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
