//! [`exception!`]: your own exception classes, declared as Python declares
//! them, with everything the built-in structs have: the struct the error
//! layer's `__exception_struct!` declares, and the impls of each enabled
//! integration (`__pyo3_into_pyerr!` from `pyo3/to_python.rs`). It lives
//! in the top layer because it names both.

/// Declares your own exception classes, as `class MyError(ResponseError):`
/// does in Python.
///
/// Each declaration names one or more bases: classes of this crate or
/// classes declared with this macro, in any crate. The new struct gets
/// everything the built-in ones have: [`RedisErrorExt`](crate::RedisErrorExt)
/// (`is_a`, `args`, `status_code`, ...), `Display` as Python's `str()`,
/// `new`/`with_status_code`/`with_source`, conversion into
/// [`Error`](crate::Error) and downcasting back. The `__init__` that
/// runs is inherited along the MRO, as in Python.
///
/// Only doc comments may precede a declaration.
///
/// ```
/// use redis_exceptions::{exception, Class, ConnectionError, Error, ExceptionClass};
/// use redis_exceptions::{RedisErrorExt, ResponseError};
///
/// exception! {
///     /// The cache tier refused a write.
///     pub struct CacheRejected(ResponseError);
///     /// Both a cache refusal and a broken link.
///     pub struct CacheLinkLost(CacheRejected, ConnectionError);
/// }
///
/// let e = CacheLinkLost::new("link lost").with_status_code("ERR");
/// assert!(e.is_a::<ResponseError>() && e.is_a::<ConnectionError>());
/// let names: Vec<_> = CacheLinkLost::CLASS.mro().iter().map(|c| c.name()).collect();
/// assert_eq!(names, ["CacheLinkLost", "CacheRejected", "ResponseError",
///                    "ConnectionError", "RedisError", "Exception", "BaseException"]);
/// assert_eq!(e.py_repr(), "network:CacheLinkLost");
///
/// let erased: Error = e.into();
/// assert!(erased.downcast_ref::<CacheLinkLost>().is_some());
/// Class::register(CacheLinkLost::CLASS).unwrap();
/// assert!(Class::by_name("CacheLinkLost").is_some());
/// ```
#[macro_export]
macro_rules! exception {
    ($(
        $(#[doc = $doc:expr])*
        $vis:vis struct $name:ident ( $($base:ty),+ $(,)? );
    )+) => {$(
        $crate::__exception_struct! {
            $(#[doc = $doc])*
            $vis struct $name;
            class = {
                static CLASS: $crate::Class = $crate::__private::ClassDef {
                    name: ::core::stringify!($name),
                    module: ::core::module_path!(),
                    bases: &[$(<$base as $crate::ExceptionClass>::CLASS),+],
                    doc: ::core::concat!("" $(, $doc)*),
                    hooks: ::core::option::Option::Some(&HOOKS),
                }
                .build();
                static HOOKS: $crate::__private::StructHooks = $crate::__private::StructHooks {
                    make: |state| $crate::__private::custom(<$name as $crate::__private::Struct>::__from_state(state)),
                    cast: |e| e.downcast_ref::<$name>().map(|x| x as &dyn $crate::RedisErrorExt),
                };
                &CLASS
            };
        }
        $crate::__pyo3_into_pyerr!($name);
    )+};
}

/// Nothing without the `pyo3` feature (with it, `pyo3/to_python.rs`
/// defines the `From<$name> for PyErr` this expands to).
#[cfg(not(feature = "pyo3"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __pyo3_into_pyerr {
    ($name:ident) => {};
}
