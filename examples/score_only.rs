//! The scoring loop alone (docs/performance.md): every event of an NDJSON file is decoded
//! first (not timed) and kept in memory; then one core runs them through the pipeline —
//! dedup, clock, state, all detectors, alerts — and the time of that loop is printed.
//!
//!   cargo build --release --example score_only
//!   target/release/examples/score_only FILE CATALOG_DIR [RULES_DIR [--two-cores]]

use std::sync::atomic::AtomicU64;
use std::sync::Arc;
use std::time::Instant;

use rxsentinel::event::{decode, Event};
use rxsentinel::pipeline::plan::Plan;
use rxsentinel::pipeline::Pipeline;
use rxsentinel::rules::RuleSet;
use rxsentinel::source::file::{Line, LineReader, ReadOptions};

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args_os().skip(1);
    let usage = || anyhow::anyhow!("usage: score_only FILE CATALOG_DIR [RULES_DIR [--two-cores]]");
    let path = args.next().ok_or_else(usage)?;
    let catalog = args.next().ok_or_else(usage)?;
    let rules_dir = args.next().unwrap_or_else(|| concat!(env!("CARGO_MANIFEST_DIR"), "/rules").into());
    // `--two-cores`: busy days close on two threads, as `replay` does on a multi-core machine.
    let two = args.next().is_some_and(|a| a == "--two-cores");
    let rules = RuleSet::load(rules_dir.as_ref(), Some(catalog.as_ref()))?;

    let mut reader = LineReader::open(path.as_ref(), &ReadOptions::default(), Arc::new(AtomicU64::new(0)))?;
    let mut buf = Vec::with_capacity(4096);
    let mut events: Vec<Event<'static>> = Vec::new();
    while let Some(line) = reader.next_line(&mut buf)? {
        if let Line::Record(_) = line {
            if let Ok(ev) = decode(&buf, None) {
                events.push(ev.to_owned_event());
            }
        }
    }

    // Marks where the timed loop starts, for a profiler attached from here (`perf record -p`).
    eprintln!("decoded {} events; scoring", events.len());
    let mut p = Pipeline::with_plan(std::sync::Arc::new(Plan::new(rules).closing_in_parallel(two)));
    let mut out = Vec::new();
    let mut alerts = 0usize;
    let started = Instant::now();
    for ev in &events {
        p.process(ev, &mut out);
        alerts += out.len();
        out.clear();
    }
    p.finish(&mut out);
    alerts += out.len();
    let secs = started.elapsed().as_secs_f64();
    println!(
        "score only: {} events in {secs:.2} s, {:.0} events/s, {alerts} alerts",
        events.len(),
        events.len() as f64 / secs
    );
    // Leave the decoded events to the OS: freeing 4.6 M events' strings takes a tenth of a
    // profile attached to this process, and is no part of the scoring loop.
    std::mem::forget(events);
    Ok(())
}
