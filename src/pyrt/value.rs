//! Python values and the few bits of CPython's text rules the crate needs:
//! `str()` and `repr()` of an argument, and what `int()` accepts.

use std::fmt::{self, Write as _};

use crate::pyrt::scan;
use crate::pyrt::unicode_tables::{DECIMAL_ZEROS, NON_PRINTABLE};

/// One Python value as it can appear in an exception's `args` or as a
/// keyword argument: `None`, `str`, `bytes` or `int`.
///
/// `Display` gives Python's `str(value)`; [`PyValue::py_repr`] gives `repr(value)`.
///
/// ```
/// use redis_exceptions::PyValue;
/// assert_eq!(PyValue::from("it's").py_repr(), r#""it's""#);
/// assert_eq!(PyValue::None.to_string(), "None");
/// assert_eq!(PyValue::Bytes(b"a\n".to_vec()).to_string(), r"b'a\n'");
/// ```
///
/// `Debug` shows a long `str` or `bytes` as an excerpt and its length.
#[derive(Clone, PartialEq, Eq, Hash, Default)]
pub enum PyValue {
    /// Python's `None`.
    #[default]
    None,
    /// A Python `str`.
    Str(String),
    /// A Python `bytes`.
    Bytes(Vec<u8>),
    /// A Python `int` (within `i64`).
    Int(i64),
}

impl PyValue {
    /// The text when this is a `str`, else `None`.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            PyValue::Str(s) => Some(s),
            _ => None,
        }
    }

    /// Python's truth value: `None`, `""`, `b""` and `0` are false.
    pub(crate) fn is_truthy(&self) -> bool {
        match self {
            PyValue::None => false,
            PyValue::Str(s) => !s.is_empty(),
            PyValue::Bytes(b) => !b.is_empty(),
            PyValue::Int(i) => *i != 0,
        }
    }

    /// Whether this is Python's `None`.
    pub fn is_none(&self) -> bool {
        matches!(self, PyValue::None)
    }

    /// Python's `repr(value)`.
    pub fn py_repr(&self) -> String {
        let mut out = String::new();
        self.write_repr(&mut out);
        out
    }

    /// Python's type name for this value (`NoneType`, `str`, `bytes`, `int`).
    pub fn py_type(&self) -> &'static str {
        match self {
            PyValue::None => "NoneType",
            PyValue::Str(_) => "str",
            PyValue::Bytes(_) => "bytes",
            PyValue::Int(_) => "int",
        }
    }

    /// `repr(value)` for an error message: a long `str` or `bytes` as the
    /// repr of an excerpt and the value's length (`'abc'… (1048576 bytes)`).
    #[cfg(feature = "serde")]
    pub(crate) fn write_repr_excerpt(&self, out: &mut String) {
        match self {
            PyValue::Str(s) => write_str_repr_excerpt(s, out),
            PyValue::Bytes(b) if b.len() > EXCERPT_BYTES => {
                write_bytes_repr(&b[..EXCERPT_BYTES], out);
                let _ = write!(out, "… ({} bytes)", b.len());
            }
            other => other.write_repr(out),
        }
    }

    pub(crate) fn write_repr(&self, out: &mut String) {
        match self {
            PyValue::None => out.push_str("None"),
            PyValue::Str(s) => write_str_repr(s, out),
            PyValue::Bytes(b) => write_bytes_repr(b, out),
            PyValue::Int(i) => {
                let _ = write!(out, "{i}");
            }
        }
    }
}

impl fmt::Debug for PyValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PyValue::None => f.write_str("None"),
            PyValue::Str(s) => f.debug_tuple("Str").field(&Excerpt(s)).finish(),
            PyValue::Bytes(b) => f.debug_tuple("Bytes").field(&BytesExcerpt(b)).finish(),
            PyValue::Int(i) => f.debug_tuple("Int").field(i).finish(),
        }
    }
}

