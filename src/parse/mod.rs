//! Layer 5, text in, instances out: server error replies and RESP frames
//! (`parse_error`, `classify`, `parse_frame`) and Python's call of a class
//! by name (`Class::call`, `construct`).

pub(crate) mod call;
pub(crate) mod reply;

#[cfg(test)]
mod is_a_grid_tests;
