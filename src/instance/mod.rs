//! Layer 3, one exception instance: its state (class, `args`, the
//! attributes redis-py sets, the cause, the reply it came from) and the
//! `ASK`/`MOVED` payload its redirect attributes are read from.

pub(crate) mod redirect;
pub(crate) mod state;