/// How much of a long value a `Debug` line or an error message quotes.
pub(crate) const EXCERPT_BYTES: usize = 200;

/// The first [`EXCERPT_BYTES`] bytes of `s`, cut at a character boundary,
/// and whether anything was cut.
pub(crate) fn excerpt(s: &str) -> (&str, bool) {
    if s.len() <= EXCERPT_BYTES {
        return (s, false);
    }
    let mut end = EXCERPT_BYTES;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    (&s[..end], true)
}

/// A text as an excerpt and its length when it is long: `Debug` quotes it
/// (`"abc"… (1048576 bytes)`), `Display` writes it as is. The cost is the
/// excerpt's, whatever the text's length.
pub(crate) struct Excerpt<'a>(pub(crate) &'a str);

impl fmt::Debug for Excerpt<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (head, cut) = excerpt(self.0);
        fmt::Debug::fmt(head, f)?;
        if cut {
            write!(f, "… ({} bytes)", self.0.len())?;
        }
        Ok(())
    }
}

impl fmt::Display for Excerpt<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (head, cut) = excerpt(self.0);
        f.write_str(head)?;
        if cut {
            write!(f, "… ({} bytes)", self.0.len())?;
        }
        Ok(())
    }
}

/// A list of values for a `Debug` line: at most [`EXCERPT_VALUES`], each as
/// `PyValue`'s `Debug` (long values as excerpts), then the count.
pub(crate) struct ValuesExcerpt<'a>(pub(crate) &'a [PyValue]);

impl fmt::Debug for ValuesExcerpt<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut list = f.debug_list();
        list.entries(self.0.iter().take(EXCERPT_VALUES));
        if self.0.len() > EXCERPT_VALUES {
            list.entry(&format_args!("… ({} values)", self.0.len()));
        }
        list.finish()
    }
}

/// [`Excerpt`] for bytes: the first [`EXCERPT_BYTES`] as a list, and the length.
pub(crate) struct BytesExcerpt<'a>(pub(crate) &'a [u8]);

impl fmt::Debug for BytesExcerpt<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let b = self.0;
        fmt::Debug::fmt(&b[..b.len().min(EXCERPT_BYTES)], f)?;
        if b.len() > EXCERPT_BYTES {
            write!(f, "… ({} bytes)", b.len())?;
        }
        Ok(())
    }
}

impl fmt::Display for PyValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PyValue::Str(s) => f.write_str(s),
            PyValue::Int(i) => write!(f, "{i}"),
            other => f.write_str(&other.py_repr()),
        }
    }
}

impl From<&str> for PyValue {
    fn from(s: &str) -> Self {
        PyValue::Str(s.to_owned())
    }
}

impl From<String> for PyValue {
    fn from(s: String) -> Self {
        PyValue::Str(s)
    }
}

impl From<Option<&str>> for PyValue {
    fn from(s: Option<&str>) -> Self {
        s.map_or(PyValue::None, PyValue::from)
    }
}

impl From<Option<String>> for PyValue {
    fn from(s: Option<String>) -> Self {
        s.map_or(PyValue::None, PyValue::Str)
    }
}

impl From<Vec<u8>> for PyValue {
    fn from(b: Vec<u8>) -> Self {
        PyValue::Bytes(b)
    }
}

impl From<i64> for PyValue {
    fn from(i: i64) -> Self {
        PyValue::Int(i)
    }
}

/// Python's `str(args)` of an exception: `''`, the lone argument's `str`, or
/// the tuple's `repr`.
pub(crate) fn fmt_args_str(args: &[PyValue], f: &mut fmt::Formatter<'_>) -> fmt::Result {
    match args {
        [] => Ok(()),
        [one] => fmt::Display::fmt(one, f),
        many => f.write_str(&tuple_repr(many)),
    }
}

