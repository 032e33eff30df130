//! The owned, type-erased error: any class, one pointer wide.

use std::any::Any;
use std::fmt;

use crate::class::hierarchy::for_each_class;
use crate::class::Class;
use crate::error::structs::*;
use crate::error::traits::{ExceptionClass, RedisErrorExt};
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
    ($( $(#[doc = $doc:literal])* $name:ident ( $($base:ident),* ) $module:ident,
        $init:tt, $et:tt, $repr:tt, $message:tt; )*) => {
        /// Storage of an [`Error`]: the built-in classes inline, user classes boxed.
        #[allow(clippy::enum_variant_names, reason = "variants are Python class names")]
        pub(crate) enum Repr {
            $($name($name),)*
            Custom(Box<dyn RedisErrorExt>),
        }

        impl Repr {
            /// The ancestor set, a constant per built-in variant.
            #[inline]
            fn ancestors(&self) -> u64 {
                match self {
                    $(Repr::$name(_) => <$name as ExceptionClass>::__ANCESTORS,)*
                    Repr::Custom(e) => e.class().__ancestors(),
                }
            }

            /// `downcast_ref` with the type test resolved per arm at compile time.
            #[inline]
            fn downcast_ref<T: ExceptionClass>(&self) -> Option<&T> {
                match self {
                    $(Repr::$name(e) => (e as &dyn Any).downcast_ref::<T>(),)*
                    Repr::Custom(e) => e.__as_any().downcast_ref::<T>(),
                }
            }

            #[inline]
            fn as_dyn(&self) -> &dyn RedisErrorExt {
                match self {
                    $(Repr::$name(e) => e,)*
                    Repr::Custom(e) => &**e,
                }
            }

            /// The state without a virtual call for the built-in classes:
            /// every arm reads the same field, so this compiles to one test.
            #[inline]
            fn state(&self) -> &State {
                match self {
                    $(Repr::$name(e) => RedisErrorExt::__state(e),)*
                    Repr::Custom(e) => e.__state(),
                }
            }

            fn as_dyn_mut(&mut self) -> &mut dyn RedisErrorExt {
                match self {
                    $(Repr::$name(e) => e,)*
                    Repr::Custom(e) => &mut **e,
                }
            }

            /// The number of built-in classes.
            const BUILTINS: usize = [$(stringify!($name)),*].len();

            /// Writes the variant of the built-in class at `index` (the
            /// order of `for_each_class`, as [`Class::index`] counts) into
            /// `slot`, moving `state` there once. `index` must be below
            /// [`Repr::BUILTINS`]; past it the last class is used.
            #[inline(always)]
            fn write_builtin(
                slot: Box<std::mem::MaybeUninit<Repr>>,
                index: usize,
                state: State,
            ) -> Box<Repr> {
                let mut at = 0;
                $(
                    at += 1;
                    if index == at - 1 || at == Repr::BUILTINS {
                        return Box::write(
                            slot,
                            Repr::$name(<$name as ExceptionClass>::__from_state(state)),
                        );
                    }
                )*
                unreachable!("for_each_class declares at least one class")
            }

            fn into_state(self) -> State {
                match self {
                    $(Repr::$name(e) => e.__into_state(),)*
                    Repr::Custom(e) => e.__into_state_boxed(),
                }
            }
        }

        /// `State -> Error` for each built-in class.
        #[allow(non_snake_case, reason = "functions are named after Python classes")]
        mod make {
            use super::*;
            $(pub(super) fn $name(state: State) -> Error {
                Error::from_repr(Repr::$name(<$name as ExceptionClass>::__from_state(state)))
            })*
        }

        /// The hooks of the built-in classes, in the table's order (their
        /// [`Class`] index).
        static BUILTIN_HOOKS: &[ClassHooks] = &[$(ClassHooks {
            make: make::$name,
            cast: |e| e.downcast_ref::<$name>().map(|x| x as &dyn RedisErrorExt),
        },)*];
    };
}

