//! The 39 class structs, generated from the table in `hierarchy.rs`.

use crate::class::hierarchy::for_each_class;
use crate::error::traits::RedisErrorExt;

macro_rules! define_structs {
    ($( $(#[doc = $doc:literal])* $name:ident ( $($base:ident),* ) $module:expr; )*) => {$(
        crate::__exception_struct! {
            $(#[doc = $doc])*
            ///
            #[doc = concat!(
                "Python: `class ", stringify!($name), "(", stringify!($($base),*), ")` in `",
                $module, "`."
            )]
            pub struct $name;
            class = &crate::class::statics::$name;
            bit = 1u64 << (crate::class::Index::$name as u8);
            ancestors = crate::class::ancestors::$name;
        }
    )*};
}

for_each_class!(structs: define_structs);

/// The redirect attributes of `AskError` and `MovedError`, as inherent methods.
macro_rules! redirect_accessors {
    ($($class:ident),*) => {$(
        impl crate::$class {
            /// `slot_id`, when the payload parsed and the slot fits a `u16`.
            pub fn slot_id(&self) -> Option<u16> {
                RedisErrorExt::redirect(self)?.slot_id()
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

/// One test per class, generated from the same table as the structs.
#[cfg(test)]
mod per_class {
    use super::*;
    use crate::{Class, Error, ExceptionClass, RedisErrorExt};

    macro_rules! per_class_tests {
        ($( $(#[doc = $doc:literal])* $name:ident ( $($base:ident),* ) $module:expr; )*) => {$(
            #[test]
            #[allow(non_snake_case, reason = "tests are named after Python classes")]
            fn $name() {
                let e = $name::new("m");
                // isinstance of itself and of each direct base, by type.
                assert!(e.is_a::<$name>());
                $(assert!(e.is_a::<$base>(), "{} is_a {}", stringify!($name), stringify!($base));)*
                assert_eq!(<$name as ExceptionClass>::CLASS.name(), stringify!($name));
                assert_eq!(<$name as ExceptionClass>::CLASS.module(), $module);
                // The constants `is_a` tests against agree with the metadata.
                let bit = <$name as ExceptionClass>::__BIT;
                assert_eq!(bit.count_ones(), 1);
                assert_eq!(<$name>::__ANCESTORS, <$name>::CLASS.__ancestors());
                assert_ne!(<$name>::__ANCESTORS & bit, 0);
                let bases: Vec<&str> = <$name>::CLASS.bases().iter().map(|c| c.name()).collect();
                assert_eq!(bases, [$(stringify!($base)),*] as [&str; 0 $(+ { let _ = stringify!($base); 1 })*]);
                // Every class: isinstance exactly when it is in the MRO.
                let mro = <$name>::CLASS.mro();
                for other in Class::all() {
                    let in_mro = mro.iter().any(|c| std::ptr::eq(*c, other));
                    assert_eq!(e.is_instance(other), in_mro, "{} vs {}", stringify!($name), other.name());
                    assert_eq!(<$name>::CLASS.is_subclass_of(other), in_mro);
                }
                // Erase and get it back, through Error and Box<dyn Error>.
                let erased: Error = e.clone().into();
                assert!(erased.is::<$name>() && erased.is_a::<$name>());
                assert_eq!(erased.to_string(), e.to_string());
                let dynamic: &dyn RedisErrorExt = &erased;
                assert!(dynamic.is_a::<$name>());
                assert!(dynamic.downcast_ref::<$name>().is_some());
                let boxed: Box<dyn std::error::Error + Send + Sync> = Box::new(erased);
                let back = boxed.downcast::<Error>().expect("an Error").downcast::<$name>();
                assert_eq!(back.expect("the same struct").to_string(), "m");
            }
        )*};
    }

    for_each_class!(structs: per_class_tests);

    /// `with_lock_name` exists exactly on the classes whose `__init__`
    /// (own or inherited) is `LockError`'s.
    #[test]
    fn lock_builders_match_the_table() {
        for class in Class::all() {
            let lock_init = class.init().0.has_lock_name();
            let listed = super::LOCK_CLASSES.iter().any(|c| std::ptr::eq(*c, class));
            assert_eq!(lock_init, listed, "{}", class.name());
        }
    }
}