/// Python's `repr(tuple(args))`: `()`, `('a',)` (a one-element tuple keeps
/// its comma), `('a', 'b')`.
pub(crate) fn tuple_repr(args: &[PyValue]) -> String {
    let mut out = String::from("(");
    join_reprs(args, &mut out);
    if args.len() == 1 {
        out.push(',');
    }
    out.push(')');
    out
}

/// The reprs of `args` separated by `", "`: the inside of a tuple or list
/// repr, and of an exception's `repr()` (`ValueError('a')`, no comma).
pub(crate) fn join_reprs(args: &[PyValue], out: &mut String) {
    for (i, a) in args.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        a.write_repr(out);
    }
}

/// How many values of a list an error message or a `Debug` line shows.
pub(crate) const EXCERPT_VALUES: usize = 8;

/// Python's `repr(list)` for an error message: each value as
/// [`PyValue::write_repr_excerpt`], at most [`EXCERPT_VALUES`] of them and
/// then the count (`['a', 'b', … (100000 values)]`).
#[cfg(feature = "serde")]
pub(crate) fn list_repr_excerpt(values: &[PyValue]) -> String {
    let mut out = String::from("[");
    for (i, v) in values.iter().take(EXCERPT_VALUES).enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        v.write_repr_excerpt(&mut out);
    }
    if values.len() > EXCERPT_VALUES {
        let _ = write!(out, ", … ({} values)", values.len());
    }
    out.push(']');
    out
}

fn is_printable(c: char) -> bool {
    let cp = c as u32;
    if (0x20..0x7f).contains(&cp) {
        return true;
    }
    NON_PRINTABLE
        .binary_search_by(|&(lo, hi)| {
            if hi < cp {
                std::cmp::Ordering::Less
            } else if lo > cp {
                std::cmp::Ordering::Greater
            } else {
                std::cmp::Ordering::Equal
            }
        })
        .is_err()
}

/// CPython's `repr(str)`: quote choice, backslash escapes, and `\x`/`\u`/`\U`
/// escapes for characters that are not printable.
pub(crate) fn write_str_repr(s: &str, out: &mut String) {
    write_str_repr_quoted(s, str_quote(s), out);
}

/// The quote `repr(s)` uses: `"` when `s` holds `'` and no `"`.
fn str_quote(s: &str) -> char {
    if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    }
}

/// CPython's `%.200R` in an error message: the first `limit` characters of
/// `repr(s)`, cut without a closing quote when longer (as `int()`'s
/// "invalid literal" does). Only the first `limit` characters of `s` are
/// escaped: each gives at least one character of the repr.
pub(crate) fn truncated_repr(s: &str, limit: usize) -> String {
    let head = match s.char_indices().nth(limit) {
        Some((end, _)) => &s[..end],
        None => s,
    };
    let mut out = String::new();
    write_str_repr_quoted(head, str_quote(s), &mut out);
    if let Some((end, _)) = out.char_indices().nth(limit) {
        out.truncate(end);
    }
    out
}

/// `repr(s)` for an error message: a long `s` as the repr of an excerpt and
/// its length (`'abc'… (1048576 bytes)`).
#[cfg(feature = "serde")]
pub(crate) fn write_str_repr_excerpt(s: &str, out: &mut String) {
    let (head, cut) = excerpt(s);
    write_str_repr_quoted(head, str_quote(s), out);
    if cut {
        let _ = write!(out, "… ({} bytes)", s.len());
    }
}

fn write_str_repr_quoted(s: &str, quote: char, out: &mut String) {
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if is_printable(c) => out.push(c),
            c if (c as u32) < 0x100 => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c if (c as u32) < 0x10000 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => {
                let _ = write!(out, "\\U{:08x}", c as u32);
            }
        }
    }
    out.push(quote);
}

