//! Sinks take alerts after the pipeline: NDJSON to a file or stdout ([`NdjsonSink`]; how a
//! file is written — aside and renamed for `replay`, appended for `run` — is in its module),
//! a Kafka topic ([`kafka`]); webhooks join later behind the same trait.

use crate::alert::Alert;

pub mod kafka;
mod ndjson;

pub use ndjson::NdjsonSink;

pub trait Sink {
    /// Accepts a batch of alerts. Ok means the sink has them (durably, for its kind).
    fn send(&mut self, alerts: &[Alert]) -> anyhow::Result<()>;
    /// Flushes what is buffered.
    fn flush(&mut self) -> anyhow::Result<()>;
    /// Makes what was sent durable before a checkpoint; the file and its length when the
    /// sink writes one a resumed replay goes on with (see `NdjsonSink::resumable`).
    fn durable(&mut self) -> anyhow::Result<Option<(String, u64)>> {
        self.flush()?;
        Ok(None)
    }
}

/// Discards alerts (for commands that only want the state, such as `report`).
pub struct NullSink;

impl Sink for NullSink {
    fn send(&mut self, _: &[Alert]) -> anyhow::Result<()> {
        Ok(())
    }

    fn flush(&mut self) -> anyhow::Result<()> {
        Ok(())
    }
}
