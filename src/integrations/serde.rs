//! Serialization of errors to a JSON-friendly form and back.
//!
//! The form is the one of `python/redis_exceptions_json.py` (see
//! `python/README.md`); the documentation users see is on
//! `impl Serialize for Error`.

use serde::de::{self, Deserialize, Deserializer, Error as _, MapAccess, SeqAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, Serializer};
use std::fmt;

use crate::class::hierarchy::for_each_class;
use crate::class::{Attr, Class, Params};
use crate::error::erased::Error;
use crate::error::traits::RedisErrorExt;
use crate::pyrt::value::{
    list_repr_excerpt, write_str_repr_excerpt, BytesExcerpt, Excerpt, PyValue,
};

/// The module a form names when it has no `"module"` key.
const DEFAULT_MODULE: &str = "redis.exceptions";

/// The one key of the object that stands for a `bytes` value.
const BYTES_KEY: &str = "bytes_b64";

// --------------------------------------------------------------------------
// values
// --------------------------------------------------------------------------

#[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
impl Serialize for PyValue {
    /// A string, `null`, an integer, or `{"bytes_b64": "<standard base64>"}`.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            PyValue::None => serializer.serialize_none(),
            PyValue::Str(s) => serializer.serialize_str(s),
            PyValue::Int(i) => serializer.serialize_i64(*i),
            PyValue::Bytes(b) => {
                let mut map = serializer.serialize_map(Some(1))?;
                map.serialize_entry(BYTES_KEY, &base64_encode(b))?;
                map.end()
            }
        }
    }
}

#[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
impl<'de> Deserialize<'de> for PyValue {
    /// The form [`Serialize`] writes; booleans, floats, lists and other
    /// objects are refused with the `ValueError` text of the Python helper.
    /// Integers beyond `i64` are refused too (see the crate docs, difference 2).
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ValueVisitor)
    }
}

struct ValueVisitor;

/// An integer beyond `i64`, which the form has no value for.
fn too_big<E: de::Error>() -> E {
    E::custom(
        "ValueError: integer out of range (a 64-bit int; written with a fraction or an exponent, below 2**53 in magnitude)",
    )
}

