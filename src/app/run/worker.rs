//! The consumer loop: poll a batch → (map, decode: on the decoding thread, `inflight`) →
//! pipeline → outbox; the consumer thread scores one batch while the next is decoded. Settles the
//! outbox (deliveries confirmed, offsets stored) at least every `SETTLE` and whenever the
//! stream goes idle, commits every `commit_interval`, and on stop drains, commits and closes.

use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

use rdkafka::consumer::Consumer;
use rdkafka::message::Message;

use crate::alert::Alert;
use crate::app::warn::Warner;
use crate::event::time::machine_now;
use crate::event::{Reject, Ts};
use crate::http::Health;
use crate::pipeline::{Arrival, Origin as PipelineOrigin};
use crate::settings::Settings;
use crate::sink::kafka::{DeadReason, Origin};
use crate::source::kafka::KafkaConsumer;
use crate::stats::Stats;
use crate::telemetry::metrics;

use super::inflight::{Body, Decoded, Decoder, Polled, Rec, DEPTH};
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
    /// Revocations so far (`member`): polled records are tagged with it.
    pub epoch: Arc<AtomicU64>,
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
        let mut decoder = Decoder::spawn(self.settings.topics.clone())?;
        let mut spare: Vec<Polled> = Vec::new();
        let (mut settled, mut committed, mut ticked) = (Instant::now(), Instant::now(), Instant::now());
        while !self.stop.load(Ordering::Relaxed) {
            // Wait for records only when none is waiting to be scored.
            let mut polled = spare.pop().unwrap_or_default();
            let wait = if decoder.in_flight() == 0 { POLL } else { Duration::ZERO };
            let dry = self.poll_batch(consumer, wait, &mut polled);
            // Idle: a wait for records found none (or the poll failed). Not merely a batch
            // that emptied librdkafka's queue, which at a moderate rate is every batch: a
            // settle there waits for the alert sinks' confirmations batch after batch.
            let idle = dry && polled.is_empty() && !wait.is_zero();
            // One clock read per batch, for every timer below.
            let now = Instant::now();
            self.health.beat_at(now);
            // Decoded on the other thread while this one sees to the timers.
            if polled.is_empty() {
                spare.push(polled);
            } else {
                decoder.send(polled)?;
            }
            let mut parts = l.parts.lock().expect("partitions mutex not poisoned");
            if let Some(e) = parts.take_fatal() {
                return Err(e);
            }
            if parts.take_reassigned() {
                self.health.set_ready(false);
            }
            // The timers come before scoring: a settle right after a batch's alerts were sent
            // would wait out the sinks' round trip on this thread, and the records behind it.
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
            // Score the batch before while this one is decoded; all of them when librdkafka
            // had no more, so a record never waits for the next to be scored.
            while decoder.in_flight() >= DEPTH || (dry && decoder.in_flight() > 0) {
                spare.push(l.score(decoder.recv()?)?);
            }
            if decoder.in_flight() == 0 {
                l.parts.lock().expect("partitions mutex not poisoned").forget_revoked();
            }
        }
        // Stopping: what was polled is scored, so that the final commit covers it.
        while decoder.in_flight() > 0 {
            l.score(decoder.recv()?)?;
        }
        Ok(())
    }

    /// Polls records into `polled` until the batch is full or none is ready (the first poll
    /// waits up to `wait`); true when none was ready (or the poll failed) before the batch
    /// filled.
    fn poll_batch(&self, consumer: &KafkaConsumer, wait: Duration, polled: &mut Polled) -> bool {
        let topics = &self.settings.topics;
        let mut timeout = wait;
        loop {
            match consumer.poll(timeout) {
                None => return true,
                Some(Err(e)) => {
                    tracing::warn!("kafka: {e}");
                    return true;
                }
                Some(Ok(m)) => {
                    // Read after the poll: a revocation inside it came before this record.
                    let epoch = self.epoch.load(Ordering::Relaxed);
                    if let Some(ti) = topics.iter().position(|t| t.name == m.topic()) {
                        polled.push(ti, &m, epoch);
                    }
                    if polled.full() {
                        return false;
                    }
                }
            }
            timeout = Duration::ZERO;
        }
    }
}

impl Loop<'_> {
    /// Scores a decoded batch in order; gives its buffers back.
    fn score(&mut self, batch: Decoded) -> anyhow::Result<Polled> {
        let mut parts = self.parts.lock().expect("partitions mutex not poisoned");
        for rec in batch.records() {
            if parts.revoked_since(rec.epoch, (rec.topic, rec.partition)) {
                continue;
            }
            self.handle(rec, &mut parts)?;
        }
        drop(parts);
        Ok(batch.into_polled())
    }

    /// One record: process its event, hand over the alerts (or dead-letter why not).
    fn handle(&mut self, rec: &Rec<'_>, parts: &mut Partitions) -> anyhow::Result<()> {
        let topics = &self.settings.topics;
        let (ti, p, offset) = (rec.topic, rec.partition, rec.offset);
        let topic = &topics[ti];
        parts.check_start((ti, p), offset, &topic.name);
        let payload = rec.payload;
        self.alerts.clear();
        let outcome: Result<(), &Reject> = match &rec.body {
            Body::Skip(reason) => {
                metrics().skipped.with_label_values(&[reason]).inc();
                parts.processed((ti, p), offset + 1);
                return self.outbox.accept((ti, p), offset, &[]);
            }
            Body::Rejected(r) => Err(r),
            Body::Event(ev) => {
                parts.claim_seed(p, &ev.hospital);
                let origin = PipelineOrigin { input: ti as u32, pos: offset.max(0) as u64 };
                let at = Arrival { origin, raw: Some(payload), now: Some(self.now) };
                parts.pipeline(p).process_from(ev, at, &mut self.alerts);
                Ok(())
            }
        };
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
            self.warner.reject(Path::new(&place), offset.max(0) as u64, r);
            let from = Origin { topic: &topic.name, partition: p, offset, key: rec.key };
            self.outbox.dead_letter(payload, &DeadReason::from(r), &from)?;
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
