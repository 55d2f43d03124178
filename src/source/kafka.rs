//! The Kafka source: a group member built on `BaseConsumer`, polled from one plain thread
//! (the pipeline is synchronous, so an async hand-off per record would only cost; rebalance
//! callbacks then run on that same thread, between batches, which is what makes "commit
//! everything processed before the partitions move" simple; records polled but not yet
//! scored when their partition moves are dropped, `app::run::inflight`).
//!
//! At-least-once: `enable.auto.offset.store=false`, the run loop stores a record's offset
//! only after its alerts were accepted by the sinks; rxsentinel commits stored offsets
//! itself, synchronously (periodically, on revoke, on shutdown): librdkafka reports the
//! outcome of a manual asynchronous commit to no one, and a synchronous one can be timed.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use anyhow::Context;
use rdkafka::client::ClientContext;
use rdkafka::config::{ClientConfig, RDKafkaLogLevel};
use rdkafka::consumer::{BaseConsumer, Consumer, ConsumerContext, RebalanceProtocol};
use rdkafka::error::{KafkaError, KafkaResult, RDKafkaErrorCode};
use rdkafka::statistics::Statistics;
use rdkafka::types::RDKafkaRespErr;
use rdkafka::TopicPartitionList;

use crate::settings::Settings;
use crate::telemetry::metrics;

pub type KafkaConsumer = BaseConsumer<KafkaContext>;

/// What the run loop does at rebalances. Called on the polling thread, inside `poll`.
pub trait Hooks: Send + Sync + 'static {
    /// Before partitions are taken away: deliver what is pending, store and commit
    /// (unless `lost`: then another member may own them already and a commit would fail).
    /// `revoked`: the partitions taken away (all of them under the eager protocol).
    fn revoke(&self, consumer: &KafkaConsumer, revoked: &TopicPartitionList, lost: bool);
    /// Before a new assignment takes effect: restores state and may set the offset each
    /// partition starts from (a checkpoint's position); the assignment is made with them.
    fn assign(&self, consumer: &KafkaConsumer, assignment: &mut TopicPartitionList);
    /// The assignment was dropped after a rebalance error (no revocation was served).
    fn unassigned(&self);
}

/// Low and high watermark of a partition, from librdkafka's statistics.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct Watermarks {
    pub lo: i64,
    pub hi: i64,
    pub committed: i64,
}

pub struct KafkaContext {
    hooks: Arc<dyn Hooks>,
    watermarks: Mutex<HashMap<(String, i32), Watermarks>>,
}

impl KafkaContext {
    pub fn new(hooks: Arc<dyn Hooks>) -> KafkaContext {
        KafkaContext { hooks, watermarks: Mutex::new(HashMap::new()) }
    }

    /// The latest statistics for a partition, if librdkafka has reported any.
    pub fn watermarks(&self, topic: &str, partition: i32) -> Option<Watermarks> {
        self.watermarks.lock().expect("not poisoned").get(&(topic.to_owned(), partition)).copied()
    }
}

impl ClientContext for KafkaContext {
    fn log(&self, level: RDKafkaLogLevel, fac: &str, msg: &str) {
        match level {
            RDKafkaLogLevel::Emerg | RDKafkaLogLevel::Alert | RDKafkaLogLevel::Critical | RDKafkaLogLevel::Error => {
                tracing::error!(target: "librdkafka", "{fac}: {msg}")
            }
            RDKafkaLogLevel::Warning => tracing::warn!(target: "librdkafka", "{fac}: {msg}"),
            RDKafkaLogLevel::Notice | RDKafkaLogLevel::Info => tracing::info!(target: "librdkafka", "{fac}: {msg}"),
            RDKafkaLogLevel::Debug => tracing::debug!(target: "librdkafka", "{fac}: {msg}"),
        }
    }

    fn error(&self, error: KafkaError, reason: &str) {
        // Transport errors during an outage are expected and retried by librdkafka.
        tracing::warn!(target: "librdkafka", "{error}: {reason}");
    }

    fn stats(&self, s: Statistics) {
        let mut w = self.watermarks.lock().expect("not poisoned");
        for (name, t) in s.topics {
            for p in t.partitions.values().filter(|p| p.partition >= 0 && p.hi_offset >= 0) {
                let v = Watermarks { lo: p.lo_offset, hi: p.hi_offset, committed: p.committed_offset };
                w.insert((name.clone(), p.partition), v);
            }
        }
    }
}