fn not_a_value<E: de::Error>(what: impl fmt::Display) -> E {
    E::custom(format_args!(
        "ValueError: not a valid argument value: {what}"
    ))
}

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = PyValue;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string, null, an integer or {\"bytes_b64\": \"...\"}")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<PyValue, E> {
        Ok(PyValue::Str(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<PyValue, E> {
        Ok(PyValue::Str(v))
    }

    fn visit_unit<E: de::Error>(self) -> Result<PyValue, E> {
        Ok(PyValue::None)
    }

    fn visit_none<E: de::Error>(self) -> Result<PyValue, E> {
        Ok(PyValue::None)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<PyValue, D::Error> {
        PyValue::deserialize(d)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<PyValue, E> {
        Ok(PyValue::Int(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<PyValue, E> {
        i64::try_from(v).map(PyValue::Int).map_err(|_| too_big())
    }

    fn visit_i128<E: de::Error>(self, v: i128) -> Result<PyValue, E> {
        i64::try_from(v).map(PyValue::Int).map_err(|_| too_big())
    }

    fn visit_u128<E: de::Error>(self, v: u128) -> Result<PyValue, E> {
        i64::try_from(v).map(PyValue::Int).map_err(|_| too_big())
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<PyValue, E> {
        Err(E::custom(format_args!(
            "ValueError: bool values are not part of the form: {}",
            if v { "True" } else { "False" }
        )))
    }

    /// A number with a fraction or an exponent, or an integer a format
    /// reads as a float (serde_json: `-0`, and integers beyond 64 bits): an
    /// integer value below 2**53 in magnitude is that `int`, as
    /// `python/redis_exceptions_json.py` reads it; a float at or beyond
    /// 2**53 may have lost digits (`-9223372036854775809` arrives as
    /// -2**63), so it is refused as out of range, without quoting digits it
    /// no longer has; any other number is refused.
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<PyValue, E> {
        // Every integer below 2**53 in magnitude is exact as an f64.
        const EXACT: f64 = 9_007_199_254_740_992.0;
        if v.is_finite() && v.fract() == 0.0 {
            if v.abs() < EXACT {
                // Integral and exact: the conversion is exact.
                #[allow(clippy::cast_possible_truncation, reason = "checked above")]
                return Ok(PyValue::Int(v as i64));
            }
            return Err(too_big());
        }
        Err(not_a_value(v))
    }

    /// Binary formats: raw bytes are a `bytes` value.
    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<PyValue, E> {
        Ok(PyValue::Bytes(v.to_vec()))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, _seq: A) -> Result<PyValue, A::Error> {
        Err(not_a_value("a list"))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<PyValue, A::Error> {
        let Some(key) = map.next_key::<String>()? else {
            return Err(not_a_value("{}"));
        };
        if key != BYTES_KEY {
            return Err(not_a_value(format_args!(
                "an object with key {:?}",
                Excerpt(&key)
            )));
        }
        let Text(text) = map.next_value()?;
        if let Some(other) = map.next_key::<String>()? {
            if other == BYTES_KEY {
                return Err(A::Error::custom(format_args!(
                    "duplicate field `{BYTES_KEY}`"
                )));
            }
            return Err(not_a_value(format_args!(
                "an object with keys {BYTES_KEY:?} and {:?}",
                Excerpt(&other)
            )));
        }
        base64_decode(&text)
            .map(PyValue::Bytes)
            .map_err(|e| A::Error::custom(format_args!("binascii.Error: {e}")))
    }
}

// --------------------------------------------------------------------------
// base64 (standard alphabet, padded), through the `base64` crate
// --------------------------------------------------------------------------

/// Standard alphabet, `=` padding required where Python writes it, and
/// non-zero bits after the last byte ignored (`QR==` is `b"A"`), as Python's
/// `base64.b64decode(s, validate=True)` does.
const BASE64: base64::engine::GeneralPurpose = base64::engine::GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    base64::engine::GeneralPurposeConfig::new()
        .with_decode_allow_trailing_bits(true)
        .with_decode_padding_mode(base64::engine::DecodePaddingMode::RequireCanonical),
);

/// Standard base64 with `=` padding, as Python's `base64.b64encode`.
pub(crate) fn base64_encode(bytes: &[u8]) -> String {
    base64::Engine::encode(&BASE64, bytes)
}

/// Strict standard base64 (see [`BASE64`]), the error worded as Python's
/// `binascii.Error`.
pub(crate) fn base64_decode(text: &str) -> Result<Vec<u8>, String> {
    use base64::DecodeError;
    base64::Engine::decode(&BASE64, text).map_err(|e| match e {
        DecodeError::InvalidByte(_, b'=') => {
            "Invalid base64-encoded string: misplaced padding".to_owned()
        }
        DecodeError::InvalidByte(offset, c) | DecodeError::InvalidLastSymbol(offset, c) => {
            format!(
                "Only base64 data is allowed, found {:?} at offset {offset}",
                char::from(c)
            )
        }
        DecodeError::InvalidLength(_) | DecodeError::InvalidPadding => {
            "Incorrect padding".to_owned()
        }
    })
}

// --------------------------------------------------------------------------
// exceptions: serialization
// --------------------------------------------------------------------------

/// The attributes redis-py's `to_json` writes, in its order.
fn serialize_exception<S: Serializer>(
    e: &(dyn RedisErrorExt + '_),
    serializer: S,
) -> Result<S::Ok, S::Error> {
    let class = e.class();
    let (init, _) = class.init();
    // The attribute as the instance's release has it.
    let status_code = e.__state().sets(Attr::StatusCode).then(|| e.status_code());
    let error_type = e.error_type();
    let message = init
        .has_message()
        .then(|| e.args().first().cloned().unwrap_or_default());
    let lock_name = e.lock_name();
    let redirect = e.redirect();
    let len = 3
        + usize::from(status_code.is_some())
        + usize::from(error_type.is_some())
        + usize::from(message.is_some())
        + usize::from(lock_name.is_some())
        + if redirect.is_some() { 3 } else { 0 };

    let mut map = serializer.serialize_map(Some(len))?;
    map.serialize_entry("class", class.name())?;
    map.serialize_entry("module", class.module())?;
    map.serialize_entry("args", e.args())?;
    if let Some(code) = status_code {
        map.serialize_entry("status_code", &code)?;
    }
    if let Some(t) = error_type {
        map.serialize_entry("error_type", t.value())?;
    }
    if let Some(message) = &message {
        map.serialize_entry("message", message)?;
    }
    if let Some(name) = lock_name {
        map.serialize_entry("lock_name", name)?;
    }
    if let Some(r) = redirect {
        map.serialize_entry("slot_id", &r.slot_value())?;
        map.serialize_entry("host", r.host())?;
        map.serialize_entry("port", &r.port_value())?;
    }
    map.end()
}

#[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
impl Serialize for Error {
    /// The JSON-friendly form of `python/redis_exceptions_json.py`
    /// (`to_json`), one object per exception:
    ///
    /// ```json
    /// {"class": "MovedError", "module": "redis.exceptions",
    ///  "args": ["3999 127.0.0.1:6381"],
    ///  "status_code": "MOVED", "error_type": "server",
    ///  "message": "3999 127.0.0.1:6381", "slot_id": 3999, "host": "127.0.0.1", "port": 6381}
    /// ```
    ///
    /// | key | when present | value |
    /// | --- | --- | --- |
    /// | `class` | always | `__name__` |
    /// | `module` | always | `"redis.exceptions"`, `"builtins"`, or a user class's module |
    /// | `args` | always | `e.args` as a list |
    /// | `status_code` | the instance has the attribute (every `RedisError` subclass) | string or `null` |
    /// | `error_type` | the instance has the attribute | `"network"`, `"tls"`, `"auth"` or `"server"` |
    /// | `message` | it is an instance attribute (`LockError`, `ClusterDownError`, `AskError` and subclasses; not the class-level `ClusterCrossSlotError.message`) | value |
    /// | `lock_name` | `LockError`, `LockNotOwnedError` | value |
    /// | `slot_id`, `host`, `port` | `AskError`, `MovedError` whose payload parsed | int, string, int |
    ///
    /// Values are a string, `null`, an integer, or bytes as
    /// `{"bytes_b64": "<standard base64>"}`. Keys that do not apply are left
    /// out. The cause (`source()`) and where the error came from
    /// ([`RedisErrorExt::reply`]) are not part of the form.
    ///
    /// The keys are those of the instance's release
    /// ([`RedisErrorExt::release`]): an instance of a release before
    /// redis-py 7.2 has no `status_code` and no `error_type` key.
    ///
    /// [`Deserialize`] rebuilds the error the way the Python helper's
    /// `from_json` does on the default release (redis-py 8.2), by calling
    /// the class with Python's semantics ([`Class::call`]):
    ///
    /// * `LockError`, `LockNotOwnedError`: `cls(args[0] or None, lock_name=...)`,
    ///   more than one argument is a `ValueError`;
    /// * `ClusterDownError`, `MasterDownError`, `AskError`, `MovedError`:
    ///   `cls(resp, status_code=...)`, exactly one argument or `ValueError`;
    /// * other `RedisError` subclasses: `cls(*args, status_code=...)`;
    /// * classes without `status_code`: `cls(*args)`.
    ///
    /// `class` is required; `module` defaults to `"redis.exceptions"` and
    /// must be the class's module; `args` defaults to `[]`; a missing
    /// `status_code`/`lock_name` is `None`. The redundant keys
    /// (`error_type`, `message`, `slot_id`, `host`, `port`) and unknown keys
    /// are ignored, not checked: the constructor recomputes them, exactly as
    /// `from_json` does. Where Python would raise, deserialization fails with
    /// Python's error text, e.g. `ValueError: not enough values to unpack
    /// (expected 2, got 1)` for a `MovedError` whose payload does not parse
    /// (which [`crate::parse_error`] builds leniently, so such an error
    /// serializes but does not deserialize).
    ///
    /// ```
    /// use redis_exceptions::{parse_error, Error, MovedError, RedisErrorExt};
    ///
    /// let e = parse_error("MOVED 3999 127.0.0.1:6381");
    /// let json = serde_json::to_value(&e).unwrap();
    /// assert_eq!(json["class"], "MovedError");
    /// assert_eq!(json["port"], 6381);
    /// let back: Error = serde_json::from_value(json).unwrap();
    /// assert!(back.is::<MovedError>());
    /// assert_eq!(back.status_code(), Some("MOVED"));
    ///
    /// let bad = serde_json::json!({"class": "MovedError", "args": ["3999"], "status_code": "MOVED"});
    /// let err = serde_json::from_value::<Error>(bad).unwrap_err();
    /// assert_eq!(err.to_string(), "ValueError: not enough values to unpack (expected 2, got 1)");
    /// ```
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serialize_exception(self.as_dyn(), serializer)
    }
}

#[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
impl Serialize for dyn RedisErrorExt {
    /// The form of [`Error`]'s `Serialize`.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serialize_exception(self, serializer)
    }
}

// --------------------------------------------------------------------------
// exceptions: deserialization
// --------------------------------------------------------------------------

/// The keys deserialization reads; the others are ignored.
#[derive(serde::Deserialize)]
struct Form {
    class: Text,
    #[serde(default)]
    module: Option<Text>,
    #[serde(default)]
    args: Values,
    #[serde(default)]
    status_code: Option<PyValue>,
    #[serde(default)]
    lock_name: Option<PyValue>,
}

// Errors quote what they refuse as an excerpt and its length (see
// `crate::pyrt::value::Excerpt`), never whole: serde's own "invalid type: string
// ..." would echo a value of any size, so the visitors below refuse
// strings and bytes themselves.

/// A string field.
struct Text(String);

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_string(TextVisitor).map(Text)
    }
}

struct TextVisitor;

impl<'de> Visitor<'de> for TextVisitor {
    type Value = String;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
        Ok(v.to_owned())
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<String, E> {
        Ok(v)
    }

    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<String, E> {
        match std::str::from_utf8(v) {
            Ok(text) => Ok(text.to_owned()),
            Err(_) => Err(E::invalid_value(
                de::Unexpected::Other(&format!("bytes {:?}", BytesExcerpt(v))),
                &self,
            )),
        }
    }
}

/// The `args` list.
#[derive(Default)]
struct Values(Vec<PyValue>);

impl<'de> Deserialize<'de> for Values {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // `deserialize_any`: given a string, JSON deserializers build the
        // "invalid type" error themselves (quoting all of it) for `deserialize_seq`.
        deserializer.deserialize_any(ValuesVisitor).map(Values)
    }
}

struct ValuesVisitor;

impl<'de> Visitor<'de> for ValuesVisitor {
    type Value = Vec<PyValue>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of values")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<PyValue>, A::Error> {
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
        while let Some(v) = seq.next_element()? {
            out.push(v);
        }
        Ok(out)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Vec<PyValue>, E> {
        Err(E::invalid_type(
            de::Unexpected::Other(&format!("string {:?}", Excerpt(v))),
            &self,
        ))
    }

    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Vec<PyValue>, E> {
        Err(E::invalid_type(
            de::Unexpected::Other(&format!("bytes {:?}", BytesExcerpt(v))),
            &self,
        ))
    }
}

impl Form {
    /// `from_json`: the class looked up, then called; `Err` is the text of
    /// what Python raises.
    fn build(self) -> Result<Error, String> {
        let module = self
            .module
            .as_ref()
            .map_or(DEFAULT_MODULE, |m| m.0.as_str());
        let class = lookup(&self.class.0, module)?;
        let status_code = self.status_code.unwrap_or_default();
        let args = self.args.0;
        let (init, _) = class.init();
        // The keywords the class's `__init__` binds, from the form.
        let lock_name = self.lock_name.unwrap_or_default();
        let keyword = |name: &'static str| {
            if init.keyword_of(Attr::StatusCode) == Some(name) {
                Some((name, status_code.clone()))
            } else if init.keyword_of(Attr::LockName) == Some(name) {
                Some((name, lock_name.clone()))
            } else {
                None
            }
        };
        let result = match init.params {
            Params::Named { names, required } => {
                let wrong = if required == 0 {
                    (args.len() > 1).then_some("takes one message argument")
                } else {
                    (args.len() != 1).then_some("takes exactly one argument")
                };
                if let Some(what) = wrong {
                    return Err(format!(
                        "ValueError: {} {what}, got {}",
                        class.name(),
                        list_repr_excerpt(&args)
                    ));
                }
                let kwargs: Vec<_> = names.iter().skip(1).filter_map(|n| keyword(n)).collect();
                class.call(&args, &kwargs)
            }
            Params::Star { keywords, .. } => {
                let kwargs: Vec<_> = keywords.iter().filter_map(|n| keyword(n)).collect();
                class.call(&args, &kwargs)
            }
        };
        result.map_err(|e| e.to_string())
    }
}

/// `lookup_class(name, module)` of the Python helper.
fn lookup(name: &str, module: &str) -> Result<&'static Class, String> {
    match Class::by_name(name) {
        Some(class) if class.module() == module => Ok(class),
        _ if module != DEFAULT_MODULE && module != "builtins" => {
            let mut repr = String::new();
            write_str_repr_excerpt(module, &mut repr);
            Err(format!("ValueError: unknown module {repr}"))
        }
        _ => Err(format!(
            "ValueError: {module}.{} is not an exception class",
            Excerpt(name)
        )),
    }
}

#[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
impl<'de> Deserialize<'de> for Error {
    /// Rebuilds an error from the form [`Serialize`] writes, by calling its
    /// class with Python's semantics; see `impl Serialize for Error`.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer
            .deserialize_map(FormVisitor)?
            .build()
            .map_err(D::Error::custom)
    }
}

/// Accepts an object only (a derived struct would take a list too).
struct FormVisitor;

impl<'de> Visitor<'de> for FormVisitor {
    type Value = Form;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a redis-py exception object")
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Form, A::Error> {
        Form::deserialize(de::value::MapAccessDeserializer::new(map))
    }
}

macro_rules! class_impls {
    ($($name:ident),*) => {$(
        #[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
        impl Serialize for crate::$name {
            /// The form of [`Error`]'s `Serialize`.
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serialize_exception(self, serializer)
            }
        }

        #[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
        impl<'de> Deserialize<'de> for crate::$name {
            /// The form of [`Error`]'s `Deserialize`, naming exactly this class.
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                Error::deserialize(deserializer)?.downcast::<Self>().map_err(|e| {
                    D::Error::custom(format_args!(
                        "expected a {} object, got {}",
                        stringify!($name),
                        e.class().name()
                    ))
                })
            }
        }
    )*};
}

