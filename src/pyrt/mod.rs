//! Layer 1, CPython's rules: Python values (`str()`, `repr()`, `int()`),
//! lossy UTF-8 decoding, the exceptions a Python call raises, and the byte
//! scanner the parsers use. Knows nothing of exception classes.

pub(crate) mod call_error;
pub(crate) mod scan;
#[rustfmt::skip]
pub(crate) mod unicode_tables;
pub(crate) mod value;
