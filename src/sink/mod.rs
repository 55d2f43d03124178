//! Sinks take alerts after the pipeline. NDJSON to a file or stdout here; Kafka and
//! webhooks join later behind the same trait.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;

use anyhow::Context;

use crate::alert::Alert;

pub mod kafka;

pub trait Sink {
    /// Accepts a batch of alerts. Ok means the sink has them (durably, for its kind).
    fn send(&mut self, alerts: &[Alert]) -> anyhow::Result<()>;
    /// Flushes what is buffered.
    fn flush(&mut self) -> anyhow::Result<()>;
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

/// One JSON object per line, to a file or to stdout (`-`).
pub struct NdjsonSink {
    out: BufWriter<Box<dyn Write + Send>>,
    name: String,
}

impl NdjsonSink {
    pub fn open(target: &str) -> anyhow::Result<NdjsonSink> {
        let w: Box<dyn Write + Send> = if target == "-" {
            Box::new(io::stdout())
        } else {
            let p = Path::new(target);
            if let Some(dir) = p.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
            }
            Box::new(File::create(p).with_context(|| format!("cannot create alert file {target}"))?)
        };
        Ok(NdjsonSink { out: BufWriter::with_capacity(1 << 16, w), name: target.to_owned() })
    }
}

impl Sink for NdjsonSink {
    fn send(&mut self, alerts: &[Alert]) -> anyhow::Result<()> {
        for a in alerts {
            serde_json::to_writer(&mut self.out, a).with_context(|| format!("writing alerts to {}", self.name))?;
            self.out.write_all(b"\n").with_context(|| format!("writing alerts to {}", self.name))?;
        }
        Ok(())
    }

    fn flush(&mut self) -> anyhow::Result<()> {
        self.out.flush().with_context(|| format!("flushing alerts to {}", self.name))
    }
}
