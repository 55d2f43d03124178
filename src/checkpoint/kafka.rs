//! Checkpoints in a Kafka topic, for a group whose members run on machines with no shared
//! disk (`run --state kafka:TOPIC`).
//!
//! One partition (0), compacted, created with those settings when missing. A checkpoint is
//! written as chunks keyed `KEY/SEQ/IDX` (at most [`CHUNK`] bytes each, under every broker's
//! default message limit), acknowledged by the brokers (`acks=all`), and only then the
//! manifest keyed `KEY`: the versions kept ([`KEEP`]), newest first, each with its chunk
//! count and length. A checkpoint whose manifest was never written — a member killed
//! half-way — is never loaded. Chunks of versions dropped from the manifest are deleted
//! with tombstones, so compaction reclaims them.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::ClientContext;
use rdkafka::client::DefaultClientContext;
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::error::RDKafkaErrorCode;
use rdkafka::message::Message;
use rdkafka::producer::{BaseRecord, DeliveryResult, Producer, ProducerContext, ThreadedProducer};
use rdkafka::{Offset, TopicPartitionList};
use serde::{Deserialize, Serialize};

use super::Store;
use crate::settings::KafkaSettings;

/// Largest chunk: a quarter of Kafka's default `message.max.bytes` (1 MB).
pub const CHUNK: usize = 256 * 1024;
/// Versions kept per key.
pub const KEEP: usize = 2;
const TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
struct Version {
    seq: u64,
    /// The writing process: two members that both believe they own a partition (one not
    /// yet told it lost it) never mix each other's chunks.
    writer: String,
    chunks: u32,
    len: u64,
}

/// Remembers the first delivery that failed for good: a flush that returns is not a
/// flush that delivered.
#[derive(Default)]
pub struct Acks {
    failed: Mutex<Option<String>>,
}

impl ClientContext for Acks {}

impl ProducerContext for Acks {
    type DeliveryOpaque = ();
    fn delivery(&self, r: &DeliveryResult<'_>, _: ()) {
        if let Err((e, _)) = r {
            self.failed.lock().expect("not poisoned").get_or_insert_with(|| e.to_string());
        }
    }
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct Manifest {
    /// Newest first.
    versions: Vec<Version>,
}

pub struct TopicStore {
    topic: String,
    producer: ThreadedProducer<Acks>,
    writer: String,
    reader: ClientConfig,
    /// The topic as last read: each key's latest value (None: deleted).
    latest: HashMap<String, Option<Vec<u8>>>,
}

impl TopicStore {
    /// Connects with the service's Kafka settings (security included) and creates `topic`
    /// (one partition, compacted) when it does not exist.
    pub fn open(k: &KafkaSettings, topic: &str) -> anyhow::Result<TopicStore> {
        let base = || {
            let mut c = ClientConfig::new();
            c.set("bootstrap.servers", &k.brokers).set("client.id", format!("{}-state", k.client_id));
            for (key, v) in &k.options {
                c.set(key, v);
            }
            c
        };
        create_topic(base(), topic)?;
        let mut p = base();
        p.set("enable.idempotence", "true").set("acks", "all").set("message.timeout.ms", "60000");
        p.set("linger.ms", "5");
        let producer = p.create_with_context(Acks::default()).context("cannot create the state store's producer")?;
        let writer = format!(
            "{:08x}",
            xxhash_rust::xxh3::xxh3_64(format!("{} {:?}", std::process::id(), Instant::now()).as_bytes()) as u32
        );
        let mut reader = base();
        reader
            .set("group.id", format!("{}-state-reader", k.group))
            .set("enable.auto.commit", "false")
            .set("enable.auto.offset.store", "false")
            .set("fetch.wait.max.ms", "20");
        Ok(TopicStore { topic: topic.to_owned(), producer, writer, reader, latest: HashMap::new() })
    }

    /// Reads the whole topic: each key's latest value, as compaction would leave it.
    fn refresh(&mut self) -> anyhow::Result<()> {
        let c: BaseConsumer = self.reader.create().context("cannot create the state store's reader")?;
        let (lo, hi) = c
            .fetch_watermarks(&self.topic, 0, TIMEOUT)
            .with_context(|| format!("cannot read the state topic {}", self.topic))?;
        self.latest.clear();
        if hi <= lo {
            return Ok(());
        }
        let mut tpl = TopicPartitionList::new();
        tpl.add_partition_offset(&self.topic, 0, Offset::Offset(lo))?;
        c.assign(&tpl)?;
        let started = Instant::now();
        let mut next = lo;
        while next < hi {
            if started.elapsed() > TIMEOUT * 4 {
                bail!("reading the state topic {} stalled at offset {next} of {hi}", self.topic);
            }
            match c.poll(Duration::from_millis(200)) {
                Some(Ok(m)) => {
                    next = m.offset() + 1;
                    let Some(key) = m.key().map(|k| String::from_utf8_lossy(k).into_owned()) else { continue };
                    self.latest.insert(key, m.payload().map(<[u8]>::to_vec));
                }
                Some(Err(e)) => tracing::warn!("reading the state topic {}: {e}", self.topic),
                None => {}
            }
        }
        Ok(())
    }

    fn manifest(&self, key: &str) -> anyhow::Result<Manifest> {
        match self.latest.get(key) {
            Some(Some(v)) => serde_json::from_slice(v)
                .with_context(|| format!("the manifest of {key} in the state topic {} is unreadable", self.topic)),
            _ => Ok(Manifest::default()),
        }
    }

