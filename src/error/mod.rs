//! Layer 4, exceptions as Rust types: the traits, the class structs, the
//! erased [`Error`](crate::Error), the macros that declare classes, and
//! what works on them (`except!`, `find`, context selectors, I/O errors).

pub(crate) mod chain;
pub(crate) mod context;
pub(crate) mod erased;
pub(crate) mod except;
pub(crate) mod io;
pub(crate) mod policy;
pub(crate) mod struct_macro;
pub(crate) mod structs;
pub(crate) mod traits;

#[cfg(test)]
mod per_class_tests;
