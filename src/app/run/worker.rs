//! The consumer loop: poll → (map) → decode → pipeline → outbox, on one thread. Settles the
//! outbox (deliveries confirmed, offsets stored) at least every `SETTLE` and whenever the
//! stream goes idle, commits every `commit_interval`, and on stop drains, commits and closes.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

use rdkafka::consumer::Consumer;
use rdkafka::message::{BorrowedMessage, Message};

use crate::alert::Alert;
use crate::app::warn::Warner;
use crate::event::mapping::Mapped;
use crate::event::time::machine_now;
use crate::event::{decode, Reject, Ts};
use crate::http::Health;
use crate::pipeline::{Arrival, Origin as PipelineOrigin};
use crate::settings::Settings;
use crate::sink::kafka::{DeadReason, Origin};
use crate::source::kafka::KafkaConsumer;
use crate::stats::Stats;
use crate::telemetry::metrics;

use super::outbox::{Outbox, FINAL_COMMIT_PATIENCE};
use super::partitions::Partitions;

/// Longest a processed record waits for its offset to be stored while records keep coming.
const SETTLE: Duration = Duration::from_millis(100);
const TICK: Duration = Duration::from_secs(1);
const POLL: Duration = Duration::from_millis(100);
/// How long closing the consumer may take before we exit without it (librdkafka can hang
/// in close when brokers are unreachable).
const CLOSE_TIMEOUT: Duration = Duration::from_secs(15);

pub struct Worker {
    pub settings: Settings,
    pub outbox: Arc<Outbox>,
    pub parts: Arc<Mutex<Partitions>>,
    pub health: Arc<Health>,
    pub stop: Arc<AtomicBool>,
}

pub struct Report {
    pub stats: Stats,
    pub states: Vec<(i32, String)>,
}

struct Loop<'a> {
    settings: &'a Settings,
    outbox: &'a Outbox,
    parts: &'a Mutex<Partitions>,
    warner: Warner,
    alerts: Vec<Alert>,
    /// The machine's time, read once a tick (events stamped beyond it plus the skew are
    /// future; a second's staleness is nothing against hours of skew).
    now: Ts,
}

impl Worker {
    /// Runs until `stop` is set (Ok) or a sink fails for good (Err, nothing committed).
    pub fn run(self, consumer: KafkaConsumer) -> anyhow::Result<Report> {
        let result = self.poll_loop(&consumer);
        match &result {
            Ok(()) => {
                // Stop fetching was the loop's exit; now drain, checkpoint and commit what
                // was processed.
                if let Err(e) = self.save_and_commit(&consumer, FINAL_COMMIT_PATIENCE) {
                    tracing::error!("{e:#}");
                }
            }
            Err(_) => self.health.set_failed(),
        }
        self.health.set_ready(false);
        let mut parts = self.parts.lock().expect("partitions mutex not poisoned");
        parts.export();
        let report = Report { stats: parts.totals(), states: parts.state_sizes() };
        drop(parts);
        consumer.unsubscribe();
        close(consumer);
        result?;
        if self.outbox.failed() {
            anyhow::bail!("a sink failed while shutting down; offsets since the last commit were not committed");
        }
        Ok(report)
    }

    /// Delivers what is pending and stores its offsets, checkpoints the state (with a
    /// store), then commits: the group offset never runs ahead of saved state.
    fn save_and_commit(&self, consumer: &KafkaConsumer, patience: Duration) -> anyhow::Result<()> {
        self.outbox.settle(consumer).map_err(|e| e.context("delivery failed, not committing"))?;
        let mut parts = self.parts.lock().expect("partitions mutex not poisoned");
        parts.checkpoint(&self.settings.topics).map_err(|e| e.context("checkpoint failed, not committing"))?;
        drop(parts);
        self.outbox.commit(consumer, patience);
        Ok(())
    }