/// CPython's `repr(bytes)`.
pub(crate) fn write_bytes_repr(b: &[u8], out: &mut String) {
    let quote = if b.contains(&b'\'') && !b.contains(&b'"') {
        '"'
    } else {
        '\''
    };
    out.push('b');
    out.push(quote);
    for &byte in b {
        match byte {
            b'\\' => out.push_str("\\\\"),
            b'\t' => out.push_str("\\t"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            c if c as char == quote => {
                out.push('\\');
                out.push(quote);
            }
            0x20..=0x7e => out.push(byte as char),
            _ => {
                let _ = write!(out, "\\x{byte:02x}");
            }
        }
    }
    out.push(quote);
}

fn decimal_value(c: char) -> Option<u32> {
    if c.is_ascii_digit() {
        return Some(c as u32 - '0' as u32);
    }
    let cp = c as u32;
    let i = DECIMAL_ZEROS.partition_point(|&z| z <= cp);
    let zero = *DECIMAL_ZEROS.get(i.checked_sub(1)?)?;
    (cp - zero < 10).then_some(cp - zero)
}

/// The outcome of Python's `int(text)` (base 10).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum PyInt {
    /// `int()` accepts the text; the value when it fits an `i64`.
    Valid(Option<i64>),
    /// `int()` raises "invalid literal for int()".
    Invalid,
    /// `int()` raises for more digits than CPython converts (the count).
    TooManyDigits(usize),
}

/// CPython's default `sys.get_int_max_str_digits()`.
pub(crate) const MAX_STR_DIGITS: usize = 4300;

/// What CPython's `int(text)` does with `text`: surrounding whitespace
/// (Unicode `White_Space`, which is what `int()` strips), one sign, Unicode
/// decimal digits, single underscores between digits, at most 4,300 digits.
pub(crate) fn py_int(text: &str) -> PyInt {
    int_digits(text, usize::MAX)
}

/// [`py_int`] for callers that only need to know whether `int()` accepts
/// the text: it stops reading at the 4,301st digit, where `int()` is
/// certain to raise whatever follows (more digits, or a character that makes
/// the literal invalid), and then reports `TooManyDigits(4301)`, a lower
/// bound of the count.
///
/// CPython counts digits after stripping the surrounding whitespace and
/// without the underscores, and a non-ASCII decimal digit counts as one
/// digit, as here; it checks the whole literal before it checks the count,
/// which is why the exact `ValueError` needs [`py_int`].
pub(crate) fn py_int_accepts(text: &str) -> PyInt {
    int_digits(text, MAX_STR_DIGITS + 1)
}

/// Up to 18 ASCII digits, which fit an `i64` without overflow: the value.
#[inline]
fn short_digits(b: &[u8]) -> Option<i64> {
    (!b.is_empty() && b.len() <= 18 && b.iter().all(u8::is_ascii_digit))
        .then(|| b.iter().fold(0i64, |v, &d| v * 10 + i64::from(d - b'0')))
}

/// [`py_int_accepts`] on bytes, for classification: plain ASCII digits are
/// read in one pass without decoding (a run of more than 4,300 is decided
/// after 4,301 bytes, whatever follows); anything else is decoded and read
/// as text (bytes that are not UTF-8 are `Invalid`).
#[inline]
pub(crate) fn py_int_bytes(digits: &[u8]) -> PyInt {
    if let Some(v) = short_digits(digits) {
        return PyInt::Valid(Some(v));
    }
    if let Some(head) = digits.get(..=MAX_STR_DIGITS) {
        if scan::find_non_digit(head).is_none() {
            return PyInt::TooManyDigits(MAX_STR_DIGITS + 1);
        }
    } else if !digits.is_empty() && scan::find_non_digit(digits).is_none() {
        // Plain ASCII digits within the limit: only the last 19
        // significant digits can make an `i64`.
        let significant = &digits[digits.iter().take_while(|&&d| d == b'0').count()..];
        let value = (significant.len() <= 19)
            .then(|| {
                significant.iter().try_fold(0i64, |v, &d| {
                    v.checked_mul(10)?.checked_add(i64::from(d - b'0'))
                })
            })
            .flatten();
        return PyInt::Valid(value);
    }
    match std::str::from_utf8(digits) {
        Ok(text) => py_int_accepts(text),
        Err(_) => PyInt::Invalid,
    }
}

