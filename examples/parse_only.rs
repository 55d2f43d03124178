//! The yardstick of `replay`'s speed (docs/performance.md): one core reading an NDJSON file
//! line by line and decoding each line into the event structs with serde_json (not the
//! hand-written fast pass `replay` takes) — nothing else.
//!
//!   cargo build --release --example parse_only
//!   target/release/examples/parse_only FILE            # the yardstick: serde_json
//!   target/release/examples/parse_only FILE --fast     # the decoder `replay` uses

use std::sync::atomic::AtomicU64;
use std::sync::Arc;
use std::time::Instant;

use rxsentinel::event::decode::{decode, decode_serde};
use rxsentinel::source::file::{Line, LineReader, ReadOptions};

fn main() -> anyhow::Result<()> {
    let path = std::env::args_os().nth(1).ok_or_else(|| anyhow::anyhow!("usage: parse_only FILE [--fast]"))?;
    let fast = std::env::args().nth(2).is_some_and(|a| a == "--fast");
    let decoder = if fast { decode } else { decode_serde };
    let started = Instant::now();
    let mut reader = LineReader::open(path.as_ref(), &ReadOptions::default(), Arc::new(AtomicU64::new(0)))?;
    let mut buf = Vec::with_capacity(4096);
    let (mut ok, mut bad, mut ts_sum) = (0u64, 0u64, 0i64);
    while let Some(line) = reader.next_line(&mut buf)? {
        match line {
            Line::Record(_) => match decoder(&buf, None) {
                // Reading a field keeps the decode from being optimised away.
                Ok(ev) => {
                    ok += 1;
                    ts_sum = ts_sum.wrapping_add(ev.ts.0);
                }
                Err(_) => bad += 1,
            },
            Line::Rejected(..) => bad += 1,
        }
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "parse only ({}): {} records ({ok} events, {bad} rejected) in {secs:.2} s, {:.0} events/s (checksum {ts_sum})",
        if fast { "replay's decoder" } else { "serde_json" },
        ok + bad,
        (ok + bad) as f64 / secs
    );
    Ok(())
}
