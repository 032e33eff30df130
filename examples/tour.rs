//! A tour: the class tree, `isinstance`, downcasting and MRO on real instances.
//!
//!     cargo run --example tour
//!
//! `tests/tour.rs` checks every line it prints against the reference redis-py's
//! fixtures (`tests/fixtures/`).

use std::io::{self, Write};

use redis_exceptions::{
    parse_error, Class, ConnectionError, Error, LockError, MovedError, RedisError, RedisErrorExt,
    RedisPy, ResponseError, ValueError,
};

/// Prints the tree under `class`, a class with several bases under each;
/// classes outside `redis.exceptions` and the builtins show their module,
/// and those a release added or removed show it.
fn print_tree(out: &mut impl Write, class: &'static Class, depth: usize) -> io::Result<()> {
    let bases: Vec<&str> = class.bases().iter().map(|b| b.name()).collect();
    let mut extra = if bases.len() > 1 {
        format!("  ({})", bases.join(", "))
    } else {
        String::new()
    };
    if !matches!(class.module(), "builtins" | "redis.exceptions") {
        extra.push_str(&format!("  [{}]", class.module()));
    }
    match (class.since(), class.until()) {
        (_, Some(until)) => extra.push_str(&format!("  (until {until})")),
        (Some(since), None) if since != RedisPy::OLDEST => {
            extra.push_str(&format!("  (since {since})"))
        }
        _ => {}
    }
    writeln!(out, "{}{}{}", "    ".repeat(depth), class.name(), extra)?;
    for child in Class::all().filter(|c| c.bases().iter().any(|b| std::ptr::eq(*b, class))) {
        print_tree(out, child, depth + 1)?;
    }
    Ok(())
}

fn show(out: &mut impl Write, e: &Error) -> io::Result<()> {
    let mro: Vec<&str> = e.class().mro().iter().map(|c| c.name()).collect();
    writeln!(
        out,
        "  str={:?} repr={} status_code={:?}",
        e.to_string(),
        e.py_repr(),
        e.status_code()
    )?;
    writeln!(out, "  mro: {}", mro.join(" -> "))
}

fn main() -> io::Result<()> {
    tour(&mut io::stdout().lock())
}

/// Writes the tour to `out`.
pub fn tour(out: &mut impl Write) -> io::Result<()> {
    writeln!(
        out,
        "The class tree ({} classes, redis-py 5.0 to 8.2):",
        Class::all().len()
    )?;
    print_tree(out, Class::by_name("BaseException").expect("the root"), 1)?;

    writeln!(out, "\nParsing server replies:")?;
    for reply in [
        "MOVED 3999 127.0.0.1:6381",
        "NOAUTH Authentication required.",
        "WRONGTYPE Operation against a key holding the wrong kind of value",
        "CLUSTERDOWN The cluster is down",
    ] {
        let e = parse_error(reply);
        writeln!(out, "{reply:?} -> {}", e.class().name())?;
        show(out, &e)?;
        writeln!(
            out,
            "  isinstance: ConnectionError={} ResponseError={} RedisError={}",
            e.is_a::<ConnectionError>(),
            e.is_a::<ResponseError>(),
            e.is_a::<RedisError>()
        )?;
        if let Some(moved) = e.downcast_ref::<MovedError>() {
            writeln!(
                out,
                "  downcast to MovedError: slot {:?} at {:?}",
                moved.slot_id(),
                moved.node_addr()
            )?;
        }
        if e.is::<ResponseError>() {
            // No rule names `WRONGTYPE`: a plain `ResponseError` whose
            // `args[0]` is the whole reply; redis-py 8.2 keeps an upper-case
            // first word as `status_code` all the same.
            writeln!(
                out,
                "  no rule for reply_code={:?}: args[0] is the whole reply",
                e.reply_code()
            )?;
        }
    }

    writeln!(out, "\nMultiple inheritance:")?;
    let lock: Error = LockError::new("Unable to acquire lock within the time specified").into();
    show(out, &lock)?;
    writeln!(
        out,
        "  isinstance(e, ValueError) = {}",
        lock.is_a::<ValueError>()
    )
}