/// `int(text)`, reading no further than the `stop_at`-th digit.
fn int_digits(text: &str, stop_at: usize) -> PyInt {
    if let Some(v) = short_digits(text.as_bytes()) {
        return PyInt::Valid(Some(v));
    }
    let t = text.trim_matches(char::is_whitespace);
    let (neg, digits) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    // More ASCII digits in a row than the caller reads: decided there.
    if let Some(head) = digits.as_bytes().get(..stop_at) {
        if scan::find_non_digit(head).is_none() {
            return PyInt::TooManyDigits(stop_at);
        }
    }
    // Plain ASCII digits, checked a block at a time: the count is the
    // length, and only the last 19 significant digits can make an `i64`.
    if !digits.is_empty() && scan::find_non_digit(digits.as_bytes()).is_none() {
        if digits.len() > MAX_STR_DIGITS {
            return PyInt::TooManyDigits(digits.len());
        }
        let significant = digits.trim_start_matches('0');
        let value = (significant.len() <= 19)
            .then(|| {
                significant.bytes().try_fold(0i64, |v, d| {
                    v.checked_mul(10)?.checked_sub(i64::from(d - b'0'))
                })
            })
            .flatten();
        return PyInt::Valid(if neg {
            value
        } else {
            value.and_then(i64::checked_neg)
        });
    }
    // Accumulated as a negative number so that `i64::MIN` fits.
    let mut value: Option<i64> = Some(0);
    let mut count = 0usize;
    let mut prev_underscore = false;
    for c in digits.chars() {
        if c == '_' {
            if count == 0 || prev_underscore {
                return PyInt::Invalid;
            }
            prev_underscore = true;
            continue;
        }
        let Some(d) = decimal_value(c) else {
            return PyInt::Invalid;
        };
        prev_underscore = false;
        count += 1;
        if count >= stop_at {
            return PyInt::TooManyDigits(count);
        }
        value = value
            .and_then(|v| v.checked_mul(10))
            .and_then(|v| v.checked_sub(i64::from(d)));
    }
    if count == 0 || prev_underscore {
        return PyInt::Invalid;
    }
    if count > MAX_STR_DIGITS {
        return PyInt::TooManyDigits(count);
    }
    PyInt::Valid(if neg {
        value
    } else {
        value.and_then(i64::checked_neg)
    })
}

/// `str(int(text))` for text that `int()` accepts: sign, then ASCII digits
/// without leading zeros or underscores.
pub(crate) fn py_int_str(text: &str) -> String {
    let t = text.trim_matches(char::is_whitespace);
    let neg = t.starts_with('-');
    let digits: String = t
        .chars()
        .filter_map(decimal_value)
        .map(|d| char::from(b'0' + d as u8))
        .collect();
    let digits = digits.trim_start_matches('0');
    match (digits.is_empty(), neg) {
        (true, _) => "0".to_owned(),
        (false, true) => format!("-{digits}"),
        (false, false) => digits.to_owned(),
    }
}

