//! Checkpoints: a pipeline's whole state (every hospital's ids, windows, baselines,
//! detector state, cooldowns, dedup ids and clock, and the counters) together with the
//! source positions it reflects, so a restart, a crash or a rebalance resumes exactly where
//! the state left off instead of three months blind.
//!
//! The format (version [`VERSION`]): a 32-byte header — magic `RXSCKPT\0`, format version
//! (u32 LE), flags (u32, 0: none defined), payload length (u64 LE), xxh3-64 of the payload (u64 LE) — then
//! the payload, a [`Snapshot`] in postcard's compact varint encoding. A checkpoint whose
//! magic, version, length or checksum is wrong is refused with an error naming it; it is
//! never half-loaded.
//!
//! Two stores keep them ([`Store`]): a directory ([`dir::DirStore`], the embedded default)
//! and a Kafka topic ([`kafka::TopicStore`], for members on machines with no shared disk).

pub mod dir;
pub mod kafka;

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::pipeline::HospitalState;
use crate::stats::Stats;

pub const MAGIC: &[u8; 8] = b"RXSCKPT\0";
pub const VERSION: u32 = 1;
const HEADER: usize = 32;

/// Where a source stood when the state was taken: the next record to read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Position {
    /// An input file: the identity it was read under, the lines and bytes consumed.
    File { path: String, fingerprint: u64, lines: u64, bytes: u64 },
    /// A Kafka partition: the next offset to consume.
    Kafka { topic: String, partition: i32, next: i64 },
}

/// What a checkpoint holds.
#[derive(Debug, Serialize, Deserialize)]
pub struct Snapshot {
    /// What the state is of: `replay`, or `partition N` of a consumer group.
    pub scope: String,
    /// Seconds since the epoch when it was taken (machine time; for people and the age metric).
    pub taken_at: i64,
    /// The rxsentinel version that wrote it.
    pub writer: String,
    pub positions: Vec<Position>,
    /// The alerts file a replay was writing, and its length when the state was taken (an
    /// interrupted replay truncates it there and goes on).
    pub alerts: Option<(String, u64)>,
    pub stats: Stats,
    pub hospitals: Vec<HospitalState>,
}

impl Snapshot {
    /// For people: what the checkpoint is of, where it stands, what it counted.
    pub fn describe(&self) -> String {
        let mut s = format!("{}, written by rxsentinel {} at unix time {}\n", self.scope, self.writer, self.taken_at);
        for p in &self.positions {
            match p {
                Position::File { path, lines, bytes, .. } => {
                    s.push_str(&format!("  input {path}: {lines} lines, {bytes} bytes read\n"))
                }
                Position::Kafka { topic, partition, next } => {
                    s.push_str(&format!("  {topic}[{partition}]: next offset {next}\n"))
                }
            }
        }
        if let Some((file, len)) = &self.alerts {
            s.push_str(&format!("  alerts: {file} ({len} bytes)\n"));
        }
        s.push_str(&format!("{}\n", self.stats));
        for h in &self.hospitals {
            let wm = h.watermark().map_or("-".to_owned(), |w| crate::event::time::Zone::default().format(w));
            s.push_str(&format!("  hospital {}: watermark {wm}\n", h.name));
        }
        s
    }
}

/// The borrowed form of [`Snapshot`], for writing without cloning the state.
#[derive(Serialize)]
pub struct SnapshotRef<'a> {
    pub scope: &'a str,
    pub taken_at: i64,
    pub writer: &'a str,
    pub positions: &'a [Position],
    pub alerts: Option<(&'a str, u64)>,
    pub stats: &'a Stats,
    pub hospitals: &'a [HospitalState],
}

/// Why a checkpoint could not be read. Always names it.
#[derive(Debug)]
pub struct BadCheckpoint {
    pub name: String,
    pub problem: String,
}

impl fmt::Display for BadCheckpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "checkpoint {} is unusable: {}", self.name, self.problem)
    }
}

impl std::error::Error for BadCheckpoint {}

/// Encodes a snapshot with its header.
pub fn encode(s: &SnapshotRef<'_>) -> anyhow::Result<Vec<u8>> {
    let mut out = vec![0u8; HEADER];
    let mut out = postcard::to_extend(s, std::mem::take(&mut out))
        .map_err(|e| anyhow::anyhow!("cannot encode the checkpoint of {}: {e}", s.scope))?;
    let len = (out.len() - HEADER) as u64;
    let sum = xxhash_rust::xxh3::xxh3_64(&out[HEADER..]);
    out[..8].copy_from_slice(MAGIC);
    out[8..12].copy_from_slice(&VERSION.to_le_bytes());
    out[12..16].copy_from_slice(&0u32.to_le_bytes());
    out[16..24].copy_from_slice(&len.to_le_bytes());
    out[24..32].copy_from_slice(&sum.to_le_bytes());
    Ok(out)
}

