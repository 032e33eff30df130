//! The class structs, generated from the table in `hierarchy.rs`.

use crate::class::hierarchy::for_each_class;
use crate::error::traits::RedisErrorExt;

macro_rules! define_structs {
    ($( $(#[doc = $doc:literal])* $name:ident ( $($base:ident),* ) $module:expr, $py:expr, $releases:expr; )*) => {$(
        crate::__exception_struct! {
            $(#[doc = $doc])*
            ///
            #[doc = concat!(
                "Python: `class ", $py, "(", stringify!($($base),*), ")` in `",
                $module, "`.", $releases
            )]
            pub struct $name;
            class = &crate::class::statics::$name;
            bit = 1u64 << (crate::class::Index::$name as u8);
            ancestors = crate::class::ancestors::$name;
        }
    )*};
}

for_each_class!(structs: define_structs);

/// valkey-py's names for the classes it renames, as aliases of the same
/// structs: `is_a::<ValkeyError>()` is `is_a::<RedisError>()`.
macro_rules! valkey_alias {
    ($alias:ident = $name:ident) => {
        #[doc = concat!(
                            "valkey-py's name for [`", stringify!($name), "`]: `valkey.exceptions.",
                            stringify!($alias), "`, the same class."
                        )]
        pub type $alias = $name;
    };
}

for_each_class!(valkey: valkey_alias);

/// The redirect attributes of `AskError` and `MovedError`, as inherent methods.
macro_rules! redirect_accessors {
    ($($class:ident),*) => {$(
        impl crate::$class {
            /// `slot_id`, when the payload parsed and the slot fits a `u16`
            /// (`None` for Valkey's `MOVED -1`: see `slot_id_i64`).
            pub fn slot_id(&self) -> Option<u16> {
                RedisErrorExt::redirect(self)?.slot_id()
            }

            /// `slot_id` as redis-py's `int()` reads it, when the payload
            /// parsed and the slot fits an `i64`: `Some(-1)` for Valkey's
            /// `MOVED -1 host:port`.
            pub fn slot_id_i64(&self) -> Option<i64> {
                RedisErrorExt::redirect(self)?.slot_id_i64()
            }

            /// `host` (brackets of `[::1]` kept, as in redis-py).
            pub fn host(&self) -> Option<&str> {
                Some(RedisErrorExt::redirect(self)?.host())
            }

            /// `port`, when the payload parsed and the port fits a `u16`.
            pub fn port(&self) -> Option<u16> {
                RedisErrorExt::redirect(self)?.port()
            }

            /// `node_addr`: `(host, port)`.
            pub fn node_addr(&self) -> Option<(&str, u16)> {
                RedisErrorExt::redirect(self)?.node_addr()
            }
        }
    )*};
}

redirect_accessors!(AskError, MovedError);

/// `lock_name=` as a builder on the classes whose `__init__` is
/// `LockError`'s; `LOCK_CLASSES` lists them for the test that checks the
/// list against the table.
macro_rules! lock_builders {
    ($($class:ident),*) => {
        $(impl crate::$class {
            #[doc = concat!(
                "`", stringify!($class), "(message, lock_name=name)`: sets `lock_name`",
                " (Python's `None` clears it)."
            )]
            ///
            /// ```
            /// use redis_exceptions::{LockError, PyValue, RedisErrorExt};
            ///
            /// let e = LockError::new("Cannot release a lock that's no longer owned")
            ///     .with_lock_name("resource-lock");
            /// assert_eq!(e.lock_name(), Some(&PyValue::from("resource-lock")));
            /// ```
            pub fn with_lock_name(mut self, name: impl Into<crate::PyValue>) -> Self {
                self.state.__set_lock_name(name.into());
                self
            }
        })*

        #[cfg(test)]
        pub(crate) const LOCK_CLASSES: &[&crate::Class] =
            &[$(<crate::$class as crate::ExceptionClass>::CLASS),*];
    };
}

lock_builders!(LockError, LockNotOwnedError);