for_each_class!(define_repr);

/// Finds a class's struct behind a `dyn Error`.
#[doc(hidden)]
pub type Cast = for<'a> fn(&'a (dyn std::error::Error + 'static)) -> Option<&'a dyn RedisErrorExt>;

/// What the erased error needs from a class: how to build its struct from a
/// state, and how to find its struct behind a `dyn Error`. A class declared
/// with [`exception!`](crate::exception) carries its own (as the
/// [`Class`]'s opaque hooks); the built-in classes' are a table here.
#[doc(hidden)]
pub struct ClassHooks {
    /// `State -> Error`: the class's struct, erased.
    pub make: fn(State) -> Error,
    /// The class's struct behind `err`, if that is what `err` is.
    pub cast: Cast,
}

impl ClassHooks {
    /// The hooks of `class`: the table's for a built-in class, its own for
    /// a class declared with [`exception!`](crate::exception). A class made
    /// by hand with other hooks gets those of its nearest built-in ancestor.
    #[inline]
    pub(crate) fn of(class: &'static Class) -> &'static ClassHooks {
        match class.index().and_then(|i| BUILTIN_HOOKS.get(i)) {
            Some(hooks) => hooks,
            None => class
                .hooks()
                .downcast_ref::<ClassHooks>()
                .or_else(|| {
                    class
                        .mro()
                        .iter()
                        .find_map(|c| c.index().and_then(|i| BUILTIN_HOOKS.get(i)))
                })
                .unwrap_or(&BUILTIN_HOOKS[0]),
        }
    }
}

impl Error {
    /// Erases any class struct (the same as `Error::from(e)`).
    pub fn new<T: ExceptionClass>(e: T) -> Error {
        e.__into_error()
    }

    pub(crate) fn from_repr(repr: Repr) -> Error {
        Error(Box::new(repr))
    }

    /// Takes the instance state out (no allocation).
    pub(crate) fn into_state(self) -> State {
        self.0.into_state()
    }

    pub(crate) fn from_state(state: State) -> Error {
        // The built-in classes directly, the box made first so that the
        // state is moved into it once; the others through their hooks.
        match state.class.index() {
            Some(index) if index < Repr::BUILTINS => {
                Error(Repr::write_builtin(Box::new_uninit(), index, state))
            }
            _ => (ClassHooks::of(state.class).make)(state),
        }
    }

    /// The error as a trait object.
    #[inline]
    pub fn as_dyn(&self) -> &(dyn RedisErrorExt + 'static) {
        self.0.as_dyn()
    }

    /// `isinstance(self, T)`: whether `T` is the class or one of its ancestors.
    #[inline]
    pub fn is_a<T: ExceptionClass>(&self) -> bool {
        if T::__BIT != 0 {
            self.0.ancestors() & T::__BIT != 0
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
        self.0.as_dyn_mut().__as_any_mut().downcast_mut::<T>()
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
        self.0.as_dyn_mut().__state_mut()
    }
}

impl<T: ExceptionClass> From<T> for Error {
    fn from(e: T) -> Self {
        e.__into_error()
    }
}

impl PartialEq for Error {
    /// Same class, `args` and attributes (`status_code`, `error_type`,
    /// `lock_name`), as the class structs compare; the cause is not compared.
    fn eq(&self, other: &Self) -> bool {
        RedisErrorExt::__state(self).__eq(RedisErrorExt::__state(other))
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

impl RedisErrorExt for Error {
    #[inline]
    fn __state(&self) -> &State {
        self.0.state()
    }

    #[inline]
    fn __state_mut(&mut self) -> &mut State {
        self.0.as_dyn_mut().__state_mut()
    }

    fn __as_any(&self) -> &dyn Any {
        self.as_dyn().__as_any()
    }

    fn __as_any_mut(&mut self) -> &mut dyn Any {
        self.0.as_dyn_mut().__as_any_mut()
    }

    fn __into_state_boxed(self: Box<Self>) -> State {
        self.0.into_state()
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
