//! Python's method resolution order: C3 linearization, and the depth-first
//! order used when the bases admit none.

use std::fmt;

use super::Class;

/// Python's `TypeError` for bases that admit no C3 linearization.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MroError {
    bases: Vec<&'static str>,
}

impl fmt::Display for MroError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Cannot create a consistent method resolution order (MRO) for bases {}",
            self.bases.join(", ")
        )
    }
}

impl std::error::Error for MroError {}

/// Whether `a` and `b` are the same class: the one comparison the
/// algorithms below make (counted by the unit tests).
#[inline(always)]
pub(super) fn same(a: &Class, b: &Class) -> bool {
    work::add(1);
    std::ptr::eq(a, b)
}

/// `class` then its ancestors, depth first and left to right, each once.
pub(super) fn depth_first(class: &'static Class) -> Vec<&'static Class> {
    let mut order: Vec<&'static Class> = Vec::new();
    let mut stack = vec![class];
    while let Some(c) = stack.pop() {
        work::add(1);
        if !order.iter().any(|o| same(o, c)) {
            order.push(c);
            work::add(c.bases().len());
            stack.extend(c.bases().iter().rev());
        }
    }
    order
}

/// C3 linearization, as `type.__mro__` computes it.
pub(super) fn c3(class: &'static Class) -> Result<Vec<&'static Class>, MroError> {
    let bases = class.bases();
    let mut seqs: Vec<Vec<&'static Class>> = Vec::with_capacity(bases.len() + 1);
    for base in bases {
        let mro = base.try_mro()?;
        work::add(mro.len());
        seqs.push(mro.to_vec());
    }
    work::add(bases.len());
    seqs.push(bases.to_vec());
    let mut out = vec![class];
    loop {
        work::add(seqs.len());
        seqs.retain(|s| !s.is_empty());
        if seqs.is_empty() {
            return Ok(out);
        }
        // The first head that is in no list's tail.
        let head = seqs.iter().map(|s| s[0]).find(|cand| {
            work::add(1);
            !seqs.iter().any(|s| s[1..].iter().any(|c| same(c, cand)))
        });
        let Some(head) = head else {
            let mut names: Vec<&'static str> = Vec::new();
            for s in &seqs {
                if !names.contains(&s[0].name()) {
                    names.push(s[0].name());
                }
            }
            return Err(MroError { bases: names });
        };
        out.push(head);
        work::add(seqs.len());
        for s in &mut seqs {
            if std::ptr::eq(s[0], head) {
                s.remove(0);
            }
        }
    }
}

/// The classes examined by this thread, counted in debug builds only: the
/// tests bound the work of a query by it (`__private::mro_work`). In
/// release builds `add` is empty.
pub(crate) mod work {
    #[cfg(debug_assertions)]
    thread_local! {
        static WORK: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
    }

    /// Counts `n` classes examined.
    #[inline(always)]
    pub(crate) fn add(n: usize) {
        #[cfg(debug_assertions)]
        WORK.with(|w| w.set(w.get().saturating_add(n as u64)));
        #[cfg(not(debug_assertions))]
        let _ = n;
    }

    /// The count so far on this thread.
    #[cfg(debug_assertions)]
    pub fn count() -> u64 {
        WORK.with(std::cell::Cell::get)
    }
}
