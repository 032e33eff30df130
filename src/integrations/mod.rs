//! Layer 6, other crates: one file per optional feature, named after it
//! (`pyo3/`, the largest, a folder: one file per direction of conversion),
//! and [`exception!`](crate::exception!), which gives a user class the
//! error layer's struct and each enabled integration's impls.

#[cfg(feature = "anyhow")]
mod anyhow;
pub(crate) mod client_errors;
mod exception_macro;
#[cfg(feature = "fred")]
mod fred;
#[cfg(feature = "pyo3")]
pub(crate) mod pyo3;
#[cfg(feature = "redis")]
mod redis;
#[cfg(feature = "redis2")]
mod redis2;
#[cfg(any(feature = "redis", feature = "redis2"))]
mod redis_rs;
#[cfg(feature = "serde")]
mod serde;
