//! The hidden macro that declares one exception struct over a
//! [`Class`](crate::Class): used for the crate's own classes and, through
//! [`exception!`](crate::exception), for user classes.

/// Declares one exception struct over a [`Class`](crate::Class) value.
#[doc(hidden)]
#[macro_export]
macro_rules! __exception_struct {
    (
        $(#[$attr:meta])*
        $vis:vis struct $name:ident;
        class = $class:expr;
        $(bit = $bit:expr; ancestors = $anc:expr;)?
    ) => {
        $(#[$attr])*
        #[derive(Clone)]
        $vis struct $name {
            state: $crate::__private::State,
        }

        impl $name {
            /// `isinstance(self, T)`: whether `T` is this class or one of its ancestors.
            #[inline]
            pub fn is_a<T: $crate::ExceptionClass>(&self) -> bool {
                $crate::__private::is_instance_of::<T>(self.state.__class())
            }

            #[doc = concat!("`", stringify!($name), "(message)`: one argument, as Python's call with one positional argument.")]
            ///
            /// Never fails: where Python's `__init__` would raise on the
            /// value (an `ASK`/`MOVED` payload that does not parse), the
            /// instance is built and the parsed attributes are absent.
            pub fn new(message: impl ::core::convert::Into<$crate::PyValue>) -> Self {
                <Self as $crate::__private::Struct>::__from_state(
                    $crate::__private::State::__with_message(<Self as $crate::ExceptionClass>::CLASS, message.into()),
                )
            }

            /// Sets `status_code`, as the `status_code=` keyword does; a no-op
            /// for classes that have no such attribute.
            pub fn with_status_code(
                mut self,
                code: impl ::core::convert::Into<::std::borrow::Cow<'static, str>>,
            ) -> Self {
                self.state.__set_status_code(code.into());
                self
            }

            /// Keeps `source` as the cause (`raise ... from source`), returned
            /// by `std::error::Error::source`.
            pub fn with_source(
                mut self,
                source: impl ::core::convert::Into<$crate::BoxError>,
            ) -> Self {
                self.state.__set_source(source.into());
                self
            }

            /// A context selector: `result.redis_context(Class::context("msg"))`
            /// (`redis_exceptions::RedisResultExt`) or snafu's
            /// `result.context(Class::context("msg"))` turns the result's
            /// error into this class with that error as the cause.
            pub fn context<M, S>(message: M) -> $crate::Selector<Self, M, S> {
                $crate::Selector::new(message)
            }
        }

        impl ::core::fmt::Display for $name {
            /// Python's `str(e)`; `{:#}` gives the last line of Python's
            /// traceback (`redis.exceptions.MovedError: 3999 127.0.0.1:6381`).
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                self.state.__fmt_str(f)
            }
        }

        impl ::core::cmp::PartialEq for $name {
            /// Same class, `args` and attributes (`status_code`,
            /// `error_type`, `lock_name`); the cause is not compared.
            fn eq(&self, other: &Self) -> bool {
                self.state.__eq(&other.state)
            }
        }

        impl ::core::cmp::Eq for $name {}

        impl ::core::fmt::Debug for $name {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                self.state.__fmt_debug(f)
            }
        }

        impl ::std::error::Error for $name {
            fn source(&self) -> ::core::option::Option<&(dyn ::std::error::Error + 'static)> {
                self.state.__source()
            }
        }

        impl $crate::RedisErrorExt for $name {}

        impl $crate::__private::Instance for $name {
            fn __state(&self) -> &$crate::__private::State {
                &self.state
            }
            fn __state_mut(&mut self) -> &mut $crate::__private::State {
                &mut self.state
            }
            fn __as_any(&self) -> &dyn ::core::any::Any {
                self
            }
            fn __as_any_mut(&mut self) -> &mut dyn ::core::any::Any {
                self
            }
            fn __into_state_boxed(
                self: ::std::boxed::Box<Self>,
            ) -> $crate::__private::State {
                self.state
            }
        }

        impl $crate::ExceptionClass for $name {
            const CLASS: &'static $crate::Class = $class;
        }

        impl $crate::__private::Struct for $name {
            $(const __BIT: u64 = $bit; const __ANCESTORS: u64 = $anc;)?
            fn __from_state(state: $crate::__private::State) -> Self {
                Self { state }
            }
            fn __into_state(self) -> $crate::__private::State {
                self.state
            }
        }

        impl $crate::__private::snafu::ErrorCompat for $name {}

        impl $crate::__private::snafu::FromString for $name {
            type Source = $crate::BoxError;
            fn without_source(message: ::std::string::String) -> Self {
                Self::new(message)
            }
            fn with_source(source: Self::Source, message: ::std::string::String) -> Self {
                Self::new(message).with_source(source)
            }
        }
    };
}
