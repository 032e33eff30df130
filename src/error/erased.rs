//! The owned, type-erased error: any class, one pointer wide.

use std::any::Any;
use std::fmt;

use crate::class::hierarchy::for_each_class;
use crate::class::Class;
use crate::error::structs::*;
use crate::error::traits::{ExceptionClass, Instance, RedisErrorExt, Struct};
use crate::instance::state::State;

/// Any exception of this crate or of a class declared with
/// [`exception!`](crate::exception), owned and erased: what a function
/// returns when it can fail with more than one class.
///
/// Like `std::io::Error` it is a small opaque type over a private
/// representation: one pointer wide, so `Result<(), Error>` is too.
/// It implements [`RedisErrorExt`] (so `is_a::<T>()`, `args()`,
/// `status_code()`, ... work on it directly) and `std::error::Error`
/// (so it travels through `Box<dyn Error>`, `anyhow` and `?`).
///
/// ```
/// use redis_exceptions::{parse_error, AskError, Error, MovedError, RedisErrorExt, ResponseError};
///
/// let e: Error = parse_error("MOVED 3999 127.0.0.1:6381");
/// assert!(e.is_a::<AskError>());          // isinstance: MovedError derives from AskError
/// assert!(!e.is::<AskError>());           // exact class
/// assert_eq!(e.downcast_ref::<MovedError>().unwrap().port(), Some(6381));
/// let e = e.downcast::<ResponseError>().unwrap_err(); // not that struct: handed back
/// let moved: MovedError = e.downcast().unwrap();
/// assert_eq!(moved.to_string(), "3999 127.0.0.1:6381");
/// assert_eq!(std::mem::size_of::<Result<(), Error>>(), std::mem::size_of::<usize>());
/// ```
pub struct Error(Box<Repr>);

const _: () = assert!(std::mem::size_of::<Result<(), Error>>() == std::mem::size_of::<usize>());

macro_rules! define_repr {
    ($($name:ident),*) => {
        /// Storage of an [`Error`]: a built-in class's struct in place, a
        /// user class's boxed. (Safe Rust reaches a `&T` only through a
        /// place of type `T`: the variants are those places.)
        #[allow(clippy::enum_variant_names, reason = "variants are Python class names")]
        pub(crate) enum Repr {
            $($name($name),)*
            Custom(Box<dyn RedisErrorExt>),
        }

        impl Repr {
            /// The state: every built-in arm reads the same field, so this
            /// compiles to one test.
            #[inline]
            fn state(&self) -> &State {
                match self {
                    $(Repr::$name(e) => Instance::__state(e),)*
                    Repr::Custom(e) => e.__state(),
                }
            }

            #[inline]
            fn view(&self) -> &dyn RedisErrorExt {
                match self {
                    $(Repr::$name(e) => e,)*
                    Repr::Custom(e) => &**e,
                }
            }

            fn view_mut(&mut self) -> &mut dyn RedisErrorExt {
                match self {
                    $(Repr::$name(e) => e,)*
                    Repr::Custom(e) => &mut **e,
                }
            }

            /// `downcast_ref`, the type test resolved per arm at compile time.
            #[inline]
            fn downcast_ref<T: ExceptionClass>(&self) -> Option<&T> {
                match self {
                    $(Repr::$name(e) => (e as &dyn Any).downcast_ref::<T>(),)*
                    Repr::Custom(e) => e.__as_any().downcast_ref::<T>(),
                }
            }

            fn into_state(self) -> State {
                match self {
                    $(Repr::$name(e) => e.__into_state(),)*
                    Repr::Custom(e) => e.__into_state_boxed(),
                }
            }
        }

        /// The error of a built-in class's state, by [`Class`] index: the
        /// box is made first and the variant written into it, so the state
        /// is moved once (every arm has the same layout; the compiler
        /// merges them). `None` past the table.
        #[inline(always)]
        #[allow(
            clippy::result_large_err,
            reason = "hands the state back unboxed on a path never taken; boxing it would cost the hot path"
        )]
        fn boxed(index: usize, state: State) -> Result<Box<Repr>, State> {
            let slot = Box::new_uninit();
            $(if index == crate::class::Index::$name as usize {
                return Ok(Box::write(slot, Repr::$name(<$name as Struct>::__from_state(state))));
            })*
            Err(state)
        }

        /// The struct of each built-in class behind a `dyn Error`, by index.
        static CAST: &[Cast] = &[$(|e| e.downcast_ref::<$name>().map(|x| x as &dyn RedisErrorExt)),*];
    };
}