/// The length of `String::from_utf8_lossy(bytes)`, counted without making
/// it: a valid sequence counts its own length, and each maximal invalid
/// subpart (a lead byte and the continuation bytes that fit it, cut short;
/// or a byte that starts nothing) counts three, as U+FFFD. ASCII is skipped
/// a block at a time.
fn lossy_len(bytes: &[u8]) -> usize {
    let mut len = 0;
    let mut i = 0;
    while i < bytes.len() {
        let lead = bytes[i];
        if lead < 0x80 {
            let run = scan::ascii_prefix(&bytes[i..]);
            len += run;
            i += run;
            continue;
        }
        if !(0xC2..=0xF4).contains(&lead) {
            // A byte that starts nothing: one replacement.
            len += 3;
            i += 1;
            continue;
        }
        // The range the first continuation byte must fall in, and how many
        // continuation bytes the lead wants.
        let (lo, hi, want) = match lead {
            0xC2..=0xDF => (0x80, 0xBF, 1),
            0xE0 => (0xA0, 0xBF, 2),
            0xE1..=0xEC | 0xEE..=0xEF => (0x80, 0xBF, 2),
            0xED => (0x80, 0x9F, 2),
            0xF0 => (0x90, 0xBF, 3),
            0xF1..=0xF3 => (0x80, 0xBF, 3),
            0xF4 => (0x80, 0x8F, 3),
            _ => (1, 0, 0),
        };
        let mut got = 0;
        while got < want {
            let Some(&b) = bytes.get(i + 1 + got) else {
                break;
            };
            let (l, h) = if got == 0 { (lo, hi) } else { (0x80, 0xBF) };
            if b < l || b > h {
                break;
            }
            got += 1;
        }
        if want > 0 && got == want {
            len += 1 + want;
        } else {
            len += 3;
        }
        i += 1 + got;
    }
    len
}