    fn send(&self, key: &str, value: Option<&[u8]>) -> anyhow::Result<()> {
        let mut rec: BaseRecord<'_, str, [u8]> = BaseRecord::to(&self.topic).key(key).partition(0);
        if let Some(v) = value {
            rec = rec.payload(v);
        }
        let mut rec = rec;
        loop {
            match self.producer.send(rec) {
                Ok(()) => return Ok(()),
                Err((e, back)) if matches!(e.rdkafka_error_code(), Some(RDKafkaErrorCode::QueueFull)) => {
                    rec = back;
                    std::thread::sleep(Duration::from_millis(5));
                }
                Err((e, _)) => return Err(e).with_context(|| format!("cannot write {key} to {}", self.topic)),
            }
        }
    }

    fn flush(&self) -> anyhow::Result<()> {
        self.producer.flush(TIMEOUT).with_context(|| format!("the state topic {} did not acknowledge", self.topic))?;
        if let Some(e) = self.producer.context().failed.lock().expect("not poisoned").take() {
            bail!("the state topic {} refused a write: {e}", self.topic);
        }
        Ok(())
    }
}

fn chunk_key(key: &str, v: &Version, i: u32) -> String {
    format!("{key}/{:010}-{}/{i:05}", v.seq, v.writer)
}

fn create_topic(cfg: ClientConfig, topic: &str) -> anyhow::Result<()> {
    let admin: AdminClient<DefaultClientContext> = cfg.create().context("cannot create a Kafka admin client")?;
    let new = NewTopic::new(topic, 1, TopicReplication::Fixed(-1))
        .set("cleanup.policy", "compact")
        .set("min.cleanable.dirty.ratio", "0.1");
    let opts = AdminOptions::new().operation_timeout(Some(TIMEOUT));
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let results = rt.block_on(admin.create_topics([&new], &opts)).context("cannot create the state topic")?;
    for r in results {
        match r {
            Ok(_) => tracing::info!(topic, "state topic created (compacted, one partition)"),
            Err((_, RDKafkaErrorCode::TopicAlreadyExists)) => {}
            Err((t, e)) => bail!("cannot create the state topic {t}: {e}"),
        }
    }
    Ok(())
}

impl Store for TopicStore {
    fn save(&mut self, key: &str, bytes: &[u8]) -> anyhow::Result<()> {
        if !self.latest.contains_key(key) {
            self.refresh()?;
        }
        let mut manifest = self.manifest(key)?;
        let seq = manifest.versions.first().map_or(1, |v| v.seq + 1);
        let chunks: Vec<&[u8]> = bytes.chunks(CHUNK).collect();
        let version =
            Version { seq, writer: self.writer.clone(), chunks: chunks.len() as u32, len: bytes.len() as u64 };
        for (i, c) in chunks.iter().enumerate() {
            self.send(&chunk_key(key, &version, i as u32), Some(c))?;
        }
        // Every chunk acknowledged before the manifest names them.
        self.flush()?;
        for (i, c) in chunks.iter().enumerate() {
            self.latest.insert(chunk_key(key, &version, i as u32), Some(c.to_vec()));
        }
        manifest.versions.insert(0, version);
        let dropped: Vec<Version> = manifest.versions.split_off(KEEP.min(manifest.versions.len()));
        let value = serde_json::to_vec(&manifest)?;
        self.send(key, Some(&value))?;
        self.flush()?;
        for v in dropped {
            for i in 0..v.chunks {
                self.send(&chunk_key(key, &v, i), None)?;
                self.latest.remove(&chunk_key(key, &v, i));
            }
        }
        self.latest.insert(key.to_owned(), Some(value));
        Ok(())
    }

    fn versions(&mut self, key: &str) -> anyhow::Result<Vec<String>> {
        self.refresh()?;
        let m = self.manifest(key)?;
        Ok(m.versions.iter().map(|v| format!("kafka:{}/{key}@{}", self.topic, v.seq)).collect())
    }

    fn read(&mut self, name: &str) -> anyhow::Result<Vec<u8>> {
        let rest = name.strip_prefix(&format!("kafka:{}/", self.topic)).unwrap_or(name);
        let (key, seq) = rest.rsplit_once('@').context("a checkpoint name is KEY@SEQ")?;
        let seq: u64 = seq.parse().context("a checkpoint name is KEY@SEQ")?;
        let m = self.manifest(key)?;
        let v = m.versions.iter().find(|v| v.seq == seq).with_context(|| format!("{name}: not in its manifest"))?;
        let mut out = Vec::with_capacity(v.len as usize);
        for i in 0..v.chunks {
            match self.latest.get(&chunk_key(key, v, i)) {
                Some(Some(c)) => out.extend_from_slice(c),
                _ => bail!(
                    "checkpoint {name} is unusable: chunk {} of {} is missing from {}",
                    i + 1,
                    v.chunks,
                    self.topic
                ),
            }
        }
        if out.len() as u64 != v.len {
            bail!("checkpoint {name} is unusable: {} bytes in its chunks, its manifest says {}", out.len(), v.len);
        }
        Ok(out)
    }

    fn describe(&self) -> String {
        format!("kafka:{}", self.topic)
    }
}