for_each_class!(names: define_repr);

/// Finds a class's struct behind a `dyn Error`.
#[doc(hidden)]
pub type Cast = for<'a> fn(&'a (dyn std::error::Error + 'static)) -> Option<&'a dyn RedisErrorExt>;

/// What the erased error needs from a class declared with
/// [`exception!`](crate::exception): how to build its struct from a state,
/// and how to find its struct behind a `dyn Error`. The macro attaches
/// them to the [`Class`]; the built-in classes use the tables above.
#[doc(hidden)]
pub struct StructHooks {
    /// `State -> Error`: the class's struct, erased.
    pub make: fn(State) -> Error,
    /// The class's struct behind `err`, if that is what `err` is.
    pub cast: Cast,
}

/// How to build and find the struct that carries instances of a class.
#[derive(Clone, Copy)]
pub(crate) enum Carrier {
    /// A built-in class's struct, by index.
    Builtin(usize),
    /// A user class's struct.
    User(&'static StructHooks),
}

impl Carrier {
    /// The struct of `class`: its own, or, for a class made without one
    /// (at run time, with no hooks), its nearest built-in ancestor's.
    #[inline]
    pub(crate) fn of(class: &'static Class) -> Carrier {
        if let Some(index) = class.index() {
            return Carrier::Builtin(index);
        }
        if let Some(hooks) = class.hooks().and_then(|h| h.downcast_ref::<StructHooks>()) {
            return Carrier::User(hooks);
        }
        // Every MRO ends at `BaseException`, a built-in class.
        let index = class.mro().iter().find_map(|c| c.index()).unwrap_or(0);
        Carrier::Builtin(index)
    }

    /// The struct behind `e`, if `e` is this carrier's struct.
    #[inline]
    pub(crate) fn cast<'a>(
        self,
        e: &'a (dyn std::error::Error + 'static),
    ) -> Option<&'a dyn RedisErrorExt> {
        match self {
            Carrier::Builtin(i) => CAST.get(i).and_then(|cast| cast(e)),
            Carrier::User(hooks) => (hooks.cast)(e),
        }
    }
}

impl Error {
    /// Erases any class struct (the same as `Error::from(e)`).
    pub fn new<T: ExceptionClass>(e: T) -> Error {
        Error::from_state(e.__into_state())
    }

    pub(crate) fn from_repr(repr: Repr) -> Error {
        Error(Box::new(repr))
    }

    /// Takes the instance state out (no allocation).
    pub(crate) fn into_state(self) -> State {
        self.0.into_state()
    }

    pub(crate) fn from_state(state: State) -> Error {
        // The box is made first so that the state is moved into it once.
        match Carrier::of(state.class) {
            Carrier::Builtin(index) => match boxed(index, state) {
                Ok(repr) => Error(repr),
                // Not a built-in index (a carrier is always one): the
                // root class's struct carries it.
                Err(state) => Error(Box::new(Repr::BaseException(
                    <BaseException as Struct>::__from_state(state),
                ))),
            },
            Carrier::User(hooks) => (hooks.make)(state),
        }
    }

    /// The error as a trait object.
    #[inline]
    pub fn as_dyn(&self) -> &(dyn RedisErrorExt + 'static) {
        self.0.view()
    }

    /// `isinstance(self, T)`: whether `T` is the class or one of its ancestors.
    #[inline]
    pub fn is_a<T: ExceptionClass>(&self) -> bool {
        if T::__BIT != 0 {
            self.0.state().class.ancestor_bits() & T::__BIT != 0
        } else {
            self.class().is_subclass_of(T::CLASS)
        }
    }

    /// Whether the concrete struct is exactly `T` (not a subclass: see
    /// [`Error::is_a`] for `isinstance`).
    pub fn is<T: ExceptionClass>(&self) -> bool {
        self.0.downcast_ref::<T>().is_some()
    }

    /// The concrete struct, if it is exactly `T`.
    pub fn downcast_ref<T: ExceptionClass>(&self) -> Option<&T> {
        self.0.downcast_ref::<T>()
    }

    /// The concrete struct, mutably, if it is exactly `T`.
    pub fn downcast_mut<T: ExceptionClass>(&mut self) -> Option<&mut T> {
        self.0.view_mut().__as_any_mut().downcast_mut::<T>()
    }

