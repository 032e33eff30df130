//! Layer 6, other crates: one file per optional feature, named after it
//! (`pyo3/`, the largest, a folder: one file per direction of conversion).

#[cfg(feature = "anyhow")]
mod anyhow;
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
