//! The 39 class structs, generated from the table in `hierarchy.rs`.

use crate::hierarchy::{for_each_class, module_name};

macro_rules! define_structs {
    ($( $(#[doc = $doc:literal])* $name:ident ( $($base:ident),* ) $module:ident,
        $init:tt, $et:tt, $repr:tt, $message:tt; )*) => {$(
        crate::__exception_struct! {
            $(#[doc = $doc])*
            ///
            #[doc = concat!(
                "Python: `class ", stringify!($name), "(", stringify!($($base),*), ")` in `",
                module_name!($module), "`."
            )]
            pub struct $name;
            class = &crate::class::statics::$name;
            into_error = |e| crate::error::Error::from_repr(crate::error::Repr::$name(e));
        }
    )*};
}

for_each_class!(define_structs);