/// The rebalance protocol is served here rather than in rust-rdkafka's default, so that an
/// assignment starts where the restored state stands: the hooks set each partition's
/// offset in the list before it is assigned, as Kafka Streams and Flink seek to the
/// offsets kept with their state.
impl ConsumerContext for KafkaContext {
    fn rebalance(&self, consumer: &KafkaConsumer, err: RDKafkaRespErr, tpl: &mut TopicPartitionList) {
        let cooperative = matches!(consumer.rebalance_protocol(), RebalanceProtocol::Cooperative);
        match err {
            RDKafkaRespErr::RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS => {
                metrics().rebalances.with_label_values(&["assign"]).inc();
                tracing::info!(partitions = tpl.count(), "partitions assigned");
                self.hooks.assign(consumer, tpl);
                let r = if cooperative { consumer.incremental_assign(tpl) } else { consumer.assign(tpl) };
                if let Err(e) = r {
                    tracing::error!("cannot take the assignment: {e}");
                }
            }
            RDKafkaRespErr::RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS => {
                let lost = consumer.assignment_lost();
                metrics().rebalances.with_label_values(&[if lost { "lost" } else { "revoke" }]).inc();
                tracing::info!(partitions = tpl.count(), lost, "partitions revoked");
                self.hooks.revoke(consumer, tpl, lost);
                let r = if cooperative { consumer.incremental_unassign(tpl) } else { consumer.unassign() };
                if let Err(e) = r {
                    tracing::error!("cannot give up the assignment: {e}");
                }
            }
            other => {
                tracing::warn!("rebalance error: {:?}", RDKafkaErrorCode::from(other));
                self.hooks.unassigned();
                let _ = consumer.unassign();
            }
        }
    }
}

/// Counts a commit result. "No offset stored" means there was nothing new: not an error.
pub fn record_commit(result: &KafkaResult<()>) {
    match result {
        Ok(()) | Err(KafkaError::ConsumerCommit(RDKafkaErrorCode::NoOffset)) => {
            metrics().commits.with_label_values(&["ok"]).inc();
        }
        Err(e) => {
            metrics().commits.with_label_values(&["error"]).inc();
            tracing::warn!("offset commit failed: {e}");
        }
    }
}

/// Builds the group consumer and subscribes it to the configured topics.
pub fn consumer(s: &Settings, hooks: Arc<dyn Hooks>) -> anyhow::Result<KafkaConsumer> {
    let k = &s.kafka;
    let mut cfg = ClientConfig::new();
    cfg.set("bootstrap.servers", &k.brokers)
        .set("group.id", &k.group)
        .set("client.id", &k.client_id)
        .set("enable.auto.commit", "false")
        .set("enable.auto.offset.store", "false")
        .set("auto.offset.reset", "earliest")
        // Range assigns partition N of every subscribed topic to the same member: topics
        // keyed by hospital with equal partition counts then meet in one pipeline.
        .set("partition.assignment.strategy", "range")
        .set("statistics.interval.ms", "1000")
        // Kafka answers a fetch as soon as data is there; some Kafka-protocol brokers (tansu)
        // hold every fetch for the full wait, which then caps throughput and adds latency.
        // 20 ms costs an idle member ~50 small requests/s per broker.
        .set("fetch.wait.max.ms", "20")
        // Bounded prefetch (librdkafka's default has been as large as 1 GB).
        .set("queued.max.messages.kbytes", "65536")
        // Once the prefetch queue is over its thresholds librdkafka waits this long before
        // fetching that partition again (default 1 s): a member that scores a backlog faster
        // than 100 k records a second then drains the queue and idles for the rest of the
        // second. 10 ms keeps the queue topped up (docs/performance.md: 0.32x → … of a bare
        // consumer).
        .set("fetch.queue.backoff.ms", "10");
    for (key, v) in k.options.iter().chain(&k.consumer) {
        cfg.set(key, v);
    }
    let consumer: KafkaConsumer =
        cfg.create_with_context(KafkaContext::new(hooks)).context("cannot create the Kafka consumer")?;
    let names: Vec<&str> = s.topics.iter().map(|t| t.name.as_str()).collect();
    consumer.subscribe(&names).with_context(|| format!("cannot subscribe to {names:?}"))?;
    Ok(consumer)
}
