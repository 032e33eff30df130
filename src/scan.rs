//! Byte searches over whole replies, a block at a time: each 32-byte block is
//! tested with branch-free ORs of its bytes (which the compiler turns into
//! wide compares), and only the block holding a hit is searched byte by byte.
//! Safe code, no dependency, and about as fast as `memchr` on long input.

/// The block every search tests at once.
const BLOCK: usize = 32;

/// Whether some byte of `block` equals `x`: no early exit, so that the loop
/// has no branch and is vectorized.
#[inline(always)]
fn has(block: &[u8; BLOCK], x: u8) -> bool {
    block.iter().fold(0u8, |acc, &b| acc | u8::from(b == x)) != 0
}

#[inline(always)]
fn block(chunk: &[u8]) -> &[u8; BLOCK] {
    // `chunks_exact(BLOCK)` only yields blocks of that length.
    chunk.try_into().unwrap_or(&[0; BLOCK])
}

/// The offset of the first byte of `hay` that satisfies `hit`; `test` says
/// whether a whole block holds one (it must agree with `hit`). The bytes
/// past the last whole block are tested as one block too, padded with
/// `pad` (a byte `hit` rejects): a short reply costs one block test, not a
/// loop over its bytes.
#[inline(always)]
fn position(
    hay: &[u8],
    pad: u8,
    test: impl Fn(&[u8; BLOCK]) -> bool,
    hit: impl Fn(u8) -> bool + Copy,
) -> Option<usize> {
    let mut chunks = hay.chunks_exact(BLOCK);
    let mut base = 0;
    for chunk in &mut chunks {
        if test(block(chunk)) {
            return chunk.iter().position(|&b| hit(b)).map(|i| base + i);
        }
        base += BLOCK;
    }
    let rest = chunks.remainder();
    if !test(&padded(rest, pad)) {
        return None;
    }
    rest.iter().position(|&b| hit(b)).map(|i| base + i)
}

/// `rest` (shorter than a block) followed by `pad` up to a whole block.
#[inline(always)]
fn padded(rest: &[u8], pad: u8) -> [u8; BLOCK] {
    let mut last = [pad; BLOCK];
    last[..rest.len()].copy_from_slice(rest);
    last
}

/// Bit `i` set when `block[i] == x`: compiled to one vector compare and a
/// mask move.
#[inline(always)]
fn mask(block: &[u8; BLOCK], x: u8) -> u32 {
    block
        .iter()
        .enumerate()
        .fold(0u32, |m, (i, &b)| m | (u32::from(b == x) << i))
}

/// For a `hay` of at most one block: bit masks of where `a` and where `b`
/// stand (bit `i` for `hay[i]`), from one padded block; `None` when `hay`
/// is longer than a block or `a`/`b` is the pad byte 0.
#[inline]
pub(crate) fn short_masks(hay: &[u8], a: u8, b: u8) -> Option<(u32, u32)> {
    if hay.len() > BLOCK || a == 0 || b == 0 {
        return None;
    }
    let last = padded(hay, 0);
    Some((mask(&last, a), mask(&last, b)))
}

/// The offset of the first `needle` in `hay`.
#[inline]
pub(crate) fn find(hay: &[u8], needle: u8) -> Option<usize> {
    position(hay, !needle, |k| has(k, needle), |b| b == needle)
}

/// The offset of the last `needle` in `hay`.
#[inline]
pub(crate) fn rfind(hay: &[u8], needle: u8) -> Option<usize> {
    let mut chunks = hay.rchunks_exact(BLOCK);
    let mut end = hay.len();
    for chunk in &mut chunks {
        end -= BLOCK;
        if has(block(chunk), needle) {
            return chunk.iter().rposition(|&b| b == needle).map(|i| end + i);
        }
    }
    let rest = chunks.remainder();
    if !has(&padded(rest, !needle), needle) {
        return None;
    }
    rest.iter().rposition(|&b| b == needle)
}

/// The offset of the first CR or LF in `hay`.
#[inline]
pub(crate) fn find_line_break(hay: &[u8]) -> Option<usize> {
    position(
        hay,
        0,
        |k| has(k, b'\r') | has(k, b'\n'),
        |b| b == b'\r' || b == b'\n',
    )
}

/// The offset of the first byte of `hay` that is not an ASCII digit.
#[inline]
pub(crate) fn find_non_digit(hay: &[u8]) -> Option<usize> {
    position(
        hay,
        b'0',
        |k| {
            k.iter()
                .fold(0u8, |acc, &b| acc | u8::from(b.wrapping_sub(b'0') > 9))
                != 0
        },
        |b| !b.is_ascii_digit(),
    )
}

/// The length of the ASCII run `hay` starts with.
#[inline]
pub(crate) fn ascii_prefix(hay: &[u8]) -> usize {
    position(
        hay,
        0,
        |k| k.iter().fold(0u8, |acc, &b| acc | b) >= 0x80,
        |b| !b.is_ascii(),
    )
    .unwrap_or(hay.len())
}

/// The offset of the first `"\r\n"` in `hay`.
pub(crate) fn find_crlf(hay: &[u8]) -> Option<usize> {
    let mut from = 0;
    while let Some(i) = find(&hay[from..], b'\r') {
        let at = from + i;
        if hay.get(at + 1) == Some(&b'\n') {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn searches_agree_with_the_naive_ones() {
        let mut hay = vec![b'a'; 200];
        for len in [0, 1, 31, 32, 33, 64, 100, 200] {
            for at in [0, 1, 30, 31, 32, 33, 63, 64, 65, 99, 150, 199] {
                let mut h = hay[..len].to_vec();
                if at < len {
                    h[at] = b' ';
                    if at + 7 < len {
                        h[at + 7] = b' ';
                    }
                }
                assert_eq!(find(&h, b' '), h.iter().position(|&b| b == b' '));
                assert_eq!(rfind(&h, b' '), h.iter().rposition(|&b| b == b' '));
                let lf: Vec<u8> = h
                    .iter()
                    .map(|&b| if b == b' ' { b'\n' } else { b })
                    .collect();
                assert_eq!(find_line_break(&lf), h.iter().position(|&b| b == b' '));
                let digits: Vec<u8> = h
                    .iter()
                    .map(|&b| if b == b'a' { b'7' } else { b })
                    .collect();
                assert_eq!(find_non_digit(&digits), h.iter().position(|&b| b == b' '));
                let high: Vec<u8> = h
                    .iter()
                    .map(|&b| if b == b' ' { 0xc3 } else { b })
                    .collect();
                assert_eq!(
                    ascii_prefix(&high),
                    h.iter().position(|&b| b == b' ').unwrap_or(len)
                );
            }
        }
        for len in 0..=40 {
            for at in 0..len {
                let mut h = vec![b'a'; len];
                h[at] = b' ';
                h[len - 1 - at / 2] = b':';
                let want = |x: u8| {
                    h.iter()
                        .enumerate()
                        .filter(|&(_, &b)| b == x)
                        .fold(0u32, |m, (i, _)| m | 1 << i)
                };
                let got = short_masks(&h, b' ', b':');
                assert_eq!(got, (len <= BLOCK).then(|| (want(b' '), want(b':'))));
            }
        }
        assert_eq!(short_masks(b"a", 0, b'a'), None);
        hay[100] = b'\r';
        hay[150] = b'\r';
        hay[151] = b'\n';
        assert_eq!(find_crlf(&hay), Some(150));
        assert_eq!(find_crlf(b"\r"), None);
        assert_eq!(find_crlf(b"ab\r\n"), Some(2));
    }
}
