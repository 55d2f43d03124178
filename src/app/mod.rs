//! Wiring: sources → pipeline → sinks, progress and the end-of-run summary. The only part
//! of the program, with `telemetry`, that reads the wall clock.

pub mod replay;
pub mod report;
pub mod run;
pub mod warn;

use std::time::Duration;

/// Flags of `replay --state` and `run --state` (CONTRACT §4).
#[derive(clap::Args, Debug, Clone)]
pub struct Checkpointing {
    /// How often state is checkpointed, in processing time: `2s`, `60s`, `5m`.
    #[arg(long, default_value = "60s", value_parser = interval)]
    pub checkpoint_interval: Duration,
    /// When a checkpoint cannot be read (corrupt, truncated, another format version): log
    /// it, count it and fall back to the one before — or start that state fresh when none
    /// is left. Without it such a checkpoint stops the start with an error naming it.
    #[arg(long)]
    pub discard_bad_checkpoint: bool,
}

/// A duration flag that may be zero (`0s`: off).
fn span(s: &str) -> Result<crate::rules::Span, String> {
    crate::rules::duration::Span::parse(s)
        .filter(|d| d.secs() >= 0)
        .ok_or_else(|| format!("{s:?} is not a duration such as 0s, 2s or 1m"))
}

fn interval(s: &str) -> Result<Duration, String> {
    match crate::rules::duration::Span::parse(s) {
        Some(d) if d.secs() > 0 => Ok(Duration::from_secs(d.secs() as u64)),
        _ => Err(format!("{s:?} is not a positive duration such as 2s, 60s or 5m")),
    }
}