for_each_class!(names: class_impls);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_python() {
        for (raw, enc) in [
            (&b""[..], ""),
            (b"f", "Zg=="),
            (b"fo", "Zm8="),
            (b"foo", "Zm9v"),
            (b"foob", "Zm9vYg=="),
            (b"bytes message \xff", "Ynl0ZXMgbWVzc2FnZSD/"),
            (b"\xfb\xff\xbf", "+/+/"),
        ] {
            assert_eq!(base64_encode(raw), enc);
            assert_eq!(base64_decode(enc).unwrap(), raw);
        }
        assert_eq!(base64_decode("QR==").unwrap(), b"A");
        for bad in [
            "QQ", "QQ=", "Q===", "QQ==QQ==", "QU=D", "QQ==\n", "QUJD=", "Q!==", "====",
        ] {
            assert!(base64_decode(bad).is_err(), "{bad:?}");
        }
        // Python's binascii.Error messages, where its wording is kept.
        assert_eq!(base64_decode("QQ").unwrap_err(), "Incorrect padding");
        assert!(base64_decode("Q!==")
            .unwrap_err()
            .starts_with("Only base64 data is allowed"));
        let all: Vec<u8> = (0..=255).collect();
        assert_eq!(base64_decode(&base64_encode(&all)).unwrap(), all);
    }
}
