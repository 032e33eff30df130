//! Byte searches over whole replies, a block at a time: each 32-byte block is
//! tested with one branch-free OR of its bytes (which the compiler turns into
//! wide compares), and only the block holding a hit is searched byte by byte.
//! Safe code, no dependency, and about as fast as `memchr` on long input.

/// The block every search tests at once.
const BLOCK: usize = 32;

/// Whether any byte of `block` satisfies `hit`: no early exit, so that the
/// loop has no branch and is vectorized.
#[inline(always)]
fn any(block: &[u8; BLOCK], hit: impl Fn(u8) -> bool) -> bool {
    block.iter().fold(0u8, |acc, &b| acc | u8::from(hit(b))) != 0
}

#[inline(always)]
fn block(chunk: &[u8]) -> &[u8; BLOCK] {
    // `chunks_exact(BLOCK)` only yields blocks of that length.
    chunk.try_into().unwrap_or(&[0; BLOCK])
}

/// The offset of the first byte of `hay` that satisfies `hit`.
#[inline(always)]
pub(crate) fn position(hay: &[u8], hit: impl Fn(u8) -> bool + Copy) -> Option<usize> {
    let mut chunks = hay.chunks_exact(BLOCK);
    let mut base = 0;
    for chunk in &mut chunks {
        if any(block(chunk), hit) {
            return chunk.iter().position(|&b| hit(b)).map(|i| base + i);
        }
        base += BLOCK;
    }
    chunks
        .remainder()
        .iter()
        .position(|&b| hit(b))
        .map(|i| base + i)
}

/// The offset of the last byte of `hay` that satisfies `hit`.
#[inline(always)]
pub(crate) fn rposition(hay: &[u8], hit: impl Fn(u8) -> bool + Copy) -> Option<usize> {
    let mut chunks = hay.rchunks_exact(BLOCK);
    let mut end = hay.len();
    for chunk in &mut chunks {
        end -= BLOCK;
        if any(block(chunk), hit) {
            return chunk.iter().rposition(|&b| hit(b)).map(|i| end + i);
        }
    }
    chunks.remainder().iter().rposition(|&b| hit(b))
}

/// The offset of the first `needle` in `hay`.
#[inline]
pub(crate) fn find(hay: &[u8], needle: u8) -> Option<usize> {
    position(hay, |b| b == needle)
}

/// The offset of the last `needle` in `hay`.
#[inline]
pub(crate) fn rfind(hay: &[u8], needle: u8) -> Option<usize> {
    rposition(hay, |b| b == needle)
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
