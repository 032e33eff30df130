//! Serialization of errors to a JSON-friendly form and back.
