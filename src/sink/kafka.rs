//! Kafka outputs: the alert topic ([`KafkaSink`]) and the dead-letter topic
//! ([`DeadLetter`]), sharing one idempotent producer (`enable.idempotence=true`, `acks=all`).
//!
//! "Accepted" means acknowledged by the broker: [`Sink::flush`] waits until every record
//! sent so far is delivered or has failed. librdkafka retries a record until
//! `kafka.delivery_timeout`; after that one failure is final — every later flush fails too —
//! so the service stops without storing or committing the offsets that depended on it.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use rdkafka::client::ClientContext;
use rdkafka::config::{ClientConfig, RDKafkaLogLevel};
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::message::{DeliveryResult, Header, OwnedHeaders};
use rdkafka::producer::{BaseRecord, Producer, ProducerContext, ThreadedProducer};

use crate::alert::Alert;
use crate::event::Reject;
use crate::settings::KafkaSettings;
use crate::telemetry::metrics;

use super::Sink;

/// Counts delivery outcomes and times acknowledgements.
#[derive(Default)]
pub struct Deliveries {
    failed: AtomicU64,
    last_error: Mutex<Option<String>>,
}

impl ClientContext for Deliveries {
    fn log(&self, level: RDKafkaLogLevel, fac: &str, msg: &str) {
        use RDKafkaLogLevel as L;
        if matches!(level, L::Emerg | L::Alert | L::Critical | L::Error | L::Warning) {
            tracing::warn!(target: "librdkafka", "producer {fac}: {msg}");
        }
    }

    fn error(&self, error: KafkaError, reason: &str) {
        tracing::warn!(target: "librdkafka", "producer {error}: {reason}");
    }
}

impl ProducerContext for Deliveries {
    /// When the record was handed to librdkafka, and the sink label for the histogram.
    type DeliveryOpaque = Box<(Instant, &'static str)>;

    fn delivery(&self, r: &DeliveryResult<'_>, opaque: Self::DeliveryOpaque) {
        let (sent, sink) = *opaque;
        match r {
            Ok(_) => metrics().delivery_seconds.with_label_values(&[sink]).observe(sent.elapsed().as_secs_f64()),
            Err((e, _)) => {
                self.failed.fetch_add(1, Ordering::SeqCst);
                *self.last_error.lock().expect("not poisoned") = Some(format!("{sink}: {e}"));
            }
        }
    }
}

/// The shared producer.
pub struct KafkaOut {
    producer: ThreadedProducer<Deliveries>,
    timeout: Duration,
}

impl KafkaOut {
    pub fn new(k: &KafkaSettings) -> anyhow::Result<Arc<KafkaOut>> {
        let mut cfg = ClientConfig::new();
        cfg.set("bootstrap.servers", &k.brokers)
            .set("client.id", &k.client_id)
            .set("enable.idempotence", "true")
            .set("acks", "all")
            .set("message.timeout.ms", k.delivery_timeout.as_millis().to_string())
            .set("linger.ms", "5");
        for (key, v) in k.options.iter().chain(&k.producer) {
            cfg.set(key, v);
        }
        let producer = cfg.create_with_context(Deliveries::default()).context("cannot create the Kafka producer")?;
        // A flush waits for the last retry to end, plus slack for the report to arrive.
        Ok(Arc::new(KafkaOut { producer, timeout: k.delivery_timeout + Duration::from_secs(10) }))
    }

    /// Hands a record to librdkafka (its opaque carries the send time and sink label).
    fn send(
        &self,
        sink: &'static str,
        rec: BaseRecord<'_, [u8], [u8], Box<(Instant, &'static str)>>,
    ) -> anyhow::Result<()> {
        let mut rec = rec;
        loop {
            match self.producer.send(rec) {
                Ok(()) => return Ok(()),
                // The local queue is full: wait for deliveries to make room.
                Err((KafkaError::MessageProduction(RDKafkaErrorCode::QueueFull), back)) => {
                    rec = back;
                    std::thread::sleep(Duration::from_millis(5));
                }
                Err((e, _)) => bail!("cannot produce to {}: {e}", rec_topic(sink)),
            }
        }
    }

