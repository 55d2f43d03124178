//! The at-least-once ledger: alerts and dead letters go to the sinks here, and the offset of
//! each processed record waits here until the sinks have accepted everything sent before it
//! ([`Outbox::settle`]); only then is it stored, and only stored offsets are committed.
//!
//! Before partitions are revoked ([`super::member`]) it settles and commits synchronously,
//! so the next owner starts exactly after the last record this member processed.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use anyhow::bail;
use rdkafka::consumer::{CommitMode, Consumer};
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::{Offset, TopicPartitionList};

use crate::alert::Alert;
use crate::sink::kafka::{DeadLetter, DeadReason, KafkaSink, Origin};
use crate::sink::{NdjsonSink, Sink};
use crate::source::kafka::{record_commit, KafkaConsumer};
use crate::telemetry::metrics;

/// A partition of one of the configured topics (by index into the topic list).
pub type Part = (usize, i32);

pub struct Sinks {
    /// Alerts to people: queued durably per receiver, delivered by the notifier's threads.
    pub notifier: Option<std::sync::Arc<crate::notify::Notifier>>,
    pub ndjson: Option<NdjsonSink>,
    pub kafka: Option<KafkaSink>,
    pub dead_letter: Option<DeadLetter>,
}

struct Inner {
    sinks: Sinks,
    /// Next offset to store, per partition, for records whose output is not yet confirmed.
    pending: HashMap<Part, i64>,
    ndjson_written: Option<Instant>,
    kafka_sent: bool,
    notified: bool,
    /// Sticky: once a sink failed, nothing is stored or committed any more.
    failed: Option<String>,
}

pub struct Outbox {
    topics: Vec<String>,
    inner: Mutex<Inner>,
}

impl Outbox {
    pub fn new(topics: Vec<String>, sinks: Sinks) -> Outbox {
        let inner = Inner {
            sinks,
            pending: HashMap::new(),
            ndjson_written: None,
            kafka_sent: false,
            notified: false,
            failed: None,
        };
        Outbox { topics, inner: Mutex::new(inner) }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().expect("outbox mutex not poisoned")
    }

    /// Hands the alerts of the record at `offset` to the sinks and remembers its offset.
    pub fn accept(&self, part: Part, offset: i64, alerts: &[Alert]) -> anyhow::Result<()> {
        let mut g = self.lock();
        if !alerts.is_empty() {
            for a in alerts {
                metrics().alerts.with_label_values(&[a.kind, a.severity]).inc();
            }
            let g = &mut *g;
            if let Some(s) = &mut g.sinks.ndjson {
                s.send(alerts)?;
                g.ndjson_written.get_or_insert_with(Instant::now);
            }
            if let Some(s) = &mut g.sinks.kafka {
                s.send(alerts)?;
                g.kafka_sent = true;
            }
            if let Some(n) = &g.sinks.notifier {
                n.offer(alerts)?;
                g.notified = true;
            }
        }
        g.pending.insert(part, offset + 1);
        Ok(())
    }

    /// Sends a rejected record to the dead-letter topic, if one is configured.
    pub fn dead_letter(&self, payload: &[u8], why: &DeadReason<'_>, from: &Origin<'_>) -> anyhow::Result<()> {
        let mut g = self.lock();
        if let Some(d) = &g.sinks.dead_letter {
            d.send(payload, why, from)?;
            g.kafka_sent = true;
        }
        Ok(())
    }

    pub fn has_pending(&self) -> bool {
        !self.lock().pending.is_empty()
    }

    /// Waits until the sinks accepted everything handed to them, then stores the offsets
    /// that were waiting for it. A sink failure is final.
    pub fn settle(&self, consumer: &KafkaConsumer) -> anyhow::Result<()> {
        let mut g = self.lock();
        if let Some(e) = &g.failed {
            bail!("{e}");
        }
        if let Err(e) = deliver(&mut g) {
            g.failed = Some(format!("{e:#}"));
            return Err(e);
        }
        if g.pending.is_empty() {
            return Ok(());
        }
        let mut tpl = TopicPartitionList::with_capacity(g.pending.len());
        for (&(t, p), &next) in &g.pending {
            // The list form stores the offset as given: the next one to read.
            tpl.add_partition_offset(&self.topics[t], p, Offset::Offset(next)).expect("a valid offset");
        }
        g.pending.clear();
        if let Err(e) = consumer.store_offsets(&tpl) {
            // Partitions revoked meanwhile: their next owner re-reads (at-least-once).
            tracing::debug!("storing offsets: {e}");
        }
        Ok(())
    }

    /// Commits stored offsets synchronously, retrying retriable errors for up to
    /// `patience` (revoke and shutdown wait; a periodic commit just tries again next time).
    pub fn commit(&self, consumer: &KafkaConsumer, patience: Duration) {
        if self.lock().failed.is_some() {
            return;
        }
        let t = Instant::now();
        let mut r = consumer.commit_consumer_state(CommitMode::Sync);
        while r.as_ref().is_err_and(retriable) && t.elapsed() < patience {
            std::thread::sleep(Duration::from_millis(200));
            r = consumer.commit_consumer_state(CommitMode::Sync);
        }
        metrics().commit_seconds.observe(t.elapsed().as_secs_f64());
        record_commit(&r);
    }

    /// The assignment was lost: someone else may own these partitions already and will
    /// re-read from the last commit. What was waiting is dropped, nothing is committed.
    pub fn drop_pending(&self) {
        self.lock().pending.clear();
    }

    pub fn failed(&self) -> bool {
        self.lock().failed.is_some()
    }
}

/// How long the commits that matter most — before a revoke, at shutdown — keep retrying
/// while the group coordinator moves or answers with a retriable error.
pub const FINAL_COMMIT_PATIENCE: Duration = Duration::from_secs(10);

fn retriable(e: &KafkaError) -> bool {
    use RDKafkaErrorCode::*;
    matches!(
        e,
        KafkaError::ConsumerCommit(
            WaitingForCoordinator
                | CoordinatorNotAvailable
                | NotCoordinator
                | CoordinatorLoadInProgress
                | RequestTimedOut
                | OperationTimedOut
                | BrokerTransportFailure
                | AllBrokersDown
        )
    )
}

fn deliver(g: &mut Inner) -> anyhow::Result<()> {
    if std::mem::take(&mut g.notified) {
        if let Some(n) = &g.sinks.notifier {
            n.sync()?;
        }
    }
    if let (Some(s), Some(since)) = (&mut g.sinks.ndjson, g.ndjson_written.take()) {
        s.flush()?;
        metrics().delivery_seconds.with_label_values(&["ndjson"]).observe(since.elapsed().as_secs_f64());
    }
    if std::mem::take(&mut g.kafka_sent) {
        // One producer serves both topics: one confirmation covers alerts and dead letters.
        match (&mut g.sinks.kafka, &g.sinks.dead_letter) {
            (Some(k), _) => k.flush()?,
            (None, Some(d)) => d.confirm()?,
            (None, None) => {}
        }
    }
    Ok(())
}
