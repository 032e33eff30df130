//! Byte searches over whole replies, a block at a time: each 64-byte block is
//! tested with branch-free ORs of its bytes (which the compiler turns into
//! wide compares), and only the block holding a hit is searched byte by byte.
//! Safe code, no dependency, and about as fast as `memchr` on long input.

/// The block every search tests at once.
const BLOCK: usize = 64;

/// Half a block: the padded block of a short remainder.
const SHORT: usize = 32;

#[inline(always)]
fn block(chunk: &[u8]) -> &[u8; BLOCK] {
    // `chunks_exact(BLOCK)` only yields blocks of that length.
    chunk.try_into().unwrap_or(&[0; BLOCK])
}

/// Whether some byte of `block` satisfies `hit`: no early exit, so that the
/// loop has no branch and is vectorized (`hit` must not branch either).
#[inline(always)]
fn any<const N: usize>(block: &[u8; N], hit: impl Fn(u8) -> bool) -> bool {
    block.iter().fold(0u8, |acc, &b| acc | u8::from(hit(b))) != 0
}

/// Whether some byte of `rest` (shorter than a block) satisfies `hit`,
/// tested as one padded block (half a block when it fits): `pad` is a byte
/// `hit` rejects.
#[inline(always)]
fn any_short(rest: &[u8], pad: u8, hit: impl Fn(u8) -> bool + Copy) -> bool {
    if rest.len() <= SHORT {
        any(&padded::<SHORT>(rest, pad), hit)
    } else {
        any(&padded::<BLOCK>(rest, pad), hit)
    }
}

/// The offset of the first byte of `hay` that satisfies `hit` (which must
/// not branch: it is also applied to whole blocks at once). The bytes past
/// the last whole block are tested as one padded block too (see
/// [`any_short`]): a short reply costs one block test, not a loop over its
/// bytes.
#[inline(always)]
fn position(hay: &[u8], pad: u8, hit: impl Fn(u8) -> bool + Copy) -> Option<usize> {
    let mut chunks = hay.chunks_exact(BLOCK);
    let mut base = 0;
    for chunk in &mut chunks {
        if any(block(chunk), hit) {
            return chunk.iter().position(|&b| hit(b)).map(|i| base + i);
        }
        base += BLOCK;
    }
    let rest = chunks.remainder();
    if !any_short(rest, pad, hit) {
        return None;
    }
    rest.iter().position(|&b| hit(b)).map(|i| base + i)
}

/// `rest` (shorter than a block) followed by `pad` up to a whole block.
#[inline(always)]
fn padded<const N: usize>(rest: &[u8], pad: u8) -> [u8; N] {
    let mut last = [pad; N];
    last[..rest.len()].copy_from_slice(rest);
    last
}

/// The offset of the first `needle` in `hay`.
#[inline]
pub(crate) fn find(hay: &[u8], needle: u8) -> Option<usize> {
    position(hay, !needle, |b| b == needle)
}

/// The offset of the last `needle` in `hay`.
#[inline]
pub(crate) fn rfind(hay: &[u8], needle: u8) -> Option<usize> {
    let mut chunks = hay.rchunks_exact(BLOCK);
    let mut end = hay.len();
    for chunk in &mut chunks {
        end -= BLOCK;
        if any(block(chunk), |b| b == needle) {
            return chunk.iter().rposition(|&b| b == needle).map(|i| end + i);
        }
    }
    let rest = chunks.remainder();
    if !any_short(rest, !needle, |b| b == needle) {
        return None;
    }
    rest.iter().rposition(|&b| b == needle)
}

/// The offset of the first CR or LF in `hay`.
#[inline]
pub(crate) fn find_line_break(hay: &[u8]) -> Option<usize> {
    position(hay, 0, |b| (b == b'\r') | (b == b'\n'))
}

/// The offset of the first byte of `hay` that is not an ASCII digit.
#[inline]
pub(crate) fn find_non_digit(hay: &[u8]) -> Option<usize> {
    position(hay, b'0', |b| b.wrapping_sub(b'0') > 9)
}

/// The length of the ASCII run `hay` starts with.
#[inline]
pub(crate) fn ascii_prefix(hay: &[u8]) -> usize {
    position(hay, 0, |b| b >= 0x80).unwrap_or(hay.len())
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
        for len in [0, 1, 31, 32, 33, 63, 64, 65, 100, 127, 128, 129, 200] {
            for at in [
                0, 1, 30, 31, 32, 33, 63, 64, 65, 99, 127, 128, 129, 150, 199,
            ] {
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
        hay[100] = b'\r';
        hay[150] = b'\r';
        hay[151] = b'\n';
        assert_eq!(find_crlf(&hay), Some(150));
        assert_eq!(find_crlf(b"\r"), None);
        assert_eq!(find_crlf(b"ab\r\n"), Some(2));
    }
}
