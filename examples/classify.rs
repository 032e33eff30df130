//! Reads error reply lines on stdin and prints class, MRO and attributes.
//!
//!     printf 'MOVED 3999 127.0.0.1:6381\n-NOSCRIPT No matching script.\r\n' | cargo run --example classify
//!
//! A line may be the reply text (`MOVED ...`) or a whole RESP2 frame (`-MOVED ...`).

use std::io::{BufRead, Write};

use redis_exceptions::{parse_error_bytes, parse_frame, RedisErrorExt};

fn main() -> std::io::Result<()> {
    let stdin = std::io::stdin();
    let mut out = std::io::stdout().lock();
    for line in stdin.lock().split(b'\n') {
        let mut line = line?;
        if line.last() == Some(&b'\r') {
            line.pop();
        }
        let e = if line.first() == Some(&b'-') {
            line.extend_from_slice(b"\r\n");
            match parse_frame(&line) {
                Ok(e) => e,
                Err(why) => {
                    writeln!(
                        out,
                        "{:?}: malformed frame: {why}",
                        String::from_utf8_lossy(&line)
                    )?;
                    continue;
                }
            }
        } else {
            parse_error_bytes(&line)
        };
        let mro: Vec<&str> = e.class().mro().iter().map(|c| c.name()).collect();
        writeln!(
            out,
            "{}",
            String::from_utf8_lossy(&e.reply().unwrap_or_default())
        )?;
        writeln!(out, "  class:       {}", e.class().name())?;
        writeln!(out, "  mro:         {}", mro.join(", "))?;
        writeln!(out, "  str:         {:?}", e.to_string())?;
        writeln!(out, "  repr:        {}", e.py_repr())?;
        writeln!(out, "  status_code: {:?}", e.status_code())?;
        writeln!(out, "  reply_code:  {:?}", e.reply_code())?;
        if let Some(r) = e.redirect() {
            writeln!(
                out,
                "  redirect:    slot {:?} -> {:?} (connect to {:?})",
                r.slot_id(),
                r.node_addr(),
                r.addr()
            )?;
        }
    }
    Ok(())
}