    fn poll_loop(&self, consumer: &KafkaConsumer) -> anyhow::Result<()> {
        let mut l = Loop {
            settings: &self.settings,
            outbox: &self.outbox,
            parts: &self.parts,
            warner: Warner::default(),
            alerts: Vec::new(),
            now: machine_now(),
        };
        let (mut settled, mut committed, mut ticked) = (Instant::now(), Instant::now(), Instant::now());
        while !self.stop.load(Ordering::Relaxed) {
            let polled = consumer.poll(POLL);
            // One clock read per record, for every timer below.
            let now = Instant::now();
            self.health.beat_at(now);
            let mut parts = l.parts.lock().expect("partitions mutex not poisoned");
            if let Some(e) = parts.take_fatal() {
                return Err(e);
            }
            if parts.take_reassigned() {
                self.health.set_ready(false);
            }
            let idle = match polled {
                None => true,
                Some(Ok(m)) => {
                    l.handle(&m, &mut parts)?;
                    false
                }
                Some(Err(e)) => {
                    tracing::warn!("kafka: {e}");
                    true
                }
            };
            let stateful = parts.has_state();
            let due = parts.checkpoint_due(now);
            drop(parts);
            if (idle && l.outbox.has_pending()) || now.saturating_duration_since(settled) >= SETTLE {
                l.outbox.settle(consumer)?;
                settled = Instant::now();
            }
            // With a state store, offsets are committed only with a checkpoint that covers
            // them; without, every commit interval.
            if (stateful && due)
                || (!stateful && now.saturating_duration_since(committed) >= l.settings.kafka.commit_interval)
            {
                if stateful {
                    if let Err(e) = self.save_and_commit(consumer, Duration::ZERO) {
                        tracing::error!("{e:#}");
                    }
                } else {
                    l.outbox.settle(consumer)?;
                    l.outbox.commit(consumer, Duration::ZERO);
                }
                committed = Instant::now();
            }
            if now.saturating_duration_since(ticked) >= TICK {
                l.now = machine_now();
                let mut parts = l.parts.lock().expect("partitions mutex not poisoned");
                parts.export();
                let ctx = consumer.context();
                let ready = parts.check_lag(ctx, &l.settings.topics, l.settings.kafka.ready_lag);
                drop(parts);
                if ready != self.health.is_ready() {
                    tracing::info!(ready, "readiness changed");
                }
                self.health.set_ready(ready);
                ticked = Instant::now();
            }
        }
        Ok(())
    }
}

impl Loop<'_> {
    /// One record: map if the topic has an adapter, decode, process, hand over the alerts.
    fn handle(&mut self, m: &BorrowedMessage<'_>, parts: &mut Partitions) -> anyhow::Result<()> {
        let topics = &self.settings.topics;
        let Some(ti) = topics.iter().position(|t| t.name == m.topic()) else {
            return Ok(());
        };
        let (topic, p, offset) = (&topics[ti], m.partition(), m.offset());
        parts.check_start((ti, p), offset, &topic.name);
        let payload = m.payload().unwrap_or_default();
        self.alerts.clear();
        let mapped;
        let bytes = match &topic.adapter {
            None => Ok(payload),
            Some(a) => match a.apply(payload) {
                Ok(Mapped::Event(b)) => {
                    mapped = b;
                    Ok(&mapped[..])
                }
                Ok(Mapped::Skip(reason)) => {
                    metrics().skipped.with_label_values(&[reason]).inc();
                    parts.processed((ti, p), offset + 1);
                    return self.outbox.accept((ti, p), offset, &[]);
                }
                Err(r) => Err(r),
            },
        };
        let outcome: Result<(), Reject> = bytes.and_then(|b| {
            let ev = decode(b, topic.default_type)?;
            parts.claim_seed(p, &ev.hospital);
            let origin = PipelineOrigin { input: ti as u32, pos: offset.max(0) as u64 };
            let at = Arrival { origin, raw: Some(payload), now: Some(self.now) };
            parts.pipeline(p).process_from(&ev, at, &mut self.alerts);
            Ok(())
        });
        let pipeline = parts.pipeline(p);
        for s in pipeline.take_set_aside() {
            // Held events come back with their own record's place; the key is the hospital.
            let place = format!("{}[{p}]", topics[s.origin.input as usize].name);
            self.warner.future(Path::new(&place), s.origin.pos, &s);
            let from = Origin {
                topic: &topics[s.origin.input as usize].name,
                partition: p,
                offset: s.origin.pos as i64,
                key: Some(s.hospital.as_bytes()),
            };
            let why = DeadReason { reason: "future", field: Some("ts"), detail: s.why.as_str() };
            self.outbox.dead_letter(s.raw.as_deref().unwrap_or_default(), &why, &from)?;
        }
        if let Err(r) = outcome {
            pipeline.stats.reject(r.reason);
            let place = format!("{}[{p}]", topic.name);
            self.warner.reject(Path::new(&place), offset.max(0) as u64, &r);
            let from = Origin { topic: &topic.name, partition: p, offset, key: m.key() };
            self.outbox.dead_letter(payload, &DeadReason::from(&r), &from)?;
        }
        parts.processed((ti, p), offset + 1);
        self.outbox.accept((ti, p), offset, &self.alerts)
    }
}

/// Closes the consumer on its own thread with a timeout: dropping a group consumer leaves
/// the group and can block for long when brokers are gone (rust-rdkafka #453, #509, #611).
fn close(consumer: KafkaConsumer) {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        drop(consumer);
        let _ = tx.send(());
    });
    if rx.recv_timeout(CLOSE_TIMEOUT).is_err() {
        tracing::warn!("closing the Kafka consumer took over {CLOSE_TIMEOUT:?}; exiting without waiting");
    }
}