/// Decodes a checkpoint named `name` (a file or a topic key), checking magic, version,
/// length and checksum first.
pub fn decode(name: &str, bytes: &[u8]) -> Result<Snapshot, BadCheckpoint> {
    let bad = |problem: String| BadCheckpoint { name: name.to_owned(), problem };
    if bytes.len() < HEADER || &bytes[..8] != MAGIC {
        return Err(bad(format!("not an rxsentinel checkpoint ({} bytes, no RXSCKPT header)", bytes.len())));
    }
    let u32_at = |i: usize| u32::from_le_bytes(bytes[i..i + 4].try_into().expect("4 bytes"));
    let u64_at = |i: usize| u64::from_le_bytes(bytes[i..i + 8].try_into().expect("8 bytes"));
    let version = u32_at(8);
    if version != VERSION {
        return Err(bad(format!(
            "format version {version}, this rxsentinel reads version {VERSION} (written by another release; \
             start fresh or use the release that wrote it)"
        )));
    }
    if u32_at(12) != 0 {
        return Err(bad(format!("unknown flags {:#x} (written by a newer release?)", u32_at(12))));
    }
    let len = u64_at(16);
    let payload = &bytes[HEADER..];
    if payload.len() as u64 != len {
        return Err(bad(format!(
            "truncated or extended: the header says {len} bytes of state, found {}",
            payload.len()
        )));
    }
    let sum = xxhash_rust::xxh3::xxh3_64(payload);
    if sum != u64_at(24) {
        return Err(bad(format!("checksum mismatch (stored {:016x}, computed {sum:016x}): corrupted", u64_at(24))));
    }
    postcard::from_bytes(payload).map_err(|e| bad(format!("state does not decode: {e}")))
}

/// Where checkpoints are kept, by key (`replay`, `<group>.p<N>`).
pub trait Store: Send {
    /// Makes `bytes` the latest checkpoint of `key`, durably, before returning.
    fn save(&mut self, key: &str, bytes: &[u8]) -> anyhow::Result<()>;
    /// Names of the kept checkpoints of `key`, newest first.
    fn versions(&mut self, key: &str) -> anyhow::Result<Vec<String>>;
    /// The bytes of the checkpoint `name` (from [`Store::versions`]).
    fn read(&mut self, name: &str) -> anyhow::Result<Vec<u8>>;
    /// For logs: where checkpoints go.
    fn describe(&self) -> String;
}

/// The latest checkpoint of `key`, or None when it has none. One that cannot be read is an
/// error naming it, unless `discard_bad`: then it is logged, counted and passed over for
/// the one before (and, with none left, the state starts fresh). Never silently.
pub fn restore(store: &mut dyn Store, key: &str, discard_bad: bool) -> anyhow::Result<Option<Snapshot>> {
    let m = crate::telemetry::metrics();
    for name in store.versions(key)? {
        let t = std::time::Instant::now();
        let read = store.read(&name).map_err(|e| BadCheckpoint { name: name.clone(), problem: format!("{e:#}") });
        match read.and_then(|bytes| decode(&name, &bytes).map(|s| (s, bytes.len()))) {
            Ok((s, len)) => {
                m.restores.with_label_values(&["restored"]).inc();
                tracing::info!(
                    checkpoint = %name,
                    bytes = len,
                    seconds = t.elapsed().as_secs_f64(),
                    hospitals = s.hospitals.len(),
                    "state restored"
                );
                return Ok(Some(s));
            }
            Err(e) if discard_bad => {
                m.restores.with_label_values(&["discarded"]).inc();
                tracing::error!("{e}; --discard-bad-checkpoint given: passing over it");
            }
            Err(e) => {
                m.restores.with_label_values(&["failed"]).inc();
                return Err(anyhow::Error::new(e).context(format!(
                    "cannot restore {key}: move the checkpoint away, or pass --discard-bad-checkpoint to fall back \
                     to the previous one (and start fresh when none is left)"
                )));
            }
        }
    }
    m.restores.with_label_values(&["fresh"]).inc();
    Ok(None)
}

/// Encodes and saves a checkpoint, timing it for the metrics.
pub fn save(store: &mut dyn Store, key: &str, bytes: &[u8], started: std::time::Instant) -> anyhow::Result<()> {
    let m = crate::telemetry::metrics();
    if let Err(e) = store.save(key, bytes) {
        m.checkpoints.with_label_values(&["error"]).inc();
        return Err(e);
    }
    m.checkpoints.with_label_values(&["ok"]).inc();
    m.checkpoint_seconds.observe(started.elapsed().as_secs_f64());
    m.checkpoint_bytes.set(bytes.len() as i64);
    m.checkpoint_last_success.set(unix_now());
    Ok(())
}

/// Seconds since the epoch, for `taken_at`.
pub fn unix_now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<u8> {
        let stats = Stats { duplicates: 7, ..Stats::default() };
        let positions = vec![Position::Kafka { topic: "his".into(), partition: 3, next: 42 }];
        encode(&SnapshotRef {
            scope: "partition 3",
            taken_at: 1,
            writer: "test",
            positions: &positions,
            alerts: None,
            stats: &stats,
            hospitals: &[],
        })
        .unwrap()
    }

    #[test]
    fn round_trips() {
        let s = decode("x", &sample()).unwrap();
        assert_eq!(s.scope, "partition 3");
        assert_eq!(s.stats.duplicates, 7);
        assert_eq!(s.positions, vec![Position::Kafka { topic: "his".into(), partition: 3, next: 42 }]);
    }

    #[test]
    fn every_truncation_and_bit_flip_is_refused_by_name() {
        let b = sample();
        for cut in 0..b.len() {
            let e = decode("cp-1", &b[..cut]).unwrap_err();
            assert!(e.to_string().starts_with("checkpoint cp-1 is unusable"), "{e}");
        }
        for i in 0..b.len() {
            for bit in 0..8 {
                let mut c = b.clone();
                c[i] ^= 1 << bit;
                assert!(decode("cp-1", &c).is_err(), "flip of bit {bit} in byte {i} went unnoticed");
            }
        }
        let mut v = b.clone();
        v[8] = 9;
        assert!(decode("cp", &v).unwrap_err().to_string().contains("format version 9"));
    }
}
