//! The reply shapes of the length sweep, shared by `tests/alloc.rs` (memory
//! bounds at 1 MiB) and the `sweep` benchmark of the `bench/` workspace member
//! (time against size), so that both measure the same inputs.
//!
//! Every shape builds a reply (the text after `-`, without CRLF) of exactly
//! the size asked for, from 16 bytes up.

/// The sizes of the sweep, in bytes.
pub const SIZES: [usize; 5] = [16, 256, 4 << 10, 64 << 10, 1 << 20];

/// One shape: its name, whether its replies are valid UTF-8, whether they are
/// plain ASCII, and how to build one of a given size.
pub struct Shape {
    /// A short identifier (used in benchmark ids and file names).
    pub name: &'static str,
    /// What the reply looks like.
    pub what: &'static str,
    /// The replies are valid UTF-8.
    pub utf8: bool,
    /// The replies are ASCII.
    pub ascii: bool,
    /// Builds a reply of exactly `size` bytes (`size >= 16`).
    pub build: fn(usize) -> Vec<u8>,
}

/// `head`, then `fill` repeated, then `tail`, cut or padded (with `pad`) to
/// exactly `size` bytes; a fill that is not ASCII is only cut at a character
/// boundary.
fn fit(head: &str, fill: &[u8], tail: &str, size: usize, pad: u8) -> Vec<u8> {
    let room = size
        .checked_sub(head.len() + tail.len())
        .expect("the size fits the shape's fixed parts");
    let mut body: Vec<u8> = fill.iter().copied().cycle().take(room).collect();
    if std::str::from_utf8(fill).is_ok() {
        while std::str::from_utf8(&body).is_err() {
            body.pop();
        }
    }
    body.resize(room, pad);
    let mut out = Vec::with_capacity(size);
    out.extend_from_slice(head.as_bytes());
    out.extend_from_slice(&body);
    out.extend_from_slice(tail.as_bytes());
    assert_eq!(out.len(), size);
    out
}

/// The shapes, in the order of the sweep's table.
pub const SHAPES: &[Shape] = &[
    Shape {
        name: "ascii_text",
        what: "`ERR` and plain ASCII words",
        utf8: true,
        ascii: true,
        build: |n| {
            fit(
                "ERR ",
                b"unknown command 'FOO', with args beginning with: ",
                "",
                n,
                b'x',
            )
        },
    },
    Shape {
        name: "many_spaces",
        what: "`ERR` and spaces",
        utf8: true,
        ascii: true,
        build: |n| fit("ERR ", b" ", "", n, b' '),
    },
    Shape {
        name: "one_letter",
        what: "`ERR` and one repeated letter",
        utf8: true,
        ascii: true,
        build: |n| fit("ERR ", b"a", "", n, b'a'),
    },
    Shape {
        name: "bare_code",
        what: "one word, no space (the code is the whole reply)",
        utf8: true,
        ascii: true,
        build: |n| fit("", b"NOSCRIPT", "", n, b'X'),
    },
    Shape {
        name: "one_word",
        what: "one lower-case word, no space (no code and no status word)",
        utf8: true,
        ascii: true,
        build: |n| fit("", b"unknown_word-7.", "", n, b'x'),
    },
    Shape {
        name: "moved_long_host",
        what: "`MOVED 3999 <long host>:6381`",
        utf8: true,
        ascii: true,
        build: |n| fit("MOVED 1 ", b"node-7.cache.example.", ":1", n, b'h'),
    },
    Shape {
        name: "long_digits",
        what: "`MOVED <digits> h:<digits>`, the slot and port each half the reply",
        utf8: true,
        ascii: true,
        build: |n| {
            let digits = n - "MOVED  h:".len();
            let slot = digits / 2;
            let mut out = b"MOVED ".to_vec();
            out.resize(out.len() + slot, b'7');
            out.extend_from_slice(b" h:");
            out.resize(n, b'9');
            out
        },
    },
    Shape {
        name: "non_ascii_text",
        what: "`ERR` and accented, Cyrillic and CJK text",
        utf8: true,
        ascii: false,
        build: |n| {
            fit(
                "ERR ",
                "clé inconnue ключ 鍵が見つかりません ".as_bytes(),
                "",
                n,
                b'x',
            )
        },
    },
    Shape {
        name: "non_ascii_host",
        what: "`MOVED 1 <non-ASCII host>:1`",
        utf8: true,
        ascii: false,
        build: |n| fit("MOVED 1 ", "nœud-ü.例え.".as_bytes(), ":1", n, b'h'),
    },
    Shape {
        name: "control_chars",
        what: "`ERR` and control characters (no CR or LF)",
        utf8: true,
        ascii: true,
        build: |n| fit("ERR ", b"\x01\x02\x1b[0m\t\x7f\x00ok", "", n, b'\x01'),
    },
    Shape {
        name: "invalid_utf8",
        what: "`ERR` and bytes that are never valid UTF-8 (each one replaced)",
        utf8: false,
        ascii: false,
        build: |n| fit("ERR ", b"\xff", "", n, b'\xff'),
    },
];

/// A RESP2 simple error frame: `-<reply>\r\n`.
pub fn resp2_frame(reply: &[u8]) -> Vec<u8> {
    let mut f = Vec::with_capacity(reply.len() + 3);
    f.push(b'-');
    f.extend_from_slice(reply);
    f.extend_from_slice(b"\r\n");
    f
}

/// A RESP3 blob error frame: `!<len>\r\n<reply>\r\n`.
pub fn resp3_frame(reply: &[u8]) -> Vec<u8> {
    let mut f = format!("!{}\r\n", reply.len()).into_bytes();
    f.extend_from_slice(reply);
    f.extend_from_slice(b"\r\n");
    f
}