    /// Waits until everything sent so far is acknowledged; fails if anything ever failed.
    pub fn confirm(&self) -> anyhow::Result<()> {
        self.producer.flush(self.timeout).context("Kafka deliveries did not finish in time")?;
        if self.producer.context().failed.load(Ordering::SeqCst) > 0 {
            let e = self.producer.context().last_error.lock().expect("not poisoned").clone();
            bail!("Kafka delivery failed after retries: {}", e.unwrap_or_default());
        }
        Ok(())
    }
}

fn rec_topic(sink: &str) -> &str {
    if sink == "dead_letter" {
        "the dead-letter topic"
    } else {
        "the alert topic"
    }
}

/// Alerts to a topic: key = `alert_id` (so compaction and consumers can deduplicate),
/// value = the alert JSON of CONTRACT §3.
pub struct KafkaSink {
    out: Arc<KafkaOut>,
    topic: String,
    buf: Vec<u8>,
}

impl KafkaSink {
    pub fn new(out: Arc<KafkaOut>, topic: &str) -> KafkaSink {
        KafkaSink { out, topic: topic.to_owned(), buf: Vec::with_capacity(2048) }
    }
}

impl Sink for KafkaSink {
    fn send(&mut self, alerts: &[Alert]) -> anyhow::Result<()> {
        for a in alerts {
            self.buf.clear();
            serde_json::to_writer(&mut self.buf, a).context("serializing an alert")?;
            let rec = BaseRecord::with_opaque_to(&self.topic, Box::new((Instant::now(), "kafka")))
                .key(a.alert_id.as_bytes())
                .payload(&self.buf[..]);
            self.out.send("kafka", rec)?;
        }
        Ok(())
    }

    fn flush(&mut self) -> anyhow::Result<()> {
        self.out.confirm()
    }
}

/// Where a rejected record came from.
pub struct Origin<'a> {
    pub topic: &'a str,
    pub partition: i32,
    pub offset: i64,
    pub key: Option<&'a [u8]>,
}

/// Why a record is dead-lettered: a decode reject, or a valid event set aside as future.
pub struct DeadReason<'a> {
    pub reason: &'a str,
    pub field: Option<&'a str>,
    pub detail: &'a str,
}

impl<'a> From<&'a Reject> for DeadReason<'a> {
    fn from(r: &'a Reject) -> Self {
        DeadReason { reason: r.reason.as_str(), field: r.field, detail: &r.detail }
    }
}

/// Rejected records, byte for byte, with why and where in headers.
pub struct DeadLetter {
    out: Arc<KafkaOut>,
    topic: String,
}

impl DeadLetter {
    pub fn new(out: Arc<KafkaOut>, topic: &str) -> DeadLetter {
        DeadLetter { out, topic: topic.to_owned() }
    }

    /// Sends one record; it is confirmed by the next [`KafkaOut::confirm`].
    pub fn send(&self, payload: &[u8], why: &DeadReason<'_>, from: &Origin<'_>) -> anyhow::Result<()> {
        let (partition, offset) = (from.partition.to_string(), from.offset.to_string());
        let headers = OwnedHeaders::new()
            .insert(Header { key: "reason", value: Some(why.reason) })
            .insert(Header { key: "field", value: why.field })
            .insert(Header { key: "detail", value: Some(why.detail) })
            .insert(Header { key: "source_topic", value: Some(from.topic) })
            .insert(Header { key: "source_partition", value: Some(partition.as_str()) })
            .insert(Header { key: "source_offset", value: Some(offset.as_str()) });
        let mut rec = BaseRecord::with_opaque_to(&self.topic, Box::new((Instant::now(), "dead_letter")))
            .payload(payload)
            .headers(headers);
        if let Some(k) = from.key {
            rec = rec.key(k);
        }
        self.out.send("dead_letter", rec)?;
        metrics().dead_letters.with_label_values(&[why.reason]).inc();
        Ok(())
    }

    pub fn confirm(&self) -> anyhow::Result<()> {
        self.out.confirm()
    }
}
