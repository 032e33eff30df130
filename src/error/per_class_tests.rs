//! One test per class, generated from the same table as the structs.

use crate::class::hierarchy::for_each_class;
use crate::error::structs::*;
use crate::error::traits::Struct;
use crate::{Class, Error, ExceptionClass, RedisErrorExt};

macro_rules! per_class_tests {
    ($( $(#[doc = $doc:literal])* $name:ident ( $($base:ident),* ) $module:expr, $py:expr, $releases:expr; )*) => {$(
        #[test]
        #[allow(non_snake_case, reason = "tests are named after Python classes")]
        fn $name() {
            let e = $name::new("m");
            // isinstance of itself and of each direct base, by type.
            assert!(e.is_a::<$name>());
            $(assert!(e.is_a::<$base>(), "{} is_a {}", stringify!($name), stringify!($base));)*
            assert_eq!(<$name as ExceptionClass>::CLASS.name(), $py);
            assert_eq!(<$name as ExceptionClass>::CLASS.module(), $module);
            // The constants `is_a` tests against agree with the metadata.
            let bit = <$name as Struct>::__BIT;
            assert_eq!(bit.count_ones(), 1);
            assert_eq!(<$name>::__ANCESTORS, <$name>::CLASS.ancestor_bits());
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
        let listed = crate::error::structs::LOCK_CLASSES
            .iter()
            .any(|c| std::ptr::eq(*c, class));
        assert_eq!(lock_init, listed, "{}", class.name());
    }
}