/// Python's `bytes.decode("utf-8", "replace")`, which is
/// `String::from_utf8_lossy(bytes).into_owned()` made at its exact size: the
/// buffer never holds more than the decoded text.
///
/// Each maximal invalid sequence (one to three bytes) becomes U+FFFD (three
/// bytes), so the text is at least as long as the bytes: decoding starts in a
/// buffer of that size, and only if the replacements outgrow it is the rest
/// measured (one more pass over the remaining bytes) and the buffer grown
/// once, to the exact total. A byte that starts no UTF-8 sequence (the usual
/// garbage) is replaced directly, without a trip through `utf8_chunks`.
pub(crate) fn decode_lossy(bytes: &[u8]) -> String {
    const REPLACEMENT: &str = "\u{FFFD}";
    let mut out = String::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&lead) = bytes.get(i) {
        let rest = &bytes[i..];
        if lead >= 0x80 && !(0xC2..=0xF4).contains(&lead) {
            if out.capacity() - out.len() < REPLACEMENT.len() {
                out.reserve_exact(lossy_len(rest));
            }
            out.push_str(REPLACEMENT);
            i += 1;
            continue;
        }
        let Some(chunk) = rest.utf8_chunks().next() else {
            break;
        };
        let (valid, invalid) = (chunk.valid(), chunk.invalid());
        let need = valid.len()
            + if invalid.is_empty() {
                0
            } else {
                REPLACEMENT.len()
            };
        if out.capacity() - out.len() < need {
            out.reserve_exact(lossy_len(rest));
        }
        out.push_str(valid);
        if !invalid.is_empty() {
            out.push_str(REPLACEMENT);
        }
        i += valid.len() + invalid.len();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn int_rules() {
        assert_eq!(py_int("3999"), PyInt::Valid(Some(3999)));
        assert_eq!(py_int(" +0_01\t"), PyInt::Valid(Some(1)));
        assert_eq!(py_int("-5"), PyInt::Valid(Some(-5)));
        assert_eq!(py_int("\u{663}\u{669}"), PyInt::Valid(Some(39)));
        assert_eq!(py_int("99999999999999999999999"), PyInt::Valid(None));
        assert_eq!(py_int("-9223372036854775808"), PyInt::Valid(Some(i64::MIN)));
        assert_eq!(py_int("9223372036854775808"), PyInt::Valid(None));
        for bad in [
            "", "x", "1_", "_1", "1__0", "+", "1 2", "0x10", "--1", "\u{1c}1",
        ] {
            assert_eq!(py_int(bad), PyInt::Invalid, "{bad:?}");
        }
        let long = "1".repeat(4301);
        assert_eq!(py_int(&long), PyInt::TooManyDigits(4301));
        assert_eq!(py_int_accepts(&long), PyInt::TooManyDigits(4301));
        // The exact count reads to the end; the decision stops at the limit,
        // whatever follows.
        let longer = format!(" {}_1x", "\u{663}".repeat(5000));
        assert_eq!(py_int(&longer), PyInt::Invalid);
        assert_eq!(py_int_accepts(&longer), PyInt::TooManyDigits(4301));
        assert_eq!(py_int(&"1_2".repeat(3000)), PyInt::TooManyDigits(6000));
        assert_eq!(py_int_accepts(&"1_2".repeat(1433)), PyInt::Valid(None));
        assert_eq!(
            py_int_accepts(&format!("-{} ", "1".repeat(4300))),
            PyInt::Valid(None)
        );
        assert_eq!(py_int(&"1".repeat(4300)), PyInt::Valid(None));
        assert_eq!(py_int_str(" +0_0\u{663}9 "), "39");
        assert_eq!(py_int_str("-0"), "0");
    }

    #[test]
    fn lossy_decoding_is_std_s_at_its_exact_size() {
        let cases: [&[u8]; 6] = [
            b"",
            b"plain",
            b"\xff",
            b"ab\xe2\x82cd\xf0\x90\x80",
            &[0xff; 100],
            b"h\xc3\xa9\xffllo",
        ];
        // Every sequence of up to three bytes from the interesting values,
        // then each behind ASCII.
        let interesting = [
            0x00, 0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0,
            0xe1, 0xec, 0xed, 0xee, 0xef, 0xf0, 0xf1, 0xf3, 0xf4, 0xf5, 0xff,
        ];
        for &a in &interesting {
            for &b in &interesting {
                for &c in &interesting {
                    for seq in [&[a][..], &[a, b], &[a, b, c], &[b'x', a, b, c, a, b]] {
                        let std = String::from_utf8_lossy(seq);
                        assert_eq!(lossy_len(seq), std.len(), "{seq:x?}");
                        let ours = decode_lossy(seq);
                        assert_eq!(ours, std, "{seq:x?}");
                        assert_eq!(ours.capacity(), ours.len(), "{seq:x?}");
                    }
                }
            }
        }
        // Long mixes: the buffer outgrown by strays, by cut sequences, by both.
        let mixed: Vec<Vec<u8>> = vec![
            [&[0xff; 50][..], "é€😀".repeat(10).as_bytes(), &[0xe2, 0x82]].concat(),
            ["é€😀".repeat(20).as_bytes(), &[0xff; 40][..], b"tail"].concat(),
            [b"x\xe2\x82".repeat(30).as_slice(), &[0xc3]].concat(),
            [b"\xf0\x90\x80\xc0".repeat(25).as_slice(), "€".as_bytes()].concat(),
        ];
        for bytes in cases.iter().copied().chain(mixed.iter().map(Vec::as_slice)) {
            assert_eq!(lossy_len(bytes), String::from_utf8_lossy(bytes).len());
            let ours = decode_lossy(bytes);
            assert_eq!(ours, String::from_utf8_lossy(bytes));
            assert_eq!(ours.capacity(), ours.len(), "{bytes:?}");
        }
    }

    #[test]
    fn repr_rules() {
        let r = |s: &str| PyValue::from(s).py_repr();
        assert_eq!(r("a"), "'a'");
        assert_eq!(r("it's"), "\"it's\"");
        assert_eq!(r("'\""), "'\\'\"'");
        assert_eq!(r("tab\there\u{7f}\u{a0}é🚀"), "'tab\\there\\x7f\\xa0é🚀'");
        assert_eq!(r("\u{200b}\u{e000}"), "'\\u200b\\ue000'");
        assert_eq!(
            PyValue::Bytes(vec![0, b'\'', 200]).py_repr(),
            "b\"\\x00'\\xc8\""
        );
    }
}