    /// The concrete struct by value if it is exactly `T`; the error itself
    /// otherwise.
    pub fn downcast<T: ExceptionClass>(self) -> Result<T, Self> {
        if self.is::<T>() {
            Ok(T::__from_state(self.into_state()))
        } else {
            Err(self)
        }
    }

    /// `raise self from source`: keeps `source` as the cause.
    pub fn with_source(mut self, source: impl Into<crate::BoxError>) -> Self {
        self.state_mut().__set_source(source.into());
        self
    }

    fn state_mut(&mut self) -> &mut State {
        self.0.view_mut().__state_mut()
    }
}

impl<T: ExceptionClass> From<T> for Error {
    fn from(e: T) -> Self {
        Error::from_state(e.__into_state())
    }
}

impl PartialEq for Error {
    /// Same class, `args` and attributes (`status_code`, `error_type`,
    /// `lock_name`), as the class structs compare; the cause is not compared.
    fn eq(&self, other: &Self) -> bool {
        Instance::__state(self).__eq(Instance::__state(other))
    }
}

impl Eq for Error {}

impl fmt::Display for Error {
    /// Python's `str(e)`; `{:#}` gives the last line of Python's traceback
    /// (`redis.exceptions.MovedError: 3999 127.0.0.1:6381`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self.as_dyn(), f)
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_dyn(), f)
    }
}

impl Clone for Error {
    /// Clones the instance; the clone has no `source()` (causes are not `Clone`).
    fn clone(&self) -> Self {
        Error::from_state(self.as_dyn().__state().clone())
    }
}

impl snafu::ErrorCompat for Error {}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.as_dyn().source()
    }
}

impl RedisErrorExt for Error {}

impl Instance for Error {
    #[inline]
    fn __state(&self) -> &State {
        self.0.state()
    }

    #[inline]
    fn __state_mut(&mut self) -> &mut State {
        self.0.view_mut().__state_mut()
    }

    fn __as_any(&self) -> &dyn Any {
        self.as_dyn().__as_any()
    }

    fn __as_any_mut(&mut self) -> &mut dyn Any {
        self.0.view_mut().__as_any_mut()
    }

    fn __into_state_boxed(self: Box<Self>) -> State {
        self.0.into_state()
    }
}

impl dyn RedisErrorExt {
    /// An owned copy as the erased [`Error`]: same class, `args`,
    /// attributes and reply, with no cause (a cause is not `Clone`), like
    /// [`Clone`] on a class struct. It is how to keep what
    /// [`find`](crate::find) returns (`&dyn RedisErrorExt`) beyond the error
    /// it was found in.
    ///
    /// ```
    /// use redis_exceptions::{find, parse_error, Error, MovedError, RedisErrorExt};
    ///
    /// let io = std::io::Error::other(parse_error("MOVED 3999 127.0.0.1:6381"));
    /// let owned: Error = find(&io).unwrap().to_error();
    /// drop(io);
    /// assert_eq!(owned, parse_error("MOVED 3999 127.0.0.1:6381"));
    /// assert_eq!(owned.downcast_ref::<MovedError>().unwrap().port(), Some(6381));
    /// ```
    pub fn to_error(&self) -> Error {
        Error::from_state(self.__state().clone())
    }
}

/// What [`find`](crate::find) returns is a `Cow<dyn RedisErrorExt>`: an
/// exception borrowed from the chain, or a client's error converted into
/// an owned [`Error`]; `into_owned()` gives an [`Error`] either way (a
/// borrowed one copied as [`Error::to_error`] does).
impl ToOwned for dyn RedisErrorExt {
    type Owned = Error;

    fn to_owned(&self) -> Error {
        self.to_error()
    }
}

impl std::borrow::Borrow<dyn RedisErrorExt> for Error {
    fn borrow(&self) -> &(dyn RedisErrorExt + 'static) {
        self.as_dyn()
    }
}

impl Error {
    /// A copy without the cause, as [`Clone`] makes (the same method exists
    /// on `dyn RedisErrorExt`, for what [`find`](crate::find) returns).
    pub fn to_error(&self) -> Error {
        self.clone()
    }
}

/// The erased error for a state, built by the constructor of the state's class.
#[doc(hidden)]
pub fn from_state(state: State) -> Error {
    Error::from_state(state)
}

/// Boxes a user class into an [`Error`].
#[doc(hidden)]
pub fn custom<T: RedisErrorExt>(e: T) -> Error {
    Error::from_repr(Repr::Custom(Box::new(e)))
}
