//! A tour: the class tree, `isinstance`, downcasting and MRO on real instances.
//!
//!     cargo run --example tour

use redis_exceptions::{
    parse_error, Class, ConnectionError, Error, LockError, MovedError, RedisError, RedisErrorExt,
    RedisPy, ResponseError, ValueError,
};

/// Prints the tree under `class`, a class with several bases under each;
/// classes outside `redis.exceptions` and the builtins show their module,
/// and those a release added or removed show it.
fn print_tree(class: &'static Class, depth: usize) {
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
    println!("{}{}{}", "    ".repeat(depth), class.name(), extra);
    for child in Class::all().filter(|c| c.bases().iter().any(|b| std::ptr::eq(*b, class))) {
        print_tree(child, depth + 1);
    }
}

fn show(e: &Error) {
    let mro: Vec<&str> = e.class().mro().iter().map(|c| c.name()).collect();
    println!(
        "  str={:?} repr={} status_code={:?}",
        e.to_string(),
        e.py_repr(),
        e.status_code()
    );
    println!("  mro: {}", mro.join(" -> "));
}

fn main() {
    println!(
        "The class tree ({} classes, redis-py 5.0 to 8.2):",
        Class::all().len()
    );
    print_tree(Class::by_name("BaseException").expect("the root"), 1);

    println!("\nParsing server replies:");
    for reply in [
        "MOVED 3999 127.0.0.1:6381",
        "NOAUTH Authentication required.",
        "WRONGTYPE Operation against a key holding the wrong kind of value",
        "CLUSTERDOWN The cluster is down",
    ] {
        let e = parse_error(reply);
        println!("{reply:?} -> {}", e.class().name());
        show(&e);
        println!(
            "  isinstance: ConnectionError={} ResponseError={} RedisError={}",
            e.is_a::<ConnectionError>(),
            e.is_a::<ResponseError>(),
            e.is_a::<RedisError>()
        );
        if let Some(moved) = e.downcast_ref::<MovedError>() {
            println!(
                "  downcast to MovedError: slot {:?} at {:?}",
                moved.slot_id(),
                moved.node_addr()
            );
        }
        if reply.starts_with("WRONGTYPE") {
            println!(
                "  reply_code={:?} (redis-py gives no status_code here)",
                e.reply_code()
            );
        }
    }

    println!("\nMultiple inheritance:");
    let lock: Error = LockError::new("Cannot release an unlocked lock").into();
    show(&lock);
    println!(
        "  isinstance(e, ValueError) = {}",
        lock.is_a::<ValueError>()
    );
}
